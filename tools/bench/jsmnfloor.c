/* jsmnfloor.c - the floor for `make bench`: the least a jsmn-based events
 * agent can cost. It connects to a unix socket, sends GET /events, and for
 * the body only dechunks (in place), splits records at "\n", tokenizes
 * each record with jsmn in strict mode (a fresh parser per record, the
 * agent's token array size) and writes the record and a newline to a
 * buffered stdout. No validation beyond jsmn's, no field lookup, no
 * dedupe, no dispatch: everything dockev does besides this is overhead
 * measured against it.
 *
 *   bench-jsmnfloor SOCKET PATH_AND_QUERY
 * Exit 0 at the body's end, 1 on a failure, 2 on usage. Prints the
 * count of records and of records jsmn refused on stderr.
 */
#define JSMN_STRICT
#define JSMN_STATIC
#include <jsmn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "config.h"

static char buf[DK_BUF_SIZE];
static char outbuf[DK_OUTPUT_BUF]; /* the agent's output buffer */
static jsmntok_t tokens[DK_TOKENS_MAX];

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa;
	char req[1024];
	size_t have = 0, start = 0, scan = 0, end = 0, left = 0;
	int fd, n, last = 0, in_size = 1, in_crlf = 0, head = 1, chunked = 0;
	unsigned long records = 0, refused = 0;

	if (argc != 3 || strlen(argv[1]) >= sizeof sa.sun_path)
		return 2;
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return 1;
	n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: docker\r\n\r\n",
	             argv[2]);
	if (n <= 0 || (size_t)n >= sizeof req || write(fd, req, (size_t)n) != n)
		return 1;
	for (;;) {
		ssize_t r;
		size_t i, o;

		if (sizeof buf - end < sizeof buf / 2 && start > 0) {
			/* Framed bytes out, the tail to the front. */
			memmove(buf, buf + start, end - start);
			end -= start;
			scan -= start;
			start = 0;
		}
		if (end == sizeof buf)
			return 1; /* a record as large as the buffer */
		r = read(fd, buf + end, sizeof buf - end);
		if (r <= 0)
			break;
		i = o = end;
		have = end + (size_t)r;
		if (head) { /* the head comes whole in the first read here */
			char *h = buf;
			while (h + 4 <= buf + have && memcmp(h, "\r\n\r\n", 4))
				h++;
			if (h + 4 > buf + have)
				return 1;
			*h = '\0';
			chunked = strstr(buf, "chunked") != NULL;
			i = o = 0;
			memmove(buf, h + 4, have - (size_t)(h + 4 - buf));
			have -= (size_t)(h + 4 - buf);
			head = 0;
		}
		/* Dechunk buf[i..have) to buf[o..). */
		while (chunked && i < have) {
			if (in_size) {
				int v = hexval((unsigned char)buf[i]);
				if (v >= 0)
					left = left * 16 + (size_t)v;
				else if (buf[i] == '\n') {
					in_size = 0;
					if (left == 0) {
						last = 1; /* the last chunk */
						break;
					}
				}
				i++;
			} else if (left > 0) {
				size_t k = have - i < left ? have - i : left;
				memmove(buf + o, buf + i, k);
				o += k, i += k, left -= k;
				if (left == 0)
					in_crlf = 1;
			} else if (in_crlf) {
				if (buf[i++] == '\n')
					in_crlf = 0, in_size = 1;
			}
		}
		end = chunked ? o : have;
		/* Split and tokenize. */
		for (;;) {
			char *nl = memchr(buf + scan, '\n', end - scan);
			jsmn_parser p;
			size_t len;

			if (!nl) {
				scan = end;
				break;
			}
			len = (size_t)(nl - (buf + start));
			jsmn_init(&p);
			if (jsmn_parse(&p, buf + start, len, tokens, DK_TOKENS_MAX) < 1)
				refused++;
			records++;
			fwrite(buf + start, 1, len + 1, stdout);
			start = scan = (size_t)(nl - buf) + 1;
		}
		if (start == end)
			start = scan = end = 0;
		if (last)
			break;
	}
	fflush(stdout);
	fprintf(stderr, "records %lu, refused by jsmn %lu\n", records, refused);
	close(fd);
	return 0;
}
