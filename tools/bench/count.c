/* count.c - the handler table of the benchmark's "compiled-in handler"
 * client (make HANDLERS=tools/bench/count.c): one handler that counts the
 * engine's events and prints nothing per event, so what it costs is the
 * agent itself: read, dechunk, frame, tokenize, check, dedupe, dispatch.
 * The count goes to the log when the stream ends (the synthetic
 * disconnect event), so a run can be checked for completeness. */
#include <stddef.h>
#include <string.h>
#include "dispatch.h"
#include "port.h"

static unsigned long events;

static int count(const struct dk_event *ev, const struct dk_opts *opts)
{
	(void)opts;
	if (ev->type.n == 6 && memcmp(ev->type.p, "dockev", 6) == 0) {
		if (ev->base.n == 10 && memcmp(ev->base.p, "disconnect", 10) == 0)
			dk_port_log(DK_LOG_ERR, "bench-count: %lu events", events);
		return 0;
	}
	events++;
	return 0;
}

const struct dk_handler dk_handlers[] = {
	{ NULL, NULL, count },
	{ NULL, NULL, NULL }
};
