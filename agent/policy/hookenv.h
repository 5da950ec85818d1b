/* hookenv.h - the environment of one hook script, built in fixed memory
 * from an event (pure: no port.h; the caller passes the agent's environ).
 */
#ifndef DK_HOOKENV_H
#define DK_HOOKENV_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "event.h"

/* The environment for one script: our DOCKEV_* variables in buf, the
 * agent's own (without its DOCKEV_* ones) by pointer. */
struct dk_hookenv {
	char buf[DK_HOOK_ENV_BYTES];
	char *vars[DK_HOOK_ENV_VARS + 1];
	int n;
	int own_dropped;       /* of the agent's own, past DK_HOOK_OWN_VARS */
	/* Per attribute: its variable name's hash, length and rank, to give
	 * each name one value (see dk_hookenv_build). */
	uint64_t hash[DK_HOOK_ATTRS_MAX];
	unsigned short len[DK_HOOK_ATTRS_MAX];
	unsigned char rank[DK_HOOK_ATTRS_MAX];
	char notes[256];       /* what was cut or left out, for one log line */
};

/* Build the environment of a script for ev into e (pure; for tests and
 * fuzzing): base (the agent's environ) without the variables we set, its
 * first DK_HOOK_OWN_VARS only (e->own_dropped counts the rest; not a
 * note: dk_hook_init warns once), then DOCKEV_TYPE ... DOCKEV_ATTR_<KEY>,
 * one per name: of attribute keys that map to one name, a key the engine
 * sets wins, then a key of lower-case letters, digits, '.' and '-', then
 * the first in the event (not a note: normal data).
 * Values are unescaped; one longer than DK_HOOK_VALUE_MAX is cut, one
 * holding a NUL byte is left out, and e->notes says so. Returns the number
 * of variables. */
int dk_hookenv_build(struct dk_hookenv *e, const struct dk_event *ev,
                     const char *host, char *const *base);

/* Is var ("NAME=value" or "NAME") one of the variables a hook gets from
 * us (DOCKEV_TYPE ... DOCKEV_HOST, DOCKEV_ATTR_*)? 1 or 0. */
int dk_hookenv_ours(const char *var);

#endif
