/* bi_pcln_ix.h — what the index's two files share: the index itself
 * (bi_pcln_index.c: its names, lines and inlined calls, and the lookups)
 * and the state of a build (bi_pcln_build.c: the walk of the function
 * table that fills it). Not for use outside buildinfo/.
 */
#ifndef PGO_GO_BI_PCLN_IX_H
#define PGO_GO_BI_PCLN_IX_H

#include "bi_pcln_int.h"

/* Open addressing: key → fn index + 1 (0: empty). */
typedef struct bi_ix_map {
	uint64_t *key;
	uint32_t *val;
	size_t cap, n;
} bi_ix_map;

struct bi_pcln_index {
	bi_pcln_fn *fns;
	size_t nfns, capfns;
	bi_ix_map by_name; /* key: hash of the name */
	int32_t *offsets;
	bi_pcln_site *sites; /* grouped by caller, each group sorted */
	unsigned layout;
	bi_pcln *owned; /* the table the names point into, when the index owns it */
};

typedef struct bi_ix_call {
	uint32_t pc, callee;
} bi_ix_call;

typedef struct bi_ix_triple {
	uint32_t caller, callee;
	int32_t offset;
} bi_ix_triple;

/* What a build keeps beside the index. */
typedef struct bi_ix_build {
	bi_pcln_index *ix;
	bi_ix_map by_ptr; /* key: address of a name in the table */
	uint64_t *pairs;  /* fn << 32 | biased offset */
	size_t npairs, cappairs;
	const char *last;      /* the name looked up last, and its fn: spans in a */
	uint32_t last_id;      /* row mostly share their frame */
	bi_pcln_span prev;     /* the host's previous span, after the rule in ix_span */
	int failed;            /* out of memory inside a callback */
	int hit;               /* an inlined function whose lines are wanted was seen */
	bi_pcln_want_fn *want; /* NULL: every name */
	void *want_ctx;
	const bi_pcln *t;
	uint8_t *wanted; /* a bit per byte of funcnametab: a name whose lines are wanted */
	uint8_t *listed; /* and one whose listing is */
	/* The calls inlined into the host being walked, by parent pc, and the
	 * next one a span has not reached yet. */
	bi_ix_call *calls;
	size_t ncalls, capcalls, next_call;
	/* The fn of each frame of that host: [0] itself, [k + 1] inline-tree
	 * entry k. */
	uint32_t *frames;
	size_t nframes, capframes;
	/* Every inlined call seen, with its caller: fns' sites. */
	bi_ix_triple *triples;
	size_t ntriples, captriples;
} bi_ix_build;

/* The fn of a name in the table (created, with this start line, when new). */
int bi_ix_fn_at(bi_ix_build *b, const char *raw, size_t len, int32_t start_line, uint32_t *id);

/* Whether the lines of the table's name at s are wanted: a bit of the
 * build's map of funcnametab, asked for every span. */
static inline int bi_ix_wanted(const bi_ix_build *b, const char *s)
{
	size_t off = (size_t)((const unsigned char *)s - (b->t->tab.p + b->t->names));

	if (b->want == NULL)
		return 1;
	return (b->wanted[off / 8] >> (off % 8)) & 1;
}

/* Whether the table's name at s must be listed wherever it is inlined. */
static inline int bi_ix_listed(const bi_ix_build *b, const char *s)
{
	size_t off = (size_t)((const unsigned char *)s - (b->t->tab.p + b->t->names));

	if (b->want == NULL)
		return 1;
	return (b->listed[off / 8] >> (off % 8)) & 1;
}

/* Records that fn id has code at a line: id << 32 | biased offset. */
int bi_ix_push(bi_ix_build *b, uint64_t pair);

/* Flags a fn and gives it the first file seen. */
void bi_ix_note(bi_ix_build *b, uint32_t id, const char *file, unsigned flag);

/* Grows an array to hold one more of n records of size bytes. */
int bi_ix_grow(void **p, size_t *cap, size_t n, size_t size);

/* Room for t's functions; the tables made from a build's records. */
int bi_ix_presize(bi_ix_build *b, const bi_pcln *t, bi_pcln_err *err);
int bi_ix_finish(bi_ix_build *b);

#endif
