/* fit_int.h — what fit.c (the join and the result) and fit_cause.c (why
 * own weight is lost) share. Not for use outside them.
 */
#ifndef PGO_GO_FIT_INT_H
#define PGO_GO_FIT_INT_H

#include "fit.h"

/* A multimap from a 64-bit hash to record numbers, in chains: the caller
 * compares the records it gets back. */
typedef struct fit_map {
	uint64_t *hash;
	uint32_t *val, *next, *head;
	size_t n, cap, mask;
} fit_map;

int fit_map_add(fit_map *m, uint64_t hash, uint32_t val);
void fit_map_free(fit_map *m);

/* Iterates the values stored under hash: pos starts at 0; returns 0 at
 * the end. */
int fit_map_next(const fit_map *m, uint64_t hash, uint32_t *pos, uint32_t *val);

uint64_t fit_hash(const char *s, size_t n);

typedef enum fit_lost {
	FIT_LOST_FOREIGN,
	FIT_LOST_TEST,
	FIT_LOST_RENAMED,
	FIT_LOST_MISSING,
	FIT_LOST_LINE,
} fit_lost;

/* What the classifier knows, built on first use. */
typedef struct fit_why {
	const bi_pcln_index *ix;
	const fetch_pgo_edges *e;
	int built;
	fit_map pkgs;      /* binary packages → an index fn of each */
	fit_map rests;     /* name after the package → index fns */
	fit_map places;    /* start line and file base name → index fns */
	fit_map profnames; /* profile names → efuncs */
	fit_map mains;     /* profile packages → whether the binary has them as main */
} fit_why;

/* Why an own edge does not fit: *lost_fn is the profile function the
 * binary lacks (UINT32_MAX when both are there), *renamed its likely new
 * name in the binary (or NULL). Returns -1 when out of memory. */
int fit_why_edge(fit_why *w, const fetch_pgo_edge *x, const bi_pcln_fn *caller,
                 const bi_pcln_fn *callee, fit_lost *lost, uint32_t *lost_fn,
                 const bi_pcln_fn **renamed);

void fit_why_free(fit_why *w);

/* The cause the lost weights point to, and its sentence. */
void fit_choose_cause(fit_result *r);

#endif
