/* profiles.h — choosing the profile for a service from the sources there are.
 *
 * Sources are tried in order, each giving a file or nothing: PGO_GO_PROFILE
 * (one file for every service), the per-service directory profile_dir
 * (<dir>/<service>.pgo), and last the main package's committed default.pgo,
 * which is left to go's own -pgo=auto. The network sources (Pyroscope, or
 * instead a raw pprof URL when pprof_url is set) plug in as more entries of
 * the source table. Every file is validated before
 * use; one that fails gives a warning naming it and why, and the next source
 * is tried.
 */
#ifndef PGO_GO_PROFILES_H
#define PGO_GO_PROFILES_H

#include <stddef.h>

#include "config.h"
#include "fetch_err.h"
#include "mainpkg.h"

struct profile_choice {
	char *path;         /* absolute path of the profile, or NULL for none */
	const char *source; /* "PGO_GO_PROFILE", "profile_dir", "pyroscope", "pprof_url",
	                     * "default.pgo" */
	char *detail;       /* for verbose output: the snapshot's window, its origin */
	char *why;          /* when a source failed: one line saying why, or NULL */
	char *service;      /* the service the server knows, when it differs, or NULL */
	int is_auto;        /* default.pgo: go's -pgo=auto finds it; pass no flag */
	int invalid_auto;   /* default.pgo exists but is unusable: pass -pgo=off */
	int validated;      /* from the cache, which validated it when it stored it */
};

/* What the profile is wanted for. */
struct profile_request {
	const char *service; /* the service name chosen for the main package */
	int service_guessed; /* nothing named it: ask the server which it knows */
	const struct mainpkg *pkg;
	const char *base; /* where relative paths in settings start */
};

/* What the sources gave the main packages of one command so far: each
 * source is asked once for the same inputs (the service, or nothing for a
 * profile every service shares), so a profile is found, read and validated
 * once however many main packages take it. Zeroed to start; released with
 * profile_memo_free. */
struct profile_memo {
	struct memo_entry *v;
	size_t n;
};

/* Chooses the profile for a main package. Returns 0 (a choice, which may be
 * "none", with why saying what failed), or -1 when out of memory. */
int profiles_choose(const struct config *c, const struct profile_request *req,
                    struct profile_memo *memo, struct profile_choice *out);

void profile_memo_free(struct profile_memo *memo);

void profile_choice_clear(struct profile_choice *p);

/* Whether `go build -pgo` can use the file (pgo_validate.h). Returns 0, or
 * -1 with err: a short reason ("no samples", "not a pprof profile: …"). */
int profiles_validate(const char *path, fetch_err *err);

#endif
