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

/* ---- transport: read(2)/write(2) semantics ---------------------------- */

/* recv/send return: >0 bytes moved; 0 orderly end (recv only; TLS
 * close_notify too); DK_T_AGAIN when nothing can move now (EAGAIN, EINTR,
 * TLS WANT_READ/WRITE, mapped in one place in the port); a negative dk_err
 * (DK_ERR_IO, ...) on failure. */
#define DK_T_AGAIN (-1000)

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

enum dk_sig { DK_SIG_NONE = 0, DK_SIG_STOP = 1, DK_SIG_STATS = 2 };

/* Install the handlers for SIGINT/SIGTERM (stop), SIGUSR1 (stats) and
 * ignore SIGPIPE. The handlers only write to a self-pipe. */
int dk_port_signals_init(void);
/* Take the next pending signal, DK_SIG_NONE if there is none. */
enum dk_sig dk_port_signal_take(void);

/* Has SIGINT/SIGTERM arrived (taken or not)? For waits inside the port,
 * such as connect, that must not outlast a stop request. */
int dk_port_stop_requested(void);

/* Wait until fd is readable (fd < 0: no fd), a signal arrives, or
 * timeout_ms passes (< 0: forever). Returns 1 readable, 0 timed out,
 * 2 signal pending, negative dk_err. want_write waits for writability. */
int dk_port_wait(int fd, int want_write, int timeout_ms);

#endif
