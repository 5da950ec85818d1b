/* test_endpoint.c - dk_endpoint_parse: every accepted -H / DOCKER_HOST form,
 * its canonical URL and Host header, and every rejection and its reason. */
#include <string.h>

#include "endpoint.h"
#include "err.h"
#include "t.h"

static int all_zero(const struct dk_endpoint *ep)
{
	const unsigned char *p = (const unsigned char *)ep;
	size_t i;
	for (i = 0; i < sizeof(*ep); i++)
		if (p[i])
			return 0;
	return 1;
}

/* The input as a printable TAP description: control bytes as '?'. */
static const char *show(const char *in)
{
	static char buf[4][80];
	static int k;
	char *b = buf[k++ & 3];
	size_t i;

	if (!in)
		return "(null)";
	for (i = 0; in[i] && i < sizeof(buf[0]) - 4; i++)
		b[i] = (unsigned char)in[i] < 0x20 ? '?' : in[i];
	strcpy(b + i, in[i] ? "..." : "");
	return b;
}

static void accept_unix(const char *in, const char *path, const char *url)
{
	struct dk_endpoint ep;
	int rc = dk_endpoint_parse(&ep, in, 1);
	T_EQ(rc, DK_OK, "unix '%s' accepted", show(in));
	T_EQ(ep.kind, DK_EP_UNIX, "unix '%s' kind", show(in));
	T_EQ(ep.tls, 0, "unix '%s' never TLS", show(in));
	T_STR(ep.path, strlen(ep.path), path, "unix '%s' path", show(in));
	T_STR(ep.url, strlen(ep.url), url, "unix '%s' url", show(in));
	T_STR(ep.host_header, strlen(ep.host_header), "docker",
	      "unix '%s' Host", show(in));
}

static void accept_tcp(const char *in, int tls, const char *host,
                       const char *port, const char *hh, const char *url)
{
	struct dk_endpoint ep;
	int rc = dk_endpoint_parse(&ep, in, tls);
	T_EQ(rc, DK_OK, "tcp '%s' tls=%d accepted", show(in), tls);
	T_EQ(ep.kind, DK_EP_TCP, "tcp '%s' kind", show(in));
	T_EQ(ep.tls, tls, "tcp '%s' tls flag", show(in));
	T_STR(ep.host, strlen(ep.host), host, "tcp '%s' host", show(in));
	T_STR(ep.port, strlen(ep.port), port, "tcp '%s' port", show(in));
	T_STR(ep.host_header, strlen(ep.host_header), hh, "tcp '%s' Host", show(in));
	T_STR(ep.url, strlen(ep.url), url, "tcp '%s' url", show(in));
}

static void reject(const char *in, int want)
{
	struct dk_endpoint ep;
	int rc;
	memset(&ep, 0x5a, sizeof(ep));
	rc = dk_endpoint_parse(&ep, in, 0);
	T_EQ(rc, want, "'%s' rejected with %s", show(in), dk_strerror(want));
	T_OK(all_zero(&ep), "'%s' leaves ep zeroed", show(in));
}

static void test_unix(void)
{
	char in[300], path[300];

	accept_unix(NULL, "/var/run/docker.sock", "unix:///var/run/docker.sock");
	accept_unix("", "/var/run/docker.sock", "unix:///var/run/docker.sock");
	accept_unix("  \t", "/var/run/docker.sock", "unix:///var/run/docker.sock");
	accept_unix("unix://", "/var/run/docker.sock", "unix:///var/run/docker.sock");
	accept_unix("unix:///run/user/1000/docker.sock", "/run/user/1000/docker.sock",
	            "unix:///run/user/1000/docker.sock");
	accept_unix(" unix:///x.sock\n", "/x.sock", "unix:///x.sock");
	accept_unix("unix:///var/run/my docker.sock", "/var/run/my docker.sock",
	            "unix:///var/run/my docker.sock");

	reject("unix://var/run/docker.sock", DK_ERR_URL);   /* relative */
	reject("unix://./docker.sock", DK_ERR_URL);
	reject("unix://unix:///x", DK_ERR_URL);
	reject("unix:///a://b", DK_ERR_URL);
	reject("unix:///a\001b", DK_ERR_URL);
	reject("UNIX:///var/run/docker.sock", DK_ERR_URL);

	/* sun_path is 108 bytes with the NUL: 107 fits, 108 does not. */
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[107] = '\0';
	memcpy(in, "unix://", 7);
	memcpy(in + 7, path, 108);
	accept_unix(in, path, in);
	path[107] = 'a';
	path[108] = '\0';
	memcpy(in + 7, path, 109);
	reject(in, DK_ERR_PATH_LONG);
	path[250] = '\0';
	memcpy(in + 7, path, 251);
	reject(in, DK_ERR_PATH_LONG);
}

static void test_tcp(void)
{
	char in[400], host[300], want[400];
	size_t i;

	accept_tcp("tcp://127.0.0.1:2375", 0, "127.0.0.1", "2375",
	           "127.0.0.1:2375", "tcp://127.0.0.1:2375");
	accept_tcp("tcp://docker.example.com:2376", 1, "docker.example.com",
	           "2376", "docker.example.com:2376",
	           "tcp://docker.example.com:2376");
	accept_tcp("tcp://localhost", 0, "localhost", "2375", "localhost:2375",
	           "tcp://localhost:2375");
	accept_tcp("tcp://localhost", 1, "localhost", "2376", "localhost:2376",
	           "tcp://localhost:2376");
	accept_tcp("tcp://localhost:", 0, "localhost", "2375", "localhost:2375",
	           "tcp://localhost:2375");
	accept_tcp("tcp://:2380", 0, "127.0.0.1", "2380", "127.0.0.1:2380",
	           "tcp://127.0.0.1:2380");
	accept_tcp("tcp://", 0, "127.0.0.1", "2375", "127.0.0.1:2375",
	           "tcp://127.0.0.1:2375");
	accept_tcp("tcp://", 1, "127.0.0.1", "2376", "127.0.0.1:2376",
	           "tcp://127.0.0.1:2376");
	accept_tcp("tcp://host_1.lan:2375/", 0, "host_1.lan", "2375",
	           "host_1.lan:2375", "tcp://host_1.lan:2375");
	accept_tcp("tcp://host/", 0, "host", "2375", "host:2375",
	           "tcp://host:2375");
	accept_tcp("tcp://[::1]:2375", 0, "::1", "2375", "[::1]:2375",
	           "tcp://[::1]:2375");
	accept_tcp("tcp://[::1]", 1, "::1", "2376", "[::1]:2376",
	           "tcp://[::1]:2376");
	accept_tcp("tcp://[fe80::1:ABCD]:12/", 0, "fe80::1:ABCD", "12",
	           "[fe80::1:ABCD]:12", "tcp://[fe80::1:ABCD]:12");
	accept_tcp("tcp://[::ffff:10.0.0.1]:2375", 0, "::ffff:10.0.0.1", "2375",
	           "[::ffff:10.0.0.1]:2375", "tcp://[::ffff:10.0.0.1]:2375");
	/* No scheme means tcp, as in the CLI. */
	accept_tcp("10.0.0.5:2375", 0, "10.0.0.5", "2375", "10.0.0.5:2375",
	           "tcp://10.0.0.5:2375");
	accept_tcp("myhost", 1, "myhost", "2376", "myhost:2376",
	           "tcp://myhost:2376");
	accept_tcp(":4243", 0, "127.0.0.1", "4243", "127.0.0.1:4243",
	           "tcp://127.0.0.1:4243");
	accept_tcp("[::1]:2375", 0, "::1", "2375", "[::1]:2375",
	           "tcp://[::1]:2375");
	accept_tcp("  tcp://h:1  ", 0, "h", "1", "h:1", "tcp://h:1");
	/* Port bounds and leading zeros (canonicalised). */
	accept_tcp("tcp://h:1", 0, "h", "1", "h:1", "tcp://h:1");
	accept_tcp("tcp://h:65535", 0, "h", "65535", "h:65535", "tcp://h:65535");
	accept_tcp("tcp://h:0002375", 0, "h", "2375", "h:2375", "tcp://h:2375");
	/* tls given as any non-zero int is stored as 1. */
	{
		struct dk_endpoint ep;
		T_EQ(dk_endpoint_parse(&ep, "tcp://h:1", 7), DK_OK, "tls=7 accepted");
		T_EQ(ep.tls, 1, "tls=7 stored as 1");
	}

	reject("tcp://h:0", DK_ERR_URL);
	reject("tcp://h:00000", DK_ERR_URL);
	reject("tcp://h:65536", DK_ERR_URL);
	reject("tcp://h:99999999999999999999999", DK_ERR_URL);
	reject("tcp://h:-1", DK_ERR_URL);
	reject("tcp://h:+1", DK_ERR_URL);
	reject("tcp://h:23a", DK_ERR_URL);
	reject("tcp://h:2375:1", DK_ERR_URL);
	reject("tcp://[]:2375", DK_ERR_URL);
	reject("tcp://[]", DK_ERR_URL);
	reject("tcp://[::1:2375", DK_ERR_URL);
	reject("tcp://::1]:2375", DK_ERR_URL);
	reject("tcp://[::1]]:2375", DK_ERR_URL);
	reject("tcp://[::1]x:2375", DK_ERR_URL);
	reject("tcp://[::1]2375", DK_ERR_URL);
	reject("tcp://[localhost]:2375", DK_ERR_URL);
	reject("tcp://[::g]:2375", DK_ERR_URL);
	reject("tcp://::1:2375", DK_ERR_URL);     /* IPv6 needs brackets */
	reject("tcp://h:2375/path", DK_ERR_URL);
	reject("tcp://h:2375//", DK_ERR_URL);
	reject("tcp://h/v1.41", DK_ERR_URL);
	reject("tcp://h:2375?x=1", DK_ERR_URL);
	reject("tcp://h:2375/?x=1", DK_ERR_URL);
	reject("tcp://h:2375#f", DK_ERR_URL);
	reject("tcp://user@h:2375", DK_ERR_URL);
	reject("tcp://user:pw@h:2375", DK_ERR_URL);
	reject("tcp://h%41:2375", DK_ERR_URL);
	reject("tcp://h h:2375", DK_ERR_URL);
	reject("tcp://h:2375\r\nX: y", DK_ERR_URL);
	reject("/var/run/docker.sock", DK_ERR_URL);
	reject("TCP://h:2375", DK_ERR_URL);
	reject("ssh://me@host", DK_ERR_URL);
	reject("npipe:////./pipe/docker_engine", DK_ERR_URL);
	reject("fd://", DK_ERR_URL);
	reject("fd://3", DK_ERR_URL);
	reject("http://h:2375", DK_ERR_URL);
	reject("https://h:2376", DK_ERR_URL);
	reject("udp://h:2375", DK_ERR_URL);
	reject("tcp://tcp://h:2375", DK_ERR_URL);

	/* Host length: 255 bytes fit host[256], 256 do not. */
	memset(host, 'h', sizeof(host));
	host[255] = '\0';
	strcpy(in, "tcp://");
	strcat(in, host);
	strcat(in, ":2375");
	strcpy(want, host);
	strcat(want, ":2375");
	{
		char url[420];
		strcpy(url, "tcp://");
		strcat(url, want);
		accept_tcp(in, 0, host, "2375", want, url);
	}
	host[255] = 'h';
	host[256] = '\0';
	strcpy(in, "tcp://");
	strcat(in, host);
	reject(in, DK_ERR_URL);

	/* The longest bracketed literal fills host_header and url exactly as
	 * sized; built from 255 hex/colon bytes. */
	for (i = 0; i < 255; i++)
		host[i] = i % 5 == 4 ? ':' : 'f';
	host[255] = '\0';
	snprintf(in, sizeof(in), "tcp://[%s]:65535", host);
	snprintf(want, sizeof(want), "[%s]:65535", host);
	{
		char url[420];
		snprintf(url, sizeof(url), "tcp://%s", want);
		accept_tcp(in, 0, host, "65535", want, url);
	}
}

/* The refusal's reason holds want. */
static void reason(const char *in, const char *want)
{
	struct dk_endpoint ep;
	const char *why = NULL;
	int rc = dk_endpoint_parse_why(&ep, in, 0, &why);
	T_OK(rc < 0 && why && strstr(why, want), "'%s' refused: '%s'", show(in), want);
	if (!(why && strstr(why, want)))
		printf("#   why: %s\n", why ? why : "(null)");
}

static void test_reasons(void)
{
	struct dk_endpoint ep;
	const char *why = NULL;

	reason("ssh://me@host", "ssh:// is not supported: forward the engine's socket");
	reason("ssh://me@host", "or reach the engine over tcp:// with TLS");
	reason("fd://", "fd:// names sockets systemd passes to dockerd");
	reason("npipe:////./pipe/docker_engine", "Windows named pipe");
	reason("https://h:2376", "write tcp://host:port");
	reason("udp://h:1", "an unknown scheme");
	reason("TCP://h:2375", "(lower case)");
	reason("/var/run/docker.sock", "write unix:///path");
	reason("/var/run/docker.sock", "tcp://127.0.0.1:2375/path");
	reason("unix://var/run/docker.sock", "must be absolute");
	reason("unix://unix:///x", "a second scheme");
	reason("unix:///a\001b", "control character");
	reason("tcp://[::1:2375", "no ']' closes");
	reason("tcp://[localhost]:1", "only an IPv6 address goes in brackets");
	reason("tcp://[::g]:1", "other than hex digits");
	reason("tcp://[::1]x:1", "only ':port' may follow the ']'");
	reason("tcp://::1]:1", "more than one ':'");
	reason("tcp://::1:2375", "an IPv6 address goes in brackets");
	reason("tcp://fe80::1", "an IPv6 address goes in brackets");
	reason("tcp://h]:1", "a ']' that no '[' opened");
	reason("tcp://h h:1", "a character other than letters");
	reason("tcp://h:0", "from 1 to 65535");
	reason("tcp://h:65536", "from 1 to 65535");
	reason("tcp://h:x", "from 1 to 65535");
	reason("tcp://h:1/v1.41", "a path after host:port");
	reason("tcp://h:1?a", "a query or fragment");
	reason("tcp://u@h:1", "user info");
	{
		char in[300];
		memset(in, 'a', sizeof in);
		memcpy(in, "unix:///", 8);
		in[299] = '\0';
		T_EQ(dk_endpoint_parse_why(&ep, in, 0, &why), DK_ERR_PATH_LONG,
		     "long unix path: DK_ERR_PATH_LONG");
		T_OK(strstr(why, "never cut") != NULL, "long unix path: says it is never cut");
		memset(in, 'a', sizeof in - 1);
		memcpy(in, "tcp://", 6);
		T_EQ(dk_endpoint_parse_why(&ep, in, 0, &why), DK_ERR_URL, "long host");
		T_OK(strstr(why, "too long") != NULL, "long host: says so");
	}
	T_EQ(dk_endpoint_parse_why(&ep, "tcp://h:1", 0, &why), DK_OK, "accepted");
	T_STR(why, strlen(why), "", "accepted: why is \"\"");
	T_EQ(dk_endpoint_parse_why(&ep, "tcp://h:0", 0, NULL), DK_ERR_URL,
	     "why may be NULL");
}

static void test_param(void)
{
	T_EQ(dk_endpoint_parse(NULL, "tcp://h:1", 0), DK_ERR_PARAM, "NULL ep");
}

int main(void)
{
	test_unix();
	test_tcp();
	test_reasons();
	test_param();
	return T_DONE();
}
