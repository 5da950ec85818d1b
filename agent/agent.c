/* agent.c - the loop around sessions: bounded jittered back-off between
 * attempts, resume with since= after a reconnect and drop what the
 * inclusive since= brings back again, synthetic dockev events, counters.
 */
#include <stdio.h>
#include <string.h>
#include "agent.h"
#include "dispatch.h"
#include "err.h"
#include "filter.h"

int dk_agent_init(struct dk_agent *ag)
{
	int bad = -1, n;

	n = dk_filter_build(ag->filters, sizeof ag->filters, ag->opts.filters,
	                    ag->opts.nfilters, &bad);
	if (n < 0)
		return n;
	strcpy(ag->version, ag->opts.api_version ? ag->opts.api_version
	                                          : DK_API_VERSION);
	dk_backoff_init(&ag->bo, ag->opts.backoff_min_ms,
	                ag->opts.backoff_max_ms, ag->opts.backoff_reset_ms);
	dk_framer_init(&ag->fr, ag->buf, sizeof ag->buf);
	ag->t.fd = -1;
	return DK_OK;
}

/* A 64-bit hash of the record, 8 bytes a step (this runs for every event):
 * identifies an event among those sharing one timeNano, which the engine
 * sends again after an inclusive since=. */
static uint64_t hash(const char *p, size_t n)
{
	const uint64_t k = 0x9E3779B97F4A7C15ULL;
	uint64_t h = n * k, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * k;
	return h ^ (h >> 32);
}

static int seen(const struct dk_agent *ag, uint64_t h)
{
	unsigned i, n = ag->nseen < DK_DEDUPE_MAX ? ag->nseen : DK_DEDUPE_MAX;
	for (i = 0; i < n; i++)
		if (ag->seen[i] == h)
			return 1;
	return 0;
}

static void skipped(struct dk_agent *ag, int err, const char *rec, size_t len)
{
	char id[96];

	switch (err) {
	case DK_ERR_TOKENS: ag->n.too_many_tokens++; break;
	case DK_ERR_JSON: ag->n.bad_json++; break;
	default: ag->n.invalid++; break;
	}
	dk_event_identify(rec, len, id, sizeof id);
	dk_port_log(DK_LOG_WARN, "skipped event (%s, %zu bytes): %s",
	            dk_strerror(err), len, id);
}

int dk_agent_deliver(struct dk_agent *ag, const char *rec, size_t len)
{
	int r = dk_event_parse(&ag->ev, rec, len);
	int64_t tn;
	uint64_t h;

	if (r < 0) {
		skipped(ag, r, rec, len);
		return 0;
	}
	tn = ag->ev.time_nano;
	h = hash(rec, len);
	if (ag->replaying) {
		if (tn < ag->resume_ns ||
		    (tn == ag->resume_ns && seen(ag, h))) {
			ag->n.duplicates++;
			return 0;
		}
		if (tn > ag->resume_ns)
			ag->replaying = 0;
	}
	if (!ag->have_event || tn > ag->resume_ns) {
		ag->resume_ns = tn;
		ag->have_resume = ag->have_event = 1;
		ag->nseen = 0;
	}
	if (tn == ag->resume_ns)
		ag->seen[ag->nseen++ % DK_DEDUPE_MAX] = h;
	ag->n.events++;
	return dk_dispatch(dk_handlers, &ag->ev, &ag->opts);
}

/* Write s as JSON string contents (quotes and controls escaped). */
static size_t json_str(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	for (; *s && o + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

int dk_agent_synthetic(struct dk_agent *ag, const char *action)
{
	char url[sizeof ag->ep.url * 2], why[sizeof ag->why * 2];
	int64_t now = dk_port_wall_ns();
	int n, r;

	json_str(url, sizeof url, ag->ep.url);
	json_str(why, sizeof why, strcmp(action, "disconnect") == 0 ? ag->why : "");
	n = snprintf(ag->synth, sizeof ag->synth,
	             "{\"Type\":\"dockev\",\"Action\":\"%s\",\"Actor\":{\"ID\":\"%s\","
	             "\"Attributes\":{\"host\":\"%s\",\"api\":\"%s\","
	             "\"reason\":\"%s\",\"reconnects\":\"%llu\"}},\"scope\":\"local\","
	             "\"time\":%lld,\"timeNano\":%lld}",
	             action, url, url, ag->version, why,
	             (unsigned long long)ag->n.reconnects,
	             (long long)(now / 1000000000), (long long)now);
	if (n < 0 || (size_t)n >= sizeof ag->synth)
		return 0;
	r = dk_event_parse(&ag->ev, ag->synth, (size_t)n);
	if (r < 0)
		return 0;
	return dk_dispatch(dk_handlers, &ag->ev, &ag->opts);
}

void dk_agent_log_counters(const struct dk_agent *ag)
{
	const struct dk_counters *c = &ag->n;
	dk_port_log(DK_LOG_NOTICE,
	            "counters: events %llu, duplicates dropped %llu, skipped %llu "
	            "(too big %llu, too many tokens %llu, bad json %llu, "
	            "invalid %llu), connects %llu, reconnects %llu, bytes %llu",
	            (unsigned long long)c->events, (unsigned long long)c->duplicates,
	            (unsigned long long)(c->too_big + c->too_many_tokens +
	                                 c->bad_json + c->invalid),
	            (unsigned long long)c->too_big,
	            (unsigned long long)c->too_many_tokens,
	            (unsigned long long)c->bad_json, (unsigned long long)c->invalid,
	            (unsigned long long)c->connects,
	            (unsigned long long)c->reconnects, (unsigned long long)c->bytes);
}

/* Sleep for the back-off delay; signals still work. Returns 1 to stop. */
static int sleep_backoff(struct dk_agent *ag, int64_t ms)
{
	int64_t deadline = dk_port_now_ms() + ms;

	fflush(stdout);
	for (;;) {
		int64_t left = deadline - dk_port_now_ms();
		int r;
		if (left <= 0)
			return 0;
		r = dk_port_wait(-1, 0, (int)left);
		if (r != 2)
			continue;
		switch (dk_port_signal_take()) {
		case DK_SIG_STOP:
			return 1;
		case DK_SIG_STATS:
			dk_agent_log_counters(ag);
			break;
		default:
			break;
		}
	}
}

int dk_agent_run(struct dk_agent *ag)
{
	for (;;) {
		enum dk_outcome out = dk_session_run(ag);
		int64_t delay;

		if (ag->t.fd >= 0)
			ag->t.close(&ag->t);
		if (ag->connected) {
			ag->connected = 0;
			dk_backoff_up(&ag->bo, dk_port_now_ms() - ag->connected_ms);
			if (out == DK_OUT_STOP || out == DK_OUT_DONE)
				snprintf(ag->why, sizeof ag->why, "%s",
				         out == DK_OUT_STOP ? "stopping" : "until reached");
			if (out == DK_OUT_RETRY || out == DK_OUT_CONFIG)
				dk_port_log(DK_LOG_WARN, "disconnected from %s: %s",
				            ag->ep.url, ag->why);
			if (dk_agent_synthetic(ag, "disconnect") < 0)
				out = DK_OUT_HANDLER_ERR;
		}
		fflush(stdout);
		switch (out) {
		case DK_OUT_STOP:
		case DK_OUT_DONE:
		case DK_OUT_HANDLER_STOP:
			return 0;
		case DK_OUT_CONFIG:
		case DK_OUT_HANDLER_ERR:
			return 1;
		case DK_OUT_RETRY:
			break;
		}
		delay = dk_backoff_next(&ag->bo, dk_port_random());
		dk_port_log(DK_LOG_WARN, "%s: %s; retrying in %lld.%03llds",
		            ag->ep.url, ag->why, (long long)(delay / 1000),
		            (long long)(delay % 1000));
		if (sleep_backoff(ag, delay))
			return 0;
		ag->n.reconnects++;
	}
}
