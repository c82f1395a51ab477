/* bi_macho.c — Mach-O and universal (fat) files as Go's debug/macho reads
 * them, and debug/buildinfo's machoExe: the `__go_buildinfo` section, else the
 * first non-empty read-write segment; addresses map through the segments
 * other than __PAGEZERO. Load commands are walked through a read-ahead window.
 *
 * Left out of Go's checks on purpose: the symbol table's entries are not read
 * (only its bounds are checked), so a bad name index inside it goes unnoticed.
 */
#include <string.h>

#include "bi_exe.h"

#define MACHO_MAGIC32       0xfeedfaceu
#define MACHO_MAGIC64       0xfeedfacfu
#define MACHO_FAT_MAGIC     0xcafebabeu
#define MACHO_LC_SEGMENT    0x1u
#define MACHO_LC_SYMTAB     0x2u
#define MACHO_LC_DYSYMTAB   0xbu
#define MACHO_LC_LOAD_DYLIB 0xcu
#define MACHO_LC_SEGMENT64  0x19u
#define MACHO_LC_RPATH      0x8000001cu
#define MACHO_PROT_RW       3u

/* Real universal files hold a handful of architectures. Go parses every one
 * of them; capping the count keeps a crafted file from making us re-parse the
 * same bytes thousands of times. */
#define MACHO_FAT_MAX 64

typedef struct bi_macho {
	int be, is64;
	uint32_t filetype, ncmd, cmdsz;
	int have_symtab;
	uint32_t nsyms;
	int have_section, have_segment;
} bi_macho;

/* One LC_SEGMENT/LC_SEGMENT_64, the fields buildinfo needs. */
typedef struct bi_macho_seg {
	char name[16];
	uint64_t addr, memsz, off, filesz;
	uint32_t maxprot, prot, nsect;
} bi_macho_seg;

/* A fixed-size name field compared as Go's cstring() of it. */
static int bi_name_is(const unsigned char *field, const char *name)
{
	size_t n = strlen(name);

	return memcmp(field, name, n) == 0 && (n == 16 || field[n] == '\0');
}

static int bi_macho_header(const bi_view *v, bi_macho *m, bi_error *err)
{
	unsigned char h[28];
	uint32_t be32, le32;
	int rc = bi_view_read(v, h, sizeof(h), 0, err);

	if (rc != BI_OK)
		return rc;
	be32 = bi_u32(h, 1);
	le32 = bi_u32(h, 0);
	if ((be32 & ~1u) == MACHO_MAGIC32) {
		m->be = 1;
		m->is64 = be32 == MACHO_MAGIC64;
	} else if ((le32 & ~1u) == MACHO_MAGIC32) {
		m->be = 0;
		m->is64 = le32 == MACHO_MAGIC64;
	} else {
		return bi_fail(err, BI_E_FORMAT);
	}
	m->filetype = bi_u32(h + 12, m->be);
	m->ncmd = bi_u32(h + 16, m->be);
	m->cmdsz = bi_u32(h + 20, m->be);
	if (m->cmdsz > 0 && !bi_view_has(v, m->is64 ? 32 : 28, m->cmdsz))
		return bi_fail(err, BI_E_FORMAT);
	return BI_OK;
}

/* Go reads a section's relocations; here only their bounds are checked. The
 * first `__go_buildinfo` section anywhere is Go's DataStart. */
static int bi_macho_section(bi_win *w, bi_macho *m, uint64_t pos, int seg64, bi_exe *x,
                            bi_error *err)
{
	const unsigned char *p;
	uint32_t reloff, nreloc;
	int rc = bi_win_get(w, pos, seg64 ? 80 : 68, &p, err);

	if (rc != BI_OK)
		return rc;
	reloff = bi_u32(p + (seg64 ? 56 : 48), m->be);
	nreloc = bi_u32(p + (seg64 ? 60 : 52), m->be);
	if (nreloc > 0 && !bi_view_has(w->view, reloff, (uint64_t)nreloc * 8))
		return bi_fail(err, BI_E_FORMAT);
	if (!m->have_section && bi_name_is(p, "__go_buildinfo")) {
		m->have_section = 1;
		x->data_start = seg64 ? bi_u64(p + 32, m->be) : bi_u32(p + 32, m->be);
		x->data_size = seg64 ? bi_u64(p + 40, m->be) : bi_u32(p + 36, m->be);
	}
	return BI_OK;
}

static void bi_macho_parse_seg(const unsigned char *p, int be, int seg64, bi_macho_seg *s)
{
	memcpy(s->name, p + 8, sizeof(s->name));
	if (seg64) {
		s->addr = bi_u64(p + 24, be);
		s->memsz = bi_u64(p + 32, be);
		s->off = bi_u64(p + 40, be);
		s->filesz = bi_u64(p + 48, be);
		p += 56;
	} else {
		s->addr = bi_u32(p + 24, be);
		s->memsz = bi_u32(p + 28, be);
		s->off = bi_u32(p + 32, be);
		s->filesz = bi_u32(p + 36, be);
		p += 40;
	}
	s->maxprot = bi_u32(p, be);
	s->prot = bi_u32(p + 4, be);
	s->nsect = bi_u32(p + 8, be);
}

static int bi_macho_segment(bi_win *w, bi_macho *m, uint64_t pos, uint32_t siz, int seg64,
                            bi_exe *x, bi_error *err)
{
	unsigned hdrsz = seg64 ? 72 : 56, sectsz = seg64 ? 80 : 68;
	const unsigned char *p;
	bi_macho_seg s;
	int rc;

	if (siz < hdrsz)
		return bi_fail(err, BI_E_FORMAT);
	rc = bi_win_get(w, pos, hdrsz, &p, err);
	if (rc != BI_OK)
		return rc;
	bi_macho_parse_seg(p, m->be, seg64, &s);
	if ((uint64_t)s.nsect * sectsz > siz - hdrsz)
		return bi_fail(err, BI_E_FORMAT);
	for (uint32_t i = 0; i < s.nsect; i++) {
		rc = bi_macho_section(w, m, pos + hdrsz + (uint64_t)i * sectsz, seg64, x, err);
		if (rc != BI_OK)
			return rc;
	}
	if (s.off > INT64_MAX || s.filesz > INT64_MAX)
		return bi_fail(err, BI_E_FORMAT);
	if (!m->have_segment && s.addr != 0 && s.filesz != 0 && s.prot == MACHO_PROT_RW &&
	    s.maxprot == MACHO_PROT_RW) {
		m->have_segment = 1;
		if (!m->have_section) {
			x->data_start = s.addr;
			x->data_size = s.memsz;
		}
	}
	/* Go's DataReader passes over __PAGEZERO as if it were not there. */
	if (bi_name_is((const unsigned char *)s.name, "__PAGEZERO"))
		return BI_OK;
	return bi_exe_add_region(x, s.addr, s.filesz, s.off, 0, err);
}

static int bi_macho_symtab(bi_win *w, bi_macho *m, uint64_t pos, uint32_t siz, bi_error *err)
{
	const unsigned char *p;
	uint32_t symoff, stroff, strsize;
	int rc;

	if (siz < 24)
		return bi_fail(err, BI_E_FORMAT);
	rc = bi_win_get(w, pos, 24, &p, err);
	if (rc != BI_OK)
		return rc;
	symoff = bi_u32(p + 8, m->be);
	m->nsyms = bi_u32(p + 12, m->be);
	stroff = bi_u32(p + 16, m->be);
	strsize = bi_u32(p + 20, m->be);
	if (strsize > 0 && !bi_view_has(w->view, stroff, strsize))
		return bi_fail(err, BI_E_FORMAT);
	if (m->nsyms > 0 && !bi_view_has(w->view, symoff, (uint64_t)m->nsyms * (m->is64 ? 16 : 12)))
		return bi_fail(err, BI_E_FORMAT);
	m->have_symtab = 1;
	return BI_OK;
}

static int bi_macho_dysymtab(bi_win *w, const bi_macho *m, uint64_t pos, uint32_t siz,
                             bi_error *err)
{
	const unsigned char *p;
	uint32_t iundef, nundef, indoff, nind;
	int rc;

	if (siz < 80)
		return bi_fail(err, BI_E_FORMAT);
	rc = bi_win_get(w, pos, 80, &p, err);
	if (rc != BI_OK)
		return rc;
	iundef = bi_u32(p + 24, m->be);
	nundef = bi_u32(p + 28, m->be);
	indoff = bi_u32(p + 56, m->be);
	nind = bi_u32(p + 60, m->be);
	/* Go adds the two in 32 bits, so the sum may wrap. */
	if (!m->have_symtab || iundef > m->nsyms || (uint32_t)(iundef + nundef) > m->nsyms)
		return bi_fail(err, BI_E_FORMAT);
	if (nind > 0 && !bi_view_has(w->view, indoff, (uint64_t)nind * 4))
		return bi_fail(err, BI_E_FORMAT);
	return BI_OK;
}

/* LC_RPATH and LC_LOAD_DYLIB: a string offset inside the command. */
static int bi_macho_strcmd(bi_win *w, const bi_macho *m, uint64_t pos, uint32_t siz, uint32_t hdrsz,
                           bi_error *err)
{
	const unsigned char *p;
	int rc;

	if (siz < hdrsz)
		return bi_fail(err, BI_E_FORMAT);
	rc = bi_win_get(w, pos, hdrsz, &p, err);
	if (rc != BI_OK)
		return rc;
	return bi_u32(p + 8, m->be) >= siz ? bi_fail(err, BI_E_FORMAT) : BI_OK;
}

static int bi_macho_command(bi_win *w, bi_macho *m, uint32_t cmd, uint64_t pos, uint32_t siz,
                            bi_exe *x, bi_error *err)
{
	switch (cmd) {
	case MACHO_LC_SEGMENT:
	case MACHO_LC_SEGMENT64:
		return bi_macho_segment(w, m, pos, siz, cmd == MACHO_LC_SEGMENT64, x, err);
	case MACHO_LC_SYMTAB:
		return bi_macho_symtab(w, m, pos, siz, err);
	case MACHO_LC_DYSYMTAB:
		return bi_macho_dysymtab(w, m, pos, siz, err);
	case MACHO_LC_RPATH:
		return bi_macho_strcmd(w, m, pos, siz, 12, err);
	case MACHO_LC_LOAD_DYLIB:
		return bi_macho_strcmd(w, m, pos, siz, 24, err);
	}
	return BI_OK;
}

/* macho.NewFile on the view plus machoExe's DataStart; *filetype is the
 * header's file type, which a universal file's images must share. */
static int bi_macho_parse(const bi_view *v, bi_exe *x, uint32_t *filetype, bi_error *err)
{
	bi_macho m = {0};
	uint64_t pos, left;
	bi_win w;
	int rc;

	rc = bi_macho_header(v, &m, err);
	if (rc != BI_OK)
		return rc;
	*filetype = m.filetype;
	pos = m.is64 ? 32 : 28;
	left = m.cmdsz;
	bi_win_init(&w, v);
	for (uint32_t i = 0; i < m.ncmd; i++) {
		const unsigned char *p;
		uint32_t cmd, siz;

		if (left < 8)
			return bi_fail(err, BI_E_FORMAT);
		rc = bi_win_get(&w, pos, 8, &p, err);
		if (rc != BI_OK)
			return rc;
		cmd = bi_u32(p, m.be);
		siz = bi_u32(p + 4, m.be);
		if (siz < 8 || siz > left)
			return bi_fail(err, BI_E_FORMAT);
		rc = bi_macho_command(&w, &m, cmd, pos, siz, x, err);
		if (rc != BI_OK)
			return rc;
		pos += siz;
		left -= siz;
	}
	return BI_OK;
}

int bi_macho_open(const bi_view *v, bi_exe *x, bi_error *err)
{
	uint32_t filetype;

	return bi_macho_parse(v, x, &filetype, err);
}

/* The bytes one fat_arch entry names, clipped to the file as Go's
 * SectionReader clips them. */
static bi_view bi_fat_image(const bi_view *v, uint32_t off, uint32_t size)
{
	bi_view img = {v->src, v->base + off, 0};

	if (off < v->size)
		img.size = size < v->size - off ? size : v->size - off;
	return img;
}

/* Go parses every image; the first one is the file buildinfo reads. */
static int bi_fat_check(const bi_view *img, uint32_t i, bi_exe *x, uint32_t *filetype,
                        bi_error *err)
{
	bi_exe other;
	int rc;

	if (i == 0) {
		x->view = *img;
		return bi_macho_parse(img, x, filetype, err);
	}
	bi_exe_init(&other, img);
	rc = bi_macho_parse(img, &other, filetype, err);
	bi_exe_free(&other);
	return rc;
}

int bi_fat_open(const bi_view *v, bi_exe *x, bi_error *err)
{
	uint64_t seen[MACHO_FAT_MAX];
	uint32_t narch, type0 = 0;
	unsigned char h[20];
	int rc;

	/* Go knows only the 32-bit fat header: 0xcafebabf is refused too. */
	rc = bi_view_read(v, h, 8, 0, err);
	if (rc != BI_OK)
		return rc;
	narch = bi_u32(h + 4, 1);
	if (bi_u32(h, 1) != MACHO_FAT_MAGIC || narch < 1 || narch > MACHO_FAT_MAX)
		return bi_fail(err, BI_E_FORMAT);
	for (uint32_t i = 0; i < narch; i++) {
		uint32_t type;
		bi_view img;

		rc = bi_view_read(v, h, 20, 8 + (uint64_t)i * 20, err);
		if (rc != BI_OK)
			return rc;
		img = bi_fat_image(v, bi_u32(h + 8, 1), bi_u32(h + 12, 1));
		rc = bi_fat_check(&img, i, x, &type, err);
		if (rc != BI_OK)
			return rc;
		seen[i] = (uint64_t)bi_u32(h, 1) << 32 | bi_u32(h + 4, 1);
		for (uint32_t j = 0; j < i; j++) {
			if (seen[j] == seen[i])
				return bi_fail(err, BI_E_FORMAT);
		}
		if (i == 0)
			type0 = type;
		else if (type != type0)
			return bi_fail(err, BI_E_FORMAT);
	}
	return BI_OK;
}
