/* err.h - the one error enum of dockev and its strerror.
 *
 * Every stage returns DK_OK (0), a positive progress code documented by the
 * function, or a negative dk_err. Parsers never log; callers turn the code
 * into one line with dk_strerror().
 */
#ifndef DK_ERR_H
#define DK_ERR_H

/* X(name, value, text) */
#define DK_ERRORS(X) \
	X(DK_OK,            0,  "ok") \
	X(DK_ERR_PARAM,    -1,  "invalid argument") \
	X(DK_ERR_NOSPACE,  -2,  "buffer too small") \
	X(DK_ERR_HEAD_BIG, -3,  "response head too large") \
	X(DK_ERR_NOT_HTTP, -4,  "not an HTTP/1.x response") \
	X(DK_ERR_STATUS,   -5,  "malformed status line") \
	X(DK_ERR_HEADER,   -6,  "malformed header line") \
	X(DK_ERR_CHUNK,    -7,  "malformed chunk framing") \
	X(DK_ERR_CHUNK_BIG,-8,  "chunk size out of bounds") \
	X(DK_ERR_LENGTH,   -9,  "bad Content-Length") \
	X(DK_ERR_TRUNCATED,-10, "connection closed mid-body") \
	X(DK_ERR_JSON,     -11, "event is not valid JSON") \
	X(DK_ERR_TOKENS,   -12, "event has more JSON tokens than the token array") \
	X(DK_ERR_RECORD_BIG,-13,"event larger than the receive buffer") \
	X(DK_ERR_EVENT,    -14, "event lacks Type or Action") \
	X(DK_ERR_URL,      -15, "bad engine URL") \
	X(DK_ERR_PATH_LONG,-16, "unix socket path too long") \
	X(DK_ERR_CONNECT,  -17, "cannot connect") \
	X(DK_ERR_IO,       -18, "I/O error") \
	X(DK_ERR_TIMEOUT,  -19, "timed out") \
	X(DK_ERR_CLOSED,   -20, "connection closed by the engine") \
	X(DK_ERR_RESOLVE,  -21, "cannot resolve host") \
	X(DK_ERR_TIME,     -22, "bad time or duration") \
	X(DK_ERR_FILTER,   -23, "bad filter") \
	X(DK_ERR_VERSION,  -24, "bad API version") \
	X(DK_ERR_HTTP_4XX, -25, "engine refused the request") \
	X(DK_ERR_HTTP_5XX, -26, "engine failed the request") \
	X(DK_ERR_TLS,      -27, "TLS failed or was refused") \
	X(DK_ERR_UNSUPPORTED,-28,"unsupported") \
	X(DK_ERR_CONFIG_JSON,-29,"not valid JSON (or not one object)") \
	X(DK_ERR_CONFIG_TYPE,-30,"a field has the wrong JSON type") \
	X(DK_ERR_CONFIG_BIG,-31, "more JSON tokens than dockev reads (DK_CONTEXT_TOKENS_MAX)") \
	X(DK_ERR_NO_ENDPOINT,-32,"no docker endpoint (Endpoints.docker)") \
	X(DK_ERR_MQTT,     -33, "malformed MQTT packet") \
	X(DK_ERR_MQTT_BIG, -34, "MQTT packet larger than the receive buffer") \
	X(DK_AGAIN,        -35, "not ready: try again when the fd is") \
	X(DK_STOP,         -36, "stop requested") \
	X(DK_ERR_ABSENT,   -37, "not present")

/* What a wait returns when it did not fail (dk_port_poll, dk_port_wait,
 * dk_agent_wait): progress codes, beside DK_STOP and the errors. */
enum dk_wait_result { DK_WAIT_TIMEOUT = 0, DK_WAIT_READY = 1, DK_WAIT_SIGNAL = 2 };

enum dk_err {
/* name is an enumerator being declared: it cannot be parenthesised. */
#define DK_ERR_ENUM(name, value, text) name = value, /* NOLINT(bugprone-macro-parentheses) */
	DK_ERRORS(DK_ERR_ENUM)
#undef DK_ERR_ENUM
};

/* Text for an error code; never NULL, "unknown error" for other values. */
const char *dk_strerror(int err);

#endif
