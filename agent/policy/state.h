/* state.h - the resume point kept across restarts (--state FILE): its
 * small text format. No I/O here: the agent reads the file and replaces it
 * through the port (dk_port_file_read, dk_port_file_replace).
 */
#ifndef DK_STATE_H
#define DK_STATE_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "resume.h"

/* What the file keeps: the local resume point (kind and timeNano) and the
 * marks of the last delivered events, oldest first (resume.h); with
 * --mqtt, the broker's cursor likewise (the last events it acknowledged). */
struct dk_state {
	enum dk_resume_kind kind;     /* CLOCK or EVENT */
	int64_t point;
	unsigned count;
	struct dk_resume_mark marks[DK_RESUME_RECENT];
	int has_broker;               /* the broker lines are there */
	enum dk_resume_kind bkind;
	int64_t bpoint;
	unsigned bcount;
	struct dk_resume_mark bmarks[DK_RESUME_RECENT];
};

/* Largest file dk_state_format writes (and dk_state_parse reads): a mark
 * is " <timeNano>:<16 hex digits>"; two cursors. */
#define DK_STATE_TEXT_MAX (128 + 2 * 38 * DK_RESUME_RECENT)

/* Write s as text to buf[0..cap): three short lines, e.g.
 *   dockev-state 2
 *   resume 1795790000099000000 event
 *   recent 1795790000098000000:9e3779b97f4a7c15 1795790000099000000:0123456789abcdef
 * and with has_broker two more, the broker's cursor in the same form:
 *   broker 1795790000098000000 event
 *   brecent 1795790000098000000:9e3779b97f4a7c15
 * (a file without them, as dockev wrote before --mqtt, still loads).
 * Returns the length, or DK_ERR_NOSPACE. */
int dk_state_format(char *buf, size_t cap, const struct dk_state *s);

/* Parse what dk_state_format wrote (has_broker says whether the broker
 * lines were there). Returns DK_OK with *s filled,
 * DK_ERR_VERSION for a file of an older dockev ("dockev-state 1"), or
 * DK_ERR_PARAM for anything else (another version, a torn or edited file):
 * *s is then zeroed. */
int dk_state_parse(const char *buf, size_t len, struct dk_state *s);

#endif
