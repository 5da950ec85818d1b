/* framer.h - splits the decoded body into records, one JSON object per
 * "\n", inside a caller-owned fixed buffer, whatever the chunk and read
 * boundaries were.
 *
 * The buffer holds [start, end): decoded bytes not yet framed. The caller
 * asks dk_framer_space() where to put new bytes, decodes them there in
 * place, and tells dk_framer_commit() how many decoded bytes it added.
 */
#ifndef DK_FRAMER_H
#define DK_FRAMER_H

#include <stddef.h>
#include <stdint.h>

/* dk_framer_next results (besides negative errors). */
#define DK_FRAME_MORE 0     /* no complete record: read more */
#define DK_FRAME_RECORD 1   /* *rec, *len hold one record */
#define DK_FRAME_RS '\x1e'  /* json-seq record prefix, dropped */

struct dk_framer {
	char *buf;
	size_t cap;
	size_t start;       /* first byte of the current record */
	size_t scan;        /* bytes before this hold no '\n' */
	size_t end;         /* end of decoded bytes */
	int discarding;     /* skipping the rest of a too-large record */
};

void dk_framer_init(struct dk_framer *f, char *buf, size_t cap);

/* Where to put new bytes and how many fit (*room > 0 unless the framer is
 * full, which dk_framer_next reports first). Moves the unframed tail to the
 * front of the buffer, with one memmove, when that makes room. */
char *dk_framer_space(struct dk_framer *f, size_t *room);

/* n decoded bytes were written at the pointer dk_framer_space returned. */
void dk_framer_commit(struct dk_framer *f, size_t n);

/* Next record, without its "\n" (and a "\r" before it) and without the
 * RS bytes that start it in application/json-seq. Empty lines are
 * skipped. Returns DK_FRAME_RECORD with *rec and *len valid until the next
 * dk_framer_space/commit call, DK_FRAME_MORE, or DK_ERR_RECORD_BIG when a
 * record filled the whole buffer without a "\n": *rec and *len then hold its
 * first bytes (to say what it was), and the rest of that record, up to the
 * next "\n", is dropped as it arrives. */
int dk_framer_next(struct dk_framer *f, const char **rec, size_t *len);

/* At the end of the body: a last record that had no "\n". Returns
 * DK_FRAME_RECORD or DK_FRAME_MORE (nothing left), and empties the framer. */
int dk_framer_flush(struct dk_framer *f, const char **rec, size_t *len);

/* Forget everything buffered (a new connection). */
void dk_framer_reset(struct dk_framer *f);

#endif
