/* fit.c — the join of a profile's call edges with a binary's function
 * table (see fit.h), and the result as a phrase and as JSON.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bi.h"
#include "fit_int.h"

/* Profiles larger than this are not read for the fit. */
#define FIT_MAX_PROFILE ((int64_t)256 << 20)

int fit_package(const char *name, size_t len, size_t *pkg_len)
{
	const char *bracket = memchr(name, '[', len), *dot;
	size_t n = bracket ? (size_t)(bracket - name) : len, slash = 0;

	for (size_t i = n; i > 0; i--) {
		if (name[i - 1] == '/') {
			slash = i;
			break;
		}
	}
	dot = memchr(name + slash, '.', n - slash);
	if (dot == NULL || dot == name)
		return 0;
	*pkg_len = (size_t)(dot - name);
	return 1;
}

static int fit_is(const char *pkg, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(pkg, word, len) == 0;
}

int fit_is_own(const char *pkg, size_t len, const fit_opts *o)
{
	const char *slash;

	if (fit_is(pkg, len, "main") || fit_is(pkg, len, "command-line-arguments"))
		return 1;
	if (o != NULL && o->modules != NULL) {
		for (size_t i = 0; i < o->nmodules; i++) {
			size_t m = strlen(o->modules[i]);

			if (m > 0 && len >= m && memcmp(pkg, o->modules[i], m) == 0 &&
			    (len == m || pkg[m] == '/'))
				return 1;
		}
		return 0;
	}
	/* cmd/go/internal/search.IsStandardImportPath */
	slash = memchr(pkg, '/', len);
	return memchr(pkg, '.', slash ? (size_t)(slash - pkg) : len) != NULL;
}

/* ---- the index, with lines for the profile's functions only ---------------- */

typedef struct fit_callers {
	const fetch_pgo_edges *e;
	fit_map names;         /* the profile's functions */
	fit_map pkgs;          /* their packages, and main: function → first of its package */
	unsigned char *caller; /* per profile function: a caller of some edge */
} fit_callers;

/* Whether some profile function is in the package [name, name + n). */
static int fit_profile_pkg(const fit_callers *c, const char *name, size_t n)
{
	uint32_t pos = 0, i;

	if (n == 4 && memcmp(name, "main", 4) == 0)
		return 1;
	while (fit_map_next(&c->pkgs, fit_hash(name, n), &pos, &i)) {
		const fetch_pgo_efunc *f = &c->e->funcs[i];

		if (f->name_len > n && memcmp(f->name, name, n) == 0 && f->name[n] == '.')
			return 1;
	}
	return 0;
}

static int fit_wanted(void *ctx, const char *name, size_t len)
{
	const fit_callers *c = ctx;
	uint32_t pos = 0, i;

	while (fit_map_next(&c->names, fit_hash(name, len), &pos, &i)) {
		const fetch_pgo_efunc *f = &c->e->funcs[i];

		if (f->name_len == len && memcmp(f->name, name, len) == 0)
			return c->caller[i] ? BI_PCLN_WANT_LINES : BI_PCLN_WANT_LISTED;
	}
	/* The rest of the profile's packages, and main, listed wherever they
	 * are: a renamed function and a main package the profile calls by its
	 * import path are found among them (fit_cause.c). */
	{
		size_t pkg;

		if (fit_package(name, len, &pkg) && fit_profile_pkg(c, name, pkg))
			return BI_PCLN_WANT_LISTED;
	}
	return 0;
}

int fit_index(const bi_pcln *t, const fetch_pgo_edges *e, bi_pcln_index **ix, bi_pcln_err *err)
{
	fit_callers c = {e, {0}, {0}, calloc(e->nfuncs ? e->nfuncs : 1, 1)};
	int rc = c.caller == NULL ? BI_PCLN_E_NOMEM : BI_PCLN_OK;

	/* Every name the profile has: callers need their lines and inlined
	 * calls, callees only to be found. */
	for (size_t i = 0; rc == BI_PCLN_OK && i < e->nedges; i++)
		c.caller[e->edges[i].caller] = 1;
	for (uint32_t i = 0; i < e->nfuncs && rc == BI_PCLN_OK; i++) {
		const fetch_pgo_efunc *f = &e->funcs[i];
		size_t pkg;

		if (fit_map_add(&c.names, fit_hash(f->name, f->name_len), i) != 0 ||
		    (fit_package(f->name, f->name_len, &pkg) &&
		     !fit_profile_pkg(&c, f->name, pkg) &&
		     fit_map_add(&c.pkgs, fit_hash(f->name, pkg), i) != 0))
			rc = BI_PCLN_E_NOMEM;
	}
	if (rc == BI_PCLN_OK)
		rc = bi_pcln_index_build(t, fit_wanted, &c, ix, err);
	else if (err != NULL)
		*err = (bi_pcln_err){BI_PCLN_E_NOMEM, "out of memory"};
	fit_map_free(&c.names);
	fit_map_free(&c.pkgs);
	free(c.caller);
	return rc;
}

/* ---- the join ------------------------------------------------------------------ */

static void fit_unknown(fit_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fit_unknown(fit_result *r, const char *fmt, ...)
{
	va_list ap;

	memset(r, 0, sizeof(*r));
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

static void fit_lose(fit_result *r, fit_lost lost, int64_t w)
{
	int64_t *to[] = {&r->lost_foreign, &r->lost_test, &r->lost_renamed, &r->lost_missing,
	                 &r->lost_line};

	*to[lost] += w;
}

/* The five functions with the most lost weight, heaviest first. */
static void fit_top_missing(fit_result *r, const fetch_pgo_edges *e, const int64_t *lost,
                            const bi_pcln_fn *const *renamed)
{
	for (size_t i = 0; i < e->nfuncs; i++) {
		size_t at = r->nmissing;
		fit_missing *m;

		if (lost[i] <= 0)
			continue;
		while (at > 0 && (r->missing[at - 1].weight < lost[i] ||
		                  (r->missing[at - 1].weight == lost[i] &&
		                   strcmp(r->missing[at - 1].name, e->funcs[i].name) > 0)))
			at--;
		if (at >= FIT_MISSING_MAX)
			continue;
		if (r->nmissing < FIT_MISSING_MAX)
			r->nmissing++;
		memmove(&r->missing[at + 1], &r->missing[at],
		        (r->nmissing - 1 - at) * sizeof(r->missing[0]));
		m = &r->missing[at];
		memset(m, 0, sizeof(*m));
		snprintf(m->name, sizeof(m->name), "%s", e->funcs[i].name);
		if (renamed[i] != NULL)
			snprintf(m->renamed_to, sizeof(m->renamed_to), "%s", renamed[i]->name);
		m->weight = lost[i];
	}
}

typedef struct fit_join {
	const bi_pcln_index *ix;
	const fetch_pgo_edges *e;
	const fit_opts *o;
	fit_why why;
	int64_t *lost;              /* per profile function, own weight lost with it */
	const bi_pcln_fn **renamed; /* per profile function */
	const bi_pcln_fn **found;   /* per profile function, NULL if absent */
} fit_join;

static int fit_edge(fit_join *j, const fetch_pgo_edge *x, fit_result *r)
{
	const fetch_pgo_efunc *cf = &j->e->funcs[x->caller];
	const bi_pcln_fn *caller = j->found[x->caller], *callee = j->found[x->callee], *ren;
	int fits = caller && callee && x->offset >= INT32_MIN && x->offset <= INT32_MAX &&
	           bi_pcln_fn_has_offset(caller, (int32_t)x->offset) &&
	           bi_pcln_inlined_at(j->ix, caller, callee, (int32_t)x->offset) != 0;
	size_t pkg;
	fit_lost lost;
	uint32_t fn;

	r->fit_weight += fits ? x->weight : 0;
	if (!fit_package(cf->name, cf->name_len, &pkg) || !fit_is_own(cf->name, pkg, j->o))
		return 0;
	r->own_weight += x->weight;
	if (fits) {
		r->own_fit_weight += x->weight;
		return 0;
	}
	if (fit_why_edge(&j->why, x, caller, callee, &lost, &fn, &ren) != 0)
		return -1;
	fit_lose(r, lost, x->weight);
	if (fn != UINT32_MAX && lost != FIT_LOST_LINE) {
		j->lost[fn] += x->weight;
		j->renamed[fn] = ren;
	}
	return 0;
}

static int fit_join_edges(fit_join *j, fit_result *r)
{
	const fetch_pgo_edges *e = j->e;

	j->lost = calloc(e->nfuncs ? e->nfuncs : 1, sizeof(*j->lost));
	j->renamed = calloc(e->nfuncs ? e->nfuncs : 1, sizeof(*j->renamed));
	j->found = calloc(e->nfuncs ? e->nfuncs : 1, sizeof(*j->found));
	if (j->lost == NULL || j->renamed == NULL || j->found == NULL)
		return -1;
	for (size_t i = 0; i < e->nfuncs; i++)
		j->found[i] = bi_pcln_index_find(j->ix, e->funcs[i].name, e->funcs[i].name_len);
	for (size_t i = 0; i < e->nedges; i++) {
		if (fit_edge(j, &e->edges[i], r) != 0)
			return -1;
	}
	fit_top_missing(r, e, j->lost, j->renamed);
	return 0;
}

void fit_compute(const bi_pcln_index *ix, const fetch_pgo_edges *e, const fit_opts *o,
                 fit_result *r)
{
	fit_join j = {ix, e, o, {0}, NULL, NULL, NULL};
	int rc;

	if (e->total <= 0 || e->nedges == 0) {
		fit_unknown(r, "%s", "the profile has no call edges (nothing for -pgo to use)");
		return;
	}
	if (bi_pcln_index_layout(ix) < 120) {
		fit_unknown(r, "%s",
		            "built with Go 1.18 or 1.19, whose function table has no "
		            "start lines");
		return;
	}
	memset(r, 0, sizeof(*r));
	r->known = 1;
	r->weight = e->total;
	j.why.ix = ix;
	j.why.e = e;
	rc = fit_join_edges(&j, r);
	fit_why_free(&j.why);
	free(j.lost);
	free(j.renamed);
	free(j.found);
	if (rc != 0) {
		fit_unknown(r, "%s", "out of memory");
		return;
	}
	r->total = (double)r->fit_weight / (double)r->weight;
	r->own_share = (double)r->own_weight / (double)r->weight;
	r->own = r->own_weight > 0 ? (double)r->own_fit_weight / (double)r->own_weight : 0;
	fit_choose_cause(r);
}

/* ---- reading the two files ------------------------------------------------------ */

static int fit_read_profile(const char *path, fetch_pgo_edges **e, fit_result *r)
{
	fetch_err err = {0};

	if (fetch_pgo_edges_load(path, FIT_MAX_PROFILE, e, &err) == 0)
		return 0;
	if (err.code == FETCH_E_IO || err.code == FETCH_E_NOMEM)
		fit_unknown(r, "%s", err.msg);
	else
		fit_unknown(r, "the profile is unusable: %s", err.msg);
	return -1;
}

/* The binary's module paths, from its build info: main module first. */
static const char **fit_modules(const bi_info *bi, size_t *n)
{
	const char **m = calloc(bi->ndeps + 1, sizeof(*m));

	*n = 0;
	if (m == NULL)
		return NULL;
	if (bi->main.path.n > 0)
		m[(*n)++] = bi->main.path.p;
	for (size_t i = 0; i < bi->ndeps; i++)
		m[(*n)++] = bi->deps[i]->path.p;
	return m;
}

int fit_files(const char *binary, const char *profile, fit_result *r)
{
	fetch_pgo_edges *e = NULL;
	bi_pcln_index *ix = NULL;
	bi_pcln *t = NULL;
	bi_info *bi = NULL;
	bi_pcln_err perr = {0};
	fit_opts o = {NULL, 0};
	int rc = -1;

	if (fit_read_profile(profile, &e, r) != 0)
		goto out;
	if (bi_pcln_open_file(binary, &t, &perr) != BI_PCLN_OK ||
	    fit_index(t, e, &ix, &perr) != BI_PCLN_OK) {
		fit_unknown(r, "%s", perr.msg);
		goto out;
	}
	/* Without build info, Go's rule for the standard library decides. */
	if (bi_read_file(binary, &bi, NULL) == BI_OK)
		o.modules = fit_modules(bi, &o.nmodules);
	if (o.nmodules == 0) {
		free((void *)o.modules);
		o.modules = NULL;
	}
	fit_compute(ix, e, &o, r);
	rc = 0;
out:
	free((void *)o.modules);
	bi_info_free(bi);
	bi_pcln_index_free(ix);
	bi_pcln_free(t);
	fetch_pgo_edges_free(e);
	return rc;
}

/* ---- reporting -------------------------------------------------------------------- */

static int fit_percent(double f)
{
	/* Floor, so that "100%" means all of it. */
	return (int)(f * 100.0 + 1e-9);
}

void fit_summary(const fit_result *r, char *buf, size_t n)
{
	if (!r->known)
		snprintf(buf, n, "fit unknown: %s", r->reason);
	else if (r->own_weight == 0)
		snprintf(buf, n, "fit %d%%, no own code in the profile", fit_percent(r->total));
	else
		snprintf(buf, n, "fit %d%%, own code %d%%", fit_percent(r->total),
		         fit_percent(r->own));
}

json_t *fit_json(const fit_result *r)
{
	json_t *o = json_object(), *missing;

	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "total", r->known ? json_real(r->total) : json_null()) ||
	    json_object_set_new(o, "own", r->known ? json_real(r->own) : json_null()) ||
	    json_object_set_new(o, "own_share", r->known ? json_real(r->own_share) : json_null()) ||
	    json_object_set_new(o, "missing", missing = r->known ? json_array() : json_null()) ||
	    json_object_set_new(o, "cause",
	                        r->known ? json_string(fit_cause_name(r->cause)) : json_null()))
		goto fail;
	for (size_t i = 0; r->known && i < r->nmissing; i++) {
		if (json_array_append_new(missing, json_string(r->missing[i].name)) != 0)
			goto fail;
	}
	if (!r->known && json_object_set_new(o, "reason", json_string(r->reason)) != 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}
