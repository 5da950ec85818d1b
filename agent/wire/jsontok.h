/* jsontok.h - jsmn's types and jsontok.c's tokenizers, for the agent's
 * readers of JSON: event.c, object.c and context.c. Not a public header:
 * jsmn's types stay between these files (STYLE 8).
 */
#ifndef DK_JSONTOK_H
#define DK_JSONTOK_H

#include <stddef.h>
#include "config.h"
/* Types only, unless the file compiling jsmn (jsontok.c) included it
 * first, with its functions. */
#ifndef JSMN_H
#define JSMN_HEADER
#include <jsmn.h>
#endif

/* The event token array: one record's tokens, from one
 * dk_json_tokenize_event to the next (event.c's walk reads them; a view
 * keeps nothing of them). */
extern jsmntok_t dk_event_tokens[DK_TOKENS_MAX];

/* jsmn_parse with a fresh parser: an event's record js[0..len) into
 * dk_event_tokens. Returns the token count or a JSMN_ERROR_* code. */
int dk_json_tokenize_event(const char *js, size_t len);

/* The same into toks[0..n), for anything else. */
int dk_json_tokenize(const char *js, size_t len, jsmntok_t *toks,
                     unsigned n);

#endif
