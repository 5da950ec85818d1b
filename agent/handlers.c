/* handlers.c - the default handler table: print every event, as JSON with
 * --json, else as one line. Build with `make HANDLERS=your/handlers.c` to
 * replace this table (see tools/examples/handlers.c). */
#include <stddef.h>
#include "dispatch.h"

const struct dk_handler dk_handlers[] = {
	{ NULL, NULL, dk_handler_json },
	{ NULL, NULL, dk_handler_log },
	{ NULL, NULL, NULL }
};
