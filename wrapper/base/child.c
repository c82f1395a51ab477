#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msg.h"

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
 * and stderr to /dev/null when quiet. */
static pid_t spawn(const char *path, char *const argv[], int out_fd, int close_fd, int quiet)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid != 0)
		return pid;
	if (out_fd >= 0) {
		dup2(out_fd, STDOUT_FILENO);
		close(out_fd);
	}
	if (close_fd >= 0)
		close(close_fd);
	if (quiet) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDERR_FILENO);
	}
	execv(path, argv);
	fprintf(stderr, "pgo-go: cannot run %s: %s\n", path, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

int child_run(const char *path, char *const argv[])
{
	struct sigaction saved[NFORWARDED];
	pid_t pid;
	int status;

	set_handlers(saved);
	pid = spawn(path, argv, -1, -1, 0);
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
	int fds[2];

	cp->pid = -1;
	cp->fd = -1;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	cp->pid = spawn(path, argv, fds[1], fds[0], quiet);
	close(fds[1]);
	if (cp->pid < 0) {
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
