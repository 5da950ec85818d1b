/* debounce.c - the table of held hook runs (--hook-debounce): docker-gen's
 * -wait MIN:MAX per (actor, script directory). A linear table: it holds at
 * most DK_HOOK_DEBOUNCE_MAX entries, and every lookup is by actor and
 * directory, so a scan is cheaper than keeping an index in order.
 */
#include "debounce.h"
#include "err.h"

void dk_debounce_init(struct dk_debounce *d, int64_t min_ms, int64_t max_ms)
{
	d->min_ms = min_ms > 0 ? min_ms : 0;
	d->max_ms = max_ms < d->min_ms ? d->min_ms : max_ms;
	d->n = 0;
}

int dk_debounce_add(struct dk_debounce *d, uint64_t actor, int dir, int job,
                    int64_t now, int *prev)
{
	struct dk_debounce_entry *e;
	int i;

	*prev = -1;
	if (d->min_ms <= 0)
		return DK_ERR_PARAM;
	for (i = 0; i < d->n; i++) {
		e = &d->e[i];
		if (e->actor == actor && e->dir == dir) {
			*prev = e->job;
			e->job = job;
			/* A clock that went back (it is monotonic; a test's may)
			 * must not make the run due earlier than MIN after this. */
			e->last_ms = now > e->last_ms ? now : e->last_ms;
			e->count++;
			return i;
		}
	}
	if (d->n == DK_HOOK_DEBOUNCE_MAX)
		return DK_ERR_NOSPACE;
	e = &d->e[d->n];
	e->actor = actor;
	e->dir = dir;
	e->job = job;
	e->first_ms = e->last_ms = now;
	e->count = 1;
	return d->n++;
}

int64_t dk_debounce_due_at(const struct dk_debounce *d, int i)
{
	const struct dk_debounce_entry *e = &d->e[i];
	int64_t quiet = e->last_ms + d->min_ms, cap = e->first_ms + d->max_ms;

	return quiet < cap ? quiet : cap;
}

int dk_debounce_due(const struct dk_debounce *d, int64_t now)
{
	int i, best = -1;
	int64_t t, best_t = 0;

	for (i = 0; i < d->n; i++) {
		t = dk_debounce_due_at(d, i);
		if (t <= now && (best < 0 || t < best_t)) {
			best = i;
			best_t = t;
		}
	}
	return best;
}

int64_t dk_debounce_next_ms(const struct dk_debounce *d, int64_t now)
{
	int64_t next = -1, t;
	int i;

	for (i = 0; i < d->n; i++) {
		t = dk_debounce_due_at(d, i) - now;
		if (t < 0)
			t = 0;
		if (next < 0 || t < next)
			next = t;
	}
	return next;
}

void dk_debounce_remove(struct dk_debounce *d, int i,
                        struct dk_debounce_entry *out)
{
	if (i < 0 || i >= d->n)
		return;
	if (out)
		*out = d->e[i];
	/* Order does not matter here: the hook queue keeps each actor's. */
	d->e[i] = d->e[--d->n];
}
