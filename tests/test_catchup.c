/* test_catchup.c - the broker's side of delivery (agent/catchup.c) over the
 * scripted transport: the first connection is the "broker" (a CONNACK,
 * then silence: what the publisher sent is parsed back), the next ones
 * answer the catch-up's GET /events with the engine's history. Checked:
 * the request's since/until, what is published and in which order, the
 * dedupe against the broker's acknowledged events, dockev resync when the
 * history does not reach back, chained rounds while live events come, the
 * hand-over to live (and the slack's early event dropped), the live path
 * when the buffer is full, the broker's cursor through --state. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "t.h"
#include "agent.h"
#include "dispatch.h"
#include "err.h"
#include "state.h"
#include "fakeport.h"
#include "agentfix.h"

const struct dk_handler dk_handlers[] = {
	{ NULL, NULL, NULL },
};

static struct dk_agent ag;
static struct fake_conn *broker;
#define T0 1795790000000000000LL
#define MS 1000000LL

/* Event k: a container start at T0 + k ms, its JSON and parsed view. */
static char json[64][300];
static struct dk_event evk[64];

static const struct dk_event *ev(int k)
{
	int n = snprintf(json[k], sizeof json[k], "{\"Type\":\"container\","
	                 "\"Action\":\"start\",\"Actor\":{\"ID\":\"c%d\","
	                 "\"Attributes\":{\"name\":\"n%d\"}},\"scope\":\"local\","
	                 "\"time\":%lld,\"timeNano\":%lld}", k, k,
	                 (long long)(T0 / 1000000000), (long long)(T0 + k * MS));
	if (dk_event_parse(&evk[k], json[k], (size_t)n) != DK_OK)
		abort();
	return &evk[k];
}

/* The local side delivered event k / the broker acknowledged it. */
static void local(int k)
{
	dk_resume_event(&ag.res, T0 + k * MS, dk_event_identity(ev(k)));
}
static void acked(int k)
{
	dk_resume_event(&ag.mq.acked, T0 + k * MS, dk_event_identity(ev(k)));
	ag.mq.cursor_ns = T0 + k * MS;
}

/* An engine's answer with events ks[0..n) and the final chunk, on c. */
static char body[8][8192];
static void history_on(struct fake_conn *c, int slot, const int *ks, int n)
{
	char *b = body[slot];
	size_t len = 0;
	int i;

	len += (size_t)snprintf(b + len, sizeof body[0] - len, "HTTP/1.1 200 OK\r\n"
	                        "Api-Version: 1.41\r\nContent-Type: application/json\r\n"
	                        "Transfer-Encoding: chunked\r\n\r\n");
	for (i = 0; i < n; i++) {
		ev(ks[i]);
		len += (size_t)snprintf(b + len, sizeof body[0] - len, "%zx\r\n%s\n\r\n",
		                        strlen(json[ks[i]]) + 1, json[ks[i]]);
	}
	len += (size_t)snprintf(b + len, sizeof body[0] - len, "0\r\n\r\n");
	fake_data(c, b, len, 7); /* 7 bytes a read: every split */
	fake_silence(c);
}

static struct fake_conn *history(int slot, const int *ks, int n)
{
	struct fake_conn *c = fake_conn_add();
	history_on(c, slot, ks, n);
	return c;
}

static const char connack[] = { 0x20, 0x02, 0x00, 0x00 };

static void setup(void)
{
	agent_fixture(&ag, 100, 100, 60000, "1.41", NULL);
	fake_wall_ns = T0 + 500 * MS;
	T_EQ(dk_mqttc_init(&ag.mq, "mqtt://broker", "node1", NULL, NULL, NULL,
	                   100, 1000, 5000), DK_OK, "publisher set up");
	broker = fake_conn_add();
	fake_data(broker, connack, 4, 0);
	dk_mqttc_service(&ag.mq, 0, fake_now_ms);
	dk_mqttc_service(&ag.mq, 0, fake_now_ms);
	ag.connected = 1;
}

/* Service the catch-up and the publisher a few times, as the loop does. */
static void pump(int rounds)
{
	while (rounds--) {
		dk_catchup_service(&ag);
		dk_mqttc_service(&ag.mq, 0, fake_now_ms);
		fake_now_ms += 10;
	}
}

/* The engine events published to the broker, as event numbers (-1 for a
 * dockev resync), in the order sent. */
static int published(int *out, int max)
{
	const unsigned char *p = (const unsigned char *)broker->sent;
	size_t n = broker->nsent < FAKE_SENT_MAX ? broker->nsent : FAKE_SENT_MAX;
	size_t i = 0;
	int k = 0;

	while (i < n && k < max) {
		size_t rem = 0, shift = 0, start, tl;
		unsigned char h = p[i++];
		const char *pay, *q;
		do {
			rem |= (size_t)(p[i] & 0x7f) << shift;
			shift += 7;
		} while (p[i++] & 0x80);
		start = i;
		if (h >> 4 == DK_MQTT_PUBLISH && (h & 6)) {
			tl = (size_t)p[i] << 8 | p[i + 1];
			pay = (const char *)p + i + 2 + tl + 2;
			if (strncmp(pay, "{\"dockev\":true,\"Type\":\"dockev\",\"Action\":\"resync\"", 48) == 0)
				out[k++] = -1;
			else if ((q = strstr(pay, "\"ID\":\"c")) != NULL)
				out[k++] = atoi(q + 7);
		}
		i = start + rem;
	}
	return k;
}

static int sent_has(const struct fake_conn *c, const char *s)
{
	size_t n = c->nsent < FAKE_SENT_MAX ? c->nsent : FAKE_SENT_MAX;
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(c->sent + i, s, k) == 0)
			return 1;
	return 0;
}

/* Behind: the broker has 1 and 2, the local side 1..5, and 3..5 were
 * skipped on the live path. One round publishes 3, 4, 5, then live. */
static void test_round(void)
{
	static const int hist[] = { 1, 2, 3, 4, 5 };
	struct fake_conn *c;
	int got[16], n, i;

	setup();
	for (i = 1; i <= 5; i++)
		local(i);
	acked(1);
	acked(2);
	ag.cu.behind = 1;
	c = history(0, hist, 5);
	pump(1);
	T_OK(ag.cu.state != DK_CU_IDLE || ag.cu.n.rounds == 1, "a round started");
	T_OK(sent_has(c, "GET /v1.41/events?since=1795789999.982000000&until="
	              "1795790000.006000000"),
	     "since: the broker's cursor less 20 ms; until: the local one and 1 ms");
	pump(20);
	n = published(got, 16);
	T_OK(n == 3 && got[0] == 3 && got[1] == 4 && got[2] == 5,
	     "3, 4, 5 published in order, 1 and 2 not again (%d: %d %d %d)", n,
	     n > 0 ? got[0] : 0, n > 1 ? got[1] : 0, n > 2 ? got[2] : 0);
	T_EQ(ag.cu.behind, 0, "caught up: live again");
	T_EQ(c->closed, 1, "the catch-up connection closed");
	T_OK(strstr(fake_log, "mqtt: caught up to 1795790000.006000000 (3 events "
	            "from the engine's history); publishing live again") != NULL,
	     "said in one line");
	/* Live: an event the round's slack would have brought is not
	 * published twice; a later one is. */
	ag.cu.until = T0 + 6 * MS;
	dk_catchup_live(&ag, ev(5));
	T_EQ(dk_mqttc_pending(&ag.mq), 3, "event 5 again, live: dropped");
	dk_catchup_live(&ag, ev(7));
	pump(2);
	n = published(got, 16);
	T_OK(n == 4 && got[3] == 7, "event 7 published live");
}

/* The broker's cursor is older than the history: dockev resync first. */
static void test_gap(void)
{
	static const int hist[] = { 10, 11, 12 };
	int got[16], n, i;

	setup();
	for (i = 1; i <= 12; i++)
		local(i);
	acked(1);
	ag.cu.behind = 1;
	history(0, hist, 3);
	pump(25);
	n = published(got, 16);
	T_OK(n == 4 && got[0] == -1 && got[1] == 10 && got[2] == 11 && got[3] == 12,
	     "resync, then what the history still has (%d)", n);
	T_EQ(ag.cu.n.resyncs, 1, "one resync");
	T_OK(strstr(fake_log, "the engine's history no longer reaches back to "
	            "the broker's cursor (1795790000.001000000)") != NULL, "said");
	T_EQ(ag.cu.behind, 0, "then live");
	T_EQ(ag.mq.acked.point, T0 + 1 * MS, "the resync moves no cursor");

	/* An empty answer: the broker's own last event did not come back. */
	setup();
	for (i = 1; i <= 3; i++)
		local(i);
	acked(1);
	ag.cu.behind = 1;
	history(0, NULL, 0);
	pump(25);
	n = published(got, 16);
	T_OK(n == 1 && got[0] == -1, "nothing came back: resync (%d)", n);
}

/* Live events skipped during a round: another round from where it
 * stopped, without waiting for the broker, then live. */
static void call_live(struct fake_conn *c, void *arg)
{
	(void)c;
	(void)arg;
	local(6);
	dk_catchup_live(&ag, ev(6));
}

static void test_chained(void)
{
	static const int hist1[] = { 2, 3, 4, 5 }, hist2[] = { 5, 6 };
	struct fake_conn *c1, *c2;
	int got[16], n, i;

	setup();
	for (i = 1; i <= 5; i++)
		local(i);
	acked(2);
	ag.cu.behind = 1;
	/* Event 6 happens while the first answer is read. */
	c1 = fake_conn_add();
	fake_call(c1, call_live, NULL);
	history_on(c1, 0, hist1, 4);
	c2 = fake_conn_add();
	history_on(c2, 1, hist2, 2);
	pump(40);
	T_EQ(ag.cu.n.skipped, 1, "event 6 skipped on the live path");
	T_EQ(ag.cu.n.rounds, 2, "two rounds");
	T_OK(sent_has(c2, "since=1795789999.985000000&until=1795790000.007000000"),
	     "the second from where the first stopped (5), to 6");
	T_OK(dk_mqttc_pending(&ag.mq) > 0, "without waiting for the broker's "
	     "acknowledgements");
	n = published(got, 16);
	T_OK(n == 4 && got[0] == 3 && got[1] == 4 && got[2] == 5 && got[3] == 6,
	     "3, 4, 5, 6: no gap, no repeat, in order (%d)", n);
	T_EQ(ag.cu.behind, 0, "then live");
}

/* The live path: while the buffer has room, events are taken even with
 * the broker away; from the first it cannot take, none (counted). */
static void test_full(void)
{
	static char big[40][6000];
	struct dk_event e;
	int i, taken = 0, len;

	setup();
	fake_log_reset();
	for (i = 0; i < 40; i++) {
		len = snprintf(big[i], sizeof big[i], "{\"Type\":\"container\","
		               "\"Action\":\"die\",\"Actor\":{\"ID\":\"x\",\"Attributes\":"
		               "{\"pad\":\"%05000d\"}},\"time\":1,\"timeNano\":%lld}",
		               0, (long long)(T0 + i * MS));
		if (dk_event_parse(&e, big[i], (size_t)len) != DK_OK)
			abort();
		dk_catchup_live(&ag, &e);
		if (!ag.cu.behind)
			taken++;
	}
	T_OK(taken > 4 && taken < 40, "%d taken before the buffer was full", taken);
	T_EQ(ag.cu.behind, 1, "then behind");
	T_EQ(ag.cu.n.skipped, (uint64_t)(40 - taken), "the rest skipped, counted");
	T_OK(strstr(fake_log, "mqtt: send buffer full") != NULL &&
	     strstr(fake_log, "catches up from the engine's history") != NULL,
	     "said once");
	T_EQ(fake_log_lines, 1, "one line");
	dk_catchup_live(&ag, ev(1));
	T_EQ(fake_log_lines, 1, "a small one is skipped too, nothing more said");
}

/* --state: the broker's cursor out and in; an agent that starts behind. */
static void test_state(void)
{
	static struct dk_state s;
	char text[DK_STATE_TEXT_MAX];
	int n;

	setup();
	local(1);
	local(2);
	acked(1);
	memset(&s, 0, sizeof s);
	T_OK(dk_catchup_state_dirty(&ag), "the broker's cursor moved: dirty");
	dk_catchup_state_put(&ag, &s);
	T_OK(s.has_broker && s.bkind == DK_RESUME_EVENT && s.bpoint == T0 + MS &&
	     s.bcount == 1, "put: the broker's point and mark");
	T_EQ(dk_catchup_state_dirty(&ag), 0, "clean once put");
	n = dk_state_format(text, sizeof text, &s);
	T_OK(n > 0 && strstr(text, "\nbroker 1795790000001000000 event\n") != NULL,
	     "in the file");

	setup();
	dk_catchup_state_take(&ag, &s);
	T_EQ(ag.cu.has_loaded, 1, "taken from the file");
	local(1);
	local(2);
	dk_catchup_opened(&ag);
	T_EQ(ag.mq.acked.point, T0 + MS, "the publisher has it at the first open");
	T_EQ(ag.cu.behind, 1, "behind the local one: catching up once connected");

	/* No broker lines (an older file): the local cursor is the start. */
	setup();
	local(3);
	dk_catchup_opened(&ag);
	T_OK(ag.mq.acked.point == T0 + 3 * MS && !ag.cu.behind,
	     "without one: where the local side is");
}

int main(void)
{
	test_round();
	test_gap();
	test_chained();
	test_full();
	test_state();
	return T_DONE();
}
