/* gomod.h — the Go module a directory belongs to, read from go.mod.
 *
 * Enough of cmd/go's module lookup for the shim's common cases: the nearest
 * go.mod at or above a directory, and its module path. Anything unusual
 * (GOPATH mode, a go.mod without a module line) is reported as not found,
 * and the shim asks the real go instead.
 */
#ifndef PGO_GO_GOMOD_H
#define PGO_GO_GOMOD_H

#include <stddef.h>

struct gomod {
	char *root; /* absolute directory holding go.mod */
	char *path; /* the module path */
};

/* Finds the module of dir (absolute or relative to the current directory).
 * Returns 0 and fills m (owned; gomod_free), or -1 if there is none. */
int gomod_find(const char *dir, struct gomod *m);

void gomod_free(struct gomod *m);

/* The directory of the go.work file go uses when working in dir (absolute),
 * as modload.FindGoWork finds it: GOWORK=off none, GOWORK=PATH that file,
 * else the nearest go.work at or above dir. NULL when there is none;
 * malloc'd. */
char *gomod_workspace_root(const char *dir);

/* The module path declared in the go.mod text, or NULL; malloc'd. */
char *gomod_parse_module(const char *text, size_t len);

#endif
