/* pgo_edges.c — cmd/internal/pgo.FromPProf in C: the profile graph of
 * internal/profile.NewGraph (one node per distinct {name, address, start
 * line, line}, edges only between the frames of a sample's two leaf-most
 * locations), then createNamedEdgeMap's aggregation by {caller, callee,
 * line offset} and postProcessNamedEdgeMap's order. Weights add as Go's
 * int64 do, wrapping.
 */
#include "pgo_edges_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pgo_validate.h"

/* ---- the graph: NewGraph's walk of each sample ---------------------------- */

static uint64_t pgo_eg_arc_hash(const pgo_eg *g, uint32_t i)
{
	return pgo_eg_mix(pgo_eg_mix(1, g->arcs[i].src), g->arcs[i].dst);
}

static int pgo_eg_add_arc(pgo_eg *g, uint32_t src, uint32_t dst_node, uint64_t w)
{
	uint32_t dst = g->nodes[dst_node].name;
	uint64_t h = pgo_eg_mix(pgo_eg_mix(1, src), dst);

	if (g->arc_ix.head != NULL) {
		for (uint32_t i = g->arc_ix.head[h & g->arc_ix.mask]; i != 0;
		     i = g->arc_ix.next[i - 1]) {
			if (g->arcs[i - 1].src == src && g->arcs[i - 1].dst == dst) {
				g->arcs[i - 1].w += w;
				return 0;
			}
		}
	}
	if (pgo_eg_grow((void **)&g->arcs, &g->caparcs, g->narcs, sizeof(*g->arcs)) != 0)
		return -1;
	g->arcs[g->narcs] = (pgo_eg_arc){src, dst, w};
	return pgo_eg_chain_add(&g->arc_ix, g, (uint32_t)g->narcs++, h, pgo_eg_arc_hash);
}

/* Adds v to the set; *had says whether it was there. */
static int pgo_eg_set_add(pgo_eg_set *s, uint64_t v, int *had)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i] == v) {
			*had = 1;
			return 0;
		}
	}
	*had = 0;
	if (pgo_eg_grow((void **)&s->v, &s->cap, s->n, sizeof(*s->v)) != 0)
		return -1;
	s->v[s->n++] = v;
	return 0;
}

/* One frame of the walk, parent (or UINT32_MAX) → n. */
static int pgo_eg_visit(pgo_eg *g, pgo_eg_seen *seen, uint32_t parent, uint32_t n, uint64_t w)
{
	uint64_t pair = (uint64_t)n << 32 | parent;
	int saw, had;

	if (pgo_eg_set_add(&seen->node, n, &saw) != 0)
		return -1;
	if (!saw)
		g->nodes[n].cum += w;
	if (parent == UINT32_MAX || n == parent)
		return 0;
	/* A pair holds n, so it is new whenever n is. */
	if (pgo_eg_set_add(&seen->edge, pair, &had) != 0)
		return -1;
	return saw && had ? 0 : pgo_eg_add_arc(g, parent, n, w);
}

static int pgo_eg_sample(void *ctx, const pprof_sample *s, fetch_err *err)
{
	pgo_eg *g = ctx;
	uint64_t w = (uint64_t)s->value[g->vi];
	uint32_t parent = UINT32_MAX;
	pgo_eg_seen *seen = &g->seen;
	int i = s->n_location_id > 1 ? 1 : (int)s->n_location_id - 1;

	if (w == 0)
		return 0;
	seen->node.n = seen->edge.n = 0;
	/* "Count only the last two frames as a call edge", outermost first. */
	for (; i >= 0; i--) {
		size_t pos = pprof_location_pos(g->p, s->location_id[i]);

		if (pos == PPROF_NONE)
			continue;
		for (uint32_t k = g->loc_count[pos]; k > 0; k--) {
			uint32_t n = g->pool[g->loc_nodes[pos] + k - 1];

			if (pgo_eg_visit(g, seen, parent, n, w) != 0)
				return fetch_err_nomem(err);
			parent = n;
		}
	}
	if (parent != UINT32_MAX)
		g->nodes[parent].flat += w;
	return 0;
}

/* ---- createNamedEdgeMap ---------------------------------------------------- */

static uint64_t pgo_eg_named_key(uint32_t caller, uint32_t callee, int64_t offset)
{
	return pgo_eg_mix(pgo_eg_mix(pgo_eg_mix(2, caller), callee), (uint64_t)offset);
}

static uint64_t pgo_eg_named_hash(const pgo_eg *g, uint32_t i)
{
	const fetch_pgo_edge *e = &g->named[i];

	return pgo_eg_named_key(e->caller, e->callee, e->offset);
}

static int pgo_eg_add_named(pgo_eg *g, uint32_t caller, uint32_t callee, int64_t offset, uint64_t w)
{
	uint64_t h = pgo_eg_named_key(caller, callee, offset);

	if (g->named_ix.head != NULL) {
		for (uint32_t i = g->named_ix.head[h & g->named_ix.mask]; i != 0;
		     i = g->named_ix.next[i - 1]) {
			fetch_pgo_edge *e = &g->named[i - 1];

			if (e->caller == caller && e->callee == callee && e->offset == offset) {
				e->weight = (int64_t)((uint64_t)e->weight + w);
				return 0;
			}
		}
	}
	if (pgo_eg_grow((void **)&g->named, &g->capnamed, g->nnamed, sizeof(*g->named)) != 0)
		return -1;
	g->named[g->nnamed] = (fetch_pgo_edge){caller, callee, offset, (int64_t)w};
	return pgo_eg_chain_add(&g->named_ix, g, (uint32_t)g->nnamed++, h, pgo_eg_named_hash);
}

/* The nodes selectNodesForGraph keeps (cum or flat not 0) give their
 * edges; a graph without start lines is refused as Go refuses it. */
static int pgo_eg_named_edges(pgo_eg *g, int64_t *total, fetch_err *err)
{
	int seen_start = 0;
	uint64_t sum = 0;

	for (size_t i = 0; i < g->nnodes; i++) {
		if (g->nodes[i].cum != 0 || g->nodes[i].flat != 0)
			seen_start |= g->nodes[i].start != 0;
	}
	if (!seen_start)
		return fetch_errf(
		    err, FETCH_E_INVALID,
		    "profile missing Function.start_line data (Go version of profiled "
		    "application too old? Go 1.20+ automatically adds this to profiles)");
	for (size_t i = 0; i < g->narcs; i++) {
		const pgo_eg_node *src = &g->nodes[g->arcs[i].src];

		if (src->cum == 0 && src->flat == 0)
			continue;
		sum += g->arcs[i].w;
		if (pgo_eg_add_named(g, src->name, g->arcs[i].dst,
		                     (int64_t)((uint64_t)src->line - (uint64_t)src->start),
		                     g->arcs[i].w) != 0)
			return fetch_err_nomem(err);
	}
	*total = (int64_t)sum;
	return 0;
}

/* ---- the result ------------------------------------------------------------ */

/* cmd/internal/pgo.sortByWeight: heavier first, then caller, callee and
 * offset ascending (Go compares strings bytewise). */
static int pgo_eg_cmp_bytes(const fetch_pgo_efunc *a, const fetch_pgo_efunc *b)
{
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->name, b->name, n);

	if (c != 0)
		return c;
	return a->name_len < b->name_len ? -1 : a->name_len > b->name_len;
}

static int pgo_eg_by_weight(const void *x, const void *y, void *ctx)
{
	const fetch_pgo_edge *a = x, *b = y;
	const fetch_pgo_efunc *f = ctx;
	int c;

	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if ((c = pgo_eg_cmp_bytes(&f[a->caller], &f[b->caller])) != 0)
		return c;
	if ((c = pgo_eg_cmp_bytes(&f[a->callee], &f[b->callee])) != 0)
		return c;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static void pgo_eg_release(pgo_eg *g)
{
	free(g->name_ix.head);
	free(g->name_ix.next);
	free(g->name_of_str);
	free(g->nodes);
	free(g->node_ix.head);
	free(g->node_ix.next);
	free(g->loc_nodes);
	free(g->loc_count);
	free(g->pool);
	free(g->arcs);
	free(g->arc_ix.head);
	free(g->arc_ix.next);
	free(g->named_ix.head);
	free(g->named_ix.next);
	free(g->seen.node.v);
	free(g->seen.edge.v);
	free(g->name_at);
	free(g->file_at);
}

/* Moves the names, their flat weights and the sorted edges into e. */
static void pgo_eg_hand_over(pgo_eg *g, fetch_pgo_edges *e)
{
	for (size_t i = 0; i < g->nfuncs; i++) {
		g->funcs[i].name = g->text + g->name_at[i];
		g->funcs[i].file = g->file_at[i] == SIZE_MAX ? NULL : g->text + g->file_at[i];
	}
	for (size_t i = 0; i < g->nnodes; i++)
		g->funcs[g->nodes[i].name].flat =
		    (int64_t)((uint64_t)g->funcs[g->nodes[i].name].flat + g->nodes[i].flat);
	if (g->nnamed > 1)
		qsort_r(g->named, g->nnamed, sizeof(*g->named), pgo_eg_by_weight, g->funcs);
	e->funcs = g->funcs;
	e->nfuncs = g->nfuncs;
	e->edges = g->named;
	e->nedges = g->nnamed;
	e->priv = g->text;
	g->funcs = NULL;
	g->named = NULL;
	g->text = NULL;
}

static int pgo_eg_run(pgo_eg *g, fetch_pgo_edges *e, fetch_err *err)
{
	const pprof_msg *m = g->p->msg;

	e->value_index = -1;
	if (m->n_sample == 0)
		return 0;
	g->vi = e->value_index = pgo_value_index(g->p);
	if (g->vi < 0)
		return fetch_errf(err, FETCH_E_INVALID,
		                  "profile does not contain a sample index with value/type "
		                  "\"samples/count\" or cpu/nanoseconds\"");
	g->name_of_str = calloc(m->n_string_table ? m->n_string_table : 1, sizeof(*g->name_of_str));
	if (g->name_of_str == NULL || pgo_eg_locations(g) != 0)
		return fetch_err_nomem(err);
	if (pprof_for_each_sample(g->p, pgo_eg_sample, g, err) != 0)
		return -1;
	return pgo_eg_named_edges(g, &e->total, err);
}

int fetch_pgo_edges_build(const pprof_profile *p, fetch_pgo_edges **out, fetch_err *err)
{
	fetch_pgo_edges *e = calloc(1, sizeof(*e));
	pgo_eg g;
	int rc;

	*out = NULL;
	if (e == NULL)
		return fetch_err_nomem(err);
	memset(&g, 0, sizeof(g));
	g.p = p;
	rc = pgo_eg_run(&g, e, err);
	if (rc == 0)
		pgo_eg_hand_over(&g, e);
	pgo_eg_release(&g);
	free(g.funcs);
	free(g.named);
	free(g.text);
	if (rc != 0) {
		fetch_pgo_edges_free(e);
		return -1;
	}
	/* Go ignores a profile whose edges weigh nothing. */
	if (e->total == 0)
		e->nedges = 0;
	*out = e;
	return 0;
}

void fetch_pgo_edges_free(fetch_pgo_edges *e)
{
	if (e == NULL)
		return;
	free(e->funcs);
	free(e->edges);
	free(e->priv);
	free(e);
}

char *fetch_pgo_edges_serialize(const fetch_pgo_edges *e, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (f == NULL)
		return NULL;
	fputs("GO PREPROFILE V1\n", f);
	for (size_t i = 0; i < e->nedges; i++) {
		const fetch_pgo_edge *x = &e->edges[i];

		fprintf(f, "%s\n%s\n%" PRId64 " %" PRId64 "\n", e->funcs[x->caller].name,
		        e->funcs[x->callee].name, x->offset, x->weight);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = size;
	return buf;
}

int fetch_pgo_edges_load(const char *path, int64_t max_size, fetch_pgo_edges **out, fetch_err *err)
{
	pprof_profile *p = NULL;
	unsigned char *buf = NULL;
	struct stat st;
	FILE *f = fopen(path, "rb");
	int rc = -1;

	*out = NULL;
	if (f == NULL || fstat(fileno(f), &st) != 0) {
		fetch_errf(err, FETCH_E_IO, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_size > max_size) {
		fetch_errf(err, FETCH_E_IO, "cannot read %s: larger than %" PRId64 " bytes", path,
		           max_size);
		goto out;
	}
	if ((buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL) {
		fetch_err_nomem(err);
		goto out;
	}
	if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fetch_errf(err, FETCH_E_IO, "cannot read %s: short read", path);
		goto out;
	}
	if (pprof_decode(buf, (size_t)st.st_size, 0, &p, err) == 0 &&
	    fetch_pgo_edges_build(p, out, err) == 0)
		rc = 0;
out:
	pprof_free(p);
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}
