/* fuzz_hookenv.c - the hook environment builder over any event the
 * decoder accepts: every variable it makes is NAME=VALUE, NUL-terminated,
 * inside its buffer, each name once, and the list is NULL-terminated
 * within its bound. */
#include <string.h>
#include "fuzz.h"
#include "config.h"
#include "err.h"
#include "event.h"
#include "hookenv.h"

static struct dk_event ev;
static struct dk_hookenv env;
static char *base[] = { "PATH=/usr/bin:/bin", "DOCKEV_NAME=stale",
                        "DOCKEV_NOTIFY_URL=http://x", "HOME=/", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int n, i, j;

	if (dk_event_parse(&ev, (const char *)data, size) != DK_OK)
		return 0;
	n = dk_hookenv_build(&env, &ev, "unix:///run/docker.sock", base);
	if (n < 0 || n > DK_HOOK_ENV_VARS || env.vars[n] != NULL)
		__builtin_trap();
	if (!memchr(env.notes, '\0', sizeof env.notes))
		__builtin_trap();
	for (i = 0; i < n; i++) {
		const char *v = env.vars[i];
		int mine = v >= env.buf && v < env.buf + sizeof env.buf;
		if (mine && !memchr(v, '\0', (size_t)(env.buf + sizeof env.buf - v)))
			__builtin_trap();
		if (!strchr(v, '='))
			__builtin_trap();
		if (mine && strncmp(v, "DOCKEV_", 7) != 0)
			__builtin_trap();
		/* One name, one value. */
		for (j = 0; j < i; j++) {
			size_t a = strcspn(v, "="), b = strcspn(env.vars[j], "=");
			if (a == b && memcmp(v, env.vars[j], a) == 0)
				__builtin_trap();
		}
	}
	return 0;
}
