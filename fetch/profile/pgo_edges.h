/* pgo_edges.h — the weighted call edges Go's compiler makes of a profile.
 *
 * fetch_pgo_edges_build does what cmd/internal/pgo.FromPProf does with a
 * pprof profile (the same sample type choice, internal/profile.NewGraph's
 * walk of each sample's two leaf-most locations and their inlined frames,
 * createNamedEdgeMap's keys): every edge is (caller name, callee name,
 * call-site line minus the caller's start line) with the summed weight of
 * the samples through it, in Go's ByWeight order. That is what a -pgo build
 * can use, and what `go tool preprofile` writes; fetch_pgo_edges_serialize
 * gives that file byte for byte.
 *
 * Ownership: fetch_pgo_edges_build returns a fetch_pgo_edges the caller
 * releases with fetch_pgo_edges_free (NULL-safe); it copies every name, so
 * the profile may be freed at once. fetch_pgo_edges_serialize returns a
 * malloc'd buffer.
 */
#ifndef PGO_GO_PGO_EDGES_H
#define PGO_GO_PGO_EDGES_H

#include <stddef.h>
#include <stdint.h>

#include "fetch_err.h"
#include "pprof.h"

/* A function the profile names, by name (several profile functions with
 * one name are one, as the compiler sees them). */
typedef struct fetch_pgo_efunc {
	const char *name;
	size_t name_len;
	const char *file; /* of the first profile function so named */
	int64_t start_line;
	int64_t flat; /* weight of the samples whose innermost frame it is */
} fetch_pgo_efunc;

typedef struct fetch_pgo_edge {
	uint32_t caller, callee; /* into fetch_pgo_edges.funcs */
	int64_t offset;          /* call-site line - caller's start line */
	int64_t weight;
} fetch_pgo_edge;

typedef struct fetch_pgo_edges {
	fetch_pgo_efunc *funcs;
	size_t nfuncs;
	fetch_pgo_edge *edges; /* heaviest first; ties by caller, callee, offset */
	size_t nedges;
	int64_t total;   /* the sum of all edge weights: Go's TotalWeight */
	int value_index; /* the sample value used; -1 for a profile without samples */
	void *priv;
} fetch_pgo_edges;

/* The edges of p. A profile without samples, or whose samples weigh
 * nothing, gives no edges and total 0, as Go accepts and ignores it.
 * Errors, in Go's words: FETCH_E_INVALID (no samples/count or
 * cpu/nanoseconds sample type; no Function.start_line), FETCH_E_NOMEM. */
int fetch_pgo_edges_build(const pprof_profile *p, fetch_pgo_edges **out, fetch_err *err);

void fetch_pgo_edges_free(fetch_pgo_edges *e);

/* The edges of the profile in the file at path, at most max_size bytes.
 * Errors: FETCH_E_IO ("cannot read PATH: why", a larger file too),
 * FETCH_E_NOMEM, and pprof_decode's and fetch_pgo_edges_build's. */
int fetch_pgo_edges_load(const char *path, int64_t max_size, fetch_pgo_edges **out, fetch_err *err);

/* cmd/internal/pgo's serialized form ("GO PREPROFILE V1"), as
 * `go tool preprofile` writes it. NULL when out of memory. */
char *fetch_pgo_edges_serialize(const fetch_pgo_edges *e, size_t *len);

#endif
