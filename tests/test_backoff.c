/* test_backoff.c - bounds, growth, jitter and reset of the back-off. */
#include "t.h"
#include "backoff.h"

int main(void)
{
	struct dk_backoff b;
	int64_t d = 0;
	int i, out = 0;

	dk_backoff_init(&b, 500, 30000, 60000);
	T_EQ(dk_backoff_next(&b, 0), 500, "first delay, random 0: the floor");
	T_EQ(dk_backoff_next(&b, 0xffffffffu), 500 + 0xffffffffu % 501,
	     "second delay within [500, 1000]");
	dk_backoff_init(&b, 500, 30000, 60000);
	/* Random bits of exactly cap - min give the cap itself: attempt n's
	 * delay is min * 2^n capped at max, no more and no less. */
	for (i = 0; i < 20; i++) {
		int64_t hi = 500LL << (i < 6 ? i : 6);
		if (hi > 30000)
			hi = 30000;
		d = dk_backoff_next(&b, (uint32_t)(hi - 500));
		if (d != hi)
			out++;
	}
	T_EQ(out, 0, "20 attempts: the n-th delay's ceiling is min*2^n capped at max");
	T_EQ(d, 30000, "the cap is reached and held");
	dk_backoff_init(&b, 500, 30000, 60000);
	for (i = 0, out = 0; i < 20; i++) {
		d = dk_backoff_next(&b, 0xffffffffu - (uint32_t)i * 7919u);
		if (d < 500 || d > 30000)
			out++;
	}
	T_EQ(out, 0, "any random bits: within [min, max]");
	T_OK(dk_backoff_next(&b, 29500) == 30000, "never above max");
	dk_backoff_up(&b, 59999);
	T_OK(b.attempt > 0, "a short-lived connection does not reset");
	dk_backoff_up(&b, 60000);
	T_EQ(dk_backoff_next(&b, 0xffffffffu), 500, "a healthy connection resets");
	dk_backoff_init(&b, 0, -5, 0);
	T_OK(dk_backoff_next(&b, 123) >= 1, "degenerate settings never give 0 (no tight loop)");
	dk_backoff_init(&b, 1000, 1000, 0);
	T_EQ(dk_backoff_next(&b, 77), 1000, "min == max: fixed delay");
	return T_DONE();
}
