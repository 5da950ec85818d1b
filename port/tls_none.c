/* tls_none.c - dk_tls_start for TLS=none builds: a tcp:// endpoint that asks
 * for TLS fails with one line saying how to get it, rather than sending
 * plain HTTP to a TLS port.
 */
#include <stdio.h>
#include "tls.h"
#include "err.h"


#define NO_TLS "dockev was built without TLS (TLS=none); rebuild with TLS=mbedtls"

int dk_tls_start(struct dk_transport *t, const struct dk_endpoint *ep,
                 int timeout_ms, char *why, size_t whylen)
{
	(void)ep;
	(void)timeout_ms;
	if (t && t->close)
		t->close(t);
	dk_port_set_err(0, NO_TLS);
	if (why && whylen)
		snprintf(why, whylen, "%s", NO_TLS);
	return DK_ERR_TLS;
}

int dk_tls_setup(int verify, const char *ca, const char *cert,
                 const char *key, char *why, size_t whylen)
{
	(void)verify;
	(void)ca;
	(void)cert;
	(void)key;
	if (why && whylen)
		snprintf(why, whylen, "%s", NO_TLS);
	return DK_ERR_TLS;
}

void dk_tls_free(void)
{
}

const char *dk_tls_backend(void)
{
	return NULL;
}
