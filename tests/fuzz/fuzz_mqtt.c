/* fuzz_mqtt.c - the MQTT decoder on arbitrary bytes in arbitrary pieces, as
 * a broker's answers arrive; every packet it accepts must re-encode to the
 * very bytes it came from (the encoders and decoder agree, and nothing
 * non-minimal or malformed is let through). */
#include <string.h>
#include "fuzz.h"
#include "config.h"
#include "err.h"
#include "mqtt.h"

static struct dk_mqtt_dec d;
static char out[DK_MQTT_RX_MAX + 8];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dk_mqtt_packet p;
	size_t step, off = 0, start = 0;
	int r = 0, n;

	if (size < 1)
		return 0;
	/* Byte 0: piece size 1..256. */
	step = (size_t)data[0] + 1;
	data++, size--;
	dk_mqtt_dec_init(&d);
	while (off < size && r >= 0) {
		size_t k = step < size - off ? step : size - off, used = 0;
		r = dk_mqtt_feed(&d, (const char *)data + off, k, &used, &p);
		if (used > k || (r == 0 && used != k))
			__builtin_trap();
		off += used;
		if (r < 0 && (!d.why || (r != DK_ERR_MQTT && r != DK_ERR_MQTT_BIG)))
			__builtin_trap();
		if (r != DK_MQTT_PACKET)
			continue;
		switch (p.type) {
		case DK_MQTT_PUBLISH:
			n = dk_mqtt_publish(out, sizeof out, p.topic, p.topic_len, p.payload,
			                    p.payload_len, p.qos, p.retain, p.dup, p.id);
			break;
		case DK_MQTT_PUBACK:
			n = dk_mqtt_puback(out, sizeof out, p.id);
			break;
		case DK_MQTT_CONNACK:
			out[0] = 0x20, out[1] = 2;
			out[2] = (char)p.session_present, out[3] = (char)p.code;
			n = 4;
			break;
		case DK_MQTT_PINGRESP:
			out[0] = (char)0xd0, out[1] = 0;
			n = 2;
			break;
		default:
			__builtin_trap();
		}
		if (n < 0 || (size_t)n != off - start || memcmp(out, data + start, (size_t)n) != 0)
			__builtin_trap();
		start = off;
	}
	return 0;
}
