/* test_mqtt.c - the MQTT 3.1.1 codec: each encoder against bytes worked out
 * from the standard, every short buffer refused; the decoder fed whole,
 * byte by byte and split at every position, and every malformed or
 * oversized packet refused with a reason. */
#include "t.h"
#include "mqtt.h"
#include "err.h"

static char buf[DK_MQTT_RX_MAX + 64];

#define BYTES(s) s, sizeof s - 1

static void varint(void)
{
	static const struct { uint32_t n; const char *b; int k; } v[] = {
		{ 0, "\x00", 1 }, { 127, "\x7f", 1 }, { 128, "\x80\x01", 2 },
		{ 16383, "\xff\x7f", 2 }, { 16384, "\x80\x80\x01", 3 },
		{ 2097151, "\xff\xff\x7f", 3 }, { 2097152, "\x80\x80\x80\x01", 4 },
		{ 268435455, "\xff\xff\xff\x7f", 4 },
	};
	unsigned char out[4];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		int k = dk_mqtt_varint(v[i].n, out);
		T_OK(k == v[i].k && memcmp(out, v[i].b, (size_t)k) == 0,
		     "varint %u: %d bytes as in 2.2.3", (unsigned)v[i].n, v[i].k);
	}
	T_EQ(dk_mqtt_varint(268435456, out), 0, "varint: 2^28 is over the limit");
}

/* The encoder's output equals want, and every smaller buffer is refused. */
static void same(int n, const char *want, size_t wn, const char *what)
{
	T_OK(n == (int)wn && memcmp(buf, want, wn) == 0, "%s: bytes", what);
	if (n != (int)wn)
		printf("#   got %d bytes, want %zu\n", n, wn);
}

static void encoders(void)
{
	struct dk_mqtt_connect c;
	int n;
	size_t cap, refused = 0;

	memset(&c, 0, sizeof c);
	c.client_id = "a"; c.client_id_len = 1;
	c.keepalive_s = 60; c.clean_session = 1;
	n = dk_mqtt_connect(buf, sizeof buf, &c);
	same(n, BYTES("\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x01" "a"), "CONNECT minimal");

	c.clean_session = 0;
	c.will_topic = "dockev/a/status"; c.will_topic_len = 15;
	c.will_msg = "offline"; c.will_msg_len = 7;
	c.will_qos = 1; c.will_retain = 1;
	c.user = "u"; c.user_len = 1;
	c.password = "pw"; c.password_len = 2;
	n = dk_mqtt_connect(buf, sizeof buf, &c);
	same(n, BYTES("\x10\x2e\x00\x04MQTT\x04\xec\x00\x3c\x00\x01" "a"
	              "\x00\x0f" "dockev/a/status\x00\x07offline\x00\x01u\x00\x02pw"),
	     "CONNECT with retained QoS 1 will, user and password");
	for (cap = 0; cap < (size_t)n; cap++)
		refused += dk_mqtt_connect(buf, cap, &c) == DK_ERR_NOSPACE;
	T_EQ(refused, n, "CONNECT: every buffer shorter than the packet refused");

	c.user = NULL;
	T_EQ(dk_mqtt_connect(buf, sizeof buf, &c), DK_ERR_PARAM, "CONNECT: password without user refused");
	c.user = "u"; c.will_topic = "dockev/+/status";
	T_EQ(dk_mqtt_connect(buf, sizeof buf, &c), DK_ERR_PARAM, "CONNECT: will topic with a wildcard refused");
	c.will_topic = "s"; c.will_topic_len = 1; c.will_qos = 2;
	T_EQ(dk_mqtt_connect(buf, sizeof buf, &c), DK_ERR_PARAM, "CONNECT: will QoS 2 refused");

	n = dk_mqtt_publish(buf, sizeof buf, "a/b", 3, "hi", 2, 1, 1, 1, 10);
	same(n, BYTES("\x3b\x09\x00\x03" "a/b\x00\x0ahi"), "PUBLISH QoS 1 DUP RETAIN id 10");
	T_EQ(dk_mqtt_publish_size(3, 2, 1), 11, "PUBLISH size agrees");
	refused = 0;
	for (cap = 0; cap < 11; cap++)
		refused += dk_mqtt_publish(buf, cap, "a/b", 3, "hi", 2, 1, 1, 1, 10) == DK_ERR_NOSPACE;
	T_EQ(refused, 11, "PUBLISH: every buffer shorter than the packet refused");
	n = dk_mqtt_publish(buf, sizeof buf, "t", 1, "", 0, 0, 0, 0, 0);
	same(n, BYTES("\x30\x03\x00\x01t"), "PUBLISH QoS 0 empty payload");
	T_EQ(dk_mqtt_publish(buf, sizeof buf, "t", 1, "x", 1, 0, 0, 1, 0), DK_ERR_PARAM,
	     "PUBLISH: DUP at QoS 0 refused");
	T_EQ(dk_mqtt_publish(buf, sizeof buf, "t", 1, "x", 1, 1, 0, 0, 0), DK_ERR_PARAM,
	     "PUBLISH: QoS 1 with packet id 0 refused");
	T_EQ(dk_mqtt_publish(buf, sizeof buf, "t", 1, "x", 1, 2, 0, 0, 1), DK_ERR_PARAM,
	     "PUBLISH: QoS 2 refused (not implemented)");
	T_EQ(dk_mqtt_publish(buf, sizeof buf, "a/#", 3, "x", 1, 0, 0, 0, 0), DK_ERR_PARAM,
	     "PUBLISH: wildcard topic refused");
	T_EQ(dk_mqtt_publish(buf, sizeof buf, "", 0, "x", 1, 0, 0, 0, 0), DK_ERR_PARAM,
	     "PUBLISH: empty topic refused");
	{
		static char big[300];
		memset(big, 'x', sizeof big);
		n = dk_mqtt_publish(buf, sizeof buf, "t", 1, big, 200, 1, 0, 0, 1);
		T_OK(n == 208 && (unsigned char)buf[0] == 0x32 && (unsigned char)buf[1] == 0xcd &&
		     buf[2] == 1, "PUBLISH 205-byte body: two-byte remaining length");
	}

	n = dk_mqtt_puback(buf, sizeof buf, 7);
	same(n, BYTES("\x40\x02\x00\x07"), "PUBACK id 7");
	T_EQ(dk_mqtt_puback(buf, 3, 7), DK_ERR_NOSPACE, "PUBACK: 3 bytes of room refused");
	T_EQ(dk_mqtt_puback(buf, sizeof buf, 0), DK_ERR_PARAM, "PUBACK: id 0 refused");
	same(dk_mqtt_pingreq(buf, sizeof buf), BYTES("\xc0\x00"), "PINGREQ");
	same(dk_mqtt_disconnect(buf, sizeof buf), BYTES("\xe0\x00"), "DISCONNECT");
	T_EQ(dk_mqtt_pingreq(buf, 1), DK_ERR_NOSPACE, "PINGREQ: 1 byte of room refused");
}

/* A broker's answers as one stream: what each packet decodes to. */
static const char stream[] =
	"\x20\x02\x00\x00"                      /* CONNACK accepted */
	"\x20\x02\x01\x00"                      /* CONNACK session present */
	"\x40\x02\x00\x07"                      /* PUBACK 7 */
	"\xd0\x00"                              /* PINGRESP */
	"\x3b\x09\x00\x03" "a/b\x00\x0ahi"      /* PUBLISH QoS 1 DUP RETAIN */
	"\x30\x03\x00\x01t"                     /* PUBLISH QoS 0, no payload */
	"\x20\x02\x00\x05"                      /* CONNACK not authorised */
	"\x40\x02\xff\xff";                     /* PUBACK 65535 */
#define NPKT 8

/* Feeds in pieces of `step` (0: split once at `split`); writes a line per
 * packet into log. Returns the last result. */
static int run(const char *in, size_t n, size_t step, size_t split, char *log, size_t cap,
               int *count, const char **why)
{
	struct dk_mqtt_dec d;
	struct dk_mqtt_packet p;
	size_t i = 0, o = 0;
	int r = 0;

	dk_mqtt_dec_init(&d);
	*count = 0;
	log[0] = 0;
	while (i < n) {
		size_t k = step ? step : (i < split ? split - i : n - i), used;
		if (k > n - i)
			k = n - i;
		r = dk_mqtt_feed(&d, in + i, k, &used, &p);
		if (used > k)
			return 99;
		i += used;
		if (r < 0)
			break;
		if (r == DK_MQTT_PACKET) {
			(*count)++;
			o += (size_t)snprintf(log + o, cap - o, "%d/%d id%u sp%d c%d q%d r%d d%d %.*s=%.*s;",
			                      p.type, p.flags, p.id, p.session_present, p.code,
			                      p.qos, p.retain, p.dup, (int)p.topic_len,
			                      p.topic ? p.topic : "", (int)p.payload_len,
			                      p.payload ? p.payload : "");
		} else if (used != k) {
			return 98; /* need-more must take everything */
		}
	}
	if (why)
		*why = d.why;
	return r;
}

static const char want_log[] =
	"2/0 id0 sp0 c0 q0 r0 d0 =;2/0 id0 sp1 c0 q0 r0 d0 =;4/0 id7 sp0 c0 q0 r0 d0 =;"
	"13/0 id0 sp0 c0 q0 r0 d0 =;3/11 id10 sp0 c0 q1 r1 d1 a/b=hi;"
	"3/0 id0 sp0 c0 q0 r0 d0 t=;2/0 id0 sp0 c5 q0 r0 d0 =;4/0 id65535 sp0 c0 q0 r0 d0 =;";

static void decoder(void)
{
	static char log[2048];
	size_t n = sizeof stream - 1, s, bad = 0;
	int r, count;

	r = run(stream, n, 0, 0, log, sizeof log, &count, NULL);
	T_OK(r == DK_MQTT_PACKET && count == NPKT, "whole: %d packets", NPKT);
	T_STR(log, strlen(log), want_log, "whole: every field");
	r = run(stream, n, 1, 0, log, sizeof log, &count, NULL);
	T_OK(r == DK_MQTT_PACKET && count == NPKT && strcmp(log, want_log) == 0,
	     "byte by byte: the same packets");
	for (s = 1; s < n; s++) {
		r = run(stream, n, 0, s, log, sizeof log, &count, NULL);
		bad += !(r == DK_MQTT_PACKET && count == NPKT && strcmp(log, want_log) == 0);
	}
	T_EQ(bad, 0, "split at every one of %zu positions: the same packets", n - 1);
	r = run(stream, 3, 1, 0, log, sizeof log, &count, NULL);
	T_OK(r == 0 && count == 0, "a partial packet: need more");
}

static void malformed(void)
{
	static const struct { const char *in; size_t n; int err; const char *what; } v[] = {
		{ BYTES("\x21\x02\x00\x00"), DK_ERR_MQTT, "CONNACK with flags" },
		{ BYTES("\x20\x03\x00\x00\x00"), DK_ERR_MQTT, "CONNACK of 3 bytes" },
		{ BYTES("\x20\x02\x02\x00"), DK_ERR_MQTT, "CONNACK reserved ack flag" },
		{ BYTES("\x20\x02\x00\x06"), DK_ERR_MQTT, "CONNACK code 6" },
		{ BYTES("\x20\x02\x01\x05"), DK_ERR_MQTT, "CONNACK refusal with session present" },
		{ BYTES("\x40\x02\x00\x00"), DK_ERR_MQTT, "PUBACK id 0" },
		{ BYTES("\x40\x03\x00\x01\x00"), DK_ERR_MQTT, "PUBACK of 3 bytes" },
		{ BYTES("\x42\x02\x00\x01"), DK_ERR_MQTT, "PUBACK with flags" },
		{ BYTES("\xd0\x01\x00"), DK_ERR_MQTT, "PINGRESP with a body" },
		{ BYTES("\x10\x00"), DK_ERR_MQTT, "CONNECT from a broker" },
		{ BYTES("\x00\x00"), DK_ERR_MQTT, "type 0" },
		{ BYTES("\xf0\x00"), DK_ERR_MQTT, "type 15" },
		{ BYTES("\x36\x03\x00\x01t"), DK_ERR_MQTT, "PUBLISH QoS 3" },
		{ BYTES("\x34\x05\x00\x01t\x00\x01"), DK_ERR_MQTT, "PUBLISH QoS 2" },
		{ BYTES("\x38\x03\x00\x01t"), DK_ERR_MQTT, "PUBLISH QoS 0 DUP" },
		{ BYTES("\x30\x03\x00\x05t"), DK_ERR_MQTT, "PUBLISH topic past the end" },
		{ BYTES("\x30\x01\x00"), DK_ERR_MQTT, "PUBLISH of 1 byte" },
		{ BYTES("\x30\x02\x00\x00"), DK_ERR_MQTT, "PUBLISH empty topic" },
		{ BYTES("\x32\x03\x00\x01t"), DK_ERR_MQTT, "PUBLISH QoS 1 without id" },
		{ BYTES("\x32\x05\x00\x01t\x00\x00"), DK_ERR_MQTT, "PUBLISH QoS 1 id 0" },
		{ BYTES("\x30\x04\x00\x01+x"), DK_ERR_MQTT, "PUBLISH wildcard topic" },
		{ BYTES("\x20\xff\xff\xff\xff\x7f"), DK_ERR_MQTT, "remaining length of 5 bytes" },
		{ BYTES("\x20\x82\x00\x00\x00"), DK_ERR_MQTT, "remaining length padded" },
		{ BYTES("\x30\x81\x02"), DK_ERR_MQTT_BIG, "PUBLISH of 257 bytes" },
		{ BYTES("\x30\xff\xff\xff\x7f"), DK_ERR_MQTT_BIG, "PUBLISH of 256 MiB" },
	};
	static char log[512], in[64];
	size_t i, s;
	const char *why;
	int count, r;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t bad = 0;
		/* after a good packet, so the error is not only at offset 0 */
		memcpy(in, "\xd0\x00", 2);
		memcpy(in + 2, v[i].in, v[i].n);
		r = run(in, v[i].n + 2, 0, 0, log, sizeof log, &count, &why);
		T_OK(r == v[i].err && count == 1 && why && *why, "%s: refused (%s)", v[i].what,
		     why ? why : "no reason");
		for (s = 1; s <= v[i].n + 2; s++) {
			r = run(in, v[i].n + 2, s, 0, log, sizeof log, &count, &why);
			bad += r != v[i].err || count != 1;
		}
		T_EQ(bad, 0, "%s: refused in pieces of every size", v[i].what);
	}
}

static void sticky_and_bounds(void)
{
	struct dk_mqtt_dec d;
	struct dk_mqtt_packet p;
	size_t used, n;
	static char big[DK_MQTT_RX_MAX + 8], pay[DK_MQTT_RX_MAX];
	int r;

	dk_mqtt_dec_init(&d);
	r = dk_mqtt_feed(&d, "\x21\x02", 2, &used, &p);
	T_OK(r == DK_ERR_MQTT && used == 1, "error: stops at the bad byte");
	r = dk_mqtt_feed(&d, "\xd0\x00", 2, &used, &p);
	T_OK(r == DK_ERR_MQTT && used == 0, "error: sticky, nothing more consumed");
	dk_mqtt_dec_init(&d);
	r = dk_mqtt_feed(&d, "\xd0\x00", 2, &used, &p);
	T_OK(r == DK_MQTT_PACKET && p.type == DK_MQTT_PINGRESP, "init clears the error");

	/* the largest PUBLISH the buffer takes is accepted, one more refused */
	n = (size_t)dk_mqtt_publish(big, sizeof big, "t", 1, pay, DK_MQTT_RX_MAX - 3, 0, 0, 0, 0);
	dk_mqtt_dec_init(&d);
	r = dk_mqtt_feed(&d, big, n, &used, &p);
	T_OK(r == DK_MQTT_PACKET && used == n && p.payload_len == DK_MQTT_RX_MAX - 3,
	     "a packet of exactly DK_MQTT_RX_MAX accepted");
	n = (size_t)dk_mqtt_publish(big, sizeof big, "t", 1, pay, DK_MQTT_RX_MAX - 2, 0, 0, 0, 0);
	dk_mqtt_dec_init(&d);
	r = dk_mqtt_feed(&d, big, n, &used, &p);
	T_EQ(r, DK_ERR_MQTT_BIG, "one byte more refused as oversized");

	T_OK(strcmp(dk_mqtt_connack_str(4), "bad user name or password") == 0 &&
	     strcmp(dk_mqtt_connack_str(9), "unknown return code") == 0, "CONNACK code texts");
	T_OK(strcmp(dk_strerror(DK_ERR_MQTT_BIG), "MQTT packet larger than the receive buffer") == 0,
	     "strerror knows the MQTT errors");
}

static void topic(void)
{
	char t[64];
	int n;
	size_t cap, refused = 0;

	n = dk_mqtt_topic(t, sizeof t, "node1", 5, "container", 9, "health_status: healthy", 22);
	T_STR(t, n > 0 ? (size_t)n : 0, "dockev/node1/container/health_status", "topic: base action");
	n = dk_mqtt_topic(t, sizeof t, "node1", 5, "dockev", 6, "connect", 7);
	T_STR(t, n > 0 ? (size_t)n : 0, "dockev/node1/dockev/connect", "topic: synthetic event");
	n = dk_mqtt_topic(t, sizeof t, "n", 1, "a/b+", 4, "c#d", 3);
	T_STR(t, n > 0 ? (size_t)n : 0, "dockev/n/a_b_/c_d", "topic: '/', '+', '#' in a part become '_'");
	T_EQ(dk_mqtt_topic(t, sizeof t, "a/b", 3, "x", 1, "y", 1), DK_ERR_PARAM, "topic: client id with '/' refused");
	T_EQ(dk_mqtt_topic(t, sizeof t, "a+", 2, "x", 1, "y", 1), DK_ERR_PARAM, "topic: client id with '+' refused");
	T_EQ(dk_mqtt_topic(t, sizeof t, "", 0, "x", 1, "y", 1), DK_ERR_PARAM, "topic: empty client id refused");
	T_EQ(dk_mqtt_topic(t, sizeof t, "n", 1, "x", 1, ":y", 2), DK_ERR_PARAM, "topic: empty base action refused");
	for (cap = 0; cap < 17; cap++)
		refused += dk_mqtt_topic(t, cap, "n", 1, "a/b+", 4, "c#d", 3) == DK_ERR_NOSPACE;
	T_EQ(refused, 17, "topic: every buffer shorter than the topic refused");
}

int main(void)
{
	topic();
	varint();
	encoders();
	decoder();
	malformed();
	sticky_and_bounds();
	return T_DONE();
}
