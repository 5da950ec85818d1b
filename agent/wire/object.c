/* object.c - a list answer's element as an engine-shaped event (object.h).
 * Field names from the Engine API's ContainerSummary, Network and Volume
 * (Podman's compat API answers the same); the attributes follow what the
 * engine's container, network and volume events carry.
 *
 * jsmn is jsontok.c's (strict mode, a fresh parser per call); this file
 * keeps a token array of its own, since a list element is no event and
 * the event token array serves event.c's calls.
 */
#include <string.h>
#include "jsontok.h"
#include "config.h"
#include "err.h"
#include "object.h"
#include "out.h"

static jsmntok_t toks[DK_LIST_TOKENS_MAX];

static const char *const types[DK_OBJECT_KINDS] = {
	"container", "network", "volume"
};

const char *dk_object_type(int kind)
{
	return kind >= 0 && kind < DK_OBJECT_KINDS ? types[kind] : "";
}

/* Index of the token after the subtree rooted at i. */
static int skip(int i, int ntok)
{
	int pending = 1;

	while (pending > 0 && i < ntok) {
		pending += toks[i].size - 1;
		i++;
	}
	return i;
}

static int is_key(const char *js, int i, const char *want)
{
	size_t n = strlen(want);

	return toks[i].type == JSMN_STRING &&
	       (size_t)(toks[i].end - toks[i].start) == n &&
	       memcmp(js + toks[i].start, want, n) == 0;
}

/* What the walk over the element's members found: token indexes, 0 when
 * absent (token 0 is the element itself, never a value). */
struct found {
	int id, name, image, state, status, driver, scope, mount, labels;
	int names;   /* the Names array */
};

/* A member value as one of ours when it is a string (labels: an object). */
static void take(struct found *f, const char *js, int kind, int k, int v)
{
	int str = toks[v].type == JSMN_STRING;

	if (toks[v].type == JSMN_OBJECT && is_key(js, k, "Labels"))
		f->labels = v;
	else if (toks[v].type == JSMN_ARRAY && is_key(js, k, "Names"))
		f->names = v;
	else if (!str)
		return;
	else if (kind != DK_OBJECT_VOLUME && is_key(js, k, "Id"))
		f->id = v;
	else if (is_key(js, k, "Name"))
		f->name = v;
	else if (is_key(js, k, "Image"))
		f->image = v;
	else if (is_key(js, k, "State"))
		f->state = v;
	else if (is_key(js, k, "Status"))
		f->status = v;
	else if (is_key(js, k, "Driver"))
		f->driver = v;
	else if (is_key(js, k, "Scope"))
		f->scope = v;
	else if (is_key(js, k, "Mountpoint"))
		f->mount = v;
}

/* The raw (still escaped) contents of string token i, and its length. */
static const char *text(const char *js, int i, size_t *n)
{
	*n = (size_t)(toks[i].end - toks[i].start);
	return js + toks[i].start;
}

/* "key":"value" with the value copied as the engine escaped it (jsmn's
 * strict mode checked its escapes); first says whether a ',' goes first. */
static void attr(struct dk_out *o, int *first, const char *key,
                 const char *v, size_t n)
{
	if (!*first)
		dk_out_put(o, ",", 1);
	*first = 0;
	dk_out_put(o, "\"", 1);
	dk_out_str(o, key);
	dk_out_put(o, "\":\"", 3);
	dk_out_put(o, v, n);
	dk_out_put(o, "\"", 1);
}

static void attr_tok(struct dk_out *o, int *first, const char *key,
                     const char *js, int i)
{
	size_t n;
	const char *v;

	if (i <= 0)
		return;
	v = text(js, i, &n);
	attr(o, first, key, v, n);
}

/* Every string-valued label whose key is none of ours (NULL-ended). */
static void labels(struct dk_out *o, int *first, const char *js, int i,
                   int ntok, const char *const *ours)
{
	int n = toks[i].size, k, j;

	for (i++, k = 0; k < n && i + 1 < ntok; k++) {
		int key = i, val = i + 1, dup = 0;
		i = skip(val, ntok);
		/* jsmn takes any token as a key: an array there, copied
		 * between our quotes, made no JSON (fuzz_object). */
		if (toks[key].type != JSMN_STRING || toks[val].type != JSMN_STRING)
			continue;
		for (j = 0; ours[j]; j++)
			dup |= is_key(js, key, ours[j]);
		if (dup)
			continue;
		/* Key and value each as sent, the rest ours: jsmn lets a
		 * doubled ':' between them through, which is no JSON. */
		if (!*first)
			dk_out_put(o, ",", 1);
		*first = 0;
		dk_out_put(o, "\"", 1);
		dk_out_put(o, js + toks[key].start,
		           (size_t)(toks[key].end - toks[key].start));
		dk_out_put(o, "\":\"", 3);
		dk_out_put(o, js + toks[val].start,
		           (size_t)(toks[val].end - toks[val].start));
		dk_out_put(o, "\"", 1);
	}
}

long dk_object_event(int kind, const char *rec, size_t len, int64_t time_ns,
                     char *out, size_t cap)
{
	static const char *const c_keys[] = { "name", "image", "state", "status", NULL };
	static const char *const n_keys[] = { "name", "type", "scope", NULL };
	static const char *const v_keys[] = { "driver", "mountpoint", NULL };
	struct found f;
	struct dk_out o;
	int ntok, i, k, first = 1, idt;
	const char *scope = "local";
	size_t n;

	if (cap > 0)
		out[0] = '\0';
	if (kind < 0 || kind >= DK_OBJECT_KINDS)
		return DK_ERR_EVENT;
	ntok = dk_json_tokenize(rec, len, toks, DK_LIST_TOKENS_MAX);
	if (ntok == JSMN_ERROR_NOMEM)
		return DK_ERR_TOKENS;
	if (ntok < 1 || toks[0].type != JSMN_OBJECT)
		return DK_ERR_JSON;
	/* Nothing but blanks around the one object. */
	for (n = 0; n < len; n++) {
		char c = rec[n];
		if ((n < (size_t)toks[0].start || n >= (size_t)toks[0].end) &&
		    c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return DK_ERR_JSON;
	}
	memset(&f, 0, sizeof f);
	for (i = 1, k = 0; k < toks[0].size && i + 1 < ntok; k++) {
		take(&f, rec, kind, i, i + 1);
		i = skip(i + 1, ntok);
	}
	idt = kind == DK_OBJECT_VOLUME ? f.name : f.id;
	if (idt <= 0 || toks[idt].end == toks[idt].start)
		return DK_ERR_EVENT;

	dk_out_init(&o, out, cap);
	/* Marked as the agent's own line (object.h). */
	dk_out_str(&o, "{\"dockev\":true,\"Type\":\"");
	dk_out_str(&o, types[kind]);
	dk_out_str(&o, "\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"");
	{
		const char *v = text(rec, idt, &n);
		dk_out_put(&o, v, n);
	}
	dk_out_str(&o, "\",\"Attributes\":{");
	switch (kind) {
	case DK_OBJECT_CONTAINER:
		/* Names[0] is "/name"; events say the name alone. */
		if (f.names > 0 && toks[f.names].size > 0 &&
		    toks[f.names + 1].type == JSMN_STRING) {
			const char *v = text(rec, f.names + 1, &n);
			if (n > 0 && v[0] == '/')
				v++, n--;
			attr(&o, &first, "name", v, n);
		}
		attr_tok(&o, &first, "image", rec, f.image);
		attr_tok(&o, &first, "state", rec, f.state);
		attr_tok(&o, &first, "status", rec, f.status);
		if (f.labels > 0)
			labels(&o, &first, rec, f.labels, ntok, c_keys);
		break;
	case DK_OBJECT_NETWORK:
		attr_tok(&o, &first, "name", rec, f.name);
		attr_tok(&o, &first, "type", rec, f.driver);
		attr_tok(&o, &first, "scope", rec, f.scope);
		if (f.labels > 0)
			labels(&o, &first, rec, f.labels, ntok, n_keys);
		if (f.scope > 0 && is_key(rec, f.scope, "swarm"))
			scope = "swarm";
		break;
	default:
		attr_tok(&o, &first, "driver", rec, f.driver);
		attr_tok(&o, &first, "mountpoint", rec, f.mount);
		if (f.labels > 0)
			labels(&o, &first, rec, f.labels, ntok, v_keys);
		break;
	}
	dk_out_str(&o, "}},\"scope\":\"");
	dk_out_str(&o, scope);
	dk_out_str(&o, "\",\"time\":");
	dk_out_num(&o, (long long)(time_ns / 1000000000));
	dk_out_str(&o, ",\"timeNano\":");
	dk_out_num(&o, (long long)time_ns);
	dk_out_str(&o, "}");
	return dk_out_end(&o);
}
