/* sock.c - dk_port_connect and the plain fd transport: unix and TCP sockets,
 * non-blocking and close-on-exec, TCP with keepalive so a vanished engine on
 * an idle events stream is noticed. read(2)/send(2) errors are mapped to the
 * transport contract of port.h here and nowhere else. No allocation.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "port.h"
#include "tls.h"
#include "endpoint.h"
#include "err.h"


#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* SIGPIPE is ignored by dk_port_signals_init */
#endif

/* ---- the fd transport --------------------------------------------------- */

static long fd_result(ssize_t r)
{
	if (r >= 0)
		return (long)r;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return DK_AGAIN;
	dk_port_set_err(errno, NULL);
	return DK_ERR_IO;
}

static long fd_recv(struct dk_transport *t, void *buf, size_t len)
{
	/* read() of 0 bytes returns 0, which would read as an orderly end. */
	if (len == 0)
		return DK_ERR_PARAM;
	if (t->fd < 0) {
		dk_port_set_err(EBADF, NULL);
		return DK_ERR_IO;
	}
	if (len > LONG_MAX)
		len = LONG_MAX;
	return fd_result(read(t->fd, buf, len));
}

static long fd_send(struct dk_transport *t, const void *buf, size_t len)
{
	if (t->fd < 0) {
		dk_port_set_err(EBADF, NULL);
		return DK_ERR_IO;
	}
	if (len > LONG_MAX)
		len = LONG_MAX;
	return fd_result(send(t->fd, buf, len, MSG_NOSIGNAL));
}

static size_t fd_pending(struct dk_transport *t)
{
	(void)t;
	return 0;
}

static void fd_close(struct dk_transport *t)
{
	/* Never retried on EINTR: Linux has already released the fd, and a
	 * second close could hit one a hook runner just opened. */
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static void fd_transport(struct dk_transport *t, int fd)
{
	t->recv = fd_recv;
	t->send = fd_send;
	t->pending = fd_pending;
	t->close = fd_close;
	t->fd = fd;
	t->ctx = NULL;
}

/* ---- connecting ------------------------------------------------------------ */

/* Milliseconds left before deadline, clamped at 0; -1 (forever) stays. */
static int left_ms(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - dk_port_now_ms();
	return left > 0 ? (left > INT_MAX ? INT_MAX : (int)left) : 0;
}

/* Wait for a non-blocking connect to finish, through the loop's wait
 * (hooks and signals are served meanwhile). Returns 0 with errno set from
 * SO_ERROR (0 = connected) or EINTR when stopped, -1 on timeout. */
static int connect_finish(int fd, int64_t deadline)
{
	int r = dk_port_wait_fd(fd, 1, deadline), err = 0;
	socklen_t len = sizeof err;

	if (r == DK_WAIT_TIMEOUT)
		return -1;
	if (r < 0) {
		errno = r == DK_STOP ? EINTR : EIO;
		return 0;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return 0;
	errno = err;
	return 0;
}

static int connect_unix(struct dk_transport *t, const struct dk_endpoint *ep,
                        int64_t deadline, char *why, size_t whylen)
{
	struct sockaddr_un sa;
	size_t n = strnlen(ep->path, sizeof ep->path);
	int fd, err, ms;

	/* The parser checked this, but a truncated path would connect to
	 * some other socket, so check again. */
	if (n == 0) {
		dk_port_why(why, whylen, "empty unix socket path");
		dk_port_set_err(0, "empty unix socket path");
		return DK_ERR_PARAM;
	}
	/* Both are 108 by default; DK_UNIX_PATH_MAX may be set lower. */
	if (n >= sizeof ep->path || n >= sizeof sa.sun_path) { /* NOLINT(misc-redundant-expression) */
		dk_port_why(why, whylen, "unix socket path longer than %u bytes: %.40s...",
		    (unsigned)sizeof sa.sun_path - 1, ep->path);
		dk_port_set_err(0, "unix socket path too long");
		return DK_ERR_PATH_LONG;
	}
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, ep->path, n + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	for (;;) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS || err == EINTR) {
			if (connect_finish(fd, deadline) < 0)
				goto timeout;
			if ((err = errno) != 0)
				goto fail;
			break;
		}
		/* Linux answers EAGAIN, not EINPROGRESS, while the listener's
		 * backlog is full (a busy or stopped engine): retry briefly. */
		if (err != EAGAIN)
			goto fail;
		ms = left_ms(deadline);
		if (ms == 0)
			goto timeout;
		if (dk_port_wait_fd(-1, 0, dk_port_now_ms() +
		                    (ms < 0 || ms > 20 ? 20 : ms)) == DK_STOP) {
			err = EINTR;
			goto fail;
		}
	}
	fd_transport(t, fd);
	return DK_OK;
timeout:
	close(fd);
	dk_port_set_err(ETIMEDOUT, NULL);
	dk_port_why(why, whylen, "connect unix://%s: %s", ep->path, "timed out");
	return DK_ERR_TIMEOUT;
fail:
	if (fd >= 0)
		close(fd);
	dk_port_set_err(err, NULL);
	dk_port_why(why, whylen, "connect unix://%s: %s", ep->path, strerror(err));
	return DK_ERR_CONNECT;
}

/* Keepalive is the only way to notice an engine host that vanished while
 * the stream was idle (no heartbeat); TCP_USER_TIMEOUT gives unacknowledged
 * sends the same bound. The tuning is best effort: an old kernel still has
 * keepalive with its own (two-hour) timers. */
static int tcp_keepalive(int fd)
{
	int on = 1, v = 0;

	(void)v;
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) != 0)
		return -1;
#if defined(TCP_KEEPIDLE) && defined(DK_KEEPALIVE_IDLE_S)
	v = DK_KEEPALIVE_IDLE_S;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v);
#endif
#if defined(TCP_KEEPINTVL) && defined(DK_KEEPALIVE_INTVL_S)
	v = DK_KEEPALIVE_INTVL_S;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof v);
#endif
#if defined(TCP_KEEPCNT) && defined(DK_KEEPALIVE_CNT)
	v = DK_KEEPALIVE_CNT;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v);
#endif
#if defined(TCP_USER_TIMEOUT) && defined(DK_KEEPALIVE_IDLE_S) && \
    defined(DK_KEEPALIVE_INTVL_S) && defined(DK_KEEPALIVE_CNT)
	v = (DK_KEEPALIVE_IDLE_S + DK_KEEPALIVE_INTVL_S * DK_KEEPALIVE_CNT) * 1000;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof v);
#endif
	return 0;
}

/* "127.0.0.1:2375" or "[::1]:2375", for the one log line. */
static void addr_text(const struct addrinfo *ai, const char *port, char *buf,
                      size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	const void *src = NULL;
	int v6 = ai->ai_family == AF_INET6;

	if (ai->ai_family == AF_INET)
		src = &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
	else if (v6)
		src = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
	if (src)
		inet_ntop(ai->ai_family, src, a, sizeof a);
	snprintf(buf, len, "%s%s%s:%s", v6 ? "[" : "", a, v6 ? "]" : "", port);
}

static int connect_tcp(struct dk_transport *t, const struct dk_endpoint *ep,
                       int64_t deadline, char *why, size_t whylen)
{
	struct addrinfo hints, *res, *ai;
	char addr[INET6_ADDRSTRLEN + 16] = "";
	int fd = -1, r, err = 0, timed_out = 0, nleft = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	/* No AI_ADDRCONFIG: it hides "localhost" on hosts with only lo. */
	hints.ai_flags = AI_NUMERICSERV;
	/* getaddrinfo has no timeout of its own: the resolver's applies. */
	r = getaddrinfo(ep->host, ep->port, &hints, &res);
	if (r != 0) {
		const char *e = r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r);

		dk_port_set_err(0, e);
		dk_port_why(why, whylen, "resolve %s: %s", ep->host, e);
		return DK_ERR_RESOLVE;
	}
	for (ai = res; ai; ai = ai->ai_next)
		nleft++;
	for (ai = res; ai; ai = ai->ai_next, nleft--) {
		/* Share the time among the addresses left, so one that drops
		 * SYNs (an IPv6 route to nowhere) does not starve the rest. */
		int64_t until = deadline;
		int left = left_ms(deadline);

		if (left == 0) {
			timed_out = 1;
			break;
		}
		if (left > 0 && nleft > 1 && left / nleft >= 1000)
			until = dk_port_now_ms() + left / nleft;
		else if (left > 0 && nleft > 1 && left > 1000)
			until = dk_port_now_ms() + 1000;

		addr_text(ai, ep->port, addr, sizeof addr);
		fd = socket(ai->ai_family,
		            ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		            ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		timed_out = 0;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			err = 0;
		} else {
			err = errno;
			if (err == EINPROGRESS || err == EINTR) {
				if (connect_finish(fd, until) < 0) {
					timed_out = 1;
					err = ETIMEDOUT;
				} else {
					err = errno;
				}
			}
		}
		if (err == 0 && tcp_keepalive(fd) != 0)
			err = errno;
		if (err == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);

	if (fd < 0 && timed_out) {
		dk_port_set_err(ETIMEDOUT, NULL);
		dk_port_why(why, whylen, "connect %s: %s", addr[0] ? addr : ep->host,
		    "timed out");
		return DK_ERR_TIMEOUT;
	}
	if (fd < 0) {
		if (!err)
			err = EHOSTUNREACH;
		dk_port_set_err(err, NULL);
		dk_port_why(why, whylen, "connect %s: %s", addr[0] ? addr : ep->host,
		    strerror(err));
		return DK_ERR_CONNECT;
	}
	fd_transport(t, fd);
	if (ep->tls)
		return dk_tls_start(t, ep, left_ms(deadline), why, whylen);
	return DK_OK;
}

int dk_port_connect(struct dk_transport *t, const struct dk_endpoint *ep,
                    int timeout_ms, char *why, size_t whylen)
{
	int64_t deadline = timeout_ms >= 0 ? dk_port_now_ms() + timeout_ms : -1;

	if (why && whylen)
		why[0] = '\0';
	if (!t)
		return DK_ERR_PARAM;
	fd_transport(t, -1);
	if (!ep)
		return DK_ERR_PARAM;
	if (ep->kind == DK_EP_UNIX)
		return connect_unix(t, ep, deadline, why, whylen);
	if (ep->kind == DK_EP_TCP)
		return connect_tcp(t, ep, deadline, why, whylen);
	dk_port_why(why, whylen, "unknown endpoint kind %d", (int)ep->kind);
	return DK_ERR_PARAM;
}
