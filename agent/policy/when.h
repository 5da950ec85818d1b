/* when.h - times and durations as the docker CLI reads them. */
#ifndef DK_WHEN_H
#define DK_WHEN_H

#include <stddef.h>
#include <stdint.h>

/* Parse a --since/--until value into nanoseconds since the epoch:
 *   Unix seconds with an optional fraction ("1795792644", "1795792644.5",
 *     up to 9 fraction digits);
 *   RFC 3339 ("2026-11-27T15:17:23Z", "...23.123456789+01:00"), also
 *     without seconds or fraction, and a plain date "2026-11-27"; without a
 *     zone it is local time, as the docker CLI reads it: at the offset the
 *     local zone (TZ, localtime_r) has at now_ns, for every such form;
 *   a Go-style duration before now_ns ("90s", "10m", "1h30m", "1.5h").
 * Returns DK_OK or DK_ERR_TIME. */
int dk_when_parse(const char *s, int64_t now_ns, int64_t *out_ns);

/* Parse a Go-style duration ("250ms", "30s", "1h30m", "1.5h", "500us",
 * "0"); units ns us ms s m h, no sign; a bare number other than 0 is an
 * error.
 * Result in nanoseconds, >= 0. Returns DK_OK or DK_ERR_TIME (also on
 * overflow). */
int dk_when_duration(const char *s, int64_t *out_ns);

/* Write ns as "seconds.nnnnnnnnn" (the engine's since=/until= form) into
 * buf, NUL-terminated (cap >= length + 1; a negative ns floors the seconds:
 * -1.5 s is "-2.500000000"). Returns the length, or DK_ERR_NOSPACE. */
int dk_when_format(int64_t ns, char *buf, size_t cap);

/* Write ns as RFC 3339 UTC with nine fraction digits (the docker CLI's
 * event time form, in UTC): "2026-11-27T15:17:23.123456789Z", 30 bytes,
 * NUL-terminated. Returns the length, or DK_ERR_NOSPACE. */
int dk_when_rfc3339(int64_t ns, char *buf, size_t cap);

#endif
