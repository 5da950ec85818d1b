/* event.c - tokenizes one record (jsontok.c: jsmn, strict mode, a fresh
 * parser per record) and finds the event's fields. Engine API event
 * shape: Type, Action, Actor{ID, Attributes{}}, scope, time, timeNano;
 * the legacy status/id/from fields are ignored.
 */
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "event.h"
#include "jsontok.h"
#include "err.h"

/* Small functions on the per-event path: inlined when built for speed
 * (HOT_OPT), left to the compiler when built for size (-Os: armhf, and
 * buildroot's default CFLAGS). */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
#define INLINE inline __attribute__((always_inline))
#else
#define INLINE inline
#endif

/* The tokens of the record being parsed (jsontok.h: the event token
 * array, its address a constant): used only during a call, so a view
 * keeps nothing of them and two views never share state. */
static jsmntok_t *const tokens = dk_event_tokens;

/* Index of the token after the subtree rooted at i. */
static int skip(int i, int ntok)
{
	int pending = 1;
	while (pending > 0 && i < ntok) {
		pending += tokens[i].size - 1;
		i++;
	}
	return i;
}

/* key_is(js, t, "literal"): the length is known at compile time, and
 * the bytes are compared only when it matches. */
#define key_is(js, t, want) key_eq((js), (t), (want), sizeof(want) - 1)
static int key_eq(const char *js, const jsmntok_t *t, const char *want,
                  size_t n)
{
	return t->type == JSMN_STRING && (size_t)(t->end - t->start) == n &&
	       memcmp(js + t->start, want, n) == 0;
}

/* An object or array token's whole text, brackets included. */
static struct dk_str slice_whole(const char *js, const jsmntok_t *t)
{
	struct dk_str s = { js + t->start, (size_t)(t->end - t->start) };
	return s;
}

static struct dk_str slice(const char *js, const jsmntok_t *t)
{
	struct dk_str s;
	s.p = js + t->start;
	s.n = (size_t)(t->end - t->start);
	return s;
}

/* js[a..b) is whitespace around exactly `sep` (or only whitespace when
 * sep is 0): the walk's check of what lies between tokens, once the
 * compact case (sep_ok, key_ok, close_ok) did not hold. */
static int gap_is(const char *js, int a, int b, char sep)
{
	int seen = 0;
	for (; a < b; a++) {
		char c = js[a];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c != sep || seen)
			return 0;
		seen = 1;
	}
	return seen == (sep != 0);
}

/* Any byte below 0x20 in [p, e)? Eight bytes a step: a byte b < 0x20
 * makes (b - 0x20) borrow into its top bit while b's own top bit is 0. */
static int has_control(const char *p, const char *e)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	uint64_t w;

	for (; e - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		if ((w - ones * 0x20) & ~w & high)
			return 1;
	}
	for (; p < e; p++)
		if ((unsigned char)*p < 0x20)
			return 1;
	return 0;
}

/* Any byte below 0x20 in the whole record? Engine records have none,
 * and then no string can hold a control byte, so the walk need not look
 * inside strings. With SSE2 (every x86-64), the least byte of the record:
 * unaligned loads of its first and last 16 bytes (overlapping what the
 * loop reads: a minimum does not mind), aligned ones between, which the
 * compiler folds into the minimum, 128 bytes a step as a tree of minimums
 * (nine instructions per 64 bytes, twelve with one chain of unaligned
 * loads). Elsewhere four words a step, written out: the borrows are ORed
 * before one AND with the top bits. */
#if defined(__SSE2__)
#define load16(q) _mm_load_si128((const __m128i *)(const void *)(q))
static int any_control(const char *p, size_t n)
{
	const char *e = p + n, *q, *qe;
	__m128i m0, m1;

	if (n < 16)
		return has_control(p, e);
	m0 = _mm_loadu_si128((const __m128i *)(const void *)p);
	m1 = _mm_loadu_si128((const __m128i *)(const void *)(e - 16));
	q = p + (16 - ((uintptr_t)p & 15));
	for (qe = q + ((size_t)(e - q) & ~(size_t)127); q != qe; q += 128)
		m0 = _mm_min_epu8(m0, _mm_min_epu8(
			_mm_min_epu8(_mm_min_epu8(load16(q), load16(q + 16)),
			             _mm_min_epu8(load16(q + 32), load16(q + 48))),
			_mm_min_epu8(_mm_min_epu8(load16(q + 64), load16(q + 80)),
			             _mm_min_epu8(load16(q + 96), load16(q + 112)))));
	for (; e - q >= 16; q += 16)
		m0 = _mm_min_epu8(m0, load16(q));
	m0 = _mm_min_epu8(m0, m1);
	/* A byte of m0 below 0x20 is one that min(m0, 0x1f) leaves as it is. */
	return _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(m0, _mm_set1_epi8(0x1f)), m0)) != 0;
}
#else
static int any_control(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, space = ones * 0x20;
	uint64_t w0, w1, w2, w3, c = 0;

	for (; n >= 32; p += 32, n -= 32) {
		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		memcpy(&w2, p + 16, 8);
		memcpy(&w3, p + 24, 8);
		c |= ((w0 - space) & ~w0) | ((w1 - space) & ~w1) |
		     ((w2 - space) & ~w2) | ((w3 - space) & ~w3);
	}
	return (c & ones * 0x80) != 0 || has_control(p, p + n);
}
#endif

/* p[0..n), n < 8, as memcpy would put it in the low bytes of a zeroed
 * word (the digests are kept in state files: the value must not change).
 * Little-endian: two loads that may overlap, or three bytes, instead of a
 * copy of variable length (a call or a byte loop). */
static INLINE uint64_t tail(const char *p, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t lo, hi;

	if (n >= 4) {
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		return lo | ((uint64_t)hi >> (8 * (8 - n))) << 32;
	}
	if (n == 0)
		return 0;
	return (uint64_t)(unsigned char)p[0] |
	       (uint64_t)(unsigned char)p[n / 2] << (8 * (n / 2)) |
	       (uint64_t)(unsigned char)p[n - 1] << (8 * (n - 1));
#else
	uint64_t w = 0;

	memcpy(&w, p, n);
	return w;
#endif
}

/* dk_event_digest's body, inlined into dk_event_identity (once per
 * event) as well. */
static INLINE uint64_t digest(const char *p, size_t n)
{
	const uint64_t k = 0x9E3779B97F4A7C15ULL;
	uint64_t h = n * k, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	w = tail(p, n);
	h = (h ^ w) * k;
	return h ^ (h >> 32);
}

uint64_t dk_event_digest(const char *p, size_t n)
{
	return digest(p, n);
}

uint64_t dk_event_identity(const struct dk_event *ev)
{
	const uint64_t k = 0x9E3779B97F4A7C15ULL;
	uint64_t h = digest(ev->id.p, ev->id.n);

	h = (h ^ digest(ev->action.p, ev->action.n)) * k;
	h = (h ^ digest(ev->type.p, ev->type.n)) * k;
	return h ^ (h >> 31);
}

/* jsmn's strict mode takes "tru", "01" or "1.2.3" too. */
int dk_json_primitive_ok(const char *p, size_t n)
{
	size_t i = 0, d;

	/* Numbers (time, timeNano) are the common case: literals only when
	 * the first byte says so. */
	if (n > 0 && (p[0] == 't' || p[0] == 'f' || p[0] == 'n'))
		return (n == 4 && (!memcmp(p, "true", 4) || !memcmp(p, "null", 4))) ||
		       (n == 5 && !memcmp(p, "false", 5));
	if (i < n && p[i] == '-')
		i++;
	if (i < n && p[i] == '0')
		i++;
	else if (i < n && p[i] >= '1' && p[i] <= '9')
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && p[i] == '.') {
		for (d = ++i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		for (d = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

/* A backslash in p[0..n)? Type, Action and scope are mostly 3 to 16
 * bytes: two words that may overlap, tested at once, instead of a call;
 * longer ones (Actor.ID) go to memchr. A zero byte of p ^ '\\'... is a
 * backslash of p: (x - 0x01...) & ~x has its top bit set in some byte
 * exactly when x has a zero byte. */
static INLINE int has_backslash(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, bs = ones * '\\';
	uint64_t a, b;
	uint32_t c, d;

	if (n >= 8 && n <= 16) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
		a ^= bs;
		b ^= bs;
		return ((((a - ones) & ~a) | ((b - ones) & ~b)) & (ones * 0x80)) != 0;
	}
	if (n >= 4 && n < 8) {
		memcpy(&c, p, 4);
		memcpy(&d, p + n - 4, 4);
		c ^= (uint32_t)bs;
		d ^= (uint32_t)bs;
		return ((((c - (uint32_t)ones) & ~c) | ((d - (uint32_t)ones) & ~d)) &
		        (uint32_t)(ones * 0x80)) != 0;
	}
	if (n < 4)
		return (n > 0 && p[0] == '\\') || (n > 1 && p[1] == '\\') ||
		       (n > 2 && p[2] == '\\');
	return memchr(p, '\\', n) != NULL;
}

/* A string field, unescaped into scratch only when it holds escapes. */
static INLINE void string_field(struct dk_event *ev, struct dk_str *dst,
                                const char *js, const jsmntok_t *t, int k)
{
	struct dk_str s = slice(js, t);
	long n;

	*dst = s;
	if (!has_backslash(s.p, s.n))
		return;
	n = dk_json_unescape(s.p, s.n, ev->scratch[k], DK_FIELD_MAX);
	dst->p = ev->scratch[k];
	dst->n = n >= 0 ? (size_t)n : strlen(ev->scratch[k]);
}

/* p[0..8) as eight decimal digits, or -1. Little-endian 64-bit targets
 * take them as one word (32-bit ones digit by digit, smaller there): each byte checked to be '0'..'9' (its high nibble 3, and
 * no carry out of the low one when 6 is added), then pairs, quads and the
 * two halves combined by multiplications (the first byte is the most
 * significant digit). timeNano's 19 digits cost three of these. */
static int64_t digits8(const char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
	UINTPTR_MAX > 0xFFFFFFFFu
	const uint64_t hi = 0xF0F0F0F0F0F0F0F0ULL, zeros = 0x3030303030303030ULL;
	uint64_t w;

	memcpy(&w, p, 8);
	if ((w & hi) != zeros || ((w + 0x0606060606060606ULL) & hi) != zeros)
		return -1;
	w -= zeros;
	w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FFULL;
	w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFFULL;
	w = (w * 10000 + (w >> 32)) & 0xFFFFFFFFULL;
	return (int64_t)w;
#else
	int64_t v = 0;
	int i;

	for (i = 0; i < 8; i++) {
		unsigned d = (unsigned)(p[i] - '0');
		if (d > 9)
			return -1;
		v = v * 10 + (int64_t)d;
	}
	return v;
#endif
}

/* A JSON integer as RFC 8259 writes it (optional '-', no leading zero)
 * that fits int64_t; anything else (fractions, exponents, overflow) gives
 * 0 and returns -1. Nineteen digits stay below 2^64 unsigned, so the
 * value is checked against INT64_MAX once, at the end. */
static INLINE int integer(struct dk_str s, int64_t *out)
{
	const char *p = s.p, *e = s.p + s.n;
	int neg = 0;
	uint64_t v = 0;
	int64_t v8;
	unsigned d;

	*out = 0;
	if (p < e && *p == '-')
		neg = 1, p++;
	if (p == e || e - p > 19 || (*p == '0' && e - p > 1))
		return -1;
	for (; e - p >= 8; p += 8) {
		v8 = digits8(p);
		if (v8 < 0)
			return -1;
		v = v * 100000000 + (uint64_t)v8;
	}
	for (; p < e; p++) {
		d = (unsigned)(*p - '0');
		if (d > 9)
			return -1;
		v = v * 10 + d;
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* time and timeNano: an integer, or (valid JSON all the same) any other
 * number, which gives 0. Returns whether the text is a JSON primitive. */
static int number_field(struct dk_str *text, int64_t *val, int *ok,
                        const char *js, const jsmntok_t *t)
{
	*text = slice(js, t);
	*ok = integer(*text, val) == 0;
	return *ok || dk_json_primitive_ok(text->p, text->n);
}

/* Keys compared by length first, then as one fixed-size memcmp that the
 * compiler turns into a load or two. */
#define key_at(js, t, n, want) \
	((t)->end - (t)->start == (n) && memcmp((js) + (t)->start, (want), (n)) == 0)

/* The validity walk. jsmn's strict mode checks tokens but not all that
 * lies between them (a missing or doubled ',' or ':' passes it, and so
 * does a key without a value), nor primitives ("tru", "01", "1.2.3"); nor
 * raw control bytes inside strings (string_control); these check the rest, each
 * container in a loop of its own (its counters in registers), and pick
 * the event's fields on the way: one pass over the tokens. Nesting is
 * bounded by DK_JSON_DEPTH (config.h). Each returns the index of the
 * token after what it checked, or -1 when the record is not JSON. */
struct walk {
	const char *js;
	int ntok;
};

static int container(const struct walk *w, int i, int depth);

/* The separator before a child whose text starts at a: prev is where the
 * previous child's text ended (so where its ',' should be), sep ','; or,
 * for the first child, the container's own bracket and sep that bracket.
 * Compact JSON, as engines send it, passes the first test. */
#define sep_ok(js, prev, a, sep) \
	(((a) - 1 == (prev) && (js)[prev] == (sep)) || \
	 gap_is((js), (sep) == ',' ? (prev) : (prev) + 1, (a), (sep) == ',' ? ',' : 0))

/* The start of a token's text: a string's opening quote. */
#define text_start(t) ((t)->start - ((t)->type == JSMN_STRING))

/* The key of an object member at tokens[i] (see sep_ok for prev and sep):
 * a string with one value, a ':' between them. */
static INLINE int key_ok(const struct walk *w, int i, int prev, char sep)
{
	const jsmntok_t *k = &tokens[i];
	int a;

	if (i + 1 >= w->ntok || k->type != JSMN_STRING || k->size != 1 ||
	    !sep_ok(w->js, prev, k->start - 1, sep))
		return 0;
	a = text_start(k + 1);
	return (a == k->end + 2 && w->js[k->end + 1] == ':') ||
	       gap_is(w->js, k->end + 1, a, ':');
}

/* After the last child (prev, sep as for sep_ok): only blanks before the
 * closing bracket at end - 1. */
#define close_ok(js, prev, end, sep) \
	((prev) == (end) - 1 || \
	 gap_is((js), (sep) == ',' ? (prev) : (prev) + 1, (end) - 1, 0))

/* The value at tokens[i] (its gap already checked); *end gets the offset
 * after it. */
static INLINE int value(const struct walk *w, int i, int depth, int *end) /* NOLINT(misc-no-recursion): depth bounded by DK_JSON_DEPTH */
{
	const jsmntok_t *t = &tokens[i];

	switch (t->type) {
	case JSMN_STRING:
		*end = t->end + 1;
		return i + 1;
	case JSMN_PRIMITIVE:
		if (!dk_json_primitive_ok(w->js + t->start, (size_t)(t->end - t->start)))
			return -1;
		*end = t->end;
		return i + 1;
	default:
		*end = t->end;
		return container(w, i, depth + 1);
	}
}

/* Any object or array at tokens[i], at nesting level depth. */
static int container(const struct walk *w, int i, int depth) /* NOLINT(misc-no-recursion) */
{
	const jsmntok_t *c = &tokens[i];
	const char *js = w->js;
	int n = c->size, prev = c->start, ntok = w->ntok;

	if (depth > DK_JSON_DEPTH)
		return -1;
	i++;
	if (c->type == JSMN_OBJECT) {
		char sep = '{';
		for (; n > 0; n--, sep = ',') {
			const jsmntok_t *k = &tokens[i], *last = &tokens[ntok - 1];
			/* A run of compact "key":"string" members, as every
			 * attribute an engine sends: key_ok's and value's tests
			 * in one, the text, the token and the count in
			 * registers. */
			while (k < last && k->start - 2 == prev && js[prev] == sep &&
			       k->type == JSMN_STRING && k->size == 1 &&
			       k[1].type == JSMN_STRING && k[1].start == k->end + 3 &&
			       js[k->end + 1] == ':') {
				prev = k[1].end + 1;
				k += 2;
				sep = ',';
				if (--n == 0)
					break;
			}
			i = (int)(k - tokens);
			if (n == 0)
				break;
			if (!key_ok(w, i, prev, sep))
				return -1;
			i = value(w, i + 1, depth, &prev);
			if (i < 0)
				return -1;
		}
		return close_ok(w->js, prev, c->end, sep) ? i : -1;
	} else {
		char sep = '[';
		for (; n > 0; n--, sep = ',') {
			if (i >= w->ntok || !sep_ok(w->js, prev, text_start(&tokens[i]), sep))
				return -1;
			i = value(w, i, depth, &prev);
			if (i < 0)
				return -1;
		}
		return close_ok(w->js, prev, c->end, sep) ? i : -1;
	}
}

/* key_ok's compact case on a token pointer, the first test of every
 * member in Actor and the root: sep just before the key's quote, ':' just
 * after it, the value's text just after that. k < last: a token (the
 * value) follows the key. */
#define compact_key(js, k, last, prev, sep) \
	((k) < (last) && (k)->start - 2 == (prev) && (js)[prev] == (sep) && \
	 (k)->type == JSMN_STRING && (k)->size == 1 && \
	 text_start((k) + 1) == (k)->end + 2 && (js)[(k)->end + 1] == ':')

/* Actor, an object at tokens[i] (level 2): ID and Attributes. */
static int actor(struct dk_event *ev, const struct walk *w, int i)
{
	const char *js = w->js;
	const jsmntok_t *c = &tokens[i], *k = c + 1, *last = &tokens[w->ntok - 1];
	int n = c->size, prev = c->start;
	char sep = '{';

	for (; n > 0; n--, sep = ',') {
		const jsmntok_t *t;
		if (!compact_key(js, k, last, prev, sep) &&
		    !key_ok(w, (int)(k - tokens), prev, sep))
			return -1;
		t = k + 1;
		if (t->type == JSMN_STRING) {
			if (key_at(js, k, 2, "ID"))
				string_field(ev, &ev->id, js, t, 2);
			prev = t->end + 1;
			k += 2;
			continue;
		}
		/* Ten bytes as eight and two: gcc calls memcmp for ten. */
		if (t->type == JSMN_OBJECT && k->end - k->start == 10 &&
		    memcmp(js + k->start, "Attribut", 8) == 0 &&
		    memcmp(js + k->start + 8, "es", 2) == 0) {
			ev->attrs = slice_whole(js, t);
			ev->nattrs = t->size;
		}
		i = value(w, (int)(t - tokens), 2, &prev);
		if (i < 0)
			return -1;
		k = &tokens[i];
	}
	return close_ok(js, prev, c->end, sep) ? (int)(k - tokens) : -1;
}

/* Key token k, which holds an escape, unescaped is want. Rare: only
 * for a key whose length fits want written with \u escapes. */
static int escaped_is(const char *js, const jsmntok_t *k, const char *want)
{
	char buf[40];
	size_t n = (size_t)(k->end - k->start);
	long m;

	if (!memchr(js + k->start, '\\', n))
		return 0;
	m = dk_json_unescape(js + k->start, n, buf, sizeof buf);
	return m >= 0 && (size_t)m == strlen(want) && memcmp(buf, want, (size_t)m) == 0;
}

/* A root key "dockev", whatever its value, is the agent's own mark
 * (dispatch.c): an engine record that carries it is refused. Written
 * with \u escapes it is the same key to a consumer: 6 + 5 bytes per
 * escaped letter. Asked only for keys the walk does not know. */
static void marked(struct dk_event *ev, const char *js, const jsmntok_t *k)
{
	int n = k->end - k->start;

	if (n == 6 ? key_at(js, k, 6, "dockev")
	           : n >= 11 && n <= 36 && (n - 6) % 5 == 0 &&
	             escaped_is(js, k, "dockev"))
		ev->marked = 1;
}

/* The root object (level 1): Type, Action, scope, time, timeNano and
 * HealthStatus, and Actor; by the value's type first, then by the key's
 * length. Returns 1 when the whole record is valid. */
static int root(struct dk_event *ev, const struct walk *w,
                struct dk_str *health, int *nano_ok)
{
	const char *js = w->js;
	const jsmntok_t *k = &tokens[1], *last = &tokens[w->ntok - 1];
	int n = tokens[0].size, prev = tokens[0].start, i, time_ok;
	char sep = '{';

	for (; n > 0; n--, sep = ',') {
		const jsmntok_t *t;
		if (!compact_key(js, k, last, prev, sep) &&
		    !key_ok(w, (int)(k - tokens), prev, sep))
			return 0;
		t = k + 1;
		switch (t->type) {
		case JSMN_STRING:
			switch (k->end - k->start) {
			case 4:
				if (key_at(js, k, 4, "Type"))
					string_field(ev, &ev->type, js, t, 0);
				break;
			case 5:
				if (key_at(js, k, 5, "scope"))
					string_field(ev, &ev->scope, js, t, 3);
				break;
			case 6:
				if (key_at(js, k, 6, "Action"))
					string_field(ev, &ev->action, js, t, 1);
				else
					marked(ev, js, k);
				break;
			case 12:
				if (key_at(js, k, 12, "HealthStatus"))
					*health = slice(js, t);
				break;
			default:
				marked(ev, js, k);
				break;
			}
			prev = t->end + 1;
			k += 2;
			continue;
		case JSMN_PRIMITIVE:
			/* time and timeNano: their parse is their check. */
			if (key_at(js, k, 8, "timeNano")) {
				if (!number_field(&ev->time_nano_text, &ev->time_nano,
				                  nano_ok, js, t))
					return 0;
			} else if (key_at(js, k, 4, "time")) {
				if (!number_field(&ev->time_text, &ev->time, &time_ok, js, t))
					return 0;
			} else if (!dk_json_primitive_ok(js + t->start,
			                                 (size_t)(t->end - t->start))) {
				return 0;
			} else {
				marked(ev, js, k);
			}
			prev = t->end;
			k += 2;
			continue;
		default:
			if (t->type == JSMN_OBJECT && key_at(js, k, 5, "Actor")) {
				i = actor(ev, w, (int)(t - tokens));
			} else {
				marked(ev, js, k);
				i = container(w, (int)(t - tokens), 2);
			}
			if (i < 0)
				return 0;
			prev = t->end;
			k = &tokens[i];
		}
	}
	return close_ok(js, prev, tokens[0].end, sep) && k - tokens == w->ntok;
}

/* A control byte inside a string (outside, jsmn refuses them but for
 * blanks)? Only asked when the record holds one: engine records do not. */
static int string_control(const char *js, int ntok)
{
	int i;

	for (i = 0; i < ntok; i++)
		if (tokens[i].type == JSMN_STRING &&
		    has_control(js + tokens[i].start, js + tokens[i].end))
			return 1;
	return 0;
}

int dk_event_parse(struct dk_event *ev, const char *rec, size_t len)
{
	int ntok, i, nano_ok = 0;
	size_t e = len;
	const struct dk_str none = { NULL, 0 };
	struct dk_str health = none;
	struct walk w;

	/* Every field before scratch, one store each: a memset of the ~200
	 * bytes is a `rep stos` at -O2, a tenth of this function's time on
	 * large events. test_event's reuse() checks that none is left out. */
	ev->json.p = rec;
	ev->json.n = len;
	ev->type = ev->action = ev->base = ev->detail = none;
	ev->id = ev->scope = ev->time_text = ev->time_nano_text = none;
	ev->attrs = none;
	ev->time = ev->time_nano = 0;
	ev->nattrs = ev->synthetic = ev->marked = 0;
	ev->cur_i = -1;
	ev->cur_off = 0;
	while (e > 0 && (rec[e - 1] == ' ' || rec[e - 1] == '\t' ||
	                 rec[e - 1] == '\r'))
		e--;
	ntok = dk_json_tokenize_event(rec, e);
	if (ntok == JSMN_ERROR_NOMEM)
		return DK_ERR_TOKENS;
	/* One object covering the whole record, nothing after it. */
	if (ntok < 1 || tokens[0].type != JSMN_OBJECT ||
	    (size_t)tokens[0].end != e)
		return DK_ERR_JSON;
	for (i = 0; i < (int)e && (rec[i] == ' ' || rec[i] == '\t'); i++)
		;
	w.js = rec;
	w.ntok = ntok;
	if (tokens[0].start != i || !root(ev, &w, &health, &nano_ok) ||
	    (any_control(rec, len) && string_control(rec, ntok)))
		return DK_ERR_JSON;
	if (!ev->type.p || !ev->action.p)
		return DK_ERR_EVENT;

	ev->base = ev->action;
	{
		const char *colon = memchr(ev->action.p, ':', ev->action.n);
		if (colon) {
			size_t b = (size_t)(colon - ev->action.p);
			ev->base.n = b;
			ev->detail.p = colon + 1;
			ev->detail.n = ev->action.n - b - 1;
			if (ev->detail.n > 0 && ev->detail.p[0] == ' ')
				ev->detail.p++, ev->detail.n--;
		} else {
			ev->detail.p = ev->action.p + ev->action.n;
		}
	}
	/* Podman says "health_status" bare, with the state in a top-level
	 * HealthStatus: the same detail as Docker's "health_status: healthy".
	 * Its values are plain words; one with an escape is not taken. */
	if (ev->detail.n == 0 && health.n > 0 && ev->base.n == 13 &&
	    memcmp(ev->base.p, "health_status", 13) == 0 &&
	    !memchr(health.p, '\\', health.n))
		ev->detail = health;
	if (!ev->id.p)
		ev->id.p = "";
	if (!ev->scope.p)
		ev->scope.p = "";
	if (!nano_ok)
		ev->time_nano = ev->time > 0 && ev->time < INT64_MAX / 1000000000
		                ? ev->time * 1000000000 : 0;
	return DK_OK;
}

/* Walking the Attributes text (valid JSON: dk_event_parse checked it). */
static size_t ws(const char *p, size_t i, size_t n)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return i;
}

/* p[i] is '"': the index after the closing quote. */
static size_t string_end(const char *p, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '"')
			return i + 1;
	}
	return n;
}

/* The index after the value that starts at p[i]. */
static size_t value_end(const char *p, size_t i, size_t n)
{
	int depth = 0;

	if (p[i] == '"')
		return string_end(p, i, n);
	if (p[i] != '{' && p[i] != '[') {
		while (i < n && p[i] != ',' && p[i] != '}' && p[i] != ']' &&
		       p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			i++;
		return i;
	}
	for (; i < n; i++) {
		if (p[i] == '"') {
			i = string_end(p, i, n) - 1;
		} else if (p[i] == '{' || p[i] == '[') {
			depth++;
		} else if ((p[i] == '}' || p[i] == ']') && --depth == 0) {
			return i + 1;
		}
	}
	return n;
}

/* The member at offset o of the Attributes text: its key (contents) and
 * value (a string's contents, else its whole text); returns the offset
 * of the next member. */
static size_t member(const struct dk_str *a, size_t o, struct dk_str *key,
                     struct dk_str *val)
{
	const char *p = a->p;
	size_t n = a->n, e;

	o = ws(p, o, n);
	e = string_end(p, o, n);
	key->p = p + o + 1;
	key->n = e - o - 2;
	o = ws(p, e, n) + 1; /* ':' */
	o = ws(p, o, n);
	e = value_end(p, o, n);
	if (p[o] == '"') {
		val->p = p + o + 1;
		val->n = e - o - 2;
	} else {
		val->p = p + o;
		val->n = e - o;
	}
	o = ws(p, e, n);
	return o < n && p[o] == ',' ? o + 1 : o;
}

int dk_event_attr(const struct dk_event *ev, int i, struct dk_str *key,
                  struct dk_str *raw_value)
{
	/* The cursor lives in the view (not const to its owner): walking
	 * i = 0, 1, 2 ... costs one member each, not a walk from the first. */
	struct dk_event *w = (struct dk_event *)ev;
	struct dk_str k, v;

	if (i < 0 || i >= ev->nattrs)
		return DK_ERR_PARAM;
	if (w->cur_i < 0 || w->cur_i > i) {
		w->cur_i = 0;
		w->cur_off = 1; /* after '{' */
	}
	for (;;) {
		size_t next = member(&ev->attrs, w->cur_off, &k, &v);
		if (w->cur_i == i) {
			*key = k;
			*raw_value = v;
			return DK_OK;
		}
		w->cur_off = next;
		w->cur_i++;
	}
}

long dk_event_attr_get(const struct dk_event *ev, const char *key, char *out,
                       size_t cap)
{
	size_t kl = strlen(key), o = 1;
	struct dk_str k, v;
	int i;

	for (i = 0; i < ev->nattrs; i++) {
		o = member(&ev->attrs, o, &k, &v);
		if (k.n == kl && memcmp(k.p, key, kl) == 0)
			return dk_json_unescape(v.p, v.n, out, cap);
	}
	return DK_ERR_ABSENT;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		int c = (unsigned char)p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t utf8(unsigned cp, char *b)
{
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	b[0] = (char)(0xF0 | (cp >> 18));
	b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	b[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

long dk_json_unescape(const char *p, size_t n, char *out, size_t cap)
{
	size_t i = 0, o = 0;

	if (cap == 0)
		return DK_ERR_NOSPACE;
	while (i < n) {
		char b[4];
		size_t bl = 1;
		unsigned cp, lo;

		if (p[i] != '\\' || i + 1 >= n) {
			b[0] = p[i++];
		} else {
			char c = p[i + 1];
			i += 2;
			switch (c) {
			case 'b': b[0] = '\b'; break;
			case 'f': b[0] = '\f'; break;
			case 'n': b[0] = '\n'; break;
			case 'r': b[0] = '\r'; break;
			case 't': b[0] = '\t'; break;
			case 'u':
				if (i + 4 > n || hex4(p + i, &cp)) {
					b[0] = 'u'; /* jsmn strict rejects this */
					break;
				}
				i += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= n &&
				    p[i] == '\\' && p[i + 1] == 'u' &&
				    !hex4(p + i + 2, &lo) && lo >= 0xDC00 &&
				    lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) +
					     (lo - 0xDC00);
					i += 6;
				} else if (cp >= 0xD800 && cp <= 0xDFFF) {
					cp = 0xFFFD;
				}
				bl = utf8(cp, b);
				break;
			default: b[0] = c; break; /* \" \\ \/ */
			}
		}
		if (o + bl >= cap) {
			out[o] = '\0';
			return DK_ERR_NOSPACE;
		}
		memcpy(out + o, b, bl);
		o += bl;
	}
	out[o] = '\0';
	return (long)o;
}

long dk_json_string(const char *body, size_t len, const char *key,
                    char *out, size_t cap)
{
	int ntok, i, k;
	size_t kl = strlen(key);

	if (cap > 0)
		out[0] = '\0';
	ntok = dk_json_tokenize(body, len, tokens, DK_TOKENS_MAX);
	if (ntok < 1 || tokens[0].type != JSMN_OBJECT)
		return DK_ERR_ABSENT;
	for (i = 1, k = 0; k < tokens[0].size && i + 1 < ntok; k++) {
		if (key_eq(body, &tokens[i], key, kl) &&
		    tokens[i + 1].type == JSMN_STRING) {
			struct dk_str v = slice(body, &tokens[i + 1]);
			long n = dk_json_unescape(v.p, v.n, out, cap);
			return n >= 0 ? n : (long)strlen(out);
		}
		i = skip(i + 1, ntok);
	}
	return DK_ERR_ABSENT;
}

/* Copy the string value after "key":" in p[0..n), raw, to out. */
static size_t find_value(const char *p, size_t n, const char *key, char *out,
                         size_t cap)
{
	size_t kl = strlen(key), i, o = 0;

	for (i = 0; i + kl <= n; i++) {
		if (memcmp(p + i, key, kl) != 0)
			continue;
		for (i += kl; i < n && p[i] != '"' && o + 1 < cap; i++)
			out[o++] = (char)((unsigned char)p[i] < 0x20 ? '?' : p[i]);
		break;
	}
	out[o] = '\0';
	return o;
}

void dk_event_identify(const char *p, size_t n, char *out, size_t cap)
{
	char type[32], action[48], id[24];
	size_t i;

	if (cap == 0)
		return;
	find_value(p, n, "\"Type\":\"", type, sizeof type);
	find_value(p, n, "\"Action\":\"", action, sizeof action);
	find_value(p, n, "\"ID\":\"", id, sizeof id);
	if (type[0] || action[0]) {
		snprintf(out, cap, "%s %s %s", type[0] ? type : "?",
		         action[0] ? action : "?", id[0] ? id : "?");
		return;
	}
	/* Nothing recognisable: its first bytes, printable only. */
	for (i = 0; i < n && i < 40 && i + 1 < cap; i++)
		out[i] = (char)((unsigned char)p[i] < 0x20 ||
		                (unsigned char)p[i] > 0x7e ? '?' : p[i]);
	out[i] = '\0';
}
