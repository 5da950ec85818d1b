/* fuzz_object.c - a list element made an event (object.c) on arbitrary
 * bytes: it never writes past its buffer, an error leaves "", a result is
 * NUL-terminated and is an event the agent takes (the kind's Type, Action
 * "exists", the "dockev" mark, the snapshot point; invalid only when the
 * element held a raw control byte, which jsmn lets through and the event
 * view refuses, or too many tokens), and a buffer one byte short of it
 * says so. */
#include <string.h>
#include "fuzz.h"
#include "config.h"
#include "err.h"
#include "event.h"
#include "object.h"

#define T0 1795792645501499766LL
#define GUARD 16

static char out[DK_LIST_EVENT_MAX + GUARD], again[DK_LIST_EVENT_MAX];
static struct dk_event ev;

static void guard_ok(size_t cap)
{
	size_t i;

	for (i = cap; i < cap + GUARD; i++)
		if (out[i] != '\x5a')
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *rec;
	size_t len, cap, i;
	long n, m;
	int kind, ctl = 0;

	if (size < 1 || size > DK_LIST_BUF + 1)
		return 0;
	/* Byte 0: the kind (0..2, 3 an unknown one) and, in its high
	 * bits, a small buffer (1..63 bytes) or the agent's. */
	kind = data[0] & 3;
	cap = data[0] >> 2 ? (size_t)(data[0] >> 2) : DK_LIST_EVENT_MAX;
	rec = (const char *)data + 1;
	len = size - 1;
	for (i = 0; i < len; i++)
		ctl |= (unsigned char)rec[i] < 0x20;

	memset(out, 0x5a, sizeof out);
	n = dk_object_event(kind, rec, len, T0, out, cap);
	guard_ok(cap);
	if (n < 0) {
		if (out[0] != '\0' || (n != DK_ERR_JSON && n != DK_ERR_TOKENS &&
		                       n != DK_ERR_EVENT && n != DK_ERR_NOSPACE))
			__builtin_trap();
		if (kind == 3 && n != DK_ERR_EVENT)
			__builtin_trap();
		return 0;
	}
	if (kind == 3 || (size_t)n >= cap || out[n] != '\0' ||
	    strlen(out) != (size_t)n)
		__builtin_trap();
	/* One byte short: NOSPACE and "", never a cut event. */
	m = dk_object_event(kind, rec, len, T0, again, (size_t)n);
	if (m != DK_ERR_NOSPACE || (n > 0 && again[0] != '\0'))
		__builtin_trap();
	/* What the agent does next. */
	switch (dk_event_parse(&ev, out, (size_t)n)) {
	case DK_OK:
		break;
	case DK_ERR_TOKENS:
		/* Up to 509 labels fit the element's tokens, not the event's
		 * (19 more): the agent skips and counts it. */
		return 0;
	case DK_ERR_JSON:
		if (!ctl)
			__builtin_trap();
		return 0;
	default:
		__builtin_trap();
	}
	if (ev.type.n != strlen(dk_object_type(kind)) ||
	    memcmp(ev.type.p, dk_object_type(kind), ev.type.n) != 0 ||
	    ev.action.n != 6 || memcmp(ev.action.p, "exists", 6) != 0 ||
	    !ev.marked || ev.time_nano != T0 || ev.id.n == 0)
		__builtin_trap();
	return 0;
}
