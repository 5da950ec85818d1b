/* state.c - the --state file's text: a version line, the resume point and
 * whether it is an event's timeNano, the marks of the last delivered events.
 * Text, so an operator can read it; strict, so a torn or foreign file is
 * refused rather than half-believed.
 */
#include <string.h>
#include "state.h"
#include "err.h"
#include "out.h"

int dk_state_format(char *buf, size_t cap, const struct dk_state *s)
{
	static const char hex[] = "0123456789abcdef";
	struct dk_out o;
	unsigned i, n = s->count < DK_RESUME_RECENT ? s->count : DK_RESUME_RECENT;
	long len;

	dk_out_init(&o, buf, cap);
	dk_out_str(&o, "dockev-state 2\nresume ");
	dk_out_num(&o, (long long)s->point);
	dk_out_str(&o, s->kind == DK_RESUME_EVENT ? " event\nrecent" : " clock\nrecent");
	/* cppcheck 2.10 takes count for the 0 of a memset in one caller. */
	/* cppcheck-suppress knownConditionTrueFalse */
	for (i = 0; i < n; i++) {
		char h[17];
		int k;
		dk_out_str(&o, " ");
		dk_out_num(&o, (long long)s->marks[i].tn);
		for (k = 0; k < 16; k++)
			h[k] = hex[(s->marks[i].id >> (60 - 4 * k)) & 15];
		h[16] = '\0';
		dk_out_str(&o, ":");
		dk_out_str(&o, h);
	}
	dk_out_str(&o, "\n");
	len = dk_out_end(&o);
	return len < 0 ? DK_ERR_NOSPACE : (int)len;
}

/* Skip the literal word w at *p; 0 if it is not there. */
static int word(const char **p, const char *end, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(end - *p) < n || memcmp(*p, w, n) != 0)
		return 0;
	*p += n;
	return 1;
}

static int decimal(const char **p, const char *end, int64_t *v)
{
	const char *q = *p;
	int64_t x = 0;

	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (x > (INT64_MAX - 9) / 10)
			return 0;
		x = x * 10 + (*q - '0');
	}
	if (q == *p || q - *p > 19)
		return 0;
	*p = q;
	*v = x;
	return 1;
}

static int hex64(const char **p, const char *end, uint64_t *v)
{
	uint64_t x = 0;
	int k;

	if (end - *p < 16)
		return 0;
	for (k = 0; k < 16; k++) {
		char c = (*p)[k];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return 0;
		x = x << 4 | (uint64_t)d;
	}
	*p += 16;
	*v = x;
	return 1;
}

int dk_state_parse(const char *buf, size_t len, struct dk_state *s)
{
	const char *p = buf, *end = buf + len;

	memset(s, 0, sizeof *s);
	if (word(&p, end, "dockev-state 1\n"))
		return DK_ERR_VERSION;
	if (!word(&p, end, "dockev-state 2\nresume ") ||
	    !decimal(&p, end, &s->point))
		goto bad;
	if (word(&p, end, " event\nrecent"))
		s->kind = DK_RESUME_EVENT;
	else if (word(&p, end, " clock\nrecent"))
		s->kind = DK_RESUME_CLOCK;
	else
		goto bad;
	while (word(&p, end, " ")) {
		struct dk_resume_mark *m = &s->marks[s->count];
		if (s->count == DK_RESUME_RECENT || !decimal(&p, end, &m->tn) ||
		    m->tn <= 0 || !word(&p, end, ":") || !hex64(&p, end, &m->id))
			goto bad;
		s->count++;
	}
	/* The whole file, to its last newline: a torn write is no state. */
	if (!word(&p, end, "\n") || p != end || s->point <= 0)
		goto bad;
	return DK_OK;
bad:
	memset(s, 0, sizeof *s);
	return DK_ERR_PARAM;
}
