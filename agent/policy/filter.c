/* filter.c - dk_filter_build: the events filters JSON (Docker Engine API
 * GET /events "filters", a map[string]map[string]bool) from -f KEY=VALUE,
 * grouped by key in first-seen order. Strings are escaped per RFC 8259 §7;
 * UTF-8 is passed through untouched (the engine decodes it).
 */
#include <limits.h>
#include <string.h>

#include "err.h"
#include "filter.h"
#include "out.h"

/* The keys the engine's events filter accepts (moby acceptedEventFilterTags);
 * any other key makes it answer 400, better caught before connecting. */
static const char *const keys[] = {
	"config", "container", "daemon", "event", "image", "label", "network",
	"node", "plugin", "scope", "secret", "service", "type", "volume",
};

/* Key length of a "KEY=VALUE" argument, or -1 if it is not one. */
static long key_len(const char *a)
{
	const char *eq;
	size_t k, n;

	if (!a || !(eq = strchr(a, '=')))
		return -1;
	n = (size_t)(eq - a);
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (strlen(keys[k]) == n && memcmp(keys[k], a, n) == 0)
			return (long)n;
	return -1; /* also the empty key "=x" */
}

static int same_key(const char *a, const char *b)
{
	size_t n = (size_t)(strchr(a, '=') - a);
	return strncmp(a, b, n) == 0 && b[n] == '=';
}

int dk_filter_build(char *out, size_t cap, const char *const *args, int n,
                    int *bad)
{
	struct dk_out o;
	int i, j, k, first_key, first_val;

	if (bad)
		*bad = -1;
	if (n < 0 || (n > 0 && !args) || (cap > 0 && !out))
		return DK_ERR_PARAM;
	/* Check every argument first, so the result does not depend on cap. */
	for (i = 0; i < n; i++) {
		if (key_len(args[i]) < 0) {
			if (bad)
				*bad = i;
			return DK_ERR_FILTER;
		}
	}

	dk_out_init(&o, out, cap);
	if (n > 0)
		dk_out_str(&o, "{");
	first_key = 1;
	for (i = 0; i < n; i++) {
		/* Each key's group is written at its first occurrence. */
		for (j = 0; j < i && !same_key(args[j], args[i]); j++)
			;
		if (j < i)
			continue;
		if (!first_key)
			dk_out_str(&o, ",");
		first_key = 0;
		dk_out_str(&o, "\"");
		dk_out_put(&o, args[i], (size_t)key_len(args[i]));
		dk_out_str(&o, "\":{");
		first_val = 1;
		for (j = i; j < n; j++) {
			const char *v = strchr(args[j], '=') + 1;
			if (!same_key(args[i], args[j]))
				continue;
			/* A repeated KEY=VALUE would be a duplicate JSON member
			 * name: write it once, as the CLI's map would hold it. */
			for (k = i; k < j; k++)
				if (same_key(args[i], args[k]) &&
				    strcmp(strchr(args[k], '=') + 1, v) == 0)
					break;
			if (k < j)
				continue;
			if (!first_val)
				dk_out_str(&o, ",");
			first_val = 0;
			dk_out_str(&o, "\"");
			dk_out_json(&o, v, strlen(v));
			dk_out_str(&o, "\":true");
		}
		dk_out_str(&o, "}");
	}
	if (n > 0)
		dk_out_str(&o, "}");

	if (o.len >= cap || o.len > INT_MAX) {
		if (cap > 0)
			out[0] = '\0'; /* never leave a cut, unterminated JSON */
		return DK_ERR_NOSPACE;
	}
	out[o.len] = '\0';
	return (int)o.len;
}
