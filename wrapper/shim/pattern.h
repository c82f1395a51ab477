/* pattern.h — the packages of a directory pattern ("./cmd/...", "./..."),
 * read from the tree where that gives go's own answer.
 *
 * go list resolves a pattern with go/build's full rules: build
 * constraints, GOOS and GOARCH file name suffixes, cgo, nested modules,
 * vendor directories. For a tree that uses none of them, walking its
 * directories as go does (sorted; names starting with "." or "_" and
 * testdata skipped; symbolic links not followed) and reading package
 * clauses gives the same packages, without starting a second go. A tree
 * that uses any of them — a file with a build constraint, a GOOS or GOARCH
 * suffix or import "C", a nested go.mod, a vendor directory, files that
 * disagree on their package — is left to go list.
 */
#ifndef PGO_GO_PATTERN_H
#define PGO_GO_PATTERN_H

#include "mainpkg.h"

/* Whether arg is a directory pattern this module reads: "./…/..." or
 * "./...", "../", or an absolute path ending in "/...". */
int pattern_is_dir_pattern(const char *arg);

/* Adds the packages arg matches under workdir to l. 1 when read, 0 when go
 * list must be asked, -1 when out of memory. */
int pattern_resolve(const char *workdir, const char *arg, struct mainpkg_list *l);

/* Whether a Go source file name carries a GOOS or GOARCH suffix
 * (go/build's goodOSArchFile): "x_linux.go", "x_amd64.go",
 * "x_windows_arm64.go". */
int pattern_has_osarch_suffix(const char *name);

#endif
