/* test_filter.c - dk_filter_build: byte-exact JSON for single, repeated and
 * mixed keys, escapes, refused arguments, and every too-small buffer. */
#include <string.h>

#include "err.h"
#include "filter.h"
#include "t.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void build_ok(const char *what, const char *const *args, int n,
                     const char *want)
{
	char out[1024];
	int bad = 99;
	int rc = dk_filter_build(out, sizeof(out), args, n, &bad);
	T_EQ(rc, (long long)strlen(want), "%s: length", what);
	T_STR(out, rc >= 0 ? (size_t)rc : 0, want, "%s: JSON", what);
	T_OK(rc >= 0 && out[rc] == '\0', "%s: NUL-terminated", what);
	T_EQ(bad, -1, "%s: *bad = -1", what);
}

static void build_bad(const char *what, const char *const *args, int n,
                      int want_bad)
{
	char out[64];
	int bad = 99;
	/* cap 0: a bad argument is reported before space is considered. */
	T_EQ(dk_filter_build(out, 0, args, n, &bad), DK_ERR_FILTER,
	     "%s: refused", what);
	T_EQ(bad, want_bad, "%s: *bad", what);
	T_EQ(dk_filter_build(out, sizeof(out), args, n, NULL), DK_ERR_FILTER,
	     "%s: refused with bad == NULL", what);
}

static void test_json(void)
{
	static const char *const one[] = { "type=container" };
	static const char *const mixed[] = {
		"type=container", "event=die", "type=network", "event=start",
		"label=com.example.role=web", "type=volume",
	};
	static const char *const dup[] = {
		"event=die", "type=container", "event=die", "event=kill",
		"type=container",
	};
	static const char *const eq[] = { "label=a=b", "label==", "label=" };
	static const char *const empty[] = { "container=" };
	static const char *const esc[] = {
		"label=a\"b\\c\nd\te\001f\037g\177h\xc3\xa9i\xe2\x82\xac",
	};
	static const char *const allkeys[] = {
		"config=a", "container=b", "daemon=c", "event=d", "image=e",
		"label=f", "network=g", "node=h", "plugin=i", "scope=j",
		"secret=k", "service=l", "type=m", "volume=n",
	};
	/* "event" and "events" are different keys: a prefix is no match. */
	static const char *const prefix[] = { "image=x", "event=y", "image=z" };
	char out[8];
	int bad = 99;

	T_EQ(dk_filter_build(out, sizeof(out), NULL, 0, &bad), 0, "n=0: length 0");
	T_OK(out[0] == '\0', "n=0: empty string");
	T_EQ(dk_filter_build(out, 0, NULL, 0, &bad), DK_ERR_NOSPACE,
	     "n=0, cap 0: no room for the NUL");

	build_ok("one", one, N(one), "{\"type\":{\"container\":true}}");
	build_ok("mixed", mixed, N(mixed),
	         "{\"type\":{\"container\":true,\"network\":true,\"volume\":true},"
	         "\"event\":{\"die\":true,\"start\":true},"
	         "\"label\":{\"com.example.role=web\":true}}");
	build_ok("duplicates", dup, N(dup),
	         "{\"event\":{\"die\":true,\"kill\":true},"
	         "\"type\":{\"container\":true}}");
	build_ok("first '=' splits", eq, N(eq),
	         "{\"label\":{\"a=b\":true,\"=\":true,\"\":true}}");
	build_ok("empty value", empty, N(empty), "{\"container\":{\"\":true}}");
	build_ok("escapes", esc, N(esc),
	         "{\"label\":{\"a\\\"b\\\\c\\u000ad\\u0009e\\u0001f\\u001fg\177h"
	         "\xc3\xa9i\xe2\x82\xac\":true}}");
	build_ok("every key", allkeys, N(allkeys),
	         "{\"config\":{\"a\":true},\"container\":{\"b\":true},"
	         "\"daemon\":{\"c\":true},\"event\":{\"d\":true},"
	         "\"image\":{\"e\":true},\"label\":{\"f\":true},"
	         "\"network\":{\"g\":true},\"node\":{\"h\":true},"
	         "\"plugin\":{\"i\":true},\"scope\":{\"j\":true},"
	         "\"secret\":{\"k\":true},\"service\":{\"l\":true},"
	         "\"type\":{\"m\":true},\"volume\":{\"n\":true}}");
	build_ok("interleaved", prefix, N(prefix),
	         "{\"image\":{\"x\":true,\"z\":true},\"event\":{\"y\":true}}");
	build_ok("first of two", mixed, 1, "{\"type\":{\"container\":true}}");
}

static void test_bad(void)
{
	static const char *const noeq[] = { "type" };
	static const char *const second[] = { "type=container", "foo=bar" };
	static const char *const emptykey[] = { "event=die", "=x" };
	static const char *const upper[] = { "Type=container" };
	static const char *const plural[] = { "events=die" };
	static const char *const partial[] = { "typ=container" };
	static const char *const space[] = { " type=container" };
	static const char *const keyspace[] = { "type =container" };
	static const char *const null_arg[] = { "type=container", NULL };
	static const char *const third[] = { "type=a", "type=b", "since=1" };
	char out[8];
	int bad = 99;

	build_bad("no '='", noeq, N(noeq), 0);
	build_bad("unknown key second", second, N(second), 1);
	build_bad("empty key", emptykey, N(emptykey), 1);
	build_bad("upper case key", upper, N(upper), 0);
	build_bad("plural key", plural, N(plural), 0);
	build_bad("key prefix", partial, N(partial), 0);
	build_bad("leading space", space, N(space), 0);
	build_bad("space in key", keyspace, N(keyspace), 0);
	build_bad("NULL argument", null_arg, N(null_arg), 1);
	build_bad("since is not a filter", third, N(third), 2);

	T_EQ(dk_filter_build(out, sizeof(out), NULL, 1, &bad), DK_ERR_PARAM,
	     "args NULL with n > 0");
	T_EQ(dk_filter_build(out, sizeof(out), noeq, -1, &bad), DK_ERR_PARAM,
	     "n < 0");
	T_EQ(dk_filter_build(NULL, 8, noeq, 0, &bad), DK_ERR_PARAM,
	     "out NULL with cap > 0");
}

/* Every cap from 0 to the length: DK_ERR_NOSPACE, nothing past cap, and
 * out left an empty string; cap = length + 1 succeeds. */
static void test_space(void)
{
	static const char *const args[] = {
		"type=container", "label=a\"\001", "type=network", "event=die",
	};
	const char *want = "{\"type\":{\"container\":true,\"network\":true},"
	                   "\"label\":{\"a\\\"\\u0001\":true},"
	                   "\"event\":{\"die\":true}}";
	size_t len = strlen(want), cap, i;
	char out[256];
	int rc, clean, nospace = 1, untouched = 1, emptied = 1;

	for (cap = 0; cap <= len; cap++) {
		memset(out, '#', sizeof(out));
		rc = dk_filter_build(out, cap, args, N(args), NULL);
		clean = 1;
		for (i = cap; i < sizeof(out); i++)
			clean &= out[i] == '#';
		nospace &= rc == DK_ERR_NOSPACE;
		untouched &= clean;
		emptied &= cap == 0 || out[0] == '\0';
		if (rc != DK_ERR_NOSPACE || !clean)
			T_OK(0, "cap %zu: rc %d, clean %d", cap, rc, clean);
	}
	T_OK(nospace, "caps 0..%zu all give DK_ERR_NOSPACE", len);
	T_OK(untouched, "caps 0..%zu never write past cap", len);
	T_OK(emptied, "caps 1..%zu leave an empty string", len);
	memset(out, '#', sizeof(out));
	rc = dk_filter_build(out, len + 1, args, N(args), NULL);
	T_EQ(rc, (long long)len, "cap = length + 1 fits");
	T_STR(out, rc >= 0 ? (size_t)rc : 0, want, "cap = length + 1 JSON");
	T_OK(out[len] == '\0' && out[len + 1] == '#', "NUL at length, nothing after");
}

int main(void)
{
	test_json();
	test_bad();
	test_space();
	return T_DONE();
}
