/* test_mqttc.c - the MQTT publisher over the scripted transport: URLs and
 * topics, CONNECT and the retained status, the in-flight window, PUBACK in
 * order, resend with DUP after a reconnect, keepalive, refusals, malformed
 * and oversized packets, a full send buffer, partial sends. The "broker"
 * is the fake connection's script; what the client sent is parsed back. */
#include <stdio.h>
#include <stdlib.h>
#include "t.h"
#include "mqttc.h"
#include "err.h"
#include "fakeport.h"

static struct dk_mqttc mc;

/* Does what connection c sent hold s? */
static int sent_has(const struct fake_conn *c, const char *s)
{
	size_t n = c->nsent < FAKE_SENT_MAX ? c->nsent : FAKE_SENT_MAX;
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(c->sent + i, s, k) == 0)
			return 1;
	return 0;
}
static struct dk_event evs[4];

/* ---- what the client sent, packet by packet ----------------------------- */

struct pk {
	int type, flags;
	unsigned id;                /* PUBLISH QoS 1 */
	char topic[128];
	const char *payload;
	size_t payload_len;
};

static int parse_sent(const struct fake_conn *c, struct pk *out, int max)
{
	const unsigned char *p = (const unsigned char *)c->sent;
	size_t n = c->nsent < FAKE_SENT_MAX ? c->nsent : FAKE_SENT_MAX, i = 0;
	int k = 0;

	while (i < n && k < max) {
		size_t rem = 0, shift = 0, start;
		unsigned char h = p[i++];
		struct pk *q = &out[k];

		do {
			if (i >= n)
				return k;
			rem |= (size_t)(p[i] & 0x7f) << shift;
			shift += 7;
		} while (p[i++] & 0x80);
		if (i + rem > n)
			return k;
		memset(q, 0, sizeof *q);
		q->type = h >> 4;
		q->flags = h & 15;
		start = i;
		if (q->type == DK_MQTT_PUBLISH) {
			size_t tl = (size_t)p[i] << 8 | p[i + 1];
			memcpy(q->topic, p + i + 2, tl < 127 ? tl : 127);
			i += 2 + tl;
			if (q->flags & 6) {
				q->id = (unsigned)p[i] << 8 | p[i + 1];
				i += 2;
			}
			q->payload = (const char *)p + i;
			q->payload_len = start + rem - i;
		}
		i = start + rem;
		k++;
	}
	return k;
}

/* Publishes at QoS 1 among the packets sent, with their ids. */
static int publishes(const struct fake_conn *c, unsigned *ids, int *dups, int max)
{
	static struct pk pks[256];
	int n = parse_sent(c, pks, 256), i, k = 0;

	for (i = 0; i < n && k < max; i++)
		if (pks[i].type == DK_MQTT_PUBLISH && (pks[i].flags & 6)) {
			ids[k] = pks[i].id;
			if (dups)
				dups[k] = pks[i].flags >> 3 & 1;
			k++;
		}
	return k;
}

/* The loop, as dk_agent_wait runs it: poll the client's fd up to its next
 * deadline (or 1 s), then service it. */
static void pump(int rounds)
{
	int i;

	for (i = 0; i < rounds; i++) {
		struct dk_pollfd p = { -1, 0, 0 };
		int has = dk_mqttc_pollfd(&mc, &p);
		int ms = dk_mqttc_next_ms(&mc, fake_now_ms);

		dk_port_poll(&p, has, ms < 0 || ms > 1000 ? 1000 : ms);
		dk_mqttc_service(&mc, p.revents, fake_now_ms);
	}
}

static char evtext[4][256];

static const struct dk_event *event(int i, long long ns)
{
	struct dk_event *ev = &evs[i & 3];
	int n = snprintf(evtext[i & 3], sizeof evtext[0],
	                 "{\"Type\":\"container\",\"Action\":\"health_status: "
	                 "healthy\",\"Actor\":{\"ID\":\"c%d\",\"Attributes\":"
	                 "{}},\"time\":1,\"timeNano\":%lld}", i, ns);
	if (dk_event_parse(ev, evtext[i & 3], (size_t)n) != DK_OK)
		abort();
	return ev;
}

static const char connack[] = { 0x20, 0x02, 0x00, 0x00 };
static const char connack_sp[] = { 0x20, 0x02, 0x01, 0x00 };

static char acks[64][4];
static void puback(struct fake_conn *c, unsigned id)
{
	char *a = acks[id % 64];
	a[0] = 0x40;
	a[1] = 0x02;
	a[2] = (char)(id >> 8);
	a[3] = (char)(id & 0xff);
	fake_data(c, a, 4, 0);
}

static void setup(const char *user, const char *pass)
{
	fake_script_reset();
	fake_log_reset();
	fake_now_ms = 1000;
	fake_random = 0;
	T_EQ(dk_mqttc_init(&mc, "mqtt://broker", "node1", user, pass, NULL,
	                   100, 1000, 5000), DK_OK, "init");
}

/* ---- URL and topics ----------------------------------------------------- */

static void test_url(void)
{
	struct dk_endpoint ep;
	const char *why;

	T_EQ(dk_mqttc_url(&ep, "mqtt://broker", &why), DK_OK, "mqtt://host");
	T_OK(strcmp(ep.url, "mqtt://broker:1883") == 0 && !ep.tls &&
	     strcmp(ep.port, "1883") == 0, "default port 1883: %s", ep.url);
	T_EQ(dk_mqttc_url(&ep, "mqtts://broker/", &why), DK_OK, "mqtts://host/");
	T_OK(strcmp(ep.url, "mqtts://broker:8883") == 0 && ep.tls,
	     "mqtts: port 8883 and TLS: %s", ep.url);
	T_EQ(dk_mqttc_url(&ep, "mqtt://[::1]:1884", &why), DK_OK, "v6 with port");
	T_OK(strcmp(ep.host, "::1") == 0 && strcmp(ep.port, "1884") == 0,
	     "v6 host and port: %s %s", ep.host, ep.port);
	T_EQ(dk_mqttc_url(&ep, "mqtt://[::1]", &why), DK_OK, "v6 without port");
	T_OK(strcmp(ep.port, "1883") == 0, "v6 default port");
	T_EQ(dk_mqttc_url(&ep, "tcp://broker", &why), DK_ERR_URL, "tcp:// refused");
	T_OK(strstr(why, "mqtt://") != NULL, "says what to write: %s", why);
	T_EQ(dk_mqttc_url(&ep, "mqtt://", &why), DK_ERR_URL, "no host refused");
	T_EQ(dk_mqttc_url(&ep, "mqtt://u:p@broker", &why), DK_ERR_URL,
	     "user info refused");
	T_OK(strstr(why, "--mqtt-password-file") != NULL, "points at the "
	     "password file: %s", why);
	T_EQ(dk_mqttc_url(&ep, "mqtt://broker/x", &why), DK_ERR_URL, "a path refused");
}

static void test_topic(void)
{
	char t[64];
	int n;

	n = dk_mqttc_topic(t, sizeof t, DK_MQTTC_TEMPLATE, "node1", "container",
	                   9, "health_status: healthy", 22);
	T_STR(t, n > 0 ? (size_t)n : 0, "dockev/node1/container/health_status",
	      "default template, base action");
	n = dk_mqttc_topic(t, sizeof t, "fleet/{type}/{id}", "n", "a/b+#", 5,
	                   "x", 1);
	T_STR(t, n > 0 ? (size_t)n : 0, "fleet/a_b__/n", "'/', '+', '#' in a part made '_'");
	T_EQ(dk_mqttc_topic(t, sizeof t, "x/{nope}", "n", "a", 1, "b", 1),
	     DK_ERR_PARAM, "unknown {name} refused");
	T_EQ(dk_mqttc_topic(t, sizeof t, "x/+/{type}", "n", "a", 1, "b", 1),
	     DK_ERR_PARAM, "wildcard in the template refused");
	T_EQ(dk_mqttc_topic(t, 8, DK_MQTTC_TEMPLATE, "n", "a", 1, "b", 1),
	     DK_ERR_NOSPACE, "too small a buffer");
	T_EQ(dk_mqttc_template_ok("fleet/{id}/{action}"), DK_OK, "template ok");
	T_EQ(dk_mqttc_template_ok("fleet/{ID}"), DK_ERR_PARAM, "template bad");
	T_EQ(dk_mqttc_init(&mc, "mqtt://b", "a/b", NULL, NULL, NULL, 1, 2, 3),
	     DK_ERR_PARAM, "an id of two levels refused");
	T_EQ(dk_mqttc_init(&mc, "mqtt://b", "a", NULL, "pw", NULL, 1, 2, 3),
	     DK_ERR_PARAM, "a password without a user refused");
}

/* ---- connect ------------------------------------------------------------ */

static void test_connect(void)
{
	struct fake_conn *c;
	struct pk pks[8];
	int n;

	setup("me", "secret");
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	T_EQ(dk_mqttc_next_ms(&mc, fake_now_ms), 0, "a connect is due at once");
	pump(3);
	T_EQ(mc.state, DK_MQTTC_UP, "up after CONNACK");
	n = parse_sent(c, pks, 8);
	T_OK(n >= 2 && pks[0].type == DK_MQTT_CONNECT, "CONNECT first");
	/* Flags: user, password, will retain, will QoS 1, will; clean 0. */
	T_EQ((unsigned char)c->sent[9], 0xC0 | 0x20 | 0x08 | 0x04, "CONNECT flags");
	T_EQ((unsigned char)c->sent[10] << 8 | (unsigned char)c->sent[11],
	     DK_MQTT_KEEPALIVE_S, "keepalive");
	T_OK(sent_has(c, "dockev/node1/status") && sent_has(c, "offline") &&
	     sent_has(c, "secret"), "will topic, message, password");
	T_OK(n >= 2 && pks[1].type == DK_MQTT_PUBLISH && pks[1].flags == 1 &&
	     strcmp(pks[1].topic, "dockev/node1/status") == 0 &&
	     pks[1].payload_len == 6 && memcmp(pks[1].payload, "online", 6) == 0,
	     "then \"online\", retained, QoS 0");
	T_OK(strstr(fake_log, "connected to mqtt://broker:1883 as node1") != NULL,
	     "connect logged");
	dk_mqttc_close(&mc);
	n = parse_sent(c, pks, 8);
	T_OK(n == 4 && pks[2].type == DK_MQTT_PUBLISH &&
	     memcmp(pks[2].payload, "offline", 7) == 0 && pks[2].flags == 1 &&
	     pks[3].type == DK_MQTT_DISCONNECT,
	     "close: \"offline\" retained, then DISCONNECT (%d packets)", n);
	T_EQ(c->closed, 1, "closed");
}

/* ---- the window and PUBACK ---------------------------------------------- */

static void test_window(void)
{
	struct fake_conn *c;
	unsigned ids[64];
	int dups[64], n, i, ok;
	struct pk pks[64];

	setup(NULL, NULL);
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	/* Taken while not yet connected: they wait in the buffer. */
	for (i = 0; i < DK_MQTT_INFLIGHT + 4; i++)
		T_EQ(dk_mqttc_offer(&mc, event(i, 1000 + i)), DK_OK, "offer %d", i);
	T_EQ(dk_mqttc_pending(&mc), DK_MQTT_INFLIGHT + 4, "all waiting");
	pump(3);
	n = publishes(c, ids, dups, 64);
	T_EQ(n, DK_MQTT_INFLIGHT, "only the window is sent");
	for (ok = 1, i = 0; i < n; i++)
		ok &= ids[i] == (unsigned)i + 1 && !dups[i];
	T_OK(ok, "ids 1..%d in order, no DUP", n);
	n = parse_sent(c, pks, 64);
	T_OK(n > 2 && strcmp(pks[2].topic, "dockev/node1/container/health_status") == 0 &&
	     pks[2].payload_len > 100 && pks[2].payload[pks[2].payload_len - 1] == '}' &&
	     memcmp(pks[2].payload, "{\"Type\":\"container\",\"Action\":\"health_status: "
	            "healthy\",\"Actor\":{\"ID\":\"c0\"", 67) == 0,
	     "topic and the event's JSON as payload");
	puback(c, 1);
	puback(c, 2);
	pump(2);
	T_EQ(publishes(c, ids, NULL, 64), DK_MQTT_INFLIGHT + 2, "two acks, two more sent");
	T_EQ(mc.cursor_ns, 1001, "the broker's cursor: the last acknowledged event");
	T_EQ(dk_mqttc_pending(&mc), DK_MQTT_INFLIGHT + 2, "acknowledged ones freed");
	for (i = 3; i <= DK_MQTT_INFLIGHT + 2; i++)
		puback(c, (unsigned)i);
	pump(2);
	puback(c, DK_MQTT_INFLIGHT + 3);
	puback(c, DK_MQTT_INFLIGHT + 4);
	pump(2);
	T_EQ(publishes(c, ids, NULL, 64), DK_MQTT_INFLIGHT + 4, "all sent");
	T_EQ(dk_mqttc_pending(&mc), 0, "all acknowledged");
	T_EQ(mc.cursor_ns, 1000 + DK_MQTT_INFLIGHT + 3, "cursor at the last");
	T_EQ(mc.n.acked, DK_MQTT_INFLIGHT + 4, "counted");
	/* A stale acknowledgement is ignored, not an error. */
	puback(c, 5);
	pump(1);
	T_EQ(mc.state, DK_MQTTC_UP, "a PUBACK for nothing in flight: still up");
}

static void test_out_of_order(void)
{
	struct fake_conn *c;

	setup(NULL, NULL);
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	dk_mqttc_offer(&mc, event(0, 10));
	dk_mqttc_offer(&mc, event(1, 11));
	pump(2);
	puback(c, 2);
	pump(1);
	T_EQ(mc.state, DK_MQTTC_DOWN, "a PUBACK out of order ends the connection");
	T_OK(strstr(fake_log, "PUBACK 2 out of order (expected 1)") != NULL,
	     "one line says so");
	T_EQ(dk_mqttc_pending(&mc), 2, "nothing freed");
}

/* ---- reconnect and DUP -------------------------------------------------- */

static void test_resend(void)
{
	struct fake_conn *c1, *c2;
	unsigned ids[16];
	int dups[16], n, i;

	setup(NULL, NULL);
	c1 = fake_conn_add();
	fake_data(c1, connack, 4, 0);
	for (i = 0; i < 3; i++)
		dk_mqttc_offer(&mc, event(i, 100 + i));
	pump(2);
	T_EQ(publishes(c1, ids, NULL, 16), 3, "three sent");
	puback(c1, 1);
	fake_eof(c1);
	c2 = fake_conn_add();
	fake_data(c2, connack_sp, 4, 0);
	pump(1);
	T_EQ(mc.state, DK_MQTTC_DOWN, "down at the broker's close");
	T_OK(strstr(fake_log, "the broker closed the connection; 2 events "
	            "waiting; retrying in") != NULL, "one line");
	T_EQ(c1->closed, 1, "closed");
	T_OK(mc.due_ms > fake_now_ms, "a back-off before the next connect");
	dk_mqttc_offer(&mc, event(3, 103));
	pump(5);
	T_EQ(mc.state, DK_MQTTC_UP, "up again");
	n = publishes(c2, ids, dups, 16);
	T_OK(n == 3 && ids[0] == 2 && dups[0] && ids[1] == 3 && dups[1] &&
	     ids[2] == 4 && !dups[2], "2 and 3 again with DUP, then 4 without "
	     "(%d: %u%s %u%s %u%s)", n, ids[0], dups[0] ? "D" : "", ids[1],
	     dups[1] ? "D" : "", ids[2], dups[2] ? "D" : "");
	T_EQ(mc.n.resent, 2, "resends counted");
	puback(c2, 2);
	puback(c2, 3);
	puback(c2, 4);
	pump(2);
	T_EQ(dk_mqttc_pending(&mc), 0, "all acknowledged");
	T_EQ(mc.cursor_ns, 103, "cursor at the last");
}

/* ---- keepalive ---------------------------------------------------------- */

static const char pingresp[] = { (char)0xD0, 0x00 };

static void test_keepalive(void)
{
	struct fake_conn *c;
	struct pk pks[8];
	int n;
	int64_t t0;

	setup(NULL, NULL);
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	pump(2);
	t0 = fake_now_ms;
	n = dk_mqttc_next_ms(&mc, fake_now_ms);
	T_OK(n > 0 && n <= DK_MQTT_KEEPALIVE_S * 1000, "next: the keepalive (%d ms)", n);
	fake_silence(c);
	pump(DK_MQTT_KEEPALIVE_S + 1);
	n = parse_sent(c, pks, 8);
	T_OK(n == 3 && pks[2].type == DK_MQTT_PINGREQ, "PINGREQ after %d s idle",
	     DK_MQTT_KEEPALIVE_S);
	T_OK(fake_now_ms - t0 >= DK_MQTT_KEEPALIVE_S * 1000, "not before");
	pump(DK_MQTT_KEEPALIVE_S + 1);
	T_EQ(mc.state, DK_MQTTC_DOWN, "no PINGRESP: down");
	T_OK(strstr(fake_log, "no PINGRESP within") != NULL, "said");

	setup(NULL, NULL);
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	fake_again(c, DK_MQTT_KEEPALIVE_S * 1000 + 10);
	fake_data(c, pingresp, 2, 0);
	pump(DK_MQTT_KEEPALIVE_S + 5);
	T_OK(parse_sent(c, pks, 8) == 3 && pks[2].type == DK_MQTT_PINGREQ, "PINGREQ sent");
	T_EQ(mc.state, DK_MQTTC_UP, "a PINGRESP keeps it up");
	T_EQ(mc.ping_ms, -1, "no ping outstanding");
}

/* A broker that answers PINGREQs but never acknowledges a publish: taken
 * for gone after twice the keepalive, the publish sent again with DUP. */
static void test_no_puback(void)
{
	struct fake_conn *c, *c2;
	unsigned ids[4];
	int dups[4], n;

	setup(NULL, NULL);
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	fake_again(c, DK_MQTT_KEEPALIVE_S * 1000 + 10);
	fake_data(c, pingresp, 2, 0);
	fake_silence(c);
	T_EQ(dk_mqttc_offer(&mc, event(0, 77)), DK_OK, "offered");
	pump(2);
	T_EQ(publishes(c, ids, dups, 4), 1, "published once");
	c2 = fake_conn_add();
	fake_data(c2, connack, 4, 0);
	pump(2 * DK_MQTT_KEEPALIVE_S - 5);
	T_EQ(mc.state, DK_MQTTC_UP, "still up before twice the keepalive");
	T_EQ(mc.n.connects, 1, "on its first connection");
	pump(10);
	T_EQ(c->closed, 1, "no PUBACK: the connection ended");
	{
		char want[64];
		snprintf(want, sizeof want, "no PUBACK within %d s", 2 * DK_MQTT_KEEPALIVE_S);
		T_OK(strstr(fake_log, want) != NULL, "one line: %s", want);
	}
	pump(5); /* the back-off, then the CONNACK */
	T_OK(mc.state == DK_MQTTC_UP && mc.n.connects == 2, "reconnected");
	n = publishes(c2, ids, dups, 4);
	T_OK(n == 1 && dups[0] == 1 && ids[0] == 1, "sent again with DUP, same id "
	     "(%d publishes, dup %d, id %u)", n, n ? dups[0] : -1, n ? ids[0] : 0);
	T_EQ(dk_mqttc_pending(&mc), 1, "still waiting for its PUBACK");
}

/* ---- refusals, malformed, oversized ------------------------------------- */

static void test_refused(void)
{
	static const char bad_pw[] = { 0x20, 0x02, 0x00, 0x04 };
	static const char unavail[] = { 0x20, 0x02, 0x00, 0x03 };
	struct fake_conn *c;

	setup("me", "wrong");
	c = fake_conn_add();
	fake_data(c, bad_pw, 4, 0);
	pump(1);
	T_EQ(mc.state, DK_MQTTC_DOWN, "refused: down");
	T_OK(strstr(fake_log, "refused the connection: bad user name or "
	            "password (CONNACK 4)") != NULL, "one line");
	T_EQ(fake_log_lines, 1, "one line only");
	T_OK(dk_mqttc_fatal(&mc), "credentials refused at start: fatal");

	setup(NULL, NULL);
	c = fake_conn_add();
	fake_data(c, unavail, 4, 0);
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	pump(2);
	T_OK(strstr(fake_log, "server unavailable (CONNACK 3)") != NULL,
	     "server unavailable said");
	T_OK(!dk_mqttc_fatal(&mc), "not fatal");
	pump(5);
	T_EQ(mc.state, DK_MQTTC_UP, "retried after the back-off, up");
	T_EQ(fake_connects, 2, "two connects");
}

static void test_malformed(void)
{
	static const char bad[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };
	static const char big[] = { 0x30, (char)0xac, 0x02 };
	static const char reserved[] = { 0x41, 0x02, 0x00, 0x01 };
	struct fake_conn *c;

	setup(NULL, NULL);
	c = fake_conn_add();
	fake_data(c, bad, sizeof bad, 0);
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	fake_data(c, big, sizeof big, 0);
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	fake_data(c, reserved, sizeof reserved, 0);
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	dk_mqttc_offer(&mc, event(0, 5));
	pump(30);
	T_OK(strstr(fake_log, "malformed MQTT packet: CONNACK remaining length "
	            "is not 2") != NULL, "malformed CONNACK: one line");
	T_OK(strstr(fake_log, "MQTT packet larger than the receive buffer: "
	            "packet larger than DK_MQTT_RX_MAX") != NULL, "oversized: one line");
	T_OK(strstr(fake_log, "reserved flags set") != NULL, "reserved flags: one line");
	T_EQ(mc.state, DK_MQTTC_UP, "reconnected each time, up at the end");
	T_EQ(fake_connects, 4, "four connects");
	T_EQ(dk_mqttc_pending(&mc), 1, "the event still waits for its PUBACK");
}

/* ---- a full buffer ------------------------------------------------------ */

static char bigjson[8192];

static const struct dk_event *big_event(long long ns)
{
	static struct dk_event ev;
	int n = snprintf(bigjson, sizeof bigjson, "{\"Type\":\"container\","
	                 "\"Action\":\"die\",\"Actor\":{\"ID\":\"x\",\"Attributes\":"
	                 "{\"pad\":\"%04000d\"}},\"time\":1,\"timeNano\":%lld}", 0, ns);
	if (dk_event_parse(&ev, bigjson, (size_t)n) != DK_OK)
		abort();
	return &ev;
}

static void test_full(void)
{
	struct fake_conn *c;
	struct dk_resume_mark marks[DK_RESUME_RECENT];
	struct dk_event syn;
	static char synjson[] = "{\"Type\":\"dockev\",\"Action\":\"resync\","
	                        "\"time\":1,\"timeNano\":9999999}";
	int i, taken = 0, k;
	unsigned nm;

	setup(NULL, NULL);
	fake_conn_fail(fake_conn_add(), DK_ERR_CONNECT, "connect 10.0.0.1:1883: "
	               "Connection refused");
	pump(1);
	T_EQ(mc.state, DK_MQTTC_DOWN, "broker away");
	T_OK(strstr(fake_log, "Connection refused") != NULL, "said why");
	for (i = 0; i < 40; i++)
		if ((k = dk_mqttc_offer(&mc, big_event(1000 + i))) == DK_OK)
			taken++;
		else
			T_EQ(k, DK_ERR_NOSPACE, "event %d: no room now", i);
	T_OK(taken > 4 && taken < 40, "the buffer takes %d of 40", taken);
	T_EQ(mc.n.dropped, 0, "not taken is not dropped: the caller keeps it");
	T_OK(strstr(fake_log, "send buffer full") == NULL, "mqttc does not log it");
	/* A dockev event publishes, and moves no cursor. */
	if (dk_event_parse(&syn, synjson, sizeof synjson - 1) != DK_OK)
		abort();
	syn.synthetic = 1;
	T_EQ(dk_mqttc_offer(&mc, &syn), DK_OK, "a small one still fits");
	c = fake_conn_add();
	fake_data(c, connack, 4, 0);
	fake_now_ms += 2000;
	pump(2);
	T_EQ(mc.inflight, taken + 1 < DK_MQTT_INFLIGHT ? taken + 1 : DK_MQTT_INFLIGHT,
	     "the buffered ones go out, a window's worth");
	T_OK(c->nsent > (size_t)4000 * (mc.inflight - 1), "%zu bytes sent", c->nsent);
	for (i = 1; i <= taken + 1; i++)
		puback(c, (unsigned)i);
	pump(4 + taken / DK_MQTT_INFLIGHT);
	T_EQ(dk_mqttc_pending(&mc), 0, "all acknowledged");
	T_EQ(mc.cursor_ns, 1000 + taken - 1, "cursor: the last engine event, "
	     "not the dockev one after it");
	T_EQ(mc.acked.point, 1000 + taken - 1, "the acked resume point too");
	nm = dk_resume_marks(&mc.acked, marks);
	T_EQ(nm, (unsigned)taken, "a mark per acknowledged engine event");
	T_OK(nm && marks[nm - 1].tn == 1000 + taken - 1 &&
	     marks[nm - 1].id == dk_event_identity(big_event(1000 + taken - 1)),
	     "the newest mark: time and identity of the last acknowledged");
	T_EQ(dk_mqttc_offer(&mc, event(1, 6000)), DK_OK, "taken again");
}

/* ---- an event that can never be published ------------------------------ */

static void test_too_big(void)
{
	static char huge[DK_MQTT_TX_BUF + 200];
	struct dk_event ev;
	int n;

	setup(NULL, NULL);
	n = snprintf(huge, sizeof huge, "{\"Type\":\"container\",\"Action\":"
	             "\"die\",\"Actor\":{\"ID\":\"big\",\"Attributes\":{\"pad\":"
	             "\"%0*d\"}},\"time\":1,\"timeNano\":5}", DK_MQTT_TX_BUF, 0);
	T_OK(n > 0 && (size_t)n < sizeof huge, "huge event built");
	T_EQ(dk_event_parse(&ev, huge, (size_t)n), DK_OK, "parsed");
	T_EQ(dk_mqttc_offer(&mc, &ev), DK_ERR_RECORD_BIG, "larger than the buffer");
	T_EQ(mc.n.dropped, 1, "counted");
	T_OK(strstr(fake_log, "larger than the send buffer") != NULL, "logged");
}

/* ---- partial sends ------------------------------------------------------ */

static void test_partial(void)
{
	struct fake_conn *c;
	unsigned ids[16];
	struct pk pks[16];
	int i, n;

	setup(NULL, NULL);
	c = fake_conn_add();
	c->send_max = 7;
	c->send_again = 3;
	fake_data(c, connack, 1, 0);
	fake_again(c, 5);
	fake_data(c, connack + 1, 3, 0);
	for (i = 0; i < 3; i++)
		dk_mqttc_offer(&mc, event(i, 10 + i));
	pump(10);
	n = publishes(c, ids, NULL, 16);
	T_OK(n == 3 && ids[0] == 1 && ids[2] == 3, "whole publishes from 7-byte "
	     "sends and a CONNACK in two reads");
	n = parse_sent(c, pks, 16);
	T_OK(n == 5 && pks[4].type == DK_MQTT_PUBLISH && pks[4].payload_len == strlen(evtext[2]) &&
	     memcmp(pks[4].payload, evtext[2], pks[4].payload_len) == 0,
	     "bytes intact (%d packets, %zu bytes)", n, c->nsent);
}

int main(void)
{
	test_url();
	test_topic();
	test_connect();
	test_window();
	test_out_of_order();
	test_resend();
	test_keepalive();
	test_no_puback();
	test_refused();
	test_malformed();
	test_full();
	test_too_big();
	test_partial();
	return T_DONE();
}
