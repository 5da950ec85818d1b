/* test_proc.c - the real port's processes (proc.c), hook directories
 * (fs.c) and its poll with SIGCHLD (posix.c), against real scripts in a
 * temporary directory. The scripts are /bin/sh; the agent never uses a
 * shell, the test only uses it to look at what the child got.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include "t.h"
#include "port.h"
#include "err.h"

static char tmpdir[64];
static char why[512];
static char buf[256 * 1024];
static char payload[100 * 1024];

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Write a file with mode; returns 0 on success. */
static int put_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(text);

	if (fd < 0)
		return -1;
	if (write(fd, text, n) != (ssize_t)n || fchmod(fd, mode) != 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A #!/bin/sh script in tmpdir; its path goes to out. */
static void script(char *out, size_t cap, const char *name, const char *body)
{
	char text[2048];

	path_of(out, cap, name);
	snprintf(text, sizeof text, "#!/bin/sh\n%s\n", body);
	if (put_file(out, text, 0755) != 0)
		printf("# cannot write %s: %s\n", out, strerror(errno));
}

static long slurp(const char *path)
{
	return t_slurp(path, buf, sizeof buf - 1);
}

/* Wait for a file to appear with some content (a script got that far). */
static int wait_file(const char *path, int ms)
{
	struct stat st;

	for (; ms > 0; ms -= 10) {
		if (stat(path, &st) == 0 && st.st_size > 0)
			return 1;
		sleep_ms(10);
	}
	return 0;
}

static void drain_signals(void)
{
	while (dk_port_signal_take() != DK_SIG_NONE)
		;
}

/* Reap pid, waiting up to ms; returns its code, or -1000 on timeout. */
static int wait_child(int pid, int ms)
{
	int64_t end = dk_port_now_ms() + ms;
	int code, r;

	for (;;) {
		r = dk_port_reap(&code);
		if (r == pid)
			return code;
		if (r < 0 || dk_port_now_ms() >= end)
			return -1000;
		if (r == 0)
			dk_port_poll(NULL, 0, 50);
		drain_signals();
	}
}

/* Is the process gone (no /proc entry, or a zombie waiting for init)? */
static int gone(long pid)
{
	char p[64], st[512];
	const char *rp;
	long n;

	snprintf(p, sizeof p, "/proc/%ld/stat", pid);
	n = t_slurp(p, st, sizeof st - 1);
	if (n < 0)
		return 1;
	st[n] = '\0';
	rp = strrchr(st, ')');
	return rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
}

static int wait_gone(long pid, int ms)
{
	for (; ms > 0; ms -= 10) {
		if (gone(pid))
			return 1;
		sleep_ms(10);
	}
	return gone(pid);
}

static int count_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static void show_fds(void)
{
	char p[64], l[256];
	int fd;
	ssize_t n;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
		n = readlink(p, l, sizeof l - 1);
		if (n >= 0)
			printf("#   fd %d -> %.*s\n", fd, (int)n, l);
	}
}

/* Send our fd 2 to path for one spawn (the hook's stdout goes there);
 * returns the saved fd 2 to give back to restore_stderr. */
static int stderr_to(const char *path)
{
	int saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	return saved;
}

static void restore_stderr(int saved)
{
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
}

static void test_argv_envp(void)
{
	char sh[128], out[128], env[128], envvar[160], want[1024];
	char *argv[] = { "ignored-argv0", "plain", "two words", "", "$HOME *",
	                 NULL };
	char *envp[] = { envvar, "DOCKEV_TYPE=container", "EMPTY=",
	                 "SPACE=a b", "NL=x\ny", NULL };
	int pid = -1, in = -1, r, i;
	size_t n = 0;
	long got;

	path_of(out, sizeof out, "args.out");
	path_of(env, sizeof env, "args.out.env");
	snprintf(envvar, sizeof envvar, "OUT=%s", out);
	script(sh, sizeof sh, "args.sh",
	       "printf '[%s]\\n' \"$@\" > \"$OUT\"\n"
	       "cat /proc/$$/environ > \"$OUT.env\"");
	r = dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why);
	T_EQ(r, DK_OK, "argv: spawn (%s)", r ? why : "ok");
	if (r != DK_OK)
		return;
	T_OK(pid > 0 && in >= 0, "argv: pid %d, stdin fd %d", pid, in);
	T_OK(fcntl(in, F_GETFD) & FD_CLOEXEC, "argv: stdin fd is close-on-exec");
	T_OK(fcntl(in, F_GETFL) & O_NONBLOCK, "argv: stdin fd is non-blocking");
	dk_port_close(in);
	T_EQ(wait_child(pid, 5000), 0, "argv: exits 0");
	got = slurp(out);
	T_STR(buf, got > 0 ? (size_t)got : 0,
	      "[plain]\n[two words]\n[]\n[$HOME *]\n",
	      "argv: every argument verbatim, no shell expansion");
	for (i = 0; envp[i]; i++) {
		size_t l = strlen(envp[i]) + 1;
		memcpy(want + n, envp[i], l);
		n += l;
	}
	got = slurp(env);
	T_OK(got == (long)n && memcmp(buf, want, n) == 0,
	     "envp: exactly the given environment (%ld bytes, want %zu)",
	     got, n);
}

static void test_stdin(void)
{
	char sh[128], out[128], go[128], envvar[160], govar[160];
	char *argv[] = { "cat", NULL };
	char *envp[] = { envvar, govar, NULL };
	int pid = -1, in = -1, r, agains = 0, polls = 0;
	size_t i, off = 0;
	long got, w;

	for (i = 0; i < sizeof payload; i++)
		payload[i] = (char)(1 + (i * 7) % 251); /* never NUL */
	path_of(out, sizeof out, "stdin.out");
	path_of(go, sizeof go, "stdin.go");
	snprintf(envvar, sizeof envvar, "OUT=%s", out);
	snprintf(govar, sizeof govar, "GO=%s", go);
	/* The reader waits until the pipe has filled (the GO file): a cat
	 * reading at once could keep up with the writer on a busy machine,
	 * and the DK_AGAIN path would go untested. */
	script(sh, sizeof sh, "stdin.sh",
	       "while [ ! -e \"$GO\" ]; do sleep 0.01; done\n"
	       "exec cat > \"$OUT\"");
	r = dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why);
	T_EQ(r, DK_OK, "stdin: spawn (%s)", r ? why : "ok");
	if (r != DK_OK)
		return;
	while (off < sizeof payload) {
		w = dk_port_write(in, payload + off, sizeof payload - off);
		if (w == DK_AGAIN) {
			struct dk_pollfd p[2] = { { -1, DK_POLL_IN, 99 },
			                          { in, DK_POLL_OUT, 0 } };
			if (agains++ == 0)
				put_file(go, "", 0644);
			r = dk_port_poll(p, 2, 5000);
			if (r == 2)
				drain_signals();
			else if (r != 1 || !(p[1].revents & DK_POLL_OUT) ||
			         p[0].revents != 0)
				break;
			polls++;
			continue;
		}
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	put_file(go, "", 0644); /* the pipe never filled: let cat end */
	T_EQ(off, sizeof payload, "stdin: all 100 KiB written");
	T_OK(agains > 0 && polls > 0,
	     "stdin: the pipe filled (%d x DK_AGAIN) and poll said writable",
	     agains);
	dk_port_close(in);
	T_EQ(wait_child(pid, 5000), 0, "stdin: cat exits 0 at EOF");
	got = slurp(out);
	T_OK(got == (long)sizeof payload && memcmp(buf, payload, sizeof payload) == 0,
	     "stdin: bytes arrive verbatim (%ld)", got);
}

static void test_stdout(void)
{
	char sh[128], err[128];
	char *argv[] = { "out", NULL };
	char *envp[] = { NULL };
	int pid = -1, in = -1, r, saved;
	long got;

	path_of(err, sizeof err, "stderr.out");
	script(sh, sizeof sh, "out.sh", "echo to-stdout; echo to-stderr >&2");
	saved = stderr_to(err);
	r = dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why);
	restore_stderr(saved);
	T_EQ(r, DK_OK, "stdout: spawn (%s)", r ? why : "ok");
	if (r != DK_OK)
		return;
	dk_port_close(in);
	T_EQ(wait_child(pid, 5000), 0, "stdout: exits 0");
	got = slurp(err);
	T_STR(buf, got > 0 ? (size_t)got : 0, "to-stdout\nto-stderr\n",
	      "stdout: stdout and stderr both go to the agent's stderr");
}

static void test_exec_fail(void)
{
	char p[128];
	char *argv[] = { "x", NULL };
	char *envp[] = { NULL };
	int pid = -7, in = -7, r, code, fds = count_fds();

	path_of(p, sizeof p, "noexec.sh");
	put_file(p, "#!/bin/sh\nexit 0\n", 0644);
	r = dk_port_spawn(p, argv, envp, &pid, &in, why, sizeof why);
	T_EQ(r, DK_ERR_IO, "exec: a file without x bits fails");
	T_OK(strcmp(why, "Permission denied") == 0, "exec: why '%s'", why);
	T_OK(pid == -7 && in == -7, "exec: pid and stdin fd untouched");

	path_of(p, sizeof p, "missing");
	r = dk_port_spawn(p, argv, envp, &pid, &in, why, sizeof why);
	T_EQ(r, DK_ERR_IO, "exec: a missing file fails");
	T_OK(strcmp(why, "No such file or directory") == 0, "exec: why '%s'", why);

	path_of(p, sizeof p, "garbage");
	put_file(p, "this is not a program\n", 0755);
	r = dk_port_spawn(p, argv, envp, &pid, &in, why, sizeof why);
	T_EQ(r, DK_ERR_IO, "exec: no #! and no ELF fails");
	T_OK(strcmp(why, "Exec format error") == 0, "exec: why '%s'", why);

	T_EQ(dk_port_reap(&code), -1,
	     "exec: failed children are reaped by spawn, not reported by reap");
	T_EQ(count_fds(), fds, "exec: no fd left behind by failed spawns");
	drain_signals();
}

static void test_group_and_kill(void)
{
	char sh[128], out[128], envvar[160];
	char *argv[] = { "grp", NULL };
	char *envp[] = { envvar, NULL };
	int pid = -1, in = -1, r;
	long gpid;

	/* A hook that does not trap TERM, with a grandchild. */
	path_of(out, sizeof out, "grp.pid");
	snprintf(envvar, sizeof envvar, "OUT=%s", out);
	script(sh, sizeof sh, "grp.sh",
	       "sleep 100 &\necho $! > \"$OUT.tmp\"; mv \"$OUT.tmp\" \"$OUT\"\nwait");
	unlink(out);
	r = dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why);
	T_EQ(r, DK_OK, "group: spawn (%s)", r ? why : "ok");
	if (r != DK_OK)
		return;
	T_EQ(getpgid(pid), pid, "group: the child leads its own process group");
	T_OK(getpgid(pid) != getpgid(0), "group: not the agent's group");
	T_OK(wait_file(out, 5000), "group: the grandchild started");
	gpid = slurp(out) > 0 ? strtol(buf, NULL, 10) : 0;
	T_EQ(getpgid((pid_t)gpid), pid, "group: the grandchild is in the group");
	dk_port_kill_group(pid, DK_KILL_TERM);
	T_EQ(wait_child(pid, 5000), -SIGTERM, "group: TERM ends it, reap says -15");
	T_OK(gpid > 0 && wait_gone(gpid, 5000), "group: TERM ended the grandchild");
	dk_port_kill_group(pid, DK_KILL_KILL); /* the group is gone: harmless */
	dk_port_close(in);

	/* A hook that ignores TERM (inherited by its grandchild). */
	path_of(out, sizeof out, "trap.pid");
	snprintf(envvar, sizeof envvar, "OUT=%s", out);
	script(sh, sizeof sh, "trap.sh",
	       "trap '' TERM\nsleep 100 &\n"
	       "echo $! > \"$OUT.tmp\"; mv \"$OUT.tmp\" \"$OUT\"\nwait");
	unlink(out);
	r = dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why);
	T_EQ(r, DK_OK, "trap: spawn (%s)", r ? why : "ok");
	if (r != DK_OK)
		return;
	T_OK(wait_file(out, 5000), "trap: the grandchild started");
	gpid = slurp(out) > 0 ? strtol(buf, NULL, 10) : 0;
	dk_port_kill_group(pid, DK_KILL_TERM);
	sleep_ms(200);
	T_EQ(wait_child(pid, 0), -1000, "trap: TERM is ignored, still running");
	T_OK(gpid > 0 && !gone(gpid), "trap: the grandchild too");
	dk_port_kill_group(pid, DK_KILL_KILL);
	T_EQ(wait_child(pid, 5000), -SIGKILL, "trap: KILL ends it, reap says -9");
	T_OK(gpid > 0 && wait_gone(gpid, 5000), "trap: KILL ended the grandchild");
	dk_port_close(in);

	/* The leader dies of TERM, its child ignores TERM: the group lives
	 * on without its leader until KILL. */
	path_of(out, sizeof out, "ign.pid");
	snprintf(envvar, sizeof envvar, "OUT=%s", out);
	script(sh, sizeof sh, "ign.sh",
	       "( trap '' TERM; exec sleep 100 ) &\n"
	       "echo $! > \"$OUT.tmp\"; mv \"$OUT.tmp\" \"$OUT\"\nwait");
	unlink(out);
	r = dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why);
	T_EQ(r, DK_OK, "ign: spawn (%s)", r ? why : "ok");
	if (r != DK_OK)
		return;
	T_OK(wait_file(out, 5000), "ign: the child started");
	gpid = slurp(out) > 0 ? strtol(buf, NULL, 10) : 0;
	T_EQ(dk_port_group_alive(pid), 1, "ign: the group is alive");
	dk_port_kill_group(pid, DK_KILL_TERM);
	T_EQ(wait_child(pid, 5000), -SIGTERM, "ign: TERM ends the leader");
	T_OK(gpid > 0 && !gone(gpid), "ign: not the child");
	T_EQ(dk_port_group_alive(pid), 1, "ign: the group is alive without its leader");
	dk_port_kill_group(pid, DK_KILL_KILL);
	T_OK(gpid > 0 && wait_gone(gpid, 5000), "ign: KILL to the group ends the child");
	/* (Not asked again: the killed child is init's zombie now, still
	 * in the group until an init that reaps takes it.) */
	T_EQ(dk_port_group_alive(0) + dk_port_group_alive(1) + dk_port_group_alive(-5), 0,
	     "ign: pgid <= 1 is never alive");
	dk_port_close(in);
	drain_signals();
}

static void test_reap_codes(void)
{
	char sh[128];
	char *argv[] = { "x", NULL };
	char *envp[] = { NULL };
	int pid = -1, in = -1, code = 77;

	T_EQ(dk_port_reap(&code), -1, "reap: no children is negative");
	T_EQ(code, 77, "reap: code untouched then");
	script(sh, sizeof sh, "exit3.sh", "exit 3");
	if (dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why) != DK_OK)
		return;
	dk_port_close(in);
	T_EQ(wait_child(pid, 5000), 3, "reap: exit 3 is 3");

	script(sh, sizeof sh, "block.sh", "read x; exit 0");
	if (dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why) != DK_OK)
		return;
	sleep_ms(50);
	T_EQ(dk_port_reap(&code), 0, "reap: a running child is 0");
	dk_port_kill_group(pid, DK_KILL_TERM);
	T_EQ(wait_child(pid, 5000), -15, "reap: killed by TERM is -15");
	dk_port_close(in);
}

static void test_fds_and_signals(void)
{
	char sh[128], out[128], leak[128], err[128], envvar[160], *line;
	char *argv[] = { "fds", NULL };
	char *envp[] = { envvar, NULL };
	int pid = -1, in = -1, lfd, lfd_high, r, saved, bad = 0, lines = 0;
	sigset_t blk, old;
	long got;

	path_of(leak, sizeof leak, "leak.txt");
	path_of(out, sizeof out, "fds.out");
	path_of(err, sizeof err, "fds.err");
	snprintf(envvar, sizeof envvar, "OUT=%s", out);
	/* Not close-on-exec, as if inherited from whoever started us. */
	lfd = open(leak, O_RDWR | O_CREAT, 0600);
	lfd_high = dup2(lfd, 200);
	T_OK(lfd >= 0 && lfd_high == 200 && !(fcntl(lfd, F_GETFD) & FD_CLOEXEC),
	     "fds: fd %d and 200 open without close-on-exec", lfd);
	script(sh, sizeof sh, "fds.sh", "exec ls -l /proc/self/fd/ > \"$OUT\"");
	saved = stderr_to(err);
	r = dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why);
	restore_stderr(saved);
	T_EQ(r, DK_OK, "fds: spawn (%s)", r ? why : "ok");
	close(lfd);
	close(lfd_high);
	if (r != DK_OK)
		return;
	dk_port_close(in);
	T_EQ(wait_child(pid, 5000), 0, "fds: ls exits 0");
	got = slurp(out);
	buf[got > 0 ? got : 0] = '\0';
	/* "lr-x------ 1 root root 64 ... 3 -> /proc/123/fd": fd 0 is the
	 * stdin pipe, 1 the output file, 2 fds.err, 3 ls's own directory. */
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		const char *arrow = strstr(line, " -> ");
		const char *p;
		long fd;

		if (!arrow)
			continue;
		for (p = arrow; p > line && p[-1] != ' '; p--)
			;
		fd = strtol(p, NULL, 10);
		lines++;
		if (strstr(arrow, leak) ||
		    (fd == 0 && strncmp(arrow + 4, "pipe:", 5) != 0) ||
		    (fd == 1 && strcmp(arrow + 4, out) != 0) ||
		    (fd == 2 && strcmp(arrow + 4, err) != 0) ||
		    (fd > 2 && strncmp(arrow + 4, "/proc/", 6) != 0)) {
			printf("# unexpected in the child: %s\n", line);
			bad++;
		}
	}
	T_OK(lines >= 3 && bad == 0,
	     "fds: the child has only stdin, stdout, stderr (%d fds)", lines);

	/* Dispositions and mask: ours ignores SIGPIPE (signals_init) and
	 * SIGHUP (ignored when it started, as under nohup: see main), and,
	 * for the test, blocks SIGUSR2. The child has none of them. */
	sigemptyset(&blk);
	sigaddset(&blk, SIGUSR2);
	sigprocmask(SIG_BLOCK, &blk, &old);
	script(sh, sizeof sh, "sigs.sh",
	       "exec grep -E '^Sig(Ign|Blk)' /proc/self/status > \"$OUT\"");
	r = dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why);
	sigprocmask(SIG_SETMASK, &old, NULL);
	T_EQ(r, DK_OK, "sigs: spawn (%s)", r ? why : "ok");
	if (r != DK_OK)
		return;
	dk_port_close(in);
	T_EQ(wait_child(pid, 5000), 0, "sigs: grep exits 0");
	got = slurp(out);
	/* Only the standard signals 1..31: glibc refuses to touch its own
	 * real-time signals 32 and 33, which a parent (make) may ignore. */
	{
		unsigned long long sblk = ~0ULL, sign = ~0ULL;
		if (got > 0) {
			buf[got] = '\0';
			sscanf(buf, "SigBlk:\t%llx\nSigIgn:\t%llx", &sblk, &sign);
		}
		T_OK((sblk & 0x7fffffffULL) == 0 && (sign & 0x7fffffffULL) == 0,
		     "sigs: nothing ignored (SIGPIPE default again), nothing blocked: %s",
		     got > 0 ? buf : "");
	}
}

static void test_sigchld(void)
{
	char sh[128];
	char *argv[] = { "x", NULL };
	char *envp[] = { NULL };
	struct dk_pollfd p = { -1, DK_POLL_IN, 77 };
	int pid = -1, in = -1, code = 0, r;
	int64_t t0;

	drain_signals();
	T_EQ(dk_port_poll(&p, 1, 0), 0, "sigchld: nothing pending");
	script(sh, sizeof sh, "quick.sh", "exit 5");
	r = dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why);
	T_EQ(r, DK_OK, "sigchld: spawn (%s)", r ? why : "ok");
	if (r != DK_OK)
		return;
	t0 = dk_port_now_ms();
	T_EQ(dk_port_poll(&p, 1, 5000), DK_WAIT_SIGNAL, "sigchld: the exit wakes the poll");
	T_OK(dk_port_now_ms() - t0 < 4000, "sigchld: well before the timeout");
	T_EQ(p.revents, 0, "sigchld: the fd < 0 entry is ignored");
	T_EQ(dk_port_poll(&p, 1, 0), DK_WAIT_SIGNAL, "sigchld: the poll does not take it");
	T_EQ(dk_port_signal_take(), DK_SIG_CHILD, "sigchld: DK_SIG_CHILD");
	T_EQ(dk_port_signal_take(), DK_SIG_NONE, "sigchld: one byte, one child");
	T_EQ(dk_port_reap(&code), pid, "sigchld: reap gets the child");
	T_EQ(code, 5, "sigchld: exit 5");
	T_EQ(dk_port_reap(&code), -1, "sigchld: then no children");
	dk_port_close(in);

	/* A hook that closes stdin: EPIPE is an error, not a dead agent. */
	r = dk_port_spawn(sh, argv, envp, &pid, &in, why, sizeof why);
	if (r != DK_OK)
		return;
	wait_child(pid, 5000);
	T_EQ(dk_port_write(in, "x", 1), DK_ERR_IO, "write: to an exited hook fails");
	T_OK(strcmp(dk_port_errstr(), "Broken pipe") == 0, "write: '%s'",
	     dk_port_errstr());
	dk_port_close(in);
	drain_signals();
}

static void test_poll(void)
{
	int sp[2], r;
	struct dk_pollfd p[3];

	if (pipe(sp) != 0)
		return;
	memset(p, 0, sizeof p);
	p[0].fd = sp[0];
	p[0].events = DK_POLL_IN;
	p[1].fd = -1;
	p[1].events = DK_POLL_IN;
	p[2].fd = sp[1];
	p[2].events = DK_POLL_OUT;
	r = dk_port_poll(p, 3, 1000);
	T_EQ(r, 1, "poll: a writable pipe is ready");
	T_OK(p[0].revents == 0 && p[1].revents == 0 && p[2].revents == DK_POLL_OUT,
	     "poll: revents %d %d %d", p[0].revents, p[1].revents, p[2].revents);
	p[2].fd = -1;
	T_EQ(dk_port_poll(p, 3, 30), 0, "poll: idle read end times out");
	close(sp[1]);
	T_EQ(dk_port_poll(p, 3, 1000), 1, "poll: hang-up is ready");
	T_OK(p[0].revents & DK_POLL_ERR, "poll: as DK_POLL_ERR");
	close(sp[0]);
	T_EQ(dk_port_poll(p, 3, 1000), DK_ERR_IO, "poll: a closed fd is DK_ERR_IO");
	T_EQ(dk_port_poll(NULL, 0, 10), 0, "poll: no fds sleeps");
}

static void test_dir_next(void)
{
	char d[128], p[192], name[64], small[4];
	int r;

	path_of(d, sizeof d, "list");
	mkdir(d, 0755);
	snprintf(p, sizeof p, "%s/b", d);
	put_file(p, "", 0644);
	snprintf(p, sizeof p, "%s/a", d);
	put_file(p, "", 0644);
	snprintf(p, sizeof p, "%s/c", d);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/bbbbbbbb", d);
	put_file(p, "", 0644);

	r = dk_port_dir_next(d, "", name, sizeof name);
	T_OK(r == 1 && strcmp(name, "a") == 0, "dir: first is a (%d '%s')", r, name);
	r = dk_port_dir_next(d, name, name, sizeof name); /* same buffer */
	T_OK(r == 1 && strcmp(name, "b") == 0, "dir: then b (%d '%s')", r, name);
	r = dk_port_dir_next(d, name, name, sizeof name);
	T_OK(r == 1 && strcmp(name, "bbbbbbbb") == 0, "dir: then bbbbbbbb (%d '%s')",
	     r, name);
	r = dk_port_dir_next(d, name, name, sizeof name);
	T_OK(r == 1 && strcmp(name, "c") == 0, "dir: then c (%d '%s')", r, name);
	r = dk_port_dir_next(d, name, name, sizeof name);
	T_EQ(r, 0, "dir: then none");

	r = dk_port_dir_next(d, "a", small, sizeof small);
	T_OK(r == 1 && strcmp(small, "b") == 0, "dir: small cap: b");
	r = dk_port_dir_next(d, small, small, sizeof small);
	T_OK(r == 1 && strcmp(small, "c") == 0,
	     "dir: a name longer than cap is skipped (%d '%s')", r, small);

	path_of(p, sizeof p, "nonexistent");
	T_EQ(dk_port_dir_next(p, "", name, sizeof name), DK_ERR_IO,
	     "dir: missing directory is DK_ERR_IO");
	path_of(p, sizeof p, "empty");
	mkdir(p, 0755);
	T_EQ(dk_port_dir_next(p, "", name, sizeof name), 0, "dir: empty has none");
}

/* dk_port_script_open on tmpdir/sub/name; returns its result and closes
 * the descriptor it gave. */
static int script_open(const char *sub, const char *name)
{
	int fd = -7, r = dk_port_script_open(tmpdir, sub, name, &fd, why, sizeof why);

	if ((r == DK_OK) != (fd >= 0))
		printf("# script_open %s/%s: %d with fd %d\n", sub, name, r, fd);
	if (fd >= 0)
		close(fd);
	return r;
}

static void test_script_ok(void)
{
	char d[128], p[192], l[192];
	int root = geteuid() == 0;

	path_of(d, sizeof d, "hooks.d");
	mkdir(d, 0755);
	chmod(d, 0755);
	snprintf(p, sizeof p, "%s/ok", d);
	put_file(p, "#!/bin/sh\n", 0755);

	T_EQ(script_open("hooks.d", "ok"), DK_OK, "script: ok (%s)", why);
	chmod(p, 0775);
	T_EQ(script_open("hooks.d", "ok"), DK_ERR_PARAM, "script: g+w refused");
	T_OK(strcmp(why, "writable by group or others") == 0, "script: '%s'", why);
	chmod(p, 0757);
	T_EQ(script_open("hooks.d", "ok"), DK_ERR_PARAM, "script: o+w refused");
	T_OK(strcmp(why, "writable by group or others") == 0, "script: '%s'", why);
	chmod(p, 0644);
	T_EQ(script_open("hooks.d", "ok"), DK_ERR_PARAM,
	     "script: no x bit refused");
	T_OK(strcmp(why, "not executable") == 0, "script: '%s'", why);
	chmod(p, 0700);
	T_EQ(script_open("hooks.d", "ok"), DK_OK,
	     "script: owner-only x is enough for the owner");

	chmod(d, 0757);
	T_EQ(script_open("hooks.d", "ok"), DK_ERR_PARAM,
	     "script: directory o+w refused");
	T_OK(strcmp(why, "directory writable by group or others") == 0,
	     "script: '%s'", why);
	chmod(d, 0775);
	T_EQ(script_open("hooks.d", "ok"), DK_ERR_PARAM,
	     "script: directory g+w refused");
	chmod(d, 0755);

	/* The hooks directory itself: the same rules. */
	chmod(tmpdir, 0777);
	T_EQ(script_open("hooks.d", "ok"), DK_ERR_PARAM,
	     "script: hooks directory o+w refused");
	T_OK(strcmp(why, "hooks directory writable by group or others") == 0,
	     "script: '%s'", why);
	chmod(tmpdir, 0775);
	T_EQ(script_open("hooks.d", "ok"), DK_ERR_PARAM,
	     "script: hooks directory g+w refused");
	chmod(tmpdir, 0755);

	snprintf(p, sizeof p, "%s/sub", d);
	mkdir(p, 0755);
	T_EQ(script_open("hooks.d", "sub"), DK_ERR_PARAM,
	     "script: a directory refused");
	T_OK(strcmp(why, "not a regular file") == 0, "script: '%s'", why);

	snprintf(l, sizeof l, "%s/link", d);
	snprintf(p, sizeof p, "%s/ok", d);
	T_EQ(symlink(p, l), 0, "script: make a symlink to ok");
	T_EQ(script_open("hooks.d", "link"), DK_ERR_PARAM,
	     "script: a symlink refused");
	T_OK(strcmp(why, "is a symbolic link") == 0, "script: '%s'", why);

	T_EQ(script_open("hooks.d", "missing"), DK_ERR_PARAM,
	     "script: missing refused");
	T_OK(strcmp(why, "No such file or directory") == 0, "script: '%s'", why);
	T_EQ(script_open("hooks.d", "../hooks.d/ok"), DK_ERR_PARAM,
	     "script: a name with a slash refused ('%s')", why);
	T_EQ(script_open("../x", "ok"), DK_ERR_PARAM,
	     "script: a directory name with a slash refused ('%s')", why);
	T_EQ(script_open("..", "ok"), DK_ERR_PARAM, "script: .. refused ('%s')", why);
	T_EQ(script_open("nodir.d", "ok"), DK_ERR_PARAM, "script: missing directory refused");
	T_OK(strcmp(why, "directory: No such file or directory") == 0, "script: '%s'", why);

	/* A *.d that is a symbolic link: its target is checked. */
	path_of(p, sizeof p, "elsewhere");
	mkdir(p, 0755);
	chmod(p, 0755);
	path_of(l, sizeof l, "elsewhere/ok");
	put_file(l, "#!/bin/sh\n", 0755);
	path_of(l, sizeof l, "linked.d");
	T_EQ(symlink(p, l), 0, "script: linked.d -> elsewhere");
	T_EQ(script_open("linked.d", "ok"), DK_OK,
	     "script: a symlinked *.d whose target passes is used (%s)", why);
	chmod(p, 0777);
	T_EQ(script_open("linked.d", "ok"), DK_ERR_PARAM,
	     "script: a symlinked *.d whose target is o+w refused");
	T_OK(strcmp(why, "directory writable by group or others") == 0,
	     "script: '%s'", why);
	chmod(p, 0755);

	if (!root) {
		T_OK(1, "# SKIP owner checks need root");
		T_OK(1, "# SKIP owner checks need root");
		return;
	}
	snprintf(p, sizeof p, "%s/ok", d);
	T_EQ(chown(p, 1000, 1000), 0, "script: chown 1000 the script");
	T_EQ(script_open("hooks.d", "ok"), DK_ERR_PARAM,
	     "script: owned by someone else refused");
	T_OK(strcmp(why, "owned by uid 1000, not root or the agent's user") == 0,
	     "script: '%s'", why);
	T_EQ(chown(p, 0, 0), 0, "script: chown back");
	T_EQ(chown(d, 1000, 1000), 0, "script: chown 1000 the directory");
	T_EQ(script_open("hooks.d", "ok"), DK_ERR_PARAM,
	     "script: directory owned by someone else refused");
	T_OK(strcmp(why, "directory owned by uid 1000, not root or the agent's "
	                 "user") == 0, "script: '%s'", why);
	chown(d, 0, 0);
	T_EQ(chown(tmpdir, 1000, 1000), 0, "script: chown 1000 the hooks directory");
	T_EQ(script_open("hooks.d", "ok"), DK_ERR_PARAM,
	     "script: hooks directory owned by someone else refused");
	T_OK(strcmp(why, "hooks directory owned by uid 1000, not root or the "
	                 "agent's user") == 0, "script: '%s'", why);
	chown(tmpdir, 0, 0);
	path_of(p, sizeof p, "elsewhere");
	T_EQ(chown(p, 1000, 1000), 0, "script: chown 1000 the symlinked *.d's target");
	T_EQ(script_open("linked.d", "ok"), DK_ERR_PARAM,
	     "script: a symlinked *.d whose target is someone else's refused ('%s')", why);
	chown(p, 0, 0);
}

static void test_hooks_dir_stat(void)
{
	char d[128], p[192];
	int64_t m = -9;

	path_of(d, sizeof d, "hroot");
	mkdir(d, 0755);
	chmod(d, 0755);
	T_EQ(dk_port_hooks_dir_stat(d, &m, why, sizeof why), DK_OK, "root: ok (%s)", why);
	T_EQ(m, dk_port_mtime(d), "root: its mtime");
	chmod(d, 0757);
	T_EQ(dk_port_hooks_dir_stat(d, &m, why, sizeof why), DK_ERR_PARAM, "root: o+w refused");
	T_OK(strcmp(why, "writable by group or others") == 0, "root: '%s'", why);
	chmod(d, 0775);
	T_EQ(dk_port_hooks_dir_stat(d, NULL, why, sizeof why), DK_ERR_PARAM, "root: g+w refused");
	chmod(d, 01777);
	T_EQ(dk_port_hooks_dir_stat(d, NULL, why, sizeof why), DK_ERR_PARAM,
	     "root: sticky and o+w (as /tmp) refused");
	chmod(d, 0755);
	path_of(p, sizeof p, "hroot-link");
	T_EQ(symlink(d, p), 0, "root: a symlink to it");
	T_EQ(dk_port_hooks_dir_stat(p, NULL, why, sizeof why), DK_OK,
	     "root: given through a symlink, the directory is what counts");
	path_of(p, sizeof p, "hroot-file");
	put_file(p, "", 0644);
	T_EQ(dk_port_hooks_dir_stat(p, NULL, why, sizeof why), DK_ERR_PARAM, "root: a file refused");
	T_OK(strcmp(why, "not a directory") == 0, "root: '%s'", why);
	path_of(p, sizeof p, "hroot-missing");
	m = -9;
	T_EQ(dk_port_hooks_dir_stat(p, &m, why, sizeof why), DK_ERR_IO, "root: missing is DK_ERR_IO");
	T_OK(strcmp(why, "No such file or directory") == 0 && m == -9, "root: '%s'", why);
	if (geteuid() == 0) {
		chown(d, 1000, 1000);
		T_EQ(dk_port_hooks_dir_stat(d, NULL, why, sizeof why), DK_ERR_PARAM,
		     "root: someone else's refused");
		T_OK(strcmp(why, "owned by uid 1000, not root or the agent's user") == 0,
		     "root: '%s'", why);
		chown(d, 0, 0);
	} else {
		T_OK(1, "# SKIP owner checks need root");
		T_OK(1, "# SKIP owner checks need root");
	}
}

/* What was checked runs: the *.d is swapped for another between
 * dk_port_script_open and the spawn, and the checked script still runs,
 * in its directory, a #! script too. */
static void test_spawn_at(void)
{
	char d[128], moved[128], p[192], out[128], envvar[160];
	char *argv[] = { "whole-path", "a", NULL };
	char *envp[] = { envvar, NULL };
	int fd = -1, pid = -1, in = -1, r;
	long got;

	path_of(d, sizeof d, "swap.d");
	path_of(moved, sizeof moved, "swap.d.checked");
	path_of(out, sizeof out, "swap.out");
	snprintf(envvar, sizeof envvar, "OUT=%s", out);
	mkdir(d, 0755);
	chmod(d, 0755);
	snprintf(p, sizeof p, "%s/run", d);
	put_file(p, "#!/bin/sh\necho \"checked $0 $1 $(pwd)\" >\"$OUT\"\n", 0755);
	r = dk_port_script_open(tmpdir, "swap.d", "run", &fd, why, sizeof why);
	T_EQ(r, DK_OK, "spawn_at: checked (%s)", why);
	if (r != DK_OK)
		return;
	T_OK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "spawn_at: its descriptor is close-on-exec");
	/* Swap: the checked directory moves away, another takes its name. */
	T_EQ(rename(d, moved), 0, "spawn_at: the checked swap.d renamed away");
	mkdir(d, 0755);
	snprintf(p, sizeof p, "%s/run", d);
	put_file(p, "#!/bin/sh\necho swapped >\"$OUT\"\n", 0755);
	r = dk_port_spawn_at(fd, "./run", argv, envp, NULL, &pid, &in, why, sizeof why);
	close(fd);
	T_EQ(r, DK_OK, "spawn_at: spawn (%s)", r ? why : "ok");
	if (r != DK_OK)
		return;
	dk_port_close(in);
	T_EQ(wait_child(pid, 5000), 0, "spawn_at: exits 0");
	got = slurp(out);
	snprintf(p, sizeof p, "checked ./run a %s\n", moved);
	T_STR(buf, got > 0 ? (size_t)got : 0, p,
	      "spawn_at: the checked script ran (not the swapped one), in its directory, $0 ./run");
	drain_signals();
}

static void test_mtime(void)
{
	char d[128], p[192];
	struct timespec ts[2] = { { 1600000000, 0 }, { 1600000000, 123456789 } };
	int64_t m0, m1;

	path_of(d, sizeof d, "mt");
	mkdir(d, 0755);
	T_EQ(utimensat(AT_FDCWD, d, ts, 0), 0, "mtime: set a known mtime");
	m0 = dk_port_mtime(d);
	T_EQ(m0, 1600000000LL * 1000000000 + 123456789, "mtime: in nanoseconds");
	snprintf(p, sizeof p, "%s/new", d);
	put_file(p, "", 0644);
	m1 = dk_port_mtime(d);
	T_OK(m1 > m0, "mtime: a new file changes it");
	T_EQ(dk_port_mtime(p) > 0, 1, "mtime: of a file too");
	path_of(p, sizeof p, "nonexistent");
	T_EQ(dk_port_mtime(p), -1, "mtime: -1 when it cannot be stat()ed");
}

static void test_environ(void)
{
	extern char **environ;
	char *const *e = dk_port_environ();

	T_OK(e == (char *const *)environ && e != NULL, "environ: the agent's own");
}

int main(void)
{
	char cmd[128];
	int fds0;

	umask(022);
	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/dockev-proc-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	chmod(tmpdir, 0755);
	/* Started with SIGHUP ignored, as nohup does: the snapshot that
	 * signals_init takes must have it, so that hooks get it back. */
	signal(SIGHUP, SIG_IGN);
	T_EQ(dk_port_signals_init(), DK_OK, "signals: init");
	fds0 = count_fds();
	test_argv_envp();
	test_stdin();
	test_stdout();
	test_exec_fail();
	test_group_and_kill();
	test_reap_codes();
	test_fds_and_signals();
	test_sigchld();
	test_poll();
	test_dir_next();
	test_script_ok();
	test_hooks_dir_stat();
	test_spawn_at();
	test_mtime();
	test_environ();
	T_EQ(count_fds(), fds0, "no fd of ours left open");
	if (count_fds() != fds0)
		show_fds();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return T_DONE();
}
