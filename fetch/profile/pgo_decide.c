/* pgo_decide.c — the compiler's per-call-site decisions of two profiles,
 * compared: both edge lists flattened to (caller, offset, callee) order,
 * then walked together a site at a time. */
#include "pgo_decide.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmd/compile/internal/inline's inlineCDFHotCallSiteThresholdPercent. */
#define HOT_CDF_PERCENT 99.0

typedef struct name {
	const char *s;
	size_t n;
} name;

struct dedge {
	name caller, callee;
	int64_t offset, weight;
	int hot;
};

/* One profile's view of one call site: its edges, callee order. */
struct dsite {
	const struct dedge *e;
	size_t n;
	int64_t weight;
	size_t hottest; /* index into e */
};

static int name_cmp(name a, name b)
{
	int c = memcmp(a.s, b.s, a.n < b.n ? a.n : b.n);

	if (c != 0)
		return c;
	return a.n < b.n ? -1 : a.n > b.n;
}

static int site_cmp(const struct dedge *a, const struct dedge *b)
{
	int c = name_cmp(a->caller, b->caller);

	if (c != 0)
		return c;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static int dedge_cmp(const void *x, const void *y)
{
	const struct dedge *a = x, *b = y;
	int c = site_cmp(a, b);

	return c != 0 ? c : name_cmp(a->callee, b->callee);
}

static name func_name(const fetch_pgo_edges *e, uint32_t i)
{
	name n = {e->funcs[i].name, e->funcs[i].name_len};
	return n;
}

/* e's edges with their hotness, sorted by site then callee. */
static struct dedge *flatten(const fetch_pgo_edges *e, fetch_err *err)
{
	struct dedge *d = calloc(e->nedges ? e->nedges : 1, sizeof *d);
	size_t cut = e->nedges;
	int64_t cum = 0;

	if (!d) {
		fetch_err_nomem(err);
		return NULL;
	}
	/* hotNodesFromCDF: the edges are heaviest first, as Go sorts them. */
	for (size_t i = 0; i < e->nedges && e->total > 0; i++) {
		cum += e->edges[i].weight;
		if ((double)cum / (double)e->total * 100 > HOT_CDF_PERCENT) {
			cut = i + 1;
			break;
		}
	}
	for (size_t i = 0; i < e->nedges; i++) {
		d[i].caller = func_name(e, e->edges[i].caller);
		d[i].callee = func_name(e, e->edges[i].callee);
		d[i].offset = e->edges[i].offset;
		d[i].weight = e->edges[i].weight;
		d[i].hot = i < cut;
	}
	if (e->nedges > 1)
		qsort(d, e->nedges, sizeof *d, dedge_cmp);
	return d;
}

/* The site starting at d[0] of the n edges left. */
static struct dsite site_at(const struct dedge *d, size_t n)
{
	struct dsite s = {d, 0, 0, 0};

	while (s.n < n && site_cmp(&d[0], &d[s.n]) == 0) {
		s.weight += d[s.n].weight;
		/* Callee order: a strictly heavier one wins, so a tie goes to
		 * the name that sorts first, as findHotConcreteCallee's does. */
		if (d[s.n].weight > d[s.hottest].weight)
			s.hottest = s.n;
		s.n++;
	}
	return s;
}

static int site_has_hot(const struct dsite *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].hot)
			return 1;
	return 0;
}

/* The first hot callee of a that is not hot in b, or NULL. */
static const struct dedge *hot_only_in(const struct dsite *a, const struct dsite *b)
{
	for (size_t i = 0; i < a->n; i++) {
		int hot_in_b = 0;

		if (!a->e[i].hot)
			continue;
		for (size_t k = 0; k < b->n && !hot_in_b; k++)
			hot_in_b = b->e[k].hot && !name_cmp(a->e[i].callee, b->e[k].callee);
		if (!hot_in_b)
			return &a->e[i];
	}
	return NULL;
}

/* Why the site is decided differently in a and b (either may be empty),
 * in words; 0 when it is not. */
static int site_differs(const struct dsite *a, const struct dsite *b, char *why, size_t whysz)
{
	const struct dedge *d;

	if ((d = hot_only_in(b, a))) {
		snprintf(why, whysz, "%.*s now hot", (int)d->callee.n, d->callee.s);
		return 1;
	}
	if ((d = hot_only_in(a, b))) {
		snprintf(why, whysz, "%.*s no longer hot", (int)d->callee.n, d->callee.s);
		return 1;
	}
	if (a->n && b->n && name_cmp(a->e[a->hottest].callee, b->e[b->hottest].callee)) {
		d = &b->e[b->hottest];
		snprintf(why, whysz, "%.*s now the hottest callee", (int)d->callee.n, d->callee.s);
		return 1;
	}
	return 0;
}

static double share(const struct dsite *s, int64_t total)
{
	return s->n && total > 0 ? (double)s->weight / (double)total : 0;
}

/* Adds the site (a's or b's, whichever it has) to c when it differs. */
static void tally(const struct dsite *a, int64_t ta, const struct dsite *b, int64_t tb,
                  fetch_pgo_change *c, double *heaviest)
{
	const struct dsite *s = a->n ? a : b;
	double w = share(a, ta) > share(b, tb) ? share(a, ta) : share(b, tb);
	char why[200];

	/* A site only one profile has counts when it is hot there. */
	if ((!a->n || !b->n) && !site_has_hot(s))
		return;
	if (!site_differs(a, b, why, sizeof why))
		return;
	c->share += w;
	c->sites++;
	if (w > *heaviest) {
		*heaviest = w;
		snprintf(c->example, sizeof c->example, "%.*s:+%lld (%s)", (int)s->e[0].caller.n,
		         s->e[0].caller.s, (long long)s->e[0].offset, why);
	}
}

int fetch_pgo_decisions_diff(const fetch_pgo_edges *a, const fetch_pgo_edges *b,
                             fetch_pgo_change *c, fetch_err *err)
{
	struct dedge *da = NULL, *db = NULL;
	size_t ia = 0, ib = 0, na = a->total > 0 ? a->nedges : 0, nb = b->total > 0 ? b->nedges : 0;
	double heaviest = -1;

	memset(c, 0, sizeof *c);
	if (!na || !nb) {
		c->share = na || nb ? 1 : 0;
		return 0;
	}
	if (!(da = flatten(a, err)) || !(db = flatten(b, err))) {
		free(da);
		return -1;
	}
	while (ia < na || ib < nb) {
		struct dsite sa = {NULL, 0, 0, 0}, sb = {NULL, 0, 0, 0};
		int k = ia == na ? 1 : ib == nb ? -1 : site_cmp(&da[ia], &db[ib]);

		if (k <= 0)
			sa = site_at(da + ia, na - ia);
		if (k >= 0)
			sb = site_at(db + ib, nb - ib);
		tally(&sa, a->total, &sb, b->total, c, &heaviest);
		ia += sa.n;
		ib += sb.n;
	}
	if (c->share > 1)
		c->share = 1;
	free(da);
	free(db);
	return 0;
}
