/* list.c - the list requests of --snapshot and the engine's Date (list.h).
 * Requests as request.c writes its own (RFC 9112 section 3); the date is
 * RFC 9110 section 5.6.7's IMF-fixdate, which Go's net/http always sends.
 */
#include <limits.h>
#include <string.h>
#include "err.h"
#include "list.h"
#include "object.h"
#include "out.h"
#include "request.h"

int dk_list_request(char *buf, size_t cap, const struct dk_endpoint *ep,
                    const char *version, int kind)
{
	static const char *const paths[DK_OBJECT_KINDS] = {
		"/containers/json?all=1", "/networks", "/volumes"
	};
	struct dk_out o;

	if (!ep || (cap > 0 && !buf) || kind < 0 || kind >= DK_OBJECT_KINDS)
		return DK_ERR_PARAM;
	if (dk_request_version_valid(version) != DK_OK)
		return DK_ERR_VERSION;
	dk_out_init(&o, buf, cap);
	dk_out_str(&o, "GET /v");
	dk_out_str(&o, version);
	dk_out_str(&o, paths[kind]);
	dk_out_str(&o, " HTTP/1.1\r\nHost: ");
	dk_out_str(&o, ep->host_header);
	dk_out_str(&o, "\r\nUser-Agent: dockev/" DK_VERSION "\r\n\r\n");
	if (o.len > o.cap || o.len > INT_MAX)
		return DK_ERR_NOSPACE;
	return (int)o.len;
}

/* n decimal digits at p, or -1. */
static int digits(const char *p, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m 1..12). */
static int64_t days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "Sun, 06 Dec 2026 00:12:37 GMT": 29 bytes exactly. */
static int fixdate(const char *p, size_t n, int64_t *secs)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int d, y, h, mi, s, m;

	if (n != 29 || p[3] != ',' || p[4] != ' ' || p[7] != ' ' ||
	    p[11] != ' ' || p[16] != ' ' || p[19] != ':' || p[22] != ':' ||
	    memcmp(p + 25, " GMT", 4) != 0)
		return 0;
	for (m = 0; m < 12; m++)
		if (memcmp(months + (size_t)3 * (size_t)m, p + 8, 3) == 0)
			break;
	d = digits(p + 5, 2);
	y = digits(p + 12, 4);
	h = digits(p + 17, 2);
	mi = digits(p + 20, 2);
	s = digits(p + 23, 2);
	if (m == 12 || d < 1 || d > 31 || y < 1970 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || s < 0 || s > 60)
		return 0;
	*secs = days(y, m + 1, d) * 86400 + (int64_t)h * 3600 +
	        (int64_t)mi * 60 + s;
	return 1;
}

int dk_list_date(const char *head, size_t n, int64_t *secs)
{
	size_t i = 0;

	/* Each line after the status line: "Date" ":" OWS value OWS. */
	while (i < n) {
		const char *nl = memchr(head + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - head) : n, a = i, b;

		i = e + 1;
		if (e - a < 5 || (head[a] != 'D' && head[a] != 'd') ||
		    (head[a + 1] | 0x20) != 'a' || (head[a + 2] | 0x20) != 't' ||
		    (head[a + 3] | 0x20) != 'e' || head[a + 4] != ':')
			continue;
		for (a += 5; a < e && (head[a] == ' ' || head[a] == '\t'); a++)
			;
		for (b = e; b > a && (head[b - 1] == '\r' || head[b - 1] == ' ' ||
		                      head[b - 1] == '\t'); b--)
			;
		return fixdate(head + a, b - a, secs);
	}
	return 0;
}
