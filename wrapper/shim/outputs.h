/* outputs.h — where `go build` / `go install` put the binaries they make.
 *
 * Computed as cmd/go does: -o FILE, -o DIR/ (or an existing directory), the
 * default name in the working directory for a single main package, and for
 * install GOBIN, else GOPATH[0]/bin, with GOOS_GOARCH below it when
 * cross-compiling. The few go env values needed come from one
 * `go env -json` of the real go.
 */
#ifndef PGO_GO_OUTPUTS_H
#define PGO_GO_OUTPUTS_H

#include "child.h"
#include "gocmd.h"
#include "mainpkg.h"

struct goenv {
	char *goos, *goarch, *gohostos, *gohostarch, *goexe, *gobin, *gopath;
};

/* Runs `go env -json …`; returns 0 or -1. Strings are owned (goenv_free). */
int goenv_load(const char *real_go, struct goenv *env);

/* The same in two halves, so that `go env` runs while the build does:
 * goenv_start returns at once; goenv_finish collects the answer (0 or -1).
 * A started query must be finished. */
int goenv_start(const char *real_go, struct child_pipe *cp);
int goenv_finish(struct child_pipe *cp, struct goenv *env);
void goenv_free(struct goenv *env);

/* A variable as `go env -w` stored it ($GOENV, else
 * $XDG_CONFIG_HOME/go/env, else ~/.config/go/env), or NULL; malloc'd. */
char *goenv_file_value(const char *name);

/* What go env would say for a plain `go build` on this machine, without
 * running it: possible when neither the environment nor the go env file
 * names GOOS or GOARCH (then they are the host's). Returns 0 or -1. */
int goenv_guess_host(struct goenv *env);

/* The output file of each main package in l (outputs[i] for l->mains[i]),
 * or NULL where go writes none (several packages without -o, c-archive).
 * workdir is absolute. The array and strings are malloc'd; free with
 * outputs_free. Returns 0 or -1 (out of memory). */
int outputs_compute(const struct gocmd *cmd, const struct mainpkg_list *l, const struct goenv *env,
		    const char *workdir, char ***outputs);

void outputs_free(char **outputs, size_t n);

#endif
