/* mqtt.c - MQTT 3.1.1 (OASIS standard, 2014) packets: the encoders write a
 * whole packet at once; the decoder is a resumable state machine over the
 * fixed header (sections 2.2, 2.2.3 remaining length) and then the body,
 * checked per type once it is complete.
 */
#include <string.h>
#include "mqtt.h"
#include "err.h"

enum { S_HEAD, S_LEN, S_BODY };

int dk_mqtt_varint(uint32_t n, unsigned char out[4])
{
	int i = 0;

	if (n > DK_MQTT_REMAINING_MAX)
		return 0;
	do {
		unsigned char b = (unsigned char)(n % 128);
		n /= 128;
		out[i++] = (unsigned char)(n ? b | 0x80 : b);
	} while (n);
	return i;
}

/* A writer that remembers overflow instead of checking at every field. */
struct w {
	char *p;
	size_t cap, n;
};

static void put(struct w *w, const void *s, size_t n)
{
	if (w->n <= w->cap && n <= w->cap - w->n)
		memcpy(w->p + w->n, s, n);
	w->n += n;
}

static void put8(struct w *w, unsigned v)
{
	unsigned char b = (unsigned char)v;
	put(w, &b, 1);
}

static void put16(struct w *w, unsigned v)
{
	put8(w, v >> 8 & 0xff);
	put8(w, v & 0xff);
}

static void putstr(struct w *w, const char *s, size_t n)
{
	put16(w, (unsigned)n);
	put(w, s, n);
}

static void header(struct w *w, unsigned first, uint32_t rem)
{
	unsigned char v[4];
	int k = dk_mqtt_varint(rem, v);
	put8(w, first);
	put(w, v, (size_t)k);
}

static int done(const struct w *w)
{
	return w->n > w->cap ? DK_ERR_NOSPACE : (int)w->n;
}

/* Topic names for PUBLISH and the will: no wildcards, no NUL (3.3.2.1). */
static int topic_ok(const char *t, size_t n)
{
	return t && n > 0 && n <= 65535 && !memchr(t, '+', n) &&
	       !memchr(t, '#', n) && !memchr(t, '\0', n);
}

int dk_mqtt_connect(char *buf, size_t cap, const struct dk_mqtt_connect *c)
{
	struct w w = { buf, cap, 0 };
	size_t rem = 10 + 2 + c->client_id_len;
	unsigned flags = 0;

	if (c->client_id_len > 65535 || (c->client_id_len && !c->client_id) ||
	    (c->password && !c->user) || c->will_qos < 0 || c->will_qos > 1 ||
	    (c->will_topic && (!topic_ok(c->will_topic, c->will_topic_len) ||
	                       c->will_msg_len > 65535)) ||
	    (c->user && c->user_len > 65535) ||
	    (c->password && c->password_len > 65535))
		return DK_ERR_PARAM;
	if (c->clean_session)
		flags |= 0x02;
	if (c->will_topic) {
		flags |= 0x04 | (unsigned)c->will_qos << 3 | (c->will_retain ? 0x20 : 0);
		rem += 4 + c->will_topic_len + c->will_msg_len;
	}
	if (c->user) {
		flags |= 0x80;
		rem += 2 + c->user_len;
	}
	if (c->password) {
		flags |= 0x40;
		rem += 2 + c->password_len;
	}
	header(&w, DK_MQTT_CONNECT << 4, (uint32_t)rem);
	putstr(&w, "MQTT", 4);
	put8(&w, 4);                     /* protocol level 3.1.1 */
	put8(&w, flags);
	put16(&w, c->keepalive_s);
	putstr(&w, c->client_id ? c->client_id : "", c->client_id_len);
	if (c->will_topic) {
		putstr(&w, c->will_topic, c->will_topic_len);
		putstr(&w, c->will_msg ? c->will_msg : "", c->will_msg_len);
	}
	if (c->user)
		putstr(&w, c->user, c->user_len);
	if (c->password)
		putstr(&w, c->password, c->password_len);
	return done(&w);
}

size_t dk_mqtt_publish_size(size_t topic_len, size_t payload_len, int qos)
{
	unsigned char v[4];
	size_t rem;
	int k;

	if (topic_len > 65535 || payload_len > DK_MQTT_REMAINING_MAX)
		return 0;
	rem = 2 + topic_len + (qos ? 2 : 0) + payload_len;
	if (rem > DK_MQTT_REMAINING_MAX)
		return 0;
	k = dk_mqtt_varint((uint32_t)rem, v);
	return 1 + (size_t)k + rem;
}

int dk_mqtt_publish(char *buf, size_t cap, const char *topic, size_t topic_len,
                    const char *payload, size_t payload_len, int qos,
                    int retain, int dup, uint16_t id)
{
	struct w w = { buf, cap, 0 };
	size_t total = dk_mqtt_publish_size(topic_len, payload_len, qos);

	/* DUP is meaningless, and forbidden, at QoS 0 (3.3.1.1). */
	if (!topic_ok(topic, topic_len) || (qos != 0 && qos != 1) ||
	    (qos == 1 && id == 0) || (qos == 0 && dup) || total == 0 ||
	    (payload_len && !payload))
		return DK_ERR_PARAM;
	if (total > cap || total > (size_t)INT32_MAX)
		return DK_ERR_NOSPACE;
	header(&w, DK_MQTT_PUBLISH << 4 | (dup ? 0x08u : 0) | (unsigned)qos << 1 |
	           (retain ? 1u : 0), (uint32_t)(2 + topic_len + (qos ? 2 : 0) + payload_len));
	putstr(&w, topic, topic_len);
	if (qos)
		put16(&w, id);
	put(&w, payload, payload_len);
	return done(&w);
}

int dk_mqtt_puback(char *buf, size_t cap, uint16_t id)
{
	struct w w = { buf, cap, 0 };

	if (id == 0)
		return DK_ERR_PARAM;
	header(&w, DK_MQTT_PUBACK << 4, 2);
	put16(&w, id);
	return done(&w);
}

int dk_mqtt_pingreq(char *buf, size_t cap)
{
	struct w w = { buf, cap, 0 };
	header(&w, DK_MQTT_PINGREQ << 4, 0);
	return done(&w);
}

int dk_mqtt_disconnect(char *buf, size_t cap)
{
	struct w w = { buf, cap, 0 };
	header(&w, DK_MQTT_DISCONNECT << 4, 0);
	return done(&w);
}

/* A level copied so that it stays one level and matches no filter. */
static void level(struct w *w, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		put8(w, (unsigned char)(c == '/' || c == '+' || c == '#' || c == '\0' ? '_' : c));
	}
}

int dk_mqtt_topic(char *buf, size_t cap, const char *client, size_t client_len,
                  const char *type, size_t type_len, const char *action, size_t action_len)
{
	struct w w = { buf, cap, 0 };
	const char *colon = action ? memchr(action, ':', action_len) : NULL;

	if (colon)
		action_len = (size_t)(colon - action);
	if (!client_len || !type_len || !action_len || !client || !type || !action ||
	    memchr(client, '/', client_len) || memchr(client, '+', client_len) ||
	    memchr(client, '#', client_len) || memchr(client, '\0', client_len))
		return DK_ERR_PARAM;
	put(&w, "dockev/", 7);
	put(&w, client, client_len);
	put8(&w, '/');
	level(&w, type, type_len);
	put8(&w, '/');
	level(&w, action, action_len);
	return w.n > 65535 ? DK_ERR_PARAM : done(&w);
}

void dk_mqtt_dec_init(struct dk_mqtt_dec *d)
{
	d->state = S_HEAD;
	d->head = 0;
	d->rem = 0;
	d->vbytes = 0;
	d->got = 0;
	d->err = 0;
	d->why = NULL;
}

static int fail(struct dk_mqtt_dec *d, int err, const char *why)
{
	d->err = err;
	d->why = why;
	return err;
}

static unsigned get16(const char *p)
{
	return (unsigned)(unsigned char)p[0] << 8 | (unsigned char)p[1];
}

/* The fixed header's flags are fixed for every type but PUBLISH (2.2.2);
 * a client receives only these four types. */
static int head_ok(struct dk_mqtt_dec *d)
{
	unsigned t = d->head >> 4, f = d->head & 15u;

	switch (t) {
	case DK_MQTT_CONNACK: case DK_MQTT_PUBACK: case DK_MQTT_PINGRESP:
		if (f)
			return fail(d, DK_ERR_MQTT, "reserved flags set in the fixed header");
		return 0;
	case DK_MQTT_PUBLISH:
		if ((f >> 1 & 3u) == 3)
			return fail(d, DK_ERR_MQTT, "PUBLISH with QoS 3");
		/* dockev subscribes to nothing, least of all at QoS 2, and
		 * would owe PUBREC for it. */
		if ((f >> 1 & 3u) == 2)
			return fail(d, DK_ERR_MQTT, "PUBLISH with QoS 2, which dockev never asks for");
		return 0;
	default:
		return fail(d, DK_ERR_MQTT, "a packet type a broker does not send a client");
	}
}

/* The body is complete: check it against its type. */
static int body(struct dk_mqtt_dec *d, struct dk_mqtt_packet *p)
{
	const char *b = d->body;
	uint32_t n = d->rem;

	memset(p, 0, sizeof *p);
	p->type = d->head >> 4;
	p->flags = d->head & 15;
	switch (p->type) {
	case DK_MQTT_CONNACK:
		if (n != 2)
			return fail(d, DK_ERR_MQTT, "CONNACK remaining length is not 2");
		if ((unsigned char)b[0] & 0xfe)
			return fail(d, DK_ERR_MQTT, "CONNACK reserved acknowledge flags set");
		if ((unsigned char)b[1] > 5)
			return fail(d, DK_ERR_MQTT, "CONNACK return code above 5");
		if ((b[0] & 1) && b[1])
			return fail(d, DK_ERR_MQTT, "CONNACK refusal with session present");
		p->session_present = b[0] & 1;
		p->code = (unsigned char)b[1];
		return DK_MQTT_PACKET;
	case DK_MQTT_PUBACK:
		if (n != 2)
			return fail(d, DK_ERR_MQTT, "PUBACK remaining length is not 2");
		p->id = (uint16_t)get16(b);
		if (!p->id)
			return fail(d, DK_ERR_MQTT, "PUBACK packet identifier 0");
		return DK_MQTT_PACKET;
	case DK_MQTT_PINGRESP:
		if (n != 0)
			return fail(d, DK_ERR_MQTT, "PINGRESP remaining length is not 0");
		return DK_MQTT_PACKET;
	default: { /* PUBLISH: head_ok let nothing else through */
		size_t off;
		p->qos = p->flags >> 1 & 3;
		p->retain = p->flags & 1;
		p->dup = p->flags >> 3 & 1;
		if (p->qos == 0 && p->dup)
			return fail(d, DK_ERR_MQTT, "PUBLISH QoS 0 with DUP");
		if (n < 2 || get16(b) > n - 2)
			return fail(d, DK_ERR_MQTT, "PUBLISH topic longer than the packet");
		p->topic = b + 2;
		p->topic_len = get16(b);
		off = 2 + p->topic_len;
		if (!p->topic_len || memchr(p->topic, '\0', p->topic_len) ||
		    memchr(p->topic, '+', p->topic_len) || memchr(p->topic, '#', p->topic_len))
			return fail(d, DK_ERR_MQTT, "PUBLISH topic empty or with a wildcard or NUL");
		if (p->qos) {
			if (n - off < 2)
				return fail(d, DK_ERR_MQTT, "PUBLISH packet identifier missing");
			p->id = (uint16_t)get16(b + off);
			if (!p->id)
				return fail(d, DK_ERR_MQTT, "PUBLISH packet identifier 0");
			off += 2;
		}
		p->payload = b + off;
		p->payload_len = n - off;
		return DK_MQTT_PACKET;
	}
	}
}

int dk_mqtt_feed(struct dk_mqtt_dec *d, const char *buf, size_t len,
                 size_t *used, struct dk_mqtt_packet *p)
{
	size_t i = 0;
	int r;

	*used = 0;
	if (d->err)
		return d->err;
	while (i < len || (d->state == S_BODY && d->got == d->rem)) {
		switch (d->state) {
		case S_HEAD:
			d->head = (unsigned char)buf[i++];
			if ((r = head_ok(d)) < 0) {
				*used = i;
				return r;
			}
			d->rem = 0;
			d->vbytes = 0;
			d->got = 0;
			d->state = S_LEN;
			break;
		case S_LEN: {
			unsigned char b = (unsigned char)buf[i++];
			d->rem |= (uint32_t)(b & 0x7f) << (7 * d->vbytes);
			d->vbytes++;
			if (b & 0x80) {
				if (d->vbytes == 4) {
					*used = i;
					return fail(d, DK_ERR_MQTT, "remaining length longer than 4 bytes");
				}
				break;
			}
			/* A zero last byte after continuation bytes is a padded
			 * (non-minimal) encoding; 3.1.1 wants the minimum. */
			if (d->vbytes > 1 && b == 0) {
				*used = i;
				return fail(d, DK_ERR_MQTT, "remaining length not minimally encoded");
			}
			if (d->rem > DK_MQTT_RX_MAX) {
				*used = i;
				return fail(d, DK_ERR_MQTT_BIG, "packet larger than DK_MQTT_RX_MAX");
			}
			d->state = S_BODY;
			break;
		}
		default: { /* S_BODY */
			size_t k = d->rem - d->got;
			if (k > len - i)
				k = len - i;
			memcpy(d->body + d->got, buf + i, k);
			d->got += (uint32_t)k;
			i += k;
			if (d->got < d->rem)
				break;
			*used = i;
			d->state = S_HEAD;
			return body(d, p);
		}
		}
	}
	*used = i;
	return 0;
}

const char *dk_mqtt_connack_str(int code)
{
	switch (code) {
	case 0: return "accepted";
	case 1: return "unacceptable protocol version";
	case 2: return "client identifier rejected";
	case 3: return "server unavailable";
	case 4: return "bad user name or password";
	case 5: return "not authorised";
	default: return "unknown return code";
	}
}
