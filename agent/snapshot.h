/* snapshot.h - --snapshot's list connection: the engine's clock (the
 * snapshot point T0), then GET /containers/json?all=1, /networks and
 * /volumes read one after the other over one connection, each answer's
 * elements framed one by one (array.h) into a fixed buffer and turned into
 * engine-shaped events (object.h), handed back to the loop, which
 * delivers them between dockev snapshot-start and snapshot-end and then
 * opens the events stream with since=T0.
 *
 * Why this order has no race: T0 is taken before listing (the engine's
 * Date less 1 s, its second resolution), so whatever changes while the
 * lists are read is an event at or after T0 that the events stream,
 * opened after the lists, replays from the engine's history: it may
 * restate what the snapshot said, it is never missing. More changes than
 * the engine's history keeps (256 events) make the stream's resume check
 * report a resync, and a resync takes a new snapshot.
 */
#ifndef DK_SNAPSHOT_H
#define DK_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "array.h"
#include "object.h"

struct dk_agent;

struct dk_snapshot {
	int64_t t0;            /* the snapshot point, ns of the engine's clock */
	unsigned lists;        /* the lists to read: bits (1 << DK_OBJECT_*) */
	int kind;              /* the list being read; -1 before the first */
	int body;              /* its answer's body is being read */
	int body_end;          /* the body's last byte is decoded */
	int array_done;        /* the array closed: the rest is dropped */
	size_t pos, have;      /* ag->buf[pos..have): decoded, not yet framed */
	unsigned long count[DK_OBJECT_KINDS]; /* delivered, per kind */
	unsigned long skipped; /* elements too large, or not objects */
	struct dk_array arr;
	char elem[DK_LIST_BUF];        /* the element being framed */
	char ev[DK_LIST_EVENT_MAX];    /* the event made of it */
};

/* dk_snapshot_next results. */
enum { DK_SNAP_OBJECT = 1, DK_SNAP_SKIPPED, DK_SNAP_END, DK_SNAP_FAIL };

/* The snapshot point the last ping says: its Date (whole seconds), else
 * the local clock with no ping (--api-version), less 1 s, in ns. */
int64_t dk_snapshot_point(const struct dk_agent *ag);

/* Connect and ping (the API version, and T0 = dk_snapshot_point, or t0
 * when > 0: a point taken before, up to which the history was replayed),
 * ready to read the lists in `lists`. Returns DK_OUT_OPEN, or how it
 * failed (ag->why says why). */
int dk_snapshot_open(struct dk_agent *ag, unsigned lists, int64_t t0);

/* The next object: DK_SNAP_OBJECT with its event JSON in *rec, *len
 * (valid until the next call; its kind in ag->snap.kind), DK_SNAP_SKIPPED
 * (an element was skipped, counted and logged), DK_SNAP_END (every list
 * was read whole; the connection is closed), or DK_SNAP_FAIL with *out
 * saying how the connection failed (a list cut short included: a partial
 * list must not pass for a whole one). Reads through the loop's wait, and
 * serves hooks and signals between reads, so a long list does not starve
 * them. */
int dk_snapshot_next(struct dk_agent *ag, const char **rec, size_t *len,
                     int *out);

#endif
