/* fuzz_stream.c - the whole stream path, raw bytes to dispatch: the agent
 * loop (dk_agent_run) over the scripted transport of tests/fakeport.c,
 * whose connections answer the events request with the fuzz input, in
 * recv pieces the input chooses. "\n--CUT--\n" splits the input into
 * several connections, so reconnects, since= resume and dedupe run too.
 * Connections past the script fail and stop the agent. */
#include <stdio.h>
#include <string.h>
#include "fuzz.h"
#include "agent.h"
#include "dispatch.h"
#include "err.h"
#include "fakeport.h"

static struct dk_agent ag;
static char copy[1 << 20];

/* Reads every field a handler can read. */
static int touch(const struct dk_event *ev, const struct dk_opts *o)
{
	char out[64];
	struct dk_str k, v;
	int i;

	(void)o;
	for (i = 0; i < ev->nattrs; i++)
		if (dk_event_attr(ev, i, &k, &v) != DK_OK)
			__builtin_trap();
	(void)dk_event_attr_get(ev, "name", out, sizeof out);
	return 0;
}

const struct dk_handler dk_handlers[] = {
	{ NULL, NULL, touch },
	{ NULL, NULL, NULL },
};

static const char *find(const char *p, size_t n, const char *s, size_t sn)
{
	size_t i;

	for (i = 0; i + sn <= n; i++)
		if (memcmp(p + i, s, sn) == 0)
			return p + i;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char cut[] = "\n--CUT--\n";
	size_t piece, off = 0;
	int conns = 0;

	if (size < 1 || size > sizeof copy)
		return 0;
	piece = data[0] < 128 ? 0 : (size_t)(data[0] - 127);
	memcpy(copy, data + 1, size - 1);
	size--;

	memset(&ag, 0, offsetof(struct dk_agent, hooks));
	ag.opts.api_version = "1.41";   /* no /_ping: every byte is the answer */
	ag.opts.has_since = 1;
	ag.opts.backoff_min_ms = 10;
	ag.opts.backoff_max_ms = 20;
	ag.opts.backoff_reset_ms = 60000;
	ag.opts.hook_timeout_ms = DK_HOOK_TIMEOUT_MS;
	ag.opts.hook_jobs = DK_HOOK_JOBS_DEFAULT;
	ag.opts.hook_queue = DK_HOOK_QUEUE_DEFAULT;
	if (dk_endpoint_parse(&ag.ep, "unix:///run/docker.sock", 0) != DK_OK ||
	    dk_agent_init(&ag) != DK_OK)
		__builtin_trap();
	fake_script_reset();
	fake_log_reset();
	fake_now_ms = 1000000;
	fake_wall_ns = 1795792600000000000LL;
	while (conns < 8) {
		struct fake_conn *c = fake_conn_add();
		const char *end = find(copy + off, size - off, cut, sizeof cut - 1);
		size_t n = end ? (size_t)(end - (copy + off)) : size - off;

		fake_data(c, copy + off, n, piece);
		fake_eof(c);
		conns++;
		if (!end)
			break;
		off += n + sizeof cut - 1;
	}
	(void)dk_agent_run(&ag);
	if (ag.t.fd >= 0)
		ag.t.close(&ag.t);
	if (fake_overrun)
		__builtin_trap(); /* a wait for ever nothing could end: a hang */
	return 0;
}
