/* out.h - a bounded writer into a caller's buffer: appends never go past
 * cap, but the length keeps counting, so one check at the end tells
 * whether everything fit (the request, the filters JSON, synthetic
 * events). */
#ifndef DK_OUT_H
#define DK_OUT_H

#include <stddef.h>

struct dk_out {
	char *p;
	size_t cap, len;  /* len > cap: it did not fit */
	size_t fit;       /* bytes of whole appends written before the first
	                     that did not fit: where to cut, never inside one */
};

void dk_out_init(struct dk_out *o, char *buf, size_t cap);
void dk_out_put(struct dk_out *o, const char *s, size_t n);
void dk_out_str(struct dk_out *o, const char *s);
/* s[0..n) as a JSON string body: '"' and '\' escaped, C0 controls as
 * \u00XX, every other byte as is. */
void dk_out_json(struct dk_out *o, const char *s, size_t n);
/* s[0..n) as one line of text for a terminal, a log or a line-reading
 * consumer: C0 controls and DEL as \n \r \t or \xHH, C1 controls (UTF-8
 * U+0080..U+009F) as \u0080..\u009f, every other byte as is (a
 * backslash too: the text is for reading, not for parsing back). When it
 * does not fit, fit ends at a whole escape or character: the plain text
 * that fits is written, cut before a UTF-8 continuation byte; an escape is
 * written whole or not at all. */
void dk_out_text(struct dk_out *o, const char *s, size_t n);
/* A decimal number. */
void dk_out_num(struct dk_out *o, long long v);
/* NUL-terminate: returns len when it all fit (with the NUL), else
 * DK_ERR_NOSPACE and, when cap > 0, an empty string in the buffer. */
long dk_out_end(struct dk_out *o);

#endif
