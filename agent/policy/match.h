/* match.h - the -f filters applied by dockev itself, to the events it
 * makes (--snapshot's objects), with the engine's rules for its own
 * events (moby daemon/events/filter.go): values of one key are ORed,
 * different keys ANDed; type, event (exact; health_status, exec_create
 * and exec_start as prefixes) and scope exact; container, network,
 * volume, daemon, plugin, node, service, secret and config match the
 * actor's ID or its name attribute, exactly or as a prefix; image the ID
 * or the image (name) attribute, with or without its tag; label KEY or
 * KEY=VALUE against the attributes, every one of them.
 */
#ifndef DK_MATCH_H
#define DK_MATCH_H

#include "event.h"

/* Does ev pass the n "KEY=VALUE" filters (as dk_filter_build takes them;
 * keys already checked)? 1 or 0. */
int dk_match_event(const char *const *args, int n, const struct dk_event *ev);

/* Which lists a snapshot reads under these filters: a bit (1 << kind) per
 * object.h kind the type filter lets through (all three without one);
 * 0 when an event filter does not name "exists" (no snapshot object can
 * pass: the snapshot is skipped, not sent empty, since an empty one would
 * tell a sweeping hook that everything is gone). */
unsigned dk_match_lists(const char *const *args, int n);

#endif
