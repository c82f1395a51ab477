/* realgo.h — finding the real `go` and handing a command to it.
 *
 * pgo-go is installed as `go` first on PATH, so the real toolchain is the
 * first `go` on PATH that is not pgo-go itself. Identity is the resolved
 * file (device and inode), so symlinks, hardlinks, copies under another
 * directory, relative and repeated PATH entries cannot make it run itself.
 * Returned paths are malloc'd; the caller frees them.
 */
#ifndef PGO_GO_REALGO_H
#define PGO_GO_REALGO_H

/* Set in the environment of every child go pgo-go runs: a nested `go` call
 * that reaches the shim again passes straight through to this path. */
#define REALGO_GUARD_ENV "PGO_GO_ACTIVE"

#include "outcome.h"

/* The real go: named (PGO_GO_REAL, or the `real` setting; setting says
 * which, for messages) when it is not NULL or "", else the first go on
 * $PATH that is not this program. NULL with err when there is none, or
 * when named is pgo-go itself, which would run itself forever. */
char *realgo_find(const char *named, const char *setting, pgo_err *err);

/* execv(real, argv) with argv untouched. Returns only on failure, after
 * printing one line; the status to exit with (126 or 127, as a shell). */
int realgo_exec(const char *real, char **argv);

#endif
