/* bi_pcln_obj.c — the map of an object file the function-table reader
 * needs: its sections (address, file offset, writable or not) and where
 * the Go function table is, as cmd/internal/objfile finds it for
 * `go tool addr2line`. This file keeps the map and picks the format's
 * reader (bi_pcln_elf.c, bi_pcln_macho.c, bi_pcln_pe.c); those walk their
 * header tables through read-ahead windows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bi_pcln_int.h"

int bi_pcln_fail(bi_pcln_err *err, bi_pcln_code code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int bi_pcln_from_bi(bi_pcln_err *err, const bi_error *e, const char *what)
{
	switch (e->code) {
	case BI_E_IO:
		return bi_pcln_fail(err, BI_PCLN_E_IO, "reading %s: %s", what,
		                    strerror(e->sys_errno));
	case BI_E_NOMEM:
		return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
	default:
		return bi_pcln_fail(err, BI_PCLN_E_CORRUPT, "%s truncated or malformed", what);
	}
}

int bi_pcln_obj_add(bi_pcln_obj *o, const bi_pcln_region *r, bi_pcln_err *err)
{
	if (o->nregions == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;
		bi_pcln_region *p;

		if (o->cap > SIZE_MAX / 2 / sizeof(*p))
			return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
		p = realloc(o->regions, cap * sizeof(*p));
		if (p == NULL)
			return bi_pcln_fail(err, BI_PCLN_E_NOMEM, "out of memory");
		o->regions = p;
		o->cap = cap;
	}
	o->regions[o->nregions++] = *r;
	return BI_PCLN_OK;
}

/* A region is kept only when its file bytes lie inside the view: a section
 * pointing past the end is treated as absent rather than read. */
int bi_pcln_keep(bi_pcln_obj *o, bi_pcln_region *r, bi_pcln_err *err)
{
	if (r->size == 0 || r->vaddr + r->size < r->vaddr)
		return BI_PCLN_OK;
	if (!(r->flags & BI_PCLN_R_NOBITS) && !bi_view_has(&o->view, r->off, r->size))
		r->flags |= BI_PCLN_R_NOBITS;
	return bi_pcln_obj_add(o, r, err);
}

const bi_pcln_region *bi_pcln_obj_region(const bi_pcln_obj *o, uint64_t vaddr)
{
	for (size_t i = 0; i < o->nregions; i++) {
		const bi_pcln_region *r = &o->regions[i];

		if (!(r->flags & BI_PCLN_R_NOBITS) && vaddr >= r->vaddr &&
		    vaddr - r->vaddr < r->size)
			return r;
	}
	return NULL;
}

void bi_pcln_obj_free(bi_pcln_obj *o)
{
	free(o->regions);
	o->regions = NULL;
	o->nregions = o->cap = 0;
}

int bi_pcln_read(const bi_view *v, void *buf, size_t n, uint64_t off, const char *what,
                 bi_pcln_err *err)
{
	bi_error e; /* filled by bi_fail when a read fails */

	if (bi_view_read(v, buf, n, off, &e) != BI_OK)
		return bi_pcln_from_bi(err, &e, what);
	return BI_PCLN_OK;
}

int bi_pcln_win(bi_win *w, uint64_t off, size_t n, const unsigned char **p, const char *what,
                bi_pcln_err *err)
{
	bi_error e; /* filled by bi_fail when a read fails */

	if (bi_win_get(w, off, n, p, &e) != BI_OK)
		return bi_pcln_from_bi(err, &e, what);
	return BI_PCLN_OK;
}

/* Notes the table's section and the module data's, by name. */
void bi_pcln_named(bi_pcln_obj *o, const char *table, const char *from, const char *moddata)
{
	for (size_t i = 0; i < o->nregions; i++) {
		const bi_pcln_region *r = &o->regions[i];

		if (!o->have_table && strcmp(r->name, table) == 0 &&
		    !(r->flags & BI_PCLN_R_NOBITS)) {
			o->have_table = 1;
			o->table_vaddr = r->vaddr;
			o->table_size = r->size;
			o->table_from = from;
		} else if (o->moddata == NULL && strcmp(r->name, moddata) == 0) {
			o->moddata = r;
		}
	}
}

int bi_pcln_obj_open(const bi_view *v, bi_pcln_obj *o, bi_pcln_err *err)
{
	unsigned char id[8];
	int rc;

	memset(o, 0, sizeof(*o));
	o->view = *v;
	rc = bi_pcln_read(v, id, sizeof(id), 0, "file header", err);
	if (rc != BI_PCLN_OK)
		return bi_pcln_fail(err, BI_PCLN_E_FORMAT, "not an object file (too short)");
	if (memcmp(id, "\177ELF", 4) == 0)
		rc = bi_pcln_elf_open(o, err);
	else if (memcmp(id, "MZ", 2) == 0)
		rc = bi_pcln_pe_open(o, err);
	else if ((bi_u32(id, 0) & ~1u) == 0xfeedfaceu || (bi_u32(id, 1) & ~1u) == 0xfeedfaceu)
		rc = bi_pcln_macho_open(o, err);
	else if (bi_u32(id, 1) == 0xcafebabeu)
		rc = bi_pcln_fat_open(o, err);
	else
		rc = bi_pcln_fail(err, BI_PCLN_E_FORMAT, "not an ELF, Mach-O or PE file");
	if (rc != BI_PCLN_OK)
		bi_pcln_obj_free(o);
	return rc;
}
