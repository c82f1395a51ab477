/* bi_pcln_obj.c — the map of an object file the function-table reader
 * needs: its sections (address, file offset, writable or not) and where
 * the Go function table is, as cmd/internal/objfile finds it for
 * `go tool addr2line`: ELF `.gopclntab`, Mach-O `__gopclntab`, PE the
 * COFF symbols runtime.pclntab..runtime.epclntab. A PE symbol table also
 * names go:func.*. Without section headers an ELF file falls back to its
 * program headers; finding the table is then the header scan's job
 * (bi_pclntab.c). Tables are walked through read-ahead windows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bi_pcln_int.h"

#define ELF_SHF_WRITE     0x1
#define ELF_SHF_ALLOC     0x2
#define ELF_SHF_EXECINSTR 0x4
#define ELF_SHT_NOBITS    8
#define ELF_PT_LOAD       1
#define ELF_PF_X          0x1
#define ELF_PF_W          0x2

#define MACHO_LC_SEGMENT   0x1u
#define MACHO_LC_SEGMENT64 0x19u
#define MACHO_VM_PROT_W    0x2u
#define MACHO_VM_PROT_X    0x4u

#define PE_SCN_CNT_UNINITIALIZED 0x00000080u
#define PE_SCN_MEM_EXECUTE       0x20000000u
#define PE_SCN_MEM_WRITE         0x80000000u
#define PE_SYMBOL_SIZE           18

int bi_pcln_fail(bi_pcln_err *err, bi_pcln_code code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int bi_pcln_from_bi(bi_pcln_err *err, const bi_error *e, const char *what)
{
	switch (e->code) {
	case BI_E_IO:
		return bi_pcln_fail(err, BI_PCLN_E_IO, "reading %s: %s", what,
		                    strerror(e->sys_errno));
	case BI_E_NOMEM:
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	default:
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "%s truncated or malformed", what);
	}
}

int bi_pcln_obj_add(bi_pcln_obj *o, const bi_pcln_region *r, bi_pcln_err *err)
{
	if (o->nregions == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;
		bi_pcln_region *p;

		if (o->cap > SIZE_MAX / 2 / sizeof(*p))
			return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
		p = realloc(o->regions, cap * sizeof(*p));
		if (p == NULL)
			return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
		o->regions = p;
		o->cap = cap;
	}
	o->regions[o->nregions++] = *r;
	return BI_PCLN_OK;
}

/* A region is kept only when its file bytes lie inside the view: a section
 * pointing past the end is treated as absent rather than read. */
static int bi_pcln_keep(bi_pcln_obj *o, bi_pcln_region *r, bi_pcln_err *err)
{
	if (r->size == 0 || r->vaddr + r->size < r->vaddr)
		return BI_PCLN_OK;
	if (!(r->flags & BI_PCLN_R_NOBITS) && !bi_view_has(&o->view, r->off, r->size))
		r->flags |= BI_PCLN_R_NOBITS;
	return bi_pcln_obj_add(o, r, err);
}

const bi_pcln_region *bi_pcln_obj_region(const bi_pcln_obj *o, uint64_t vaddr)
{
	for (size_t i = 0; i < o->nregions; i++) {
		const bi_pcln_region *r = &o->regions[i];

		if (!(r->flags & BI_PCLN_R_NOBITS) && vaddr >= r->vaddr &&
		    vaddr - r->vaddr < r->size)
			return r;
	}
	return NULL;
}

void bi_pcln_obj_free(bi_pcln_obj *o)
{
	free(o->regions);
	o->regions = NULL;
	o->nregions = o->cap = 0;
}

static int bi_pcln_read(const bi_view *v, void *buf, size_t n, uint64_t off, const char *what,
                        bi_pcln_err *err)
{
	bi_error e; /* filled by bi_fail when a read fails */

	if (bi_view_read(v, buf, n, off, &e) != BI_OK)
		return bi_pcln_from_bi(err, &e, what);
	return BI_PCLN_OK;
}

static int bi_pcln_win(bi_win *w, uint64_t off, size_t n, const unsigned char **p, const char *what,
                       bi_pcln_err *err)
{
	bi_error e; /* filled by bi_fail when a read fails */

	if (bi_win_get(w, off, n, p, &e) != BI_OK)
		return bi_pcln_from_bi(err, &e, what);
	return BI_PCLN_OK;
}

/* ---- ELF ---------------------------------------------------------------- */

typedef struct bi_pcln_elf {
	int is64, be;
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum, shstrndx;
} bi_pcln_elf;

static int bi_pcln_elf_header(bi_pcln_obj *o, bi_pcln_elf *e, bi_pcln_err *err)
{
	unsigned char h[64];
	unsigned at;
	int rc = bi_pcln_read(&o->view, h, 52, 0, "ELF header", err);

	if (rc != BI_PCLN_OK)
		return rc;
	if ((h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2))
		return bi_pcln_fail(err, BI_PCLN_E_FORMAT, "unknown ELF class or byte order");
	e->is64 = h[4] == 2;
	e->be = h[5] == 2;
	if (e->is64 && (rc = bi_pcln_read(&o->view, h, 64, 0, "ELF header", err)) != BI_PCLN_OK)
		return rc;
	e->phoff = e->is64 ? bi_u64(h + 32, e->be) : bi_u32(h + 28, e->be);
	e->shoff = e->is64 ? bi_u64(h + 40, e->be) : bi_u32(h + 32, e->be);
	at = e->is64 ? 54 : 42;
	e->phentsize = bi_u16(h + at, e->be);
	e->phnum = bi_u16(h + at + 2, e->be);
	e->shentsize = bi_u16(h + at + 4, e->be);
	e->shnum = bi_u16(h + at + 6, e->be);
	e->shstrndx = bi_u16(h + at + 8, e->be);
	if (e->shoff == 0 || e->shentsize < (e->is64 ? 64u : 40u) || e->shstrndx >= e->shnum)
		e->shnum = 0;
	if (e->phentsize < (e->is64 ? 56u : 32u))
		e->phnum = 0;
	return BI_PCLN_OK;
}

static void bi_pcln_elf_name(bi_win *names, uint64_t names_off, uint64_t names_size, uint32_t idx,
                             char out[17])
{
	const unsigned char *p;
	size_t n;

	out[0] = '\0';
	if (idx >= names_size)
		return;
	n = names_size - idx < 16 ? (size_t)(names_size - idx) : 16;
	if (bi_win_get(names, names_off + idx, n, &p, NULL) != BI_OK)
		return;
	memcpy(out, p, n);
	out[n] = '\0';
	out[strnlen(out, n)] = '\0';
}

/* Notes the table's section and the module data's, by name. */
static void bi_pcln_named(bi_pcln_obj *o, const char *table, const char *from, const char *moddata)
{
	for (size_t i = 0; i < o->nregions; i++) {
		const bi_pcln_region *r = &o->regions[i];

		if (!o->have_table && strcmp(r->name, table) == 0 &&
		    !(r->flags & BI_PCLN_R_NOBITS)) {
			o->have_table = 1;
			o->table_vaddr = r->vaddr;
			o->table_size = r->size;
			o->table_from = from;
		} else if (o->moddata == NULL && strcmp(r->name, moddata) == 0) {
			o->moddata = r;
		}
	}
}

static int bi_pcln_elf_sections(bi_pcln_obj *o, const bi_pcln_elf *e, bi_pcln_err *err)
{
	unsigned char sh[64];
	uint64_t noff, nsize;
	bi_win w, names;
	int rc, be = e->be;

	rc =
	    bi_pcln_read(&o->view, sh, e->is64 ? 64 : 40,
	                 e->shoff + (uint64_t)e->shstrndx * e->shentsize, "ELF section names", err);
	if (rc != BI_PCLN_OK)
		return rc;
	noff = e->is64 ? bi_u64(sh + 24, be) : bi_u32(sh + 16, be);
	nsize = e->is64 ? bi_u64(sh + 32, be) : bi_u32(sh + 20, be);
	if (!bi_view_has(&o->view, noff, nsize))
		nsize = 0;
	bi_win_init(&w, &o->view);
	bi_win_init(&names, &o->view);
	for (unsigned i = 0; i < e->shnum; i++) {
		const unsigned char *p;
		bi_pcln_region r = {0};
		uint64_t flags;
		uint32_t type;

		rc = bi_pcln_win(&w, e->shoff + (uint64_t)i * e->shentsize, e->is64 ? 64 : 40, &p,
		                 "ELF section headers", err);
		if (rc != BI_PCLN_OK)
			return rc;
		type = bi_u32(p + 4, be);
		flags = e->is64 ? bi_u64(p + 8, be) : bi_u32(p + 8, be);
		r.vaddr = e->is64 ? bi_u64(p + 16, be) : bi_u32(p + 12, be);
		r.off = e->is64 ? bi_u64(p + 24, be) : bi_u32(p + 16, be);
		r.size = e->is64 ? bi_u64(p + 32, be) : bi_u32(p + 20, be);
		if (!(flags & ELF_SHF_ALLOC))
			continue;
		r.flags = (flags & ELF_SHF_WRITE ? BI_PCLN_R_WRITE : 0) |
		          (flags & ELF_SHF_EXECINSTR ? BI_PCLN_R_EXEC : 0) |
		          (type == ELF_SHT_NOBITS ? BI_PCLN_R_NOBITS : 0);
		bi_pcln_elf_name(&names, noff, nsize, bi_u32(p, be), r.name);
		rc = bi_pcln_keep(o, &r, err);
		if (rc != BI_PCLN_OK)
			return rc;
	}
	return BI_PCLN_OK;
}

/* Without section headers (sstrip, or a crafted file): the loadable
 * segments, which is all the loader itself knows. */
static int bi_pcln_elf_segments(bi_pcln_obj *o, const bi_pcln_elf *e, bi_pcln_err *err)
{
	bi_win w;
	int be = e->be;

	bi_win_init(&w, &o->view);
	for (unsigned i = 0; i < e->phnum; i++) {
		const unsigned char *p;
		bi_pcln_region r = {0};
		uint32_t flags;
		int rc = bi_pcln_win(&w, e->phoff + (uint64_t)i * e->phentsize, e->is64 ? 56 : 32,
		                     &p, "ELF program headers", err);

		if (rc != BI_PCLN_OK)
			return rc;
		if (bi_u32(p, be) != ELF_PT_LOAD)
			continue;
		flags = bi_u32(p + (e->is64 ? 4 : 24), be);
		r.off = e->is64 ? bi_u64(p + 8, be) : bi_u32(p + 4, be);
		r.vaddr = e->is64 ? bi_u64(p + 16, be) : bi_u32(p + 8, be);
		r.size = e->is64 ? bi_u64(p + 32, be) : bi_u32(p + 16, be);
		r.flags = (flags & ELF_PF_W ? BI_PCLN_R_WRITE : 0) |
		          (flags & ELF_PF_X ? BI_PCLN_R_EXEC : 0);
		rc = bi_pcln_keep(o, &r, err);
		if (rc != BI_PCLN_OK)
			return rc;
	}
	return BI_PCLN_OK;
}

static int bi_pcln_elf_open(bi_pcln_obj *o, bi_pcln_err *err)
{
	bi_pcln_elf e = {0};
	int rc = bi_pcln_elf_header(o, &e, err);

	o->format = "ELF";
	if (rc == BI_PCLN_OK && e.shnum > 0)
		rc = bi_pcln_elf_sections(o, &e, err);
	if (rc == BI_PCLN_OK && o->nregions == 0)
		rc = bi_pcln_elf_segments(o, &e, err);
	if (rc == BI_PCLN_OK)
		bi_pcln_named(o, ".gopclntab", "section .gopclntab", ".noptrdata");
	return rc;
}

/* ---- Mach-O --------------------------------------------------------------- */

static unsigned bi_pcln_macho_nobits(uint32_t sflags)
{
	uint32_t type = sflags & 0xff;

	/* S_ZEROFILL, S_GB_ZEROFILL, S_THREAD_LOCAL_ZEROFILL */
	return type == 0x1 || type == 0xc || type == 0x12 ? BI_PCLN_R_NOBITS : 0;
}

static int bi_pcln_macho_sections(bi_pcln_obj *o, bi_win *w, uint64_t pos, uint32_t cmdsize, int be,
                                  int is64, bi_pcln_err *err)
{
	unsigned hdr = is64 ? 72 : 56, sect = is64 ? 80 : 68;
	const unsigned char *p;
	uint32_t nsects, prot;
	int rc;

	if (cmdsize < hdr)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "Mach-O segment command too short");
	rc = bi_pcln_win(w, pos, hdr, &p, "Mach-O load commands", err);
	if (rc != BI_PCLN_OK)
		return rc;
	prot = bi_u32(p + (is64 ? 60 : 44), be); /* initprot */
	nsects = bi_u32(p + (is64 ? 64 : 48), be);
	if ((uint64_t)nsects * sect > cmdsize - hdr)
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT,
		                    "Mach-O segment with too many sections");
	for (uint32_t i = 0; i < nsects; i++) {
		bi_pcln_region r = {0};

		rc = bi_pcln_win(w, pos + hdr + (uint64_t)i * sect, sect, &p, "Mach-O sections",
		                 err);
		if (rc != BI_PCLN_OK)
			return rc;
		memcpy(r.name, p, 16);
		r.vaddr = is64 ? bi_u64(p + 32, be) : bi_u32(p + 32, be);
		r.size = is64 ? bi_u64(p + 40, be) : bi_u32(p + 36, be);
		r.off = bi_u32(p + (is64 ? 48 : 40), be);
		r.flags = (prot & MACHO_VM_PROT_W ? BI_PCLN_R_WRITE : 0) |
		          (prot & MACHO_VM_PROT_X ? BI_PCLN_R_EXEC : 0) |
		          bi_pcln_macho_nobits(bi_u32(p + (is64 ? 64 : 56), be)) |
		          (r.off == 0 ? BI_PCLN_R_NOBITS : 0);
		rc = bi_pcln_keep(o, &r, err);
		if (rc != BI_PCLN_OK)
			return rc;
	}
	return BI_PCLN_OK;
}

static int bi_pcln_macho_open(bi_pcln_obj *o, bi_pcln_err *err)
{
	unsigned char h[32];
	uint32_t ncmd, cmdsz, magic;
	uint64_t pos, end;
	int be, is64, rc;
	bi_win w;

	o->format = "Mach-O";
	rc = bi_pcln_read(&o->view, h, 28, 0, "Mach-O header", err);
	if (rc != BI_PCLN_OK)
		return rc;
	magic = bi_u32(h, 0);
	be = (magic & ~1u) != 0xfeedfaceu;
	is64 = (bi_u32(h, be) & 1u) != 0;
	ncmd = bi_u32(h + 16, be);
	cmdsz = bi_u32(h + 20, be);
	pos = is64 ? 32 : 28;
	end = pos + cmdsz;
	if (!bi_view_has(&o->view, pos, cmdsz))
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "Mach-O load commands truncated");
	bi_win_init(&w, &o->view);
	for (uint32_t i = 0; i < ncmd; i++) {
		const unsigned char *p;
		uint32_t cmd, size;

		if (end - pos < 8)
			return bi_pcln_fail(err, BI_PCLN_E_CORRUPT,
			                    "Mach-O load commands truncated");
		rc = bi_pcln_win(&w, pos, 8, &p, "Mach-O load commands", err);
		if (rc != BI_PCLN_OK)
			return rc;
		cmd = bi_u32(p, be);
		size = bi_u32(p + 4, be);
		if (size < 8 || size > end - pos)
			return bi_pcln_fail(err, BI_PCLN_E_CORRUPT,
			                    "Mach-O load command of bad size");
		if (cmd == MACHO_LC_SEGMENT || cmd == MACHO_LC_SEGMENT64) {
			rc = bi_pcln_macho_sections(o, &w, pos, size, be, cmd == MACHO_LC_SEGMENT64,
			                            err);
			if (rc != BI_PCLN_OK)
				return rc;
		}
		pos += size;
	}
	bi_pcln_named(o, "__gopclntab", "section __gopclntab", "__noptrdata");
	return BI_PCLN_OK;
}

/* A universal file: its first architecture, as buildinfo reads it. */
static int bi_pcln_fat_open(bi_pcln_obj *o, bi_pcln_err *err)
{
	unsigned char h[28];
	uint32_t off, size;
	int rc = bi_pcln_read(&o->view, h, 28, 0, "universal header", err);

	if (rc != BI_PCLN_OK)
		return rc;
	if (bi_u32(h + 4, 1) == 0)
		return bi_pcln_fail(err, BI_PCLN_E_FORMAT, "universal file without architectures");
	off = bi_u32(h + 16, 1);
	size = bi_u32(h + 20, 1);
	if (!bi_view_has(&o->view, off, size))
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "universal file truncated");
	o->view.base += off;
	o->view.size = size;
	return bi_pcln_macho_open(o, err);
}

/* ---- PE ------------------------------------------------------------------ */

typedef struct bi_pcln_pe {
	uint64_t hdr, image_base;
	uint16_t nsect, opt_size;
	uint32_t symptr, nsyms;
	int64_t sect_region[96]; /* section number - 1 → region index, or -1 */
} bi_pcln_pe;

static int bi_pcln_pe_headers(bi_pcln_obj *o, bi_pcln_pe *pe, bi_pcln_err *err)
{
	unsigned char b[112];
	uint16_t magic;
	int rc = bi_pcln_read(&o->view, b, 64, 0, "PE header", err);

	if (rc != BI_PCLN_OK)
		return rc;
	pe->hdr = (uint64_t)bi_u32(b + 0x3c, 0) + 4;
	rc = bi_pcln_read(&o->view, b, 4, pe->hdr - 4, "PE signature", err);
	if (rc != BI_PCLN_OK || memcmp(b, "PE\0\0", 4) != 0)
		return bi_pcln_fail(err, BI_PCLN_E_FORMAT, "no PE signature");
	rc = bi_pcln_read(&o->view, b, 20, pe->hdr, "COFF header", err);
	if (rc != BI_PCLN_OK)
		return rc;
	pe->nsect = bi_u16(b + 2, 0);
	pe->symptr = bi_u32(b + 8, 0);
	pe->nsyms = bi_u32(b + 12, 0);
	pe->opt_size = bi_u16(b + 16, 0);
	if (pe->opt_size < 2)
		return BI_PCLN_OK;
	rc = bi_pcln_read(&o->view, b, 2, pe->hdr + 20, "PE optional header", err);
	if (rc != BI_PCLN_OK)
		return rc;
	magic = bi_u16(b, 0);
	if ((magic != 0x10b && magic != 0x20b) || pe->opt_size < 32)
		return bi_pcln_fail(err, BI_PCLN_E_FORMAT, "unknown PE optional header");
	rc = bi_pcln_read(&o->view, b, 32, pe->hdr + 20, "PE optional header", err);
	if (rc == BI_PCLN_OK)
		pe->image_base = magic == 0x10b ? bi_u32(b + 28, 0) : bi_u64(b + 24, 0);
	return rc;
}

static int bi_pcln_pe_sections(bi_pcln_obj *o, bi_pcln_pe *pe, bi_pcln_err *err)
{
	uint64_t table = pe->hdr + 20 + pe->opt_size;
	bi_win w;

	bi_win_init(&w, &o->view);
	for (unsigned i = 0; i < pe->nsect; i++) {
		const unsigned char *p;
		bi_pcln_region r = {0};
		uint32_t vsize, raw, flags;
		size_t before = o->nregions;
		int rc = bi_pcln_win(&w, table + (uint64_t)i * 40, 40, &p, "PE sections", err);

		if (rc != BI_PCLN_OK)
			return rc;
		memcpy(r.name, p, 8);
		vsize = bi_u32(p + 8, 0);
		raw = bi_u32(p + 16, 0);
		flags = bi_u32(p + 36, 0);
		r.vaddr = pe->image_base + bi_u32(p + 12, 0);
		r.off = bi_u32(p + 20, 0);
		r.size = vsize != 0 && vsize < raw ? vsize : raw;
		r.flags = (flags & PE_SCN_MEM_WRITE ? BI_PCLN_R_WRITE : 0) |
		          (flags & PE_SCN_MEM_EXECUTE ? BI_PCLN_R_EXEC : 0) |
		          (flags & PE_SCN_CNT_UNINITIALIZED || r.off == 0 ? BI_PCLN_R_NOBITS : 0);
		rc = bi_pcln_keep(o, &r, err);
		if (rc != BI_PCLN_OK)
			return rc;
		if (i < sizeof(pe->sect_region) / sizeof(pe->sect_region[0]))
			pe->sect_region[i] = o->nregions > before ? (int64_t)before : -1;
	}
	return BI_PCLN_OK;
}

/* A symbol's name: inline when 8 bytes or fewer, else "\0\0\0\0" and an
 * offset into the string table that follows the symbols. */
static int bi_pcln_pe_symname(bi_win *names, uint64_t strtab, uint64_t strsize,
                              const unsigned char *sym, char *out, size_t cap)
{
	const unsigned char *p;
	uint32_t at;
	size_t n;

	if (bi_u32(sym, 0) != 0) {
		n = strnlen((const char *)sym, 8);
		memcpy(out, sym, n);
		out[n] = '\0';
		return 0;
	}
	at = bi_u32(sym + 4, 0);
	if (at < 4 || at >= strsize)
		return -1;
	n = strsize - at < cap - 1 ? (size_t)(strsize - at) : cap - 1;
	if (bi_win_get(names, strtab + at, n, &p, NULL) != BI_OK)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* The symbols cmd/internal/objfile looks for; a PE symbol's value is an
 * offset in its section. */
static void bi_pcln_pe_symbol(bi_pcln_obj *o, const bi_pcln_pe *pe, const char *name, int16_t sect,
                              uint32_t value, uint64_t *start, uint64_t *end)
{
	const bi_pcln_region *r;

	if (sect < 1 || (size_t)sect > sizeof(pe->sect_region) / sizeof(pe->sect_region[0]) ||
	    pe->sect_region[sect - 1] < 0)
		return;
	r = &o->regions[pe->sect_region[sect - 1]];
	if (strcmp(name, "runtime.pclntab") == 0)
		*start = r->vaddr + value;
	else if (strcmp(name, "runtime.epclntab") == 0)
		*end = r->vaddr + value;
	else if (strcmp(name, "go:func.*") == 0 || strcmp(name, "go.func.*") == 0) {
		o->have_gofunc = 1;
		o->gofunc = r->vaddr + value;
	}
}

static int bi_pcln_pe_symbols(bi_pcln_obj *o, const bi_pcln_pe *pe, bi_pcln_err *err)
{
	uint64_t strtab = pe->symptr + (uint64_t)pe->nsyms * PE_SYMBOL_SIZE, strsize = 0;
	uint64_t start = 0, end = 0;
	unsigned char lw[4];
	bi_win w, names;

	if (pe->symptr == 0 || !bi_view_has(&o->view, pe->symptr, strtab - pe->symptr))
		return BI_PCLN_OK;
	if (bi_pcln_read(&o->view, lw, 4, strtab, "COFF string table", NULL) == BI_PCLN_OK &&
	    bi_view_has(&o->view, strtab, bi_u32(lw, 0)))
		strsize = bi_u32(lw, 0);
	bi_win_init(&w, &o->view);
	bi_win_init(&names, &o->view);
	for (uint32_t i = 0; i < pe->nsyms; i++) {
		const unsigned char *p;
		char name[32];
		int rc = bi_pcln_win(&w, pe->symptr + (uint64_t)i * PE_SYMBOL_SIZE, PE_SYMBOL_SIZE,
		                     &p, "COFF symbols", err);

		if (rc != BI_PCLN_OK)
			return rc;
		if (bi_pcln_pe_symname(&names, strtab, strsize, p, name, sizeof(name)) == 0)
			bi_pcln_pe_symbol(o, pe, name, (int16_t)bi_u16(p + 12, 0), bi_u32(p + 8, 0),
			                  &start, &end);
		i += p[17]; /* auxiliary records */
	}
	if (start != 0 && end > start) {
		o->have_table = 1;
		o->table_vaddr = start;
		o->table_size = end - start;
		o->table_from = "symbols runtime.pclntab";
	}
	return BI_PCLN_OK;
}

static int bi_pcln_pe_open(bi_pcln_obj *o, bi_pcln_err *err)
{
	bi_pcln_pe pe;
	int rc;

	memset(&pe, 0, sizeof(pe));
	for (size_t i = 0; i < sizeof(pe.sect_region) / sizeof(pe.sect_region[0]); i++)
		pe.sect_region[i] = -1;
	o->format = "PE";
	rc = bi_pcln_pe_headers(o, &pe, err);
	if (rc == BI_PCLN_OK)
		rc = bi_pcln_pe_sections(o, &pe, err);
	if (rc == BI_PCLN_OK)
		rc = bi_pcln_pe_symbols(o, &pe, err);
	return rc;
}

int bi_pcln_obj_open(const bi_view *v, bi_pcln_obj *o, bi_pcln_err *err)
{
	unsigned char id[8];
	int rc;

	memset(o, 0, sizeof(*o));
	o->view = *v;
	rc = bi_pcln_read(v, id, sizeof(id), 0, "file header", err);
	if (rc != BI_PCLN_OK)
		return bi_pcln_fail(err, BI_PCLN_E_FORMAT, "not an object file (too short)");
	if (memcmp(id, "\177ELF", 4) == 0)
		rc = bi_pcln_elf_open(o, err);
	else if (memcmp(id, "MZ", 2) == 0)
		rc = bi_pcln_pe_open(o, err);
	else if ((bi_u32(id, 0) & ~1u) == 0xfeedfaceu || (bi_u32(id, 1) & ~1u) == 0xfeedfaceu)
		rc = bi_pcln_macho_open(o, err);
	else if (bi_u32(id, 1) == 0xcafebabeu)
		rc = bi_pcln_fat_open(o, err);
	else
		rc = bi_pcln_fail(err, BI_PCLN_E_FORMAT, "not an ELF, Mach-O or PE file");
	if (rc != BI_PCLN_OK)
		bi_pcln_obj_free(o);
	return rc;
}
