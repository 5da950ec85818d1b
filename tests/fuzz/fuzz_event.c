/* fuzz_event.c - the framer and the event decoder together: arbitrary
 * bytes framed into records inside a small fixed buffer (so records that
 * do not fit happen), every record tokenized, and every accessor a handler
 * or hook may call run over the result. */
#include <string.h>
#include "fuzz.h"
#include "config.h"
#include "err.h"
#include "framer.h"
#include "event.h"

static char fbuf[4096];
static struct dk_event ev;

static void use(const char *rec, size_t len)
{
	char out[DK_FIELD_MAX], id[96];
	struct dk_str k, v;
	int i;

	dk_event_identify(rec, len, id, sizeof id);
	(void)dk_json_message(rec, len, out, sizeof out);
	if (dk_event_parse(&ev, rec, len) != DK_OK)
		return;
	for (i = 0; i < ev.nattrs; i++) {
		if (dk_event_attr(&ev, i, &k, &v) != DK_OK)
			__builtin_trap();
		(void)dk_json_unescape(k.p, k.n, out, sizeof out);
		(void)dk_json_unescape(v.p, v.n, out, 7);
	}
	(void)dk_event_attr_get(&ev, "name", out, sizeof out);
	(void)dk_event_attr_get(&ev, "image", out, 5);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dk_framer f;
	const char *rec;
	size_t step, off = 0, len;
	int r;

	if (size < 1)
		return 0;
	step = (size_t)data[0] * 16 + 1;
	data++, size--;
	dk_framer_init(&f, fbuf, sizeof fbuf);
	while (off < size) {
		size_t room, n;
		char *p = dk_framer_space(&f, &room);
		if (room == 0) {
			/* full: next reports the record too big */
			if (dk_framer_next(&f, &rec, &len) != DK_ERR_RECORD_BIG)
				__builtin_trap();
			continue;
		}
		n = step < size - off ? step : size - off;
		n = n < room ? n : room;
		memcpy(p, data + off, n);
		off += n;
		dk_framer_commit(&f, n);
		while ((r = dk_framer_next(&f, &rec, &len)) != DK_FRAME_MORE)
			if (r == DK_FRAME_RECORD)
				use(rec, len);
	}
	if (dk_framer_flush(&f, &rec, &len) == DK_FRAME_RECORD)
		use(rec, len);
	return 0;
}
