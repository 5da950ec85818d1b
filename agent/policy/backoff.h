/* backoff.h - bounded exponential back-off with jitter, a pure function of
 * its state and the random bits passed in (tests pass them). */
#ifndef DK_BACKOFF_H
#define DK_BACKOFF_H

#include <stdint.h>

struct dk_backoff {
	int64_t min_ms;     /* first delay's floor, > 0 */
	int64_t max_ms;     /* cap, >= min_ms */
	int64_t reset_ms;   /* a connection healthy this long resets attempts */
	unsigned attempt;   /* failures in a row */
};

void dk_backoff_init(struct dk_backoff *b, int64_t min_ms, int64_t max_ms,
                     int64_t reset_ms);

/* Delay before the next attempt, in [min_ms, min(max_ms, min_ms * 2^n)]
 * where n counts failures in a row: full jitter above a floor, so a
 * restarting engine is never hammered and a fleet does not reconnect in
 * step. Counts one more failure. */
int64_t dk_backoff_next(struct dk_backoff *b, uint32_t random);

/* A connection that failed had been up for up_ms: if that reached
 * reset_ms, the next delay starts from the floor again. */
void dk_backoff_up(struct dk_backoff *b, int64_t up_ms);

#endif
