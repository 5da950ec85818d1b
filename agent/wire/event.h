/* event.h - the event view: one engine event record tokenized with jsmn
 * (strict) into a fixed token array, its fields as slices of the record.
 *
 * Lifetime: a view and every slice in it point into the record only (the
 * tokens serve the parse call alone), so views are independent of each
 * other; a view is valid while its record is (for handlers: during the
 * call). dk_event_attr moves a cursor kept in the view.
 */
#ifndef DK_EVENT_H
#define DK_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

struct dk_str {
	const char *p;
	size_t n;
};

struct dk_event {
	struct dk_str json;    /* the record exactly as received */
	struct dk_str type;    /* "container", "network", ... (unescaped) */
	struct dk_str action;  /* "health_status: healthy" (unescaped) */
	struct dk_str base;    /* "health_status": action before ':' */
	struct dk_str detail;  /* "healthy": action after ": ", or Podman's
	                        * top-level HealthStatus for a bare
	                        * "health_status"; or empty */
	struct dk_str id;      /* Actor.ID (unescaped) */
	struct dk_str scope;   /* "local", "swarm", or empty */
	struct dk_str time_text;      /* the "time" number as sent */
	struct dk_str time_nano_text; /* the "timeNano" number as sent */
	int64_t time;          /* seconds */
	int64_t time_nano;     /* ns; time * 1e9 when timeNano is absent */
	struct dk_str attrs;   /* Actor.Attributes' text, "{...}"; empty if none */
	int nattrs;            /* number of attributes */
	int synthetic;         /* 1: made by the agent (dockev connect, ...);
	                        * dk_event_parse always sets 0, so nothing an
	                        * engine sends can pass for the agent's own */
	int marked;            /* 1: the record has a top-level "dockev"
	                        * member, the mark of the agent's own lines
	                        * (--json): an engine's record with one is
	                        * refused by the loop, never printed as ours */
	int cur_i;             /* dk_event_attr's cursor: member index and */
	size_t cur_off;        /* its offset in attrs (-1: none yet) */
	char scratch[4][DK_FIELD_MAX]; /* unescaped copies, when needed */
};

/* Tokenize rec[0..len) and fill ev. The root must be one JSON object
 * covering the whole record; Type and Action must be strings.
 * Returns DK_OK, DK_ERR_JSON (not valid JSON, or not one object),
 * DK_ERR_TOKENS (more tokens than DK_TOKENS_MAX), or DK_ERR_EVENT (no
 * Type or Action). */
int dk_event_parse(struct dk_event *ev, const char *rec, size_t len);

/* Attribute i (0 <= i < ev->nattrs): key and value as raw JSON string
 * contents (still escaped). Returns DK_OK or DK_ERR_PARAM. */
int dk_event_attr(const struct dk_event *ev, int i, struct dk_str *key,
                  struct dk_str *raw_value);

/* A 64-bit hash of p[0..n), eight bytes a step: tells apart records
 * that share a timeNano (dedupe after an inclusive since=). */
uint64_t dk_event_digest(const char *p, size_t n);

/* What tells an event apart from another at the same timeNano, for
 * dedupe (resume.h): Type, Action and Actor.ID, not the whole text (an
 * actor does not do the same thing twice in the same nanosecond; the same
 * event re-encoded at another API version, with or without the legacy
 * fields, is still the same; and hashing three short fields costs a tenth
 * of hashing a label-laden record). */
uint64_t dk_event_identity(const struct dk_event *ev);

/* Find attribute key (compared with the raw key text) and write its
 * unescaped value, NUL-terminated, into out. Returns the value length,
 * DK_ERR_ABSENT when absent, DK_ERR_NOSPACE when cut to fit (out still holds the
 * NUL-terminated prefix). */
long dk_event_attr_get(const struct dk_event *ev, const char *key, char *out,
                       size_t cap);

/* Unescape JSON string contents p[0..n) into out (UTF-8; \uXXXX and
 * surrogate pairs decoded, a lone surrogate becomes U+FFFD, \u0000 a NUL
 * byte), NUL-terminated. Returns the length, or DK_ERR_NOSPACE when cut
 * (out holds the prefix that fit, never a split UTF-8 sequence). */
long dk_json_unescape(const char *p, size_t n, char *out, size_t cap);

/* Is p[0..n) a JSON primitive as RFC 8259 section 6 writes it: true,
 * false, null, or -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
int dk_json_primitive_ok(const char *p, size_t n);

/* The string value of a top-level key of a JSON object (an engine's error
 * body {"message":"..."}, /version's "MinAPIVersion"), unescaped into out.
 * Returns its length, or DK_ERR_ABSENT when body is not an object with that key
 * holding a string (out then holds ""). */
long dk_json_string(const char *body, size_t len, const char *key,
                    char *out, size_t cap);
#define dk_json_message(body, len, out, cap) \
	dk_json_string((body), (len), "message", (out), (cap))

/* For logging a record that could not be parsed: "container start abc123"
 * from whatever of Type, Action and Actor.ID a plain text search finds in
 * p[0..n), or its first bytes. Writes NUL-terminated text to out. */
void dk_event_identify(const char *p, size_t n, char *out, size_t cap);

#endif
