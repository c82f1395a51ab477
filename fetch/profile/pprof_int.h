/* pprof_int.h — what pprof.c and pprof_check.c share; not for other users.
 * pprof.c unpacks a profile and hands it to pprof_check, which builds its id
 * maps and makes Go's checks. */
#ifndef PGO_GO_PPROF_INT_H
#define PGO_GO_PPROF_INT_H

#include "pprof.h"

/* Builds p's id maps, refusing the id 0 and duplicates as Go's CheckValid
 * does. Errors: FETCH_E_PARSE, FETCH_E_NOMEM. */
int pprof_build_idmaps(pprof_profile *p, fetch_err *err);

/* As pprof_for_each_sample, but a sample that does not unpack (bytes that
 * are no Sample message, or no memory for it: protobuf-c does not say which)
 * sets *bad_sample and returns -1 with err untouched. */
int pprof_visit_samples(const pprof_profile *p, pprof_sample_fn *fn, void *ctx, int *bad_sample,
                        fetch_err *err);

/* Reports bytes that are no pprof Profile message (FETCH_E_FORMAT); returns
 * -1. */
int pprof_not_pprof(fetch_err *err, int was_gzip);

/* Go's parse-time checks of an unpacked profile, in Go's order; was_gzip
 * words the error of a sample that does not unpack. Errors: FETCH_E_FORMAT,
 * FETCH_E_PARSE, FETCH_E_NOMEM. */
int pprof_check(pprof_profile *p, int was_gzip, fetch_err *err);

#endif
