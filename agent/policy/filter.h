/* filter.h - the events filters JSON from -f KEY=VALUE options. */
#ifndef DK_FILTER_H
#define DK_FILTER_H

#include <stddef.h>

/* Build the engine's filters JSON from n "KEY=VALUE" strings into out:
 * {"type":{"container":true,"network":true},"event":{"die":true}}
 * Repeated keys are ORed (one object), different keys ANDed, as the engine
 * reads them. The value is everything after the first '=' (label=a=b gives
 * "a=b") and is JSON-escaped. KEY must be one of the engine's event filter
 * keys: config container daemon event image label network node plugin
 * scope secret service type volume. n == 0 writes "" (length 0). A
 * repeated identical KEY=VALUE is written once. bad may be NULL.
 * Returns the length written (NUL-terminated), DK_ERR_FILTER for a bad
 * argument (*bad = its index, else *bad = -1), DK_ERR_NOSPACE (out, if
 * cap > 0, is then ""), or DK_ERR_PARAM for n < 0 or NULL args/out. */
int dk_filter_build(char *out, size_t cap, const char *const *args, int n,
                    int *bad);

#endif
