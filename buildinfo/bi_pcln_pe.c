/* bi_pcln_pe.c — a PE file as the function-table reader maps it: its
 * sections at image base + address, and the COFF symbols
 * runtime.pclntab..runtime.epclntab (and go:func.*) that cmd/internal/objfile
 * finds the table by. A binary linked with -s has none: the header scan of
 * bi_pclntab.c finds it then. */
#include <string.h>

#include "bi_pcln_int.h"

#define PE_SCN_CNT_UNINITIALIZED 0x00000080u
#define PE_SCN_MEM_EXECUTE       0x20000000u
#define PE_SCN_MEM_WRITE         0x80000000u
#define PE_SYMBOL_SIZE           18

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

int bi_pcln_pe_open(bi_pcln_obj *o, bi_pcln_err *err)
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
