/* backoff.c - "full jitter" back-off (delay uniform up to an exponentially
 * growing cap) with a floor at the minimum delay, after FreeRTOS
 * backoffAlgorithm's shape. */
#include "backoff.h"

void dk_backoff_init(struct dk_backoff *b, int64_t min_ms, int64_t max_ms,
                     int64_t reset_ms)
{
	b->min_ms = min_ms > 0 ? min_ms : 1;
	b->max_ms = max_ms >= b->min_ms ? max_ms : b->min_ms;
	b->reset_ms = reset_ms;
	b->attempt = 0;
}

int64_t dk_backoff_next(struct dk_backoff *b, uint32_t random)
{
	int64_t cap = b->min_ms;
	unsigned i;

	for (i = 0; i < b->attempt && cap < b->max_ms; i++)
		cap = cap > b->max_ms / 2 ? b->max_ms : cap * 2;
	if (cap > b->max_ms)
		cap = b->max_ms;
	if (cap < b->max_ms)
		b->attempt++;
	return b->min_ms + (int64_t)(random % (uint64_t)(cap - b->min_ms + 1));
}

void dk_backoff_up(struct dk_backoff *b, int64_t up_ms)
{
	if (up_ms >= b->reset_ms)
		b->attempt = 0;
}
