/* test_debounce.c - the held-run table of --hook-debounce (policy/
 * debounce.c) with a settable clock: a burst coalesces to its last event,
 * due MIN after the last event or MAX after the first, whichever is
 * sooner; actors and directories apart; a full table holds nothing more. */
#include "t.h"
#include "debounce.h"
#include "err.h"

static struct dk_debounce d;

static void burst(void)
{
	int prev, i;

	dk_debounce_init(&d, 100, 1000);
	T_EQ(dk_debounce_next_ms(&d, 0), -1, "empty: nothing due ever");
	T_EQ(dk_debounce_due(&d, 1000000), -1, "empty: nothing due now");
	i = dk_debounce_add(&d, 7, 1, 10, 0, &prev);
	T_EQ(i, 0, "the first event makes an entry");
	T_EQ(prev, -1, "and supersedes nothing");
	T_EQ(dk_debounce_next_ms(&d, 0), 100, "due MIN after it");
	T_EQ(dk_debounce_due(&d, 99), -1, "not due before MIN");
	i = dk_debounce_add(&d, 7, 1, 11, 50, &prev);
	T_EQ(i, 0, "the same actor and directory: the same entry");
	T_EQ(prev, 10, "the earlier run is superseded");
	T_EQ(d.e[0].job, 11, "the entry holds the last event's run");
	T_EQ(d.e[0].count, 2, "two events counted");
	T_EQ(d.n, 1, "one entry");
	T_EQ(dk_debounce_due(&d, 120), -1, "quiet time starts again at each event");
	T_EQ(dk_debounce_next_ms(&d, 120), 30, "due MIN after the last event");
	T_EQ(dk_debounce_due(&d, 150), 0, "due at last + MIN");
	dk_debounce_add(&d, 7, 1, 12, 140, &prev);
	T_EQ(prev, 11, "a later event supersedes again");
	T_EQ(dk_debounce_due_at(&d, 0), 240, "due moves on");
}

static void max_bound(void)
{
	int prev, t;

	dk_debounce_init(&d, 100, 350);
	/* An event every 90 ms: never MIN of quiet, so MAX ends it. */
	for (t = 0; t <= 450; t += 90)
		dk_debounce_add(&d, 1, 0, t, t, &prev);
	T_EQ(d.n, 1, "a steady stream: one entry");
	T_EQ(dk_debounce_due_at(&d, 0), 350, "due MAX after the first event");
	T_EQ(dk_debounce_due(&d, 349), -1, "not before");
	T_EQ(dk_debounce_due(&d, 350), 0, "due at first + MAX");
	T_EQ(d.e[0].job, 450, "with the last event");
	T_EQ(d.e[0].count, 6, "six events coalesced");
	T_EQ(dk_debounce_next_ms(&d, 400), 0, "overdue: next is 0, not negative");

	dk_debounce_init(&d, 100, 20);
	T_EQ(d.max_ms, 100, "MAX below MIN is taken as MIN");
	dk_debounce_init(&d, 0, 20);
	T_EQ(dk_debounce_add(&d, 1, 0, 1, 0, &prev), DK_ERR_PARAM, "off: nothing held");
	T_EQ(prev, -1, "off: nothing superseded");
}

static void apart(void)
{
	struct dk_debounce_entry e;
	int prev, i;

	dk_debounce_init(&d, 100, 1000);
	dk_debounce_add(&d, 1, 1, 1, 0, &prev);        /* actor 1, T.d */
	dk_debounce_add(&d, 2, 1, 2, 10, &prev);       /* actor 2, T.d */
	T_EQ(prev, -1, "another actor: its own entry");
	dk_debounce_add(&d, 1, 0, 3, 20, &prev);       /* actor 1, T.A.d */
	T_EQ(prev, -1, "another directory: its own entry");
	dk_debounce_add(&d, 1, 1, 4, 30, &prev);
	T_EQ(prev, 1, "actor 1's T.d run superseded by its own later event only");
	T_EQ(d.n, 3, "three entries");
	i = dk_debounce_due(&d, 125);
	T_OK(i >= 0 && d.e[i].actor == 2, "actor 2 is due first (10 + 100)");
	dk_debounce_remove(&d, i, &e);
	T_EQ(e.job, 2, "removed, copied out");
	T_EQ(d.n, 2, "two left");
	i = dk_debounce_due(&d, 125);
	T_OK(i >= 0 && d.e[i].dir == 0 && d.e[i].job == 3, "then actor 1's T.A.d (20 + 100)");
	dk_debounce_remove(&d, i, NULL);
	T_EQ(dk_debounce_due(&d, 125), -1, "actor 1's T.d not yet (30 + 100)");
	T_EQ(dk_debounce_next_ms(&d, 125), 5, "in 5 ms");
	dk_debounce_remove(&d, 5, NULL);
	T_EQ(d.n, 1, "removing a bad index changes nothing");
}

static void full(void)
{
	int prev, i;

	dk_debounce_init(&d, 100, 1000);
	for (i = 0; i < DK_HOOK_DEBOUNCE_MAX; i++)
		T_OK(dk_debounce_add(&d, (uint64_t)i, 2, i, i, &prev) == i, "entry %d", i);
	T_EQ(dk_debounce_add(&d, 999, 2, 999, 50, &prev), DK_ERR_NOSPACE,
	     "full: a new actor is not held");
	T_EQ(prev, -1, "and supersedes nothing");
	T_EQ(dk_debounce_add(&d, 3, 2, 1003, 50, &prev), 3,
	     "full: a held actor's next event still coalesces");
	T_EQ(prev, 3, "superseding its run");
	dk_debounce_remove(&d, dk_debounce_due(&d, 100), NULL);
	T_OK(dk_debounce_add(&d, 999, 2, 999, 101, &prev) >= 0, "room again after a release");
}

int main(void)
{
	burst();
	max_bound();
	apart();
	full();
	return T_DONE();
}
