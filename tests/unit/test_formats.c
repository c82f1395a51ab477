/* test_formats.c — the object-file readers and the raw build-info decoder.
 *
 * Every image here is built in memory by a small emitter (ELF, Mach-O, fat,
 * PE, XCOFF, Plan 9) around a build-info blob, then read back with
 * bi_read_raw; broken variants are made by patching one field of a good image.
 * The expected codes are what Go's debug/buildinfo returns for the same bytes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bi.h"

/* ---- byte images ------------------------------------------------------ */

typedef struct img {
	unsigned char *p;
	size_t n;
} img;

static void img_size(img *m, size_t n)
{
	if (n <= m->n)
		return;
	m->p = realloc(m->p, n);
	assert_non_null(m->p);
	memset(m->p + m->n, 0, n - m->n);
	m->n = n;
}

static void put(img *m, size_t off, const void *d, size_t n)
{
	assert_true(off <= SIZE_MAX - n && n < ((size_t)1 << 30));
	img_size(m, off + n);
	memcpy(m->p + off, d, n);
}

static void put8(img *m, size_t off, unsigned v)
{
	unsigned char b = (unsigned char)v;

	put(m, off, &b, 1);
}

static void put16(img *m, size_t off, uint16_t v, int be)
{
	unsigned char b[2];

	for (int i = 0; i < 2; i++)
		b[be ? 1 - i : i] = (unsigned char)(v >> (8 * i));
	put(m, off, b, 2);
}

static void put32(img *m, size_t off, uint32_t v, int be)
{
	unsigned char b[4];

	for (int i = 0; i < 4; i++)
		b[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
	put(m, off, b, 4);
}

static void put64(img *m, size_t off, uint64_t v, int be)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[be ? 7 - i : i] = (unsigned char)(v >> (8 * i));
	put(m, off, b, 8);
}

/* A 4- or 8-byte field. */
static void put_word(img *m, size_t off, uint64_t v, int be, int wide)
{
	if (wide)
		put64(m, off, v, be);
	else
		put32(m, off, (uint32_t)v, be);
}

static void img_free(img *m)
{
	free(m->p);
	m->p = NULL;
	m->n = 0;
}

/* ---- the build-info blob ---------------------------------------------- */

#define MAGIC  "\xff Go buildinf:"
#define VERS   "go1.21.5"
#define MODTXT "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\nbuild\tGOOS=linux\n"
/* cmd/go's modload.infoStart and infoEnd. */
#define INFO_START "\060\167\257\014\222\164\010\002\101\341\301\007\346\326\030\346"
#define INFO_END   "\371\062\103\061\206\030\040\162\000\202\102\020\101\026\330\362"

typedef struct blob {
	int ptr_form; /* before Go 1.18: pointers to string headers */
	int ptr_size;
	int be;
	const char *vers;
	const char *mod; /* NULL: MODTXT framed by the sentinels */
	size_t mod_n;
} blob;

static const blob inline_blob = {0, 8, 0, VERS, NULL, 0};

static size_t put_uvarint(img *m, size_t off, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		put8(m, off + n++, (unsigned)(v & 0x7f) | 0x80);
		v >>= 7;
	}
	put8(m, off + n++, (unsigned)v);
	return n;
}

static void framed_mod(img *mod)
{
	put(mod, 0, INFO_START, 16);
	put(mod, 16, MODTXT, strlen(MODTXT));
	put(mod, 16 + strlen(MODTXT), INFO_END, 16);
}

/* Writes the blob at image offset off, which the loader maps at vaddr. */
static void put_blob(img *m, size_t off, uint64_t vaddr, const blob *b)
{
	img mod = {0};
	size_t vn = strlen(b->vers), pos, ps = (size_t)b->ptr_size;

	if (b->mod == NULL)
		framed_mod(&mod);
	else
		put(&mod, 0, b->mod, b->mod_n);
	put(m, off, MAGIC, 14);
	put8(m, off + 14, (unsigned)b->ptr_size);
	put8(m, off + 15, (b->ptr_form ? 0 : 2) | (b->be ? 1 : 0));
	if (!b->ptr_form) {
		pos = off + 32;
		pos += put_uvarint(m, pos, vn);
		put(m, pos, b->vers, vn);
		pos += vn;
		pos += put_uvarint(m, pos, mod.n);
		put(m, pos, mod.p, mod.n);
		img_size(m, pos + mod.n + 32);
	} else {
		/* header, then the two string headers, then the bytes */
		size_t hv = 32, hm = 32 + 2 * ps, dv = 32 + 4 * ps, dm = dv + vn;

		put_word(m, off + 16, vaddr + hv, b->be, ps == 8);
		put_word(m, off + 16 + ps, vaddr + hm, b->be, ps == 8);
		put_word(m, off + hv, vaddr + dv, b->be, ps == 8);
		put_word(m, off + hv + ps, vn, b->be, ps == 8);
		put_word(m, off + hm, vaddr + dm, b->be, ps == 8);
		put_word(m, off + hm + ps, mod.n, b->be, ps == 8);
		put(m, off + dv, b->vers, vn);
		put(m, off + dm, mod.p, mod.n);
		img_size(m, off + dm + mod.n + 32);
	}
	img_free(&mod);
}

static img blob_data(uint64_t vaddr, const blob *b)
{
	img d = {0};

	put_blob(&d, 0, vaddr, b);
	return d;
}

/* ---- ELF --------------------------------------------------------------- */

#define ELF_DATA_OFF   0x200u
#define ELF_DATA_VADDR 0x600200u
#define ELF_STRTAB     "\0.go.buildinfo\0.shstrtab"

typedef struct elf_layout {
	int is64, be;
	size_t phoff, phsz, shoff, shsz, strtab;
} elf_layout;

static void elf_phdr(img *m, const elf_layout *l, int i, uint32_t type, uint32_t flags,
                     uint64_t off, uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	size_t o = l->phoff + (size_t)i * l->phsz;
	int w = l->is64, be = l->be;

	put32(m, o, type, be);
	put32(m, o + (w ? 4 : 24), flags, be);
	put_word(m, o + (w ? 8 : 4), off, be, w);
	put_word(m, o + (w ? 16 : 8), vaddr, be, w);
	put_word(m, o + (w ? 24 : 12), vaddr, be, w);
	put_word(m, o + (w ? 32 : 16), filesz, be, w);
	put_word(m, o + (w ? 40 : 20), memsz, be, w);
	put_word(m, o + (w ? 48 : 28), 0x1000, be, w);
}

static void elf_shdr(img *m, const elf_layout *l, int i, uint32_t name, uint32_t type,
                     uint64_t addr, uint64_t off, uint64_t size)
{
	size_t o = l->shoff + (size_t)i * l->shsz;
	int w = l->is64, be = l->be;

	put32(m, o, name, be);
	put32(m, o + 4, type, be);
	put_word(m, o + 8, type == 1 ? 3 : 0, be, w);
	put_word(m, o + (w ? 16 : 12), addr, be, w);
	put_word(m, o + (w ? 24 : 16), off, be, w);
	put_word(m, o + (w ? 32 : 20), size, be, w);
	put_word(m, o + (w ? 48 : 32), 1, be, w);
	img_size(m, o + l->shsz);
}

static void elf_ehdr(img *m, const elf_layout *l, int phnum, int shnum, int shstrndx)
{
	int w = l->is64, be = l->be;
	size_t o = w ? 54 : 42;

	put(m, 0, "\177ELF", 4);
	put8(m, 4, w ? 2 : 1);
	put8(m, 5, be ? 2 : 1);
	put8(m, 6, 1);
	put16(m, 16, 2, be);
	put16(m, 18, w ? 62 : 3, be);
	put32(m, 20, 1, be);
	put_word(m, w ? 32 : 28, l->phoff, be, w);
	put_word(m, w ? 40 : 32, l->shoff, be, w);
	put16(m, o - 2, w ? 64 : 52, be);
	put16(m, o, (uint16_t)l->phsz, be);
	put16(m, o + 2, (uint16_t)phnum, be);
	put16(m, o + 4, (uint16_t)l->shsz, be);
	put16(m, o + 6, (uint16_t)shnum, be);
	put16(m, o + 8, (uint16_t)shstrndx, be);
}

/* Text and data PT_LOADs; with sections, `.go.buildinfo` over the data and a
 * name table, the section headers last in the file. */
static img make_elf(int is64, int be, int sections, const img *data, elf_layout *lay)
{
	elf_layout l = {is64, be, is64 ? 64 : 52, is64 ? 56 : 32, 0, is64 ? 64 : 40, 0};
	img m = {0};

	put(&m, ELF_DATA_OFF, data->p, data->n);
	if (sections) {
		l.strtab = ELF_DATA_OFF + data->n;
		put(&m, l.strtab, ELF_STRTAB, sizeof(ELF_STRTAB));
		l.shoff = (l.strtab + sizeof(ELF_STRTAB) + 7) & ~(size_t)7;
		elf_shdr(&m, &l, 0, 0, 0, 0, 0, 0);
		elf_shdr(&m, &l, 1, 1, 1, ELF_DATA_VADDR, ELF_DATA_OFF, data->n);
		elf_shdr(&m, &l, 2, 15, 3, 0, l.strtab, sizeof(ELF_STRTAB));
	}
	elf_ehdr(&m, &l, 2, sections ? 3 : 0, sections ? 2 : 0);
	elf_phdr(&m, &l, 0, 1, 5, 0, 0x400000, ELF_DATA_OFF, ELF_DATA_OFF);
	elf_phdr(&m, &l, 1, 1, 6, ELF_DATA_OFF, ELF_DATA_VADDR, data->n, data->n + 0x100);
	if (lay != NULL)
		*lay = l;
	return m;
}

static img make_elf_blob(int is64, int be, int sections, const blob *b, elf_layout *lay)
{
	img d = blob_data(ELF_DATA_VADDR, b);
	img m = make_elf(is64, be, sections, &d, lay);

	img_free(&d);
	return m;
}

/* ---- Mach-O and fat ---------------------------------------------------- */

#define MACHO_DATA_OFF   0x400u
#define MACHO_DATA_VADDR 0x4000u

typedef struct macho_layout {
	int is64, be;
	size_t pagezero, text, data, sect, symtab; /* load command offsets */
} macho_layout;

static size_t macho_segment(img *m, const macho_layout *l, size_t o, const char *name,
                            uint64_t addr, uint64_t memsz, uint64_t off, uint64_t filesz,
                            uint32_t prot, uint32_t nsect)
{
	int w = l->is64, be = l->be;
	size_t hdr = w ? 72 : 56, size = hdr + nsect * (w ? 80 : 68);

	put32(m, o, w ? 0x19 : 0x1, be);
	put32(m, o + 4, (uint32_t)size, be);
	put(m, o + 8, name, strlen(name));
	put_word(m, o + 24, addr, be, w);
	put_word(m, o + (w ? 32 : 28), memsz, be, w);
	put_word(m, o + (w ? 40 : 32), off, be, w);
	put_word(m, o + (w ? 48 : 36), filesz, be, w);
	put32(m, o + (w ? 56 : 40), prot, be);
	put32(m, o + (w ? 60 : 44), prot, be);
	put32(m, o + (w ? 64 : 48), nsect, be);
	return o + size;
}

static void macho_section(img *m, const macho_layout *l, size_t o, const char *name, uint64_t addr,
                          uint64_t size, uint32_t off)
{
	int w = l->is64, be = l->be;

	put(m, o, name, strlen(name));
	put(m, o + 16, "__DATA", 6);
	put_word(m, o + 32, addr, be, w);
	put_word(m, o + (w ? 40 : 36), size, be, w);
	put32(m, o + (w ? 48 : 40), off, be);
}

/* __PAGEZERO, __TEXT, __DATA (with `__go_buildinfo` when asked), LC_SYMTAB. */
static img make_macho(int is64, int be, int section, const img *data, macho_layout *lay)
{
	macho_layout l = {is64, be, is64 ? 32 : 28, 0, 0, 0, 0};
	img m = {0};
	size_t o;

	put32(&m, 0, is64 ? 0xfeedfacf : 0xfeedface, be);
	put32(&m, 4, is64 ? 0x01000007 : 7, be);
	put32(&m, 8, 3, be);
	put32(&m, 12, 2, be);
	put32(&m, 16, 4, be);
	l.text = macho_segment(&m, &l, l.pagezero, "__PAGEZERO", 0, 0x1000, 0, 0, 0, 0);
	l.data = macho_segment(&m, &l, l.text, "__TEXT", 0x1000, 0x1000, 0, MACHO_DATA_OFF, 5, 0);
	l.sect = l.data + (is64 ? 72 : 56);
	l.symtab = macho_segment(&m, &l, l.data, "__DATA", MACHO_DATA_VADDR, data->n + 0x100,
	                         MACHO_DATA_OFF, data->n, 3, section ? 1 : 0);
	if (section)
		macho_section(&m, &l, l.sect, "__go_buildinfo", MACHO_DATA_VADDR, data->n,
		              MACHO_DATA_OFF);
	put32(&m, l.symtab, 2, be);
	put32(&m, l.symtab + 4, 24, be);
	o = l.symtab + 24;
	put32(&m, 20, (uint32_t)(o - l.pagezero), be);
	put(&m, MACHO_DATA_OFF, data->p, data->n);
	if (lay != NULL)
		*lay = l;
	return m;
}

static img make_macho_blob(int is64, int be, int section, const blob *b, macho_layout *lay)
{
	img d = blob_data(MACHO_DATA_VADDR, b);
	img m = make_macho(is64, be, section, &d, lay);

	img_free(&d);
	return m;
}

/* A universal file: narch entries (cpu types cpus[i]) all pointing at one
 * image stored at 0x1000. */
static img make_fat(uint32_t magic, const img *macho, int narch, const uint32_t *cpus)
{
	img m = {0};

	put32(&m, 0, magic, 1);
	put32(&m, 4, (uint32_t)narch, 1);
	for (int i = 0; i < narch; i++) {
		size_t o = 8 + (size_t)i * 20;

		put32(&m, o, cpus[i], 1);
		put32(&m, o + 4, 3, 1);
		put32(&m, o + 8, 0x1000, 1);
		put32(&m, o + 12, (uint32_t)macho->n, 1);
		put32(&m, o + 16, 12, 1);
	}
	put(&m, 0x1000, macho->p, macho->n);
	return m;
}

/* ---- PE ------------------------------------------------------------------ */

#define PE_HDR      0x84u
#define PE_DATA_OFF 0x600u
#define PE_DATA_RVA 0x2000u

static uint64_t pe_base(int is64)
{
	return is64 ? 0x140000000u : 0x400000u;
}

static size_t pe_sections(int is64)
{
	return PE_HDR + 20 + (is64 ? 240 : 224);
}

static void pe_section(img *m, size_t o, const char *name, uint32_t vsize, uint32_t va,
                       uint32_t size, uint32_t off, uint32_t flags)
{
	put(m, o, name, strlen(name));
	put32(m, o + 8, vsize, 0);
	put32(m, o + 12, va, 0);
	put32(m, o + 16, size, 0);
	put32(m, o + 20, off, 0);
	put32(m, o + 36, flags, 0);
}

/* .text and .data; the data section is the first initialized read-write one. */
static img make_pe(int is64, const img *data)
{
	size_t opt = PE_HDR + 20, sec = pe_sections(is64);
	img m = {0};

	put(&m, 0, "MZ", 2);
	put32(&m, 0x3c, PE_HDR - 4, 0);
	put(&m, PE_HDR - 4, "PE\0\0", 4);
	put16(&m, PE_HDR, is64 ? 0x8664 : 0x14c, 0);
	put16(&m, PE_HDR + 2, 2, 0);
	put16(&m, PE_HDR + 16, is64 ? 240 : 224, 0);
	put16(&m, opt, is64 ? 0x20b : 0x10b, 0);
	if (is64)
		put64(&m, opt + 24, pe_base(1), 0);
	else
		put32(&m, opt + 28, (uint32_t)pe_base(0), 0);
	put32(&m, opt + (is64 ? 108 : 92), 16, 0);
	pe_section(&m, sec, ".text", 0x100, 0x1000, 0x200, 0x400, 0x60000020);
	pe_section(&m, sec + 40, ".data", (uint32_t)data->n, PE_DATA_RVA, (uint32_t)data->n,
	           PE_DATA_OFF, 0xc0000040);
	put(&m, PE_DATA_OFF, data->p, data->n);
	return m;
}

static img make_pe_blob(int is64, const blob *b)
{
	img d = blob_data(pe_base(is64) + PE_DATA_RVA, b);
	img m = make_pe(is64, &d);

	img_free(&d);
	return m;
}

/* ---- XCOFF --------------------------------------------------------------- */

#define XCOFF_DATA_OFF   0x200u
#define XCOFF_DATA_VADDR 0x20000000u

static size_t xcoff_section_off(int is64, int i)
{
	return (is64 ? 24 : 20) + (size_t)i * (is64 ? 72 : 40);
}

static void xcoff_section(img *m, int is64, int i, const char *name, uint64_t vaddr, uint64_t size,
                          uint64_t ptr, uint32_t flags)
{
	size_t o = xcoff_section_off(is64, i);

	put(m, o, name, strlen(name));
	put_word(m, o + 8, vaddr, 1, is64);
	put_word(m, o + (is64 ? 16 : 12), vaddr, 1, is64);
	put_word(m, o + (is64 ? 24 : 16), size, 1, is64);
	put_word(m, o + (is64 ? 32 : 20), ptr, 1, is64);
	put32(m, o + (is64 ? 64 : 36), flags, 1);
}

/* .text, .data, then one symbol and an empty string table. */
static img make_xcoff(int is64, const img *data)
{
	size_t symptr = XCOFF_DATA_OFF + data->n;
	img m = {0};

	put16(&m, 0, is64 ? 0x01f7 : 0x01df, 1);
	put16(&m, 2, 2, 1);
	put_word(&m, 8, symptr, 1, is64);
	put32(&m, is64 ? 20 : 12, 1, 1);
	xcoff_section(&m, is64, 0, ".text", 0x10000000, 0x40, 0x100, 0x20);
	xcoff_section(&m, is64, 1, ".data", XCOFF_DATA_VADDR, data->n, XCOFF_DATA_OFF, 0x40);
	put(&m, XCOFF_DATA_OFF, data->p, data->n);
	put(&m, symptr, ".file\0\0\0", 8);
	put32(&m, symptr + 18, 4, 1);
	return m;
}

static img make_xcoff_blob(int is64, const blob *b)
{
	img d = blob_data(XCOFF_DATA_VADDR, b);
	img m = make_xcoff(is64, &d);

	img_free(&d);
	return m;
}

/* ---- Plan 9 -------------------------------------------------------------- */

#define PLAN9_386   0x1ebu
#define PLAN9_AMD64 0x8a97u
#define PLAN9_ARM   0x647u
#define PLAN9_DATA  0x60u /* file offset of the data section in these images */

static img make_plan9(uint32_t magic, const img *data)
{
	size_t hdr = magic & 0x8000 ? 40 : 32;
	img m = {0};

	put32(&m, 0, magic, 1);
	put32(&m, 4, (uint32_t)(PLAN9_DATA - hdr), 1);
	put32(&m, 8, (uint32_t)data->n, 1);
	put32(&m, 12, 0x100, 1);
	put(&m, PLAN9_DATA, data->p, data->n);
	return m;
}

static img make_plan9_blob(uint32_t magic)
{
	img d = blob_data(PLAN9_DATA, &inline_blob);
	img m = make_plan9(magic, &d);

	img_free(&d);
	return m;
}

/* ---- reading back -------------------------------------------------------- */

static int read_img(const img *m, bi_str *vers, bi_str *mod)
{
	bi_error err;
	bi_src src;
	int rc;

	bi_src_init_mem(&src, m->p, m->n);
	rc = bi_read_raw(&src, vers, mod, &err);
	assert_int_equal(rc, err.code);
	return rc;
}

static void expect_read(const img *m, const char *vers, const char *mod)
{
	bi_str v, md;

	assert_int_equal(read_img(m, &v, &md), BI_OK);
	assert_int_equal(v.n, strlen(vers));
	assert_string_equal(v.p, vers);
	assert_int_equal(md.n, strlen(mod));
	assert_string_equal(md.p, mod);
	free(v.p);
	free(md.p);
}

static void expect_ok(const img *m)
{
	expect_read(m, VERS, MODTXT);
}

static void expect_code(const img *m, bi_code code)
{
	bi_str v, md;

	assert_int_equal(read_img(m, &v, &md), code);
	assert_null(v.p);
	assert_null(md.p);
}

/* Checks the code, then releases the image so the test can build the next. */
static void expect_code_free(img *m, bi_code code)
{
	expect_code(m, code);
	img_free(m);
}

/* ---- tests: each format, both string forms ---------------------------- */

static void test_elf_inline_all_classes(void **state)
{
	(void)state;
	for (int is64 = 0; is64 < 2; is64++) {
		for (int be = 0; be < 2; be++) {
			for (int sections = 0; sections < 2; sections++) {
				img m = make_elf_blob(is64, be, sections, &inline_blob, NULL);

				expect_ok(&m);
				img_free(&m);
			}
		}
	}
}

static void test_elf_pointer_form(void **state)
{
	(void)state;
	for (int is64 = 0; is64 < 2; is64++) {
		for (int be = 0; be < 2; be++) {
			blob b = {1, is64 ? 8 : 4, be, VERS, NULL, 0};
			img m = make_elf_blob(is64, be, 1, &b, NULL);

			expect_ok(&m);
			img_free(&m);
		}
	}
}

/* The pointer size and byte order come from the blob, not from the file. */
static void test_pointer_form_mixed_sizes(void **state)
{
	(void)state;
	for (int ps = 4; ps <= 8; ps += 4) {
		for (int be = 0; be < 2; be++) {
			blob b = {1, ps, be, VERS, NULL, 0};
			img m = make_elf_blob(1, 0, 0, &b, NULL);

			expect_ok(&m);
			img_free(&m);
		}
	}
}

static void test_pointer_form_bad_ptr_size(void **state)
{
	blob b = {1, 4, 0, VERS, NULL, 0};
	img m = make_elf_blob(1, 0, 1, &b, NULL);

	(void)state;
	m.p[ELF_DATA_OFF + 14] = 2;
	expect_code_free(&m, BI_E_NOTGO);
}

/* Go's readString gives "" for any failure: a version pointer to nowhere
 * leaves the version empty, which is "not a Go executable". */
static void test_pointer_form_dangling(void **state)
{
	blob b = {1, 8, 0, VERS, NULL, 0};
	img m = make_elf_blob(1, 0, 1, &b, NULL);

	(void)state;
	put64(&m, ELF_DATA_OFF + 16, 0xdead0000, 0);
	expect_code_free(&m, BI_E_NOTGO);
	m = make_elf_blob(1, 0, 1, &b, NULL);
	put64(&m, ELF_DATA_OFF + 32 + 8, UINT64_MAX, 0); /* version length */
	expect_code_free(&m, BI_E_NOTGO);
	m = make_elf_blob(1, 0, 1, &b, NULL);
	put64(&m, ELF_DATA_OFF + 32 + 24, (uint64_t)1 << 40, 0); /* modinfo length */
	expect_read(&m, VERS, "");
	img_free(&m);
}

static void test_macho_all_kinds(void **state)
{
	(void)state;
	for (int is64 = 0; is64 < 2; is64++) {
		for (int be = 0; be < 2; be++) {
			for (int section = 0; section < 2; section++) {
				img m = make_macho_blob(is64, be, section, &inline_blob, NULL);

				expect_ok(&m);
				img_free(&m);
			}
		}
	}
}

static void test_macho_pointer_form(void **state)
{
	blob b = {1, 8, 1, VERS, NULL, 0};
	img m = make_macho_blob(1, 1, 1, &b, NULL);

	(void)state;
	expect_ok(&m);
	img_free(&m);
}

/* Without the section, only a segment with prot and maxprot both rw counts. */
static void test_macho_fallback_needs_rw(void **state)
{
	macho_layout l;
	img m = make_macho_blob(1, 0, 0, &inline_blob, &l);

	(void)state;
	put32(&m, l.data + 56, 7, 0); /* maxprot rwx */
	expect_code_free(&m, BI_E_NOTGO);
}

/* __PAGEZERO maps nothing even if it claims the data's addresses. */
static void test_macho_pagezero_skipped(void **state)
{
	macho_layout l;
	img m = make_macho_blob(1, 0, 1, &inline_blob, &l);

	(void)state;
	put64(&m, l.pagezero + 24, MACHO_DATA_VADDR, 0);
	put64(&m, l.pagezero + 48, 0x1000, 0); /* filesz */
	expect_ok(&m);
	img_free(&m);
}

static void test_macho_bad_load_commands(void **state)
{
	macho_layout l;
	img m;

	(void)state;
	m = make_macho_blob(1, 0, 1, &inline_blob, &l);
	put32(&m, 16, 0xffffffff, 0); /* ncmds: more than fit */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_macho_blob(1, 0, 1, &inline_blob, &l);
	put32(&m, 20, 0x7fffffff, 0); /* sizeofcmds past the end */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_macho_blob(1, 0, 1, &inline_blob, &l);
	put32(&m, l.text + 4, 4, 0); /* a command smaller than its header */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_macho_blob(1, 0, 1, &inline_blob, &l);
	put32(&m, l.data + 64, 1000, 0); /* nsect beyond the command */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_macho_blob(1, 0, 1, &inline_blob, &l);
	put32(&m, l.symtab + 16, 0x100000, 0); /* string table past the end */
	put32(&m, l.symtab + 20, 16, 0);
	expect_code_free(&m, BI_E_FORMAT);
	m = make_macho_blob(1, 0, 1, &inline_blob, &l);
	put64(&m, l.data + 40, (uint64_t)1 << 63, 0); /* segment offset < 0 as int64 */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_macho_blob(1, 0, 1, &inline_blob, &l);
	put32(&m, l.symtab, 0xb, 0); /* LC_DYSYMTAB before any LC_SYMTAB */
	put32(&m, l.symtab + 4, 80, 0);
	put32(&m, 20, (uint32_t)(l.symtab + 80 - l.pagezero), 0);
	expect_code_free(&m, BI_E_FORMAT);
}

static void test_fat_first_arch(void **state)
{
	const uint32_t cpus[2] = {0x01000007, 0x0100000c};
	img thin = make_macho_blob(1, 0, 1, &inline_blob, NULL);
	img m = make_fat(0xcafebabe, &thin, 2, cpus);

	(void)state;
	expect_ok(&m);
	img_free(&m);
	/* Every architecture must parse, and differ from the others. */
	m = make_fat(0xcafebabe, &thin, 1, cpus);
	put32(&m, 4, 2, 1);
	put32(&m, 28, 0x01000007, 1);
	put32(&m, 32, 3, 1);
	put32(&m, 36, 0x1000, 1);
	put32(&m, 40, (uint32_t)thin.n, 1);
	expect_code_free(&m, BI_E_FORMAT);
	m = make_fat(0xcafebabe, &thin, 2, cpus);
	put32(&m, 36, 0x10, 1); /* second image: no Mach-O there */
	expect_code_free(&m, BI_E_FORMAT);
	img_free(&thin);
}

/* Go's macho.NewFatFile knows only 0xcafebabe: the 64-bit magic, an empty
 * list and absurd counts are all unrecognized. */
static void test_fat_refused(void **state)
{
	const uint32_t cpu = 0x01000007;
	img thin = make_macho_blob(1, 0, 1, &inline_blob, NULL);
	img m = make_fat(0xcafebabf, &thin, 1, &cpu);

	(void)state;
	expect_code_free(&m, BI_E_FORMAT);
	m = make_fat(0xcafebabe, &thin, 1, &cpu);
	put32(&m, 4, 0, 1);
	expect_code_free(&m, BI_E_FORMAT);
	m = make_fat(0xcafebabe, &thin, 1, &cpu);
	put32(&m, 4, 0xffffffff, 1);
	expect_code_free(&m, BI_E_FORMAT);
	m = make_fat(0xcafebabe, &thin, 1, &cpu);
	put32(&m, 20, 0x100, 1); /* image size cuts off its load commands */
	expect_code_free(&m, BI_E_FORMAT);
	img_free(&thin);
}

static void test_pe_both_kinds(void **state)
{
	(void)state;
	for (int is64 = 0; is64 < 2; is64++) {
		blob b = {1, is64 ? 8 : 4, 0, VERS, NULL, 0};
		img m = make_pe_blob(is64, &inline_blob);

		expect_ok(&m);
		img_free(&m);
		m = make_pe_blob(is64, &b);
		expect_ok(&m);
		img_free(&m);
	}
}

static void test_pe_bad_headers(void **state)
{
	size_t sec = pe_sections(1);
	img m;

	(void)state;
	m = make_pe_blob(1, &inline_blob);
	m.p[PE_HDR - 3] = 'X'; /* signature */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_pe_blob(1, &inline_blob);
	put32(&m, 0x3c, 0x7ffffff0, 0); /* signature offset past the end */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_pe_blob(1, &inline_blob);
	put16(&m, PE_HDR, 0x1234, 0); /* machine */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_pe_blob(1, &inline_blob);
	put32(&m, PE_HDR + 20 + 108, 15, 0); /* directories vs optional header size */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_pe_blob(1, &inline_blob);
	put16(&m, PE_HDR + 2, 0xffff, 0); /* more section headers than the file holds */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_pe_blob(1, &inline_blob);
	put(&m, sec + 40, "/abc\0\0\0\0", 8); /* long name that is no number */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_pe_blob(1, &inline_blob);
	put(&m, sec + 40, "/4\0\0\0\0\0\0", 8); /* offset 4 in an empty table: "" */
	expect_ok(&m);
	img_free(&m);
	m = make_pe_blob(1, &inline_blob);
	put32(&m, PE_HDR + 8, 0x100000, 0); /* symbol table past the end */
	expect_code_free(&m, BI_E_FORMAT);
}

/* A data section without raw data fails every read, with Go's message. */
static void test_pe_nobits(void **state)
{
	img m = make_pe_blob(1, &inline_blob);

	(void)state;
	put32(&m, pe_sections(1) + 40 + 20, 0, 0);
	expect_code_free(&m, BI_E_NOBITS);
}

static void test_pe_zero_virtual_size(void **state)
{
	img m = make_pe_blob(0, &inline_blob);

	(void)state;
	put32(&m, pe_sections(0) + 40 + 8, 0, 0);
	expect_code_free(&m, BI_E_NOTGO);
}

static void test_xcoff_both_kinds(void **state)
{
	(void)state;
	for (int is64 = 0; is64 < 2; is64++) {
		blob b = {1, is64 ? 8 : 4, 1, VERS, NULL, 0};
		img m = make_xcoff_blob(is64, &inline_blob);

		expect_ok(&m);
		img_free(&m);
		m = make_xcoff_blob(is64, &b);
		expect_ok(&m);
		img_free(&m);
	}
}

static void test_xcoff_errors(void **state)
{
	img m;

	(void)state;
	m = make_xcoff_blob(1, &inline_blob);
	put32(&m, 20, 0, 1); /* no symbols */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_xcoff_blob(0, &inline_blob);
	put32(&m, xcoff_section_off(0, 1) + 16, 0, 1); /* data size 0 */
	expect_code_free(&m, BI_E_NOTGO);
	m = make_xcoff_blob(0, &inline_blob);
	put16(&m, 2, 200, 1); /* section table past the end */
	expect_code_free(&m, BI_E_FORMAT);
}

/* The modinfo length word lies at the end of the data section: the next
 * address is outside every section, which XCOFF reports in its own words. */
static void test_xcoff_unmapped(void **state)
{
	const char *vers = "go1.21.5-with-a-long-suffix";
	img d = {0}, m;

	(void)state;
	put(&d, 0, MAGIC, 14);
	put8(&d, 14, 8);
	put8(&d, 15, 2);
	put8(&d, 32, (unsigned)strlen(vers));
	put(&d, 33, vers, strlen(vers));
	m = make_xcoff(0, &d);
	expect_code_free(&m, BI_E_UNMAPPED);
	img_free(&d);
}

/* XCOFF64 offsets are not checked by Go's parser: one negative as int64 makes
 * os.File.ReadAt fail ("negative offset"), which Go reports as a read error. */
static void test_xcoff_negative_offset(void **state)
{
	img m = make_xcoff_blob(1, &inline_blob);
	bi_str v, md;
	bi_error err;
	bi_src src;

	(void)state;
	put64(&m, xcoff_section_off(1, 1) + 32, ((uint64_t)1 << 63) + XCOFF_DATA_OFF, 1);
	bi_src_init_mem(&src, m.p, m.n);
	assert_int_equal(bi_read_raw(&src, &v, &md, &err), BI_E_IO);
	assert_int_equal(err.sys_errno, EINVAL);
	img_free(&m);
}

static void test_plan9_all_magics(void **state)
{
	const uint32_t magics[3] = {PLAN9_386, PLAN9_AMD64, PLAN9_ARM};

	(void)state;
	for (int i = 0; i < 3; i++) {
		img m = make_plan9_blob(magics[i]);

		expect_ok(&m);
		img_free(&m);
	}
}

static void test_plan9_errors(void **state)
{
	img m;

	(void)state;
	m = make_plan9_blob(PLAN9_AMD64);
	m.n = 36; /* the 64-bit header extension is cut off */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_plan9_blob(PLAN9_386);
	put32(&m, 8, 0x100000, 1); /* data claims more than the file has: */
	expect_ok(&m);             /* the blob is still whole */
	img_free(&m);
	m = make_plan9_blob(PLAN9_386);
	put32(&m, 4, 0x100000, 1); /* text pushes the data past the end */
	expect_code_free(&m, BI_E_NOTGO);
}

/* ---- tests: the search and the decoder ------------------------------- */

static img elf_with_data(const img *d)
{
	return make_elf(1, 0, 1, d, NULL);
}

static void test_misaligned_magic_skipped(void **state)
{
	img d = {0}, m;

	(void)state;
	put_blob(&d, 0, ELF_DATA_VADDR + 32, &inline_blob);
	memmove(d.p + 4, d.p, d.n - 4); /* the whole blob, 4 bytes off */
	memset(d.p, 0, 4);
	m = elf_with_data(&d);
	expect_code_free(&m, BI_E_NOTGO);
	img_free(&d);
}

/* After a misaligned hit Go keeps indexing from the slice it cut, so a later
 * aligned magic is reported one alignment step too early. Reproduced on
 * purpose: "go1.A" is what `go version` prints for this file. */
static void test_misaligned_then_aligned_quirk(void **state)
{
	img d = {0}, m;

	(void)state;
	put(&d, 1, MAGIC, 14);
	put8(&d, 15, 2);
	put(&d, 16, MAGIC, 14);
	put8(&d, 30, 8);
	put8(&d, 31, 2);
	put(&d, 32, "\x05go1.A\x00", 7);
	put(&d, 48, "\x05go1.B\x00", 7);
	img_size(&d, 96);
	m = elf_with_data(&d);
	expect_read(&m, "go1.A", "");
	img_free(&m);
	img_free(&d);
}

/* An aligned magic with fewer than 32 bytes of the range left is rejected
 * even though the file goes on. */
static void test_magic_too_near_end(void **state)
{
	elf_layout l;
	img d = {0}, m;

	(void)state;
	put_blob(&d, 32, ELF_DATA_VADDR + 32, &inline_blob);
	m = make_elf(1, 0, 1, &d, &l);
	put64(&m, l.shoff + 64 + 32, 48, 0); /* .go.buildinfo size */
	expect_code_free(&m, BI_E_NOTGO);
	m = make_elf(1, 0, 1, &d, &l);
	put64(&m, l.shoff + 64 + 32, 64, 0);
	expect_ok(&m);
	img_free(&m);
	img_free(&d);
}

/* The search reads 1 MiB at a time; a blob in the second chunk is found. */
static void test_search_second_chunk(void **state)
{
	size_t at = (1u << 20) + 48;
	img d = {0}, m;

	(void)state;
	put_blob(&d, at, ELF_DATA_VADDR + at, &inline_blob);
	m = make_elf(0, 1, 0, &d, NULL);
	expect_ok(&m);
	img_free(&m);
	img_free(&d);
}

/* Go steps by whole chunks: once the file-backed part of the segment is
 * searched, the next chunk starts in bss, which no program header maps. */
static void test_search_runs_into_bss(void **state)
{
	elf_layout l;
	img d = {0}, m;

	(void)state;
	img_size(&d, (1u << 20) + 100);
	m = make_elf(1, 0, 0, &d, &l);
	put64(&m, l.phoff + 56 + 40, 3u << 20, 0); /* memsz 3 MiB */
	expect_code_free(&m, BI_E_FORMAT);
	img_free(&d);
}

static void test_sentinels(void **state)
{
	img m;

	(void)state;
	{
		blob b = {0, 8, 0, VERS, MODTXT, strlen(MODTXT)}; /* no framing */
		m = make_elf_blob(1, 0, 1, &b, NULL);
		expect_read(&m, VERS, "");
		img_free(&m);
	}
	{
		/* exactly 33 bytes with '\n' at len-17: one byte survives */
		blob b = {0, 8, 0, VERS, INFO_START "\n" INFO_END, 33};
		m = make_elf_blob(1, 0, 1, &b, NULL);
		expect_read(&m, VERS, "\n");
		img_free(&m);
	}
	{
		blob b = {0, 8, 0, VERS, INFO_START INFO_END, 32};
		m = make_elf_blob(1, 0, 1, &b, NULL);
		expect_read(&m, VERS, "");
		img_free(&m);
	}
}

static void test_empty_version(void **state)
{
	blob b = {0, 8, 0, "", NULL, 0};
	img m = make_elf_blob(1, 0, 1, &b, NULL);

	(void)state;
	expect_code_free(&m, BI_E_NOTGO);
}

static void test_huge_and_broken_varints(void **state)
{
	img m;

	(void)state;
	m = make_elf_blob(1, 0, 1, &inline_blob, NULL);
	/* a 2^62-byte version: never allocated, just not a Go executable */
	put(&m, ELF_DATA_OFF + 32, "\x80\x80\x80\x80\x80\x80\x80\x80\x40", 9);
	expect_code_free(&m, BI_E_NOTGO);
	m = make_elf_blob(1, 0, 1, &inline_blob, NULL);
	put(&m, ELF_DATA_OFF + 32, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10); /* overflow */
	expect_code_free(&m, BI_E_NOTGO);
	m = make_elf_blob(1, 0, 1, &inline_blob, NULL);
	put(&m, ELF_DATA_OFF + 32, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 10); /* unended */
	expect_code_free(&m, BI_E_NOTGO);
	m = make_elf_blob(1, 0, 1, &inline_blob, NULL);
	put(&m, ELF_DATA_OFF + 32, "\xff\x7f", 2); /* 16 KiB: more than the section has */
	expect_code_free(&m, BI_E_NOTGO);
}

/* ---- tests: malformed ELF ----------------------------------------------- */

static void test_elf_bad_ident(void **state)
{
	const size_t at[4] = {4, 5, 6, 20};
	const unsigned char bad[4] = {3, 0, 2, 2};

	(void)state;
	for (int i = 0; i < 4; i++) {
		img m = make_elf_blob(1, 0, 1, &inline_blob, NULL);

		m.p[at[i]] = bad[i];
		expect_code_free(&m, BI_E_FORMAT);
	}
}

static void test_elf_lying_tables(void **state)
{
	elf_layout l;
	img m;

	(void)state;
	m = make_elf_blob(1, 0, 1, &inline_blob, &l);
	put64(&m, 32, 0x100000, 0); /* phoff past the end */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_elf_blob(1, 0, 1, &inline_blob, &l);
	put64(&m, 40, (uint64_t)1 << 63, 0); /* shoff < 0 as int64 */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_elf_blob(1, 0, 1, &inline_blob, &l);
	put16(&m, 62, 3, 0); /* shstrndx >= shnum */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_elf_blob(1, 0, 1, &inline_blob, &l);
	put64(&m, l.shoff + 128 + 24, 0x100000, 0); /* name table past the end */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_elf_blob(1, 0, 1, &inline_blob, &l);
	put32(&m, l.shoff + 64, 0x1000, 0); /* name index past the table */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_elf_blob(1, 0, 1, &inline_blob, &l);
	put32(&m, l.shoff + 128 + 4, 1, 0); /* name table not SHT_STRTAB */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_elf_blob(1, 0, 1, &inline_blob, &l);
	put16(&m, 58, 16, 0); /* shentsize too small */
	expect_code_free(&m, BI_E_FORMAT);
	m = make_elf_blob(1, 0, 1, &inline_blob, &l);
	put64(&m, l.phoff + 56 + 32, (uint64_t)1 << 63, 0); /* filesz < 0 as int64 */
	expect_code_free(&m, BI_E_FORMAT);
}

/* `.go.buildinfo` at an address no program header maps. */
static void test_elf_section_unmapped(void **state)
{
	elf_layout l;
	img m = make_elf_blob(1, 0, 1, &inline_blob, &l);

	(void)state;
	put64(&m, l.shoff + 64 + 16, 0x900000, 0);
	expect_code_free(&m, BI_E_FORMAT);
}

static void test_elf_data_past_end(void **state)
{
	elf_layout l;
	img m = make_elf_blob(1, 0, 0, &inline_blob, &l);

	(void)state;
	put64(&m, l.phoff + 56 + 8, 0x100000, 0); /* the data segment's offset */
	expect_code_free(&m, BI_E_NOTGO);
}

static void test_elf_zero_sized_section(void **state)
{
	elf_layout l;
	img m = make_elf_blob(1, 0, 1, &inline_blob, &l);

	(void)state;
	put64(&m, l.shoff + 64 + 32, 0, 0);
	expect_code_free(&m, BI_E_NOTGO);
	/* No section, no writable PT_LOAD: nowhere to look. */
	m = make_elf_blob(1, 0, 0, &inline_blob, &l);
	put32(&m, l.phoff + 56 + 4, 7, 0);
	expect_code_free(&m, BI_E_NOTGO);
}

/* A section count of 0xff00 or more lives in section 0's size field. */
static void test_elf_extended_numbering(void **state)
{
	const uint32_t count = 0xff00;
	elf_layout l = {0, 1, 52, 32, 0, 40, 0};
	img d = blob_data(ELF_DATA_VADDR, &inline_blob), m = {0};

	(void)state;
	put(&m, ELF_DATA_OFF, d.p, d.n);
	l.shoff = (ELF_DATA_OFF + d.n + 7) & ~(size_t)7;
	img_size(&m, l.shoff + (size_t)count * 40);
	elf_ehdr(&m, &l, 2, 0, 0);
	elf_phdr(&m, &l, 0, 1, 5, 0, 0x400000, ELF_DATA_OFF, ELF_DATA_OFF);
	elf_phdr(&m, &l, 1, 1, 6, ELF_DATA_OFF, ELF_DATA_VADDR, d.n, d.n);
	put32(&m, l.shoff + 20, count, 1);
	expect_ok(&m);
	put32(&m, l.shoff + 20, count - 1, 1); /* below SHN_LORESERVE: refused */
	expect_code(&m, BI_E_FORMAT);
	put32(&m, l.shoff + 20, count + 1, 1); /* one more than the file holds */
	expect_code(&m, BI_E_FORMAT);
	img_free(&m);
	img_free(&d);
}

/* ---- tests: truncation and noise ----------------------------------------- */

static void test_short_files(void **state)
{
	img m = make_elf_blob(1, 0, 1, &inline_blob, NULL);

	(void)state;
	for (size_t n = 0; n < 16; n++) {
		img cut = {m.p, n};

		expect_code(&cut, BI_E_FORMAT);
	}
	img_free(&m);
	m = (img){0};
	put(&m, 0, "#!/bin/sh\necho hello\n", 21);
	expect_code_free(&m, BI_E_FORMAT);
}

/* What Go's readRawBuildInfo can answer for a crafted file; BI_E_IO stands for
 * its "negative offset" read error (an XCOFF64 raw-data offset past INT64_MAX). */
static int acceptable(int rc)
{
	return rc == BI_OK || rc == BI_E_FORMAT || rc == BI_E_NOTGO || rc == BI_E_UNMAPPED ||
	       rc == BI_E_NOBITS || rc == BI_E_IO;
}

static img sample(int i)
{
	const uint32_t cpu = 0x01000007;
	blob b = {1, 4, 1, VERS, NULL, 0};

	switch (i) {
	case 0:
		return make_elf_blob(1, 0, 1, &inline_blob, NULL);
	case 1:
		return make_elf_blob(0, 1, 1, &b, NULL);
	case 2:
		return make_macho_blob(1, 0, 1, &inline_blob, NULL);
	case 3: {
		img thin = make_macho_blob(0, 1, 0, &inline_blob, NULL);
		img m = make_fat(0xcafebabe, &thin, 1, &cpu);

		img_free(&thin);
		return m;
	}
	case 4:
		return make_pe_blob(0, &inline_blob);
	case 5:
		return make_pe_blob(1, &inline_blob);
	case 6:
		return make_xcoff_blob(0, &inline_blob);
	case 7:
		return make_xcoff_blob(1, &b);
	default:
		return make_plan9_blob(PLAN9_AMD64);
	}
}

/* Every prefix of every sample: an error or the right answer, never a crash
 * (the sanitizers watch the reads). A prefix that keeps the blob whole may
 * still succeed when the format's tables come first. */
static void test_every_truncation(void **state)
{
	(void)state;
	for (int i = 0; i < 9; i++) {
		img m = sample(i);

		expect_ok(&m);
		for (size_t n = 0; n < m.n; n++) {
			img cut = {m.p, n};
			bi_str v, md;
			int rc = read_img(&cut, &v, &md);

			assert_true(acceptable(rc));
			if (rc == BI_OK) {
				assert_string_equal(v.p, VERS);
				free(v.p);
				free(md.p);
			}
		}
		img_free(&m);
	}
}

/* Deterministic noise over the headers of every sample. */
static void test_random_corruption(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15u;

	(void)state;
	for (int i = 0; i < 9; i++) {
		img good = sample(i);

		for (int round = 0; round < 3000; round++) {
			img m = {0};
			bi_str v, md;
			int rc;

			put(&m, 0, good.p, good.n);
			for (int k = 0; k < 1 + round % 4; k++) {
				size_t span = good.n < 0x400 ? good.n : 0x400;

				seed = seed * 6364136223846793005u + 1442695040888963407u;
				m.p[(size_t)(seed >> 33) % span] = (unsigned char)(seed >> 17);
			}
			rc = read_img(&m, &v, &md);
			assert_true(acceptable(rc));
			if (rc == BI_OK) {
				assert_non_null(v.p);
				assert_int_equal(v.p[v.n], '\0');
				assert_int_equal(md.p[md.n], '\0');
				free(v.p);
				free(md.p);
			}
			img_free(&m);
		}
		img_free(&good);
	}
}

/* ---- tests: sources, files, messages ----------------------------------- */

static void test_src_reads(void **state)
{
	const char text[] = "0123456789";
	char buf[16], path[] = "/tmp/test_formats.XXXXXX";
	bi_src mem, file;
	size_t got;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, 10), 10);
	bi_src_init_mem(&mem, text, 10);
	bi_src_init_fd(&file, fd, 10);
	for (int k = 0; k < 2; k++) {
		const bi_src *s = k ? &file : &mem;

		assert_int_equal(bi_src_read(s, buf, 4, 3, &got), 0);
		assert_int_equal(got, 4);
		assert_memory_equal(buf, "3456", 4);
		assert_int_equal(bi_src_read(s, buf, 16, 8, &got), 0);
		assert_int_equal(got, 2);
		assert_int_equal(bi_src_read(s, buf, 4, 10, &got), 0);
		assert_int_equal(got, 0);
		assert_int_equal(bi_src_read(s, buf, 4, UINT64_MAX, &got), 0);
		assert_int_equal(got, 0);
	}
	/* A closed descriptor is an error with errno, not a short read. */
	close(fd);
	unlink(path);
	assert_int_equal(bi_src_read(&file, buf, 4, 0, &got), -1);
	assert_int_equal(errno, EBADF);
}

static void test_read_file_and_src(void **state)
{
	char path[] = "/tmp/test_formats.XXXXXX";
	img m = make_pe_blob(1, &inline_blob);
	const bi_str *goos;
	bi_info *info = NULL;
	bi_error err;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, m.p, m.n), (ssize_t)m.n);
	close(fd);
	assert_int_equal(bi_read_file(path, &info, &err), BI_OK);
	assert_string_equal(info->go_version.p, VERS);
	assert_string_equal(info->path.p, "example.com/hello");
	goos = bi_info_setting(info, "GOOS");
	assert_non_null(goos);
	assert_string_equal(goos->p, "linux");
	bi_info_free(info);
	unlink(path);
	img_free(&m);
}

static void test_read_file_errors(void **state)
{
	bi_info *info = (bi_info *)1;
	bi_error err;

	(void)state;
	assert_int_equal(bi_read_file("/nonexistent/test_formats", &info, &err), BI_E_OPEN);
	assert_null(info);
	assert_int_equal(err.code, BI_E_OPEN);
	assert_int_equal(err.sys_errno, ENOENT);
	/* Go reads a directory's first bytes, fails, and calls it unrecognized. */
	assert_int_equal(bi_read_file(TESTS_SOURCE_DIR, &info, &err), BI_E_FORMAT);
}

static void test_real_go_binary(void **state)
{
	const char *go = "/usr/local/go/bin/go";
	bi_info *info = NULL;
	bi_error err;

	(void)state;
	if (access(go, R_OK) != 0)
		skip();
	assert_int_equal(bi_read_file(go, &info, &err), BI_OK);
	assert_true(strncmp(info->go_version.p, "go1.", 4) == 0);
	assert_string_equal(info->path.p, "cmd/go");
	bi_info_free(info);
}

static void test_error_text(void **state)
{
	static const struct {
		bi_code code;
		const char *text;
	} want[] = {
	    {BI_E_FORMAT, "unrecognized file format"},
	    {BI_E_NOTGO, "not a Go executable"},
	    {BI_E_UNMAPPED, "address not mapped"},
	    {BI_E_NOBITS, "unexpected read from section with uninitialized data"},
	    {BI_E_NOMEM, "out of memory"},
	};
	bi_error err;

	(void)state;
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		assert_int_equal(bi_fail(&err, want[i].code), want[i].code);
		assert_int_equal(err.code, want[i].code);
		assert_string_equal(err.msg, want[i].text);
	}
	errno = EIO;
	bi_fail(&err, BI_E_IO);
	assert_int_equal(err.sys_errno, EIO);
	assert_string_equal(err.msg, "Input/output error");
	/* A parse error carries the line, in Go's words. */
	const char *bad = "path\tx\n=>\tx\tv1\tsum\n";
	bi_info *bi = NULL;
	assert_int_equal(bi_info_parse(bad, strlen(bad), &bi, &err), BI_E_PARSE);
	assert_null(bi);
	assert_int_equal(err.code, BI_E_PARSE);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.msg, "could not parse Go build info: line 2: replacement with no "
	                             "module on previous line");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_elf_inline_all_classes),
	    cmocka_unit_test(test_elf_pointer_form),
	    cmocka_unit_test(test_pointer_form_mixed_sizes),
	    cmocka_unit_test(test_pointer_form_bad_ptr_size),
	    cmocka_unit_test(test_pointer_form_dangling),
	    cmocka_unit_test(test_macho_all_kinds),
	    cmocka_unit_test(test_macho_pointer_form),
	    cmocka_unit_test(test_macho_fallback_needs_rw),
	    cmocka_unit_test(test_macho_pagezero_skipped),
	    cmocka_unit_test(test_macho_bad_load_commands),
	    cmocka_unit_test(test_fat_first_arch),
	    cmocka_unit_test(test_fat_refused),
	    cmocka_unit_test(test_pe_both_kinds),
	    cmocka_unit_test(test_pe_bad_headers),
	    cmocka_unit_test(test_pe_nobits),
	    cmocka_unit_test(test_pe_zero_virtual_size),
	    cmocka_unit_test(test_xcoff_both_kinds),
	    cmocka_unit_test(test_xcoff_errors),
	    cmocka_unit_test(test_xcoff_unmapped),
	    cmocka_unit_test(test_xcoff_negative_offset),
	    cmocka_unit_test(test_plan9_all_magics),
	    cmocka_unit_test(test_plan9_errors),
	    cmocka_unit_test(test_misaligned_magic_skipped),
	    cmocka_unit_test(test_misaligned_then_aligned_quirk),
	    cmocka_unit_test(test_magic_too_near_end),
	    cmocka_unit_test(test_search_second_chunk),
	    cmocka_unit_test(test_search_runs_into_bss),
	    cmocka_unit_test(test_sentinels),
	    cmocka_unit_test(test_empty_version),
	    cmocka_unit_test(test_huge_and_broken_varints),
	    cmocka_unit_test(test_elf_bad_ident),
	    cmocka_unit_test(test_elf_lying_tables),
	    cmocka_unit_test(test_elf_section_unmapped),
	    cmocka_unit_test(test_elf_data_past_end),
	    cmocka_unit_test(test_elf_zero_sized_section),
	    cmocka_unit_test(test_elf_extended_numbering),
	    cmocka_unit_test(test_short_files),
	    cmocka_unit_test(test_every_truncation),
	    cmocka_unit_test(test_random_corruption),
	    cmocka_unit_test(test_src_reads),
	    cmocka_unit_test(test_read_file_and_src),
	    cmocka_unit_test(test_read_file_errors),
	    cmocka_unit_test(test_real_go_binary),
	    cmocka_unit_test(test_error_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
