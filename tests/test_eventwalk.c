/* test_eventwalk.c - the event view's one-pass validity walk (issue 17):
 * its verdict on thousands of mutated records against a plain reference
 * validator written from RFC 8259, control bytes at every offset of long
 * records (the vector scan's steps and tail), time and timeNano parsed
 * eight digits at a time, the fields it picks on the way, the depth bound.
 */
#include "t.h"
#include "event.h"
#include "err.h"
#include "config.h"

static struct dk_event ev;
static char buf[8192];

/* ---- the reference: RFC 8259 by recursive descent ------------------- */

static const char *ref_value(const char *p, const char *e, int depth);

static const char *ref_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char *ref_string(const char *p, const char *e)
{
	if (p >= e || *p != '"')
		return NULL;
	for (p++; p < e; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			if (++p >= e)
				return NULL;
			if (*p == 'u') {
				int k;
				for (k = 0; k < 4; k++)
					if (++p >= e || !hexdigit(*p))
						return NULL;
			} else if (!strchr("\"\\/bfnrt", *p) || *p == '\0') {
				return NULL;
			}
		}
	}
	return NULL;
}

static const char *ref_digits(const char *p, const char *e)
{
	const char *s = p;
	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return p > s ? p : NULL;
}

static const char *ref_number(const char *p, const char *e)
{
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (p < e && *p >= '1' && *p <= '9')
		p = ref_digits(p, e);
	else
		return NULL;
	if (p < e && *p == '.' && !(p = ref_digits(p + 1, e)))
		return NULL;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		p = ref_digits(p, e);
	}
	return p;
}

static const char *ref_container(const char *p, const char *e, int depth)
{
	char close = *p == '{' ? '}' : ']';
	int obj = *p == '{';

	if (depth > DK_JSON_DEPTH)
		return NULL;
	p = ref_ws(p + 1, e);
	if (p < e && *p == close)
		return p + 1;
	for (;;) {
		if (obj) {
			if (!(p = ref_string(p, e)))
				return NULL;
			p = ref_ws(p, e);
			if (p >= e || *p != ':')
				return NULL;
			p = ref_ws(p + 1, e);
		}
		if (!(p = ref_value(p, e, depth)))
			return NULL;
		p = ref_ws(p, e);
		if (p < e && *p == close)
			return p + 1;
		if (p >= e || *p != ',')
			return NULL;
		p = ref_ws(p + 1, e);
	}
}

static const char *ref_value(const char *p, const char *e, int depth)
{
	if (p >= e)
		return NULL;
	switch (*p) {
	case '{': case '[': return ref_container(p, e, depth + 1);
	case '"': return ref_string(p, e);
	case 't': return e - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
	case 'f': return e - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
	case 'n': return e - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
	default: return ref_number(p, e);
	}
}

/* What dk_event_parse promises to take: one object, spaces or tabs before
 * it, spaces, tabs or a CR after it (a record as framed). */
static int ref_record(const char *p, size_t n)
{
	const char *e = p + n;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= e || *p != '{' || !(p = ref_container(p, e, 1)))
		return 0;
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p == e;
}

/* ---- mutations ----------------------------------------------------- */

static int disagree;

static void judge(const char *rec, size_t n)
{
	int r = dk_event_parse(&ev, rec, n), want = ref_record(rec, n);

	if ((r != DK_ERR_JSON) != want) {
		if (disagree++ < 5)
			printf("# %s but the reference says %s: %.*s\n",
			       r == DK_ERR_JSON ? "refused" : "taken",
			       want ? "valid" : "invalid", (int)n, rec);
	}
}

/* Every byte of rec replaced by, and every gap given, each of the bytes
 * that change JSON's structure; and every byte deleted. */
static int mutate(const char *rec)
{
	static const char alphabet[] = ",:{}[]\" \t1-.e0a\\/\x01\x7f\xc3";
	size_t n = strlen(rec), i, k;
	int count = 0;

	disagree = 0;
	for (i = 0; i <= n; i++) {
		for (k = 0; k < sizeof alphabet - 1; k++) {
			if (i < n) {
				memcpy(buf, rec, n);
				buf[i] = alphabet[k];
				judge(buf, n);
				count++;
			}
			memcpy(buf, rec, i);
			buf[i] = alphabet[k];
			memcpy(buf + i + 1, rec + i, n - i);
			judge(buf, n + 1);
			count++;
		}
		if (i < n) {
			memcpy(buf, rec, i);
			memcpy(buf + i, rec + i + 1, n - i - 1);
			judge(buf, n - 1);
			count++;
		}
	}
	return count;
}

static void against_reference(void)
{
	static const char *const recs[] = {
		"{\"status\":\"die\",\"id\":\"ab12\",\"Type\":\"container\",\"Action\":\"die\","
		"\"Actor\":{\"ID\":\"ab12\",\"Attributes\":{\"exitCode\":\"0\",\"name\":\"web\"}},"
		"\"scope\":\"local\",\"time\":1795790000,\"timeNano\":1795790000123456789}",
		"{ \"Type\" : \"a\" , \"Action\" :\"b\", \"x\" : [ ] ,\"y\":{ },"
		"\"z\":[1,{\"q\":[true,null,-1.5e3,0,-0.25E+2,false]},\"s\"] }",
		"{\"Type\":\"a\",\"Action\":\"b\",\"Actor\":{\"ID\":\"x\\u00e9\\\"\",\"Attributes\":{}},"
		"\"l\":[[],[[1]],{\"k\":{\"k\":\"\\\\\"}}]}",
	};
	size_t j;

	for (j = 0; j < sizeof recs / sizeof recs[0]; j++) {
		int n;
		T_EQ(dk_event_parse(&ev, recs[j], strlen(recs[j])), DK_OK, "record %zu is taken", j);
		n = mutate(recs[j]);
		T_EQ(disagree, 0, "record %zu: %d mutations judged as the reference does", j, n);
	}
}

/* ---- control bytes at every offset of a long record ---------------- */

static void control_bytes(void)
{
	static const char head[] = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":"
	                           "{\"ID\":\"abc\",\"Attributes\":{\"long\":\"";
	static const char *const tails[] = { "\"}},\"time\":1795790000}", "\"}}}" };
	size_t h = sizeof head - 1, t, len, i, j;
	int wrong = 0, utf8 = 0, blanks = 0;

	/* A value of 1..200 bytes, the record ending with it or not: the
	 * scan's 64- and 16-byte steps and its byte tail all meet the
	 * control byte somewhere. */
	for (j = 0; j < 2; j++)
	for (t = strlen(tails[j]), len = 1; len <= 200; len++) {
		const char *tail = tails[j];
		memcpy(buf, head, h);
		memset(buf + h, 'v', len);
		memcpy(buf + h + len, tail, t);
		for (i = 0; i < len; i++) {
			buf[h + i] = '\x1f';
			wrong += dk_event_parse(&ev, buf, h + len + t) != DK_ERR_JSON;
			buf[h + i] = '\t';
			wrong += dk_event_parse(&ev, buf, h + len + t) != DK_ERR_JSON;
			buf[h + i] = (char)0x80; /* UTF-8 continuation: not a control byte */
			utf8 += dk_event_parse(&ev, buf, h + len + t) != DK_OK;
			buf[h + i] = 'v';
		}
	}
	T_EQ(wrong, 0, "a raw control byte anywhere in a string is refused");
	T_EQ(utf8, 0, "bytes from 0x80 up in a string are taken");
	/* Blanks between tokens are control bytes too, and fine. */
	{
		static const char b[] = "{\"Type\":\t\"container\",\r\"Action\":\"start\",\"Actor\":{"
		                        "\"ID\":\"abc\",\t\"Attributes\":{\"a\":\"0123456789012345678901234567890123456789"
		                        "0123456789012345678901234567890123456789\"}}}";
		blanks = dk_event_parse(&ev, b, sizeof b - 1);
	}
	T_EQ(blanks, DK_OK, "tabs and CRs between tokens of a long record are taken");
	T_STR(ev.id.p, ev.id.n, "abc", "its Actor.ID");
}

/* ---- time and timeNano --------------------------------------------- */

static int times(const char *t, const char *tn)
{
	char rec[256];
	int n = snprintf(rec, sizeof rec, "{\"Type\":\"x\",\"Action\":\"y\",\"time\":%s%s%s}",
	                 t, tn ? ",\"timeNano\":" : "", tn ? tn : "");
	return dk_event_parse(&ev, rec, (size_t)n);
}

static void numbers(void)
{
	T_EQ(times("1795790000", "1795790000123456789"), DK_OK, "time, timeNano");
	T_OK(ev.time == 1795790000 && ev.time_nano == 1795790000123456789LL,
	     "19 digits: %lld", (long long)ev.time_nano);
	T_EQ(times("1795790000", "9223372036854775807"), DK_OK, "INT64_MAX");
	T_OK(ev.time_nano == INT64_MAX, "INT64_MAX read");
	T_EQ(times("1795790000", "9223372036854775808"), DK_OK, "past INT64_MAX: valid JSON");
	T_OK(ev.time_nano == 1795790000000000000LL, "overflow: time's seconds instead");
	T_EQ(times("1795790000", "17957900001234567890"), DK_OK, "20 digits");
	T_OK(ev.time_nano == 1795790000000000000LL, "20 digits: time's seconds instead");
	T_EQ(times("12345678", "12345678"), DK_OK, "eight digits");
	T_OK(ev.time == 12345678 && ev.time_nano == 12345678, "eight digits read");
	T_EQ(times("123456789012345678", NULL), DK_OK, "18 digits in time");
	T_OK(ev.time == 123456789012345678LL && ev.time_nano == 0,
	     "time too large for nanoseconds: timeNano 0");
	T_EQ(times("-5", "-5000000000"), DK_OK, "negative");
	T_OK(ev.time == -5 && ev.time_nano == -5000000000LL, "negative read");
	T_EQ(times("0", "0"), DK_OK, "zero");
	T_EQ(times("1795790000", "1.7957900001e18"), DK_OK, "a fraction: valid JSON");
	T_OK(ev.time_nano == 1795790000000000000LL, "a fraction: time's seconds instead");
	T_EQ(times("1795790000", "1795790000123456e3"), DK_OK, "an exponent after 16 digits");
	T_OK(ev.time_nano == 1795790000000000000LL, "an exponent: time's seconds instead");
	T_EQ(times("1.5", NULL), DK_OK, "a fractional time");
	T_OK(ev.time == 0 && ev.time_nano == 0, "a fractional time reads 0");
	/* Not JSON numbers: refused, whichever digit group holds the fault. */
	T_EQ(times("1795790000", "01795790000123456789"), DK_ERR_JSON, "a leading zero");
	T_EQ(times("01", NULL), DK_ERR_JSON, "a leading zero in time");
	T_EQ(times("1795790000", "17957900:0123456789"), DK_ERR_JSON, "':' in the first group");
	T_EQ(times("1795790000", "1795790000123/56789"), DK_ERR_JSON, "'/' in the second group");
	T_EQ(times("1795790000", "179579000012345678x"), DK_ERR_JSON, "a letter last");
	T_EQ(times("17957900-0", NULL), DK_ERR_JSON, "'-' inside");
	T_EQ(times("-", NULL), DK_ERR_JSON, "a bare '-'");
}

/* ---- fields picked by the walk -------------------------------------- */

static int parse(const char *s)
{
	return dk_event_parse(&ev, s, strlen(s));
}

static void fields(void)
{
	T_EQ(parse("{\"Actor\":{\"Attributes\":{\"Type\":\"no\",\"ID\":\"no\"},\"ID\":\"c1\"},"
	           "\"x\":{\"Action\":\"no\",\"Actor\":{\"ID\":\"no\"}},\"Type\":\"container\","
	           "\"Action\":\"start\"}"), DK_OK, "fields among decoys");
	T_STR(ev.type.p, ev.type.n, "container", "Type from the top only");
	T_STR(ev.action.p, ev.action.n, "start", "Action from the top only");
	T_STR(ev.id.p, ev.id.n, "c1", "ID from Actor only");
	T_EQ(ev.nattrs, 2, "Attributes from Actor");
	T_EQ(parse("{\"Type\":\"a\",\"Action\":\"b\",\"Actor\":\"c1\",\"time\":\"5\"}"), DK_OK,
	     "Actor a string, time a string");
	T_OK(ev.id.n == 0 && ev.time == 0 && ev.time_text.p == NULL,
	     "neither taken");
	T_EQ(parse("{\"Type\":\"a\",\"Action\":\"b\",\"Actor\":{\"ID\":\"c\\u0031\"}}"), DK_OK,
	     "an escaped ID");
	T_STR(ev.id.p, ev.id.n, "c1", "unescaped");
	T_EQ(parse("{\"Type\":\"a\",\"Action\":\"health_status\",\"HealthStatus\":\"healthy\"}"),
	     DK_OK, "Podman's HealthStatus");
	T_STR(ev.detail.p, ev.detail.n, "healthy", "its detail");
	{
		char out[32];
		T_EQ(dk_json_string("{\"a\":[1,{\"message\":\"no\"}],\"message\":\"yes\"}", 43,
		                    "message", out, sizeof out), 3, "dk_json_string: top level only");
		T_OK(strcmp(out, "yes") == 0, "its value");
	}
}

/* DK_JSON_DEPTH containers nested (the root's object counted) are
 * taken, one more is not. */
static void depth(void)
{
	size_t o = 0;
	int k;

	o += (size_t)sprintf(buf, "{\"Type\":\"a\",\"Action\":\"b\",\"x\":");
	for (k = 0; k < DK_JSON_DEPTH - 1; k++)
		buf[o++] = '[';
	for (k = 0; k < DK_JSON_DEPTH - 1; k++)
		buf[o++] = ']';
	buf[o++] = '}';
	T_EQ(dk_event_parse(&ev, buf, o), DK_OK, "%d levels", DK_JSON_DEPTH);
	o = 0;
	o += (size_t)sprintf(buf, "{\"Type\":\"a\",\"Action\":\"b\",\"x\":");
	for (k = 0; k < DK_JSON_DEPTH; k++)
		buf[o++] = '[';
	for (k = 0; k < DK_JSON_DEPTH; k++)
		buf[o++] = ']';
	buf[o++] = '}';
	T_EQ(dk_event_parse(&ev, buf, o), DK_ERR_JSON, "%d levels", DK_JSON_DEPTH + 1);
}

int main(void)
{
	against_reference();
	control_bytes();
	numbers();
	fields();
	depth();
	return T_DONE();
}
