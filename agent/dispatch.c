/* dispatch.c - matches an event against the handler table and calls the
 * handlers; also the two built-in handlers (JSON printer, one-line log),
 * which write to stdout's buffer: the agent flushes it before it waits. */
#include <stdio.h>
#include <string.h>
#include "dispatch.h"
#include "agent.h"
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
	/* Only what the engine sent: synthetic events have no received
	 * text, and a pipeline of docker events JSON expects none. */
	if (!opts->json || (ev->type.n == 6 && memcmp(ev->type.p, "dockev", 6) == 0))
		return 0;
	fwrite(ev->json.p, 1, ev->json.n, stdout);
	putchar('\n');
	return 0;
}

int dk_handler_log(const struct dk_event *ev, const struct dk_opts *opts)
{
	char when[40], val[256];
	int i;

	if (opts->json)
		return 0;
	if (dk_when_rfc3339(ev->time_nano, when, sizeof when) < 0)
		strcpy(when, "?");
	printf("%s %.*s %.*s %.*s", when, (int)ev->type.n, ev->type.p,
	       (int)ev->action.n, ev->action.p, (int)ev->id.n, ev->id.p);
	for (i = 0; i < ev->nattrs; i++) {
		struct dk_str k, v;
		if (dk_event_attr(ev, i, &k, &v) < 0)
			break;
		/* A value cut to fit is still shown, with its prefix. */
		dk_json_unescape(v.p, v.n, val, sizeof val);
		printf("%s%.*s=%s", i ? ", " : " (", (int)k.n, k.p, val);
	}
	fputs(ev->nattrs > 0 ? ")\n" : "\n", stdout);
	return 0;
}
