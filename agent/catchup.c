/* catchup.c - the broker's cursor and the catch-up from the engine's
 * history (catchup.h says the rules). The catch-up connection is a second
 * GET /events bounded by since= and until=, as dockerd answers it: its
 * history (the last 256 events) from since, up to until, then the final
 * chunk. Non-blocking but for the connect; read only while the publisher
 * has room, so a slow broker never makes the agent buffer more than one
 * record of it.
 */
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include "catchup.h"
#include "agent.h"
#include "err.h"
#include "out.h"
#include "request.h"
#include "state.h"
#include "when.h"

#if DK_MQTT

void dk_catchup_init(struct dk_catchup *cu, int64_t backoff_min_ms,
                     int64_t backoff_max_ms)
{
	/* All but the buffer (the last member): zeroing its 64 KiB would
	 * make them resident in every agent, --mqtt or not. */
	memset(cu, 0, offsetof(struct dk_catchup, buf));
	cu->t.fd = -1;
	/* Reset after a minute of rounds that end well. */
	dk_backoff_init(&cu->bo, backoff_min_ms, backoff_max_ms, 60000);
	dk_framer_init(&cu->fr, cu->buf, sizeof cu->buf);
}

static int on(const struct dk_agent *ag)
{
	return ag->mq.state != DK_MQTTC_OFF;
}

static const char *when(int64_t ns, char *buf, size_t cap)
{
	if (ns <= 0)
		return "no event yet";
	dk_when_format(ns, buf, cap);
	return buf;
}

/* ---- the live path ------------------------------------------------------ */

void dk_catchup_live(struct dk_agent *ag, const struct dk_event *ev)
{
	struct dk_catchup *cu = &ag->cu;
	char w[32];
	int r;

	if (!on(ag))
		return;
	/* Just caught up: the last round may have published, by its
	 * until's slack, an event the live stream brings only now. */
	if (!cu->behind && !ev->synthetic && ev->time_nano > 0 &&
	    ev->time_nano <= cu->until &&
	    !(dk_resume_event(&cu->cres, ev->time_nano,
	                      dk_event_identity(ev)) & DK_RESUME_NEW))
		return;
	if (!cu->behind) {
		/* Taken while the broker is away too, until the buffer is
		 * full: a short outage costs no catch-up. */
		r = dk_mqttc_offer(&ag->mq, ev);
		if (r != DK_ERR_NOSPACE)
			return; /* taken, or never publishable (logged) */
		cu->behind = 1;
		cu->chained = 0;
		cu->due_ms = 0;
		cu->published_at = cu->n.published;
		dk_port_log(DK_LOG_WARN, "mqtt: send buffer full (%u events "
		            "waiting for %s): live events are not published from "
		            "%s on; local handlers and hooks go on; the broker "
		            "catches up from the engine's history once it has "
		            "emptied", dk_mqttc_pending(&ag->mq), ag->mq.ep.url,
		            when(ev->time_nano, w, sizeof w));
	}
	/* Engine events come again in the catch-up; the agent's own do not
	 * (a resync is published if the history lost any). */
	if (!ev->synthetic)
		cu->n.skipped++;
}

void dk_catchup_opened(struct dk_agent *ag)
{
	struct dk_catchup *cu = &ag->cu;
	struct dk_resume *b = &ag->mq.acked;
	char w1[32], w2[32];

	if (!on(ag) || b->kind != DK_RESUME_NONE)
		return;
	if (cu->has_loaded) {
		*b = cu->loaded;
		cu->has_loaded = 0;
		cu->saved_point = b->point;
		cu->saved_n = b->n;
		/* The local side went further than the broker: catch up as
		 * soon as the broker is there. */
		if (b->kind != ag->res.kind || b->point != ag->res.point) {
			cu->behind = 1;
			cu->chained = 0;
			dk_port_log(DK_LOG_INFO, "mqtt: the broker's cursor (%s) "
			            "is behind the local one (%s): catching up from "
			            "the engine's history once connected",
			            when(b->point, w1, sizeof w1),
			            when(ag->res.point, w2, sizeof w2));
		}
		return;
	}
	if (ag->res.kind != DK_RESUME_NONE) {
		*b = ag->res;
	} else if (ag->opts.has_since) {
		dk_resume_restore(b, DK_RESUME_CLOCK, ag->opts.since_ns, NULL, 0);
	}
}

/* ---- the round ---------------------------------------------------------- */

/* Close the connection; again at once (chained, a clean end) or after the
 * back-off (a failure, said in one line). */
static void finish(struct dk_agent *ag, int failed, const char *fmt,
                   const char *detail)
{
	struct dk_catchup *cu = &ag->cu;
	int64_t now = dk_port_now_ms(), delay = 0;

	if (cu->t.fd >= 0)
		cu->t.close(&cu->t);
	cu->t.fd = -1;
	cu->state = DK_CU_IDLE;
	cu->pending = 0;
	if (failed) {
		/* From the broker's cursor again, once the buffer emptied. */
		cu->chained = 0;
		delay = dk_backoff_next(&cu->bo, dk_port_random());
		dk_port_log(DK_LOG_WARN, "mqtt: catch-up from %s: %s%s%s; "
		            "retrying in %lld.%03llds", ag->ep.url, fmt,
		            detail ? ": " : "", detail ? detail : "",
		            (long long)(delay / 1000), (long long)(delay % 1000));
	}
	cu->due_ms = now + delay;
}

/* A synthetic dockev resync for the broker only (the local stream had no
 * gap), in the shape dk_agent_synthetic gives. */
static int resync_event(struct dk_agent *ag)
{
	struct dk_catchup *cu = &ag->cu;
	static const char why[] = "the engine's history no longer reaches back "
	                          "to the broker's cursor: events may be "
	                          "missing on the broker";
	long n = dk_agent_synthetic_text(ag, "resync", why, "\"output\":\"mqtt\"",
	                                 cu->synth, sizeof cu->synth);

	if (n < 0 ||
	    dk_event_parse(&cu->sev, cu->synth, (size_t)n) != DK_OK)
		return DK_ERR_NOSPACE; /* sized for the longest URL: cannot */
	cu->sev.synthetic = 1;
	return DK_OK;
}

static void start(struct dk_agent *ag)
{
	struct dk_catchup *cu = &ag->cu;
	struct dk_resume *l = &ag->res;
	char since[32], until[32], why[DK_WHY_MAX / 2], w[32];
	int64_t since_ns, top;
	int r, n;

	if (!cu->chained) {
		cu->cres = ag->mq.acked;
		cu->resync_due = 0;
	}
	/* Nothing delivered locally: nothing to catch up. */
	top = l->top > l->point ? l->top : l->point;
	if (l->kind != DK_RESUME_EVENT || !dk_resume_since(&cu->cres, &since_ns) ||
	    top < since_ns) {
		cu->behind = 0;
		return;
	}
	/* The first event must be one the broker has (or was offered in
	 * the last round): else the history lost some. */
	dk_resume_open(&cu->cres, 0);
	/* A millisecond on: Podman's until is exclusive and parsed through
	 * a float; what the slack brings early is deduplicated (live). */
	top += 1000000;
	cu->until = top;
	cu->skipped_at = cu->n.skipped;
	dk_when_format(since_ns, since, sizeof since);
	dk_when_format(top, until, sizeof until);
	n = dk_request_events(cu->req, sizeof cu->req, &ag->ep, ag->version,
	                      since, until, ag->filters);
	if (n < 0) {
		finish(ag, 1, "events request", dk_strerror(n));
		return;
	}
	cu->req_len = (size_t)n;
	cu->req_off = 0;
	cu->busy = 1;
	r = dk_port_connect(&cu->t, &ag->ep, DK_CONNECT_TIMEOUT_MS, why, sizeof why);
	cu->busy = 0;
	if (r != DK_OK) {
		cu->t.fd = -1;
		finish(ag, 1, "cannot connect", why[0] ? why : dk_strerror(r));
		return;
	}
	if (!cu->chained)
		dk_port_log(DK_LOG_INFO, "mqtt: catching up from the engine's "
		            "history: since %s (the broker's cursor %s) until %s",
		            since, when(cu->cres.point, w, sizeof w), until);
	cu->state = DK_CU_SEND;
	cu->head_due_ms = dk_port_now_ms() + DK_HEAD_TIMEOUT_MS;
	cu->have = 0;
	cu->ending = 0;
	cu->pending = 0;
	dk_http_head_init(&cu->head);
}

/* The body's bytes at p (n, in the framer's space) decoded in place. */
static void decode(struct dk_catchup *cu, char *p, size_t n, const char **err)
{
	size_t dec;
	int r = dk_chunk_decode(&cu->chunk, p, n, &dec);

	dk_framer_commit(&cu->fr, dec);
	if (r < 0)
		*err = dk_strerror(r);
	else if (r == DK_CHUNK_END)
		cu->ending = 1;
}

/* The round's end: caught up, or another round. */
static void ended(struct dk_agent *ag)
{
	struct dk_catchup *cu = &ag->cu;
	char w[32];

	cu->n.rounds++;
	dk_backoff_up(&cu->bo, 60000);
	/* Not one event came back: not even the broker's last, so the
	 * history does not reach it. */
	if (cu->cres.verify && !cu->resync_due) {
		cu->resync_due = 1;
		cu->cres.verify = 0;
	}
	if (cu->resync_due) {
		/* Published now, before whatever comes next. */
		if (resync_event(ag) != DK_OK ||
		    dk_mqttc_offer(&ag->mq, &cu->sev) == DK_ERR_NOSPACE) {
			/* No room: the next round (chained) says it first. */
			cu->chained = 1;
			finish(ag, 0, NULL, NULL);
			return;
		}
		cu->resync_due = 0;
		cu->n.resyncs++;
	}
	if (cu->n.skipped == cu->skipped_at) {
		cu->behind = 0;
		cu->chained = 0;
		dk_port_log(DK_LOG_INFO, "mqtt: caught up to %s (%llu events "
		            "from the engine's history); publishing live again",
		            when(cu->until, w, sizeof w),
		            (unsigned long long)(cu->n.published - cu->published_at));
	} else {
		cu->chained = 1;
	}
	finish(ag, 0, NULL, NULL);
}

/* Offer what is pending; 0 when the publisher has no room. */
static int offer_pending(struct dk_agent *ag)
{
	struct dk_catchup *cu = &ag->cu;
	char w[32];

	if (cu->resync_due) {
		if (resync_event(ag) != DK_OK ||
		    dk_mqttc_offer(&ag->mq, &cu->sev) == DK_ERR_NOSPACE)
			return 0;
		cu->resync_due = 0;
		cu->n.resyncs++;
		dk_port_log(DK_LOG_WARN, "mqtt: the engine's history no longer "
		            "reaches back to the broker's cursor (%s): published "
		            "dockev resync; what the history still has follows",
		            when(ag->mq.cursor_ns, w, sizeof w));
	}
	if (cu->pending) {
		if (dk_mqttc_offer(&ag->mq, &cu->ev) == DK_ERR_NOSPACE)
			return 0;
		cu->pending = 0;
		cu->n.published++;
	}
	return 1;
}

/* Records to the publisher while it has room; more from the socket when
 * none is buffered. */
static void body(struct dk_agent *ag)
{
	struct dk_catchup *cu = &ag->cu;

	for (;;) {
		const char *rec, *err = NULL;
		size_t len, room;
		char *p;
		long k;
		int f, v;

		if (!offer_pending(ag))
			return; /* the publisher's acknowledgements wake us */
		f = dk_framer_next(&cu->fr, &rec, &len);
		if (f == DK_FRAME_MORE && cu->ending)
			f = dk_framer_flush(&cu->fr, &rec, &len);
		if (f == DK_FRAME_RECORD) {
			/* Invalid, or an engine's record carrying our mark:
			 * the live side skipped and logged it already. */
			if (dk_event_parse(&cu->ev, rec, len) != DK_OK ||
			    cu->ev.marked)
				continue;
			v = dk_resume_event(&cu->cres, cu->ev.time_nano,
			                    cu->ev.time_nano > 0
			                    ? dk_event_identity(&cu->ev) : 0);
			if (!(v & DK_RESUME_NEW))
				continue; /* the broker has it */
			if (v & DK_RESUME_GAP)
				cu->resync_due = 1;
			cu->pending = 1;
			continue;
		}
		if (f < 0)
			continue; /* too big: skipped locally as well */
		if (cu->ending) {
			ended(ag);
			return;
		}
		p = dk_framer_space(&cu->fr, &room);
		k = cu->t.recv(&cu->t, p, room);
		if (k == DK_AGAIN)
			return;
		if (k == 0) {
			if (dk_chunk_eof(&cu->chunk) == DK_CHUNK_END)
				cu->ending = 1;
			else
				finish(ag, 1, "the engine closed the history "
				       "mid-body", NULL);
			if (!cu->ending)
				return;
			continue;
		}
		if (k < 0) {
			finish(ag, 1, "read", dk_port_errstr());
			return;
		}
		ag->n.bytes += (uint64_t)k;
		decode(cu, p, (size_t)k, &err);
		if (err) {
			finish(ag, 1, "history", err);
			return;
		}
	}
}

static void head(struct dk_agent *ag)
{
	struct dk_catchup *cu = &ag->cu;
	char msg[64];
	const char *err = NULL;
	long k, r;
	size_t room;

	for (;;) {
		k = cu->t.recv(&cu->t, cu->buf + cu->have, sizeof cu->buf - cu->have);
		if (k == DK_AGAIN)
			return;
		if (k <= 0) {
			finish(ag, 1, k == 0 ? "the engine closed the connection "
			       "without answering" : "read",
			       k == 0 ? NULL : dk_port_errstr());
			return;
		}
		cu->have += (size_t)k;
		r = dk_http_head_parse(&cu->head, cu->buf, cu->have);
		if (r < 0) {
			finish(ag, 1, "malformed answer", dk_strerror((int)r));
			return;
		}
		if (r > 0)
			break;
	}
	if (cu->head.status < 200 || cu->head.status > 299) {
		snprintf(msg, sizeof msg, "HTTP %d", cu->head.status);
		finish(ag, 1, "the engine refused GET /events", msg);
		return;
	}
	dk_chunk_init(&cu->chunk, dk_http_body_mode(&cu->head),
	              (uint64_t)(cu->head.content_length > 0
	                         ? cu->head.content_length : 0));
	dk_framer_reset(&cu->fr);
	cu->state = DK_CU_BODY;
	cu->have -= (size_t)r;
	memmove(cu->buf, cu->buf + r, cu->have);
	if (cu->have) {
		char *p = dk_framer_space(&cu->fr, &room);
		decode(cu, p, cu->have, &err);
		if (err) {
			finish(ag, 1, "history", err);
			return;
		}
	}
	body(ag);
}

static void send_req(struct dk_agent *ag)
{
	struct dk_catchup *cu = &ag->cu;

	while (cu->req_off < cu->req_len) {
		long k = cu->t.send(&cu->t, cu->req + cu->req_off,
		                    cu->req_len - cu->req_off);
		if (k == DK_AGAIN)
			return;
		if (k <= 0) {
			finish(ag, 1, "send", dk_port_errstr());
			return;
		}
		cu->req_off += (size_t)k;
	}
	cu->state = DK_CU_HEAD;
	head(ag);
}

/* A round may start: behind, the broker up, and its buffer emptied (a
 * chained round follows on at once), the engine's version known. */
static int due(const struct dk_agent *ag)
{
	const struct dk_catchup *cu = &ag->cu;

	return cu->behind && cu->state == DK_CU_IDLE && !cu->busy &&
	       dk_mqttc_up(&ag->mq) && ag->connected && ag->version[0] &&
	       (cu->chained || dk_mqttc_pending(&ag->mq) == 0);
}

void dk_catchup_service(struct dk_agent *ag)
{
	struct dk_catchup *cu = &ag->cu;

	if (!on(ag) || cu->busy)
		return;
	switch (cu->state) {
	case DK_CU_IDLE:
		if (due(ag) && dk_port_now_ms() >= cu->due_ms) {
			start(ag);
			if (cu->state == DK_CU_SEND)
				send_req(ag);
		}
		break;
	case DK_CU_SEND:
		send_req(ag);
		break;
	case DK_CU_HEAD:
		if (dk_port_now_ms() >= cu->head_due_ms)
			finish(ag, 1, "no response head in time", NULL);
		else
			head(ag);
		break;
	case DK_CU_BODY:
		body(ag);
		break;
	}
}

int dk_catchup_pollfd(const struct dk_agent *ag, struct dk_pollfd *p)
{
	const struct dk_catchup *cu = &ag->cu;

	/* A record waiting for room: the broker's PUBACKs wake the loop. */
	if (!on(ag) || cu->busy || cu->state == DK_CU_IDLE || cu->t.fd < 0 ||
	    (cu->state == DK_CU_BODY && (cu->pending || cu->resync_due)))
		return 0;
	p->fd = cu->t.fd;
	p->events = cu->state == DK_CU_SEND ? DK_POLL_OUT : DK_POLL_IN;
	p->revents = 0;
	return 1;
}

int dk_catchup_next_ms(const struct dk_agent *ag, int64_t now)
{
	const struct dk_catchup *cu = &ag->cu;
	int64_t at;

	if (!on(ag) || cu->busy)
		return -1;
	if (cu->state == DK_CU_HEAD)
		at = cu->head_due_ms;
	else if (cu->state == DK_CU_IDLE && due(ag))
		at = cu->due_ms;
	else
		return -1;
	return at <= now ? 0 : at - now > 86400000 ? 86400000 : (int)(at - now);
}

/* ---- --state ------------------------------------------------------------ */

void dk_catchup_state_put(struct dk_agent *ag, struct dk_state *s)
{
	const struct dk_resume *b = &ag->mq.acked;

	/* Not taken yet (or no --mqtt this time): what the file had stays,
	 * so a run without --mqtt does not lose the broker's place. */
	if (ag->cu.has_loaded)
		b = &ag->cu.loaded;
	else if (!on(ag))
		return;
	if (b->kind == DK_RESUME_NONE)
		return;
	s->has_broker = 1;
	s->bkind = b->kind;
	s->bpoint = b->point;
	s->bcount = dk_resume_marks(b, s->bmarks);
	ag->cu.saved_point = b->point;
	ag->cu.saved_n = b->n;
}

void dk_catchup_state_take(struct dk_agent *ag, const struct dk_state *s)
{
	if (!s->has_broker)
		return;
	dk_resume_restore(&ag->cu.loaded, s->bkind, s->bpoint, s->bmarks,
	                  s->bcount);
	ag->cu.has_loaded = 1;
}

int dk_catchup_state_dirty(const struct dk_agent *ag)
{
	const struct dk_resume *b = &ag->mq.acked;

	return on(ag) && b->kind != DK_RESUME_NONE &&
	       (b->point != ag->cu.saved_point || b->n != ag->cu.saved_n);
}

void dk_catchup_close(struct dk_agent *ag)
{
	struct dk_catchup *cu = &ag->cu;
	char w[32];

	if (!on(ag))
		return;
	if (cu->t.fd >= 0)
		cu->t.close(&cu->t);
	cu->t.fd = -1;
	cu->state = DK_CU_IDLE;
	if (cu->behind)
		dk_port_log(DK_LOG_WARN, "mqtt: the broker is behind at exit "
		            "(its cursor %s; %llu live events left to the "
		            "catch-up): %s", when(ag->mq.cursor_ns, w, sizeof w),
		            (unsigned long long)cu->n.skipped,
		            ag->opts.state_file ? "--state keeps its cursor: the "
		            "next start catches up from the engine's history"
		            : "without --state they are not published");
}

#endif
