/*
 * fakeengine - a fake Docker Engine for dockev's tests, demo and benchmark.
 *
 * Owns the whole "engine" side of one socket: the listener (unix or TCP, one
 * forked child per connection), HTTP/1.1 request heads (RFC 9112), /_ping,
 * /version and /events answered as dockerd 20.10 answers them (chunked per
 * RFC 9112 §7.1, one chunk per event, each JSON line ending in "\n"), events
 * replayed byte-exact from a file or generated on the fly, since/until/filters,
 * and fault modes applied to the first K /events requests. --engine turns it
 * into a current engine instead: Docker 29 (minimum API version, events
 * without the legacy fields from API 1.52 and re-encoded below it, the body
 * type negotiated on Accept) or Podman 5 (its headers, its filter-key
 * refusal, exclusive since/until); /work/notes/fake.md has the sources.
 * A test tool: fixed buffers and mmap'd input, no heap, so a forked child can
 * exit at any point.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define JSMN_STRICT
#define JSMN_STATIC
#include <jsmn.h>

#define HEAD_MAX 16384            /* request head bound (Go's default is 1 MiB; ours is tighter) */
#define OUT_MAX 65536             /* output buffer: flushed when full and whenever the stream pauses */
#define MERGE_MAX 262144          /* --chunking merge: largest merged chunk */
#define GEN_MAX 16384             /* one generated event */
#define FILE_MAX (64u << 20)      /* -e and --raw files */
#define TOK_MAX 16384             /* jsmn tokens for one event line */
#define FTOK_MAX 2048             /* jsmn tokens for the filters JSON */
#define ATTR_MAX 512              /* attributes looked at per event */
#define FVAL_MAX 64               /* values per filter key */
#define CHILD_MAX 4096            /* live connections */
#define BODY_MAX (1u << 20)       /* request body we are willing to discard */
#define MS 1000000LL              /* nanoseconds per millisecond */
#define NS 1000000000LL           /* nanoseconds per second */
#define ACCEPT_MAX 8              /* Accept header lines looked at */
#define SPEC_MAX 32               /* media ranges looked at, over all Accept lines */
#define XMEM_MAX (TOK_MAX / 2)    /* object members being sorted, all levels together */

enum chunking { CH_ONE, CH_SPLIT, CH_MERGE };

/* Events body types, as Docker 29 names them (api/types/types.go). */
enum ctype { CT_JSON, CT_NDJSON, CT_JSONL, CT_SEQ, CT_N };
static const char *const ct_names[CT_N] = {
	"application/json", "application/x-ndjson", "application/jsonl", "application/json-seq" };

/* How an engine picks the events body type from Accept. */
enum negotiation {
	NEG_NONE,       /* dockerd 20.10, Podman: application/json, Accept ignored */
	NEG_GDDO,       /* 29.0-29.1: gddo NegotiateContentType over ndjson, json-seq */
	NEG_GDDO_JSONL, /* 29.2: the same over jsonl, ndjson, json-seq */
	NEG_STRICT,     /* 29.3 on: exact types only, default by API version */
};

static const struct engine {
	const char *name, *version, *api, *min;
	int neg;
	bool docker29, podman;
} engines[] = {
	{ "dockerd", "20.10.24+dfsg1", "1.41", "1.12", NEG_NONE, false, false },
	{ "docker29.0", "29.0.4", "1.52", "1.44", NEG_GDDO, true, false },
	{ "docker29.2", "29.2.1", "1.53", "1.44", NEG_GDDO_JSONL, true, false },
	{ "docker29", "29.7.2", "1.55", "1.40", NEG_STRICT, true, false },
	{ "podman5", "5.4.2", "1.41", "1.24", NEG_NONE, false, true },
	{ "podman5.8", "5.8.2", "1.44", "1.24", NEG_NONE, false, true },
};

static const char usage_text[] =
"usage: fakeengine -l ADDR [-e FILE [--repeat N] | -g N [--t0 NS]] [options]\n"
"A fake Docker Engine (dockerd 20.10 on the wire, or --engine) for dockev's tests.\n"
"  -l unix:PATH | tcp:HOST:PORT   listen there (PORT 0: the kernel picks)\n"
"  -e FILE          events to serve: one JSON object per line, each with timeNano;\n"
"                   lines are sent byte-for-byte\n"
"  --repeat N       with -e: send the file N times, timeNano (and time) shifted by\n"
"                   (file span + 1 ms) each round\n"
"  -g N             generate N dockerd-like events, timeNano from --t0 NS\n"
"                   (default now) in 1 ms steps\n"
"  --engine NAME    the engine to be (default dockerd):\n"
"                   dockerd     dockerd 20.10, byte-exact (tests/data/)\n"
"                   docker29    29.3 and later: API 1.55, minimum 1.40; the\n"
"                               events body type from Accept: only exact\n"
"                               application/jsonl, x-ndjson, json-seq count,\n"
"                               highest q, ties in that order; default jsonl\n"
"                               at API >= 1.52, else application/json\n"
"                   docker29.2  29.2: API 1.53, minimum 1.44; Accept with q\n"
"                               and wildcards over jsonl, x-ndjson, json-seq\n"
"                               (*/* gets jsonl; default application/json)\n"
"                   docker29.0  29.0-29.1: API 1.52, minimum 1.44; likewise\n"
"                               over x-ndjson, json-seq\n"
"                   (the docker29 ones, below API 1.52: container and image\n"
"                   events re-encoded as Docker 29 does: keys sorted, status,\n"
"                   id (and from) taken from Action, Actor.ID (and the image\n"
"                   attribute), strings re-escaped, numbers through float64 so\n"
"                   timeNano loses its last digits; other types as they are)\n"
"                   podman5     Podman 5.3-5.7 (API 1.41), podman5.8 (1.44):\n"
"                               Libpod-Api-Version and Server headers, no\n"
"                               version refused, since/until exclusive, filter\n"
"                               keys other than container, event, status,\n"
"                               image, pod, volume, type, label (any case)\n"
"                               refused: 500 {\"cause\":\"K is an invalid\n"
"                               filter\",\"message\":\"failed to parse event\n"
"                               filters: K is an invalid filter\",\n"
"                               \"response\":500}\n"
"                   A Docker engine (dockerd too) sends no status/id/from at\n"
"                   API >= 1.52: the path's /vX.Y/, or --api when unversioned.\n"
"  --api V          Api-Version and highest accepted /vX.Y/ (default 1.41,\n"
"                   or the engine's)\n"
"  --min-api V      lowest accepted /vX.Y/ (default 1.12, or the engine's);\n"
"                   below it 400 {\"message\":\"client version V is too old.\n"
"                   Minimum supported API version is MIN, please upgrade your\n"
"                   client to a newer version\"}; /version says MinAPIVersion\n"
"  --no-api-header  send no Api-Version header (as through a proxy dropping it)\n"
"  --content-type T answer /events with T (one of the four types above) whatever\n"
"                   the Accept header says; application/json-seq puts 0x1E\n"
"                   before each event, in a chunk of its own (as Docker 29)\n"
"  --withhold-head  send no /events response head until the first event or the\n"
"                   end of the body (Podman 5.1-5.2)\n"
"  --quiet MS       wait MS before the first event of each /events answer\n"
"  --interval MS    pause between events (default 0)\n"
"  --live           with -g: stamp each event with the time it is sent (for\n"
"                   latency figures; since/until still use the --t0 series,\n"
"                   but with --history)\n"
"  --history N      with -g: one event log for all connections, as dockerd's:\n"
"                   an event happens once (on the first connection that sends\n"
"                   it live); a request gets the last N that happened, at once\n"
"                   (since/until against their stamps), then, without until=,\n"
"                   the next ones live; with until= the answer ends there\n"
"  --end            after the events send the final chunk and close (default:\n"
"                   stay silent until the client closes; with until= the final\n"
"                   chunk is always sent, then the connection is kept)\n"
"Lists, for dockev --snapshot (GET /containers/json, /networks, /volumes,\n"
"chunked, a few elements per chunk; without these options the lists are empty,\n"
"but for the default networks bridge, host and none):\n"
"  --containers F   one container summary (JSON object) per line; without all=1\n"
"                   only those whose State is \"running\" are listed\n"
"  --networks F     one network per line\n"
"  --volumes F      one volume per line (answered as {\"Volumes\":[...],\n"
"                   \"Warnings\":null})\n"
"  --gen-containers N  N generated containers after the file's, compose-style\n"
"                   with 22 labels (~2.5 KiB each), even ones running\n"
"  --list-delay MS  wait MS before answering each list request\n"
"  --log F          append \"<request line> host=<Host>\" per request to F\n"
"  --log-accept     with --log, add \" accept=<value>\" per Accept header line\n"
"                   (\" accept=-\" when there is none)\n"
"  --port-file F    write the bound TCP port to F\n"
"  --ready-file F   create F (holding our pid) once listening\n"
"Faults, applied to /events requests 1..K (later ones are served normally):\n"
"  --faults K|all   K (default 1)\n"
"  --cut-after N    close after N events, no final chunk\n"
"  --cut-mid        with --cut-after: send half of the next event's chunk first\n"
"  --status CODE    answer CODE with --body TEXT (default {\"message\":\"fake failure\"}\\n,\n"
"                   TEXT is sent as given) and close\n"
"  --stall          read the request, never answer\n"
"  --deaf           connections 1..K: never read (receive buffer shrunk), never\n"
"                   answer: an engine that stops reading\n"
"  --dribble MS     send the answer one byte at a time, MS apart\n"
"  --chunking one|split|merge   one chunk per event (dockerd), each event over\n"
"                   two chunks, or several events per chunk\n"
"  --identity       HTTP/1.0 200, no chunking, body ends at close\n"
"  --raw FILE       send FILE verbatim (HTTP head included), then close\n"
"SIGTERM/SIGINT: remove the unix socket, kill the children, exit 0.\n";

static struct options {
	const char *listen, *evfile, *logfile, *port_file, *ready_file, *rawfile, *body;
	const char *api, *min_api, *content_type;
	unsigned api_major, api_minor, min_major, min_minor;
	const struct engine *eng;
	int force_ct; /* an enum ctype, or -1 */
	bool no_api_header, withhold, log_accept;
	uint64_t quiet_ms;
	bool gen;
	uint64_t gen_n;
	int64_t t0;
	bool t0_set;
	uint64_t interval_ms, repeat;
	bool live;
	uint64_t history;   /* --history N: dockerd's event history, 0 = off */
	bool end;
	uint64_t faults;
	bool cut, cut_mid, stall, identity, deaf;
	uint64_t cut_after, dribble_ms;
	bool dribble;
	unsigned status;
	int chunking;
	const char *list_file[3]; /* --containers, --networks, --volumes */
	uint64_t gen_containers, list_delay_ms;
} opt = { .eng = &engines[0], .force_ct = -1, .repeat = 1, .faults = 1,
	.body = "{\"message\":\"fake failure\"}\n" };

/* ---- small helpers ------------------------------------------------------ */

__attribute__((format(printf, 1, 2), noreturn))
static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("fakeengine: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(2);
}

__attribute__((format(printf, 1, 2), noreturn))
static void fatal(const char *fmt, ...)
{
	va_list ap;
	fputs("fakeengine: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

__attribute__((format(printf, 1, 2)))
static void note(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	/* One write per line so lines from concurrent children do not interleave. */
	memcpy(line, "fakeengine: ", 12);
	va_start(ap, fmt);
	n = vsnprintf(line + 12, sizeof line - 13, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 14)
		n = (int)(sizeof line - 14);
	line[12 + n] = '\n';
	if (write(2, line, (size_t)n + 13) < 0) {
		/* nothing sensible to do */
	}
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* "X.Y" with small decimal parts; used for --api and /vX.Y/ prefixes. */
static bool parse_version(const char *s, size_t n, unsigned *major, unsigned *minor)
{
	unsigned v[2] = { 0, 0 };
	size_t i = 0;

	for (int part = 0; part < 2; part++) {
		size_t start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (v[part] > 99999)
				return false;
			v[part] = v[part] * 10 + (unsigned)(s[i] - '0');
			i++;
		}
		if (i == start)
			return false;
		if (part == 0) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	if (i != n)
		return false;
	*major = v[0];
	*minor = v[1];
	return true;
}

/* <0, 0, >0 as a.b is below, at or above c.d */
static int ver_cmp(unsigned a, unsigned b, unsigned c, unsigned d)
{
	if (a != c)
		return a < c ? -1 : 1;
	return b < d ? -1 : b > d;
}

static char server[64]; /* the Server header: Docker/VERSION (linux), Libpod/... */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t u64_dec(char *b, uint64_t v)
{
	char t[24];
	size_t n = 0, i;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		b[i] = t[n - 1 - i];
	return n;
}

static void http_date(char *b, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(b, n, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		b[0] = '\0';
}

static bool ieq(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);

	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool seq(const char *a, size_t an, const char *b)
{
	return an == strlen(b) && memcmp(a, b, an) == 0;
}

/* Maps a whole file read-only; mmap keeps the input off the heap. */
static const char *map_file(const char *path, size_t *size)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fatal("%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		fatal("%s: not a regular file", path);
	if ((uint64_t)st.st_size > FILE_MAX)
		fatal("%s: larger than %u bytes", path, FILE_MAX);
	*size = (size_t)st.st_size;
	if (*size == 0) {
		close(fd);
		return "";
	}
	p = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		fatal("%s: mmap: %s", path, strerror(errno));
	return p;
}

static void *map_anon(size_t n, bool shared)
{
	void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE,
		(shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fatal("mmap %zu bytes: %s", n, strerror(errno));
	return p;
}

/* ---- JSON strings ----------------------------------------------------------
 * Event fields stay as raw (escaped) slices of the line; they are decoded only
 * while being compared with a filter value, which is decoded once at parse.
 */

struct slice {
	const char *p;
	size_t n;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(const char *s, size_t n, size_t i, unsigned *v)
{
	*v = 0;
	if (i + 4 > n)
		return false;
	for (size_t k = 0; k < 4; k++) {
		int h = hexval(s[i + k]);
		if (h < 0)
			return false;
		*v = *v << 4 | (unsigned)h;
	}
	return true;
}

static size_t utf8(unsigned cp, char u[4])
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (char)(0xf0 | cp >> 18);
	u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	u[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the character at s[*i] (an escape or a plain byte) into u. A bad
 * escape is taken literally: this only feeds comparisons. */
static size_t jdec(const char *s, size_t n, size_t *i, char u[4])
{
	unsigned cp, lo;
	char e = *i + 1 < n ? s[*i + 1] : '\0';

	if (s[*i] != '\\' || e == '\0' || (e != 'u' && !strchr("\"\\/bfnrt", e))) {
		u[0] = s[(*i)++];
		return 1;
	}
	if (e != 'u') {
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		u[0] = to[strchr(from, e) - from];
		*i += 2;
		return 1;
	}
	if (!hex4(s, n, *i + 2, &cp)) {
		u[0] = s[(*i)++];
		return 1;
	}
	*i += 6;
	if (cp >= 0xd800 && cp < 0xdc00) {
		if (*i + 1 < n && s[*i] == '\\' && s[*i + 1] == 'u' &&
		    hex4(s, n, *i + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
			*i += 6;
			return utf8(0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00), u);
		}
		cp = 0xfffd; /* a lone surrogate */
	} else if (cp >= 0xdc00 && cp < 0xe000) {
		cp = 0xfffd;
	}
	return utf8(cp, u);
}

/* Does raw (JSON string content) decode to plain, or (prefix) start with it? */
static bool jmatch(struct slice raw, const char *plain, size_t pn, bool prefix)
{
	size_t i = 0, j = 0;
	char u[4];

	while (j < pn) {
		size_t k;
		if (i >= raw.n)
			return false;
		k = jdec(raw.p, raw.n, &i, u);
		for (size_t m = 0; m < k; m++) {
			if (j == pn)
				return prefix;
			if (u[m] != plain[j])
				return false;
			j++;
		}
	}
	return prefix || i == raw.n;
}

/* Index just past token i's subtree: children lie inside the parent's span. */
static int tok_skip(const jsmntok_t *t, int ntok, int i)
{
	int end = t[i].end;

	for (i++; i < ntok && t[i].start < end; i++)
		;
	return i;
}

static bool key_is(const char *js, const jsmntok_t *t, const char *name)
{
	return t->type == JSMN_STRING && seq(js + t->start, (size_t)(t->end - t->start), name);
}

/* jsmn's strict mode still accepts any word starting like a literal. */
static bool primitive_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (seq(s, n, "true") || seq(s, n, "false") || seq(s, n, "null"))
		return true;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return false;
	if (s[i] == '0')
		i++;
	else
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	if (i < n && s[i] == '.') {
		size_t d = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t d;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return false;
	}
	return i == n;
}

/* The one event shape the filters look at. */
struct attr {
	struct slice k, v;
};
struct view {
	struct slice type, action, id;
	size_t nattr;
	struct attr attr[ATTR_MAX];
};

static jsmntok_t toks[TOK_MAX];

/* Parses an event line; returns its token count or a negative jsmn error. */
static int parse_line(const char *s, size_t n)
{
	jsmn_parser p;
	int r;
	size_t e = n;

	while (e > 0 && (s[e - 1] == '\r' || s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	jsmn_init(&p);
	r = jsmn_parse(&p, s, e, toks, TOK_MAX);
	if (r < 1)
		return r < 0 ? r : JSMN_ERROR_INVAL;
	if (toks[0].type != JSMN_OBJECT || tok_skip(toks, r, 0) != r)
		return JSMN_ERROR_INVAL;
	return r;
}

static struct slice tok_slice(const char *s, const jsmntok_t *t)
{
	struct slice sl = { s + t->start, (size_t)(t->end - t->start) };
	return sl;
}

/* Fills v from a line parse_line accepted (ntok tokens in toks). */
static void view_from_tokens(struct view *v, const char *s, int ntok)
{
	memset(v, 0, offsetof(struct view, attr));
	for (int i = 1; i + 1 < ntok; i = tok_skip(toks, ntok, i + 1)) {
		const jsmntok_t *k = &toks[i], *val = &toks[i + 1];
		if (key_is(s, k, "Type"))
			v->type = tok_slice(s, val);
		else if (key_is(s, k, "Action"))
			v->action = tok_slice(s, val);
		else if (key_is(s, k, "Actor") && val->type == JSMN_OBJECT) {
			int end = tok_skip(toks, ntok, i + 1);
			for (int a = i + 2; a + 1 < end; a = tok_skip(toks, ntok, a + 1)) {
				const jsmntok_t *ak = &toks[a], *av = &toks[a + 1];
				if (key_is(s, ak, "ID"))
					v->id = tok_slice(s, av);
				else if (key_is(s, ak, "Attributes") && av->type == JSMN_OBJECT) {
					int aend = tok_skip(toks, ntok, a + 1);
					for (int b = a + 2; b + 1 < aend; b = tok_skip(toks, ntok, b + 1)) {
						if (v->nattr == ATTR_MAX)
							break; /* beyond: invisible to label filters */
						v->attr[v->nattr].k = tok_slice(s, &toks[b]);
						v->attr[v->nattr].v = tok_slice(s, &toks[b + 1]);
						v->nattr++;
					}
				}
			}
		}
	}
}

/* ---- filters ---------------------------------------------------------------
 * dockerd's rules (daemon/events/filter.go, api/types/filters): values of one
 * key OR, keys AND; type exact; event exact or the base action before ':';
 * container a prefix of Actor.ID or of the name attribute, container events
 * only; label "key" or "key=value", every label value required (dockerd ANDs
 * labels). Other keys are accepted and ignored.
 */
enum { FK_TYPE, FK_EVENT, FK_CONTAINER, FK_LABEL, FK_N };
static const char *const fk_names[FK_N] = { "type", "event", "container", "label" };

struct fval {
	const char *p;
	size_t n;
	bool on; /* {"v":true}; false values still make the key active, as in Go */
};
static struct filters {
	size_t n[FK_N];
	struct fval v[FK_N][FVAL_MAX];
	bool any;
	struct slice refused; /* Podman: the first key it does not know, with a value */
	char pool[HEAD_MAX];
	size_t used;
} flt;

static jsmntok_t ftoks[FTOK_MAX];

static const char *const podman_keys[] = {
	"container", "event", "status", "image", "pod", "volume", "type", "label", NULL };

/* Does raw (JSON string content) decode to plain, ASCII case ignored? */
static bool jmatch_icase(struct slice raw, const char *plain)
{
	size_t i = 0, j = 0, pn = strlen(plain);
	char u[4];

	while (i < raw.n && j < pn) {
		size_t k = jdec(raw.p, raw.n, &i, u);
		char c = u[0];
		if (k != 1)
			return false;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != plain[j++])
			return false;
	}
	return i == raw.n && j == pn;
}

static bool filter_add(int key, const char *s, const jsmntok_t *t, bool on)
{
	size_t i = (size_t)t->start, end = (size_t)t->end;
	struct fval *fv;
	char u[4];

	if (flt.n[key] == FVAL_MAX)
		return false;
	fv = &flt.v[key][flt.n[key]++];
	fv->p = flt.pool + flt.used;
	fv->on = on;
	while (i < end) {
		size_t k = jdec(s, end, &i, u);
		if (flt.used + k > sizeof flt.pool)
			return false;
		memcpy(flt.pool + flt.used, u, k);
		flt.used += k;
	}
	fv->n = (size_t)(flt.pool + flt.used - fv->p);
	flt.any = true;
	return true;
}

/* A message in the spirit of Go's encoding/json for text jsmn rejected; the
 * text differs from Go's beyond the first token, which no client relies on. */
static void json_error(const char *s, size_t n, char *msg, size_t msgn)
{
	static const char *const lits[] = { "null", "true", "false" };
	char c = s[0];

	for (size_t l = 0; l < 3; l++) {
		const char *lit = lits[l];
		size_t k = 0;
		if (c != lit[0])
			continue;
		while (k < n && lit[k] && s[k] == lit[k])
			k++;
		if (!lit[k] && k < n && s[k] > ' ' && s[k] < 0x7f)
			snprintf(msg, msgn, "invalid character '%c' after top-level value", s[k]);
		else if (k == n)
			snprintf(msg, msgn, "unexpected end of JSON input");
		else if (s[k] > ' ' && s[k] < 0x7f)
			snprintf(msg, msgn, "invalid character '%c' in literal %s (expecting '%c')",
				s[k], lit, lit[k]);
		else
			snprintf(msg, msgn, "invalid character in literal %s", lit);
		return;
	}
	if (c != '{' && c != '[' && c != '"' && c != '-' && (c < '0' || c > '9') && c > ' ' && c < 0x7f)
		snprintf(msg, msgn, "invalid character '%c' looking for beginning of value", c);
	else
		snprintf(msg, msgn, "invalid character in filters JSON");
}

/* Parses the URL-decoded filters JSON; on failure writes a message and
 * returns false. */
static bool filters_parse(const char *s, size_t n, char *msg, size_t msgn)
{
	jsmn_parser p;
	int r;
	size_t b = 0, e = n;

	memset(&flt, 0, offsetof(struct filters, pool));
	flt.used = 0;
	while (b < e && blank(s[b]))
		b++;
	while (e > b && blank(s[e - 1]))
		e--;
	if (b == e)
		return true;
	jsmn_init(&p);
	r = jsmn_parse(&p, s, e, ftoks, FTOK_MAX);
	if (r == JSMN_ERROR_NOMEM) {
		snprintf(msg, msgn, "filters: too many tokens");
		return false;
	}
	if (r < 1 || (size_t)ftoks[0].start != b || tok_skip(ftoks, r, 0) != r) {
		json_error(s + b, e - b, msg, msgn);
		return false;
	}
	for (int i = 0; i < r; i++) {
		if (ftoks[i].type == JSMN_PRIMITIVE &&
		    !primitive_ok(s + ftoks[i].start, (size_t)(ftoks[i].end - ftoks[i].start))) {
			snprintf(msg, msgn, "invalid character '%c' in literal", s[ftoks[i].start]);
			return false;
		}
	}
	if (ftoks[0].type != JSMN_OBJECT) {
		snprintf(msg, msgn, "json: cannot unmarshal filters: not an object");
		return false;
	}
	for (int i = 1; i + 1 < r; i = tok_skip(ftoks, r, i + 1)) {
		const jsmntok_t *k = &ftoks[i], *val = &ftoks[i + 1];
		int key = -1, end = tok_skip(ftoks, r, i + 1);
		bool known = !opt.eng->podman;

		for (int f = 0; f < FK_N; f++)
			if (opt.eng->podman ? k->type == JSMN_STRING && jmatch_icase(tok_slice(s, k),
			    fk_names[f]) : key_is(s, k, fk_names[f]))
				key = f;
		if (opt.eng->podman && k->type == JSMN_STRING && jmatch_icase(tok_slice(s, k), "status"))
			key = FK_EVENT;
		/* Podman's keys, any case (libpod/events/filters.go); a value
		 * counts if true, or any in the array form (pkg/util/filters.go) */
		for (const char *const *pk = podman_keys; !known && *pk; pk++)
			known = k->type == JSMN_STRING && jmatch_icase(tok_slice(s, k), *pk);

		if (val->type == JSMN_OBJECT) {
			/* {"key":{"value":true,...}}, the current form */
			for (int j = i + 2; j + 1 < end; j = tok_skip(ftoks, r, j + 1)) {
				const jsmntok_t *bv = &ftoks[j + 1];
				if (bv->type != JSMN_PRIMITIVE || (s[bv->start] != 't' && s[bv->start] != 'f')) {
					snprintf(msg, msgn, "json: cannot unmarshal filter value into Go value of type bool");
					return false;
				}
				if (key >= 0 && !filter_add(key, s, &ftoks[j], s[bv->start] == 't')) {
					snprintf(msg, msgn, "filters: too many values");
					return false;
				}
				if (!known && s[bv->start] == 't' && !flt.refused.p)
					flt.refused = tok_slice(s, k);
			}
		} else if (val->type == JSMN_ARRAY) {
			/* {"key":["value",...]}, the legacy form dockerd still accepts */
			for (int j = i + 2; j < end; j = tok_skip(ftoks, r, j)) {
				if (ftoks[j].type != JSMN_STRING) {
					snprintf(msg, msgn, "json: cannot unmarshal filter value into Go value of type string");
					return false;
				}
				if (key >= 0 && !filter_add(key, s, &ftoks[j], true)) {
					snprintf(msg, msgn, "filters: too many values");
					return false;
				}
				if (!known && !flt.refused.p)
					flt.refused = tok_slice(s, k);
			}
		} else {
			snprintf(msg, msgn, "json: cannot unmarshal filter into Go value of type map[string]bool");
			return false;
		}
	}
	return true;
}

static bool any_exact(int key, struct slice raw)
{
	for (size_t i = 0; i < flt.n[key]; i++)
		if (flt.v[key][i].on && jmatch(raw, flt.v[key][i].p, flt.v[key][i].n, false))
			return true;
	return false;
}

static const struct slice *attr_get(const struct view *v, const char *k, size_t kn)
{
	for (size_t i = 0; i < v->nattr; i++)
		if (jmatch(v->attr[i].k, k, kn, false))
			return &v->attr[i].v;
	return NULL;
}

static bool filters_match(const struct view *v)
{
	if (flt.n[FK_TYPE] && !any_exact(FK_TYPE, v->type))
		return false;
	if (flt.n[FK_EVENT]) {
		struct slice base = v->action;
		const char *colon = memchr(base.p, ':', base.n);
		if (colon)
			base.n = (size_t)(colon - base.p);
		if (!any_exact(FK_EVENT, v->action) && !any_exact(FK_EVENT, base))
			return false;
	}
	if (flt.n[FK_CONTAINER]) {
		const struct slice *name = attr_get(v, "name", 4);
		bool ok = false;
		if (!jmatch(v->type, "container", 9, false))
			return false;
		for (size_t i = 0; i < flt.n[FK_CONTAINER] && !ok; i++) {
			const struct fval *f = &flt.v[FK_CONTAINER][i];
			ok = f->on && (jmatch(v->id, f->p, f->n, true) ||
				(name && jmatch(*name, f->p, f->n, true)));
		}
		if (!ok)
			return false;
	}
	for (size_t i = 0; i < flt.n[FK_LABEL]; i++) {
		const struct fval *f = &flt.v[FK_LABEL][i];
		const char *eq = memchr(f->p, '=', f->n);
		size_t kn = eq ? (size_t)(eq - f->p) : f->n;
		const struct slice *val = attr_get(v, f->p, kn);
		if (!val)
			return false;
		if (eq && !jmatch(*val, eq + 1, f->n - kn - 1, false))
			return false;
	}
	return true;
}

/* ---- event source: -e FILE ------------------------------------------------ */

struct line {
	size_t off;
	uint32_t len;
	int64_t tn;
	uint32_t t_off, t_len, tn_off, tn_len; /* value spans inside the line */
	bool has_time;
};
static const char *ev_data;
static size_t ev_size, ev_n, ev_maxlen;
static struct line *ev_lines;
static int64_t ev_span;
static char *ev_scratch; /* a line with its timestamps rewritten (--repeat) */

static bool parse_i64(const char *s, size_t n, int64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

static void load_events(const char *path)
{
	size_t nl = 0, i, start;
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	ev_data = map_file(path, &ev_size);
	for (i = 0; i < ev_size; i++)
		nl += ev_data[i] == '\n';
	ev_lines = map_anon((nl + 1) * sizeof *ev_lines, false);
	for (start = 0, i = 0; start < ev_size; start = i + 1) {
		struct line *L = &ev_lines[ev_n];
		const char *s = ev_data + start;
		const char *e = memchr(s, '\n', ev_size - start);
		size_t len = e ? (size_t)(e - s) : ev_size - start;
		bool empty = true, has_tn = false;
		int r;

		i = start + len;
		for (size_t k = 0; k < len; k++)
			if (!blank(s[k]))
				empty = false;
		if (empty)
			continue;
		if (len > UINT32_MAX)
			fatal("%s: line too long", path);
		r = parse_line(s, len);
		if (r < 0)
			fatal("%s: line %zu: not one JSON object (jsmn %d)", path, ev_n + 1, r);
		memset(L, 0, sizeof *L);
		L->off = start;
		L->len = (uint32_t)len;
		for (int t = 1; t + 1 < r; t = tok_skip(toks, r, t + 1)) {
			const jsmntok_t *v = &toks[t + 1];
			if (v->type != JSMN_PRIMITIVE)
				continue;
			if (key_is(s, &toks[t], "timeNano")) {
				if (!parse_i64(s + v->start, (size_t)(v->end - v->start), &L->tn))
					fatal("%s: line %zu: bad timeNano", path, ev_n + 1);
				L->tn_off = (uint32_t)v->start;
				L->tn_len = (uint32_t)(v->end - v->start);
				has_tn = true;
			} else if (key_is(s, &toks[t], "time")) {
				L->t_off = (uint32_t)v->start;
				L->t_len = (uint32_t)(v->end - v->start);
				L->has_time = true;
			}
		}
		if (!has_tn)
			fatal("%s: line %zu: no timeNano", path, ev_n + 1);
		if (L->tn < lo)
			lo = L->tn;
		if (L->tn > hi)
			hi = L->tn;
		if (len > ev_maxlen)
			ev_maxlen = len;
		ev_n++;
	}
	ev_span = ev_n ? hi - lo : 0;
	ev_scratch = map_anon(ev_maxlen + 64, false);
}

/* The line with timeNano (and time) replaced by tn. */
static size_t rewrite_line(const struct line *L, int64_t tn, const char **out)
{
	const char *s = ev_data + L->off;
	char num[2][24];
	size_t numn[2], off[2], len[2], k = 0, pos = 0, n = 0;
	int cnt = 0, first;

	off[cnt] = L->tn_off, len[cnt] = L->tn_len, numn[cnt] = u64_dec(num[cnt], (uint64_t)tn), cnt++;
	if (L->has_time)
		off[cnt] = L->t_off, len[cnt] = L->t_len, numn[cnt] = u64_dec(num[cnt], (uint64_t)(tn / NS)), cnt++;
	first = (cnt == 2 && off[1] < off[0]) ? 1 : 0;
	for (int j = 0; j < cnt; j++) {
		k = (size_t)(j == 0 ? first : 1 - first);
		memcpy(ev_scratch + n, s + pos, off[k] - pos);
		n += off[k] - pos;
		memcpy(ev_scratch + n, num[k], numn[k]);
		n += numn[k];
		pos = off[k] + len[k];
	}
	memcpy(ev_scratch + n, s + pos, L->len - pos);
	n += L->len - pos;
	*out = ev_scratch;
	return n;
}

/* ---- event source: -g N ----------------------------------------------------
 * A compose-style lifecycle of 10 events per container: volume create, image
 * tag, container create, network connect, container start, health_status,
 * die, network disconnect, container destroy, volume destroy. Container
 * events carry 23 labels (~3 KiB), sorted as Go's JSON encoder sorts map keys.
 * Everything depends only on the event index, so every connection (and a
 * resumed one) sees the same stream; nothing is kept per event.
 */
#define GEN_CYCLE 10

static struct gen {
	uint64_t c;
	bool valid;
	char id[65], netid[65], imgsha[72], cfghash[65], rev[41];
	char project[16], service[16], name[48], image[80], vol[48], netname[40];
	char number[24], config[2048], files[128], workdir[64], title[48], version[16];
	struct attr labels_lo[11], labels_hi[11];
} gen;

static const char gen_description[] =
	"Edge telemetry collector: reads sensor frames from the local bus, batches them "
	"with a bounded on-disk queue, and forwards them to the regional ingest service "
	"over mutually authenticated HTTPS. Survives network partitions of up to 72 hours, "
	"replays in order, and exposes Prometheus metrics on :9102/metrics. Configuration "
	"comes from environment variables and /etc/edge/collector.yaml; see the "
	"documentation URL for the full reference, upgrade notes and the list of supported "
	"sensor families (modbus, can, i2c, 1-wire, lorawan).";

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void hexid(char *b, size_t digits, uint64_t seed)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < digits; i++) {
		if (i % 16 == 0)
			seed = mix64(seed + i);
		b[i] = hx[seed >> (60 - 4 * (i % 16)) & 15];
	}
	b[digits] = '\0';
}

static struct slice sl(const char *s)
{
	struct slice r = { s, strlen(s) };
	return r;
}

static void gen_container(uint64_t c)
{
	unsigned p = (unsigned)(c % 7), s = (unsigned)(c % 23);
	size_t n = 0;

	gen.c = c;
	gen.valid = true;
	hexid(gen.id, 64, c * 4 + 1);
	hexid(gen.cfghash, 64, c * 4 + 2);
	memcpy(gen.imgsha, "sha256:", 7);
	hexid(gen.imgsha + 7, 64, 1000003 + s);
	hexid(gen.netid, 64, 2000003 + p);
	hexid(gen.rev, 40, 3000003 + s);
	snprintf(gen.project, sizeof gen.project, "edge%u", p);
	snprintf(gen.service, sizeof gen.service, "svc%u", s);
	snprintf(gen.name, sizeof gen.name, "edge%u-svc%u-%" PRIu64, p, s, c / 161 + 1);
	snprintf(gen.number, sizeof gen.number, "%" PRIu64, c / 161 + 1);
	snprintf(gen.image, sizeof gen.image, "registry.example.com/edge/svc%u:1.%u.%u", s, s % 5, p);
	snprintf(gen.version, sizeof gen.version, "1.%u.%u", s % 5, p);
	snprintf(gen.title, sizeof gen.title, "edge-svc%u", s);
	snprintf(gen.vol, sizeof gen.vol, "edge%u_data%" PRIu64, p, c);
	snprintf(gen.netname, sizeof gen.netname, "edge%u_default", p);
	snprintf(gen.files, sizeof gen.files,
		"/opt/stacks/edge%u/compose.yaml,/opt/stacks/edge%u/compose.override.yaml", p, p);
	snprintf(gen.workdir, sizeof gen.workdir, "/opt/stacks/edge%u", p);
	/* A JSON document inside a label: escaped quotes, as compose writes them. */
	n += (size_t)snprintf(gen.config + n, sizeof gen.config - n,
		"{\\\"listen\\\":\\\":8%03u\\\",\\\"upstreams\\\":[", s);
	for (unsigned u = 0; u < 12 && n < sizeof gen.config - 200; u++)
		n += (size_t)snprintf(gen.config + n, sizeof gen.config - n,
			"%s{\\\"name\\\":\\\"up%u\\\",\\\"url\\\":\\\"http://edge%u-svc%u:80%02u/api/v1\\\","
			"\\\"timeout\\\":\\\"%us\\\",\\\"retries\\\":%u}", u ? "," : "", u, p, (s + u) % 23, u,
			5 + u % 3, u % 4);
	snprintf(gen.config + n, sizeof gen.config - n, "]}");

	struct attr lo[11] = {
		{ sl("com.docker.compose.config-hash"), sl(gen.cfghash) },
		{ sl("com.docker.compose.container-number"), sl(gen.number) },
		{ sl("com.docker.compose.depends_on"), sl("db:service_started:false,cache:service_healthy:true") },
		{ sl("com.docker.compose.image"), sl(gen.imgsha) },
		{ sl("com.docker.compose.oneoff"), sl("False") },
		{ sl("com.docker.compose.project"), sl(gen.project) },
		{ sl("com.docker.compose.project.config_files"), sl(gen.files) },
		{ sl("com.docker.compose.project.working_dir"), sl(gen.workdir) },
		{ sl("com.docker.compose.service"), sl(gen.service) },
		{ sl("com.docker.compose.version"), sl("2.20.2") },
		{ sl("com.example.edge.config"), sl(gen.config) },
	};
	struct attr hi[11] = {
		{ sl("org.opencontainers.image.authors"), sl("Edge Platform Team \\u003cplatform@example.com\\u003e") },
		{ sl("org.opencontainers.image.created"), sl("2026-05-07T21:09:36Z") },
		{ sl("org.opencontainers.image.description"), sl(gen_description) },
		{ sl("org.opencontainers.image.documentation"), sl("https://docs.example.com/edge/collector/") },
		{ sl("org.opencontainers.image.licenses"), sl("Apache-2.0") },
		{ sl("org.opencontainers.image.revision"), sl(gen.rev) },
		{ sl("org.opencontainers.image.source"), sl("https://git.example.com/edge/collector") },
		{ sl("org.opencontainers.image.title"), sl(gen.title) },
		{ sl("org.opencontainers.image.url"), sl("https://example.com/edge") },
		{ sl("org.opencontainers.image.vendor"), sl("Example Edge Ltd") },
		{ sl("org.opencontainers.image.version"), sl(gen.version) },
	};
	memcpy(gen.labels_lo, lo, sizeof lo);
	memcpy(gen.labels_hi, hi, sizeof hi);
}

static void gen_attr(struct view *v, const char *k, const char *val)
{
	v->attr[v->nattr].k = sl(k);
	v->attr[v->nattr].v = sl(val);
	v->nattr++;
}

/* Fills v for event i; returns the legacy-field style: 0 none, 1 status+id
 * (image), 2 status+id+from (container). */
static int gen_view(struct view *v, uint64_t i)
{
	static const char *const kinds[GEN_CYCLE] = {
		"volume", "image", "container", "network", "container",
		"container", "container", "network", "container", "volume" };
	static const char *const actions[GEN_CYCLE] = {
		"create", "tag", "create", "connect", "start",
		"health_status: healthy", "die", "disconnect", "destroy", "destroy" };
	uint64_t c = i / GEN_CYCLE;
	unsigned k = (unsigned)(i % GEN_CYCLE);

	if (!gen.valid || gen.c != c)
		gen_container(c);
	v->type = sl(kinds[k]);
	v->action = sl(actions[k]);
	v->nattr = 0;
	switch (kinds[k][0]) {
	case 'v':
		v->id = sl(gen.vol);
		gen_attr(v, "driver", "local");
		return 0;
	case 'i':
		v->id = sl(gen.imgsha);
		gen_attr(v, "name", gen.image);
		return 1;
	case 'n':
		v->id = sl(gen.netid);
		gen_attr(v, "container", gen.id);
		gen_attr(v, "name", gen.netname);
		gen_attr(v, "type", "bridge");
		return 0;
	default:
		v->id = sl(gen.id);
		memcpy(v->attr, gen.labels_lo, sizeof gen.labels_lo);
		v->nattr = 11;
		if (k == 6)
			gen_attr(v, "exitCode", c % 5 == 0 ? "137" : "0");
		gen_attr(v, "image", gen.image);
		gen_attr(v, "name", gen.name);
		memcpy(v->attr + v->nattr, gen.labels_hi, sizeof gen.labels_hi);
		v->nattr += 11;
		return 2;
	}
}

static char genbuf[GEN_MAX];

static void app(size_t *n, const char *s, size_t k)
{
	if (*n + k <= sizeof genbuf) {
		memcpy(genbuf + *n, s, k);
		*n += k;
	}
}
#define APPS(n, lit) app(n, lit, sizeof lit - 1)

static void app_str(size_t *n, struct slice s)
{
	APPS(n, "\"");
	app(n, s.p, s.n);
	APPS(n, "\"");
}

/* Serialises v the way dockerd 20.10 does (field order included). */
static size_t gen_json(const struct view *v, int legacy, int64_t tn)
{
	char num[24];
	size_t n = 0;

	APPS(&n, "{");
	if (legacy) {
		APPS(&n, "\"status\":");
		app_str(&n, v->action);
		APPS(&n, ",\"id\":");
		app_str(&n, v->id);
		APPS(&n, ",");
		if (legacy == 2) {
			APPS(&n, "\"from\":");
			app_str(&n, sl(gen.image));
			APPS(&n, ",");
		}
	}
	APPS(&n, "\"Type\":");
	app_str(&n, v->type);
	APPS(&n, ",\"Action\":");
	app_str(&n, v->action);
	APPS(&n, ",\"Actor\":{\"ID\":");
	app_str(&n, v->id);
	APPS(&n, ",\"Attributes\":{");
	for (size_t a = 0; a < v->nattr; a++) {
		if (a)
			APPS(&n, ",");
		app_str(&n, v->attr[a].k);
		APPS(&n, ":");
		app_str(&n, v->attr[a].v);
	}
	APPS(&n, "}},\"scope\":\"local\",\"time\":");
	app(&n, num, u64_dec(num, (uint64_t)(tn / NS)));
	APPS(&n, ",\"timeNano\":");
	app(&n, num, u64_dec(num, (uint64_t)tn));
	APPS(&n, "}");
	return n;
}

/* ---- the connection (child side) ----------------------------------------- */

static struct conn {
	int fd;
	unsigned no;
	int minor;       /* of the request being answered: Go echoes HTTP/1.0 */
	bool close;      /* it said "Connection: close": Go says so back */
	char in[HEAD_MAX];
	size_t inlen;
} conn = { .fd = -1 };

static struct out {
	size_t len;
	bool dribble;
	char buf[OUT_MAX];
} out;

static atomic_uint *events_seen; /* shared by all children: /events requests so far */
/* --history: shared by all children, as dockerd's one event log is: how
 * many generated events have happened (been sent live on some connection),
 * and, with --live, the stamp each got. */
static _Atomic uint64_t *hist_hw;
static int64_t *hist_stamp;

__attribute__((noreturn))
static void child_exit(void)
{
	if (conn.fd >= 0)
		close(conn.fd);
	_exit(0);
}

/* Sleeps ms (-1: until the client goes) while watching the client: its
 * closing ends the child. Bytes it sends meanwhile are discarded. */
static void wait_ms(int64_t ms)
{
	int64_t deadline = mono_ms() + ms;
	char tmp[4096];

	for (;;) {
		int left = -1, r;
		struct pollfd pfd = { .fd = conn.fd, .events = POLLIN };
		ssize_t n;

		if (ms >= 0) {
			int64_t d = deadline - mono_ms();
			if (d <= 0)
				return;
			left = d > INT_MAX ? INT_MAX : (int)d;
		}
		r = poll(&pfd, 1, left);
		if (r < 0 && errno != EINTR)
			child_exit();
		if (r <= 0)
			continue;
		n = recv(conn.fd, tmp, sizeof tmp, 0);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			child_exit();
	}
}

static void send_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(conn.fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			child_exit(); /* the client went away */
		}
		p += w;
		n -= (size_t)w;
	}
}

static void out_flush(void)
{
	send_all(out.buf, out.len);
	out.len = 0;
}

static void out_put(const void *vp, size_t n)
{
	const char *p = vp;

	if (out.dribble) {
		for (size_t i = 0; i < n; i++) {
			send_all(p + i, 1);
			wait_ms((int64_t)opt.dribble_ms);
		}
		return;
	}
	if (out.len + n > sizeof out.buf)
		out_flush();
	if (n >= sizeof out.buf) {
		send_all(p, n);
		return;
	}
	memcpy(out.buf + out.len, p, n);
	out.len += n;
}

/* ---- HTTP answers ------------------------------------------------------- */

static const char *reason(unsigned code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

enum {
	H_API = 1,      /* Api-Version */
	H_EXP = 2,      /* Docker-Experimental */
	H_OS = 4,       /* Ostype and Server */
	H_PING = 8,     /* Cache-Control, Pragma, late text/plain Content-Type */
	H_CLOSE = 16,   /* Connection: close */
	H_NOBODY = 32,  /* HEAD: headers only */
	H_JSON = 64,    /* Content-Type: application/json */
};

/* Podman's status line and headers up to Date (pkg/api/server/handler_api.go
 * sets Api-Version, Libpod-Api-Version and Server on every answer,
 * handler_rid.go X-Reference-Id, compat/ping.go the ping's; Go sorts them). */
static int podman_head(char *b, size_t bn, unsigned code, unsigned h, const char *date)
{
	return snprintf(b, bn,
		"HTTP/1.%d %u %s\r\n%s%s%s%s%sLibpod-Api-Version: %s\r\n%s%s"
		"Server: %s\r\nX-Reference-Id: 0xc%09x\r\nDate: %s\r\n",
		conn.minor, code, reason(code),
		h & H_API ? "Api-Version: " : "", h & H_API ? opt.api : "", h & H_API ? "\r\n" : "",
		h & H_PING ? "Builder-Version: 1\r\nBuildkit-Version: \r\nCache-Control: no-cache\r\n"
			"Docker-Experimental: true\r\n" : "",
		h & H_JSON ? "Content-Type: application/json\r\n" : "",
		opt.eng->version,
		h & H_PING ? "Libpod-Buildah-Version: 1.39.0\r\nOstype: linux\r\n" : "",
		h & H_PING ? "Pragma: no-cache\r\n" : "",
		server, 0x14260u + 0x40u * conn.no, date);
}

/* Header order follows Go's net/http: handler headers sorted, then Date,
 * Content-Length, then the ones the server adds (sniffed Content-Type,
 * Connection). */
static void answer(unsigned code, unsigned h, const char *body, size_t blen, size_t clen)
{
	char head[1024], date[64];
	int n;

	if (opt.no_api_header)
		h &= ~(unsigned)H_API;
	http_date(date, sizeof date);
	if (opt.eng->podman) {
		n = podman_head(head, sizeof head, code, h, date);
		if (n < 0 || (size_t)n >= sizeof head - 64)
			child_exit();
		n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n%s%s\r\n", clen,
			h & H_PING ? "Content-Type: text/plain; charset=utf-8\r\n" : "",
			(h & H_CLOSE) || conn.close ? "Connection: close\r\n" : "");
		goto send;
	}
	n = snprintf(head, sizeof head,
		"HTTP/1.%d %u %s\r\n%s%s%s%s%s%s%s%s%s%s%sDate: %s\r\nContent-Length: %zu\r\n%s%s\r\n",
		conn.minor, code, reason(code),
		h & H_API ? "Api-Version: " : "", h & H_API ? opt.api : "", h & H_API ? "\r\n" : "",
		h & H_PING ? "Cache-Control: no-cache, no-store, must-revalidate\r\n" : "",
		h & H_JSON ? "Content-Type: application/json\r\n" : "",
		h & H_EXP ? "Docker-Experimental: false\r\n" : "",
		h & H_OS ? "Ostype: linux\r\n" : "",
		h & H_PING ? "Pragma: no-cache\r\n" : "",
		h & H_OS ? "Server: " : "", h & H_OS ? server : "", h & H_OS ? "\r\n" : "",
		date, clen,
		h & H_PING ? "Content-Type: text/plain; charset=utf-8\r\n" : "",
		(h & H_CLOSE) || conn.close ? "Connection: close\r\n" : "");
send:
	if (n < 0 || (size_t)n >= sizeof head)
		child_exit();
	out_put(head, (size_t)n);
	if (!(h & H_NOBODY))
		out_put(body, blen);
	out_flush();
}

static void answer_error(unsigned code, unsigned h, const char *msg)
{
	char body[1024];
	size_t k = 0;

	/* Go's encoder ends the body with "\n"; escape what a message may hold. */
	k += (size_t)snprintf(body, sizeof body, "{\"message\":\"");
	for (const char *p = msg; *p && k < sizeof body - 8; p++) {
		if (*p == '"' || *p == '\\')
			body[k++] = '\\';
		body[k++] = (unsigned char)*p < 0x20 ? ' ' : *p;
	}
	memcpy(body + k, "\"}\n", 3);
	k += 3;
	answer(code, h | H_JSON, body, k, k);
}

/* Version, ApiVersion, MinAPIVersion; Version, ApiVersion, MinAPIVersion */
static const char version_fmt[] =
	"{\"Platform\":{\"Name\":\"\"},\"Components\":[{\"Name\":\"Engine\",\"Version\":\"%s\","
	"\"Details\":{\"ApiVersion\":\"%s\",\"Arch\":\"amd64\",\"BuildTime\":\"2026-05-07T21:09:36.000000000+00:00\","
	"\"Experimental\":\"false\",\"GitCommit\":\"5d6db84\",\"GoVersion\":\"go1.19.8\",\"KernelVersion\":"
	"\"6.18.44-fc-v669\",\"MinAPIVersion\":\"%s\",\"Os\":\"linux\"}},{\"Name\":\"containerd\",\"Version\":"
	"\"1.6.20~ds1\",\"Details\":{\"GitCommit\":\"1.6.20~ds1-1+deb12u3\"}},{\"Name\":\"runc\",\"Version\":"
	"\"1.1.5+ds1\",\"Details\":{\"GitCommit\":\"1.1.5+ds1-1+deb12u1\"}},{\"Name\":\"docker-init\",\"Version\":"
	"\"0.19.0\",\"Details\":{\"GitCommit\":\"\"}}],\"Version\":\"%s\",\"ApiVersion\":\"%s\","
	"\"MinAPIVersion\":\"%s\",\"GitCommit\":\"5d6db84\",\"GoVersion\":\"go1.19.8\",\"Os\":\"linux\","
	"\"Arch\":\"amd64\",\"KernelVersion\":\"6.18.44-fc-v669\",\"BuildTime\":"
	"\"2026-05-07T21:09:36.000000000+00:00\"}\n";

/* Podman's (compat/version.go): the Libpod version three times, then the
 * compat ApiVersion. The compat minimum is 1.24 in every Podman 5. */
static const char podman_version_fmt[] =
	"{\"Platform\":{\"Name\":\"linux/amd64/debian-13\"},\"Components\":[{\"Name\":\"Podman Engine\","
	"\"Version\":\"%s\",\"Details\":{\"APIVersion\":\"%s\",\"Arch\":\"amd64\",\"BuildTime\":"
	"\"2026-05-07T21:09:36Z\",\"Experimental\":\"false\",\"GitCommit\":\"\",\"GoVersion\":\"go1.24.4\","
	"\"KernelVersion\":\"6.18.44-fc-v669\",\"MinAPIVersion\":\"4.0.0\",\"Os\":\"linux\"}}],"
	"\"Version\":\"%s\",\"ApiVersion\":\"%s\",\"MinAPIVersion\":\"1.24\",\"GitCommit\":\"\","
	"\"GoVersion\":\"go1.24.4\",\"Os\":\"linux\",\"Arch\":\"amd64\",\"KernelVersion\":"
	"\"6.18.44-fc-v669\",\"BuildTime\":\"2026-05-07T21:09:36Z\"}\n";

/* ---- HTTP requests ------------------------------------------------------- */

struct req {
	const char *line, *method, *target;
	size_t line_n, method_n, target_n;
	int minor;            /* HTTP/1.minor */
	const char *host;
	size_t host_n;
	unsigned nhost;
	bool close, keepalive, has_te;
	uint64_t clen;
	const char *accept[ACCEPT_MAX]; /* Accept header lines, in order (beyond: ignored) */
	size_t accept_n[ACCEPT_MAX];
	unsigned naccept;
};

static bool tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		(c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Reads until a complete head is buffered. 1: head of *hn bytes, 0: the
 * client closed, -1: the head exceeds HEAD_MAX. */
static int read_head(size_t *hn)
{
	for (;;) {
		size_t i = 0;
		ssize_t n;

		/* Blank lines before a request line are allowed (RFC 9112 §2.2). */
		while (i < conn.inlen && (conn.in[i] == '\r' || conn.in[i] == '\n'))
			i++;
		if (i) {
			memmove(conn.in, conn.in + i, conn.inlen - i);
			conn.inlen -= i;
		}
		for (i = 0; i < conn.inlen; i++) {
			if (conn.in[i] != '\n')
				continue;
			if (i + 1 < conn.inlen && conn.in[i + 1] == '\n') {
				*hn = i + 2;
				return 1;
			}
			if (i + 2 < conn.inlen && conn.in[i + 1] == '\r' && conn.in[i + 2] == '\n') {
				*hn = i + 3;
				return 1;
			}
		}
		if (conn.inlen == sizeof conn.in)
			return -1;
		n = recv(conn.fd, conn.in + conn.inlen, sizeof conn.in - conn.inlen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		conn.inlen += (size_t)n;
	}
}

/* Parses the head in conn.in[0..hn) in place; false: malformed. */
static bool parse_head(size_t hn, struct req *r)
{
	char *p = conn.in, *end = conn.in + hn;
	char *eol = memchr(p, '\n', hn), *sp1, *sp2;
	size_t ln;

	memset(r, 0, sizeof *r);
	ln = (size_t)(eol - p);
	if (ln && p[ln - 1] == '\r')
		ln--;
	r->line = p;
	r->line_n = ln;
	for (size_t i = 0; i < ln; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return false;
	sp1 = memchr(p, ' ', ln);
	if (!sp1)
		return false;
	sp2 = memchr(sp1 + 1, ' ', ln - (size_t)(sp1 + 1 - p));
	if (!sp2 || memchr(sp2 + 1, ' ', ln - (size_t)(sp2 + 1 - p)))
		return false;
	r->method = p;
	r->method_n = (size_t)(sp1 - p);
	r->target = sp1 + 1;
	r->target_n = (size_t)(sp2 - sp1 - 1);
	if (r->method_n == 0 || r->target_n == 0)
		return false;
	for (size_t i = 0; i < r->method_n; i++)
		if (!tchar(p[i]))
			return false;
	if (seq(sp2 + 1, (size_t)(p + ln - sp2 - 1), "HTTP/1.1"))
		r->minor = 1;
	else if (seq(sp2 + 1, (size_t)(p + ln - sp2 - 1), "HTTP/1.0"))
		r->minor = 0;
	else
		return false;

	for (p = eol + 1; p < end; p = eol + 1) {
		char *colon, *v, *ve;
		eol = memchr(p, '\n', (size_t)(end - p));
		ln = (size_t)(eol - p);
		if (ln && p[ln - 1] == '\r')
			ln--;
		if (ln == 0)
			break;
		colon = memchr(p, ':', ln);
		if (!colon || colon == p)
			return false; /* also rejects obsolete line folding */
		for (char *q = p; q < colon; q++)
			if (!tchar(*q))
				return false;
		for (v = colon + 1; v < p + ln && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = p + ln; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		for (char *q = v; q < ve; q++)
			if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f)
				return false;
		if (ieq(p, (size_t)(colon - p), "host")) {
			r->host = v;
			r->host_n = (size_t)(ve - v);
			r->nhost++;
		} else if (ieq(p, (size_t)(colon - p), "connection")) {
			for (char *t = v; t < ve;) {
				char *c = memchr(t, ',', (size_t)(ve - t)), *te;
				if (!c)
					c = ve;
				while (t < c && (*t == ' ' || *t == '\t'))
					t++;
				for (te = c; te > t && (te[-1] == ' ' || te[-1] == '\t'); te--)
					;
				if (ieq(t, (size_t)(te - t), "close"))
					r->close = true;
				if (ieq(t, (size_t)(te - t), "keep-alive"))
					r->keepalive = true;
				t = c + 1;
			}
		} else if (ieq(p, (size_t)(colon - p), "content-length")) {
			char num[24];
			size_t k = (size_t)(ve - v);
			if (k == 0 || k >= sizeof num)
				return false;
			memcpy(num, v, k);
			num[k] = '\0';
			if (!parse_u64(num, UINT64_MAX, &r->clen))
				return false;
		} else if (ieq(p, (size_t)(colon - p), "transfer-encoding")) {
			r->has_te = true;
		} else if (ieq(p, (size_t)(colon - p), "accept") && r->naccept < ACCEPT_MAX) {
			r->accept[r->naccept] = v;
			r->accept_n[r->naccept++] = (size_t)(ve - v);
		}
	}
	return true;
}

static void log_request(const struct req *r)
{
	char line[HEAD_MAX + 16];
	size_t n = 0;
	int fd;

	if (!opt.logfile)
		return;
	memcpy(line, r->line, r->line_n);
	n = r->line_n;
	memcpy(line + n, " host=", 6);
	n += 6;
	if (r->host_n) {
		memcpy(line + n, r->host, r->host_n);
		n += r->host_n;
	}
	for (unsigned i = 0; opt.log_accept && i < (r->naccept ? r->naccept : 1); i++) {
		/* within the head, so within line: each " accept=" stands for a ":" and "\r\n" at least */
		memcpy(line + n, " accept=", 8);
		n += 8;
		if (!r->naccept)
			line[n++] = '-';
		else {
			memcpy(line + n, r->accept[i], r->accept_n[i]);
			n += r->accept_n[i];
		}
	}
	line[n++] = '\n';
	fd = open(opt.logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, n) < 0) {
		/* a lost log line shows up in the test that reads it */
	}
	close(fd);
}

/* ---- what a current engine does to an event ------------------------------
 * From API 1.52 Docker's events have no status/id/from. Below it, Docker 29
 * puts them back on container and image events by encoding the event,
 * decoding it into a map[string]any and encoding that (daemon/internal/
 * compat/compat.go): keys come out sorted, numbers through float64 and
 * strings re-escaped by Go. Other types are the plain struct, without them.
 */
enum { X_NONE, X_STRIP, X_DOCKER29 };
static int xmode;
static char *xbuf;         /* the rewritten event (mapped at start) */
static size_t xcap, xlen;
static bool xover;         /* did not fit: the event is sent as it is */
static struct view xview;

struct xmem {
	struct slice key;  /* raw JSON string content */
	int v;             /* value token, or -1: the string sv */
	struct slice sv;
};
static struct xmem xmem[XMEM_MAX];
static size_t xmem_used;

static void xput(const char *p, size_t n)
{
	if (xlen + n > xcap) {
		xover = true;
		return;
	}
	memcpy(xbuf + xlen, p, n);
	xlen += n;
}

static bool legacy_key(const char *s, const jsmntok_t *k)
{
	return key_is(s, k, "status") || key_is(s, k, "id") || key_is(s, k, "from");
}

/* Token t's text, a string with its quotes. */
static struct slice tok_raw(const char *s, const jsmntok_t *t)
{
	size_t qt = t->type == JSMN_STRING;
	struct slice r = { s + t->start - qt, (size_t)(t->end - t->start) + 2 * qt };
	return r;
}

/* Compares the decoded contents of two JSON strings byte-wise, as Go
 * sorts map keys. */
static int jcmp(struct slice a, struct slice b)
{
	size_t i = 0, j = 0, an = 0, bn = 0, ak = 0, bk = 0;
	char ua[4], ub[4];

	for (;;) {
		if (ak == an && i < a.n) {
			an = jdec(a.p, a.n, &i, ua);
			ak = 0;
		}
		if (bk == bn && j < b.n) {
			bn = jdec(b.p, b.n, &j, ub);
			bk = 0;
		}
		if (ak == an || bk == bn)
			return (bk == bn) - (ak == an);
		if (ua[ak] != ub[bk])
			return (unsigned char)ua[ak] < (unsigned char)ub[bk] ? -1 : 1;
		ak++;
		bk++;
	}
}

/* Length of the valid UTF-8 sequence at p (n bytes there), 0 if invalid;
 * *cp its code point. */
static size_t utf8_seq(const unsigned char *p, size_t n, unsigned *cp)
{
	size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 0;
	unsigned v;

	if (len == 0 || p[0] > 0xf4 || len > n)
		return 0;
	v = p[0] & (0x7fu >> len);
	for (size_t k = 1; k < len; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[k] & 0x3fu);
	}
	if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
		return 0;
	*cp = v;
	return len;
}

/* A JSON string's content (raw, escaped) as Go's encoder writes the
 * decoded string with HTML escaping (encoding/json encodeState.string). */
static void go_string_body(struct slice raw)
{
	static const char hx[] = "0123456789abcdef";
	size_t i = 0;
	char u[4], e[6];

	while (i < raw.n) {
		size_t at = i, k = jdec(raw.p, raw.n, &i, u);
		unsigned char c = (unsigned char)u[0];
		unsigned cp = 0;

		if (k == 1 && c < 0x80) {
			const char *esc = NULL;
			switch (c) {
			case '"': esc = "\\\""; break;
			case '\\': esc = "\\\\"; break;
			case '\b': esc = "\\b"; break;
			case '\f': esc = "\\f"; break;
			case '\n': esc = "\\n"; break;
			case '\r': esc = "\\r"; break;
			case '\t': esc = "\\t"; break;
			default: break;
			}
			if (esc) {
				xput(esc, 2);
			} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
				memcpy(e, "\\u00", 4);
				e[4] = hx[c >> 4];
				e[5] = hx[c & 15];
				xput(e, 6);
			} else {
				xput(u, 1);
			}
			continue;
		}
		if (k == 1) {
			/* a raw byte >= 0x80: the sequence it starts, or U+FFFD */
			k = utf8_seq((const unsigned char *)raw.p + at, raw.n - at, &cp);
			if (k == 0) {
				xput("\\ufffd", 6);
				continue;
			}
			memcpy(u, raw.p + at, k);
			i = at + k;
		} else {
			utf8_seq((const unsigned char *)u, k, &cp);
		}
		if (cp == 0x2028 || cp == 0x2029)
			xput(cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
		else
			xput(u, k);
	}
}

static void go_string(struct slice raw)
{
	xput("\"", 1);
	go_string_body(raw);
	xput("\"", 1);
}

/* A JSON number decoded into a float64 and written as encoding/json writes
 * a float64: the shortest digits that read back the same, in 'f' form for
 * 1e-6 <= |x| < 1e21, else 'e' form with "e-07" cleaned to "e-7". */
static void go_number(const char *p, size_t n)
{
	char num[64], e[40], digits[24], txt[64];
	size_t nd = 0, k = 0;
	double d, a;
	int prec, exp10;
	const char *x;

	if (n >= sizeof num)
		n = sizeof num - 1;
	memcpy(num, p, n);
	num[n] = '\0';
	d = strtod(num, NULL);
	a = d < 0 ? -d : d;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	for (x = e; *x && *x != 'e'; x++)
		if (*x >= '0' && *x <= '9' && nd < sizeof digits)
			digits[nd++] = *x;
	exp10 = *x ? atoi(x + 1) : 0;
	if (e[0] == '-')
		txt[k++] = '-';
	if (a == 0 || (a >= 1e-6 && a < 1e21)) {
		int point = exp10 + 1; /* digits before the decimal point */
		if (point <= 0) {
			memcpy(txt + k, "0.", 2);
			k += 2;
			for (int z = 0; z < -point; z++)
				txt[k++] = '0';
			memcpy(txt + k, digits, nd);
			k += nd;
		} else if ((size_t)point >= nd) {
			memcpy(txt + k, digits, nd);
			k += nd;
			for (size_t z = nd; z < (size_t)point; z++)
				txt[k++] = '0';
		} else {
			memcpy(txt + k, digits, (size_t)point);
			k += (size_t)point;
			txt[k++] = '.';
			memcpy(txt + k, digits + point, nd - (size_t)point);
			k += nd - (size_t)point;
		}
	} else {
		txt[k++] = digits[0];
		if (nd > 1) {
			txt[k++] = '.';
			memcpy(txt + k, digits + 1, nd - 1);
			k += nd - 1;
		}
		if (exp10 < 0)
			k += (size_t)snprintf(txt + k, sizeof txt - k, "e-%d", -exp10);
		else
			k += (size_t)snprintf(txt + k, sizeof txt - k, "e+%02d", exp10);
	}
	xput(txt, k);
}

static int go_value(const char *s, int ntok, int t);

/* An object as Go writes a map[string]any: members sorted by key, the last
 * of equal keys kept; at the top level (extra given) the legacy members
 * dropped and extra added. */
static void go_object(const char *s, int ntok, int t, const struct xmem *extra, size_t nextra)
{
	size_t base = xmem_used, m;
	int end = tok_skip(toks, ntok, t);
	bool first = true;

	for (int i = t + 1; i + 1 < end; i = tok_skip(toks, ntok, i + 1)) {
		if (extra && legacy_key(s, &toks[i]))
			continue;
		if (xmem_used == XMEM_MAX) {
			xover = true;
			return;
		}
		xmem[xmem_used].key = tok_slice(s, &toks[i]);
		xmem[xmem_used].v = i + 1;
		xmem_used++;
	}
	for (size_t k = 0; k < nextra && xmem_used < XMEM_MAX; k++)
		xmem[xmem_used++] = extra[k];
	for (size_t a = base + 1; a < xmem_used; a++) { /* stable: equal keys keep their order */
		struct xmem x = xmem[a];
		size_t b = a;
		for (; b > base && jcmp(xmem[b - 1].key, x.key) > 0; b--)
			xmem[b] = xmem[b - 1];
		xmem[b] = x;
	}
	xput("{", 1);
	for (m = base; m < xmem_used; m++) {
		if (m + 1 < xmem_used && jcmp(xmem[m].key, xmem[m + 1].key) == 0)
			continue;
		if (!first)
			xput(",", 1);
		first = false;
		go_string(xmem[m].key);
		xput(":", 1);
		if (xmem[m].v < 0)
			go_string(xmem[m].sv);
		else
			go_value(s, ntok, xmem[m].v);
	}
	xput("}", 1);
	xmem_used = base;
}

/* Writes token t's value the Go way; returns the index past it. */
static int go_value(const char *s, int ntok, int t)
{
	int end = tok_skip(toks, ntok, t);

	switch (toks[t].type) {
	case JSMN_OBJECT:
		go_object(s, ntok, t, NULL, 0);
		break;
	case JSMN_ARRAY:
		xput("[", 1);
		for (int i = t + 1; i < end; i = tok_skip(toks, ntok, i)) {
			if (i > t + 1)
				xput(",", 1);
			go_value(s, ntok, i);
		}
		xput("]", 1);
		break;
	case JSMN_STRING:
		go_string(tok_slice(s, &toks[t]));
		break;
	default:
		if (s[toks[t].start] == 't' || s[toks[t].start] == 'f' || s[toks[t].start] == 'n')
			xput(s + toks[t].start, (size_t)(toks[t].end - toks[t].start));
		else
			go_number(s + toks[t].start, (size_t)(toks[t].end - toks[t].start));
		break;
	}
	return end;
}

/* The event as this engine sends it at the request's API version. */
static const char *xform(const char *j, size_t n, size_t *xn)
{
	int ntok;
	bool container, image;

	*xn = n;
	if (xmode == X_NONE || (ntok = parse_line(j, n)) < 1)
		return j;
	xlen = 0;
	xover = false;
	view_from_tokens(&xview, j, ntok);
	container = jmatch(xview.type, "container", 9, false);
	image = jmatch(xview.type, "image", 5, false);
	if (xmode == X_DOCKER29 && (container || image)) {
		/* backFillLegacy (router/system/system_routes.go) */
		const struct slice *img = attr_get(&xview, "image", 5);
		struct xmem extra[3] = {
			{ sl("id"), -1, xview.id },
			{ sl("status"), -1, xview.action },
			{ sl("from"), -1, img ? *img : sl("") },
		};
		xmem_used = 0;
		go_object(j, ntok, 0, extra, container ? 3 : 2);
	} else {
		bool first = true;
		xput("{", 1);
		for (int i = 1; i + 1 < ntok; i = tok_skip(toks, ntok, i + 1)) {
			struct slice k = tok_raw(j, &toks[i]), v = tok_raw(j, &toks[i + 1]);
			if (legacy_key(j, &toks[i]))
				continue;
			if (!first)
				xput(",", 1);
			first = false;
			xput(k.p, k.n);
			xput(":", 1);
			xput(v.p, v.n);
		}
		xput("}", 1);
	}
	if (xover)
		return j;
	*xn = xlen;
	return xbuf;
}

/* ---- /events ------------------------------------------------------------ */

static struct query {
	bool has_since, has_until, has_filters;
	int64_t since, until;
	char since_s[64], until_s[64];
	char filters[HEAD_MAX];
	size_t filters_n;
} q;

/* Decodes %XX and '+' as Go's url.ParseQuery does; returns the length. */
static size_t url_decode(const char *s, size_t n, char *d, size_t dn)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < dn; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			d[k++] = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
		} else {
			d[k++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	return k;
}

/* "SECONDS[.FRACTION]" (fraction up to 9 digits) to nanoseconds. */
static bool parse_ts(const char *s, size_t n, int64_t *ns)
{
	const char *dot = memchr(s, '.', n);
	size_t in = dot ? (size_t)(dot - s) : n;
	int64_t sec, frac = 0;

	if (!parse_i64(s, in, &sec) || sec > INT64_MAX / NS - 1)
		return false;
	if (dot) {
		size_t fn = n - in - 1;
		if (fn == 0 || fn > 9 || !parse_i64(dot + 1, fn, &frac))
			return false;
		for (size_t i = fn; i < 9; i++)
			frac *= 10;
	}
	*ns = sec * NS + frac;
	return true;
}

/* Podman's error answer (pkg/api/handlers/utils/errors.go, ErrorModel):
 * {"cause":C,"message":M,"response":code}, C = raw + post (raw JSON string
 * content), M = pre + C. */
static void answer_podman_error(unsigned code, const char *pre, struct slice raw, const char *post)
{
	char num[24];
	struct slice p = sl(pre), t = sl(post);

	xlen = 0;
	xover = false;
	xput("{\"cause\":\"", 10);
	go_string_body(raw);
	go_string_body(t);
	xput("\",\"message\":\"", 13);
	go_string_body(p);
	go_string_body(raw);
	go_string_body(t);
	xput("\",\"response\":", 13);
	xput(num, u64_dec(num, code));
	xput("}\n", 2);
	answer(code, H_API | H_JSON, xbuf, xlen, xlen);
}

/* Fills q from the target's query; false: an error was answered. */
static bool parse_query(const struct req *rq, const char *qs, size_t qn)
{
	char msg[256];

	memset(&q, 0, offsetof(struct query, filters));
	for (size_t i = 0; i < qn;) {
		const char *amp = memchr(qs + i, '&', qn - i);
		size_t pn = amp ? (size_t)(amp - qs) - i : qn - i;
		const char *kv = qs + i, *eq = memchr(kv, '=', pn);
		char key[32];
		size_t kn = url_decode(kv, eq ? (size_t)(eq - kv) : pn, key, sizeof key - 1);
		const char *val = eq ? eq + 1 : kv + pn;
		size_t vn = eq ? pn - (size_t)(eq + 1 - kv) : 0;

		key[kn] = '\0';
		i += pn + 1;
		if (strcmp(key, "since") == 0 || strcmp(key, "until") == 0) {
			bool since = key[0] == 's';
			char *dst = since ? q.since_s : q.until_s;
			size_t dn;
			if (dst[0])
				continue; /* the first value counts, as with Go's Form.Get */
			dn = url_decode(val, vn, dst, sizeof q.since_s - 1);
			dst[dn] = '\0';
			if (dn == 0)
				continue; /* empty means absent, as in dockerd */
			if (!parse_ts(dst, dn, since ? &q.since : &q.until)) {
				snprintf(msg, sizeof msg, "invalid value for %s: %s", key, dst);
				answer_error(400, H_API | H_EXP | H_OS, msg);
				return false;
			}
			if (since)
				q.has_since = true;
			else
				q.has_until = true;
		} else if (strcmp(key, "filters") == 0 && !q.has_filters) {
			q.filters_n = url_decode(val, vn, q.filters, sizeof q.filters);
			q.has_filters = true;
		}
	}
	if (!filters_parse(q.filters, q.has_filters ? q.filters_n : 0, msg, sizeof msg)) {
		if (opt.eng->podman) {
			/* compat/events.go: "failed to parse filters for %s: %w", r.URL */
			char pre[HEAD_MAX + 64];
			snprintf(pre, sizeof pre, "failed to parse filters for %.*s: ",
				(int)rq->target_n, rq->target);
			answer_podman_error(400, pre, sl(msg), "");
		} else {
			answer_error(500, H_API | H_EXP | H_OS, msg);
		}
		return false;
	}
	if (flt.refused.p) {
		/* libpod/events: fmt.Errorf("failed to parse event filters: %w",
		 * fmt.Errorf("%s is an invalid filter", key)), a 500 since 5.3 */
		answer_podman_error(500, "failed to parse event filters: ", flt.refused,
			" is an invalid filter");
		return false;
	}
	if (q.has_until && q.has_since && q.until < q.since) {
		snprintf(msg, sizeof msg, "`since` time (%s) cannot be after `until` time (%s)",
			q.since_s, q.until_s);
		answer_error(400, H_API | H_EXP | H_OS, msg);
		return false;
	}
	return true;
}

/* ---- Accept ----------------------------------------------------------------
 * gddo's header.ParseAccept (vendored by moby), case-sensitive values: per
 * header line, "type/sub[;q=N], ..."; a parameter other than q drops the
 * entry and the rest of its line, and so does anything but "," after q.
 */
struct spec {
	const char *p;
	size_t n;
	double q;
};

static bool gtoken(char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"(),/:;<=>?@[]\\{}", c);
}

static const char *gspace(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

static size_t parse_accept(const struct req *rq, struct spec *sp, size_t max)
{
	size_t k = 0;

	for (unsigned l = 0; l < rq->naccept; l++) {
		const char *s = rq->accept[l], *e = s + rq->accept_n[l];
		while (k < max) {
			const char *v = s;
			double qv = 1.0;
			while (s < e && (gtoken(*s) || *s == '/'))
				s++;
			if (s == v)
				break;
			sp[k].p = v;
			sp[k].n = (size_t)(s - v);
			s = gspace(s, e);
			if (s < e && *s == ';') {
				s = gspace(s + 1, e);
				if (e - s < 2 || s[0] != 'q' || s[1] != '=')
					break;
				s += 2;
				/* expectQuality: "0" or "1", then optionally "." and digits */
				if (s == e || (*s != '0' && *s != '1'))
					break;
				qv = *s++ - '0';
				if (s < e && *s == '.') {
					double d = 1;
					uint64_t num = 0;
					for (s++; s < e && *s >= '0' && *s <= '9' && d < 1e15; s++) {
						num = num * 10 + (uint64_t)(*s - '0');
						d *= 10;
					}
					qv += (double)num / d;
				}
			}
			sp[k++].q = qv;
			s = gspace(s, e);
			if (s == e || *s != ',')
				break;
			s = gspace(s + 1, e);
		}
	}
	return k;
}

/* The events body type this engine answers for the request. */
static int negotiate(const struct req *rq, bool v152)
{
	static const int offers3[] = { CT_JSONL, CT_NDJSON, CT_SEQ };
	struct spec sp[SPEC_MAX];
	const int *offers = offers3;
	size_t noffers = 3, ns;
	int best, bestwild = 3;
	double bestq = -1.0;

	if (opt.force_ct >= 0)
		return opt.force_ct;
	if (opt.eng->neg == NEG_NONE)
		return CT_JSON;
	ns = parse_accept(rq, sp, SPEC_MAX);
	if (opt.eng->neg == NEG_STRICT) {
		/* contenttype.MatchAcceptStrict: exact types, highest q, ties
		 * to the earlier offer; nothing when the first Accept is empty */
		best = v152 ? CT_JSONL : CT_JSON;
		if (rq->naccept == 0 || rq->accept_n[0] == 0)
			return best;
		for (size_t o = 0; o < noffers; o++)
			for (size_t i = 0; i < ns; i++)
				if (sp[i].q != 0 && seq(sp[i].p, sp[i].n, ct_names[offers[o]]) &&
				    sp[i].q > bestq) {
					bestq = sp[i].q;
					best = offers[o];
				}
		return best;
	}
	/* gddo httputil.NegotiateContentType: wildcards, the more specific
	 * match wins at equal q, then the earlier offer */
	if (opt.eng->neg == NEG_GDDO) {
		offers = offers3 + 1;
		noffers = 2;
	}
	best = CT_JSON;
	for (size_t o = 0; o < noffers; o++) {
		const char *off = ct_names[offers[o]];
		for (size_t i = 0; i < ns; i++) {
			const struct spec *x = &sp[i];
			if (x->q == 0.0 || x->q < bestq)
				continue;
			if (seq(x->p, x->n, "*/*")) {
				if (x->q > bestq || bestwild > 2) {
					bestq = x->q;
					bestwild = 2;
					best = offers[o];
				}
			} else if (x->n >= 2 && x->p[x->n - 2] == '/' && x->p[x->n - 1] == '*') {
				if (strncmp(off, x->p, x->n - 1) == 0 && (x->q > bestq || bestwild > 1)) {
					bestq = x->q;
					bestwild = 1;
					best = offers[o];
				}
			} else if (seq(x->p, x->n, off) && (x->q > bestq || bestwild > 0)) {
				bestq = x->q;
				bestwild = 0;
				best = offers[o];
			}
		}
	}
	return best;
}

struct fault {
	bool any, cut, cut_mid, stall, identity, raw;
	unsigned status;
	uint64_t cut_after;
	int chunking;
};

static struct emitter {
	int mode;
	bool identity;
	bool rs;          /* application/json-seq: 0x1E before each event */
	bool head_due;    /* --withhold-head: the head waits in head[] for the first event */
	uint64_t seq;
	size_t mlen, hlen;
	unsigned mcount, mgroup;
	char head[1024];
	char mbuf[MERGE_MAX];
} em;

static void chunk_head(size_t n)
{
	char h[24];
	int k = snprintf(h, sizeof h, "%zx\r\n", n);
	out_put(h, (size_t)k);
}

/* Bytes [from,to) of the event's record: [0x1E] j "\n". */
static void payload(const char *j, size_t n, size_t from, size_t to)
{
	size_t rs = em.rs;

	if (from < rs && to > 0)
		out_put("\x1e", 1);
	from = from > rs ? from - rs : 0;
	to = to > rs ? to - rs : 0;
	if (from < n && to > from)
		out_put(j + from, (to < n ? to : n) - from);
	if (to > n)
		out_put("\n", 1);
}

static void merge_flush(void)
{
	if (em.mlen == 0)
		return;
	chunk_head(em.mlen);
	out_put(em.mbuf, em.mlen);
	out_put("\r\n", 2);
	em.mlen = 0;
	em.mcount = 0;
}

static void head_now(void)
{
	if (em.head_due) {
		out_put(em.head, em.hlen);
		em.head_due = false;
	}
}

static void emit_event(const char *j, size_t n)
{
	size_t total = n + 1 + em.rs, p;

	head_now();
	if (em.identity) {
		payload(j, n, 0, total);
	} else if (em.mode == CH_SPLIT && total >= 2) {
		/* The split point walks through the event so every offset gets hit. */
		p = 1 + (size_t)((em.seq * 2654435761u) % (total - 1));
		chunk_head(p);
		payload(j, n, 0, p);
		out_put("\r\n", 2);
		chunk_head(total - p);
		payload(j, n, p, total);
		out_put("\r\n", 2);
	} else if (em.mode == CH_MERGE && total <= MERGE_MAX) {
		if (em.mlen + total > MERGE_MAX)
			merge_flush();
		if (em.mcount == 0)
			em.mgroup = 2 + (unsigned)(em.seq % 4);
		if (em.rs)
			em.mbuf[em.mlen++] = '\x1e';
		memcpy(em.mbuf + em.mlen, j, n);
		em.mbuf[em.mlen + n] = '\n';
		em.mlen += n + 1;
		if (++em.mcount >= em.mgroup)
			merge_flush();
	} else {
		merge_flush();
		/* Docker 29 writes the separator on its own, and flushes
		 * every write (httputils/json-seq.go, ioutils.WriteFlusher) */
		if (em.rs)
			out_put("1\r\n\x1e\r\n", 6);
		chunk_head(n + 1);
		out_put(j, n);
		out_put("\n\r\n", 3);
	}
	em.seq++;
}

/* --cut-after: optionally half of the next event's chunk, then hang up. */
__attribute__((noreturn))
static void cut_now(const char *j, size_t n, bool mid)
{
	merge_flush();
	head_now();
	if (mid && j) {
		size_t total = n + 1 + em.rs, half = total / 2 ? total / 2 : 1;
		if (!em.identity)
			chunk_head(total);
		payload(j, n, 0, half);
	}
	out_flush();
	child_exit();
}

struct run {
	const struct fault *f;
	uint64_t sent;
	bool past;   /* --history: sending what already happened, unpaced */
};

/* Sends one candidate event; the caller has checked since/until. */
static void offer(struct run *r, const char *j, size_t n)
{
	size_t xn;
	const char *x = xform(j, n, &xn);

	if (r->f->cut && r->sent == r->f->cut_after)
		cut_now(x, xn, r->f->cut_mid);
	if (r->sent == 0 && opt.quiet_ms) {
		merge_flush();
		out_flush();
		wait_ms((int64_t)opt.quiet_ms);
	}
	emit_event(x, xn);
	r->sent++;
	if (opt.interval_ms && !r->past) {
		merge_flush();
		out_flush();
		wait_ms((int64_t)opt.interval_ms);
	}
}

static struct view view;

/* Streams the matching events. Returns true to keep serving requests on the
 * connection (after a final chunk), false to end it. */
static bool stream_events(const struct req *rq, const struct fault *f, bool v152)
{
	char date[64];
	struct run r = { f, 0, false };
	int64_t since = q.has_since ? q.since : INT64_MIN;
	int64_t until = q.has_until ? q.until : INT64_MAX;
	int ct = negotiate(rq, v152), n;

	memset(&em, 0, offsetof(struct emitter, head));
	em.mode = f->chunking;
	em.identity = f->identity || rq->minor == 0; /* an HTTP/1.0 client gets no chunking */
	em.rs = ct == CT_SEQ;
	xmode = opt.eng->podman ? X_NONE : v152 ? X_STRIP : opt.eng->docker29 ? X_DOCKER29 : X_NONE;
	if (opt.eng->podman) {
		/* libpod/events/filters.go: e.Time.After(since), e.Time.Before(until) */
		if (since < INT64_MAX)
			since++;
		if (until > INT64_MIN)
			until--;
	}
	http_date(date, sizeof date);
	if (opt.eng->podman)
		n = podman_head(em.head, sizeof em.head, 200, opt.no_api_header ? H_JSON : H_API | H_JSON, date);
	else
		n = snprintf(em.head, sizeof em.head,
			"%s\r\n%s%s%sContent-Type: %s\r\nDocker-Experimental: false\r\n"
			"Ostype: linux\r\nServer: %s\r\nDate: %s\r\n",
			em.identity ? "HTTP/1.0 200 OK" : "HTTP/1.1 200 OK",
			opt.no_api_header ? "" : "Api-Version: ", opt.no_api_header ? "" : opt.api,
			opt.no_api_header ? "" : "\r\n", ct_names[ct], server, date);
	n += snprintf(em.head + n, sizeof em.head - (size_t)n, "%s%s\r\n",
		conn.close && !em.identity ? "Connection: close\r\n" : "",
		em.identity ? "" : "Transfer-Encoding: chunked\r\n");
	em.hlen = (size_t)n;
	em.head_due = true;
	if (!opt.withhold)
		head_now();

	if (opt.evfile) {
		for (uint64_t round = 0; round < opt.repeat; round++) {
			int64_t add = (int64_t)round * (ev_span + MS);
			for (size_t i = 0; i < ev_n; i++) {
				const struct line *L = &ev_lines[i];
				const char *j = ev_data + L->off;
				size_t jn = L->len;
				int64_t tn = L->tn + add;

				if (tn < since || tn > until)
					continue;
				if (flt.any) {
					view_from_tokens(&view, j, parse_line(j, jn));
					if (!filters_match(&view))
						continue;
				}
				if (round)
					jn = rewrite_line(L, tn, &j);
				offer(&r, j, jn);
			}
		}
	} else if (opt.gen && opt.history) {
		/* dockerd: what happened before the request and is among the
		 * last N comes at once (the history), then, without until=,
		 * what happens from now on, paced (live); with until=, the
		 * answer ends after the history (until is in the past). */
		uint64_t hw = atomic_load(hist_hw), i = 0;
		uint64_t first = hw > opt.history ? hw - opt.history : 0;
		for (i = first; i < hw; i++) {
			int64_t tn = opt.live ? hist_stamp[i] : opt.t0 + (int64_t)i * MS;
			int legacy;
			if (tn < since || tn > until)
				continue;
			legacy = gen_view(&view, i);
			if (flt.any && !filters_match(&view))
				continue;
			r.past = true;
			offer(&r, genbuf, gen_json(&view, legacy, tn));
		}
		r.past = false;
		merge_flush();
		out_flush();
		for (i = hw; !q.has_until && i < opt.gen_n; i++) {
			int64_t tn = opt.t0 + (int64_t)i * MS;
			int legacy;
			uint64_t cur = atomic_load(hist_hw);
			if (opt.live) {
				static int64_t last;
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				tn = (int64_t)ts.tv_sec * NS + ts.tv_nsec;
				if (tn <= last)
					tn = last + 1;
				last = tn;
				hist_stamp[i] = tn;
			}
			/* It happened: later requests find it in the history. */
			while (cur < i + 1 && !atomic_compare_exchange_weak(hist_hw, &cur, i + 1))
				;
			legacy = gen_view(&view, i);
			if (flt.any && !filters_match(&view))
				continue;
			offer(&r, genbuf, gen_json(&view, legacy, tn));
		}
	} else if (opt.gen) {
		uint64_t i = 0;
		if (since > opt.t0)
			i = (uint64_t)((since - opt.t0 + MS - 1) / MS);
		for (; i < opt.gen_n; i++) {
			int64_t tn = opt.t0 + (int64_t)i * MS;
			int legacy;

			if (tn > until)
				break;
			legacy = gen_view(&view, i);
			if (flt.any && !filters_match(&view))
				continue;
			if (opt.live) {
				/* The send time, so that a receiver can tell how
				 * long an event took to reach it (or its hook). */
				static int64_t last;
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				tn = (int64_t)ts.tv_sec * NS + ts.tv_nsec;
				if (tn <= last)
					tn = last + 1;
				last = tn;
			}
			offer(&r, genbuf, gen_json(&view, legacy, tn));
		}
	}

	if (f->cut)
		cut_now(NULL, 0, false); /* fewer events than --cut-after: still hang up */
	merge_flush();
	if (q.has_until || opt.end || em.identity)
		head_now(); /* a withheld head goes out at the end of the body */
	if (em.identity) {
		out_flush();
		return false; /* the close delimits the body */
	}
	if (q.has_until || opt.end) {
		out_put("0\r\n\r\n", 5);
		out_flush();
		/* dockerd keeps the connection after the final chunk, like any
		 * keep-alive answer */
		return !opt.end && !rq->close;
	}
	out_flush();
	wait_ms(-1); /* an idle stream: no heartbeat, silence until the client goes */
	return false;
}

static bool serve_events(const struct req *rq, const char *qs, size_t qn, bool v152)
{
	unsigned nreq = atomic_fetch_add(events_seen, 1) + 1;
	struct fault f = { .chunking = CH_ONE };
	bool keep;

	f.any = opt.stall || opt.status || opt.rawfile || opt.cut || opt.dribble ||
		opt.identity || opt.chunking != CH_ONE;
	if (f.any && nreq <= opt.faults) {
		char what[256];
		int n = 0;
		f.stall = opt.stall;
		f.status = opt.status;
		f.raw = opt.rawfile != NULL;
		f.cut = opt.cut;
		f.cut_mid = opt.cut_mid;
		f.cut_after = opt.cut_after;
		f.identity = opt.identity;
		f.chunking = opt.chunking;
		out.dribble = opt.dribble;
		what[0] = '\0';
#define ADD(...) do { if (n >= 0 && (size_t)n < sizeof what) \
	n += snprintf(what + n, sizeof what - (size_t)n, __VA_ARGS__); } while (0)
		if (f.raw)
			ADD(" raw=%s", opt.rawfile);
		else if (f.status)
			ADD(" status=%u", f.status);
		else if (f.stall)
			ADD(" stall");
		else {
			if (f.cut)
				ADD(" cut-after=%" PRIu64 "%s", f.cut_after, f.cut_mid ? " cut-mid" : "");
			if (f.identity)
				ADD(" identity");
			if (f.chunking != CH_ONE)
				ADD(" chunking=%s", f.chunking == CH_SPLIT ? "split" : "merge");
		}
		if (out.dribble)
			ADD(" dribble=%" PRIu64 "ms", opt.dribble_ms);
#undef ADD
		note("conn %u, events request %u: fault%s", conn.no, nreq, what);
	} else {
		f.any = false;
	}

	if (f.raw) {
		size_t n;
		const char *p = map_file(opt.rawfile, &n);
		out_put(p, n);
		out_flush();
		return false;
	}
	if (f.status) {
		size_t bl = strlen(opt.body);
		answer(f.status, H_API | H_EXP | H_OS | H_JSON | H_CLOSE, opt.body, bl, bl);
		return false;
	}
	if (f.stall) {
		wait_ms(-1);
		return false;
	}
	if (!parse_query(rq, qs, qn)) {
		out.dribble = false;
		return !rq->close;
	}
	keep = stream_events(rq, &f, v152);
	out.dribble = false;
	return keep;
}

/* ---- lists: /containers/json, /networks, /volumes ------------------------
 * What dockev --snapshot reads. dockerd writes them with Go's JSON encoder
 * and no Content-Length, so a list over 2 KiB goes chunked: here always
 * chunked, LIST_PER_CHUNK elements a chunk, so that elements split across
 * chunks and reads. The scenario files are mapped at start (no heap).
 */
#define LIST_PER_CHUNK 3
enum { L_CONTAINERS, L_NETWORKS, L_VOLUMES };
static const char *list_data[3];
static size_t list_size[3];

static char list_chunk[OUT_MAX];
static size_t list_clen;

static void list_flush(void)
{
	char h[32];
	int k;

	if (!list_clen)
		return;
	k = snprintf(h, sizeof h, "%zx\r\n", list_clen);
	out_put(h, (size_t)k);
	out_put(list_chunk, list_clen);
	out_put("\r\n", 2);
	list_clen = 0;
}

static void list_put(const char *p, size_t n)
{
	if (list_clen + n > sizeof list_chunk)
		list_flush();
	while (n > sizeof list_chunk) { /* an element over the chunk buffer: its own chunks */
		memcpy(list_chunk, p, sizeof list_chunk);
		list_clen = sizeof list_chunk;
		list_flush();
		p += sizeof list_chunk;
		n -= sizeof list_chunk;
	}
	memcpy(list_chunk + list_clen, p, n);
	list_clen += n;
}

/* One element: a ',' before all but the first, a chunk every few. */
static void list_elem(unsigned *k, const char *p, size_t n)
{
	if (*k)
		list_put(",", 1);
	list_put(p, n);
	if (++*k % LIST_PER_CHUNK == 0)
		list_flush();
}

/* A generated container summary, as dockerd 28 lists one. */
static size_t gen_summary(uint64_t c, char *b, size_t cap)
{
	bool up = c % 2 == 0;
	size_t n;

	gen_container(c);
	n = (size_t)snprintf(b, cap,
		"{\"Id\":\"%s\",\"Names\":[\"/%s\"],\"Image\":\"%s\",\"ImageID\":\"%s\","
		"\"Command\":\"/usr/bin/collector --config /etc/edge/collector.yaml\",\"Created\":1795790000,"
		"\"Ports\":[{\"PrivatePort\":9102,\"Type\":\"tcp\"}],\"Labels\":{",
		gen.id, gen.name, gen.image, gen.imgsha);
	for (int i = 0; i < 22 && n < cap; i++) {
		const struct attr *a = i < 11 ? &gen.labels_lo[i] : &gen.labels_hi[i - 11];
		if (a->k.p == gen.labels_lo[10].k.p)
			continue; /* the JSON-in-a-label one: events have it, lists too, but long */
		n += (size_t)snprintf(b + n, cap - n, "%s\"%.*s\":\"%.*s\"", i ? "," : "",
			(int)a->k.n, a->k.p, (int)a->v.n, a->v.p);
	}
	if (n < cap)
		n += (size_t)snprintf(b + n, cap - n,
			"},\"State\":\"%s\",\"Status\":\"%s\",\"HostConfig\":{\"NetworkMode\":\"%s\"},"
			"\"NetworkSettings\":{\"Networks\":{\"%s\":{\"IPAMConfig\":null,\"Links\":null,"
			"\"Aliases\":null,\"NetworkID\":\"%s\",\"IPAddress\":\"%s\",\"Gateway\":\"172.20.0.1\"}}},"
			"\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"%s\",\"Destination\":\"/data\",\"RW\":true}]}",
			up ? "running" : "exited", up ? "Up 5 minutes" : "Exited (0) 5 minutes ago",
			gen.netname, gen.netname, gen.netid, up ? "172.20.0.2" : "", gen.vol);
	return n < cap ? n : 0;
}

static bool has_text(const char *p, size_t n, const char *t)
{
	size_t tn = strlen(t);

	for (size_t i = 0; i + tn <= n; i++)
		if (memcmp(p + i, t, tn) == 0)
			return true;
	return false;
}

static bool query_has(const char *qs, size_t qn, const char *kv)
{
	size_t kn = strlen(kv);

	for (size_t i = 0; i + kn <= qn; i++)
		if ((i == 0 || qs[i - 1] == '&') && memcmp(qs + i, kv, kn) == 0 &&
		    (i + kn == qn || qs[i + kn] == '&'))
			return true;
	return false;
}

static void serve_list(int which, const char *qs, size_t qn)
{
	static const char default_networks[] =
		"{\"Name\":\"bridge\",\"Id\":\"b0\",\"Scope\":\"local\",\"Driver\":\"bridge\",\"Labels\":{}}\n"
		"{\"Name\":\"host\",\"Id\":\"h0\",\"Scope\":\"local\",\"Driver\":\"host\",\"Labels\":{}}\n"
		"{\"Name\":\"none\",\"Id\":\"n0\",\"Scope\":\"local\",\"Driver\":\"null\",\"Labels\":{}}\n";
	bool all = query_has(qs, qn, "all=1") || query_has(qs, qn, "all=true");
	const char *d = list_data[which];
	size_t dn = list_size[which];
	char head[512], date[64];
	unsigned k = 0;
	int n;

	if (opt.list_delay_ms)
		wait_ms((int64_t)opt.list_delay_ms);
	if (which == L_NETWORKS && !opt.list_file[L_NETWORKS]) {
		d = default_networks;
		dn = sizeof default_networks - 1;
	}
	http_date(date, sizeof date);
	if (opt.eng->podman)
		n = podman_head(head, sizeof head, 200, H_API | H_JSON, date);
	else
		n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nApi-Version: %s\r\n"
			"Content-Type: application/json\r\nDocker-Experimental: false\r\n"
			"Ostype: linux\r\nServer: %s\r\nDate: %s\r\n", opt.api, server, date);
	n += snprintf(head + n, sizeof head - (size_t)n, "%sTransfer-Encoding: chunked\r\n\r\n",
		conn.close ? "Connection: close\r\n" : "");
	out_put(head, (size_t)n);
	list_put(which == L_VOLUMES ? "{\"Volumes\":[" : "[", which == L_VOLUMES ? 12 : 1);
	for (size_t i = 0; i < dn;) {
		const char *nl = memchr(d + i, '\n', dn - i);
		size_t e = nl ? (size_t)(nl - d) : dn, ln = e - i;
		const char *line = d + i;

		i = e + 1;
		while (ln > 0 && (line[ln - 1] == '\r' || line[ln - 1] == ' '))
			ln--;
		if (ln == 0)
			continue;
		if (which == L_CONTAINERS && !all && !has_text(line, ln, "\"State\":\"running\""))
			continue;
		list_elem(&k, line, ln);
	}
	if (which == L_CONTAINERS)
		for (uint64_t c = 0; c < opt.gen_containers; c++) {
			size_t gn;
			if (!all && c % 2)
				continue;
			if ((gn = gen_summary(c, genbuf, sizeof genbuf)) > 0)
				list_elem(&k, genbuf, gn);
		}
	list_put(which == L_VOLUMES ? "],\"Warnings\":null}\n" : "]\n",
		which == L_VOLUMES ? 19 : 2);
	list_flush();
	out_put("0\r\n\r\n", 5);
	out_flush();
}

/* Routes one request; returns whether to read another on this connection. */
static bool route(const struct req *rq)
{
	const char *path = rq->target, *qm = memchr(path, '?', rq->target_n);
	size_t pn = qm ? (size_t)(qm - path) : rq->target_n;
	const char *qs = qm ? qm + 1 : path + pn;
	size_t qn = qm ? rq->target_n - pn - 1 : 0;
	bool keep = !rq->close && (rq->minor == 1 || rq->keepalive);
	bool head = seq(rq->method, rq->method_n, "HEAD");
	bool get = seq(rq->method, rq->method_n, "GET");
	bool versioned = false;
	unsigned major = 0, minor = 0;
	const char *rest = path;
	size_t rn = pn;
	int which = 0; /* 1 ping, 2 version, 3 events, 4-6 lists */

	if (pn > 2 && path[0] == '/' && path[1] == 'v') {
		const char *slash = memchr(path + 2, '/', pn - 2);
		if (slash && parse_version(path + 2, (size_t)(slash - path - 2), &major, &minor)) {
			versioned = true;
			rest = slash;
			rn = pn - (size_t)(slash - path);
		}
	}
	if (seq(rest, rn, "/_ping") && (get || head))
		which = 1;
	else if (seq(rest, rn, "/version") && get)
		which = 2;
	else if (seq(rest, rn, "/events") && get)
		which = 3;
	else if (seq(rest, rn, "/containers/json") && get)
		which = 4;
	else if (seq(rest, rn, "/networks") && get)
		which = 5;
	else if (seq(rest, rn, "/volumes") && get)
		which = 6;
	if (!which) {
		static const char nf[] = "{\"message\":\"page not found\"}\n";
		answer(404, H_JSON, nf, sizeof nf - 1, sizeof nf - 1);
		return keep;
	}
	/* dockerd checks every route (daemon/server/middleware/version.go), the
	 * version quoted as the path has it; Podman checks none. */
	if (versioned && !opt.eng->podman) {
		char msg[256];
		int vn = (int)(memchr(path + 2, '/', pn - 2) - (const void *)(path + 2));
		if (ver_cmp(major, minor, opt.api_major, opt.api_minor) > 0) {
			snprintf(msg, sizeof msg,
				"client version %.*s is too new. Maximum supported API version is %s",
				vn, path + 2, opt.api);
			answer_error(400, H_API | H_OS, msg);
			return keep;
		}
		if (ver_cmp(major, minor, opt.min_major, opt.min_minor) < 0) {
			snprintf(msg, sizeof msg, "client version %.*s is too old. Minimum supported API "
				"version is %s, please upgrade your client to a newer version",
				vn, path + 2, opt.min_api);
			answer_error(400, H_API | H_OS, msg);
			return keep;
		}
	}
	if (!versioned) {
		major = opt.api_major; /* dockerd serves an unversioned path at its newest */
		minor = opt.api_minor;
	}
	if (which == 1) {
		/* dockerd answers HEAD /_ping with Content-Length: 0 */
		answer(200, H_API | H_EXP | H_OS | H_PING | (head ? H_NOBODY : 0), "OK", 2, head ? 0 : 2);
		return keep;
	}
	if (which == 2) {
		char body[2048];
		int n = opt.eng->podman ?
			snprintf(body, sizeof body, podman_version_fmt, opt.eng->version,
				opt.eng->version, opt.eng->version, opt.api) :
			snprintf(body, sizeof body, version_fmt, opt.eng->version, opt.api,
				opt.min_api, opt.eng->version, opt.api, opt.min_api);
		answer(200, H_API | H_EXP | H_OS | H_JSON, body, (size_t)n, (size_t)n);
		return keep;
	}
	if (which >= 4) {
		serve_list(which - 4, qs, qn);
		return keep;
	}
	return serve_events(rq, qs, qn, ver_cmp(major, minor, 1, 52) >= 0) && keep;
}

/* Discards a request body the client announced (GET has none in practice). */
static bool skip_body(uint64_t n)
{
	while (n > 0) {
		ssize_t k;
		if (conn.inlen) {
			size_t take = n < conn.inlen ? (size_t)n : conn.inlen;
			memmove(conn.in, conn.in + take, conn.inlen - take);
			conn.inlen -= take;
			n -= take;
			continue;
		}
		k = recv(conn.fd, conn.in, sizeof conn.in, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		conn.inlen = (size_t)k;
	}
	return true;
}

/* Answers a request we cannot serve and hangs up. Closing with unread input
 * would reset the connection and could destroy the answer in flight, so stop
 * sending, then drain briefly first (as Go's server does). */
__attribute__((noreturn))
static void refuse(unsigned code, const char *msg)
{
	int64_t until = mono_ms() + 200;
	char tmp[4096];

	answer_error(code, H_CLOSE, msg);
	shutdown(conn.fd, SHUT_WR);
	for (size_t total = 0; total < (1u << 20);) {
		struct pollfd pfd = { .fd = conn.fd, .events = POLLIN };
		int64_t left = until - mono_ms();
		ssize_t n;
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		n = recv(conn.fd, tmp, sizeof tmp, 0);
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	child_exit();
}

__attribute__((noreturn))
static void serve(void)
{
	for (;;) {
		struct req rq;
		size_t hn;
		int r = read_head(&hn);
		bool keep;

		conn.minor = 1;
		conn.close = false;
		if (r == 0)
			child_exit();
		if (r < 0)
			refuse(431, "request header too large");
		if (!parse_head(hn, &rq))
			refuse(400, "malformed HTTP request");
		conn.minor = rq.minor;
		conn.close = rq.close;
		log_request(&rq);
		if (rq.minor == 1 && rq.nhost != 1)
			refuse(400, rq.nhost ? "too many Host headers" : "missing Host header");
		if (rq.has_te || rq.clen > BODY_MAX)
			refuse(400, "request body not supported");
		keep = route(&rq);
		/* The head is consumed only now: rq points into conn.in. */
		memmove(conn.in, conn.in + hn, conn.inlen - hn);
		conn.inlen -= hn;
		if (!keep || !skip_body(rq.clen))
			child_exit();
	}
}

/* ---- the listener (parent side) ------------------------------------------ */

static volatile sig_atomic_t got_term, got_chld;
static pid_t children[CHILD_MAX];
static size_t nchildren;
static char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static int lfd = -1;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_chld = 1;
	else
		got_term = 1;
}

static void reap(void)
{
	pid_t pid;

	got_chld = 0;
	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
		for (size_t i = 0; i < nchildren; i++) {
			if (children[i] == pid) {
				children[i] = children[--nchildren];
				break;
			}
		}
	}
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t n = strlen(text);

	if (fd < 0 || write(fd, text, n) != (ssize_t)n)
		fatal("%s: %s", path, strerror(errno));
	close(fd);
}

static int listen_on(const char *spec, char *desc, size_t descn)
{
	int fd;

	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		const char *path = spec + 5;
		struct stat st;

		if (path[0] == '\0' || strlen(path) >= sizeof sa.sun_path)
			usage_error("-l %s: empty or too long a socket path", spec);
		memcpy(sa.sun_path, path, strlen(path) + 1);
		if (lstat(path, &st) == 0) {
			if (!S_ISSOCK(st.st_mode))
				fatal("%s exists and is not a socket", path);
			unlink(path); /* stale from an earlier run */
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
			fatal("bind %s: %s", path, strerror(errno));
		memcpy(unix_path, path, strlen(path) + 1);
		snprintf(desc, descn, "unix:%s", path);
	} else if (strncmp(spec, "tcp:", 4) == 0) {
		/* Numeric addresses only (and "localhost"): no resolver, so a static
		 * build links without glibc's NSS warning. */
		char host[64];
		const char *h = spec + 4, *colon = strrchr(h, ':');
		union {
			struct sockaddr sa;
			struct sockaddr_in in;
			struct sockaddr_in6 in6;
		} addr;
		socklen_t alen;
		size_t hl;
		int one = 1;
		uint64_t pnum;

		memset(&addr, 0, sizeof addr);
		if (!colon || colon == h || !parse_u64(colon + 1, 65535, &pnum))
			usage_error("-l %s: expected tcp:HOST:PORT", spec);
		hl = (size_t)(colon - h);
		if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']')
			h++, hl -= 2; /* [::1]:PORT */
		if (hl >= sizeof host)
			usage_error("-l %s: host too long", spec);
		memcpy(host, h, hl);
		host[hl] = '\0';
		if (strcmp(host, "localhost") == 0)
			memcpy(host, "127.0.0.1", 10);
		if (inet_pton(AF_INET, host, &addr.in.sin_addr) == 1) {
			addr.in.sin_family = AF_INET;
			addr.in.sin_port = htons((uint16_t)pnum);
			alen = sizeof addr.in;
		} else if (inet_pton(AF_INET6, host, &addr.in6.sin6_addr) == 1) {
			addr.in6.sin6_family = AF_INET6;
			addr.in6.sin6_port = htons((uint16_t)pnum);
			alen = sizeof addr.in6;
		} else {
			usage_error("-l %s: HOST must be a numeric address or localhost", spec);
		}
		fd = socket(addr.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			fatal("socket: %s", strerror(errno));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, &addr.sa, alen) < 0)
			fatal("bind %s: %s", spec, strerror(errno));
		if (getsockname(fd, &addr.sa, &alen) < 0)
			fatal("getsockname: %s", strerror(errno));
		pnum = ntohs(addr.sa.sa_family == AF_INET6 ? addr.in6.sin6_port : addr.in.sin_port);
		snprintf(desc, descn, "tcp:%s%s%s:%u", strchr(host, ':') ? "[" : "", host,
			strchr(host, ':') ? "]" : "", (unsigned)pnum);
		if (opt.port_file) {
			char num[24];
			snprintf(num, sizeof num, "%u\n", (unsigned)pnum);
			write_file(opt.port_file, num);
		}
	} else {
		usage_error("-l %s: expected unix:PATH or tcp:HOST:PORT", spec);
	}
	if (listen(fd, 128) < 0)
		fatal("listen: %s", strerror(errno));
	return fd;
}

static void child_start(int fd, unsigned no, pid_t parent)
{
	sigset_t none;

	sigemptyset(&none);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close(lfd);
#ifdef __linux__
	/* A parent killed with SIGKILL must not leave streams behind. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if (getppid() != parent)
		_exit(0);
	conn.fd = fd;
	conn.no = no;
	if (opt.deaf && no <= opt.faults) {
		int small = 1;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
		note("conn %u: fault deaf", no);
		for (;;)
			pause();
	}
	serve();
}

static void shutdown_all(void)
{
	if (unix_path[0])
		unlink(unix_path);
	for (size_t i = 0; i < nchildren; i++)
		kill(children[i], SIGTERM);
	for (size_t i = 0; i < nchildren; i++)
		waitpid(children[i], NULL, 0);
	close(lfd);
	exit(0);
}

/* ---- options -------------------------------------------------------------- */

static const char *arg_value(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) == 0 && a[n] == '=')
		return a + n + 1;
	if (*i + 1 >= argc)
		usage_error("%s needs a value", name);
	return argv[++*i];
}

static bool is_opt(const char *a, const char *name)
{
	size_t n = strlen(name);
	return strncmp(a, name, n) == 0 && (a[n] == '\0' || (a[n] == '=' && name[1] == '-'));
}

static uint64_t num_arg(const char *name, const char *v, uint64_t max)
{
	uint64_t n;
	if (!parse_u64(v, max, &n))
		usage_error("%s %s: expected a number up to %" PRIu64, name, v, max);
	return n;
}

static void parse_args(int argc, char **argv)
{
	bool body_set = false, cut_mid = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
#define V(name) arg_value(argc, argv, &i, name)
		if (is_opt(a, "-h") || is_opt(a, "--help")) {
			fputs(usage_text, stdout);
			exit(0);
		} else if (is_opt(a, "-l")) {
			opt.listen = V("-l");
		} else if (is_opt(a, "-e")) {
			opt.evfile = V("-e");
		} else if (is_opt(a, "-g")) {
			opt.gen = true;
			opt.gen_n = num_arg("-g", V("-g"), UINT64_MAX / 2);
		} else if (is_opt(a, "--t0")) {
			opt.t0 = (int64_t)num_arg("--t0", V("--t0"), INT64_MAX / 2);
			opt.t0_set = true;
		} else if (is_opt(a, "--api")) {
			opt.api = V("--api");
			if (!parse_version(opt.api, strlen(opt.api), &opt.api_major, &opt.api_minor))
				usage_error("--api %s: expected X.Y", opt.api);
		} else if (is_opt(a, "--min-api")) {
			opt.min_api = V("--min-api");
			if (!parse_version(opt.min_api, strlen(opt.min_api), &opt.min_major, &opt.min_minor))
				usage_error("--min-api %s: expected X.Y", opt.min_api);
		} else if (is_opt(a, "--engine")) {
			const char *v = V("--engine");
			size_t k;
			for (k = 0; k < sizeof engines / sizeof engines[0]; k++)
				if (strcmp(v, engines[k].name) == 0)
					break;
			if (k == sizeof engines / sizeof engines[0])
				usage_error("--engine %s: expected dockerd, docker29, docker29.2, "
					"docker29.0, podman5 or podman5.8", v);
			opt.eng = &engines[k];
		} else if (is_opt(a, "--no-api-header")) {
			opt.no_api_header = true;
		} else if (is_opt(a, "--content-type")) {
			const char *v = V("--content-type");
			opt.force_ct = -1;
			for (int k = 0; k < CT_N; k++)
				if (strcmp(v, ct_names[k]) == 0)
					opt.force_ct = k;
			if (opt.force_ct < 0)
				usage_error("--content-type %s: expected application/json, "
					"application/x-ndjson, application/jsonl or application/json-seq", v);
		} else if (is_opt(a, "--withhold-head")) {
			opt.withhold = true;
		} else if (is_opt(a, "--quiet")) {
			opt.quiet_ms = num_arg("--quiet", V("--quiet"), 86400000);
		} else if (is_opt(a, "--log-accept")) {
			opt.log_accept = true;
		} else if (is_opt(a, "--live")) {
			opt.live = true;
		} else if (is_opt(a, "--history")) {
			opt.history = num_arg("--history", V("--history"), 1000000);
		} else if (is_opt(a, "--interval")) {
			opt.interval_ms = num_arg("--interval", V("--interval"), 86400000);
		} else if (is_opt(a, "--repeat")) {
			opt.repeat = num_arg("--repeat", V("--repeat"), 1000000000);
		} else if (is_opt(a, "--end")) {
			opt.end = true;
		} else if (is_opt(a, "--log")) {
			opt.logfile = V("--log");
		} else if (is_opt(a, "--port-file")) {
			opt.port_file = V("--port-file");
		} else if (is_opt(a, "--ready-file")) {
			opt.ready_file = V("--ready-file");
		} else if (is_opt(a, "--faults")) {
			const char *v = V("--faults");
			opt.faults = strcmp(v, "all") == 0 ? UINT_MAX : num_arg("--faults", v, UINT_MAX);
		} else if (is_opt(a, "--cut-after")) {
			opt.cut = true;
			opt.cut_after = num_arg("--cut-after", V("--cut-after"), UINT64_MAX / 2);
		} else if (is_opt(a, "--cut-mid")) {
			cut_mid = true;
		} else if (is_opt(a, "--status")) {
			opt.status = (unsigned)num_arg("--status", V("--status"), 999);
			if (opt.status < 100)
				usage_error("--status %u: expected 100..999", opt.status);
		} else if (is_opt(a, "--body")) {
			opt.body = V("--body");
			body_set = true;
		} else if (is_opt(a, "--stall")) {
			opt.stall = true;
		} else if (is_opt(a, "--deaf")) {
			opt.deaf = true;
		} else if (is_opt(a, "--dribble")) {
			opt.dribble = true;
			opt.dribble_ms = num_arg("--dribble", V("--dribble"), 60000);
		} else if (is_opt(a, "--chunking")) {
			const char *v = V("--chunking");
			if (strcmp(v, "one") == 0)
				opt.chunking = CH_ONE;
			else if (strcmp(v, "split") == 0)
				opt.chunking = CH_SPLIT;
			else if (strcmp(v, "merge") == 0)
				opt.chunking = CH_MERGE;
			else
				usage_error("--chunking %s: expected one, split or merge", v);
		} else if (is_opt(a, "--containers")) {
			opt.list_file[L_CONTAINERS] = V("--containers");
		} else if (is_opt(a, "--networks")) {
			opt.list_file[L_NETWORKS] = V("--networks");
		} else if (is_opt(a, "--volumes")) {
			opt.list_file[L_VOLUMES] = V("--volumes");
		} else if (is_opt(a, "--gen-containers")) {
			opt.gen_containers = num_arg("--gen-containers", V("--gen-containers"), 1000000);
		} else if (is_opt(a, "--list-delay")) {
			opt.list_delay_ms = num_arg("--list-delay", V("--list-delay"), 3600000);
		} else if (is_opt(a, "--identity")) {
			opt.identity = true;
		} else if (is_opt(a, "--raw")) {
			opt.rawfile = V("--raw");
		} else {
			usage_error("unknown argument %s", a);
		}
#undef V
	}
	if (!opt.listen)
		usage_error("-l ADDR is required");
	if (opt.evfile && opt.gen)
		usage_error("-e and -g exclude each other");
	if (opt.repeat != 1 && !opt.evfile)
		usage_error("--repeat needs -e");
	if (opt.repeat == 0)
		usage_error("--repeat 0: expected at least 1");
	if (cut_mid && !opt.cut)
		usage_error("--cut-mid needs --cut-after");
	if (body_set && !opt.status)
		usage_error("--body needs --status");
	if (opt.log_accept && !opt.logfile)
		usage_error("--log-accept needs --log");
	if (!opt.api) {
		opt.api = opt.eng->api;
		parse_version(opt.api, strlen(opt.api), &opt.api_major, &opt.api_minor);
	}
	if (!opt.min_api) {
		opt.min_api = opt.eng->min;
		parse_version(opt.min_api, strlen(opt.min_api), &opt.min_major, &opt.min_minor);
	}
	/* dockerd refuses to start so (daemon/server/middleware/version.go) */
	if (ver_cmp(opt.min_major, opt.min_minor, opt.api_major, opt.api_minor) > 0)
		usage_error("--min-api %s is above --api %s", opt.min_api, opt.api);
	snprintf(server, sizeof server, "%s/%s (linux)",
		opt.eng->podman ? "Libpod" : "Docker", opt.eng->version);
	opt.cut_mid = cut_mid;
}

int main(int argc, char **argv)
{
	char desc[320];
	struct sigaction sa;
	sigset_t block, none;
	unsigned conns = 0;
	pid_t self = getpid();

	parse_args(argc, argv);
	if (opt.evfile)
		load_events(opt.evfile);
	for (int l = 0; l < 3; l++)
		if (opt.list_file[l])
			list_data[l] = map_file(opt.list_file[l], &list_size[l]);
	if (opt.rawfile) {
		size_t n;
		(void)map_file(opt.rawfile, &n); /* fail now, not in a child */
	}
	if (!opt.t0_set) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		opt.t0 = (int64_t)ts.tv_sec * NS + ts.tv_nsec;
	}
	/* A rewritten event: Go's escapes grow a byte to six at most, and the
	 * legacy fields copy three values. */
	xcap = 24 * (ev_maxlen > GEN_MAX ? ev_maxlen : GEN_MAX) + 1024;
	xbuf = map_anon(xcap, false);
	events_seen = map_anon(sizeof *events_seen, true);
	atomic_init(events_seen, 0);
	if (opt.history) {
		if (!opt.gen)
			fatal("--history needs -g");
		hist_hw = map_anon(sizeof *hist_hw, true);
		atomic_init(hist_hw, 0);
		hist_stamp = map_anon(opt.gen_n * sizeof *hist_stamp, true);
	}

	/* Signals stay blocked except inside pselect, so none is missed between
	 * a check and the wait; the handlers only set flags. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&none);

	lfd = listen_on(opt.listen, desc, sizeof desc);
	if (opt.ready_file) {
		char pid[24];
		snprintf(pid, sizeof pid, "%ld\n", (long)self);
		write_file(opt.ready_file, pid);
	}
	note("listening on %s", desc);

	for (;;) {
		fd_set rfds;
		int fd, r;
		pid_t pid;

		if (got_chld)
			reap();
		if (got_term)
			shutdown_all();
		FD_ZERO(&rfds);
		FD_SET(lfd, &rfds);
		r = pselect(lfd + 1, &rfds, NULL, NULL, NULL, &none);
		if (r <= 0)
			continue;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				usleep(10000);
			continue;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		conns++;
		if (nchildren == CHILD_MAX) {
			note("conn %u: too many connections, closed", conns);
			close(fd);
			continue;
		}
		pid = fork();
		if (pid == 0)
			child_start(fd, conns, self);
		if (pid < 0)
			note("fork: %s", strerror(errno));
		else
			children[nchildren++] = pid;
		close(fd);
	}
}
