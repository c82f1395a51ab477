/* bi_plan9.c — Plan 9 a.out (386, amd64, arm) as Go's debug/plan9obj reads
 * it, and debug/buildinfo's plan9objExe. Go addresses this format by file
 * offset: DataStart is the data section's offset, and DataReader looks an
 * offset up among the sections laid end to end after the header (32 bytes,
 * 40 when the 64-bit flag adds an 8-byte entry point), all in uint32.
 */
#include "bi_exe.h"

#define PLAN9_MAGIC64 0x8000u

int bi_plan9_open(const bi_view *v, bi_exe *x, bi_error *err)
{
	/* text, data, syms, spsz, pcsz: header words 1, 2, 4, 6, 7 (3 is bss,
	 * 5 the entry point). */
	static const unsigned word[5] = {1, 2, 4, 6, 7};
	unsigned char h[32];
	uint32_t magic, off;
	int rc;

	rc = bi_view_read(v, h, sizeof(h), 0, err);
	if (rc != BI_OK)
		return rc;
	magic = bi_u32(h, 1);
	if (magic != 0x1eb && magic != 0x8a97 && magic != 0x647)
		return bi_fail(err, BI_E_FORMAT);
	off = 32;
	if (magic & PLAN9_MAGIC64) {
		unsigned char entry[8];

		rc = bi_view_read(v, entry, sizeof(entry), 32, err);
		if (rc != BI_OK)
			return rc;
		off = 40;
	}
	x->unmapped = BI_E_UNMAPPED;
	x->addr_bits = 32;
	for (int i = 0; i < 5; i++) {
		uint32_t size = bi_u32(h + 4 * word[i], 1);

		if (i == 1) {
			x->data_start = off;
			x->data_size = size;
		}
		rc = bi_exe_add_region(x, off, size, off, 0, err);
		if (rc != BI_OK)
			return rc;
		off += size;
	}
	return BI_OK;
}
