/* http.h - the HTTP/1.x response head parser (status line and headers). */
#ifndef DK_HTTP_H
#define DK_HTTP_H

#include <stddef.h>
#include <stdint.h>

enum dk_body_mode {
	DK_BODY_NONE = 0,    /* 1xx, 204, 304: no body */
	DK_BODY_CHUNKED,     /* Transfer-Encoding: chunked */
	DK_BODY_LENGTH,      /* Content-Length */
	DK_BODY_CLOSE        /* until the connection closes */
};

struct dk_http_head {
	int status;              /* 100..999 */
	int minor;               /* HTTP/1.<minor> */
	int chunked;             /* chunked is the final transfer coding */
	int other_coding;        /* a Transfer-Encoding other than chunked */
	int close;               /* the connection ends after this answer */
	int64_t content_length;  /* -1 when absent */
	char api_version[16];    /* Api-Version header, "" when absent */
	char libpod_version[16]; /* Libpod-Api-Version (Podman), "" absent */
	char content_type[48];   /* Content-Type, truncated, "" when absent */
	size_t scanned;          /* resume point of the end-of-head search */
	int err;                 /* sticky error */
};

/* Zero the parser; a zeroed struct is also a valid start. */
void dk_http_head_init(struct dk_http_head *h);

/* Feed the whole response so far (buf[0..len), the same start each call,
 * growing). Returns the head's length in bytes (status line to the blank
 * line included) once complete, 0 when more bytes are needed, or a negative
 * dk_err: DK_ERR_NOT_HTTP as soon as the first bytes cannot start
 * "HTTP/1.", DK_ERR_HEAD_BIG when no end is found within DK_HEAD_MAX,
 * DK_ERR_STATUS, DK_ERR_HEADER, DK_ERR_LENGTH. Bare LF line ends are
 * accepted. Errors are sticky until dk_http_head_init. */
long dk_http_head_parse(struct dk_http_head *h, const char *buf, size_t len);

/* How the body after a parsed head is delimited (RFC 9112 section 6.3). */
enum dk_body_mode dk_http_body_mode(const struct dk_http_head *h);

/* The reason phrase we print for a status (a short fixed table). */
const char *dk_http_reason(int status);

#endif
