/* fuzz_chunk.c - the body decoder (chunked, Content-Length, close) on
 * arbitrary bytes in arbitrary pieces, decoding in place as the session
 * does; checks that it never writes more than it was given. */
#include <string.h>
#include "fuzz.h"
#include "config.h"
#include "err.h"
#include "chunk.h"

static char buf[DK_BUF_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dk_chunk c;
	enum dk_body_mode mode;
	size_t step, off = 0, total = 0;
	int r = 0;

	if (size < 2)
		return 0;
	/* Byte 0: mode (mostly chunked); byte 1: piece size 1..256. */
	mode = data[0] % 4 == 1 ? DK_BODY_LENGTH
	     : data[0] % 4 == 2 ? DK_BODY_CLOSE : DK_BODY_CHUNKED;
	step = (size_t)data[1] + 1;
	data += 2, size -= 2;
	dk_chunk_init(&c, mode, (uint64_t)size / 2);
	while (off < size && r == 0) {
		size_t n = step < size - off ? step : size - off, out = 0;
		memcpy(buf, data + off, n);
		off += n;
		r = dk_chunk_decode(&c, buf, n, &out);
		if (out > n)
			__builtin_trap();
		total += out;
	}
	if (total > size)
		__builtin_trap();
	if (r == 0)
		r = dk_chunk_eof(&c);
	if (r != 0 && r != DK_CHUNK_END && r >= 0)
		__builtin_trap();
	return 0;
}
