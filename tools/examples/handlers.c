/* handlers.c - an example handler table for `make HANDLERS=...`: the two
 * built-in printers plus a handler that notices containers dying with a
 * non-zero exit code. Build: make HANDLERS=tools/examples/handlers.c
 *
 * A handler runs inline in the reader's loop: it must be quick and must
 * not block. Copy what you keep; the event view is gone after the call.
 */
#include <stddef.h>
#include <stdlib.h>
#include "dispatch.h"
#include "port.h"

static unsigned long failures;

static int died(const struct dk_event *ev, const struct dk_opts *opts)
{
	char code[16], name[128];

	(void)opts;
	if (dk_event_attr_get(ev, "exitCode", code, sizeof code) <= 0 ||
	    atoi(code) == 0)
		return 0;
	if (dk_event_attr_get(ev, "name", name, sizeof name) < 0)
		name[0] = '\0';
	failures++;
	dk_port_log(DK_LOG_WARN, "example: container %s (%.12s) died with exit "
	            "code %s (%lu failures so far)", name, ev->id.p, code,
	            failures);
	return 0;
}

const struct dk_handler dk_handlers[] = {
	{ NULL, NULL, dk_handler_json },
	{ NULL, NULL, dk_handler_log },
	{ "container", "die", died },
	{ NULL, NULL, NULL }
};
