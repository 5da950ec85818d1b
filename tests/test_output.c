/* test_output.c - stdout's buffer (output.c): whole lines or none, room
 * and pending as the loop reads them, partial writes resumed in order, a
 * full buffer moved to the front, a failure sticky, a reader gone; lines
 * in the kept region written from where they lie (a span), in order with
 * copied lines, and copied when released. */
#include <string.h>
#include "t.h"
#include "config.h"
#include "err.h"
#include "fakeport.h"
#include "output.h"

static char got[4 * DK_OUTPUT_BUF];
static size_t got_len;
static long take;     /* bytes the "reader" takes until the test says more */
static int fail_next;

static long scripted(int fd, const void *buf, size_t len)
{
	size_t n = len < (size_t)take ? len : (size_t)take;

	(void)fd;
	if (fail_next) {
		fake_errstr = "No space left on device";
		return DK_ERR_IO;
	}
	if (n == 0)
		return DK_AGAIN;
	memcpy(got + got_len, buf, n);
	got_len += n;
	take -= (long)n;
	return (long)n;
}

static void lines(void)
{
	static char big[DK_BUF_SIZE];
	size_t i;

	fake_write = scripted;
	T_EQ(dk_output_init(5), DK_OK, "init");
	T_EQ(dk_output_fd(), -1, "not a pipe (the fake port says so): not polled");
	T_EQ(dk_output_pending(), 0, "nothing pending");
	T_EQ(dk_output_room(), DK_OUTPUT_BUF, "all room");
	T_EQ(dk_output_line("abc", 3), DK_OK, "a line");
	T_EQ(dk_output_pending(), 4, "with its newline");
	take = 2;
	T_EQ(dk_output_write(), DK_AGAIN, "the reader took 2 bytes");
	take = 2;
	T_EQ(dk_output_write(), DK_OK, "then the rest");
	T_OK(got_len == 4 && memcmp(got, "abc\n", 4) == 0, "in order, with the newline");

	/* A reader that takes nothing: lines wait, whole or not at all. */
	take = 0;
	got_len = 0;
	memset(big, 'x', sizeof big);
	T_EQ(dk_output_line(big, sizeof big - 1), DK_OK, "the largest record");
	T_EQ(dk_output_write(), DK_AGAIN, "the reader takes nothing: again");
	T_EQ(dk_output_pending(), DK_BUF_SIZE, "all of it waits");
	for (i = 0; dk_output_room() >= 1001; i++)
		T_EQ(dk_output_line(big, 1000), DK_OK, "lines while there is room");
	T_EQ(dk_output_line(big, 1000), DK_ERR_NOSPACE, "no room: refused whole");
	T_EQ(dk_output_dropped(), 1, "and counted");
	T_OK(dk_output_pending() <= DK_OUTPUT_BUF, "never past the buffer");

	/* The reader takes some: the rest moves to the front when a line
	 * needs the room at the end. */
	take = DK_BUF_SIZE / 2;
	T_EQ(dk_output_write(), DK_AGAIN, "a part written");
	T_EQ(dk_output_line("tail", 4), DK_OK, "a line fits again");
	take = 1 << 30;
	T_EQ(dk_output_write(), DK_OK, "the rest written");
	T_OK(got_len >= 5 && memcmp(got + got_len - 5, "tail\n", 5) == 0 &&
	     got[DK_BUF_SIZE - 1] == '\n' && got[0] == 'x',
	     "everything in order after the move");
	T_EQ(got_len, DK_BUF_SIZE + i * 1001 + 5, "nothing lost, nothing twice");
	T_EQ(dk_output_room(), DK_OUTPUT_BUF, "empty again");
}

static void failure(void)
{
	T_EQ(dk_output_line("x", 1), DK_OK, "a line");
	fail_next = 1;
	T_EQ(dk_output_write(), DK_ERR_IO, "a write fails");
	T_OK(dk_output_error() && strcmp(dk_output_error(), "No space left on device") == 0,
	     "why, as the port said");
	fail_next = 0;
	T_EQ(dk_output_write(), DK_ERR_IO, "sticky");
	T_EQ(dk_output_line("y", 1), DK_ERR_IO, "no more lines");
	T_EQ(dk_output_room(), 0, "no room");
	T_EQ(dk_output_pending(), 0, "nothing waits");
}

static void gone(void)
{
	T_EQ(dk_output_init(5), DK_OK, "init again: fresh");
	T_OK(dk_output_error() == NULL, "not failed");
	take = 0;
	T_EQ(dk_output_line("z", 1), DK_OK, "a line waits");
	dk_output_gone();
	T_OK(dk_output_error() == NULL, "a hang-up with lines waiting: their write will tell");
	take = 1 << 30;
	T_EQ(dk_output_write(), DK_OK, "written");
	dk_output_gone();
	T_OK(dk_output_error() && strcmp(dk_output_error(), "Broken pipe") == 0,
	     "a hang-up with nothing waiting: the reader is gone");
}

/* Writes counted, and whether the bytes came from the region. */
static int writes, from_region;
static char region[64];

static long counted(int fd, const void *buf, size_t len)
{
	writes++;
	if ((const char *)buf >= region && (const char *)buf < region + sizeof region)
		from_region++;
	return scripted(fd, buf, len);
}

static void span(void)
{
	fake_write = counted;
	T_EQ(dk_output_init(5), DK_OK, "init");
	strcpy(region, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\r\n");
	dk_output_keep(region, region + strlen(region));
	T_EQ(dk_output_line(region, 7), DK_OK, "a record in the region");
	T_EQ(dk_output_line(region + 8, 7), DK_OK, "the next one");
	T_EQ(dk_output_pending(), 16, "both pending");
	T_EQ(dk_output_buffered(), 0, "none copied");
	T_EQ(dk_output_room(), DK_OUTPUT_BUF - 16, "room counts the span");
	take = 1 << 30;
	got_len = writes = from_region = 0;
	T_EQ(dk_output_write(), DK_OK, "written");
	T_OK(writes == 1 && from_region == 1, "one write, from the region");
	T_OK(got_len == 16 && memcmp(got, region, 16) == 0, "as they lie");

	/* "\r\n" after a record: not a line as it lies, copied. */
	got_len = writes = from_region = 0;
	T_EQ(dk_output_line(region + 16, 7), DK_OK, "a record before CRLF");
	T_EQ(dk_output_buffered(), 8, "copied");
	/* A span behind a copied line is copied too: order kept. */
	T_EQ(dk_output_line(region, 7), DK_OK, "a region record after it");
	T_EQ(dk_output_buffered(), 16, "copied after it");
	T_EQ(dk_output_write(), DK_OK, "written");
	T_OK(got_len == 16 && memcmp(got, "{\"c\":3}\n{\"a\":1}\n", 16) == 0,
	     "in the order given");

	/* A slow reader: what it leaves of a span waits in the buffer. */
	got_len = 0;
	T_EQ(dk_output_line(region, 7), DK_OK, "a span again");
	T_EQ(dk_output_line(region + 8, 7), DK_OK, "two lines");
	T_EQ(dk_output_line("x", 1), DK_OK, "a line from elsewhere");
	T_EQ(dk_output_buffered(), 18, "the span copied before it");
	T_EQ(dk_output_write(), DK_OK, "written");
	T_OK(got_len == 18 && memcmp(got, "{\"a\":1}\n{\"b\":2}\nx\n", 18) == 0,
	     "span then line");
	got_len = 0;
	T_EQ(dk_output_line(region, 7), DK_OK, "a span");
	take = 3;
	T_EQ(dk_output_write(), DK_AGAIN, "the reader takes 3 bytes");
	T_EQ(dk_output_buffered(), 5, "the rest copied");
	memset(region, '-', 8); /* the loop reuses the region */
	take = 1 << 30;
	T_EQ(dk_output_write(), DK_OK, "then written");
	T_OK(got_len == 8 && memcmp(got, "{\"a\":1}\n", 8) == 0, "whole, as it was");

	/* Released: the span is copied, later lines from there are too. */
	strcpy(region, "{\"a\":1}\n");
	got_len = 0;
	T_EQ(dk_output_line(region, 7), DK_OK, "a span");
	dk_output_release();
	T_EQ(dk_output_buffered(), 8, "copied at release");
	memset(region, '-', 8);
	T_EQ(dk_output_line(region, 7), DK_OK, "after release");
	T_EQ(dk_output_buffered(), 16, "copied: no region kept");
	T_EQ(dk_output_write(), DK_OK, "written");
	T_OK(got_len == 16 && memcmp(got, "{\"a\":1}\n-------\n", 16) == 0,
	     "the released span as it was");
	fake_write = scripted;
}

int main(void)
{
	lines();
	failure();
	gone();
	span();
	return T_DONE();
}
