/* bi_pcln_index.c — the function table boiled down to what a profile can
 * be matched against: for every function name (the full symbol name, as
 * profiles record it since Go 1.21: runtime/pprof takes
 * runtime_FrameSymbolName, and the compiler matches linker names) its
 * start line and the lines that hold its own code, wherever it is: in its
 * own body and in every body it was inlined into, and the calls inlined
 * into it. bi_pcln_build.c fills it; a lookup is one hash probe and a
 * binary search.
 */
#include <stdlib.h>
#include <string.h>

#include "bi_pcln_ix.h"

static uint64_t ix_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ? h : 1;
}

static int ix_map_grow(bi_ix_map *m, size_t want)
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
static size_t ix_map_slot(const bi_ix_map *m, uint64_t key, int (*same)(const void *, uint32_t),
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

static int ix_new_fn(bi_ix_build *b, const char *s, size_t n, size_t slot, int32_t start_line,
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
	if (bi_ix_wanted(b, s))
		f->flags = BI_PCLN_LINES;
	ix->by_name.key[slot] = ix_hash(s, n);
	ix->by_name.val[slot] = (uint32_t)++ix->nfns;
	ix->by_name.n++;
	*id = (uint32_t)(ix->nfns - 1);
	return 0;
}

/* The fn of a name, created (with this start line) when new. */
static int ix_fn_of(bi_ix_build *b, const char *s, size_t n, int32_t start_line, uint32_t *id)
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
int bi_ix_fn_at(bi_ix_build *b, const char *raw, size_t len, int32_t start_line, uint32_t *id)
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

/* ---- records ------------------------------------------------------------- */

int bi_ix_push(bi_ix_build *b, uint64_t pair)
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
void bi_ix_note(bi_ix_build *b, uint32_t id, const char *file, unsigned flag)
{
	bi_pcln_fn *f = &b->ix->fns[id];

	f->flags |= flag;
	if (f->file == NULL)
		f->file = file;
}

int bi_ix_grow(void **p, size_t *cap, size_t n, size_t size)
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

static int ix_cmp_triple(const void *x, const void *y)
{
	const bi_ix_triple *a = x, *b = y;

	if (a->caller != b->caller)
		return a->caller < b->caller ? -1 : 1;
	if (a->callee != b->callee)
		return a->callee < b->callee ? -1 : 1;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* The inlined calls, grouped by caller: each fn's sites. */
static int ix_finish_sites(bi_ix_build *b)
{
	bi_pcln_index *ix = b->ix;
	size_t n = 0;

	if (b->ntriples > 1)
		qsort(b->triples, b->ntriples, sizeof(*b->triples), ix_cmp_triple);
	ix->sites = malloc((b->ntriples ? b->ntriples : 1) * sizeof(*ix->sites));
	if (ix->sites == NULL)
		return -1;
	for (size_t i = 0; i < b->ntriples; i++) {
		const bi_ix_triple *x = &b->triples[i];
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

int bi_ix_finish(bi_ix_build *b)
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

/* Room for the functions and a fourth more inlined-only ones, so that the
 * tables are not grown (and their memory touched twice) on the way. */
int bi_ix_presize(bi_ix_build *b, const bi_pcln *t, bi_pcln_err *err)
{
	size_t n = (size_t)t->nfunc + (size_t)t->nfunc / 4 + 16;

	b->ix->fns = malloc(n * sizeof(*b->ix->fns));
	if (b->ix->fns == NULL || ix_map_grow(&b->ix->by_name, 2 * n) != 0 ||
	    ix_map_grow(&b->by_ptr, 2 * n) != 0)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	b->ix->capfns = n;
	return BI_PCLN_OK;
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
