/* test_framer.c - newline framing over a small fixed buffer: records across
 * every split, several per read, too-large records skipped. */
#include "t.h"
#include "framer.h"
#include "err.h"

static char store[64], joined[4096];

/* Feed in[0..n) in pieces of `step` (after a first piece of `first`),
 * joining records with '|' and counting too-large ones. */
static size_t run(const char *in, size_t n, size_t first, size_t step,
                  size_t cap, int *big)
{
	struct dk_framer f;
	size_t i = 0, o = 0;
	const char *rec;
	size_t len;
	int r;

	*big = 0;
	dk_framer_init(&f, store, cap);
	while (i < n) {
		size_t room, k = i == 0 && first ? first : step;
		char *p = dk_framer_space(&f, &room);
		if (k > room)
			k = room;
		if (k > n - i)
			k = n - i;
		memcpy(p, in + i, k);
		dk_framer_commit(&f, k);
		i += k;
		while ((r = dk_framer_next(&f, &rec, &len)) != DK_FRAME_MORE) {
			if (r == DK_ERR_RECORD_BIG) {
				(*big)++;
				continue;
			}
			memcpy(joined + o, rec, len);
			o += len;
			joined[o++] = '|';
		}
	}
	if (dk_framer_flush(&f, &rec, &len) == DK_FRAME_RECORD) {
		memcpy(joined + o, rec, len);
		o += len;
		joined[o++] = '$';
	}
	joined[o] = '\0';
	return o;
}

static void every_split(const char *in, const char *want, int want_big,
                        size_t cap)
{
	size_t n = strlen(in), s, st, bad = 0;
	int big;

	run(in, n, 0, n, cap, &big);
	T_OK(strcmp(joined, want) == 0 && big == want_big,
	     "whole: '%s' (big %d)", joined, big);
	for (st = 1; st <= 3; st++) {
		for (s = 1; s < n; s++) {
			run(in, n, s, st, cap, &big);
			if (strcmp(joined, want) || big != want_big)
				bad++;
		}
	}
	T_EQ(bad, 0, "every split, steps 1..3: '%s'", want);
}

int main(void)
{
	every_split("{a}\n{b}\n", "{a}|{b}|", 0, 64);
	every_split("{a}\r\n\n\n{b}\r\n", "{a}|{b}|", 0, 64);
	every_split("{a}\n{b}", "{a}|{b}$", 0, 64);
	/* application/json-seq: RS starts each record and is dropped. */
	every_split("\x1e{a}\n\x1e{b}\n\x1e\n\x1e\x1e{c}", "{a}|{b}|{c}$", 0, 64);
	/* 20-byte buffer: a 25-byte record is dropped, the rest delivered. */
	every_split("{1}\n0123456789012345678901234\n{2}\n", "{1}|{2}|", 1, 20);
	every_split("012345678901234567890123456789012345678901234\n{3}\n",
	            "{3}|", 1, 20);
	/* Exactly fills the buffer with its newline: fits. */
	every_split("0123456789012345678\n{4}\n", "0123456789012345678|{4}|", 0, 20);
	every_split("01234567890123456789\n{5}\n", "{5}|", 1, 20);
	{
		struct dk_framer f;
		const char *rec;
		size_t len, room;
		char *p;

		dk_framer_init(&f, store, 16);
		p = dk_framer_space(&f, &room);
		T_EQ(room, 16, "empty framer offers the whole buffer");
		memcpy(p, "0123456789abcdef", 16);
		dk_framer_commit(&f, 16);
		T_EQ(dk_framer_next(&f, &rec, &len), DK_ERR_RECORD_BIG, "full: too big");
		T_OK(rec == store && len == 16, "too big: its first bytes are shown");
		p = dk_framer_space(&f, &room);
		T_EQ(room, 16, "after too big, the buffer is free again");
		memcpy(p, "tail\n{x}\n", 9);
		dk_framer_commit(&f, 9);
		T_EQ(dk_framer_next(&f, &rec, &len), DK_FRAME_RECORD, "next record");
		T_STR(rec, len, "{x}", "the too-big record's tail is dropped");
		T_EQ(dk_framer_next(&f, &rec, &len), DK_FRAME_MORE, "then more");
	}
	return T_DONE();
}
