/* outcome.h — what a function of the program, and a command, comes to.
 *
 * Inside the program a function that can fail returns 0, or -1 with a
 * pgo_err filled: a code to decide on and one line for the user, saying what
 * was wrong, where it came from and what to do. Functions never print their
 * own failures; the command that decides what happens next does, once. The
 * libraries have the same shape (fetch_err, bi_error).
 *
 * The exit statuses of every command are named here, as jq names its own.
 */
#ifndef PGO_GO_OUTCOME_H
#define PGO_GO_OUTCOME_H

#include <stdarg.h>

typedef enum pgo_code {
	PGO_OK = 0,
	PGO_E_CONFIG,  /* a setting, a config file or the environment is wrong */
	PGO_E_USAGE,   /* the command line is wrong */
	PGO_E_NOMEM,   /* out of memory */
	PGO_E_IO,      /* a file could not be read or written */
	PGO_E_RESOLVE, /* the go command's packages could not be told apart */
} pgo_code;

typedef struct pgo_err {
	pgo_code code;
	char msg[1024]; /* one line, no "pgo-go: " prefix, no newline */
} pgo_err;

/* Fills err (if not NULL) and returns -1, so that callers can
 * `return pgo_fail(err, …)`. */
int pgo_fail(pgo_err *err, pgo_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The exit statuses of pgo-go's commands. The shim returns the real go's
 * own status whenever go ran; these are for everything else. */
enum pgo_exit {
	PGO_EXIT_OK = 0,
	PGO_EXIT_FAIL = 1,         /* pgo-go's own failure: configuration, PGO_GO_REQUIRE,
	                            * strict verification, a binary that is not verified */
	PGO_EXIT_USAGE = 2,        /* a bad command line (as go and Go's flag package) */
	PGO_EXIT_CANNOT_RUN = 126, /* the real go exists but cannot be run */
	PGO_EXIT_NO_GO = 127,      /* no real go to run */
};

/* The exit status a failure of this code ends a command with. */
int pgo_exit_for(pgo_code code);

#endif
