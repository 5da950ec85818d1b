/* agentfix.h - the unit tests' agent on the fake port: the options main.c
 * would leave at their defaults, a unix endpoint, dk_agent_init, and the
 * fake port's script, log and clocks reset. Each test then sets what is
 * its own (records, wall clock, MQTT). Include after agent.h, fakeport.h. */
#ifndef DK_TESTS_AGENTFIX_H
#define DK_TESTS_AGENTFIX_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* backoff min/max/reset in ms; api and state NULL for none. */
static void agent_fixture(struct dk_agent *ag, int64_t min_ms, int64_t max_ms,
                          int64_t reset_ms, const char *api, const char *state)
{
	/* Not the hook ring (1 MiB): dk_hook_init sets up the rest. */
	memset(ag, 0, offsetof(struct dk_agent, hooks));
	ag->opts.backoff_min_ms = min_ms;
	ag->opts.backoff_max_ms = max_ms;
	ag->opts.backoff_reset_ms = reset_ms;
	ag->opts.hook_timeout_ms = DK_HOOK_TIMEOUT_MS;
	ag->opts.hook_jobs = DK_HOOK_JOBS_DEFAULT;
	ag->opts.hook_queue = DK_HOOK_QUEUE_DEFAULT;
	ag->opts.api_version = api;
	ag->opts.state_file = state;
	if (dk_endpoint_parse(&ag->ep, "unix:///run/docker.sock", 0) != DK_OK ||
	    dk_agent_init(ag) != DK_OK) {
		printf("Bail out! agent setup\n");
		exit(1);
	}
	fake_script_reset();
	fake_log_reset();
	fake_now_ms = 1000000;
	fake_random = 0;
}

#endif
