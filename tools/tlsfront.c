/* tlsfront.c - a TLS front for the fake engine in tests: terminates TLS on
 * a loopback TCP port (mbedTLS server, optionally requiring a client
 * certificate signed by a CA) and relays each connection to the fake
 * engine's unix socket. Like the Go server of dockerd, it answers a plain
 * HTTP request with "400 Client sent an HTTP request to an HTTPS server".
 * One process per connection; test code, blocking I/O, not the agent's.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <mbedtls/version.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000 && defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif

static const char usage[] =
"usage: tlsfront [--plain] -l HOST:PORT --to PATH --cert F --key F [--ca F]\n"
"                [--port-file F] [--ready-file F]\n"
"  -l HOST:PORT  listen there (127.0.0.1, ::1; PORT 0: the kernel picks)\n"
"  --to PATH     relay each connection to this unix socket (the fake engine)\n"
"  --cert/--key  the server's certificate and key (PEM)\n"
"  --ca F        require a client certificate signed by the CA in F\n"
"  --plain       no TLS: answer whatever comes with Go's plain-HTTP 400\n";

static mbedtls_ssl_config conf;
static mbedtls_x509_crt cert, ca;
static mbedtls_pk_context key;
static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

static void die(const char *what, int r)
{
	fprintf(stderr, "tlsfront: %s (-0x%04x)\n", what, (unsigned)-r);
	exit(1);
}

static int plain_http(const unsigned char *p, size_t n)
{
	static const char *const methods[] = { "GET ", "HEAD", "POST", "PUT ",
	                                       "OPTI", "DELE" };
	size_t i;

	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (n >= 4 && memcmp(p, methods[i], 4) == 0)
			return 1;
	return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int ssl_write_all(mbedtls_ssl_context *ssl, const unsigned char *p,
                         size_t n)
{
	while (n > 0) {
		int w = mbedtls_ssl_write(ssl, p, n);
		if (w == MBEDTLS_ERR_SSL_WANT_WRITE || w == MBEDTLS_ERR_SSL_WANT_READ)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int plain; /* --plain: be a plain HTTP port that refuses */

static void serve(int fd, const char *to)
{
	static const char bad[] = "HTTP/1.0 400 Bad Request\r\n\r\n"
	                          "Client sent an HTTP request to an HTTPS server.\n";
	unsigned char buf[16384];
	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	struct sockaddr_un sa;
	struct pollfd p[2];
	ssize_t n;
	int up, r;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	p[0].fd = fd;
	p[0].events = POLLIN;
	if (poll(p, 1, 10000) != 1)
		exit(0);
	n = recv(fd, buf, 5, MSG_PEEK);
	if (n <= 0)
		exit(0);
	if (plain) {
		/* Go's plain HTTP server, given bytes that are not HTTP. */
		static const char no[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: "
			"text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
			"400 Bad Request";
		(void)write_all(fd, (const unsigned char *)no, sizeof no - 1);
		exit(0);
	}
	if (buf[0] != 0x16) {
		/* Not a TLS handshake record: what Go's server does. */
		if (plain_http(buf, (size_t)n))
			(void)write_all(fd, (const unsigned char *)bad, sizeof bad - 1);
		exit(0);
	}
	/* A child's own random state, not a copy of its parent's. */
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_ctr_drbg_init(&drbg);
	r = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	                          (const unsigned char *)"tlsfront", 8);
	if (r != 0)
		die("seed", r);
	mbedtls_ssl_init(&ssl);
	if ((r = mbedtls_ssl_setup(&ssl, &conf)) != 0)
		die("ssl_setup", r);
	net.fd = fd;
	mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
	while ((r = mbedtls_ssl_handshake(&ssl)) != 0) {
		if (r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE) {
			char e[100];
			mbedtls_strerror(r, e, sizeof e);
			fprintf(stderr, "tlsfront: handshake: %s\n", e);
			exit(0);
		}
	}
	up = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", to);
	if (up < 0 || connect(up, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("tlsfront: connect");
		exit(1);
	}
	p[1].fd = up;
	p[1].events = POLLIN;
	for (;;) {
		if (mbedtls_ssl_get_bytes_avail(&ssl) == 0 && poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (mbedtls_ssl_get_bytes_avail(&ssl) > 0 || (p[0].revents & (POLLIN | POLLHUP))) {
			r = mbedtls_ssl_read(&ssl, buf, sizeof buf);
			if (r == MBEDTLS_ERR_SSL_WANT_READ)
				continue;
			if (r <= 0 || write_all(up, buf, (size_t)r) != 0)
				break;
			p[0].revents = 0;
			continue;
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			n = read(up, buf, sizeof buf);
			if (n <= 0 || ssl_write_all(&ssl, buf, (size_t)n) != 0)
				break;
		}
	}
	(void)mbedtls_ssl_close_notify(&ssl);
	exit(0);
}

int main(int argc, char **argv)
{
	const char *listen_at = NULL, *to = NULL, *certf = NULL, *keyf = NULL;
	const char *caf = NULL, *portf = NULL, *readyf = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char host[64], *colon;
	int i, r, fd, on = 1, port;

	for (i = 1; i < argc && !strcmp(argv[i], "--plain"); i++)
		plain = 1;
	for (; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (!strcmp(a, "-l")) listen_at = v;
		else if (!strcmp(a, "--to")) to = v;
		else if (!strcmp(a, "--cert")) certf = v;
		else if (!strcmp(a, "--key")) keyf = v;
		else if (!strcmp(a, "--ca")) caf = v;
		else if (!strcmp(a, "--port-file")) portf = v;
		else if (!strcmp(a, "--ready-file")) readyf = v;
		else break;
	}
	if (i != argc || !listen_at || !to || !certf || !keyf) {
		fputs(usage, stderr);
		return 2;
	}
	snprintf(host, sizeof host, "%s", listen_at);
	if (!(colon = strrchr(host, ':'))) {
		fputs(usage, stderr);
		return 2;
	}
	*colon = '\0';
	port = atoi(colon + 1);

#if MBEDTLS_VERSION_NUMBER >= 0x03000000 && defined(MBEDTLS_PSA_CRYPTO_C)
	if (psa_crypto_init() != PSA_SUCCESS)
		die("psa_crypto_init", -1);
#endif
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_x509_crt_init(&cert);
	mbedtls_x509_crt_init(&ca);
	mbedtls_pk_init(&key);
	mbedtls_ssl_config_init(&conf);
	if ((r = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	                               (const unsigned char *)"tlsfront", 8)))
		die("seed", r);
	if ((r = mbedtls_x509_crt_parse_file(&cert, certf)))
		die("server certificate", r);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	r = mbedtls_pk_parse_keyfile(&key, keyf, NULL, mbedtls_ctr_drbg_random, &drbg);
#else
	r = mbedtls_pk_parse_keyfile(&key, keyf, NULL);
#endif
	if (r)
		die("server key", r);
	if (caf && (r = mbedtls_x509_crt_parse_file(&ca, caf)))
		die("CA", r);
	if ((r = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER,
	                                     MBEDTLS_SSL_TRANSPORT_STREAM,
	                                     MBEDTLS_SSL_PRESET_DEFAULT)))
		die("config", r);
	mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
	if ((r = mbedtls_ssl_conf_own_cert(&conf, &cert, &key)))
		die("own cert", r);
	if (caf) {
		mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
		mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	} else {
		mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);
	}

	memset(&ss, 0, sizeof ss);
	if (strchr(host, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		r = inet_pton(AF_INET6, host, &s6->sin6_addr);
		sl = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		r = inet_pton(AF_INET, host, &s4->sin_addr);
		sl = sizeof *s4;
	}
	if (r != 1) {
		fprintf(stderr, "tlsfront: bad address %s\n", host);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 16) != 0) {
		perror("tlsfront: listen");
		return 1;
	}
	sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                      : ((struct sockaddr_in *)&ss)->sin_port);
	if (portf) {
		FILE *f = fopen(portf, "w");
		if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0)
			return 1;
	}
	signal(SIGCHLD, SIG_IGN); /* no zombies */
	if (readyf) {
		FILE *f = fopen(readyf, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0)
			return 1;
	}
	for (;;) {
		int c = accept(fd, NULL, NULL);
		pid_t pid;

		if (c < 0) {
			if (errno == EINTR)
				continue;
			perror("tlsfront: accept");
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			close(fd);
			serve(c, to);
		}
		close(c);
	}
}
