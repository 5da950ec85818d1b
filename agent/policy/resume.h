/* resume.h - where to resume the events stream and which events are new.
 * Pure: fed the events' timeNanos and identities and the wall clock, no
 * I/O, no logging; the loop acts on the verdicts.
 *
 * Engines do not promise time order: dockerd stamps an event before it
 * takes the lock that publishes it, so timeNano goes back by a few ms now
 * and then, and two subscribers can see different orders; a board's clock
 * can step by years. So nothing here trusts that timeNano grows:
 *  - the resume point is the timeNano of the last event received (arrival
 *    order, not the highest), and a resume asks since= DK_RESUME_MARGIN_NS
 *    before it, so that an event stamped earlier but published later is
 *    sent again too;
 *  - an event is a duplicate only when it is one of the last
 *    DK_RESUME_RECENT delivered (same timeNano and identity), whatever its
 *    time, live or replayed: an event older than the resume point is not
 *    dropped for its age (a clock that stepped back, a reordering, an event
 *    published while the agent subscribed that comes in the replay and
 *    live);
 *  - after a resume from an event, the first timed event must be one
 *    already delivered: the engine sends its history in publish order, so
 *    the last received event (or one before it) comes first while the
 *    history still reaches back to it. Anything else is a gap.
 * What this allows: an event is delivered twice only when more than
 * DK_RESUME_RECENT events lie within DK_RESUME_MARGIN_NS of the resume
 * point (a replayed event older than the oldest remembered one is
 * delivered rather than risk losing it), or when an event with a future
 * stamp is replayed after it left the memory.
 */
#ifndef DK_RESUME_H
#define DK_RESUME_H

#include <stdint.h>
#include "config.h"

enum dk_resume_kind {
	DK_RESUME_NONE = 0,  /* no point yet: the first stream starts now */
	DK_RESUME_CLOCK,     /* when the first stream opened (no event yet) */
	DK_RESUME_EVENT      /* the last received event's timeNano */
};

/* Verdict bits of dk_resume_event. */
#define DK_RESUME_NEW 1   /* deliver it */
#define DK_RESUME_GAP 2   /* first event after a resume, not one delivered:
                           * the history no longer reaches back (deliver a
                           * resync before it) */
#define DK_RESUME_BACK 4  /* stamped more than the margin before the last
                           * event: the engine's clock went back (or a
                           * reordering beyond the margin) */

struct dk_resume_mark {
	int64_t tn;    /* timeNano */
	uint64_t id;   /* dk_event_identity */
};

struct dk_resume {
	enum dk_resume_kind kind;
	int64_t point;   /* see kind */
	int64_t top;     /* highest timeNano in recent[] (0: none) */
	struct dk_resume_mark recent[DK_RESUME_RECENT]; /* ring */
	unsigned n;      /* marks ever added; the newest at (n - 1) % size */
	int verify;      /* a resumed stream's first timed event is checked */
	int replaying;   /* resumed, no event newer than every mark yet */
	int64_t from;    /* the point when the stream opened, for logs */
};

/* A zeroed struct is the start too. */
void dk_resume_init(struct dk_resume *r);

/* The since= to ask, in ns: the point, less the margin when it is an
 * event's. Returns 1, or 0 when there is no point (kind NONE). */
int dk_resume_since(const struct dk_resume *r, int64_t *since);

/* A stream opened (its response head was 2xx) at wall clock now: without
 * a point, the point is now (a reconnect then resumes from when the agent
 * first listened); after an event point, the next timed event is checked
 * (DK_RESUME_GAP). */
void dk_resume_open(struct dk_resume *r, int64_t now);

/* An event of timeNano tn (<= 0: none) and identity id: returns
 * DK_RESUME_NEW (with GAP and BACK as they apply), or 0 for a duplicate.
 * A new timed event becomes the point and is remembered; an event without
 * a time is new and changes nothing. */
int dk_resume_event(struct dk_resume *r, int64_t tn, uint64_t id);

/* The remembered marks, oldest first: *count of them (at most
 * DK_RESUME_RECENT) into out. For the --state file. */
unsigned dk_resume_marks(const struct dk_resume *r, struct dk_resume_mark *out);

/* Restore a point and its marks (oldest first), as saved. */
void dk_resume_restore(struct dk_resume *r, enum dk_resume_kind kind,
                       int64_t point, const struct dk_resume_mark *marks,
                       unsigned count);

#endif
