/* test_context.c - SHA-256 against the FIPS 180-4 / NIST example vectors
 * (whole, byte by byte, split at every position), config.json's
 * currentContext and meta.json's docker endpoint (whole, and every prefix
 * refused: the parsers take whole files, so a cut file must never pass),
 * every error, and the store's paths. */
#include <string.h>

#include "context.h"
#include "err.h"
#include "t.h"

static void hex(const unsigned char *d, char *out)
{
	static const char x[] = "0123456789abcdef";
	int i;
	for (i = 0; i < DK_SHA256_LEN; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[64] = '\0';
}

static void vector(const char *msg, const char *want)
{
	size_t n = strlen(msg), cut, i;
	unsigned char d[DK_SHA256_LEN];
	char got[65];
	struct dk_sha256 s;
	int split_ok = 1;

	dk_sha256_hex(msg, n, got);
	T_STR(got, 64, want, "sha256 of %zu bytes, whole", n);

	dk_sha256_init(&s);
	for (i = 0; i < n; i++)
		dk_sha256_update(&s, msg + i, 1);
	dk_sha256_final(&s, d);
	hex(d, got);
	T_STR(got, 64, want, "sha256 of %zu bytes, byte by byte", n);

	for (cut = 0; cut <= n; cut++) {
		dk_sha256_init(&s);
		dk_sha256_update(&s, msg, cut);
		dk_sha256_update(&s, msg + cut, n - cut);
		dk_sha256_final(&s, d);
		hex(d, got);
		if (strcmp(got, want) != 0)
			split_ok = 0;
	}
	T_OK(split_ok, "sha256 of %zu bytes, split at every position", n);
}

static void test_sha256(void)
{
	static char million[1000000];
	unsigned char d[DK_SHA256_LEN];
	char got[65], msg[130];
	struct dk_sha256 s;
	size_t i;

	/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional"). */
	vector("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	vector("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	vector("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	vector("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	       "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	/* Context names, as sha256sum computes them. */
	vector("default", "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f");
	vector("my-ctx", "2e949dbc66d8e770bad3c1d483a32c09f47684977c5793624a441c886e9d1abb");

	/* One million 'a' (NIST), in pieces of 1000 and whole. */
	memset(million, 'a', sizeof million);
	dk_sha256_init(&s);
	for (i = 0; i < 1000; i++)
		dk_sha256_update(&s, million + i * 1000, 1000);
	dk_sha256_final(&s, d);
	hex(d, got);
	T_STR(got, 64, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	      "sha256 of a million 'a', 1000 at a time");
	dk_sha256_hex(million, sizeof million, got);
	T_STR(got, 64, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	      "sha256 of a million 'a', whole");

	/* Padding edges (values from sha256sum): 55 bytes leave room for the
	 * 0x80 and the length in one block, 56 and 64 need a second; 119 two. */
	memset(msg, 'x', sizeof msg);
	msg[55] = '\0';
	vector(msg, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
	msg[55] = 'x';
	msg[56] = '\0';
	vector(msg, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e");
	msg[56] = 'x';
	msg[64] = '\0';
	vector(msg, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
	msg[64] = 'x';
	msg[119] = '\0';
	vector(msg, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c");
}

/* The input as a one-line TAP description: control bytes as '?'. */
static const char *show(const char *in)
{
	static char buf[4][100];
	static int k;
	char *b = buf[k++ & 3];
	size_t i;

	for (i = 0; in[i] && i < sizeof(buf[0]) - 4; i++)
		b[i] = (unsigned char)in[i] < 0x20 ? '?' : in[i];
	strcpy(b + i, in[i] ? "..." : "");
	return b;
}

/* Does only white space lie in js[from..)? */
static int ws_only(const char *js, size_t from)
{
	return js[from + strspn(js + from, " \t\r\n")] == '\0';
}

/* Refused prefixes: a config file cut anywhere is never taken, unless
 * the cut drops only white space (or leaves only white space: an empty
 * file). */
static int prefixes_refused_current(const char *js)
{
	char name[64];
	size_t n = strlen(js), cut;
	for (cut = 1; cut < n; cut++) {
		long r = dk_context_current(js, cut, name, sizeof name);
		if (r >= 0 && strspn(js, " \t\r\n") < cut && !ws_only(js, cut))
			return 0;
	}
	return 1;
}

static void current_ok(const char *js, const char *want)
{
	char name[DK_CONTEXT_NAME_MAX];
	long r = dk_context_current(js, strlen(js), name, sizeof name);
	T_EQ(r, (long)strlen(want), "currentContext of %s: length", show(js));
	T_STR(name, strlen(name), want, "currentContext of %s", show(js));
	T_OK(prefixes_refused_current(js), "every prefix of %s refused", show(js));
}

static void current_err(const char *js, int want)
{
	char name[16];
	long r;
	strcpy(name, "junk");
	r = dk_context_current(js, strlen(js), name, sizeof name);
	T_EQ(r, want, "'%s': %s", show(js), dk_strerror(want));
	T_OK(name[0] == '\0', "'%s': name left empty", show(js));
}

static void test_current(void)
{
	char big[DK_CONTEXT_TOKENS_MAX * 4 + 64], name[8];
	size_t o;
	int i;

	current_ok("{\"currentContext\":\"my-ctx\"}", "my-ctx");
	current_ok("{\n\t\"auths\": {\"r.example\": {\"auth\": \"eDp5\"}},\n"
	           "\t\"currentContext\": \"remote\",\n\t\"plugins\": [1, 2.5e3, "
	           "true, false, null, {\"a\": []}]\n}\n", "remote");
	current_ok("{}", "");
	current_ok("  {\"currentContext\":null}  ", "");
	current_ok("{\"currentContext\":\"\"}", "");
	current_ok("{\"CURRENTCONTEXT\":\"a\",\"currentcontext\":\"b\"}", "b");
	current_ok("{\"currentContext\":\"a\",\"currentContext\":null}", "");
	current_ok("{\"current\\u0043ontext\":\"\\u00e9t\\u00e9\"}", "\xc3\xa9t\xc3\xa9");
	current_ok("{\"x\":{\"currentContext\":\"nested\"}}", "");
	T_EQ(dk_context_current("", 0, name, sizeof name), 0, "empty file: none");
	T_EQ(dk_context_current(" \n", 2, name, sizeof name), 0,
	     "white space only: none");

	current_err("[]", DK_ERR_CONFIG_JSON);
	current_err("\"x\"", DK_ERR_CONFIG_JSON);
	current_err("{", DK_ERR_CONFIG_JSON);
	current_err("{}}", DK_ERR_CONFIG_JSON);
	current_err("{} {}", DK_ERR_CONFIG_JSON);
	current_err("{}x", DK_ERR_CONFIG_JSON);
	current_err("{\"a\" \"b\"}", DK_ERR_CONFIG_JSON);
	current_err("{\"a\":1 \"b\":2}", DK_ERR_CONFIG_JSON);
	current_err("{\"a\":[1 2]}", DK_ERR_CONFIG_JSON);
	current_err("{\"a\":[1,]}", DK_ERR_CONFIG_JSON);
	current_err("{\"a\":1,}", DK_ERR_CONFIG_JSON);
	current_err("{,\"a\":1}", DK_ERR_CONFIG_JSON);
	current_err("{\"a\":tru}", DK_ERR_CONFIG_JSON);
	current_err("{\"a\":01}", DK_ERR_CONFIG_JSON);
	current_err("{\"a\":1.}", DK_ERR_CONFIG_JSON);
	current_err("{\"a\":\"x\ty\"}", DK_ERR_CONFIG_JSON);
	current_err("{\"a\001\": 1}", DK_ERR_CONFIG_JSON); /* fuzz_context found it */
	current_err("{\"a\":\"\\x\"}", DK_ERR_CONFIG_JSON);
	current_err("{1:2}", DK_ERR_CONFIG_JSON);
	current_err("{\"currentContext\":7}", DK_ERR_CONFIG_TYPE);
	current_err("{\"currentContext\":true}", DK_ERR_CONFIG_TYPE);
	current_err("{\"currentContext\":[\"a\"]}", DK_ERR_CONFIG_TYPE);
	current_err("{\"currentContext\":\"sixteen-bytes-xy\"}", DK_ERR_NOSPACE);
	current_err("{\"currentContext\":\"a\\u0000b\"}", DK_ERR_NOSPACE);
	{
		char nul[] = "{\"currentContext\":\"a\"}\0x";
		long r = dk_context_current(nul, sizeof nul - 1, name, sizeof name);
		T_EQ(r, DK_ERR_CONFIG_JSON, "a NUL byte after the object: not valid");
	}

	/* Nesting beyond the bound, and more tokens than the array. */
	o = 0;
	big[o++] = '{';
	memcpy(big + o, "\"a\":", 4);
	o += 4;
	for (i = 0; i < 40; i++)
		big[o++] = '[';
	for (i = 0; i < 40; i++)
		big[o++] = ']';
	big[o++] = '}';
	big[o] = '\0';
	current_err(big, DK_ERR_CONFIG_JSON);
	o = 0;
	big[o++] = '[';
	for (i = 0; i < DK_CONTEXT_TOKENS_MAX; i++) {
		memcpy(big + o, "1,", 2);
		o += 2;
	}
	big[o++] = '1';
	big[o++] = ']';
	big[o] = '\0';
	{
		char obj[sizeof big + 16];
		snprintf(obj, sizeof obj, "{\"a\":%s}", big);
		current_err(obj, DK_ERR_CONFIG_BIG);
	}

	T_EQ(dk_context_current(NULL, 0, name, sizeof name), DK_ERR_PARAM, "NULL json");
	T_EQ(dk_context_current("{}", 2, name, 0), DK_ERR_PARAM, "no room for a name");
}

static int prefixes_refused_ep(const char *js)
{
	struct dk_context_ep ep;
	size_t n = strlen(js), cut;
	for (cut = 0; cut < n; cut++)
		if (dk_context_endpoint(js, cut, &ep) == DK_OK && !ws_only(js, cut))
			return 0;
	return 1;
}

static void ep_ok(const char *js, const char *host, int skip)
{
	struct dk_context_ep ep;
	int r = dk_context_endpoint(js, strlen(js), &ep);
	T_EQ(r, DK_OK, "meta %s: ok", show(js));
	T_STR(ep.host, strlen(ep.host), host, "meta %s: Host", show(js));
	T_EQ(ep.skip_tls_verify, skip, "meta %s: SkipTLSVerify", show(js));
	T_OK(prefixes_refused_ep(js), "meta %s: every prefix refused", show(js));
}

static void ep_err(const char *js, int want)
{
	struct dk_context_ep ep;
	int r;
	memset(&ep, 'x', sizeof ep);
	r = dk_context_endpoint(js, strlen(js), &ep);
	T_EQ(r, want, "meta '%s': %s", show(js), dk_strerror(want));
	T_OK(ep.host[0] == '\0' && ep.skip_tls_verify == 0,
	     "meta '%s': endpoint left empty", show(js));
}

static void test_endpoint(void)
{
	char js[DK_CONTEXT_HOST_MAX + 64], host[DK_CONTEXT_HOST_MAX + 1];

	/* As `docker context create` writes it. */
	ep_ok("{\"Name\":\"remote\",\"Metadata\":{\"Description\":\"edge box\"},"
	      "\"Endpoints\":{\"docker\":{\"Host\":\"tcp://10.0.0.5:2376\","
	      "\"SkipTLSVerify\":false}}}", "tcp://10.0.0.5:2376", 0);
	ep_ok("{\"Name\":\"x\",\"Metadata\":{},\"Endpoints\":{\"docker\":"
	      "{\"Host\":\"unix:///run/user/1000/docker.sock\",\"SkipTLSVerify\":true}}}",
	      "unix:///run/user/1000/docker.sock", 1);
	ep_ok("{\"endpoints\":{\"docker\":{\"host\":\"tcp://h:1\",\"skiptlsverify\":true}}}",
	      "tcp://h:1", 1);
	ep_ok("{\"Endpoints\":{\"docker\":{}}}", "", 0);
	ep_ok("{\"Endpoints\":{\"docker\":{\"Host\":null,\"SkipTLSVerify\":null}}}", "", 0);
	ep_ok("{\"Endpoints\":{\"docker\":{\"Host\":\"a\",\"Host\":null}}}", "a", 0);
	ep_ok("{\"Endpoints\":{\"docker\":{\"Host\":\"a\",\"Host\":\"b\"}}}", "b", 0);
	ep_ok("{\"Endpoints\":{\"docker\":{\"Host\":\"a\"},\"docker\":{\"Host\":\"c\"}}}", "c", 0);
	ep_ok("{\"Endpoints\":{\"docker\":{\"Host\":\"a\"}},\"Endpoints\":{\"k8s\":{}}}", "a", 0);
	ep_ok("{\"Endpoints\":{\"kubernetes\":{\"Host\":\"k\"},\"docker\":{\"Host\":\"tcp:\\/\\/h\"}}}",
	      "tcp://h", 0);
	ep_ok("{\"Name\":null,\"Endpoints\":{\"docker\":{\"Host\":\"x\",\"Extra\":[1,{\"a\":2}]}}}",
	      "x", 0);

	ep_err("{}", DK_ERR_NO_ENDPOINT);
	ep_err("{\"Endpoints\":{}}", DK_ERR_NO_ENDPOINT);
	ep_err("{\"Endpoints\":null}", DK_ERR_NO_ENDPOINT);
	ep_err("{\"Endpoints\":{\"Docker\":{\"Host\":\"x\"}}}", DK_ERR_NO_ENDPOINT);
	ep_err("{\"Endpoints\":{\"docker\":null}}", DK_ERR_NO_ENDPOINT);
	ep_err("{\"Endpoints\":{\"docker\":{}},\"Endpoints\":null}", DK_ERR_NO_ENDPOINT);
	ep_err("{\"Endpoints\":{\"docker\":{\"Host\":\"x\"}}", DK_ERR_CONFIG_JSON);
	ep_err("", DK_ERR_CONFIG_JSON);
	ep_err("null", DK_ERR_CONFIG_JSON);
	ep_err("{\"Endpoints\":[]}", DK_ERR_CONFIG_TYPE);
	ep_err("{\"Endpoints\":{\"docker\":\"tcp://h\"}}", DK_ERR_CONFIG_TYPE);
	ep_err("{\"Endpoints\":{\"docker\":{\"Host\":2375}}}", DK_ERR_CONFIG_TYPE);
	ep_err("{\"Endpoints\":{\"docker\":{\"SkipTLSVerify\":\"true\"}}}", DK_ERR_CONFIG_TYPE);
	ep_err("{\"Endpoints\":{\"docker\":{\"SkipTLSVerify\":1}}}", DK_ERR_CONFIG_TYPE);
	ep_err("{\"Name\":7,\"Endpoints\":{\"docker\":{}}}", DK_ERR_CONFIG_TYPE);
	ep_err("{\"Endpoints\":{\"docker\":{\"Host\":\"a\\u0000\"}}}", DK_ERR_NOSPACE);

	/* Host: DK_CONTEXT_HOST_MAX - 1 bytes fit, one more does not. */
	memset(host, 'h', sizeof host);
	host[DK_CONTEXT_HOST_MAX - 1] = '\0';
	snprintf(js, sizeof js, "{\"Endpoints\":{\"docker\":{\"Host\":\"%s\"}}}", host);
	{
		struct dk_context_ep ep;
		T_EQ(dk_context_endpoint(js, strlen(js), &ep), DK_OK, "longest Host fits");
		T_EQ(strlen(ep.host), DK_CONTEXT_HOST_MAX - 1, "longest Host whole");
	}
	host[DK_CONTEXT_HOST_MAX - 1] = 'h';
	host[DK_CONTEXT_HOST_MAX] = '\0';
	snprintf(js, sizeof js, "{\"Endpoints\":{\"docker\":{\"Host\":\"%s\"}}}", host);
	ep_err(js, DK_ERR_NOSPACE);

	T_EQ(dk_context_endpoint(NULL, 0, NULL), DK_ERR_PARAM, "NULL arguments");
}

static void test_paths(void)
{
	char buf[256];

	T_EQ(dk_context_meta_path(buf, sizeof buf, "/home/u/.docker", "my-ctx"), DK_OK,
	     "meta path");
	T_STR(buf, strlen(buf), "/home/u/.docker/contexts/meta/"
	      "2e949dbc66d8e770bad3c1d483a32c09f47684977c5793624a441c886e9d1abb/meta.json",
	      "meta path: contexts/meta/<sha256 hex>/meta.json");
	T_EQ(dk_context_meta_path(buf, sizeof buf, "/cfg//", "default"), DK_OK,
	     "meta path, trailing slashes");
	T_STR(buf, strlen(buf), "/cfg/contexts/meta/"
	      "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f/meta.json",
	      "trailing slashes of DOCKER_CONFIG dropped");
	T_EQ(dk_context_tls_path(buf, sizeof buf, "/", "my-ctx", ""), DK_OK, "TLS dir");
	T_STR(buf, strlen(buf), "/contexts/tls/"
	      "2e949dbc66d8e770bad3c1d483a32c09f47684977c5793624a441c886e9d1abb/docker",
	      "TLS dir: contexts/tls/<sha256 hex>/docker");
	T_EQ(dk_context_tls_path(buf, sizeof buf, "/c", "my-ctx", "ca.pem"), DK_OK,
	     "TLS file");
	T_STR(buf, strlen(buf), "/c/contexts/tls/"
	      "2e949dbc66d8e770bad3c1d483a32c09f47684977c5793624a441c886e9d1abb/docker/ca.pem",
	      "TLS file: .../docker/ca.pem");
	/* 2 + 15 + 64 + 10 = 91 bytes and the NUL: 92 fit, 91 do not. */
	T_EQ(dk_context_meta_path(buf, 92, "/c", "my-ctx"), DK_OK, "meta path in 92 bytes");
	T_EQ(dk_context_meta_path(buf, 91, "/c", "my-ctx"), DK_ERR_NOSPACE,
	     "meta path in 91 bytes: too small");
	T_OK(buf[0] == '\0', "a path that does not fit leaves \"\"");
	T_EQ(dk_context_tls_path(buf, 80, "/c", "my-ctx", "ca.pem"), DK_ERR_NOSPACE,
	     "TLS path too long");
	T_EQ(dk_context_meta_path(NULL, 1, "/c", "x"), DK_ERR_PARAM, "NULL buffer");
}

int main(void)
{
	test_sha256();
	test_current();
	test_endpoint();
	test_paths();
	return T_DONE();
}
