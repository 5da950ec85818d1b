/* http.c - parses an HTTP/1.x response head: status line and the headers
 * dockev acts on (RFC 9112 sections 4-6). The caller keeps the bytes; we
 * only look at them, bounded by DK_HEAD_MAX.
 */
#include <string.h>
#include "http.h"
#include "config.h"
#include "err.h"

void dk_http_head_init(struct dk_http_head *h)
{
	memset(h, 0, sizeof *h);
	h->content_length = -1;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int name_is(const char *p, size_t n, const char *want)
{
	size_t i;
	if (n != strlen(want))
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)p[i]) != want[i])
			return 0;
	return 1;
}

/* RFC 9110 token characters, for header names. */
static int is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Does the comma-separated list p[0..n) hold the token want (lower-case)? */
static int list_has(const char *p, size_t n, const char *want)
{
	size_t i = 0, wl = strlen(want);
	while (i < n) {
		size_t s, e;
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
			i++;
		s = i;
		while (i < n && p[i] != ',')
			i++;
		e = i;
		while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;
		if (e - s == wl && name_is(p + s, e - s, want))
			return 1;
	}
	return 0;
}

/* The last element of a comma-separated list is want? (Transfer-Encoding:
 * only a final "chunked" delimits the body.) */
static int list_last_is(const char *p, size_t n, const char *want)
{
	size_t e = n, s;
	while (e > 0 && (p[e - 1] == ' ' || p[e - 1] == '\t' || p[e - 1] == ','))
		e--;
	s = e;
	while (s > 0 && p[s - 1] != ',')
		s--;
	while (s < e && (p[s] == ' ' || p[s] == '\t'))
		s++;
	return name_is(p + s, e - s, want);
}

static void copy_value(char *dst, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static int header(struct dk_http_head *h, const char *name, size_t nl,
                  const char *v, size_t vl)
{
	if (name_is(name, nl, "content-length")) {
		int64_t x = 0;
		size_t i;
		if (vl == 0 || vl > 18)
			return DK_ERR_LENGTH;
		for (i = 0; i < vl; i++) {
			if (v[i] < '0' || v[i] > '9')
				return DK_ERR_LENGTH;
			x = x * 10 + (v[i] - '0');
		}
		/* Two different lengths are a smuggling vector: refuse. */
		if (h->content_length >= 0 && h->content_length != x)
			return DK_ERR_LENGTH;
		h->content_length = x;
	} else if (name_is(name, nl, "transfer-encoding")) {
		if (list_last_is(v, vl, "chunked"))
			h->chunked = 1, h->other_coding = 0;
		else
			h->chunked = 0, h->other_coding = 1;
	} else if (name_is(name, nl, "connection")) {
		if (list_has(v, vl, "close"))
			h->close = 1;
		else if (list_has(v, vl, "keep-alive") && h->minor == 0)
			h->close = 0;
	} else if (name_is(name, nl, "api-version")) {
		copy_value(h->api_version, sizeof h->api_version, v, vl);
	} else if (name_is(name, nl, "libpod-api-version")) {
		copy_value(h->libpod_version, sizeof h->libpod_version, v, vl);
	} else if (name_is(name, nl, "content-type")) {
		copy_value(h->content_type, sizeof h->content_type, v, vl);
	}
	return DK_OK;
}

/* Length of the line at p (bytes before '\n'), without a trailing '\r'. */
static size_t line_len(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = (size_t)(nl - p);
	*next = nl + 1;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

static int parse_status(struct dk_http_head *h, const char *p, size_t n)
{
	/* "HTTP/1.1 200 OK"; the reason phrase may be empty. */
	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9' ||
	    p[8] != ' ' || p[9] < '1' || p[9] > '9' || p[10] < '0' ||
	    p[10] > '9' || p[11] < '0' || p[11] > '9' || (n > 12 && p[12] != ' '))
		return DK_ERR_STATUS;
	h->minor = p[7] - '0';
	h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	h->close = h->minor == 0; /* HTTP/1.0 closes unless keep-alive */
	return DK_OK;
}

static long parse_all(struct dk_http_head *h, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *next;
	size_t n = line_len(p, end, &next);
	int r, fields = 0;

	if ((r = parse_status(h, p, n)) < 0)
		return r;
	for (p = next; p < end; p = next) {
		const char *colon, *v, *ve;
		n = line_len(p, end, &next);
		if (n == 0)
			return (long)(next - buf);
		/* obs-fold and names with spaces are refused (RFC 9112 5.2). */
		colon = memchr(p, ':', n);
		if (!colon || colon == p || ++fields > DK_HEAD_FIELDS_MAX)
			return DK_ERR_HEADER;
		for (v = p; v < colon; v++)
			if (!is_tchar((unsigned char)*v))
				return DK_ERR_HEADER;
		v = colon + 1;
		ve = p + n;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		r = header(h, p, (size_t)(colon - p), v, (size_t)(ve - v));
		if (r < 0)
			return r;
	}
	return DK_ERR_HEADER; /* unreachable: the end was found before */
}

long dk_http_head_parse(struct dk_http_head *h, const char *buf, size_t len)
{
	static const char prefix[] = "HTTP/1.";
	size_t i, cmp = len < 7 ? len : 7;
	long r;

	if (h->err)
		return h->err;
	/* Fail on the first bytes: a TLS alert or a banner is not worth
	 * waiting DK_HEAD_TIMEOUT_MS for. */
	if (memcmp(buf, prefix, cmp) != 0) {
		h->err = DK_ERR_NOT_HTTP;
		return h->err;
	}
	if (len > (size_t)DK_HEAD_MAX)
		len = (size_t)DK_HEAD_MAX;
	/* The head ends at an empty line: "\n\n" or "\n\r\n". */
	i = h->scanned > 2 ? h->scanned - 2 : 0;
	for (; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if ((i + 1 < len && buf[i + 1] == '\n') ||
		    (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')) {
			r = parse_all(h, buf, len);
			if (r < 0)
				h->err = (int)r;
			return r;
		}
	}
	h->scanned = len;
	if (len >= (size_t)DK_HEAD_MAX) {
		h->err = DK_ERR_HEAD_BIG;
		return h->err;
	}
	return 0;
}

enum dk_body_mode dk_http_body_mode(const struct dk_http_head *h)
{
	if ((h->status >= 100 && h->status < 200) || h->status == 204 ||
	    h->status == 304)
		return DK_BODY_NONE;
	if (h->chunked)
		return DK_BODY_CHUNKED;
	/* A non-chunked transfer coding wins over Content-Length. */
	if (!h->other_coding && h->content_length >= 0)
		return DK_BODY_LENGTH;
	return DK_BODY_CLOSE;
}

const char *dk_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	}
	return "";
}
