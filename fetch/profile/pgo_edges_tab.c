/* pgo_edges_tab.c — the tables pgo_edges.c builds Go's profile graph on:
 * names by content (a profile may hold one string twice), internal/profile's
 * nodes ({name, address, start line, line}) and each location's nodes, in
 * arrays with hash chains beside them.
 */
#include <stdlib.h>
#include <string.h>

#include "pgo_edges_int.h"

uint64_t pgo_eg_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

uint64_t pgo_eg_hash_bytes(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Grows a records array to hold one more. */
int pgo_eg_grow(void **arr, size_t *cap, size_t n, size_t size)
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

static int pgo_eg_chain_rehash(pgo_eg_chain *c, const pgo_eg *g, size_t n, pgo_eg_hash_fn *hash)
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
int pgo_eg_chain_add(pgo_eg_chain *c, const pgo_eg *g, uint32_t n, uint64_t h, pgo_eg_hash_fn *hash)
{
	if (c->head == NULL) {
		c->head = calloc(1024, sizeof(*c->head));
		c->mask = 1023;
		if (c->head == NULL)
			return -1;
	}
	if (pgo_eg_grow((void **)&c->next, &c->cap_next, n, sizeof(*c->next)) != 0)
		return -1;
	c->next[n] = c->head[h & c->mask];
	c->head[h & c->mask] = n + 1;
	if ((size_t)n + 1 > 2 * (c->mask + 1))
		return pgo_eg_chain_rehash(c, g, (size_t)n + 1, hash);
	return 0;
}

/* ---- names ----------------------------------------------------------------- */

static uint64_t pgo_eg_name_hash(const pgo_eg *g, uint32_t i)
{
	return pgo_eg_hash_bytes(g->text + g->name_at[i], g->funcs[i].name_len);
}

/* Copies s (n bytes) into text, NUL-terminated, at *at. */
static int pgo_eg_text(pgo_eg *g, const char *s, size_t n, size_t *at)
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

static int pgo_eg_add_name(pgo_eg *g, const char *s, size_t n, uint64_t h, uint32_t *id)
{
	fetch_pgo_efunc *f;

	if (pgo_eg_grow((void **)&g->funcs, &g->capfuncs, g->nfuncs, sizeof(*g->funcs)) != 0 ||
	    pgo_eg_grow((void **)&g->name_at, &g->capname_at, g->nfuncs, sizeof(*g->name_at)) !=
	        0 ||
	    pgo_eg_grow((void **)&g->file_at, &g->capfile_at, g->nfuncs, sizeof(*g->file_at)) !=
	        0 ||
	    pgo_eg_text(g, s, n, &g->name_at[g->nfuncs]) != 0)
		return -1;
	g->file_at[g->nfuncs] = SIZE_MAX;
	f = &g->funcs[g->nfuncs];
	memset(f, 0, sizeof(*f));
	f->name_len = n;
	*id = (uint32_t)g->nfuncs++;
	return pgo_eg_chain_add(&g->name_ix, g, *id, h, pgo_eg_name_hash);
}

/* The id of a name, by content: a profile may hold one string twice. */
static int pgo_eg_name(pgo_eg *g, const char *s, uint32_t *id)
{
	size_t n = strlen(s);
	uint64_t h = pgo_eg_hash_bytes(s, n);

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
	return pgo_eg_add_name(g, s, n, h, id);
}

static int pgo_eg_name_of_string(pgo_eg *g, int64_t index, uint32_t *id)
{
	uint32_t *memo;

	if (index < 0 || (uint64_t)index >= g->p->msg->n_string_table)
		index = 0;
	memo = &g->name_of_str[index];
	if (*memo == 0) {
		if (pgo_eg_name(g, pprof_string(g->p, index), id) != 0)
			return -1;
		*memo = *id + 1;
	}
	*id = *memo - 1;
	return 0;
}

/* ---- nodes: internal/profile's NodeInfo and FindOrInsertNode -------------- */

static uint64_t pgo_eg_node_key(uint32_t name, uint64_t addr, int64_t start, int64_t line)
{
	return pgo_eg_mix(pgo_eg_mix(pgo_eg_mix(pgo_eg_mix(0, name), addr), (uint64_t)start),
	                  (uint64_t)line);
}

static uint64_t pgo_eg_node_hash(const pgo_eg *g, uint32_t i)
{
	const pgo_eg_node *n = &g->nodes[i];

	return pgo_eg_node_key(n->name, n->addr, n->start, n->line);
}

static int pgo_eg_find_node(pgo_eg *g, const pgo_eg_node *k, uint32_t *id)
{
	uint64_t h = pgo_eg_node_key(k->name, k->addr, k->start, k->line);

	if (g->node_ix.head != NULL) {
		for (uint32_t i = g->node_ix.head[h & g->node_ix.mask]; i != 0;
		     i = g->node_ix.next[i - 1]) {
			const pgo_eg_node *n = &g->nodes[i - 1];

			if (n->name == k->name && n->addr == k->addr && n->start == k->start &&
			    n->line == k->line) {
				*id = i - 1;
				return 0;
			}
		}
	}
	if (pgo_eg_grow((void **)&g->nodes, &g->capnodes, g->nnodes, sizeof(*g->nodes)) != 0)
		return -1;
	g->nodes[g->nnodes] = *k;
	*id = (uint32_t)g->nnodes++;
	return pgo_eg_chain_add(&g->node_ix, g, *id, h, pgo_eg_node_hash);
}

/* internal/profile.nodeInfo: a line without a function is a node of its
 * address alone. */
static int pgo_eg_line_node(pgo_eg *g, const Perftools__Profiles__Location *l,
                            const Perftools__Profiles__Line *ln, uint32_t *id)
{
	size_t fpos = ln ? pprof_function_pos(g->p, ln->function_id) : PPROF_NONE;
	pgo_eg_node k = {0};

	k.addr = l->address;
	if (fpos != PPROF_NONE) {
		const Perftools__Profiles__Function *f = g->p->msg->function[fpos];

		if (pgo_eg_name_of_string(g, f->name, &k.name) != 0)
			return -1;
		k.start = f->start_line;
		k.line = ln->line;
		if (g->file_at[k.name] == SIZE_MAX) {
			const char *file = pprof_string(g->p, f->filename);

			if (pgo_eg_text(g, file, strlen(file), &g->file_at[k.name]) != 0)
				return -1;
			g->funcs[k.name].start_line = f->start_line;
		}
	} else if (pgo_eg_name(g, "", &k.name) != 0) {
		return -1;
	}
	return pgo_eg_find_node(g, &k, id);
}

/* internal/profile.CreateNodes: each location's nodes, one per line
 * (innermost first), or one for a location without lines. */
int pgo_eg_locations(pgo_eg *g)
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

			if (pgo_eg_line_node(g, l, l->n_line ? l->line[j] : NULL, &id) != 0 ||
			    pgo_eg_grow((void **)&g->pool, &g->cappool, g->npool,
			                sizeof(*g->pool)) != 0)
				return -1;
			g->pool[g->npool++] = id;
		}
	}
	return 0;
}
