/* out.c - the bounded writer (see out.h). */
#include <stdio.h>
#include <string.h>
#include "out.h"
#include "err.h"

void dk_out_init(struct dk_out *o, char *buf, size_t cap)
{
	o->p = buf;
	o->cap = cap;
	o->len = 0;
}

void dk_out_put(struct dk_out *o, const char *s, size_t n)
{
	if (o->len <= o->cap && n <= o->cap - o->len)
		memcpy(o->p + o->len, s, n);
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
