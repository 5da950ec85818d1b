/* fakeport.h - the port's link-time functions faked for unit tests:
 * a settable clock, scripted randomness, a captured log, a scripted
 * transport. */
#ifndef DK_FAKEPORT_H
#define DK_FAKEPORT_H

#include <stdint.h>
#include "port.h"

extern int64_t fake_now_ms;        /* dk_port_now_ms() returns this */
extern int64_t fake_wall_ns;       /* dk_port_wall_ns() returns this */
extern uint32_t fake_random;       /* dk_port_random() returns this */
extern char fake_log[8192];        /* every log line, '\n'-separated */
extern int fake_log_lines;
void fake_log_reset(void);
/* dk_port_mtime and dk_port_dir_next see one directory holding these
 * NUL-separated names (NULL: no directory), with this mtime. */
extern const char *fake_dir_names;
extern int64_t fake_mtime;

#endif
