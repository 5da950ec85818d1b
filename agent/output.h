/* output.h - the agent's stdout, where the printers write (dispatch.c):
 * whole lines appended to a fixed buffer (DK_OUTPUT_BUF, config.h), written
 * out by the loop when stdout takes them. A pipe or a socket is made
 * non-blocking, so a reader that stops reading never blocks the loop (no
 * hook timeout or SIGTERM waits for it): the loop stops taking records
 * instead, until the buffer has room (dk_output_room). A regular file or a
 * terminal is written at once, as they never wait for a reader.
 */
#ifndef DK_OUTPUT_H
#define DK_OUTPUT_H

#include <stddef.h>

/* Take over fd (1) for output. Returns DK_OK, or DK_ERR_IO when fd cannot
 * be examined (dk_port_errstr says why; output is then written blocking). */
int dk_output_init(int fd);

/* Give the fd back as it was (blocking, if we made it non-blocking). */
void dk_output_restore(void);

/* Append s[0..n) and a newline, whole or not at all. DK_OK, or
 * DK_ERR_NOSPACE (the line is dropped and counted: the loop makes room
 * before it delivers, so this happens only while stopping), or DK_ERR_IO
 * after output failed (dropped: nothing more is written). */
int dk_output_line(const char *s, size_t n);

/* Bytes free for lines, and bytes waiting to be written: in the buffer
 * and in the span (below); buffered: in the buffer alone. */
size_t dk_output_room(void);
size_t dk_output_pending(void);
size_t dk_output_buffered(void);

/* The events just read lie in [p, e) and stay there, unchanged, until
 * dk_output_release: a line given to dk_output_line from there, with its
 * newline after it and just after the line before, is written from where
 * it lies (a span) instead of being copied. Release before the region's
 * bytes change or move: what the span still holds is copied then. At most
 * one region (keep releases the one before). */
void dk_output_keep(const char *p, const char *e);
void dk_output_release(void);

/* Write what the fd takes now (a terminal or a file: everything). DK_OK
 * when nothing is left, DK_AGAIN when some is (poll dk_output_fd for
 * writing), DK_ERR_IO once output failed: sticky, dk_output_error says
 * why. */
int dk_output_write(void);

/* The fd to poll (a pipe or socket), or -1: a terminal or file is not
 * polled. With nothing pending, poll it with no events: an error or
 * hang-up there means the reader went away (dk_output_gone). */
int dk_output_fd(void);

/* The reader went away while nothing was pending (poll said so): output
 * fails now, as the next write would. */
void dk_output_gone(void);

/* NULL while output is fine, else why it failed ("Broken pipe"). */
const char *dk_output_error(void);

/* Lines dropped for want of room (while stopping). */
unsigned long dk_output_dropped(void);

#endif
