/* golist.h — asking the real go which packages a command line names.
 *
 * The slow path of mainpkg_resolve: one `go list -pgo=off` with the user's
 * package-selecting flags (-tags, -mod, -modfile, -overlay) and arguments.
 * Tools built on go list pass -pgo=off, and so does this: it must never
 * read a profile.
 */
#ifndef PGO_GO_GOLIST_H
#define PGO_GO_GOLIST_H

#include <stddef.h>

#include "gocmd.h"
#include "mainpkg.h"

/* Fills out, or returns -1 with err (PGO_E_RESOLVE: go list failed;
 * PGO_E_NOMEM). */
int golist_mains(const char *real_go, const struct gocmd *cmd, char **argv, const char *workdir,
                 struct mainpkg_list *out, pgo_err *err);

#endif
