/* msg.h — pgo-go's messages about itself: errors, warnings, notes, the
 * progress line, the log.
 *
 * What the Go-compatible commands print in go's own words (`pgo-go version`,
 * flag errors in Go's flag package's form) is theirs; everything pgo-go says
 * about its own work goes through here. One line each, prefixed with the
 * program name, on stderr: errors say what failed, on what, and what to do;
 * warnings say what pgo-go did instead.
 * Standard output is flushed first so the two streams keep their order.
 * With a log file (PGO_GO_LOG), every message also goes there, verbose notes
 * included, with the time and the process id; so do the lines of pgo_logf.
 */
#ifndef PGO_GO_MSG_H
#define PGO_GO_MSG_H

#include <stdint.h>

#define PGO_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* "pgo-go: MESSAGE" */
void pgo_errorf(const char *fmt, ...) PGO_PRINTF(1, 2);
/* "pgo-go: warning: MESSAGE" */
void pgo_warnf(const char *fmt, ...) PGO_PRINTF(1, 2);
/* "pgo-go: MESSAGE", only when verbose output was asked for */
void pgo_notef(const char *fmt, ...) PGO_PRINTF(1, 2);
/* A line for the log file only (what ran, how it ended). */
void pgo_logf(const char *fmt, ...) PGO_PRINTF(1, 2);
/* A log line "WHAT: ARGV…", each word quoted as a shell would need it. */
void pgo_log_argv(const char *what, char *const argv[]);

/* A progress line for a long download, on stderr when it is a terminal:
 * rewritten in place ("pgo-go: fetching the profile: 3.2 MB, 4s"), and
 * erased when done. Nothing goes to the log. */
void pgo_progress(int64_t bytes, int64_t elapsed_ms, int done);

void pgo_msg_set_verbose(int verbose);

/* Appends to the log file at path from now on ("" or NULL: none). A file
 * that cannot be opened is one warning; the command goes on without it.
 * Returns 1 when a log is open. */
int pgo_msg_set_log(const char *path);
/* Whether a log file is open. */
int pgo_msg_logging(void);

#endif
