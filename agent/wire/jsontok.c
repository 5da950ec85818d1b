/* jsontok.c - jsmn for the agent's readers of the engine's other answers
 * and files (object.c, context.c, event.c's dk_json_string): strict mode,
 * static, inlined here into the one function they call. The per-event
 * path has its own copy, built for speed (event.c).
 */
#define JSMN_STRICT
#define JSMN_STATIC
#include <jsmn.h>
#include "jsontok.h"

int dk_json_tokenize(const char *js, size_t len, jsmntok_t *toks, unsigned n)
{
	jsmn_parser p;

	jsmn_init(&p);
	return jsmn_parse(&p, js, len, toks, n);
}
