/* chunk.h - the response body decoder: chunked transfer coding decoded in
 * place, and identity bodies (Content-Length or close-delimited) passed
 * through, behind one interface.
 */
#ifndef DK_CHUNK_H
#define DK_CHUNK_H

#include <stddef.h>
#include <stdint.h>
#include "http.h"

/* Returned by dk_chunk_decode when the body is complete. */
#define DK_CHUNK_END 1

struct dk_chunk {
	enum dk_body_mode mode;
	int state;
	int digits;        /* hex digits of the current size line */
	uint64_t left;     /* bytes left in this chunk, or in a LENGTH body */
	size_t line;       /* bytes of the extension or trailer line so far */
	int err;           /* sticky */
};

/* Start decoding a body of this mode; length is the Content-Length for
 * DK_BODY_LENGTH and ignored otherwise. */
void dk_chunk_init(struct dk_chunk *c, enum dk_body_mode mode, uint64_t length);

/* Decode buf[0..len) in place: the body's payload bytes are moved to the
 * front, their count stored in *out. Every input byte up to the end of the
 * body is consumed (partial size lines are kept in c), so the next call
 * takes only new bytes. Returns 0 (more body to come), DK_CHUNK_END (the
 * body ended; bytes after it are ignored), or a negative dk_err
 * (DK_ERR_CHUNK, DK_ERR_CHUNK_BIG), sticky until dk_chunk_init.
 * Chunk sizes are bounded to DK_CHUNK_HEX_MAX hex digits, extension and
 * trailer lines to DK_CHUNK_LINE_MAX bytes; bare LF ends lines. */
int dk_chunk_decode(struct dk_chunk *c, char *buf, size_t len, size_t *out);

/* The connection ended: DK_CHUNK_END if that completes the body (a
 * close-delimited body, or one already complete), else DK_ERR_TRUNCATED. */
int dk_chunk_eof(struct dk_chunk *c);

#endif
