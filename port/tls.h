/* tls.h - the TLS layer of the port: wraps a connected fd transport.
 * Built from tls_none.c (TLS=none) or tls_mbedtls.c (TLS=mbedtls).
 */
#ifndef DK_TLS_H
#define DK_TLS_H

#include <stddef.h>
#include "port.h"

struct dk_endpoint;

/* Run the TLS handshake over the connected transport t (plain fd) within
 * timeout_ms and turn t into a TLS transport on success. On failure t is
 * closed, a negative dk_err is returned (DK_ERR_TLS when TLS is not built
 * in) and why holds one line saying what did not match. */
int dk_tls_start(struct dk_transport *t, const struct dk_endpoint *ep,
                 int timeout_ms, char *why, size_t whylen);

/* The TLS library this build uses ("mbedTLS 3.6.0"), or NULL when built
 * with TLS=none, so that asking for TLS fails at start, not per attempt. */
const char *dk_tls_backend(void);

#endif
