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
const char *fake_dir_names;
int64_t fake_mtime;

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
int dk_port_signal_seen(void) { return 0; }

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

/* Processes, polling and hook directories: unit tests of the core never
 * start a hook; the real ones are tested in test_proc.c. */
int dk_port_poll(struct dk_pollfd *fds, int n, int timeout_ms)
{
	(void)fds;
	(void)n;
	(void)timeout_ms;
	return 0;
}

int dk_port_spawn(const char *path, char *const argv[], char *const envp[],
                  int *pid, int *stdin_fd, char *why, size_t whylen)
{
	(void)path;
	(void)argv;
	(void)envp;
	(void)pid;
	(void)stdin_fd;
	if (why && whylen)
		snprintf(why, whylen, "fake port cannot spawn");
	return DK_ERR_UNSUPPORTED;
}

void dk_port_kill_group(int pgid, int sig) { (void)pgid; (void)sig; }
int dk_port_reap(int *code) { (void)code; return -1; }
void dk_port_close(int fd) { (void)fd; }

long dk_port_write(int fd, const void *buf, size_t len)
{
	(void)fd;
	(void)buf;
	return (long)len;
}

char *const *dk_port_environ(void)
{
	static char *const empty[] = { NULL };
	return empty;
}

int64_t dk_port_mtime(const char *path)
{
	(void)path;
	return fake_dir_names ? fake_mtime : -1;
}

/* The next name of fake_dir_names (NUL-separated, ends with "\0\0"). */
int dk_port_dir_next(const char *dir, const char *after, char *name,
                     size_t cap)
{
	const char *p, *best = NULL;

	(void)dir;
	for (p = fake_dir_names; p && *p; p += strlen(p) + 1)
		if (strcmp(p, after) > 0 && (!best || strcmp(p, best) < 0))
			best = p;
	if (!best || strlen(best) >= cap)
		return 0;
	strcpy(name, best);
	return 1;
}

int dk_port_script_ok(const char *dir, const char *name, char *why,
                      size_t whylen)
{
	(void)dir;
	(void)name;
	if (why && whylen)
		why[0] = '\0';
	return DK_OK;
}

int dk_port_open_null(void) { return -1; }
