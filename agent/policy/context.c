/* context.c - docker CLI contexts as docker/cli stores them
 * (cli/context/store: meta/<sha256 hex>/meta.json, tls/<sha256 hex>/docker/;
 * cli/config/configfile: currentContext), and SHA-256 per FIPS 180-4 §6.2,
 * written here so that a TLS=none build has it too.
 *
 * A reader of JSON besides event.c: event.c's validity walk and key
 * compare are static to it and shaped for event records, so this file has
 * its own, and its own token array; it tokenizes with jsontok.c's jsmn
 * (strict mode, a fresh parser per file).
 */
#include <string.h>
#include "context.h"
#include "err.h"
#include "event.h" /* dk_json_unescape, dk_json_primitive_ok */
#include "jsontok.h"

/* ---- SHA-256 ---------------------------------------------------------------- */

/* FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

void dk_sha256_init(struct dk_sha256 *s)
{
	/* §5.3.3: the square roots of the first 8 primes. */
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};
	memcpy(s->h, h0, sizeof h0);
	s->bits = 0;
	s->fill = 0;
}

/* §6.2.2: one 512-bit block, big-endian words. */
static void compress(uint32_t h[8], const unsigned char *b)
{
	uint32_t w[64], v[8], t1, t2;
	int t;

	for (t = 0; t < 16; t++, b += 4)
		w[t] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		       (uint32_t)b[2] << 8 | (uint32_t)b[3];
	for (; t < 64; t++) {
		uint32_t s0 = ROTR(w[t - 15], 7) ^ ROTR(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = ROTR(w[t - 2], 17) ^ ROTR(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = s1 + w[t - 7] + s0 + w[t - 16];
	}
	memcpy(v, h, sizeof v);
	for (t = 0; t < 64; t++) {
		/* v: a b c d e f g h */
		t1 = v[7] + (ROTR(v[4], 6) ^ ROTR(v[4], 11) ^ ROTR(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + K[t] + w[t];
		t2 = (ROTR(v[0], 2) ^ ROTR(v[0], 13) ^ ROTR(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof v[0]);
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (t = 0; t < 8; t++)
		h[t] += v[t];
}

void dk_sha256_update(struct dk_sha256 *s, const void *p, size_t n)
{
	const unsigned char *b = p;

	s->bits += (uint64_t)n * 8;
	while (n > 0) {
		size_t k = 64 - s->fill < n ? 64 - s->fill : n;
		if (s->fill == 0 && n >= 64) {
			compress(s->h, b);
			k = 64;
		} else {
			memcpy(s->block + s->fill, b, k);
			s->fill += k;
			if (s->fill == 64) {
				compress(s->h, s->block);
				s->fill = 0;
			}
		}
		b += k;
		n -= k;
	}
}

/* §5.1.1: a 1 bit, zeros to 448 mod 512, the length in 64 bits. */
void dk_sha256_final(struct dk_sha256 *s, unsigned char out[DK_SHA256_LEN])
{
	uint64_t bits = s->bits;
	int i;

	s->block[s->fill++] = 0x80;
	if (s->fill > 56) {
		memset(s->block + s->fill, 0, 64 - s->fill);
		compress(s->h, s->block);
		s->fill = 0;
	}
	memset(s->block + s->fill, 0, 56 - s->fill);
	for (i = 0; i < 8; i++)
		s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress(s->h, s->block);
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

void dk_sha256_hex(const void *p, size_t n, char out[2 * DK_SHA256_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[DK_SHA256_LEN];
	struct dk_sha256 s;
	size_t i;

	dk_sha256_init(&s);
	dk_sha256_update(&s, p, n);
	dk_sha256_final(&s, d);
	for (i = 0; i < DK_SHA256_LEN; i++) {
		*out++ = hex[d[i] >> 4];
		*out++ = hex[d[i] & 15];
	}
	*out = '\0';
}

/* ---- JSON: the whole file tokenized, checked, then looked up ---------------- */

static jsmntok_t tokens[DK_CONTEXT_TOKENS_MAX];

/* The value nesting accepted; docker's files nest three or four deep. */
#define DEPTH_MAX 32

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Outer start of a token: strings begin at their quote. */
static int outer_start(const jsmntok_t *t)
{
	return t->type == JSMN_STRING ? t->start - 1 : t->start;
}

/* From pos, white space, then sep (when not 0) and white space again;
 * the position after that, or -1 when sep is missing or pos is -1 (the
 * failure of what came before). */
static int gap(const char *js, int pos, int end, char sep)
{
	if (pos < 0)
		return -1;
	while (pos < end && is_ws(js[pos]))
		pos++;
	if (!sep)
		return pos;
	if (pos >= end || js[pos] != sep)
		return -1;
	for (pos++; pos < end && is_ws(js[pos]); pos++)
		;
	return pos;
}

/* The value at token *i and all inside it; *i moves past its subtree.
 * jsmn checks tokens, not what lies between them (a missing ',' or ':'
 * passes) nor raw control bytes in strings: this does. Returns the
 * position after the value, or -1 when it is not valid JSON. */
/* Recursion bounded by DEPTH_MAX, a few words a level. */
static int check(const char *js, int *i, int ntok, int depth) /* NOLINT(misc-no-recursion) */
{
	const jsmntok_t *t;
	int k, pos, end;

	if (*i >= ntok || depth > DEPTH_MAX)
		return -1;
	t = &tokens[(*i)++];
	if (t->type == JSMN_STRING) {
		for (k = t->start; k < t->end; k++)
			if ((unsigned char)js[k] < 0x20)
				return -1;
		return t->end + 1;
	}
	if (t->type == JSMN_PRIMITIVE)
		return dk_json_primitive_ok(js + t->start, (size_t)(t->end - t->start))
		       ? t->end : -1;
	if (t->type != JSMN_OBJECT && t->type != JSMN_ARRAY)
		return -1;
	end = t->end - 1; /* the closing bracket */
	pos = t->start + 1;
	for (k = 0; k < t->size; k++) {
		pos = gap(js, pos, end, k > 0 ? ',' : 0);
		if (pos < 0 || *i >= ntok || outer_start(&tokens[*i]) != pos)
			return -1;
		if (t->type == JSMN_OBJECT) {
			if (tokens[*i].type != JSMN_STRING || tokens[*i].size != 1)
				return -1;
			pos = gap(js, check(js, i, ntok, depth + 1), end, ':');
			if (pos < 0 || *i >= ntok || outer_start(&tokens[*i]) != pos)
				return -1;
		}
		pos = check(js, i, ntok, depth + 1);
		if (pos < 0)
			return -1;
	}
	return gap(js, pos, end, 0) == end ? t->end : -1;
}

/* Tokenize and check js[0..len): one object, white space around it.
 * Returns the token count, or a negative dk_err. */
static int parse(const char *js, size_t len)
{
	int ntok, i = 0, end;

	ntok = dk_json_tokenize(js, len, tokens, DK_CONTEXT_TOKENS_MAX);
	if (ntok == JSMN_ERROR_NOMEM)
		return DK_ERR_CONFIG_BIG;
	if (ntok < 1 || tokens[0].type != JSMN_OBJECT ||
	    gap(js, 0, (int)len, 0) != tokens[0].start)
		return DK_ERR_CONFIG_JSON;
	end = check(js, &i, ntok, 0);
	if (end < 0 || i != ntok || gap(js, end, (int)len, 0) != (int)len)
		return DK_ERR_CONFIG_JSON;
	return ntok;
}

/* Index of the token after the subtree at i. */
static int skip(int i, int ntok)
{
	int pending = 1;

	while (pending > 0 && i < ntok) {
		pending += tokens[i].size - 1;
		i++;
	}
	return i;
}

static int lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Is the key token t want? fold: as Go matches a struct field's name
 * (ASCII letters in any case); else exactly (a map key). A key written
 * with escapes is compared unescaped. */
static int key_is(const char *js, const jsmntok_t *t, const char *want,
                  int fold)
{
	char buf[64];
	const char *k = js + t->start;
	size_t n = (size_t)(t->end - t->start), i;

	if (memchr(k, '\\', n)) {
		long u = dk_json_unescape(k, n, buf, sizeof buf);
		if (u < 0)
			return 0; /* longer than any key we look for */
		k = buf;
		n = (size_t)u;
	}
	if (n != strlen(want))
		return 0;
	for (i = 0; i < n; i++)
		if (fold ? lower((unsigned char)k[i]) != lower((unsigned char)want[i])
		         : k[i] != want[i])
			return 0;
	return 1;
}

static int is_null(const char *js, const jsmntok_t *t)
{
	return t->type == JSMN_PRIMITIVE && js[t->start] == 'n';
}

/* A string value, unescaped into out; DK_ERR_NOSPACE when it does not
 * fit or holds a NUL (a C string would end there). */
static long string_value(const char *js, const jsmntok_t *t, char *out,
                         size_t cap)
{
	long n = dk_json_unescape(js + t->start, (size_t)(t->end - t->start),
	                          out, cap);
	if (n < 0 || strlen(out) != (size_t)n) {
		if (cap > 0)
			out[0] = '\0';
		return DK_ERR_NOSPACE;
	}
	return n;
}

long dk_context_current(const char *json, size_t len, char *name, size_t cap)
{
	int ntok, i, k, val = -1;

	if (!json || !name || cap == 0)
		return DK_ERR_PARAM;
	name[0] = '\0';
	if (gap(json, 0, (int)len, 0) == (int)len)
		return 0; /* an empty file: Go's decoder says EOF, the CLI goes on */
	ntok = parse(json, len);
	if (ntok < 0)
		return ntok;
	for (i = 1, k = 0; k < tokens[0].size; k++) {
		if (key_is(json, &tokens[i], "currentContext", 1))
			val = i + 1;
		i = skip(i + 1, ntok);
	}
	if (val < 0 || is_null(json, &tokens[val]))
		return 0;
	if (tokens[val].type != JSMN_STRING)
		return DK_ERR_CONFIG_TYPE;
	return string_value(json, &tokens[val], name, cap);
}

/* Endpoints.docker's own fields. A null Host or SkipTLSVerify changes
 * nothing, as null does to a Go string or bool. */
static int docker_fields(const char *js, int d, int ntok,
                         struct dk_context_ep *ep)
{
	int i, k;

	for (i = d + 1, k = 0; k < tokens[d].size; k++) {
		const jsmntok_t *v = &tokens[i + 1];
		if (key_is(js, &tokens[i], "Host", 1) && !is_null(js, v)) {
			if (v->type != JSMN_STRING)
				return DK_ERR_CONFIG_TYPE;
			if (string_value(js, v, ep->host, sizeof ep->host) < 0)
				return DK_ERR_NOSPACE;
		} else if (key_is(js, &tokens[i], "SkipTLSVerify", 1) &&
		           !is_null(js, v)) {
			if (v->type != JSMN_PRIMITIVE ||
			    (js[v->start] != 't' && js[v->start] != 'f'))
				return DK_ERR_CONFIG_TYPE;
			ep->skip_tls_verify = js[v->start] == 't';
		}
		i = skip(i + 1, ntok);
	}
	return DK_OK;
}

int dk_context_endpoint(const char *json, size_t len,
                        struct dk_context_ep *ep)
{
	int ntok, i, k, docker = -1;

	if (!json || !ep)
		return DK_ERR_PARAM;
	memset(ep, 0, sizeof *ep);
	ntok = parse(json, len);
	if (ntok < 0)
		return ntok;
	/* Go decodes repeated "Endpoints" objects into one map, so a later
	 * one adds to an earlier one, and null empties it; within a map the
	 * last "docker" wins, and a null one is no endpoint. */
	for (i = 1, k = 0; k < tokens[0].size; k++) {
		const jsmntok_t *key = &tokens[i], *v = &tokens[i + 1];
		if (key_is(json, key, "Name", 1) && v->type != JSMN_STRING &&
		    !is_null(json, v))
			return DK_ERR_CONFIG_TYPE;
		if (key_is(json, key, "Endpoints", 1)) {
			int j, m;
			if (is_null(json, v)) {
				docker = -1;
			} else if (v->type != JSMN_OBJECT) {
				return DK_ERR_CONFIG_TYPE;
			} else {
				for (j = i + 2, m = 0; m < v->size; m++) {
					if (key_is(json, &tokens[j], "docker", 0))
						docker = j + 1;
					j = skip(j + 1, ntok);
				}
			}
		}
		i = skip(i + 1, ntok);
	}
	if (docker < 0 || is_null(json, &tokens[docker]))
		return DK_ERR_NO_ENDPOINT;
	if (tokens[docker].type != JSMN_OBJECT)
		return DK_ERR_CONFIG_TYPE;
	k = docker_fields(json, docker, ntok, ep);
	if (k != DK_OK)
		memset(ep, 0, sizeof *ep);
	return k;
}

/* ---- paths in the store ------------------------------------------------------ */

/* dir (without trailing '/'), then the parts, into buf. */
static int join(char *buf, size_t cap, const char *dir, const char *a,
                const char *b, const char *c)
{
	const char *part[4];
	size_t n = strlen(dir), o, i, l;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n >= cap)
		return DK_ERR_NOSPACE;
	memmove(buf, dir, n); /* dir may be buf itself */
	o = n;
	part[0] = a;
	part[1] = b;
	part[2] = c;
	part[3] = NULL;
	for (i = 0; part[i]; i++) {
		l = strlen(part[i]);
		if (l == 0)
			continue;
		if (o + 1 + l >= cap)
			return DK_ERR_NOSPACE;
		if (o == 0 || buf[o - 1] != '/')
			buf[o++] = '/';
		memcpy(buf + o, part[i], l);
		o += l;
	}
	buf[o] = '\0';
	return DK_OK;
}

int dk_context_meta_path(char *buf, size_t cap, const char *config_dir,
                         const char *name)
{
	char id[2 * DK_SHA256_LEN + 1];
	int r;

	if (!buf || !config_dir || !name || cap == 0)
		return DK_ERR_PARAM;
	dk_sha256_hex(name, strlen(name), id);
	r = join(buf, cap, config_dir, "contexts/meta", id, "meta.json");
	if (r != DK_OK)
		buf[0] = '\0';
	return r;
}

int dk_context_tls_path(char *buf, size_t cap, const char *config_dir,
                        const char *name, const char *file)
{
	char id[2 * DK_SHA256_LEN + 1];
	int r;

	if (!buf || !config_dir || !name || !file || cap == 0)
		return DK_ERR_PARAM;
	dk_sha256_hex(name, strlen(name), id);
	r = join(buf, cap, config_dir, "contexts/tls", id, "docker");
	if (r == DK_OK && *file)
		r = join(buf, cap, buf, file, NULL, NULL);
	if (r != DK_OK)
		buf[0] = '\0';
	return r;
}
