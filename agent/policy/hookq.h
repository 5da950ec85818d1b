/* hookq.h - the hook queue: events waiting for their scripts, their JSON in
 * a ring of fixed memory, and which may start next (events of one actor in
 * order, across any number of slots). Pure: the runner (hook.c) asks it
 * and starts the processes.
 */
#ifndef DK_HOOKQ_H
#define DK_HOOKQ_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "event.h"

struct dk_hookq_job {
	size_t off, len;       /* event JSON in the ring */
	uint64_t actor;        /* dk_hookq_actor of the event, for order */
	int synthetic;         /* the event's synthetic flag (event.h): the
	                        * JSON alone cannot carry it */
	int state;             /* DK_HOOKQ_QUEUED, _RUNNING, _DONE */
};

/* DK_HOOKQ_HELD: set by the runner on a queued job (--hook-debounce); not
 * taken, not dropped, and like a queued one it keeps its actor's later
 * jobs waiting, until the runner makes it queued or done again. */
enum { DK_HOOKQ_QUEUED, DK_HOOKQ_RUNNING, DK_HOOKQ_DONE, DK_HOOKQ_HELD };

/* jobs[] is a FIFO of max entries: [head, head + count); the ring holds
 * their JSON in the same order, from the head's off to tail. */
struct dk_hookq {
	int max;               /* events waiting or running, at most */
	size_t ring_cap;       /* bytes of ring in use */
	struct dk_hookq_job jobs[DK_HOOK_QUEUE_MAX];
	int head, count;
	size_t tail;           /* where the next event's bytes go */
	char ring[DK_HOOK_QUEUE_MAX * DK_HOOK_EVENT_AVG];
};

/* Empty q for max events (clamped to 1..DK_HOOK_QUEUE_MAX), with ring room
 * for max average events and at least min_event bytes (the largest event
 * the reader can hold), within the ring. Touches only the bookkeeping, so
 * the ring's pages stay untouched until used. */
void dk_hookq_init(struct dk_hookq *q, int max, size_t min_event);

/* The order key of an event: its Type and Actor.ID. */
uint64_t dk_hookq_actor(const struct dk_event *ev);

/* Queue json[0..len) (copied into the ring) for actor, with the event's
 * synthetic flag (dk_hookq_synthetic gives it back). Returns the job's
 * index in jobs[], or DK_ERR_NOSPACE when max events wait or the ring has
 * no room (len 0 or longer than the ring too): nothing queued. */
int dk_hookq_push(struct dk_hookq *q, const char *json, size_t len,
                  uint64_t actor, int synthetic);

/* The next job that may start, marked running: the first queued one whose
 * actor has no earlier job queued or running, among the first scan
 * (a bound: the head is where the work is). Its index, or -1: none. */
int dk_hookq_take(struct dk_hookq *q, int scan);

/* Job i (from take) is over: done, and the ring space of the done jobs at
 * the head is free again. */
void dk_hookq_done(struct dk_hookq *q, int i);

/* Every queued (not running) job becomes done; returns how many. */
int dk_hookq_drop(struct dk_hookq *q);

/* Jobs queued, not yet taken. */
int dk_hookq_queued(const struct dk_hookq *q);

/* Job i's JSON (valid until dk_hookq_done(q, i)). */
const char *dk_hookq_json(const struct dk_hookq *q, int i, size_t *len);

/* Job i's synthetic flag, as pushed. */
int dk_hookq_synthetic(const struct dk_hookq *q, int i);

#endif
