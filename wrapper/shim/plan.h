/* plan.h — one intercepted command, as build.c plans it and verdict.c
 * judges what it built. Not for other users.
 */
#ifndef PGO_GO_PLAN_H
#define PGO_GO_PLAN_H

#include <limits.h>
#include <stddef.h>

#include "child.h"
#include "config.h"
#include "gocmd.h"
#include "goenv.h"
#include "mainpkg.h"
#include "profiles.h"

/* One main package and what pgo-go decided for it. */
struct target {
	const struct mainpkg *pkg;
	const char *service;
	struct profile_choice profile;
	int group;    /* index of the go run that builds it */
	char *output; /* where the binary lands, or NULL when go writes none */
	int pgo_off;  /* the profile broke the build: built again without it */
};

/* Everything one intercepted command needs, owned here. */
struct plan {
	const char *real_go;
	char *real_from_config; /* the `real` setting of a file, when it names another go */
	const struct gocmd *cmd;
	int argc;
	char **argv;
	char workdir[PATH_MAX];
	struct config config;
	int have_config;
	struct mainpkg_list pkgs;
	struct profile_memo profiles; /* what the sources gave, per service */
	struct target *targets;
	size_t ngroups;
	struct child_pipe goenv; /* `go env`, running beside the build */
	int goenv_running;
	struct goenv host; /* or what it would say, known without asking */
	int have_host;
	char *cache_dir; /* where fits are kept (verdict.c), or NULL */
};

/* Starts asking go env where binaries land (beside the build), when
 * anything will be judged. */
void verdict_start(struct plan *p);

/* Judges the binaries of group g once its go run succeeded (verify.h,
 * fit.h). Returns 1 when strict verification fails. */
int verdict_group(struct plan *p, int g);

/* Releases what verdict_start started and the outputs. */
void verdict_free(struct plan *p);

#endif
