/* bi_pclntab.c — opening Go's function table: finding it, reading it
 * (one bounded read), checking its header as runtime.moduledataverify1 and
 * debug/gosym do, and finding the funcdata base the inline trees hang off
 * (moduledata.gofunc). Walking the functions is bi_pcln_func.c's job.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bi_pcln_int.h"

/* internal/abi.PCLnTabMagic */
#define PCLN_MAGIC_GO12  0xfffffffbu
#define PCLN_MAGIC_GO116 0xfffffffau
#define PCLN_MAGIC_GO118 0xfffffff0u
#define PCLN_MAGIC_GO120 0xfffffff1u

/* runtime._func up to its pcdata: Go 1.20 added startLine. */
#define PCLN_FUNC_SIZE_118 40
#define PCLN_FUNC_SIZE_120 44

/* Words of runtime.moduledata (cmd/link/internal/ld/symtab.go writes them
 * in this order): the pcHeader pointer, the funcnametab, cutab, filetab,
 * pctab, pclntable and ftab slices, ..., text, ..., gofunc. Go 1.20 added
 * covctrs/ecovctrs before gofunc. */
#define MD_FUNCNAMETAB 1
#define MD_CUTAB       4
#define MD_FILETAB     7
#define MD_PCTAB       10
#define MD_PCLNTABLE   13
#define MD_FTAB        16
#define MD_FTAB_LEN    17
#define MD_TEXT        22
#define MD_GOFUNC_118  38
#define MD_GOFUNC_120  40
#define MD_WORDS       41

/* Small enough to stay in cache and cost few fresh pages. */
#define PCLN_SCAN_CHUNK ((size_t)64 << 10)

/* Tables bigger than this are refused rather than read: the toolchain's
 * largest binaries have tables of tens of MB. */
#define PCLN_MAX_READ ((uint64_t)1 << 31)

static uint64_t bi_pcln_word(const unsigned char *p, unsigned ptr, int be)
{
	return ptr == 8 ? bi_u64(p, be) : bi_u32(p, be);
}

/* Buffers of a few MB are mapped, and asked for huge pages: faulting a
 * table in 4 KiB pages cost more than reading it (20 ms against 2 ms for
 * the toolchain's compile, on a virtual machine). Where the kernel has no
 * transparent huge pages, the advice is ignored. */
#define PCLN_BIG ((size_t)1 << 20)

static void *bi_pcln_big_alloc(size_t n)
{
	void *p;

	if (n < PCLN_BIG)
		return malloc(n ? n : 1);
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

static void bi_pcln_big_free(bi_pcln_buf *b)
{
	if (b->p != NULL && b->n >= PCLN_BIG)
		munmap(b->p, b->n);
	else
		free(b->p);
	b->p = NULL;
	b->n = 0;
}

/* Reads [vaddr, vaddr + n) of region r into a new buffer. */
static int bi_pcln_load(const bi_pcln_obj *o, const bi_pcln_region *r, uint64_t vaddr, uint64_t n,
                        bi_pcln_buf *b, const char *what, bi_pcln_err *err)
{
	bi_error e; /* filled by bi_fail when a read fails */

	if (n > PCLN_MAX_READ)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "%s of %llu bytes: too large", what,
		                    (unsigned long long)n);
	b->p = bi_pcln_big_alloc((size_t)n);
	if (b->p == NULL)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	b->n = (size_t)n;
	if (bi_view_read(&o->view, b->p, b->n, r->off + (vaddr - r->vaddr), &e) != BI_OK)
		return bi_pcln_from_bi(err, &e, what);
	return BI_PCLN_OK;
}

/* ---- the header ----------------------------------------------------------- */

/* Byte order and layout from the magic, which reads differently in the
 * other order (internal/abi/symtab.go chose the values so). 0: unknown. */
static unsigned bi_pcln_magic(const unsigned char *p, int *be)
{
	for (int b = 0; b < 2; b++) {
		uint32_t m = bi_u32(p, b);

		*be = b;
		if (m == PCLN_MAGIC_GO120)
			return 120;
		if (m == PCLN_MAGIC_GO118)
			return 118;
		if (m == PCLN_MAGIC_GO116 || m == PCLN_MAGIC_GO12)
			return 1;
	}
	return 0;
}

/* runtime.pcHeader (n bytes at p), checked as a header found by scanning
 * must be: every part in order and inside the table's limit bytes. */
static int bi_pcln_header(bi_pcln *t, const unsigned char *p, size_t n, uint64_t limit,
                          bi_pcln_err *err)
{
	uint64_t off[5];
	unsigned ptr;

	t->layout = bi_pcln_magic(p, &t->be);
	if (t->layout == 0)
		return bi_pcln_fail(err, BI_PCLN_E_NOTABLE, "no Go function table (bad magic)");
	if (t->layout == 1)
		return bi_pcln_fail(err, BI_PCLN_E_VERSION,
		                    "a Go 1.2-1.17 function table: too old (Go 1.18 or later)");
	t->quantum = p[6];
	t->ptr = ptr = p[7];
	if (p[4] != 0 || p[5] != 0 || (ptr != 4 && ptr != 8) ||
	    (t->quantum != 1 && t->quantum != 2 && t->quantum != 4))
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "function table header malformed");
	if (n < 8 + 8 * (size_t)ptr)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "function table header truncated");
	t->nfunc = bi_pcln_word(p + 8, ptr, t->be);
	t->nfiles = bi_pcln_word(p + 8 + ptr, ptr, t->be);
	t->text = bi_pcln_word(p + 8 + 2 * ptr, ptr, t->be);
	t->have_text = t->text != 0;
	for (int i = 0; i < 5; i++) {
		off[i] = bi_pcln_word(p + 8 + (3 + i) * ptr, ptr, t->be);
		if (off[i] < 8 + 8 * (uint64_t)ptr || off[i] > limit ||
		    (i > 0 && off[i] < off[i - 1]))
			return bi_pcln_fail(err, BI_PCLN_E_CORRUPT,
			                    "function table header: part %d out of bounds", i);
	}
	t->names = (size_t)off[0], t->names_end = t->cu = (size_t)off[1];
	t->cu_end = t->files = (size_t)off[2], t->files_end = t->pc = (size_t)off[3];
	t->pc_end = t->ftab = (size_t)off[4];
	if (limit - off[4] < 4 || t->nfunc == 0 || t->nfunc > (limit - off[4] - 4) / 8)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "function table: bad function count");
	t->func_size = t->layout == 120 ? PCLN_FUNC_SIZE_120 : PCLN_FUNC_SIZE_118;
	return BI_PCLN_OK;
}

/* ---- finding the table by its header -------------------------------------- */

/* Whether the n bytes at p start a table header whose parts lie within
 * the limit bytes left in their region. */
static int bi_pcln_scan_hit(const unsigned char *p, size_t n, uint64_t limit)
{
	bi_pcln probe;

	memset(&probe, 0, sizeof(probe));
	return bi_pcln_magic(p, &probe.be) >= 118 && bi_pcln_header(&probe, p, n, limit, NULL) == 0;
}

/* Where neither a section nor symbols name it (a PE built with -s, an ELF
 * without section headers): the first plausible header in a read-only
 * region, as tools that read stripped binaries do. */
static int bi_pcln_scan_region(bi_pcln_obj *o, const bi_pcln_region *r, unsigned char *buf,
                               bi_pcln_err *err)
{
	for (uint64_t at = 0; at < r->size; at += PCLN_SCAN_CHUNK) {
		size_t n = r->size - at < PCLN_SCAN_CHUNK + 128 ? (size_t)(r->size - at)
		                                                : PCLN_SCAN_CHUNK + 128;
		bi_error e; /* filled by bi_fail when a read fails */

		if (bi_view_read(&o->view, buf, n, r->off + at, &e) != BI_OK)
			return bi_pcln_from_bi(err, &e, "a section");
		for (size_t i = 0; i + 8 + 64 <= n && i < PCLN_SCAN_CHUNK; i += 4) {
			if (buf[i + 1] != 0xff || buf[i + 2] != 0xff ||
			    !bi_pcln_scan_hit(buf + i, n - i, r->size - at - i))
				continue;
			o->have_table = 1;
			o->table_vaddr = r->vaddr + at + i;
			o->table_size = r->size - at - i;
			o->table_from = "header scan";
			return BI_PCLN_OK;
		}
	}
	return BI_PCLN_OK;
}

static int bi_pcln_scan(bi_pcln_obj *o, bi_pcln_err *err)
{
	unsigned char *buf = malloc(PCLN_SCAN_CHUNK + 128);
	int rc = BI_PCLN_OK;

	if (buf == NULL)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	for (size_t i = 0; i < o->nregions && !o->have_table && rc == BI_PCLN_OK; i++) {
		if (!(o->regions[i].flags & (BI_PCLN_R_NOBITS | BI_PCLN_R_WRITE)))
			rc = bi_pcln_scan_region(o, &o->regions[i], buf, err);
	}
	free(buf);
	return rc;
}

/* ---- the funcdata base ----------------------------------------------------- */

/* Whether the first inline-tree entries, read from fd, name functions: a
 * name offset at the start of a name and zero padding. Rules out a wrong
 * funcdata base, which would otherwise give garbage names quietly. */
static int bi_pcln_gofunc_ok(const bi_pcln *t)
{
	size_t esz = t->layout == 120 ? 16 : 20;
	int checked = 0;

	for (size_t i = 0; i < t->nfunc && checked < 32; i++) {
		uint32_t off, name;
		const unsigned char *e;

		if (bi_pcln_inltree(t, i, &off) != 1)
			continue;
		if (off > t->fd.n || t->fd.n - off < esz)
			return 0;
		e = t->fd.p + off;
		name = bi_u32(e + (t->layout == 120 ? 4 : 12), t->be);
		if (t->layout == 120 && (e[1] | e[2] | e[3]) != 0)
			return 0;
		if (name >= t->names_end - t->names ||
		    (name > 0 && t->tab.p[t->names + name - 1] != 0))
			return 0;
		checked++;
	}
	return 1;
}

static void bi_pcln_drop_fd(bi_pcln *t)
{
	if (t->fd_owned)
		bi_pcln_big_free(&t->fd);
	t->fd = (bi_pcln_buf){NULL, 0};
	t->fd_owned = 0;
}

/* The funcdata block from gofunc to the end of its region: inside the
 * table already read (Go 1.26), or read now (before, in .rodata). */
static int bi_pcln_try_gofunc(bi_pcln *t, uint64_t gofunc, const char *from, bi_pcln_err *err)
{
	const bi_pcln_region *r = bi_pcln_obj_region(&t->obj, gofunc);
	int rc = BI_PCLN_OK;

	if (gofunc >= t->tab_vaddr && gofunc - t->tab_vaddr < t->tab.n) {
		t->fd.p = t->tab.p + (gofunc - t->tab_vaddr);
		t->fd.n = t->tab.n - (size_t)(gofunc - t->tab_vaddr);
	} else if (r != NULL) {
		rc = bi_pcln_load(&t->obj, r, gofunc, r->size - (gofunc - r->vaddr), &t->fd,
		                  "funcdata", err);
		t->fd_owned = t->fd.p != NULL;
	} else {
		return BI_PCLN_OK;
	}
	if (rc != BI_PCLN_OK || bi_pcln_gofunc_ok(t)) {
		t->gofunc_from = rc == BI_PCLN_OK ? from : NULL;
		return rc;
	}
	bi_pcln_drop_fd(t);
	return BI_PCLN_OK;
}

/* Whether the words at w are runtime.firstmoduledata for this table: every
 * slice of it pointing where the header says. */
static int bi_pcln_is_moduledata(const bi_pcln *t, const unsigned char *w)
{
	const uint64_t base = t->tab_vaddr;
	const uint64_t want[][2] = {
	    {MD_FUNCNAMETAB, base + t->names}, {MD_CUTAB, base + t->cu},
	    {MD_FILETAB, base + t->files},     {MD_PCTAB, base + t->pc},
	    {MD_PCLNTABLE, base + t->ftab},    {MD_FTAB, base + t->ftab},
	    {MD_FTAB_LEN, t->nfunc + 1},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (bi_pcln_word(w + want[i][0] * t->ptr, t->ptr, t->be) != want[i][1])
			return 0;
	}
	return 1;
}

static int bi_pcln_moddata_region(bi_pcln *t, const bi_pcln_region *r, unsigned char *buf,
                                  uint64_t *gofunc, int *found, bi_pcln_err *err)
{
	const size_t need = MD_WORDS * t->ptr;

	for (uint64_t at = 0; at < r->size; at += PCLN_SCAN_CHUNK) {
		size_t n = r->size - at < PCLN_SCAN_CHUNK + need ? (size_t)(r->size - at)
		                                                 : PCLN_SCAN_CHUNK + need;
		bi_error e; /* filled by bi_fail when a read fails */

		if (bi_view_read(&t->obj.view, buf, n, r->off + at, &e) != BI_OK)
			return bi_pcln_from_bi(err, &e, "module data");
		for (size_t i = 0; i + need <= n && i < PCLN_SCAN_CHUNK; i += t->ptr) {
			if (bi_pcln_word(buf + i, t->ptr, t->be) != t->tab_vaddr ||
			    !bi_pcln_is_moduledata(t, buf + i))
				continue;
			*gofunc = bi_pcln_word(
			    buf + i + (t->layout == 120 ? MD_GOFUNC_120 : MD_GOFUNC_118) * t->ptr,
			    t->ptr, t->be);
			t->text = bi_pcln_word(buf + i + MD_TEXT * t->ptr, t->ptr, t->be);
			t->have_text = 1;
			*found = 1;
			return BI_PCLN_OK;
		}
	}
	return BI_PCLN_OK;
}

/* runtime.firstmoduledata points at the table's header: found by that
 * pointer in the module-data section (or any writable one), it gives
 * gofunc and text. The file holds the link-time addresses even in PIE and
 * PE images, whose loaders only add the load bias. */
static int bi_pcln_moduledata(bi_pcln *t, uint64_t *gofunc, int *found, bi_pcln_err *err)
{
	unsigned char *buf = malloc(PCLN_SCAN_CHUNK + MD_WORDS * 8);
	const bi_pcln_obj *o = &t->obj;
	int rc = BI_PCLN_OK;

	*found = 0;
	if (buf == NULL)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	if (o->moddata != NULL && !(o->moddata->flags & BI_PCLN_R_NOBITS))
		rc = bi_pcln_moddata_region(t, o->moddata, buf, gofunc, found, err);
	for (size_t i = 0; rc == BI_PCLN_OK && !*found && i < o->nregions; i++) {
		const bi_pcln_region *r = &o->regions[i];

		if (r != o->moddata &&
		    (r->flags & (BI_PCLN_R_WRITE | BI_PCLN_R_NOBITS)) == BI_PCLN_R_WRITE)
			rc = bi_pcln_moddata_region(t, r, buf, gofunc, found, err);
	}
	free(buf);
	return rc;
}

/* Go 1.26 writes go:func.* into the table itself, right after the function
 * records (cmd/link/internal/ld/pcln.go: generateFuncdata after
 * generateFunctab, each generated symbol's size rounded to a pointer). */
static uint64_t bi_pcln_gofunc_after_ftab(const bi_pcln *t)
{
	uint64_t end;

	if (bi_pcln_func_end(t, (size_t)t->nfunc - 1, &end) != 0)
		return 0;
	end = (end + t->ptr - 1) & ~(uint64_t)(t->ptr - 1);
	return t->tab_vaddr + t->ftab + end;
}

static int bi_pcln_find_gofunc(bi_pcln *t, bi_pcln_err *err)
{
	uint64_t gofunc = 0;
	int found, rc = bi_pcln_moduledata(t, &gofunc, &found, err);

	if (rc != BI_PCLN_OK)
		return rc;
	if (found && (rc = bi_pcln_try_gofunc(t, gofunc, "module data", err)) != BI_PCLN_OK)
		return rc;
	if (t->fd.p == NULL && t->obj.have_gofunc &&
	    (rc = bi_pcln_try_gofunc(t, t->obj.gofunc, "symbol go:func.*", err)) != BI_PCLN_OK)
		return rc;
	if (t->fd.p == NULL && (gofunc = bi_pcln_gofunc_after_ftab(t)) != 0)
		rc = bi_pcln_try_gofunc(t, gofunc, "Go 1.26 layout", err);
	return rc;
}

/* ---- opening ----------------------------------------------------------------- */

static int bi_pcln_read_table(bi_pcln *t, bi_pcln_err *err)
{
	const bi_pcln_obj *o = &t->obj;
	const bi_pcln_region *r = bi_pcln_obj_region(o, o->table_vaddr);
	uint64_t n;

	if (r == NULL)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT,
		                    "function table at unmapped address %#llx",
		                    (unsigned long long)o->table_vaddr);
	n = r->size - (o->table_vaddr - r->vaddr);
	if (o->table_size < n)
		n = o->table_size;
	if (n < 8)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "function table truncated");
	t->tab_vaddr = o->table_vaddr;
	return bi_pcln_load(o, r, o->table_vaddr, n, &t->tab, "function table", err);
}

static int bi_pcln_open_view(const bi_view *v, bi_pcln *t, bi_pcln_err *err)
{
	int rc = bi_pcln_obj_open(v, &t->obj, err);

	if (rc == BI_PCLN_OK && !t->obj.have_table)
		rc = bi_pcln_scan(&t->obj, err);
	if (rc == BI_PCLN_OK && !t->obj.have_table)
		return bi_pcln_fail(
		    err, BI_PCLN_E_NOTABLE,
		    "no Go function table (not a Go binary, or the table was removed)");
	if (rc == BI_PCLN_OK)
		rc = bi_pcln_read_table(t, err);
	if (rc == BI_PCLN_OK)
		rc = bi_pcln_header(t, t->tab.p, t->tab.n, t->tab.n, err);
	if (rc == BI_PCLN_OK)
		rc = bi_pcln_find_gofunc(t, err);
	return rc;
}

int bi_pcln_open(const bi_src *src, bi_pcln **out, bi_pcln_err *err)
{
	bi_view v = {src, 0, src->size};
	bi_pcln *t;
	int rc;

	*out = NULL;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	rc = bi_pcln_open_view(&v, t, err);
	if (rc != BI_PCLN_OK) {
		bi_pcln_free(t);
		return rc;
	}
	/* Everything is read: the source may go away now. */
	t->obj.view.src = NULL;
	*out = t;
	return BI_PCLN_OK;
}

int bi_pcln_open_file(const char *path, bi_pcln **out, bi_pcln_err *err)
{
	bi_src src;
	int rc;

	*out = NULL;
	if (bi_src_open(&src, path) != 0)
		return bi_pcln_fail(err, BI_PCLN_E_OPEN, "%s", strerror(errno));
	rc = bi_pcln_open(&src, out, err);
	close(src.fd);
	return rc;
}

void bi_pcln_free(bi_pcln *t)
{
	if (t == NULL)
		return;
	bi_pcln_obj_free(&t->obj);
	bi_pcln_drop_fd(t);
	bi_pcln_big_free(&t->tab);
	free(t);
}

void bi_pcln_describe(const bi_pcln *t, bi_pcln_about *a)
{
	memset(a, 0, sizeof(*a));
	a->format = t->obj.format;
	a->table_from = t->obj.table_from;
	a->gofunc_from = t->gofunc_from;
	a->layout = t->layout;
	a->big_endian = t->be;
	a->ptr_size = t->ptr;
	a->quantum = t->quantum;
	a->nfunc = (size_t)t->nfunc;
	a->have_text = t->have_text;
	a->text = t->text;
}

size_t bi_pcln_nfunc(const bi_pcln *t)
{
	return (size_t)t->nfunc;
}
