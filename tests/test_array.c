/* test_array.c - list answers framed element by element over a small
 * fixed buffer: whole, byte by byte and split at every position, the
 * /volumes member, elements too large, and cut or malformed answers. */
#include "t.h"
#include "array.h"
#include "err.h"

static char store[64], joined[4096];

/* Feed in[0..n) in pieces of `step` after a first piece of `first`,
 * joining elements with '|', counting too-large ones; returns the final
 * dk_array_end status, or the first error other than a too-large one. */
static int run(const char *in, size_t n, size_t first, size_t step,
               size_t cap, const char *member, int *big)
{
	struct dk_array a;
	size_t i = 0, o = 0;
	int r;

	*big = 0;
	dk_array_init(&a, store, cap, member);
	while (i < n) {
		size_t k = i == 0 && first ? first : step, off = 0;
		if (k > n - i)
			k = n - i;
		while (off < k) {
			const char *rec;
			size_t len, used;
			r = dk_array_feed(&a, in + i + off, k - off, &used, &rec, &len);
			if (used > k - off)
				return -1000;
			off += used;
			if (r == DK_ERR_RECORD_BIG) {
				if (len != cap || rec != store)
					return -1001;
				(*big)++;
			} else if (r == DK_ARRAY_ELEM) {
				memcpy(joined + o, rec, len);
				o += len;
				joined[o++] = '|';
			} else if (r < 0) {
				joined[o] = '\0';
				return r;
			} else if (r == DK_ARRAY_MORE && off != k) {
				return -1002;
			} else if (r == DK_ARRAY_DONE) {
				off = k; /* the rest is dropped */
			}
		}
		i += k;
	}
	joined[o] = '\0';
	return dk_array_end(&a);
}

static void every_split(const char *member, const char *in, const char *want,
                        int want_big, int want_end, size_t cap)
{
	size_t n = strlen(in), s, st, bad = 0;
	int big, r;

	r = run(in, n, 0, n, cap, member, &big);
	T_OK(strcmp(joined, want) == 0 && big == want_big && r == want_end,
	     "whole %s: '%s' (big %d, end %d)", member ? member : "[]",
	     joined, big, r);
	for (st = 1; st <= 3; st++) {
		for (s = 1; s < n; s++) {
			r = run(in, n, s, st, cap, member, &big);
			if (strcmp(joined, want) || big != want_big || r != want_end)
				bad++;
		}
	}
	T_EQ(bad, 0, "byte by byte and every split, steps 1..3: '%s'", want);
}

int main(void)
{
	const int D = DK_ARRAY_DONE;

	every_split(NULL, "[]", "", 0, D, 64);
	every_split(NULL, " \r\n[ \n]\n", "", 0, D, 64);
	every_split(NULL, "[{\"a\":1},{\"b\":2}]", "{\"a\":1}|{\"b\":2}|", 0, D, 64);
	/* Brackets, commas and escaped quotes inside strings do not count. */
	every_split(NULL, "[{\"a\":\"x]},\\\"{\",\"b\":[1,{\"c\":2}]} , {\"d\":\"\\\\\"}]",
	            "{\"a\":\"x]},\\\"{\",\"b\":[1,{\"c\":2}]}|{\"d\":\"\\\\\"}|", 0, D, 64);
	/* Any JSON value is an element; jsmn later refuses non-objects. */
	every_split(NULL, "[1, \"s,]\" ,true,[2,[3]],null]",
	            "1|\"s,]\"|true|[2,[3]]|null|", 0, D, 64);
	/* The bytes after the array are not read. */
	every_split(NULL, "[{}] trailing{", "{}|", 0, D, 64);
	/* /volumes: only the root's "Volumes" array, not a nested member
	 * of that name, a "Volumes" string value, or the Warnings array. */
	every_split("Volumes",
	            "{\"Warnings\":[\"Volumes\"],\"a\":\"Volumes\",\"x\":{\"Volumes\":[{\"no\":1}]},"
	            "\"Volumes\" : [{\"Name\":\"v1\"},{\"Name\":\"v2\"}],\"Warnings\":null}",
	            "{\"Name\":\"v1\"}|{\"Name\":\"v2\"}|", 0, D, 64);
	every_split("Volumes", "{\"Volumes\":[],\"Warnings\":[]}", "", 0, D, 64);
	/* Old engines send null for no volumes; a missing member is empty. */
	every_split("Volumes", "{\"Volumes\":null,\"Warnings\":null}", "", 0, D, 64);
	every_split("Volumes", "{\"Volume\":[{}],\"VolumesX\":[{}],\"V\\u006flumes\":[{}]}",
	            "", 0, D, 64);
	/* 20-byte buffer: an element of exactly 20 fits, 21 and 40 do not. */
	every_split(NULL, "[{\"a\":\"0123456789ab\"},{\"a\":\"0123456789abc\"},"
	            "{\"a\":\"0123456789012345678901234567890\"},{\"b\":1}]",
	            "{\"a\":\"0123456789ab\"}|{\"b\":1}|", 2, D, 20);
	every_split(NULL, "[123456789012345678901234567890,1]", "1|", 1, D, 20);
	every_split(NULL, "[12345678901234567890123]", "", 1, D, 20);
	/* A list cut short is not a whole list. */
	every_split(NULL, "[{\"a\":1},{\"b\"", "{\"a\":1}|", 0, DK_ERR_TRUNCATED, 64);
	every_split(NULL, "", "", 0, DK_ERR_TRUNCATED, 64);
	every_split("Volumes", "{\"Volumes\":[{}", "{}|", 0, DK_ERR_TRUNCATED, 64);
	/* Not a list at all, and brackets that do not balance. */
	every_split(NULL, "{\"message\":\"no\"}", "", 0, DK_ERR_JSON, 64);
	every_split("Volumes", "[{}]", "", 0, DK_ERR_JSON, 64);
	every_split(NULL, "[{}}]", "{}|", 0, DK_ERR_JSON, 64);
	every_split(NULL, "[{\"a\":1}]]", "{\"a\":1}|", 0, D, 64);
	{
		/* Errors are sticky. */
		struct dk_array a;
		const char *rec;
		size_t len, used;
		dk_array_init(&a, store, sizeof store, NULL);
		T_EQ(dk_array_feed(&a, "x", 1, &used, &rec, &len), DK_ERR_JSON, "not an array");
		T_EQ(dk_array_feed(&a, "[{}]", 4, &used, &rec, &len), DK_ERR_JSON, "sticky");
		T_EQ(dk_array_end(&a), DK_ERR_JSON, "sticky at the end");
	}
	return T_DONE();
}
