/* bi_read.c — find and decode the build-info blob, as Go's debug/buildinfo.
 *
 * The format readers reduce every object file to a bi_exe (bi_exe.h); this
 * file does the rest exactly as readRawBuildInfo: pick the reader by the
 * first 16 bytes, search the data range for the 16-aligned magic in 1 MiB
 * chunks, then decode the Go 1.18+ inline strings or the older pointers.
 * Where Go's code has quirks (see bi_search_chunk) they are kept on purpose:
 * the output must match `go version -m` on any input.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bi.h"
#include "bi_exe.h"

#define BI_MAGIC      "\xff Go buildinf:"
#define BI_MAGIC_LEN  14
#define BI_ALIGN      16
#define BI_HEADER     32
#define BI_CHUNK      ((uint64_t)1 << 20)
#define BI_VARINT_MAX 10

#define BI_FLAG_BIG_ENDIAN 0x1
#define BI_FLAG_INLINE     0x2

void bi_exe_init(bi_exe *x, const bi_view *v)
{
	memset(x, 0, sizeof(*x));
	x->view = *v;
	x->addr_bits = 64;
	x->unmapped = BI_E_FORMAT;
}

int bi_exe_add_region(bi_exe *x, uint64_t vaddr, uint64_t size, uint64_t off, int nobits,
                      bi_error *err)
{
	if (x->nregions == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		bi_region *r;

		if (x->cap > SIZE_MAX / 2 / sizeof(*r))
			return bi_fail(err, BI_E_NOMEM);
		r = realloc(x->regions, cap * sizeof(*r));
		if (r == NULL)
			return bi_fail(err, BI_E_NOMEM);
		x->regions = r;
		x->cap = cap;
	}
	x->regions[x->nregions++] = (bi_region){vaddr, size, off, nobits};
	return BI_OK;
}

void bi_exe_free(bi_exe *x)
{
	free(x->regions);
	x->regions = NULL;
	x->nregions = x->cap = 0;
}

/* Go tests vaddr <= addr <= vaddr+size-1 in the width of the header field, so
 * a region that wraps matches nothing and an empty one at address 0 matches
 * everything (and then reads nothing). */
static int bi_region_has(const bi_exe *x, const bi_region *r, uint64_t addr)
{
	uint64_t last = r->vaddr + r->size - 1;

	if (x->addr_bits == 32)
		last &= 0xffffffffu;
	return r->vaddr <= addr && addr <= last;
}

/* Go's io.SectionReader keeps an int64 base and limit and lets the arithmetic
 * wrap. Where no header check bounds the offsets (XCOFF64), the wrapping
 * decides what a read returns, so it is followed step by step. */
typedef struct bi_gosr {
	int64_t base, limit;
} bi_gosr;

static int64_t bi_i64(uint64_t v)
{
	int64_t s;

	memcpy(&s, &v, sizeof(s));
	return s;
}

static bi_gosr bi_gosr_new(uint64_t off, uint64_t n)
{
	bi_gosr s = {bi_i64(off), INT64_MAX};

	if (s.base <= bi_i64((uint64_t)INT64_MAX - n))
		s.limit = bi_i64(off + n);
	return s;
}

static int64_t bi_gosr_size(const bi_gosr *s)
{
	return bi_i64((uint64_t)s->limit - (uint64_t)s->base);
}

static uint64_t bi_min_avail(int64_t a, int64_t b, uint64_t c)
{
	uint64_t m = c;

	if (a < 0 || b < 0)
		return 0;
	if ((uint64_t)a < m)
		m = (uint64_t)a;
	return (uint64_t)b < m ? (uint64_t)b : m;
}

/* What DataReader(addr).ReadAt(buf, 0) does for region r: the reader Go
 * builds on the section's own reader, which sits on the file. Sets loc to
 * the file offset and the bytes readable there, or to the failure: a section
 * without raw data (nobitsSectionReader) or a negative file offset, which
 * os.File.ReadAt refuses (an I/O error, as Go's is). */
static void bi_go_read(const bi_exe *x, const bi_region *r, uint64_t a, bi_loc *loc)
{
	uint64_t end = r->vaddr + r->size;
	bi_gosr outer, sect;
	int64_t off;

	if (x->addr_bits == 32)
		end &= 0xffffffffu;
	outer = bi_gosr_new(a - r->vaddr, end - a);
	sect = bi_gosr_new(r->off, r->size);
	off = outer.base;
	if (bi_gosr_size(&outer) <= 0 || off < 0 || off >= bi_gosr_size(&sect))
		return;
	if (r->nobits) {
		loc->fail = BI_E_NOBITS;
		return;
	}
	off = bi_i64((uint64_t)off + (uint64_t)sect.base);
	if (off < 0) {
		loc->fail = BI_E_IO;
		return;
	}
	loc->off = (uint64_t)off;
	loc->avail =
	    bi_min_avail(bi_gosr_size(&outer), bi_i64((uint64_t)sect.limit - (uint64_t)off),
	                 loc->off < x->view.size ? x->view.size - loc->off : 0);
}

static int bi_fail_loc(bi_error *err, const bi_loc *loc)
{
	if (loc->fail == BI_E_IO)
		errno = EINVAL;
	return bi_fail(err, loc->fail);
}

int bi_exe_locate(const bi_exe *x, uint64_t addr, bi_loc *loc, bi_error *err)
{
	uint64_t a = addr - x->addr_bias;

	memset(loc, 0, sizeof(*loc));
	for (size_t i = 0; i < x->nregions; i++) {
		if (bi_region_has(x, &x->regions[i], a)) {
			bi_go_read(x, &x->regions[i], a, loc);
			return BI_OK;
		}
	}
	return bi_fail(err, x->unmapped);
}

/* Reads exactly n located bytes; a file that shrank since fstat reads short,
 * which Go sees as EOF. */
static int bi_read_at(const bi_exe *x, const bi_loc *loc, void *buf, size_t n, bi_error *err)
{
	size_t got;

	if (bi_src_read(x->view.src, buf, n, x->view.base + loc->off, &got) != 0)
		return bi_fail(err, BI_E_IO);
	if (got < n)
		return bi_fail(err, BI_E_NOTGO);
	return BI_OK;
}

/* Go's readData: exactly n bytes at addr into a new NUL-terminated buffer.
 * Anything short of n bytes is Go's io.EOF/ErrUnexpectedEOF, which every
 * caller turns into "not a Go executable"; so is a length no file could hold,
 * which is refused before anything is allocated. */
static int bi_read_data(const bi_exe *x, uint64_t addr, uint64_t n, unsigned char **out,
                        bi_error *err)
{
	unsigned char *buf;
	bi_loc loc;
	int rc;

	*out = NULL;
	rc = bi_exe_locate(x, addr, &loc, err);
	if (rc != BI_OK)
		return rc;
	if (n > INT64_MAX)
		return bi_fail(err, BI_E_NOTGO);
	if (loc.fail != BI_OK)
		return bi_fail_loc(err, &loc);
	if (n > loc.avail)
		return bi_fail(err, BI_E_NOTGO);
	if (n >= SIZE_MAX)
		return bi_fail(err, BI_E_NOMEM);
	buf = malloc((size_t)n + 1);
	if (buf == NULL)
		return bi_fail(err, BI_E_NOMEM);
	rc = bi_read_at(x, &loc, buf, (size_t)n, err);
	if (rc != BI_OK) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	return BI_OK;
}

/* Go's readDataInto for one search chunk: up to n bytes, none is EOF. */
static int bi_read_chunk(const bi_exe *x, uint64_t addr, unsigned char *buf, size_t n, size_t *got,
                         bi_error *err)
{
	bi_loc loc;
	int rc;

	*got = 0;
	rc = bi_exe_locate(x, addr, &loc, err);
	if (rc != BI_OK)
		return rc;
	if (loc.fail != BI_OK)
		return bi_fail_loc(err, &loc);
	if (loc.avail < n)
		n = (size_t)loc.avail;
	if (n == 0)
		return bi_fail(err, BI_E_NOTGO);
	rc = bi_read_at(x, &loc, buf, n, err);
	if (rc == BI_OK)
		*got = n;
	return rc;
}

/* The magic in one chunk, as Go's inner loop. Go's quirk is kept: after
 * skipping a misaligned hit it slices the buffer but goes on using indexes
 * relative to the slice, both for the "room for the header" test and for the
 * address it returns. */
static int bi_search_chunk(const unsigned char *data, size_t len, uint64_t start,
                           uint64_t remaining, uint64_t *found)
{
	while (len > 0) {
		const unsigned char *hit = memmem(data, len, BI_MAGIC, BI_MAGIC_LEN);
		size_t i, next;

		if (hit == NULL)
			return 1;
		i = (size_t)(hit - data);
		if (remaining - i < BI_HEADER)
			return -1;
		if (i % BI_ALIGN == 0) {
			*found = start + i;
			return 0;
		}
		next = (i + BI_ALIGN - 1) & ~(size_t)(BI_ALIGN - 1);
		/* The section claimed more bytes than the file gave. */
		if (next > len)
			return -1;
		data += next;
		len -= next;
	}
	return 1;
}

/* Go's searchMagic over [start, start+size). */
static int bi_search_magic(const bi_exe *x, uint64_t start, uint64_t size, uint64_t *found,
                           bi_error *err)
{
	uint64_t end = start + size;
	unsigned char *buf = NULL;
	int rc = BI_E_NOTGO;

	if (end < start)
		return bi_fail(err, BI_E_FORMAT);
	start = (start + BI_ALIGN - 1) & ~(uint64_t)(BI_ALIGN - 1);
	if (start >= end)
		return bi_fail(err, BI_E_NOTGO);
	buf = malloc(end - start < BI_CHUNK ? (size_t)(end - start) : (size_t)BI_CHUNK);
	if (buf == NULL)
		return bi_fail(err, BI_E_NOMEM);
	while (start < end) {
		uint64_t remaining = end - start;
		size_t chunk = remaining < BI_CHUNK ? (size_t)remaining : (size_t)BI_CHUNK;
		size_t got;
		int hit;

		rc = bi_read_chunk(x, start, buf, chunk, &got, err);
		if (rc != BI_OK)
			goto out;
		hit = bi_search_chunk(buf, got, start, remaining, found);
		if (hit == 0)
			goto out;
		if (hit < 0)
			break;
		/* Go advances by the chunk asked for, not by what was read. */
		start += chunk;
	}
	rc = bi_fail(err, BI_E_NOTGO);
out:
	free(buf);
	return rc;
}

/* encoding/binary.Uvarint: bytes used, 0 if buf ended, < 0 on overflow. */
static int bi_uvarint(const unsigned char *buf, size_t len, uint64_t *v)
{
	uint64_t x = 0;
	unsigned s = 0;

	for (size_t i = 0; i < len; i++) {
		if (i == BI_VARINT_MAX)
			return -(int)(i + 1);
		if (buf[i] < 0x80) {
			if (i == BI_VARINT_MAX - 1 && buf[i] > 1)
				return -(int)(i + 1);
			*v = x | (uint64_t)buf[i] << s;
			return (int)(i + 1);
		}
		x |= (uint64_t)(buf[i] & 0x7f) << s;
		s += 7;
	}
	return 0;
}

/* Go's decodeString: a uvarint length and that many bytes at *addr, which
 * then points past them. */
static int bi_decode_string(const bi_exe *x, uint64_t *addr, bi_str *s, bi_error *err)
{
	unsigned char *b = NULL;
	uint64_t len = 0;
	int n, rc;

	rc = bi_read_data(x, *addr, BI_VARINT_MAX, &b, err);
	if (rc != BI_OK)
		return rc;
	n = bi_uvarint(b, BI_VARINT_MAX, &len);
	free(b);
	if (n <= 0)
		return bi_fail(err, BI_E_NOTGO);
	rc = bi_read_data(x, *addr + (uint64_t)n, len, &b, err);
	if (rc != BI_OK)
		return rc;
	s->p = (char *)b;
	s->n = (size_t)len;
	*addr += (uint64_t)n + len;
	return BI_OK;
}

static uint64_t bi_read_ptr(const unsigned char *p, int ptr_size, int be)
{
	return ptr_size == 4 ? bi_u32(p, be) : bi_u64(p, be);
}

/* Go's readString for pre-1.18 binaries: a {data, len} header at addr. Go
 * turns every failure into "", read errors included; only our own
 * out-of-memory is passed on. */
static int bi_read_string(const bi_exe *x, int ptr_size, int be, uint64_t addr, bi_str *s,
                          bi_error *err)
{
	unsigned char *hdr = NULL, *data = NULL;
	uint64_t data_addr, data_len;
	int rc;

	rc = bi_read_data(x, addr, 2 * (uint64_t)ptr_size, &hdr, NULL);
	if (rc != BI_OK)
		goto out;
	data_addr = bi_read_ptr(hdr, ptr_size, be);
	data_len = bi_read_ptr(hdr + ptr_size, ptr_size, be);
	rc = bi_read_data(x, data_addr, data_len, &data, NULL);
	if (rc != BI_OK)
		goto out;
	s->p = (char *)data;
	s->n = (size_t)data_len;
out:
	free(hdr);
	return rc == BI_E_NOMEM ? bi_fail(err, rc) : BI_OK;
}

static int bi_decode_blob(const bi_exe *x, uint64_t addr, const unsigned char *hdr, bi_str *vers,
                          bi_str *mod, bi_error *err)
{
	int ptr_size = hdr[14], be = hdr[15] & BI_FLAG_BIG_ENDIAN;
	int rc;

	if (hdr[15] & BI_FLAG_INLINE) {
		addr += BI_HEADER;
		rc = bi_decode_string(x, &addr, vers, err);
		if (rc != BI_OK)
			return rc;
		return bi_decode_string(x, &addr, mod, err);
	}
	if (ptr_size != 4 && ptr_size != 8)
		return bi_fail(err, BI_E_NOTGO);
	rc = bi_read_string(x, ptr_size, be, bi_read_ptr(hdr + 16, ptr_size, be), vers, err);
	if (rc != BI_OK)
		return rc;
	return bi_read_string(x, ptr_size, be, bi_read_ptr(hdr + 16 + ptr_size, ptr_size, be), mod,
	                      err);
}

/* The linker wraps modinfo in 16-byte sentinels (modload.infoStart/infoEnd);
 * anything not so framed counts as no module information. */
static void bi_strip_sentinels(bi_str *mod)
{
	if (mod->n >= 33 && mod->p[mod->n - 17] == '\n') {
		memmove(mod->p, mod->p + 16, mod->n - 32);
		mod->n -= 32;
	} else {
		mod->n = 0;
	}
	mod->p[mod->n] = '\0';
}

/* Makes s an allocated "" if it was never set. */
static int bi_str_fill(bi_str *s, bi_error *err)
{
	if (s->p != NULL)
		return BI_OK;
	s->p = calloc(1, 1);
	s->n = 0;
	return s->p == NULL ? bi_fail(err, BI_E_NOMEM) : BI_OK;
}

static int bi_decode(const bi_exe *x, bi_str *vers, bi_str *mod, bi_error *err)
{
	unsigned char *hdr = NULL;
	uint64_t addr = 0;
	int rc;

	if (x->data_size == 0)
		return bi_fail(err, BI_E_NOTGO);
	rc = bi_search_magic(x, x->data_start, x->data_size, &addr, err);
	if (rc != BI_OK)
		return rc;
	rc = bi_read_data(x, addr, BI_HEADER, &hdr, err);
	if (rc != BI_OK)
		return rc;
	rc = bi_decode_blob(x, addr, hdr, vers, mod, err);
	free(hdr);
	if (rc != BI_OK)
		return rc;
	if (vers->n == 0)
		return bi_fail(err, BI_E_NOTGO);
	rc = bi_str_fill(mod, err);
	if (rc == BI_OK)
		bi_strip_sentinels(mod);
	return rc;
}

typedef int (*bi_opener)(const bi_view *v, bi_exe *x, bi_error *err);

static int bi_has_plan9_magic(const unsigned char *ident)
{
	uint32_t m = bi_u32(ident, 1);

	return m == 0x1eb || m == 0x8a97 || m == 0x647;
}

/* readRawBuildInfo's switch on the first 16 bytes. */
static bi_opener bi_pick_reader(const unsigned char *ident)
{
	if (memcmp(ident, "\177ELF", 4) == 0)
		return bi_elf_open;
	if (memcmp(ident, "MZ", 2) == 0)
		return bi_pe_open;
	if (memcmp(ident, "\xfe\xed\xfa", 3) == 0 || memcmp(ident + 1, "\xfa\xed\xfe", 3) == 0)
		return bi_macho_open;
	if (memcmp(ident, "\xca\xfe\xba\xbe", 4) == 0 || memcmp(ident, "\xca\xfe\xba\xbf", 4) == 0)
		return bi_fat_open;
	if (memcmp(ident, "\x01\xdf", 2) == 0 || memcmp(ident, "\x01\xf7", 2) == 0)
		return bi_xcoff_open;
	if (bi_has_plan9_magic(ident))
		return bi_plan9_open;
	return NULL;
}

static void bi_str_free(bi_str *s)
{
	free(s->p);
	s->p = NULL;
	s->n = 0;
}

int bi_read_raw(const bi_src *src, bi_str *vers, bi_str *mod, bi_error *err)
{
	bi_view view = {src, 0, src->size};
	unsigned char ident[16];
	bi_opener open_exe;
	bi_exe x;
	size_t got;
	int rc;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	*vers = *mod = (bi_str){NULL, 0};
	/* Go treats any failure to read the first 16 bytes, a directory
	 * included, as an unknown format. */
	if (bi_src_read(src, ident, sizeof(ident), 0, &got) != 0 || got < sizeof(ident))
		return bi_fail(err, BI_E_FORMAT);
	open_exe = bi_pick_reader(ident);
	if (open_exe == NULL)
		return bi_fail(err, BI_E_FORMAT);
	bi_exe_init(&x, &view);
	rc = open_exe(&view, &x, err);
	if (rc == BI_OK)
		rc = bi_decode(&x, vers, mod, err);
	bi_exe_free(&x);
	if (rc != BI_OK) {
		bi_str_free(vers);
		bi_str_free(mod);
	}
	return rc;
}

int bi_read_src(const bi_src *src, bi_info **out, bi_error *err)
{
	bi_str vers, mod;
	int rc;

	*out = NULL;
	rc = bi_read_raw(src, &vers, &mod, err);
	if (rc != BI_OK)
		return rc;
	rc = bi_info_parse(mod.p, mod.n, out, err);
	if (rc == BI_OK) {
		free((*out)->go_version.p);
		(*out)->go_version = vers;
		vers.p = NULL;
	}
	bi_str_free(&vers);
	bi_str_free(&mod);
	return rc;
}

int bi_read_file(const char *path, bi_info **out, bi_error *err)
{
	bi_src src;
	int rc;

	*out = NULL;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (bi_src_open(&src, path) != 0)
		return bi_fail(err, BI_E_OPEN);
	rc = bi_read_src(&src, out, err);
	close(src.fd);
	return rc;
}
