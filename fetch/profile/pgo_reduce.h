/* pgo_reduce.h — the go-pgo reduction: from a full CPU profile to the part
 * of it Go's PGO reads, merged over any number of profiles.
 *
 * This is what Pyroscope's GoPGO stack-trace selector asks the server to do
 * (querier.proto: GoPGO), done again on the client so that a server that did not, a raw
 * pprof endpoint and a local file all give the same result. For each sample
 * (stack leaf first):
 *   - keep the first keep_locations locations: Go's PGO only ever looks at
 *     the two leaf-most (cmd/internal/pgo builds edges from them alone);
 *   - with aggregate_callees, set the line number of the leaf location's
 *     innermost line (line[0]; the others are the call sites of functions
 *     inlined into the leaf, and stay) to 0: the leaf's own line is never a
 *     call site, so it only splits samples Go would count together;
 *   - drop labels, addresses, columns, memory ranges and file offsets (Go
 *     ignores them; keeping addresses would keep per-process ASLR noise);
 *   - keep one value: cpu/nanoseconds if the profile has it, else
 *     samples/count (the two Go accepts, proportional in a Go CPU profile);
 *     samples with value 0 are dropped, negative values are an error;
 *   - merge equal functions, mappings and locations (compared by content)
 *     and equal stacks, summing their values.
 * Every profile added must keep the same sample type (the first one added
 * fixes it); the period kept is the largest seen, as pprof's merge does.
 *
 * Reducing a reduced profile changes nothing: stacks are already short, the
 * leaf lines already 0, the tables already unique.
 *
 * Ownership: the caller owns the fetch_pgo (pgo_table.h: fetch_pgo_new,
 * fetch_pgo_free); fetch_pgo_add only reads the pprof_profile and copies what
 * it keeps, so the profile may be freed right after.
 */
#ifndef PGO_GO_PGO_REDUCE_H
#define PGO_GO_PGO_REDUCE_H

#include "fetch_err.h"
#include "pgo_table.h"
#include "pprof.h"

/* Reduces p and sums it into acc. Merging N profiles is N calls on one acc.
 * Errors: FETCH_E_INVALID (no usable sample type, negative value, overflow),
 * FETCH_E_MERGE (a different sample type than earlier profiles),
 * FETCH_E_NOMEM. On error acc may hold part of p: discard it. */
int fetch_pgo_add(fetch_pgo *acc, const pprof_profile *p, fetch_err *err);

/* Index of the value fetch_pgo_add keeps: cpu/nanoseconds, else
 * samples/count; -1 when neither is there. */
int fetch_pgo_value_index(const pprof_profile *p);

/* The sum of all sample values. */
int64_t fetch_pgo_total(const fetch_pgo *acc);

#endif
