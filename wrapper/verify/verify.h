/* verify.h — did a Go binary get built with PGO, and with which profile?
 *
 * Used by `pgo-go verify` and, after every intercepted build, by the shim.
 * A result owns its strings; verify_result_clear releases them.
 */
#ifndef PGO_GO_VERIFY_H
#define PGO_GO_VERIFY_H

#include "bi.h"
#include "fit.h"

enum verify_status {
	VERIFY_OK,         /* records -pgo (naming the expected profile, if one was given) */
	VERIFY_NO_PGO,     /* a Go binary built without -pgo */
	VERIFY_MISMATCH,   /* records -pgo, but another profile than expected */
	VERIFY_NOT_GO,     /* not a Go binary, or its build info is unreadable */
	VERIFY_UNREADABLE, /* the file could not be opened or read */
	VERIFY_STALE,      /* records the profile, but its own code keeps less of it than
	                    * min_fit (fit.h): another service's, or older than the code */
};

struct verify_result {
	enum verify_status status;
	bi_code read_code; /* VERIFY_NOT_GO, VERIFY_UNREADABLE: why the build info was not read */
	char *pgo;         /* the recorded -pgo value, or NULL */
	char *go_version;  /* or NULL */
	char *message;     /* one line saying what was found */
	fit_result *fit;   /* once verify_fit ran: how much of the profile fits, or NULL */
};

/* Checks path; profile, if not NULL, is the profile the binary must name.
 * Returns 0, or -1 when out of memory. */
int verify_binary(const char *path, const char *profile, struct verify_result *r);

/* The same judgement for build info already read (an archive member).
 * Returns 0, or -1 when out of memory. */
int verify_info(const bi_info *bi, const char *profile, struct verify_result *r);

/* Whether a recorded -pgo value names profile, given whether the build used
 * -trimpath (which records only the file name). */
int verify_profile_matches(const char *recorded, const char *profile, int trimpath);

/* Judges how much of profile (a file; NULL when it cannot be found: the
 * fit is unknown) the verified binary at path can use (fit_cache.h, kept
 * under cache_dir when not NULL). A fit whose own code keeps less than
 * min_fit (0: no check), or a profile with no weight at all in the
 * binary's own code, turns VERIFY_OK into VERIFY_STALE with a message
 * naming the fit, the hottest missing functions and the likely cause.
 * A NULL path (a binary inside an archive) leaves the fit unknown too.
 * Returns 0, or -1 when out of memory. */
int verify_fit(struct verify_result *r, const char *path, const char *profile, double min_fit,
               const char *cache_dir);

/* verify_binary then verify_fit, for a binary just built from profile
 * (not NULL), with min_fit > 0: when the cache at cache_dir (NULL: none)
 * holds the fit record of the binary's content and profile, the verdict
 * comes from it, and of the binary only its build ID is read (fit_cache.h:
 * a no-op rebuild reads a record per binary, not its build info). Returns
 * 0, or -1 when out of memory. */
int verify_built(const char *path, const char *profile, double min_fit, const char *cache_dir,
                 struct verify_result *r);

void verify_result_clear(struct verify_result *r);

const char *verify_status_name(enum verify_status s);

#endif
