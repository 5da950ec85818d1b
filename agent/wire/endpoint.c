/* endpoint.c - dk_endpoint_parse: engine URLs as the docker CLI reads -H and
 * DOCKER_HOST (moby opts/hosts.go ParseHost), narrowed to what dockev can
 * dial: unix sockets and TCP. Host syntax follows RFC 3986 §3.2.2 (IPv6
 * literals in brackets); the Host header is RFC 9112 §3.2's host[:port].
 */
#include <string.h>

#include "endpoint.h"
#include "err.h"

#define DEFAULT_UNIX_PATH "/var/run/docker.sock"
#define DEFAULT_TCP_HOST "127.0.0.1"
#define TCP_PORT_PLAIN 2375
#define TCP_PORT_TLS 2376

/* The docker CLI sends Host: "api.moby.localhost" (newer) or "docker" over
 * unix sockets; dockerd ignores it there but Go rejects HTTP/1.1 without one. */
#define UNIX_HOST_HEADER "docker"

#if DK_HOST_MAX + 32 < DK_UNIX_PATH_MAX + 7
#error "dk_endpoint.url cannot hold unix:// plus the longest socket path"
#endif

/* Docker CLI trims surrounding white space from -H / DOCKER_HOST. */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Registered names are restricted to what resolvers accept (letters, digits,
 * '-', '.', '_'): anything else (%, @, spaces, CR/LF) would either be URL
 * syntax we do not support or end up verbatim in the Host header. */
static int is_name_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-' || c == '.' || c == '_';
}

static int has_prefix(const char *p, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	return n >= k && memcmp(p, pre, k) == 0;
}

/* Does "://" occur in p[0..n)? */
static int has_scheme_sep(const char *p, size_t n)
{
	size_t i;
	for (i = 0; i + 3 <= n; i++)
		if (p[i] == ':' && p[i + 1] == '/' && p[i + 2] == '/')
			return 1;
	return 0;
}

/* Each refusal says why in one phrase (a static string), for the one
 * line main.c logs. */
#define FAIL(text) do { *why = (text); return DK_ERR_URL; } while (0)

static int parse_unix(struct dk_endpoint *ep, const char *p, size_t n,
                      const char **why)
{
	size_t i;

	if (n == 0) {
		p = DEFAULT_UNIX_PATH;
		n = strlen(p);
	}
	/* A relative path would depend on the daemon's working directory, and
	 * "unix://unix:///x" is a doubled scheme the CLI also refuses. */
	if (has_scheme_sep(p, n))
		FAIL("a second scheme after unix://");
	if (p[0] != '/')
		FAIL("the socket path must be absolute: unix:///path (three slashes)");
	/* The URL goes into logs and hook environments: no control bytes. */
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			FAIL("a control character in the socket path");
	/* sun_path must also hold the NUL: a path of exactly DK_UNIX_PATH_MAX
	 * bytes would be silently truncated or unterminated by connect(). */
	if (n >= sizeof(ep->path)) {
		*why = "the socket path is longer than a unix socket address holds "
		       "(sun_path); it is never cut: use a shorter path or a symlink";
		return DK_ERR_PATH_LONG;
	}
	ep->kind = DK_EP_UNIX;
	ep->tls = 0; /* the CLI never wraps a unix socket in TLS */
	memcpy(ep->path, p, n);
	ep->path[n] = '\0';
	memcpy(ep->url, "unix://", 7);
	memcpy(ep->url + 7, p, n); /* p may go on with trimmed space */
	ep->url[7 + n] = '\0';
	memcpy(ep->host_header, UNIX_HOST_HEADER, sizeof(UNIX_HOST_HEADER));
	return DK_OK;
}

/* p[0..n) is the authority plus an optional single "/" (the part after
 * "tcp://", or the whole string when there was no scheme). */
static int parse_tcp(struct dk_endpoint *ep, const char *p, size_t n, int tls,
                     const char **why)
{
	const char *host, *port;
	size_t hn, pn, i;
	unsigned long v;
	int v6 = 0;

	/* Docker appends any path to the URL it dials; the API root is fixed,
	 * so the only path we accept is the empty one written as "/". */
	if (n > 0 && p[n - 1] == '/')
		n--;
	for (i = 0; i < n; i++) {
		if (p[i] == '/')
			FAIL("a path after host:port (the API root is fixed)");
		if (p[i] == '?' || p[i] == '#')
			FAIL("a query or fragment after host:port");
		if (p[i] == '@')
			FAIL("user info (user@) is not supported in tcp:// URLs");
	}

	if (n > 0 && p[0] == '[') {
		const char *close = memchr(p, ']', n);
		if (!close)
			FAIL("'[' opens an IPv6 address that no ']' closes");
		host = p + 1;
		hn = (size_t)(close - host);
		/* An empty literal "[]" is not an address; require a colon so
		 * "[localhost]" is not taken as IPv6. */
		if (hn == 0 || !memchr(host, ':', hn))
			FAIL("only an IPv6 address goes in brackets: tcp://[::1]:2375");
		for (i = 0; i < hn; i++)
			if (!is_hex(host[i]) && host[i] != ':' && host[i] != '.')
				FAIL("the bracketed IPv6 address holds a character "
				     "other than hex digits, ':' and '.'");
		port = close + 1;
		pn = n - (size_t)(port - p);
		v6 = 1;
	} else {
		const char *colon = memchr(p, ':', n);
		host = p;
		hn = colon ? (size_t)(colon - p) : n;
		port = p + hn;
		pn = n - hn;
		for (i = 0; i < hn; i++)
			if (!is_name_char(host[i]))
				FAIL(host[i] == ']' ? "a ']' that no '[' opened"
				     : "the host holds a character other than letters, "
				       "digits, '-', '.' and '_'");
	}

	/* What follows the host is nothing or ":digits"; an unbracketed IPv6
	 * address lands here as a second colon and is refused. */
	if (pn > 0) {
		if (port[0] != ':')
			FAIL("only ':port' may follow the ']' of an IPv6 address");
		port++;
		pn--;
		if (!v6 && memchr(port, ':', pn))
			FAIL("more than one ':' (an IPv6 address goes in "
			     "brackets: tcp://[::1]:2375)");
	}
	if (pn == 0) {
		/* "tcp://host" and "tcp://host:" both take the default port. */
		v = tls ? TCP_PORT_TLS : TCP_PORT_PLAIN;
	} else {
		v = 0;
		for (i = 0; i < pn; i++) {
			if (!is_digit(port[i]))
				FAIL("the port must be a number from 1 to 65535");
			v = v * 10 + (unsigned long)(port[i] - '0');
			if (v > 65535) /* stops before v can overflow */
				FAIL("the port must be a number from 1 to 65535");
		}
		if (v == 0)
			FAIL("the port must be a number from 1 to 65535");
	}

	if (hn == 0) {
		/* "tcp://:2375": the CLI's default host. */
		host = DEFAULT_TCP_HOST;
		hn = strlen(host);
	}
	if (hn >= sizeof(ep->host))
		FAIL("the host name is too long for dockev (DK_HOST_MAX)");

	ep->kind = DK_EP_TCP;
	ep->tls = tls;
	memcpy(ep->host, host, hn);
	ep->host[hn] = '\0';

	/* Canonical port without leading zeros, written backwards. */
	{
		char tmp[8];
		size_t k = 0, j;
		do {
			tmp[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		for (j = 0; j < k; j++)
			ep->port[j] = tmp[k - 1 - j];
		ep->port[k] = '\0';
	}

	/* Both buffers are sized for the longest bracketed host plus a port;
	 * host_header = host:port, url = tcp://host:port. */
	{
		char *h = ep->host_header;
		size_t off = 0, pl = strlen(ep->port);
		if (v6)
			h[off++] = '[';
		memcpy(h + off, ep->host, hn);
		off += hn;
		if (v6)
			h[off++] = ']';
		h[off++] = ':';
		memcpy(h + off, ep->port, pl + 1);
		memcpy(ep->url, "tcp://", 6);
		memcpy(ep->url + 6, h, off + pl + 1);
	}
	return DK_OK;
}

/* The schemes the docker CLI knows but dockev cannot dial, and why. */
static const char *other_scheme(const char *p, size_t n)
{
	if (has_prefix(p, n, "ssh://"))
		return "ssh:// is not supported: forward the engine's socket "
		       "(ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock HOST) and "
		       "use unix:///tmp/docker.sock, or reach the engine over "
		       "tcp:// with TLS (--tlsverify)";
	if (has_prefix(p, n, "fd://"))
		return "fd:// names sockets systemd passes to dockerd; a client "
		       "cannot dial it: use unix:///var/run/docker.sock";
	if (has_prefix(p, n, "npipe://"))
		return "npipe:// is a Windows named pipe; dockev runs on Linux: "
		       "use unix:// or tcp://";
	if (has_prefix(p, n, "http://") || has_prefix(p, n, "https://"))
		return "http(s):// is not an engine URL: write tcp://host:port "
		       "(with --tlsverify for TLS)";
	return "an unknown scheme: want unix:///path or tcp://host:port "
	       "(lower case)";
}

int dk_endpoint_parse(struct dk_endpoint *ep, const char *url, int tls)
{
	return dk_endpoint_parse_why(ep, url, tls, NULL);
}

int dk_endpoint_parse_why(struct dk_endpoint *ep, const char *url, int tls,
                          const char **why)
{
	const char *p, *reason = NULL;
	size_t n;
	int rc;

	if (why)
		*why = "";
	if (!ep)
		return DK_ERR_PARAM;
	memset(ep, 0, sizeof(*ep));
	tls = tls != 0;

	if (!url)
		url = DK_DEFAULT_HOST;
	p = url;
	n = strlen(p);
	while (n > 0 && is_space(p[0])) {
		p++;
		n--;
	}
	while (n > 0 && is_space(p[n - 1]))
		n--;
	if (n == 0) {
		p = DK_DEFAULT_HOST;
		n = strlen(p);
	}

	/* Schemes are case-sensitive in the CLI ("TCP://" is refused there);
	 * ssh://, npipe://, fd:// and http(s):// are schemes we cannot dial. */
	if (has_prefix(p, n, "unix://")) {
		rc = parse_unix(ep, p + 7, n - 7, &reason);
	} else if (has_prefix(p, n, "tcp://")) {
		rc = parse_tcp(ep, p + 6, n - 6, tls, &reason);
	} else if (has_scheme_sep(p, n)) {
		reason = other_scheme(p, n);
		rc = DK_ERR_URL;
	} else if (p[0] == '/') {
		/* The CLI reads "/path" as tcp://127.0.0.1:2375/path (opts/hosts.go
		 * ParseTCPAddr), which no one means: say what to write. */
		reason = "a bare path is not a socket to the docker CLI (it reads "
		      "it as tcp://127.0.0.1:2375/path): write unix:///path";
		rc = DK_ERR_URL;
	} else {
		rc = parse_tcp(ep, p, n, tls, &reason); /* "host:port" means tcp */
	}

	if (rc != DK_OK) {
		memset(ep, 0, sizeof(*ep));
		if (why && reason)
			*why = reason;
	}
	return rc;
}
