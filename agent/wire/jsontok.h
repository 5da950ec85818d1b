/* jsontok.h - event.c's jsmn tokenizer for jsmn's other user, context.c:
 * one copy of jsmn in the binary (strict, static in event.c, inlined
 * there into the one function below). Not a public header: jsmn's types
 * stay between these two files (STYLE 8).
 */
#ifndef DK_JSONTOK_H
#define DK_JSONTOK_H

#include <stddef.h>
#ifndef JSMN_H
#define JSMN_HEADER /* types only; the functions are event.c's */
#include <jsmn.h>
#endif

/* jsmn_parse with a fresh parser: js[0..len) into toks[0..n). Returns
 * the token count or a JSMN_ERROR_* code. */
int dk_json_tokenize(const char *js, size_t len, jsmntok_t *toks,
                     unsigned n);

#endif
