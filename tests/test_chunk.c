/* test_chunk.c - the body decoder: recorded dockerd streams and hand-made
 * framing, fed whole, byte by byte and split at every position. */
#include "t.h"
#include "chunk.h"
#include "err.h"

static char cap_buf[64 * 1024], work[64 * 1024], out[64 * 1024];

/* Decode in[0..n) in pieces of `step` bytes (0 = split once at `split`),
 * appending payload to out; returns the last result, *olen the payload. */
static int decode(enum dk_body_mode m, uint64_t len, const char *in, size_t n,
                  size_t step, size_t split, size_t *olen)
{
	struct dk_chunk c;
	size_t i = 0, o = 0;
	int r = 0;

	dk_chunk_init(&c, m, len);
	while (i < n) {
		size_t k = step ? step : (i == 0 && split ? split : n - i), d;
		if (k > n - i)
			k = n - i;
		memcpy(work, in + i, k);
		r = dk_chunk_decode(&c, work, k, &d);
		memcpy(out + o, work, d);
		o += d;
		i += k;
		if (r != 0)
			break;
	}
	*olen = o;
	return r;
}

static size_t body_of(const char *raw, size_t n)
{
	const char *e = strstr(raw, "\r\n\r\n");
	(void)n;
	return e ? (size_t)(e + 4 - raw) : 0;
}

/* Podman 4.3.1's stream, ended by the client: 8 events, each in its own
 * chunk as dockerd does, no final chunk. */
static void recorded_podman(void)
{
	long n = t_slurp(DK_TEST_DATA "podman-events-stream.raw", cap_buf,
	                 sizeof cap_buf);
	size_t h, olen, i, lines = 0, bad = 0;
	int r;

	T_OK(n > 0, "read podman-events-stream.raw");
	h = body_of(cap_buf, (size_t)n);
	r = decode(DK_BODY_CHUNKED, 0, cap_buf + h, (size_t)n - h, 0, 0, &olen);
	T_EQ(r, 0, "podman: stream without final chunk: more to come");
	for (i = 0; i < olen; i++)
		lines += out[i] == '\n';
	T_EQ(lines, 8, "podman: 8 events decoded");
	T_OK(olen > 0 && out[0] == '{' && out[olen - 1] == '\n' && !memchr(out, '\r', olen),
	     "podman: payload is the JSON lines, no framing left");
	for (i = 1; i < (size_t)n - h; i++) {
		size_t l2;
		static char ref[8192];
		if (i == 1)
			memcpy(ref, out, olen);
		decode(DK_BODY_CHUNKED, 0, cap_buf + h, (size_t)n - h, 0, i, &l2);
		if (l2 != olen || memcmp(out, ref, olen))
			bad++;
	}
	T_EQ(bad, 0, "podman: split at every position, same payload");
}

static void recorded(void)
{
	static char ref[64 * 1024];
	long n = t_slurp(DK_TEST_DATA "dockerd-events-stream.raw", cap_buf,
	                 sizeof cap_buf);
	size_t h, reflen, olen, i, lines = 0, bad = 0;
	int r;

	T_OK(n > 0, "read dockerd-events-stream.raw");
	h = body_of(cap_buf, (size_t)n);
	r = decode(DK_BODY_CHUNKED, 0, cap_buf + h, (size_t)n - h, 0, 0, &reflen);
	T_EQ(r, 0, "stream without final chunk: more to come");
	memcpy(ref, out, reflen);
	for (i = 0; i < reflen; i++)
		lines += ref[i] == '\n';
	T_EQ(lines, 85, "85 events decoded");
	T_OK(ref[0] == '{' && ref[reflen - 1] == '\n', "payload is the JSON lines");
	T_OK(!memchr(ref, '\r', reflen), "no framing left in the payload");

	decode(DK_BODY_CHUNKED, 0, cap_buf + h, (size_t)n - h, 1, 0, &olen);
	T_OK(olen == reflen && !memcmp(out, ref, olen), "byte by byte, same payload");
	for (i = 1; i < (size_t)n - h; i += 7) {
		decode(DK_BODY_CHUNKED, 0, cap_buf + h, (size_t)n - h, 0, i, &olen);
		if (olen != reflen || memcmp(out, ref, olen))
			bad++;
	}
	T_EQ(bad, 0, "split at every 7th position, same payload");
}

static void until_end(void)
{
	long n = t_slurp(DK_TEST_DATA "dockerd-events-until-future.raw", cap_buf,
	                 sizeof cap_buf);
	size_t h = body_of(cap_buf, (size_t)n), olen, i, bad = 0, want;
	int r;

	r = decode(DK_BODY_CHUNKED, 0, cap_buf + h, (size_t)n - h, 0, 0, &want);
	T_EQ(r, DK_CHUNK_END, "until capture ends with the final chunk");
	T_EQ(want, 0x9b + 0x9c, "both events' bytes");
	for (i = 1; i < (size_t)n - h; i++) {
		r = decode(DK_BODY_CHUNKED, 0, cap_buf + h, (size_t)n - h, 0, i, &olen);
		if (r != DK_CHUNK_END || olen != want)
			bad++;
	}
	T_EQ(bad, 0, "split at every position: same end, same bytes");
	r = decode(DK_BODY_CHUNKED, 0, cap_buf + h, (size_t)n - h, 1, 0, &olen);
	T_OK(r == DK_CHUNK_END && olen == want, "byte by byte: same end");
}

struct fcase {
	const char *in;
	int want;
	const char *payload;
};

static void framing(void)
{
	static const struct fcase cases[] = {
		{ "5\r\nhello\r\n0\r\n\r\n", DK_CHUNK_END, "hello" },
		{ "5\nhello\n0\n\n", DK_CHUNK_END, "hello" },             /* bare LF */
		{ "A\r\n0123456789\r\n0\r\n\r\n", DK_CHUNK_END, "0123456789" },
		{ "a;ext=1\r\n0123456789\r\n0\r\n\r\n", DK_CHUNK_END, "0123456789" },
		{ "3 \r\nabc\r\n0\r\n\r\n", DK_CHUNK_END, "abc" },
		{ "3\r\nabc\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n", DK_CHUNK_END, "abc" },
		{ "3\r\nabc\r\n0\r\n\r\ntrailing junk", DK_CHUNK_END, "abc" },
		{ "00000003\r\nabc\r\n", 0, "abc" },
		{ "000000003\r\nabc\r\n", DK_ERR_CHUNK_BIG, "" },
		{ "fffffffff\r\n", DK_ERR_CHUNK_BIG, "" },
		{ "-1\r\n", DK_ERR_CHUNK, "" },
		{ "g\r\n", DK_ERR_CHUNK, "" },
		{ "\r\n", DK_ERR_CHUNK, "" },
		{ "3\r\nabcd\r\n", DK_ERR_CHUNK, "abc" },       /* no CRLF after data */
		{ "3\r\nabc\rx", DK_ERR_CHUNK, "abc" },
		{ "3\rx", DK_ERR_CHUNK, "" },
		{ "3\r\nabc\r\n4\r\ndefg\r\n", 0, "abcdefg" },
	};
	size_t i, olen;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct fcase *c = &cases[i];
		size_t n = strlen(c->in), s, bad = 0;
		int r = decode(DK_BODY_CHUNKED, 0, c->in, n, 0, 0, &olen);
		T_OK(r == c->want && olen == strlen(c->payload) &&
		     !memcmp(out, c->payload, olen), "case %zu whole: %d", i, r);
		for (s = 1; s < n; s++) {
			r = decode(DK_BODY_CHUNKED, 0, c->in, n, 0, s, &olen);
			if (r != c->want || olen > strlen(c->payload) ||
			    memcmp(out, c->payload, olen))
				bad++;
		}
		r = decode(DK_BODY_CHUNKED, 0, c->in, n, 1, 0, &olen);
		T_OK(bad == 0 && r == c->want, "case %zu split everywhere and per byte", i);
	}
}

static void limits(void)
{
	struct dk_chunk c;
	static char big[8192];
	size_t d;
	int r;

	memset(big, 'x', sizeof big);
	memcpy(big, "1;", 2);
	dk_chunk_init(&c, DK_BODY_CHUNKED, 0);
	r = dk_chunk_decode(&c, big, sizeof big, &d);
	T_EQ(r, DK_ERR_CHUNK, "extension over DK_CHUNK_LINE_MAX refused");
	T_EQ(dk_chunk_decode(&c, big, 1, &d), DK_ERR_CHUNK, "error is sticky");
	T_EQ(dk_chunk_eof(&c), DK_ERR_CHUNK, "eof after an error keeps it");

	dk_chunk_init(&c, DK_BODY_CHUNKED, 0);
	memcpy(work, "5\r\nhel", 6);
	dk_chunk_decode(&c, work, 6, &d);
	T_EQ(dk_chunk_eof(&c), DK_ERR_TRUNCATED, "eof mid-chunk is truncation");
}

static void identity(void)
{
	struct dk_chunk c;
	size_t d;

	dk_chunk_init(&c, DK_BODY_LENGTH, 5);
	memcpy(work, "hel", 3);
	T_EQ(dk_chunk_decode(&c, work, 3, &d), 0, "length: more to come");
	T_EQ(d, 3, "length: 3 bytes");
	T_EQ(dk_chunk_eof(&c), DK_ERR_TRUNCATED, "length: eof early is truncation");
	memcpy(work, "loEXTRA", 7);
	T_EQ(dk_chunk_decode(&c, work, 7, &d), DK_CHUNK_END, "length: ends");
	T_EQ(d, 2, "length: only the body's bytes");
	T_EQ(dk_chunk_eof(&c), DK_CHUNK_END, "length: eof after the end is fine");

	dk_chunk_init(&c, DK_BODY_LENGTH, 0);
	T_EQ(dk_chunk_decode(&c, work, 3, &d), DK_CHUNK_END, "length 0 ends at once");
	dk_chunk_init(&c, DK_BODY_CLOSE, 0);
	T_EQ(dk_chunk_decode(&c, work, 7, &d), 0, "close: never ends by itself");
	T_EQ(d, 7, "close: all bytes are payload");
	T_EQ(dk_chunk_eof(&c), DK_CHUNK_END, "close: eof ends it");
}

int main(void)
{
	recorded();
	recorded_podman();
	until_end();
	framing();
	limits();
	identity();
	return T_DONE();
}
