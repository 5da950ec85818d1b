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
#include "match.h"
#include "out.h"
#include "output.h"
#include "state.h"
#include "when.h"

static const char gap_why[] =
	"the engine's history no longer reaches back to the last delivered "
	"event: more events happened than it keeps, or it restarted; events "
	"may have been lost";

/* The loop's wait, as the port takes it for connects and handshakes. */
static int lent_wait(void *ctx, int fd, int want_write, int64_t deadline)
{
	int ms = -1;

	if (deadline >= 0) {
		int64_t l = deadline - dk_port_now_ms();
		ms = l <= 0 ? 0 : l > INT_MAX ? INT_MAX : (int)l;
	}
	return dk_agent_wait(ctx, fd, want_write, ms);
}

/* ---- stdout ------------------------------------------------------------ */

/* A failed stdout (dk_output_write) is logged once, and stops the loop
 * once: its next wait returns "stop" (later waits, while hooks drain, do
 * not). A reader that went away (EPIPE: SIGPIPE is ignored), a full disk
 * or /dev/full: what was not written is lost, so --state never moves past
 * it. */
static int out_logged, out_stopped;

static void write_output(void)
{
	if (dk_output_write() != DK_ERR_IO || out_logged)
		return;
	out_logged = 1;
	dk_port_log(DK_LOG_ERR, "stdout: cannot write: %s; stopping (what was "
	            "not written is not counted as delivered)",
	            dk_output_error());
}

/* Back-pressure: before the loop delivers, stdout's buffer must have room
 * for what the printers may write (need bytes). Until it has, the loop
 * waits for the reader, serving hooks, their timeouts and signals, and
 * does not read the engine (whose socket buffer then fills). Returns 0, or
 * 1 to stop: a stop request (now or before), or output failed. */
static int output_room(struct dk_agent *ag, size_t need)
{
	for (;;) {
		int fd, r;
		if (ag->stops || dk_output_error())
			return 1;
		if (dk_output_room() >= need &&
		    dk_output_buffered() < (size_t)DK_OUTPUT_FLUSH)
			return 0;
		/* Not a write per record: only when DK_OUTPUT_FLUSH bytes
		 * wait in the buffer or it is short (the span of records
		 * printed from where they were read costs no buffer, and is
		 * written once the read's records are delivered). */
		write_output();
		if (dk_output_error())
			return 1;
		if (dk_output_room() >= need)
			return 0;
		/* A terminal or file is written whole, unless a signal cut a
		 * write short: then look again soon. */
		fd = dk_output_fd();
		r = dk_agent_wait(ag, fd, 1, fd < 0 ? 100 : -1);
		if (r == DK_STOP)
			return 1;
		if (r < 0) {
			dk_port_log(DK_LOG_ERR, "cannot wait for stdout: %s",
			            dk_port_errstr());
			return 1;
		}
	}
}

/* What delivering a record of len bytes may print: the record (--json) or
 * one line, and a synthetic line before it (resync). */
static size_t output_need(const struct dk_agent *ag, size_t len)
{
	return (ag->opts.json ? len : (size_t)DK_LINE_MAX) + (size_t)DK_LINE_MAX + 2;
}

int dk_agent_init(struct dk_agent *ag)
{
	snprintf(ag->version, sizeof ag->version, "%s",
	         ag->opts.api_version ? ag->opts.api_version : DK_API_VERSION);
	dk_backoff_init(&ag->bo, ag->opts.backoff_min_ms,
	                ag->opts.backoff_max_ms, ag->opts.backoff_reset_ms);
	dk_framer_init(&ag->fr, ag->buf, sizeof ag->buf);
	dk_hook_init(&ag->hooks, ag->opts.hooks_dir, ag->ep.url,
	             ag->opts.hook_timeout_ms, ag->opts.hook_jobs,
	             ag->opts.hook_queue);
	ag->t.fd = -1;
	dk_catchup_init(&ag->cu, ag->opts.backoff_min_ms, ag->opts.backoff_max_ms);
	dk_port_set_wait(lent_wait, ag);
	return DK_OK;
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

/* An engine's record with a top-level "dockev" member, the mark of the
 * agent's own lines in --json: printed as received it would pass for
 * ours, so it is skipped and counted as invalid, like a bad record. */
static int forged(struct dk_agent *ag, const char *rec, size_t len)
{
	char id[96];

	ag->n.invalid++;
	dk_event_identify(rec, len, id, sizeof id);
	dk_port_log(DK_LOG_WARN, "skipped event (a top-level \"dockev\" member, "
	            "the mark of dockev's own lines: not the engine's to send; "
	            "%zu bytes): %s", len, id);
	return 0;
}

/* A parsed view to the handlers, then to the hook queue. */
static int hand_over(struct dk_agent *ag, const struct dk_event *ev)
{
	int r = dk_dispatch(dk_handlers, ev, &ag->opts);
	dk_hook_event(&ag->hooks, ev);
	/* --mqtt: taken or left to the catch-up, never waited for. */
	dk_catchup_live(ag, ev);
	return r;
}

int dk_agent_deliver(struct dk_agent *ag, const char *rec, size_t len)
{
	int r = dk_event_parse(&ag->ev, rec, len), v;

	if (r < 0) {
		skipped(ag, r, rec, len);
		return 0;
	}
	if (ag->ev.marked)
		return forged(ag, rec, len);
	v = dk_resume_event(&ag->res, ag->ev.time_nano,
	                    ag->ev.time_nano > 0 ? dk_event_identity(&ag->ev) : 0);
	if (!(v & DK_RESUME_NEW)) {
		ag->n.duplicates++;
		return 0;
	}
	if (v & DK_RESUME_BACK && !ag->clock_back_said) {
		char when[32];
		ag->clock_back_said = 1;
		dk_when_format(ag->ev.time_nano, when, sizeof when);
		dk_port_log(DK_LOG_WARN, "engine's clock went back: an event "
		            "stamped %s came after later ones; delivered (said "
		            "once per connection)", when);
	}
	if (v & DK_RESUME_GAP) {
		char when[32];
		dk_when_format(ag->res.from, when, sizeof when);
		dk_port_log(DK_LOG_WARN, "resync: the first event after resuming "
		            "(%s) is not one already delivered: %s", when, gap_why);
		ag->resync_why = gap_why;
		r = dk_agent_synthetic(ag, "resync");
		ag->resync_why = NULL;
		if (r != 0)
			return r;
		/* --snapshot: the state instead of the gap's first event; the
		 * session ends this stream, lists, and reopens from then. */
		if (ag->opts.snapshot) {
			ag->snap_due = 1;
			return 0;
		}
	}
	ag->n.events++;
	return hand_over(ag, &ag->ev);
}

static int synthetic(struct dk_agent *ag, const char *action,
                     const char *extra);

int dk_agent_synthetic(struct dk_agent *ag, const char *action)
{
	return synthetic(ag, action, NULL);
}

long dk_agent_synthetic_text(const struct dk_agent *ag, const char *action,
                             const char *why, const char *extra, char *buf,
                             size_t cap)
{
	int64_t now = dk_port_wall_ns();
	struct dk_out o;

	dk_out_init(&o, buf, cap);
	/* Marked first ("dockev":true), so --json consumers tell it from
	 * the engine's lines (whose records never carry the member). */
	dk_out_str(&o, "{\"dockev\":true,\"Type\":\"dockev\",\"Action\":\"");
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
	dk_out_str(&o, "\"");
	if (extra) {
		dk_out_str(&o, ",");
		dk_out_str(&o, extra);
	}
	dk_out_str(&o, "}},\"scope\":\"local\",\"time\":");
	dk_out_num(&o, (long long)(now / 1000000000));
	dk_out_str(&o, ",\"timeNano\":");
	dk_out_num(&o, (long long)now);
	dk_out_str(&o, "}");
	return dk_out_end(&o);
}

/* extra: more attributes, a JSON fragment ("k":"v",...), or NULL. */
static int synthetic(struct dk_agent *ag, const char *action,
                     const char *extra)
{
	const char *why = strcmp(action, "disconnect") == 0 ? ag->why
	                : strcmp(action, "resync") == 0 && ag->resync_why
	                ? ag->resync_why : "";
	long n = dk_agent_synthetic_text(ag, action, why, extra, ag->synth,
	                                 sizeof ag->synth);

	/* Sized for the longest URL and reason, escaped: cannot fail. */
	if (n < 0)
		return 0;
	/* Room for its line, unless stopping (then a line that finds none
	 * is dropped and counted). */
	(void)output_room(ag, (size_t)DK_LINE_MAX + 1);
	/* A view of its own: the engine event being delivered keeps its. */
	if (dk_event_parse(&ag->sev, ag->synth, (size_t)n) < 0)
		return 0;
	ag->sev.synthetic = 1;
	return hand_over(ag, &ag->sev);
}

void dk_agent_log_counters(const struct dk_agent *ag)
{
	const struct dk_counters *c = &ag->n;
	dk_port_log(DK_LOG_NOTICE,
	            "counters: events %llu, duplicates dropped %llu, skipped %llu "
	            "(too big %llu, too many tokens %llu, bad json %llu, "
	            "invalid %llu), connects %llu, reconnects %llu, bytes %llu, "
	            "hooks run %llu, hook failures %llu, hooks skipped %llu, "
	            "hook runs coalesced %llu, not held %llu",
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
	            (unsigned long long)ag->hooks.skipped,
	            (unsigned long long)ag->hooks.debounced,
	            (unsigned long long)ag->hooks.db_full);
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
			else
				dk_port_log(DK_LOG_INFO, "%s: stopping",
				            dk_port_stop_name());
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

/* ---- --state ---------------------------------------------------------- */

static int state_dirty(const struct dk_agent *ag)
{
	return ag->opts.state_file && ag->res.kind != DK_RESUME_NONE &&
	       (ag->res.point != ag->saved_point || ag->res.n != ag->saved_n ||
	        dk_catchup_state_dirty(ag));
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
	int n;

	if (!state_dirty(ag))
		return;
	/* The point saved is one whose events were written: not while some
	 * wait in stdout's buffer (a reader behind), and never again once
	 * output failed (what the handlers took since may be lost). */
	write_output();
	if (dk_output_error() || dk_output_pending() > 0)
		return;
	now = dk_port_now_ms();
	if (!force && now < ag->state_due_ms)
		return;
	ag->state_due_ms = now + DK_STATE_INTERVAL_MS;
	s.kind = ag->res.kind;
	s.point = ag->res.point;
	s.count = dk_resume_marks(&ag->res, s.marks);
	s.has_broker = 0;
	dk_catchup_state_put(ag, &s); /* --mqtt: the broker's cursor */
	n = dk_state_format(text, sizeof text, &s);
	if (n < 0 || dk_port_file_replace(ag->opts.state_file, text,
	                                  (size_t)n) != DK_OK) {
		dk_port_log(DK_LOG_ERR, "--state %s: cannot write: %s",
		            ag->opts.state_file,
		            n < 0 ? dk_strerror(n) : dk_port_errstr());
		return;
	}
	ag->saved_point = ag->res.point;
	ag->saved_n = ag->res.n;
}

int dk_agent_state_load(struct dk_agent *ag)
{
	struct dk_state s;
	char text[DK_STATE_TEXT_MAX], when[32];
	const char *f = ag->opts.state_file;
	int exists;
	long n;
	int r = DK_OK;

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
	if (n <= 0 || (r = dk_state_parse(text, (size_t)n, &s)) != DK_OK) {
		dk_port_log(DK_LOG_WARN, "--state %s: %s, ignored (it will be "
		            "replaced); events since it was written may have been "
		            "lost", f, n == 0 ? "empty (0 bytes): not a dockev state file"
		            : n > 0 && r == DK_ERR_VERSION
		            ? "written by an older dockev (format 1)"
		            : "not a dockev state file");
		ag->resync_why = "the --state file could not be used; events "
		                 "may have been lost";
		return DK_OK;
	}
	dk_resume_restore(&ag->res, s.kind, s.point, s.marks, s.count);
	dk_catchup_state_take(ag, &s);
	ag->saved_point = ag->res.point;
	ag->saved_n = ag->res.n;
	dk_when_format(s.point, when, sizeof when);
	dk_port_log(DK_LOG_INFO, "--state %s: resuming at %s (%s)", f, when,
	            s.kind == DK_RESUME_EVENT ? "the last delivered event"
	                                      : "no event yet");
	return DK_OK;
}

int dk_agent_wait(struct dk_agent *ag, int fd, int want_write, int timeout_ms)
{
	int64_t deadline = timeout_ms >= 0 ? dk_port_now_ms() + timeout_ms : -1;
	/* engine, stdout, broker, catch-up, hooks */
	struct dk_pollfd fds[4 + DK_HOOK_JOBS_MAX];

	for (;;) {
		int n = 0, r, left = -1, hook_ms, state_ms, oi = -1, ofd, mq_i, mq_ms,
		    cu_ms;

		dk_hook_service(&ag->hooks);
		/* What handlers printed goes out as far as stdout takes it. A
		 * failed output stops the agent, with exit status 1. */
		write_output();
		if (dk_output_error() && !out_stopped) {
			out_stopped = 1;
			return DK_STOP;
		}
		if (fd >= 0) {
			fds[0].fd = fd;
			fds[0].events = want_write ? DK_POLL_OUT : DK_POLL_IN;
			fds[0].revents = 0;
			n = 1;
		}
		/* stdout (a pipe or socket): writable when lines wait; with
		 * none, an error or hang-up says the reader went away, so an
		 * idle `dockev | head -1` ends when head does. */
		if ((ofd = dk_output_fd()) >= 0 && ofd != fd) {
			fds[n].fd = ofd;
			fds[n].events = dk_output_pending() ? DK_POLL_OUT : 0;
			fds[n].revents = 0;
			oi = n++;
		}
		n += dk_hook_pollfds(&ag->hooks, fds + n, DK_HOOK_JOBS_MAX);
		/* --mqtt: the broker's fd and its next deadline. */
		mq_i = dk_mqttc_pollfd(&ag->mq, &fds[n]) ? n++ : -1;
		mq_ms = dk_mqttc_next_ms(&ag->mq, dk_port_now_ms());
		n += dk_catchup_pollfd(ag, &fds[n]);
		cu_ms = dk_catchup_next_ms(ag, dk_port_now_ms());
		if (cu_ms >= 0 && (mq_ms < 0 || cu_ms < mq_ms))
			mq_ms = cu_ms;
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
		if (mq_ms >= 0 && (left < 0 || mq_ms < left))
			left = mq_ms;
		r = dk_port_poll(fds, n, left);
		if ((mq_i >= 0 && fds[mq_i].revents) ||
		    dk_mqttc_next_ms(&ag->mq, dk_port_now_ms()) == 0)
			dk_mqttc_service(&ag->mq, mq_i >= 0 ? fds[mq_i].revents : 0,
			                 dk_port_now_ms());
		/* Cheap when idle; reads only what is there. */
		dk_catchup_service(ag);
		/* The broker refused our credentials at start: stop (exit 1). */
		if (dk_mqttc_fatal(&ag->mq) && !ag->mq_stopped) {
			ag->mq_stopped = 1;
			return DK_STOP;
		}
		if (oi >= 0 && fds[oi].revents & DK_POLL_ERR &&
		    dk_output_pending() == 0) {
			dk_output_gone();
			continue; /* logged, and the stop, at the loop's top */
		}
		if (r == DK_WAIT_SIGNAL && dk_agent_signals(ag))
			return DK_STOP;
		if (fd >= 0 && fds[0].revents)
			return DK_WAIT_READY;
		if (r < 0)
			return DK_ERR_IO; /* dk_port_errstr tells why */
		if (deadline >= 0 && dk_port_now_ms() >= deadline)
			return DK_WAIT_TIMEOUT;
	}
}

/* Sleep for the back-off delay; hooks and signals are served meanwhile.
 * Returns 1 to stop. */
static int sleep_backoff(struct dk_agent *ag, int64_t ms)
{
	return dk_agent_wait(ag, -1, 0, ms > INT_MAX ? INT_MAX : (int)ms) == DK_STOP;
}

/* Before exiting: with run_queued every queued hook still runs (at
 * --until; on a stop, where only dockev disconnect is left queued), else
 * only the running ones finish; within their timeout, a second stop
 * kills them. */
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
		if (dk_agent_wait(ag, -1, 0, 1000) == DK_STOP)
			dk_hook_stop(h, ag->stops > 1);
	}
}

/* Before exiting: what stdout could not take (a reader that stopped
 * reading; a stop does not wait for it) is said once. --state was not
 * moved past it (dk_agent_state_save). */
static void output_left(void)
{
	size_t left;

	write_output();
	left = dk_output_pending();
	if (left > 0 || dk_output_dropped() > 0)
		dk_port_log(DK_LOG_WARN, "stdout: %zu bytes and %lu lines not "
		            "written at exit: the reader was not reading (--state "
		            "was not moved past them)", left, dk_output_dropped());
}

/* Connected to the engine (its events stream, or --snapshot's lists):
 * dockev connect, and once a resync for a state file that could not be
 * used. Returns 0 or a handler's result. */
static int on_connect(struct dk_agent *ag)
{
	int r;

	ag->connected = 1;
	ag->connected_ms = dk_port_now_ms();
	ag->n.connects++;
	ag->clock_back_said = 0;
	if ((r = dk_agent_synthetic(ag, "connect")) != 0)
		return r;
	/* A state file that could not be used: say so once, now. */
	if (ag->resync_why && !ag->res.verify) {
		if ((r = dk_agent_synthetic(ag, "resync")) != 0)
			return r;
		ag->resync_why = NULL;
	}
	return 0;
}

#define HANDLER_OUT(r) ((r) > 0 ? DK_OUT_HANDLER_STOP : DK_OUT_HANDLER_ERR)

/* --snapshot: the lists as events between dockev snapshot-start and
 * snapshot-end, then the point the events stream opens from (snapshot.h
 * says why there is no race). A snapshot cut short has no snapshot-end
 * and is taken again at the next connection. */
static enum dk_outcome take_snapshot(struct dk_agent *ag)
{
	static int said;
	struct dk_snapshot *s = &ag->snap;
	unsigned lists = dk_match_lists(ag->opts.filters, ag->opts.nfilters);
	char counts[200], point[40];
	const char *rec;
	size_t len;
	int r, k, out;

	if (!lists) {
		if (!said++)
			dk_port_log(DK_LOG_WARN, "--snapshot: the -f event filter "
			            "leaves out \"exists\": no snapshot is taken");
		ag->snap_due = 0;
		return DK_OUT_OPEN;
	}
	if ((out = dk_snapshot_open(ag, lists, ag->snap_t0)) != DK_OUT_OPEN)
		return (enum dk_outcome)out;
	if (!ag->connected && (r = on_connect(ag)) != 0)
		return HANDLER_OUT(r);
	/* The point in both brackets: a hook that marks and sweeps keeps
	 * what it learnt from events at or after it (they come after the
	 * snapshot, maybe before its own hooks ran). */
	snprintf(point, sizeof point, "\"point\":\"%lld\"", (long long)s->t0);
	if ((r = synthetic(ag, "snapshot-start", point)) != 0)
		return HANDLER_OUT(r);
	while ((k = dk_snapshot_next(ag, &rec, &len, &out)) != DK_SNAP_END) {
		if (k == DK_SNAP_FAIL)
			return (enum dk_outcome)out;
		if (k != DK_SNAP_OBJECT)
			continue;
		if ((r = dk_event_parse(&ag->ev, rec, len)) != DK_OK) {
			s->skipped++;
			skipped(ag, r, rec, len);
			continue;
		}
		ag->ev.synthetic = 1; /* the agent's, not received */
		if (!dk_match_event(ag->opts.filters, ag->opts.nfilters, &ag->ev))
			continue;
		/* No events stream is open while listing, so nothing is lost
		 * by waiting here for the hook queue to take the object, as
		 * a sweep needs every object it is told about. */
		while (ag->hooks.dir && ag->hooks.q.count >= ag->hooks.q.max)
			if (dk_agent_wait(ag, -1, 0, 1000) == DK_STOP)
				return DK_OUT_STOP;
		/* And for stdout to take its line (rec stays: the list
		 * connection is not read while waiting). */
		if (output_room(ag, output_need(ag, len)))
			return DK_OUT_STOP;
		s->count[s->kind]++;
		ag->n.events++;
		if ((r = hand_over(ag, &ag->ev)) != 0)
			return HANDLER_OUT(r);
	}
	snprintf(counts, sizeof counts, "\"containers\":\"%lu\",\"networks\":\"%lu\","
	         "\"volumes\":\"%lu\",\"skipped\":\"%lu\",%s",
	         s->count[DK_OBJECT_CONTAINER], s->count[DK_OBJECT_NETWORK],
	         s->count[DK_OBJECT_VOLUME], s->skipped, point);
	dk_port_log(DK_LOG_INFO, "--snapshot: %lu containers, %lu networks, "
	            "%lu volumes%s; events from then on", s->count[0],
	            s->count[1], s->count[2], s->skipped ? " (some skipped)" : "");
	if ((r = synthetic(ag, "snapshot-end", counts)) != 0)
		return HANDLER_OUT(r);
	/* The events from the snapshot point: CLOCK, so the first one is not
	 * checked against a delivered one (there is none to resend); the
	 * marks stay, so what a replay up to the point delivered is not
	 * delivered again by the since= of the point (it is inclusive). */
	{
		static struct dk_resume_mark marks[DK_RESUME_RECENT];
		unsigned nm = dk_resume_marks(&ag->res, marks);
		dk_resume_restore(&ag->res, DK_RESUME_CLOCK, s->t0, marks, nm);
	}
	ag->snap_due = ag->snap_replay = 0;
	ag->snap_t0 = 0;
	return DK_OUT_OPEN;
}

/* One events stream: open it, deliver every record until it ends or
 * fails. Returns how it ended, or DK_OUT_OPEN when a resync with
 * --snapshot ended it (a snapshot is due). *clean says whether the
 * engine ended the body whole (a bounded request's end). stream() below
 * wraps it. */
static enum dk_outcome stream_body(struct dk_agent *ag, int *clean)
{
	enum dk_outcome out;
	const char *rec;
	size_t len;
	int r;

	*clean = 0;
	if ((out = dk_session_open(ag)) != DK_OUT_OPEN)
		return out;
	/* No event yet: a reconnect resumes from now, so events that happen
	 * while we are away are still delivered (with --since, from there). */
	dk_resume_open(&ag->res, ag->opts.has_since ? 0 : dk_port_wall_ns());
	dk_catchup_opened(ag); /* --mqtt: the broker's cursor, the first time */
	if (!ag->connected && (r = on_connect(ag)) != 0)
		return HANDLER_OUT(r);
	for (;;) {
		switch (dk_session_next(ag, &rec, &len, &out)) {
		case DK_REC_EVENT:
			if (output_room(ag, output_need(ag, len)))
				return DK_OUT_STOP;
			if ((r = dk_agent_deliver(ag, rec, len)) != 0)
				return HANDLER_OUT(r);
			/* A resync with --snapshot: this stream ends here. */
			if (ag->snap_due) {
				ag->t.close(&ag->t);
				return DK_OUT_OPEN;
			}
			break;
		case DK_REC_TOO_BIG: {
			char id[96];
			dk_event_identify(rec, len, id, sizeof id);
			ag->n.too_big++;
			dk_port_log(DK_LOG_WARN, "skipped event (%s, over %d bytes): %s",
			            dk_strerror(DK_ERR_RECORD_BIG), DK_BUF_SIZE, id);
			break;
		}
		case DK_REC_END:
			*clean = dk_chunk_eof(&ag->chunk) == DK_CHUNK_END;
			return out;
		default:
			/* The batch is delivered: its hooks start now, not at
			 * the next pause of the stream; a busy stream still
			 * writes --state and sees signals. What --json printed
			 * goes out first, from where it was read, before the
			 * next read reuses the buffer. */
			write_output();
			dk_hook_service(&ag->hooks);
			dk_mqttc_service(&ag->mq, 0, dk_port_now_ms());
			dk_catchup_service(ag);
			dk_agent_state_save(ag, 0);
			if ((dk_port_signal_seen() && dk_agent_signals(ag)) ||
			    ag->stops)
				return DK_OUT_STOP;
			if ((out = dk_session_read(ag)) != DK_OUT_OPEN)
				return out;
			break;
		}
	}
}

/* stream_body, and at every way out of it: the stream's buffer is not
 * stdout's to print from any more. */
static enum dk_outcome stream(struct dk_agent *ag, int *clean)
{
	enum dk_outcome out = stream_body(ag, clean);

	dk_output_release();
	return out;
}

/* --snapshot with a resume point (--state, --since), at the first
 * connect: the engine's history from the point up to the snapshot point
 * T0 (one bounded request, since=P&until=T0), delivered as any events (a
 * container that died while the agent was away runs its die hooks), then
 * the snapshot at T0, then live from T0. T0 is the ping's Date less 1 s
 * (with Podman 2 s more, see below), and never before the point (the boundary event P is resent, proving
 * the history still reaches back; 1 ms after it for Podman, which parses
 * until through a float). A history that no longer reaches back to P is
 * a resync: no replay, a snapshot of its own point (as after any resync).
 * Returns DK_OUT_OPEN with the snapshot due, or how it ended. */
static enum dk_outcome replay_to_snapshot(struct dk_agent *ag);

/* The replay cannot reach back to the resume point (what says why):
 * dockev resync, and a snapshot of its own point instead. */
static enum dk_outcome replay_gap(struct dk_agent *ag, const char *what)
{
	char when[32];
	int r = ag->connected ? 0 : on_connect(ag);

	if (r != 0)
		return HANDLER_OUT(r);
	dk_when_format(ag->res.point, when, sizeof when);
	dk_port_log(DK_LOG_WARN, "resync: %s (%s): %s", what, when, gap_why);
	ag->resync_why = gap_why;
	r = dk_agent_synthetic(ag, "resync");
	ag->resync_why = NULL;
	if (r != 0)
		return HANDLER_OUT(r);
	ag->snap_due = 1;
	ag->snap_t0 = 0;
	return DK_OUT_OPEN;
}

static enum dk_outcome replay_to_snapshot(struct dk_agent *ag)
{
	int had_until = ag->opts.has_until, clean;
	int64_t until = ag->opts.until_ns, t0;
	enum dk_outcome out;

	if ((out = dk_session_hello(ag)) != DK_OUT_OPEN)
		return out;
	ag->t.close(&ag->t);
	t0 = dk_snapshot_point(ag);
	/* Podman (4.3 at least) ends a request whose until= is past after
	 * its first event: the until is 2 s ahead of its Date instead, which
	 * it waits for (1 to 2 s) and then ends the body; the snapshot is
	 * taken from that point, listed after it. */
	if (ag->podman)
		t0 += 3000000000LL;
	/* A point in the engine's last seconds (a quick restart): the
	 * replay reaches just past it. Further ahead, the engine's clock
	 * went back (a board without a battery clock, rebooted): nothing in
	 * its history can be checked against the point, a resync. */
	if (ag->res.kind != DK_RESUME_NONE && ag->res.point + 1000000 > t0) {
		if (ag->res.point + 1000000 > t0 + 3000000000LL)
			return replay_gap(ag, "the engine's clock is behind the "
			                  "resume point");
		t0 = ag->res.point + 1000000;
	}
	/* --since after T0 (the future): nothing to replay; engines refuse
	 * a since after the until. */
	if (ag->res.kind == DK_RESUME_NONE && ag->opts.since_ns >= t0) {
		ag->snap_due = 1;
		return DK_OUT_OPEN;
	}
	/* An --until before T0: only the replay, no snapshot of a later
	 * time. */
	if (had_until && until <= t0)
		return stream(ag, &clean);
	ag->opts.has_until = 1;
	ag->opts.until_ns = t0;
	out = stream(ag, &clean);
	ag->opts.has_until = had_until;
	ag->opts.until_ns = until;
	if (out == DK_OUT_OPEN) {
		/* A resync in the replay (its first event was not the point's):
		 * the snapshot takes its own point. */
		ag->snap_t0 = 0;
		return DK_OUT_OPEN;
	}
	/* The engine ended the bounded body: the replay is whole (by its
	 * clock; ours may be behind, which the session reads as a failure). */
	if (out != DK_OUT_DONE && !(out == DK_OUT_RETRY && clean))
		return out;
	/* Not even the point's event came back: the history no longer
	 * reaches back to it (an engine restarted without events since). */
	if (ag->res.verify)
		return replay_gap(ag, "the engine's history up to the snapshot "
		                  "does not hold the resume point's event");
	ag->snap_due = 1;
	ag->snap_t0 = t0;
	return DK_OUT_OPEN;
}

enum dk_outcome dk_agent_session(struct dk_agent *ag)
{
	enum dk_outcome out;
	int clean;

	/* Until a snapshot after the replay is whole, every connection
	 * starts with the replay, from wherever it got to. */
	if (ag->snap_replay) {
		ag->snap_due = 0;
		ag->snap_t0 = 0;
	}
	for (;;) {
		if (ag->snap_replay && !ag->snap_due &&
		    (out = replay_to_snapshot(ag)) != DK_OUT_OPEN)
			return out;
		if (ag->snap_due && (out = take_snapshot(ag)) != DK_OUT_OPEN)
			return out;
		if ((out = stream(ag, &clean)) != DK_OUT_OPEN)
			return out;
	}
}

static int run(struct dk_agent *ag)
{
	/* --snapshot at the first connect; resuming from a point (--state,
	 * --since), after the history up to the snapshot is replayed. */
	ag->snap_replay = ag->opts.snapshot && (ag->res.kind != DK_RESUME_NONE ||
	                                        ag->opts.has_since);
	ag->snap_due = ag->opts.snapshot && !ag->snap_replay;
	for (;;) {
		enum dk_outcome out = dk_agent_session(ag);
		int64_t delay;
		int r;

		if (ag->t.fd >= 0)
			ag->t.close(&ag->t);
		/* On a stop the engine's queued events are dropped, and the
		 * agent's own last event, dockev disconnect, still runs its
		 * hooks (within their timeout; a second stop kills them). */
		if (out == DK_OUT_STOP)
			dk_hook_drop_queued(&ag->hooks);
		if (ag->connected) {
			ag->connected = 0;
			dk_backoff_up(&ag->bo, dk_port_now_ms() - ag->connected_ms);
			if (out == DK_OUT_STOP || out == DK_OUT_DONE)
				snprintf(ag->why, sizeof ag->why, "%s",
				         out == DK_OUT_STOP ? "stopping" : "until reached");
			if (out == DK_OUT_RETRY || out == DK_OUT_CONFIG)
				dk_port_log(DK_LOG_WARN, "disconnected from %s: %s",
				            ag->ep.url, ag->why);
			/* A handler may stop the agent here too. */
			r = dk_agent_synthetic(ag, "disconnect");
			if (r < 0)
				out = DK_OUT_HANDLER_ERR;
			else if (r > 0 && (out == DK_OUT_RETRY ||
			                   out == DK_OUT_CONFIG_WAIT))
				out = DK_OUT_HANDLER_STOP;
		}
		write_output();
		if (out != DK_OUT_RETRY && out != DK_OUT_CONFIG_WAIT) {
			drain_hooks(ag, out == DK_OUT_DONE || out == DK_OUT_STOP);
			dk_agent_state_save(ag, 1);
			output_left();
		}
		switch (out) {
		case DK_OUT_STOP:
		case DK_OUT_DONE:
		case DK_OUT_HANDLER_STOP:
			return dk_output_error() ? 1 : 0;
		case DK_OUT_CONFIG:
		case DK_OUT_HANDLER_ERR:
			return 1;
		case DK_OUT_RETRY:
		case DK_OUT_CONFIG_WAIT:
		case DK_OUT_OPEN: /* not an end: dk_agent_session never says it */
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
		if (sleep_backoff(ag, delay)) {
			output_left();
			return dk_output_error() ? 1 : 0;
		}
		ag->n.reconnects++;
	}
}

/* --mqtt at exit: what is in flight gets DK_MQTT_DRAIN_MS to be
 * acknowledged (none when the broker is away), then the connection ends
 * with the retained "offline". */
static void mqtt_end(struct dk_agent *ag)
{
	int64_t end = dk_port_now_ms() + DK_MQTT_DRAIN_MS;

	while (dk_mqttc_pending(&ag->mq) && dk_mqttc_up(&ag->mq) &&
	       !ag->mq_stopped) {
		int64_t l = end - dk_port_now_ms();
		int w;
		/* Short waits: the wait returns on its own fd only. A
		 * second stop (or a failed wait) ends the drain; the first
		 * may be taken here (the wait that ended the loop did not
		 * take it), and ending then left the last publish, often
		 * dockev disconnect, unacknowledged (publish.t, 1 run in 3). */
		if (l <= 0)
			break;
		w = dk_agent_wait(ag, -1, 0, l < 20 ? (int)l : 20);
		if (w == DK_STOP ? ag->stops > 1 : w < 0)
			break;
	}
	dk_mqttc_close(&ag->mq);
}

int dk_agent_run(struct dk_agent *ag)
{
	int r = run(ag);

	mqtt_end(ag);
	/* The broker's cursor as the drain left it. */
	dk_catchup_close(ag);
	dk_agent_state_save(ag, 1);
	return r || ag->mq_stopped ? 1 : 0;
}
