/* posix.c - the link-time half of the port on POSIX systems: clocks, jitter
 * randomness, the log (stderr or syslog), the last-failure text, signals
 * turned into bytes on a self-pipe (skalibs selfpipe) and the one poll()
 * that waits on them and on the caller's fds. The transports live in sock.c
 * and tls_*.c, hook processes in proc.c, hook directories in fs.c.
 */
/* pipe2() is still behind _GNU_SOURCE in glibc, musl and uClibc-ng.
 * (A feature-test macro is reserved for exactly this use.) */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "port.h"
#include "err.h"
#include "out.h"

/* Port-private: sock.c and the TLS ports record why they failed here.
 * errnum != 0 selects strerror(errnum); otherwise text is copied. */

/* ---- last failure --------------------------------------------------- */

/* Copied, not pointed to: a TLS library's reason string may not outlive
 * its context, and strerror's buffer may be reused. */
static char err_text[256] = "no error"; /* TLS reasons name the URL */

void dk_port_set_err(int errnum, const char *text)
{
	if (errnum)
		text = strerror(errnum);
	if (!text)
		text = "unknown error";
	snprintf(err_text, sizeof err_text, "%s", text);
}

const char *dk_port_errstr(void)
{
	return err_text;
}

void dk_port_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* ---- clock and random ----------------------------------------------- */

int64_t dk_port_now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer on the systems we
	 * build for; a zero clock would still only make timeouts early. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t dk_port_wall_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64* (Vigna): jitter only needs to decorrelate agents restarted
 * together, so one seed read at first use is enough. */
static uint64_t rng_state;

static void rng_seed(void)
{
	uint64_t s = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &s, sizeof s) != (ssize_t)sizeof s)
			s = 0;
		close(fd);
	}
	/* No /dev in an early-boot chroot: time and pid still differ between
	 * boards that booted at different moments. */
	if (s == 0)
		s = (uint64_t)dk_port_wall_ns() ^ ((uint64_t)getpid() << 32) ^
		    (uint64_t)dk_port_now_ms();
	rng_state = s ? s : 0x9e3779b97f4a7c15ull; /* the state must not be 0 */
}

uint32_t dk_port_random(void)
{
	if (rng_state == 0)
		rng_seed();
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	/* The high bits of the product are the well-mixed ones. */
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* ---- log ---------------------------------------------------------------- */

/* Below PIPE_BUF, so one write() of a line to a pipe is atomic and lines
 * from the agent and its hooks sharing stderr never interleave. */
#define LOG_LINE 1024

static int log_syslog;
static enum dk_log_level log_max = DK_LOG_INFO;

void dk_port_log_open(int use_syslog, enum dk_log_level max_level)
{
	if (log_syslog && !use_syslog)
		closelog();
	if (use_syslog && !log_syslog)
		openlog("dockev", LOG_PID, LOG_DAEMON);
	log_syslog = use_syslog != 0;
	log_max = max_level;
}

void dk_port_log(enum dk_log_level level, const char *fmt, ...)
{
	static const char *const tag[] = {
		[DK_LOG_NOTICE] = "dockev: ",
		[DK_LOG_ERR] = "dockev: error: ",
		[DK_LOG_WARN] = "dockev: warning: ",
		[DK_LOG_INFO] = "dockev: ",
		[DK_LOG_DEBUG] = "dockev: ",
	};
	static const int prio[] = {
		[DK_LOG_NOTICE] = LOG_NOTICE,
		[DK_LOG_ERR] = LOG_ERR,
		[DK_LOG_WARN] = LOG_WARNING,
		[DK_LOG_INFO] = LOG_INFO,
		[DK_LOG_DEBUG] = LOG_DEBUG,
	};
	char line[LOG_LINE], raw[LOG_LINE];
	struct dk_out o;
	size_t head, n, cap;
	int r, saved = errno; /* callers log and then look at errno */
	va_list ap;

	if (level > log_max || (unsigned)level > DK_LOG_DEBUG)
		return;
	/* syslog adds its own "dockev[pid]:" and carries the level. */
	head = log_syslog ? 0 : strlen(tag[level]);
	memcpy(line, tag[level], head);
	va_start(ap, fmt);
	r = vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	if (r < 0)
		r = 0;
	n = (size_t)r < sizeof raw ? (size_t)r : sizeof raw - 1;
	/* Messages carry event and engine text (an Action, a label, an
	 * error body): one line each, whatever bytes that text holds, so
	 * none can forge a line of its own or act on a terminal. Room for
	 * "..." and the newline. */
	cap = sizeof line - head - 4;
	dk_out_init(&o, line + head, cap);
	dk_out_text(&o, raw, n);
	n = o.fit;
	if (o.len > cap || (size_t)r >= sizeof raw) {
		memcpy(line + head + n, "...", 3);
		n += 3;
	}
	n += head;
	if (log_syslog) {
		line[n] = '\0';
		syslog(prio[level], "%s", line);
	} else {
		const char *p = line;
		ssize_t w;

		line[n++] = '\n';
		/* A log write that fails has nowhere to be reported. */
		while (n > 0) {
			w = write(STDERR_FILENO, p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			p += w;
			n -= (size_t)w;
		}
	}
	errno = saved;
}

/* ---- signals and waiting ----------------------------------------------- */

#define SIG_BYTE_STOP 'S'
#define SIG_BYTE_STATS 'U'
#define SIG_BYTE_CHILD 'C'

static int sig_pipe[2] = { -1, -1 };
/* Signals whose disposition is not the default: ours, and whatever the
 * agent was started with ignored (nohup, a shell's background job). A
 * spawned hook resets only these, rather than all 64 while the agent
 * waits in vfork. sig_taken: the snapshot exists. */
static sigset_t sig_changed;
static int sig_taken;
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t sig_seen; /* for the read loop's cheap check */

/* A full pipe drops the byte; by then 64 KiB of unread signal bytes are
 * already waiting, so the wake-up is not lost. For SIGCHLD one byte may
 * stand for several children: the taker reaps until none is left. */
static void sig_handler(int sig)
{
	int saved = errno;
	char b;
	ssize_t w;

	if (sig == SIGUSR1) {
		b = SIG_BYTE_STATS;
	} else if (sig == SIGCHLD) {
		b = SIG_BYTE_CHILD;
	} else {
		b = SIG_BYTE_STOP;
		stop_requested = sig;
	}
	w = write(sig_pipe[1], &b, 1);
	sig_seen = 1;

	(void)w;
	errno = saved;
}

/* The byte is written before the mark is set, so whoever sees the mark
 * finds the byte; a signal between the test and the clear has its byte in
 * the pipe too, and the caller takes every byte next. */
int dk_port_signal_seen(void)
{
	if (!sig_seen)
		return 0;
	sig_seen = 0;
	return 1;
}

int dk_port_stop_requested(void)
{
	return stop_requested != 0;
}

const char *dk_port_stop_name(void)
{
	switch (stop_requested) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	default: return "a stop";
	}
}

int dk_port_signal_changed(int sig)
{
	return !sig_taken || sigismember(&sig_changed, sig) == 1;
}

/* What the agent was started with: once, before any handler of ours. */
static void take_dispositions(void)
{
	struct sigaction old;
	int sig;

	sigemptyset(&sig_changed);
	for (sig = 1; sig < NSIG; sig++)
		if (sigaction(sig, NULL, &old) == 0 &&
		    ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL))
			sigaddset(&sig_changed, sig);
	sigaddset(&sig_changed, SIGINT);
	sigaddset(&sig_changed, SIGTERM);
	sigaddset(&sig_changed, SIGHUP);
	sigaddset(&sig_changed, SIGUSR1);
	sigaddset(&sig_changed, SIGCHLD);
	sigaddset(&sig_changed, SIGPIPE);
	sig_taken = 1;
}

int dk_port_signals_init(void)
{
	struct sigaction sa;

	if (!sig_taken)
		take_dispositions();
	if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		dk_port_set_err(errno, NULL);
		return DK_ERR_IO;
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = sig_handler;
	/* No SA_RESTART for stop: a blocking write (stdout to a stalled
	 * consumer, a hook's stdin) must give up so the agent can exit. */
	sa.sa_flags = 0;
	/* SIGHUP (a closed terminal, a reload without a reload command)
	 * stops cleanly too: the default would end the agent without its
	 * last --state write or a log line. Nothing is there to reload. */
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0)
		goto fail;
	/* Stats may restart: nothing should be cut short to print counters. */
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		goto fail;
	/* Hooks end all the time; that must not cut a write short either.
	 * Stopped or continued hooks are not news: only exits are reaped. */
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	if (sigaction(SIGCHLD, &sa, NULL) != 0)
		goto fail;
	/* Sends use MSG_NOSIGNAL; this covers stdout and hook stdin pipes.
	 * SIG_IGN is inherited across exec: spawn must reset it to default. */
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		goto fail;
	return DK_OK;
fail:
	dk_port_set_err(errno, NULL);
	return DK_ERR_IO;
}

enum dk_sig dk_port_signal_take(void)
{
	char b;
	ssize_t r;

	if (sig_pipe[0] < 0)
		return DK_SIG_NONE;
	do
		r = read(sig_pipe[0], &b, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		return DK_SIG_NONE;
	switch (b) {
	case SIG_BYTE_STATS:
		return DK_SIG_STATS;
	case SIG_BYTE_CHILD:
		return DK_SIG_CHILD;
	default:
		return DK_SIG_STOP;
	}
}

/* One poll() for the whole agent: the self-pipe comes first, then the
 * caller's fds >= 0 in order. The self-pipe is only looked at, never read:
 * the byte stays until dk_port_signal_take, so a signal is never lost
 * between the wait and the loop that handles it. */
int dk_port_poll(struct dk_pollfd *fds, int n, int timeout_ms)
{
	struct pollfd p[1 + DK_POLL_MAX];
	nfds_t np = 0;
	int64_t deadline = timeout_ms >= 0 ? dk_port_now_ms() + timeout_ms : 0;
	int ms = timeout_ms, r, i, ready = 0, bad = 0, sig_i = -1;

	if (n < 0 || (n > 0 && !fds))
		return DK_ERR_PARAM;
	if (sig_pipe[0] >= 0) {
		p[np].fd = sig_pipe[0];
		p[np].events = POLLIN;
		sig_i = (int)np++;
	}
	for (i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		if (np == sizeof p / sizeof p[0]) {
			dk_port_set_err(0, "too many fds to poll");
			return DK_ERR_PARAM;
		}
		p[np].fd = fds[i].fd;
		p[np].events = (short)(((fds[i].events & DK_POLL_IN) ? POLLIN : 0) |
		                       ((fds[i].events & DK_POLL_OUT) ? POLLOUT : 0));
		p[np].revents = 0;
		np++;
	}
	for (;;) {
		r = poll(p, np, ms);
		if (r >= 0)
			break;
		if (errno != EINTR) {
			dk_port_set_err(errno, NULL);
			return DK_ERR_IO;
		}
		/* Our own signal left a byte in the pipe, so the next poll
		 * returns at once; anyone else's must not stretch the wait. */
		if (timeout_ms >= 0) {
			int64_t left = deadline - dk_port_now_ms();
			ms = left > 0 ? (int)left : 0;
		}
	}
	if (r == 0)
		return DK_WAIT_TIMEOUT;
	np = sig_i >= 0 ? 1 : 0;
	for (i = 0; i < n; i++) {
		short re;

		if (fds[i].fd < 0)
			continue;
		re = p[np++].revents;
		if (re & POLLNVAL)
			bad = 1;
		/* POLLHUP/POLLERR count as ready: the next read or write
		 * reports why. */
		fds[i].revents = ((re & POLLIN) ? DK_POLL_IN : 0) |
		                 ((re & POLLOUT) ? DK_POLL_OUT : 0) |
		                 ((re & (POLLERR | POLLHUP)) ? DK_POLL_ERR : 0);
		if (fds[i].revents)
			ready = 1;
	}
	/* Checked first: a stop must win over a stream that never idles. */
	if (sig_i >= 0 && (p[sig_i].revents & POLLIN))
		return DK_WAIT_SIGNAL;
	/* A closed fd handed in is a bug in the caller; say so rather than
	 * spin on an fd that poll() calls "ready" forever. */
	if (bad) {
		dk_port_set_err(EBADF, NULL);
		return DK_ERR_IO;
	}
	return ready ? DK_WAIT_READY : DK_WAIT_TIMEOUT;
}

int dk_port_wait(int fd, int want_write, int timeout_ms)
{
	struct dk_pollfd p;

	p.fd = fd;
	p.events = want_write ? DK_POLL_OUT : DK_POLL_IN;
	return dk_port_poll(&p, 1, timeout_ms);
}

static dk_port_wait_fn lent_wait;
static void *lent_ctx;

void dk_port_set_wait(dk_port_wait_fn fn, void *ctx)
{
	lent_wait = fn;
	lent_ctx = ctx;
}

int dk_port_wait_fd(int fd, int want_write, int64_t deadline)
{
	struct pollfd p;

	if (lent_wait)
		return lent_wait(lent_ctx, fd, want_write, deadline);
	/* No loop (the port's own tests): the fd alone, not the signal
	 * pipe, so that a pending SIGUSR1 does not end the wait. */
	p.fd = fd;
	p.events = want_write ? POLLOUT : POLLIN;
	for (;;) {
		int64_t left = deadline < 0 ? 100 : deadline - dk_port_now_ms();
		int r;

		if (dk_port_stop_requested())
			return DK_STOP;
		if (left <= 0)
			return DK_WAIT_TIMEOUT;
		r = poll(fd >= 0 ? &p : NULL, fd >= 0 ? 1 : 0, left > 100 ? 100 : (int)left);
		if (r > 0)
			return DK_WAIT_READY;
		if (r < 0 && errno != EINTR) {
			dk_port_set_err(errno, NULL);
			return DK_ERR_IO;
		}
	}
}

/* ---- stdout ------------------------------------------------------------ */

static int out_flags = -1; /* fd's flags before we added O_NONBLOCK */

int dk_port_out_nonblock(int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) != 0 || (fl = fcntl(fd, F_GETFL)) < 0) {
		dk_port_set_err(errno, NULL);
		return DK_ERR_IO;
	}
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		return 0;
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
		dk_port_set_err(errno, NULL);
		return DK_ERR_IO;
	}
	out_flags = fl;
	return 1;
}

void dk_port_out_restore(int fd)
{
	if (out_flags >= 0 && !(out_flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, out_flags);
	out_flags = -1;
}
