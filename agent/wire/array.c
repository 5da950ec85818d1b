/* array.c - element framing of a JSON array (RFC 8259) in a list answer.
 * Like framer.c finds newlines, this tracks only what decides where an
 * element ends: bracket depth, strings and their escapes; jsmn checks the
 * element itself later. Bytes outside the elements are scanned, never
 * kept, so an answer of any length needs one element's worth of memory.
 */
#include <string.h>
#include "array.h"
#include "err.h"

enum { A_TOP, A_OBJ, A_LIST, A_ELEM, A_DONE };

void dk_array_init(struct dk_array *a, char *buf, size_t cap,
                   const char *member)
{
	memset(a, 0, sizeof *a);
	a->buf = buf;
	a->cap = cap;
	a->member = member;
	a->mlen = member ? strlen(member) : 0;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int fail(struct dk_array *a)
{
	a->err = DK_ERR_JSON;
	return a->err;
}

/* One byte of the root object while looking for the member: a string at
 * depth 1 right after '{' or ',' is a key; the value after the key that
 * matched, if it is an array, is ours. Other values (null, an object, a
 * "Warnings" array) are skipped by depth. */
static int obj_byte(struct dk_array *a, char c)
{
	if (a->in_str) {
		if (a->esc) {
			a->esc = 0;
		} else if (c == '\\') {
			a->esc = 1;
			a->key_ok = 0;
		} else if (c == '"') {
			a->in_str = 0;
			if (a->in_key) {
				a->in_key = 0;
				a->key_match = a->key_ok && a->key_pos == a->mlen;
			}
		} else if (a->in_key) {
			if (a->key_pos < a->mlen && a->member[a->key_pos] == c)
				a->key_pos++;
			else
				a->key_ok = 0;
		}
		return DK_ARRAY_MORE;
	}
	if (is_ws(c))
		return DK_ARRAY_MORE;
	if (a->depth == 1 && c == ':') {
		a->want = a->key_match;
		a->key_match = 0;
		return DK_ARRAY_MORE;
	}
	if (a->depth == 1 && a->want && c == '[') {
		a->want = 0;
		a->state = A_LIST;
		return DK_ARRAY_MORE;
	}
	a->want = 0;
	if (c == '"') {
		a->in_str = 1;
		if (a->depth == 1 && a->expect_key) {
			a->in_key = a->key_ok = 1;
			a->key_pos = 0;
		}
		a->expect_key = 0;
	} else if (c == '{' || c == '[') {
		a->depth++;
	} else if (c == '}' || c == ']') {
		if (--a->depth == 0)
			a->state = A_DONE; /* no such member: an empty list */
	} else if (c == ',' && a->depth == 1) {
		a->expect_key = 1;
	}
	return DK_ARRAY_MORE;
}

/* One byte of an element; returns 1 when it ends the element. A primitive
 * element ends before its delimiter, which the caller feeds again. */
static int elem_byte(struct dk_array *a, char c, int *delim)
{
	*delim = 0;
	if (a->prim) {
		if (is_ws(c) || c == ',' || c == ']' || c == '}') {
			*delim = 1;
			return 1;
		}
		return 0;
	}
	if (a->in_str) {
		if (a->esc)
			a->esc = 0;
		else if (c == '\\')
			a->esc = 1;
		else if (c == '"')
			a->in_str = 0;
		return !a->in_str && a->depth == 0;
	}
	if (c == '"') {
		a->in_str = 1;
	} else if (c == '{' || c == '[') {
		a->depth++;
	} else if (c == '}' || c == ']') {
		if (a->depth == 0)
			return -1;
		return --a->depth == 0;
	}
	return 0;
}

int dk_array_feed(struct dk_array *a, const char *in, size_t n, size_t *used,
                  const char **rec, size_t *len)
{
	size_t i;

	*used = 0;
	if (a->err)
		return a->err;
	for (i = 0; i < n; i++) {
		char c = in[i];
		int end, delim;

		switch (a->state) {
		case A_TOP:
			if (is_ws(c))
				continue;
			if (!a->member && c == '[') {
				a->state = A_LIST;
			} else if (a->member && c == '{') {
				a->state = A_OBJ;
				a->depth = 1;
				a->expect_key = 1;
			} else {
				*used = i;
				return fail(a);
			}
			continue;
		case A_OBJ:
			obj_byte(a, c);
			if (a->state == A_DONE) {
				*used = i + 1;
				return DK_ARRAY_DONE;
			}
			continue;
		case A_DONE:
			*used = n;
			return DK_ARRAY_DONE;
		case A_LIST:
		list:
			/* Commas are separators only: jsmn judges each element,
			 * and a stray comma cannot hide or merge one. */
			if (is_ws(c) || c == ',')
				continue;
			if (c == ']') {
				a->state = A_DONE;
				*used = i + 1;
				return DK_ARRAY_DONE;
			}
			if (c == '}') {
				*used = i;
				return fail(a);
			}
			a->state = A_ELEM;
			a->len = 0;
			a->depth = 0;
			a->in_str = a->esc = a->discarding = 0;
			a->prim = c != '{' && c != '[' && c != '"';
			/* fall through */
		case A_ELEM:
			end = elem_byte(a, c, &delim);
			if (end < 0) {
				*used = i;
				return fail(a);
			}
			if (!delim) {
				if (a->len < a->cap) {
					a->buf[a->len++] = c;
				} else if (!a->discarding) {
					/* Report the head once; drop the rest. */
					a->discarding = 1;
					if (end)
						a->state = A_LIST;
					*used = i + 1;
					*rec = a->buf;
					*len = a->cap;
					return DK_ERR_RECORD_BIG;
				}
			}
			if (!end)
				continue;
			a->state = A_LIST;
			if (a->discarding) {
				if (delim)
					goto list; /* the delimiter is the list's */
				continue;
			}
			*used = delim ? i : i + 1;
			*rec = a->buf;
			*len = a->len;
			return DK_ARRAY_ELEM;
		}
	}
	*used = n;
	return DK_ARRAY_MORE;
}

int dk_array_end(const struct dk_array *a)
{
	if (a->err)
		return a->err;
	return a->state == A_DONE ? DK_ARRAY_DONE : DK_ERR_TRUNCATED;
}
