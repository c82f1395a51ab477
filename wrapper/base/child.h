/* child.h — running the real go as a child and reporting its fate exactly.
 *
 * While the child runs, SIGINT, SIGTERM, SIGQUIT and SIGHUP sent to pgo-go
 * are passed on to it. child_exit_like makes pgo-go end the way the child
 * ended: the same exit status, or death by the same signal.
 */
#ifndef PGO_GO_CHILD_H
#define PGO_GO_CHILD_H

#include <sys/types.h>

/* Runs path with argv (and the current environment); returns the wait
 * status, or -1 after printing why the child could not be started. */
int child_run(const char *path, char *const argv[]);

/* child_run with the child's standard error passed through keep, a line
 * at a time (the last one may lack its newline): a line is written to
 * pgo-go's standard error when keep returns nonzero. */
int child_run_filtered(const char *path, char *const argv[],
                       int (*keep)(void *ctx, const char *line, size_t len), void *ctx);

/* Runs path with argv, capturing its standard output; its standard error
 * goes to /dev/null when quiet. *out is malloc'd and NUL-terminated.
 * Returns the wait status or -1. */
int child_capture(const char *path, char *const argv[], int quiet, char **out, size_t *outlen);

/* A child whose standard output is being collected in the background. */
struct child_pipe {
	pid_t pid;
	int fd;
};

/* Starts path with argv, its standard output to a pipe (stderr to /dev/null
 * when quiet), and returns at once. Returns 0 or -1. */
int child_start_capture(const char *path, char *const argv[], int quiet, struct child_pipe *cp);

/* Reads what the child wrote and waits for it: the wait status, or -1.
 * *out is malloc'd and NUL-terminated. */
int child_finish_capture(struct child_pipe *cp, char **out, size_t *outlen);

/* Exits as the child did. Never returns. */
void child_exit_like(int status) __attribute__((noreturn));

/* The exit status a shell would report for a wait status. */
int child_status_code(int status);

#endif
