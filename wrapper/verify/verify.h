/* verify.h — did a Go binary get built with PGO, and with which profile?
 *
 * Used by `pgo-go verify` and, after every intercepted build, by the shim.
 * A result owns its strings; verify_result_clear releases them.
 */
#ifndef PGO_GO_VERIFY_H
#define PGO_GO_VERIFY_H

#include "bi.h"

enum verify_status {
	VERIFY_OK,         /* records -pgo (naming the expected profile, if one was given) */
	VERIFY_NO_PGO,     /* a Go binary built without -pgo */
	VERIFY_MISMATCH,   /* records -pgo, but another profile than expected */
	VERIFY_NOT_GO,     /* not a Go binary, or its build info is unreadable */
	VERIFY_UNREADABLE, /* the file could not be opened or read */
};

struct verify_result {
	enum verify_status status;
	bi_code read_code; /* VERIFY_NOT_GO, VERIFY_UNREADABLE: why the build info was not read */
	char *pgo;         /* the recorded -pgo value, or NULL */
	char *go_version;  /* or NULL */
	char *message;     /* one line saying what was found */
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

void verify_result_clear(struct verify_result *r);

const char *verify_status_name(enum verify_status s);

#endif
