/* bi_xcoff.c — AIX XCOFF (32-bit 0x01df, 64-bit 0x01f7) headers as Go's
 * internal/xcoff.NewFile checks them, and debug/buildinfo's xcoffExe: the
 * STYP_DATA section; addresses map through the section table.
 *
 * Left out of Go's checks on purpose: the symbol table is bounds-checked as a
 * whole but its entries are not read.
 */
#include "bi_exe.h"

#define XCOFF_MAGIC32   0x01df
#define XCOFF_MAGIC64   0x01f7
#define XCOFF_STYP_TEXT 0x0020
#define XCOFF_STYP_DATA 0x0040
#define XCOFF_SYMESZ    18

typedef struct bi_xcoff {
	int is64;
	uint16_t nscns, opthdr;
	uint64_t symptr;
	uint32_t nsyms;
	int have_data;
} bi_xcoff;

/* One section header, the fields that matter here. */
typedef struct bi_xcoff_scn {
	uint64_t vaddr, size, scnptr, relptr;
	uint32_t nreloc, flags;
} bi_xcoff_scn;

static int bi_xcoff_header(const bi_view *v, bi_xcoff *xc, bi_error *err)
{
	unsigned char h[24];
	uint16_t magic;
	int rc;

	rc = bi_view_read(v, h, 2, 0, err);
	if (rc != BI_OK)
		return rc;
	magic = bi_u16(h, 1);
	if (magic != XCOFF_MAGIC32 && magic != XCOFF_MAGIC64)
		return bi_fail(err, BI_E_FORMAT);
	xc->is64 = magic == XCOFF_MAGIC64;
	rc = bi_view_read(v, h, xc->is64 ? 24 : 20, 0, err);
	if (rc != BI_OK)
		return rc;
	xc->nscns = bi_u16(h + 2, 1);
	xc->symptr = xc->is64 ? bi_u64(h + 8, 1) : bi_u32(h + 8, 1);
	xc->opthdr = bi_u16(h + 16, 1);
	xc->nsyms = xc->is64 ? bi_u32(h + 20, 1) : bi_u32(h + 12, 1);
	if (xc->symptr == 0 || xc->nsyms == 0)
		return bi_fail(err, BI_E_FORMAT);
	return BI_OK;
}

/* The symbols and, right after them, the string table (its length word
 * counts itself). Go's offsets become int64, so past INT64_MAX is an error. */
static int bi_xcoff_symbols(const bi_view *v, const bi_xcoff *xc, bi_error *err)
{
	uint64_t off = xc->symptr + (uint64_t)xc->nsyms * XCOFF_SYMESZ;
	unsigned char lw[4];
	uint32_t len;
	int rc;

	if (off > INT64_MAX || xc->symptr > INT64_MAX)
		return bi_fail(err, BI_E_FORMAT);
	rc = bi_view_read(v, lw, 4, off, err);
	if (rc != BI_OK)
		return rc;
	len = bi_u32(lw, 1);
	if (len > 4 && !bi_view_has(v, off, len))
		return bi_fail(err, BI_E_FORMAT);
	if (!bi_view_has(v, xc->symptr, (uint64_t)xc->nsyms * XCOFF_SYMESZ))
		return bi_fail(err, BI_E_FORMAT);
	return BI_OK;
}

static void bi_xcoff_parse_scn(const unsigned char *p, int is64, bi_xcoff_scn *s)
{
	if (is64) {
		s->vaddr = bi_u64(p + 16, 1);
		s->size = bi_u64(p + 24, 1);
		s->scnptr = bi_u64(p + 32, 1);
		s->relptr = bi_u64(p + 40, 1);
		s->nreloc = bi_u32(p + 56, 1);
		s->flags = bi_u32(p + 64, 1);
	} else {
		s->vaddr = bi_u32(p + 12, 1);
		s->size = bi_u32(p + 16, 1);
		s->scnptr = bi_u32(p + 20, 1);
		s->relptr = bi_u32(p + 24, 1);
		s->nreloc = bi_u16(p + 32, 1);
		s->flags = bi_u32(p + 36, 1);
	}
}

/* Go reads the relocations of text and data sections. */
static int bi_xcoff_relocs_ok(const bi_view *v, const bi_xcoff *xc, const bi_xcoff_scn *s)
{
	if ((s->flags != XCOFF_STYP_TEXT && s->flags != XCOFF_STYP_DATA) || s->relptr == 0)
		return 1;
	if (s->relptr > INT64_MAX)
		return 0;
	return s->nreloc == 0 ||
	       bi_view_has(v, s->relptr, (uint64_t)s->nreloc * (xc->is64 ? 14 : 10));
}

static int bi_xcoff_sections(const bi_view *v, bi_xcoff *xc, bi_exe *x, bi_error *err)
{
	unsigned entsz = xc->is64 ? 72 : 40;
	uint64_t table = (xc->is64 ? 24 : 20) + (uint64_t)xc->opthdr;
	bi_win w;

	if (!bi_view_has(v, table, (uint64_t)xc->nscns * entsz))
		return bi_fail(err, BI_E_FORMAT);
	bi_win_init(&w, v);
	for (unsigned i = 0; i < xc->nscns; i++) {
		const unsigned char *p;
		bi_xcoff_scn s;
		int rc = bi_win_get(&w, table + (uint64_t)i * entsz, entsz, &p, err);

		if (rc != BI_OK)
			return rc;
		bi_xcoff_parse_scn(p, xc->is64, &s);
		if (!bi_xcoff_relocs_ok(v, xc, &s))
			return bi_fail(err, BI_E_FORMAT);
		if (!xc->have_data && s.flags == XCOFF_STYP_DATA) {
			xc->have_data = 1;
			x->data_start = s.vaddr;
			x->data_size = s.size;
		}
		/* .bss has no raw data: Go's reader for it fails every read. */
		rc = bi_exe_add_region(x, s.vaddr, s.size, s.scnptr, s.scnptr == 0, err);
		if (rc != BI_OK)
			return rc;
	}
	return BI_OK;
}

int bi_xcoff_open(const bi_view *v, bi_exe *x, bi_error *err)
{
	bi_xcoff xc = {0};
	int rc;

	rc = bi_xcoff_header(v, &xc, err);
	if (rc == BI_OK)
		rc = bi_xcoff_symbols(v, &xc, err);
	if (rc != BI_OK)
		return rc;
	x->unmapped = BI_E_UNMAPPED;
	return bi_xcoff_sections(v, &xc, x, err);
}
