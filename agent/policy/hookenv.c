/* hookenv.c - the environment a hook script gets: the agent's own
 * variables less ours, DOCKEV_* from the event, DOCKEV_ATTR_<KEY> per
 * attribute with one value per name. Pure: the caller passes environ.
 */
#include <stdio.h>
#include <string.h>
#include "hookenv.h"
#include "err.h"

static void note(struct dk_hookenv *e, const char *name, size_t nl,
                 const char *what)
{
	size_t n = strlen(e->notes);
	if (n + nl + strlen(what) + 4 < sizeof e->notes)
		snprintf(e->notes + n, sizeof e->notes - n, "%s%.*s %s",
		         n ? "; " : "", (int)nl, name, what);
}

/* Append NAME=value (value p[0..n), escaped when json) to e. */
static void add(struct dk_hookenv *e, size_t *pos, const char *name,
                size_t nl, const char *p, size_t n, int json)
{
	char *dst = e->buf + *pos;
	size_t room = sizeof e->buf - *pos, vcap;
	long vl;

	if (e->n >= DK_HOOK_ENV_VARS || room < nl + 2) {
		note(e, name, nl, "left out (environment full)");
		return;
	}
	memcpy(dst, name, nl);
	dst[nl] = '=';
	vcap = room - nl - 1;
	if (vcap > DK_HOOK_VALUE_MAX + 1)
		vcap = DK_HOOK_VALUE_MAX + 1;
	if (json) {
		vl = dk_json_unescape(p, n, dst + nl + 1, vcap);
		if (vl == DK_ERR_NOSPACE) {
			vl = (long)strlen(dst + nl + 1);
			note(e, name, nl, vcap == DK_HOOK_VALUE_MAX + 1
			     ? "cut (longer than DK_HOOK_VALUE_MAX bytes)"
			     : "cut (environment full)");
		}
	} else {
		vl = (long)(n < vcap - 1 ? n : vcap - 1);
		memcpy(dst + nl + 1, p, (size_t)vl);
		dst[nl + 1 + vl] = '\0';
		if ((size_t)vl < n)
			note(e, name, nl, "cut");
	}
	/* The environment cannot carry a NUL byte: leave the variable out
	 * rather than pass a different value; stdin has the whole event. */
	if (memchr(dst + nl + 1, '\0', (size_t)vl)) {
		note(e, name, nl, "left out (holds a NUL byte)");
		return;
	}
	e->vars[e->n++] = dst;
	*pos += nl + 1 + (size_t)vl + 1;
}

/* var from the attribute key, or empty when the event has none. */
static void add_attr(struct dk_hookenv *e, size_t *pos,
                     const struct dk_event *ev, const char *var,
                     const char *key)
{
	struct dk_str k, v;
	int i;

	for (i = 0; i < ev->nattrs; i++)
		if (dk_event_attr(ev, i, &k, &v) == DK_OK && k.n == strlen(key) &&
		    memcmp(k.p, key, k.n) == 0) {
			add(e, pos, var, strlen(var), v.p, v.n, 1);
			return;
		}
	add(e, pos, var, strlen(var), "", 0, 0);
}

int dk_hookenv_ours(const char *var)
{
	static const char *const names[] = {
		"DOCKEV_TYPE", "DOCKEV_ACTION", "DOCKEV_ACTION_DETAIL",
		"DOCKEV_ID", "DOCKEV_NAME", "DOCKEV_IMAGE", "DOCKEV_SCOPE",
		"DOCKEV_TIME", "DOCKEV_TIME_NANO", "DOCKEV_HOST", "DOCKEV_SYNTHETIC",
		NULL
	};
	const char *eq = strchr(var, '=');
	size_t n = eq ? (size_t)(eq - var) : strlen(var), i;

	if (strncmp(var, "DOCKEV_ATTR_", 12) == 0)
		return 1;
	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == n && memcmp(var, names[i], n) == 0)
			return 1;
	return 0;
}

/* Attribute keys the engines set themselves (Docker's container, image,
 * network and volume events, Podman's): they win over a label that maps
 * to the same variable (a label "EXITCODE" or "exitcode" in an image must
 * not change DOCKEV_ATTR_EXITCODE). */
static const char *const engine_keys[] = {
	"name", "image", "exitCode", "execDuration", "execID", "signal",
	"oldName", "container", "driver", "destination", "propagation",
	"read/write", "type", "containerExitCode", "podId", "imageID",
	"imageRef", NULL
};

/* Attribute i's variable name into name (cap bytes, not terminated): its
 * length, 0 when the attribute is unusable. *rank: 0 a key the engine
 * sets, 1 a key in Docker's recommended label form ([a-z0-9.-]+, as
 * com.docker.compose.project), 2 any other; the lower wins a collision. */
static size_t attr_var(const struct dk_event *ev, int i, char *name,
                       size_t cap, int *rank)
{
	static const char prefix[] = "DOCKEV_ATTR_";
	struct dk_str k, v;
	char key[DK_HOOK_KEY_MAX];
	size_t j, kl, nl = sizeof prefix - 1;
	long r;

	if (dk_event_attr(ev, i, &k, &v) != DK_OK || cap < nl)
		return 0;
	r = dk_json_unescape(k.p, k.n, key, sizeof key);
	if (r < 0 && !key[0])
		return 0;
	kl = r >= 0 ? (size_t)r : strlen(key); /* cut: the prefix that fit */
	*rank = 1;
	for (j = 0; engine_keys[j]; j++)
		if (strlen(engine_keys[j]) == kl && memcmp(engine_keys[j], key, kl) == 0)
			*rank = 0;
	memcpy(name, prefix, nl);
	/* Upper-case, every character outside A-Z0-9 as one '_' (a NUL
	 * too; UTF-8 continuation bytes belong to the character before). */
	for (j = 0; j < kl && nl < cap; j++) {
		unsigned char c = (unsigned char)key[j];
		int lower = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		            c == '.' || c == '-';
		if (!lower && *rank == 1)
			*rank = 2;
		if ((c & 0xC0) == 0x80)
			continue;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 32);
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = '_';
		name[nl++] = (char)c;
	}
	if (kl == 0 && *rank == 1)
		*rank = 2;
	return nl;
}

static uint64_t name_hash(const char *p, size_t n)
{
	uint64_t x = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < n; i++)
		x = (x ^ (unsigned char)p[i]) * 1099511628211ULL;
	return x;
}

int dk_hookenv_build(struct dk_hookenv *e, const struct dk_event *ev,
                     const char *host, char *const *base)
{
	char name[DK_HOOK_NAME_MAX], other[DK_HOOK_NAME_MAX];
	size_t pos = 0;
	int i, j, n;

	e->n = 0;
	e->own_dropped = 0;
	e->notes[0] = '\0';
	/* The agent's own environment, leaving room for ours, less the
	 * variables we set (a stale DOCKEV_NAME must not shadow the event's;
	 * a setting such as DOCKEV_NOTIFY_URL passes). */
	for (i = 0; base && base[i]; i++)
		if (dk_hookenv_ours(base[i]))
			continue;
		else if (e->n < DK_HOOK_OWN_VARS)
			e->vars[e->n++] = base[i];
		else
			e->own_dropped++;
#define ADD(name, s) add(e, &pos, name, sizeof(name) - 1, (s).p ? (s).p : "", (s).n, 0)
	ADD("DOCKEV_TYPE", ev->type);
	ADD("DOCKEV_ACTION", ev->base);
	ADD("DOCKEV_ACTION_DETAIL", ev->detail);
	ADD("DOCKEV_ID", ev->id);
	add_attr(e, &pos, ev, "DOCKEV_NAME", "name");
	add_attr(e, &pos, ev, "DOCKEV_IMAGE", "image");
	ADD("DOCKEV_SCOPE", ev->scope);
	ADD("DOCKEV_TIME", ev->time_text);
	ADD("DOCKEV_TIME_NANO", ev->time_nano_text);
#undef ADD
	add(e, &pos, "DOCKEV_HOST", 11, host ? host : "", host ? strlen(host) : 0, 0);
	/* The agent's own events: an engine can send "Type":"dockev" but
	 * cannot set this. */
	if (ev->synthetic)
		add(e, &pos, "DOCKEV_SYNTHETIC", 16, "1", 1, 0);

	/* One variable per name: keys that map to the same name
	 * (exitCode, exitcode, EXITCODE) give one, the lowest rank's,
	 * and of equal ranks the first in the event's. The hashes
	 * find candidates; equal names are compared whole. */
	n = ev->nattrs < DK_HOOK_ATTRS_MAX ? ev->nattrs : DK_HOOK_ATTRS_MAX;
	for (i = 0; i < n; i++) {
		int rank = 2;
		size_t nl = attr_var(ev, i, name, sizeof name, &rank);
		e->hash[i] = nl ? name_hash(name, nl) : 0;
		e->len[i] = (unsigned short)nl;
		e->rank[i] = (unsigned char)rank;
	}
	for (i = 0; i < n; i++) {
		struct dk_str k, v;
		int r;

		if (!e->len[i])
			continue;
		for (j = 0; j < n; j++) {
			/* j takes the name first: a lower rank, or an equal
			 * one earlier in the event. */
			int first = j < i ? e->rank[j] <= e->rank[i]
			                  : e->rank[j] < e->rank[i];
			if (!first || e->hash[j] != e->hash[i] || e->len[j] != e->len[i])
				continue;
			attr_var(ev, i, name, sizeof name, &r);
			attr_var(ev, j, other, sizeof other, &r);
			if (memcmp(name, other, e->len[i]) == 0)
				break;
		}
		if (j < n)
			continue; /* another key has this name */
		attr_var(ev, i, name, sizeof name, &r);
		if (dk_event_attr(ev, i, &k, &v) == DK_OK)
			add(e, &pos, name, e->len[i], v.p, v.n, 1);
	}
	e->vars[e->n] = NULL;
	return e->n;
}
