/* bi_pcln_func.c — one function of Go's function table: its _func record
 * (runtime/runtime2.go), its pc-value tables (runtime/symtab.go: pcvalue,
 * step, readvarint) and its inline tree (runtime/symtabinl.go), merged
 * into spans of code that have one line, one file and one frame.
 * Every offset read from the table is checked against the buffer before
 * use.
 */
#include <string.h>

#include "bi_pcln_int.h"

/* internal/abi: PCDATA_InlTreeIndex, FUNCDATA_InlTree */
#define PCDATA_INLTREE   2
#define FUNCDATA_INLTREE 3

/* runtime.inlinedCall: Go 1.20 keeps {funcID, _[3], nameOff, parentPc,
 * startLine}; Go 1.18/1.19 {parent, funcID, _, file, line, func_,
 * parentPc}. */
#define INL_SIZE_120 16
#define INL_SIZE_118 20

static uint32_t bi_pcln_u32(const bi_pcln *t, size_t at)
{
	return bi_u32(t->tab.p + at, t->be);
}

/* The record's arrays: npcdata pcdata offsets, then nfuncdata funcdata
 * offsets (nfuncdata is the record's last byte). */
static uint64_t bi_pcln_arrays(const bi_pcln *t, size_t rec)
{
	uint64_t npcdata = bi_pcln_u32(t, rec + 28);
	uint64_t nfuncdata = t->tab.p[rec + t->func_size - 1];

	return 4 * (npcdata + nfuncdata);
}

int bi_pcln_func_rec(const bi_pcln *t, size_t i, size_t *rec, bi_pcln_err *err)
{
	uint64_t r;

	if (i >= t->nfunc)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "no function %zu", i);
	/* The header check left room for nfunc entries and the end pc. */
	r = (uint64_t)t->ftab + bi_pcln_u32(t, t->ftab + 8 * i + 4);
	if (r > t->tab.n || t->tab.n - r < t->func_size ||
	    bi_pcln_arrays(t, (size_t)r) > t->tab.n - r - t->func_size)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "function %zu: record out of bounds",
		                    i);
	*rec = (size_t)r;
	return BI_PCLN_OK;
}

int bi_pcln_func_end(const bi_pcln *t, size_t i, uint64_t *end)
{
	size_t rec;

	if (bi_pcln_func_rec(t, i, &rec, NULL) != BI_PCLN_OK)
		return -1;
	*end = rec - t->ftab + t->func_size + bi_pcln_arrays(t, rec);
	return 0;
}

/* pcdata[idx] of the record: an offset into pctab, 0 when absent. */
static uint32_t bi_pcln_pcdata(const bi_pcln *t, size_t rec, unsigned idx)
{
	if (idx >= bi_pcln_u32(t, rec + 28))
		return 0;
	return bi_pcln_u32(t, rec + t->func_size + 4 * idx);
}

int bi_pcln_inltree(const bi_pcln *t, size_t i, uint32_t *off)
{
	size_t rec;
	uint32_t npcdata;

	if (bi_pcln_func_rec(t, i, &rec, NULL) != BI_PCLN_OK)
		return -1;
	npcdata = bi_pcln_u32(t, rec + 28);
	if (t->tab.p[rec + t->func_size - 1] <= FUNCDATA_INLTREE)
		return 0;
	*off = bi_pcln_u32(t, rec + t->func_size + 4 * ((size_t)npcdata + FUNCDATA_INLTREE));
	return *off != UINT32_MAX;
}

/* A NUL-terminated name at off in funcnametab. */
static int bi_pcln_name(const bi_pcln *t, uint32_t off, const char **s, size_t *len)
{
	const unsigned char *p, *nul;

	if (off >= t->names_end - t->names)
		return -1;
	p = t->tab.p + t->names + off;
	nul = memchr(p, 0, t->names_end - t->names - off);
	if (nul == NULL)
		return -1;
	*s = (const char *)p;
	*len = (size_t)(nul - p);
	return 0;
}

int bi_pcln_func_at(const bi_pcln *t, size_t i, bi_pcln_func *f, bi_pcln_err *err)
{
	size_t rec;
	int rc = bi_pcln_func_rec(t, i, &rec, err);

	if (rc != BI_PCLN_OK)
		return rc;
	memset(f, 0, sizeof(*f));
	if (bi_pcln_name(t, bi_pcln_u32(t, rec + 4), &f->name, &f->name_len) != 0)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "function %zu: name out of bounds", i);
	f->entry = bi_pcln_u32(t, t->ftab + 8 * i) + (t->have_text ? t->text : 0);
	f->start_line = t->layout == 120 ? (int32_t)bi_pcln_u32(t, rec + 36) : 0;
	f->func_id = t->tab.p[rec + (t->layout == 120 ? 40 : 36)];
	return BI_PCLN_OK;
}

/* ---- pc-value tables --------------------------------------------------- */

/* One table being decoded: the run [start, end) has value val. A table
 * that is absent or has ended gives -1 up to the end of address space. */
typedef struct bi_pcv {
	const unsigned char *p, *lim;
	uint64_t start, end;
	int32_t val;
	unsigned quantum;
	int first, over;
} bi_pcv;

static int bi_pcv_init(bi_pcv *v, const bi_pcln *t, uint32_t off)
{
	memset(v, 0, sizeof(*v));
	v->val = -1;
	v->first = 1;
	v->quantum = t->quantum;
	if (off == 0) {
		v->over = 1;
		v->end = UINT64_MAX;
		return 0;
	}
	if (off >= t->pc_end - t->pc)
		return -1;
	v->p = t->tab.p + t->pc + off;
	v->lim = t->tab.p + t->pc_end;
	return 0;
}

/* runtime.readvarint, limited to the five bytes a uint32 takes. */
static int bi_pcv_varint(bi_pcv *v, uint32_t *out)
{
	uint32_t x = 0;

	for (unsigned shift = 0; shift < 35; shift += 7) {
		if (v->p >= v->lim)
			return -1;
		x |= (uint32_t)(*v->p & 0x7f) << shift;
		if (!(*v->p++ & 0x80)) {
			*out = x;
			return 0;
		}
	}
	return -1;
}

/* runtime.step: the next run, or the end of the table; -1 when the table
 * is malformed or runs off the end of pctab. */
static int bi_pcv_next(bi_pcv *v)
{
	uint32_t uvdelta, pcdelta;

	if (v->over)
		return 0;
	if (v->p >= v->lim)
		return -1;
	if (*v->p == 0 && !v->first) {
		v->over = 1;
		v->start = v->end;
		v->end = UINT64_MAX;
		v->val = -1;
		return 0;
	}
	if (bi_pcv_varint(v, &uvdelta) != 0 || bi_pcv_varint(v, &pcdelta) != 0)
		return -1;
	v->val = (int32_t)((uint32_t)v->val + (-(uvdelta & 1) ^ (uvdelta >> 1)));
	v->start = v->end;
	v->end += (uint32_t)(pcdelta * v->quantum);
	v->first = 0;
	return 1;
}

/* Advances v until its run ends after pc. */
static int bi_pcv_seek(bi_pcv *v, uint64_t pc)
{
	while (v->end <= pc && !v->over) {
		if (bi_pcv_next(v) < 0)
			return -1;
	}
	return 0;
}

/* ---- spans ----------------------------------------------------------------- */

/* A walk of one function, with the frame and file its last span had:
 * spans in a row mostly share both. */
typedef struct bi_pcln_walk {
	const bi_pcln *t;
	size_t rec;
	bi_pcln_func host;
	int has_tree;
	uint32_t tree; /* offset of the inline tree in fd */
	int32_t last_inl, last_fileno;
	bi_pcln_span last; /* its name, start_line, file */
} bi_pcln_walk;

/* The frame of inline-tree entry idx (runtime.inlinedCall). */
static int bi_pcln_frame(bi_pcln_walk *w, int32_t idx, bi_pcln_span *s)
{
	const bi_pcln *t = w->t;
	size_t esz = t->layout == 120 ? INL_SIZE_120 : INL_SIZE_118;
	const unsigned char *e;

	if (idx == w->last_inl && idx >= 0) {
		s->name = w->last.name;
		s->name_len = w->last.name_len;
		s->start_line = w->last.start_line;
		return 0;
	}
	if (idx < 0) {
		s->name = w->host.name;
		s->name_len = w->host.name_len;
		s->start_line = w->host.start_line;
		return 0;
	}
	if (!w->has_tree || w->tree > t->fd.n || (uint64_t)idx >= (t->fd.n - w->tree) / esz)
		return -1;
	e = t->fd.p + w->tree + (size_t)idx * esz;
	if (bi_pcln_name(t, bi_u32(e + (t->layout == 120 ? 4 : 12), t->be), &s->name,
	                 &s->name_len) != 0)
		return -1;
	s->start_line = t->layout == 120 ? (int32_t)bi_u32(e + 12, t->be) : 0;
	w->last_inl = idx;
	w->last.name = s->name;
	w->last.name_len = s->name_len;
	w->last.start_line = s->start_line;
	return 0;
}

/* runtime.funcfile: the file index through the function's compilation
 * unit (cutab) into filetab. Files are a nicety: a bad index gives none. */
static void bi_pcln_file(bi_pcln_walk *w, int32_t fileno, bi_pcln_span *s)
{
	const bi_pcln *t = w->t;
	uint32_t cu = bi_pcln_u32(t, w->rec + 32), off;
	uint64_t idx = (uint64_t)cu + (uint32_t)fileno;
	const unsigned char *p, *nul;

	if (fileno == w->last_fileno) {
		s->file = w->last.file;
		s->file_len = w->last.file_len;
		return;
	}
	s->file = NULL;
	s->file_len = 0;
	w->last_fileno = fileno;
	if (fileno >= 0 && cu != UINT32_MAX && idx < (t->cu_end - t->cu) / 4) {
		off = bi_pcln_u32(t, t->cu + 4 * (size_t)idx);
		p = t->tab.p + t->files + off;
		nul = off < t->files_end - t->files ? memchr(p, 0, t->files_end - t->files - off)
		                                    : NULL;
		if (nul != NULL) {
			s->file = (const char *)p;
			s->file_len = (size_t)(nul - p);
		}
	}
	w->last.file = s->file;
	w->last.file_len = s->file_len;
}

static int bi_pcln_walk_init(bi_pcln_walk *w, const bi_pcln *t, size_t i, bi_pcv v[3],
                             bi_pcln_err *err)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->t = t;
	w->last_inl = w->last_fileno = INT32_MIN;
	rc = bi_pcln_func_rec(t, i, &w->rec, err);
	if (rc == BI_PCLN_OK)
		rc = bi_pcln_func_at(t, i, &w->host, err);
	if (rc != BI_PCLN_OK)
		return rc;
	w->has_tree = bi_pcln_inltree(t, i, &w->tree) == 1 && t->fd.p != NULL;
	if (bi_pcv_init(&v[0], t, bi_pcln_u32(t, w->rec + 24)) != 0 ||
	    bi_pcv_init(&v[1], t, bi_pcln_u32(t, w->rec + 20)) != 0 ||
	    bi_pcv_init(&v[2], t, bi_pcln_pcdata(t, w->rec, PCDATA_INLTREE)) != 0)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "%s: pc table out of bounds",
		                    w->host.name);
	/* An inline index table without the tree it indexes. */
	if (!v[2].over && !w->has_tree)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "%s: inline tree unreadable%s",
		                    w->host.name, t->fd.p ? "" : " (go:func.* not found)");
	return BI_PCLN_OK;
}

int bi_pcln_func_file(const bi_pcln *t, size_t i, const char **file, size_t *len, bi_pcln_err *err)
{
	bi_pcln_walk w;
	bi_pcln_span s;
	bi_pcv v;
	int rc;

	*file = NULL;
	*len = 0;
	memset(&w, 0, sizeof(w));
	w.t = t;
	w.last_inl = w.last_fileno = INT32_MIN;
	rc = bi_pcln_func_rec(t, i, &w.rec, err);
	if (rc != BI_PCLN_OK)
		return rc;
	if (bi_pcv_init(&v, t, bi_pcln_u32(t, w.rec + 20)) != 0 || bi_pcv_next(&v) < 0)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "function %zu: file table malformed",
		                    i);
	bi_pcln_file(&w, v.val, &s);
	*file = s.file;
	*len = s.file_len;
	return BI_PCLN_OK;
}

/* The entries 0..max of the inline tree, max being the largest index the
 * inline-index table uses: each entry is a call some pc sits in (a
 * nested call's parent holds at least the inline mark at parentPc). */
int bi_pcln_func_inlined(const bi_pcln *t, size_t i, bi_pcln_inl_fn *fn, void *ctx,
                         bi_pcln_err *err)
{
	bi_pcln_walk w;
	bi_pcv v[3];
	int32_t max = -1;
	int rc = bi_pcln_walk_init(&w, t, i, v, err);

	if (rc != BI_PCLN_OK || v[2].over)
		return rc;
	while ((rc = bi_pcv_next(&v[2])) > 0) {
		if (v[2].val > max)
			max = v[2].val;
	}
	if (rc < 0)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "%s: inline index table malformed",
		                    w.host.name);
	for (int32_t k = 0; k <= max; k++) {
		size_t esz = t->layout == 120 ? INL_SIZE_120 : INL_SIZE_118;
		bi_pcln_inlined c = {k, NULL, 0, 0, 0};
		bi_pcln_span s;

		/* bi_pcln_frame checked that entry k lies inside fd. */
		if (bi_pcln_frame(&w, k, &s) != 0)
			return bi_pcln_fail(err, BI_PCLN_E_CORRUPT,
			                    "%s: inline tree entry %d malformed", w.host.name, k);
		c.name = s.name;
		c.name_len = s.name_len;
		c.start_line = s.start_line;
		c.parent_pc = bi_u32(
		    t->fd.p + w.tree + (size_t)k * esz + (esz == INL_SIZE_120 ? 8 : 16), t->be);
		if ((rc = fn(ctx, &c)) != 0)
			return rc;
	}
	return BI_PCLN_OK;
}

/* The runs of the line, file and inline-index tables merged: a span ends
 * wherever any of the three changes. The line table decides the extent. */
int bi_pcln_func_spans(const bi_pcln *t, size_t i, bi_pcln_span_fn *fn, void *ctx, bi_pcln_err *err)
{
	bi_pcln_walk w;
	bi_pcv v[3];
	uint64_t pc = 0;
	int rc = bi_pcln_walk_init(&w, t, i, v, err);

	if (rc != BI_PCLN_OK || v[0].over)
		return rc;
	for (;;) {
		bi_pcln_span s;
		uint64_t end;

		if (bi_pcv_seek(&v[0], pc) || bi_pcv_seek(&v[1], pc) || bi_pcv_seek(&v[2], pc))
			return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "%s: pc table malformed",
			                    w.host.name);
		if (v[0].over)
			return BI_PCLN_OK;
		end = v[0].end < v[1].end ? v[0].end : v[1].end;
		end = v[2].end < end ? v[2].end : end;
		memset(&s, 0, sizeof(s));
		s.pc_start = pc;
		s.pc_end = end;
		s.line = v[0].val;
		s.inl = v[2].val < 0 ? -1 : v[2].val;
		if (bi_pcln_frame(&w, s.inl, &s) != 0)
			return bi_pcln_fail(err, BI_PCLN_E_CORRUPT,
			                    "%s: inline tree entry %d malformed", w.host.name,
			                    s.inl);
		bi_pcln_file(&w, v[1].val, &s);
		if ((rc = fn(ctx, &s)) != 0)
			return rc;
		pc = end;
	}
}
