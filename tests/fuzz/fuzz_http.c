/* fuzz_http.c - the response head parser on arbitrary bytes, fed as the
 * session feeds it: the same buffer start, growing, so the resumable
 * end-of-head search is exercised across every split. */
#include <string.h>
#include "fuzz.h"
#include "config.h"
#include "err.h"
#include "http.h"

static char buf[DK_BUF_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dk_http_head h;
	size_t step, len;
	long r = 0;

	if (size < 1)
		return 0;
	/* The first byte picks the read size: 1..256 bytes a "recv". */
	step = (size_t)data[0] + 1;
	data++, size--;
	if (size > sizeof buf)
		size = sizeof buf;
	memcpy(buf, data, size);
	dk_http_head_init(&h);
	for (len = 0; len < size && r == 0;) {
		len += step < size - len ? step : size - len;
		r = dk_http_head_parse(&h, buf, len);
	}
	if (r > 0) {
		/* A head ends inside what was given; what follows is body. */
		if ((size_t)r > len || h.status < 100 || h.status > 999)
			__builtin_trap();
		(void)dk_http_body_mode(&h);
		(void)dk_http_reason(h.status);
		if (memchr(h.api_version, '\0', sizeof h.api_version) == NULL ||
		    memchr(h.content_type, '\0', sizeof h.content_type) == NULL)
			__builtin_trap();
	} else if (r < 0 && dk_http_head_parse(&h, buf, len) != r) {
		__builtin_trap(); /* errors are sticky */
	}
	return 0;
}
