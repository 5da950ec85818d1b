/* request.c - the requests dockev sends (Docker Engine API /_ping,
 * /version and /v<version>/events), written whole into a caller buffer. Request line and
 * Host header per RFC 9112 §3 and §3.2; query values keep RFC 3986 §2.3's
 * unreserved bytes and percent-encode every other byte (§2.1, uppercase).
 */
#include <limits.h>
#include <string.h>

#include "endpoint.h"
#include "err.h"
#include "request.h"
#include "out.h"

static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

/* Percent-encode everything else, space included (%20, which Go's
 * url.ParseQuery decodes like '+'). Encoding since/until too costs nothing
 * for the engine's "s.nnnnnnnnn" and keeps CR/LF out of the request line
 * whatever the caller passes. */
static void put_encoded(struct dk_out *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (is_unreserved(c)) {
			dk_out_put(o, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		dk_out_put(o, e, 3);
	}
}

/* Host (Go's server answers 400 to HTTP/1.1 without it), User-Agent, and
 * the empty line. No Connection: close: the events stream is long-lived
 * and the caller closes the /_ping connection itself. */
static int finish(struct dk_out *o, const struct dk_endpoint *ep,
                  const char *extra)
{
	dk_out_str(o, " HTTP/1.1\r\nHost: ");
	dk_out_str(o, ep->host_header);
	dk_out_str(o, "\r\nUser-Agent: dockev/" DK_VERSION "\r\n");
	dk_out_str(o, extra);
	dk_out_str(o, "\r\n");
	if (o->len > o->cap || o->len > INT_MAX)
		return DK_ERR_NOSPACE;
	return (int)o->len;
}

static int plain_get(char *buf, size_t cap, const struct dk_endpoint *ep,
                     const char *path)
{
	struct dk_out o;

	if (!ep || (cap > 0 && !buf))
		return DK_ERR_PARAM;
	dk_out_init(&o, buf, cap);
	dk_out_str(&o, "GET ");
	dk_out_str(&o, path);
	return finish(&o, ep, "");
}

int dk_request_ping(char *buf, size_t cap, const struct dk_endpoint *ep)
{
	return plain_get(buf, cap, ep, "/_ping");
}

int dk_request_version(char *buf, size_t cap, const struct dk_endpoint *ep)
{
	return plain_get(buf, cap, ep, "/version");
}

int dk_request_events(char *buf, size_t cap, const struct dk_endpoint *ep,
                      const char *version, const char *since,
                      const char *until, const char *filters)
{
	struct dk_out o;
	char sep = '?';

	if (!ep || (cap > 0 && !buf))
		return DK_ERR_PARAM;
	/* The version lands in the path: only digits and one dot pass. */
	if (dk_request_version_valid(version) != DK_OK)
		return DK_ERR_VERSION;
	dk_out_init(&o, buf, cap);
	dk_out_str(&o, "GET /v");
	dk_out_str(&o, version);
	dk_out_str(&o, "/events");
	if (since && *since) {
		dk_out_put(&o, &sep, 1);
		dk_out_str(&o, "since=");
		put_encoded(&o, since);
		sep = '&';
	}
	if (until && *until) {
		dk_out_put(&o, &sep, 1);
		dk_out_str(&o, "until=");
		put_encoded(&o, until);
		sep = '&';
	}
	if (filters && *filters) {
		dk_out_put(&o, &sep, 1);
		dk_out_str(&o, "filters=");
		put_encoded(&o, filters);
	}
	/* Engines from API 1.52 answer the body type asked for (moby's
	 * MatchAcceptStrict: exact types only); newline-delimited JSON is what
	 * the framer reads. Older engines ignore the header. */
	return finish(&o, ep, "Accept: application/x-ndjson\r\n");
}

/* 1-3 digits: the part's value, or -1. */
static int part(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	if (n < 1 || n > 3)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "MAJOR.MINOR" into *maj, *min; 0 if malformed. */
static int version_parse(const char *v, int *maj, int *min)
{
	const char *dot;

	if (!v || !(dot = strchr(v, '.')))
		return 0;
	*maj = part(v, (size_t)(dot - v));
	*min = part(dot + 1, strlen(dot + 1));
	return *maj >= 0 && *min >= 0;
}

int dk_request_version_hint(const char *msg, char *out, size_t cap)
{
	static const char *const says[2] = {
		"Minimum supported API version is ",
		"Maximum supported API version is ",
	};
	int k;

	for (k = 0; k < 2; k++) {
		const char *p = strstr(msg, says[k]);
		size_t n = 0;
		if (!p)
			continue;
		p += strlen(says[k]);
		while ((p[n] >= '0' && p[n] <= '9') || p[n] == '.')
			n++;
		/* "1.44," or "1.41." ends a sentence: not part of it. */
		while (n > 0 && p[n - 1] == '.')
			n--;
		if (n == 0 || n >= cap)
			return 0;
		memcpy(out, p, n);
		out[n] = '\0';
		if (dk_request_version_valid(out) != DK_OK)
			return 0;
		return k == 0 ? 1 : -1;
	}
	return 0;
}

int dk_request_version_valid(const char *v)
{
	int maj, min;
	return version_parse(v, &maj, &min) ? DK_OK : DK_ERR_VERSION;
}

/* Numeric per part: "1.9" < "1.41", which a string compare gets wrong. */
int dk_request_version_cmp(const char *a, const char *b)
{
	int am, an, bm, bn;
	int va = version_parse(a, &am, &an), vb = version_parse(b, &bm, &bn);

	if (!va || !vb)
		return va - vb;
	if (am != bm)
		return am < bm ? -1 : 1;
	if (an != bn)
		return an < bn ? -1 : 1;
	return 0;
}
