/* state.h - the resume point kept across restarts (--state FILE): its
 * small text format. No I/O here: the agent reads the file and replaces it
 * through the port (dk_port_file_read, dk_port_file_replace).
 */
#ifndef DK_STATE_H
#define DK_STATE_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* Where to resume: since=resume_ns. from_event: resume_ns is the last
 * delivered event's timeNano (seen[] holds the hashes of the events
 * delivered at exactly that timeNano, nseen of them, at most
 * DK_DEDUPE_MAX), else it is when the first stream opened (no event yet). */
struct dk_state {
	int64_t resume_ns;
	int from_event;
	unsigned nseen;
	uint64_t seen[DK_DEDUPE_MAX];
};

/* Largest file dk_state_format writes (and dk_state_parse reads). */
#define DK_STATE_TEXT_MAX (64 + 17 * DK_DEDUPE_MAX)

/* Write s as text to buf[0..cap): three short lines, e.g.
 *   dockev-state 1
 *   resume 1795790000099000000 event
 *   seen 9e3779b97f4a7c15 0123456789abcdef
 * Returns the length, or DK_ERR_NOSPACE. */
int dk_state_format(char *buf, size_t cap, const struct dk_state *s);

/* Parse what dk_state_format wrote. Returns DK_OK with *s filled, or
 * DK_ERR_PARAM for anything else (another version, a torn or edited file):
 * *s is then zeroed. */
int dk_state_parse(const char *buf, size_t len, struct dk_state *s);

#endif
