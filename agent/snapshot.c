/* snapshot.c - --snapshot's list connection (snapshot.h): the three list
 * answers read in turn over one keep-alive connection, dechunked in place
 * in ag->buf (free: the events stream opens after the lists), each
 * element framed (array.c) and made an event (object.c), handed back to
 * the loop one at a time. Engine API: GET /containers/json, /networks,
 * /volumes (a JSON array; for /volumes the "Volumes" member of an object).
 */
#include <stdio.h>
#include <string.h>
#include "agent.h"
#include "err.h"
#include "list.h"

static const char *const paths[DK_OBJECT_KINDS] = {
	"GET /containers/json", "GET /networks", "GET /volumes"
};

int64_t dk_snapshot_point(const struct dk_agent *ag)
{
	/* The engine's clock says whole seconds: the point is the second
	 * before, so nothing of the current second is left out. */
	return (ag->engine_date_ok ? ag->engine_date * 1000000000LL
	                           : dk_port_wall_ns()) - 1000000000LL;
}

int dk_snapshot_open(struct dk_agent *ag, unsigned lists, int64_t t0)
{
	struct dk_snapshot *s = &ag->snap;
	enum dk_outcome out = dk_session_hello(ag);

	if (out != DK_OUT_OPEN)
		return out;
	s->t0 = t0 > 0 ? t0 : dk_snapshot_point(ag);
	s->lists = lists;
	s->kind = -1;
	s->body = s->body_end = s->array_done = 0;
	s->pos = s->have = 0;
	memset(s->count, 0, sizeof s->count);
	s->skipped = 0;
	return DK_OUT_OPEN;
}

/* A failure of the list being read: why, and the outcome. */
static int fail(struct dk_agent *ag, int *out, enum dk_outcome o,
                const char *detail)
{
	if (detail)
		snprintf(ag->why, sizeof ag->why, "%s: %s",
		         paths[ag->snap.kind], detail);
	*out = o;
	return DK_SNAP_FAIL;
}

/* Decode n raw bytes at the front of ag->buf in place. */
static int decode(struct dk_agent *ag, size_t n)
{
	struct dk_snapshot *s = &ag->snap;
	size_t dec = 0;
	int r = dk_chunk_decode(&ag->chunk, ag->buf, n, &dec);

	s->pos = 0;
	s->have = dec;
	if (r == DK_CHUNK_END)
		s->body_end = 1;
	return r < 0 ? r : DK_OK;
}

/* Send the next list's request and read its head. */
static int start_list(struct dk_agent *ag, int *out)
{
	struct dk_snapshot *s = &ag->snap;
	char req[DK_HOST_MAX + 256];
	size_t have;
	long r;
	int n = dk_list_request(req, sizeof req, &ag->ep, ag->version, s->kind);

	if (n < 0)
		return fail(ag, out, DK_OUT_CONFIG, dk_strerror(n));
	r = dk_session_exchange(ag, req, (size_t)n, &have);
	if (r <= 0) {
		*out = dk_session_failed(ag, r);
		return DK_SNAP_FAIL;
	}
	if (ag->head.status < 200 || ag->head.status > 299) {
		*out = dk_session_refused(ag, paths[s->kind], (size_t)r, have);
		return DK_SNAP_FAIL;
	}
	dk_chunk_init(&ag->chunk, dk_http_body_mode(&ag->head),
	              (uint64_t)(ag->head.content_length > 0
	                         ? ag->head.content_length : 0));
	dk_array_init(&s->arr, s->elem, sizeof s->elem,
	              s->kind == DK_OBJECT_VOLUME ? "Volumes" : NULL);
	s->body = 1;
	s->body_end = s->array_done = 0;
	memmove(ag->buf, ag->buf + r, have - (size_t)r);
	if ((n = decode(ag, have - (size_t)r)) < 0)
		return fail(ag, out, DK_OUT_RETRY, dk_strerror(n));
	return 0;
}

/* An element that is no object (or no event could be made of it). */
static int skip(struct dk_agent *ag, int err, const char *rec, size_t len)
{
	char id[96];

	ag->snap.skipped++;
	dk_event_identify(rec, len, id, sizeof id);
	dk_port_log(DK_LOG_WARN, "--snapshot: skipped a %s (%s, %zu bytes%s): %s",
	            dk_object_type(ag->snap.kind), dk_strerror(err), len,
	            err == DK_ERR_RECORD_BIG ? " shown" : "", id);
	return DK_SNAP_SKIPPED;
}

int dk_snapshot_next(struct dk_agent *ag, const char **rec, size_t *len,
                     int *out)
{
	struct dk_snapshot *s = &ag->snap;

	for (;;) {
		long n;
		int r;

		if (!s->body) {
			do
				s->kind++;
			while (s->kind < DK_OBJECT_KINDS &&
			       !(s->lists & (1u << s->kind)));
			if (s->kind >= DK_OBJECT_KINDS) {
				ag->t.close(&ag->t);
				return DK_SNAP_END;
			}
			if ((r = start_list(ag, out)) != 0)
				return r;
		}
		while (s->pos < s->have && !s->array_done) {
			size_t used;
			const char *e;
			size_t el;
			long k;

			r = dk_array_feed(&s->arr, ag->buf + s->pos,
			                  s->have - s->pos, &used, &e, &el);
			s->pos += used;
			if (r == DK_ARRAY_ELEM) {
				k = dk_object_event(s->kind, e, el, s->t0, s->ev,
				                    sizeof s->ev);
				if (k < 0)
					return skip(ag, (int)k, e, el);
				*rec = s->ev;
				*len = (size_t)k;
				return DK_SNAP_OBJECT;
			}
			if (r == DK_ERR_RECORD_BIG)
				return skip(ag, r, e, el);
			if (r == DK_ARRAY_DONE)
				s->array_done = 1;
			else if (r < 0)
				return fail(ag, out, DK_OUT_RETRY,
				            "the answer is not the list expected");
		}
		if (s->body_end) {
			if ((r = dk_array_end(&s->arr)) != DK_ARRAY_DONE)
				return fail(ag, out, DK_OUT_RETRY, dk_strerror(r));
			s->body = 0;
			/* The next list on this connection, or on a new one. */
			if (ag->head.close && s->lists >> (s->kind + 1)) {
				ag->t.close(&ag->t);
				if ((r = dk_session_hello(ag)) != DK_OUT_OPEN) {
					*out = r;
					return DK_SNAP_FAIL;
				}
			}
			continue;
		}
		/* A list arriving as fast as it is read still lets hooks run
		 * and signals through, as the events stream does. */
		dk_hook_service(&ag->hooks);
		if (dk_port_signal_seen() && dk_agent_signals(ag)) {
			*out = DK_OUT_STOP;
			return DK_SNAP_FAIL;
		}
		n = dk_session_recv(ag, ag->buf, sizeof ag->buf,
		                    dk_port_now_ms() + DK_HEAD_TIMEOUT_MS);
		if (n == 0) {
			if (dk_chunk_eof(&ag->chunk) != DK_CHUNK_END)
				return fail(ag, out, DK_OUT_RETRY,
				            dk_strerror(DK_ERR_TRUNCATED));
			s->body_end = 1;
			s->pos = s->have = 0;
			continue;
		}
		if (n < 0) {
			*out = dk_session_failed(ag, n);
			return DK_SNAP_FAIL;
		}
		if ((r = decode(ag, (size_t)n)) < 0)
			return fail(ag, out, DK_OUT_RETRY, dk_strerror(r));
	}
}
