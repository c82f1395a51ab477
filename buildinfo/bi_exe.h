/* bi_exe.h — what an object-file reader hands to the build-info decoder.
 *
 * Each format reader (bi_elf.c, bi_macho.c, bi_pe.c, bi_xcoff.c, bi_plan9.c)
 * checks the headers the way Go's debug/elf, debug/macho, … do, then fills a
 * bi_exe: Go's DataStart (where to look for the blob) and the list of mapped
 * regions behind Go's DataReader (how an address becomes file bytes). The
 * decoder in bi_read.c knows nothing else about formats. A bi_exe owns its
 * region array and is released with bi_exe_free; it borrows the source.
 */
#ifndef PGO_GO_BI_EXE_H
#define PGO_GO_BI_EXE_H

#include <stddef.h>
#include <stdint.h>

#include "bi.h"

/* A window of a source: the whole file, or one architecture of a Mach-O
 * universal file. Nothing outside [base, base + size) is ever read, and size
 * never reaches past the end of the source. */
typedef struct bi_view {
	const bi_src *src;
	uint64_t base;
	uint64_t size;
} bi_view;

/* One segment or section as Go's DataReader sees it: the addresses
 * [vaddr, vaddr + size) are the file bytes [off, off + size) of the view. */
typedef struct bi_region {
	uint64_t vaddr;
	uint64_t size;
	uint64_t off;
	int nobits; /* PE/XCOFF raw-data pointer 0: any read fails, as in Go */
} bi_region;

typedef struct bi_exe {
	bi_view view;
	uint64_t data_start; /* Go's DataStart(); size 0 means "not a Go executable" */
	uint64_t data_size;
	uint64_t addr_bias; /* subtracted from every address first (PE image base) */
	unsigned addr_bits; /* 32: a region's end wraps at 2^32 like Go's uint32 fields */
	bi_code unmapped;   /* what an address outside every region gives */
	bi_region *regions; /* in header order: the first one containing an address wins */
	size_t nregions;
	size_t cap;
} bi_exe;

/* The format readers. Each takes a view positioned at the file's first byte and
 * returns BI_OK with *x filled in, or BI_E_FORMAT where Go's parser rejects the
 * headers (BI_E_IO, BI_E_NOMEM for the reader's own failures). */
int bi_elf_open(const bi_view *v, bi_exe *x, bi_error *err);
int bi_macho_open(const bi_view *v, bi_exe *x, bi_error *err);
int bi_fat_open(const bi_view *v, bi_exe *x, bi_error *err);
int bi_pe_open(const bi_view *v, bi_exe *x, bi_error *err);
int bi_xcoff_open(const bi_view *v, bi_exe *x, bi_error *err);
int bi_plan9_open(const bi_view *v, bi_exe *x, bi_error *err);

void bi_exe_init(bi_exe *x, const bi_view *v);
int bi_exe_add_region(bi_exe *x, uint64_t vaddr, uint64_t size, uint64_t off, int nobits,
                      bi_error *err);
void bi_exe_free(bi_exe *x);

/* Where an address lands: Go's DataReader(addr) before any read. */
typedef struct bi_loc {
	uint64_t off;   /* view offset of addr */
	uint64_t avail; /* bytes readable from there (0 past the end of the file) */
	bi_code fail;   /* not BI_OK: every read here, even of 0 bytes, fails so */
} bi_loc;

/* Go's DataReader(addr). Returns x->unmapped when no region holds addr. */
int bi_exe_locate(const bi_exe *x, uint64_t addr, bi_loc *loc, bi_error *err);

/* Records code (and errno for BI_E_IO) in err, which may be NULL; returns code. */

/* Whether [off, off + n) lies inside the view, without overflow. */
int bi_view_has(const bi_view *v, uint64_t off, uint64_t n);

/* Reads exactly n bytes at view offset off: BI_E_FORMAT when the view ends
 * first (a header Go could not read), BI_E_IO when the read fails. */
int bi_view_read(const bi_view *v, void *buf, size_t n, uint64_t off, bi_error *err);

/* A small read-ahead buffer for walking header tables entry by entry without
 * one system call per entry and without loading the table whole. */
#define BI_WIN_SIZE 8192
typedef struct bi_win {
	const bi_view *view;
	uint64_t off; /* view offset of buf[0] */
	size_t len;   /* valid bytes in buf */
	unsigned char buf[BI_WIN_SIZE];
} bi_win;

void bi_win_init(bi_win *w, const bi_view *v);

/* Points *p at the n (<= BI_WIN_SIZE) bytes at view offset off, valid until the
 * next call. Errors as bi_view_read. */
int bi_win_get(bi_win *w, uint64_t off, size_t n, const unsigned char **p, bi_error *err);

/* Fixed-width integers in either byte order (be != 0: big-endian). */
static inline uint16_t bi_u16(const unsigned char *p, int be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t bi_u32(const unsigned char *p, int be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t bi_u64(const unsigned char *p, int be)
{
	uint64_t hi = bi_u32(p + (be ? 0 : 4), be);
	uint64_t lo = bi_u32(p + (be ? 4 : 0), be);

	return hi << 32 | lo;
}

#endif
