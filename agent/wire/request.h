/* request.h - the HTTP/1.1 requests dockev sends, written into a buffer. */
#ifndef DK_REQUEST_H
#define DK_REQUEST_H

#include <stddef.h>
#include "config.h"


struct dk_endpoint;

/* "GET /_ping HTTP/1.1" with Host: and User-Agent:. Returns the length
 * written into buf (not NUL-terminated), or DK_ERR_NOSPACE. */
int dk_request_ping(char *buf, size_t cap, const struct dk_endpoint *ep);

/* "GET /version HTTP/1.1" (unversioned: every engine answers it, with its
 * ApiVersion and MinAPIVersion). Same returns as dk_request_ping. */
int dk_request_version(char *buf, size_t cap, const struct dk_endpoint *ep);

/* "GET /v<version>/events?since=..&until=..&filters=.. HTTP/1.1": since and
 * until are already in the engine's form ("s.nnnnnnnnn") or NULL/"" to
 * leave them out; filters is JSON or NULL/"", URL-encoded here
 * (application/x-www-form-urlencoded query, every byte outside
 * A-Za-z0-9-._~ as %XX; since/until go through the same encoding, which
 * leaves the engine's form unchanged), and "Accept: application/x-ndjson"
 * (engines from API 1.52 negotiate the body type). Returns the length (not
 * NUL-terminated), DK_ERR_VERSION if dk_request_version_valid(version)
 * fails, or DK_ERR_NOSPACE. */
int dk_request_events(char *buf, size_t cap, const struct dk_endpoint *ep,
                      const char *version, const char *since,
                      const char *until, const char *filters);

/* Compare API versions "1.41" and "1.9": <0, 0, >0 as a is lower, equal,
 * higher. A malformed version compares lowest. */
int dk_request_version_cmp(const char *a, const char *b);

/* The version an engine's refusal names: dockerd answers 400 with
 * "client version 1.41 is too old. Minimum supported API version is 1.44,
 * ..." or "... is too new. Maximum supported API version is 1.41". Writes
 * that version into out (NUL-terminated) and returns 1 for a minimum, -1
 * for a maximum, or 0 when msg names neither (out then unspecified). */
int dk_request_version_hint(const char *msg, char *out, size_t cap);

/* DK_OK if v is "MAJOR.MINOR" with 1-3 digit parts, else DK_ERR_VERSION. */
int dk_request_version_valid(const char *v);

#endif
