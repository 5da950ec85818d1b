/* object.h - one element of a list answer (GET /containers/json,
 * /networks, /volumes: framed by array.h) turned into an engine-shaped
 * event for --snapshot: Type container|network|volume, Action "exists"
 * (no engine sends it), Actor.ID and Attributes as the engine's own events
 * for that type carry them, plus the object's state.
 */
#ifndef DK_OBJECT_H
#define DK_OBJECT_H

#include <stddef.h>
#include <stdint.h>

/* The three lists, in the order a snapshot reads them. */
enum dk_object_kind {
	DK_OBJECT_CONTAINER = 0,
	DK_OBJECT_NETWORK,
	DK_OBJECT_VOLUME,
	DK_OBJECT_KINDS
};

/* "container", "network", "volume": the event Type of a kind. */
const char *dk_object_type(int kind);

/* Write the event for list element rec[0..len) (one JSON object) of the
 * given kind into out[0..cap), NUL-terminated, stamped time_ns (the
 * snapshot point). The event's first member is "dockev":true, the mark
 * of the agent's own lines (--json consumers tell them from the
 * engine's by it). Shapes (values copied as the engine escaped them):
 *   container: ID = Id; Attributes name (Names[0] without its '/'),
 *     image, state, status, then every label;
 *   network: ID = Id; Attributes name, type (the driver, as network
 *     events say), scope, then every label; the event's scope is "swarm"
 *     for a swarm-scoped network, else "local";
 *   volume: ID = Name; Attributes driver, mountpoint, then every label.
 * A label named like one of the attributes before it is left out (the
 * engine's events do the same for name and image). Members that are
 * absent or not strings are left out; only the ID is required.
 * Returns the length, DK_ERR_JSON (not one JSON object), DK_ERR_TOKENS
 * (more than DK_LIST_TOKENS_MAX), DK_ERR_EVENT (no ID string, or an
 * unknown kind), or DK_ERR_NOSPACE (out then holds ""). */
long dk_object_event(int kind, const char *rec, size_t len, int64_t time_ns,
                     char *out, size_t cap);

#endif
