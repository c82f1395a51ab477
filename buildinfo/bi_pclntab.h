/* bi_pclntab.h — Go's function table in a binary: every function's name,
 * start line and pc→line table, and the inline tree that says which of its
 * instructions belong to functions inlined into it.
 *
 * The table is the one the runtime reads for tracebacks and profiles
 * (runtime/symtab.go, written by cmd/link/internal/ld/pcln.go): ELF
 * `.gopclntab`, Mach-O `__gopclntab`, PE `runtime.pclntab`..`epclntab`,
 * or, where section headers or symbols are gone, found by its header. The
 * layouts of Go 1.18 to 1.26 are read, either byte order, 32 or 64 bits;
 * start lines exist from Go 1.20 on. The funcdata base the inline trees
 * hang off (moduledata.gofunc) comes from the module data, the
 * `go:func.*` symbol, or Go 1.26's placement of it after the table.
 *
 * Everything is read with bounded reads (the table and the funcdata block
 * once each, never the whole file) and every offset is checked against the
 * real length: a malformed or truncated table is BI_PCLN_E_CORRUPT with a
 * message, never a crash.
 *
 * Ownership: bi_pcln_open* return a bi_pcln the caller releases with
 * bi_pcln_free; bi_pcln_index_* likewise with bi_pcln_index_free (both
 * NULL-safe). Strings handed out point into the table and live as long as
 * it does: an index built with bi_pcln_index_build borrows its table, which
 * must outlive it; bi_pcln_index_file's owns its own.
 */
#ifndef PGO_GO_BI_PCLNTAB_H
#define PGO_GO_BI_PCLNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "bi_src.h"

typedef enum bi_pcln_code {
	BI_PCLN_OK = 0,
	BI_PCLN_E_OPEN,    /* the file could not be opened */
	BI_PCLN_E_IO,      /* a read failed */
	BI_PCLN_E_FORMAT,  /* not an ELF, Mach-O or PE file */
	BI_PCLN_E_NOTABLE, /* no Go function table: not Go, or the table was removed */
	BI_PCLN_E_VERSION, /* a table layout from before Go 1.18 */
	BI_PCLN_E_CORRUPT, /* the table is malformed or truncated */
	BI_PCLN_E_NOMEM,
} bi_pcln_code;

typedef struct bi_pcln_err {
	bi_pcln_code code;
	char msg[256]; /* one line, saying what is wrong where */
} bi_pcln_err;

typedef struct bi_pcln bi_pcln;

int bi_pcln_open(const bi_src *src, bi_pcln **out, bi_pcln_err *err);
int bi_pcln_open_file(const char *path, bi_pcln **out, bi_pcln_err *err);
void bi_pcln_free(bi_pcln *t);

/* How the table was read, for messages and tests. */
typedef struct bi_pcln_about {
	const char *format;     /* "ELF", "Mach-O", "PE" */
	const char *table_from; /* "section .gopclntab", "symbols runtime.pclntab", "header scan" */
	const char
	    *gofunc_from; /* "module data", "symbol go:func.*", "Go 1.26 layout"; NULL: none */
	unsigned layout;  /* 118: Go 1.18–1.19; 120: Go 1.20 and later */
	int big_endian;
	unsigned ptr_size, quantum;
	size_t nfunc;
	int have_text; /* text known: entries are addresses, else offsets from text */
	uint64_t text;
} bi_pcln_about;

void bi_pcln_describe(const bi_pcln *t, bi_pcln_about *a);

size_t bi_pcln_nfunc(const bi_pcln *t);

typedef struct bi_pcln_func {
	const char *name; /* as the table spells it: type arguments in full */
	size_t name_len;
	uint64_t entry;     /* address, or offset from text (bi_pcln_about.have_text) */
	int32_t start_line; /* 0 in Go 1.18/1.19 tables */
	uint8_t func_id;    /* internal/abi.FuncID */
} bi_pcln_func;

int bi_pcln_func_at(const bi_pcln *t, size_t i, bi_pcln_func *f, bi_pcln_err *err);

/* A run of a function's instructions with one source position, and the
 * frame they belong to: the function itself (inl < 0) or the innermost
 * function inlined there (runtime/symtabinl.go's inlineUnwinder). */
typedef struct bi_pcln_span {
	uint64_t pc_start, pc_end; /* offsets from the function's entry */
	int32_t line;
	const char *file; /* NULL when the table has none for these pcs */
	size_t file_len;
	int32_t inl;      /* index in the function's inline tree, or -1 */
	const char *name; /* the frame's function */
	size_t name_len;
	int32_t start_line; /* that function's start line */
} bi_pcln_span;

/* Calls fn for each run of function i, in pc order; a non-zero return
 * stops the walk and is returned. */
typedef int bi_pcln_span_fn(void *ctx, const bi_pcln_span *s);
int bi_pcln_func_spans(const bi_pcln *t, size_t i, bi_pcln_span_fn *fn, void *ctx,
                       bi_pcln_err *err);

/* The file function i starts in; NULL when the table names none. */
int bi_pcln_func_file(const bi_pcln *t, size_t i, const char **file, size_t *len, bi_pcln_err *err);

/* One call inlined into a function: an entry of its inline tree
 * (runtime.inlinedCall). */
typedef struct bi_pcln_inlined {
	int32_t idx;      /* its index, as bi_pcln_span.inl gives it */
	const char *name; /* the function inlined */
	size_t name_len;
	int32_t start_line;
	uint32_t parent_pc; /* an instruction of the caller at the call site (from entry) */
} bi_pcln_inlined;

/* Calls fn for each entry of function i's inline tree, that is for every
 * call inlined into it; a non-zero return stops the walk and is returned. */
typedef int bi_pcln_inl_fn(void *ctx, const bi_pcln_inlined *c);
int bi_pcln_func_inlined(const bi_pcln *t, size_t i, bi_pcln_inl_fn *fn, void *ctx,
                         bi_pcln_err *err);

/* ---- the index fit uses: function name → start line and lines --------- */

enum {
	BI_PCLN_HOST = 1,    /* the function has code of its own */
	BI_PCLN_INLINED = 2, /* it is inlined into some function */
	BI_PCLN_LINES = 4,   /* its lines were collected (see bi_pcln_want_fn) */
};

/* One function name in the binary, with every line that has code of its
 * own: its instructions where it is the innermost frame, in its own body
 * and wherever it is inlined. The file is known for functions with a body
 * of their own and for those whose lines were collected. */
typedef struct bi_pcln_fn {
	const char *name; /* the symbol name, type arguments in full, as profiles record it */
	size_t name_len;
	const char *file; /* the file of its first code seen; NULL if unknown */
	int32_t start_line;
	unsigned flags;         /* BI_PCLN_HOST | BI_PCLN_INLINED */
	const int32_t *offsets; /* line - start_line, sorted, distinct */
	size_t noffsets;
	const struct bi_pcln_site *sites; /* calls inlined into it (with lines) */
	size_t nsites;
} bi_pcln_fn;

/* A call inlined into a function whose lines were collected: the callee
 * (bi_pcln_index_at) and the call's line - the caller's start line. */
typedef struct bi_pcln_site {
	uint32_t callee;
	int32_t offset;
} bi_pcln_site;

typedef struct bi_pcln_index bi_pcln_index;

/* What an index build wants of the function with this name: nothing (0),
 * to have it listed wherever it is (BI_PCLN_WANT_LISTED), or its lines and
 * inlined calls too (BI_PCLN_WANT_LINES). */
enum { BI_PCLN_WANT_LISTED = 1, BI_PCLN_WANT_LINES = 2 };
typedef int bi_pcln_want_fn(void *ctx, const char *name, size_t len);

/* Indexes the functions of t (which must outlive the index). want is
 * asked once per name of the table (NULL: every name's lines). Functions
 * with a body of their own are always listed, with start line and file;
 * those only inlined when wanted. Lines and inlined calls are collected for
 * the names whose lines are wanted, and only the bodies holding one of
 * them (their own or inlined) are walked, which is most of the cost. */
int bi_pcln_index_build(const bi_pcln *t, bi_pcln_want_fn *want, void *ctx, bi_pcln_index **out,
                        bi_pcln_err *err);

/* bi_pcln_open_file and bi_pcln_index_build of everything in one. */
int bi_pcln_index_file(const char *path, bi_pcln_index **out, bi_pcln_err *err);

void bi_pcln_index_free(bi_pcln_index *ix);

/* The function of that name, or NULL. */
const bi_pcln_fn *bi_pcln_index_find(const bi_pcln_index *ix, const char *name, size_t len);

/* Whether f has code at start_line + off (never, without BI_PCLN_LINES). */
int bi_pcln_fn_has_offset(const bi_pcln_fn *f, int32_t off);

/* Whether callee is inlined into caller (which has BI_PCLN_LINES) at its
 * start line + off: 1 yes, 0 inlined into it elsewhere only, -1 never.
 * Where a callee is inlined at some of its calls from a caller, it mostly
 * is at all of them, so 0 says the call at off is not to callee: the code
 * changed. */
int bi_pcln_inlined_at(const bi_pcln_index *ix, const bi_pcln_fn *caller, const bi_pcln_fn *callee,
                       int32_t off);

size_t bi_pcln_index_count(const bi_pcln_index *ix);
const bi_pcln_fn *bi_pcln_index_at(const bi_pcln_index *ix, size_t i);

/* The table's layout, as bi_pcln_describe gives it, for messages. */
unsigned bi_pcln_index_layout(const bi_pcln_index *ix);

#endif
