/* tls_mbedtls.c - the TLS transport on mbedTLS, as the docker CLI talks to
 * a tcp:// engine with --tls/--tlsverify: TLS 1.2 or newer, AEAD suites,
 * the server chain checked against the CA, and the URL's host checked
 * against the certificate's subjectAltName the way Go does it (DNS names
 * for names, IP addresses for addresses, never the Common Name), so that
 * mbedTLS 2.28, which matches no IP address, and 3.6, which does, agree.
 *
 * One connection at a time (the agent has one): the configuration, the
 * keys and the one SSL context live in static storage; mbedTLS allocates
 * its record buffers and handshake state from the heap itself (no
 * MBEDTLS_PLATFORM_MEMORY in Debian's build): the record buffers once, at
 * dk_tls_setup, the handshake state per connection, freed when it ends.
 * Nothing is allocated per event. The bio callbacks use our own fd, not
 * mbedTLS's net module.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mbedtls/version.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h> /* MBEDTLS_ERR_ENTROPY_SOURCE_FAILED */
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h> /* MBEDTLS_ERR_NET_* only: no net module */
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000 && defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif

#include "tls.h"
#include "endpoint.h"
#include "err.h"

#define V3 (MBEDTLS_VERSION_NUMBER >= 0x03000000)

/* GeneralName tags of subjectAltName entries (RFC 5280 4.2.1.6), as the
 * raw list mbedtls_x509_crt.subject_alt_names keeps them in both versions. */
#define SAN_DNS (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)
#define SAN_IP  (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)

/* TLS 1.3 suites (3.x only), then TLS 1.2 ECDHE with AEAD: what Go's
 * server and the docker daemon's TLS configuration accept, nothing with
 * CBC, RSA key exchange or SHA-1. */
static const int suites[] = {
#if V3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
	MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
	MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
	MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
#endif
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	0
};

static struct {
	int inited;         /* the contexts below are initialised */
	int ready;          /* dk_tls_setup succeeded */
	int verify;         /* --tlsverify */
	int have_cert;      /* a client certificate is configured */
	int connected;      /* ssl holds a connection (reset on close) */
	int fd;
	int sys_errno;      /* errno of the last failed bio call */
	char host[DK_HOST_MAX];
	const char *ca_path;
	/* What the server sent first, to tell plain HTTP from TLS. */
	unsigned char first[5];
	size_t nfirst;
	/* Filled by the verify callback for the one-line message. */
	char names[160];
	char valid[48];
	int saw_cert;       /* the engine's certificate reached verify_cb */
	int ip_as_dns;      /* host is an address the certificate names only
	                       as a DNS name (a mismatch that reads as none) */
	int got_data;       /* application data arrived on this connection */
	char url[DK_HOST_MAX + 32];
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca, cert;
	mbedtls_pk_context key;
	mbedtls_ssl_context ssl;
} tls;

static char errtext[DK_HOST_MAX + 200];

/* The DRBG's seed, straight from the kernel's generator. Not mbedTLS's
 * entropy context: Debian's 2.28 builds it with HAVEGE, 37 KiB of state
 * that init writes all of, for a source the kernel already provides. */
static int os_entropy(void *ctx, unsigned char *out, size_t len)
{
	size_t got = 0;
	int fd;

	(void)ctx;
#ifdef SYS_getrandom
	while (got < len) {
		long r = syscall(SYS_getrandom, out + got, len - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == len)
		return 0;
#endif
	/* Kernels before 3.17, or a seccomp filter that refuses it. */
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
	for (got = 0; got < len;) {
		ssize_t r = read(fd, out + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return got == len ? 0 : MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
}


/* mbedTLS's text for code r ("X509 - Certificate verification failed"). */
static const char *mbed_text(int r)
{
#if defined(MBEDTLS_ERROR_C)
	mbedtls_strerror(r, errtext, sizeof errtext);
#else
	snprintf(errtext, sizeof errtext, "mbedTLS error -0x%04x", (unsigned)-r);
#endif
	return errtext;
}

/* ---- bio: our non-blocking fd ------------------------------------------- */

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	ssize_t r;

	(void)ctx;
	r = send(tls.fd, buf, len, MSG_NOSIGNAL);
	if (r >= 0)
		return (int)r;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	tls.sys_errno = errno;
	return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	ssize_t r;

	(void)ctx;
	r = read(tls.fd, buf, len);
	if (r > 0) {
		size_t k = 0;
		while (tls.nfirst < sizeof tls.first && k < (size_t)r)
			tls.first[tls.nfirst++] = buf[k++];
		return (int)r;
	}
	if (r == 0)
		return 0; /* mbedTLS: MBEDTLS_ERR_SSL_CONN_EOF */
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_READ;
	tls.sys_errno = errno;
	return MBEDTLS_ERR_NET_RECV_FAILED;
}

/* Text for the failure r of a read or write after the handshake; the
 * transport's return code for it. */
static long remember(int r)
{
	if ((r == MBEDTLS_ERR_NET_RECV_FAILED || r == MBEDTLS_ERR_NET_SEND_FAILED) &&
	    tls.sys_errno) {
		dk_port_set_err(tls.sys_errno, NULL);
		return DK_ERR_IO;
	}
	if (r == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && !tls.got_data) {
		/* TLS 1.3: the engine checks our certificate after our
		 * Finished, when our handshake is over, so its refusal is
		 * the first thing read: a configuration error too. */
		snprintf(errtext, sizeof errtext, "TLS: %s refused the connection "
		         "(TLS alert)%s", tls.url, tls.have_cert ? ": does it trust "
		         "our client certificate (--tlscert)?" : ": it requires a "
		         "client certificate (--tlscert/--tlskey, or cert.pem and "
		         "key.pem in DOCKER_CERT_PATH)");
		dk_port_set_err(0, errtext);
		return DK_ERR_TLS;
	}
	dk_port_set_err(0, mbed_text(r));
	return DK_ERR_IO;
}

/* ---- host name against the certificate ---------------------------------- */

/* Does a DNS name pattern from the certificate (a, alen) match host? Case
 * does not matter, one trailing dot on host is ignored, and "*" may stand
 * for the whole leftmost label only ("*.example.com"), as in Go. */
static int dns_match(const unsigned char *a, size_t alen, const char *host)
{
	size_t hlen = strlen(host);
	const char *dot;

	if (hlen && host[hlen - 1] == '.')
		hlen--;
	if (alen == hlen && strncasecmp((const char *)a, host, hlen) == 0)
		return 1;
	if (alen < 3 || a[0] != '*' || a[1] != '.')
		return 0;
	dot = memchr(host, '.', hlen);
	if (!dot || dot == host)
		return 0;
	return alen - 1 == hlen - (size_t)(dot - host) &&
	       strncasecmp((const char *)a + 1, dot, alen - 1) == 0;
}

/* Append one subjectAltName entry to tls.names, for the message. */
static void note_name(const mbedtls_x509_buf *b)
{
	char one[INET6_ADDRSTRLEN];
	size_t used = strlen(tls.names);

	if (b->tag == SAN_DNS)
		snprintf(one, sizeof one, "%.*s",
		         (int)(b->len < sizeof one - 1 ? b->len : sizeof one - 1),
		         (const char *)b->p);
	else if (b->tag == SAN_IP && (b->len == 4 || b->len == 16))
		inet_ntop(b->len == 4 ? AF_INET : AF_INET6, b->p, one, sizeof one);
	else
		return;
	snprintf(tls.names + used, sizeof tls.names - used, "%s%s",
	         used ? ", " : "", one);
}

/* Is the certificate for host? An address (IPv4, or IPv6 as the endpoint
 * keeps it without brackets) matches iPAddress entries only, a name
 * dNSName entries only; the Common Name never counts (Go, and so the
 * docker CLI, ignore it since Go 1.15). */
static int host_matches(const mbedtls_x509_crt *crt, const char *host)
{
	unsigned char ip[16];
	size_t iplen = 0;
	const mbedtls_x509_sequence *s;
	int found = 0;

	if (inet_pton(AF_INET, host, ip) == 1)
		iplen = 4;
	else if (inet_pton(AF_INET6, host, ip) == 1)
		iplen = 16;
	tls.names[0] = '\0';
	tls.ip_as_dns = 0;
	for (s = &crt->subject_alt_names; s && s->buf.p; s = s->next) {
		const mbedtls_x509_buf *b = &s->buf;

		note_name(b);
		if (iplen && b->tag == SAN_IP && b->len == iplen &&
		    memcmp(b->p, ip, iplen) == 0)
			found = 1;
		if (!iplen && b->tag == SAN_DNS && dns_match(b->p, b->len, host))
			found = 1;
		/* "DNS:127.0.0.1" prints as the address itself: remember it so
		 * the message does not say "for 127.0.0.1, not 127.0.0.1". */
		if (iplen && b->tag == SAN_DNS && b->len == strlen(host) &&
		    strncasecmp((const char *)b->p, host, b->len) == 0)
			tls.ip_as_dns = 1;
	}
	return found;
}

/* Called by mbedTLS for each certificate of the chain, the server's last
 * (depth 0). The library's own name check (flag CN_MISMATCH) differs
 * between versions, so it is replaced by host_matches in both. */
static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth,
                     uint32_t *flags)
{
	(void)ctx;
	if (depth != 0)
		return 0;
	tls.saw_cert = 1;
	*flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
	if (!host_matches(crt, tls.host))
		*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	snprintf(tls.valid, sizeof tls.valid,
	         "%04d-%02d-%02d %02d:%02d:%02d UTC",
	         crt->valid_to.year, crt->valid_to.mon, crt->valid_to.day,
	         crt->valid_to.hour, crt->valid_to.min, crt->valid_to.sec);
	if (*flags & MBEDTLS_X509_BADCERT_FUTURE)
		snprintf(tls.valid, sizeof tls.valid,
		         "%04d-%02d-%02d %02d:%02d:%02d UTC",
		         crt->valid_from.year, crt->valid_from.mon,
		         crt->valid_from.day, crt->valid_from.hour,
		         crt->valid_from.min, crt->valid_from.sec);
	return 0;
}

/* One line for a failed verification: what did not match. */
static void verify_why(uint32_t flags, const struct dk_endpoint *ep,
                       char *why, size_t whylen)
{
	if ((flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) && tls.ip_as_dns)
		dk_port_why(why, whylen, "TLS: %s: the engine's certificate names "
		    "%s as a DNS name, not as an IP address (Go, and so the docker "
		    "CLI, refuse it too)", ep->url, ep->host);
	else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
		dk_port_why(why, whylen, "TLS: %s: the engine's certificate is for %s, "
		    "not %s", ep->url, tls.names[0] ? tls.names
		    : "no name or address (no subjectAltName)", ep->host);
	else if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
		dk_port_why(why, whylen, "TLS: %s: the engine's certificate expired "
		    "(valid until %s)", ep->url, tls.valid);
	else if (flags & MBEDTLS_X509_BADCERT_FUTURE)
		dk_port_why(why, whylen, "TLS: %s: the engine's certificate is not valid "
		    "yet (valid from %s)", ep->url, tls.valid);
	else if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		dk_port_why(why, whylen, "TLS: %s: the engine's certificate is not signed "
		    "by the CA in %s", ep->url, tls.ca_path);
	else {
		char info[160] = "";
#if !defined(MBEDTLS_X509_REMOVE_INFO)
		char *nl;
		mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
		if ((nl = strchr(info, '\n')))
			*nl = '\0';
#endif
		dk_port_why(why, whylen, "TLS: %s: the engine's certificate failed "
		    "verification (flags 0x%x) %s", ep->url, (unsigned)flags, info);
	}
}

/* ---- the transport -------------------------------------------------------- */

static long tls_recv(struct dk_transport *t, void *buf, size_t len)
{
	(void)t;
	if (len == 0)
		return DK_ERR_PARAM;
	if (len > INT_MAX)
		len = INT_MAX;
	for (;;) {
		int r = mbedtls_ssl_read(&tls.ssl, buf, len);
		if (r > 0) {
			tls.got_data = 1;
			return r;
		}
		/* close_notify, or the engine closing without one: the
		 * chunk decoder tells a whole body from a cut one. */
		if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
		    r == MBEDTLS_ERR_SSL_CONN_EOF)
			return 0;
		if (r == MBEDTLS_ERR_SSL_WANT_READ ||
		    r == MBEDTLS_ERR_SSL_WANT_WRITE)
			return DK_AGAIN;
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
		/* 3.x, TLS 1.3: a ticket arrived instead of data; read on. */
		if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
			continue;
#endif
		return remember(r);
	}
}

static long tls_send(struct dk_transport *t, const void *buf, size_t len)
{
	int r;

	(void)t;
	if (len > INT_MAX)
		len = INT_MAX;
	r = mbedtls_ssl_write(&tls.ssl, buf, len);
	if (r >= 0)
		return r;
	if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
		return DK_AGAIN;
	return remember(r);
}

/* Decrypted bytes mbedTLS holds: the fd may never become readable for
 * them. mbedTLS reads a stream one record at a time, so nothing else is
 * buffered unseen. */
static size_t tls_pending(struct dk_transport *t)
{
	(void)t;
	return tls.connected ? mbedtls_ssl_get_bytes_avail(&tls.ssl) : 0;
}

static void tls_close(struct dk_transport *t)
{
	if (tls.connected) {
		/* Best effort: the fd is non-blocking, nobody waits. */
		(void)mbedtls_ssl_close_notify(&tls.ssl);
		/* Frees the handshake and session state; keeps the record
		 * buffers for the next connection. */
		(void)mbedtls_ssl_session_reset(&tls.ssl);
		tls.connected = 0;
	}
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	tls.fd = -1;
}

/* ---- handshake ------------------------------------------------------------ */

/* Wait for fd through the loop's wait (hooks and signals are served
 * during the handshake). Returns 1 ready, 0 timed out, -1 stopped. */
static int wait_fd(int fd, int want_write, int64_t deadline)
{
	int r = dk_port_wait_fd(fd, want_write, deadline);
	return r == DK_WAIT_READY ? 1 : r == DK_WAIT_TIMEOUT ? 0 : -1;
}

/* Did the peer answer our ClientHello with plain HTTP (a plain port)? */
static int answered_http(void)
{
	return tls.nfirst >= 5 && memcmp(tls.first, "HTTP/", 5) == 0;
}

int dk_tls_start(struct dk_transport *t, const struct dk_endpoint *ep,
                 int timeout_ms, char *why, size_t whylen)
{
	int64_t deadline = timeout_ms >= 0 ? dk_port_now_ms() + timeout_ms
	                                   : INT64_MAX; /* < 0: no limit */
	int r, cut, err = DK_ERR_TLS;

	if (!tls.ready) {
		dk_port_why(why, whylen, "TLS: not set up (dk_tls_setup)");
		dk_port_set_err(0, "TLS: not set up (dk_tls_setup)");
		t->close(t);
		return DK_ERR_TLS;
	}
	if (tls.connected)
		(void)mbedtls_ssl_session_reset(&tls.ssl);
	tls.fd = t->fd;
	tls.sys_errno = 0;
	tls.nfirst = 0;
	tls.saw_cert = tls.got_data = 0;
	snprintf(tls.url, sizeof tls.url, "%s", ep->url);
	tls.names[0] = tls.valid[0] = '\0';
	snprintf(tls.host, sizeof tls.host, "%s", ep->host);
	/* Always set: SNI, and 3.6 refuses to verify without a name; the
	 * name check itself is verify_cb's. */
	if ((r = mbedtls_ssl_set_hostname(&tls.ssl, ep->host)) != 0)
		goto fail;
	mbedtls_ssl_set_bio(&tls.ssl, NULL, bio_send, bio_recv, NULL);
	tls.connected = 1;
	for (;;) {
		int w;
		r = mbedtls_ssl_handshake(&tls.ssl);
		if (r == 0)
			break;
		if (r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE)
			goto fail;
		w = wait_fd(t->fd, r == MBEDTLS_ERR_SSL_WANT_WRITE, deadline);
		if (w == 0) {
			/* A plain HTTP server waits for a request line that
			 * our hello never completes: say so. */
			dk_port_why(why, whylen, "TLS handshake timed out%s", tls.nfirst ? ""
			    : ": no answer to our TLS hello (a plain HTTP port, "
			    "such as 2375?)");
			dk_port_set_err(ETIMEDOUT, NULL);
			err = DK_ERR_TIMEOUT;
			goto out;
		}
		if (w < 0) {
			dk_port_why(why, whylen, "TLS handshake with %s: stopped", ep->url);
			dk_port_set_err(EINTR, NULL);
			err = DK_ERR_CONNECT;
			goto out;
		}
	}
	t->recv = tls_recv;
	t->send = tls_send;
	t->pending = tls_pending;
	t->close = tls_close;
	t->ctx = &tls;
	dk_port_log(DK_LOG_DEBUG, "%s: %s, %s", ep->url,
	            mbedtls_ssl_get_version(&tls.ssl),
	            mbedtls_ssl_get_ciphersuite(&tls.ssl));
	if (!tls.verify)
		dk_port_log(DK_LOG_WARN, "%s: TLS without verification (--tls "
		            "without --tlsverify): anyone on the path can pose as "
		            "the engine", ep->url);
	return DK_OK;

fail:
	cut = r == MBEDTLS_ERR_SSL_CONN_EOF || r == MBEDTLS_ERR_NET_RECV_FAILED ||
	      r == MBEDTLS_ERR_NET_SEND_FAILED;
	/* A configuration error (DK_ERR_TLS, not retried soon) when what
	 * answered cannot be the engine we were told to trust; a transient
	 * one (DK_ERR_IO) when the connection merely broke. */
	if (r == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		verify_why(mbedtls_ssl_get_verify_result(&tls.ssl), ep, why, whylen);
	} else if (answered_http()) {
		dk_port_why(why, whylen, "TLS: %s answered plain HTTP, not TLS: a plain "
		    "engine port (2375)? drop --tls/--tlsverify or use its TLS "
		    "port", ep->url);
	} else if (r == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE ||
	           (cut && tls.saw_cert && !tls.have_cert)) {
		/* An engine that requires a client certificate and got none
		 * sends an alert and closes, often before our last flight is
		 * out: then the alert is lost and only the cut is seen, right
		 * after its certificate passed. */
		dk_port_why(why, whylen, "TLS: %s refused the handshake%s", ep->url,
		    tls.have_cert ? " (TLS alert): does it trust our client "
		    "certificate (--tlscert)?" : ": it requires a client "
		    "certificate (--tlscert/--tlskey, or cert.pem and key.pem "
		    "in DOCKER_CERT_PATH)");
	} else if (cut) {
		dk_port_why(why, whylen, "TLS handshake: %s",
		    r == MBEDTLS_ERR_SSL_CONN_EOF ? "connection closed by the engine"
		    : strerror(tls.sys_errno));
		err = DK_ERR_IO;
	} else if (tls.nfirst > 0 && tls.first[0] != 0x16 && tls.first[0] != 0x15) {
		dk_port_why(why, whylen, "TLS: %s does not speak TLS (answered bytes that "
		    "are no TLS record)", ep->url);
	} else {
		dk_port_why(why, whylen, "TLS handshake with %s failed: %s", ep->url,
		    mbed_text(r));
	}
	dk_port_set_err(0, why && whylen ? why : "TLS handshake failed");
out:
	t->close(t); /* the plain fd transport: closes the fd */
	tls.fd = -1;
	if (tls.connected) {
		(void)mbedtls_ssl_session_reset(&tls.ssl);
		tls.connected = 0;
	}
	return err;
}

/* ---- setup ---------------------------------------------------------------- */

static int load_fail(char *why, size_t whylen, const char *what,
                     const char *path, int r)
{
	dk_port_why(why, whylen, "TLS: cannot load %s %s: %s", what, path, mbed_text(r));
	return DK_ERR_TLS;
}

int dk_tls_setup(int verify, const char *ca, const char *cert,
                 const char *key, char *why, size_t whylen)
{
	static const char pers[] = "dockev";
	int r;

	if (tls.ready)
		return DK_OK;
	tls.fd = -1;
	tls.verify = verify;
	tls.ca_path = ca ? ca : "";
#if V3 && defined(MBEDTLS_PSA_CRYPTO_C)
	/* 3.x: TLS 1.3 and the PSA-backed ciphers need it before any
	 * handshake. */
	if (psa_crypto_init() != PSA_SUCCESS) {
		dk_port_why(why, whylen, "TLS: psa_crypto_init failed");
		return DK_ERR_TLS;
	}
#endif
	tls.inited = 1;
	mbedtls_ctr_drbg_init(&tls.drbg);
	mbedtls_ssl_config_init(&tls.conf);
	mbedtls_x509_crt_init(&tls.ca);
	mbedtls_x509_crt_init(&tls.cert);
	mbedtls_pk_init(&tls.key);
	mbedtls_ssl_init(&tls.ssl);
	r = mbedtls_ctr_drbg_seed(&tls.drbg, os_entropy, NULL,
	                          (const unsigned char *)pers, sizeof pers - 1);
	if (r != 0) {
		dk_port_why(why, whylen, "TLS: cannot seed the random generator: %s",
		    mbed_text(r));
		return DK_ERR_TLS;
	}
	if (verify && ca && (r = mbedtls_x509_crt_parse_file(&tls.ca, ca)) != 0)
		return load_fail(why, whylen, "CA certificate (--tlscacert)", ca, r);
	if (cert && key) {
		if ((r = mbedtls_x509_crt_parse_file(&tls.cert, cert)) != 0)
			return load_fail(why, whylen, "client certificate (--tlscert)",
			                 cert, r);
#if V3
		r = mbedtls_pk_parse_keyfile(&tls.key, key, NULL,
		                             mbedtls_ctr_drbg_random, &tls.drbg);
#else
		r = mbedtls_pk_parse_keyfile(&tls.key, key, NULL);
#endif
		if (r != 0)
			return load_fail(why, whylen, "client key (--tlskey)", key, r);
#if V3
		r = mbedtls_pk_check_pair(&tls.cert.pk, &tls.key,
		                          mbedtls_ctr_drbg_random, &tls.drbg);
#else
		r = mbedtls_pk_check_pair(&tls.cert.pk, &tls.key);
#endif
		if (r != 0) {
			dk_port_why(why, whylen, "TLS: the client key %s does not belong to "
			    "the certificate %s", key, cert);
			return DK_ERR_TLS;
		}
		tls.have_cert = 1;
	}
	r = mbedtls_ssl_config_defaults(&tls.conf, MBEDTLS_SSL_IS_CLIENT,
	                                MBEDTLS_SSL_TRANSPORT_STREAM,
	                                MBEDTLS_SSL_PRESET_DEFAULT);
	if (r != 0)
		goto fail;
#if V3
	mbedtls_ssl_conf_min_tls_version(&tls.conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
	mbedtls_ssl_conf_min_version(&tls.conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
#endif
	mbedtls_ssl_conf_ciphersuites(&tls.conf, suites);
	mbedtls_ssl_conf_rng(&tls.conf, mbedtls_ctr_drbg_random, &tls.drbg);
	mbedtls_ssl_conf_authmode(&tls.conf, verify ? MBEDTLS_SSL_VERIFY_REQUIRED
	                                            : MBEDTLS_SSL_VERIFY_NONE);
	if (verify) {
		mbedtls_ssl_conf_ca_chain(&tls.conf, &tls.ca, NULL);
		mbedtls_ssl_conf_verify(&tls.conf, verify_cb, NULL);
	}
	if (tls.have_cert &&
	    (r = mbedtls_ssl_conf_own_cert(&tls.conf, &tls.cert, &tls.key)) != 0)
		goto fail;
	/* The record buffers (about 2 x 16.6 KiB) are allocated here, once. */
	if ((r = mbedtls_ssl_setup(&tls.ssl, &tls.conf)) != 0)
		goto fail;
	tls.ready = 1;
	return DK_OK;
fail:
	dk_port_why(why, whylen, "TLS: cannot configure mbedTLS: %s", mbed_text(r));
	return DK_ERR_TLS;
}

void dk_tls_free(void)
{
	if (!tls.inited)
		return;
	mbedtls_ssl_free(&tls.ssl);
	mbedtls_ssl_config_free(&tls.conf);
	mbedtls_pk_free(&tls.key);
	mbedtls_x509_crt_free(&tls.cert);
	mbedtls_x509_crt_free(&tls.ca);
	mbedtls_ctr_drbg_free(&tls.drbg);
#if V3 && defined(MBEDTLS_PSA_CRYPTO_C)
	mbedtls_psa_crypto_free();
#endif
	tls.ready = tls.inited = 0;
}

const char *dk_tls_backend(void)
{
	static char name[32];

	if (!name[0])
		snprintf(name, sizeof name, "mbedTLS %d.%d.%d",
		         MBEDTLS_VERSION_NUMBER >> 24,
		         (MBEDTLS_VERSION_NUMBER >> 16) & 0xff,
		         (MBEDTLS_VERSION_NUMBER >> 8) & 0xff);
	return name;
}
