/* test_request.c - dk_request_ping/events: exact request bytes, exact query
 * encoding, every too-small buffer; API version checks and ordering. */
#include <string.h>

#include "endpoint.h"
#include "err.h"
#include "request.h"
#include "t.h"

#define UA "User-Agent: dockev/" DK_VERSION "\r\n"
#define ACCEPT "Accept: application/x-ndjson\r\n"

static struct dk_endpoint ep_unix, ep_tcp, ep_v6;

static void events_ok(const char *what, const struct dk_endpoint *ep,
                      const char *ver, const char *since, const char *until,
                      const char *filters, const char *want)
{
	char buf[4096];
	int n;

	memset(buf, '#', sizeof(buf));
	n = dk_request_events(buf, sizeof(buf), ep, ver, since, until, filters);
	T_EQ(n, (long long)strlen(want), "%s: length", what);
	T_STR(buf, n > 0 ? (size_t)n : 0, want, "%s: bytes", what);
}

static void test_ping(void)
{
	char buf[256];
	int n;

	n = dk_request_ping(buf, sizeof(buf), &ep_unix);
	T_STR(buf, n > 0 ? (size_t)n : 0,
	      "GET /_ping HTTP/1.1\r\nHost: docker\r\n" UA "\r\n", "ping unix");
	n = dk_request_ping(buf, sizeof(buf), &ep_tcp);
	T_STR(buf, n > 0 ? (size_t)n : 0,
	      "GET /_ping HTTP/1.1\r\nHost: 10.0.0.5:2376\r\n" UA "\r\n",
	      "ping tcp");
	n = dk_request_ping(buf, sizeof(buf), &ep_v6);
	T_STR(buf, n > 0 ? (size_t)n : 0,
	      "GET /_ping HTTP/1.1\r\nHost: [::1]:2375\r\n" UA "\r\n", "ping v6");
	T_EQ(dk_request_ping(buf, sizeof(buf), NULL), DK_ERR_PARAM, "ping NULL ep");
	T_EQ(dk_request_ping(NULL, 10, &ep_unix), DK_ERR_PARAM,
	     "ping NULL buf, cap > 0");
	T_EQ(dk_request_ping(NULL, 0, &ep_unix), DK_ERR_NOSPACE,
	     "ping NULL buf, cap 0");
}

static void test_events(void)
{
	const char *json = "{\"type\":{\"container\":true},\"label\":{\"a=b c\":true}}";
	const char *enc = "%7B%22type%22%3A%7B%22container%22%3Atrue%7D%2C"
	                  "%22label%22%3A%7B%22a%3Db%20c%22%3Atrue%7D%7D";
	char want[1024];

	events_ok("bare", &ep_unix, "1.41", NULL, NULL, NULL,
	          "GET /v1.41/events HTTP/1.1\r\nHost: docker\r\n" UA ACCEPT "\r\n");
	events_ok("empty strings = absent", &ep_unix, "1.41", "", "", "",
	          "GET /v1.41/events HTTP/1.1\r\nHost: docker\r\n" UA ACCEPT "\r\n");
	events_ok("since", &ep_unix, "1.41", "1795792644.123456789", NULL, NULL,
	          "GET /v1.41/events?since=1795792644.123456789 HTTP/1.1\r\n"
	          "Host: docker\r\n" UA ACCEPT "\r\n");
	events_ok("until", &ep_tcp, "1.24", NULL, "1795792700.000000000", "",
	          "GET /v1.24/events?until=1795792700.000000000 HTTP/1.1\r\n"
	          "Host: 10.0.0.5:2376\r\n" UA ACCEPT "\r\n");
	events_ok("negative since stays", &ep_unix, "1.41", "-2.500000000", NULL,
	          NULL,
	          "GET /v1.41/events?since=-2.500000000 HTTP/1.1\r\n"
	          "Host: docker\r\n" UA ACCEPT "\r\n");
	events_ok("since+until", &ep_v6, "1.9", "1.5", "2", NULL,
	          "GET /v1.9/events?since=1.5&until=2 HTTP/1.1\r\n"
	          "Host: [::1]:2375\r\n" UA ACCEPT "\r\n");

	snprintf(want, sizeof(want), "GET /v1.41/events?filters=%s HTTP/1.1\r\n"
	         "Host: docker\r\n" UA ACCEPT "\r\n", enc);
	events_ok("filters only", &ep_unix, "1.41", NULL, NULL, json, want);
	snprintf(want, sizeof(want),
	         "GET /v1.41/events?since=1795792644.000000000"
	         "&until=1795792999.500000000&filters=%s HTTP/1.1\r\n"
	         "Host: 10.0.0.5:2376\r\n" UA ACCEPT "\r\n", enc);
	events_ok("all three", &ep_tcp, "1.41", "1795792644.000000000",
	          "1795792999.500000000", json, want);
	snprintf(want, sizeof(want), "GET /v1.41/events?since=5&filters=%s "
	         "HTTP/1.1\r\nHost: docker\r\n" UA ACCEPT "\r\n", enc);
	events_ok("since+filters", &ep_unix, "1.41", "5", NULL, json, want);

	/* Byte classes: unreserved kept, everything else %XX uppercase. */
	events_ok("encoding", &ep_unix, "1.41", NULL, NULL,
	          "AZaz09-._~ +%&=/?#\r\n\x01\x7f\x80\xff\xc3\xa9",
	          "GET /v1.41/events?filters=AZaz09-._~%20%2B%25%26%3D%2F%3F%23"
	          "%0D%0A%01%7F%80%FF%C3%A9 HTTP/1.1\r\nHost: docker\r\n" UA ACCEPT "\r\n");
	/* A hostile since cannot split the request line. */
	events_ok("since encoded", &ep_unix, "1.41", "1\r\nX: y", NULL, NULL,
	          "GET /v1.41/events?since=1%0D%0AX%3A%20y HTTP/1.1\r\n"
	          "Host: docker\r\n" UA ACCEPT "\r\n");
}

static void test_events_refused(void)
{
	static const char *const bad[] = {
		"", "1", "1.", ".41", "v1.41", "1.41.0", "1234.1", "1.1234",
		"1.4a", "1.41/../x", " 1.41", "1.41 ", "-1.41", "1,41",
	};
	char buf[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_EQ(dk_request_events(buf, sizeof(buf), &ep_unix, bad[i], NULL,
		                       NULL, NULL),
		     DK_ERR_VERSION, "events version '%s' refused", bad[i]);
	T_EQ(dk_request_events(buf, sizeof(buf), &ep_unix, NULL, NULL, NULL,
	                       NULL),
	     DK_ERR_VERSION, "events NULL version refused");
	T_EQ(dk_request_events(buf, sizeof(buf), NULL, "1.41", NULL, NULL, NULL),
	     DK_ERR_PARAM, "events NULL ep");
	T_EQ(dk_request_events(NULL, 5, &ep_unix, "1.41", NULL, NULL, NULL),
	     DK_ERR_PARAM, "events NULL buf, cap > 0");
}

/* Every cap from 0 to the needed length: DK_ERR_NOSPACE and no byte
 * written past cap; the needed length itself fits exactly. */
static void space_sweep(const char *what, int events)
{
	const char *json = "{\"type\":{\"container\":true},\"label\":{\"a=b c\":true}}";
	char ref[1024], buf[1024];
	int len, rc, all = 1, clean = 1;
	size_t cap, i;

	len = events ? dk_request_events(ref, sizeof(ref), &ep_v6, "1.41", "1.5",
	                                 "9", json)
	             : dk_request_ping(ref, sizeof(ref), &ep_v6);
	T_OK(len > 0, "%s: reference length %d", what, len);
	if (len <= 0)
		return;
	for (cap = 0; cap < (size_t)len; cap++) {
		memset(buf, '#', sizeof(buf));
		rc = events ? dk_request_events(buf, cap, &ep_v6, "1.41", "1.5",
		                                "9", json)
		            : dk_request_ping(buf, cap, &ep_v6);
		for (i = cap; i < sizeof(buf); i++)
			if (buf[i] != '#') {
				clean = 0;
				T_OK(0, "%s: cap %zu wrote at %zu", what, cap, i);
				break;
			}
		if (rc != DK_ERR_NOSPACE) {
			all = 0;
			T_OK(0, "%s: cap %zu gave %d", what, cap, rc);
		}
	}
	T_OK(all, "%s: caps 0..%d all DK_ERR_NOSPACE", what, len - 1);
	T_OK(clean, "%s: caps 0..%d never write past cap", what, len - 1);
	memset(buf, '#', sizeof(buf));
	rc = events ? dk_request_events(buf, (size_t)len, &ep_v6, "1.41", "1.5",
	                                "9", json)
	            : dk_request_ping(buf, (size_t)len, &ep_v6);
	T_EQ(rc, len, "%s: cap = length fits (no NUL)", what);
	T_OK(memcmp(buf, ref, (size_t)len) == 0 && buf[len] == '#',
	     "%s: exact-cap bytes equal, nothing after", what);
}

static void test_versions(void)
{
	static const char *const good[] = {
		"1.41", "1.9", "0.0", "999.999", "01.041", "1.24",
	};
	static const char *const bad[] = {
		"", "1", "1.", ".1", "1.41.0", "1000.1", "1.1000", "a.b", "1.4a",
		"1..4", "+1.4", "1.-4", " 1.4",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		T_EQ(dk_request_version_valid(good[i]), DK_OK, "'%s' valid", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_EQ(dk_request_version_valid(bad[i]), DK_ERR_VERSION,
		     "'%s' invalid", bad[i]);
	T_EQ(dk_request_version_valid(NULL), DK_ERR_VERSION, "NULL invalid");

	T_OK(dk_request_version_cmp("1.41", "1.9") > 0, "1.41 > 1.9");
	T_OK(dk_request_version_cmp("1.9", "1.41") < 0, "1.9 < 1.41");
	T_OK(dk_request_version_cmp("1.41", "1.41") == 0, "1.41 == 1.41");
	T_OK(dk_request_version_cmp("01.041", "1.41") == 0, "01.041 == 1.41");
	T_OK(dk_request_version_cmp("1.40", "1.41") < 0, "1.40 < 1.41");
	T_OK(dk_request_version_cmp("2.0", "1.99") > 0, "2.0 > 1.99");
	T_OK(dk_request_version_cmp("1.99", "2.0") < 0, "1.99 < 2.0");
	T_OK(dk_request_version_cmp("x", "0.0") < 0, "malformed < 0.0");
	T_OK(dk_request_version_cmp("0.0", "1.2.3") > 0, "0.0 > malformed");
	T_OK(dk_request_version_cmp(NULL, "1.24") < 0, "NULL < 1.24");
	T_OK(dk_request_version_cmp("x", "y") == 0, "malformed == malformed");
	T_OK(dk_request_version_cmp(NULL, NULL) == 0, "NULL == NULL");
}

/* Refusals as engines word them (tests/data/ holds dockerd's). */
static void test_version_hint(void)
{
	static const struct { const char *msg; int kind; const char *v; } c[] = {
		{ "client version 1.41 is too old. Minimum supported API version "
		  "is 1.44, please upgrade your client to a newer version", 1, "1.44" },
		{ "client version 1.99 is too new. Maximum supported API version "
		  "is 1.41", -1, "1.41" },
		{ "client version 1.52 is too new. Maximum supported API version "
		  "is 1.51.", -1, "1.51" },
		{ "Minimum supported API version is 1.100", 1, "1.100" },
		{ "Minimum supported API version is 1.1000", 0, "" },
		{ "Minimum supported API version is ", 0, "" },
		{ "Minimum supported API version is 1", 0, "" },
		{ "Minimum supported API version is 1.4x", 1, "1.4" },
		{ "page not found", 0, "" },
		{ "", 0, "" },
	};
	char v[16], big[200], buf[256];
	size_t i;
	int k, n;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		strcpy(v, "");
		k = dk_request_version_hint(c[i].msg, v, sizeof v);
		T_EQ(k, c[i].kind, "hint %zu: kind", i);
		if (k != 0)
			T_OK(strcmp(v, c[i].v) == 0, "hint %zu: version %s", i, v);
	}
	/* A version longer than out: none, not a cut one. */
	snprintf(big, sizeof big, "Minimum supported API version is 1.%0150d", 4);
	T_EQ(dk_request_version_hint(big, v, sizeof v), 0, "a version longer than out: none");
	T_EQ(dk_request_version_hint("Minimum supported API version is 1.44", v, 4), 0,
	     "a version that does not fit cap: none");

	n = dk_request_version(buf, sizeof buf, &ep_unix);
	T_STR(buf, n > 0 ? (size_t)n : 0,
	      "GET /version HTTP/1.1\r\nHost: docker\r\n" UA "\r\n", "version request");
}

int main(void)
{
	if (dk_endpoint_parse(&ep_unix, "unix:///var/run/docker.sock", 0) ||
	    dk_endpoint_parse(&ep_tcp, "tcp://10.0.0.5", 1) ||
	    dk_endpoint_parse(&ep_v6, "tcp://[::1]:2375", 0)) {
		printf("Bail out! endpoint setup\n");
		return 1;
	}
	test_ping();
	test_events();
	test_events_refused();
	test_version_hint();
	space_sweep("ping", 0);
	space_sweep("events", 1);
	test_versions();
	return T_DONE();
}
