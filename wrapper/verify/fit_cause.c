/* fit_cause.c — why own-code weight does not fit, edge by edge, and the
 * cause the lost weight points to. The evidence is all in the two inputs:
 *   - a caller whose package the binary does not have at all comes from
 *     another program (wrong service), unless the binary has the same
 *     function as main.*: then the profile named the main package by its
 *     import path, as `go test -cpuprofile` of that package does;
 *   - a function missing from a package the binary has, when the binary
 *     has another function not in the profile at the same start line in a
 *     file of the same name, or the same name in another package at the
 *     same start line, was renamed or moved;
 *   - caller and callee both there but no code at the call-site line:
 *     the function was edited since the profile was taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit_int.h"

/* More than half of the lost weight decides the cause. */
#define FIT_CAUSE_SHARE 0.5

uint64_t fit_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

static int fit_map_rehash(fit_map *m)
{
	size_t buckets = m->mask ? (m->mask + 1) * 2 : 1024;
	uint32_t *head = malloc(buckets * sizeof(*head));

	if (head == NULL)
		return -1;
	memset(head, 0xff, buckets * sizeof(*head));
	free(m->head);
	m->head = head;
	m->mask = buckets - 1;
	for (size_t i = 0; i < m->n; i++) {
		m->next[i] = head[m->hash[i] & m->mask];
		head[m->hash[i] & m->mask] = (uint32_t)i;
	}
	return 0;
}

int fit_map_add(fit_map *m, uint64_t hash, uint32_t val)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		uint64_t *h = realloc(m->hash, cap * sizeof(*h));
		uint32_t *v, *nx;

		if (h == NULL)
			return -1;
		m->hash = h;
		v = realloc(m->val, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		m->val = v;
		nx = realloc(m->next, cap * sizeof(*nx));
		if (nx == NULL)
			return -1;
		m->next = nx;
		m->cap = cap;
	}
	m->hash[m->n] = hash;
	m->val[m->n] = val;
	m->n++;
	if (m->head == NULL || m->n > 2 * (m->mask + 1))
		return fit_map_rehash(m);
	m->next[m->n - 1] = m->head[hash & m->mask];
	m->head[hash & m->mask] = (uint32_t)(m->n - 1);
	return 0;
}

int fit_map_next(const fit_map *m, uint64_t hash, uint32_t *pos, uint32_t *val)
{
	uint32_t i;

	if (m->head == NULL)
		return 0;
	i = *pos == 0 ? m->head[hash & m->mask] : m->next[*pos - 1];
	for (; i != UINT32_MAX; i = m->next[i]) {
		if (m->hash[i] == hash) {
			*pos = i + 1;
			*val = m->val[i];
			return 1;
		}
	}
	return 0;
}

void fit_map_free(fit_map *m)
{
	free(m->hash);
	free(m->val);
	free(m->next);
	free(m->head);
	memset(m, 0, sizeof(*m));
}

/* ---- what the binary and the profile hold ----------------------------------- */

static const char *fit_base(const char *path, size_t *len)
{
	const char *slash;

	if (path == NULL) {
		*len = 0;
		return "";
	}
	slash = strrchr(path, '/');
	path = slash ? slash + 1 : path;
	*len = strlen(path);
	return path;
}

static uint64_t fit_place(int64_t start_line, const char *file)
{
	size_t n;
	const char *base = fit_base(file, &n);

	return fit_hash(base, n) ^ ((uint64_t)start_line * 0x9e3779b97f4a7c15ull);
}

static int fit_why_index(fit_why *w)
{
	size_t count = bi_pcln_index_count(w->ix);

	for (uint32_t i = 0; i < count; i++) {
		const bi_pcln_fn *f = bi_pcln_index_at(w->ix, i);
		size_t pkg;

		if (!fit_package(f->name, f->name_len, &pkg))
			continue;
		if (fit_map_add(&w->pkgs, fit_hash(f->name, pkg), i) != 0 ||
		    fit_map_add(&w->rests, fit_hash(f->name + pkg, f->name_len - pkg), i) != 0 ||
		    fit_map_add(&w->places, fit_place(f->start_line, f->file), i) != 0)
			return -1;
	}
	for (uint32_t i = 0; i < w->e->nfuncs; i++) {
		const fetch_pgo_efunc *f = &w->e->funcs[i];

		if (fit_map_add(&w->profnames, fit_hash(f->name, f->name_len), i) != 0)
			return -1;
	}
	w->built = 1;
	return 0;
}

static int fit_binary_has_pkg(const fit_why *w, const char *pkg, size_t n)
{
	uint32_t pos = 0, i;

	while (fit_map_next(&w->pkgs, fit_hash(pkg, n), &pos, &i)) {
		const bi_pcln_fn *f = bi_pcln_index_at(w->ix, i);
		size_t fp;

		if (fit_package(f->name, f->name_len, &fp) && fp == n &&
		    memcmp(f->name, pkg, n) == 0)
			return 1;
	}
	return 0;
}

static int fit_in_profile(const fit_why *w, const bi_pcln_fn *f)
{
	uint32_t pos = 0, i;

	while (fit_map_next(&w->profnames, fit_hash(f->name, f->name_len), &pos, &i)) {
		const fetch_pgo_efunc *p = &w->e->funcs[i];

		if (p->name_len == f->name_len && memcmp(p->name, f->name, f->name_len) == 0)
			return 1;
	}
	return 0;
}

static int fit_same_base(const char *a, const char *b)
{
	size_t na, nb;
	const char *x = fit_base(a, &na), *y = fit_base(b, &nb);

	return na > 0 && na == nb && memcmp(x, y, na) == 0;
}

/* The binary's function a missing profile function most likely became:
 * one the profile does not name, in the same package at the same start
 * line in a file of the same name (renamed in place), or with the same
 * name after the package, in another package, at the same start line
 * (moved). NULL when there is none. */
static const bi_pcln_fn *fit_renamed(const fit_why *w, const fetch_pgo_efunc *p, size_t pkg)
{
	uint64_t place = fit_place(p->start_line, p->file);
	uint32_t pos = 0, i;

	while (fit_map_next(&w->places, place, &pos, &i)) {
		const bi_pcln_fn *f = bi_pcln_index_at(w->ix, i);
		size_t fp;

		if (f->start_line == p->start_line && fit_same_base(f->file, p->file) &&
		    fit_package(f->name, f->name_len, &fp) && fp == pkg &&
		    memcmp(f->name, p->name, pkg) == 0 && !fit_in_profile(w, f))
			return f;
	}
	pos = 0;
	while (fit_map_next(&w->rests, fit_hash(p->name + pkg, p->name_len - pkg), &pos, &i)) {
		const bi_pcln_fn *f = bi_pcln_index_at(w->ix, i);
		size_t fp;

		if (f->start_line == p->start_line && fit_package(f->name, f->name_len, &fp) &&
		    f->name_len - fp == p->name_len - pkg &&
		    memcmp(f->name + fp, p->name + pkg, p->name_len - pkg) == 0 &&
		    !fit_in_profile(w, f))
			return f;
	}
	return NULL;
}

/* Whether the binary has the function as main.REST: a main package that
 * the profile named by its import path. */
static int fit_is_main_of(const fit_why *w, const fetch_pgo_efunc *p, size_t pkg)
{
	char name[512];
	int n = snprintf(name, sizeof(name), "main%.*s", (int)(p->name_len - pkg), p->name + pkg);

	return n > 0 && (size_t)n < sizeof(name) && bi_pcln_index_find(w->ix, name, (size_t)n);
}

/* Whether the package the profile calls pkg is the binary's main package:
 * some function of it is in the binary as main.*. The tests and benchmarks
 * of a `go test` profile are of that package too, and in no binary. */
static int fit_pkg_is_main(fit_why *w, const char *pkg, size_t len)
{
	uint64_t h = fit_hash(pkg, len);
	uint32_t pos = 0, v;
	int yes = 0;

	/* Cached as fn + 1 of the package's first profile function, or 0 - fn. */
	while (fit_map_next(&w->mains, h, &pos, &v)) {
		const fetch_pgo_efunc *p = &w->e->funcs[v & 0x7fffffffu];

		if (p->name_len > len && memcmp(p->name, pkg, len) == 0 && p->name[len] == '.')
			return (v & 0x80000000u) != 0;
	}
	for (uint32_t i = 0; i < w->e->nfuncs && !yes; i++) {
		const fetch_pgo_efunc *p = &w->e->funcs[i];
		size_t fp;

		yes = fit_package(p->name, p->name_len, &fp) && fp == len &&
		      memcmp(p->name, pkg, len) == 0 && fit_is_main_of(w, p, fp);
	}
	for (uint32_t i = 0; i < w->e->nfuncs; i++) {
		const fetch_pgo_efunc *p = &w->e->funcs[i];

		if (p->name_len > len && memcmp(p->name, pkg, len) == 0 && p->name[len] == '.') {
			if (fit_map_add(&w->mains, h, i | (yes ? 0x80000000u : 0)) != 0)
				return yes;
			break;
		}
	}
	return yes;
}

/* Why the profile function fn is missing from the binary. */
static fit_lost fit_why_missing(fit_why *w, uint32_t fn, const bi_pcln_fn **renamed)
{
	const fetch_pgo_efunc *p = &w->e->funcs[fn];
	size_t pkg;

	*renamed = NULL;
	if (!fit_package(p->name, p->name_len, &pkg))
		return FIT_LOST_MISSING;
	if (!fit_binary_has_pkg(w, p->name, pkg)) {
		if (fit_pkg_is_main(w, p->name, pkg))
			return FIT_LOST_TEST;
		if ((*renamed = fit_renamed(w, p, pkg)) != NULL)
			return FIT_LOST_RENAMED;
		return FIT_LOST_FOREIGN;
	}
	*renamed = fit_renamed(w, p, pkg);
	return *renamed ? FIT_LOST_RENAMED : FIT_LOST_MISSING;
}

int fit_why_edge(fit_why *w, const fetch_pgo_edge *x, const bi_pcln_fn *caller,
                 const bi_pcln_fn *callee, fit_lost *lost, uint32_t *lost_fn,
                 const bi_pcln_fn **renamed)
{
	*renamed = NULL;
	*lost_fn = UINT32_MAX;
	if (caller != NULL && callee != NULL) {
		*lost = FIT_LOST_LINE;
		return 0;
	}
	if (!w->built && fit_why_index(w) != 0)
		return -1;
	*lost_fn = caller == NULL ? x->caller : x->callee;
	*lost = fit_why_missing(w, *lost_fn, renamed);
	return 0;
}

void fit_why_free(fit_why *w)
{
	fit_map_free(&w->pkgs);
	fit_map_free(&w->rests);
	fit_map_free(&w->places);
	fit_map_free(&w->profnames);
	fit_map_free(&w->mains);
}

/* ---- the verdict ---------------------------------------------------------------- */

static const char *fit_cause_sentence(fit_cause c)
{
	switch (c) {
	case FIT_CAUSE_WRONG_SERVICE:
		return "the profile's own code is not in this binary: a profile of another "
		       "service? (check the [services] mapping and PGO_GO_SERVICE)";
	case FIT_CAUSE_TEST_PROFILE:
		return "the profile names this binary's main package by its import path, as "
		       "`go test -cpuprofile` of the package does: take the profile from the "
		       "running program";
	case FIT_CAUSE_RENAMED:
		return "functions were renamed or moved since the profile was taken (a [rename] "
		       "entry carries their samples over)";
	case FIT_CAUSE_CHANGED:
		return "the code changed since the profile was taken: its call sites moved";
	case FIT_CAUSE_MISSING:
		return "functions the profile names are gone from the code";
	case FIT_CAUSE_NONE:
		break;
	}
	return "";
}

void fit_choose_cause(fit_result *r)
{
	int64_t lost = r->own_weight - r->own_fit_weight;
	const struct {
		int64_t w;
		fit_cause c;
	} by[] = {
	    {r->lost_foreign, FIT_CAUSE_WRONG_SERVICE}, {r->lost_test, FIT_CAUSE_TEST_PROFILE},
	    {r->lost_renamed, FIT_CAUSE_RENAMED},       {r->lost_line, FIT_CAUSE_CHANGED},
	    {r->lost_missing, FIT_CAUSE_MISSING},
	};

	r->cause = FIT_CAUSE_NONE;
	if (r->own_weight == 0 && r->weight > 0) {
		r->cause = FIT_CAUSE_WRONG_SERVICE;
	} else if (lost > 0) {
		r->cause = FIT_CAUSE_MISSING;
		for (size_t i = 0; i < sizeof(by) / sizeof(by[0]); i++) {
			if ((double)by[i].w > FIT_CAUSE_SHARE * (double)lost) {
				r->cause = by[i].c;
				break;
			}
		}
	}
	snprintf(r->cause_text, sizeof(r->cause_text), "%s", fit_cause_sentence(r->cause));
}

const char *fit_cause_name(fit_cause c)
{
	switch (c) {
	case FIT_CAUSE_WRONG_SERVICE:
		return "wrong-service";
	case FIT_CAUSE_TEST_PROFILE:
		return "test-profile";
	case FIT_CAUSE_RENAMED:
		return "renamed";
	case FIT_CAUSE_CHANGED:
		return "changed";
	case FIT_CAUSE_MISSING:
		return "missing";
	case FIT_CAUSE_NONE:
		break;
	}
	return "none";
}
