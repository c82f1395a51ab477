/* gowd.h — the working directory as go sees it.
 *
 * Go's os.Getwd answers $PWD when it is absolute and names the same
 * directory as ".", so a directory reached through a symbolic link keeps
 * its spelling in every path go records (the -pgo build setting, a main
 * package's default.pgo); -C changes directory without updating $PWD.
 * pgo-go must compute the paths go will record with the same spelling.
 */
#ifndef PGO_GO_GOWD_H
#define PGO_GO_GOWD_H

#include <limits.h>

/* The directory go works in for `go [-C dir] …` started here: os.Getwd
 * after os.Chdir(dir). out holds PATH_MAX bytes. Returns 0, or -1 when the
 * directory does not exist (go reports that itself). */
int gowd_get(const char *chdir_to, char out[PATH_MAX]);

#endif
