/* test_agent.c - dk_agent_deliver (resume point, dedupe after an inclusive
 * since=, replay versus live order, skipped records), synthetic dockev
 * events, and the loop dk_agent_run over scripted connections: back-off
 * between attempts, reset after a healthy stream, exit statuses. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "t.h"
#include "agent.h"
#include "dispatch.h"
#include "err.h"
#include "fakeport.h"
#include "agentfix.h"

/* ---- a recording handler ------------------------------------------------ */

#define REC_MAX 256
struct rec {
	char type[16], action[48], id[300];
	char reason[1100], host[300], api[16], reconnects[16];
	int64_t time_nano;
};
static struct rec recs[REC_MAX];
static int nrecs;
static int rec_stop_at = -1, rec_stop_ret; /* return rec_stop_ret at call # */

static void slice(char *out, size_t cap, struct dk_str s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	memcpy(out, s.p, n);
	out[n] = '\0';
}

static int recorder(const struct dk_event *ev, const struct dk_opts *o)
{
	struct rec *r;
	int i = nrecs;

	(void)o;
	if (nrecs < REC_MAX) {
		r = &recs[nrecs];
		slice(r->type, sizeof r->type, ev->type);
		slice(r->action, sizeof r->action, ev->action);
		slice(r->id, sizeof r->id, ev->id);
		r->time_nano = ev->time_nano;
		dk_event_attr_get(ev, "reason", r->reason, sizeof r->reason);
		dk_event_attr_get(ev, "host", r->host, sizeof r->host);
		dk_event_attr_get(ev, "api", r->api, sizeof r->api);
		dk_event_attr_get(ev, "reconnects", r->reconnects, sizeof r->reconnects);
	}
	nrecs++;
	return i == rec_stop_at ? rec_stop_ret : 0;
}

const struct dk_handler dk_handlers[] = {
	{ NULL, NULL, recorder },
	{ NULL, NULL, NULL },
};

/* ---- the agent ------------------------------------------------------------ */

static struct dk_agent ag;
#define WALL0 1795790000000000000LL   /* fake wall clock at start */

static void setup(int64_t min_ms, int64_t max_ms, int64_t reset_ms)
{
	agent_fixture(&ag, min_ms, max_ms, reset_ms, NULL, NULL);
	fake_wall_ns = WALL0;
	nrecs = 0;
	rec_stop_at = -1;
}

static char evbuf[8][512];
static int evnext;

/* A container event of actor id at timeNano tn (a ring of 8 buffers). */
static const char *ev(const char *id, int64_t tn)
{
	char *b = evbuf[evnext++ % 8];
	snprintf(b, sizeof evbuf[0],
	         "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"%s\","
	         "\"Attributes\":{\"name\":\"n-%s\"}},\"scope\":\"local\","
	         "\"time\":%lld,\"timeNano\":%lld}",
	         id, id, (long long)(tn / 1000000000), (long long)tn);
	return b;
}

static int deliver(const char *s)
{
	return dk_agent_deliver(&ag, s, strlen(s));
}

/* How many recorded events have this actor id. */
static int count_id(const char *id)
{
	int i, n = 0;
	for (i = 0; i < nrecs && i < REC_MAX; i++)
		n += strcmp(recs[i].id, id) == 0;
	return n;
}

/* ---- deliver ----------------------------------------------------------- */

static void resume_point(void)
{
	setup(500, 30000, 60000);
	T_EQ(deliver(ev("a", 100)), 0, "deliver returns 0");
	T_EQ(deliver(ev("b", 200)), 0, "second event");
	T_EQ(nrecs, 2, "both reach the handler");
	T_OK(nrecs == 2 && strcmp(recs[0].id, "a") == 0 && strcmp(recs[1].id, "b") == 0 &&
	     strcmp(recs[1].type, "container") == 0 && recs[1].time_nano == 200,
	     "in order, with their fields");
	T_EQ(ag.res.point, 200, "resume point: the last timeNano");
	T_EQ(ag.res.kind, DK_RESUME_EVENT, "resume point comes from an event");
	T_EQ(ag.n.events, 2, "events counted");

	/* A resume's since= brings a and b back. */
	dk_resume_open(&ag.res, WALL0);
	deliver(ev("a", 100));
	deliver(ev("b", 200));
	T_EQ(nrecs, 2, "replayed a and b dropped");
	T_EQ(ag.n.duplicates, 2, "counted as duplicates");
	deliver(ev("c", 300));
	T_EQ(nrecs, 3, "newer event delivered");
	T_EQ(ag.res.point, 300, "resume point moves on");
	/* Live: an older event is the engine's order, not a replay. */
	deliver(ev("d", 250));
	T_OK(nrecs == 4 && strcmp(recs[3].id, "d") == 0,
	     "out-of-order live event (lower timeNano) delivered");
	T_EQ(ag.res.point, 250, "the point is the last received: a resume asks from there");
	deliver(ev("e", 300));
	T_EQ(nrecs, 5, "live event at an earlier one's timeNano, new: delivered");
	deliver(ev("d", 250));
	T_EQ(nrecs, 5, "a live repeat of a delivered event: dropped (replayed and live)");
}

/* k events share timeNano 200 (after one at 100); the stream is cut and the
 * engine replays from since=200: all k again, then a new one. */
static void same_time(int k)
{
	char id[16];
	int i, again = 0;

	setup(500, 30000, 60000);
	deliver(ev("first", 100));
	for (i = 0; i < k; i++) {
		snprintf(id, sizeof id, "s%d", i);
		deliver(ev(id, 200));
	}
	T_EQ(nrecs, 1 + k, "%d sharing a timeNano: all delivered", k);
	dk_resume_open(&ag.res, WALL0);
	for (i = 0; i < k; i++) {
		snprintf(id, sizeof id, "s%d", i);
		deliver(ev(id, 200));
	}
	deliver(ev("new", 201));
	for (i = 0; i < k; i++) {
		snprintf(id, sizeof id, "s%d", i);
		again += count_id(id) > 1;
	}
	if (k + 1 <= DK_RESUME_RECENT) {
		T_EQ(again, 0, "%d sharing a timeNano: none delivered twice after the replay", k);
		T_EQ(ag.n.duplicates, k, "%d dropped as duplicates", k);
	} else {
		/* Only DK_RESUME_RECENT marks are kept: the oldest cannot be
		 * recognised. At most those should come twice; a redelivered
		 * one must not evict the mark of one still to come. */
		T_OK(again <= k + 1 - DK_RESUME_RECENT,
		     "%d sharing a timeNano: at most the %d that do not fit delivered "
		     "twice (got %d): a redelivery never evicts a mark still needed",
		     k, k + 1 - DK_RESUME_RECENT, again);
	}
	T_EQ(count_id("new"), 1, "%d sharing a timeNano: the next event delivered once", k);
	T_EQ(count_id("first"), 1, "%d sharing a timeNano: the older one once", k);
}

/* Recorded: tests/data/same-timenano.jsonl holds three events at one
 * timeNano between others; a cut after each line and a replay from the
 * resume point delivers each once. */
static void same_time_recorded(void)
{
	static char file[4096];
	const char *lines[16];
	size_t lens[16];
	long n = t_slurp(DK_TEST_DATA "same-timenano.jsonl", file, sizeof file);
	int nl = 0, cut, i, bad = 0;
	char *p, *e;

	T_OK(n > 0, "same-timenano.jsonl read");
	if (n <= 0)
		return;
	file[n] = '\0';
	for (p = file; (e = strchr(p, '\n')) && nl < 16; p = e + 1) {
		lines[nl] = p;
		lens[nl++] = (size_t)(e - p);
	}
	for (cut = 1; cut <= nl; cut++) {
		int64_t since;
		setup(500, 30000, 60000);
		for (i = 0; i < cut; i++)
			dk_agent_deliver(&ag, lines[i], lens[i]);
		dk_resume_since(&ag.res, &since);
		dk_resume_open(&ag.res, WALL0);
		for (i = 0; i < nl; i++) {
			dk_event_parse(&ag.ev, lines[i], lens[i]);
			if (ag.ev.time_nano >= since) /* what the engine sends */
				dk_agent_deliver(&ag, lines[i], lens[i]);
		}
		if (nrecs != nl)
			bad++;
		for (i = 0; i < nl && i < nrecs; i++) {
			dk_event_parse(&ag.ev, lines[i], lens[i]);
			if (!ag.ev.id.p || strlen(recs[i].id) != ag.ev.id.n ||
			    memcmp(recs[i].id, ag.ev.id.p, ag.ev.id.n) != 0)
				bad++;
		}
	}
	T_EQ(nl, 6, "six recorded events");
	T_EQ(bad, 0, "cut after each of them, replayed: each delivered once, in order");
}

static void no_time(void)
{
	static const char bare[] =
		"{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"notime\"}}";

	/* After a connect without events the resume point is the clock. */
	setup(500, 30000, 60000);
	dk_resume_open(&ag.res, WALL0);
	T_EQ(deliver(bare), 0, "event without time/timeNano");
	T_EQ(nrecs, 1, "is delivered");
	T_EQ(ag.res.point, WALL0, "does not move the resume point (the clock) back to 0");
	T_EQ(ag.res.kind, DK_RESUME_CLOCK, "nor counts as the resume event");
	T_EQ(deliver(bare), 0, "again, an event without time");
	T_EQ(nrecs, 2, "is delivered (it cannot be told from a new one)");

	setup(500, 30000, 60000);
	deliver(ev("a", 500));
	dk_resume_open(&ag.res, WALL0);
	deliver(bare);
	T_EQ(nrecs, 2, "after an event: delivered");
	T_EQ(ag.res.point, 500, "resume point stays at the last timeNano");
	T_EQ(ag.res.verify, 1, "and the resume check waits for a timed event");
	deliver(ev("a", 500));
	T_EQ(nrecs, 2, "the replayed one dropped");
	deliver(ev("b", 600));
	T_EQ(ag.res.point, 600, "the next timed event moves it on");
}

static void skipped(void)
{
	static char big[20000];
	size_t o;
	int i;

	setup(500, 30000, 60000);
	deliver(ev("a", 100));
	fake_log_reset();
	T_EQ(deliver("{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"cut"),
	     0, "truncated JSON: 0, the stream goes on");
	T_EQ(deliver("[1,2,3]"), 0, "an array");
	T_EQ(ag.n.bad_json, 2, "counted as bad JSON");
	T_OK(strstr(fake_log, "skipped event (event is not valid JSON") &&
	     strstr(fake_log, "container die cut"), "logged with its identity");

	o = (size_t)snprintf(big, sizeof big, "{\"Type\":\"container\",\"Action\":\"x\","
	                     "\"Actor\":{\"ID\":\"many\",\"Attributes\":{");
	for (i = 0; i < DK_TOKENS_MAX / 2 + 10; i++)
		o += (size_t)snprintf(big + o, sizeof big - o, "%s\"k%d\":\"v\"", i ? "," : "", i);
	snprintf(big + o, sizeof big - o, "}},\"timeNano\":999}");
	T_EQ(deliver(big), 0, "more tokens than DK_TOKENS_MAX: 0");
	T_EQ(ag.n.too_many_tokens, 1, "counted as too many tokens");

	T_EQ(deliver("{\"Action\":\"start\",\"timeNano\":999}"), 0, "no Type: 0");
	T_EQ(deliver("{\"Type\":7,\"Action\":\"start\",\"timeNano\":999}"), 0, "Type not a string");
	T_EQ(deliver("{\"Type\":\"container\",\"timeNano\":999}"), 0, "no Action");
	T_EQ(ag.n.invalid, 3, "counted as invalid");
	T_EQ(ag.n.bad_json, 2, "bad JSON count unchanged");
	T_EQ(nrecs, 1, "none reached the handler");
	T_EQ(ag.n.events, 1, "nor the event count");
	T_EQ(ag.res.point, 100, "nor the resume point (their timeNano 999 ignored)");
	deliver(ev("b", 200));
	T_EQ(nrecs, 2, "the next good event is delivered");
}

static void handler_result(void)
{
	setup(500, 30000, 60000);
	rec_stop_at = 1;
	rec_stop_ret = DK_HANDLER_STOP;
	T_EQ(deliver(ev("a", 1)), 0, "handler 0: deliver 0");
	T_EQ(deliver(ev("b", 2)), DK_HANDLER_STOP, "handler's stop returned");
	T_EQ(ag.res.point, 2, "the stopping event counts as delivered");
	rec_stop_at = 2;
	rec_stop_ret = -3;
	T_EQ(deliver(ev("c", 3)), -3, "handler's error returned");
}

/* ---- synthetic events -------------------------------------------------- */

static void synthetic(void)
{
	static char url[300];
	char why[sizeof ag.why], want[sizeof ag.why];
	int i;

	setup(500, 30000, 60000);
	deliver(ev("a", 100));
	ag.n.reconnects = 3;
	fake_wall_ns = WALL0 + 123;
	T_EQ(dk_agent_synthetic(&ag, "connect"), 0, "connect: 0");
	T_OK(nrecs == 2 && strcmp(recs[1].type, "dockev") == 0 &&
	     strcmp(recs[1].action, "connect") == 0, "Type dockev, Action connect");
	T_OK(strcmp(recs[1].id, "unix:///run/docker.sock") == 0 &&
	     strcmp(recs[1].host, "unix:///run/docker.sock") == 0, "actor and host: the URL");
	T_OK(strcmp(recs[1].api, DK_API_VERSION) == 0 && strcmp(recs[1].reconnects, "3") == 0 &&
	     recs[1].reason[0] == '\0', "api, reconnects, empty reason");
	T_EQ(recs[1].time_nano, WALL0 + 123, "timeNano from the wall clock");
	T_OK(ag.res.point == 100 && ag.res.n == 1 && ag.n.events == 1,
	     "resume point, marks and event count untouched");

	snprintf(ag.why, sizeof ag.why, "read: \"bad\" \\ thing\n\ttab\x01");
	T_EQ(dk_agent_synthetic(&ag, "disconnect"), 0, "disconnect: 0");
	T_OK(nrecs == 3 && strcmp(recs[2].action, "disconnect") == 0 &&
	     strcmp(recs[2].reason, ag.why) == 0,
	     "disconnect carries the reason, quotes and controls intact");

	rec_stop_at = 3;
	rec_stop_ret = DK_HANDLER_STOP;
	T_EQ(dk_agent_synthetic(&ag, "connect"), DK_HANDLER_STOP, "handler's result returned");

	/* The longest URL the endpoint takes and a reason of full length. */
	setup(500, 30000, 60000);
	memcpy(url, "tcp://", 6);
	for (i = 6; i < 6 + 250; i++)
		url[i] = 'h';
	strcpy(url + i, ":2375");
	T_EQ(dk_endpoint_parse(&ag.ep, url, 0), DK_OK, "a 250-byte host name");
	/* An engine message full of quotes: each is escaped in the JSON. */
	for (i = 0; i < (int)sizeof why - 1; i++)
		why[i] = i % 2 ? '"' : 'w';
	why[sizeof why - 1] = '\0';
	snprintf(ag.why, sizeof ag.why, "%s", why);
	snprintf(want, sizeof want, "%s", ag.why);
	dk_agent_synthetic(&ag, "disconnect");
	T_OK(nrecs == 1 && strcmp(recs[0].reason, want) == 0,
	     "disconnect with a long URL and reason still reaches handlers "
	     "(the synthetic JSON fits ag->synth)");
}

/* ---- the loop: back-off ------------------------------------------------ */

/* The "retrying in S.MMMs" delays of fake_log, in ms. */
static int logged_delays(int64_t *out, int cap)
{
	const char *p = fake_log;
	int n = 0;
	long long s, ms;

	while (n < cap && (p = strstr(p, "retrying in "))) {
		p += 12;
		if (sscanf(p, "%lld.%llds", &s, &ms) == 2)
			out[n++] = s * 1000 + ms;
	}
	return n;
}

static void backoff_bounds(uint32_t rnd)
{
	int64_t logged[16], t0, sum = 0;
	int i, nl, bad = 0, r;

	setup(500, 8000, 60000);
	fake_random = rnd;
	for (i = 0; i < 8; i++)
		fake_conn_fail(fake_conn_add(), DK_ERR_CONNECT, "Connection refused");
	t0 = fake_now_ms;
	r = dk_agent_run(&ag);
	T_EQ(r, 0, "random %u: stopped (script ended): exit 0", rnd);
	T_EQ(fake_connects, 9, "random %u: 8 failures and the last attempt", rnd);
	T_EQ(fake_nslept, 8, "random %u: one back-off after each failure", rnd);
	for (i = 0; i < fake_nslept; i++) {
		int64_t cap = 500LL << i;
		if (cap > 8000)
			cap = 8000;
		if (fake_slept[i] < 500 || fake_slept[i] > cap)
			bad++;
		if (rnd == 0 && fake_slept[i] != 500)
			bad++;
		sum += fake_slept[i];
	}
	T_EQ(bad, 0, "random %u: delay n in [min, min(max, min * 2^n)]", rnd);
	T_EQ(fake_now_ms - t0, sum, "random %u: the sleeps are all the time that passed", rnd);
	nl = logged_delays(logged, 16);
	/* The 9th attempt ends the script with a stop: no "retrying" for it. */
	T_EQ(nl, 8, "random %u: each failure logged with its delay", rnd);
	for (i = 0, bad = 0; i < 8 && i < nl; i++)
		bad += logged[i] != fake_slept[i];
	T_EQ(bad, 0, "random %u: logged delays are the slept ones", rnd);
	T_OK(strstr(fake_log, "unix:///run/docker.sock: Connection refused; retrying in"),
	     "random %u: the log says why", rnd);
	T_EQ(ag.n.reconnects, 8, "random %u: reconnects counted", rnd);
	T_EQ(nrecs, 0, "random %u: never connected: no synthetic events", rnd);
	T_EQ(fake_overrun, 0, "random %u: no wait for ever", rnd);
}

/* Delays above INT_MAX ms (--backoff 1000h:1000h) still sleep, bounded. */
static void backoff_huge(void)
{
	setup(3600000000LL, 3600000000LL, 60000);
	fake_conn_fail(fake_conn_add(), DK_ERR_CONNECT, "refused");
	T_EQ(dk_agent_run(&ag), 0, "1000h back-off: run ends with the script");
	T_EQ(fake_overrun, 0, "1000h back-off: not a wait for ever");
	T_OK(fake_nslept == 1 && fake_slept[0] == 2147483647,
	     "1000h back-off: one sleep, clamped to INT_MAX ms");
}

static void backoff_cap(void)
{
	int i;

	/* min 100, max 1000; random 900 reaches every cap from 1000 on. */
	setup(100, 1000, 60000);
	fake_random = 900;
	for (i = 0; i < 10; i++)
		fake_conn_fail(fake_conn_add(), DK_ERR_TIMEOUT, "connect timed out");
	dk_agent_run(&ag);
	T_EQ(fake_nslept, 10, "ten back-offs");
	T_EQ(fake_slept[0], 100, "first delay: the minimum");
	T_OK(fake_slept[1] > 100 && fake_slept[1] <= 200, "second within [min, 2 min]: %lld",
	     (long long)fake_slept[1]);
	for (i = 4; i < 10; i++)
		if (fake_slept[i] != 1000)
			break;
	T_EQ(i, 10, "from the fifth on: the cap, never above");
}

/* An events stream that stays up for up_ms, then ends. */
static const char stream_head[] =
	"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
	"Transfer-Encoding: chunked\r\n\r\n";

static int64_t delay_after_stream(int64_t up_ms)
{
	struct fake_conn *c;
	int i;

	setup(100, 100000, 60000);
	ag.opts.api_version = "1.41";
	fake_random = 0xFFFFFFFFu;
	for (i = 0; i < 5; i++)
		fake_conn_fail(fake_conn_add(), DK_ERR_CONNECT, "refused");
	c = fake_conn_add();
	fake_str(c, stream_head);
	fake_again(c, (long)up_ms);
	fake_eof(c);
	fake_conn_fail(fake_conn_add(), DK_ERR_CONNECT, "refused");
	dk_agent_run(&ag);
	return fake_nslept == 7 ? fake_slept[5] : -1;
}

static void backoff_reset(void)
{
	int64_t d;

	d = delay_after_stream(61000);
	T_EQ(d, 100, "after a stream up longer than reset: back to the minimum");
	T_EQ(fake_conns[5].closed, 1, "that connection closed once");
	T_OK(nrecs == 2 && strcmp(recs[0].action, "connect") == 0 &&
	     strcmp(recs[1].action, "disconnect") == 0 &&
	     strcmp(recs[1].reason, "engine closed the events stream mid-body") == 0,
	     "connect and disconnect (with why) reached the handlers: %s",
	     nrecs > 1 ? recs[1].reason : "");
	T_OK(strstr(fake_log, "disconnected from unix:///run/docker.sock: engine closed "
	            "the events stream mid-body") != NULL, "disconnect logged");
	T_EQ(ag.n.connects, 1, "one stream opened");
	d = delay_after_stream(1000);
	T_OK(d > 100, "after a short stream: the back-off keeps growing (%lld ms)",
	     (long long)d);
}

/* ---- the loop: how it ends ------------------------------------------- */

static void run_ends(void)
{
	struct fake_conn *c;
	int r;

	/* A stop during the back-off sleep. */
	setup(500, 30000, 60000);
	c = fake_conn_add();
	fake_conn_fail(c, DK_ERR_CONNECT, "refused");
	fake_signal(c, DK_SIG_STOP);
	r = dk_agent_run(&ag);
	T_EQ(r, 0, "stop during back-off: exit 0");
	T_EQ(fake_connects, 1, "no further attempt");
	T_EQ(fake_nslept, 0, "the sleep ended at once");

	/* A configuration error: no retry, exit 1. */
	setup(500, 30000, 60000);
	ag.opts.api_version = "1.99";
	c = fake_conn_add();
	fake_str(c, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
	            "Content-Length: 84\r\n\r\n{\"message\":\"client version 1.99 is too new. "
	            "Maximum supported API version is 1.41\"}\n");
	r = dk_agent_run(&ag);
	T_EQ(r, 1, "4xx: exit 1");
	T_EQ(fake_connects, 1, "4xx: not retried");
	T_EQ(fake_conns[0].closed, 1, "4xx: connection closed");

	/* Unix socket path too long: configuration. */
	setup(500, 30000, 60000);
	fake_conn_fail(fake_conn_add(), DK_ERR_PATH_LONG, "unix socket path too long");
	T_EQ(dk_agent_run(&ag), 1, "path too long: exit 1, no retry");
	T_EQ(fake_connects, 1, "path too long: one attempt");

	/* A handler asks to stop (the 2nd call: connect, then the event). */
	setup(500, 30000, 60000);
	ag.opts.api_version = "1.41";
	c = fake_conn_add();
	fake_str(c, stream_head);
	fake_str(c, "1a\r\n{\"Type\":\"a\",\"Action\":\"b\"}\n\r\n");
	fake_silence(c);
	rec_stop_at = 1;
	rec_stop_ret = DK_HANDLER_STOP;
	T_EQ(dk_agent_run(&ag), 0, "handler stop: exit 0");
	T_EQ(fake_connects, 1, "handler stop: no reconnect");
	T_EQ(fake_overrun, 0, "handler stop: no wait for ever");
	T_OK(nrecs == 3 && strcmp(recs[2].action, "disconnect") == 0,
	     "disconnect synthetic after the handler's stop");

	setup(500, 30000, 60000);
	ag.opts.api_version = "1.41";
	c = fake_conn_add();
	fake_str(c, stream_head);
	fake_str(c, "1a\r\n{\"Type\":\"a\",\"Action\":\"b\"}\n\r\n");
	fake_silence(c);
	rec_stop_at = 1;
	rec_stop_ret = -1;
	T_EQ(dk_agent_run(&ag), 1, "handler error: exit 1");
	T_EQ(fake_connects, 1, "handler error: no reconnect");

	/* A handler that fails on the connect event. */
	setup(500, 30000, 60000);
	ag.opts.api_version = "1.41";
	c = fake_conn_add();
	fake_str(c, stream_head);
	fake_silence(c);
	rec_stop_at = 0;
	rec_stop_ret = -1;
	T_EQ(dk_agent_run(&ag), 1, "handler error on connect: exit 1");

	/* SIGUSR1 in the back-off sleep logs the counters and goes on. */
	setup(500, 30000, 60000);
	c = fake_conn_add();
	fake_conn_fail(c, DK_ERR_CONNECT, "refused");
	fake_signal(c, DK_SIG_STATS);
	fake_conn_fail(fake_conn_add(), DK_ERR_CONNECT, "refused");
	T_EQ(dk_agent_run(&ag), 0, "stats signal: goes on until the script ends");
	T_EQ(fake_connects, 3, "stats signal: no attempt lost");
	T_OK(strstr(fake_log, "counters: events 0, duplicates dropped 0") != NULL,
	     "stats signal: counters logged");
}

int main(void)
{
	resume_point();
	same_time(1);
	same_time(2);
	same_time(3);
	same_time(DK_RESUME_RECENT - 1);
	same_time(DK_RESUME_RECENT + 8);
	same_time_recorded();
	no_time();
	skipped();
	handler_result();
	synthetic();
	backoff_bounds(0);
	backoff_bounds(0xFFFFFFFFu);
	backoff_bounds(123457u);
	backoff_cap();
	backoff_huge();
	backoff_reset();
	run_ends();
	return T_DONE();
}
