/* pgo_decide.h — whether two profiles make Go's compiler decide differently.
 *
 * A -pgo build uses a profile's call edges (pgo_edges.h) for two kinds of
 * decision, per call site (caller, call-site line offset):
 *   - inlining: the hot edges, the heaviest ones up to and including the one
 *     that takes their cumulative weight past 99% of the total
 *     (cmd/compile/internal/inline's hotNodesFromCDF), get the larger
 *     inlining budget; their callees count as hot functions;
 *   - devirtualisation: an interface or closure call is specialised for the
 *     site's hottest callee (devirtualize's findHotConcreteCallee; ties go
 *     to the callee whose name sorts first).
 * The change from a held profile a to a newer b is what keeping a would
 * cost under b's weights, as a share of b's total:
 *   - every edge hot in b but not in a (its call site keeps the ordinary
 *     budget) counts with its weight in b; an edge hot in a and not in b
 *     costs nothing but code size, and is not counted;
 *   - at every call site both have, when the hottest callees differ, the
 *     hottest callee's weight in b less the weight in b of a's choice: a
 *     call split evenly between two types costs nothing whichever is
 *     chosen;
 *   - a site counts with the larger of the two: the same calls lose both.
 * Each counts only when b shows it beyond sampling noise: weights are
 * counted in samples (their greatest common divisor is one sample: a CPU
 * profile's period), and the edge's rate in b must exceed its rate in a,
 * or the new target's count the old one's, by more than 3 standard
 * deviations of the difference (Poisson counts). Edges near the 99% cut
 * cross it from one snapshot to the next at the same rate: that is noise,
 * and costs nothing.
 *
 * Nothing is kept from the inputs; the result holds copies.
 */
#ifndef PGO_GO_PGO_DECIDE_H
#define PGO_GO_PGO_DECIDE_H

#include <stddef.h>

#include "fetch_err.h"
#include "pgo_edges.h"

typedef struct fetch_pgo_change {
	double share; /* of b's weight that a decides worse: 0 (same) to 1 */
	size_t sites; /* call sites a decides worse */
	/* The heaviest of them, for people: "main.handle:+3 (main.parse now
	 * hot)"; "" when none. */
	char example[320];
} fetch_pgo_change;

/* The change from a to b. 0, or -1 with err (FETCH_E_NOMEM). Two profiles
 * without edges are the same; one without edges and one with differ by 1. */
int fetch_pgo_decisions_diff(const fetch_pgo_edges *a, const fetch_pgo_edges *b,
                             fetch_pgo_change *c, fetch_err *err);

#endif
