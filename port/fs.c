/* fs.c - hook directories on POSIX systems: a directory's mtime (has it
 * changed?), its entries in strcmp order one at a time with no list kept,
 * and the ownership and mode checks the hooks directory, a *.d and a
 * script must pass before it may run, on descriptors that then run it;
 * the --state file and docker's config files: read whole, replaced
 * atomically; the home directory from the password database.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "port.h"
#include "err.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif
#ifndef NAME_MAX
#define NAME_MAX 255 /* POSIX lets limits.h leave it out */
#endif

int64_t dk_port_mtime(const char *path)
{
	struct stat st;

	if (!path || stat(path, &st) != 0)
		return -1;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* A whole pass over the directory per call: no sorted copy to hold, and a
 * hooks directory has a handful of entries. opendir's own buffer (libc's,
 * not ours) is freed by closedir before we return. */
int dk_port_dir_next(const char *dir, const char *after, char *name,
                     size_t cap)
{
	DIR *d;
	struct dirent *de;
	char best[NAME_MAX + 1]; /* name may be after: written only at the end */
	size_t len, best_len = 0;
	int fd, found = 0, e;

	if (!dir || !name || cap == 0)
		return DK_ERR_PARAM;
	if (!after)
		after = "";
	/* Every fd the port makes is close-on-exec; plain opendir does not
	 * promise that on every libc, so open the fd ourselves. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		dk_port_set_err(errno, NULL);
		return DK_ERR_IO;
	}
	d = fdopendir(fd);
	if (!d) {
		dk_port_set_err(errno, NULL);
		close(fd);
		return DK_ERR_IO;
	}
	for (;;) {
		const char *n;

		errno = 0;
		/* The agent has one thread; readdir_r is deprecated (glibc). */
		/* cppcheck-suppress readdirCalled */
		de = readdir(d);
		if (!de)
			break;
		n = de->d_name;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		if (strcmp(n, after) <= 0 || (found && strcmp(n, best) >= 0))
			continue;
		/* Too long for the caller: skipped, as it could never be
		 * passed back as after. */
		len = strlen(n);
		if (len >= cap || len >= sizeof best)
			continue;
		memcpy(best, n, len + 1);
		best_len = len;
		found = 1;
	}
	e = errno;
	closedir(d);
	if (e != 0) {
		dk_port_set_err(e, NULL);
		return DK_ERR_IO;
	}
	if (found)
		memcpy(name, best, best_len + 1);
	else
		name[0] = '\0';
	return found;
}

static int refuse(char *why, size_t whylen, const char *text)
{
	if (why && whylen)
		snprintf(why, whylen, "%s", text);
	return DK_ERR_PARAM;
}

static int refuse_errno(char *why, size_t whylen, const char *what, int e)
{
	if (why && whylen)
		snprintf(why, whylen, "%s%s", what, strerror(e));
	return DK_ERR_PARAM;
}

static int refuse_owner(char *why, size_t whylen, const char *what,
                        uid_t uid)
{
	if (why && whylen)
		snprintf(why, whylen, "%sowned by uid %u, not root or the "
		         "agent's user", what, (unsigned)uid);
	return DK_ERR_PARAM;
}

/* The rules for every directory on the way to a hook (the hooks
 * directory, its *.d): a directory owned by root or by us, writable by
 * nobody else; st is what fstat said of the one we opened. */
static int dir_rules(const struct stat *st, const char *what, char *why,
                     size_t whylen)
{
	uid_t me = geteuid();

	if (!S_ISDIR(st->st_mode)) {
		if (why && whylen)
			snprintf(why, whylen, "%snot a directory", what);
		return DK_ERR_PARAM;
	}
	if (st->st_uid != 0 && st->st_uid != me)
		return refuse_owner(why, whylen, what, st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		if (why && whylen)
			snprintf(why, whylen, "%swritable by group or others", what);
		return DK_ERR_PARAM;
	}
	return DK_OK;
}

int dk_port_hooks_dir_stat(const char *dir, int64_t *mtime, char *why,
                           size_t whylen)
{
	struct stat st;

	if (why && whylen)
		why[0] = '\0';
	if (!dir || stat(dir, &st) != 0) {
		refuse_errno(why, whylen, "", dir ? errno : EINVAL);
		return DK_ERR_IO;
	}
	if (mtime)
		*mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return dir_rules(&st, "", why, whylen);
}

static int plain_name(const char *name)
{
	return name && name[0] && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0 && !strchr(name, '/');
}

/* The script name in directory dfd: a regular file (not a symbolic link)
 * owned by root or us, writable by nobody else, executable by us. */
static int script_rules(int dfd, const char *name, char *why, size_t whylen)
{
	struct stat st;
	uid_t me = geteuid();

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return refuse_errno(why, whylen, "", errno);
	if (S_ISLNK(st.st_mode))
		return refuse(why, whylen, "is a symbolic link");
	if (!S_ISREG(st.st_mode))
		return refuse(why, whylen, "not a regular file");
	if (st.st_uid != 0 && st.st_uid != me)
		return refuse_owner(why, whylen, "", st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return refuse(why, whylen, "writable by group or others");
	/* Root may run anything with some x bit, others need their own:
	 * the kernel's answer for our effective ids, as exec will give it. */
	if (faccessat(dfd, name, X_OK, AT_EACCESS) != 0)
		return refuse(why, whylen, "not executable");
	return DK_OK;
}

/* Whoever can write the script or replace it in its directory, or replace
 * that directory in the hooks directory, can run code as the agent (often
 * root): all three must belong to root or to us and be writable by nobody
 * else. Each is checked on the descriptor opened for it, each opened
 * relative to the one before, and the caller runs the script relative to
 * the *.d descriptor returned: no rename or symlink swap between the
 * check and the exec can put something else in its place. A *.d that is a
 * symbolic link is followed and its target checked like any *.d. The
 * script is looked at where it is, not through a symlink. */
int dk_port_script_open(const char *root, const char *sub, const char *name,
                        int *dirfd, char *why, size_t whylen)
{
	struct stat st;
	int rfd, dfd, r;

	if (why && whylen)
		why[0] = '\0';
	if (dirfd)
		*dirfd = -1;
	if (!root || !dirfd || !plain_name(sub) || !plain_name(name))
		return refuse(why, whylen, "not a file name");
	rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return refuse_errno(why, whylen, "hooks directory: ", errno);
	if (fstat(rfd, &st) != 0)
		r = refuse_errno(why, whylen, "hooks directory: ", errno);
	else
		r = dir_rules(&st, "hooks directory ", why, whylen);
	if (r != DK_OK) {
		close(rfd);
		return r;
	}
	dfd = openat(rfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(rfd);
	if (dfd < 0)
		return refuse_errno(why, whylen, "directory: ", errno);
	if (fstat(dfd, &st) != 0)
		r = refuse_errno(why, whylen, "directory: ", errno);
	else
		r = dir_rules(&st, "directory ", why, whylen);
	if (r == DK_OK)
		r = script_rules(dfd, name, why, whylen);
	if (r != DK_OK) {
		close(dfd);
		return r;
	}
	*dirfd = dfd;
	return DK_OK;
}

/* ---- the --state file --------------------------------------------------- */

/* A regular file's whole content from an open fd: the byte count, or
 * DK_ERR_NOSPACE past cap, or DK_ERR_IO. Closes fd. */
static long read_whole(int fd, char *buf, size_t cap)
{
	size_t have = 0;

	for (;;) {
		char extra;
		ssize_t n = have < cap ? read(fd, buf + have, cap - have)
		                       : read(fd, &extra, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			dk_port_set_err(errno, NULL);
			close(fd);
			return DK_ERR_IO;
		}
		if (n == 0)
			break;
		if (have == cap) {
			close(fd);
			return DK_ERR_NOSPACE;
		}
		have += (size_t)n;
	}
	close(fd);
	return (long)have;
}

/* getpwuid, not getpwuid_r: one thread, and no buffer size to guess.
 * errno 0 with no entry means the uid has none (not an error to libc). */
long dk_port_home(char *buf, size_t cap)
{
	struct passwd *pw;
	size_t n;

	errno = 0;
	/* cppcheck-suppress getpwuidCalled ; one thread, called once at start */
	pw = getpwuid(getuid());
	if (!pw || !pw->pw_dir || !pw->pw_dir[0]) {
		if (pw || errno == 0)
			dk_port_set_err(0, "no home directory for this user in the "
			                "password database");
		else
			dk_port_set_err(errno, NULL);
		return DK_ERR_IO;
	}
	n = strlen(pw->pw_dir);
	if (n >= cap)
		return DK_ERR_NOSPACE;
	memcpy(buf, pw->pw_dir, n + 1);
	return (long)n;
}

long dk_port_file_read(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		dk_port_set_err(errno, NULL);
		return DK_ERR_IO;
	}
	return read_whole(fd, buf, cap);
}

/* What a mode is, for "--state F: a FIFO, not a regular file". */
static int not_regular(mode_t m)
{
	dk_port_set_err(0, S_ISLNK(m) ? "a symbolic link"
	                 : S_ISDIR(m) ? "a directory"
	                 : S_ISCHR(m) ? "a character device"
	                 : S_ISBLK(m) ? "a block device"
	                 : S_ISFIFO(m) ? "a FIFO"
	                 : S_ISSOCK(m) ? "a socket" : "not a regular file");
	return DK_ERR_PARAM;
}

/* lstat first, so a device or FIFO is never opened (a FIFO's open blocks
 * until a writer comes, before signals are served; some devices act on
 * open); then O_NOFOLLOW|O_NONBLOCK and fstat, so whatever was swapped in
 * between is refused as well, without blocking. */
long dk_port_state_read(const char *path, char *buf, size_t cap, int *exists)
{
	struct stat st;
	int fd;

	*exists = 0;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		dk_port_set_err(errno, NULL);
		return DK_ERR_IO;
	}
	if (!S_ISREG(st.st_mode))
		return not_regular(st.st_mode);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return not_regular(S_IFLNK);
		dk_port_set_err(errno, NULL);
		return DK_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		dk_port_set_err(errno, NULL);
		close(fd);
		return DK_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return not_regular(st.st_mode);
	}
	*exists = 1;
	return read_whole(fd, buf, cap);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A temporary file left by a crash of ours may be removed: a regular file
 * with one link, owned by our user. Anything else at that name (a symlink
 * or a hard link planted by someone who can write the directory) is left
 * alone, and the write fails with a line that says so. */
static int stale_ours(const char *tmp)
{
	struct stat st;

	return lstat(tmp, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_nlink == 1 && st.st_uid == geteuid();
}

/* O_EXCL: the temporary file is always one we just created, never
 * something planted at its name (with O_CREAT, O_EXCL fails on a symlink
 * too, whatever it points at; O_NOFOLLOW says it again). */
static int create_tmp(const char *tmp)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = open(tmp, flags, 0644);

	if (fd < 0 && errno == EEXIST && stale_ours(tmp) && unlink(tmp) == 0)
		fd = open(tmp, flags, 0644);
	if (fd < 0) {
		if (errno == EEXIST || errno == ELOOP) {
			char why[PATH_MAX + 64];
			snprintf(why, sizeof why, "%s exists and is not a stale "
			         "file of ours: not touched, remove it", tmp);
			dk_port_set_err(0, why);
		} else {
			dk_port_set_err(errno, NULL);
		}
	}
	return fd;
}

/* The classic replace: the rename is the commit point. The directory's
 * fsync makes the rename itself durable (ext4 and friends need it after a
 * power cut); failing to open the directory (some filesystems refuse) is
 * not an error, the data is safe either way. What is at path must be a
 * regular file or nothing: rename would replace a symlink (the file it
 * points at would no longer be updated) or a device node. */
int dk_port_file_replace(const char *path, const void *buf, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash;
	struct stat st;
	int fd, dfd, e;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		dk_port_set_err(ENAMETOOLONG, NULL);
		return DK_ERR_IO;
	}
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return not_regular(st.st_mode);
	fd = create_tmp(tmp);
	if (fd < 0)
		return DK_ERR_IO;
	if (write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		dk_port_set_err(e ? e : EIO, NULL);
		return DK_ERR_IO;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		dk_port_set_err(e, NULL);
		return DK_ERR_IO;
	}
	slash = strrchr(path, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return DK_OK;
}
