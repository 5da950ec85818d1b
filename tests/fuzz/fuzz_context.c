/* fuzz_context.c - docker's config.json and a context's meta.json as the
 * agent reads them: any bytes give a name or an endpoint that is a whole C
 * string within its buffer, or an error; SHA-256 of the same bytes in two
 * pieces equals the whole. The input is copied to a buffer of its own
 * size, so ASan sees any read past the file's end. */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "config.h"
#include "context.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[DK_CONTEXT_NAME_MAX], a[65], b[65], *js;
	unsigned char d[DK_SHA256_LEN];
	struct dk_context_ep ep;
	struct dk_sha256 s;
	long r;
	int i;

	if (size > DK_CONTEXT_FILE_MAX)
		return 0;
	js = malloc(size ? size : 1);
	if (!js)
		return 0;
	memcpy(js, data, size);
	r = dk_context_current(js, size, name, sizeof name);
	if (r >= 0 && (!memchr(name, '\0', sizeof name) || strlen(name) != (size_t)r))
		__builtin_trap();
	if (dk_context_endpoint(js, size, &ep) == DK_OK &&
	    (!memchr(ep.host, '\0', sizeof ep.host) ||
	     (ep.skip_tls_verify != 0 && ep.skip_tls_verify != 1)))
		__builtin_trap();
	dk_sha256_hex(js, size, a);
	dk_sha256_init(&s);
	dk_sha256_update(&s, js, size / 3);
	dk_sha256_update(&s, js + size / 3, size - size / 3);
	dk_sha256_final(&s, d);
	for (i = 0; i < DK_SHA256_LEN; i++) {
		b[2 * i] = "0123456789abcdef"[d[i] >> 4];
		b[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	b[64] = '\0';
	if (strcmp(a, b) != 0)
		__builtin_trap();
	free(js);
	return 0;
}
