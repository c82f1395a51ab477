/* killat.c — an LD_PRELOAD interposer for tests/suites/reliability.bash:
 * counts the file-system calls a process makes that change one directory,
 * and kills the process with SIGKILL just before or just after the Nth, so a
 * test can crash a cache write at every one of its steps in turn.
 *
 *   KILLAT_DIR         the directory (absolute); a call counts when it names
 *                      a path under it, or works on a descriptor opened
 *                      under it for writing
 *   KILLAT_N           the step to die at, from 1; unset or 0: only count
 *   KILLAT_WHEN        before (default) or after: before the call is made,
 *                      or once it has returned
 *   KILLAT_COUNT_FILE  gets the number of steps so far after every step
 *                      (so an exec or _exit loses nothing)
 *   KILLAT_LOG         optional: one line per step, "N call path"
 *
 * Only the first process that loads the library counts, through the execs
 * it makes (env, a shell's exec): it leaves its pid in KILLAT_PID, and the
 * programs it starts (go and its tools) load the library but stay idle.
 * Reads do not count: they cannot leave anything behind.
 * Build: cc -shared -fPIC -O1 -o killat.so killat.c -ldl
 */
#define _GNU_SOURCE
/* The wrappers define the plain and the 64-bit names themselves. */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FDS 1024

static char dir[PATH_MAX];
static size_t dir_len;
static long target;
static int after;
static const char *count_file, *log_file;
static long steps;
static pid_t owner;
/* The paths of the descriptors opened for writing under dir ("" when not). */
static char tracked[MAX_FDS][PATH_MAX];

static int (*real_open)(const char *, int, ...);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_close)(int);

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

__attribute__((constructor)) static void killat_init(void)
{
	const char *d = getenv("KILLAT_DIR"), *n = getenv("KILLAT_N"), *w = getenv("KILLAT_WHEN");
	const char *first = getenv("KILLAT_PID");
	char pid[32];

	owner = getpid();
	real_open = REAL(open);
	real_write = REAL(write);
	real_close = REAL(close);
	snprintf(pid, sizeof pid, "%ld", (long)owner);
	if (first && strcmp(first, pid) != 0)
		return;
	setenv("KILLAT_PID", pid, 1);
	if (!d || d[0] != '/' || strlen(d) >= sizeof dir)
		return;
	strcpy(dir, d);
	dir_len = strlen(dir);
	while (dir_len > 1 && dir[dir_len - 1] == '/')
		dir[--dir_len] = '\0';
	target = n ? strtol(n, NULL, 10) : 0;
	after = w && !strcmp(w, "after");
	count_file = getenv("KILLAT_COUNT_FILE");
	log_file = getenv("KILLAT_LOG");
}

/* Whether path (relative ones against the working directory) is dir or
 * under it, in the process the library was loaded into (not in a child
 * between fork and exec). */
static int under(const char *path)
{
	char buf[PATH_MAX * 2];

	if (!dir_len || !path || getpid() != owner)
		return 0;
	if (path[0] != '/') {
		if (!getcwd(buf, PATH_MAX))
			return 0;
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "/%s", path);
		path = buf;
	}
	return !strncmp(path, dir, dir_len) && (path[dir_len] == '/' || path[dir_len] == '\0');
}

static const char *fd_path(int fd)
{
	return dir_len && fd >= 0 && fd < MAX_FDS && tracked[fd][0] && getpid() == owner
	           ? tracked[fd]
	           : NULL;
}

static void track(int fd, const char *path)
{
	if (fd >= 0 && fd < MAX_FDS)
		snprintf(tracked[fd], sizeof tracked[fd], "%s", path ? path : "");
}

static void put_text(const char *path, int flags, const char *text)
{
	int fd = real_open(path, flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (real_write(fd, text, strlen(text)) < 0) {
		/* nothing to do: the test sees a short count or log */
	}
	real_close(fd);
}

/* The bookkeeping of one counted call; returns its step number, after
 * dying there when this is the step and the moment is before. */
static long step_begin(const char *call, const char *what)
{
	char line[PATH_MAX + 64];
	int saved = errno;
	long n = ++steps;

	if (log_file) {
		/* the path relative to dir: the log reads the same in every run */
		if (!strncmp(what, dir, dir_len))
			what = what[dir_len] == '/' ? what + dir_len + 1 : ".";
		snprintf(line, sizeof line, "%ld %s %s\n", n, call, what);
		put_text(log_file, O_APPEND, line);
	}
	if (count_file) {
		snprintf(line, sizeof line, "%ld\n", n);
		put_text(count_file, O_TRUNC, line);
	}
	errno = saved;
	if (n == target && !after)
		raise(SIGKILL);
	return n;
}

static void step_end(long n)
{
	if (n && n == target && after)
		raise(SIGKILL);
}

#define BEGIN_PATH(call, path) (under(path) ? step_begin(call, path) : 0)
#define BEGIN_FD(call, fd)     (fd_path(fd) ? step_begin(call, fd_path(fd)) : 0)

static int writes(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/* ---- opening ------------------------------------------------------------ */

static int open_common(const char *call, int dirfd, const char *path, int flags, mode_t mode)
{
	static int (*o)(int, const char *, int, ...);
	int counted = (dirfd == AT_FDCWD || path[0] == '/') && writes(flags) && under(path);
	long n = counted ? step_begin(call, path) : 0;
	int fd;

	if (!o)
		o = REAL(openat);
	fd = o(dirfd, path, flags, mode);
	track(fd, counted ? path : NULL);
	step_end(n);
	return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

/* open, openat and their 64 forms: the mode is there only with O_CREAT
 * or O_TMPFILE. */
#define COMMA ,
#define OPEN_VARIADIC(name, label, dirparam, dirarg)                                               \
	int name(dirparam const char *path, int flags, ...)                                        \
	{                                                                                          \
		va_list ap;                                                                        \
		mode_t mode;                                                                       \
		va_start(ap, flags);                                                               \
		mode = mode_arg(flags, ap);                                                        \
		va_end(ap);                                                                        \
		return open_common(label, dirarg, path, flags, mode);                              \
	}

OPEN_VARIADIC(open, "open", , AT_FDCWD)
OPEN_VARIADIC(open64, "open", , AT_FDCWD)
OPEN_VARIADIC(openat, "openat", int dirfd COMMA, dirfd)
OPEN_VARIADIC(openat64, "openat", int dirfd COMMA, dirfd)

int creat(const char *path, mode_t mode)
{
	return open_common("creat", AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int creat64(const char *path, mode_t mode)
{
	return open_common("creat", AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

/* glibc's mkstemp family opens through an internal call no interposer
 * sees, so they are steps of their own. */
#define MKTEMP(name, params, args)                                                                 \
	int name params                                                                            \
	{                                                                                          \
		static __typeof__(&name) f;                                                        \
		long n = BEGIN_PATH(#name, tmpl);                                                  \
		int fd;                                                                            \
		if (!f)                                                                            \
			f = REAL(name);                                                            \
		fd = f args;                                                                       \
		track(fd, n ? tmpl : NULL);                                                        \
		step_end(n);                                                                       \
		return fd;                                                                         \
	}

MKTEMP(mkstemp, (char *tmpl), (tmpl))
MKTEMP(mkstemp64, (char *tmpl), (tmpl))
MKTEMP(mkostemp, (char *tmpl, int flags), (tmpl, flags))
MKTEMP(mkostemp64, (char *tmpl, int flags), (tmpl, flags))

/* ---- descriptors -------------------------------------------------------- */

/* A call on a descriptor: counted when the descriptor is tracked. */
#define ON_FD(ret, name, params, args)                                                             \
	ret name params                                                                            \
	{                                                                                          \
		static __typeof__(&name) f;                                                        \
		long n = BEGIN_FD(#name, fd);                                                      \
		ret rc;                                                                            \
		if (!f)                                                                            \
			f = REAL(name);                                                            \
		rc = f args;                                                                       \
		step_end(n);                                                                       \
		return rc;                                                                         \
	}

ON_FD(ssize_t, pwrite, (int fd, const void *buf, size_t len, off_t off), (fd, buf, len, off))
ON_FD(ssize_t, pwrite64, (int fd, const void *buf, size_t len, off64_t off), (fd, buf, len, off))
ON_FD(int, fsync, (int fd), (fd))
ON_FD(int, fdatasync, (int fd), (fd))
ON_FD(int, fchmod, (int fd, mode_t mode), (fd, mode))
ON_FD(int, ftruncate, (int fd, off_t len), (fd, len))
ON_FD(int, ftruncate64, (int fd, off64_t len), (fd, len))
ON_FD(int, flock, (int fd, int op), (fd, op))

ssize_t write(int fd, const void *buf, size_t len)
{
	long n = BEGIN_FD("write", fd);
	ssize_t rc;

	if (!real_write)
		real_write = REAL(write);
	rc = real_write(fd, buf, len);
	step_end(n);
	return rc;
}

int close(int fd)
{
	long n = BEGIN_FD("close", fd);
	int rc;

	if (!real_close)
		real_close = REAL(close);
	track(fd, NULL);
	rc = real_close(fd);
	step_end(n);
	return rc;
}

/* ---- names -------------------------------------------------------------- */

/* A call on one or two paths. A relative path is taken against the working
 * directory, in the *at calls too: their directory descriptors are not
 * followed (pgo-go makes none of them). */
#define ON_PATHS(name, params, args, a, b)                                                         \
	int name params                                                                            \
	{                                                                                          \
		static __typeof__(&name) f;                                                        \
		long n = under(a) || under(b) ? step_begin(#name, under(b) ? b : a) : 0;           \
		int rc;                                                                            \
		if (!f)                                                                            \
			f = REAL(name);                                                            \
		rc = f args;                                                                       \
		step_end(n);                                                                       \
		return rc;                                                                         \
	}

ON_PATHS(rename, (const char *from, const char *to), (from, to), from, to)
ON_PATHS(renameat, (int fd1, const char *from, int fd2, const char *to), (fd1, from, fd2, to), from,
         to)
ON_PATHS(renameat2, (int fd1, const char *from, int fd2, const char *to, unsigned flags),
         (fd1, from, fd2, to, flags), from, to)
ON_PATHS(link, (const char *from, const char *to), (from, to), from, to)
ON_PATHS(linkat, (int fd1, const char *from, int fd2, const char *to, int flags),
         (fd1, from, fd2, to, flags), from, to)
ON_PATHS(symlink, (const char *target_path, const char *to), (target_path, to), NULL, to)
ON_PATHS(unlink, (const char *path), (path), path, NULL)
ON_PATHS(unlinkat, (int fd, const char *path, int flags), (fd, path, flags), path, NULL)
ON_PATHS(rmdir, (const char *path), (path), path, NULL)
ON_PATHS(mkdir, (const char *path, mode_t mode), (path, mode), path, NULL)
ON_PATHS(mkdirat, (int fd, const char *path, mode_t mode), (fd, path, mode), path, NULL)
ON_PATHS(chmod, (const char *path, mode_t mode), (path, mode), path, NULL)
