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
#include "resume.h"
#include "snapshot.h"
#include "mqttc.h"
#include "catchup.h"

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
	int snapshot;                /* --snapshot */
	const char *mqtt_url;        /* --mqtt, NULL = off */
	const char *mqtt_id, *mqtt_user, *mqtt_password_file, *mqtt_topic;
	const char *mqtt_ca, *mqtt_cert, *mqtt_key;
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

/* How a session ended (or, DK_OUT_OPEN, that its stream is open). */
enum dk_outcome {
	DK_OUT_RETRY = 0,   /* transient failure: back off, reconnect */
	DK_OUT_OPEN,        /* the events stream is open: go on */
	DK_OUT_STOP,        /* SIGINT/SIGTERM: exit 0 */
	DK_OUT_DONE,        /* the stream ended at --until: exit 0 */
	DK_OUT_CONFIG,      /* configuration error: exit 1 */
	DK_OUT_CONFIG_WAIT, /* a configuration error the engine's side may
	                     * fix (TLS verification): retry after the
	                     * longest back-off, logged as an error */
	DK_OUT_HANDLER_STOP,/* a handler asked to stop: exit 0 */
	DK_OUT_HANDLER_ERR  /* a handler failed: exit 1 */
};

enum { DK_END_NONE = 0, DK_END_CLEAN, DK_END_NOW };

struct dk_agent {
	struct dk_opts opts;
	struct dk_endpoint ep;
	char filters[DK_FILTERS_MAX];  /* JSON, "" = none */
	char version[16];              /* API version in use */
	int podman;                    /* the last ping said Libpod-Api-Version */
	int no_reuse;                  /* the engine closes after a ping */
	int reuse_failed;              /* reused ping connections that failed */
	struct dk_transport t;
	struct dk_http_head head;
	struct dk_chunk chunk;
	struct dk_framer fr;
	struct dk_event ev;            /* the engine event being delivered */
	struct dk_event sev;           /* a synthetic dockev event */
	struct dk_backoff bo;
	struct dk_counters n;

	/* Where to resume, and which events are new (resume.h). */
	struct dk_resume res;
	int clock_back_said; /* DK_RESUME_BACK logged on this stream */
	const char *resync_why; /* a resync to report at the next connect */

	/* --state: what the file holds (the resume point and how many marks
	 * were ever added then), and when it may be written next. */
	int64_t saved_point;
	unsigned saved_n;
	int64_t state_due_ms;

	int connected;     /* an events stream is open */
	int ending;        /* DK_END_*: the stream is ending */
	enum dk_outcome end_out; /* and how, once its records are taken */
	int64_t connected_ms;
	int stops;         /* SIGINT/SIGTERM seen: 1 stop, 2 also kill hooks */
	char why[DK_WHY_MAX]; /* last failure, for logs and dockev disconnect */
	char synth[DK_SYNTH_MAX]; /* synthetic event JSON: URL and reason escaped */

	/* --snapshot: one is due (at the first connect without a resume
	 * point, after a resync); the last ping's Date, for its point. */
	int snap_due;
	/* --snapshot with a resume point (--state, --since) at the first
	 * connect: the history from the point to the snapshot point is
	 * replayed first (a bounded events request), then the snapshot at
	 * snap_t0 (0: the snapshot's own ping says it). */
	int snap_replay;
	int64_t snap_t0;
	int engine_date_ok;
	int64_t engine_date;
	struct dk_snapshot snap;
	char buf[DK_BUF_SIZE];
	struct dk_hooks hooks;
	struct dk_mqttc mq;  /* --mqtt: the publisher, set up by main */
	struct dk_catchup cu; /* --mqtt: what it takes, its catch-up */
	int mq_stopped;      /* its fatal refusal stopped the loop */
};

/* Prepare ag from ag->opts: back-off, framer, hooks. ag->ep must already
 * be parsed, and ag->filters hold the filters' JSON (main builds it with
 * dk_filter_build, where a bad filter is a usage error). Returns DK_OK or
 * a negative dk_err. */
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

/* ---- the connection (session.c); only the loop calls it ---------------- */

/* Connect, negotiate, send the events request (since= from ag->res) and
 * read its head. Returns DK_OUT_OPEN with the stream open (the body bytes
 * that came with the head already decoded), or how it failed (ag->why
 * says why; configuration errors are logged). */
enum dk_outcome dk_session_open(struct dk_agent *ag);

/* dk_session_next results. */
enum { DK_REC_MORE = 0, DK_REC_EVENT, DK_REC_TOO_BIG, DK_REC_END };

/* The next record of the open stream, from what is buffered: DK_REC_EVENT
 * with *rec, *len (valid until the next dk_session_read), DK_REC_TOO_BIG
 * with the first bytes of a record larger than the buffer (dropped),
 * DK_REC_MORE when nothing complete is buffered (dk_session_read next), or
 * DK_REC_END when the stream is over, with *out saying how (DK_OUT_DONE
 * at --until, else DK_OUT_RETRY with ag->why). Never does I/O. */
int dk_session_next(struct dk_agent *ag, const char **rec, size_t *len,
                    enum dk_outcome *out);

/* Wait for and read more of the stream (serving hooks and signals while
 * waiting). Returns DK_OUT_OPEN (more records, or the end, to take with
 * dk_session_next), or how the connection failed. */
enum dk_outcome dk_session_read(struct dk_agent *ag);

/* For --snapshot's list connection (snapshot.c), over ag->t: connect and
 * negotiate (ag->engine_date set when the ping had a Date); send a request
 * and read its head into ag->buf (> 0: the head's length, *have bytes
 * read; else a failure for dk_session_failed); read more (> 0 bytes, 0 at
 * the end, else a failure), waiting up to deadline (monotonic ms); the
 * outcome of a failure; a non-2xx answer read, logged and classified. */
enum dk_outcome dk_session_hello(struct dk_agent *ag);
long dk_session_exchange(struct dk_agent *ag, const char *req, size_t n,
                         size_t *have);
long dk_session_recv(struct dk_agent *ag, char *p, size_t room,
                     int64_t deadline);
enum dk_outcome dk_session_failed(struct dk_agent *ag, long r);
enum dk_outcome dk_session_refused(struct dk_agent *ag, const char *what,
                                   size_t headlen, size_t have);

/* One connection's life, as the loop runs it: open, deliver every record
 * (starting each batch's hooks and writing --state between reads), until
 * the stream ends or fails. */
enum dk_outcome dk_agent_session(struct dk_agent *ag);

/* Give one record of the events body to the agent: parse, dedupe,
 * dispatch. Returns 0, or a handler's non-zero result. rec needs to stay
 * unchanged only during the call. */
int dk_agent_deliver(struct dk_agent *ag, const char *rec, size_t len);

/* Synthetic event of Type "dockev" (connect, disconnect, resync) through
 * the same dispatch. Returns 0 or a handler's non-zero result. */
int dk_agent_synthetic(struct dk_agent *ag, const char *action);
/* The text of a synthetic event (the engine's shape, first member
 * "dockev":true; why: its reason attribute; extra: more attributes, a JSON
 * fragment, or NULL) in buf; its length, or a negative dk_err when buf is
 * short. For the catch-up's resync, which goes to the broker only. */
long dk_agent_synthetic_text(const struct dk_agent *ag, const char *action,
                             const char *why, const char *extra, char *buf,
                             size_t cap);

/* The one wait of the agent: for fd (readable, or writable; -1 = none)
 * up to timeout_ms (< 0 = forever), serving hooks (their stdin pipes,
 * timeouts, exits) and signals (SIGUSR1 logs counters) meanwhile.
 * Returns DK_WAIT_READY when fd is ready, DK_WAIT_TIMEOUT, DK_STOP on a
 * stop request, or DK_ERR_IO when the wait itself failed (dk_port_errstr
 * says why). */
int dk_agent_wait(struct dk_agent *ag, int fd, int want_write, int timeout_ms);

/* Handle the signals that arrived; returns 1 when one asks to stop. */
int dk_agent_signals(struct dk_agent *ag);

/* Log the counters in one line. */
void dk_agent_log_counters(const struct dk_agent *ag);

#endif
