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

#include "fit.h"

/* The fit of binary and profile into r (fit_files; r->known says whether
 * it is known), from the cache at cache_dir (NULL: none) when it is there,
 * else computed and kept there. */
void fit_cached(const char *cache_dir, const char *binary, const char *profile, fit_result *r);

#endif
