/* test_eventscan.c - the event view's scan of a whole record for control
 * bytes (issue 17): it reads the record's first and last 16 bytes
 * unaligned and the rest in aligned blocks of 128 and 16 bytes, so a
 * control byte must be found at every offset whatever the record's
 * alignment in memory and its length (the block loop, the 16-byte loop,
 * the overlapping head and tail, and records shorter than 16 bytes).
 */
#include "t.h"
#include "event.h"
#include "err.h"

static struct dk_event ev;
static _Alignas(16) char buf[1024];

/* {"Type":"x","Action":"y","s":"<len bytes of v>"} at buf + align, with
 * byte at of the value set to c (at < len), or no change (at == len). */
static size_t record(size_t align, size_t len, size_t at, char c)
{
	static const char head[] = "{\"Type\":\"x\",\"Action\":\"y\",\"s\":\"";
	char *p = buf + align;
	size_t h = sizeof head - 1;

	memcpy(p, head, h);
	memset(p + h, 'v', len);
	if (at < len)
		p[h + at] = c;
	memcpy(p + h + len, "\"}", 2);
	return h + len + 2;
}

int main(void)
{
	size_t align, len, at, n;
	int missed = 0, refused = 0, high = 0, records = 0;

	for (align = 0; align < 16; align++)
		for (len = 0; len <= 300; len++) {
			n = record(align, len, len, 0);
			refused += dk_event_parse(&ev, buf + align, n) != DK_OK;
			records++;
			for (at = 0; at < len; at++) {
				n = record(align, len, at, '\x01');
				missed += dk_event_parse(&ev, buf + align, n) != DK_ERR_JSON;
				n = record(align, len, at, (char)0x9f);
				high += dk_event_parse(&ev, buf + align, n) != DK_OK;
			}
		}
	T_EQ(refused, 0, "%d records without a control byte, every alignment, are taken", records);
	T_EQ(missed, 0, "a control byte at every offset and alignment is found");
	T_EQ(high, 0, "bytes from 0x80 up are not control bytes");

	/* A record shorter than 16 bytes goes byte by byte. */
	{
		static const char bad[] = "{\"Type\":\"\x1f\"}", ok[] = "{\"Type\":\"\x7f\"}";
		memcpy(buf, bad, sizeof bad - 1);
		T_EQ(dk_event_parse(&ev, buf, sizeof bad - 1), DK_ERR_JSON,
		     "a short record's control byte is found");
		memcpy(buf, ok, sizeof ok - 1);
		T_EQ(dk_event_parse(&ev, buf, sizeof ok - 1), DK_ERR_EVENT,
		     "a short record without one is JSON (it has no Action)");
	}
	return T_DONE();
}
