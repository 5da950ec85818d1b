/* tls.h - the TLS layer of the port: wraps a connected fd transport.
 * Built from tls_none.c (TLS=none) or tls_mbedtls.c (TLS=mbedtls).
 */
#ifndef DK_TLS_H
#define DK_TLS_H

#include <stddef.h>
#include "port.h"

struct dk_endpoint;

/* Load what every connection uses, once, before the first: with verify
 * (--tlsverify) the CA file ca (PEM) is required and the engine's chain,
 * dates and name are checked; cert and key (PEM), both or neither, are the
 * client certificate. Returns DK_OK, or DK_ERR_TLS with why holding one
 * line (a file that cannot be read or parsed, a key that does not belong to
 * the certificate, or "built without TLS"). */
int dk_tls_setup(int verify, const char *ca, const char *cert,
                 const char *key, char *why, size_t whylen);

/* Release what dk_tls_setup loaded (at exit, so leak checkers see none). */
void dk_tls_free(void);

/* Run the TLS handshake over the connected transport t (plain fd) within
 * timeout_ms and turn t into a TLS transport on success. On failure t is
 * closed, a negative dk_err is returned and why holds one line: DK_ERR_TLS
 * for what retrying cannot fix soon (verification failed: what did not
 * match; the peer speaks plain HTTP or no TLS; the engine refused the
 * handshake; TLS not built in), DK_ERR_IO or DK_ERR_TIMEOUT for a broken
 * or slow connection. */
int dk_tls_start(struct dk_transport *t, const struct dk_endpoint *ep,
                 int timeout_ms, char *why, size_t whylen);

/* The TLS library this build uses ("mbedTLS 3.6.0"), or NULL when built
 * with TLS=none, so that asking for TLS fails at start, not per attempt. */
const char *dk_tls_backend(void);

#endif
