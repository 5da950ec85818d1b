/* agent.h - the agent: its options, its one static state struct, the
 * session (one connection's life) and the loop around it (reconnect with
 * back-off, resume with since=, dedupe, synthetic dockev events).
 */
#ifndef DK_AGENT_H
#define DK_AGENT_H

#include <stdint.h>
#include "config.h"
#include "port.h"
#include "endpoint.h"
#include "http.h"
#include "chunk.h"
#include "framer.h"
#include "event.h"
#include "backoff.h"
#include "hook.h"

/* What the command line (and the environment) asked for. */
struct dk_opts {
	const char *host;            /* engine URL as given, NULL = default */
	const char *filters[DK_FILTER_ARGS_MAX]; /* "KEY=VALUE" */
	int nfilters;
	int has_since, has_until;
	int64_t since_ns, until_ns;
	int json;                    /* --json */
	const char *api_version;     /* fixed version, NULL = negotiate */
	int64_t backoff_min_ms, backoff_max_ms, backoff_reset_ms;
	int verbosity;               /* -1 quiet, 0 normal, 1 verbose */
	int use_syslog;
	int tls;                     /* --tls/--tlsverify/DOCKER_TLS_VERIFY */
	int tls_verify;              /* --tlsverify/DOCKER_TLS_VERIFY */
	const char *tls_ca, *tls_cert, *tls_key; /* --tlscacert... */
	const char *hooks_dir;       /* --hooks, NULL = off */
	int64_t hook_timeout_ms;
	int hook_jobs, hook_queue;
	const char *state_file;      /* --state, NULL = off */
};

/* Everything counted, logged on SIGUSR1 and at exit with -v. */
struct dk_counters {
	uint64_t events;       /* delivered to handlers */
	uint64_t duplicates;   /* dropped after a resume */
	uint64_t too_big;      /* skipped: larger than the buffer */
	uint64_t too_many_tokens;
	uint64_t bad_json;
	uint64_t invalid;      /* JSON without Type/Action */
	uint64_t connects;     /* event streams opened */
	uint64_t reconnects;   /* attempts after the first */
	uint64_t bytes;        /* received, all connections */
};

/* How a session ended. */
enum dk_outcome {
	DK_OUT_RETRY = 0,   /* transient failure: back off, reconnect */
	DK_OUT_STOP,        /* SIGINT/SIGTERM: exit 0 */
	DK_OUT_DONE,        /* the stream ended at --until: exit 0 */
	DK_OUT_CONFIG,      /* configuration error: exit 1 */
	DK_OUT_CONFIG_WAIT, /* a configuration error the engine's side may
	                     * fix (TLS verification): retry after the
	                     * longest back-off, logged as an error */
	DK_OUT_HANDLER_STOP,/* a handler asked to stop: exit 0 */
	DK_OUT_HANDLER_ERR  /* a handler failed: exit 1 */
};

struct dk_agent {
	struct dk_opts opts;
	struct dk_endpoint ep;
	char filters[DK_FILTERS_MAX];  /* JSON, "" = none */
	char version[16];              /* API version in use */
	int podman;                    /* the last ping said Libpod-Api-Version */
	struct dk_transport t;
	struct dk_http_head head;
	struct dk_chunk chunk;
	struct dk_framer fr;
	struct dk_event ev;
	struct dk_backoff bo;
	struct dk_counters n;

	/* Resume point: the last delivered timeNano (or, before any event,
	 * when the first stream opened) and hashes of the events delivered
	 * at exactly that timeNano, to drop the ones an inclusive since=
	 * brings back. */
	int64_t resume_ns;
	int have_resume;
	int have_event;    /* resume_ns came from an event, not the clock */
	uint64_t seen[DK_DEDUPE_MAX];
	unsigned nseen;
	/* The last event at resume_ns, whose digest is not taken yet: its
	 * record and the slot of seen[] it goes to (dk_agent_settle). */
	const char *pending;
	size_t pending_len;
	unsigned pending_slot;
	int replaying;     /* after a reconnect, until past resume_ns */
	/* The first timed event of a resumed stream must be the resume
	 * point's own (since= is inclusive): a later one means the engine's
	 * history no longer reaches back to it, and events may be lost. */
	int verify;
	const char *resync_why; /* a resync to report at the next connect */

	/* --state: what the file holds, and when it may be written next. */
	int64_t saved_ns;
	unsigned saved_nseen;
	int saved_event;
	int64_t state_due_ms;

	int connected;     /* an events stream is open */
	int64_t connected_ms;
	int stops;         /* SIGINT/SIGTERM seen: 1 stop, 2 also kill hooks */
	char why[512];     /* last failure, for logs and dockev disconnect */
	char synth[4096];  /* synthetic event JSON: URL and reason escaped */
	char buf[DK_BUF_SIZE];
	struct dk_hooks hooks;
};

/* Prepare ag from ag->opts: endpoint (ag->ep must already be parsed),
 * filters, back-off, framer. Returns DK_OK or a negative dk_err. */
int dk_agent_init(struct dk_agent *ag);

/* --state: load the resume point from ag->opts.state_file (after
 * dk_agent_init). A missing file is a first run; a file that is not a
 * dockev state is logged and ignored, with a resync reported at the first
 * connect. Returns DK_OK, or DK_ERR_IO when the file cannot be read (logged). */
int dk_agent_state_load(struct dk_agent *ag);

/* --state: write the resume point if it moved and the last write is
 * DK_STATE_INTERVAL_MS old, or at once when force. Failures are logged. */
void dk_agent_state_save(struct dk_agent *ag, int force);

/* Run until stopped. Returns the process exit status (0 or 1). */
int dk_agent_run(struct dk_agent *ag);

/* One connection: connect, negotiate, request, stream. Used by the loop. */
enum dk_outcome dk_session_run(struct dk_agent *ag);

/* Give one record of the events body to the agent: parse, dedupe,
 * dispatch. Returns 0, or a handler's non-zero result. rec must stay
 * unchanged until the next dk_agent_deliver or dk_agent_settle call, which
 * may still read it: the dedupe digest of the last event is taken lazily. */
int dk_agent_deliver(struct dk_agent *ag, const char *rec, size_t len);

/* Take the dedupe digest of the last delivered record now: call before
 * the buffer that holds it is reused (the session does, before every read
 * and at its start). Cheap when there is nothing pending. */
void dk_agent_settle(struct dk_agent *ag);

/* Synthetic event of Type "dockev" (connect, disconnect, resync) through
 * the same dispatch. Returns 0 or a handler's non-zero result. */
int dk_agent_synthetic(struct dk_agent *ag, const char *action);

/* The one wait of the agent: for fd (readable, or writable; -1 = none)
 * up to timeout_ms (< 0 = forever), serving hooks (their stdin pipes,
 * timeouts, exits) and signals (SIGUSR1 logs counters) meanwhile.
 * Returns 1 when fd is ready, 0 on timeout, -1 on a stop request. */
int dk_agent_wait(struct dk_agent *ag, int fd, int want_write, int timeout_ms);

/* Handle the signals that arrived; returns 1 when one asks to stop. */
int dk_agent_signals(struct dk_agent *ag);

/* Log the counters in one line. */
void dk_agent_log_counters(const struct dk_agent *ag);

#endif
