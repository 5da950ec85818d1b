/* agent.c - the loop around sessions: bounded jittered back-off between
 * attempts, resume with since= after a reconnect and drop what the
 * since= brings back again, report a resync when the history no longer
 * reaches back to the resume point, synthetic dockev events, counters,
 * the --state file.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "agent.h"
#include "dispatch.h"
#include "err.h"
#include "filter.h"
#include "out.h"
#include "state.h"
#include "when.h"

static const char gap_why[] =
	"the engine's history no longer reaches back to the last delivered "
	"event: more events happened than it keeps, or it restarted; events "
	"may have been lost";

int dk_agent_init(struct dk_agent *ag)
{
	int bad = -1, n;

	n = dk_filter_build(ag->filters, sizeof ag->filters, ag->opts.filters,
	                    ag->opts.nfilters, &bad);
	if (n < 0)
		return n;
	snprintf(ag->version, sizeof ag->version, "%s",
	         ag->opts.api_version ? ag->opts.api_version : DK_API_VERSION);
	dk_backoff_init(&ag->bo, ag->opts.backoff_min_ms,
	                ag->opts.backoff_max_ms, ag->opts.backoff_reset_ms);
	dk_framer_init(&ag->fr, ag->buf, sizeof ag->buf);
	dk_hook_init(&ag->hooks, ag->opts.hooks_dir, ag->ep.url,
	             ag->opts.hook_timeout_ms, ag->opts.hook_jobs,
	             ag->opts.hook_queue);
	ag->t.fd = -1;
	return DK_OK;
}

static int seen(const struct dk_agent *ag, uint64_t h)
{
	unsigned i, n = ag->nseen < DK_DEDUPE_MAX ? ag->nseen : DK_DEDUPE_MAX;
	/* cppcheck 2.10 takes nseen for the 0 of dk_agent_init's memset and
	 * calls i < n always false; fresh() raises it with every event. */
	/* cppcheck-suppress knownConditionTrueFalse */
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

/* The pending record's digest into its slot (see dk_agent_settle). */
void dk_agent_settle(struct dk_agent *ag)
{
	if (ag->pending) {
		ag->seen[ag->pending_slot] =
			dk_event_digest(ag->pending, ag->pending_len);
		ag->pending = NULL;
	}
}

/* Is the event at tn, record rec, new? Drops what since= (a little
 * early) brings back after a reconnect, and moves the resume point. Live, the
 * stream's timeNanos mostly grow, and then no digest is taken at all
 * until the buffer holding the record is about to be reused: the event
 * is remembered as pending, and hashed by dk_agent_settle only if it is
 * still the last one at the resume point then. */
static int fresh(struct dk_agent *ag, int64_t tn, const char *rec, size_t len)
{
	uint64_t h = 0;
	int have_h = 0;

	/* An event without a time says nothing about where to resume. */
	if (tn <= 0)
		return 1;
	if (ag->replaying) {
		if (tn < ag->resume_ns)
			goto dup;
		if (tn == ag->resume_ns) {
			dk_agent_settle(ag);
			h = dk_event_digest(rec, len);
			have_h = 1;
			if (seen(ag, h))
				goto dup;
		}
		if (tn > ag->resume_ns)
			ag->replaying = 0;
	}
	if (!ag->have_event || tn > ag->resume_ns) {
		ag->resume_ns = tn;
		ag->have_resume = ag->have_event = 1;
		ag->nseen = 0;
		ag->pending = NULL;
	}
	/* While replaying, the ring describes what was delivered before the
	 * cut: add to it, never overwrite it, or a hash still needed for a
	 * later duplicate would be lost. */
	if (tn == ag->resume_ns && (!ag->replaying || ag->nseen < DK_DEDUPE_MAX)) {
		unsigned slot = ag->nseen++ % DK_DEDUPE_MAX;
		dk_agent_settle(ag); /* an earlier one at this timeNano */
		if (have_h) {
			ag->seen[slot] = h;
		} else {
			ag->pending = rec;
			ag->pending_len = len;
			ag->pending_slot = slot;
		}
	}
	return 1;
dup:
	ag->n.duplicates++;
	return 0;
}

/* The parsed ag->ev to the handlers, then to the hook queue. */
static int hand_over(struct dk_agent *ag)
{
	int r = dk_dispatch(dk_handlers, &ag->ev, &ag->opts);
	dk_hook_event(&ag->hooks, &ag->ev);
	return r;
}

int dk_agent_deliver(struct dk_agent *ag, const char *rec, size_t len)
{
	int r = dk_event_parse(&ag->ev, rec, len);

	if (r < 0) {
		skipped(ag, r, rec, len);
		return 0;
	}
	if (ag->verify && ag->ev.time_nano > 0) {
		ag->verify = 0;
		if (ag->ev.time_nano > ag->resume_ns) {
			char when[32];
			dk_when_format(ag->resume_ns, when, sizeof when);
			dk_port_log(DK_LOG_WARN, "resync: the first event after "
			            "resuming is newer than the last delivered one "
			            "(%s): %s", when, gap_why);
			ag->resync_why = gap_why;
			r = dk_agent_synthetic(ag, "resync");
			ag->resync_why = NULL;
			if (r != 0)
				return r;
			/* The synthetic event took the view: parse again. */
			if (dk_event_parse(&ag->ev, rec, len) < 0)
				return 0;
		}
	}
	if (!fresh(ag, ag->ev.time_nano, rec, len))
		return 0;
	ag->n.events++;
	return hand_over(ag);
}

int dk_agent_synthetic(struct dk_agent *ag, const char *action)
{
	const char *why = strcmp(action, "disconnect") == 0 ? ag->why
	                : strcmp(action, "resync") == 0 && ag->resync_why
	                ? ag->resync_why : "";
	int64_t now = dk_port_wall_ns();
	struct dk_out o;
	long n;

	dk_out_init(&o, ag->synth, sizeof ag->synth);
	dk_out_str(&o, "{\"Type\":\"dockev\",\"Action\":\"");
	dk_out_str(&o, action);
	dk_out_str(&o, "\",\"Actor\":{\"ID\":\"");
	dk_out_json(&o, ag->ep.url, strlen(ag->ep.url));
	dk_out_str(&o, "\",\"Attributes\":{\"host\":\"");
	dk_out_json(&o, ag->ep.url, strlen(ag->ep.url));
	dk_out_str(&o, "\",\"api\":\"");
	dk_out_json(&o, ag->version, strlen(ag->version));
	dk_out_str(&o, "\",\"reason\":\"");
	dk_out_json(&o, why, strlen(why));
	dk_out_str(&o, "\",\"reconnects\":\"");
	dk_out_num(&o, (long long)ag->n.reconnects);
	dk_out_str(&o, "\"}},\"scope\":\"local\",\"time\":");
	dk_out_num(&o, (long long)(now / 1000000000));
	dk_out_str(&o, ",\"timeNano\":");
	dk_out_num(&o, (long long)now);
	dk_out_str(&o, "}");
	/* Sized for the longest URL and reason, escaped: cannot fail. */
	if ((n = dk_out_end(&o)) < 0)
		return 0;
	if (dk_event_parse(&ag->ev, ag->synth, (size_t)n) < 0)
		return 0;
	return hand_over(ag);
}

void dk_agent_log_counters(const struct dk_agent *ag)
{
	const struct dk_counters *c = &ag->n;
	dk_port_log(DK_LOG_NOTICE,
	            "counters: events %llu, duplicates dropped %llu, skipped %llu "
	            "(too big %llu, too many tokens %llu, bad json %llu, "
	            "invalid %llu), connects %llu, reconnects %llu, bytes %llu, "
	            "hooks run %llu, hook failures %llu, hooks skipped %llu",
	            (unsigned long long)c->events, (unsigned long long)c->duplicates,
	            (unsigned long long)c->too_big + c->too_many_tokens +
	            c->bad_json + c->invalid,
	            (unsigned long long)c->too_big,
	            (unsigned long long)c->too_many_tokens,
	            (unsigned long long)c->bad_json, (unsigned long long)c->invalid,
	            (unsigned long long)c->connects,
	            (unsigned long long)c->reconnects, (unsigned long long)c->bytes,
	            (unsigned long long)ag->hooks.run,
	            (unsigned long long)ag->hooks.failed,
	            (unsigned long long)ag->hooks.skipped);
}

int dk_agent_signals(struct dk_agent *ag)
{
	enum dk_sig sig;
	int stop = 0;

	while ((sig = dk_port_signal_take()) != DK_SIG_NONE) {
		switch (sig) {
		case DK_SIG_STOP:
			/* A second stop while hooks finish kills them. */
			if (++ag->stops > 1)
				dk_hook_stop(&ag->hooks, 1);
			stop = 1;
			break;
		case DK_SIG_STATS:
			dk_agent_log_counters(ag);
			break;
		case DK_SIG_CHILD:
			ag->hooks.reap_due = 1;
			break;
		default:
			break;
		}
	}
	return stop;
}

/* ---- stdout ------------------------------------------------------------ */

/* A failed stdout (dk_out_flush) is logged once, and stops the loop once:
 * its next wait returns "stop" (later waits, while hooks drain, do not). */
static int out_logged, out_stopped;

static void flush_output(void)
{
	if (dk_out_flush() == DK_OK || out_logged)
		return;
	out_logged = 1;
	dk_port_log(DK_LOG_ERR, "stdout: cannot write: %s; stopping (what was "
	            "not written is not counted as delivered)",
	            strerror(dk_out_error()));
}

/* ---- --state ---------------------------------------------------------- */

static int state_dirty(const struct dk_agent *ag)
{
	return ag->opts.state_file && ag->have_resume &&
	       (ag->resume_ns != ag->saved_ns || ag->nseen != ag->saved_nseen ||
	        ag->have_event != ag->saved_event);
}

/* Milliseconds until a pending write is due, -1 when none is pending. */
static int state_wait_ms(const struct dk_agent *ag)
{
	int64_t l;

	if (!state_dirty(ag))
		return -1;
	l = ag->state_due_ms - dk_port_now_ms();
	return l < 0 ? 0 : l > INT_MAX ? INT_MAX : (int)l;
}

void dk_agent_state_save(struct dk_agent *ag, int force)
{
	struct dk_state s;
	char text[DK_STATE_TEXT_MAX];
	int64_t now;
	unsigned i;
	int n;

	if (!state_dirty(ag))
		return;
	/* The point saved is one whose events were written: flushed now,
	 * and never again once output failed (what the handlers took since
	 * the last good flush may be lost). */
	flush_output();
	if (dk_out_error())
		return;
	now = dk_port_now_ms();
	if (!force && now < ag->state_due_ms)
		return;
	dk_agent_settle(ag); /* the file gets every digest, none pending */
	ag->state_due_ms = now + DK_STATE_INTERVAL_MS;
	s.resume_ns = ag->resume_ns;
	s.from_event = ag->have_event;
	s.nseen = ag->nseen < DK_DEDUPE_MAX ? ag->nseen : DK_DEDUPE_MAX;
	for (i = 0; i < s.nseen; i++)
		s.seen[i] = ag->seen[i];
	n = dk_state_format(text, sizeof text, &s);
	if (n < 0 || dk_port_file_replace(ag->opts.state_file, text,
	                                  (size_t)n) != DK_OK) {
		dk_port_log(DK_LOG_ERR, "--state %s: cannot write: %s",
		            ag->opts.state_file,
		            n < 0 ? dk_strerror(n) : dk_port_errstr());
		return;
	}
	ag->saved_ns = ag->resume_ns;
	ag->saved_nseen = ag->nseen;
	ag->saved_event = ag->have_event;
}

int dk_agent_state_load(struct dk_agent *ag)
{
	struct dk_state s;
	char text[DK_STATE_TEXT_MAX], when[32];
	const char *f = ag->opts.state_file;
	int exists;
	long n;

	if (!f)
		return DK_OK;
	n = dk_port_state_read(f, text, sizeof text, &exists);
	/* Replacing it would write through or over something else: a
	 * symlink's target would no longer be updated, /dev/null replaced. */
	if (n == DK_ERR_PARAM) {
		dk_port_log(DK_LOG_ERR, "--state %s: %s, not a regular file: "
		            "refused (give a regular file, or a path where one "
		            "can be created)", f, dk_port_errstr());
		return DK_ERR_PARAM;
	}
	if (n == DK_ERR_IO) {
		dk_port_log(DK_LOG_ERR, "--state %s: cannot read: %s", f,
		            dk_port_errstr());
		return DK_ERR_IO;
	}
	if (n == 0 && !exists)
		return DK_OK; /* first run */
	if (n <= 0 || dk_state_parse(text, (size_t)n, &s) != DK_OK) {
		dk_port_log(DK_LOG_WARN, "--state %s: %snot a dockev state file, "
		            "ignored (it will be replaced); events since it was "
		            "written may have been lost", f,
		            n == 0 ? "empty (0 bytes): " : "");
		ag->resync_why = "the --state file could not be used; events "
		                 "may have been lost";
		return DK_OK;
	}
	ag->resume_ns = ag->saved_ns = s.resume_ns;
	ag->have_resume = 1;
	ag->have_event = ag->saved_event = s.from_event;
	ag->nseen = ag->saved_nseen = s.nseen;
	memcpy(ag->seen, s.seen, sizeof s.seen);
	dk_when_format(s.resume_ns, when, sizeof when);
	dk_port_log(DK_LOG_INFO, "--state %s: resuming at %s (%s)", f, when,
	            s.from_event ? "the last delivered event" : "no event yet");
	return DK_OK;
}

int dk_agent_wait(struct dk_agent *ag, int fd, int want_write, int timeout_ms)
{
	int64_t deadline = timeout_ms >= 0 ? dk_port_now_ms() + timeout_ms : -1;
	struct dk_pollfd fds[1 + DK_HOOK_JOBS_MAX];

	for (;;) {
		int n = 0, r, left = -1, hook_ms, state_ms;

		dk_hook_service(&ag->hooks);
		/* Whatever handlers printed goes out before we sleep. A failed
		 * output stops the agent, with exit status 1. */
		flush_output();
		if (dk_out_error() && !out_stopped) {
			out_stopped = 1;
			return -1;
		}
		if (fd >= 0) {
			fds[0].fd = fd;
			fds[0].events = want_write ? DK_POLL_OUT : DK_POLL_IN;
			fds[0].revents = 0;
			n = 1;
		}
		n += dk_hook_pollfds(&ag->hooks, fds + n, DK_HOOK_JOBS_MAX);
		if (deadline >= 0) {
			int64_t l = deadline - dk_port_now_ms();
			left = l > 0 ? (int)l : 0;
		}
		hook_ms = dk_hook_next_ms(&ag->hooks);
		if (hook_ms >= 0 && (left < 0 || hook_ms < left))
			left = hook_ms;
		/* --state: write when due, and wake up when it will be. */
		dk_agent_state_save(ag, 0);
		state_ms = state_wait_ms(ag);
		if (state_ms >= 0 && (left < 0 || state_ms < left))
			left = state_ms;
		r = dk_port_poll(fds, n, left);
		if (r == 2 && dk_agent_signals(ag))
			return -1;
		if (fd >= 0 && fds[0].revents)
			return 1;
		if (deadline >= 0 && dk_port_now_ms() >= deadline)
			return 0;
		if (r < 0)
			return 0;
	}
}

/* Sleep for the back-off delay; hooks and signals are served meanwhile.
 * Returns 1 to stop. */
static int sleep_backoff(struct dk_agent *ag, int64_t ms)
{
	return dk_agent_wait(ag, -1, 0, ms > INT_MAX ? INT_MAX : (int)ms) < 0;
}

/* Before exiting: at --until every queued hook still runs; on a stop only
 * the running ones finish (within their timeout; a second stop kills). */
static void drain_hooks(struct dk_agent *ag, int run_queued)
{
	struct dk_hooks *h = &ag->hooks;

	if (!h->dir)
		return;
	if (!run_queued)
		dk_hook_stop(h, 0);
	for (;;) {
		dk_hook_service(h);
		if (dk_hook_running(h) == 0 && dk_hook_queued(h) == 0)
			break;
		if (dk_agent_wait(ag, -1, 0, 1000) < 0)
			dk_hook_stop(h, ag->stops > 1);
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
		flush_output();
		if (out != DK_OUT_RETRY && out != DK_OUT_CONFIG_WAIT) {
			drain_hooks(ag, out == DK_OUT_DONE);
			dk_agent_state_save(ag, 1);
		}
		switch (out) {
		case DK_OUT_STOP:
		case DK_OUT_DONE:
		case DK_OUT_HANDLER_STOP:
			return dk_out_error() ? 1 : 0;
		case DK_OUT_CONFIG:
		case DK_OUT_HANDLER_ERR:
			return 1;
		case DK_OUT_RETRY:
		case DK_OUT_CONFIG_WAIT:
			break;
		}
		if (out == DK_OUT_CONFIG_WAIT) {
			delay = ag->bo.max_ms;
			dk_port_log(DK_LOG_ERR, "%s; retrying in %lld.%03llds",
			            ag->why, (long long)(delay / 1000),
			            (long long)(delay % 1000));
		} else {
			delay = dk_backoff_next(&ag->bo, dk_port_random());
			dk_port_log(DK_LOG_WARN, "%s: %s; retrying in %lld.%03llds",
			            ag->ep.url, ag->why, (long long)(delay / 1000),
			            (long long)(delay % 1000));
		}
		if (sleep_backoff(ag, delay))
			return dk_out_error() ? 1 : 0;
		ag->n.reconnects++;
	}
}
