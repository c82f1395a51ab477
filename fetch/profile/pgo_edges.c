/* pgo_edges.c — cmd/internal/pgo.FromPProf in C: the profile graph of
 * internal/profile.NewGraph (one node per distinct {name, address, start
 * line, line}, edges only between the frames of a sample's two leaf-most
 * locations), then createNamedEdgeMap's aggregation by {caller, callee,
 * line offset} and postProcessNamedEdgeMap's order. Weights add as Go's
 * int64 do, wrapping.
 */
#include "pgo_edges.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgo_validate.h"

/* Hash chains over an array of records: head[hash & mask] and next[i]
 * hold record index + 1. */
typedef struct eg_chain {
	uint32_t *head, *next;
	size_t mask, cap_next;
} eg_chain;

typedef struct eg_node {
	uint32_t name;
	uint64_t addr;
	int64_t start, line;
	uint64_t cum, flat;
} eg_node;

/* An edge of the graph: from a node to a callee name (Go keys it by the
 * destination node, whose name is all that createNamedEdgeMap reads). */
typedef struct eg_arc {
	uint32_t src, dst;
	uint64_t w;
} eg_arc;

/* NewGraph's per-sample sets: nodes counted and edges added already, so a
 * recursive stack counts each once. Two locations have few frames, so
 * lists searched in full do. */
typedef struct eg_set {
	uint64_t *v;
	size_t n, cap;
} eg_set;

typedef struct eg_seen {
	eg_set node, edge;
} eg_seen;

typedef struct eg {
	const pprof_profile *p;
	int vi;
	/* names, by content; text holds them, NUL-terminated */
	fetch_pgo_efunc *funcs;
	size_t nfuncs, capfuncs;
	size_t *name_at; /* offset in text of each name */
	size_t *file_at; /* and of its file, or SIZE_MAX */
	size_t capname_at, capfile_at;
	char *text;
	size_t ntext, captext;
	eg_chain name_ix;
	uint32_t *name_of_str; /* string index → name id + 1 */
	/* nodes */
	eg_node *nodes;
	size_t nnodes, capnodes;
	eg_chain node_ix;
	uint32_t *loc_nodes; /* per location position: first node in pool */
	uint32_t *loc_count;
	uint32_t *pool;
	size_t npool, cappool;
	/* graph edges, then named edges */
	eg_arc *arcs;
	size_t narcs, caparcs;
	eg_chain arc_ix;
	fetch_pgo_edge *named;
	size_t nnamed, capnamed;
	eg_chain named_ix;
	eg_seen seen;
} eg;

static uint64_t eg_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t eg_hash_bytes(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Grows a records array to hold one more. */
static int eg_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 256;
	if (c > SIZE_MAX / size)
		return -1;
	p = realloc(*arr, c * size);
	if (p == NULL)
		return -1;
	*arr = p;
	*cap = c;
	return 0;
}

/* ---- hash chains ---------------------------------------------------------- */

typedef uint64_t eg_hash_fn(const eg *g, uint32_t i);

static int eg_chain_rehash(eg_chain *c, const eg *g, size_t n, eg_hash_fn *hash)
{
	size_t buckets = (c->mask + 1) * 2;
	uint32_t *head = calloc(buckets, sizeof(*head));

	if (head == NULL)
		return -1;
	free(c->head);
	c->head = head;
	c->mask = buckets - 1;
	for (size_t i = 0; i < n; i++) {
		size_t b = hash(g, (uint32_t)i) & c->mask;

		c->next[i] = head[b];
		head[b] = (uint32_t)i + 1;
	}
	return 0;
}

/* Links record n (just appended) into its chain. */
static int eg_chain_add(eg_chain *c, const eg *g, uint32_t n, uint64_t h, eg_hash_fn *hash)
{
	if (c->head == NULL) {
		c->head = calloc(1024, sizeof(*c->head));
		c->mask = 1023;
		if (c->head == NULL)
			return -1;
	}
	if (eg_grow((void **)&c->next, &c->cap_next, n, sizeof(*c->next)) != 0)
		return -1;
	c->next[n] = c->head[h & c->mask];
	c->head[h & c->mask] = n + 1;
	if ((size_t)n + 1 > 2 * (c->mask + 1))
		return eg_chain_rehash(c, g, (size_t)n + 1, hash);
	return 0;
}

/* ---- names ----------------------------------------------------------------- */

static uint64_t eg_name_hash(const eg *g, uint32_t i)
{
	return eg_hash_bytes(g->text + g->name_at[i], g->funcs[i].name_len);
}

/* Copies s (n bytes) into text, NUL-terminated, at *at. */
static int eg_text(eg *g, const char *s, size_t n, size_t *at)
{
	while (g->captext - g->ntext < n + 1) {
		size_t cap = g->captext ? g->captext * 2 : 65536;
		char *t = realloc(g->text, cap);

		if (t == NULL)
			return -1;
		g->text = t;
		g->captext = cap;
	}
	memcpy(g->text + g->ntext, s, n);
	g->text[g->ntext + n] = '\0';
	*at = g->ntext;
	g->ntext += n + 1;
	return 0;
}

static int eg_add_name(eg *g, const char *s, size_t n, uint64_t h, uint32_t *id)
{
	fetch_pgo_efunc *f;

	if (eg_grow((void **)&g->funcs, &g->capfuncs, g->nfuncs, sizeof(*g->funcs)) != 0 ||
	    eg_grow((void **)&g->name_at, &g->capname_at, g->nfuncs, sizeof(*g->name_at)) != 0 ||
	    eg_grow((void **)&g->file_at, &g->capfile_at, g->nfuncs, sizeof(*g->file_at)) != 0 ||
	    eg_text(g, s, n, &g->name_at[g->nfuncs]) != 0)
		return -1;
	g->file_at[g->nfuncs] = SIZE_MAX;
	f = &g->funcs[g->nfuncs];
	memset(f, 0, sizeof(*f));
	f->name_len = n;
	*id = (uint32_t)g->nfuncs++;
	return eg_chain_add(&g->name_ix, g, *id, h, eg_name_hash);
}

/* The id of a name, by content: a profile may hold one string twice. */
static int eg_name(eg *g, const char *s, uint32_t *id)
{
	size_t n = strlen(s);
	uint64_t h = eg_hash_bytes(s, n);

	if (g->name_ix.head != NULL) {
		for (uint32_t i = g->name_ix.head[h & g->name_ix.mask]; i != 0;
		     i = g->name_ix.next[i - 1]) {
			if (g->funcs[i - 1].name_len == n &&
			    memcmp(g->text + g->name_at[i - 1], s, n) == 0) {
				*id = i - 1;
				return 0;
			}
		}
	}
	return eg_add_name(g, s, n, h, id);
}

static int eg_name_of_string(eg *g, int64_t index, uint32_t *id)
{
	uint32_t *memo;

	if (index < 0 || (uint64_t)index >= g->p->msg->n_string_table)
		index = 0;
	memo = &g->name_of_str[index];
	if (*memo == 0) {
		if (eg_name(g, pprof_string(g->p, index), id) != 0)
			return -1;
		*memo = *id + 1;
	}
	*id = *memo - 1;
	return 0;
}

/* ---- nodes: internal/profile's NodeInfo and FindOrInsertNode -------------- */

static uint64_t eg_node_key(uint32_t name, uint64_t addr, int64_t start, int64_t line)
{
	return eg_mix(eg_mix(eg_mix(eg_mix(0, name), addr), (uint64_t)start), (uint64_t)line);
}

static uint64_t eg_node_hash(const eg *g, uint32_t i)
{
	const eg_node *n = &g->nodes[i];

	return eg_node_key(n->name, n->addr, n->start, n->line);
}

static int eg_find_node(eg *g, const eg_node *k, uint32_t *id)
{
	uint64_t h = eg_node_key(k->name, k->addr, k->start, k->line);

	if (g->node_ix.head != NULL) {
		for (uint32_t i = g->node_ix.head[h & g->node_ix.mask]; i != 0;
		     i = g->node_ix.next[i - 1]) {
			const eg_node *n = &g->nodes[i - 1];

			if (n->name == k->name && n->addr == k->addr && n->start == k->start &&
			    n->line == k->line) {
				*id = i - 1;
				return 0;
			}
		}
	}
	if (eg_grow((void **)&g->nodes, &g->capnodes, g->nnodes, sizeof(*g->nodes)) != 0)
		return -1;
	g->nodes[g->nnodes] = *k;
	*id = (uint32_t)g->nnodes++;
	return eg_chain_add(&g->node_ix, g, *id, h, eg_node_hash);
}

/* internal/profile.nodeInfo: a line without a function is a node of its
 * address alone. */
static int eg_line_node(eg *g, const Perftools__Profiles__Location *l,
                        const Perftools__Profiles__Line *ln, uint32_t *id)
{
	size_t fpos = ln ? pprof_function_pos(g->p, ln->function_id) : PPROF_NONE;
	eg_node k = {0};

	k.addr = l->address;
	if (fpos != PPROF_NONE) {
		const Perftools__Profiles__Function *f = g->p->msg->function[fpos];

		if (eg_name_of_string(g, f->name, &k.name) != 0)
			return -1;
		k.start = f->start_line;
		k.line = ln->line;
		if (g->file_at[k.name] == SIZE_MAX) {
			const char *file = pprof_string(g->p, f->filename);

			if (eg_text(g, file, strlen(file), &g->file_at[k.name]) != 0)
				return -1;
			g->funcs[k.name].start_line = f->start_line;
		}
	} else if (eg_name(g, "", &k.name) != 0) {
		return -1;
	}
	return eg_find_node(g, &k, id);
}

/* internal/profile.CreateNodes: each location's nodes, one per line
 * (innermost first), or one for a location without lines. */
static int eg_locations(eg *g)
{
	const pprof_msg *m = g->p->msg;

	g->loc_nodes = calloc(m->n_location ? m->n_location : 1, sizeof(*g->loc_nodes));
	g->loc_count = calloc(m->n_location ? m->n_location : 1, sizeof(*g->loc_count));
	if (g->loc_nodes == NULL || g->loc_count == NULL)
		return -1;
	for (size_t i = 0; i < m->n_location; i++) {
		const Perftools__Profiles__Location *l = m->location[i];
		size_t nl = l->n_line ? l->n_line : 1;

		g->loc_nodes[i] = (uint32_t)g->npool;
		g->loc_count[i] = (uint32_t)nl;
		for (size_t j = 0; j < nl; j++) {
			uint32_t id;

			if (eg_line_node(g, l, l->n_line ? l->line[j] : NULL, &id) != 0 ||
			    eg_grow((void **)&g->pool, &g->cappool, g->npool, sizeof(*g->pool)) !=
			        0)
				return -1;
			g->pool[g->npool++] = id;
		}
	}
	return 0;
}

/* ---- the graph: NewGraph's walk of each sample ---------------------------- */

static uint64_t eg_arc_hash(const eg *g, uint32_t i)
{
	return eg_mix(eg_mix(1, g->arcs[i].src), g->arcs[i].dst);
}

static int eg_add_arc(eg *g, uint32_t src, uint32_t dst_node, uint64_t w)
{
	uint32_t dst = g->nodes[dst_node].name;
	uint64_t h = eg_mix(eg_mix(1, src), dst);

	if (g->arc_ix.head != NULL) {
		for (uint32_t i = g->arc_ix.head[h & g->arc_ix.mask]; i != 0;
		     i = g->arc_ix.next[i - 1]) {
			if (g->arcs[i - 1].src == src && g->arcs[i - 1].dst == dst) {
				g->arcs[i - 1].w += w;
				return 0;
			}
		}
	}
	if (eg_grow((void **)&g->arcs, &g->caparcs, g->narcs, sizeof(*g->arcs)) != 0)
		return -1;
	g->arcs[g->narcs] = (eg_arc){src, dst, w};
	return eg_chain_add(&g->arc_ix, g, (uint32_t)g->narcs++, h, eg_arc_hash);
}

/* Adds v to the set; *had says whether it was there. */
static int eg_set_add(eg_set *s, uint64_t v, int *had)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i] == v) {
			*had = 1;
			return 0;
		}
	}
	*had = 0;
	if (eg_grow((void **)&s->v, &s->cap, s->n, sizeof(*s->v)) != 0)
		return -1;
	s->v[s->n++] = v;
	return 0;
}

/* One frame of the walk, parent (or UINT32_MAX) → n. */
static int eg_visit(eg *g, eg_seen *seen, uint32_t parent, uint32_t n, uint64_t w)
{
	uint64_t pair = (uint64_t)n << 32 | parent;
	int saw, had;

	if (eg_set_add(&seen->node, n, &saw) != 0)
		return -1;
	if (!saw)
		g->nodes[n].cum += w;
	if (parent == UINT32_MAX || n == parent)
		return 0;
	/* A pair holds n, so it is new whenever n is. */
	if (eg_set_add(&seen->edge, pair, &had) != 0)
		return -1;
	return saw && had ? 0 : eg_add_arc(g, parent, n, w);
}

static int eg_sample(void *ctx, const pprof_sample *s, fetch_err *err)
{
	eg *g = ctx;
	uint64_t w = (uint64_t)s->value[g->vi];
	uint32_t parent = UINT32_MAX;
	eg_seen *seen = &g->seen;
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

			if (eg_visit(g, seen, parent, n, w) != 0)
				return fetch_err_nomem(err);
			parent = n;
		}
	}
	if (parent != UINT32_MAX)
		g->nodes[parent].flat += w;
	return 0;
}

/* ---- createNamedEdgeMap ---------------------------------------------------- */

static uint64_t eg_named_key(uint32_t caller, uint32_t callee, int64_t offset)
{
	return eg_mix(eg_mix(eg_mix(2, caller), callee), (uint64_t)offset);
}

static uint64_t eg_named_hash(const eg *g, uint32_t i)
{
	const fetch_pgo_edge *e = &g->named[i];

	return eg_named_key(e->caller, e->callee, e->offset);
}

static int eg_add_named(eg *g, uint32_t caller, uint32_t callee, int64_t offset, uint64_t w)
{
	uint64_t h = eg_named_key(caller, callee, offset);

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
	if (eg_grow((void **)&g->named, &g->capnamed, g->nnamed, sizeof(*g->named)) != 0)
		return -1;
	g->named[g->nnamed] = (fetch_pgo_edge){caller, callee, offset, (int64_t)w};
	return eg_chain_add(&g->named_ix, g, (uint32_t)g->nnamed++, h, eg_named_hash);
}

/* The nodes selectNodesForGraph keeps (cum or flat not 0) give their
 * edges; a graph without start lines is refused as Go refuses it. */
static int eg_named_edges(eg *g, int64_t *total, fetch_err *err)
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
		const eg_node *src = &g->nodes[g->arcs[i].src];

		if (src->cum == 0 && src->flat == 0)
			continue;
		sum += g->arcs[i].w;
		if (eg_add_named(g, src->name, g->arcs[i].dst,
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
static int eg_cmp_bytes(const fetch_pgo_efunc *a, const fetch_pgo_efunc *b)
{
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->name, b->name, n);

	if (c != 0)
		return c;
	return a->name_len < b->name_len ? -1 : a->name_len > b->name_len;
}

static int eg_by_weight(const void *x, const void *y, void *ctx)
{
	const fetch_pgo_edge *a = x, *b = y;
	const fetch_pgo_efunc *f = ctx;
	int c;

	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if ((c = eg_cmp_bytes(&f[a->caller], &f[b->caller])) != 0)
		return c;
	if ((c = eg_cmp_bytes(&f[a->callee], &f[b->callee])) != 0)
		return c;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static void eg_release(eg *g)
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
static void eg_hand_over(eg *g, fetch_pgo_edges *e)
{
	for (size_t i = 0; i < g->nfuncs; i++) {
		g->funcs[i].name = g->text + g->name_at[i];
		g->funcs[i].file = g->file_at[i] == SIZE_MAX ? NULL : g->text + g->file_at[i];
	}
	for (size_t i = 0; i < g->nnodes; i++)
		g->funcs[g->nodes[i].name].flat =
		    (int64_t)((uint64_t)g->funcs[g->nodes[i].name].flat + g->nodes[i].flat);
	if (g->nnamed > 1)
		qsort_r(g->named, g->nnamed, sizeof(*g->named), eg_by_weight, g->funcs);
	e->funcs = g->funcs;
	e->nfuncs = g->nfuncs;
	e->edges = g->named;
	e->nedges = g->nnamed;
	e->priv = g->text;
	g->funcs = NULL;
	g->named = NULL;
	g->text = NULL;
}

static int eg_run(eg *g, fetch_pgo_edges *e, fetch_err *err)
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
	if (g->name_of_str == NULL || eg_locations(g) != 0)
		return fetch_err_nomem(err);
	if (pprof_for_each_sample(g->p, eg_sample, g, err) != 0)
		return -1;
	return eg_named_edges(g, &e->total, err);
}

int fetch_pgo_edges_build(const pprof_profile *p, fetch_pgo_edges **out, fetch_err *err)
{
	fetch_pgo_edges *e = calloc(1, sizeof(*e));
	eg g;
	int rc;

	*out = NULL;
	if (e == NULL)
		return fetch_err_nomem(err);
	memset(&g, 0, sizeof(g));
	g.p = p;
	rc = eg_run(&g, e, err);
	if (rc == 0)
		eg_hand_over(&g, e);
	eg_release(&g);
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
