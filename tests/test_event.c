/* test_event.c - the event view over every recorded dockerd and Podman
 * event, escapes, bounds and malformed records. */
#include <stddef.h>
#include "t.h"
#include "event.h"
#include "err.h"
#include "config.h"

static char file[64 * 1024], rec[70 * 1024];
static struct dk_event ev;

static void recorded(const char *path, int *nlines)
{
	long n = t_slurp(path, file, sizeof file);
	char *p = file, *e;
	int bad = 0, lines = 0;

	T_OK(n > 0, "%s read", path);
	file[n] = '\0';
	for (; (e = strchr(p, '\n')); p = e + 1) {
		struct dk_str k, v;
		int i, r = dk_event_parse(&ev, p, (size_t)(e - p));
		lines++;
		if (r != DK_OK || ev.type.n == 0 || ev.base.n == 0 ||
		    ev.time_nano / 1000000000 != ev.time || ev.time < 1700000000)
			bad++;
		for (i = 0; i < ev.nattrs; i++)
			if (dk_event_attr(&ev, i, &k, &v) != DK_OK || k.n == 0)
				bad++;
	}
	*nlines = lines;
	T_EQ(bad, 0, "%s: %d events parse with type, action, times, attributes",
	     path, lines);
}

static int parse(const char *s)
{
	return dk_event_parse(&ev, s, strlen(s));
}

static void fields(void)
{
	char val[64];
	struct dk_str k, v;

	T_EQ(parse("{\"status\":\"health_status: unhealthy\",\"id\":\"ac4\","
	           "\"Type\":\"container\",\"Action\":\"health_status: unhealthy\","
	           "\"Actor\":{\"ID\":\"ac4cbf\",\"Attributes\":{\"image\":\"tiny:1\","
	           "\"name\":\"c4\"}},\"scope\":\"local\",\"time\":1795792678,"
	           "\"timeNano\":1795792678638299418}"), DK_OK, "health event parses");
	T_STR(ev.type.p, ev.type.n, "container", "Type");
	T_STR(ev.action.p, ev.action.n, "health_status: unhealthy", "Action");
	T_STR(ev.base.p, ev.base.n, "health_status", "base action");
	T_STR(ev.detail.p, ev.detail.n, "unhealthy", "action detail");
	T_STR(ev.id.p, ev.id.n, "ac4cbf", "Actor.ID, not the legacy id");
	T_STR(ev.scope.p, ev.scope.n, "local", "scope");
	T_EQ(ev.time, 1795792678, "time");
	T_EQ(ev.time_nano, 1795792678638299418LL, "timeNano");
	T_STR(ev.time_nano_text.p, ev.time_nano_text.n, "1795792678638299418",
	      "timeNano as sent");
	T_EQ(ev.nattrs, 2, "two attributes");
	T_OK(dk_event_attr(&ev, 1, &k, &v) == DK_OK, "attribute 1");
	T_STR(k.p, k.n, "name", "attribute 1 key");
	T_STR(v.p, v.n, "c4", "attribute 1 value");
	T_EQ(dk_event_attr(&ev, 2, &k, &v), DK_ERR_PARAM, "attribute 2 is out of range");
	T_EQ(dk_event_attr_get(&ev, "image", val, sizeof val), 6, "get image");
	T_OK(strcmp(val, "tiny:1") == 0, "image value");
	T_EQ(dk_event_attr_get(&ev, "nope", val, sizeof val), DK_ERR_ABSENT, "absent attribute");

	/* Podman: bare health_status, the state in HealthStatus. */
	T_EQ(parse("{\"ID\":\"ab\",\"Type\":\"container\",\"Action\":\"health_status\","
	           "\"Actor\":{\"ID\":\"ab\",\"Attributes\":{\"name\":\"h1\"}},"
	           "\"HealthStatus\":\"healthy\",\"time\":1795792678,"
	           "\"timeNano\":1795792678638299418}"), DK_OK, "Podman health event parses");
	T_STR(ev.base.p, ev.base.n, "health_status", "Podman: base action");
	T_STR(ev.detail.p, ev.detail.n, "healthy", "Podman: detail from HealthStatus");
	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"health_status: unhealthy\","
	           "\"HealthStatus\":\"healthy\"}"), DK_OK, "both forms");
	T_STR(ev.detail.p, ev.detail.n, "unhealthy", "the Action's own detail wins");
	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"start\",\"HealthStatus\":\"healthy\"}"),
	     DK_OK, "HealthStatus on another action");
	T_EQ(ev.detail.n, 0, "HealthStatus gives no detail to other actions");
	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"health_status\","
	           "\"HealthStatus\":\"a\\nb\"}"), DK_OK, "HealthStatus with an escape");
	T_EQ(ev.detail.n, 0, "an escaped HealthStatus is not taken");
	/* API 1.52: no status, id, from; nothing depends on them. */
	T_EQ(parse("{\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"v1\","
	           "\"Attributes\":{\"driver\":\"local\"}},\"scope\":\"local\","
	           "\"time\":1795792678,\"timeNano\":1795792678638299418}"), DK_OK,
	     "API 1.52 event parses");
	T_STR(ev.id.p, ev.id.n, "v1", "API 1.52: Actor.ID");
	/* Docker 29 below 1.52: keys sorted, timeNano through a float64. */
	T_EQ(parse("{\"Action\":\"start\",\"Actor\":{\"Attributes\":{\"image\":\"b\","
	           "\"name\":\"c1\"},\"ID\":\"c1id\"},\"Type\":\"container\",\"from\":\"b\","
	           "\"id\":\"c1id\",\"scope\":\"local\",\"status\":\"start\",\"time\":1795792678,"
	           "\"timeNano\":1795792678638299400}"), DK_OK, "sorted keys parse");
	T_STR(ev.type.p, ev.type.n, "container", "sorted keys: Type after Actor");
	T_STR(ev.id.p, ev.id.n, "c1id", "sorted keys: Actor.ID after Attributes");
	T_EQ(ev.time_nano, 1795792678638299400LL, "sorted keys: timeNano as sent");

	T_EQ(parse("{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"n1\","
	           "\"Attributes\":{\"container\":\"c\",\"nested\":{\"a\":[1,2]},"
	           "\"name\":\"br\"}},\"time\":5}"), DK_OK, "nested attribute value");
	T_EQ(ev.nattrs, 3, "three attributes");
	T_OK(dk_event_attr(&ev, 2, &k, &v) == DK_OK, "attribute after nested");
	T_STR(k.p, k.n, "name", "key after a nested value");
	T_EQ(ev.time_nano, 5000000000LL, "no timeNano: time * 1e9");
	T_EQ(ev.detail.n, 0, "no detail");
	T_EQ(ev.scope.n, 0, "no scope: empty");

	/* Escapes: Type/Action/ID unescaped into the view. */
	T_EQ(parse("{\"Type\":\"contai\\u006eer\",\"Action\":\"exec_create: sh -c \\\"echo "
	           "hi\\\"\",\"Actor\":{\"ID\":\"a\\/b\",\"Attributes\":{\"l\":"
	           "\"\\u00e9\\ud83d\\ude00\\n\\u0000x\",\"lone\":\"\\ud800z\"}}}"),
	     DK_OK, "escaped event parses");
	T_STR(ev.type.p, ev.type.n, "container", "\\u escape in Type");
	T_STR(ev.detail.p, ev.detail.n, "sh -c \"echo hi\"", "quotes in the detail");
	T_STR(ev.id.p, ev.id.n, "a/b", "\\/ in ID");
	T_EQ(dk_event_attr_get(&ev, "l", val, sizeof val), 9, "unescaped length");
	T_OK(memcmp(val, "\xc3\xa9\xf0\x9f\x98\x80\n\0x", 9) == 0,
	     "UTF-8 for \\u00e9, a surrogate pair, \\n and \\u0000");
	T_EQ(dk_event_attr_get(&ev, "lone", val, sizeof val), 4, "lone surrogate");
	T_OK(memcmp(val, "\xef\xbf\xbdz", 4) == 0, "lone surrogate is U+FFFD");
	T_EQ(dk_event_attr_get(&ev, "l", val, 4), DK_ERR_NOSPACE, "cut to fit");
	T_OK(strcmp(val, "\xc3\xa9") == 0, "cut never splits a UTF-8 sequence");
}

static void malformed(void)
{
	static const char *bad_json[] = {
		"", "{", "[1,2]", "\"str\"", "{\"Type\":\"a\",\"Action\":\"b\"}x",
		"{\"Type\":\"a\",\"Action\":\"b\"}{}", "{\"Type\":'a'}",
		"{\"Type\":\"a\" \"Action\":\"b\"}", "{Type:\"a\"}",
		"{\"Type\":\"a\x01\"}", "{\"Type\":\"\\x\"}", "null",
		"{\"Type\":\"a\",\"Action\":\"b\",}", "{\"Type\":\"a\",\"x\":[1 2]}",
		"{\"Type\":\"a\",\"x\":[1,,2]}", "{\"Type\":\"a\tb\"}",
		"{\"Type\" \"a\"}", "{\"Type\"::\"a\"}", "{\"x\":{\"y\":1 \"z\":2}}",
		"{\"x\":[{},{}{}]}",
		"{\"Type\":\"a\",\"Action\":\"b\",\"x\":tru}",
		"{\"Type\":\"a\",\"Action\":\"b\",\"x\":1.2.3}",
		"{\"Type\":\"a\",\"Action\":\"b\",\"x\":-}",
		"{\"Type\":\"a\",\"Action\":\"b\",\"x\":01}",
		"{\"Type\":\"a\",\"Action\":\"b\",\"x\":nullnull}",
		"{\"Type\":\"a\",\"Action\":\"b\",\"x\":1.}",
		"{\"Type\":\"a\",\"Action\":\"b\",\"x\":1e}",
		"{\"Type\":\"a\",\"Action\":\"b\",\"x\":[.5]}",
	};
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++)
		if (parse(bad_json[i]) != DK_ERR_JSON) {
			printf("# accepted: %s\n", bad_json[i]);
			bad++;
		}
	T_EQ(bad, 0, "malformed records are DK_ERR_JSON");
	T_EQ(parse("{\"Action\":\"b\"}"), DK_ERR_EVENT, "no Type");
	T_EQ(parse("{\"Type\":\"a\",\"Action\":3}"), DK_ERR_EVENT, "Action not a string");
	T_EQ(parse("  {\"Type\":\"a\",\"Action\":\"b\"}\r "), DK_OK,
	     "surrounding blanks are fine");
	T_EQ(parse("{ \"Type\" : \"a\" , \"Action\" :\"b\", \"x\" : [ ] ,\"y\":{ },"
	           "\"z\":[1,{\"q\":[true,null,-1.5e3,0,-0.25E+2,false]},\"s\"] }"), DK_OK,
	     "valid JSON with blanks, empty and nested containers");

	/* More tokens than the array: skipped, not truncated. */
	{
		size_t o = 0;
		int k;
		o += (size_t)sprintf(rec, "{\"Type\":\"container\",\"Action\":\"start\","
		                     "\"Actor\":{\"ID\":\"x\",\"Attributes\":{");
		for (k = 0; k < DK_TOKENS_MAX; k++)
			o += (size_t)sprintf(rec + o, "%s\"k%d\":\"v\"", k ? "," : "", k);
		o += (size_t)sprintf(rec + o, "}}}");
		T_EQ(dk_event_parse(&ev, rec, o), DK_ERR_TOKENS, "too many tokens");
	}
}

static void identify(void)
{
	char out[96];
	const char *s = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":"
	                "{\"ID\":\"0123456789abcdef0123456789";
	dk_event_identify(s, strlen(s), out, sizeof out);
	T_OK(strcmp(out, "container start 0123456789abcdef0123456") == 0,
	     "identify a cut record: '%s'", out);
	dk_event_identify("\x01garbage\n", 9, out, sizeof out);
	T_OK(strcmp(out, "?garbage?") == 0, "identify garbage: '%s'", out);
	T_EQ(dk_json_message("{\"message\":\"client version 1.99 is too new\"}", 44,
	                     out, sizeof out), 30, "error message");
	T_OK(strcmp(out, "client version 1.99 is too new") == 0, "message text");
	T_EQ(dk_json_message("not json", 8, out, sizeof out), DK_ERR_ABSENT, "no message");
}

/* Issue 14: two views used to share one token array and attribute cursor,
 * so parsing a second record (a synthetic event, an error body) changed
 * what the first one's attributes read. */
static void independent_views(void)
{
	static const char a[] = "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"c1\","
	                        "\"Attributes\":{\"exitCode\":\"3\",\"name\":\"web\",\"x\":{\"y\":[1,\"}\"]},"
	                        "\"z\":\"a\\\"b\"}}}";
	static const char b[] = "{\"Type\":\"dockev\",\"Action\":\"resync\",\"Actor\":{\"ID\":\"u\","
	                        "\"Attributes\":{\"reason\":\"gap\",\"host\":\"u\"}}}";
	struct dk_event e1, e2;
	struct dk_str k, v;
	char msg[32], val[32];

	T_EQ(dk_event_parse(&e1, a, strlen(a)), DK_OK, "views: a parses");
	T_OK(dk_event_attr(&e1, 0, &k, &v) == DK_OK && v.n == 1 && v.p[0] == '3', "views: a's first");
	T_EQ(dk_event_parse(&e2, b, strlen(b)), DK_OK, "views: b parses");
	T_EQ(dk_json_message("{\"message\":\"m\"}", 15, msg, sizeof msg), 1, "views: an error body");
	T_OK(dk_event_attr(&e1, 1, &k, &v) == DK_OK && k.n == 4 && memcmp(k.p, "name", 4) == 0 &&
	     v.n == 3 && memcmp(v.p, "web", 3) == 0, "views: a's second attribute after b and a message");
	T_OK(dk_event_attr(&e1, 2, &k, &v) == DK_OK && v.n == 13 && memcmp(v.p, "{\"y\":[1,\"}\"]}", 13) == 0,
	     "views: a nested value, whole (a brace inside a string)");
	T_OK(dk_event_attr(&e1, 3, &k, &v) == DK_OK && v.n == 4 && memcmp(v.p, "a\\\"b", 4) == 0,
	     "views: an escaped quote inside a value");
	T_OK(dk_event_attr(&e2, 0, &k, &v) == DK_OK && v.n == 3 && memcmp(v.p, "gap", 3) == 0,
	     "views: b's own");
	T_OK(dk_event_attr(&e1, 0, &k, &v) == DK_OK && v.p[0] == '3', "views: back to a's first");
	T_EQ(dk_event_attr_get(&e1, "name", val, sizeof val), 3, "views: get from a");
	T_EQ(dk_event_attr_get(&e2, "host", val, sizeof val), 1, "views: get from b");
	T_EQ(dk_event_attr(&e1, 4, &k, &v), DK_ERR_PARAM, "views: past the last");
}

/* The mark of the agent's own lines: a top-level "dockev" member, also
 * written with \u escapes (a consumer decodes it the same); not one
 * nested in Actor or Attributes, nor a value "dockev". */
static void marked(void)
{
	static const struct { const char *rec; int want; } c[] = {
		{ "{\"dockev\":true,\"Type\":\"a\",\"Action\":\"b\"}", 1 },
		{ "{\"Type\":\"a\",\"Action\":\"b\",\"dockev\":false}", 1 },
		{ "{\"Type\":\"a\",\"Action\":\"b\",\"d\\u006fckev\":1}", 1 },
		{ "{\"Type\":\"a\",\"Action\":\"b\",\"\\u0064\\u006fckev\":1}", 1 },
		{ "{\"Type\":\"dockev\",\"Action\":\"dockev\"}", 0 },
		{ "{\"Type\":\"a\",\"Action\":\"b\",\"Actor\":{\"ID\":\"x\","
		  "\"dockev\":1,\"Attributes\":{\"dockev\":\"true\"}}}", 0 },
		{ "{\"Type\":\"a\",\"Action\":\"b\",\"d\\u006fckeV\":1}", 0 },
		{ "{\"Type\":\"a\",\"Action\":\"b\",\"dockevs\":1}", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		T_EQ(dk_event_parse(&ev, c[i].rec, strlen(c[i].rec)), DK_OK,
		     "marked %zu: parses", i);
		T_EQ(ev.marked, c[i].want, "marked %zu: %s", i, c[i].rec);
	}
}

/* dk_event_parse sets every field before scratch, whatever the view held
 * (it stores them one by one, not with a memset): a view filled with
 * garbage and one zeroed read the same after a parse, of a full event, a
 * minimal one, and a refused one. The head has no padding (pointers,
 * sizes, int64s, then ints in pairs), so bytes compare as fields. */
static void reuse(void)
{
	static const char *recs[] = {
		"{\"status\":\"die\",\"id\":\"c1\",\"Type\":\"container\",\"Action\":"
		"\"health_status: healthy\",\"Actor\":{\"ID\":\"c1\",\"Attributes\":"
		"{\"exitCode\":\"3\"}},\"scope\":\"local\",\"time\":1795792678,"
		"\"timeNano\":1795792678638299418,\"dockev\":1}",
		"{\"Type\":\"a\",\"Action\":\"b\"}",
		"{\"Type\":\"a\"}",
		"{\"Type\":1,\"Action\":\"b\",\"time\":x}",
	};
	static struct dk_event dirty, clean;
	size_t i, head = offsetof(struct dk_event, scratch);
	int r1, r2;

	for (i = 0; i < sizeof recs / sizeof recs[0]; i++) {
		memset(&dirty, 0xA5, sizeof dirty);
		memset(&clean, 0, sizeof clean);
		r1 = dk_event_parse(&dirty, recs[i], strlen(recs[i]));
		r2 = dk_event_parse(&clean, recs[i], strlen(recs[i]));
		T_EQ(r1, r2, "reuse %zu: same result", i);
		T_OK(memcmp(&dirty, &clean, head) == 0,
		     "reuse %zu: every field before scratch set (%s)", i, recs[i]);
	}
}

int main(void)
{
	int n;
	recorded(DK_TEST_DATA "dockerd-event-examples.jsonl", &n);
	T_EQ(n, 38, "38 dockerd examples");
	recorded(DK_TEST_DATA "podman-event-examples.jsonl", &n);
	T_EQ(n, 20, "20 podman examples");
	fields();
	malformed();
	identify();
	independent_views();
	marked();
	reuse();
	return T_DONE();
}
