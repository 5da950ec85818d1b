/* output.c - stdout's buffer and its writer (see output.h). One static
 * instance: there is one stdout. Lines that lie, each with its newline,
 * one after the other in the region the loop keeps (the events it just
 * read) are not copied: they are a span, written from where they lie,
 * with one write a read (the floor's count, not one per DK_OUTPUT_FLUSH
 * bytes), and the buffer's pages stay untouched. What the fd does not
 * take, and any line that does not extend the span, goes to the buffer
 * (after the span, copied there first): order is kept. */
#include <stdint.h>
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
	const char *keep_p, *keep_e; /* dk_output_keep's region, or NULL */
	const char *span;     /* span[0, span_n): lines in the region, */
	size_t span_n;        /* uncopied; only while buf holds nothing */
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
	out.span_n = 0;
	out.keep_p = out.keep_e = NULL;
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
	out.span_n = 0;
}

/* The span to the (then empty) buffer. */
static void copy_span(void)
{
	if (out.span_n == 0)
		return;
	memcpy(out.buf, out.span, out.span_n);
	out.off = 0;
	out.end = out.span_n;
	out.span_n = 0;
}

/* s[0..n] inside the kept region? As integers: pointers into different
 * objects do not compare in C. */
static int in_kept(const char *s, size_t n)
{
	uintptr_t a = (uintptr_t)s, kp = (uintptr_t)out.keep_p,
	          ke = (uintptr_t)out.keep_e;
	return a >= kp && a < ke && ke - a > n;
}

void dk_output_keep(const char *p, const char *e)
{
	copy_span(); /* of an earlier region: it may not stay */
	out.keep_p = p;
	out.keep_e = e;
}

void dk_output_release(void)
{
	copy_span();
	out.keep_p = out.keep_e = NULL;
}

int dk_output_line(const char *s, size_t n)
{
	if (out.failed)
		return DK_ERR_IO;
	if (n + 1 > dk_output_room()) {
		out.dropped++;
		return DK_ERR_NOSPACE;
	}
	/* In the kept region with its newline after it, and the span's
	 * next line (or the first, nothing buffered): no copy. */
	if (in_kept(s, n) && s[n] == '\n' &&
	    (out.span_n ? s == out.span + out.span_n : out.end == out.off)) {
		if (out.span_n == 0)
			out.span = s;
		out.span_n += n + 1;
		return DK_OK;
	}
	copy_span();
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
	return out.failed ? 0 : sizeof out.buf - (out.end - out.off) - out.span_n;
}

size_t dk_output_pending(void)
{
	return out.end - out.off + out.span_n;
}

size_t dk_output_buffered(void)
{
	return out.end - out.off;
}

/* p[0..n) to the fd as far as it takes it now: *done bytes. DK_OK (all),
 * DK_AGAIN, or DK_ERR_IO (output failed: fail() said why). */
static int drain(const char *p, size_t n, size_t *done)
{
	*done = 0;
	while (*done < n) {
		long w = dk_port_write(out_fd, p + *done, n - *done);
		if (w == DK_AGAIN)
			return DK_AGAIN;
		if (w <= 0) {
			fail(w == 0 ? "wrote nothing" : dk_port_errstr());
			return DK_ERR_IO;
		}
		*done += (size_t)w;
	}
	return DK_OK;
}

int dk_output_write(void)
{
	size_t k;
	int r;

	if (out.failed)
		return DK_ERR_IO;
	if (out.span_n > 0) {
		if ((r = drain(out.span, out.span_n, &k)) == DK_ERR_IO)
			return r;
		out.span += k;
		out.span_n -= k;
		/* What a reader behind did not take waits in the buffer:
		 * the region is the loop's to reuse. */
		if (r == DK_AGAIN) {
			copy_span();
			return r;
		}
	}
	if ((r = drain(out.buf + out.off, out.end - out.off, &k)) == DK_ERR_IO)
		return r;
	out.off += k;
	if (r == DK_AGAIN)
		return r;
	out.off = out.end = 0;
	return DK_OK;
}

int dk_output_fd(void)
{
	return out.watch && !out.failed ? out_fd : -1;
}

void dk_output_gone(void)
{
	if (!out.failed && dk_output_pending() == 0)
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
