/* proc.c - hook processes on POSIX systems: spawn (vfork + execve with a
 * close-on-exec error pipe, as skalibs does it; never a shell, never
 * posix_spawn, whose glibc file actions allocate; fork when the hook runs
 * as another user), --hook-user's lookup, group kill, non-blocking reap,
 * and the writes that feed a hook's stdin.
 */
/* pipe2() is still behind _GNU_SOURCE in glibc, musl and uClibc-ng.
 * (A feature-test macro is reserved for exactly this use.) */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "port.h"
#include "err.h"

extern char **environ;

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2) /* linux/close_range.h, Linux 5.11 */
#endif

/* The credentials cross to the system calls as gid_t/uid_t arrays. */
_Static_assert(sizeof(gid_t) == sizeof(uint32_t) && sizeof(uid_t) == sizeof(uint32_t),
               "dk_port_cred holds uid_t and gid_t as uint32_t");

/* What the child failed at, sent before its errno on the error pipe. */
enum { STEP_EXEC, STEP_SETGROUPS, STEP_SETGID, STEP_SETUID };
static const char *const step_name[] = { "", "setgroups: ", "setgid: ",
                                         "setuid: " };

/* Highest fd the child marks close-on-exec when close_range is missing: a
 * limit of a million open files must not cost a million fcntl calls. */
#define FD_SWEEP_MAX 65536

/* Move fd to a number above stderr, keeping it close-on-exec: a pipe made
 * while the agent's stdin, stdout or stderr was closed got that slot, and
 * must not stay there once we dup2 over 0 and 1. Returns the new fd. */
static int child_lift(int fd)
{
	int n, e;

	if (fd > STDERR_FILENO)
		return fd;
	n = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	e = errno;
	close(fd);
	errno = e;
	return n;
}

/* Belt and braces: every fd the agent makes is close-on-exec, but ones it
 * inherited from whoever started it are not. Marking rather than closing
 * keeps the error pipe open until the exec itself. */
static void child_cloexec_all(long sweep_max)
{
	long fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	for (fd = 3; fd < sweep_max; fd++)
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

/* Tell the parent why we did not get to run path (the step and its
 * errno), and go. */
_Noreturn static void child_fail(int err_fd, int step, int e)
{
	int msg[2];
	ssize_t w;

	msg[0] = step;
	msg[1] = e;
	do
		w = write(err_fd, msg, sizeof msg);
	while (w < 0 && errno == EINTR);
	_exit(127);
}

/* Between vfork and execve: only system calls on our own copies (the fd
 * table, dispositions, mask and process group are ours; the memory may be
 * the parent's), no stdio, never a return from here. */
_Noreturn static void child(int dirfd, const char *path, char *const argv[],
                            char *const envp[], const struct dk_port_cred *cred,
                            int in_r, int in_w, int err_r, int err_w,
                            long sweep_max)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	close(in_w);
	close(err_r);
	err_w = child_lift(err_w);
	if (err_w < 0)
		_exit(127); /* no way left to report anything */
	in_r = child_lift(in_r);
	if (in_r < 0)
		child_fail(err_w, STEP_EXEC, errno);

	/* Its own group, so a timeout can kill the hook and everything it
	 * started with one kill(-pgid); the parent does the same to close
	 * the race with an early kill. */
	setpgid(0, 0);

	/* Dispositions first, mask second: a signal that arrived after the
	 * fork (all were blocked around it) is then delivered with its
	 * default action, never to the agent's handler, which would write to
	 * the agent's self-pipe. SIG_IGN (SIGPIPE) would survive the exec;
	 * caught signals would not. Only the ones not at their default
	 * (the port's snapshot): each call is a system call made while the
	 * agent waits in vfork, and 64 of them were a quarter of a hook's
	 * start. SIGKILL, SIGSTOP and libc's reserved signals fail: ignored. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (dk_port_signal_changed(sig))
			sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (dup2(in_r, STDIN_FILENO) < 0)
		child_fail(err_w, STEP_EXEC, errno);
	close(in_r);
	/* Hook output goes to the agent's stderr (the log), never to its
	 * stdout, which may carry --json. With no stderr, no output. */
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		close(STDOUT_FILENO);

	child_cloexec_all(sweep_max);
	/* --hook-user: groups first (setgroups needs root), then the gid,
	 * then the uid, after which nothing can be changed back. Each
	 * checked: a hook must never run as root by a failure. Before the
	 * fchdir, so the hook's user must be able to search its directory. */
	if (cred) {
		if (setgroups(cred->ngroups, (const gid_t *)cred->groups) != 0)
			child_fail(err_w, STEP_SETGROUPS, errno);
		if (setgid((gid_t)cred->gid) != 0)
			child_fail(err_w, STEP_SETGID, errno);
		if (setuid((uid_t)cred->uid) != 0)
			child_fail(err_w, STEP_SETUID, errno);
	}
	/* In the checked directory, by its descriptor: path is found there
	 * at the exec and again when a #! interpreter opens it, so what runs
	 * is what was checked (the directory is writable only by root or
	 * us). A descriptor passed to execveat or fexecve instead would have
	 * to stay open, not close-on-exec, for the interpreter (/dev/fd/N)
	 * and so reach the hook. */
	if (dirfd >= 0 && fchdir(dirfd) != 0)
		child_fail(err_w, STEP_EXEC, errno);
	execve(path, argv, envp);
	child_fail(err_w, STEP_EXEC, errno);
}

static void put_why(char *why, size_t whylen, const char *what, int e)
{
	if (why && whylen)
		snprintf(why, whylen, "%s%s", what, strerror(e));
	dk_port_set_err(e, NULL);
}

/* The vfork itself, apart so that nothing of the caller's lives across it
 * (the child may run on this stack until it execs). No handler of ours may
 * run in the child (see child()). vfork, not fork: no copy of the agent's
 * page tables, and we resume when the exec is done. Where vfork is a fork
 * (valgrind, qemu-user) the error pipe below still tells. Returns the pid,
 * or -1 with *e set. */
static pid_t start(int dirfd, const char *path, char *const argv[],
                   char *const envp[], const struct dk_port_cred *cred,
                   const int in[2], const int er[2], long sweep_max, int *e)
{
	sigset_t all, old;
	pid_t p;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	/* With credentials to set, fork. On Linux a vfork child is a task of
	 * its own (CLONE_VM | CLONE_VFORK, not CLONE_THREAD), and the kernel
	 * keeps credentials per task, so setuid there would not change the
	 * agent's; but the libc wrappers keep process-wide state in the
	 * memory the child shares with the agent (glibc's setxid broadcast to
	 * threads, musl's __synccall), and on other systems credentials may
	 * be per process. fork costs the agent's small page tables, per hook
	 * run as another user only. */
	if (cred) {
		p = fork();
	} else {
		/* vfork on purpose (see above); child() does only what is
		 * safe after vfork (close, dup2, sigprocmask, execve, write,
		 * _exit), which the analyzer cannot see through the call. */
		/* cppcheck-suppress vforkCalled */
		p = vfork(); /* NOLINT(clang-analyzer-security.insecureAPI.vfork) */
	}
	if (p == 0)
		child(dirfd, path, argv, envp, cred, in[0], in[1], er[0], er[1], sweep_max); /* NOLINT(clang-analyzer-unix.Vfork) */
	if (p > 0)
		setpgid(p, p); /* fails once the child has exec'd: harmless */
	else
		*e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return p;
}

int dk_port_spawn(const char *path, char *const argv[], char *const envp[],
                  int *pid, int *stdin_fd, char *why, size_t whylen)
{
	return dk_port_spawn_at(-1, path, argv, envp, NULL, pid, stdin_fd, why,
	                        whylen);
}

int dk_port_spawn_at(int dirfd, const char *path, char *const argv[],
                     char *const envp[], const struct dk_port_cred *cred,
                     int *pid, int *stdin_fd, char *why, size_t whylen)
{
	int in[2], er[2], e = 0, st, msg[2];
	long sweep_max;
	pid_t p;
	ssize_t r;

	if (!path || !argv || !envp || !pid || !stdin_fd)
		return DK_ERR_PARAM;
	/* sysconf is not async-signal-safe: ask before the vfork. */
	sweep_max = sysconf(_SC_OPEN_MAX);
	if (sweep_max < 0 || sweep_max > FD_SWEEP_MAX)
		sweep_max = FD_SWEEP_MAX;

	if (pipe2(in, O_CLOEXEC) != 0) {
		put_why(why, whylen, "pipe: ", errno);
		return DK_ERR_IO;
	}
	if (pipe2(er, O_CLOEXEC) != 0) {
		put_why(why, whylen, "pipe: ", errno);
		close(in[0]);
		close(in[1]);
		return DK_ERR_IO;
	}
	p = start(dirfd, path, argv, envp, cred, in, er, sweep_max, &e);
	close(in[0]);
	close(er[1]);
	if (p < 0) {
		close(in[1]);
		close(er[0]);
		put_why(why, whylen, "fork: ", e);
		return DK_ERR_IO;
	}

	/* EOF means the exec succeeded (the pipe closed with it); a step
	 * and an errno mean it failed. After a real vfork this does not wait
	 * at all; after a fork, until the exec. */
	msg[0] = STEP_EXEC;
	do
		r = read(er[0], msg, sizeof msg);
	while (r < 0 && errno == EINTR);
	close(er[0]);
	if (r != 0) {
		e = msg[1];
		if (r != (ssize_t)sizeof msg || msg[0] < STEP_EXEC ||
		    msg[0] > STEP_SETUID) {
			msg[0] = STEP_EXEC;
			e = r < 0 ? errno : EIO;
		}
		/* Reaped here, so the failure is reported once, as this
		 * return, and never as an exit status from dk_port_reap. */
		while (waitpid(p, &st, 0) < 0 && errno == EINTR)
			;
		close(in[1]);
		put_why(why, whylen, step_name[msg[0]], e);
		return DK_ERR_IO;
	}
	/* The reader of the event stream never blocks on a slow hook. */
	if (fcntl(in[1], F_SETFL, O_NONBLOCK) != 0) {
		/* Cannot happen on a pipe; if it did, a blocking stdin could
		 * stall the agent, so stop the hook instead. */
		e = errno;
		kill(-p, SIGKILL);
		while (waitpid(p, &st, 0) < 0 && errno == EINTR)
			;
		close(in[1]);
		put_why(why, whylen, "fcntl: ", e);
		return DK_ERR_IO;
	}
	*pid = (int)p;
	*stdin_fd = in[1];
	return DK_OK;
}

void dk_port_kill_group(int pgid, int sig)
{
	/* kill(0) and kill(-1) would hit the agent's own group or every
	 * process we may signal: a pgid that small is never a hook's. */
	if (pgid <= 1)
		return;
	if (kill(-(pid_t)pgid, sig == DK_KILL_KILL ? SIGKILL : SIGTERM) != 0 &&
	    errno != ESRCH)
		dk_port_set_err(errno, NULL);
}

int dk_port_group_alive(int pgid)
{
	/* Signal 0 only asks; EPERM means someone is there (a member that
	 * changed its ids), ESRCH that nobody is. */
	if (pgid <= 1)
		return 0;
	return kill(-(pid_t)pgid, 0) == 0 || errno == EPERM;
}

int dk_port_reap(int *code)
{
	int st = 0;
	pid_t p;

	do
		p = waitpid(-1, &st, WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p < 0)
		return -1; /* ECHILD: no children at all */
	if (p == 0)
		return 0;
	if (code) {
		if (WIFEXITED(st))
			*code = WEXITSTATUS(st);
		else if (WIFSIGNALED(st))
			*code = -WTERMSIG(st);
		else
			*code = -1; /* neither: waitpid without WUNTRACED says never */
	}
	return (int)p;
}

void dk_port_close(int fd)
{
	/* Linux frees the fd even when close reports EINTR: never retry. */
	if (fd >= 0)
		close(fd);
}

long dk_port_write(int fd, const void *buf, size_t len)
{
	ssize_t w;

	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	w = write(fd, buf, len);
	if (w >= 0)
		return (long)w;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return DK_AGAIN;
	/* EPIPE included: SIGPIPE is ignored, so a hook that closed its
	 * stdin early shows up here and not as a dead agent. */
	dk_port_set_err(errno, NULL);
	return DK_ERR_IO;
}

char *const *dk_port_environ(void)
{
	static char *const empty[] = { NULL };

	/* clearenv() may leave environ NULL; callers want a list. */
	return environ ? environ : empty;
}

int dk_port_open_null(void)
{
	return open("/dev/null", O_RDWR);
}

/* ---- --hook-user --------------------------------------------------------- */

/* A whole decimal id below (uint32_t)-1, which set*id read as "no change". */
static int parse_id(const char *s, uint32_t *id)
{
	unsigned long long v = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v >= 0xffffffffULL)
			return 0;
	}
	*id = (uint32_t)v;
	return 1;
}

int dk_port_user_lookup(const char *spec, struct dk_port_cred *c,
                        uint32_t *groups, size_t cap, char *why,
                        size_t whylen)
{
	char user[256], group[256];
	const char *colon = strchr(spec, ':');
	size_t un = colon ? (size_t)(colon - spec) : strlen(spec);
	struct passwd *pw;
	struct group *gr;
	int has_group = colon != NULL, ng;

	if (un == 0 || un >= sizeof user || (colon && (!colon[1] ||
	    strlen(colon + 1) >= sizeof group))) {
		dk_port_why(why, whylen, "want USER or USER:GROUP");
		return DK_ERR_PARAM;
	}
	memcpy(user, spec, un);
	user[un] = '\0';
	if (colon)
		memcpy(group, colon + 1, strlen(colon + 1) + 1);
	/* Names first, as the shadow tools and docker --user do: a user
	 * may be named "1000". The lookups happen here, once: a hook never
	 * waits on NSS (or an LDAP server) in the child. */
	/* The non-reentrant lookups (as dk_port_home): one thread, once at
	 * start, and no buffer size to guess. */
	/* cppcheck-suppress getpwnamCalled ; one thread, once at start */
	pw = getpwnam(user);
	if (!pw && parse_id(user, &c->uid))
		/* cppcheck-suppress getpwuidCalled ; one thread, once at start */
		pw = getpwuid((uid_t)c->uid);
	if (pw) {
		c->uid = (uint32_t)pw->pw_uid;
		c->gid = (uint32_t)pw->pw_gid;
		/* pw points into libc's buffer, which getgrnam may reuse. */
		snprintf(user, sizeof user, "%s", pw->pw_name);
	} else if (!parse_id(user, &c->uid)) {
		dk_port_why(why, whylen, "no such user '%s'", user);
		return DK_ERR_PARAM;
	} else if (!has_group) {
		dk_port_why(why, whylen, "uid %s has no password entry: give "
		            "its group too (%s:GROUP)", user, user);
		return DK_ERR_PARAM;
	}
	if (has_group) {
		/* cppcheck-suppress getgrnamCalled ; one thread, once at start */
		gr = getgrnam(group);
		if (gr)
			c->gid = (uint32_t)gr->gr_gid;
		else if (!parse_id(group, &c->gid)) {
			dk_port_why(why, whylen, "no such group '%s'", group);
			return DK_ERR_PARAM;
		}
	}
	if (geteuid() != 0) {
		if (c->uid == (uint32_t)geteuid() &&
		    (!has_group || c->gid == (uint32_t)getegid()))
			return 0;
		dk_port_why(why, whylen, "the agent is not root (uid %u): hooks "
		            "can run only as its own user", (unsigned)geteuid());
		return DK_ERR_PARAM;
	}
	/* initgroups' list: gid and every group that names the user; GROUP,
	 * when given, stands for the primary group in it too. */
	c->groups = groups;
	if (!pw) {
		if (cap < 1)
			return DK_ERR_NOSPACE;
		groups[0] = c->gid;
		c->ngroups = 1;
		return 1;
	}
	ng = cap > INT_MAX ? INT_MAX : (int)cap;
	if (getgrouplist(user, (gid_t)c->gid, (gid_t *)groups, &ng) < 0) {
		dk_port_why(why, whylen, "user '%s' is in more than %zu groups",
		            user, cap);
		return DK_ERR_NOSPACE;
	}
	c->ngroups = (size_t)ng;
	return 1;
}
