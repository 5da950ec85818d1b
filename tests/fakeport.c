/* fakeport.c - fakes for the port's link-time functions (see fakeport.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "fakeport.h"
#include "err.h"

int64_t fake_now_ms;
int64_t fake_wall_ns;
uint32_t fake_random;
char fake_log[8192];
int fake_log_lines;

void fake_log_reset(void)
{
	fake_log[0] = '\0';
	fake_log_lines = 0;
}

int64_t dk_port_now_ms(void) { return fake_now_ms; }
int64_t dk_port_wall_ns(void) { return fake_wall_ns; }
uint32_t dk_port_random(void) { return fake_random; }
const char *dk_port_errstr(void) { return "fake error"; }
void dk_port_set_err(int errnum, const char *text) { (void)errnum; (void)text; }

int dk_port_stop_requested(void) { return 0; }

void dk_port_log_open(int use_syslog, enum dk_log_level max_level)
{
	(void)use_syslog;
	(void)max_level;
}

void dk_port_log(enum dk_log_level level, const char *fmt, ...)
{
	size_t n = strlen(fake_log);
	va_list ap;
	(void)level;
	va_start(ap, fmt);
	if (n < sizeof fake_log - 1)
		vsnprintf(fake_log + n, sizeof fake_log - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(fake_log);
	if (n < sizeof fake_log - 1) {
		fake_log[n] = '\n';
		fake_log[n + 1] = '\0';
	}
	fake_log_lines++;
}
