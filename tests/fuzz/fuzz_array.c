/* fuzz_array.c - the list-answer element framer on arbitrary bytes: fed
 * whole and then in pieces of a size taken from the input, it must hand
 * back the same elements and the same end status, never an element longer
 * than its buffer, and always move forward. */
#include <string.h>
#include "fuzz.h"
#include "err.h"
#include "array.h"

#define CAP 512

static char elem[CAP];
static unsigned char first[1 << 17];
static size_t first_len;

/* Runs the framer over data in pieces of step; records elements into
 * out (length-prefixed) and returns the end status. */
static int run(const uint8_t *data, size_t size, size_t step,
               const char *member, unsigned char *out, size_t *olen)
{
	struct dk_array a;
	size_t off = 0, o = 0;
	int r = 0;

	dk_array_init(&a, elem, sizeof elem, member);
	while (off < size) {
		size_t n = step < size - off ? step : size - off, used;
		const char *rec;
		size_t len;
		r = dk_array_feed(&a, (const char *)data + off, n, &used, &rec, &len);
		if (used > n || (used == 0 && r >= 0 && r != DK_ARRAY_ELEM))
			__builtin_trap();
		off += used;
		if (r == DK_ARRAY_ELEM || r == DK_ERR_RECORD_BIG) {
			if (len > CAP || rec != elem || (r == DK_ARRAY_ELEM && len == 0))
				__builtin_trap();
			if (o + len + 3 <= sizeof first) {
				out[o++] = r == DK_ARRAY_ELEM ? 'E' : 'B';
				out[o++] = (unsigned char)(len >> 8);
				out[o++] = (unsigned char)len;
				memcpy(out + o, rec, len);
				o += len;
			}
		} else if (r == DK_ARRAY_DONE) {
			break;
		} else if (r < 0) {
			break;
		}
	}
	*olen = o;
	return dk_array_end(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char second[sizeof first];
	const char *member;
	size_t step, n2;
	int r1, r2;

	if (size < 2 || size > 65536)
		return 0;
	/* Byte 0: piece size 1..128 and whether the array is "Volumes". */
	step = (size_t)(data[0] & 0x7f) + 1;
	member = data[0] & 0x80 ? "Volumes" : NULL;
	data++, size--;
	r1 = run(data, size, size, member, first, &first_len);
	r2 = run(data, size, step, member, second, &n2);
	if (r1 != r2 || n2 != first_len || memcmp(first, second, n2) != 0)
		__builtin_trap();
	return 0;
}
