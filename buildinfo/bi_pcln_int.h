/* bi_pcln_int.h — what the function-table reader's files share: the map of
 * an object file (bi_pcln_obj.c and the format readers bi_pcln_elf.c,
 * bi_pcln_macho.c, bi_pcln_pe.c fill it from the headers) and the parsed
 * table (bi_pclntab.c, bi_pcln_func.c) that the index (bi_pcln_build.c)
 * walks. Nothing here is for use outside buildinfo/.
 */
#ifndef PGO_GO_BI_PCLN_INT_H
#define PGO_GO_BI_PCLN_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bi_exe.h"
#include "bi_pclntab.h"

enum {
	BI_PCLN_R_WRITE = 1, /* writable data: where the module data lives */
	BI_PCLN_R_EXEC = 2,
	BI_PCLN_R_NOBITS = 4, /* no bytes in the file (.bss, zero-fill) */
};

/* A section (or, without section headers, a segment): the addresses
 * [vaddr, vaddr + size) are the view bytes [off, off + size). */
typedef struct bi_pcln_region {
	uint64_t vaddr, size, off;
	unsigned flags;
	char name[17];
} bi_pcln_region;

typedef struct bi_pcln_obj {
	bi_view view;
	const char *format;
	bi_pcln_region *regions;
	size_t nregions, cap;
	/* Where the function table is, when headers or symbols say so. */
	int have_table;
	uint64_t table_vaddr, table_size;
	const char *table_from;
	/* go:func.*, when a symbol table names it. */
	int have_gofunc;
	uint64_t gofunc;
	/* The section the module data sits in, when named (else: every
	 * writable region is searched). */
	const bi_pcln_region *moddata;
} bi_pcln_obj;

/* Reads the headers of the object file in v. */
int bi_pcln_obj_open(const bi_view *v, bi_pcln_obj *o, bi_pcln_err *err);
void bi_pcln_obj_free(bi_pcln_obj *o);

/* The region holding vaddr (with file bytes), or NULL. */
const bi_pcln_region *bi_pcln_obj_region(const bi_pcln_obj *o, uint64_t vaddr);

int bi_pcln_obj_add(bi_pcln_obj *o, const bi_pcln_region *r, bi_pcln_err *err);

/* Adds r unless empty; a region whose bytes lie outside the file counts as
 * having none. */
int bi_pcln_keep(bi_pcln_obj *o, bi_pcln_region *r, bi_pcln_err *err);

/* Notes the table's section and the module data's, by name. */
void bi_pcln_named(bi_pcln_obj *o, const char *table, const char *from, const char *moddata);

/* bi_view_read and bi_win_get with this module's errors ("WHAT truncated"). */
int bi_pcln_read(const bi_view *v, void *buf, size_t n, uint64_t off, const char *what,
                 bi_pcln_err *err);
int bi_pcln_win(bi_win *w, uint64_t off, size_t n, const unsigned char **p, const char *what,
                bi_pcln_err *err);

/* The format readers: the regions of the file in o->view, and the table's
 * place where the headers name it. */
int bi_pcln_elf_open(bi_pcln_obj *o, bi_pcln_err *err);
int bi_pcln_macho_open(bi_pcln_obj *o, bi_pcln_err *err);
int bi_pcln_fat_open(bi_pcln_obj *o, bi_pcln_err *err);
int bi_pcln_pe_open(bi_pcln_obj *o, bi_pcln_err *err);

/* Fills err and returns code; err may be NULL. */
int bi_pcln_fail(bi_pcln_err *err, bi_pcln_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Maps a bi_error from the shared object readers to this module's codes. */
int bi_pcln_from_bi(bi_pcln_err *err, const bi_error *e, const char *what);

/* A bounded buffer: the table, the funcdata block. */
typedef struct bi_pcln_buf {
	unsigned char *p;
	size_t n;
} bi_pcln_buf;

/* The parsed table (bi_pclntab.c). */
struct bi_pcln {
	bi_pcln_obj obj;
	bi_pcln_buf tab; /* from the header to the end of the table */
	uint64_t tab_vaddr;
	int be;
	unsigned ptr, quantum, layout;
	uint64_t nfunc, nfiles;
	/* [start, end) of each part of tab */
	size_t names, names_end, cu, cu_end, files, files_end, pc, pc_end, ftab;
	size_t func_size; /* sizeof(_func) before its pcdata */
	bi_pcln_buf fd;   /* funcdata: from go:func.* to the end of its region */
	int fd_owned;     /* 0: fd points into tab */
	const char *gofunc_from;
	int have_text;
	uint64_t text;
};

/* ---- function records (bi_pcln_func.c) ---- */

/* Offset in tab.p of function i's _func record, checked to lie inside the
 * table with its pcdata and funcdata arrays. */
int bi_pcln_func_rec(const bi_pcln *t, size_t i, size_t *rec, bi_pcln_err *err);

/* Where function i's record (with its arrays) ends, as an offset from the
 * start of the function records (ftab). 0, or -1 when malformed. */
int bi_pcln_func_end(const bi_pcln *t, size_t i, uint64_t *end);

/* Function i's inline tree as an offset from go:func.*: 1 with *off set,
 * 0 when it has none, -1 when its record is malformed. */
int bi_pcln_inltree(const bi_pcln *t, size_t i, uint32_t *off);

#endif
