/* jsontok.c - the agent's jsmn, the one file that compiles it (STYLE 8):
 * strict mode, static, a fresh parser per call, inlined into two
 * functions. One tokenizes each event into the event token array, with
 * the array's address and size as constants; the other tokenizes the
 * engine's other answers and files (object.c, context.c) into the
 * caller's array. The instructions are the same within 2%, but on the
 * bench's machine (AMD EPYC) jsmn through a pointer and a count ran
 * 1.15-1.47x slower than with constants, by where its loops fell, and
 * with constants within 3% wherever it lay (the floor's jsmn and the
 * agent built both ways, side by side on one core; issue 17). Built for
 * speed with the rest of the per-event path (HOT in the Makefile).
 */
#define JSMN_STRICT
#define JSMN_STATIC
#include <jsmn.h>
#include "jsontok.h"

jsmntok_t dk_event_tokens[DK_TOKENS_MAX];

/* jsmn_parse has two callers here, so the compiler would keep it out of
 * line for both; flatten inlines it into this one, with the constants.
 * Built for size (-Os: armhf, and buildroot's default CFLAGS), one copy
 * serves both. */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
__attribute__((flatten))
#endif
int dk_json_tokenize_event(const char *js, size_t len)
{
	jsmn_parser p;

	jsmn_init(&p);
	return jsmn_parse(&p, js, len, dk_event_tokens, DK_TOKENS_MAX);
}

int dk_json_tokenize(const char *js, size_t len, jsmntok_t *toks, unsigned n)
{
	jsmn_parser p;

	jsmn_init(&p);
	return jsmn_parse(&p, js, len, toks, n);
}
