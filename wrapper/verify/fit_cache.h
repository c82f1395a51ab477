/* fit_cache.h — the fit of a binary and a profile, computed once.
 *
 * A binary's Go build ID names its content (bi_buildid.h), a profile's
 * content-hash name (or else its SHA-256) names its bytes: the fit of the
 * two never changes. go writes a no-op rebuild's binary anew with the same
 * build ID, and judging it again would cost that build more than the rest of
 * pgo-go's work, so the fit is kept in the cache as fits/<key>: the
 * fit_result's bytes under a versioned header. A record that does not read
 * back whole and sane is no record. Without a build ID or a cache, the fit
 * is computed each time.
 */
#ifndef PGO_GO_FIT_CACHE_H
#define PGO_GO_FIT_CACHE_H

#include <limits.h>

#include "fit.h"

/* What a verdict needs of a binary's build info (verify.c), kept in the
 * record beside the fit: the build ID names the binary's content, build
 * info included, so a binary whose record holds them need not be read
 * again (a no-op rebuild of 150 commands reads 150 small records instead
 * of 150 binaries' build info). No pointers: stored as bytes. */
typedef struct fit_facts {
	int known; /* 0: not kept */
	char go_version[128];
	int has_pgo;        /* the binary records a -pgo setting: */
	char pgo[PATH_MAX]; /* its value */
	int trimpath;       /* built with -trimpath */
} fit_facts;

/* The fit of binary and profile into r (fit_files; r->known says whether
 * it is known), from the cache at cache_dir (NULL: none) when it is there,
 * else computed and kept there, with facts when not NULL. */
void fit_cached(const char *cache_dir, const char *binary, const char *profile,
                const fit_facts *facts, fit_result *r);

/* The record of binary and profile in the cache at cache_dir, when it is
 * there and holds the binary's facts: 1 with *facts and *r filled; else 0
 * (nothing read but the build ID and the record). */
int fit_cached_facts(const char *cache_dir, const char *binary, const char *profile,
                     fit_facts *facts, fit_result *r);

#endif
