/* outputs.h — where `go build` / `go install` put the binaries they make.
 *
 * Computed as cmd/go does: -o FILE, -o DIR/ (or an existing directory), the
 * default name in the working directory for a single main package, and for
 * install GOBIN, else GOPATH[0]/bin, with GOOS_GOARCH below it when
 * cross-compiling. The few go env values needed are goenv.h's.
 */
#ifndef PGO_GO_OUTPUTS_H
#define PGO_GO_OUTPUTS_H

#include "gocmd.h"
#include "goenv.h"
#include "mainpkg.h"

/* The output file of each main package in l (outputs[i] for l->mains[i]),
 * or NULL where go writes none (several packages without -o, c-archive).
 * workdir is absolute. The array and strings are malloc'd; free with
 * outputs_free. Returns 0 or -1 (out of memory). */
int outputs_compute(const struct gocmd *cmd, const struct mainpkg_list *l, const struct goenv *env,
                    const char *workdir, char ***outputs);

void outputs_free(char **outputs, size_t n);

#endif
