/* pgo_canon.h — the canonical encoding of a reduced profile.
 *
 * Equal data must give equal bytes whatever order the server or the file
 * listed it in: the profile's SHA-256 names it in the cache and in the
 * binary's `-pgo` setting, and Go keys its build cache on the profile's
 * content. So every table is ordered by content, not by input ids:
 *   - samples by their stack, leaf first, each location compared by its lines
 *     (function name, system name, file name, start line, then line number),
 *     then its mapping (file name, build id, flags);
 *   - locations in order of first use over the sorted samples, functions and
 *     mappings in order of first use over the locations, strings ("" first)
 *     over the sample type, then the mappings, then the functions;
 *   - ids from 1 in that order; one sample type; period_type equal to it;
 *     time_nanos and duration_nanos from the window [start, end); no labels,
 *     comments, drop/keep frames, addresses or columns.
 * The protobuf is gzipped at FETCH_PGO_GZIP_LEVEL with a fixed header (no
 * file name, mtime 0, OS byte 255 "unknown"), as Go's own gzip writer does.
 * The deflate stream is whatever this zlib produces at that level: builds
 * against a different deflate implementation (zlib-ng) may compress the same
 * protobuf to other bytes; fetch_pgo_encode_raw gives the protobuf itself.
 *
 * Ownership: the output buffer is malloc'd and the caller's to free; the
 * fetch_pgo is only read.
 */
#ifndef PGO_GO_PGO_CANON_H
#define PGO_GO_PGO_CANON_H

#include <stddef.h>
#include <stdint.h>

#include "fetch_err.h"
#include "pgo_table.h"

#define FETCH_PGO_GZIP_LEVEL 6

/* The canonical gzipped profile. start_ns/end_ns: the window the data covers
 * (nanoseconds since the epoch; both 0 when unknown). Errors: FETCH_E_ARG
 * (end before start), FETCH_E_INVALID ("no samples left after the go-pgo
 * reduction"), FETCH_E_NOMEM. */
int fetch_pgo_encode(const fetch_pgo *p, int64_t start_ns, int64_t end_ns, unsigned char **out,
                     size_t *outlen, fetch_err *err);

/* The same profile as plain protobuf, before gzip. */
int fetch_pgo_encode_raw(const fetch_pgo *p, int64_t start_ns, int64_t end_ns, unsigned char **out,
                         size_t *outlen, fetch_err *err);

/* gzip with the fixed header and level above. */
int fetch_pgo_gzip(const void *data, size_t len, unsigned char **out, size_t *outlen,
                   fetch_err *err);

#endif
