/* test_hookq.c - the hook queue (policy/hookq.c) case by case: bounded by
 * count and by ring bytes, FIFO through the ring's wrap, one actor's jobs
 * in order while other actors' run beside them, dropping what waits. */
#include "t.h"
#include "hookq.h"
#include "err.h"

static struct dk_hookq q;

static int push(const char *json, uint64_t actor)
{
	return dk_hookq_push(&q, json, strlen(json), actor, 0);
}

static int json_is(int i, const char *want)
{
	size_t n;
	const char *p = dk_hookq_json(&q, i, &n);
	return n == strlen(want) && memcmp(p, want, n) == 0;
}

static void bounds(void)
{
	int i;

	dk_hookq_init(&q, 4, 0);
	T_EQ(q.ring_cap, (size_t)4 * DK_HOOK_EVENT_AVG, "ring: the queue's average events");
	for (i = 0; i < 4; i++)
		T_OK(push("{\"a\":1}", (uint64_t)i) >= 0, "event %d queued", i);
	T_EQ(push("{\"a\":1}", 9), DK_ERR_NOSPACE, "the fifth is refused");
	T_EQ(dk_hookq_queued(&q), 4, "four wait");
	T_EQ(dk_hookq_push(&q, "", 0, 1, 0), DK_ERR_NOSPACE, "an empty event is refused");

	dk_hookq_init(&q, 0, 0);
	T_EQ(q.max, 1, "a queue of 0 is clamped to 1");
	dk_hookq_init(&q, DK_HOOK_QUEUE_MAX + 5, 0);
	T_EQ(q.max, DK_HOOK_QUEUE_MAX, "and one too long to DK_HOOK_QUEUE_MAX");
	dk_hookq_init(&q, 1, 3 * DK_HOOK_EVENT_AVG);
	T_EQ(q.ring_cap, (size_t)3 * DK_HOOK_EVENT_AVG, "room for the largest event");
	dk_hookq_init(&q, 1, sizeof q.ring + 100);
	T_EQ(q.ring_cap, sizeof q.ring, "but never past the ring");
}

/* Bytes: events fill the ring, the head's space comes back when done, and
 * an event wraps to the start only where it fits whole. */
static void ring(void)
{
	static char big[DK_HOOK_EVENT_AVG + 2];
	int a, b, c, d;

	memset(big, 'x', sizeof big - 1);
	dk_hookq_init(&q, 4, 0); /* 4 * AVG bytes */
	a = push(big, 1);
	b = push(big, 2);
	c = push(big, 3);
	T_OK(a >= 0 && b >= 0 && c >= 0, "three of AVG + 1 bytes fit");
	T_EQ(push(big, 4), DK_ERR_NOSPACE, "a fourth does not: no bytes left");
	T_EQ(dk_hookq_take(&q, 64), a, "the head starts first");
	T_EQ(push(big, 4), DK_ERR_NOSPACE, "a running job keeps its bytes");
	dk_hookq_done(&q, a);
	d = push("{\"w\":1}", 5);
	T_OK(d >= 0 && q.jobs[d].off == 3 * (size_t)DK_HOOK_EVENT_AVG + 3,
	     "a small one goes after the tail (off %zu)", d >= 0 ? q.jobs[d].off : 0);
	T_EQ(push(big, 6), DK_ERR_NOSPACE,
	     "a big one fits neither at the tail nor before the head");
	T_OK(json_is(d, "{\"w\":1}"), "the JSON is what was pushed");
	T_EQ(dk_hookq_take(&q, 64), b, "FIFO");
	dk_hookq_done(&q, b);
	T_EQ(dk_hookq_take(&q, 64), c, "FIFO");
	dk_hookq_done(&q, c);
	T_EQ(dk_hookq_take(&q, 64), d, "FIFO");
	c = push(big, 7);
	T_OK(c >= 0 && q.jobs[c].off == 0, "with the head past them, the ring wraps to 0");
	T_EQ(dk_hookq_take(&q, 64), c, "another actor's job starts beside d");
	a = push("{\"s\":1}", 8);
	T_OK(a >= 0 && q.jobs[a].off == (size_t)DK_HOOK_EVENT_AVG + 1,
	     "the next goes after it, before the head");
}

/* Order: one actor's jobs one at a time in order; others beside them. */
static void order(void)
{
	int a1, a2, b1, a3, x;

	dk_hookq_init(&q, 8, 0);
	a1 = push("{\"n\":\"a1\"}", 1);
	a2 = push("{\"n\":\"a2\"}", 1);
	b1 = push("{\"n\":\"b1\"}", 2);
	a3 = push("{\"n\":\"a3\"}", 1);
	T_EQ(dk_hookq_take(&q, 64), a1, "a1 first");
	T_EQ(dk_hookq_take(&q, 64), b1, "while a1 runs, b1 (not a2)");
	T_EQ(dk_hookq_take(&q, 64), -1, "a2 waits for a1, a3 for a2");
	dk_hookq_done(&q, b1);
	T_EQ(dk_hookq_take(&q, 64), -1, "b1 done frees no a");
	dk_hookq_done(&q, a1);
	T_EQ(dk_hookq_take(&q, 64), a2, "a1 done: a2");
	T_EQ(dk_hookq_take(&q, 64), -1, "a3 still waits");
	dk_hookq_done(&q, a2);
	T_EQ(dk_hookq_take(&q, 64), a3, "then a3");
	T_EQ(q.count, 1, "the done jobs before it left the queue");
	dk_hookq_done(&q, a3);
	T_EQ(q.count, 0, "empty");

	dk_hookq_init(&q, 8, 0);
	push("{}", 1);
	push("{}", 1);
	x = push("{}", 2);
	dk_hookq_take(&q, 64);
	T_EQ(dk_hookq_take(&q, 2), -1, "the scan bound: job 3 is past it");
	T_EQ(dk_hookq_take(&q, 3), x, "and within a longer one");

	T_OK(dk_hookq_actor(&(struct dk_event){ .type = { "container", 9 }, .id = { "ab", 2 } }) !=
	     dk_hookq_actor(&(struct dk_event){ .type = { "containe", 8 }, .id = { "rab", 3 } }),
	     "the actor key separates Type from ID");
}

static void drop(void)
{
	int a, b;

	dk_hookq_init(&q, 4, 0);
	a = push("{}", 1);
	push("{}", 1);
	push("{}", 2);
	T_EQ(dk_hookq_take(&q, 64), a, "a runs");
	T_EQ(dk_hookq_drop(&q), 2, "two waiting are dropped");
	T_EQ(dk_hookq_queued(&q), 0, "none waits");
	T_EQ(dk_hookq_take(&q, 64), -1, "nothing to take");
	b = push("{\"late\":1}", 1);
	T_OK(b >= 0, "a later event is taken in");
	T_EQ(dk_hookq_take(&q, 64), -1, "and waits for its actor's running job");
	dk_hookq_done(&q, a);
	T_EQ(dk_hookq_take(&q, 64), b, "then runs");
	T_EQ(q.count, 1, "the dropped ones left the queue");

	dk_hookq_init(&q, 2, 0);
	push("{}", 1);
	push("{}", 2);
	T_EQ(dk_hookq_drop(&q), 2, "with nothing running, all dropped");
	T_EQ(q.count, 0, "and the queue is empty: a full one takes new events again");
	T_OK(push("{}", 3) >= 0 && push("{}", 4) >= 0, "two fit again");
}

int main(void)
{
	bounds();
	ring();
	order();
	drop();
	return T_DONE();
}
