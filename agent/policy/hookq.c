/* hookq.c - the hook queue: a FIFO of jobs over a ring of event JSON in
 * fixed memory, so the reader never waits for a script; a job starts only
 * when no earlier job of its actor is queued or running, which keeps one
 * actor's events in order across parallel slots.
 */
#include <string.h>
#include "hookq.h"
#include "err.h"

#define NO_SPACE ((size_t)-1)

void dk_hookq_init(struct dk_hookq *q, int max, size_t min_event)
{
	q->max = max < 1 ? 1 : max > DK_HOOK_QUEUE_MAX ? DK_HOOK_QUEUE_MAX : max;
	memset(q->jobs, 0, sizeof q->jobs);
	q->head = q->count = 0;
	q->tail = 0;
	if (min_event > sizeof q->ring)
		min_event = sizeof q->ring;
	/* Room for the average event times the queue, and for any one event
	 * the reader could hold. */
	q->ring_cap = (size_t)q->max * DK_HOOK_EVENT_AVG;
	if (q->ring_cap < min_event)
		q->ring_cap = min_event;
}

static struct dk_hookq_job *at(struct dk_hookq *q, int qi)
{
	return &q->jobs[(q->head + qi) % q->max];
}

/* Bytes for len more in the ring, after the live events (FIFO). */
static size_t ring_alloc(struct dk_hookq *q, size_t len)
{
	size_t start;

	if (len == 0 || len > q->ring_cap)
		return NO_SPACE;
	if (q->count == 0)
		return 0;
	start = at(q, 0)->off;
	if (q->tail > start) {
		if (len <= q->ring_cap - q->tail)
			return q->tail;
		return len < start ? 0 : NO_SPACE;
	}
	return q->tail + len < start ? q->tail : NO_SPACE;
}

uint64_t dk_hookq_actor(const struct dk_event *ev)
{
	uint64_t x = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < ev->type.n; i++)
		x = (x ^ (unsigned char)ev->type.p[i]) * 1099511628211ULL;
	x = (x ^ '/') * 1099511628211ULL;
	for (i = 0; i < ev->id.n; i++)
		x = (x ^ (unsigned char)ev->id.p[i]) * 1099511628211ULL;
	return x;
}

int dk_hookq_push(struct dk_hookq *q, const char *json, size_t len,
                  uint64_t actor, int synthetic)
{
	struct dk_hookq_job *j;
	size_t off;

	if (q->count == q->max || (off = ring_alloc(q, len)) == NO_SPACE)
		return DK_ERR_NOSPACE;
	memcpy(q->ring + off, json, len);
	q->tail = off + len;
	j = at(q, q->count++);
	j->off = off;
	j->len = len;
	j->actor = actor;
	j->synthetic = synthetic;
	j->state = DK_HOOKQ_QUEUED;
	return (int)(j - q->jobs);
}

/* May queued job qi start: no earlier job of its actor still queued or
 * running? */
static int runnable(struct dk_hookq *q, int qi)
{
	struct dk_hookq_job *j = at(q, qi);
	int k;

	if (j->state != DK_HOOKQ_QUEUED)
		return 0;
	for (k = 0; k < qi; k++) {
		struct dk_hookq_job *o = at(q, k);
		if (o->state != DK_HOOKQ_DONE && o->actor == j->actor)
			return 0;
	}
	return 1;
}

int dk_hookq_take(struct dk_hookq *q, int scan)
{
	int qi;

	for (qi = 0; qi < q->count && qi < scan; qi++)
		if (runnable(q, qi)) {
			at(q, qi)->state = DK_HOOKQ_RUNNING;
			return (q->head + qi) % q->max;
		}
	return -1;
}

void dk_hookq_done(struct dk_hookq *q, int i)
{
	q->jobs[i].state = DK_HOOKQ_DONE;
	while (q->count > 0 && at(q, 0)->state == DK_HOOKQ_DONE) {
		q->head = (q->head + 1) % q->max;
		q->count--;
	}
}

int dk_hookq_drop(struct dk_hookq *q)
{
	int qi, n = 0;

	for (qi = 0; qi < q->count; qi++)
		if (at(q, qi)->state == DK_HOOKQ_QUEUED) {
			at(q, qi)->state = DK_HOOKQ_DONE;
			n++;
		}
	/* The head's ring space is freed when its running job is done. */
	while (q->count > 0 && at(q, 0)->state == DK_HOOKQ_DONE) {
		q->head = (q->head + 1) % q->max;
		q->count--;
	}
	return n;
}

int dk_hookq_queued(const struct dk_hookq *q)
{
	int qi, n = 0;
	for (qi = 0; qi < q->count; qi++)
		n += q->jobs[(q->head + qi) % q->max].state == DK_HOOKQ_QUEUED;
	return n;
}

const char *dk_hookq_json(const struct dk_hookq *q, int i, size_t *len)
{
	*len = q->jobs[i].len;
	return q->ring + q->jobs[i].off;
}

int dk_hookq_synthetic(const struct dk_hookq *q, int i)
{
	return q->jobs[i].synthetic;
}
