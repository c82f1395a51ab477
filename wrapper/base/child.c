#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msg.h"

extern char **environ;

static volatile sig_atomic_t child_pid;

static const int forwarded[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP};
#define NFORWARDED (sizeof forwarded / sizeof *forwarded)

static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static void set_handlers(struct sigaction *saved)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &sa, &saved[i]);
}

static void restore_handlers(const struct sigaction *saved)
{
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &saved[i], NULL);
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return status;
}

/* Starts the child with stdout redirected to out_fd (or untouched if < 0),
 * stderr to /dev/null when quiet, else to err_fd (if >= 0). The pipe ends
 * are close-on-exec. posix_spawn, not fork: a fork copies pgo-go's page
 * tables and every page either side writes before the exec, which costs a
 * millisecond per go run on a small VM (glibc's posix_spawn shares the
 * memory until the exec, as vfork does). Returns the child's pid; 0 when
 * the child could not exec path, *status then saying so as the child used
 * to (exit 127 for a missing file, else 126, after a line on stderr unless
 * quiet); -1 when no child could be made (errno set). */
static pid_t spawn(const char *path, char *const argv[], int out_fd, int quiet, int err_fd,
                   int *status)
{
	posix_spawn_file_actions_t fa;
	pid_t pid = -1;
	int rc;

	fflush(stdout);
	fflush(stderr);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		errno = rc;
		return -1;
	}
	if (out_fd >= 0)
		rc = posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	if (rc == 0 && quiet)
		rc = posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	else if (rc == 0 && err_fd >= 0)
		rc = posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
	if (rc == 0)
		rc = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc == 0)
		return pid;
	if (rc == ENOMEM || rc == EAGAIN) {
		errno = rc;
		return -1;
	}
	if (!quiet)
		fprintf(stderr, "pgo-go: cannot run %s: %s\n", path, strerror(rc));
	*status = W_EXITCODE(rc == ENOENT ? 127 : 126, 0);
	return 0;
}

int child_run(const char *path, char *const argv[])
{
	struct sigaction saved[NFORWARDED];
	pid_t pid;
	int status;

	set_handlers(saved);
	pid = spawn(path, argv, -1, 0, -1, &status);
	if (pid == 0) {
		restore_handlers(saved);
		return status;
	}
	if (pid < 0) {
		restore_handlers(saved);
		pgo_errorf("cannot start %s: %s", path, strerror(errno));
		return -1;
	}
	child_pid = pid;
	status = wait_child(pid);
	child_pid = 0;
	restore_handlers(saved);
	return status;
}

/* Hands each whole line of buf[0..*n) to keep and writes the kept ones;
 * what is left (a partial line) moves to the front. */
static void pass_lines(char *buf, size_t *n, int (*keep)(void *, const char *, size_t), void *ctx,
                       int flush)
{
	size_t start = 0;

	for (size_t i = 0; i < *n; i++) {
		if (buf[i] != '\n')
			continue;
		if (keep(ctx, buf + start, i + 1 - start) &&
		    write(STDERR_FILENO, buf + start, i + 1 - start) < 0)
			break;
		start = i + 1;
	}
	if (flush && start < *n) {
		if (keep(ctx, buf + start, *n - start))
			(void)!write(STDERR_FILENO, buf + start, *n - start);
		start = *n;
	}
	memmove(buf, buf + start, *n - start);
	*n -= start;
}

int child_run_filtered(const char *path, char *const argv[],
                       int (*keep)(void *ctx, const char *line, size_t len), void *ctx)
{
	struct sigaction saved[NFORWARDED];
	char buf[65536];
	size_t n = 0;
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		pgo_errorf("cannot start %s: %s", path, strerror(errno));
		return -1;
	}
	set_handlers(saved);
	pid = spawn(path, argv, -1, 0, fds[1], &status);
	close(fds[1]);
	if (pid == 0) {
		close(fds[0]);
		restore_handlers(saved);
		return status;
	}
	if (pid < 0) {
		close(fds[0]);
		restore_handlers(saved);
		pgo_errorf("cannot start %s: %s", path, strerror(errno));
		return -1;
	}
	child_pid = pid;
	for (;;) {
		ssize_t got = read(fds[0], buf + n, sizeof buf - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
		/* A line longer than the buffer goes out in pieces. */
		pass_lines(buf, &n, keep, ctx, n == sizeof buf);
	}
	pass_lines(buf, &n, keep, ctx, 1);
	close(fds[0]);
	status = wait_child(pid);
	child_pid = 0;
	restore_handlers(saved);
	return status;
}

static int read_all(int fd, char **out, size_t *outlen)
{
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap), *grown;
	ssize_t got;

	if (!buf)
		return -1;
	for (;;) {
		if (n + 1 >= cap) {
			if (!(grown = realloc(buf, cap * 2))) {
				free(buf);
				return -1;
			}
			buf = grown;
			cap *= 2;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
}

int child_start_capture(const char *path, char *const argv[], int quiet, struct child_pipe *cp)
{
	int fds[2], status;

	cp->pid = -1;
	cp->fd = -1;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	cp->pid = spawn(path, argv, fds[1], quiet, -1, &status);
	close(fds[1]);
	if (cp->pid <= 0) { /* its output, had it run, would not be read */
		cp->pid = -1;
		close(fds[0]);
		return -1;
	}
	cp->fd = fds[0];
	return 0;
}

int child_finish_capture(struct child_pipe *cp, char **out, size_t *outlen)
{
	int rc, status;

	*out = NULL;
	*outlen = 0;
	if (cp->pid < 0)
		return -1;
	rc = read_all(cp->fd, out, outlen);
	close(cp->fd);
	status = wait_child(cp->pid);
	cp->pid = -1;
	if (rc != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return status;
}

int child_capture(const char *path, char *const argv[], int quiet, char **out, size_t *outlen)
{
	struct child_pipe cp;

	*out = NULL;
	*outlen = 0;
	if (child_start_capture(path, argv, quiet, &cp) != 0)
		return -1;
	return child_finish_capture(&cp, out, outlen);
}

int child_status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

void child_exit_like(int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		struct sigaction sa;
		sigset_t set;

		fflush(stdout);
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		sigaction(sig, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		/* No core dump of our own for the child's SIGQUIT/SIGABRT. */
		kill(getpid(), sig);
	}
	exit(child_status_code(status));
}
