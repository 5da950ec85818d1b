/* mqttc.h - the MQTT publisher (--mqtt): a QoS 1 client over the port's
 * transports, served from the loop's one wait. It never blocks the loop
 * but while connecting (through the loop's lent wait, as the engine's
 * connect does); events it cannot take are counted, never waited for.
 */
#ifndef DK_MQTTC_H
#define DK_MQTTC_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "port.h"
#include "endpoint.h"
#include "event.h"
#include "backoff.h"
#include "mqtt.h"
#include "resume.h"

#if DK_MQTT
/* Where the client is. */
enum dk_mqttc_state {
	DK_MQTTC_OFF = 0,   /* no --mqtt */
	DK_MQTTC_DOWN,      /* not connected: a connect is due at due_ms */
	DK_MQTTC_CONNACK,   /* CONNECT sent, waiting for CONNACK */
	DK_MQTTC_UP         /* publishing */
};

struct dk_mqttc_counters {
	uint64_t offered;   /* events taken (or too big) */
	uint64_t acked;     /* events the broker acknowledged */
	uint64_t resent;    /* publishes sent again with DUP after a reconnect */
	uint64_t dropped;   /* events never publishable: too big, no topic */
	uint64_t connects;  /* CONNACKs accepted */
};

struct dk_mqttc {
	enum dk_mqttc_state state;
	/* configuration (dk_mqttc_init) */
	struct dk_endpoint ep;
	char id[DK_MQTT_ID_MAX + 1];
	char user[DK_MQTT_USER_MAX + 1];
	char pass[DK_MQTT_PASS_MAX + 1];
	int has_user, has_pass;
	char tmpl[DK_MQTT_TOPIC_MAX + 1];
	char status_topic[DK_MQTT_ID_MAX + 16];
	uint16_t keepalive_s;

	struct dk_transport t;
	struct dk_mqtt_dec dec;
	struct dk_backoff bo;
	int busy;           /* in dk_port_connect: nested waits leave us be */
	int64_t due_ms;     /* DOWN: next connect attempt */
	int64_t up_ms;      /* when the last connection came up */
	int64_t last_tx_ms; /* when a packet was last sent (keepalive) */
	int64_t ping_ms;    /* PINGREQ outstanding since, -1 none */
	int64_t oldest_ms;  /* the oldest publish in flight was sent then */
	int64_t connack_ms; /* CONNECT sent then */
	int refused;        /* the last CONNACK's refusal code, 0 none */
	int ever_up;        /* a CONNACK was ever accepted */
	char why[DK_WHY_MAX]; /* the last failure, one line */

	/* Control packets, sent before the next publish starts. */
	char ctl[DK_MQTT_CTL_MAX];
	size_t ctl_len, ctl_off;

	/* The send buffer: records [head, tail) in order, each a 24-byte
	 * header (timeNano, identity, packet length, packet id, synthetic)
	 * and the PUBLISH. Those
	 * in [head, snd) are in flight (sent whole), snd_part bytes of the
	 * record at snd are sent. */
	char buf[DK_MQTT_TX_BUF];
	size_t head, snd, tail, snd_part;
	unsigned inflight, queued;
	uint16_t next_id;

	/* The broker's cursor: timeNano of the last engine event it
	 * acknowledged (0 none yet), and of the last one taken into the
	 * buffer; acked keeps it as the resume module does for the local
	 * cursor (point and marks of the last acknowledged events, in the
	 * order acknowledged), for --state and the catch-up (catchup.h). */
	int64_t cursor_ns;
	int64_t taken_ns;
	struct dk_resume acked;
	struct dk_mqttc_counters n;
};

/* Parse an MQTT URL into ep: mqtt://host[:port] (1883) or
 * mqtts://host[:port] (8883, ep->tls set); host a name, an IPv4 address
 * or [v6]. Returns DK_OK, or DK_ERR_URL with *why (when not NULL) saying
 * what is wrong. */
int dk_mqttc_url(struct dk_endpoint *ep, const char *url, const char **why);

/* Expand a topic template for ev: {id} the client id, {type} the event's
 * Type, {action} its base action (before ':'); '/', '+', '#' and NUL in
 * type and action become '_' (one level each, never a wildcard). Returns
 * the length (no NUL written), DK_ERR_NOSPACE, or DK_ERR_PARAM (an unknown
 * {name}, an empty result, a wildcard in the template). */
int dk_mqttc_topic(char *buf, size_t cap, const char *tmpl, const char *id,
                   const char *type, size_t type_len, const char *action,
                   size_t action_len);

/* Check a template once, at start (as dk_mqttc_topic on a sample event).
 * Returns DK_OK or DK_ERR_PARAM. */
int dk_mqttc_template_ok(const char *tmpl);

/* Set c up, DOWN with a connect due at once. url must parse
 * (dk_mqttc_url); tmpl NULL is "dockev/{id}/{type}/{action}"; user and
 * pass NULL when not given. Returns DK_OK, or DK_ERR_PARAM (a string too
 * long, an id that is not one topic level, a bad template). */
int dk_mqttc_init(struct dk_mqttc *c, const char *url, const char *id,
                  const char *user, const char *pass, const char *tmpl,
                  int64_t backoff_min_ms, int64_t backoff_max_ms,
                  int64_t backoff_reset_ms);

/* Take an event to publish (its JSON exactly as received), QoS 1, under
 * its topic, whether the broker is up or not. Never waits. Returns DK_OK;
 * DK_ERR_NOSPACE when the buffer has no room for it now (not taken, not
 * logged: the caller decides, catchup.c); or DK_ERR_RECORD_BIG when it can
 * never be published (larger than the buffer, no topic): logged with its
 * identity, counted in n.dropped. A synthetic event (ev->synthetic) is
 * published but moves no cursor. */
int dk_mqttc_offer(struct dk_mqttc *c, const struct dk_event *ev);

/* The fd to wait for and how (DK_POLL_IN, with DK_POLL_OUT while there
 * is output waiting); returns 1 with *p filled, 0 when there is no fd to
 * wait for (off, down, or connecting). */
int dk_mqttc_pollfd(const struct dk_mqttc *c, struct dk_pollfd *p);

/* Milliseconds until dk_mqttc_service has something to do by time
 * (a connect, a PINGREQ, a timeout), 0 when due now, -1 never. */
int dk_mqttc_next_ms(const struct dk_mqttc *c, int64_t now);

/* Do what is due: connect when DOWN and due (through dk_port_connect),
 * read what the broker sent, send what fits, keepalive and timeouts.
 * revents is the pollfd's (0: not polled; the socket is tried anyway).
 * Failures are logged in one line and end the connection; a later
 * service reconnects after the back-off. */
void dk_mqttc_service(struct dk_mqttc *c, int revents, int64_t now);

/* The broker refused the last CONNECT for its credentials (CONNACK 4 or
 * 5) and no CONNACK was ever accepted: a configuration error at start. */
int dk_mqttc_fatal(const struct dk_mqttc *c);

/* Is the broker connected (CONNACK accepted)? */
int dk_mqttc_up(const struct dk_mqttc *c);

/* Publishes in the buffer (sent or not) that the broker has not
 * acknowledged. */
unsigned dk_mqttc_pending(const struct dk_mqttc *c);

/* At exit: publish the retained "offline" (as the will would) and
 * DISCONNECT, best effort without waiting, then close; log what was not
 * acknowledged and what was not published. */
void dk_mqttc_close(struct dk_mqttc *c);

/* The default topic template. */
#define DK_MQTTC_TEMPLATE "dockev/{id}/{type}/{action}"

#else /* MQTT=none: the loop's calls compile to nothing. */
struct dk_mqttc {
	int state;
};
static inline int dk_mqttc_offer(struct dk_mqttc *c, const struct dk_event *ev)
{
	(void)c;
	(void)ev;
	return 0;
}
static inline int dk_mqttc_pollfd(const struct dk_mqttc *c, struct dk_pollfd *p)
{
	(void)c;
	(void)p;
	return 0;
}
static inline int dk_mqttc_next_ms(const struct dk_mqttc *c, int64_t now)
{
	(void)c;
	(void)now;
	return -1;
}
static inline void dk_mqttc_service(struct dk_mqttc *c, int revents, int64_t now)
{
	(void)c;
	(void)revents;
	(void)now;
}
static inline int dk_mqttc_fatal(const struct dk_mqttc *c)
{
	(void)c;
	return 0;
}
static inline int dk_mqttc_up(const struct dk_mqttc *c)
{
	(void)c;
	return 0;
}
static inline unsigned dk_mqttc_pending(const struct dk_mqttc *c)
{
	(void)c;
	return 0;
}
static inline void dk_mqttc_close(struct dk_mqttc *c)
{
	(void)c;
}
#endif

#endif
