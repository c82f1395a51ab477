/* goenv.h — the few `go env` values pgo-go needs.
 *
 * Where binaries land depends on GOOS, GOARCH, GOHOSTOS, GOHOSTARCH, GOEXE,
 * GOBIN and GOPATH: asked of the real go with one `go env -json`, which can
 * run beside the build; or known without asking for a plain build on this
 * machine. GOFLAGS and the like as `go env -w` stored them are read from
 * go's env file, as go does.
 */
#ifndef PGO_GO_GOENV_H
#define PGO_GO_GOENV_H

#include "child.h"

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

#endif
