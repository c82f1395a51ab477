/* pcln_emit.h — writes ELF files holding a Go function table, for the
 * unit tests of buildinfo/bi_pclntab.h and of the fit built on it.
 *
 * The table is laid out as cmd/link/internal/ld/pcln.go lays it out (Go
 * 1.20+, or Go 1.18's records), either byte order, 32 or 64 bits, with the
 * funcdata base found through the module data (funcdata in .rodata) or
 * after the table as Go 1.26 places it; with or without section headers.
 * Functions are given as runs of (pc end, line, file, inline index) and
 * their inline trees, so a test knows what the reader must give back.
 * Header-only, as each unit test is one source file; include it after
 * cmocka.h, whose assertions it uses.
 */
#ifndef PGO_GO_PCLN_EMIT_H
#define PGO_GO_PCLN_EMIT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run {
	uint32_t pc_end;
	int32_t line, file, inl;
} run;

typedef struct inl {
	const char *name;
	int32_t start_line, parent_pc;
} inl;

typedef struct fn {
	const char *name;
	int32_t start_line;
	const run *runs;
	size_t nruns;
	const inl *tree;
	size_t ntree;
} fn;

#define RUNS(...) (const run[]){__VA_ARGS__}, sizeof((const run[]){__VA_ARGS__}) / sizeof(run)
#define TREE(...) (const inl[]){__VA_ARGS__}, sizeof((const inl[]){__VA_ARGS__}) / sizeof(inl)

/* ---- the emitter ------------------------------------------------------------------ */

typedef struct opts {
	int be;
	unsigned ptr, layout, quantum;
	int moduledata; /* module data in .noptrdata, funcdata in .rodata */
	int shdrs;      /* section headers (else: found by the header scan) */
} opts;

typedef struct img {
	unsigned char *p;
	size_t n;
} img;

static void put(img *m, size_t off, const void *d, size_t n)
{
	if (off + n > m->n) {
		m->p = realloc(m->p, off + n);
		assert_non_null(m->p);
		memset(m->p + m->n, 0, off + n - m->n);
		m->n = off + n;
	}
	memcpy(m->p + off, d, n);
}

static void putn(img *m, size_t off, uint64_t v, unsigned size, int be)
{
	unsigned char b[8];

	for (unsigned i = 0; i < size; i++)
		b[be ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
	put(m, off, b, size);
}

static size_t align(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

static void varint(img *m, uint32_t v)
{
	while (v >= 0x80) {
		unsigned char b = (unsigned char)(v | 0x80);

		put(m, m->n, &b, 1);
		v >>= 7;
	}
	put(m, m->n, &(unsigned char){(unsigned char)v}, 1);
}

static int32_t field(const run *r, int k)
{
	return k == 0 ? r->line : k == 1 ? r->file : r->inl;
}

/* One pc-value table (runtime.step's encoding) of field k of the runs.
 * Runs of one value are one step, as the linker writes them: a zero value
 * delta after the first step ends a table. */
static uint32_t pcvalue(img *pc, const run *r, size_t n, int k, unsigned quantum)
{
	uint32_t at = (uint32_t)pc->n, prev_pc = 0;
	int32_t prev = -1;

	for (size_t i = 0; i < n; i++) {
		int32_t v = field(&r[i], k), d = v - prev;

		if (i + 1 < n && field(&r[i + 1], k) == v)
			continue;
		varint(pc, ((uint32_t)d << 1) ^ (uint32_t)(d >> 31));
		varint(pc, (r[i].pc_end - prev_pc) / quantum);
		prev = v;
		prev_pc = r[i].pc_end;
	}
	put(pc, pc->n, &(unsigned char){0}, 1);
	return at;
}

#define MAXF 8

typedef struct parts {
	const fn *funcs;
	size_t n;
	img names, cutab, files, pctab, funcdata;
	uint32_t name_off[MAXF], tree_off[MAXF];
	uint32_t tabs[MAXF][3];
} parts;

static uint32_t add_name(img *names, const char *s)
{
	uint32_t at = (uint32_t)names->n;

	put(names, names->n, s, strlen(s) + 1);
	return at;
}

static void inline_tree(parts *p, size_t i, const opts *o)
{
	const fn *f = &p->funcs[i];
	unsigned esz = o->layout == 120 ? 16 : 20;

	p->tree_off[i] = (uint32_t)align(p->funcdata.n, 4);
	for (size_t k = 0; k < f->ntree; k++) {
		size_t e = p->tree_off[i] + k * esz;
		uint32_t name = add_name(&p->names, f->tree[k].name);

		if (o->layout == 120) {
			putn(&p->funcdata, e, 0, 4, o->be);
			putn(&p->funcdata, e + 4, name, 4, o->be);
			putn(&p->funcdata, e + 8, (uint32_t)f->tree[k].parent_pc, 4, o->be);
			putn(&p->funcdata, e + 12, (uint32_t)f->tree[k].start_line, 4, o->be);
		} else {
			putn(&p->funcdata, e, 0xffff, 2, o->be);
			putn(&p->funcdata, e + 2, 0, 2, o->be);
			putn(&p->funcdata, e + 4, 1, 4, o->be);
			putn(&p->funcdata, e + 8, 0, 4, o->be);
			putn(&p->funcdata, e + 12, name, 4, o->be);
			putn(&p->funcdata, e + 16, (uint32_t)f->tree[k].parent_pc, 4, o->be);
		}
	}
}

static void build_parts(parts *p, const fn *list, size_t n, const char *const *files, const opts *o)
{
	memset(p, 0, sizeof(*p));
	assert_true(n <= MAXF);
	p->funcs = list;
	p->n = n;
	put(&p->pctab, 0, &(unsigned char){0}, 1); /* offset 0: no table */
	for (size_t i = 0; files[i] != NULL; i++) {
		putn(&p->cutab, 4 * i, p->files.n, 4, o->be);
		put(&p->files, p->files.n, files[i], strlen(files[i]) + 1);
	}
	for (size_t i = 0; i < n; i++) {
		p->name_off[i] = add_name(&p->names, list[i].name);
		for (int k = 0; k < 3; k++)
			p->tabs[i][k] =
			    k == 2 && list[i].ntree == 0
			        ? 0
			        : pcvalue(&p->pctab, list[i].runs, list[i].nruns, k, o->quantum);
		if (list[i].ntree)
			inline_tree(p, i, o);
	}
}

/* runtime.functab and the _func records, with their pcdata and funcdata. */
static void functab(img *t, size_t at, const parts *p, const opts *o, size_t *end)
{
	size_t rec = at + align(p->n * 8 + 4, o->ptr), fsz = o->layout == 120 ? 44 : 40;
	uint32_t entry = 0;

	for (size_t i = 0; i < p->n; i++) {
		const fn *f = &p->funcs[i];
		size_t r = rec;

		putn(t, at + 8 * i, entry, 4, o->be);
		putn(t, at + 8 * i + 4, r - at, 4, o->be);
		putn(t, r, entry, 4, o->be);
		putn(t, r + 4, p->name_off[i], 4, o->be);
		putn(t, r + 20, p->tabs[i][1], 4, o->be);
		putn(t, r + 24, p->tabs[i][0], 4, o->be);
		putn(t, r + 28, 3, 4, o->be);
		putn(t, r + 32, 0, 4, o->be);
		if (o->layout == 120)
			putn(t, r + 36, (uint32_t)f->start_line, 4, o->be);
		putn(t, r + fsz - 1, f->ntree ? 4 : 0, 1, o->be);
		putn(t, r + fsz + 8, p->tabs[i][2], 4, o->be);
		for (int k = 0; f->ntree && k < 4; k++)
			putn(t, r + fsz + 12 + 4 * k, k == 3 ? p->tree_off[i] : UINT32_MAX, 4,
			     o->be);
		rec = align(r + fsz + 12 + (f->ntree ? 16 : 0), o->ptr);
		entry += f->runs[f->nruns - 1].pc_end;
	}
	putn(t, at + 8 * p->n, entry, 4, o->be);
	*end = rec;
}

#define BASE 0x400000u
#define TEXT 0x401000u

/* The table at file offset at (so at address BASE + at); returns the
 * offset just past it, and where go:func.* is when it is inside. */
static size_t table(img *m, size_t at, const parts *p, const opts *o, size_t *gofunc)
{
	size_t hdr = 8 + 8 * o->ptr, off[5], end;
	uint32_t magic = o->layout == 120 ? 0xfffffff1u : 0xfffffff0u;

	off[0] = hdr;
	off[1] = off[0] + p->names.n;
	off[2] = off[1] + p->cutab.n;
	off[3] = off[2] + p->files.n;
	off[4] = align(off[3] + p->pctab.n, o->ptr);
	putn(m, at, magic, 4, o->be);
	putn(m, at + 6, o->quantum, 1, o->be);
	putn(m, at + 7, o->ptr, 1, o->be);
	putn(m, at + 8, p->n, o->ptr, o->be);
	putn(m, at + 8 + o->ptr, p->cutab.n / 4, o->ptr, o->be);
	putn(m, at + 8 + 2 * o->ptr, TEXT, o->ptr, o->be);
	for (int i = 0; i < 5; i++)
		putn(m, at + 8 + (3 + i) * o->ptr, off[i], o->ptr, o->be);
	put(m, at + off[0], p->names.p, p->names.n);
	put(m, at + off[1], p->cutab.p, p->cutab.n);
	put(m, at + off[2], p->files.p, p->files.n);
	put(m, at + off[3], p->pctab.p, p->pctab.n);
	functab(m, at + off[4], p, o, &end);
	*gofunc = end;
	if (!o->moduledata)
		put(m, end, p->funcdata.p, p->funcdata.n ? p->funcdata.n : 1);
	return o->moduledata ? end : end + p->funcdata.n + 1;
}

/* runtime.firstmoduledata: the words bi_pclntab.c checks, and gofunc. */
static void moduledata(img *m, size_t at, size_t tab, const parts *p, const opts *o,
                       uint64_t gofunc)
{
	uint64_t base = BASE + tab, hdr = 8 + 8 * o->ptr;
	uint64_t names = base + hdr, cu = names + p->names.n, fl = cu + p->cutab.n;
	uint64_t pc = fl + p->files.n, ft = align(pc - base + p->pctab.n, o->ptr) + base;
	const uint64_t w[][2] = {{0, base},  {1, names},
	                         {4, cu},    {7, fl},
	                         {10, pc},   {13, ft},
	                         {16, ft},   {17, p->n + 1},
	                         {22, TEXT}, {o->layout == 120 ? 40u : 38u, gofunc}};

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		putn(m, at + w[i][0] * o->ptr, w[i][1], o->ptr, o->be);
}

typedef struct sect {
	const char *name;
	size_t off, size;
	int write;
} sect;

static void elf_headers(img *m, const sect *s, size_t ns, const opts *o)
{
	int is64 = o->ptr == 8;
	size_t eh = is64 ? 64 : 52, ph = is64 ? 56 : 32, sh = is64 ? 64 : 40;
	size_t phoff = eh, shoff = align(m->n, 8), strtab = shoff + (ns + 2) * sh;
	size_t names = 1;

	put(m, 0, "\177ELF", 4);
	putn(m, 4, is64 ? 2 : 1, 1, 0);
	putn(m, 5, o->be ? 2 : 1, 1, 0);
	putn(m, 6, 1, 1, 0);
	putn(m, 20, 1, 4, o->be);
	putn(m, is64 ? 32 : 28, phoff, o->ptr, o->be);
	putn(m, is64 ? 40 : 32, o->shdrs ? shoff : 0, o->ptr, o->be);
	putn(m, is64 ? 54 : 42, ph, 2, o->be);
	putn(m, is64 ? 56 : 44, ns, 2, o->be);
	putn(m, is64 ? 58 : 46, sh, 2, o->be);
	putn(m, is64 ? 60 : 48, o->shdrs ? ns + 2 : 0, 2, o->be);
	putn(m, is64 ? 62 : 50, o->shdrs ? ns + 1 : 0, 2, o->be);
	for (size_t i = 0; i < ns; i++) {
		size_t p = phoff + i * ph, q = shoff + (i + 1) * sh;

		putn(m, p, 1, 4, o->be); /* PT_LOAD */
		putn(m, p + (is64 ? 4 : 24), s[i].write ? 6 : 4, 4, o->be);
		putn(m, p + (is64 ? 8 : 4), s[i].off, o->ptr, o->be);
		putn(m, p + (is64 ? 16 : 8), BASE + s[i].off, o->ptr, o->be);
		putn(m, p + (is64 ? 32 : 16), s[i].size, o->ptr, o->be);
		putn(m, p + (is64 ? 40 : 20), s[i].size, o->ptr, o->be);
		putn(m, q, names, 4, o->be);
		putn(m, q + 4, 1, 4, o->be);
		putn(m, q + 8, s[i].write ? 3 : 2, is64 ? 8 : 4, o->be);
		putn(m, q + (is64 ? 16 : 12), BASE + s[i].off, o->ptr, o->be);
		putn(m, q + (is64 ? 24 : 16), s[i].off, o->ptr, o->be);
		putn(m, q + (is64 ? 32 : 20), s[i].size, o->ptr, o->be);
		names += strlen(s[i].name) + 1;
	}
	/* .shstrtab, last */
	putn(m, shoff + (ns + 1) * sh + 4, 3, 4, o->be);
	putn(m, shoff + (ns + 1) * sh + (is64 ? 24 : 16), strtab, o->ptr, o->be);
	putn(m, shoff + (ns + 1) * sh + (is64 ? 32 : 20), names, o->ptr, o->be);
	names = 1;
	for (size_t i = 0; i < ns; i++) {
		put(m, strtab + names, s[i].name, strlen(s[i].name) + 1);
		names += strlen(s[i].name) + 1;
	}
}

/* A whole ELF file holding the table of the n functions of list, whose
 * runs name files by index into the NULL-terminated files. */
static img build_of(const fn *list, size_t n, const char *const *files, const opts *o)
{
	img m = {NULL, 0};
	parts p;
	sect s[3];
	size_t ns = 0, tab = 0x200, gofunc, end;

	build_parts(&p, list, n, files, o);
	end = table(&m, tab, &p, o, &gofunc);
	s[ns++] = (sect){".gopclntab", tab, end - tab, 0};
	if (o->moduledata) {
		size_t ro = align(end, 16), md = align(ro + p.funcdata.n + 1, 16);

		put(&m, ro, p.funcdata.p, p.funcdata.n ? p.funcdata.n : 1);
		s[ns++] = (sect){".rodata", ro, p.funcdata.n + 1, 0};
		moduledata(&m, md, tab, &p, o, BASE + ro);
		s[ns++] = (sect){".noptrdata", md, 64 * o->ptr, 1};
	}
	elf_headers(&m, s, ns, o);
	free(p.names.p);
	free(p.cutab.p);
	free(p.files.p);
	free(p.pctab.p);
	free(p.funcdata.p);
	return m;
}

#endif
