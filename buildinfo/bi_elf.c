/* bi_elf.c — ELF headers as Go's debug/elf.NewFile checks them, and
 * debug/buildinfo's elfExe on top: the `.go.buildinfo` section, else the first
 * writable, non-executable PT_LOAD; addresses map through the program headers.
 * Tables are walked through a read-ahead window, never loaded whole. */
#include <string.h>

#include "bi_exe.h"

#define ELF_PT_LOAD        1
#define ELF_PF_X           0x1
#define ELF_PF_W           0x2
#define ELF_SHT_NULL       0
#define ELF_SHT_STRTAB     3
#define ELF_SHF_COMPRESSED 0x800
#define ELF_SHN_LORESERVE  0xff00
#define ELF_SHN_XINDEX     0xffff

#define BUILDINFO_NAME ".go.buildinfo"

typedef struct bi_elf {
	int is64, be;
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize;
	uint64_t shnum, shstrndx;
} bi_elf;

/* One section header, the fields Go keeps that matter here. */
typedef struct bi_elf_shdr {
	uint32_t name, type, link;
	uint64_t flags, addr, off, size;
} bi_elf_shdr;

/* The section-name table: names must end in a NUL inside it, so an index is
 * valid exactly when it is below the end of the table's last NUL. */
typedef struct bi_elf_names {
	int present;
	uint64_t off, size;
	uint64_t nul_end; /* index just past the last NUL; 0 when there is none */
} bi_elf_names;

static int bi_elf_ident(const bi_view *v, bi_elf *e, bi_error *err)
{
	unsigned char id[16];
	int rc = bi_view_read(v, id, sizeof(id), 0, err);

	if (rc != BI_OK)
		return rc;
	if ((id[4] != 1 && id[4] != 2) || (id[5] != 1 && id[5] != 2) || id[6] != 1)
		return bi_fail(err, BI_E_FORMAT);
	e->is64 = id[4] == 2;
	e->be = id[5] == 2;
	return BI_OK;
}

static int bi_elf_header(const bi_view *v, bi_elf *e, bi_error *err)
{
	unsigned char h[64];
	unsigned o; /* offset of e_phentsize; the other counts follow it */
	int be, rc;

	rc = bi_elf_ident(v, e, err);
	if (rc == BI_OK)
		rc = bi_view_read(v, h, e->is64 ? 64 : 52, 0, err);
	if (rc != BI_OK)
		return rc;
	be = e->be;
	/* Go converts e_version to its one-byte Version type before comparing. */
	if ((uint8_t)bi_u32(h + 20, be) != 1)
		return bi_fail(err, BI_E_FORMAT);
	if (e->is64) {
		e->phoff = bi_u64(h + 32, be);
		e->shoff = bi_u64(h + 40, be);
	} else {
		e->phoff = bi_u32(h + 28, be);
		e->shoff = bi_u32(h + 32, be);
	}
	o = e->is64 ? 54 : 42;
	e->phentsize = bi_u16(h + o, be);
	e->phnum = bi_u16(h + o + 2, be);
	e->shentsize = bi_u16(h + o + 4, be);
	e->shnum = bi_u16(h + o + 6, be);
	e->shstrndx = bi_u16(h + o + 8, be);
	if (e->shoff > INT64_MAX || e->phoff > INT64_MAX)
		return bi_fail(err, BI_E_FORMAT);
	if ((e->shoff == 0 && e->shnum != 0) || (e->shnum > 0 && e->shstrndx >= e->shnum))
		return bi_fail(err, BI_E_FORMAT);
	if (e->phnum > 0 && e->phentsize < (e->is64 ? 56u : 32u))
		return bi_fail(err, BI_E_FORMAT);
	return BI_OK;
}

/* Every program header becomes a region, in order, as Go's DataReader walks
 * them all; the first writable, non-executable PT_LOAD is the fallback
 * DataStart (with its memory size, as Go). */
static int bi_elf_progs(const bi_view *v, const bi_elf *e, bi_exe *x, bi_error *err)
{
	int found = 0, be = e->be;
	bi_win w;

	if (e->phnum == 0)
		return BI_OK;
	if (!bi_view_has(v, e->phoff, (uint64_t)e->phnum * e->phentsize))
		return bi_fail(err, BI_E_FORMAT);
	bi_win_init(&w, v);
	for (unsigned i = 0; i < e->phnum; i++) {
		const unsigned char *p;
		uint32_t type, flags;
		uint64_t off, vaddr, filesz, memsz;
		int rc = bi_win_get(&w, e->phoff + (uint64_t)i * e->phentsize, e->is64 ? 56 : 32,
		                    &p, err);

		if (rc != BI_OK)
			return rc;
		type = bi_u32(p, be);
		if (e->is64) {
			flags = bi_u32(p + 4, be);
			off = bi_u64(p + 8, be);
			vaddr = bi_u64(p + 16, be);
			filesz = bi_u64(p + 32, be);
			memsz = bi_u64(p + 40, be);
		} else {
			off = bi_u32(p + 4, be);
			vaddr = bi_u32(p + 8, be);
			filesz = bi_u32(p + 16, be);
			memsz = bi_u32(p + 20, be);
			flags = bi_u32(p + 24, be);
		}
		if (off > INT64_MAX || filesz > INT64_MAX)
			return bi_fail(err, BI_E_FORMAT);
		rc = bi_exe_add_region(x, vaddr, filesz, off, 0, err);
		if (rc != BI_OK)
			return rc;
		if (!found && type == ELF_PT_LOAD && (flags & (ELF_PF_X | ELF_PF_W)) == ELF_PF_W) {
			x->data_start = vaddr;
			x->data_size = memsz;
			found = 1;
		}
	}
	return BI_OK;
}

static void bi_elf_parse_shdr(const bi_elf *e, const unsigned char *p, bi_elf_shdr *s)
{
	int be = e->be;

	s->name = bi_u32(p, be);
	s->type = bi_u32(p + 4, be);
	if (e->is64) {
		s->flags = bi_u64(p + 8, be);
		s->addr = bi_u64(p + 16, be);
		s->off = bi_u64(p + 24, be);
		s->size = bi_u64(p + 32, be);
		s->link = bi_u32(p + 40, be);
	} else {
		s->flags = bi_u32(p + 8, be);
		s->addr = bi_u32(p + 12, be);
		s->off = bi_u32(p + 16, be);
		s->size = bi_u32(p + 20, be);
		s->link = bi_u32(p + 24, be);
	}
}

static int bi_elf_read_shdr(const bi_view *v, const bi_elf *e, uint64_t off, bi_elf_shdr *s,
                            bi_error *err)
{
	unsigned char p[64];
	int rc = bi_view_read(v, p, e->is64 ? 64 : 40, off, err);

	if (rc == BI_OK)
		bi_elf_parse_shdr(e, p, s);
	return rc;
}

/* More than 0xff00 sections: the count (and maybe the name-table index) live
 * in section 0, which must then be SHT_NULL. */
static int bi_elf_extended(const bi_view *v, bi_elf *e, bi_error *err)
{
	bi_elf_shdr s0;
	int rc;

	if (e->shoff == 0 || e->shnum != 0)
		return BI_OK;
	rc = bi_elf_read_shdr(v, e, e->shoff, &s0, err);
	if (rc != BI_OK)
		return rc;
	/* Go converts the 64-bit count to int: above INT64_MAX it is negative. */
	if (s0.type != ELF_SHT_NULL || s0.size > INT64_MAX || s0.size < ELF_SHN_LORESERVE)
		return bi_fail(err, BI_E_FORMAT);
	e->shnum = s0.size;
	if (e->shstrndx == ELF_SHN_XINDEX) {
		e->shstrndx = s0.link;
		if (e->shstrndx < ELF_SHN_LORESERVE)
			return bi_fail(err, BI_E_FORMAT);
	}
	return BI_OK;
}

/* Scans the table backwards in small reads for its last NUL. */
static int bi_elf_last_nul(const bi_view *v, bi_elf_names *n, bi_error *err)
{
	unsigned char buf[4096];
	uint64_t pos = n->size;

	n->nul_end = 0;
	while (pos > 0) {
		size_t len = pos < sizeof(buf) ? (size_t)pos : sizeof(buf);
		int rc;

		pos -= len;
		rc = bi_view_read(v, buf, len, n->off + pos, err);
		if (rc != BI_OK)
			return rc;
		for (size_t i = len; i > 0; i--) {
			if (buf[i - 1] == '\0') {
				n->nul_end = pos + i;
				return BI_OK;
			}
		}
	}
	return BI_OK;
}

/* Go reads the whole name table (a compressed one it would inflate; real
 * linkers never compress it, so that is refused here). */
static int bi_elf_names_open(const bi_view *v, const bi_elf *e, bi_elf_names *n, bi_error *err)
{
	bi_elf_shdr s;
	int rc;

	memset(n, 0, sizeof(*n));
	if (e->shstrndx == 0)
		return BI_OK;
	rc = bi_elf_read_shdr(v, e, e->shoff + e->shstrndx * e->shentsize, &s, err);
	if (rc != BI_OK)
		return rc;
	if (s.type != ELF_SHT_STRTAB || (s.flags & ELF_SHF_COMPRESSED) ||
	    !bi_view_has(v, s.off, s.size))
		return bi_fail(err, BI_E_FORMAT);
	n->present = 1;
	n->off = s.off;
	n->size = s.size;
	return bi_elf_last_nul(v, n, err);
}

static int bi_elf_is_buildinfo(bi_win *names_win, const bi_elf_names *n, uint32_t idx, int *yes,
                               bi_error *err)
{
	const unsigned char *p;
	int rc;

	*yes = 0;
	if (n->size < sizeof(BUILDINFO_NAME) || idx > n->size - sizeof(BUILDINFO_NAME))
		return BI_OK;
	rc = bi_win_get(names_win, n->off + idx, sizeof(BUILDINFO_NAME), &p, err);
	if (rc == BI_OK)
		*yes = memcmp(p, BUILDINFO_NAME, sizeof(BUILDINFO_NAME)) == 0;
	return rc;
}

/* A compressed section's size is the one in its compression header. */
static int bi_elf_section_size(const bi_view *v, const bi_elf *e, const bi_elf_shdr *s,
                               uint64_t *size, bi_error *err)
{
	unsigned char ch[24];
	unsigned chsz = e->is64 ? 24 : 12;
	int rc;

	*size = s->size;
	if (!(s->flags & ELF_SHF_COMPRESSED))
		return BI_OK;
	if (s->size < chsz)
		return bi_fail(err, BI_E_FORMAT);
	rc = bi_view_read(v, ch, chsz, s->off, err);
	if (rc == BI_OK)
		*size = e->is64 ? bi_u64(ch + 8, e->be) : bi_u32(ch + 4, e->be);
	return rc;
}

/* Checks one section as NewFile does and reports whether it is the first
 * `.go.buildinfo`. */
static int bi_elf_check_section(const bi_view *v, const bi_elf *e, const bi_elf_shdr *s,
                                const bi_elf_names *n, bi_win *names_win, int *is_bi, bi_error *err)
{
	uint64_t chsz = e->is64 ? 24 : 12;

	*is_bi = 0;
	if (s->off > INT64_MAX || s->size > INT64_MAX)
		return bi_fail(err, BI_E_FORMAT);
	/* NewFile reads every compression header. */
	if ((s->flags & ELF_SHF_COMPRESSED) && (s->size < chsz || !bi_view_has(v, s->off, chsz)))
		return bi_fail(err, BI_E_FORMAT);
	if (!n->present)
		return BI_OK;
	if (s->name >= n->nul_end)
		return bi_fail(err, BI_E_FORMAT);
	return bi_elf_is_buildinfo(names_win, n, s->name, is_bi, err);
}

static int bi_elf_sections(const bi_view *v, bi_elf *e, bi_exe *x, bi_error *err)
{
	unsigned want = e->is64 ? 64 : 40;
	bi_win shdr_win, names_win;
	bi_elf_names names;
	int found = 0, rc;

	rc = bi_elf_extended(v, e, err);
	if (rc != BI_OK || e->shnum == 0)
		return rc;
	if (e->shentsize < want || e->shnum > UINT64_MAX / e->shentsize ||
	    !bi_view_has(v, e->shoff, e->shnum * e->shentsize))
		return bi_fail(err, BI_E_FORMAT);
	/* Go would index past its table here and panic. */
	if (e->shstrndx >= e->shnum)
		return bi_fail(err, BI_E_FORMAT);
	rc = bi_elf_names_open(v, e, &names, err);
	if (rc != BI_OK)
		return rc;
	bi_win_init(&shdr_win, v);
	bi_win_init(&names_win, v);
	for (uint64_t i = 0; i < e->shnum; i++) {
		const unsigned char *p;
		bi_elf_shdr s;
		int is_bi;

		rc = bi_win_get(&shdr_win, e->shoff + i * e->shentsize, want, &p, err);
		if (rc != BI_OK)
			return rc;
		bi_elf_parse_shdr(e, p, &s);
		rc = bi_elf_check_section(v, e, &s, &names, &names_win, &is_bi, err);
		if (rc == BI_OK && is_bi && !found) {
			found = 1;
			x->data_start = s.addr;
			rc = bi_elf_section_size(v, e, &s, &x->data_size, err);
		}
		if (rc != BI_OK)
			return rc;
	}
	return BI_OK;
}

int bi_elf_open(const bi_view *v, bi_exe *x, bi_error *err)
{
	bi_elf e = {0};
	int rc;

	rc = bi_elf_header(v, &e, err);
	if (rc == BI_OK)
		rc = bi_elf_progs(v, &e, x, err);
	if (rc == BI_OK)
		rc = bi_elf_sections(v, &e, x, err);
	return rc;
}
