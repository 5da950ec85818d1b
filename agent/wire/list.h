/* list.h - what --snapshot asks the engine besides the events: the list
 * requests (GET /v<version>/containers/json?all=1, /networks, /volumes)
 * and the engine's clock from a response head's Date header, which sets
 * the snapshot point.
 */
#ifndef DK_LIST_H
#define DK_LIST_H

#include <stddef.h>
#include <stdint.h>
#include "endpoint.h"

/* The request for the list of kind (object.h's DK_OBJECT_*): every
 * container, running or not (all=1); every network; every volume. Written
 * into buf[0..cap), not NUL-terminated, with the same Host and User-Agent
 * as the other requests and no filters (the -f filters are applied to the
 * objects' events, as the engine applies them to its events). Returns the
 * length, DK_ERR_VERSION, DK_ERR_PARAM (an unknown kind) or
 * DK_ERR_NOSPACE. */
int dk_list_request(char *buf, size_t cap, const struct dk_endpoint *ep,
                    const char *version, int kind);

/* The Date header of a response head head[0..n) (RFC 9110 section 5.6.7:
 * IMF-fixdate, "Sun, 06 Dec 2026 00:12:37 GMT"; the obsolete forms are
 * not taken) as Unix seconds into *secs. Returns 1, or 0 when there is no
 * such header or it does not parse. */
int dk_list_date(const char *head, size_t n, int64_t *secs);

#endif
