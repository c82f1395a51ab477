/* bi_pe.c — PE (PE32 and PE32+) headers as Go's debug/pe.NewFile checks
 * them, and debug/buildinfo's peExe: the first initialized, read-write data
 * section, at its virtual address plus the image base; addresses map through
 * the section table with Go's 32-bit arithmetic.
 *
 * Left out of Go's checks on purpose: the COFF symbol table is bounds-checked
 * but its entries are not read, so a bad auxiliary count or symbol-name offset
 * inside it goes unnoticed.
 */
#include <string.h>

#include "bi_exe.h"

#define PE_SCN_CNT_INITIALIZED_DATA 0x00000040u
#define PE_SCN_MEM_READ             0x40000000u
#define PE_SCN_MEM_WRITE            0x80000000u
#define PE_SCN_ALIGN_32BYTES        0x00600000u
#define PE_SYMBOL_SIZE              18
#define PE_RELOC_SIZE               10

typedef struct bi_pe {
	uint64_t hdr; /* file offset of the COFF file header */
	uint16_t nsect;
	uint16_t opt_size;
	uint32_t symptr, nsyms;
	uint64_t strtab_len; /* bytes of the string table after its length word */
	uint64_t image_base;
	int have_data; /* DataStart found: the first matching section wins */
} bi_pe;

static int bi_pe_machine_ok(uint16_t m)
{
	switch (m) {
	case 0x0:    /* unknown */
	case 0x14c:  /* i386 */
	case 0x1c4:  /* ARMNT */
	case 0x8664: /* AMD64 */
	case 0xaa64: /* ARM64 */
	case 0x5032: /* RISCV32 */
	case 0x5064: /* RISCV64 */
	case 0x5128: /* RISCV128 */
		return 1;
	}
	return 0;
}

static int bi_pe_file_header(const bi_view *v, bi_pe *pe, bi_error *err)
{
	unsigned char dos[96], sig[4] = {0}, fh[20];
	uint32_t signoff;
	int rc;

	rc = bi_view_read(v, dos, sizeof(dos), 0, err);
	if (rc != BI_OK)
		return rc;
	signoff = bi_u32(dos + 0x3c, 0);
	/* Go ignores a failed read here and finds no signature. */
	if (bi_view_has(v, signoff, 4)) {
		rc = bi_view_read(v, sig, 4, signoff, err);
		if (rc != BI_OK)
			return rc;
	}
	if (memcmp(sig, "PE\0\0", 4) != 0)
		return bi_fail(err, BI_E_FORMAT);
	pe->hdr = (uint64_t)signoff + 4;
	rc = bi_view_read(v, fh, sizeof(fh), pe->hdr, err);
	if (rc != BI_OK)
		return rc;
	if (!bi_pe_machine_ok(bi_u16(fh, 0)))
		return bi_fail(err, BI_E_FORMAT);
	pe->nsect = bi_u16(fh + 2, 0);
	pe->symptr = bi_u32(fh + 8, 0);
	pe->nsyms = bi_u32(fh + 12, 0);
	pe->opt_size = bi_u16(fh + 16, 0);
	return BI_OK;
}

/* The COFF string table follows the symbols; Go computes its offset in 32
 * bits and reads it whole. */
static int bi_pe_symbols(const bi_view *v, bi_pe *pe, bi_error *err)
{
	unsigned char lw[4];
	uint32_t off, len;
	int rc;

	pe->strtab_len = 0;
	if (pe->symptr == 0)
		return BI_OK;
	off = pe->symptr + PE_SYMBOL_SIZE * pe->nsyms;
	rc = bi_view_read(v, lw, 4, off, err);
	if (rc != BI_OK)
		return rc;
	len = bi_u32(lw, 0);
	if (len > 4) {
		if (!bi_view_has(v, (uint64_t)off + 4, len - 4))
			return bi_fail(err, BI_E_FORMAT);
		pe->strtab_len = len - 4;
	}
	if (pe->nsyms > 0 && !bi_view_has(v, pe->symptr, (uint64_t)pe->nsyms * PE_SYMBOL_SIZE))
		return bi_fail(err, BI_E_FORMAT);
	return BI_OK;
}

/* The optional header: PE32 (0x10b) or PE32+ (0x20b), its size consistent
 * with its count of data directories, all of it present. */
static int bi_pe_optional(const bi_view *v, bi_pe *pe, bi_error *err)
{
	uint64_t off = pe->hdr + 20;
	unsigned char oh[112];
	unsigned min;
	int rc;

	pe->image_base = 0;
	if (pe->opt_size == 0)
		return BI_OK;
	if (pe->opt_size < 2)
		return bi_fail(err, BI_E_FORMAT);
	rc = bi_view_read(v, oh, 2, off, err);
	if (rc != BI_OK)
		return rc;
	if (bi_u16(oh, 0) != 0x10b && bi_u16(oh, 0) != 0x20b)
		return bi_fail(err, BI_E_FORMAT);
	min = bi_u16(oh, 0) == 0x10b ? 96 : 112;
	if (pe->opt_size < min)
		return bi_fail(err, BI_E_FORMAT);
	rc = bi_view_read(v, oh, min, off, err);
	if (rc != BI_OK)
		return rc;
	if ((uint64_t)(pe->opt_size - min) != (uint64_t)bi_u32(oh + min - 4, 0) * 8 ||
	    !bi_view_has(v, off, pe->opt_size))
		return bi_fail(err, BI_E_FORMAT);
	pe->image_base = min == 96 ? bi_u32(oh + 28, 0) : bi_u64(oh + 24, 0);
	return BI_OK;
}

/* A long section name "/123" is an offset into the string table, parsed as
 * strconv.Atoi parses it and checked as StringTable.String checks it. */
static int bi_pe_name_ok(const unsigned char name[8], const bi_pe *pe)
{
	const unsigned char *s = name + 1;
	const unsigned char *end = memchr(s, '\0', 7);
	uint32_t start;
	int64_t n = 0;
	int neg = 0;

	if (name[0] != '/')
		return 1;
	if (end == NULL)
		end = name + 8;
	if (s < end && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (s == end)
		return 0;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (*s - '0');
	}
	/* Go converts the int to uint32: a negative offset wraps. */
	start = (uint32_t)(neg ? -n : n);
	return start >= 4 && start - 4 <= pe->strtab_len;
}

static int bi_pe_section(const unsigned char *p, const bi_view *v, bi_pe *pe, bi_exe *x,
                         bi_error *err)
{
	const uint32_t want = PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ | PE_SCN_MEM_WRITE;
	uint32_t vsize = bi_u32(p + 8, 0), va = bi_u32(p + 12, 0);
	uint32_t size = bi_u32(p + 16, 0), off = bi_u32(p + 20, 0);
	uint32_t reloff = bi_u32(p + 24, 0), nreloc = bi_u16(p + 32, 0);
	uint32_t flags = bi_u32(p + 36, 0);

	if (!bi_pe_name_ok(p, pe))
		return bi_fail(err, BI_E_FORMAT);
	if (nreloc > 0 && !bi_view_has(v, reloff, (uint64_t)nreloc * PE_RELOC_SIZE))
		return bi_fail(err, BI_E_FORMAT);
	if (!pe->have_data && va != 0 && size != 0 && (flags & ~PE_SCN_ALIGN_32BYTES) == want) {
		pe->have_data = 1;
		x->data_start = va + pe->image_base;
		x->data_size = vsize;
	}
	/* Without raw data, Go's section reader fails every read. */
	return bi_exe_add_region(x, va, size, off, off == 0, err);
}

static int bi_pe_sections(const bi_view *v, bi_pe *pe, bi_exe *x, bi_error *err)
{
	uint64_t table = pe->hdr + 20 + pe->opt_size;
	bi_win w;

	if (!bi_view_has(v, table, (uint64_t)pe->nsect * 40))
		return bi_fail(err, BI_E_FORMAT);
	bi_win_init(&w, v);
	for (unsigned i = 0; i < pe->nsect; i++) {
		const unsigned char *p;
		int rc = bi_win_get(&w, table + (uint64_t)i * 40, 40, &p, err);

		if (rc == BI_OK)
			rc = bi_pe_section(p, v, pe, x, err);
		if (rc != BI_OK)
			return rc;
	}
	return BI_OK;
}

int bi_pe_open(const bi_view *v, bi_exe *x, bi_error *err)
{
	bi_pe pe = {0};
	int rc;

	rc = bi_pe_file_header(v, &pe, err);
	if (rc == BI_OK)
		rc = bi_pe_symbols(v, &pe, err);
	if (rc == BI_OK)
		rc = bi_pe_optional(v, &pe, err);
	if (rc != BI_OK)
		return rc;
	/* Go subtracts the image base from an address, then compares it with
	 * section bounds computed in uint32. */
	x->addr_bias = pe.image_base;
	x->addr_bits = 32;
	return bi_pe_sections(v, &pe, x, err);
}
