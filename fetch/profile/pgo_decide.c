/* pgo_decide.c — the compiler's per-call-site decisions of two profiles,
 * compared: both edge lists flattened to (caller, offset, callee) order,
 * then walked together a site at a time, each site's cost in b's
 * weights. */
#include "pgo_decide.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmd/compile/internal/inline's inlineCDFHotCallSiteThresholdPercent. */
#define HOT_CDF_PERCENT 99.0

/* How many standard deviations a difference must reach to be more than
 * sampling noise (one-sided: about 1 in 740 by chance). */
#define NOISE_Z 3.0

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

/* One profile, flattened: its edges, total, and the weight of one sample
 * (the greatest common divisor of the edge weights: a CPU profile's
 * period), so weights can be counted in samples. */
struct dprof {
	struct dedge *d;
	size_t n;
	int64_t total, quantum;
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

static int64_t gcd(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* e's edges with their hotness, sorted by site then callee, into p. */
static int flatten(const fetch_pgo_edges *e, struct dprof *p, fetch_err *err)
{
	struct dedge *d = calloc(e->nedges ? e->nedges : 1, sizeof *d);
	size_t cut = e->nedges;
	int64_t cum = 0, q = 0;

	if (!d)
		return fetch_err_nomem(err);
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
		if (d[i].weight > 0)
			q = gcd(d[i].weight, q);
	}
	if (e->nedges > 1)
		qsort(d, e->nedges, sizeof *d, dedge_cmp);
	*p = (struct dprof){d, e->nedges, e->total, q > 0 ? q : 1};
	return 0;
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

/* Whether a has callee among its hot edges. */
static int hot_in(const struct dsite *a, name callee)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->e[i].hot && !name_cmp(a->e[i].callee, callee))
			return 1;
	return 0;
}

/* The weight b gives callee at its site (0 when none). */
static int64_t weight_in(const struct dsite *b, name callee)
{
	for (size_t i = 0; i < b->n; i++)
		if (!name_cmp(b->e[i].callee, callee))
			return b->e[i].weight;
	return 0;
}

/* Whether rise / sqrt(var) > NOISE_Z (var > 0), squared: no libm, which
 * every process would otherwise load for this one call. */
static int beyond_noise(double rise, double var)
{
	return rise > 0 && rise * rise > NOISE_Z * NOISE_Z * var;
}

/* Whether callee's rate at the site is higher in b than in a by more than
 * sampling noise: weights counted in samples, rates per sample of the
 * whole profile, the difference against its standard deviation (Poisson
 * counts). A change of the threshold alone, the same rate on either side
 * of the cut, is noise. */
static int rate_rose(const struct dprof *pa, const struct dsite *a, const struct dprof *pb,
                     int64_t wb, name callee)
{
	double na = (double)weight_in(a, callee) / (double)pa->quantum,
	       nb = (double)wb / (double)pb->quantum, ta = (double)pa->total / (double)pa->quantum,
	       tb = (double)pb->total / (double)pb->quantum;
	double var = nb / (tb * tb) + na / (ta * ta), rise = nb / tb - na / ta;

	return var > 0 && beyond_noise(rise, var);
}

/* What keeping a's decisions at this site costs under b's weights (either
 * may be empty): the hot edges a does not budget for, or what a's
 * devirtualisation target misses, whichever is more; each only when b
 * shows it beyond sampling noise. The heaviest reason in why. */
static int64_t site_cost(const struct dprof *pa, const struct dsite *a, const struct dprof *pb,
                         const struct dsite *b, char *why, size_t whysz)
{
	int64_t cost = 0, top = 0;

	why[0] = '\0';
	for (size_t i = 0; i < b->n; i++) {
		const struct dedge *d = &b->e[i];

		if (!d->hot || hot_in(a, d->callee) || !rate_rose(pa, a, pb, d->weight, d->callee))
			continue;
		cost += d->weight;
		if (d->weight > top) {
			top = d->weight;
			snprintf(why, whysz, "%.*s now hot", (int)d->callee.n, d->callee.s);
		}
	}
	if (a->n && b->n && name_cmp(a->e[a->hottest].callee, b->e[b->hottest].callee)) {
		const struct dedge *d = &b->e[b->hottest];
		int64_t kept = weight_in(b, a->e[a->hottest].callee), lost = d->weight - kept;
		double n1 = (double)d->weight / (double)pb->quantum,
		       n2 = (double)kept / (double)pb->quantum;

		/* The same calls lose both ways: the larger loss, not both. */
		if (n1 + n2 > 0 && beyond_noise(n1 - n2, n1 + n2)) {
			if (lost > cost)
				cost = lost;
			if (lost > top)
				snprintf(why, whysz, "%.*s now the hottest callee",
				         (int)d->callee.n, d->callee.s);
		}
	}
	return cost;
}

/* Adds the site's cost (b's weights) to c. */
static void tally(const struct dprof *pa, const struct dsite *a, const struct dprof *pb,
                  const struct dsite *b, fetch_pgo_change *c, double *heaviest)
{
	const struct dsite *s = b->n ? b : a;
	char why[200];
	int64_t cost = site_cost(pa, a, pb, b, why, sizeof why);
	double w = pb->total > 0 ? (double)cost / (double)pb->total : 0;

	if (cost <= 0)
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
	struct dprof pa = {NULL, 0, 0, 1}, pb = {NULL, 0, 0, 1};
	size_t ia = 0, ib = 0;
	double heaviest = -1;
	int rc = -1;

	memset(c, 0, sizeof *c);
	if (a->total <= 0 || b->total <= 0 || !a->nedges || !b->nedges) {
		c->share = (a->total > 0 && a->nedges) || (b->total > 0 && b->nedges) ? 1 : 0;
		return 0;
	}
	if (flatten(a, &pa, err) != 0 || flatten(b, &pb, err) != 0)
		goto out;
	while (ia < pa.n || ib < pb.n) {
		struct dsite sa = {NULL, 0, 0, 0}, sb = {NULL, 0, 0, 0};
		int k = ia == pa.n ? 1 : ib == pb.n ? -1 : site_cmp(&pa.d[ia], &pb.d[ib]);

		if (k <= 0)
			sa = site_at(pa.d + ia, pa.n - ia);
		if (k >= 0)
			sb = site_at(pb.d + ib, pb.n - ib);
		tally(&pa, &sa, &pb, &sb, c, &heaviest);
		ia += sa.n;
		ib += sb.n;
	}
	if (c->share > 1)
		c->share = 1;
	rc = 0;
out:
	free(pa.d);
	free(pb.d);
	return rc;
}
