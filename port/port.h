/* port.h - the platform contracts the portable core calls.
 *
 * Two kinds of boundary: link-time functions with one implementation per
 * build (clock, random, log, signals, waiting), which tests replace with
 * fakes; and a runtime transport (struct dk_transport) chosen per connection.
 * The core includes no socket, TLS or process header; only this one.
 */
#ifndef DK_PORT_H
#define DK_PORT_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* ---- transport: read(2)/write(2) semantics ---------------------------- */

/* recv/send return: >0 bytes moved; 0 orderly end (recv only; TLS
 * close_notify too); DK_AGAIN when nothing can move now (EAGAIN, EINTR,
 * TLS WANT_READ/WRITE, mapped in one place in the port); a negative dk_err
 * (DK_ERR_IO, ...) on failure. */

struct dk_transport {
	long (*recv)(struct dk_transport *t, void *buf, size_t len);
	long (*send)(struct dk_transport *t, const void *buf, size_t len);
	/* Bytes already received and decrypted, readable without the fd
	 * becoming readable (TLS records); 0 for plain sockets. */
	size_t (*pending)(struct dk_transport *t);
	void (*close)(struct dk_transport *t);
	int fd;     /* for poll(); -1 when closed */
	void *ctx;  /* the transport's own state */
};

struct dk_endpoint;

/* Connect to ep within timeout_ms; the fd is non-blocking and
 * close-on-exec, TCP has keepalive on. Returns DK_OK and fills *t, or a
 * negative dk_err (DK_ERR_CONNECT, DK_ERR_RESOLVE, DK_ERR_TIMEOUT,
 * DK_ERR_PATH_LONG, DK_ERR_TLS) with detail (errno text) written to
 * why[0..whylen). */
int dk_port_connect(struct dk_transport *t, const struct dk_endpoint *ep,
                    int timeout_ms, char *why, size_t whylen);

/* Text for the last failure a transport or dk_port_connect met (errno's
 * strerror, or the TLS library's reason), for the one log line. */
const char *dk_port_errstr(void);
/* For port implementations: remember errnum's strerror, or text when not
 * NULL, as the text dk_port_errstr returns. */
void dk_port_set_err(int errnum, const char *text);
/* printf into a caller's why buffer (NULL or 0 bytes: nothing): the one
 * line a failed connect or handshake gives the agent to log. */
void dk_port_why(char *why, size_t whylen, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* ---- clock and random ------------------------------------------------- */

/* Monotonic milliseconds, for timeouts and back-off. */
int64_t dk_port_now_ms(void);
/* Wall clock in nanoseconds since the Unix epoch, for since=/until= and
 * synthetic events. */
int64_t dk_port_wall_ns(void);
/* 32 random bits for back-off jitter (need not be cryptographic). */
uint32_t dk_port_random(void);

/* ---- log --------------------------------------------------------------- */

/* NOTICE is what the user asked for (SIGUSR1 counters): shown even with
 * -q, without a level word. */
enum dk_log_level { DK_LOG_NOTICE, DK_LOG_ERR, DK_LOG_WARN, DK_LOG_INFO,
                    DK_LOG_DEBUG };

/* Open the log: to stderr, or to syslog when use_syslog. Messages above
 * max_level are dropped. */
void dk_port_log_open(int use_syslog, enum dk_log_level max_level);
/* One line; the port adds the "dockev: " prefix and the newline. */
void dk_port_log(enum dk_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* ---- signals and waiting ---------------------------------------------- */

enum dk_sig { DK_SIG_NONE = 0, DK_SIG_STOP = 1, DK_SIG_STATS = 2,
              DK_SIG_CHILD = 3 };

/* Install the handlers for SIGINT/SIGTERM/SIGHUP (stop), SIGUSR1 (stats),
 * SIGCHLD (child) and ignore SIGPIPE. The handlers only write to a
 * self-pipe. */
int dk_port_signals_init(void);
/* Is sig's disposition other than the default: one of ours, or ignored
 * when the agent started? As of dk_port_signals_init (every signal
 * before it); dispositions are changed only there. Async-signal-safe:
 * spawn's child resets just these. */
int dk_port_signal_changed(int sig);
/* Has a signal arrived since the last call (cheap, no system call)?
 * Clears the mark; then dk_port_signal_take gets them. */
int dk_port_signal_seen(void);

/* Take the next pending signal, DK_SIG_NONE if there is none. */
enum dk_sig dk_port_signal_take(void);

/* Has SIGINT/SIGTERM/SIGHUP arrived (taken or not)? For waits inside the port,
 * such as connect, that must not outlast a stop request. */
int dk_port_stop_requested(void);

/* The signal that asked to stop, "SIGTERM", "SIGINT" or "SIGHUP", for the
 * log line; "a stop" when none did (the scripted tests). */
const char *dk_port_stop_name(void);

/* Wait until fd is readable (writable with want_write; fd < 0: no fd), a
 * signal arrives, or timeout_ms passes (< 0: forever). Returns
 * DK_WAIT_READY, DK_WAIT_TIMEOUT, DK_WAIT_SIGNAL (a signal pending), or a
 * negative dk_err. */
int dk_port_wait(int fd, int want_write, int timeout_ms);

/* The same for several fds: each entry's events (DK_POLL_IN/DK_POLL_OUT)
 * are waited for and revents set (DK_POLL_IN/OUT, DK_POLL_ERR for
 * error or hang-up). Entries with fd < 0 are ignored (revents 0). Returns
 * DK_WAIT_READY when some fd is ready, DK_WAIT_TIMEOUT, DK_WAIT_SIGNAL
 * when a signal is pending (revents may be set too), or a negative
 * dk_err: DK_ERR_IO for a closed fd, DK_ERR_PARAM for more than
 * DK_POLL_MAX (config.h) entries with fd >= 0. */
#define DK_POLL_IN 1
#define DK_POLL_OUT 2
#define DK_POLL_ERR 4
struct dk_pollfd {
	int fd;
	int events;
	int revents;
};
int dk_port_poll(struct dk_pollfd *fds, int n, int timeout_ms);

/* The loop's one wait, lent to the port for what it waits on itself (a
 * connect, a TLS handshake): wait until fd (< 0: none) is readable, or
 * writable with want_write, or until the absolute deadline (monotonic
 * ms, < 0: none), serving the loop's hooks, signals and output meanwhile.
 * Returns DK_WAIT_READY, DK_WAIT_TIMEOUT (the deadline passed), DK_STOP
 * (a stop request), or a negative
 * dk_err when the wait failed. */
typedef int (*dk_port_wait_fn)(void *ctx, int fd, int want_write,
                               int64_t deadline);

/* Lend the loop's wait to the port (NULL: none). */
void dk_port_set_wait(dk_port_wait_fn fn, void *ctx);

/* How the port waits for fd inside connects and handshakes: through the
 * lent wait when there is one; else a poll on fd alone, in 100 ms slices
 * that a stop request ends. Same returns as dk_port_wait_fn. */
int dk_port_wait_fd(int fd, int want_write, int64_t deadline);

/* ---- processes (hook scripts) ------------------------------------------ */

/* Start path with argv and envp (never through a shell) in a new process
 * group of its own, signal dispositions and mask reset to defaults, stdin
 * from a new pipe whose write end (non-blocking, close-on-exec) is
 * returned in *stdin_fd, stdout and stderr both to the agent's stderr,
 * every other descriptor closed (all of the agent's are close-on-exec).
 * Returns DK_OK with *pid set, or DK_ERR_IO with why holding the reason
 * (exec's errno text: "Permission denied", "Exec format error").
 * An exec failure is reported here, not as an exit status. */
int dk_port_spawn(const char *path, char *const argv[], char *const envp[],
                  int *pid, int *stdin_fd, char *why, size_t whylen);
/* The credentials a hook runs with (--hook-user): set in the child before
 * the exec, in this order: supplementary groups, gid, uid. */
struct dk_port_cred {
	uint32_t uid, gid;
	const uint32_t *groups;  /* supplementary, caller-owned */
	size_t ngroups;
};

/* The same, run in directory dirfd (>= 0; the child's working directory
 * becomes it, and a relative path such as "./name" is found there, also by
 * a #! script's interpreter, which opens the script again by that path),
 * as cred (NULL: the agent's own; a failure to set them is reported as an
 * exec failure is, why naming the call: "setuid: Operation not
 * permitted"). dirfd < 0 and cred NULL is dk_port_spawn. */
int dk_port_spawn_at(int dirfd, const char *path, char *const argv[],
                     char *const envp[], const struct dk_port_cred *cred,
                     int *pid, int *stdin_fd, char *why, size_t whylen);

/* --hook-user USER[:GROUP] into *c, once at start: USER a name in the
 * password database or a numeric uid; its groups (initgroups' list) into
 * groups[0..cap), c->groups pointing there; GROUP (a name or a numeric
 * gid) replaces the primary gid, and the supplementary groups are then
 * GROUP and the groups that list USER. A numeric uid without a password
 * entry needs :GROUP and gets no other groups. Returns 1: set *c in each
 * hook; 0: the agent is not root and USER (and GROUP) are its own, nothing
 * to set; DK_ERR_PARAM with why saying what is wrong ("no such user",
 * "the agent is not root: hooks can run only as its own user"),
 * DK_ERR_NOSPACE when USER has more than cap groups. */
int dk_port_user_lookup(const char *spec, struct dk_port_cred *c,
                        uint32_t *groups, size_t cap, char *why,
                        size_t whylen);

/* Send sig (DK_KILL_TERM or DK_KILL_KILL) to process group pgid; a group
 * already gone is not an error, pgid <= 1 is never sent to. */
#define DK_KILL_TERM 1
#define DK_KILL_KILL 2
void dk_port_kill_group(int pgid, int sig);

/* Has process group pgid a process left (pgid <= 1: no)? After its leader
 * was reaped, a child that ignored SIGTERM may still be in it. */
int dk_port_group_alive(int pgid);

/* Reap one exited child without blocking. Returns its pid (> 0) and fills
 * *code: exit status 0..255, or -N when killed by signal N; 0 when no
 * child has exited; negative when there are no children. */
int dk_port_reap(int *code);

/* Open /dev/null read-write (not close-on-exec): main uses it to make
 * sure fds 0, 1 and 2 are open. Returns the fd, or -1. */
int dk_port_open_null(void);

/* Close a descriptor the port gave out (a hook's stdin pipe). */
void dk_port_close(int fd);

/* stdout (output.c): when fd is a pipe or a socket, make it non-blocking
 * and return 1 (dk_port_out_restore gives the flags back: the fd's open
 * file description may be shared with the shell that started us); 0 for
 * anything else (a terminal, a file, /dev/null: written blocking);
 * DK_ERR_IO when fd cannot be examined. */
int dk_port_out_nonblock(int fd);
void dk_port_out_restore(int fd);

/* Write to a non-blocking fd: bytes written, DK_AGAIN, or DK_ERR_IO
 * (EPIPE when the hook closed its stdin). */
long dk_port_write(int fd, const void *buf, size_t len);

/* The agent's environment (environ), NULL-terminated. */
char *const *dk_port_environ(void);

/* ---- files (hook directories) ------------------------------------------ */

/* Modification time of path in nanoseconds, or -1 when it cannot be
 * stat()ed. Used to notice that a hooks directory changed. */
int64_t dk_port_mtime(const char *path);

/* The entry of directory dir with the smallest name greater than after
 * (after "" = the first), by strcmp order, skipping "." and "..". Writes it
 * to name (cap bytes; name may be the same buffer as after). Returns 1
 * found, 0 none left, DK_ERR_IO when dir cannot be read. A name that does
 * not fit in cap is skipped (cap 256 = NAME_MAX + 1 fits every name). */
int dk_port_dir_next(const char *dir, const char *after, char *name,
                     size_t cap);

/* Is dir fit to be the hooks directory: a directory (symbolic links
 * followed) owned by root or by the agent's user and writable by neither
 * group nor others? Sets *mtime (ns; NULL: not wanted) as dk_port_mtime.
 * Returns DK_OK; DK_ERR_PARAM with why saying which rule failed ("owned by
 * uid 1000, not root or the agent's user", "writable by group or others",
 * "not a directory"); DK_ERR_IO when it cannot be stat()ed (errno's text;
 * *mtime untouched). */
int dk_port_hooks_dir_stat(const char *dir, int64_t *mtime, char *why,
                           size_t whylen);

/* May root/sub/name run as a hook? root and root/sub must pass the rules
 * of dk_port_hooks_dir_stat (root/sub opened relative to root's
 * descriptor; a symbolic link followed and its target checked), and name
 * must be a regular executable file in it (not a symbolic link), owned by
 * root or by the agent's user, not writable by group or others. The checks
 * are made on the descriptors opened. Returns DK_OK with *dirfd the
 * descriptor of root/sub (close-on-exec) to run name relative to
 * (dk_port_spawn_at) and then close; or DK_ERR_PARAM (*dirfd -1) with why
 * saying what is wrong ("writable by group or others", "not executable",
 * "owned by uid 1000, not root or the agent's user", "not a regular
 * file", "is a symbolic link", "directory writable by group or others",
 * "hooks directory owned by uid 1000, ...", or errno's text). */
int dk_port_script_open(const char *root, const char *sub, const char *name,
                        int *dirfd, char *why, size_t whylen);

/* ---- files (the --state file, docker's config.json and contexts) -------- */

/* Read the whole of the small file path into buf (cap bytes). Returns the
 * byte count; 0 when path does not exist (dk_port_mtime tells that from an
 * empty file); DK_ERR_NOSPACE when it holds more than cap bytes; DK_ERR_IO
 * otherwise (dk_port_errstr says why). */
long dk_port_file_read(const char *path, char *buf, size_t cap);

/* The home directory of the user the agent runs as (real uid) from the
 * password database (getpwuid), for when $HOME is unset or empty: the
 * docker CLI falls back to it so (Go's os/user). Written NUL-terminated to
 * buf. Returns its length (> 0); DK_ERR_NOSPACE when it does not fit;
 * DK_ERR_IO when there is no entry or it names no home (dk_port_errstr
 * says why). */
long dk_port_home(char *buf, size_t cap);
/* The --state file, read whole as dk_port_file_read does, but path itself
 * must be a regular file: a symlink (the file it names would no longer be
 * the one replaced), a directory, a device, a FIFO (whose open would block)
 * or a socket is refused, never opened (lstat, then O_NOFOLLOW|O_NONBLOCK
 * and fstat). Returns the byte count with *exists = 1 (0 for an empty
 * file); 0 with *exists = 0 when path does not exist; DK_ERR_NOSPACE when
 * it holds more than cap bytes; DK_ERR_PARAM when it is not a regular file
 * (dk_port_errstr says what it is: "a symbolic link", "a FIFO", ...);
 * DK_ERR_IO otherwise (dk_port_errstr says why). */
long dk_port_state_read(const char *path, char *buf, size_t cap, int *exists);

/* Replace path's content with buf[0..len) atomically: written to a
 * temporary file beside it (path + ".tmp"), fsync'ed, renamed over path,
 * and the directory fsync'ed, so a crash or power cut leaves the old
 * content or the new, never a mix. The temporary file is always created
 * afresh (O_EXCL): a stale one of ours (a regular file of our user with one
 * link) is removed first, anything else at that name (a symlink, a hard
 * link) is never followed, reused or removed, and the call fails. What is
 * at path must be a regular file or nothing (as for dk_port_state_read):
 * DK_ERR_PARAM otherwise, nothing written. Returns DK_OK, or DK_ERR_IO
 * (dk_port_errstr says why; a temporary file we created is removed). */
int dk_port_file_replace(const char *path, const void *buf, size_t len);

#endif
