/* out.c - the bounded writer (see out.h) and the text escaper. */
#include <stdio.h>
#include <string.h>
#include "out.h"
#include "err.h"

void dk_out_init(struct dk_out *o, char *buf, size_t cap)
{
	o->p = buf;
	o->cap = cap;
	o->len = 0;
	o->fit = 0;
}

void dk_out_put(struct dk_out *o, const char *s, size_t n)
{
	if (o->len == o->fit && n <= o->cap - o->len) {
		memcpy(o->p + o->len, s, n);
		o->fit = o->len + n;
	}
	o->len = o->len + n < o->len ? (size_t)-1 : o->len + n;
}

void dk_out_str(struct dk_out *o, const char *s)
{
	dk_out_put(o, s, strlen(s));
}

void dk_out_json(struct dk_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	char e[6];

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		dk_out_put(o, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = (char)c;
			dk_out_put(o, e, 2);
		} else {
			/* e is 6 bytes of escape, not a C string */
			memcpy(e, "\\u00", 4); /* NOLINT(bugprone-not-null-terminated-result) */
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			dk_out_put(o, e, 6);
		}
	}
	dk_out_put(o, s + run, n - run);
}

/* Plain text: as much as fits, cut before a UTF-8 continuation byte,
 * never inside a character; counted whole, so it did not fit either. */
static void put_cut(struct dk_out *o, const char *s, size_t n)
{
	size_t k;

	if (o->len == o->fit && n > o->cap - o->len) {
		k = o->cap - o->len;
		while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		memcpy(o->p + o->len, s, k);
		o->fit = o->len + k;
	}
	dk_out_put(o, s, n);
}

/* A byte that would let event text act on a terminal or start a line of
 * its own: an Action or a label with a newline forged a log line or an
 * event line, ESC sequences recoloured or moved the cursor. */
void dk_out_text(struct dk_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	char e[6];

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int c1 = c == 0xc2 && i + 1 < n &&
		         (unsigned char)s[i + 1] >= 0x80 &&
		         (unsigned char)s[i + 1] <= 0x9f;
		if (c >= 0x20 && c != 0x7f && !c1)
			continue;
		put_cut(o, s + run, i - run);
		e[0] = '\\';
		if (c1) {
			c = (unsigned char)s[++i];
			/* e is 6 bytes of escape, not a C string */
			memcpy(e + 1, "u00", 3); /* NOLINT(bugprone-not-null-terminated-result) */
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			dk_out_put(o, e, 6);
		} else if (c == '\n' || c == '\r' || c == '\t') {
			e[1] = (char)(c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
			dk_out_put(o, e, 2);
		} else {
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 15];
			dk_out_put(o, e, 4);
		}
		run = i + 1;
	}
	put_cut(o, s + run, n - run);
}

void dk_out_num(struct dk_out *o, long long v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%lld", v);
	dk_out_put(o, b, (size_t)n);
}

long dk_out_end(struct dk_out *o)
{
	if (o->len < o->cap) {
		o->p[o->len] = '\0';
		return (long)o->len;
	}
	if (o->cap > 0)
		o->p[0] = '\0';
	return DK_ERR_NOSPACE;
}
