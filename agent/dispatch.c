/* dispatch.c - matches an event against the handler table and calls the
 * handlers; also the two built-in handlers (JSON printer, one-line log),
 * which append lines to stdout's buffer (output.h): the loop writes it.
 * The one-line printer escapes control bytes; --json prints the received
 * text as is (JSON: a raw control byte in a string is invalid JSON, and
 * such an event never reaches a handler), with --snapshot the agent's
 * own events too, as it made them, marked "dockev":true. */
#include <stdio.h>
#include <string.h>
#include "dispatch.h"
#include "agent.h"
#include "out.h"
#include "output.h"
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
	/* The engine's records as received (even a "Type":"dockev" of its
	 * own). With --snapshot also the agent's own (connect, disconnect,
	 * resync, the snapshot's lines) as made, each marked with a first
	 * member "dockev":true: a consumer rebuilds the state, and sees the
	 * gaps, from the output alone. Without it, a pipeline of docker
	 * events JSON gets only that. An engine record with the member never
	 * gets here (the loop refuses it). */
	if (!opts->json || (ev->synthetic && !opts->snapshot))
		return 0;
	dk_output_line(ev->json.p, ev->json.n);
	return 0;
}

/* One line, as docker events prints it, with control bytes escaped
 * (dk_out_text): an Action or a label holding a newline must not print a
 * line of its own. Attribute values are cut at 255 bytes; a line over
 * DK_LINE_MAX is cut at a whole character or escape and ends in "...". */
int dk_handler_log(const struct dk_event *ev, const struct dk_opts *opts)
{
	static char line[DK_LINE_MAX];
	char when[40], val[256];
	struct dk_out o;
	size_t n;
	int i;

	if (opts->json)
		return 0;
	if (dk_when_rfc3339(ev->time_nano, when, sizeof when) < 0)
		strcpy(when, "?");
	dk_out_init(&o, line, sizeof line - 4); /* room for "...", NUL */
	dk_out_str(&o, when);
	dk_out_put(&o, " ", 1);
	dk_out_text(&o, ev->type.p, ev->type.n);
	dk_out_put(&o, " ", 1);
	dk_out_text(&o, ev->action.p, ev->action.n);
	dk_out_put(&o, " ", 1);
	dk_out_text(&o, ev->id.p, ev->id.n);
	for (i = 0; i < ev->nattrs; i++) {
		struct dk_str k, v;
		long m;
		if (dk_event_attr(ev, i, &k, &v) < 0)
			break;
		/* A value cut to fit is still shown, with its prefix. */
		m = dk_json_unescape(v.p, v.n, val, sizeof val);
		dk_out_str(&o, i ? ", " : " (");
		dk_out_text(&o, k.p, k.n);
		dk_out_put(&o, "=", 1);
		dk_out_text(&o, val, m >= 0 ? (size_t)m : strlen(val));
	}
	if (ev->nattrs > 0)
		dk_out_put(&o, ")", 1);
	n = o.fit;
	if (o.len > o.fit) /* cut: room was kept for the mark */
		n += (size_t)snprintf(line + n, 4, "...");
	dk_output_line(line, n);
	return 0;
}
