/* state.c - the --state file's text: a version line, the resume point and
 * whether it is an event's timeNano, the marks of the last delivered events;
 * optionally the same for the broker's cursor (--mqtt), in two more lines.
 * Text, so an operator can read it; strict, so a torn or foreign file is
 * refused rather than half-believed.
 */
#include <string.h>
#include "state.h"
#include "err.h"
#include "out.h"

static void cursor(struct dk_out *o, const char *name, const char *recent,
                   enum dk_resume_kind kind, int64_t point, unsigned count,
                   const struct dk_resume_mark *marks)
{
	static const char hex[] = "0123456789abcdef";
	unsigned i, n = count < DK_RESUME_RECENT ? count : DK_RESUME_RECENT;

	dk_out_str(o, name);
	dk_out_num(o, (long long)point);
	dk_out_str(o, kind == DK_RESUME_EVENT ? " event\n" : " clock\n");
	dk_out_str(o, recent);
	/* cppcheck 2.10 takes count for the 0 of a memset in one caller. */
	/* cppcheck-suppress knownConditionTrueFalse */
	for (i = 0; i < n; i++) {
		char h[17];
		int k;
		dk_out_str(o, " ");
		dk_out_num(o, (long long)marks[i].tn);
		for (k = 0; k < 16; k++)
			h[k] = hex[(marks[i].id >> (60 - 4 * k)) & 15];
		h[16] = '\0';
		dk_out_str(o, ":");
		dk_out_str(o, h);
	}
	dk_out_str(o, "\n");
}

int dk_state_format(char *buf, size_t cap, const struct dk_state *s)
{
	struct dk_out o;
	long len;

	dk_out_init(&o, buf, cap);
	dk_out_str(&o, "dockev-state 2\n");
	cursor(&o, "resume ", "recent", s->kind, s->point, s->count, s->marks);
	if (s->has_broker)
		cursor(&o, "broker ", "brecent", s->bkind, s->bpoint, s->bcount,
		       s->bmarks);
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

/* "<name><point> event|clock\n<recent>[ tn:id]...\n" */
static int parse_cursor(const char **p, const char *end, const char *name,
                        const char *recent, enum dk_resume_kind *kind,
                        int64_t *point, unsigned *count,
                        struct dk_resume_mark *marks)
{
	if (!word(p, end, name) || !decimal(p, end, point) || *point <= 0)
		return 0;
	if (word(p, end, " event\n"))
		*kind = DK_RESUME_EVENT;
	else if (word(p, end, " clock\n"))
		*kind = DK_RESUME_CLOCK;
	else
		return 0;
	if (!word(p, end, recent))
		return 0;
	while (word(p, end, " ")) {
		struct dk_resume_mark *m = &marks[*count];
		if (*count == DK_RESUME_RECENT || !decimal(p, end, &m->tn) ||
		    m->tn <= 0 || !word(p, end, ":") || !hex64(p, end, &m->id))
			return 0;
		(*count)++;
	}
	return word(p, end, "\n");
}

int dk_state_parse(const char *buf, size_t len, struct dk_state *s)
{
	const char *p = buf, *end = buf + len;

	memset(s, 0, sizeof *s);
	if (word(&p, end, "dockev-state 1\n"))
		return DK_ERR_VERSION;
	if (!word(&p, end, "dockev-state 2\n") ||
	    !parse_cursor(&p, end, "resume ", "recent", &s->kind, &s->point,
	                  &s->count, s->marks))
		goto bad;
	/* Optional: files written without --mqtt, or before it, end here. */
	if (p != end) {
		if (!parse_cursor(&p, end, "broker ", "brecent", &s->bkind,
		                  &s->bpoint, &s->bcount, s->bmarks))
			goto bad;
		s->has_broker = 1;
	}
	/* The whole file, to its last newline: a torn write is no state. */
	if (p != end)
		goto bad;
	return DK_OK;
bad:
	memset(s, 0, sizeof *s);
	return DK_ERR_PARAM;
}
