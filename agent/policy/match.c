/* match.c - the engine's events filter rules applied to dockev's own
 * events (match.h), after moby daemon/events/filter.go and
 * api/types/filters (ExactMatch, FuzzyMatch, MatchKVList).
 */
#include <string.h>
#include "match.h"
#include "object.h"

/* The value of args[i] when its key is key, else NULL. */
static const char *value_of(const char *a, const char *key)
{
	size_t k = strlen(key);

	return strncmp(a, key, k) == 0 && a[k] == '=' ? a + k + 1 : NULL;
}

static int has_key(const char *const *args, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (value_of(args[i], key))
			return 1;
	return 0;
}

/* ExactMatch (prefix 0) or FuzzyMatch (prefix 1) of s[0..sn): true when
 * the key has no value, or a value equals s (or, fuzzy, begins it). */
static int matches(const char *const *args, int n, const char *key,
                   const char *s, size_t sn, int prefix)
{
	int i, any = 0;

	for (i = 0; i < n; i++) {
		const char *v = value_of(args[i], key);
		size_t vn;
		if (!v)
			continue;
		any = 1;
		vn = strlen(v);
		if ((vn == sn || (prefix && vn < sn)) && memcmp(v, s, vn) == 0)
			return 1;
	}
	return !any;
}

/* An attribute, unescaped; "" when absent (or cut: a name that long
 * matches no filter value a -f can hold anyway). */
static size_t attr(const struct dk_event *ev, const char *key, char *out,
                   size_t cap)
{
	long r = dk_event_attr_get(ev, key, out, cap);

	if (r < 0) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)r;
}

/* "name:tag" or "name@digest" without the tag or digest (a ':' after the
 * last '/' only: "host:5000/name" keeps its port). */
static size_t strip_tag(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n), *slash = NULL, *colon = NULL;
	size_t i;

	if (at)
		n = (size_t)(at - s);
	for (i = 0; i < n; i++)
		if (s[i] == '/')
			slash = s + i;
	for (i = slash ? (size_t)(slash - s) : 0; i < n; i++)
		if (s[i] == ':')
			colon = s + i;
	return colon ? (size_t)(colon - s) : n;
}

/* KEY or KEY=VALUE per label filter: every one must be an attribute
 * (with that value). */
static int labels(const char *const *args, int n, const struct dk_event *ev)
{
	char k[DK_FIELD_MAX], v[DK_FIELD_MAX];
	int i;

	for (i = 0; i < n; i++) {
		const char *f = value_of(args[i], "label"), *eq;
		size_t kn;
		long r;
		if (!f)
			continue;
		eq = strchr(f, '=');
		kn = eq ? (size_t)(eq - f) : strlen(f);
		if (kn >= sizeof k)
			return 0;
		memcpy(k, f, kn);
		k[kn] = '\0';
		r = dk_event_attr_get(ev, k, v, sizeof v);
		if (r < 0 || (eq && strcmp(v, eq + 1) != 0))
			return 0;
	}
	return 1;
}

int dk_match_event(const char *const *args, int n, const struct dk_event *ev)
{
	static const char *const by_name[] = {
		"container", "network", "volume", "daemon", "plugin", "node",
		"service", "secret", "config",
	};
	char name[DK_FIELD_MAX], image[DK_FIELD_MAX];
	size_t nn, in;
	int fuzzy_event = 0, i;

	for (i = 0; i < n; i++) {
		const char *v = value_of(args[i], "event");
		if (v && (!strcmp(v, "health_status") || !strcmp(v, "exec_create") ||
		          !strcmp(v, "exec_start")))
			fuzzy_event = 1;
	}
	if (!matches(args, n, "event", ev->action.p, ev->action.n, fuzzy_event) ||
	    !matches(args, n, "type", ev->type.p, ev->type.n, 0) ||
	    (has_key(args, n, "scope") &&
	     !matches(args, n, "scope", ev->scope.p, ev->scope.n, 0)))
		return 0;
	nn = attr(ev, "name", name, sizeof name);
	for (i = 0; i < (int)(sizeof by_name / sizeof by_name[0]); i++)
		if (!matches(args, n, by_name[i], ev->id.p, ev->id.n, 1) &&
		    !matches(args, n, by_name[i], name, nn, 1))
			return 0;
	if (has_key(args, n, "image")) {
		int image_type = ev->type.n == 5 && !memcmp(ev->type.p, "image", 5);
		in = image_type ? (memcpy(image, name, nn + 1), nn)
		                : attr(ev, "image", image, sizeof image);
		if (!matches(args, n, "image", ev->id.p, ev->id.n, 0) &&
		    !matches(args, n, "image", image, in, 0) &&
		    !matches(args, n, "image", ev->id.p, strip_tag(ev->id.p, ev->id.n), 0) &&
		    !matches(args, n, "image", image, strip_tag(image, in), 0))
			return 0;
	}
	if (has_key(args, n, "label") && (ev->nattrs == 0 || !labels(args, n, ev)))
		return 0;
	return 1;
}

unsigned dk_match_lists(const char *const *args, int n)
{
	unsigned lists = 0;
	int k;

	if (!matches(args, n, "event", "exists", 6, 0))
		return 0;
	for (k = 0; k < DK_OBJECT_KINDS; k++) {
		const char *t = dk_object_type(k);
		if (matches(args, n, "type", t, strlen(t), 0))
			lists |= 1u << k;
	}
	return lists;
}
