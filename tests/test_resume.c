/* test_resume.c - the resume point and dedupe, case by case: in order,
 * a resume that the history covers and one it does not, reordered events
 * on either side of a cut, an event both replayed and live, clock steps
 * forward and back (live, across a cut, in a saved state), events without
 * a time, more events within the margin than are remembered, and the
 * marks kept for the --state file. Times in ms for reading. */
#include "t.h"
#include "resume.h"

#define MS 1000000LL
#define T0 (1795792600000LL * MS)   /* 2026-11-27, a real timeNano */
#define YEAR (365LL * 86400 * 1000 * MS)

static struct dk_resume r;

/* Event at T0 + ms, identity id: the verdict. */
static int ev(int64_t ms, uint64_t id) { return dk_resume_event(&r, T0 + ms * MS, id); }

static int64_t since(void)
{
	int64_t s = -1;
	return dk_resume_since(&r, &s) ? s : -1;
}

static void in_order(void)
{
	dk_resume_init(&r);
	T_EQ(since(), -1, "no point before the first stream");
	dk_resume_open(&r, T0);
	T_EQ(r.kind, DK_RESUME_CLOCK, "first stream: the point is the clock");
	T_EQ(since(), T0, "a clock point is asked as it is (no margin)");
	T_EQ(r.verify, 0, "a clock point verifies nothing");
	T_EQ(ev(1, 1), DK_RESUME_NEW, "first event: new");
	T_EQ(ev(2, 2), DK_RESUME_NEW, "second: new");
	T_EQ(r.kind, DK_RESUME_EVENT, "the point is the event's");
	T_EQ(since(), T0 + 2 * MS - DK_RESUME_MARGIN_NS, "since: the last event less the margin");
	T_EQ(ev(2, 3), DK_RESUME_NEW, "another event at the same timeNano: new");
	T_EQ(ev(2, 3), 0, "the same event again (same time, same identity): duplicate");
	T_EQ(dk_resume_event(&r, 0, 9), DK_RESUME_NEW, "an event without a time: new");
	T_EQ(dk_resume_event(&r, -5, 9), DK_RESUME_NEW, "a negative time: new");
	T_EQ(since(), T0 + 2 * MS - DK_RESUME_MARGIN_NS, "events without a time do not move it");
}

static void resume_covered(void)
{
	dk_resume_init(&r);
	dk_resume_open(&r, T0);
	ev(1, 1);
	ev(2, 2);
	ev(3, 3);
	/* Cut; the history reaches back: since= brings 1..3 again, then 4. */
	dk_resume_open(&r, T0 + 10 * MS);
	T_EQ(r.verify, 1, "resumed from an event: the next one is checked");
	T_EQ(ev(1, 1), 0, "replayed 1: duplicate, no gap");
	T_EQ(r.verify, 0, "checked");
	T_EQ(ev(2, 2), 0, "replayed 2: duplicate");
	T_EQ(ev(3, 3), 0, "replayed 3: duplicate");
	T_EQ(ev(4, 4), DK_RESUME_NEW, "4: new, no gap");
}

static void resume_gap(void)
{
	dk_resume_init(&r);
	dk_resume_open(&r, T0);
	ev(1, 1);
	/* The engine restarted: its history is gone; the first event is new. */
	dk_resume_open(&r, T0 + 10 * MS);
	T_EQ(ev(50, 5), DK_RESUME_NEW | DK_RESUME_GAP, "first event unknown and newer: gap");
	T_EQ(ev(51, 6), DK_RESUME_NEW, "then no more gaps");
	/* A history that starts inside the margin, with an event never seen
	 * before the last one received: still a gap (the last one is gone). */
	dk_resume_open(&r, T0 + 60 * MS);
	T_EQ(ev(45, 7), DK_RESUME_NEW | DK_RESUME_GAP, "first event unknown, older: gap too");
}

/* dockerd stamps before it publishes: the order on the wire is not the
 * order of timeNano. */
static void reordered(void)
{
	dk_resume_init(&r);
	dk_resume_open(&r, T0);
	T_EQ(ev(100, 1), DK_RESUME_NEW, "A at 100");
	T_EQ(ev(103, 2), DK_RESUME_NEW, "B at 103");
	T_EQ(ev(101, 3), DK_RESUME_NEW, "C at 101, published after B: new, not a duplicate");
	T_EQ(since(), T0 + 101 * MS - DK_RESUME_MARGIN_NS,
	     "the point is the last received (C), less the margin");
	/* Cut. D at 102 was published after C and lost in the cut; the
	 * replay (publish order, timeNano >= since) is A B C D. */
	dk_resume_open(&r, T0 + 200 * MS);
	T_EQ(ev(100, 1), 0, "replay A: duplicate");
	T_EQ(ev(103, 2), 0, "replay B: duplicate");
	T_EQ(ev(101, 3), 0, "replay C: duplicate");
	T_EQ(ev(102, 4), DK_RESUME_NEW, "replay D, older than B: new, delivered");
	T_EQ(ev(104, 5), DK_RESUME_NEW, "live E: new");
	/* A reordering within the margin is no clock step. */
	T_EQ(ev(99, 6) & DK_RESUME_BACK, 0, "5 ms back: no clock warning");
}

/* An event published while the agent subscribes comes both in the replay
 * and live (dockerd sends the history, then the live queue). */
static void replayed_and_live(void)
{
	dk_resume_init(&r);
	dk_resume_open(&r, T0);
	ev(1, 1);
	dk_resume_open(&r, T0 + 10 * MS);
	T_EQ(ev(1, 1), 0, "replay: the resume event");
	T_EQ(ev(5, 2), DK_RESUME_NEW, "replay: X, published during the subscribe");
	T_EQ(ev(6, 3), DK_RESUME_NEW, "live: Y");
	T_EQ(ev(5, 2), 0, "live: X again, after a newer one: duplicate");
}

/* An edge board's RTC stamps one event years ahead, then the clock is
 * right again: nothing after it may be dropped. */
static void clock_step_forward(void)
{
	dk_resume_init(&r);
	dk_resume_open(&r, T0);
	ev(1, 1);
	T_EQ(ev(3 * YEAR / MS, 2), DK_RESUME_NEW, "F, 3 years ahead: new");
	T_EQ(ev(2, 3), DK_RESUME_NEW | DK_RESUME_BACK, "live, stamped now: new, clock went back");
	T_EQ(ev(3, 4), DK_RESUME_NEW, "the next one: new");
	T_EQ(since(), T0 + 3 * MS - DK_RESUME_MARGIN_NS, "the point follows the clock again");
	/* The cut came right after F: the resume asks since=F. */
	dk_resume_init(&r);
	dk_resume_open(&r, T0);
	ev(1, 1);
	ev(3 * YEAR / MS, 2);
	dk_resume_open(&r, T0 + 10 * MS);
	T_EQ(ev(3 * YEAR / MS, 2), 0, "replay: F again, duplicate (the history reaches back)");
	T_EQ(ev(12, 3), DK_RESUME_NEW | DK_RESUME_BACK,
	     "live events stamped now after since=F: new (dockerd streams them whatever since says)");
	T_EQ(ev(13, 4), DK_RESUME_NEW, "and the next");
}

/* The clock went back while the agent was away; or a state file written
 * before a board's clock fell back. */
static void clock_step_back(void)
{
	struct dk_resume_mark m[2] = { { T0 + YEAR, 7 }, { T0 + YEAR + MS, 8 } };

	dk_resume_init(&r);
	dk_resume_restore(&r, DK_RESUME_EVENT, T0 + YEAR + MS, m, 2);
	T_EQ(since(), T0 + YEAR + MS - DK_RESUME_MARGIN_NS, "a saved point a year ahead");
	dk_resume_open(&r, T0);
	T_EQ(ev(1, 1), DK_RESUME_NEW | DK_RESUME_GAP | DK_RESUME_BACK,
	     "first live event, stamped now: new (not dropped), a gap (said), the clock went back");
	T_EQ(ev(2, 2), DK_RESUME_NEW, "the next: new");
	T_EQ(since(), T0 + 2 * MS - DK_RESUME_MARGIN_NS, "the point is sane again");
}

/* More events within the margin than the memory holds. */
static void overflow(void)
{
	int i, again = 0, k = DK_RESUME_RECENT + 40;

	dk_resume_init(&r);
	dk_resume_open(&r, T0);
	for (i = 0; i < k; i++)
		ev(1, (uint64_t)i + 1);       /* all at one timeNano */
	dk_resume_open(&r, T0 + 10 * MS);
	for (i = 0; i < k; i++)
		again += ev(1, (uint64_t)i + 1) != 0;
	T_EQ(again, k - DK_RESUME_RECENT, "replayed: only the ones beyond the memory come again");
	T_EQ(ev(2, 999) & DK_RESUME_GAP, 0, "the first replayed was delivered again, not a gap");
}

static void marks(void)
{
	struct dk_resume_mark m[DK_RESUME_RECENT];
	struct dk_resume c;
	unsigned n, i;
	int ok = 1;

	dk_resume_init(&r);
	dk_resume_open(&r, T0);
	T_EQ(dk_resume_marks(&r, m), 0, "no marks before an event");
	for (i = 0; i < DK_RESUME_RECENT + 5; i++)
		ev((int64_t)i, i);
	n = dk_resume_marks(&r, m);
	T_EQ(n, DK_RESUME_RECENT, "the memory is full");
	for (i = 0; i < n; i++)
		ok &= m[i].tn == T0 + (int64_t)(i + 5) * MS && m[i].id == i + 5;
	T_OK(ok, "marks oldest first, the first five forgotten");
	dk_resume_restore(&c, r.kind, r.point, m, n);
	T_EQ(c.point, r.point, "restored point");
	T_EQ(c.top, r.top, "restored top");
	r = c;
	dk_resume_open(&r, T0 + YEAR);
	T_EQ(ev(10, 10), 0, "a restored mark is a duplicate");
	T_EQ(ev(4, 4), DK_RESUME_NEW | DK_RESUME_BACK, "a forgotten one is new");
	/* The highest mark leaves the ring: top is found again. */
	dk_resume_init(&r);
	ev(500, 1);
	for (i = 0; i < DK_RESUME_RECENT; i++)
		ev(100 + (int64_t)i, 100 + i);
	T_EQ(r.top, T0 + (100 + DK_RESUME_RECENT - 1) * MS, "top: the highest left in memory");
	T_EQ(ev(500, 1), DK_RESUME_NEW, "the highest, pushed out: forgotten");
	T_EQ(ev(101, 101), 0, "a remembered one still found");
	/* A point too small for the margin stays positive. */
	dk_resume_init(&r);
	dk_resume_event(&r, 5, 1);
	T_EQ(since(), 1, "since= never 0 or below");
}

int main(void)
{
	in_order();
	resume_covered();
	resume_gap();
	reordered();
	replayed_and_live();
	clock_step_forward();
	clock_step_back();
	overflow();
	marks();
	return T_DONE();
}
