/* fakeport.h - the port's link-time functions faked for unit tests:
 * a settable clock, scripted randomness, a captured log, a scripted
 * transport. */
#ifndef DK_FAKEPORT_H
#define DK_FAKEPORT_H

#include <stddef.h>
#include <stdint.h>
#include "port.h"

extern int64_t fake_now_ms;        /* dk_port_now_ms() returns this */
extern int64_t fake_wall_ns;       /* dk_port_wall_ns() returns this */
extern uint32_t fake_random;       /* dk_port_random() returns this */
extern char fake_log[8192];        /* every log line, '\n'-separated */
extern int fake_log_lines;
void fake_log_reset(void);
/* dk_port_mtime and dk_port_dir_next see one directory holding these
 * NUL-separated names (NULL: no directory), with this mtime. */
extern const char *fake_dir_names;
extern int64_t fake_mtime;
/* Not NULL: dk_port_hooks_dir_stat refuses the hooks directory with this
 * reason (DK_ERR_PARAM). */
extern const char *fake_hooks_dir_why;
/* dk_port_file_read/_replace see one in-memory file: fake_file[0..
 * fake_file_len) when fake_file_exists; fake_file_writes counts the
 * replaces, fake_file_fail makes them fail with DK_ERR_IO. */
extern char fake_file[1024];
extern size_t fake_file_len;
extern int fake_file_exists, fake_file_writes, fake_file_fail;
/* dk_port_environ() returns this (NULL: an empty list). */
extern char *const *fake_environ;
/* Not NULL: dk_port_write calls this (else fd 1 is written for real, any
 * other fd takes everything). */
extern long (*fake_write)(int fd, const void *buf, size_t len);
/* dk_port_errstr() returns this ("fake error" unless a test sets it). */
extern const char *fake_errstr;

/* ---- the scripted transport ------------------------------------------
 *
 * Off until fake_script_reset() is called: then dk_port_connect takes the
 * next scripted connection (fake_conn_add), each a list of steps the
 * "engine" performs as the agent reads, and captures what the agent sends.
 * Past the last scripted connection, dk_port_connect fails with
 * DK_ERR_CONNECT ("fake: script ended") and raises DK_SIG_STOP, which ends
 * dk_agent_run at its next wait.
 *
 * Steps, in order, as seen by the transport's recv:
 *   data    bytes, at most `piece` per recv (0: as much as fits); one recv
 *           never spans two steps
 *   eof     recv returns 0 (and again on every later recv)
 *   err     recv returns that negative dk_err (DK_ERR_IO), every time
 *   again   recv returns DK_AGAIN; the next wait advances fake_now_ms by
 *           ms (or by its timeout, when shorter: the rest is left) and
 *           then reports the fd ready
 *   silence recv returns DK_AGAIN for ever; waits time out (fake_now_ms
 *           advances by the timeout); the steps after it never run
 *   signal  raise a signal (see fake_raise) and go on with the next step
 *   call    call fn(conn, arg) (it may add steps, e.g. an answer built from
 *           the request in conn->sent) and go on
 * When the steps run out, the engine stays silent.
 *
 * dk_port_poll (and dk_port_wait) with the script on: 2 while a raised
 * signal is not taken; 1 when the scripted connection's fd is asked for
 * and has data, EOF or an error next (or for writing); else the wait
 * "sleeps": fake_now_ms advances by timeout_ms and it returns 0 (a wait
 * with no fd is also recorded in fake_slept). A wait for ever that nothing
 * can end counts in fake_overrun and raises DK_SIG_STOP, so a test that
 * forgot an eof stops instead of hanging. */
enum fake_step_kind { FAKE_DATA = 1, FAKE_EOF, FAKE_ERR, FAKE_AGAIN,
                      FAKE_SILENCE, FAKE_SIGNAL, FAKE_CALL };

struct fake_conn;
typedef void (*fake_call_fn)(struct fake_conn *c, void *arg);

struct fake_step {
	enum fake_step_kind kind;
	const char *p;        /* data: not copied, must outlive the run */
	size_t n, piece, off; /* data: length, bytes a recv, bytes given */
	long arg;             /* err: dk_err; again: ms (off: ms waited);
	                         signal: enum dk_sig */
	fake_call_fn fn;
	void *fn_arg;
};

#define FAKE_CONNS_MAX 48
#define FAKE_STEPS_MAX 24
#define FAKE_SENT_MAX 4096
#define FAKE_FD_BASE 100      /* connection i has fd FAKE_FD_BASE + i */

struct fake_conn {
	/* script */
	int connect_err;          /* dk_port_connect fails with this, 0: not */
	const char *connect_why;  /* and writes this to why */
	size_t send_max;          /* bytes one send takes, 0: all */
	int send_again;           /* sends that return DK_AGAIN first */
	int send_err;             /* every send fails with this, 0: not */
	struct fake_step steps[FAKE_STEPS_MAX];
	int nsteps, cur;
	/* captured */
	int connected;            /* dk_port_connect gave it out */
	int closed;               /* close calls */
	int64_t connected_ms;     /* fake_now_ms then */
	char sent[FAKE_SENT_MAX + 1]; /* all bytes sent, NUL-terminated */
	size_t nsent;             /* bytes sent (sent[] keeps the first ones) */
	int recvs, sends;
};

extern struct fake_conn fake_conns[FAKE_CONNS_MAX];
extern int fake_nconns;       /* connections scripted */
extern int fake_connects;     /* dk_port_connect calls (script on) */
extern int fake_overrun;      /* waits for ever that nothing could end */
extern int64_t fake_slept[64];/* timeouts of waits without an fd */
extern int fake_nslept;

/* Turn the script on, empty: no connections, no signals pending,
 * captures cleared. */
void fake_script_reset(void);
/* Add the next connection (zeroed) and return it. */
struct fake_conn *fake_conn_add(void);
/* Its dk_port_connect fails with err (DK_ERR_CONNECT, DK_ERR_PATH_LONG,
 * ...) and why; signal steps added to it run at that connect. */
void fake_conn_fail(struct fake_conn *c, int err, const char *why);
void fake_data(struct fake_conn *c, const char *p, size_t n, size_t piece);
void fake_str(struct fake_conn *c, const char *s); /* data, whole */
void fake_eof(struct fake_conn *c);
void fake_err(struct fake_conn *c, int err);
void fake_again(struct fake_conn *c, long ms);
void fake_silence(struct fake_conn *c);
void fake_signal(struct fake_conn *c, enum dk_sig sig);
void fake_call(struct fake_conn *c, fake_call_fn fn, void *arg);

/* Raise a signal now: dk_port_signal_seen returns 1 once, then
 * dk_port_signal_take returns sig once (signals queue in order);
 * DK_SIG_STOP also makes dk_port_stop_requested return 1. */
void fake_raise(enum dk_sig sig);

/* The first line (without CRLF) of request i (0 = first) connection c
 * sent, into out; returns 1, or 0 (out "") when there is no such request. */
int fake_request_line(const struct fake_conn *c, int i, char *out,
                      size_t cap);

#endif
