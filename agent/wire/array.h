/* array.h - frames the elements of one JSON array in a list answer
 * (/containers/json, /networks: a bare array; /volumes: the array under
 * the root object's "Volumes" member), fed the decoded body in pieces of
 * any size, copying one element at a time into a caller-owned fixed
 * buffer. The element is then tokenized like an event (event.h).
 *
 * The state is zero-initialisable after dk_array_init; errors are sticky.
 */
#ifndef DK_ARRAY_H
#define DK_ARRAY_H

#include <stddef.h>

/* dk_array_feed / dk_array_end results (besides negative errors). */
#define DK_ARRAY_MORE 0     /* every byte given was used: feed more */
#define DK_ARRAY_ELEM 1     /* *rec, *len hold one whole element */
#define DK_ARRAY_DONE 2     /* the array closed; later bytes are ignored */

struct dk_array {
	char *buf;              /* the element being framed: buf[0..len) */
	size_t cap, len;
	const char *member;     /* NULL: the root is the array */
	size_t mlen, key_pos;
	unsigned long depth;    /* brackets open (root object or element) */
	int state, err;
	unsigned char in_str, esc, prim, discarding;
	unsigned char expect_key, in_key, key_ok, key_match, want;
};

/* member: NULL when the answer is a bare array, else the name of the root
 * object's member that holds it (kept, not copied: a string literal).
 * buf[0..cap) receives each element. */
void dk_array_init(struct dk_array *a, char *buf, size_t cap,
                   const char *member);

/* Feed in[0..n). Sets *used to the bytes consumed (all of them unless an
 * element completed or was found too large first: feed the rest again).
 * Returns DK_ARRAY_ELEM with *rec, *len valid until the next call;
 * DK_ARRAY_MORE; DK_ARRAY_DONE (the array is closed: the rest of the body
 * may be read and dropped); DK_ERR_RECORD_BIG once for an element larger
 * than cap, with *rec, *len its first cap bytes (to say what it was), the
 * rest of it dropped as it arrives; DK_ERR_JSON (sticky) when the root is
 * not the expected array or object, or brackets do not balance between
 * elements. An element's own JSON is checked by its tokenizer, not here;
 * a member name with escapes is not recognised. */
int dk_array_feed(struct dk_array *a, const char *in, size_t n, size_t *used,
                  const char **rec, size_t *len);

/* At the end of the body: DK_ARRAY_DONE if the array closed, the sticky
 * error if one occurred, else DK_ERR_TRUNCATED (a list cut short must not
 * pass for a whole one: a sweep would remove what it did not name). */
int dk_array_end(const struct dk_array *a);

#endif
