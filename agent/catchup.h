/* catchup.h - the broker's side of delivery (--mqtt): which events the
 * publisher takes live, and, once it fell behind (the send buffer full,
 * or the agent started behind the broker's cursor), the catch-up from the
 * engine's history on a connection of its own:
 *   GET /events?since=<broker cursor - margin>&until=<local cursor + 1 ms>
 * with the same filters, deduplicated against the broker's acknowledged
 * events as the resume module dedupes the local stream (resume.h), then
 * live again. Local handlers and hooks never wait for any of it: the live
 * path only decides "take it" or "skip it, the catch-up brings it".
 *
 * Hand-over without a gap or a reorder: while behind, every live engine
 * event is skipped and counted; a round publishes everything up to the
 * newest event delivered locally when it started; when a round ends and
 * no live event was skipped meanwhile, the broker has everything the
 * local side has, in the engine's order, and the next live event is
 * published live. Otherwise another round follows on from the last one.
 * If the history no longer reaches back to the broker's cursor (more
 * events than the engine keeps, an engine restart), a synthetic
 * "dockev resync" is published before what the history still has.
 */
#ifndef DK_CATCHUP_H
#define DK_CATCHUP_H

#include <stdint.h>
#include "config.h"
#include "port.h"
#include "http.h"
#include "chunk.h"
#include "framer.h"
#include "event.h"
#include "backoff.h"
#include "resume.h"

struct dk_agent;
struct dk_state;

#if DK_MQTT
enum dk_catchup_state {
	DK_CU_IDLE = 0,  /* no catch-up connection */
	DK_CU_SEND,      /* connected, sending the request */
	DK_CU_HEAD,      /* reading the response head */
	DK_CU_BODY       /* reading history, publishing it */
};

struct dk_catchup_counters {
	uint64_t skipped;    /* live engine events left to the catch-up */
	uint64_t rounds;     /* catch-up requests answered */
	uint64_t published;  /* events taken from the history */
	uint64_t resyncs;    /* dockev resync published */
};

struct dk_catchup {
	int behind;          /* live events are not taken */
	int chained;         /* the next round follows on from the last one */
	int busy;            /* connecting: nested waits leave us be */
	enum dk_catchup_state state;
	int64_t due_ms;      /* IDLE and behind: no round before then */
	int64_t head_due_ms; /* HEAD: the answer is late then */
	struct dk_backoff bo;
	/* The broker's cursor from --state, until the publisher takes it
	 * (dk_catchup_opened); has_loaded 0: none in the file. */
	int has_loaded;
	struct dk_resume loaded;
	int64_t saved_point; /* the broker's cursor --state holds */
	unsigned saved_n;
	/* The round: what the broker has or was offered (its dedupe), the
	 * bound, and the skipped count when it started. */
	struct dk_resume cres;
	int64_t until;
	uint64_t skipped_at;
	uint64_t published_at; /* n.published when it fell behind */
	int resync_due;      /* publish dockev resync before the next event */
	int pending;         /* ev holds a record the publisher had no room for */
	int ending;          /* the body ended (final chunk, or EOF) */
	struct dk_transport t;
	struct dk_http_head head;
	struct dk_chunk chunk;
	struct dk_framer fr;
	size_t req_len, req_off, have;
	struct dk_event ev;
	struct dk_event sev;
	struct dk_catchup_counters n;
	char synth[DK_SYNTH_MAX]; /* the resync for the broker */
	char req[DK_REQUEST_MAX];
	char buf[DK_CATCHUP_BUF];
};

/* Set cu up (from dk_agent_init): live, nothing loaded. */
void dk_catchup_init(struct dk_catchup *cu, int64_t backoff_min_ms,
                     int64_t backoff_max_ms);

/* An event the local side delivered (engine or synthetic): offered to the
 * publisher unless it is behind. Never waits. */
void dk_catchup_live(struct dk_agent *ag, const struct dk_event *ev);

/* The local events stream opened (ag->res holds its point): the first
 * time, the broker's cursor is the one --state kept, or, without one,
 * where the local side starts; the agent starts behind when the two
 * differ. */
void dk_catchup_opened(struct dk_agent *ag);

/* For the loop's one wait: the catch-up connection's fd (1 with *p set,
 * 0 none), the ms until a round is due or its head is late (-1 none), and
 * the work: start a round, send, read and publish what fits. Never waits
 * but in the engine connect (through the lent wait, as --snapshot's). */
int dk_catchup_pollfd(const struct dk_agent *ag, struct dk_pollfd *p);
int dk_catchup_next_ms(const struct dk_agent *ag, int64_t now);
void dk_catchup_service(struct dk_agent *ag);

/* --state: put the broker's cursor into s (has_broker), take it from a
 * loaded s, and whether it moved since last put. */
void dk_catchup_state_put(struct dk_agent *ag, struct dk_state *s);
void dk_catchup_state_take(struct dk_agent *ag, const struct dk_state *s);
int dk_catchup_state_dirty(const struct dk_agent *ag);

/* At exit: close the connection; say what the broker has not got. */
void dk_catchup_close(struct dk_agent *ag);

#else /* MQTT=none */
struct dk_catchup {
	int behind;
};
static inline void dk_catchup_init(struct dk_catchup *cu, int64_t a, int64_t b)
{
	(void)cu, (void)a, (void)b;
}
static inline void dk_catchup_live(struct dk_agent *ag, const struct dk_event *ev)
{
	(void)ag, (void)ev;
}
static inline void dk_catchup_opened(struct dk_agent *ag)
{
	(void)ag;
}
static inline int dk_catchup_pollfd(const struct dk_agent *ag, struct dk_pollfd *p)
{
	(void)ag, (void)p;
	return 0;
}
static inline int dk_catchup_next_ms(const struct dk_agent *ag, int64_t now)
{
	(void)ag, (void)now;
	return -1;
}
static inline void dk_catchup_service(struct dk_agent *ag)
{
	(void)ag;
}
static inline void dk_catchup_state_put(struct dk_agent *ag, struct dk_state *s)
{
	(void)ag, (void)s;
}
static inline void dk_catchup_state_take(struct dk_agent *ag, const struct dk_state *s)
{
	(void)ag, (void)s;
}
static inline int dk_catchup_state_dirty(const struct dk_agent *ag)
{
	(void)ag;
	return 0;
}
static inline void dk_catchup_close(struct dk_agent *ag)
{
	(void)ag;
}
#endif

#endif
