/* test_session.c - one connection's life over the scripted transport:
 * /_ping negotiation and connection reuse, the events request (since=,
 * until=, filters=), a recorded stream delivered whole, byte by byte and
 * cut at many places then resumed (every event exactly once), and the
 * classification of every way a session ends. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "t.h"
#include "agent.h"
#include "dispatch.h"
#include "err.h"
#include "when.h"
#include "fakeport.h"
#include "agentfix.h"
#include "filter.h"

/* ---- a recording handler ------------------------------------------------ */

#define REC_MAX 1024
struct rec {
	char type[16], action[48], id[80];
	int64_t time_nano;
	uint64_t hash;      /* of the JSON text */
	size_t len;
	int conn;           /* fake_connects when called: the connection */
};
static struct rec recs[REC_MAX];
static int nrecs;
static int rec_stop_at = -1, rec_stop_ret;

/* A hash of a record, 8 bytes a step (this runs for every event). */
static uint64_t fnv(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 1099511628211ULL;
		h ^= h >> 31;
	}
	w = 0;
	memcpy(&w, p, n);
	return ((h ^ w) * 1099511628211ULL) ^ (h >> 29);
}

static void slice(char *out, size_t cap, struct dk_str s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	memcpy(out, s.p, n);
	out[n] = '\0';
}

static int recorder(const struct dk_event *ev, const struct dk_opts *o)
{
	int i = nrecs;

	(void)o;
	if (nrecs < REC_MAX) {
		struct rec *r = &recs[nrecs];
		slice(r->type, sizeof r->type, ev->type);
		slice(r->action, sizeof r->action, ev->action);
		slice(r->id, sizeof r->id, ev->id);
		r->time_nano = ev->time_nano;
		r->hash = fnv(ev->json.p, ev->json.n);
		r->len = ev->json.n;
		r->conn = fake_connects;
	}
	nrecs++;
	return i == rec_stop_at ? rec_stop_ret : 0;
}

const struct dk_handler dk_handlers[] = {
	{ NULL, NULL, recorder },
	{ NULL, NULL, NULL },
};

static int is_dockev(const struct rec *r) { return strcmp(r->type, "dockev") == 0; }

/* ---- recorded data ---------------------------------------------------- */

struct evlist {
	const char *p[128];
	size_t n[128];       /* without the "\n" */
	int64_t tn[128];
	uint64_t hash[128];
	int count;
};

static char capture[40000], ping_ok[1024], bad_version[1024], bad_filters[1024];
static char until_future[2048], shutdown_raw[1024], same_file[4096];
static long capture_len, ping_len, until_len, shutdown_len;
static size_t capture_head;              /* bytes of the capture's head */
static size_t chunk_at[128];             /* where each chunk starts */
static struct evlist cap_ev, same_ev;

static int64_t tn_of(const char *p, size_t n)
{
	char tmp[4096];
	const char *t;
	size_t k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;

	memcpy(tmp, p, k);
	tmp[k] = '\0';
	t = strstr(tmp, "\"timeNano\":");
	return t ? strtoll(t + 11, NULL, 10) : 0;
}

/* The capture's events, by its chunk framing (read here independently of
 * the chunk decoder under test: one event, "\n", per chunk). */
static int load(void)
{
	const char *p, *end;
	char *q;
	long n;

	capture_len = t_slurp(DK_TEST_DATA "dockerd-events-stream.raw", capture, sizeof capture);
	ping_len = t_slurp(DK_TEST_DATA "dockerd-ping.http", ping_ok, sizeof ping_ok);
	until_len = t_slurp(DK_TEST_DATA "dockerd-events-until-future.raw", until_future,
	                    sizeof until_future);
	shutdown_len = t_slurp(DK_TEST_DATA "dockerd-events-daemon-shutdown.raw", shutdown_raw,
	                       sizeof shutdown_raw);
	if (t_slurp(DK_TEST_DATA "dockerd-bad-v1.99.http", bad_version, sizeof bad_version) < 0 ||
	    t_slurp(DK_TEST_DATA "dockerd-bad-filters-notjson.http", bad_filters,
	            sizeof bad_filters) < 0 ||
	    (n = t_slurp(DK_TEST_DATA "same-timenano.jsonl", same_file, sizeof same_file)) < 0 ||
	    capture_len < 0 || ping_len < 0 || until_len < 0 || shutdown_len < 0)
		return -1;
	same_file[n] = '\0';
	p = strstr(capture, "\r\n\r\n");
	if (!p)
		return -1;
	capture_head = (size_t)(p + 4 - capture);
	end = capture + capture_len;
	for (p += 4; p < end && cap_ev.count < 128;) {
		long size;
		chunk_at[cap_ev.count] = (size_t)(p - capture);
		size = strtol(p, &q, 16);
		if (size <= 0 || q[0] != '\r' || q[1] != '\n' || q + 2 + size + 2 > end)
			break;
		cap_ev.p[cap_ev.count] = q + 2;
		cap_ev.n[cap_ev.count] = (size_t)size - 1;
		cap_ev.tn[cap_ev.count] = tn_of(q + 2, (size_t)size - 1);
		cap_ev.hash[cap_ev.count] = fnv(q + 2, (size_t)size - 1);
		cap_ev.count++;
		p = q + 2 + size + 2;
	}
	for (p = same_file; (q = strchr(p, '\n')) && same_ev.count < 128; p = q + 1) {
		same_ev.p[same_ev.count] = p;
		same_ev.n[same_ev.count] = (size_t)(q - p);
		same_ev.tn[same_ev.count] = tn_of(p, (size_t)(q - p));
		same_ev.hash[same_ev.count] = fnv(p, (size_t)(q - p));
		same_ev.count++;
	}
	return 0;
}

/* Are the non-dockev events recorded exactly the list, once each, in
 * order? */
static int once_in_order(const struct evlist *l)
{
	int i, k = 0;

	for (i = 0; i < nrecs && i < REC_MAX; i++) {
		if (is_dockev(&recs[i]))
			continue;
		if (k >= l->count || recs[i].len != l->n[k] || recs[i].hash != l->hash[k])
			return 0;
		k++;
	}
	return k == l->count;
}

static int count_action(const char *type, const char *action)
{
	int i, n = 0;
	for (i = 0; i < nrecs && i < REC_MAX; i++)
		n += strcmp(recs[i].type, type) == 0 && strcmp(recs[i].action, action) == 0;
	return n;
}

/* ---- the agent -------------------------------------------------------- */

static struct dk_agent ag;
#define WALL0 1795792600000000000LL   /* before the capture's first event */

static void setup(void)
{
	agent_fixture(&ag, 500, 30000, 60000, NULL, NULL);
	fake_wall_ns = WALL0;
	nrecs = 0;
	rec_stop_at = -1;
}

/* Re-run setup keeping opts the test set (dk_agent_init reads them). */
static void setup_opts(const struct dk_opts *o)
{
	int bad;

	setup();
	ag.opts = *o;
	dk_filter_build(ag.filters, sizeof ag.filters, ag.opts.filters,
	                ag.opts.nfilters, &bad);
	dk_agent_init(&ag);
}

/* One session; its transport closed afterwards as dk_agent_run does. */
static enum dk_outcome session(void)
{
	enum dk_outcome out = dk_agent_session(&ag);
	if (ag.t.fd >= 0)
		ag.t.close(&ag.t);
	return out;
}

static char line[4096];

/* Request i of connection c, first line. */
static const char *req(int c, int i)
{
	fake_request_line(&fake_conns[c], i, line, sizeof line);
	return line;
}

/* ---- the fake engine's events answer ----------------------------------
 *
 * A call step: reads since= from the events request the agent just sent
 * and answers as dockerd does: without since=, the recorded capture (its
 * exact framing); with since=S, every listed event with timeNano >= S, one
 * chunk each. Then the answer may be cut, fed in pieces, and ended. */
enum { END_EOF, END_ERR, END_FINAL, END_SILENCE };
struct feed {
	const struct evlist *list;  /* events; &cap_ev uses the capture */
	long cut;                   /* answer bytes given, -1 all */
	size_t piece;
	int end;
	int64_t since;              /* seen in the request, -1 none */
};
static char answers[4][70000];
static int nanswers;
static size_t last_answer_len;

static int64_t since_of(const char *request_line)
{
	const char *s = strstr(request_line, "since=");
	char *q;
	long long sec, frac = 0;

	if (!s)
		return -1;
	sec = strtoll(s + 6, &q, 10);
	if (*q == '.')
		frac = strtoll(q + 1, NULL, 10);
	return sec * 1000000000LL + frac;
}

static void respond(struct fake_conn *c, void *arg)
{
	struct feed *f = arg;
	char *a = answers[nanswers++ % 4];
	size_t n = 0;
	int i, r;

	/* The events request is the last one sent on this connection. */
	for (i = 0; fake_request_line(c, i, line, sizeof line); i++)
		f->since = since_of(line);
	if (f->since < 0 && f->list == &cap_ev) {
		memcpy(a, capture, (size_t)capture_len);
		n = (size_t)capture_len;
	} else {
		n = (size_t)snprintf(a, sizeof answers[0], "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
		                     "Content-Type: application/json\r\n"
		                     "Transfer-Encoding: chunked\r\n\r\n");
		for (i = 0; i < f->list->count; i++) {
			if (f->since >= 0 && f->list->tn[i] < f->since)
				continue;
			r = snprintf(a + n, sizeof answers[0] - n, "%zx\r\n%.*s\n\r\n",
			             f->list->n[i] + 1, (int)f->list->n[i], f->list->p[i]);
			n += (size_t)r;
		}
	}
	if (f->end == END_FINAL) {
		memcpy(a + n, "0\r\n\r\n", 5);
		n += 5;
	}
	if (f->cut >= 0 && (size_t)f->cut < n)
		n = (size_t)f->cut;
	last_answer_len = n;
	fake_data(c, a, n, f->piece);
	if (f->end == END_ERR)
		fake_err(c, DK_ERR_IO);
	else if (f->end == END_SILENCE)
		fake_silence(c);
	else
		fake_eof(c);
}

/* A connection that answers the ping (recorded, keep-alive) and then the
 * events request through respond(). */
static struct fake_conn *engine(struct feed *f, size_t ping_piece)
{
	struct fake_conn *c = fake_conn_add();
	fake_data(c, ping_ok, (size_t)ping_len, ping_piece);
	fake_call(c, respond, f);
	return c;
}

/* ---- the recorded stream ---------------------------------------------- */

static void recorded_whole(size_t piece)
{
	struct feed f = { &cap_ev, -1, 0, END_EOF, -1 };
	int r;

	f.piece = piece;
	setup();
	engine(&f, piece);
	r = dk_agent_run(&ag);
	T_EQ(r, 0, "piece %zu: run ends when the script does", piece);
	T_OK(once_in_order(&cap_ev), "piece %zu: the capture's %d events, each once, in order",
	     piece, cap_ev.count);
	T_EQ(ag.n.events, 85, "piece %zu: 85 events counted", piece);
	T_EQ(ag.n.bytes, ping_len + capture_len, "piece %zu: every byte counted", piece);
	T_OK(nrecs == 87 && strcmp(recs[0].action, "connect") == 0 &&
	     strcmp(recs[86].action, "disconnect") == 0, "piece %zu: connect first, disconnect last",
	     piece);
	T_OK(strcmp(req(0, 0), "GET /_ping HTTP/1.1") == 0, "piece %zu: ping first: %s", piece, line);
	T_OK(strcmp(req(0, 1), "GET /v1.41/events HTTP/1.1") == 0,
	     "piece %zu: then the events, same connection, nothing to resume: %s", piece, line);
	T_OK(strstr(fake_conns[0].sent, "\r\nHost: docker\r\n") != NULL, "piece %zu: Host header",
	     piece);
	T_EQ(ag.res.point, cap_ev.tn[84], "piece %zu: resume point: the last event", piece);
	T_OK(strcmp(req(1, 0), "") == 0 && fake_connects == 2,
	     "piece %zu: then a reconnect (script ends there)", piece);
	T_EQ(fake_conns[0].closed, 1, "piece %zu: the connection closed once", piece);
	T_EQ(fake_overrun, 0, "piece %zu: nothing waited for ever", piece);
}

/* The first stream is cut after `cut` bytes of its answer; the second
 * connection resumes. Returns 0 when all is well, else a bit per problem. */
static int cut_once(const struct evlist *list, long cut, int end, size_t piece,
                    int64_t *since_got, int64_t *since_want)
{
	struct feed f1 = { list, cut, piece, end, -1 };
	struct feed f2 = { list, -1, 0, END_EOF, -1 };
	int i, bad = 0, connected1 = 0;
	int64_t last = -1;

	setup();
	/* Connected before the first event happened. */
	fake_wall_ns = list->tn[0] - 60000000000LL;
	engine(&f1, 0);
	engine(&f2, 0);
	if (dk_agent_run(&ag) != 0)
		bad |= 1;
	if (!once_in_order(list))
		bad |= 2;
	/* since= of the second events request: DK_RESUME_MARGIN_NS before the last event
	 * the first stream delivered; or, if it got no event, when it opened. */
	for (i = 0; i < nrecs && i < REC_MAX; i++)
		if (recs[i].conn == 1) {
			connected1 = 1;
			if (!is_dockev(&recs[i]))
				last = recs[i].time_nano;
		}
	*since_want = last >= 0 ? last - DK_RESUME_MARGIN_NS : connected1 ? list->tn[0] - 60000000000LL : -1;
	*since_got = f2.since;
	if (*since_got != *since_want)
		bad |= 4;
	if (fake_connects != 3 || fake_overrun != 0)
		bad |= 8;
	if (fake_conns[0].closed != 1 || fake_conns[1].closed != 1)
		bad |= 16;
	if (count_action("dockev", "connect") != connected1 + 1)
		bad |= 32;
	return bad;
}

static void recorded_cuts(void)
{
	long cut, n = 0, bad = 0, first_bad = -1;
	int64_t got, want;
	int i, d, b, fb = 0;

	/* Every place in the head and the first two events, every 37th
	 * byte after, and around every chunk boundary. */
	for (cut = 0; cut <= capture_len; cut += cut < (long)chunk_at[2] ? 1 : 37) {
		b = cut_once(&cap_ev, cut, (int)(cut % 2) ? END_ERR : END_EOF, 0, &got, &want);
		n++;
		if (b && !bad++) {
			first_bad = cut;
			fb = b;
		}
	}
	for (i = 0; i < cap_ev.count; i++)
		for (d = -2; d <= 2; d++) {
			b = cut_once(&cap_ev, (long)chunk_at[i] + d, END_EOF, 0, &got, &want);
			n++;
			if (b && !bad++) {
				first_bad = (long)chunk_at[i] + d;
				fb = b;
			}
		}
	T_EQ(bad, 0, "capture cut at %ld places, resumed: every event once, in order, "
	     "since= 20 ms before the last delivered (first bad cut %ld, why %d)", n, first_bad, fb);

	/* One cut in detail: after the 10th event's chunk. */
	b = cut_once(&cap_ev, (long)chunk_at[10], END_EOF, 0, &got, &want);
	T_EQ(b, 0, "cut after 10 events: resumed cleanly");
	T_EQ(got, cap_ev.tn[9] - DK_RESUME_MARGIN_NS,
	     "cut after 10 events: since= 20 ms before the 10th event's timeNano");
	{
		char s[32], want_line[128];
		dk_when_format(cap_ev.tn[9] - DK_RESUME_MARGIN_NS, s, sizeof s);
		snprintf(want_line, sizeof want_line, "GET /v1.41/events?since=%s HTTP/1.1", s);
		T_OK(strcmp(req(1, 1), want_line) == 0, "the second request: %s", line);
	}
	{
		int k, within = 0;
		for (k = 0; k < 10; k++)
			within += cap_ev.tn[k] >= cap_ev.tn[9] - DK_RESUME_MARGIN_NS;
		T_EQ(ag.n.duplicates, within, "since= brought back the %d within the margin: dropped",
		     within);
	}
	T_EQ(ag.n.connects, 2, "two streams");

	/* Cut inside the head: nothing was delivered, nothing to resume. */
	b = cut_once(&cap_ev, 40, END_EOF, 0, &got, &want);
	T_OK(b == 0 && got == -1, "cut inside the head: no since= on the retry");
	T_OK(strstr(fake_log, "engine closed the connection inside the response head") != NULL,
	     "cut inside the head: logged");
	/* Cut right after the head: the stream opened, no event. */
	b = cut_once(&cap_ev, (long)capture_head, END_EOF, 0, &got, &want);
	T_OK(b == 0 && got == cap_ev.tn[0] - 60000000000LL,
	     "cut after the head: since= when the stream opened");

	/* Cut byte by byte on the wire. */
	b = cut_once(&cap_ev, (long)chunk_at[40] + 7, END_ERR, 1, &got, &want);
	T_EQ(b, 0, "cut mid-chunk, fed byte by byte, read error: resumed cleanly");
}

static void same_time_cuts(void)
{
	long cut, total = 0, bad = 0, first_bad = -1;
	int64_t got, want;
	int b, fb = 0;
	struct feed f = { &same_ev, -1, 0, END_EOF, -1 };
	size_t len;

	/* The answer's length, to cut everywhere in it. */
	setup();
	engine(&f, 0);
	dk_agent_run(&ag);
	T_OK(once_in_order(&same_ev), "same-timenano.jsonl served whole: each once");
	len = last_answer_len;
	for (cut = 0; cut <= (long)len; cut++) {
		b = cut_once(&same_ev, cut, END_EOF, 0, &got, &want);
		total++;
		if (b && !bad++) {
			first_bad = cut;
			fb = b;
		}
	}
	T_EQ(bad, 0, "three events share a timeNano: cut at all %ld places, resumed: each "
	     "once (first bad cut %ld, why %d)", total, first_bad, fb);
}

/* ---- ping and the request ---------------------------------------------- */

static const char *ping_answer(const char *version, const char *extra)
{
	static char b[4][512];
	static int k;
	char *p = b[k++ % 4];
	snprintf(p, sizeof b[0], "HTTP/1.1 200 OK\r\n%s%s%sContent-Type: text/plain; "
	         "charset=utf-8\r\n%sContent-Length: 2\r\n\r\nOK",
	         version ? "Api-Version: " : "", version ? version : "",
	         version ? "\r\n" : "", extra ? extra : "");
	return p;
}

static const char events_head[] =
	"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
	"Transfer-Encoding: chunked\r\n\r\n";

/* Text of scripted steps must outlive the run: a ring of buffers. */
static char ring[32][512];
static int nring;

/* One chunk holding text as is. */
static const char *chunk(const char *text)
{
	char *b = ring[nring++ % 32];
	snprintf(b, sizeof ring[0], "%zx\r\n%s\r\n", strlen(text), text);
	return b;
}

/* A small event record with this Action, newline included. */
static const char *rec_a(const char *action)
{
	char *b = ring[nring++ % 32];
	snprintf(b, sizeof ring[0], "{\"Type\":\"a\",\"Action\":\"%s\"}\n", action);
	return b;
}

/* Ping with this answer, then an events stream that ends at once. */
static void negotiate(const char *answer, size_t piece, const char *want_version,
                      int want_conns, const char *what)
{
	struct fake_conn *c;
	char want[64];
	int events_conn;
	enum dk_outcome out;

	setup();
	c = fake_conn_add();
	fake_data(c, answer, strlen(answer), piece);
	if (want_conns == 2) {
		fake_eof(c);
		c = fake_conn_add();
	}
	fake_str(c, events_head);
	fake_eof(c);
	out = session();
	events_conn = want_conns - 1;
	snprintf(want, sizeof want, "GET /v%s/events HTTP/1.1", want_version);
	T_EQ(out, DK_OUT_RETRY, "%s: the stream ended: retry", what);
	T_OK(strcmp(req(0, 0), "GET /_ping HTTP/1.1") == 0, "%s: ping first", what);
	T_OK(strcmp(req(events_conn, want_conns == 2 ? 0 : 1), want) == 0,
	     "%s: %s on connection %d", what, line, events_conn + 1);
	T_EQ(fake_connects, want_conns, "%s: %d connection(s)", what, want_conns);
	T_OK(strcmp(ag.version, want_version) == 0, "%s: version in use %s", what, ag.version);
	if (want_conns == 2)
		T_OK(fake_conns[0].closed == 1 && strcmp(req(0, 1), "") == 0,
		     "%s: the ping connection closed after the ping alone", what);
	T_EQ(count_action("dockev", "connect"), 1, "%s: one connect event", what);
}

/* A container event of actor id at timeNano tn, one chunk. */
static const char *tchunk(const char *id, int64_t tn)
{
	char ev[256];
	snprintf(ev, sizeof ev, "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":"
	         "{\"ID\":\"%s\",\"Attributes\":{}},\"time\":%lld,\"timeNano\":%lld}\n",
	         id, (long long)(tn / 1000000000), (long long)tn);
	return chunk(ev);
}

static int count_id(const char *id)
{
	int i, n = 0;
	for (i = 0; i < nrecs && i < REC_MAX; i++)
		n += strcmp(recs[i].id, id) == 0;
	return n;
}

/* Issue 14, defect 1: an edge board's RTC stamps one event 3 years ahead,
 * the connection is cut, and dockerd then streams live events stamped now
 * whatever since= says. Before, the agent asked since=<future>, took every
 * later event for a replayed duplicate and dropped it without a word. */
static void clock_step(void)
{
	const int64_t t = 1795792600000000000LL, ahead = t + 3LL * 365 * 86400 * 1000000000LL;
	struct fake_conn *c;

	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, events_head);
	fake_str(c, tchunk("before", t));
	fake_str(c, tchunk("future", ahead));
	fake_eof(c);
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, events_head);
	fake_str(c, tchunk("future", ahead));     /* the replay: since= covers it */
	fake_str(c, tchunk("live1", t + 1000000)); /* live, stamped now */
	fake_str(c, tchunk("live2", t + 2000000));
	fake_eof(c);
	dk_agent_run(&ag);
	T_OK(count_id("before") == 1 && count_id("future") == 1,
	     "clock step: the events before the cut, once each");
	T_OK(count_id("live1") == 1 && count_id("live2") == 1,
	     "clock step: live events stamped before the future one are delivered, not dropped");
	T_OK(strstr(fake_log, "engine's clock went back") != NULL, "clock step: said once");
}

/* Issue 14, defect 15: dockerd stamps an event before it publishes it, so
 * an event stamped earlier can be published after the last one delivered;
 * and one published while the agent subscribes comes in the replay and
 * live. Each must be delivered exactly once. */
static void reordered_cut(void)
{
	const int64_t t = 1795792600000000000LL, ms = 1000000;
	struct fake_conn *c;

	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, events_head);
	fake_str(c, tchunk("a", t));
	fake_str(c, tchunk("b", t + 3 * ms));
	fake_eof(c);                              /* cut; c (t + 1 ms) was in flight */
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, events_head);
	/* The replay, publish order, timeNano >= since: a and b if the
	 * margin reaches them, then c, published after b but stamped before. */
	fake_str(c, tchunk("a", t));
	fake_str(c, tchunk("b", t + 3 * ms));
	fake_str(c, tchunk("c", t + 1 * ms));
	fake_str(c, tchunk("d", t + 4 * ms));     /* published during the subscribe */
	fake_str(c, tchunk("d", t + 4 * ms));     /* ... and live again */
	fake_str(c, tchunk("e", t + 5 * ms));
	fake_eof(c);
	dk_agent_run(&ag);
	T_OK(strstr(req(1, 1), "since=") != NULL, "reordered: the second stream resumes");
	T_OK(count_id("a") == 1 && count_id("b") == 1, "reordered: a and b once");
	T_EQ(count_id("c"), 1, "reordered: c, stamped before b, published after it: delivered");
	T_EQ(count_id("d"), 1, "reordered: d, in the replay and live: once");
	T_EQ(count_id("e"), 1, "reordered: e once");
}

/* A handler's stop during the disconnect event stops the agent (before,
 * only a handler error did: it reconnected). */
static void stop_at_disconnect(void)
{
	struct fake_conn *c;

	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, events_head);
	fake_str(c, tchunk("one", 1795792600000000000LL));
	fake_eof(c);
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, events_head);
	fake_eof(c);
	rec_stop_at = 2;                /* connect, one, disconnect */
	rec_stop_ret = DK_HANDLER_STOP;
	T_EQ(dk_agent_run(&ag), 0, "a handler stops at disconnect: exit 0");
	T_OK(nrecs == 3 && strcmp(recs[2].action, "disconnect") == 0, "the disconnect was the last");
	T_EQ(fake_connects, 1, "no reconnect after the handler's stop");
}

/* Issue 14 (14): an engine that closes the connection after the ping
 * without Connection: close made every attempt fail with "reset by peer". */
static void ping_then_close(void)
{
	struct fake_conn *c;
	int i;

	setup();
	for (i = 0; i < 2; i++) {
		c = fake_conn_add();
		fake_str(c, ping_answer("1.41", NULL));  /* keep-alive, then gone */
		fake_err(c, DK_ERR_IO);
		T_EQ(session(), DK_OUT_RETRY, "closed after the ping (%d): retry", i + 1);
	}
	T_OK(strstr(fake_log, "engine closed the connection it answered the ping on, twice") != NULL,
	     "said after the second time");
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	c = fake_conn_add();
	fake_str(c, events_head);
	fake_str(c, tchunk("one", 1795792600000000000LL));
	fake_eof(c);
	session();
	T_OK(fake_conns[2].closed == 1 && strcmp(req(2, 1), "") == 0 &&
	     strncmp(req(3, 0), "GET /v1.41/events", 17) == 0,
	     "then the events request on a connection of its own");
	T_EQ(count_id("one"), 1, "and the stream flows");
}

/* A JSON error answer with this status and message. */
static const char *error_answer(int status, const char *msg)
{
	char *b = ring[nring++ % 32];
	char body[300];
	int n = snprintf(body, sizeof body, "{\"message\":\"%s\"}\n", msg);
	snprintf(b, sizeof ring[0], "HTTP/1.1 %d %s\r\nApi-Version: 1.51\r\n"
	         "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
	         status, status == 400 ? "Bad Request" : "Internal Server Error", n, body);
	return b;
}

static const char too_old[] = "client version 1.41 is too old. Minimum supported API version "
                              "is 1.44, please upgrade your client to a newer version";

/* The engine refuses the version asked for, and says which it takes. */
static void version_steps(void)
{
	struct fake_conn *c;
	struct dk_opts o;

	/* dockerd 28.5 with DOCKER_MIN_API_VERSION=1.44 behind a proxy that
	 * drops Api-Version: 1.52 too new, then 1.51 is served. */
	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer(NULL, NULL));
	fake_str(c, error_answer(400, "client version 1.52 is too new. Maximum supported API "
	                              "version is 1.51"));
	c = fake_conn_add();
	fake_str(c, events_head);
	fake_eof(c);
	T_EQ(session(), DK_OUT_RETRY, "too new: stepped down, streamed, ended");
	T_OK(strcmp(req(0, 1), "GET /v1.52/events HTTP/1.1") == 0, "too new: asked 1.52 first");
	T_OK(strcmp(req(1, 0), "GET /v1.51/events HTTP/1.1") == 0, "too new: then %s", line);
	T_EQ(ag.n.connects, 1, "too new: one stream");
	T_OK(strstr(fake_log, "engine refused API version 1.52") != NULL, "too new: logged");

	/* An engine whose ping is older than its minimum (a proxy's, or an
	 * engine upgraded between ping and request): step up. */
	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, error_answer(400, too_old));
	c = fake_conn_add();
	fake_str(c, events_head);
	fake_eof(c);
	T_EQ(session(), DK_OUT_RETRY, "too old: stepped up, streamed");
	T_OK(strcmp(req(1, 0), "GET /v1.44/events HTTP/1.1") == 0, "too old: then %s", line);
	T_OK(strcmp(ag.version, "1.44") == 0, "too old: 1.44 in use");
	T_EQ(count_action("dockev", "connect"), 1, "too old: one connect event");

	/* A minimum above ours: used, with a warning. */
	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.60", NULL));
	fake_str(c, error_answer(400, "client version 1.52 is too old. Minimum supported API "
	                              "version is 1.55"));
	c = fake_conn_add();
	fake_str(c, events_head);
	fake_eof(c);
	T_EQ(session(), DK_OUT_RETRY, "minimum above ours: streamed");
	T_OK(strcmp(req(1, 0), "GET /v1.55/events HTTP/1.1") == 0, "minimum above ours: %s", line);
	T_OK(strstr(fake_log, "newer than " DK_API_VERSION) != NULL, "minimum above ours: warned");

	/* A refusal that names no version: /version says. */
	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, error_answer(400, "unsupported API version"));
	c = fake_conn_add();
	fake_str(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 45\r\n\r\n"
	            "{\"ApiVersion\":\"1.51\",\"MinAPIVersion\":\"1.44\"}");
	c = fake_conn_add();
	fake_str(c, events_head);
	fake_eof(c);
	T_EQ(session(), DK_OUT_RETRY, "no version in the refusal: streamed");
	T_OK(strcmp(req(1, 0), "GET /version HTTP/1.1") == 0, "no version in the refusal: %s", line);
	T_OK(strcmp(req(2, 0), "GET /v1.44/events HTTP/1.1") == 0, "then the minimum: %s", line);

	/* An engine that keeps moving its minimum: two steps, then stop. */
	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, error_answer(400, too_old));
	c = fake_conn_add();
	fake_str(c, error_answer(400, "client version 1.44 is too old. Minimum supported API "
	                              "version is 1.45"));
	c = fake_conn_add();
	fake_str(c, error_answer(400, "client version 1.45 is too old. Minimum supported API "
	                              "version is 1.46"));
	c = fake_conn_add();
	fake_str(c, events_head);
	fake_eof(c);
	T_EQ(session(), DK_OUT_CONFIG, "a minimum that keeps moving: configuration error");
	T_EQ(fake_connects, 3, "a minimum that keeps moving: two steps, no more");

	/* A refusal that would step the wrong way is not followed. */
	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.44", NULL));
	fake_str(c, error_answer(400, "client version 1.44 is too old. Minimum supported API "
	                              "version is 1.41"));
	T_EQ(session(), DK_OUT_CONFIG, "a minimum below the refused version: configuration error");
	T_EQ(fake_connects, 1, "no second try");

	/* A fixed version is not negotiated: a clear configuration error. */
	memset(&o, 0, sizeof o);
	o.api_version = "1.41";
	setup_opts(&o);
	c = fake_conn_add();
	fake_str(c, error_answer(400, too_old));
	T_EQ(session(), DK_OUT_CONFIG, "--api-version 1.41 refused: configuration error");
	T_OK(strstr(fake_log, "Minimum supported API version is 1.44") &&
	     strstr(fake_log, "fixed by --api-version or DOCKER_API_VERSION"),
	     "--api-version refused: says why and what to do");
	T_EQ(fake_connects, 1, "--api-version refused: no second try");

	/* Renegotiated at every connection: an engine upgraded in place. */
	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, events_head);
	fake_eof(c);
	c = fake_conn_add();
	fake_str(c, ping_answer("1.51", NULL));
	fake_str(c, events_head);
	fake_eof(c);
	session();
	T_OK(strcmp(ag.version, "1.41") == 0, "before the upgrade: 1.41");
	session();
	T_OK(strncmp(req(1, 1), "GET /v1.51/events?", 18) == 0, "after it: %s", line);
}

/* Podman from 5.3 answers a filter key it does not know with 500. */
static void podman_filter(void)
{
	struct fake_conn *c;
	struct dk_opts o;

	memset(&o, 0, sizeof o);
	o.filters[0] = "type=container";
	o.filters[1] = "network=x";
	o.nfilters = 2;
	setup_opts(&o);
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", "Libpod-Api-Version: 5.4.2\r\n"));
	fake_str(c, "HTTP/1.1 500 Internal Server Error\r\nApi-Version: 1.41\r\n"
	            "Content-Type: application/json\r\nLibpod-Api-Version: 5.4.2\r\n"
	            "Content-Length: 97\r\n\r\n"
	            "{\"cause\":\"network is an invalid filter\",\"message\":\"network is an "
	            "invalid filter\",\"response\":500}\n");
	T_EQ(session(), DK_OUT_CONFIG, "Podman and a filter it does not take: configuration error");
	T_OK(strstr(ag.why, "-f network=x: this engine is Podman 5.4.2") != NULL,
	     "the filter named before asking: %s", ag.why);
	T_EQ(fake_connects, 1, "no retry");
	T_OK(strstr(fake_conns[0].sent, "/events") == NULL, "no events request sent");

	/* The same 500 from an engine that did not say it is Podman. */
	setup_opts(&o);
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_str(c, "HTTP/1.1 500 Internal Server Error\r\nApi-Version: 1.41\r\n"
	            "Content-Type: application/json\r\nContent-Length: 97\r\n\r\n"
	            "{\"cause\":\"network is an invalid filter\",\"message\":\"network is an "
	            "invalid filter\",\"response\":500}\n");
	T_EQ(session(), DK_OUT_CONFIG, "a 500 refusing a filter: configuration error");
	T_OK(strstr(ag.why, "network is an invalid filter") &&
	     strstr(ag.why, "-f network=x: this engine does not support that filter"),
	     "the refused filter named: %s", ag.why);
	T_EQ(fake_connects, 1, "no retry");
}

/* Podman 5.1 and 5.2 send no head until the first event. */
static void withheld_head(void)
{
	struct fake_conn *c;

	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", "Libpod-Api-Version: 5.1.2\r\n"));
	fake_again(c, 3600 * 1000);
	fake_str(c, events_head);
	fake_str(c, chunk(rec_a("start")));
	fake_eof(c);
	T_EQ(session(), DK_OUT_RETRY, "withheld head: the stream came, then ended");
	T_EQ(fake_connects, 1, "withheld head for an hour: no reconnect");
	T_EQ(count_action("a", "start"), 1, "withheld head: the event delivered");
	T_OK(strstr(fake_log, "engine sent no response head") != NULL, "withheld head: said once");

	/* dockerd sends its head at once: silence there is a stall. */
	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", NULL));
	fake_silence(c);
	T_EQ(session(), DK_OUT_RETRY, "dockerd silent: retry");
	T_OK(strstr(ag.why, "no response head within") != NULL, "dockerd silent: %s", ag.why);
}

/* application/json-seq: an RS before every record. */
static void json_seq(void)
{
	struct fake_conn *c;

	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.52", NULL));
	fake_str(c, "HTTP/1.1 200 OK\r\nApi-Version: 1.52\r\nContent-Type: application/json-seq\r\n"
	            "Transfer-Encoding: chunked\r\n\r\n");
	fake_str(c, chunk("\x1e{\"Type\":\"a\",\"Action\":\"one\"}\n\x1e{\"Type\":\"a\","));
	fake_str(c, chunk("\"Action\":\"two\"}\n"));
	fake_str(c, chunk("\x1e{\"Type\":\"a\",\"Action\":\"three\"}"));
	fake_eof(c);
	session();
	T_OK(strstr(fake_conns[0].sent, "\r\nAccept: application/x-ndjson\r\n") != NULL,
	     "the events request asks for newline-delimited JSON");
	T_OK(count_action("a", "one") == 1 && count_action("a", "two") == 1,
	     "json-seq: records after RS delivered");
	T_EQ(ag.n.bad_json, 0, "json-seq: nothing taken as bad JSON");
}

static void ping_cases(void)
{
	struct fake_conn *c;
	struct dk_opts o;

	negotiate(ping_answer("1.40", NULL), 0, "1.40", 1, "engine 1.40");
	negotiate(ping_answer("1.43", NULL), 0, "1.43", 1, "engine 1.43 (older than ours)");
	negotiate(ping_answer("1.53", NULL), 0, DK_API_VERSION, 1, "engine 1.53 (newer)");
	negotiate(ping_answer("1.100", NULL), 0, DK_API_VERSION, 1, "engine 1.100 (numeric compare)");
	negotiate(ping_answer(NULL, NULL), 0, DK_API_VERSION, 1, "no Api-Version");
	negotiate(ping_answer("one.two", NULL), 0, DK_API_VERSION, 1, "malformed Api-Version");
	negotiate(ping_answer("1.24", NULL), 1, "1.24", 1, "engine 1.24, ping byte by byte");
	negotiate(ping_answer("1.40", "Connection: close\r\n"), 0, "1.40", 2,
	          "Connection: close");
	negotiate("HTTP/1.1 200 OK\r\nApi-Version: 1.39\r\nTransfer-Encoding: chunked\r\n\r\n"
	          "2\r\nOK\r\n0\r\n\r\n", 0, "1.39", 2, "chunked ping body");
	negotiate("HTTP/1.0 200 OK\r\nApi-Version: 1.38\r\nContent-Length: 2\r\n\r\nOK", 0,
	          "1.38", 2, "HTTP/1.0 ping");

	/* The recorded answer keeps the connection. */
	setup();
	c = fake_conn_add();
	fake_data(c, ping_ok, (size_t)ping_len, 0);
	fake_str(c, events_head);
	fake_eof(c);
	session();
	T_OK(fake_connects == 1 && strcmp(req(0, 1), "GET /v1.41/events HTTP/1.1") == 0,
	     "recorded dockerd ping: connection reused");

	/* A fixed version: no ping. */
	memset(&o, 0, sizeof o);
	o.api_version = "1.30";
	setup_opts(&o);
	c = fake_conn_add();
	fake_str(c, events_head);
	fake_eof(c);
	session();
	T_OK(strcmp(req(0, 0), "GET /v1.30/events HTTP/1.1") == 0, "--api-version: no ping: %s",
	     line);
	T_OK(strcmp(req(0, 1), "") == 0 && fake_connects == 1, "--api-version: one request");

	/* The ping refused. */
	setup();
	c = fake_conn_add();
	fake_str(c, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 19\r\n\r\n"
	            "404 page not found\n");
	T_EQ(session(), DK_OUT_CONFIG, "ping 404: configuration error");
	T_OK(strstr(fake_log, "GET /_ping: engine answered 404") &&
	     strstr(fake_log, "404 page not found"), "ping 404: logged with the body");
	setup();
	c = fake_conn_add();
	fake_str(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
	T_EQ(session(), DK_OUT_RETRY, "ping 503: retry");
	T_OK(strstr(ag.why, "GET /_ping: engine answered 503") != NULL, "ping 503: why: %s",
	     ag.why);
	setup();
	c = fake_conn_add();
	fake_silence(c);
	T_EQ(session(), DK_OUT_RETRY, "ping unanswered: retry");
	T_OK(strstr(ag.why, "no response head") != NULL, "ping unanswered: %s", ag.why);
	/* Connection: close and the second connect fails. */
	setup();
	c = fake_conn_add();
	fake_str(c, ping_answer("1.41", "Connection: close\r\n"));
	fake_conn_fail(fake_conn_add(), DK_ERR_CONNECT, "Connection refused");
	T_EQ(session(), DK_OUT_RETRY, "reconnect after the ping refused: retry");
	T_OK(strcmp(ag.why, "Connection refused") == 0 && fake_conns[0].closed == 1,
	     "why from the port, ping connection closed");
}

static void request_cases(void)
{
	struct dk_opts o;
	struct fake_conn *c;
	struct feed f = { &cap_ev, -1, 0, END_EOF, -1 };
	char s[32], want[256];

	memset(&o, 0, sizeof o);
	o.api_version = "1.41";
	o.has_since = 1;
	o.since_ns = 1795792644500000000LL;
	o.has_until = 1;
	o.until_ns = 1795792700000000001LL;
	setup_opts(&o);
	c = fake_conn_add();
	fake_str(c, events_head);
	fake_eof(c);
	session();
	T_OK(strcmp(req(0, 0), "GET /v1.41/events?since=1795792644.500000000&"
	                       "until=1795792700.000000001 HTTP/1.1") == 0,
	     "--since and --until on the wire: %s", line);
	T_EQ(ag.res.kind, DK_RESUME_NONE, "with --since and no event: nothing to resume from yet");

	o.has_until = 0;
	o.nfilters = 2;
	o.filters[0] = "type=container";
	o.filters[1] = "event=die";
	setup_opts(&o);
	c = fake_conn_add();
	fake_str(c, events_head);
	fake_eof(c);
	session();
	req(0, 0);
	T_OK(strncmp(line, "GET /v1.41/events?since=1795792644.500000000&filters=%7B", 56) == 0 &&
	     strstr(line, "%22type%22%3A%7B%22container%22%3Atrue%7D") &&
	     strstr(line, "%22event%22%3A%7B%22die%22%3Atrue%7D") &&
	     !strpbrk(line + 4, "{}\"") && strstr(line, " HTTP/1.1"),
	     "filters URL-encoded after since=: %s", line);

	/* After events, since= is the resume point, not --since; --until stays. */
	o.nfilters = 0;
	o.has_until = 1;
	o.api_version = NULL;
	o.until_ns = 1795792999000000000LL;
	setup_opts(&o);
	f.cut = 1000;
	engine(&f, 0);
	c = fake_conn_add();
	fake_data(c, ping_ok, (size_t)ping_len, 0);
	fake_str(c, events_head);
	fake_eof(c);
	dk_agent_run(&ag);
	T_OK(ag.n.events >= 2 && ag.n.events < 85, "the first stream, cut, delivered %llu events",
	     (unsigned long long)ag.n.events);
	dk_when_format(ag.res.point - DK_RESUME_MARGIN_NS, s, sizeof s);
	snprintf(want, sizeof want,
	         "GET /v1.41/events?since=%s&until=1795792999.000000000 HTTP/1.1", s);
	T_OK(ag.res.point == cap_ev.tn[ag.n.events - 1] && strcmp(req(1, 1), want) == 0,
	     "resumed: since= 20 ms before the last event, until kept: %s", line);
	T_OK(strstr(req(0, 1), "since=1795792644.500000000") != NULL,
	     "the first request had --since");

	/* Every request carries Host and ends with a blank line. */
	T_OK(strstr(fake_conns[0].sent, "GET /_ping HTTP/1.1\r\nHost: docker\r\n") != NULL &&
	     fake_conns[0].nsent > 4 &&
	     memcmp(fake_conns[0].sent + fake_conns[0].nsent - 4, "\r\n\r\n", 4) == 0,
	     "requests: Host header, blank line at the end");

	/* Writes that move a few bytes at a time, or must wait. */
	memset(&o, 0, sizeof o);
	o.api_version = "1.41";
	setup_opts(&o);
	c = fake_conn_add();
	c->send_max = 5;
	c->send_again = 3;
	fake_str(c, events_head);
	fake_eof(c);
	session();
	T_OK(strcmp(req(0, 0), "GET /v1.41/events HTTP/1.1") == 0 && c->sends > 10 &&
	     strstr(c->sent, "\r\n\r\n") == c->sent + c->nsent - 4,
	     "short and blocked writes: the request whole (%d sends)", c->sends);
	T_EQ(ag.n.connects, 1, "short writes: the stream opened");
}

/* ---- how a session ends ------------------------------------------------ */

static void fixed_version(void)
{
	struct dk_opts o;
	memset(&o, 0, sizeof o);
	o.api_version = "1.41";
	setup_opts(&o);
}

/* A session whose only connection performs the given steps (built by fn). */
static enum dk_outcome one(void (*fn)(struct fake_conn *))
{
	fixed_version();
	fn(fake_conn_add());
	return session();
}

static void s_4xx(struct fake_conn *c) { fake_str(c, bad_version); }
static void s_4xx_slow(struct fake_conn *c)
{
	fake_data(c, bad_version, strlen(bad_version), 3);
	fake_eof(c);
}
static void s_5xx(struct fake_conn *c) { fake_str(c, bad_filters); }
static void s_5xx_passing(struct fake_conn *c)
{
	fake_str(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
	            "Content-Length: 30\r\n\r\n{\"message\":\"context canceled\"}");
}
static void s_garbage(struct fake_conn *c) { fake_str(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"); }
static void s_eof_head(struct fake_conn *c)
{
	fake_str(c, "HTTP/1.1 200 OK\r\nContent-Type: appli");
	fake_eof(c);
}
static void s_eof_now(struct fake_conn *c) { fake_eof(c); }
static void s_err_head(struct fake_conn *c)
{
	fake_str(c, "HTTP/1.1 200 OK\r\n");
	fake_err(c, DK_ERR_IO);
}
static void s_eof_body(struct fake_conn *c)
{
	fake_data(c, shutdown_raw, (size_t)shutdown_len, 0);
	fake_eof(c);
}
static void s_chunk_err(struct fake_conn *c)
{
	fake_str(c, events_head);
	fake_str(c, chunk(rec_a("b")));
	fake_str(c, "zz\r\n");
	fake_silence(c);
}
static void s_err_body(struct fake_conn *c)
{
	fake_str(c, events_head);
	fake_str(c, chunk(rec_a("b")));
	fake_str(c, "1a\r\n{\"Type\":\"a\",");
	fake_err(c, DK_ERR_IO);
}
static void s_silence(struct fake_conn *c) { fake_silence(c); }
static void s_slow_head(struct fake_conn *c)
{
	fake_again(c, 6000);
	fake_str(c, "HTTP/1.1 200 OK\r\n");
	fake_again(c, 6000);
	fake_str(c, "Transfer-Encoding: chunked\r\n\r\n");
	fake_eof(c);
}
static void s_send_err(struct fake_conn *c) { c->send_err = DK_ERR_IO; }
static void s_final(struct fake_conn *c)
{
	fake_data(c, until_future, (size_t)until_len, 0);
	fake_silence(c);
}
static void s_status_1xx(struct fake_conn *c)
{
	fake_str(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: tcp\r\n\r\n");
	fake_silence(c);
}
static void s_408(struct fake_conn *c)
{
	fake_str(c, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n");
	fake_silence(c);
}
static void s_429(struct fake_conn *c)
{
	fake_str(c, "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
	            "Content-Length: 24\r\n\r\n{\"message\":\"slow down\"}\n");
	fake_silence(c);
}
static void s_redirect(struct fake_conn *c)
{
	fake_str(c, "HTTP/1.1 301 Moved Permanently\r\nLocation: /v1.41/events/\r\n"
	            "Content-Length: 0\r\n\r\n");
	fake_silence(c);
}

static char big_head[12000];
static void s_head_big(struct fake_conn *c)
{
	size_t o = (size_t)snprintf(big_head, sizeof big_head, "HTTP/1.1 200 OK\r\n");
	int i;
	for (i = 0; i < 200; i++)
		o += (size_t)snprintf(big_head + o, sizeof big_head - o,
		                      "X-Pad-%03d: 0123456789012345678901234567890123456789\r\n", i);
	snprintf(big_head + o, sizeof big_head - o, "\r\n");
	fake_str(c, big_head);
	fake_silence(c);
}

static void ends(void)
{
	int64_t t0;
	enum dk_outcome out;

	out = one(s_4xx);
	T_EQ(out, DK_OUT_CONFIG, "400: configuration error");
	T_OK(strstr(fake_log, "GET /events: engine answered 400 Bad Request: client version "
	            "1.99 is too new. Maximum supported API version is 1.41") != NULL,
	     "400: the engine's message logged");
	T_EQ(ag.n.connects, 0, "400: no stream counted");
	T_EQ(count_action("dockev", "connect"), 0, "400: no connect event");
	out = one(s_4xx_slow);
	T_EQ(out, DK_OUT_CONFIG, "400 in 3-byte pieces: configuration error");
	T_OK(strstr(fake_log, "is too new") != NULL, "400 in pieces: the message still logged");

	/* dockerd's 500 for filters that are not JSON refuses the request:
	 * the same request gets it again, so it is not retried. */
	out = one(s_5xx);
	T_EQ(out, DK_OUT_CONFIG, "500 refusing the filters: configuration error");
	T_OK(strstr(ag.why, "engine answered 500") &&
	     strstr(ag.why, "invalid character 'o' in literal null"), "500: why: %s", ag.why);
	out = one(s_5xx_passing);
	T_EQ(out, DK_OUT_RETRY, "500 that may pass: retry");
	T_OK(strstr(ag.why, "engine answered 500") && strstr(ag.why, "context canceled"),
	     "500 that may pass: why: %s", ag.why);

	out = one(s_408);
	T_EQ(out, DK_OUT_RETRY, "408 Request Timeout: retry, not a configuration error");
	out = one(s_429);
	T_EQ(out, DK_OUT_RETRY, "429 Too Many Requests: retry");
	T_OK(strstr(ag.why, "slow down") != NULL, "429: why has the message: %s", ag.why);

	out = one(s_redirect);
	T_OK(out == DK_OUT_RETRY || out == DK_OUT_CONFIG, "301: not a stream: %d", out);
	T_OK(ag.n.connects == 0 && nrecs == 0, "301: no stream counted, no connect event");
	out = one(s_status_1xx);
	T_OK((out == DK_OUT_RETRY || out == DK_OUT_CONFIG) && nrecs == 0,
	     "101: not a stream: %d", out);

	out = one(s_garbage);
	T_EQ(out, DK_OUT_RETRY, "not HTTP: retry");
	T_OK(strstr(ag.why, "malformed answer") && strstr(ag.why, "SSH-2.0"), "not HTTP: %s",
	     ag.why);
	out = one(s_head_big);
	T_EQ(out, DK_OUT_RETRY, "head over DK_HEAD_MAX: retry");
	T_OK(strstr(ag.why, "response head too large") != NULL, "head too big: %s", ag.why);
	out = one(s_eof_head);
	T_EQ(out, DK_OUT_RETRY, "EOF mid-head: retry");
	T_OK(strstr(ag.why, "engine closed the connection inside the response head") != NULL,
	     "EOF mid-head: %s", ag.why);
	out = one(s_eof_now);
	T_EQ(out, DK_OUT_RETRY, "EOF before any byte: retry");
	T_OK(strstr(ag.why, "without answering") != NULL, "EOF at once: %s", ag.why);
	fixed_version();
	fake_errstr = "Connection reset by peer";
	s_err_head(fake_conn_add());
	T_EQ(session(), DK_OUT_RETRY, "read error in the head: retry");
	T_OK(strcmp(ag.why, "read: Connection reset by peer") == 0, "read error: %s", ag.why);

	out = one(s_eof_body);
	T_EQ(out, DK_OUT_RETRY, "recorded daemon shutdown (EOF mid-body): retry");
	T_OK(strstr(ag.why, "mid-body") != NULL, "EOF mid-body: %s", ag.why);
	T_EQ(ag.n.events, 1, "EOF mid-body: the event before it delivered");
	out = one(s_chunk_err);
	T_EQ(out, DK_OUT_RETRY, "bad chunk size: retry");
	T_OK(strcmp(ag.why, "events stream: malformed chunk framing") == 0, "bad chunk: %s",
	     ag.why);
	T_EQ(ag.n.events, 1, "bad chunk: the event before it delivered");
	out = one(s_err_body);
	T_EQ(out, DK_OUT_RETRY, "read error mid-body: retry");
	T_OK(strcmp(ag.why, "read: fake error") == 0, "read error mid-body: %s", ag.why);
	T_EQ(ag.n.events, 1, "read error mid-body: the half event not delivered");

	fixed_version();
	s_silence(fake_conn_add());
	t0 = fake_now_ms;
	T_EQ(session(), DK_OUT_RETRY, "no answer: retry");
	T_OK(strstr(ag.why, "no response head within 10000 ms") != NULL, "no answer: %s", ag.why);
	T_EQ(fake_now_ms - t0, DK_HEAD_TIMEOUT_MS, "no answer: gave up after the head timeout");
	T_EQ(fake_overrun, 0, "no answer: no wait for ever");
	fixed_version();
	s_slow_head(fake_conn_add());
	t0 = fake_now_ms;
	T_EQ(session(), DK_OUT_RETRY, "head trickling over 12 s: retry");
	T_OK(strstr(ag.why, "no response head") != NULL, "the timeout is for the whole head: %s",
	     ag.why);
	T_EQ(fake_now_ms - t0, DK_HEAD_TIMEOUT_MS, "slow head: given up at the deadline");

	out = one(s_send_err);
	T_EQ(out, DK_OUT_RETRY, "send fails: retry");
	T_OK(strcmp(ag.why, "send: fake error") == 0, "send fails: %s", ag.why);

	/* Connect failures. */
	fixed_version();
	fake_conn_fail(fake_conn_add(), DK_ERR_CONNECT, "No such file or directory");
	T_EQ(session(), DK_OUT_RETRY, "connect fails: retry");
	T_OK(strcmp(ag.why, "No such file or directory") == 0, "connect fails: %s", ag.why);
	fixed_version();
	fake_conn_fail(fake_conn_add(), DK_ERR_TIMEOUT, NULL);
	T_EQ(session(), DK_OUT_RETRY, "connect times out: retry");
	T_OK(strcmp(ag.why, "timed out") == 0, "no detail: the error's text: %s", ag.why);
	fixed_version();
	fake_conn_fail(fake_conn_add(), DK_ERR_PATH_LONG, "unix socket path too long");
	T_EQ(session(), DK_OUT_CONFIG, "path too long: configuration");
	T_OK(strstr(fake_log, "unix socket path too long") != NULL, "path too long: logged");
	fixed_version();
	fake_conn_fail(fake_conn_add(), DK_ERR_TLS, "TLS: certificate is for a, not b");
	T_EQ(session(), DK_OUT_CONFIG_WAIT, "TLS error: configuration, wait long");
	T_OK(strcmp(ag.why, "TLS: certificate is for a, not b") == 0,
	     "TLS error: the reason kept for the agent's one line: %s", ag.why);
	fixed_version();
	ag.opts.has_until = 1;
	ag.opts.until_ns = INT64_MAX;
	fake_conn_fail(fake_conn_add(), DK_ERR_TLS, "TLS: certificate expired");
	T_EQ(session(), DK_OUT_CONFIG, "TLS error with --until: configuration, exit");
	T_OK(strstr(fake_log, "TLS: certificate expired") != NULL,
	     "TLS error with --until: logged");
	ag.opts.has_until = 0;
}

static void until_cases(void)
{
	struct dk_opts o;
	struct fake_conn *c;
	int64_t end = 1795792785000000000LL;   /* just after the recording */

	memset(&o, 0, sizeof o);
	o.api_version = "1.41";
	o.has_until = 1;
	o.until_ns = end;

	setup_opts(&o);
	fake_wall_ns = end + 5000000;          /* the engine ended it on time */
	s_final(fake_conn_add());
	T_EQ(session(), DK_OUT_DONE, "final chunk at --until: done");
	T_EQ(ag.n.events, 2, "until: both events delivered");
	T_EQ(fake_overrun, 0, "until: did not wait for the connection to close");

	setup_opts(&o);
	fake_wall_ns = end - 1000000000;       /* within the slack */
	s_final(fake_conn_add());
	T_EQ(session(), DK_OUT_DONE, "final chunk 1 s before --until (clock skew): done");

	setup_opts(&o);
	fake_wall_ns = end - 3600000000000LL;  /* an hour early */
	s_final(fake_conn_add());
	T_EQ(session(), DK_OUT_RETRY, "final chunk an hour before --until: retry");
	T_OK(strcmp(ag.why, "engine ended the events stream") == 0, "early end: %s", ag.why);

	fixed_version();
	s_final(fake_conn_add());
	T_EQ(session(), DK_OUT_RETRY, "final chunk without --until: retry");

	/* Via the loop: the until stream ends it, exit 0, disconnect said so. */
	setup_opts(&o);
	fake_wall_ns = end + 1;
	s_final(fake_conn_add());
	T_EQ(dk_agent_run(&ag), 0, "loop: exit 0 at --until");
	T_EQ(fake_connects, 1, "loop: no reconnect");
	T_OK(nrecs == 4 && strcmp(recs[3].action, "disconnect") == 0,
	     "loop: disconnect event last");

	/* Resuming past --until: done without asking again. */
	setup_opts(&o);
	dk_resume_event(&ag.res, end + 10, 1);
	c = fake_conn_add();
	fake_silence(c);
	T_EQ(session(), DK_OUT_DONE, "resume point past --until: done");
	T_EQ(fake_conns[0].nsent, 0, "no events request sent");
}

static void s_stop_data(struct fake_conn *c)
{
	fake_str(c, events_head);
	fake_str(c, chunk(rec_a("1")));
	fake_signal(c, DK_SIG_STOP);
	fake_str(c, chunk(rec_a("2")));
	fake_str(c, chunk(rec_a("3")));
	fake_eof(c);
}
static void s_stop_idle(struct fake_conn *c)
{
	fake_str(c, events_head);
	fake_str(c, chunk(rec_a("1")));
	fake_again(c, 30000);
	fake_signal(c, DK_SIG_STOP);
	fake_silence(c);
}
static void s_stop_head(struct fake_conn *c)
{
	fake_str(c, "HTTP/1.1 200 OK\r\n");
	fake_signal(c, DK_SIG_STOP);
	fake_silence(c);
}
static void s_stats(struct fake_conn *c)
{
	fake_str(c, events_head);
	fake_str(c, chunk(rec_a("1")));
	fake_again(c, 100);
	fake_signal(c, DK_SIG_STATS);        /* while waiting */
	fake_str(c, chunk(rec_a("2")));
	fake_signal(c, DK_SIG_STATS);        /* while reading */
	fake_str(c, chunk(rec_a("3")));
	fake_eof(c);
}

static void signals(void)
{
	T_EQ(one(s_stop_data), DK_OUT_STOP, "stop while bytes keep coming: stop");
	T_EQ(ag.n.events, 2, "stop: the bytes already read are delivered, no more read");
	T_EQ(one(s_stop_idle), DK_OUT_STOP, "stop on an idle stream: stop");
	T_EQ(ag.n.events, 1, "idle stop: one event");
	T_EQ(fake_overrun, 0, "idle stop: the signal ended the wait, not the fake");
	T_EQ(one(s_stop_head), DK_OUT_STOP, "stop while waiting for the head: stop");
	T_EQ(one(s_stats), DK_OUT_RETRY, "SIGUSR1 twice, then EOF: the stream went on");
	T_EQ(ag.n.events, 3, "SIGUSR1: every event delivered");
	T_OK(strstr(fake_log, "counters: events 1,") && strstr(fake_log, "counters: events 3,"),
	     "SIGUSR1: counters logged while idle and while streaming");

	/* Via the loop: stop ends with exit 0 and a disconnect "stopping". */
	fixed_version();
	s_stop_idle(fake_conn_add());
	T_EQ(dk_agent_run(&ag), 0, "loop: stop: exit 0");
	T_OK(nrecs == 3 && strcmp(recs[2].action, "disconnect") == 0 && fake_connects == 1,
	     "loop: stop: disconnect event, no reconnect");
	T_OK(strstr(fake_log, "disconnected from") == NULL, "loop: stop is not logged as a failure");
}

/* ---- odd bodies ------------------------------------------------------- */

static char huge[DK_BUF_SIZE + 4096];
static void s_too_big(struct fake_conn *c)
{
	const size_t size = DK_BUF_SIZE + 100;   /* the record, "\n" included */
	size_t o, start;

	fake_str(c, events_head);
	start = (size_t)snprintf(huge, sizeof huge, "%zx\r\n", size);
	o = start + (size_t)snprintf(huge + start, sizeof huge - start,
	                             "{\"Type\":\"container\",\"Action\":\"big\",\"Actor\":"
	                             "{\"ID\":\"huge\",\"Attributes\":{\"x\":\"");
	memset(huge + o, 'x', start + size - 5 - o);
	o = start + size - 5;
	memcpy(huge + o, "\"}}}\n\r\n", 7);
	o += 7;
	fake_data(c, huge, o, 4000);
	fake_str(c, chunk(rec_a("after")));
	fake_eof(c);
}
static void s_close_delimited(struct fake_conn *c)
{
	fake_str(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
	            "{\"Type\":\"a\",\"Action\":\"1\"}\n{\"Type\":\"a\",\"Action\":\"2\"}");
	fake_eof(c);
}
static void s_many_in_one(struct fake_conn *c)
{
	static char two[128];
	snprintf(two, sizeof two, "%s%s", rec_a("1"), rec_a("2"));
	fake_str(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	fake_str(c, chunk(two));
	fake_str(c, chunk("{\"Type\":\"a\",\""));
	fake_str(c, chunk("Action\":\"3\"}\n"));
	fake_str(c, "0\r\n\r\n");
	fake_eof(c);
}
static void s_handler_stop(struct fake_conn *c)
{
	fake_str(c, events_head);
	fake_str(c, chunk(rec_a("1")));
	fake_str(c, chunk(rec_a("2")));
	fake_eof(c);
}

static void bodies(void)
{
	T_EQ(one(s_too_big), DK_OUT_RETRY, "an event larger than the buffer: the stream goes on");
	T_EQ(ag.n.too_big, 1, "too big: counted");
	T_OK(strstr(fake_log, "skipped event (event larger than the receive buffer") &&
	     strstr(fake_log, "container big huge"), "too big: logged with its identity");
	T_OK(nrecs == 2 && strcmp(recs[1].action, "after") == 0,
	     "too big: the next event delivered");

	T_EQ(one(s_close_delimited), DK_OUT_RETRY, "close-delimited body, EOF: retry");
	T_EQ(ag.n.events, 2, "close-delimited: the last record without newline delivered too");
	T_EQ(one(s_many_in_one), DK_OUT_RETRY, "two events in a chunk, one across two");
	T_OK(nrecs == 4 && strcmp(recs[1].action, "1") == 0 && strcmp(recs[2].action, "2") == 0 &&
	     strcmp(recs[3].action, "3") == 0, "all three, in order");

	fixed_version();
	s_handler_stop(fake_conn_add());
	rec_stop_at = 1;
	rec_stop_ret = DK_HANDLER_STOP;
	T_EQ(session(), DK_OUT_HANDLER_STOP, "handler stop mid-stream");
	T_EQ(nrecs, 2, "handler stop: nothing after it");
	fixed_version();
	s_handler_stop(fake_conn_add());
	rec_stop_at = 2;
	rec_stop_ret = -1;
	T_EQ(session(), DK_OUT_HANDLER_ERR, "handler error on the second event");
}

/* The first event of a stream has no time: since= must not go back to 0
 * (the engine would replay its whole history). */
static void s_timeless(struct fake_conn *c)
{
	fake_str(c, events_head);
	fake_str(c, chunk(rec_a("1")));
	fake_eof(c);
}

static void timeless(void)
{
	char want[128], s[32];

	fixed_version();
	s_timeless(fake_conn_add());
	s_timeless(fake_conn_add());
	dk_agent_run(&ag);
	dk_when_format(WALL0, s, sizeof s);
	snprintf(want, sizeof want, "GET /v1.41/events?since=%s HTTP/1.1", s);
	T_OK(strcmp(req(1, 0), want) == 0,
	     "first event without time: resume since= the stream's start, not 0: %s", line);
}

int main(void)
{
	if (load() != 0 || cap_ev.count != 85 || same_ev.count != 6) {
		printf("Bail out! test data (%d events)\n", cap_ev.count);
		return 1;
	}
	recorded_whole(0);
	recorded_whole(1);
	recorded_whole(7);
	recorded_cuts();
	same_time_cuts();
	ping_cases();
	version_steps();
	clock_step();
	reordered_cut();
	stop_at_disconnect();
	ping_then_close();
	podman_filter();
	withheld_head();
	json_seq();
	request_cases();
	ends();
	until_cases();
	signals();
	bodies();
	timeless();
	return T_DONE();
}
