/* mqttc.c - the MQTT 3.1.1 publisher: CONNECT (persistent session, a
 * retained will "offline" on dockev/<id>/status, then "online"), QoS 1
 * PUBLISH from a fixed send buffer with a bounded in-flight window, PUBACK
 * freeing in order (3.1.1 section 4.6: a broker acknowledges QoS 1 in the
 * order it received), resend with DUP after a reconnect (4.4), PINGREQ at
 * keepalive (3.1.2.10). All I/O is non-blocking but the connect itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "mqttc.h"
#include "err.h"
#include "when.h"

/* A record in the send buffer: this header, then the PUBLISH packet. */
struct rec {
	int64_t ns;       /* the event's timeNano */
	uint64_t ident;   /* dk_event_identity: the broker's cursor marks */
	uint32_t len;     /* the packet's bytes */
	uint16_t id;      /* its packet identifier */
	uint16_t synth;   /* a dockev event: it moves no cursor */
};
#define REC_HDR sizeof(struct rec)
_Static_assert(sizeof(struct rec) == 24, "record header of 24 bytes");

static struct rec rec_at(const struct dk_mqttc *c, size_t off)
{
	struct rec r;
	memcpy(&r, c->buf + off, sizeof r);
	return r;
}

/* ---- URL and topics ----------------------------------------------------- */

int dk_mqttc_url(struct dk_endpoint *ep, const char *url, const char **why)
{
	char tmp[DK_HOST_MAX + 32];
	const char *rest, *dport, *w = "", *colon;
	size_t len;
	int tls, has_port, r;

	if (!why)
		why = &w;
	*why = "";
	memset(ep, 0, sizeof *ep);
	if (url && strncmp(url, "mqtt://", 7) == 0) {
		rest = url + 7, tls = 0, dport = "1883";
	} else if (url && strncmp(url, "mqtts://", 8) == 0) {
		rest = url + 8, tls = 1, dport = "8883";
	} else {
		*why = "want mqtt://host[:port] or mqtts://host[:port]";
		return DK_ERR_URL;
	}
	len = strlen(rest);
	if (len && rest[len - 1] == '/')
		len--;
	if (!len) {
		*why = "no host";
		return DK_ERR_URL;
	}
	if (memchr(rest, '@', len)) {
		*why = "user info in the URL: give --mqtt-user and "
		       "--mqtt-password-file (or DOCKEV_MQTT_PASSWORD)";
		return DK_ERR_URL;
	}
	if (len > DK_HOST_MAX + 8) {
		*why = "host too long";
		return DK_ERR_URL;
	}
	if (rest[0] == '[') {
		const char *close = memchr(rest, ']', len);
		has_port = close && close + 1 < rest + len && close[1] == ':';
	} else {
		colon = memchr(rest, ':', len);
		has_port = colon != NULL;
	}
	snprintf(tmp, sizeof tmp, "tcp://%.*s%s%s", (int)len, rest,
	         has_port ? "" : ":", has_port ? "" : dport);
	r = dk_endpoint_parse_why(ep, tmp, tls, why);
	if (r != DK_OK)
		return DK_ERR_URL;
	snprintf(ep->url, sizeof ep->url, "%s://%s", tls ? "mqtts" : "mqtt",
	         ep->host_header);
	return DK_OK;
}

/* One topic level from event text: never a wildcard, never two levels. */
static size_t level(char *out, size_t cap, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; s && i < len; i++, n++) {
		char ch = s[i];
		if (ch == '/' || ch == '+' || ch == '#' || ch == '\0')
			ch = '_';
		if (n < cap)
			out[n] = ch;
	}
	return n;
}

int dk_mqttc_topic(char *buf, size_t cap, const char *tmpl, const char *id,
                   const char *type, size_t type_len, const char *action,
                   size_t action_len)
{
	const char *p = tmpl, *colon;
	size_t n = 0;

	if (!type)
		type_len = 0;
	if (!action)
		action_len = 0;
	if (action && (colon = memchr(action, ':', action_len)))
		action_len = (size_t)(colon - action);
	while (*p) {
		if (*p == '+' || *p == '#')
			return DK_ERR_PARAM;
		if (*p != '{') {
			if (n < cap)
				buf[n] = *p;
			n++, p++;
		} else if (strncmp(p, "{id}", 4) == 0) {
			n = level(buf, cap, n, id, strlen(id));
			p += 4;
		} else if (strncmp(p, "{type}", 6) == 0) {
			if (!type_len)
				return DK_ERR_PARAM;
			n = level(buf, cap, n, type, type_len);
			p += 6;
		} else if (strncmp(p, "{action}", 8) == 0) {
			if (!action_len)
				return DK_ERR_PARAM;
			n = level(buf, cap, n, action, action_len);
			p += 8;
		} else {
			return DK_ERR_PARAM;
		}
	}
	if (n == 0 || n > 65535)
		return DK_ERR_PARAM;
	return n > cap ? DK_ERR_NOSPACE : (int)n;
}

int dk_mqttc_template_ok(const char *tmpl)
{
	char t[DK_MQTT_TOPIC_MAX + 64];

	if (!tmpl || strlen(tmpl) > DK_MQTT_TOPIC_MAX)
		return DK_ERR_PARAM;
	return dk_mqttc_topic(t, sizeof t, tmpl, "id", "container", 9,
	                      "start", 5) > 0 ? DK_OK : DK_ERR_PARAM;
}

/* ---- set-up ------------------------------------------------------------- */

static int copy(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap)
		return DK_ERR_PARAM;
	memcpy(dst, s, n + 1);
	return DK_OK;
}

int dk_mqttc_init(struct dk_mqttc *c, const char *url, const char *id,
                  const char *user, const char *pass, const char *tmpl,
                  int64_t backoff_min_ms, int64_t backoff_max_ms,
                  int64_t backoff_reset_ms)
{
	memset(c, 0, sizeof *c);
	c->t.fd = -1;
	if (dk_mqttc_url(&c->ep, url, NULL) != DK_OK)
		return DK_ERR_PARAM;
	if (!tmpl)
		tmpl = DK_MQTTC_TEMPLATE;
	/* The id is one topic level of the status topic and of {id}. */
	if (!id || !*id || strpbrk(id, "/+#") ||
	    copy(c->id, sizeof c->id, id) != DK_OK ||
	    copy(c->tmpl, sizeof c->tmpl, tmpl) != DK_OK ||
	    dk_mqttc_template_ok(tmpl) != DK_OK ||
	    (user && copy(c->user, sizeof c->user, user) != DK_OK) ||
	    (pass && copy(c->pass, sizeof c->pass, pass) != DK_OK) ||
	    (pass && !user))
		return DK_ERR_PARAM;
	c->has_user = user != NULL;
	c->has_pass = pass != NULL;
	snprintf(c->status_topic, sizeof c->status_topic, "dockev/%s/status", id);
	c->keepalive_s = DK_MQTT_KEEPALIVE_S;
	dk_backoff_init(&c->bo, backoff_min_ms, backoff_max_ms, backoff_reset_ms);
	dk_mqtt_dec_init(&c->dec);
	c->next_id = 1;
	c->ping_ms = -1;
	c->state = DK_MQTTC_DOWN;
	c->due_ms = 0;
	return DK_OK;
}

/* ---- the connection ----------------------------------------------------- */

/* Queue a control packet (built by enc into the free end of ctl). */
static void ctl_room(struct dk_mqttc *c, char **p, size_t *room)
{
	if (c->ctl_off && c->ctl_off == c->ctl_len)
		c->ctl_off = c->ctl_len = 0;
	*p = c->ctl + c->ctl_len;
	*room = sizeof c->ctl - c->ctl_len;
}

static void ctl_add(struct dk_mqttc *c, int n)
{
	if (n > 0)
		c->ctl_len += (size_t)n;
}

static int output_waiting(const struct dk_mqttc *c)
{
	return c->ctl_off < c->ctl_len ||
	       (c->state == DK_MQTTC_UP && c->snd < c->tail &&
	        (c->snd_part || c->inflight < DK_MQTT_INFLIGHT));
}

/* End the connection: what was sent and not acknowledged goes again, with
 * DUP, after the back-off (returned, ms). */
static int64_t drop(struct dk_mqttc *c, int64_t now)
{
	int64_t delay;
	size_t off;

	if (c->t.fd >= 0)
		c->t.close(&c->t);
	c->t.fd = -1;
	/* DUP (3.3.1.1) on each publish the broker may have seen. */
	for (off = c->head; off < c->snd; off += REC_HDR + rec_at(c, off).len) {
		c->buf[off + REC_HDR] |= 0x08;
		c->n.resent++;
	}
	if (c->snd_part) {
		c->buf[c->snd + REC_HDR] |= 0x08;
		c->n.resent++;
	}
	c->snd = c->head;
	c->snd_part = 0;
	c->inflight = 0;
	c->ctl_len = c->ctl_off = 0;
	c->ping_ms = -1;
	dk_mqtt_dec_init(&c->dec);
	if (c->state == DK_MQTTC_UP)
		dk_backoff_up(&c->bo, now - c->up_ms);
	c->state = DK_MQTTC_DOWN;
	delay = dk_backoff_next(&c->bo, dk_port_random());
	c->due_ms = now + delay;
	return delay;
}

/* drop, and say why in one line. */
static void down(struct dk_mqttc *c, int64_t now, enum dk_log_level lvl,
                 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void down(struct dk_mqttc *c, int64_t now, enum dk_log_level lvl,
                 const char *fmt, ...)
{
	va_list ap;
	int64_t delay;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
	delay = drop(c, now);
	dk_port_log(lvl, "mqtt: %s: %s; %u events waiting; retrying in "
	            "%lld.%03llds", c->ep.url, c->why, c->queued,
	            (long long)(delay / 1000), (long long)(delay % 1000));
}

static void connect_now(struct dk_mqttc *c, int64_t now)
{
	struct dk_mqtt_connect m;
	char why[DK_WHY_MAX / 2];
	char *p;
	size_t room;
	int r;

	c->busy = 1;
	r = dk_port_connect(&c->t, &c->ep, DK_CONNECT_TIMEOUT_MS, why, sizeof why);
	c->busy = 0;
	now = dk_port_now_ms();
	if (r != DK_OK) {
		c->t.fd = -1;
		down(c, now, DK_LOG_WARN, "%s", why[0] ? why : dk_strerror(r));
		return;
	}
	memset(&m, 0, sizeof m);
	m.client_id = c->id;
	m.client_id_len = strlen(c->id);
	m.keepalive_s = c->keepalive_s;
	m.clean_session = 0; /* the broker keeps our unacknowledged ones */
	m.will_topic = c->status_topic;
	m.will_topic_len = strlen(c->status_topic);
	m.will_msg = "offline";
	m.will_msg_len = 7;
	m.will_qos = 1;
	m.will_retain = 1;
	if (c->has_user) {
		m.user = c->user;
		m.user_len = strlen(c->user);
	}
	if (c->has_pass) {
		m.password = c->pass;
		m.password_len = strlen(c->pass);
	}
	c->ctl_len = c->ctl_off = 0;
	ctl_room(c, &p, &room);
	/* Sized for the longest of each field (config.h): cannot fail. */
	ctl_add(c, dk_mqtt_connect(p, room, &m));
	dk_mqtt_dec_init(&c->dec);
	c->state = DK_MQTTC_CONNACK;
	c->connack_ms = now;
	c->last_tx_ms = now;
	c->ping_ms = -1;
}

/* The status, retained, at QoS 0: it is not an event and does not take a
 * place in the ordered window. */
static void status(struct dk_mqttc *c, const char *what)
{
	char *p;
	size_t room;

	ctl_room(c, &p, &room);
	ctl_add(c, dk_mqtt_publish(p, room, c->status_topic,
	                           strlen(c->status_topic), what, strlen(what),
	                           0, 1, 0, 0));
}

static int puback(struct dk_mqttc *c, uint16_t id, int64_t now)
{
	struct rec r;
	size_t off;

	if (c->head == c->snd) {
		/* Nothing in flight: an acknowledgement of a publish freed
		 * already (a broker acknowledging a DUP twice). */
		dk_port_log(DK_LOG_DEBUG, "mqtt: PUBACK %u for nothing in "
		            "flight, ignored", id);
		return DK_OK;
	}
	r = rec_at(c, c->head);
	if (r.id != id) {
		for (off = c->head; off < c->snd; off += REC_HDR + rec_at(c, off).len)
			if (rec_at(c, off).id == id) {
				down(c, now, DK_LOG_WARN, "PUBACK %u out of order "
				     "(expected %u): the broker breaks MQTT "
				     "3.1.1 section 4.6", id, r.id);
				return DK_ERR_MQTT;
			}
		dk_port_log(DK_LOG_DEBUG, "mqtt: PUBACK %u for no publish in "
		            "flight, ignored", id);
		return DK_OK;
	}
	c->head += REC_HDR + r.len;
	c->inflight--;
	c->queued--;
	c->n.acked++;
	/* The broker's cursor moves with engine events only, in the order
	 * the broker acknowledges them, which is the order they were taken. */
	if (!r.synth && r.ns > 0) {
		c->cursor_ns = r.ns;
		dk_resume_event(&c->acked, r.ns, r.ident);
	}
	c->oldest_ms = now;
	if (c->head == c->tail)
		c->head = c->snd = c->tail = 0;
	return DK_OK;
}

/* One packet from the broker. Returns DK_OK, or a negative dk_err when it
 * ended the connection (logged). */
static int packet(struct dk_mqttc *c, const struct dk_mqtt_packet *p,
                  int64_t now)
{
	char *b;
	size_t room;

	switch (p->type) {
	case DK_MQTT_CONNACK:
		if (c->state != DK_MQTTC_CONNACK) {
			down(c, now, DK_LOG_WARN, "a CONNACK on a connection "
			     "already accepted");
			return DK_ERR_MQTT;
		}
		if (p->code) {
			c->refused = p->code;
			if (dk_mqttc_fatal(c)) {
				/* Retrying cannot fix the credentials. */
				drop(c, now);
				dk_port_log(DK_LOG_ERR, "mqtt: %s refused the "
				            "connection: %s (CONNACK %d): check "
				            "--mqtt-user and the password", c->ep.url,
				            dk_mqtt_connack_str(p->code), p->code);
				return DK_ERR_PARAM;
			}
			down(c, now, DK_LOG_ERR, "the broker refused the "
			     "connection: %s (CONNACK %d)",
			     dk_mqtt_connack_str(p->code), p->code);
			return DK_ERR_MQTT;
		}
		c->refused = 0;
		c->ever_up = 1;
		c->state = DK_MQTTC_UP;
		c->up_ms = now;
		c->oldest_ms = now;
		c->n.connects++;
		dk_port_log(DK_LOG_INFO, "mqtt: connected to %s as %s (session "
		            "%s; %u events to publish)", c->ep.url, c->id,
		            p->session_present ? "resumed" : "new", c->queued);
		status(c, "online");
		return DK_OK;
	case DK_MQTT_PUBACK:
		if (c->state != DK_MQTTC_UP) {
			down(c, now, DK_LOG_WARN, "a PUBACK before the CONNACK");
			return DK_ERR_MQTT;
		}
		return puback(c, p->id, now);
	case DK_MQTT_PINGRESP:
		c->ping_ms = -1;
		return DK_OK;
	default: /* PUBLISH: dockev subscribes to nothing; acknowledge it */
		if (p->qos == 1) {
			ctl_room(c, &b, &room);
			ctl_add(c, dk_mqtt_puback(b, room, p->id));
		}
		return DK_OK;
	}
}

/* Read until the transport would block: that also takes what TLS holds
 * decrypted, so the loop never polls past it. Returns DK_OK, or a negative
 * dk_err when the connection ended (logged). */
static int input(struct dk_mqttc *c, int64_t now)
{
	char in[512];

	for (;;) {
		long k = c->t.recv(&c->t, in, sizeof in);
		size_t off = 0;

		if (k == DK_AGAIN)
			return DK_OK;
		if (k == 0) {
			down(c, now, DK_LOG_WARN, "the broker closed the connection");
			return DK_ERR_CLOSED;
		}
		if (k < 0) {
			down(c, now, DK_LOG_WARN, "read: %s", dk_port_errstr());
			return DK_ERR_IO;
		}
		while (off < (size_t)k) {
			struct dk_mqtt_packet p;
			size_t used;
			int r = dk_mqtt_feed(&c->dec, in + off, (size_t)k - off,
			                     &used, &p);
			off += used;
			if (r < 0) {
				down(c, now, DK_LOG_WARN, "%s: %s", dk_strerror(r),
				     c->dec.why ? c->dec.why : "");
				return r;
			}
			if (r == DK_MQTT_PACKET && (r = packet(c, &p, now)) < 0)
				return r;
		}
	}
}

/* Send what the transport takes. Returns DK_OK, or DK_ERR_IO when the
 * connection ended (logged). */
static int output(struct dk_mqttc *c, int64_t now)
{
	for (;;) {
		const char *p;
		size_t n;
		long k;
		int is_ctl = 0;
		struct rec r = { 0, 0, 0, 0, 0 };

		if (!c->snd_part && c->ctl_off < c->ctl_len) {
			p = c->ctl + c->ctl_off;
			n = c->ctl_len - c->ctl_off;
			is_ctl = 1;
		} else if (output_waiting(c) && c->snd < c->tail) {
			r = rec_at(c, c->snd);
			p = c->buf + c->snd + REC_HDR + c->snd_part;
			n = r.len - c->snd_part;
		} else {
			return DK_OK;
		}
		k = c->t.send(&c->t, p, n);
		if (k == DK_AGAIN)
			return DK_OK;
		if (k <= 0) {
			down(c, now, DK_LOG_WARN, "send: %s", dk_port_errstr());
			return DK_ERR_IO;
		}
		c->last_tx_ms = now;
		if (is_ctl) {
			c->ctl_off += (size_t)k;
			if (c->ctl_off == c->ctl_len)
				c->ctl_off = c->ctl_len = 0;
			continue;
		}
		c->snd_part += (size_t)k;
		if (c->snd_part == r.len) {
			if (!c->inflight)
				c->oldest_ms = now;
			c->snd += REC_HDR + r.len;
			c->snd_part = 0;
			c->inflight++;
		}
	}
}

/* Keepalive and the broker's deadlines. Returns DK_OK, or DK_ERR_TIMEOUT
 * when one passed (logged, the connection ended). */
static int timers(struct dk_mqttc *c, int64_t now)
{
	int64_t ka = (int64_t)c->keepalive_s * 1000;

	if (c->state == DK_MQTTC_CONNACK && now - c->connack_ms >= ka) {
		down(c, now, DK_LOG_WARN, "no CONNACK within %u s", c->keepalive_s);
		return DK_ERR_TIMEOUT;
	}
	if (c->state != DK_MQTTC_UP)
		return DK_OK;
	if (c->ping_ms >= 0 && now - c->ping_ms >= ka) {
		down(c, now, DK_LOG_WARN, "no PINGRESP within %u s", c->keepalive_s);
		return DK_ERR_TIMEOUT;
	}
	if (c->inflight && now - c->oldest_ms >= 2 * ka) {
		down(c, now, DK_LOG_WARN, "no PUBACK within %u s", 2 * c->keepalive_s);
		return DK_ERR_TIMEOUT;
	}
	if (c->ping_ms < 0 && now - c->last_tx_ms >= ka) {
		char *p;
		size_t room;
		ctl_room(c, &p, &room);
		ctl_add(c, dk_mqtt_pingreq(p, room));
		c->ping_ms = now;
	}
	return DK_OK;
}

void dk_mqttc_service(struct dk_mqttc *c, int revents, int64_t now)
{
	(void)revents; /* the socket is tried whatever poll said */
	if (c->state == DK_MQTTC_OFF || c->busy)
		return;
	if (c->state == DK_MQTTC_DOWN) {
		if (now < c->due_ms)
			return;
		connect_now(c, now);
		if (c->state == DK_MQTTC_DOWN)
			return;
		now = dk_port_now_ms();
	}
	if (input(c, now) < 0 || timers(c, now) < 0)
		return;
	output(c, now);
}

int dk_mqttc_pollfd(const struct dk_mqttc *c, struct dk_pollfd *p)
{
	if (c->busy || c->t.fd < 0 || (c->state != DK_MQTTC_UP &&
	                               c->state != DK_MQTTC_CONNACK))
		return 0;
	p->fd = c->t.fd;
	p->events = DK_POLL_IN | (output_waiting(c) ? DK_POLL_OUT : 0);
	p->revents = 0;
	return 1;
}

static int64_t earliest(int64_t a, int64_t b)
{
	return a < 0 || (b >= 0 && b < a) ? b : a;
}

int dk_mqttc_next_ms(const struct dk_mqttc *c, int64_t now)
{
	int64_t ka = (int64_t)c->keepalive_s * 1000, at = -1, l;

	switch (c->state) {
	case DK_MQTTC_DOWN:
		at = c->busy ? -1 : c->due_ms;
		break;
	case DK_MQTTC_CONNACK:
		at = c->connack_ms + ka;
		break;
	case DK_MQTTC_UP:
		at = c->ping_ms >= 0 ? c->ping_ms + ka : c->last_tx_ms + ka;
		if (c->inflight)
			at = earliest(at, c->oldest_ms + 2 * ka);
		break;
	default:
		return -1;
	}
	if (at < 0)
		return -1;
	l = at - now;
	return l <= 0 ? 0 : l > 86400000 ? 86400000 : (int)l;
}

/* ---- publishing --------------------------------------------------------- */

int dk_mqttc_offer(struct dk_mqttc *c, const struct dk_event *ev)
{
	char topic[DK_MQTT_TOPIC_MAX + 2 * DK_FIELD_MAX];
	struct rec r;
	size_t need;
	int tl, n;

	if (c->state == DK_MQTTC_OFF)
		return DK_OK;
	tl = dk_mqttc_topic(topic, sizeof topic, c->tmpl, c->id, ev->type.p,
	                    ev->type.n, ev->base.p, ev->base.n);
	need = tl > 0 ? dk_mqtt_publish_size((size_t)tl, ev->json.n, 1) : 0;
	if (need == 0 || REC_HDR + need > sizeof c->buf) {
		char id[96];
		dk_event_identify(ev->json.p, ev->json.n, id, sizeof id);
		dk_port_log(DK_LOG_WARN, "mqtt: not published (%s, %zu bytes): %s",
		            tl < 0 ? "no topic for it" : "larger than the send "
		            "buffer, DK_MQTT_TX_BUF", ev->json.n, id);
		c->n.offered++;
		c->n.dropped++;
		return DK_ERR_RECORD_BIG;
	}
	if (c->tail + REC_HDR + need > sizeof c->buf && c->head) {
		/* One memmove, only when the free end is too short. */
		memmove(c->buf, c->buf + c->head, c->tail - c->head);
		c->snd -= c->head;
		c->tail -= c->head;
		c->head = 0;
	}
	/* No room now: the caller keeps it or catches up later. */
	if (c->tail + REC_HDR + need > sizeof c->buf)
		return DK_ERR_NOSPACE;
	c->n.offered++;
	r.ns = ev->time_nano;
	r.ident = ev->synthetic ? 0 : dk_event_identity(ev);
	r.synth = ev->synthetic ? 1 : 0;
	r.id = c->next_id;
	n = dk_mqtt_publish(c->buf + c->tail + REC_HDR,
	                    sizeof c->buf - c->tail - REC_HDR, topic, (size_t)tl,
	                    ev->json.p, ev->json.n, 1, 0, 0, r.id);
	if (n < 0) {
		c->n.dropped++;
		return DK_ERR_RECORD_BIG;
	}
	r.len = (uint32_t)n;
	memcpy(c->buf + c->tail, &r, sizeof r);
	c->tail += REC_HDR + (size_t)n;
	c->queued++;
	if (!r.synth)
		c->taken_ns = ev->time_nano;
	c->next_id = (uint16_t)(c->next_id == 65535 ? 1 : c->next_id + 1);
	return DK_OK;
}

int dk_mqttc_fatal(const struct dk_mqttc *c)
{
	return !c->ever_up && (c->refused == 4 || c->refused == 5);
}

int dk_mqttc_up(const struct dk_mqttc *c)
{
	return c->state == DK_MQTTC_UP;
}

unsigned dk_mqttc_pending(const struct dk_mqttc *c)
{
	return c->queued;
}

void dk_mqttc_close(struct dk_mqttc *c)
{
	char when[32];

	if (c->state == DK_MQTTC_OFF)
		return;
	if (c->state == DK_MQTTC_UP && !c->snd_part) {
		char *p;
		size_t room;
		/* A clean DISCONNECT discards the will: say it ourselves. */
		status(c, "offline");
		ctl_room(c, &p, &room);
		ctl_add(c, dk_mqtt_disconnect(p, room));
		while (c->ctl_off < c->ctl_len) {
			long k = c->t.send(&c->t, c->ctl + c->ctl_off,
			                   c->ctl_len - c->ctl_off);
			if (k <= 0)
				break;
			c->ctl_off += (size_t)k;
		}
	}
	if (c->t.fd >= 0)
		c->t.close(&c->t);
	c->t.fd = -1;
	c->state = DK_MQTTC_DOWN;
	/* Refused credentials stop the agent: that line says it all. */
	if (dk_mqttc_fatal(c))
		return;
	if (c->queued) {
		dk_when_format(c->cursor_ns, when, sizeof when);
		dk_port_log(DK_LOG_WARN, "mqtt: %u events not acknowledged by %s "
		            "at exit; the broker's cursor is %s", c->queued,
		            c->ep.url, c->cursor_ns ? when : "no event yet");
	}
}
