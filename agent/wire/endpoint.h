/* endpoint.h - where the engine is: parsing engine URLs as the docker CLI
 * does (-H / DOCKER_HOST).
 */
#ifndef DK_ENDPOINT_H
#define DK_ENDPOINT_H

#include <stddef.h>
#include "config.h"

enum dk_ep_kind { DK_EP_UNIX = 1, DK_EP_TCP = 2 };

#define DK_DEFAULT_HOST "unix:///var/run/docker.sock"

struct dk_endpoint {
	enum dk_ep_kind kind;
	int tls;                          /* TCP only; set by the caller */
	char path[DK_UNIX_PATH_MAX];      /* unix: socket path, NUL-terminated */
	char host[DK_HOST_MAX];           /* tcp: name or address, no brackets */
	char port[8];                     /* tcp: decimal port */
	char host_header[DK_HOST_MAX + 10]; /* value of the Host: header */
	char url[DK_HOST_MAX + 32];       /* canonical URL, for logs and hooks */
};

/* Parse url into ep. Accepted, as the docker CLI does:
 *   unix:///path            (unix:// alone = the default socket)
 *   tcp://host:port, tcp://host (port 2375, or 2376 when tls),
 *   tcp://[v6addr]:port, tcp://:port (127.0.0.1), host:port (tcp)
 * A trailing "/" is allowed; any other path, query, user info or scheme
 * (ssh://, npipe://, fd://, http://) is rejected. Surrounding white space
 * is ignored; a NULL or empty url means DK_DEFAULT_HOST. ep->tls is the
 * tls argument (0 or 1) for TCP, always 0 for unix. The Host header is
 * "docker" for unix, host:port ("[v6]:port") for TCP.
 * Returns DK_OK, DK_ERR_URL, or DK_ERR_PATH_LONG (a unix path that does not
 * fit sun_path: rejected, never truncated); on error *ep is all zero. */
int dk_endpoint_parse(struct dk_endpoint *ep, const char *url, int tls);

/* dk_endpoint_parse, and on failure *why (when why is not NULL) points to
 * one static phrase saying what is wrong and, where there is one, what to
 * write instead: ssh://, fd://, npipe://, http(s)://, an unknown scheme, a
 * bare /path (the CLI reads it as tcp), a relative unix path, a bad port,
 * an IPv6 address without or with broken brackets, a path or query after
 * host:port, user info, a bad host character. "" on success. */
int dk_endpoint_parse_why(struct dk_endpoint *ep, const char *url, int tls,
                          const char **why);

#endif
