/* session.c - one connection to the engine: connect, /_ping to negotiate
 * the API version, GET /events, parse the head; then the body through the
 * chunk decoder and the framer, handed back record by record to the loop
 * (agent.c), which delivers. The connection's I/O goes through the port's
 * transport and the loop's one wait; failures are classified as transient
 * (retry) or configuration (stop).
 */
#include <stdio.h>
#include <string.h>
#include "agent.h"
#include "err.h"
#include "list.h"
#include "output.h"
#include "request.h"
#include "when.h"

/* A wait or an I/O step returns, besides byte counts: DK_OK, DK_STOP (a
 * stop request), DK_ERR_TIMEOUT, DK_ERR_IO (the transport failed:
 * dk_port_errstr says why), or DK_ERR_TLS (refused by the engine's TLS). */

/* Note why a transient failure happened ("what: detail"); retry. */
static enum dk_outcome retry(struct dk_agent *ag, const char *what,
                             const char *detail)
{
	snprintf(ag->why, sizeof ag->why, "%s%s%s", what, detail ? ": " : "",
	         detail ? detail : "");
	return DK_OUT_RETRY;
}

/* Wait for the transport (readable, or writable); timeout_ms < 0:
 * forever. Bytes TLS already holds count as readable. */
static int wait_io(struct dk_agent *ag, int want_write, int timeout_ms)
{
	int r;

	if (!want_write && ag->t.pending(&ag->t) > 0)
		return DK_OK;
	r = dk_agent_wait(ag, ag->t.fd, want_write, timeout_ms);
	return r == DK_WAIT_READY ? DK_OK : r == DK_WAIT_TIMEOUT ? DK_ERR_TIMEOUT
	       : r == DK_STOP ? DK_STOP : DK_ERR_IO;
}

static int send_all(struct dk_agent *ag, const char *p, size_t n)
{
	while (n > 0) {
		long w = ag->t.send(&ag->t, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w != DK_AGAIN)
			return DK_ERR_IO;
		if ((w = wait_io(ag, 1, DK_HEAD_TIMEOUT_MS)) != DK_OK)
			return (int)w;
	}
	return DK_OK;
}

/* Read into p[0..room) once, waiting up to the absolute deadline (ms of
 * the monotonic clock, < 0: none). Returns the byte count, 0 at EOF,
 * DK_ERR_TLS, or a code as above. */
static long read_some(struct dk_agent *ag, char *p, size_t room,
                      int64_t deadline)
{
	for (;;) {
		long n;
		int w, left = -1;
		if (deadline >= 0) {
			int64_t l = deadline - dk_port_now_ms();
			left = l > 0 ? (int)l : 0;
		}
		n = ag->t.recv(&ag->t, p, room);
		if (n > 0) {
			ag->n.bytes += (uint64_t)n;
			return n;
		}
		if (n == 0)
			return 0;
		if (n == DK_ERR_TLS)
			return n; /* refused by the engine's TLS: configuration */
		if (n != DK_AGAIN)
			return DK_ERR_IO;
		if ((w = wait_io(ag, 0, left)) != DK_OK)
			return w;
	}
}

/* Send a request and read the response head into ag->buf. Returns the head
 * length (> 0) with *have bytes in the buffer, or a negative dk_err, with ag->why set. A patient exchange (the events request to an
 * engine whose ping said it is Podman) waits for the head for ever once
 * the head timeout passed without a byte: Podman 5.1 and 5.2 send no head
 * before their first event, and a quiet host may have none for hours.
 * dockerd sends its head at once, so a silent one is a stalled engine. */
static long exchange(struct dk_agent *ag, const char *req, size_t reqlen,
                     size_t *have, int patient)
{
	int64_t deadline = dk_port_now_ms() + DK_HEAD_TIMEOUT_MS;
	long r;

	*have = 0;
	if ((r = send_all(ag, req, reqlen)) != DK_OK) {
		if (r == DK_ERR_IO)
			snprintf(ag->why, sizeof ag->why, "send: %s",
			         dk_port_errstr());
		else if (r == DK_ERR_TIMEOUT)
			snprintf(ag->why, sizeof ag->why, "send timed out");
		return r;
	}
	dk_http_head_init(&ag->head);
	for (;;) {
		long n = read_some(ag, ag->buf + *have,
		                   sizeof ag->buf - *have, deadline);
		if (n == 0) {
			snprintf(ag->why, sizeof ag->why,
			         "engine closed the connection %s",
			         *have ? "inside the response head"
			               : "without answering");
			return DK_ERR_IO;
		}
		if (n == DK_ERR_TIMEOUT && patient && *have == 0) {
			dk_port_log(DK_LOG_INFO, "engine sent no response head "
			            "in %d ms (Podman 5.1 and 5.2 wait for the "
			            "first event): waiting for it",
			            DK_HEAD_TIMEOUT_MS);
			deadline = -1;
			continue;
		}
		if (n == DK_ERR_TIMEOUT) {
			snprintf(ag->why, sizeof ag->why,
			         "no response head within %d ms",
			         DK_HEAD_TIMEOUT_MS);
			return n;
		}
		if (n < 0) {
			if (n == DK_ERR_IO)
				snprintf(ag->why, sizeof ag->why, "read: %s",
				         dk_port_errstr());
			else if (n == DK_ERR_TLS)
				snprintf(ag->why, sizeof ag->why, "%s",
				         dk_port_errstr());
			return n;
		}
		*have += (size_t)n;
		r = dk_http_head_parse(&ag->head, ag->buf, *have);
		if (r > 0)
			return r;
		if (r < 0) {
			char first[24];
			dk_event_identify(ag->buf, *have < 20 ? *have : 20,
			                  first, sizeof first);
			snprintf(ag->why, sizeof ag->why,
			         "malformed answer: %s (starts \"%s\")",
			         dk_strerror((int)r), first);
			return r;
		}
	}
}

/* Read a small whole body (a ping or an error answer) behind a head of
 * headlen bytes; the payload ends up at ag->buf[0..*len). Best effort:
 * stops at the end of the body, EOF, a full buffer or a short deadline. */
static void small_body(struct dk_agent *ag, size_t headlen, size_t have,
                       size_t *len)
{
	int64_t deadline = dk_port_now_ms() + DK_SMALL_BODY_MS;
	size_t raw = have - headlen, dec = 0;
	int r;

	dk_chunk_init(&ag->chunk, dk_http_body_mode(&ag->head),
	              (uint64_t)(ag->head.content_length > 0
	                         ? ag->head.content_length : 0));
	memmove(ag->buf, ag->buf + headlen, raw);
	*len = 0;
	for (;;) {
		long n;
		r = dk_chunk_decode(&ag->chunk, ag->buf + *len, raw, &dec);
		*len += dec;
		if (r != 0 || *len >= sizeof ag->buf - 1)
			break;
		n = read_some(ag, ag->buf + *len, sizeof ag->buf - 1 - *len,
		              deadline);
		if (n <= 0)
			break;
		raw = (size_t)n;
	}
	ag->buf[*len] = '\0';
}

/* The message of a non-2xx answer (the engine's JSON "message", else the
 * body's first bytes) into msg; the body ends up in ag->buf. */
static void answer_message(struct dk_agent *ag, size_t headlen, size_t have,
                           char *msg, size_t cap)
{
	size_t len;

	small_body(ag, headlen, have, &len);
	if (dk_json_message(ag->buf, len, msg, cap) < 0)
		dk_event_identify(ag->buf, len, msg, cap);
	/* Go's answer to plain HTTP on a TLS port, longer than the 40
	 * bytes shown of a body that is not JSON. */
	if (ag->head.status == 400 && !ag->ep.tls &&
	    strstr(ag->buf, "Client sent an HTTP request to an HTTPS server"))
		snprintf(msg, cap, "\"Client sent an HTTP request to an "
		         "HTTPS server\": a TLS port, use --tlsverify");
}

/* Does msg name word w[0..n) (not as part of a longer name)? */
static int names(const char *msg, const char *w, size_t n)
{
	const char *p;

	for (p = msg; n > 0 && *p; p++) {
		char b = ' ', a;
		if (strncmp(p, w, n) != 0)
			continue;
		if (p > msg)
			b = p[-1];
		a = p[n];
		if (!((b >= 'a' && b <= 'z') || b == '_' || b == '.') &&
		    !((a >= 'a' && a <= 'z') || a == '_' || a == '.'))
			return 1;
	}
	return 0;
}

/* A 5xx that refuses the request itself, which the same request gets again
 * however often it is sent: Podman from 5.3 answers a filter key it does
 * not know with 500 "network is an invalid filter", dockerd a filters
 * value that is not JSON with 500 "invalid character ...". Anything else
 * (a daemon shutting down, a store that failed) may pass. */
static int refusal(const char *msg)
{
	return strstr(msg, "filter") || strstr(msg, "invalid") ||
	       strstr(msg, "not supported") || strstr(msg, "unsupported");
}

/* A non-2xx answer with its message: log it, classify. */
static enum dk_outcome refused(struct dk_agent *ag, const char *what,
                               const char *msg)
{
	int status = ag->head.status, i;
	char which[DK_WHY_MAX - DK_MESSAGE_MAX - 100] = "";

	/* Name the -f option the engine refused, when its message names
	 * the key. */
	for (i = 0; i < ag->opts.nfilters; i++) {
		const char *f = ag->opts.filters[i], *eq = strchr(f, '=');
		if (eq && names(msg, f, (size_t)(eq - f))) {
			snprintf(which, sizeof which, " (-f %s: this engine does "
			         "not support that filter)", f);
			break;
		}
	}
	if (!which[0] && ag->opts.api_version && status == 400 &&
	    strstr(msg, "API version"))
		snprintf(which, sizeof which, " (the API version is fixed by "
		         "--api-version or DOCKER_API_VERSION; unset it to "
		         "negotiate)");
	snprintf(ag->why, sizeof ag->why, "%s: engine answered %d %s: %s%s",
	         what, status, dk_http_reason(status),
	         msg[0] ? msg : "(no message)", which);
	/* A 4xx means our request is wrong (version, filter, path), and a
	 * 1xx or 3xx that this is no engine API (a proxy, a web server):
	 * retrying the same request cannot help. 408 and 429 say "later". */
	if (status < 200 || (status >= 300 && status < 500 && status != 408 &&
	                     status != 429) ||
	    (status >= 500 && refusal(msg))) {
		dk_port_log(DK_LOG_ERR, "%s", ag->why);
		return DK_OUT_CONFIG;
	}
	return DK_OUT_RETRY;
}

/* What answered is not the engine we were told to trust (TLS
 * verification failed, or the engine refused our side of TLS): retrying
 * soon cannot help, but a renewed certificate or a restarted engine can,
 * so keep trying at the longest back-off; with --until, which asks for an
 * end, stop. The agent logs the one line. */
static enum dk_outcome tls_refused(struct dk_agent *ag)
{
	if (!ag->why[0])
		snprintf(ag->why, sizeof ag->why, "%s", dk_strerror(DK_ERR_TLS));
	if (ag->opts.has_until) {
		dk_port_log(DK_LOG_ERR, "%s", ag->why);
		return DK_OUT_CONFIG;
	}
	return DK_OUT_CONFIG_WAIT;
}

static enum dk_outcome io_outcome(struct dk_agent *ag, long r)
{
	if (r == DK_ERR_TLS)
		return tls_refused(ag);
	return r == DK_STOP ? DK_OUT_STOP : DK_OUT_RETRY;
}

/* /_ping: take the lower of our API version and the engine's. Returns
 * DK_OUT_RETRY with *reuse set when the connection may carry the events
 * request, or another outcome on failure (with *ok clear). */
static enum dk_outcome ping(struct dk_agent *ag, int *ok, int *reuse)
{
	char req[DK_HOST_MAX + 256]; /* no query: small */
	size_t have, len;
	long r;
	int n = dk_request_ping(req, sizeof req, &ag->ep);

	*ok = 0;
	if (n < 0)
		return retry(ag, dk_strerror(n), NULL);
	r = exchange(ag, req, (size_t)n, &have, 0);
	if (r <= 0)
		return io_outcome(ag, r);
	if (ag->head.status != 200) {
		char msg[DK_MESSAGE_MAX];
		answer_message(ag, (size_t)r, have, msg, sizeof msg);
		return refused(ag, "GET /_ping", msg);
	}
	/* The engine's clock, for --snapshot's point. */
	ag->engine_date_ok = dk_list_date(ag->buf, (size_t)r, &ag->engine_date);
	/* Ours, or the engine's newest when lower (the docker CLI's rule);
	 * never below the engine's minimum, since its newest is not. */
	snprintf(ag->version, sizeof ag->version, "%s", DK_API_VERSION);
	if (ag->head.api_version[0] &&
	    dk_request_version_valid(ag->head.api_version) == DK_OK &&
	    dk_request_version_cmp(ag->head.api_version, DK_API_VERSION) < 0)
		snprintf(ag->version, sizeof ag->version, "%s",
		         ag->head.api_version);
	/* Reuse the connection only if the body is delimited and small. */
	ag->podman = ag->head.libpod_version[0] != '\0';
	*reuse = !ag->no_reuse && !ag->head.close &&
	         dk_http_body_mode(&ag->head) == DK_BODY_LENGTH &&
	         ag->head.content_length <= DK_PING_REUSE_MAX;
	if (*reuse)
		small_body(ag, (size_t)r, have, &len);
	*ok = 1;
	return DK_OUT_RETRY;
}

static enum dk_outcome connect_engine(struct dk_agent *ag)
{
	int r = dk_port_connect(&ag->t, &ag->ep, DK_CONNECT_TIMEOUT_MS,
	                        ag->why, sizeof ag->why);
	if (r == DK_OK)
		return DK_OUT_OPEN;
	/* The port waits through the loop's wait, which took the stop. */
	if (dk_port_stop_requested())
		return DK_OUT_STOP;
	if (r == DK_ERR_PATH_LONG) {
		dk_port_log(DK_LOG_ERR, "%s", ag->why);
		return DK_OUT_CONFIG;
	}
	if (r == DK_ERR_TLS)
		return tls_refused(ag);
	if (!ag->why[0])
		snprintf(ag->why, sizeof ag->why, "%s", dk_strerror(r));
	return DK_OUT_RETRY;
}

/* Connect and negotiate: a connection ready for a request, *ok when a
 * ping answered (not with --api-version), *reuse when the request goes
 * over the ping's connection. Returns DK_OUT_OPEN or how it failed. */
static enum dk_outcome hello(struct dk_agent *ag, int *ok, int *reuse);

/* Podman serves fewer filter keys than dockerd (libpod/events/filters.go,
 * the same from 4.3 to 5.8): 4.3 answers another one with a stream that
 * ends at once (the agent would reconnect for ever), 5.3 and later with a
 * 500. Said before asking, with the same line for every version. Returns
 * 1 (logged, ag->why set) when a -f key is not one of them. */
static int podman_refuses(struct dk_agent *ag)
{
	static const char *const keys[] = {
		"container", "event", "status", "image", "pod", "volume", "type",
		"label",
	};
	int i;
	size_t k;

	for (i = 0; i < ag->opts.nfilters; i++) {
		const char *f = ag->opts.filters[i], *eq = strchr(f, '=');
		size_t n = eq ? (size_t)(eq - f) : strlen(f);
		for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (strlen(keys[k]) == n && strncmp(f, keys[k], n) == 0)
				break;
		if (k == sizeof keys / sizeof keys[0]) {
			snprintf(ag->why, sizeof ag->why, "-f %s: this engine is "
			         "Podman %s, whose events take only the filters "
			         "container, event, image, label, pod, type and "
			         "volume", f, ag->head.libpod_version);
			dk_port_log(DK_LOG_ERR, "%s", ag->why);
			return 1;
		}
	}
	return 0;
}

static enum dk_outcome hello(struct dk_agent *ag, int *ok, int *reuse)
{
	enum dk_outcome out;

	*ok = *reuse = 0;
	ag->why[0] = '\0';
	if ((out = connect_engine(ag)) != DK_OUT_OPEN)
		return out;
	if (!ag->opts.api_version) {
		out = ping(ag, ok, reuse);
		if (!*ok)
			return out;
		if (ag->podman && podman_refuses(ag))
			return DK_OUT_CONFIG;
		if (!*reuse) {
			ag->t.close(&ag->t);
			if ((out = connect_engine(ag)) != DK_OUT_OPEN)
				return out;
		}
	}
	return DK_OUT_OPEN;
}

/* /version on a connection of its own: the engine's MinAPIVersion and
 * ApiVersion, for a refusal whose text names neither. Leaves the
 * transport closed. Returns 1 with them in min and max, else 0. */
static int version_lookup(struct dk_agent *ag, char *min, char *max,
                          size_t cap)
{
	char req[DK_HOST_MAX + 256];
	size_t have, len;
	long r;
	int n = dk_request_version(req, sizeof req, &ag->ep), ok = 0;

	if (n > 0 && connect_engine(ag) == DK_OUT_OPEN) {
		r = exchange(ag, req, (size_t)n, &have, 0);
		if (r > 0 && ag->head.status == 200) {
			small_body(ag, (size_t)r, have, &len);
			ok = dk_json_string(ag->buf, len, "MinAPIVersion", min, cap) > 0 &&
			     dk_json_string(ag->buf, len, "ApiVersion", max, cap) > 0 &&
			     dk_request_version_valid(min) == DK_OK &&
			     dk_request_version_valid(max) == DK_OK;
		}
		ag->t.close(&ag->t);
	}
	return ok;
}

/* The engine refused our API version (400): the version to ask next, from
 * the refusal's text ("Minimum supported API version is 1.44") or else
 * from /version, into ag->version. Returns 1 when there is one to try,
 * 0 when asking again cannot help. Leaves the transport closed. */
static int renegotiate(struct dk_agent *ag, const char *msg)
{
	char v[16], min[16], max[16];
	int k;

	ag->t.close(&ag->t);
	k = dk_request_version_hint(msg, v, sizeof v);
	if (k == 0 && strstr(msg, "version") && version_lookup(ag, min, max, sizeof min)) {
		if (dk_request_version_cmp(ag->version, min) < 0)
			k = 1, memcpy(v, min, sizeof v);
		else if (dk_request_version_cmp(ag->version, max) > 0)
			k = -1, memcpy(v, max, sizeof v);
	}
	if (k == 0 || dk_request_version_cmp(v, ag->version) * k <= 0)
		return 0;
	if (k > 0 && dk_request_version_cmp(v, DK_API_VERSION) > 0)
		dk_port_log(DK_LOG_WARN, "engine's oldest API version %s is newer "
		            "than %s, the newest whose events dockev knows: using %s",
		            v, DK_API_VERSION, v);
	else
		dk_port_log(DK_LOG_INFO, "engine refused API version %s (%s): "
		            "using %s", ag->version, msg, v);
	snprintf(ag->version, sizeof ag->version, "%s", v);
	return 1;
}

/* Decode n raw bytes that were read into the framer's space at p, in
 * place. A chunk framing error ends the stream after the records decoded
 * before it; the final chunk ends it cleanly. */
static void decode(struct dk_agent *ag, char *p, size_t n)
{
	size_t dec;
	int r = dk_chunk_decode(&ag->chunk, p, n, &dec);

	dk_framer_commit(&ag->fr, dec);
	/* --json prints these records from here, uncopied, until the next
	 * read (dk_session_read releases them first). */
	dk_output_keep(ag->buf, ag->buf + ag->fr.end);
	if (r < 0) {
		ag->end_out = retry(ag, "events stream", dk_strerror(r));
		ag->ending = DK_END_NOW;
	} else if (r == DK_CHUNK_END) {
		ag->ending = DK_END_CLEAN;
	}
}

enum dk_outcome dk_session_read(struct dk_agent *ag)
{
	size_t room;
	char *p;
	long n;

	dk_output_release(); /* the framer may move the bytes */
	p = dk_framer_space(&ag->fr, &room);
	n = read_some(ag, p, room, -1);

	if (n > 0) {
		decode(ag, p, (size_t)n);
		return DK_OUT_OPEN;
	}
	if (n == 0) {
		if (dk_chunk_eof(&ag->chunk) != DK_CHUNK_END) {
			ag->end_out = retry(ag, "engine closed the events stream "
			                    "mid-body", NULL);
			ag->ending = DK_END_NOW;
		} else {
			ag->ending = DK_END_CLEAN;
		}
		return DK_OUT_OPEN;
	}
	if (n == DK_ERR_IO)
		return retry(ag, "read", dk_port_errstr());
	return io_outcome(ag, n);
}

int dk_session_next(struct dk_agent *ag, const char **rec, size_t *len,
                    enum dk_outcome *out)
{
	int f = dk_framer_next(&ag->fr, rec, len);

	if (f == DK_FRAME_RECORD)
		return DK_REC_EVENT;
	if (f == DK_ERR_RECORD_BIG)
		return DK_REC_TOO_BIG;
	if (ag->ending == DK_END_NONE)
		return DK_REC_MORE;
	if (ag->ending == DK_END_CLEAN) {
		/* A last record without its newline, then the end: at
		 * --until (by the engine's clock) when ours is near it too,
		 * else a failure to retry. */
		ag->ending = DK_END_NOW;
		ag->end_out = ag->opts.has_until && dk_port_wall_ns() >=
		              ag->opts.until_ns - DK_UNTIL_SLACK_NS
		              ? DK_OUT_DONE
		              : retry(ag, "engine ended the events stream", NULL);
		if (dk_framer_flush(&ag->fr, rec, len) == DK_FRAME_RECORD)
			return DK_REC_EVENT;
	}
	*out = ag->end_out;
	return DK_REC_END;
}

enum dk_outcome dk_session_open(struct dk_agent *ag)
{
	char req[DK_REQUEST_MAX], since[32], until[32];
	int64_t since_ns;
	size_t have;
	long r;
	int n, ok = 0, reuse = 0, steps;
	enum dk_outcome out;

	if ((out = hello(ag, &ok, &reuse)) != DK_OUT_OPEN)
		return out;
	/* Everything up to --until was delivered before a cut, or the
	 * point is past it (a snapshot that took longer than --until
	 * left): asking would be since > until, which engines refuse. */
	if (ag->opts.has_until && ag->res.kind != DK_RESUME_NONE &&
	    ag->res.point > ag->opts.until_ns)
		return DK_OUT_DONE;
	since[0] = until[0] = '\0';
	/* A little before the last delivered event (resume.h): the engine
	 * sends it again, which the dedupe drops and which shows that its
	 * history still reaches back; and an event stamped earlier but
	 * published later comes too. */
	if (dk_resume_since(&ag->res, &since_ns))
		dk_when_format(since_ns, since, sizeof since);
	else if (ag->opts.has_since)
		dk_when_format(ag->opts.since_ns, since, sizeof since);
	if (ag->opts.has_until)
		dk_when_format(ag->opts.until_ns, until, sizeof until);
	/* An engine that refuses our version says which it takes: at most
	 * one step down (too new) and one up (too old) per connection. */
	for (steps = 0;; steps++) {
		char msg[DK_MESSAGE_MAX];

		n = dk_request_events(req, sizeof req, &ag->ep, ag->version,
		                      since, until, ag->filters);
		if (n < 0) {
			snprintf(ag->why, sizeof ag->why, "events request: %s",
			         dk_strerror(n));
			dk_port_log(DK_LOG_ERR, "%s", ag->why);
			return DK_OUT_CONFIG;
		}
		dk_port_log(DK_LOG_DEBUG, "%.*s",
		            (int)(strchr(req, '\r') - req), req);
		r = exchange(ag, req, (size_t)n, &have, ok && ag->podman);
		/* An engine (or a proxy) that closes after the ping without
		 * saying Connection: close fails every reuse the same way:
		 * after the second time in a row, a connection of its own for
		 * the events request from then on. */
		if (r == DK_ERR_IO && have == 0 && reuse && ++ag->reuse_failed == 2) {
			ag->no_reuse = 1;
			dk_port_log(DK_LOG_INFO, "engine closed the connection it "
			            "answered the ping on, twice (%s): the events "
			            "request gets a connection of its own", ag->why);
		}
		if (r <= 0)
			return io_outcome(ag, r);
		if (ag->head.status >= 200 && ag->head.status <= 299) {
			if (reuse)
				ag->reuse_failed = 0;
			break;
		}
		answer_message(ag, (size_t)r, have, msg, sizeof msg);
		if (ag->head.status != 400 || ag->opts.api_version ||
		    steps == 2 || !renegotiate(ag, msg))
			return refused(ag, "GET /events", msg);
		reuse = 0;
		if ((out = connect_engine(ag)) != DK_OUT_OPEN)
			return out;
	}

	dk_port_log(DK_LOG_INFO, "connected to %s (API %s%s%s)", ag->ep.url,
	            ag->version, since[0] ? ", since " : "", since);
	/* The body bytes read with the head go to the front. */
	dk_chunk_init(&ag->chunk, dk_http_body_mode(&ag->head),
	              (uint64_t)(ag->head.content_length > 0
	                         ? ag->head.content_length : 0));
	dk_framer_reset(&ag->fr);
	ag->ending = DK_END_NONE;
	memmove(ag->buf, ag->buf + r, have - (size_t)r);
	if (have > (size_t)r) {
		size_t room;
		decode(ag, dk_framer_space(&ag->fr, &room), have - (size_t)r);
	}
	return DK_OUT_OPEN;
}

/* ---- for --snapshot's list connection (snapshot.c) -------------------- */

enum dk_outcome dk_session_hello(struct dk_agent *ag)
{
	int ok, reuse;

	ag->engine_date_ok = 0;
	return hello(ag, &ok, &reuse);
}

long dk_session_exchange(struct dk_agent *ag, const char *req, size_t n,
                         size_t *have)
{
	return exchange(ag, req, n, have, 0);
}

long dk_session_recv(struct dk_agent *ag, char *p, size_t room,
                     int64_t deadline)
{
	long n = read_some(ag, p, room, deadline);

	if (n == DK_ERR_TIMEOUT)
		snprintf(ag->why, sizeof ag->why, "%s", "no answer within "
		         "the head timeout");
	else if (n == DK_ERR_IO)
		snprintf(ag->why, sizeof ag->why, "read: %s", dk_port_errstr());
	return n;
}

enum dk_outcome dk_session_failed(struct dk_agent *ag, long r)
{
	return io_outcome(ag, r);
}

enum dk_outcome dk_session_refused(struct dk_agent *ag, const char *what,
                                   size_t headlen, size_t have)
{
	char msg[DK_MESSAGE_MAX];

	answer_message(ag, headlen, have, msg, sizeof msg);
	return refused(ag, what, msg);
}
