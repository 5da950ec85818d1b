/* test_port.c - the real POSIX port (posix.c, sock.c, tls_none.c) against
 * real sockets, pipes and signals; unlike the other unit tests it links no
 * fakes. Endpoints are filled by hand so endpoint.c is not needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "t.h"
#include "port.h"
#include "tls.h"
#include "endpoint.h"
#include "err.h"
#include "config.h"

#define NO_TLS "dockev was built without TLS (TLS=none); rebuild with TLS=mbedtls"
#define NOT_SET_UP "TLS: not set up (dk_tls_setup)"

static char tmpdir[64];
static char inherited[256]; /* fds open before the port ran: not ours */
static char why[512];

static void ep_unix(struct dk_endpoint *ep, const char *path)
{
	memset(ep, 0, sizeof *ep);
	ep->kind = DK_EP_UNIX;
	snprintf(ep->path, sizeof ep->path, "%s", path);
	snprintf(ep->url, sizeof ep->url, "unix://%s", path);
}

static void ep_tcp(struct dk_endpoint *ep, const char *host, const char *port,
                   int tls)
{
	memset(ep, 0, sizeof *ep);
	ep->kind = DK_EP_TCP;
	ep->tls = tls;
	snprintf(ep->host, sizeof ep->host, "%s", host);
	snprintf(ep->port, sizeof ep->port, "%s", port);
}

static int listen_unix(const char *path, int backlog)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fd, backlog) != 0) {
		perror("listen_unix");
		exit(1);
	}
	return fd;
}

/* A TCP socket bound to addr on a free port (written to port); listening
 * unless do_listen is 0 (then connects to it are refused). -1 when the
 * address family or address is not available here. */
static int bind_tcp(int family, const char *addr, int do_listen, char *port,
                    size_t portlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof *s4;
	} else {
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof *s6;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    (do_listen && listen(fd, 8) != 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		close(fd);
		return -1;
	}
	snprintf(port, portlen, "%u", ntohs(family == AF_INET ? s4->sin_port :
	                                    s6->sin6_port));
	return fd;
}

static int is_cloexec(int fd)
{
	int f = fcntl(fd, F_GETFD);
	return f >= 0 && (f & FD_CLOEXEC);
}

static int is_nonblock(int fd)
{
	int f = fcntl(fd, F_GETFL);
	return f >= 0 && (f & O_NONBLOCK);
}

static int sockopt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof v;

	if (getsockopt(fd, level, name, &v, &len) != 0)
		return -1;
	return v;
}

/* Exchange a few bytes both ways between a connected transport and the
 * accepted server side s. */
static void exchange(struct dk_transport *t, int s, const char *what)
{
	char buf[64];
	long n;

	T_EQ(write(s, "hello", 5), 5, "%s: server writes", what);
	T_EQ(dk_port_wait(t->fd, 0, 2000), 1, "%s: wait says readable", what);
	n = t->recv(t, buf, sizeof buf);
	T_STR(buf, n > 0 ? (size_t)n : 0, "hello", "%s: recv gets the bytes", what);
	T_EQ(dk_port_wait(t->fd, 1, 0), 1, "%s: wait says writable", what);
	T_EQ(t->send(t, "ping", 4), 4, "%s: send", what);
	n = read(s, buf, sizeof buf);
	T_STR(buf, n > 0 ? (size_t)n : 0, "ping", "%s: server reads the bytes", what);
	T_EQ(t->pending(t), 0, "%s: nothing pending on a plain socket", what);
}

static void test_clock_random(void)
{
	int64_t a = dk_port_now_ms(), b, w;
	uint32_t r[64];
	int i, j, dup = 0;
	struct timespec ts = { 0, 20 * 1000000 };

	nanosleep(&ts, NULL);
	b = dk_port_now_ms();
	T_OK(b - a >= 19 && b - a < 1000, "monotonic clock advances in ms (%lld)",
	     (long long)(b - a));
	w = dk_port_wall_ns();
	T_OK(w / 1000000000 - (int64_t)time(NULL) <= 1 &&
	     (int64_t)time(NULL) - w / 1000000000 <= 1, "wall clock is Unix ns");
	for (i = 0; i < 64; i++)
		r[i] = dk_port_random();
	for (i = 0; i < 64; i++)
		for (j = i + 1; j < 64; j++)
			dup += r[i] == r[j];
	T_EQ(dup, 0, "64 random draws differ");
}

static void test_log(void)
{
	int p[2], saved;
	char buf[8192], big[3000];
	ssize_t n, got = 0;
	const char *want = "dockev: error: e 1\ndockev: warning: w\ndockev: i\n";
	char *line2;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	if (pipe(p) != 0)
		return;
	fflush(stdout);
	saved = dup(2);
	dup2(p[1], 2);
	close(p[1]);

	dk_port_log_open(0, DK_LOG_INFO);
	dk_port_log(DK_LOG_ERR, "e %d", 1);
	dk_port_log(DK_LOG_WARN, "w");
	dk_port_log(DK_LOG_INFO, "i");
	dk_port_log(DK_LOG_DEBUG, "dropped");
	errno = ENOENT;
	dk_port_log(DK_LOG_INFO, "%s", big);
	T_EQ(errno, ENOENT, "log keeps errno");
	dk_port_log_open(0, DK_LOG_ERR);
	dk_port_log(DK_LOG_WARN, "dropped");
	dk_port_log_open(0, DK_LOG_DEBUG);
	dk_port_log(DK_LOG_DEBUG, "d");
	/* syslog goes wherever the host sends it; only check it does not
	 * disturb stderr and closes again. */
	dk_port_log_open(1, DK_LOG_DEBUG);
	dk_port_log(DK_LOG_DEBUG, "dockev test_port: syslog line");
	dk_port_log_open(0, DK_LOG_INFO);

	dup2(saved, 2);
	close(saved);
	while ((n = read(p[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
		got += n;
	close(p[0]);
	buf[got] = '\0';

	T_OK(strncmp(buf, want, strlen(want)) == 0, "stderr lines with level tags");
	line2 = buf + strlen(want);
	n = strchr(line2, '\n') ? strchr(line2, '\n') - line2 + 1 : 0;
	T_OK(n > 900 && n <= 1024 && strncmp(line2, "dockev: xxx", 11) == 0 &&
	     strncmp(line2 + n - 4, "...\n", 4) == 0,
	     "long line truncated with ... (%zd bytes)", n);
	T_OK(strcmp(line2 + n, "dockev: d\n") == 0,
	     "levels above max dropped, debug shown when asked");
	T_OK(strstr(buf, "dropped") == NULL && strstr(buf, "syslog") == NULL,
	     "nothing else on stderr");
}

/* A lent wait that says "stop" at its third call. */
static int lent_calls;
static int lent(void *ctx, int fd, int want_write, int64_t deadline)
{
	(void)ctx;
	(void)fd;
	(void)want_write;
	(void)deadline;
	return ++lent_calls < 3 ? DK_WAIT_TIMEOUT : DK_STOP;
}

static void test_unix(void)
{
	struct dk_endpoint ep;
	struct dk_transport t;
	char path[100], buf[16], want[256];
	int lfd, s, c[16], i, nc;
	int64_t t0;

	snprintf(path, sizeof path, "%s/engine.sock", tmpdir);
	lfd = listen_unix(path, 8);
	ep_unix(&ep, path);
	T_EQ(dk_port_connect(&t, &ep, 1000, why, sizeof why), DK_OK,
	     "unix: connect to a listening socket");
	T_OK(t.fd >= 0 && is_cloexec(t.fd), "unix: fd is close-on-exec");
	T_OK(is_nonblock(t.fd), "unix: fd is non-blocking");
	s = accept(lfd, NULL, NULL);
	T_OK(s >= 0, "unix: server accepts");
	T_EQ(t.recv(&t, buf, sizeof buf), DK_AGAIN,
	     "unix: recv on an empty socket is DK_AGAIN");
	T_EQ(dk_port_wait(t.fd, 0, 0), 0, "unix: wait(0) on an idle socket is 0");
	exchange(&t, s, "unix");
	T_EQ(t.recv(&t, buf, 0), DK_ERR_PARAM, "unix: recv of 0 bytes is not EOF");
	close(s);
	T_EQ(dk_port_wait(t.fd, 0, 1000), 1, "unix: peer close wakes the wait");
	T_EQ(t.recv(&t, buf, sizeof buf), 0, "unix: orderly end is 0");
	/* No SIGPIPE handler is installed yet: MSG_NOSIGNAL alone saves us. */
	T_EQ(t.send(&t, "x", 1), DK_ERR_IO, "unix: send to a closed peer fails");
	T_OK(strcmp(dk_port_errstr(), strerror(EPIPE)) == 0,
	     "unix: errstr keeps errno (%s)", dk_port_errstr());
	t.close(&t);
	T_EQ(t.fd, -1, "unix: close sets fd -1");
	t.close(&t);
	T_EQ(t.fd, -1, "unix: close is idempotent");
	T_EQ(t.recv(&t, buf, sizeof buf), DK_ERR_IO, "unix: recv after close fails");
	close(lfd);

	/* The socket file is still there but nobody listens. */
	T_EQ(dk_port_connect(&t, &ep, 1000, why, sizeof why), DK_ERR_CONNECT,
	     "unix: stale socket file is DK_ERR_CONNECT");
	snprintf(want, sizeof want, "connect unix://%s: Connection refused", path);
	T_OK(strcmp(why, want) == 0, "unix: why is '%s'", why);
	T_EQ(t.fd, -1, "unix: failed connect leaves fd -1");
	unlink(path);

	T_EQ(dk_port_connect(&t, &ep, 1000, why, sizeof why), DK_ERR_CONNECT,
	     "unix: missing socket is DK_ERR_CONNECT");
	snprintf(want, sizeof want, "connect unix://%s: No such file or directory",
	         path);
	T_OK(strcmp(why, want) == 0, "unix: why names the path: '%s'", why);
	T_OK(strcmp(dk_port_errstr(), "No such file or directory") == 0,
	     "unix: errstr is strerror(ENOENT)");

	memset(ep.path, 'a', sizeof ep.path);
	T_EQ(dk_port_connect(&t, &ep, 1000, why, sizeof why), DK_ERR_PATH_LONG,
	     "unix: unterminated 108-byte path rejected, not truncated");
	T_OK(strstr(why, "longer than 107 bytes") != NULL, "unix: why: '%s'", why);
	ep.path[sizeof ep.path - 1] = '\0';
	T_EQ(dk_port_connect(&t, &ep, 1000, why, sizeof why), DK_ERR_CONNECT,
	     "unix: 107-byte path is tried");
	ep.path[0] = '\0';
	T_EQ(dk_port_connect(&t, &ep, 1000, why, sizeof why), DK_ERR_PARAM,
	     "unix: empty path rejected");

	/* A full backlog answers EAGAIN: retried until the timeout. */
	lfd = listen_unix(path, 0);
	for (nc = 0; nc < 16; nc++) {
		struct sockaddr_un sa;

		memset(&sa, 0, sizeof sa);
		sa.sun_family = AF_UNIX;
		snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
		c[nc] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (connect(c[nc], (struct sockaddr *)&sa, sizeof sa) != 0) {
			close(c[nc]);
			break;
		}
	}
	ep_unix(&ep, path);
	t0 = dk_port_now_ms();
	T_EQ(dk_port_connect(&t, &ep, 150, why, sizeof why), DK_ERR_TIMEOUT,
	     "unix: full backlog times out (%d queued)", nc);
	t0 = dk_port_now_ms() - t0;
	T_OK(t0 >= 145 && t0 < 1000, "unix: after the timeout (%lld ms)",
	     (long long)t0);
	snprintf(want, sizeof want, "connect unix://%s: timed out", path);
	T_OK(strcmp(why, want) == 0, "unix: why: '%s'", why);
	/* The loop lends its wait: a connect waits through it (hooks and
	 * signals are served), and a stop it reports ends the connect. */
	lent_calls = 0;
	dk_port_set_wait(lent, NULL);
	T_EQ(dk_port_connect(&t, &ep, 5000, why, sizeof why), DK_ERR_CONNECT,
	     "unix: a stop from the lent wait ends the connect");
	T_EQ(lent_calls, 3, "unix: the connect waited through the lent wait");
	dk_port_set_wait(NULL, NULL);
	for (i = 0; i < nc; i++)
		close(c[i]);
	close(lfd);
	unlink(path);
}

static void test_tcp4(void)
{
	struct dk_endpoint ep;
	struct dk_transport t;
	struct linger lg = { 1, 0 };
	char port[8], port2[8], buf[16], want[128];
	int lfd, nfd, s;

	lfd = bind_tcp(AF_INET, "127.0.0.1", 1, port, sizeof port);
	T_OK(lfd >= 0, "tcp4: listener on 127.0.0.1:%s", port);
	if (lfd < 0)
		return;
	ep_tcp(&ep, "127.0.0.1", port, 0);
	T_EQ(dk_port_connect(&t, &ep, 2000, why, sizeof why), DK_OK,
	     "tcp4: connect (%s)", why);
	s = accept(lfd, NULL, NULL);
	T_OK(s >= 0, "tcp4: server accepts");
	T_OK(is_cloexec(t.fd), "tcp4: fd is close-on-exec");
	T_OK(is_nonblock(t.fd), "tcp4: fd is non-blocking");
	T_EQ(sockopt(t.fd, SOL_SOCKET, SO_KEEPALIVE), 1, "tcp4: SO_KEEPALIVE on");
	T_EQ(sockopt(t.fd, IPPROTO_TCP, TCP_KEEPIDLE), DK_KEEPALIVE_IDLE_S,
	     "tcp4: TCP_KEEPIDLE from config.h");
	T_EQ(sockopt(t.fd, IPPROTO_TCP, TCP_KEEPINTVL), DK_KEEPALIVE_INTVL_S,
	     "tcp4: TCP_KEEPINTVL from config.h");
	T_EQ(sockopt(t.fd, IPPROTO_TCP, TCP_KEEPCNT), DK_KEEPALIVE_CNT,
	     "tcp4: TCP_KEEPCNT from config.h");
	T_EQ(sockopt(t.fd, IPPROTO_TCP, TCP_USER_TIMEOUT),
	     (DK_KEEPALIVE_IDLE_S + DK_KEEPALIVE_INTVL_S * DK_KEEPALIVE_CNT) * 1000,
	     "tcp4: TCP_USER_TIMEOUT matches the keepalive bound");
	T_EQ(t.recv(&t, buf, sizeof buf), DK_AGAIN, "tcp4: empty recv is DK_AGAIN");
	exchange(&t, s, "tcp4");
	/* An abortive close (RST) is an I/O error, with errno's text kept. */
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(s);
	T_EQ(dk_port_wait(t.fd, 0, 1000), 1, "tcp4: reset wakes the wait");
	T_EQ(t.recv(&t, buf, sizeof buf), DK_ERR_IO, "tcp4: reset is DK_ERR_IO");
	T_OK(strcmp(dk_port_errstr(), strerror(ECONNRESET)) == 0,
	     "tcp4: errstr '%s'", dk_port_errstr());
	t.close(&t);

	/* localhost may resolve to ::1 first, which refuses: then 127.0.0.1. */
	ep_tcp(&ep, "localhost", port, 0);
	T_EQ(dk_port_connect(&t, &ep, 2000, why, sizeof why), DK_OK,
	     "tcp: localhost resolves and connects (%s)", why);
	s = accept(lfd, NULL, NULL);
	if (s >= 0)
		exchange(&t, s, "localhost");
	close(s);
	t.close(&t);

	/* TLS asked of a TLS-less build, or of a TLS build before
	 * dk_tls_setup: the TCP connect succeeds, then the fd is closed and
	 * the reason given. (tls.t tests the handshakes.) */
	ep_tcp(&ep, "127.0.0.1", port, 1);
	T_EQ(dk_port_connect(&t, &ep, 2000, why, sizeof why), DK_ERR_TLS,
	     "tls: requested without TLS (set up) is DK_ERR_TLS");
	T_OK(strcmp(why, dk_tls_backend() ? NOT_SET_UP : NO_TLS) == 0,
	     "tls: why: '%s'", why);
	T_OK(strcmp(dk_port_errstr(), why) == 0, "tls: errstr says so too");
	T_EQ(t.fd, -1, "tls: transport closed");
	s = accept(lfd, NULL, NULL);
	T_OK(s >= 0 && read(s, buf, sizeof buf) == 0,
	     "tls: server saw the connection closed without a byte");
	close(s);
	close(lfd);

	/* Bound but not listening: the kernel answers RST. Kept open so no
	 * one else can take the port meanwhile. */
	nfd = bind_tcp(AF_INET, "127.0.0.1", 0, port2, sizeof port2);
	ep_tcp(&ep, "127.0.0.1", port2, 0);
	T_EQ(dk_port_connect(&t, &ep, 2000, why, sizeof why), DK_ERR_CONNECT,
	     "tcp4: refused is DK_ERR_CONNECT");
	snprintf(want, sizeof want, "connect 127.0.0.1:%s: Connection refused", port2);
	T_OK(strcmp(why, want) == 0, "tcp4: why: '%s'", why);
	T_EQ(t.fd, -1, "tcp4: failed connect leaves fd -1");
	close(nfd);

	ep_tcp(&ep, "dockev-test.invalid", "2375", 0);
	T_EQ(dk_port_connect(&t, &ep, 2000, why, sizeof why), DK_ERR_RESOLVE,
	     "tcp: unknown name is DK_ERR_RESOLVE");
	T_OK(strncmp(why, "resolve dockev-test.invalid: ", 29) == 0 &&
	     strlen(why) > 29, "tcp: why: '%s'", why);
}

static void test_tcp6(void)
{
	struct dk_endpoint ep;
	struct dk_transport t;
	char port[8], want[128];
	int lfd, s;

	lfd = bind_tcp(AF_INET6, "::1", 1, port, sizeof port);
	if (lfd < 0) {
		T_OK(1, "tcp6: connect to [::1] # SKIP no IPv6 loopback here");
		return;
	}
	ep_tcp(&ep, "::1", port, 0);
	T_EQ(dk_port_connect(&t, &ep, 2000, why, sizeof why), DK_OK,
	     "tcp6: connect to [::1]:%s (%s)", port, why);
	s = accept(lfd, NULL, NULL);
	T_OK(s >= 0, "tcp6: server accepts");
	T_EQ(sockopt(t.fd, SOL_SOCKET, SO_KEEPALIVE), 1, "tcp6: SO_KEEPALIVE on");
	T_OK(is_cloexec(t.fd), "tcp6: fd is close-on-exec");
	if (s >= 0)
		exchange(&t, s, "tcp6");
	close(s);
	t.close(&t);
	close(lfd);

	lfd = bind_tcp(AF_INET6, "::1", 0, port, sizeof port);
	ep_tcp(&ep, "::1", port, 0);
	T_EQ(dk_port_connect(&t, &ep, 2000, why, sizeof why), DK_ERR_CONNECT,
	     "tcp6: refused is DK_ERR_CONNECT");
	snprintf(want, sizeof want, "connect [::1]:%s: Connection refused", port);
	T_OK(strcmp(why, want) == 0, "tcp6: why: '%s'", why);
	close(lfd);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_wait_signals(void)
{
	int sp[2], fd;
	int64_t t0, dt;
	struct sigaction sa, old;
	struct itimerval it;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0)
		return;
	t0 = dk_port_now_ms();
	T_EQ(dk_port_wait(sp[0], 0, 100), 0, "wait: idle fd times out");
	dt = dk_port_now_ms() - t0;
	T_OK(dt >= 99 && dt < 400, "wait: after about 100 ms (%lld)", (long long)dt);
	T_EQ(dk_port_wait(-1, 0, 20), 0, "wait: no fd, no signal pipe: sleeps");

	T_EQ(dk_port_signals_init(), DK_OK, "signals: init");
	T_EQ(dk_port_signals_init(), DK_OK, "signals: init twice is harmless");
	T_EQ(dk_port_signal_take(), DK_SIG_NONE, "signals: none pending");
	sigaction(SIGPIPE, NULL, &old);
	T_OK(old.sa_handler == SIG_IGN, "signals: SIGPIPE ignored");
	sigaction(SIGTERM, NULL, &old);
	T_OK(!(old.sa_flags & SA_RESTART), "signals: SIGTERM without SA_RESTART");

	t0 = dk_port_now_ms();
	raise(SIGUSR1);
	T_EQ(dk_port_wait(sp[0], 0, 2000), DK_WAIT_SIGNAL, "signals: SIGUSR1 wakes the wait");
	T_OK(dk_port_now_ms() - t0 < 500, "signals: at once");
	T_EQ(dk_port_wait(sp[0], 0, 2000), DK_WAIT_SIGNAL, "signals: wait does not consume it");
	T_EQ(dk_port_signal_take(), DK_SIG_STATS, "signals: SIGUSR1 is DK_SIG_STATS");
	T_EQ(dk_port_signal_take(), DK_SIG_NONE, "signals: taken once");
	T_EQ(dk_port_wait(sp[0], 0, 30), 0, "signals: then the wait times out");

	raise(SIGTERM);
	raise(SIGINT);
	T_EQ(dk_port_wait(-1, 0, 2000), DK_WAIT_SIGNAL, "signals: SIGTERM wakes a wait without fd");
	T_EQ(dk_port_signal_take(), DK_SIG_STOP, "signals: SIGTERM is DK_SIG_STOP");
	T_EQ(dk_port_signal_take(), DK_SIG_STOP, "signals: SIGINT is DK_SIG_STOP");

	/* A pending signal wins over a readable fd. */
	T_EQ(write(sp[1], "x", 1), 1, "signals: make the fd readable");
	raise(SIGUSR1);
	T_EQ(dk_port_wait(sp[0], 0, 1000), DK_WAIT_SIGNAL, "signals: signal before data");
	T_EQ(dk_port_signal_take(), DK_SIG_STATS, "signals: take it");
	T_EQ(dk_port_wait(sp[0], 0, 1000), 1, "signals: then the data");

	/* Someone else's signal interrupts poll (no SA_RESTART): the wait
	 * goes on for the time that is left, no more and no less. */
	T_EQ(read(sp[0], &fd, 1), 1, "wait: drain");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	memset(&it, 0, sizeof it);
	it.it_value.tv_usec = 150 * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
	t0 = dk_port_now_ms();
	T_EQ(dk_port_wait(sp[0], 0, 200), 0, "wait: EINTR is retried");
	dt = dk_port_now_ms() - t0;
	T_OK(dt >= 199 && dt < 300, "wait: for the remaining time (%lld ms)",
	     (long long)dt);
	sigaction(SIGALRM, &old, NULL);

	close(sp[1]);
	T_EQ(dk_port_wait(sp[0], 0, 1000), 1, "wait: hang-up counts as ready");
	close(sp[0]);
	T_EQ(dk_port_wait(sp[0], 0, 1000), DK_ERR_IO, "wait: closed fd is DK_ERR_IO");

	/* Every fd left open now is the port's own: all must be close-on-exec. */
	for (fd = 3; fd < 256; fd++) {
		struct stat st;

		if (inherited[fd] || fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
			continue;
		if (!is_cloexec(fd))
			break;
	}
	T_EQ(fd, 256, "signals: the self-pipe is close-on-exec");
}

/* The --state file's port: read whole, replace atomically. */
static void test_state_file(void)
{
	char path[128], tmp[140], buf[64], big[300];
	struct stat st;

	snprintf(path, sizeof path, "%s/state", tmpdir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	T_EQ(dk_port_file_read(path, buf, sizeof buf), 0, "state file: missing reads as 0 bytes");
	T_EQ(dk_port_file_replace(path, "first\n", 6), DK_OK, "state file: created");
	T_OK(dk_port_file_read(path, buf, sizeof buf) == 6 && memcmp(buf, "first\n", 6) == 0,
	     "state file: read back");
	T_EQ(dk_port_file_replace(path, "second, longer\n", 15), DK_OK, "state file: replaced");
	T_OK(dk_port_file_read(path, buf, sizeof buf) == 15 &&
	     memcmp(buf, "second, longer\n", 15) == 0, "state file: the new content, whole");
	T_OK(stat(tmp, &st) != 0 && errno == ENOENT, "state file: no temporary file left");
	memset(big, 'x', sizeof big);
	T_EQ(dk_port_file_replace(path, big, sizeof big), DK_OK, "state file: a larger one");
	T_EQ(dk_port_file_read(path, buf, sizeof buf), DK_ERR_NOSPACE,
	     "state file: larger than the buffer: NOSPACE, not a cut");
	T_EQ(dk_port_file_read(tmpdir, buf, sizeof buf), DK_ERR_IO, "state file: a directory: IO");
	/* Nothing planted at the temporary name is followed or reused. */
	{
		char victim[140];
		int fd;
		snprintf(victim, sizeof victim, "%s/victim", tmpdir);
		fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		T_OK(fd >= 0 && write(fd, "v", 1) == 1 && close(fd) == 0, "victim made");
		T_EQ(symlink(victim, tmp), 0, "symlink planted at the temporary name");
		T_EQ(dk_port_file_replace(path, "third\n", 6), DK_ERR_IO,
		     "state file: a symlink at the temporary name: refused");
		T_OK(strstr(dk_port_errstr(), "not a stale file of ours") != NULL,
		     "state file: says why: %s", dk_port_errstr());
		T_OK(stat(victim, &st) == 0 && st.st_size == 1, "state file: the symlink's target untouched");
		T_OK(lstat(tmp, &st) == 0 && S_ISLNK(st.st_mode), "state file: the symlink left alone");
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		T_OK(fd >= 0 && close(fd) == 0, "a stale temporary file of ours");
		T_EQ(dk_port_file_replace(path, "third\n", 6), DK_OK, "state file: stale one replaced");
		T_OK(dk_port_file_read(path, buf, sizeof buf) == 6 && memcmp(buf, "third\n", 6) == 0,
		     "state file: written through a fresh temporary file");
		T_OK(lstat(tmp, &st) != 0, "state file: no temporary file left");
		unlink(victim);
	}
	/* The state reader: a regular file or nothing; an empty file is one. */
	{
		char other[140];
		int ex = 7;
		T_EQ(dk_port_state_read(path, buf, sizeof buf, &ex), 6, "state read: a regular file");
		T_EQ(ex, 1, "state read: it exists");
		snprintf(other, sizeof other, "%s/nothing", tmpdir);
		T_EQ(dk_port_state_read(other, buf, sizeof buf, &ex), 0, "state read: absent: 0");
		T_EQ(ex, 0, "state read: absent: does not exist");
		T_EQ(symlink(path, other), 0, "a symlink to the state file");
		T_EQ(dk_port_state_read(other, buf, sizeof buf, &ex), DK_ERR_PARAM,
		     "state read: a symlink: refused");
		T_OK(strcmp(dk_port_errstr(), "a symbolic link") == 0, "state read: says so: %s",
		     dk_port_errstr());
		T_EQ(dk_port_file_replace(other, "x", 1), DK_ERR_PARAM, "replace: over a symlink: refused");
		T_OK(dk_port_file_read(path, buf, sizeof buf) == 6, "replace: the symlink's target kept");
		T_OK(lstat(other, &st) == 0 && S_ISLNK(st.st_mode), "replace: the symlink kept");
		unlink(other);
		T_EQ(mkfifo(other, 0600), 0, "a FIFO");
		T_EQ(dk_port_state_read(other, buf, sizeof buf, &ex), DK_ERR_PARAM,
		     "state read: a FIFO: refused, without blocking");
		T_OK(strcmp(dk_port_errstr(), "a FIFO") == 0, "state read: says so: %s", dk_port_errstr());
		T_EQ(dk_port_file_replace(other, "x", 1), DK_ERR_PARAM, "replace: over a FIFO: refused");
		unlink(other);
		T_EQ(dk_port_state_read(tmpdir, buf, sizeof buf, &ex), DK_ERR_PARAM,
		     "state read: a directory: refused");
		T_EQ(dk_port_state_read("/dev/null", buf, sizeof buf, &ex), DK_ERR_PARAM,
		     "state read: a device: refused");
		T_OK(strcmp(dk_port_errstr(), "a character device") == 0, "state read: says so: %s",
		     dk_port_errstr());
		T_EQ(truncate(path, 0), 0, "an empty state file");
		T_EQ(dk_port_state_read(path, buf, sizeof buf, &ex), 0, "state read: empty: 0 bytes");
		T_EQ(ex, 1, "state read: empty: but it exists");
	}
	snprintf(tmp, sizeof tmp, "%s/no/such/dir", tmpdir);
	T_EQ(dk_port_file_replace(tmp, "x", 1), DK_ERR_IO, "state file: no directory: IO");
	T_OK(strstr(dk_port_errstr(), "No such file") != NULL, "state file: says why: %s",
	     dk_port_errstr());
	unlink(path);
}

/* The home directory when $HOME is unset: the password database's. */
static void test_home(void)
{
	struct passwd *pw = getpwuid(getuid());
	char buf[512], small[2];
	long n = dk_port_home(buf, sizeof buf);

	if (!pw || !pw->pw_dir || !pw->pw_dir[0]) {
		T_EQ(n, DK_ERR_IO, "home: no password entry: IO");
		return;
	}
	T_EQ(n, (long)strlen(pw->pw_dir), "home: the length of getpwuid's");
	T_STR(buf, strlen(buf), pw->pw_dir, "home: getpwuid's pw_dir");
	T_EQ(dk_port_home(small, sizeof small), strlen(pw->pw_dir) >= 2 ? DK_ERR_NOSPACE : 1,
	     "home: a buffer too small: NOSPACE, not a cut");
}

int main(void)
{
	int fd;

	for (fd = 0; fd < 256; fd++)
		inherited[fd] = fcntl(fd, F_GETFD) >= 0;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/dockev-test-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	test_clock_random();
	test_log();
	test_unix();
	test_tcp4();
	test_tcp6();
	test_wait_signals();
	test_state_file();
	test_home();
	rmdir(tmpdir);
	return T_DONE();
}
