/* mainpkg.h — which main packages a `go build` / `go install` builds.
 *
 * The common forms are answered by reading package clauses directly (no
 * extra process): no arguments, directories ("." "./cmd/x" "/abs/dir"), a
 * list of .go files, and pkg@version for install. Everything else (import
 * paths, "..." patterns, directories whose files disagree) is asked of the
 * real go with `go list -pgo=off`, with the user's build flags.
 *
 * A mainpkg_list owns its strings; mainpkg_list_free releases them.
 */
#ifndef PGO_GO_MAINPKG_H
#define PGO_GO_MAINPKG_H

#include <stddef.h>

#include "gocmd.h"
#include "outcome.h"

struct mainpkg {
	char *dir;        /* absolute directory, or NULL for pkg@version */
	char *importpath; /* "command-line-arguments" for a list of files */
	char *name;       /* the executable's default name, without GOEXE */
	char *arg;        /* how to name it to go on its own: import path or file list */
	char *reldir;     /* dir relative to its module root ("." "./cmd/x"), or NULL */
	char *modpath;    /* the module's path, or NULL when not known */
	char *modroot;    /* the module's directory, or NULL when not known */
};

struct mainpkg_list {
	struct mainpkg *mains;
	size_t nmains;
	size_t npackages; /* all packages matched, main or not */
	char **others;    /* how to name the non-main packages to go */
	size_t nothers;
	int files;      /* the arguments were a list of .go files */
	int listed;     /* go list resolved them: they load without errors */
	int unresolved; /* one stand-in for packages that could not be told apart */
};

/* Resolves the packages of cmd (argv as given; workdir is where go runs, -C
 * applied). Returns 0, or -1 with err (PGO_E_RESOLVE, PGO_E_NOMEM) when
 * neither reading nor `go list` could tell (the shim then passes the
 * command through). */
int mainpkg_resolve(const char *real_go, const struct gocmd *cmd, char **argv, const char *workdir,
                    struct mainpkg_list *out, pgo_err *err);

void mainpkg_list_free(struct mainpkg_list *l);

/* Appends m (taking its strings) to l. Returns 0, or -1 when out of memory. */
int mainpkg_push(struct mainpkg_list *l, struct mainpkg *m);
/* Appends a non-main package (a copy of arg) to l. Returns 0 or -1. */
int mainpkg_push_other(struct mainpkg_list *l, const char *arg);
/* Frees m's strings. */
void mainpkg_clear(struct mainpkg *m);

/* load.DefaultExecName: the last element of the import path, or the one
 * before a major-version suffix ("example.com/cmd/v2" → "cmd"). malloc'd. */
char *mainpkg_exec_name(const char *importpath);

/* The package name in the package clause of Go source text, or NULL. */
char *mainpkg_package_clause(const char *src, size_t len);

#endif
