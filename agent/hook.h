/* hook.h - hook scripts: which scripts an event runs (DIR/T.A.d, DIR/T.d,
 * DIR/all.d), a bounded queue in fixed memory that never blocks the reader,
 * per-actor order across --hook-jobs parallel slots, timeouts, bursts
 * coalesced (--hook-debounce) and the user hooks run as (--hook-user). The
 * environment a script gets is hookenv.h's; processes are the port's.
 */
#ifndef DK_HOOK_H
#define DK_HOOK_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "event.h"
#include "port.h"
#include "hookenv.h"
#include "hookq.h"
#include "debounce.h"

struct dk_hook_slot {
	int job;               /* index in q.jobs[], -1 = free */
	int dir;               /* 0..2: T.A.d, T.d, all.d */
	char last[256];        /* last script name taken in that directory */
	char path[DK_HOOK_PATH_MAX]; /* the running script */
	char ident[128];       /* its event, "type action id", for logs */
	int pid;               /* the script (group leader); 0 = none, reaped */
	int pgid;              /* its process group; 0 = none. Kept after the
	                        * leader was reaped while a KILL is still due */
	int code;              /* the leader's exit, as dk_port_reap gives it */
	int stdin_fd;          /* -1 = closed */
	size_t written;        /* of the event JSON and its newline */
	int64_t started_ms, deadline_ms;
	int killed;            /* none, TERM, KILL (timeout), KILL at stop */
};

/* One *.d directory's script names, NUL-separated in name order, as of
 * its mtime (-1: slot free or not to be trusted). */
struct dk_hook_list {
	char sub[64];          /* "container.start.d" */
	int64_t mtime;
	uint64_t used;         /* for reuse of the least recently used */
	size_t len;
	char names[DK_HOOK_LIST_BYTES];
};

struct dk_hooks {
	const char *dir;       /* NULL = hooks off */
	const char *host;      /* DOCKEV_HOST */
	int64_t timeout_ms;
	int max_jobs;          /* parallel slots in use */
	struct dk_hookq q;     /* the events waiting or running */
	struct dk_hook_slot slots[DK_HOOK_JOBS_MAX];

	/* The *.d names in dir, NUL-separated, as of dir_mtime. */
	int64_t dir_mtime;
	char dirs[DK_HOOK_DIRS_BYTES];
	size_t dirs_len;

	struct dk_hook_list lists[DK_HOOK_LISTS];
	uint64_t lists_used;

	/* --hook-debounce: the held runs, and per queued job which of its
	 * directories still run (bit d), how many of those are held, and the
	 * events each directory's run stands for (DOCKEV_DEBOUNCED). */
	struct dk_debounce db;
	unsigned char run_dirs[DK_HOOK_QUEUE_MAX];
	unsigned char held[DK_HOOK_QUEUE_MAX];
	unsigned coalesced[DK_HOOK_QUEUE_MAX][3];
	int flushing;          /* stopping: held runs go now, nothing is held */
	int db_full_said;      /* the full table was logged */
	uint64_t debounced;    /* runs left out: a later event of the burst ran
	                        * (SIGUSR1: "hook runs coalesced") */
	uint64_t db_full;      /* runs not held: the table was full ("not held") */
	char db_var[32];       /* "DOCKEV_DEBOUNCED=N" */

	const struct dk_port_cred *cred; /* --hook-user, NULL = the agent's */

	int stopping;          /* no new scripts start */
	int reap_due;          /* a child exited (SIGCHLD): reap */
	uint64_t run, failed, skipped, timeouts;
	uint64_t unnamed;      /* events whose Type or Action is not plain */
	struct dk_hookenv env;
	struct dk_event ev;    /* the event of the job being started */
	char argv_buf[3][DK_FIELD_MAX];
};

/* Set up hooks from dir (NULL = off), engine URL host, timeout, jobs and
 * queue length (clamped to the config maxima). Logs one warning when the
 * agent's environment is more than hooks get of it (DK_HOOK_OWN_VARS). */
void dk_hook_init(struct dk_hooks *h, const char *dir, const char *host,
                  int64_t timeout_ms, int jobs, int queue);

/* --hook-debounce MIN[:MAX] (after dk_hook_init; min_ms <= 0: off): per
 * actor and script directory, a burst of events runs the directory's
 * scripts once, with the last event, min_ms after the last event and at
 * most max_ms after the first. */
void dk_hook_debounce(struct dk_hooks *h, int64_t min_ms, int64_t max_ms);

/* --hook-user (after dk_hook_init): hooks run as *c, which must outlive h
 * (NULL: as the agent). */
void dk_hook_user(struct dk_hooks *h, const struct dk_port_cred *c);

/* At start: may dir be the hooks directory (dk_port_hooks_dir_stat's
 * rules)? DK_OK, or a negative dk_err after one error line saying why. */
int dk_hook_check_dir(const char *dir);

/* The reader hands over an event (ev is parsed, its JSON in ev->json):
 * queued when the hooks directory has a directory for it; skipped, counted
 * and logged when the queue is full. An event whose Type or Action is not
 * a plain name is counted (unnamed) and logged, one line. Never blocks,
 * never starts anything. */
void dk_hook_event(struct dk_hooks *h, const struct dk_event *ev);

/* Do what is due: reap exited scripts (when reap_due was set on
 * DK_SIG_CHILD),
 * feed stdin, enforce timeouts, start the next scripts. Never blocks. */
void dk_hook_service(struct dk_hooks *h);

/* The fds with stdin bytes still to write (events DK_POLL_OUT), into
 * fds[0..cap); returns how many. And the ms until the next timeout, or -1. */
int dk_hook_pollfds(const struct dk_hooks *h, struct dk_pollfd *fds, int cap);
int dk_hook_next_ms(const struct dk_hooks *h);

/* Scripts running now (a process group not yet killed after its leader
 * ended counts); events queued but not started, held ones included. */
int dk_hook_running(const struct dk_hooks *h);
int dk_hook_queued(const struct dk_hooks *h);

/* Stop: drop the queued events, held ones too (logged with their count);
 * kill_now also sends SIGKILL to every running script's group, and to a
 * group whose leader ended on its timeout's SIGTERM (logged as killed at
 * stop). */
void dk_hook_stop(struct dk_hooks *h, int kill_now);

/* Drop the queued events' hooks (logged with their count), and take new
 * events still: on a stop, the engine's queued events are dropped and the
 * agent's own dockev disconnect that follows still runs its hooks. Held
 * runs (--hook-debounce) are not dropped but released: each burst's last
 * event is the state to act on. From then on nothing is held. */
void dk_hook_drop_queued(struct dk_hooks *h);

/* Hook directory d of ev (0: DIR/T.A.d, 1: DIR/T.d, 2: DIR/all.d) as a
 * name in DIR, into out (pure; for tests). Returns 1, or 0 when ev selects
 * no directory d: T or A (the base action) is not a plain name
 * ([a-z0-9_-]+, as every engine's are: "container.die" or "" are not),
 * or d is 1 and T is "all" (all.d runs once, as the last directory). */
int dk_hook_dir_name(const struct dk_event *ev, int d, char *out, size_t cap);

#endif
