/* output.c - stdout's buffer and its writer (see output.h). One static
 * instance: there is one stdout. */
#include <stdio.h>
#include <string.h>
#include "output.h"
#include "config.h"
#include "err.h"
#include "port.h"

/* Apart from the buffer: an initialised struct would put all of it in
 * .data, in the binary (88 KiB), instead of in .bss. */
static int out_fd = 1;

static struct {
	int watch;            /* a pipe or socket, made non-blocking: polled */
	size_t off, end;      /* pending bytes: buf[off, end) */
	unsigned long dropped;
	int failed;
	char why[128];
	char buf[DK_OUTPUT_BUF];
} out;

int dk_output_init(int fd)
{
	int r = dk_port_out_nonblock(fd);

	out_fd = fd;
	out.watch = r == 1;
	out.off = out.end = 0;
	out.failed = 0;
	out.dropped = 0;
	return r < 0 ? DK_ERR_IO : DK_OK;
}

void dk_output_restore(void)
{
	if (out.watch)
		dk_port_out_restore(out_fd);
	out.watch = 0;
}

static void fail(const char *why)
{
	out.failed = 1;
	snprintf(out.why, sizeof out.why, "%s", why);
	out.off = out.end = 0;
}

int dk_output_line(const char *s, size_t n)
{
	if (out.failed)
		return DK_ERR_IO;
	if (n + 1 > dk_output_room()) {
		out.dropped++;
		return DK_ERR_NOSPACE;
	}
	/* Room is counted from the buffer's start: move what waits there. */
	if (out.end + n + 1 > sizeof out.buf) {
		memmove(out.buf, out.buf + out.off, out.end - out.off);
		out.end -= out.off;
		out.off = 0;
	}
	memcpy(out.buf + out.end, s, n);
	out.buf[out.end + n] = '\n';
	out.end += n + 1;
	return DK_OK;
}

size_t dk_output_room(void)
{
	return out.failed ? 0 : sizeof out.buf - (out.end - out.off);
}

size_t dk_output_pending(void)
{
	return out.end - out.off;
}

int dk_output_write(void)
{
	while (!out.failed && out.off < out.end) {
		long w = dk_port_write(out_fd, out.buf + out.off, out.end - out.off);
		if (w == DK_AGAIN)
			return DK_AGAIN;
		if (w <= 0) {
			fail(w == 0 ? "wrote nothing" : dk_port_errstr());
			break;
		}
		out.off += (size_t)w;
	}
	if (out.failed)
		return DK_ERR_IO;
	out.off = out.end = 0;
	return DK_OK;
}

int dk_output_fd(void)
{
	return out.watch && !out.failed ? out_fd : -1;
}

void dk_output_gone(void)
{
	if (!out.failed && out.off == out.end)
		fail("Broken pipe"); /* what the next write would say */
}

const char *dk_output_error(void)
{
	return out.failed ? out.why : NULL;
}

unsigned long dk_output_dropped(void)
{
	return out.dropped;
}
