/* test_eventscan.c - the event view's scan of a whole record for control
 * bytes (issue 17): it reads the record's first and last 16 bytes
 * unaligned and the rest in aligned blocks of 128 and 16 bytes, so a
 * control byte must be found at every offset whatever the record's
 * alignment in memory and its length (the block loop, the 16-byte loop,
 * the overlapping head and tail, and records shorter than 16 bytes). And
 * the digest's last bytes, read in two loads: the same value as the plain
 * definition (state files keep digests). And the test for a backslash in
 * Type, Action, scope and Actor.ID, a word or two at a time: an escape at
 * every offset of every length is unescaped, a field without one is not.
 */
#include "t.h"
#include "event.h"
#include "err.h"

static struct dk_event ev;

/* The digest as first written: eight bytes a step, the rest copied into
 * a zeroed word. */
static uint64_t digest_ref(const char *p, size_t n)
{
	const uint64_t k = 0x9E3779B97F4A7C15ULL;
	uint64_t h = n * k, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * k;
	return h ^ (h >> 32);
}
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

	{
		size_t off;
		int differ = 0;
		for (n = 0; n < 256; n++)
			buf[n] = (char)(n * 37 + 11);
		for (off = 0; off < 8; off++)
			for (n = 0; n <= 40; n++)
				differ += dk_event_digest(buf + off, n) != digest_ref(buf + off, n);
		T_EQ(differ, 0, "digests of 0..40 bytes as the plain definition gives");
		T_OK(dk_event_digest("abc", 3) != dk_event_digest("abd", 3) &&
		     dk_event_digest("abcdefg", 7) != dk_event_digest("bbcdefg", 7) &&
		     dk_event_digest("abcdefg", 7) != dk_event_digest("abcdefh", 7),
		     "the first and the last of the tail bytes count");
	}

	{
		char rec[256];
		size_t k;
		int copied = 0, wrong = 0, fields = 0;
		for (len = 2; len <= 40; len++)
			for (at = 0; at <= len; at++) {
				/* Type: len bytes of 'a', or with "\\t" at `at`. */
				size_t m = 0;
				m += (size_t)sprintf(rec, "{\"Type\":\"");
				for (k = 0; k < len; k++)
					if (at < len - 1 && k == at)
						rec[m++] = '\\', rec[m++] = 't', k++;
					else
						rec[m++] = 'a';
				m += (size_t)sprintf(rec + m, "\",\"Action\":\"y\"}");
				if (dk_event_parse(&ev, rec, m) != DK_OK) {
					wrong++;
					continue;
				}
				fields++;
				if (at < len - 1) {
					/* unescaped: one byte shorter, a tab at `at`, in scratch */
					wrong += ev.type.n != len - 1 || ev.type.p[at] != '\t' ||
					         (ev.type.p >= rec && ev.type.p < rec + m);
					copied++;
				} else {
					wrong += ev.type.n != len || ev.type.p != rec + 9;
				}
			}
		T_EQ(wrong, 0, "%d Type fields of 2..40 bytes: an escape at every offset is unescaped (%d), none is left as it is",
		     fields, copied);
	}

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
