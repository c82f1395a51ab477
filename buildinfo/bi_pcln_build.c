/* bi_pcln_build.c — building the index of bi_pcln_index.c: one walk over
 * the function table, asking once per name whether its lines are wanted,
 * walking only the bodies that hold a wanted name (their own or inlined),
 * and taking from each span its frame's line and the calls inlined there.
 */
#include <stdlib.h>
#include <string.h>

#include "bi_pcln_ix.h"

static int ix_same_file(const bi_pcln_span *a, const bi_pcln_span *b)
{
	return a->file == b->file || (a->file && b->file && a->file_len == b->file_len &&
	                              memcmp(a->file, b->file, a->file_len) == 0);
}

/* The calls inlined at the pcs of span s: its frame is their caller, its
 * line their call's line (the instruction at parentPc has the call site's
 * position: runtime/symtabinl.go's inlineUnwinder relies on it). */
/* The fn of span s's frame, known since ix_host and ix_inlined_note. */
static int ix_frame_id(bi_ix_build *b, const bi_pcln_span *s, uint32_t *id)
{
	size_t k = (size_t)((int64_t)s->inl + 1);

	if (k < b->nframes && b->frames[k] != UINT32_MAX) {
		*id = b->frames[k];
		return 0;
	}
	return bi_ix_fn_at(b, s->name, s->name_len, s->start_line, id);
}

static int ix_sites(bi_ix_build *b, const bi_pcln_span *s)
{
	uint32_t caller;

	while (b->next_call < b->ncalls && b->calls[b->next_call].pc < s->pc_start)
		b->next_call++;
	for (; b->next_call < b->ncalls && b->calls[b->next_call].pc < s->pc_end; b->next_call++) {
		if (!bi_ix_wanted(b, s->name))
			continue;
		if (ix_frame_id(b, s, &caller) != 0 ||
		    bi_ix_grow((void **)&b->triples, &b->captriples, b->ntriples,
		               sizeof(*b->triples)) != 0)
			return -1;
		b->triples[b->ntriples++] =
		    (bi_ix_triple){caller, b->calls[b->next_call].callee,
		                   (int32_t)((uint32_t)s->line - (uint32_t)s->start_line)};
	}
	return 0;
}

static int ix_span(void *ctx, const bi_pcln_span *span)
{
	bi_ix_build *b = ctx;
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
	if (!bi_ix_wanted(b, s->name))
		return 0;
	if (ix_frame_id(b, s, &id) != 0)
		goto nomem;
	bi_ix_note(b, id, s->file, s->inl < 0 ? BI_PCLN_HOST : BI_PCLN_INLINED);
	off = ((uint32_t)s->line - (uint32_t)s->start_line) ^ 0x80000000u;
	if (bi_ix_push(b, (uint64_t)id << 32 | off) != 0)
		goto nomem;
	return 0;
nomem:
	b->failed = 1;
	return -1;
}

/* An inline-tree entry of a host whose own lines are not wanted: when its
 * lines are, the walk stops and the host's spans are walked after all;
 * when it is only to be listed, it is. Other entries are not even looked
 * up: that was most of an index build. */
static int ix_inlined(void *ctx, const bi_pcln_inlined *c)
{
	bi_ix_build *b = ctx;
	uint32_t id;

	b->hit = bi_ix_wanted(b, c->name);
	if (b->hit)
		return -1;
	if (!bi_ix_listed(b, c->name))
		return 0;
	if (bi_ix_fn_at(b, c->name, c->name_len, c->start_line, &id) != 0) {
		b->failed = 1;
		return -1;
	}
	bi_ix_note(b, id, NULL, BI_PCLN_INLINED);
	return 0;
}

/* An inline-tree entry of a host being walked, when wanted: listed even if
 * none of its code is left (an inlined call whose instructions all went
 * away), and kept with its parent pc for ix_sites. The others are left
 * out: looking them all up was a third of a build. */
static int ix_inlined_note(void *ctx, const bi_pcln_inlined *c)
{
	bi_ix_build *b = ctx;
	uint32_t id = UINT32_MAX;

	while (b->nframes <= (size_t)c->idx + 1) {
		if (bi_ix_grow((void **)&b->frames, &b->capframes, b->nframes,
		               sizeof(*b->frames)) != 0)
			goto nomem;
		b->frames[b->nframes++] = UINT32_MAX;
	}
	if (!bi_ix_listed(b, c->name))
		return 0;
	if (bi_ix_fn_at(b, c->name, c->name_len, c->start_line, &id) != 0 ||
	    bi_ix_grow((void **)&b->calls, &b->capcalls, b->ncalls, sizeof(*b->calls)) != 0)
		goto nomem;
	bi_ix_note(b, id, NULL, BI_PCLN_INLINED);
	b->calls[b->ncalls++] = (bi_ix_call){c->parent_pc, id};
	b->frames[c->idx + 1] = id;
	return 0;
nomem:
	b->failed = 1;
	return -1;
}

/* Marks the start of every wanted name in funcnametab, asking want once
 * per name. */
static int ix_mark_wanted(bi_ix_build *b)
{
	const unsigned char *p = b->t->tab.p + b->t->names;
	size_t n = b->t->names_end - b->t->names;

	if (b->want == NULL)
		return 0;
	b->wanted = calloc(n / 8 + 1, 1);
	b->listed = calloc(n / 8 + 1, 1);
	if (b->wanted == NULL || b->listed == NULL)
		return -1;
	for (size_t at = 0; at < n;) {
		const unsigned char *nul = memchr(p + at, 0, n - at);
		size_t len = nul ? (size_t)(nul - (p + at)) : n - at;

		int want = b->want(b->want_ctx, (const char *)p + at, len);

		if (want >= BI_PCLN_WANT_LINES)
			b->wanted[at / 8] |= (uint8_t)(1u << (at % 8));
		if (want >= BI_PCLN_WANT_LISTED)
			b->listed[at / 8] |= (uint8_t)(1u << (at % 8));
		at += len + 1;
	}
	return 0;
}

/* One function's pairs, sorted and made distinct where they were pushed:
 * its spans repeat lines, and the global sort is cheaper the fewer it
 * sees. */
static void ix_dedupe_tail(bi_ix_build *b, size_t from)
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
	const bi_ix_call *a = x, *b = y;

	return a->pc < b->pc ? -1 : a->pc > b->pc;
}

/* Notes host i (and its file) and says whether its spans must be walked:
 * when its own lines are wanted, or those of a function inlined into it. */
static int ix_host(bi_ix_build *b, const bi_pcln *t, size_t i, int *walk, bi_pcln_err *err)
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
	if (bi_ix_fn_at(b, f.name, f.name_len, f.start_line, &id) != 0)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	bi_ix_note(b, id, file, BI_PCLN_HOST);
	*walk = (b->ix->fns[id].flags & BI_PCLN_LINES) != 0;
	b->ncalls = b->next_call = b->nframes = 0;
	if (bi_ix_grow((void **)&b->frames, &b->capframes, 0, sizeof(*b->frames)) != 0)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	b->frames[b->nframes++] = id;
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
	/* In parent-pc order, for the walk in pc order (ix_sites); the tree
	 * is mostly in that order already. */
	for (size_t k = 1; k < b->ncalls && b->ncalls <= 64; k++) {
		bi_ix_call c = b->calls[k];
		size_t at = k;

		for (; at > 0 && b->calls[at - 1].pc > c.pc; at--)
			b->calls[at] = b->calls[at - 1];
		b->calls[at] = c;
	}
	if (b->ncalls > 64)
		qsort(b->calls, b->ncalls, sizeof(*b->calls), ix_cmp_call);
	return rc;
}

static int ix_walk(bi_ix_build *b, const bi_pcln *t, bi_pcln_err *err)
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

int bi_pcln_index_build(const bi_pcln *t, bi_pcln_want_fn *want, void *ctx, bi_pcln_index **out,
                        bi_pcln_err *err)
{
	bi_ix_build b;
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
	rc = bi_ix_presize(&b, t, err);
	if (rc == BI_PCLN_OK && ix_mark_wanted(&b) != 0)
		rc = bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	if (rc == BI_PCLN_OK)
		rc = ix_walk(&b, t, err);
	if (rc == BI_PCLN_OK && bi_ix_finish(&b) != 0)
		rc = bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	free(b.by_ptr.key);
	free(b.by_ptr.val);
	free(b.pairs);
	free(b.wanted);
	free(b.listed);
	free(b.calls);
	free(b.frames);
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
