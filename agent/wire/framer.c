/* framer.c - newline framing over a fixed buffer. Each byte is scanned for
 * "\n" once (memchr, resuming at scan); the unframed tail (at most one
 * partial record) moves to the front when less than a quarter of the
 * buffer is free at the back, so that every read has room for many
 * records: waiting for the back to fill up exactly made every other read
 * a few bytes long. Records may start with RS (0x1E) as in
 * application/json-seq (RFC 7464), which Docker 29 sends when asked.
 */
#include <string.h>
#include "framer.h"
#include "err.h"

void dk_framer_init(struct dk_framer *f, char *buf, size_t cap)
{
	memset(f, 0, sizeof *f);
	f->buf = buf;
	f->cap = cap;
}

void dk_framer_reset(struct dk_framer *f)
{
	f->start = f->scan = f->end = 0;
	f->discarding = 0;
}

char *dk_framer_space(struct dk_framer *f, size_t *room)
{
	if (f->start == f->end) {
		f->start = f->scan = f->end = 0;
	} else if (f->cap - f->end < f->cap / 4 && f->start > 0) {
		size_t n = f->end - f->start;
		memmove(f->buf, f->buf + f->start, n);
		f->scan -= f->start;
		f->start = 0;
		f->end = n;
	}
	*room = f->cap - f->end;
	return f->buf + f->end;
}

void dk_framer_commit(struct dk_framer *f, size_t n)
{
	f->end += n;
}

int dk_framer_next(struct dk_framer *f, const char **rec, size_t *len)
{
	for (;;) {
		const char *nl = memchr(f->buf + f->scan, '\n', f->end - f->scan);
		size_t s = f->start, e;

		if (!nl) {
			f->scan = f->end;
			if (f->discarding) {
				f->start = f->scan = f->end = 0;
				return DK_FRAME_MORE;
			}
			if (f->start == 0 && f->end == f->cap) {
				/* A record as large as the buffer: report its
				 * head, then drop it up to its newline. */
				*rec = f->buf;
				*len = f->cap;
				f->discarding = 1;
				f->end = f->cap; /* next space() call empties it */
				f->start = f->cap;
				return DK_ERR_RECORD_BIG;
			}
			return DK_FRAME_MORE;
		}
		e = (size_t)(nl - f->buf);
		f->start = f->scan = e + 1;
		if (f->discarding) {
			f->discarding = 0;
			continue;
		}
		if (e > s && f->buf[e - 1] == '\r')
			e--;
		/* application/json-seq (RFC 7464) puts an RS before each
		 * record; it is never part of JSON text. */
		while (s < e && f->buf[s] == DK_FRAME_RS)
			s++;
		if (e == s)
			continue;
		*rec = f->buf + s;
		*len = e - s;
		return DK_FRAME_RECORD;
	}
}

int dk_framer_flush(struct dk_framer *f, const char **rec, size_t *len)
{
	size_t s = f->start, e = f->end;
	int discarding = f->discarding;

	dk_framer_reset(f);
	if (discarding)
		return DK_FRAME_MORE;
	while (e > s && (f->buf[e - 1] == '\r' || f->buf[e - 1] == ' '))
		e--;
	while (s < e && f->buf[s] == DK_FRAME_RS)
		s++;
	if (e == s)
		return DK_FRAME_MORE;
	*rec = f->buf + s;
	*len = e - s;
	return DK_FRAME_RECORD;
}
