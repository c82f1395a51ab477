/* bi_pcln_elf.c — an ELF file as the function-table reader maps it: its
 * allocated sections (writable or not, with file bytes or not) and
 * `.gopclntab`, where cmd/internal/objfile finds the table; without section
 * headers, the loadable segments. */
#include <string.h>

#include "bi_pcln_int.h"

#define ELF_SHF_WRITE     0x1
#define ELF_SHF_ALLOC     0x2
#define ELF_SHF_EXECINSTR 0x4
#define ELF_SHT_NOBITS    8
#define ELF_PT_LOAD       1
#define ELF_PF_X          0x1
#define ELF_PF_W          0x2

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

int bi_pcln_elf_open(bi_pcln_obj *o, bi_pcln_err *err)
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
