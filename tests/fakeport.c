/* fakeport.c - fakes for the port's link-time functions (see fakeport.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "fakeport.h"
#include "err.h"
#include "endpoint.h"

int64_t fake_now_ms;
int64_t fake_wall_ns;
uint32_t fake_random;
char fake_log[8192];
int fake_log_lines;
const char *fake_dir_names;
int64_t fake_mtime;
const char *fake_errstr = "fake error";
char *const *fake_environ;
const char *fake_hooks_dir_why;
char fake_file[1024];
size_t fake_file_len;
int fake_file_exists, fake_file_writes, fake_file_fail;

struct fake_conn fake_conns[FAKE_CONNS_MAX];
int fake_nconns, fake_connects, fake_overrun;
int64_t fake_slept[64];
int fake_nslept;

static int script_on;
static enum dk_sig sigq[16];
static int nsig, sig_mark, stop_raised;

void fake_log_reset(void)
{
	fake_log[0] = '\0';
	fake_log_lines = 0;
}

int64_t dk_port_now_ms(void) { return fake_now_ms; }
int64_t dk_port_wall_ns(void) { return fake_wall_ns; }
uint32_t dk_port_random(void) { return fake_random; }
const char *dk_port_errstr(void) { return fake_errstr; }
void dk_port_set_err(int errnum, const char *text) { (void)errnum; (void)text; }

/* ---- signals ----------------------------------------------------------- */

void fake_raise(enum dk_sig sig)
{
	if (nsig < (int)(sizeof sigq / sizeof sigq[0]))
		sigq[nsig++] = sig;
	sig_mark = 1;
	if (sig == DK_SIG_STOP)
		stop_raised = 1;
}

int dk_port_signals_init(void) { return DK_OK; }
int dk_port_stop_requested(void) { return stop_raised; }
const char *dk_port_stop_name(void) { return "a stop"; }

int dk_port_signal_seen(void)
{
	int r = sig_mark;
	sig_mark = 0;
	return r;
}

enum dk_sig dk_port_signal_take(void)
{
	enum dk_sig s;

	if (nsig == 0)
		return DK_SIG_NONE;
	s = sigq[0];
	memmove(sigq, sigq + 1, (size_t)--nsig * sizeof sigq[0]);
	return s;
}

/* ---- the scripted transport --------------------------------------------- */

void fake_script_reset(void)
{
	/* Only the ones used: fake_conn_add zeroes each new one. */
	memset(fake_conns, 0, (size_t)fake_nconns * sizeof fake_conns[0]);
	fake_nconns = fake_connects = fake_overrun = fake_nslept = 0;
	nsig = sig_mark = stop_raised = 0;
	fake_errstr = "fake error";
	script_on = 1;
}

struct fake_conn *fake_conn_add(void)
{
	if (fake_nconns == FAKE_CONNS_MAX) {
		fprintf(stderr, "fakeport: more than %d connections scripted\n",
		        FAKE_CONNS_MAX);
		abort();
	}
	memset(&fake_conns[fake_nconns], 0, sizeof fake_conns[0]);
	return &fake_conns[fake_nconns++];
}

void fake_conn_fail(struct fake_conn *c, int err, const char *why)
{
	c->connect_err = err;
	c->connect_why = why;
}

static struct fake_step *add_step(struct fake_conn *c, enum fake_step_kind k)
{
	struct fake_step *s;

	if (c->nsteps == FAKE_STEPS_MAX) {
		fprintf(stderr, "fakeport: more than %d steps scripted\n",
		        FAKE_STEPS_MAX);
		abort();
	}
	s = &c->steps[c->nsteps++];
	memset(s, 0, sizeof *s);
	s->kind = k;
	return s;
}

void fake_data(struct fake_conn *c, const char *p, size_t n, size_t piece)
{
	struct fake_step *s = add_step(c, FAKE_DATA);
	s->p = p;
	s->n = n;
	s->piece = piece;
}

void fake_str(struct fake_conn *c, const char *s) { fake_data(c, s, strlen(s), 0); }
void fake_eof(struct fake_conn *c) { add_step(c, FAKE_EOF); }
void fake_err(struct fake_conn *c, int err) { add_step(c, FAKE_ERR)->arg = err; }
void fake_again(struct fake_conn *c, long ms) { add_step(c, FAKE_AGAIN)->arg = ms; }
void fake_silence(struct fake_conn *c) { add_step(c, FAKE_SILENCE); }
void fake_signal(struct fake_conn *c, enum dk_sig sig) { add_step(c, FAKE_SIGNAL)->arg = sig; }

void fake_call(struct fake_conn *c, fake_call_fn fn, void *arg)
{
	struct fake_step *s = add_step(c, FAKE_CALL);
	s->fn = fn;
	s->fn_arg = arg;
}

int fake_request_line(const struct fake_conn *c, int i, char *out, size_t cap)
{
	const char *p = c->sent, *e;
	size_t n;

	out[0] = '\0';
	/* Requests start at the beginning and after each blank line. */
	for (; i > 0 && p; i--)
		if ((p = strstr(p, "\r\n\r\n")))
			p += 4;
	if (!p || !*p || !(e = strstr(p, "\r\n")))
		return 0;
	n = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

static struct fake_conn *conn_of_fd(int fd)
{
	int i = fd - FAKE_FD_BASE;
	return i >= 0 && i < fake_nconns ? &fake_conns[i] : NULL;
}

static long t_recv(struct dk_transport *t, void *buf, size_t len)
{
	struct fake_conn *c = t->ctx;

	c->recvs++;
	while (c->cur < c->nsteps) {
		struct fake_step *s = &c->steps[c->cur];
		size_t k;

		switch (s->kind) {
		case FAKE_DATA:
			if (s->off == s->n) {
				c->cur++;
				break;
			}
			if (len == 0)
				return 0;
			k = s->n - s->off;
			if (s->piece && k > s->piece)
				k = s->piece;
			if (k > len)
				k = len;
			memcpy(buf, s->p + s->off, k);
			s->off += k;
			if (s->off == s->n)
				c->cur++;
			return (long)k;
		case FAKE_EOF:
			return 0;
		case FAKE_ERR:
			return s->arg;
		case FAKE_AGAIN:
		case FAKE_SILENCE:
			return DK_AGAIN;
		case FAKE_SIGNAL:
			c->cur++;
			fake_raise((enum dk_sig)s->arg);
			break;
		case FAKE_CALL:
			c->cur++;
			s->fn(c, s->fn_arg);
			break;
		}
	}
	return DK_AGAIN;
}

static long t_send(struct dk_transport *t, const void *buf, size_t len)
{
	struct fake_conn *c = t->ctx;
	size_t k = len;

	c->sends++;
	if (c->send_err)
		return c->send_err;
	if (c->send_again > 0) {
		c->send_again--;
		return DK_AGAIN;
	}
	if (c->send_max && k > c->send_max)
		k = c->send_max;
	if (c->nsent < FAKE_SENT_MAX) {
		size_t room = FAKE_SENT_MAX - c->nsent;
		memcpy(c->sent + c->nsent, buf, k < room ? k : room);
		c->sent[c->nsent + (k < room ? k : room)] = '\0';
	}
	c->nsent += k;
	return (long)k;
}

static size_t t_pending(struct dk_transport *t)
{
	(void)t;
	return 0;
}

static void t_close(struct dk_transport *t)
{
	struct fake_conn *c = t->ctx;

	if (c)
		c->closed++;
	t->fd = -1;
}

int dk_port_connect(struct dk_transport *t, const struct dk_endpoint *ep,
                    int timeout_ms, char *why, size_t whylen)
{
	struct fake_conn *c;
	int i;

	(void)ep;
	(void)timeout_ms;
	if (why && whylen)
		why[0] = '\0';
	t->recv = t_recv;
	t->send = t_send;
	t->pending = t_pending;
	t->close = t_close;
	t->fd = -1;
	t->ctx = NULL;
	if (!script_on) {
		if (why && whylen)
			snprintf(why, whylen, "fake port: no script");
		return DK_ERR_CONNECT;
	}
	if (fake_connects > fake_nconns + 50) {
		/* The stop raised at the end of the script was ignored. */
		fprintf(stderr, "fakeport: 50 connects past the script: the agent "
		        "does not stop\n");
		abort();
	}
	if (fake_connects++ >= fake_nconns) {
		if (why && whylen)
			snprintf(why, whylen, "fake: script ended");
		fake_raise(DK_SIG_STOP);
		return DK_ERR_CONNECT;
	}
	c = &fake_conns[fake_connects - 1];
	if (c->connect_err) {
		for (i = 0; i < c->nsteps; i++)
			if (c->steps[i].kind == FAKE_SIGNAL)
				fake_raise((enum dk_sig)c->steps[i].arg);
		if (why && whylen && c->connect_why)
			snprintf(why, whylen, "%s", c->connect_why);
		return c->connect_err;
	}
	c->connected = 1;
	c->connected_ms = fake_now_ms;
	t->fd = FAKE_FD_BASE + (fake_connects - 1);
	t->ctx = c;
	return DK_OK;
}

/* Is c's next step something a recv returns now? Runs signal and call
 * steps on the way and waits out again steps, spending *left ms of the
 * wait (< 0: for ever). Returns 1 ready, 0 not, 2 a signal was raised. */
static int conn_ready(struct fake_conn *c, long *left)
{
	while (c->cur < c->nsteps) {
		struct fake_step *s = &c->steps[c->cur];
		long need;

		switch (s->kind) {
		case FAKE_SIGNAL:
			c->cur++;
			fake_raise((enum dk_sig)s->arg);
			return 2;
		case FAKE_CALL:
			c->cur++;
			s->fn(c, s->fn_arg);
			continue;
		case FAKE_AGAIN:
			need = s->arg - (long)s->off;
			if (*left >= 0 && *left < need) {
				fake_now_ms += *left;
				s->off += (size_t)*left;
				*left = 0;
				return 0;
			}
			/* Waited out: what comes next (a signal raised
			 * during the wait, data, ...) decides. */
			fake_now_ms += need;
			if (*left >= 0)
				*left -= need;
			c->cur++;
			continue;
		case FAKE_SILENCE:
			return 0;
		default:
			return 1;
		}
	}
	return 0;
}

/* Processes, polling and hook directories: unit tests of the core never
 * start a hook; the real ones are tested in test_proc.c. Without a script,
 * polling reports a timeout at once and time stands still. */
int dk_port_poll(struct dk_pollfd *fds, int n, int timeout_ms)
{
	int i, ready = 0, any = 0;
	long left = timeout_ms;

	if (!script_on)
		return DK_WAIT_TIMEOUT;
	for (i = 0; i < n; i++)
		fds[i].revents = 0;
	if (nsig > 0)
		return DK_WAIT_SIGNAL;
	for (i = 0; i < n; i++) {
		struct fake_conn *c;
		int r;

		if (fds[i].fd < 0)
			continue;
		any = 1;
		if (!(c = conn_of_fd(fds[i].fd)) || !c->connected)
			continue;
		if (fds[i].events & DK_POLL_OUT) {
			fds[i].revents = DK_POLL_OUT;
			ready = 1;
			continue;
		}
		r = conn_ready(c, &left);
		if (r == 2)
			return DK_WAIT_SIGNAL;
		if (r == 1) {
			fds[i].revents = DK_POLL_IN;
			ready = 1;
		}
	}
	if (ready)
		return DK_WAIT_READY;
	if (left < 0) {
		fake_overrun++;
		fake_raise(DK_SIG_STOP);
		return DK_WAIT_SIGNAL;
	}
	fake_now_ms += left;
	if (!any && fake_nslept < (int)(sizeof fake_slept / sizeof fake_slept[0]))
		fake_slept[fake_nslept++] = timeout_ms;
	return DK_WAIT_TIMEOUT;
}

int dk_port_wait(int fd, int want_write, int timeout_ms)
{
	struct dk_pollfd p;

	p.fd = fd;
	p.events = want_write ? DK_POLL_OUT : DK_POLL_IN;
	return dk_port_poll(&p, fd >= 0 ? 1 : 0, timeout_ms);
}

void dk_port_log_open(int use_syslog, enum dk_log_level max_level)
{
	(void)use_syslog;
	(void)max_level;
}

void dk_port_log(enum dk_log_level level, const char *fmt, ...)
{
	size_t n = strlen(fake_log);
	va_list ap;
	(void)level;
	va_start(ap, fmt);
	if (n < sizeof fake_log - 1)
		vsnprintf(fake_log + n, sizeof fake_log - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(fake_log);
	if (n < sizeof fake_log - 1) {
		fake_log[n] = '\n';
		fake_log[n + 1] = '\0';
	}
	fake_log_lines++;
}

int dk_port_spawn(const char *path, char *const argv[], char *const envp[],
                  int *pid, int *stdin_fd, char *why, size_t whylen)
{
	return dk_port_spawn_at(-1, path, argv, envp, NULL, pid, stdin_fd, why,
	                        whylen);
}

int dk_port_spawn_at(int dirfd, const char *path, char *const argv[],
                     char *const envp[], const struct dk_port_cred *cred,
                     int *pid, int *stdin_fd, char *why, size_t whylen)
{
	(void)dirfd;
	(void)cred;
	(void)path;
	(void)argv;
	(void)envp;
	(void)pid;
	(void)stdin_fd;
	if (why && whylen)
		snprintf(why, whylen, "fake port cannot spawn");
	return DK_ERR_UNSUPPORTED;
}

void dk_port_kill_group(int pgid, int sig) { (void)pgid; (void)sig; }
int dk_port_group_alive(int pgid) { (void)pgid; return 0; }
int dk_port_reap(int *code) { (void)code; return -1; }
void dk_port_close(int fd) { (void)fd; }

/* stdout (fd 1) is written for real: the printers' tests read it back;
 * a hook's stdin takes everything. */
long (*fake_write)(int fd, const void *buf, size_t len);

long dk_port_write(int fd, const void *buf, size_t len)
{
	if (fake_write)
		return fake_write(fd, buf, len);
	if (fd == 1) {
		ssize_t w = write(1, buf, len);
		return w < 0 ? DK_ERR_IO : (long)w;
	}
	return (long)len;
}

int dk_port_out_nonblock(int fd)
{
	(void)fd;
	return 0;
}

void dk_port_out_restore(int fd)
{
	(void)fd;
}

char *const *dk_port_environ(void)
{
	static char *const empty[] = { NULL };
	return fake_environ ? fake_environ : empty;
}

int64_t dk_port_mtime(const char *path)
{
	(void)path;
	return fake_dir_names ? fake_mtime : -1;
}

/* The next name of fake_dir_names (NUL-separated, ends with "\0\0"). */
int dk_port_dir_next(const char *dir, const char *after, char *name,
                     size_t cap)
{
	const char *p, *best = NULL;

	(void)dir;
	for (p = fake_dir_names; p && *p; p += strlen(p) + 1)
		if (strcmp(p, after) > 0 && (!best || strcmp(p, best) < 0))
			best = p;
	if (!best || strlen(best) >= cap)
		return 0;
	strcpy(name, best);
	return 1;
}

int dk_port_hooks_dir_stat(const char *dir, int64_t *mtime, char *why,
                           size_t whylen)
{
	(void)dir;
	if (why && whylen)
		snprintf(why, whylen, "%s", fake_hooks_dir_why ? fake_hooks_dir_why : "");
	if (!fake_dir_names)
		return DK_ERR_IO;
	if (fake_hooks_dir_why)
		return DK_ERR_PARAM;
	if (mtime)
		*mtime = fake_mtime;
	return DK_OK;
}

int dk_port_script_open(const char *root, const char *sub, const char *name,
                        int *dirfd, char *why, size_t whylen)
{
	(void)root;
	(void)sub;
	(void)name;
	*dirfd = -1;
	if (why && whylen)
		why[0] = '\0';
	return DK_OK;
}

int dk_port_open_null(void) { return -1; }

long dk_port_file_read(const char *path, char *buf, size_t cap)
{
	(void)path;
	if (!fake_file_exists)
		return 0;
	if (fake_file_len > cap)
		return DK_ERR_NOSPACE;
	memcpy(buf, fake_file, fake_file_len);
	return (long)fake_file_len;
}

long dk_port_state_read(const char *path, char *buf, size_t cap, int *exists)
{
	*exists = fake_file_exists;
	return dk_port_file_read(path, buf, cap);
}

int dk_port_file_replace(const char *path, const void *buf, size_t len)
{
	(void)path;
	if (fake_file_fail || len > sizeof fake_file)
		return DK_ERR_IO;
	memcpy(fake_file, buf, len);
	fake_file_len = len;
	fake_file_exists = 1;
	fake_file_writes++;
	return DK_OK;
}

/* The scripted transport never waits inside a connect. */
void dk_port_set_wait(dk_port_wait_fn fn, void *ctx)
{
	(void)fn;
	(void)ctx;
}

int dk_port_wait_fd(int fd, int want_write, int64_t deadline)
{
	(void)fd;
	(void)want_write;
	(void)deadline;
	return 1;
}
