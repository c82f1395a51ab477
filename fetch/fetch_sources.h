/* fetch_sources.h — the profile sources besides Pyroscope: a running
 * service's raw pprof endpoint, and local profile files.
 *
 * Both go the way a Pyroscope answer goes: decoded (pprof.h), validated
 * (pgo_validate.h), reduced and merged (pgo_reduce.h), encoded canonically
 * (pgo_canon.h) and stored in the content-addressed cache (cache.h), and
 * come back as a fetch_result like fetch_profile's.
 *
 * A raw endpoint profiles *now*: two requests never give the same data, so
 * reproducibility comes from the cache, not from the server. The snapshot
 * key is the URL (without credentials) and the aligned window the fetch
 * falls in (window.h: o->window long, 1h by default): every build in that
 * window uses the profile the first one fetched, under the key's lock, and
 * the next window fetches anew. When the endpoint fails, the newest
 * snapshot of the same URL not older than o->max_age is used, with a
 * warning; offline, the newest one. A call may take o->conn.timeout_ms plus
 * the seconds the URL asks the service to profile for (Go's default, 30,
 * when it names none).
 *
 * A local snapshot's key is its content (the SHA-256 of every input file),
 * so the same bytes are reduced once, wherever they lie; there is no stale
 * fallback for files: one that cannot be read is an error.
 *
 * The canonical profile's time_nanos and duration_nanos are the data's own
 * (the earliest start and the latest end over the inputs; 0 when they say
 * nothing), so the same data gives the same bytes by either route: a
 * profile saved from an endpoint and read back with fetch_from_files is
 * byte for byte the one fetch_from_url made of it.
 *
 * Ownership: as fetch.h. The paths and URL stay the caller's.
 */
#ifndef PGO_GO_FETCH_SOURCES_H
#define PGO_GO_FETCH_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"

/* What a raw endpoint is asked to profile for when its URL says nothing:
 * net/http/pprof's default. */
#define FETCH_URL_SECONDS_DEFAULT 30

/* The profile_type recorded for the two sources' snapshots. */
#define FETCH_URL_TYPE   "pprof-url:cpu"
#define FETCH_FILES_TYPE "pprof-file:cpu"

/* The profile of url, a /debug/pprof/profile endpoint (http or https,
 * credentials in it or in o->conn). o->conn.url, o->service and
 * o->selectors are not used; everything else is as for fetch_profile.
 * Errors: FETCH_E_ARG (a bad URL), FETCH_E_DOWN / FETCH_E_NET /
 * FETCH_E_REFUSED (the endpoint failed and nothing usable is cached),
 * FETCH_E_FORMAT /
 * FETCH_E_GZIP / FETCH_E_TOOBIG / FETCH_E_PARSE (not a profile),
 * FETCH_E_INVALID (unusable for PGO), FETCH_E_NODATA (no samples),
 * FETCH_E_OFFLINE, FETCH_E_IO, FETCH_E_NOMEM. */
int fetch_from_url(const fetch_opts *o, const char *url, fetch_result *r, fetch_err *err);

/* The profiles at paths merged: files, and directories standing for every
 * *.pprof, *.pgo and *.pb.gz file in them (not in subdirectories).
 * o->reduce, o->cache_dir and o->force are used; o->now for the record.
 * Errors: FETCH_E_IO (a path that cannot be read, a directory without
 * profiles), the decoding and validation errors (naming the file),
 * FETCH_E_MERGE, FETCH_E_NODATA (no samples in any), FETCH_E_NOMEM. */
int fetch_from_files(const fetch_opts *o, const char *const *paths, size_t npaths, fetch_result *r,
                     fetch_err *err);

/* ---- pure parts, exposed for the tests -------------------------------- */

/* The seconds a raw endpoint's query ("seconds=5&debug=0") asks for:
 * FETCH_URL_SECONDS_DEFAULT when absent, -1 when not a number. */
int64_t fetch_url_seconds(const char *query);

/* Whether a file name is one a directory source takes: *.pprof, *.pgo,
 * *.pb.gz (not hidden). */
int fetch_files_wanted_name(const char *name);

#endif
