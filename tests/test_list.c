/* test_list.c - --snapshot's list requests and the engine's Date. */
#include "t.h"
#include "endpoint.h"
#include "err.h"
#include "list.h"
#include "object.h"

int main(void)
{
	struct dk_endpoint ep;
	char buf[512];
	int64_t s = 0;
	int n;

	T_EQ(dk_endpoint_parse(&ep, "unix:///var/run/docker.sock", 0), DK_OK, "endpoint");
	n = dk_list_request(buf, sizeof buf, &ep, "1.47", DK_OBJECT_CONTAINER);
	T_STR(buf, n > 0 ? (size_t)n : 0,
	      "GET /v1.47/containers/json?all=1 HTTP/1.1\r\nHost: docker\r\n"
	      "User-Agent: dockev/" DK_VERSION "\r\n\r\n", "containers, all of them");
	n = dk_list_request(buf, sizeof buf, &ep, "1.41", DK_OBJECT_NETWORK);
	T_OK(n > 0 && strncmp(buf, "GET /v1.41/networks HTTP/1.1\r\n", 30) == 0, "networks");
	n = dk_list_request(buf, sizeof buf, &ep, "1.41", DK_OBJECT_VOLUME);
	T_OK(n > 0 && strncmp(buf, "GET /v1.41/volumes HTTP/1.1\r\n", 29) == 0, "volumes");
	T_EQ(dk_list_request(buf, sizeof buf, &ep, "1.41/x", 0), DK_ERR_VERSION, "a bad version");
	T_EQ(dk_list_request(buf, sizeof buf, &ep, "1.41", 3), DK_ERR_PARAM, "an unknown kind");
	T_EQ(dk_list_request(buf, 40, &ep, "1.41", 0), DK_ERR_NOSPACE, "a short buffer");

#define HEAD(date) "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nX-Date: Mon, 01 Jan 2001 00:00:00 GMT\r\n" \
	date "Content-Length: 2\r\n\r\n"
#define DATE(h) dk_list_date((h), strlen(h), &s)
	T_OK(DATE(HEAD("Date: Sun, 06 Dec 2026 00:12:37 GMT\r\n")) && s == 1796515957,
	     "dockerd's Date: %lld", (long long)s);
	T_OK(DATE(HEAD("date:Thu, 01 Jan 1970 00:00:00 GMT  \n")) && s == 0,
	     "any case, no space, bare LF: %lld", (long long)s);
	T_OK(DATE(HEAD("Date: Tue, 29 Feb 2028 23:59:59 GMT\r\n")) && s == 1835481599,
	     "a leap day: %lld", (long long)s);
	T_OK(DATE(HEAD("Date: Fri, 31 Dec 2100 12:00:00 GMT\r\n")) && s == 4133937600LL,
	     "past 2038: %lld", (long long)s);
	T_EQ(DATE(HEAD("")), 0, "no Date header (X-Date is another)");
	T_EQ(DATE(HEAD("Date: Sunday, 06-Dec-26 00:12:37 GMT\r\n")), 0, "RFC 850's form is not taken");
	T_EQ(DATE(HEAD("Date: Sun, 06 Dek 2026 00:12:37 GMT\r\n")), 0, "no such month");
	T_EQ(DATE(HEAD("Date: Sun, 06 Dec 2026 24:12:37 GMT\r\n")), 0, "hour 24");
	T_EQ(DATE(HEAD("Date: Sun, 06 Dec 2026 00:12:37 UTC\r\n")), 0, "not GMT");
	return T_DONE();
}
