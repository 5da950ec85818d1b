/* jsontok.h - jsmn's types and jsontok.c's tokenizer, for the agent's
 * readers of JSON: event.c, object.c and context.c. Not a public header:
 * jsmn's types stay between these files (STYLE 8).
 */
#ifndef DK_JSONTOK_H
#define DK_JSONTOK_H

#include <stddef.h>
#ifndef JSMN_H
#define JSMN_HEADER /* types only; the functions are jsontok.c's */
#include <jsmn.h>
#endif

/* jsmn_parse with a fresh parser: js[0..len) into toks[0..n). Returns
 * the token count or a JSMN_ERROR_* code. */
int dk_json_tokenize(const char *js, size_t len, jsmntok_t *toks,
                     unsigned n);

#endif
