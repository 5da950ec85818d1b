/* resume.c - the resume point and the memory of recently delivered
 * events (see resume.h for the rules and what they allow). A ring of
 * DK_RESUME_RECENT marks; the live path looks nothing up while events
 * come stamped later than every remembered one, which is the common case.
 */
#include <string.h>
#include "resume.h"

void dk_resume_init(struct dk_resume *r)
{
	memset(r, 0, sizeof *r);
}

int dk_resume_since(const struct dk_resume *r, int64_t *since)
{
	if (r->kind == DK_RESUME_NONE)
		return 0;
	*since = r->point;
	if (r->kind == DK_RESUME_EVENT)
		*since -= r->point > DK_RESUME_MARGIN_NS ? DK_RESUME_MARGIN_NS
		                                         : r->point - 1;
	return 1;
}

void dk_resume_open(struct dk_resume *r, int64_t now)
{
	if (r->kind == DK_RESUME_NONE && now > 0) {
		r->kind = DK_RESUME_CLOCK;
		r->point = now;
	}
	r->verify = r->replaying = r->kind == DK_RESUME_EVENT;
	r->from = r->point;
}

static int known(const struct dk_resume *r, int64_t tn, uint64_t id)
{
	unsigned i, k = r->n < DK_RESUME_RECENT ? r->n : DK_RESUME_RECENT;

	/* cppcheck 2.10 follows dk_resume_init's memset into every caller
	 * and takes n for 0; remember() raises it with every new event. */
	/* cppcheck-suppress knownConditionTrueFalse */
	if (k == 0 || tn > r->top)
		return 0;
	/* cppcheck-suppress knownConditionTrueFalse */
	for (i = 0; i < k; i++)
		if (r->recent[i].tn == tn && r->recent[i].id == id)
			return 1;
	return 0;
}

static void remember(struct dk_resume *r, int64_t tn, uint64_t id)
{
	struct dk_resume_mark *m = &r->recent[r->n % DK_RESUME_RECENT];
	int64_t old = r->n >= DK_RESUME_RECENT ? m->tn : 0;
	unsigned i;

	m->tn = tn;
	m->id = id;
	r->n++;
	if (tn > r->top) {
		r->top = tn;
	} else if (old == r->top && old != tn) {
		/* The highest mark left the ring: find the next one (rare: it
		 * takes an event stamped ahead of the DK_RESUME_RECENT after it). */
		r->top = 0;
		for (i = 0; i < DK_RESUME_RECENT; i++)
			if (r->recent[i].tn > r->top)
				r->top = r->recent[i].tn;
	}
}

int dk_resume_event(struct dk_resume *r, int64_t tn, uint64_t id)
{
	int v = DK_RESUME_NEW;

	if (tn <= 0)
		return DK_RESUME_NEW;
	if (known(r, tn, id)) {
		r->verify = 0;
		return 0;
	}
	if (r->verify) {
		r->verify = 0;
		v |= DK_RESUME_GAP;
	}
	if (r->kind == DK_RESUME_EVENT && tn < r->point - DK_RESUME_MARGIN_NS)
		v |= DK_RESUME_BACK;
	/* A replay comes in the order the marks were added: an event older
	 * than the memory reaches, remembered now, would push out the marks
	 * the rest of the replay needs, and each of them would then come
	 * again too. So while replaying, a full memory takes no new mark;
	 * the replay ends with the first event newer than every mark. */
	if (tn > r->top)
		r->replaying = 0;
	if (!r->replaying || r->n < DK_RESUME_RECENT)
		remember(r, tn, id);
	r->kind = DK_RESUME_EVENT;
	r->point = tn;
	return v;
}

unsigned dk_resume_marks(const struct dk_resume *r, struct dk_resume_mark *out)
{
	unsigned k = r->n < DK_RESUME_RECENT ? r->n : DK_RESUME_RECENT, i;
	unsigned first = r->n - k;

	/* cppcheck-suppress knownConditionTrueFalse ; as in known() */
	for (i = 0; i < k; i++)
		out[i] = r->recent[(first + i) % DK_RESUME_RECENT];
	return k;
}

void dk_resume_restore(struct dk_resume *r, enum dk_resume_kind kind,
                       int64_t point, const struct dk_resume_mark *marks,
                       unsigned count)
{
	unsigned i;

	dk_resume_init(r);
	for (i = 0; i < count && i < DK_RESUME_RECENT; i++)
		remember(r, marks[i].tn, marks[i].id);
	r->kind = kind;
	r->point = point;
}
