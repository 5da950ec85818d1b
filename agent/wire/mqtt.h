/* mqtt.h - the MQTT 3.1.1 packet codec the publisher needs: encoders for
 * CONNECT, PUBLISH (QoS 0/1, DUP, RETAIN), PUBACK, PINGREQ and DISCONNECT
 * into a caller's buffer, and an incremental decoder for what a broker
 * sends (CONNACK, PUBLISH, PUBACK, PINGRESP). Pure: no I/O, no allocation.
 */
#ifndef DK_MQTT_H
#define DK_MQTT_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* Control packet types (MQTT 3.1.1 section 2.2.1). */
enum dk_mqtt_type {
	DK_MQTT_CONNECT = 1, DK_MQTT_CONNACK, DK_MQTT_PUBLISH, DK_MQTT_PUBACK,
	DK_MQTT_PUBREC, DK_MQTT_PUBREL, DK_MQTT_PUBCOMP, DK_MQTT_SUBSCRIBE,
	DK_MQTT_SUBACK, DK_MQTT_UNSUBSCRIBE, DK_MQTT_UNSUBACK, DK_MQTT_PINGREQ,
	DK_MQTT_PINGRESP, DK_MQTT_DISCONNECT
};

/* The largest remaining length the protocol can express (4 varint bytes). */
#define DK_MQTT_REMAINING_MAX 268435455u

/* What CONNECT carries. Strings are (pointer, length); a NULL pointer
 * leaves the field out (will_topic NULL: no will; user NULL: no user name;
 * password NULL: no password, which MQTT 3.1.1 allows only with a user). */
struct dk_mqtt_connect {
	const char *client_id; size_t client_id_len;
	uint16_t keepalive_s;
	int clean_session;
	const char *will_topic; size_t will_topic_len;
	const char *will_msg; size_t will_msg_len;
	int will_qos, will_retain;
	const char *user; size_t user_len;
	const char *password; size_t password_len;
};

/* Encoders write one whole packet into buf[0..cap) and return its length,
 * or DK_ERR_NOSPACE (cap too small; nothing useful in buf) or DK_ERR_PARAM
 * (a string over 65535 bytes, QoS not 0 or 1, a QoS 1 packet id of 0, a
 * password without a user, a topic with a wildcard or NUL). */
int dk_mqtt_connect(char *buf, size_t cap, const struct dk_mqtt_connect *c);
int dk_mqtt_publish(char *buf, size_t cap, const char *topic, size_t topic_len,
                    const char *payload, size_t payload_len, int qos,
                    int retain, int dup, uint16_t id);
int dk_mqtt_puback(char *buf, size_t cap, uint16_t id);
int dk_mqtt_pingreq(char *buf, size_t cap);
int dk_mqtt_disconnect(char *buf, size_t cap);

/* Bytes a PUBLISH of these lengths takes (header included), 0 if over the
 * protocol's limit: lets the caller check room before encoding. */
size_t dk_mqtt_publish_size(size_t topic_len, size_t payload_len, int qos);

/* Writes the remaining-length varint of n into out[0..4); returns its
 * byte count, 0 if n exceeds DK_MQTT_REMAINING_MAX. */
int dk_mqtt_varint(uint32_t n, unsigned char out[4]);

/* The topic of an event: "dockev/<client>/<type>/<base action>", the base
 * action being the part before ':' ("health_status: healthy" publishes
 * under health_status). '/', '+', '#' and NUL in type or action become
 * '_' so every topic has the same four levels and no wildcard. Returns the
 * length written (no NUL), DK_ERR_NOSPACE, or DK_ERR_PARAM (an empty part,
 * or a client id that is not one plain topic level). */
int dk_mqtt_topic(char *buf, size_t cap, const char *client, size_t client_len,
                  const char *type, size_t type_len, const char *action, size_t action_len);

/* One decoded packet. Slices point into the decoder's buffer and stay valid
 * until the next dk_mqtt_feed call. */
struct dk_mqtt_packet {
	int type;               /* enum dk_mqtt_type */
	int flags;              /* low nibble of the fixed header */
	uint16_t id;            /* PUBACK, and PUBLISH with QoS 1 */
	int session_present;    /* CONNACK */
	int code;               /* CONNACK return code (0 accepted, 1..5 refused) */
	int qos, retain, dup;   /* PUBLISH */
	const char *topic; size_t topic_len;
	const char *payload; size_t payload_len;
};

/* Returned by dk_mqtt_feed when a whole packet was decoded. */
#define DK_MQTT_PACKET 1

struct dk_mqtt_dec {
	int state;
	unsigned char head;     /* first byte of the fixed header */
	uint32_t rem;           /* remaining length */
	int vbytes;             /* varint bytes read */
	uint32_t got;           /* body bytes held */
	int err;                /* sticky */
	const char *why;        /* what was wrong, for the one log line */
	char body[DK_MQTT_RX_MAX];
};

void dk_mqtt_dec_init(struct dk_mqtt_dec *d);

/* Feed buf[0..len): consumes bytes up to the end of at most one packet and
 * stores the count in *used (call again with the rest). Returns 0 (need
 * more; all of buf used), DK_MQTT_PACKET (*p filled), or a negative dk_err,
 * sticky until dk_mqtt_dec_init, with d->why saying what was wrong:
 * DK_ERR_MQTT (malformed: reserved flags, a bad varint, lengths that do not
 * add up, a packet type a broker never sends a client, PUBLISH at QoS 2)
 * or DK_ERR_MQTT_BIG
 * (remaining length over DK_MQTT_RX_MAX). */
int dk_mqtt_feed(struct dk_mqtt_dec *d, const char *buf, size_t len,
                 size_t *used, struct dk_mqtt_packet *p);

/* Text for a CONNACK return code (MQTT 3.1.1 section 3.2.2.3). */
const char *dk_mqtt_connack_str(int code);

#endif
