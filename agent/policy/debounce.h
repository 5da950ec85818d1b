/* debounce.h - --hook-debounce MIN[:MAX]: which held hook runs are due.
 * One entry per (actor, script directory) with a run held back; a burst of
 * that actor's events selecting that directory keeps one entry, the last
 * event's job, due MIN after the last event and at most MAX after the
 * first. Pure: times are monotonic ms passed in (a settable clock in the
 * tests); the runner (hook.c) holds and releases the queued events.
 */
#ifndef DK_DEBOUNCE_H
#define DK_DEBOUNCE_H

#include <stdint.h>
#include "config.h"

struct dk_debounce_entry {
	uint64_t actor;        /* dk_hookq_actor of the events */
	int dir;               /* which hook directory: 0 T.A.d, 1 T.d, 2 all.d */
	int job;               /* the caller's id of the held run (the last event) */
	int64_t first_ms;      /* the burst's first event */
	int64_t last_ms;       /* and its last */
	unsigned count;        /* events in the burst, the held one included */
};

struct dk_debounce {
	int64_t min_ms, max_ms; /* min_ms 0: off */
	int n;                  /* entries in e[0..n) */
	struct dk_debounce_entry e[DK_HOOK_DEBOUNCE_MAX];
};

/* Empty table; min_ms <= 0 is off. max_ms below min_ms is taken as min_ms. */
void dk_debounce_init(struct dk_debounce *d, int64_t min_ms, int64_t max_ms);

/* An event of actor selecting directory dir arrived at now, queued as job.
 * When (actor, dir) already has an entry, it now holds job, its count goes
 * up, its first time stays, and *prev is the job it held before (which no
 * longer runs dir); else a new entry with *prev = -1. Returns the entry's
 * index; DK_ERR_NOSPACE (*prev = -1, nothing held) when
 * DK_HOOK_DEBOUNCE_MAX other entries are held; DK_ERR_PARAM when the table
 * is off. */
int dk_debounce_add(struct dk_debounce *d, uint64_t actor, int dir, int job,
                    int64_t now, int *prev);

/* When entry i is due: min(last + MIN, first + MAX). */
int64_t dk_debounce_due_at(const struct dk_debounce *d, int i);

/* The index of the entry due soonest if it is due at now, else -1. */
int dk_debounce_due(const struct dk_debounce *d, int64_t now);

/* Milliseconds from now until the next entry is due (0: one is due), or
 * -1 when none is held. */
int64_t dk_debounce_next_ms(const struct dk_debounce *d, int64_t now);

/* Take entry i out (its run is released), copied to *out (NULL: not
 * wanted). The other entries' indexes may change. */
void dk_debounce_remove(struct dk_debounce *d, int i,
                        struct dk_debounce_entry *out);

#endif
