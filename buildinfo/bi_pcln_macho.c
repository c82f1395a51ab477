/* bi_pcln_macho.c — a Mach-O file (or a universal file's first image) as
 * the function-table reader maps it: the sections of every segment, and
 * `__gopclntab`. */
#include <string.h>

#include "bi_pcln_int.h"

#define MACHO_LC_SEGMENT   0x1u
#define MACHO_LC_SEGMENT64 0x19u
#define MACHO_VM_PROT_W    0x2u
#define MACHO_VM_PROT_X    0x4u

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

int bi_pcln_macho_open(bi_pcln_obj *o, bi_pcln_err *err)
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
int bi_pcln_fat_open(bi_pcln_obj *o, bi_pcln_err *err)
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
