/* context.h - docker CLI contexts: the pure part of finding the engine as
 * `docker` does. Reads the current context's name from config.json and a
 * context's docker endpoint from its meta.json (both given as bytes by the
 * caller, who reads the files), and names the files of the context store
 * under $DOCKER_CONFIG/contexts/, where a context lives in a directory named
 * by the SHA-256 of its name (hex). No I/O here.
 */
#ifndef DK_CONTEXT_H
#define DK_CONTEXT_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------ */

#define DK_SHA256_LEN 32

/* Zero-initialisable after dk_sha256_init; holds no pointer. */
struct dk_sha256 {
	uint32_t h[8];          /* the hash value H(i) */
	uint64_t bits;          /* message length so far, bits (mod 2^64) */
	unsigned char block[64];
	size_t fill;            /* bytes in block */
};

void dk_sha256_init(struct dk_sha256 *s);
/* Add p[0..n) to the message; any split of the message gives the same
 * digest. */
void dk_sha256_update(struct dk_sha256 *s, const void *p, size_t n);
/* Pad, write the 32-byte digest to out; s must be re-initialised after. */
void dk_sha256_final(struct dk_sha256 *s, unsigned char out[DK_SHA256_LEN]);
/* The digest of p[0..n) as 64 lower-case hex digits and a NUL. */
void dk_sha256_hex(const void *p, size_t n, char out[2 * DK_SHA256_LEN + 1]);

/* ---- the context store ---------------------------------------------------- */

/* The name meaning the default context: the engine from -H, DOCKER_HOST or
 * the default socket, never a directory in the store. */
#define DK_CONTEXT_DEFAULT "default"

/* What meta.json says of a context's docker endpoint. */
struct dk_context_ep {
	char host[DK_CONTEXT_HOST_MAX]; /* Endpoints.docker.Host, "" if none */
	int skip_tls_verify;            /* Endpoints.docker.SkipTLSVerify */
};

/* config.json's currentContext, unescaped and NUL-terminated, into name
 * (cap bytes). len 0 (an empty file) is no current context, as it is to
 * the CLI. Keys are matched as Go's encoding/json matches struct fields
 * (ASCII case-insensitively, the last of duplicates wins); other keys are
 * not looked at, but the whole text must be one valid JSON object.
 * Returns the name's length (0: none, or null, or ""); DK_ERR_CONFIG_JSON
 * (not valid JSON, or not an object); DK_ERR_CONFIG_TYPE (currentContext is
 * not a string); DK_ERR_CONFIG_BIG (more than DK_CONTEXT_TOKENS_MAX JSON
 * tokens); DK_ERR_NOSPACE (the name does not fit name, or holds a NUL byte:
 * no store directory can be named after it either way). */
long dk_context_current(const char *json, size_t len, char *name, size_t cap);

/* meta.json's docker endpoint into *ep (zeroed first): the object at
 * Endpoints.docker, its Host (a string) and SkipTLSVerify (a boolean), each
 * null or absent meaning "" and false; keys matched as above (the endpoint
 * name "docker" exactly: it is a map key to Go). Returns DK_OK;
 * DK_ERR_NO_ENDPOINT (no Endpoints.docker, or it is null);
 * DK_ERR_CONFIG_JSON; DK_ERR_CONFIG_TYPE (a field of the wrong type);
 * DK_ERR_CONFIG_BIG; DK_ERR_NOSPACE (Host longer than
 * DK_CONTEXT_HOST_MAX - 1 bytes, or holding a NUL byte). */
int dk_context_endpoint(const char *json, size_t len,
                        struct dk_context_ep *ep);

/* "<config_dir>/contexts/meta/<sha256 hex of name>/meta.json" into buf
 * (cap bytes, NUL-terminated). Returns DK_OK or DK_ERR_NOSPACE. */
int dk_context_meta_path(char *buf, size_t cap, const char *config_dir,
                         const char *name);

/* "<config_dir>/contexts/tls/<sha256 hex of name>/docker/<file>" into buf;
 * file "" gives the directory (no trailing '/'). The CLI uses TLS for a
 * context whose directory exists, with ca.pem, cert.pem and key.pem each
 * when present. Returns DK_OK or DK_ERR_NOSPACE. */
int dk_context_tls_path(char *buf, size_t cap, const char *config_dir,
                        const char *name, const char *file);

#endif
