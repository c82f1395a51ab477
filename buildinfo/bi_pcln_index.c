/* bi_pcln_index.c — the function table boiled down to what a profile can
 * be matched against: for every function name (the full symbol name, as
 * profiles record it since Go 1.21: runtime/pprof takes
 * runtime_FrameSymbolName, and the compiler matches linker names) its
 * start line and the lines that hold its own code, wherever it is: in its
 * own body and in every body it was inlined into. Built in one pass over
 * the table's spans; lookups are one hash probe and a binary search.
 */
#include <stdlib.h>
#include <string.h>

#include "bi_pcln_int.h"

/* Open addressing: key → fn index + 1 (0: empty). */
typedef struct ix_map {
	uint64_t *key;
	uint32_t *val;
	size_t cap, n;
} ix_map;

struct bi_pcln_index {
	bi_pcln_fn *fns;
	size_t nfns, capfns;
	ix_map by_name; /* key: hash of the name */
	int32_t *offsets;
	bi_pcln_site *sites; /* grouped by caller, each group sorted */
	unsigned layout;
	bi_pcln *owned; /* the table the names point into, when the index owns it */
};

typedef struct ix_call {
	uint32_t pc, callee;
} ix_call;

typedef struct ix_triple {
	uint32_t caller, callee;
	int32_t offset;
} ix_triple;

/* What a build keeps beside the index. */
typedef struct ix_build {
	bi_pcln_index *ix;
	ix_map by_ptr;   /* key: address of a name in the table */
	uint64_t *pairs; /* fn << 32 | biased offset */
	size_t npairs, cappairs;
	const char *last;      /* the name looked up last, and its fn: spans in a */
	uint32_t last_id;      /* row mostly share their frame */
	bi_pcln_span prev;     /* the host's previous span, after the rule in ix_span */
	int failed;            /* out of memory inside a callback */
	int hit;               /* an inlined function whose lines are wanted was seen */
	bi_pcln_want_fn *want; /* NULL: every name */
	void *want_ctx;
	const bi_pcln *t;
	uint8_t *wanted; /* a bit per byte of funcnametab: a wanted name starts there */
	/* The calls inlined into the host being walked, by parent pc, and the
	 * next one a span has not reached yet. */
	ix_call *calls;
	size_t ncalls, capcalls, next_call;
	/* Every inlined call seen, with its caller: fns' sites. */
	ix_triple *triples;
	size_t ntriples, captriples;
} ix_build;

static uint64_t ix_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ? h : 1;
}

static int ix_map_grow(ix_map *m, size_t want)
{
	size_t cap = m->cap ? m->cap * 2 : 4096;

	while (cap < want)
		cap *= 2;
	uint64_t *key = calloc(cap, sizeof(*key));
	uint32_t *val = calloc(cap, sizeof(*val));

	if (key == NULL || val == NULL) {
		free(key);
		free(val);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (m->val[i] == 0)
			continue;
		for (j = m->key[i] & (cap - 1); val[j] != 0; j = (j + 1) & (cap - 1))
			;
		key[j] = m->key[i];
		val[j] = m->val[i];
	}
	free(m->key);
	free(m->val);
	m->key = key;
	m->val = val;
	m->cap = cap;
	return 0;
}

/* The slot for key: its value, or where it would go (val 0). */
static size_t ix_map_slot(const ix_map *m, uint64_t key, int (*same)(const void *, uint32_t),
                          const void *ctx)
{
	size_t j = key & (m->cap - 1);

	while (m->val[j] != 0 && !(m->key[j] == key && (same == NULL || same(ctx, m->val[j] - 1))))
		j = (j + 1) & (m->cap - 1);
	return j;
}

/* ---- names --------------------------------------------------------------- */

typedef struct ix_key {
	const bi_pcln_index *ix;
	const char *s;
	size_t n;
} ix_key;

static int ix_same_name(const void *ctx, uint32_t i)
{
	const ix_key *k = ctx;
	const bi_pcln_fn *f = &k->ix->fns[i];

	return f->name_len == k->n && memcmp(f->name, k->s, k->n) == 0;
}

/* Whether the lines of the table's name at s are wanted. */
static int ix_wanted(const ix_build *b, const char *s)
{
	size_t off = (size_t)((const unsigned char *)s - (b->t->tab.p + b->t->names));

	if (b->want == NULL)
		return 1;
	return (b->wanted[off / 8] >> (off % 8)) & 1;
}

static int ix_new_fn(ix_build *b, const char *s, size_t n, size_t slot, int32_t start_line,
                     uint32_t *id)
{
	bi_pcln_index *ix = b->ix;
	bi_pcln_fn *f;

	if (ix->nfns == ix->capfns) {
		size_t cap = ix->capfns ? ix->capfns * 2 : 4096;

		f = realloc(ix->fns, cap * sizeof(*f));
		if (f == NULL)
			return -1;
		ix->fns = f;
		ix->capfns = cap;
	}
	f = &ix->fns[ix->nfns];
	memset(f, 0, sizeof(*f));
	f->name = s;
	f->name_len = n;
	f->start_line = start_line;
	if (ix_wanted(b, s))
		f->flags = BI_PCLN_LINES;
	ix->by_name.key[slot] = ix_hash(s, n);
	ix->by_name.val[slot] = (uint32_t)++ix->nfns;
	ix->by_name.n++;
	*id = (uint32_t)(ix->nfns - 1);
	return 0;
}

/* The fn of a name, created (with this start line) when new. */
static int ix_fn_of(ix_build *b, const char *s, size_t n, int32_t start_line, uint32_t *id)
{
	bi_pcln_index *ix = b->ix;
	ix_key k = {ix, s, n};
	size_t slot;

	if ((ix->by_name.n + 1) * 2 > ix->by_name.cap && ix_map_grow(&ix->by_name, 0) != 0)
		return -1;
	slot = ix_map_slot(&ix->by_name, ix_hash(s, n), ix_same_name, &k);
	if (ix->by_name.val[slot] != 0) {
		*id = ix->by_name.val[slot] - 1;
		return 0;
	}
	return ix_new_fn(b, s, n, slot, start_line, id);
}

/* The fn of a name in the table; the table's names are unique by address,
 * so that is what is cached. */
static int ix_fn_at(ix_build *b, const char *raw, size_t len, int32_t start_line, uint32_t *id)
{
	uint64_t key = (uint64_t)(uintptr_t)raw;
	size_t slot;

	if (raw == b->last) {
		*id = b->last_id;
		return 0;
	}
	if ((b->by_ptr.n + 1) * 2 > b->by_ptr.cap && ix_map_grow(&b->by_ptr, 0) != 0)
		return -1;
	slot = ix_map_slot(&b->by_ptr, key, NULL, NULL);
	if (b->by_ptr.val[slot] != 0) {
		*id = b->last_id = b->by_ptr.val[slot] - 1;
		b->last = raw;
		return 0;
	}
	if (ix_fn_of(b, raw, len, start_line, id) != 0)
		return -1;
	b->by_ptr.key[slot] = key;
	b->by_ptr.val[slot] = *id + 1;
	b->by_ptr.n++;
	b->last = raw;
	b->last_id = *id;
	return 0;
}

/* ---- building ------------------------------------------------------------ */

static int ix_push(ix_build *b, uint64_t pair)
{
	if (b->npairs > 0 && b->pairs[b->npairs - 1] == pair)
		return 0;
	if (b->npairs == b->cappairs) {
		size_t cap = b->cappairs ? b->cappairs * 2 : 65536;
		uint64_t *p = realloc(b->pairs, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		b->pairs = p;
		b->cappairs = cap;
	}
	b->pairs[b->npairs++] = pair;
	return 0;
}

/* Flags a fn and gives it the first file seen. */
static void ix_note(ix_build *b, uint32_t id, const char *file, unsigned flag)
{
	bi_pcln_fn *f = &b->ix->fns[id];

	f->flags |= flag;
	if (f->file == NULL)
		f->file = file;
}

static int ix_same_file(const bi_pcln_span *a, const bi_pcln_span *b)
{
	return a->file == b->file || (a->file && b->file && a->file_len == b->file_len &&
	                              memcmp(a->file, b->file, a->file_len) == 0);
}

static int ix_grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap * 2 : 256;
	void *q;

	if (n < *cap)
		return 0;
	q = realloc(*p, c * size);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* The calls inlined at the pcs of span s: its frame is their caller, its
 * line their call's line (the instruction at parentPc has the call site's
 * position: runtime/symtabinl.go's inlineUnwinder relies on it). */
static int ix_sites(ix_build *b, const bi_pcln_span *s)
{
	uint32_t caller;

	while (b->next_call < b->ncalls && b->calls[b->next_call].pc < s->pc_start)
		b->next_call++;
	for (; b->next_call < b->ncalls && b->calls[b->next_call].pc < s->pc_end; b->next_call++) {
		if (!ix_wanted(b, s->name))
			continue;
		if (ix_fn_at(b, s->name, s->name_len, s->start_line, &caller) != 0 ||
		    ix_grow((void **)&b->triples, &b->captriples, b->ntriples,
		            sizeof(*b->triples)) != 0)
			return -1;
		b->triples[b->ntriples++] =
		    (ix_triple){caller, b->calls[b->next_call].callee,
		                (int32_t)((uint32_t)s->line - (uint32_t)s->start_line)};
	}
	return 0;
}

static int ix_span(void *ctx, const bi_pcln_span *span)
{
	ix_build *b = ctx;
	bi_pcln_span cur = *span;
	const bi_pcln_span *s = &cur;
	uint32_t id, off;

	/* The inline index often returns to the host a few instructions before
	 * the position does: the inlined call's last line, in its file, right
	 * after it. Those instructions are the call's (DWARF's inlined ranges
	 * say so), not the host's: the host has no code at that line. */
	if (cur.inl < 0 && b->prev.inl >= 0 && cur.pc_start == b->prev.pc_end &&
	    cur.line == b->prev.line && ix_same_file(&cur, &b->prev)) {
		cur.inl = b->prev.inl;
		cur.name = b->prev.name;
		cur.name_len = b->prev.name_len;
		cur.start_line = b->prev.start_line;
	}
	b->prev = cur;
	if (ix_sites(b, s) != 0)
		goto nomem;
	/* ix_host and ix_inlined_note listed every frame of this body. */
	if (!ix_wanted(b, s->name))
		return 0;
	if (ix_fn_at(b, s->name, s->name_len, s->start_line, &id) != 0)
		goto nomem;
	ix_note(b, id, s->file, s->inl < 0 ? BI_PCLN_HOST : BI_PCLN_INLINED);
	off = ((uint32_t)s->line - (uint32_t)s->start_line) ^ 0x80000000u;
	if (ix_push(b, (uint64_t)id << 32 | off) != 0)
		goto nomem;
	return 0;
nomem:
	b->failed = 1;
	return -1;
}

/* An inline-tree entry of a host whose own lines are not wanted: when its
 * lines are, the walk stops and the host's spans are walked after all.
 * Other entries are not even looked up: that was most of an index build. */
static int ix_inlined(void *ctx, const bi_pcln_inlined *c)
{
	ix_build *b = ctx;

	b->hit = ix_wanted(b, c->name);
	return b->hit ? -1 : 0;
}

/* An inline-tree entry of a host being walked: listed even if none of its
 * code is left (an inlined call whose instructions all went away), and
 * kept with its parent pc for ix_sites. */
static int ix_inlined_note(void *ctx, const bi_pcln_inlined *c)
{
	ix_build *b = ctx;
	uint32_t id;

	if (ix_fn_at(b, c->name, c->name_len, c->start_line, &id) != 0 ||
	    ix_grow((void **)&b->calls, &b->capcalls, b->ncalls, sizeof(*b->calls)) != 0) {
		b->failed = 1;
		return -1;
	}
	ix_note(b, id, NULL, BI_PCLN_INLINED);
	b->calls[b->ncalls++] = (ix_call){c->parent_pc, id};
	return 0;
}

/* Marks the start of every wanted name in funcnametab, asking want once
 * per name. */
static int ix_mark_wanted(ix_build *b)
{
	const unsigned char *p = b->t->tab.p + b->t->names;
	size_t n = b->t->names_end - b->t->names;

	if (b->want == NULL)
		return 0;
	b->wanted = calloc(n / 8 + 1, 1);
	if (b->wanted == NULL)
		return -1;
	for (size_t at = 0; at < n;) {
		const unsigned char *nul = memchr(p + at, 0, n - at);
		size_t len = nul ? (size_t)(nul - (p + at)) : n - at;

		if (b->want(b->want_ctx, (const char *)p + at, len))
			b->wanted[at / 8] |= (uint8_t)(1u << (at % 8));
		at += len + 1;
	}
	return 0;
}

/* LSD radix sort, 11 bits a pass, skipping digits all keys share: the keys
 * are some hundred thousand fn/offset pairs, and qsort's comparisons were
 * most of an index build. */
#define IX_RADIX_BITS 11
#define IX_RADIX      ((size_t)1 << IX_RADIX_BITS)

static int ix_sort(uint64_t *a, size_t n)
{
	uint64_t *tmp = malloc((n ? n : 1) * sizeof(*tmp)), *src = a, *dst = tmp;
	size_t count[IX_RADIX];

	if (tmp == NULL)
		return -1;
	for (unsigned shift = 0; shift < 64; shift += IX_RADIX_BITS) {
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & (IX_RADIX - 1)]++;
		if (n == 0 || count[(src[0] >> shift) & (IX_RADIX - 1)] == n)
			continue;
		for (size_t d = 0; d < IX_RADIX; d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & (IX_RADIX - 1)]++] = src[i];
		src = dst;
		dst = src == a ? tmp : a;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(tmp);
	return 0;
}

/* One function's pairs, sorted and made distinct where they were pushed:
 * its spans repeat lines, and the global sort is cheaper the fewer it
 * sees. */
static void ix_dedupe_tail(ix_build *b, size_t from)
{
	uint64_t *a = b->pairs + from;
	size_t n = b->npairs - from, k = 0;

	/* Big functions are left to the global sort. */
	if (n > 64)
		return;
	for (size_t i = 1; i < n; i++) {
		uint64_t x = a[i];
		size_t j = i;

		while (j > 0 && a[j - 1] > x) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
	for (size_t i = 0; i < n; i++) {
		if (k == 0 || a[i] != a[k - 1])
			a[k++] = a[i];
	}
	b->npairs = from + k;
}

/* Sorted pairs become each fn's sorted, distinct offsets. */
static int ix_cmp_call(const void *x, const void *y)
{
	const ix_call *a = x, *b = y;

	return a->pc < b->pc ? -1 : a->pc > b->pc;
}

static int ix_cmp_triple(const void *x, const void *y)
{
	const ix_triple *a = x, *b = y;

	if (a->caller != b->caller)
		return a->caller < b->caller ? -1 : 1;
	if (a->callee != b->callee)
		return a->callee < b->callee ? -1 : 1;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* The inlined calls, grouped by caller: each fn's sites. */
static int ix_finish_sites(ix_build *b)
{
	bi_pcln_index *ix = b->ix;
	size_t n = 0;

	if (b->ntriples > 1)
		qsort(b->triples, b->ntriples, sizeof(*b->triples), ix_cmp_triple);
	ix->sites = malloc((b->ntriples ? b->ntriples : 1) * sizeof(*ix->sites));
	if (ix->sites == NULL)
		return -1;
	for (size_t i = 0; i < b->ntriples; i++) {
		const ix_triple *x = &b->triples[i];
		bi_pcln_fn *f = &ix->fns[x->caller];

		if (i > 0 && ix_cmp_triple(x, x - 1) == 0)
			continue;
		if (f->nsites == 0)
			f->sites = ix->sites + n;
		ix->sites[n++] = (bi_pcln_site){x->callee, x->offset};
		f->nsites++;
	}
	return 0;
}

static int ix_finish(ix_build *b)
{
	bi_pcln_index *ix = b->ix;
	size_t n = 0;

	if (ix_sort(b->pairs, b->npairs) != 0)
		return -1;
	ix->offsets = malloc((b->npairs ? b->npairs : 1) * sizeof(*ix->offsets));
	if (ix->offsets == NULL)
		return -1;
	for (size_t i = 0; i < b->npairs; i++) {
		uint32_t id = (uint32_t)(b->pairs[i] >> 32);
		bi_pcln_fn *f = &ix->fns[id];

		if (i > 0 && b->pairs[i] == b->pairs[i - 1])
			continue;
		if (f->noffsets == 0)
			f->offsets = ix->offsets + n;
		ix->offsets[n++] = (int32_t)((uint32_t)b->pairs[i] ^ 0x80000000u);
		f->noffsets++;
	}
	return ix_finish_sites(b);
}

/* Notes host i (and its file) and says whether its spans must be walked:
 * when its own lines are wanted, or those of a function inlined into it. */
static int ix_host(ix_build *b, const bi_pcln *t, size_t i, int *walk, bi_pcln_err *err)
{
	const char *file = NULL;
	size_t file_len = 0;
	bi_pcln_func f;
	uint32_t id;
	int rc = bi_pcln_func_at(t, i, &f, err);

	if (rc == BI_PCLN_OK)
		rc = bi_pcln_func_file(t, i, &file, &file_len, err);
	if (rc != BI_PCLN_OK)
		return rc;
	if (ix_fn_at(b, f.name, f.name_len, f.start_line, &id) != 0)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	ix_note(b, id, file, BI_PCLN_HOST);
	*walk = (b->ix->fns[id].flags & BI_PCLN_LINES) != 0;
	b->ncalls = b->next_call = 0;
	if (!*walk) {
		b->hit = 0;
		rc = bi_pcln_func_inlined(t, i, ix_inlined, b, err);
		*walk = b->hit;
		if (!b->hit)
			return rc;
	}
	rc = bi_pcln_func_inlined(t, i, ix_inlined_note, b, err);
	if (b->failed)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	/* In parent-pc order, for the walk in pc order (ix_sites). */
	if (b->ncalls > 1)
		qsort(b->calls, b->ncalls, sizeof(*b->calls), ix_cmp_call);
	return rc;
}

static int ix_walk(ix_build *b, const bi_pcln *t, bi_pcln_err *err)
{
	for (size_t i = 0; i < t->nfunc; i++) {
		size_t from = b->npairs;
		int walk, rc = ix_host(b, t, i, &walk, err);

		if (rc != BI_PCLN_OK)
			return rc;
		if (!walk)
			continue;
		b->prev.inl = -1;
		rc = bi_pcln_func_spans(t, i, ix_span, b, err);
		if (b->failed)
			return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
		if (rc != BI_PCLN_OK)
			return rc;
		ix_dedupe_tail(b, from);
	}
	return BI_PCLN_OK;
}

/* Room for the functions and a fourth more inlined-only ones, so that the
 * tables are not grown (and their memory touched twice) on the way. */
static int ix_presize(ix_build *b, const bi_pcln *t, bi_pcln_err *err)
{
	size_t n = (size_t)t->nfunc + (size_t)t->nfunc / 4 + 16;

	b->ix->fns = malloc(n * sizeof(*b->ix->fns));
	if (b->ix->fns == NULL || ix_map_grow(&b->ix->by_name, 2 * n) != 0 ||
	    ix_map_grow(&b->by_ptr, 2 * n) != 0)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	b->ix->capfns = n;
	return BI_PCLN_OK;
}

int bi_pcln_index_build(const bi_pcln *t, bi_pcln_want_fn *want, void *ctx, bi_pcln_index **out,
                        bi_pcln_err *err)
{
	ix_build b;
	int rc;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.want = want;
	b.want_ctx = ctx;
	b.t = t;
	b.ix = calloc(1, sizeof(*b.ix));
	if (b.ix == NULL)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	b.ix->layout = t->layout;
	rc = ix_presize(&b, t, err);
	if (rc == BI_PCLN_OK && ix_mark_wanted(&b) != 0)
		rc = bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	if (rc == BI_PCLN_OK)
		rc = ix_walk(&b, t, err);
	if (rc == BI_PCLN_OK && ix_finish(&b) != 0)
		rc = bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	free(b.by_ptr.key);
	free(b.by_ptr.val);
	free(b.pairs);
	free(b.wanted);
	free(b.calls);
	free(b.triples);
	if (rc != BI_PCLN_OK) {
		bi_pcln_index_free(b.ix);
		return rc;
	}
	*out = b.ix;
	return BI_PCLN_OK;
}

int bi_pcln_index_file(const char *path, bi_pcln_index **out, bi_pcln_err *err)
{
	bi_pcln *t = NULL;
	int rc;

	*out = NULL;
	rc = bi_pcln_open_file(path, &t, err);
	if (rc == BI_PCLN_OK)
		rc = bi_pcln_index_build(t, NULL, NULL, out, err);
	if (rc == BI_PCLN_OK)
		(*out)->owned = t;
	else
		bi_pcln_free(t);
	return rc;
}

void bi_pcln_index_free(bi_pcln_index *ix)
{
	if (ix == NULL)
		return;
	bi_pcln_free(ix->owned);
	free(ix->fns);
	free(ix->by_name.key);
	free(ix->by_name.val);
	free(ix->offsets);
	free(ix->sites);
	free(ix);
}

const bi_pcln_fn *bi_pcln_index_find(const bi_pcln_index *ix, const char *name, size_t len)
{
	ix_key k = {ix, name, len};
	size_t slot;

	if (ix->by_name.cap == 0)
		return NULL;
	slot = ix_map_slot(&ix->by_name, ix_hash(name, len), ix_same_name, &k);
	return ix->by_name.val[slot] ? &ix->fns[ix->by_name.val[slot] - 1] : NULL;
}

int bi_pcln_fn_has_offset(const bi_pcln_fn *f, int32_t off)
{
	size_t lo = 0, hi = f->noffsets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->offsets[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->noffsets && f->offsets[lo] == off;
}

int bi_pcln_inlined_at(const bi_pcln_index *ix, const bi_pcln_fn *caller, const bi_pcln_fn *callee,
                       int32_t off)
{
	uint32_t id = (uint32_t)(callee - ix->fns);
	int found = -1;

	for (size_t i = 0; i < caller->nsites; i++) {
		if (caller->sites[i].callee != id)
			continue;
		if (caller->sites[i].offset == off)
			return 1;
		found = 0;
	}
	return found;
}

size_t bi_pcln_index_count(const bi_pcln_index *ix)
{
	return ix->nfns;
}

const bi_pcln_fn *bi_pcln_index_at(const bi_pcln_index *ix, size_t i)
{
	return i < ix->nfns ? &ix->fns[i] : NULL;
}

unsigned bi_pcln_index_layout(const bi_pcln_index *ix)
{
	return ix->layout;
}
