/* pgo_edges_int.h — what pgo_edges.c (the graph and the named edges) and
 * pgo_edges_tab.c (the tables they are built on: names, nodes, locations)
 * share; not for other users.
 */
#ifndef PGO_GO_PGO_EDGES_INT_H
#define PGO_GO_PGO_EDGES_INT_H

#include "pgo_edges.h"

/* Hash chains over an array of records: head[hash & mask] and next[i]
 * hold record index + 1. */
typedef struct pgo_eg_chain {
	uint32_t *head, *next;
	size_t mask, cap_next;
} pgo_eg_chain;

typedef struct pgo_eg_node {
	uint32_t name;
	uint64_t addr;
	int64_t start, line;
	uint64_t cum, flat;
} pgo_eg_node;

/* An edge of the graph: from a node to a callee name (Go keys it by the
 * destination node, whose name is all that createNamedEdgeMap reads). */
typedef struct pgo_eg_arc {
	uint32_t src, dst;
	uint64_t w;
} pgo_eg_arc;

/* NewGraph's per-sample sets: nodes counted and edges added already, so a
 * recursive stack counts each once. Two locations have few frames, so
 * lists searched in full do. */
typedef struct pgo_eg_set {
	uint64_t *v;
	size_t n, cap;
} pgo_eg_set;

typedef struct pgo_eg_seen {
	pgo_eg_set node, edge;
} pgo_eg_seen;

typedef struct pgo_eg {
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
	pgo_eg_chain name_ix;
	uint32_t *name_of_str; /* string index → name id + 1 */
	/* nodes */
	pgo_eg_node *nodes;
	size_t nnodes, capnodes;
	pgo_eg_chain node_ix;
	uint32_t *loc_nodes; /* per location position: first node in pool */
	uint32_t *loc_count;
	uint32_t *pool;
	size_t npool, cappool;
	/* graph edges, then named edges */
	pgo_eg_arc *arcs;
	size_t narcs, caparcs;
	pgo_eg_chain arc_ix;
	fetch_pgo_edge *named;
	size_t nnamed, capnamed;
	pgo_eg_chain named_ix;
	pgo_eg_seen seen;
} pgo_eg;

typedef uint64_t pgo_eg_hash_fn(const pgo_eg *g, uint32_t i);

uint64_t pgo_eg_mix(uint64_t h, uint64_t v);

/* Grows a records array to hold one more of its n. */
int pgo_eg_grow(void **arr, size_t *cap, size_t n, size_t size);

/* Links record n (just appended, hash h) into its chain. */
int pgo_eg_chain_add(pgo_eg_chain *c, const pgo_eg *g, uint32_t n, uint64_t h,
                     pgo_eg_hash_fn *hash);

/* internal/profile.CreateNodes: each location's nodes, one per line
 * (innermost first), or one for a location without lines. */
int pgo_eg_locations(pgo_eg *g);

#endif
