/* dispatch.c - matches an event against the handler table and calls the
 * handlers; also the two built-in handlers (JSON printer, one-line log),
 * which write to stdout's buffer: the agent flushes it before it waits.
 * The one-line printer escapes control bytes; --json prints the received
 * text as is (JSON: a raw control byte in a string is invalid JSON, and
 * such an event never reaches a handler). */
#include <stdio.h>
#include <string.h>
#include "dispatch.h"
#include "agent.h"
#include "out.h"
#include "when.h"

static int matches(const char *want, struct dk_str s)
{
	return !want || (strlen(want) == s.n && memcmp(want, s.p, s.n) == 0);
}

int dk_dispatch(const struct dk_handler *table, const struct dk_event *ev,
                const struct dk_opts *opts)
{
	const struct dk_handler *h;

	for (h = table; h->fn; h++) {
		int r;
		if (!matches(h->type, ev->type))
			continue;
		if (!matches(h->action, ev->base) && !matches(h->action, ev->action))
			continue;
		if ((r = h->fn(ev, opts)) != 0)
			return r;
	}
	return 0;
}

int dk_handler_json(const struct dk_event *ev, const struct dk_opts *opts)
{
	/* Only what the engine sent (even a "Type":"dockev" of its own):
	 * synthetic events have no received text, and a pipeline of docker
	 * events JSON expects none. */
	if (!opts->json || ev->synthetic)
		return 0;
	fwrite(ev->json.p, 1, ev->json.n, stdout);
	putchar('\n');
	return 0;
}

/* Event text to stdout with control bytes escaped (dk_out_text): an Action
 * or a label holding a newline must not print a line of its own. In
 * slices, as nothing bounds an event's text here. */
static void put_text(const char *s, size_t n)
{
	char buf[4 * 257]; /* 4 bytes out per byte in, at most */
	struct dk_out o;

	while (n > 0) {
		size_t k = 256;
		/* A C1 control's two bytes stay in one slice. */
		if (n <= k)
			k = n;
		else if ((unsigned char)s[k - 1] == 0xc2)
			k++;
		dk_out_init(&o, buf, sizeof buf);
		dk_out_text(&o, s, k);
		fwrite(buf, 1, o.fit, stdout);
		s += k;
		n -= k;
	}
}

int dk_handler_log(const struct dk_event *ev, const struct dk_opts *opts)
{
	char when[40], val[256];
	int i;

	if (opts->json)
		return 0;
	if (dk_when_rfc3339(ev->time_nano, when, sizeof when) < 0)
		strcpy(when, "?");
	fputs(when, stdout);
	putchar(' ');
	put_text(ev->type.p, ev->type.n);
	putchar(' ');
	put_text(ev->action.p, ev->action.n);
	putchar(' ');
	put_text(ev->id.p, ev->id.n);
	for (i = 0; i < ev->nattrs; i++) {
		struct dk_str k, v;
		long n;
		if (dk_event_attr(ev, i, &k, &v) < 0)
			break;
		/* A value cut to fit is still shown, with its prefix. */
		n = dk_json_unescape(v.p, v.n, val, sizeof val);
		fputs(i ? ", " : " (", stdout);
		put_text(k.p, k.n);
		putchar('=');
		put_text(val, n >= 0 ? (size_t)n : strlen(val));
	}
	fputs(ev->nattrs > 0 ? ")\n" : "\n", stdout);
	return 0;
}
