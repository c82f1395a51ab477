/* pgo_validate.h — is a decoded profile one `go build -pgo` would use?
 *
 * Mirrors what Go's cmd/internal/pgo (FromPProf, createNamedEdgeMap) does
 * after parsing, and is stricter where Go silently accepts a profile that
 * gives PGO nothing (no samples, all-zero values, no call edges): such a
 * profile would still be recorded as `-pgo=` in the binary and so look used.
 * Any profile Go rejects is rejected here, with a one-line reason.
 *
 * Nothing is allocated; the profile is only read.
 */
#ifndef PGO_GO_PGO_VALIDATE_H
#define PGO_GO_PGO_VALIDATE_H

#include "fetch_err.h"
#include "pprof.h"

/* Index of the sample value Go's PGO weighs edges by: the first sample type
 * that is samples/count or cpu/nanoseconds. -1 when there is none. */
int pgo_value_index(const pprof_profile *p);

/* Index of the first sample type with this type and unit, or -1. */
int pgo_sample_type_index(const pprof_profile *p, const char *type, const char *unit);

/* 0 when usable. Otherwise -1 with err->code FETCH_E_INVALID and err->msg one
 * of these reasons (checked in this order):
 *   "no samples"
 *   "no cpu/nanoseconds or samples/count sample type"
 *   "negative sample value (not a CPU profile?)"
 *   "no sample has a non-zero TYPE/UNIT value"
 *   "functions lack start_line (profiles from eBPF collectors do; use a Go
 *    runtime profile)"  — Go's "profile missing Function.start_line data"
 *   "no call edges (every sampled stack is a single frame)"
 */
int pgo_validate(const pprof_profile *p, fetch_err *err);

#endif
