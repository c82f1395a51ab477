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
 * Two profiles decide a site the same when its hot callees and its hottest
 * callee are the same in both. The change between them is the weight of the
 * sites decided differently: each site counts with the larger of its two
 * shares of its profile's total. A site that only one profile has and that
 * is not hot there is not counted: it lies in the last 1% of the weight, and
 * whether it is an interface call the profile cannot tell.
 *
 * Nothing is kept from the inputs; the result holds copies.
 */
#ifndef PGO_GO_PGO_DECIDE_H
#define PGO_GO_PGO_DECIDE_H

#include <stddef.h>

#include "fetch_err.h"
#include "pgo_edges.h"

typedef struct fetch_pgo_change {
	double share; /* of the weight decided differently: 0 (same) to 1 */
	size_t sites; /* call sites decided differently */
	/* The heaviest of them, for people: "main.handle:+3 (main.parse now
	 * hot)"; "" when none. */
	char example[320];
} fetch_pgo_change;

/* The change from a to b. 0, or -1 with err (FETCH_E_NOMEM). Two profiles
 * without edges are the same; one without edges and one with differ by 1. */
int fetch_pgo_decisions_diff(const fetch_pgo_edges *a, const fetch_pgo_edges *b,
                             fetch_pgo_change *c, fetch_err *err);

#endif
