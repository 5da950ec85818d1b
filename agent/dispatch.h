/* dispatch.h - compiled-in handlers: a static table chosen at build time
 * (agent/handlers.c, or the file given as make HANDLERS=...).
 *
 * A handler runs inline in the reader's loop with the event view valid only
 * for the call: it must be quick and must not block (no I/O that can stall;
 * copy what it keeps). Slow reactions belong in hook scripts.
 */
#ifndef DK_DISPATCH_H
#define DK_DISPATCH_H

#include "event.h"

struct dk_opts;

/* Return 0 to go on, DK_HANDLER_STOP to stop the agent (exit status 0
 * after this event), or a negative value to stop it with an error
 * (exit status 1). */
#define DK_HANDLER_STOP 1
typedef int (*dk_handler_fn)(const struct dk_event *ev,
                             const struct dk_opts *opts);

struct dk_handler {
	const char *type;    /* match Type exactly; NULL = any */
	const char *action;  /* match the base action, or the whole Action;
	                        NULL = any */
	dk_handler_fn fn;    /* NULL ends the table */
};

/* The build's table, ended by an entry with fn == NULL. */
extern const struct dk_handler dk_handlers[];

/* Call every matching handler of table in order. Returns 0, or the first
 * non-zero handler result (later handlers are not called then). */
int dk_dispatch(const struct dk_handler *table, const struct dk_event *ev,
                const struct dk_opts *opts);

/* Built-in handlers for tables to use. */
/* --json: the event's JSON text exactly as received, one line, stdout;
 * with --snapshot also the agent's own events (dockev connect ..., the
 * snapshot's) as it made them, their first member "dockev":true. */
int dk_handler_json(const struct dk_event *ev, const struct dk_opts *opts);
/* Without --json: one line per event on stdout, as `docker events` prints:
 * "2026-11-27T15:17:24.528802200Z volume create vol1 (driver=local)". */
int dk_handler_log(const struct dk_event *ev, const struct dk_opts *opts);

#endif
