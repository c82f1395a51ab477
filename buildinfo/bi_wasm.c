#include "bi_wasm.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cmd/go/internal/modload: infoStart and infoEnd. */
static const unsigned char info_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
                                             0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const unsigned char info_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
                                           0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};

#define WASM_DATA_SECTION 11
#define WASM_DATA_MAX     ((uint64_t)512 << 20) /* a data section larger than this is not read */

/* A LEB128 unsigned number at *off; advances *off. -1 when malformed. */
static int read_uleb(const bi_src *src, uint64_t *off, uint64_t *v)
{
	unsigned char b[10];
	size_t got;

	*v = 0;
	if (bi_src_read(src, b, sizeof b, *off, &got) != 0)
		return -1;
	for (size_t i = 0; i < got && i < 10; i++) {
		*v |= (uint64_t)(b[i] & 0x7f) << (7 * i);
		if (!(b[i] & 0x80)) {
			*off += i + 1;
			return 0;
		}
	}
	return -1;
}

/* Finds the data section: *start and *len. BI_E_FORMAT when src is no
 * wasm module, BI_E_NOTGO when it has no data section. */
static int find_data(const bi_src *src, uint64_t *start, uint64_t *len, bi_error *err)
{
	unsigned char head[8];
	uint64_t off = 8;
	size_t got;

	if (bi_src_read(src, head, sizeof head, 0, &got) != 0)
		return bi_fail(err, BI_E_IO);
	if (got < 8 || memcmp(head, "\0asm", 4) != 0)
		return bi_fail(err, BI_E_FORMAT);
	while (off < src->size) {
		unsigned char id;
		uint64_t size;
		if (bi_src_read(src, &id, 1, off, &got) != 0)
			return bi_fail(err, BI_E_IO);
		off++;
		if (got != 1 || read_uleb(src, &off, &size) != 0 || size > src->size - off)
			return bi_fail(err, BI_E_NOTGO);
		if (id == WASM_DATA_SECTION) {
			*start = off;
			*len = size;
			return BI_OK;
		}
		off += size;
	}
	return bi_fail(err, BI_E_NOTGO);
}

/* The text between the sentinels in buf, as a NUL-terminated copy. */
static int framed_modinfo(const unsigned char *buf, size_t n, bi_str *mod, bi_error *err)
{
	const unsigned char *s = memmem(buf, n, info_start, sizeof info_start), *e;

	if (!s)
		return bi_fail(err, BI_E_NOTGO);
	s += sizeof info_start;
	if (!(e = memmem(s, n - (size_t)(s - buf), info_end, sizeof info_end)))
		return bi_fail(err, BI_E_NOTGO);
	if (!(mod->p = malloc((size_t)(e - s) + 1)))
		return bi_fail(err, BI_E_NOMEM);
	memcpy(mod->p, s, (size_t)(e - s));
	mod->n = (size_t)(e - s);
	mod->p[mod->n] = '\0';
	return BI_OK;
}

int bi_read_wasm(const bi_src *src, bi_info **out, bi_error *err)
{
	uint64_t start, len;
	unsigned char *data;
	bi_str mod = {NULL, 0};
	size_t got;
	int rc;

	*out = NULL;
	if ((rc = find_data(src, &start, &len, err)) != BI_OK)
		return rc;
	if (len > WASM_DATA_MAX)
		return bi_fail(err, BI_E_NOTGO);
	if (!(data = malloc(len ? (size_t)len : 1)))
		return bi_fail(err, BI_E_NOMEM);
	if (bi_src_read(src, data, (size_t)len, start, &got) != 0 || got != len)
		rc = bi_fail(err, BI_E_IO);
	else
		rc = framed_modinfo(data, (size_t)len, &mod, err);
	free(data);
	if (rc == BI_OK)
		rc = bi_info_parse(mod.p, mod.n, out, err);
	free(mod.p);
	return rc;
}

int bi_read_wasm_file(const char *path, bi_info **out, bi_error *err)
{
	bi_src src;
	int rc;

	*out = NULL;
	if (bi_src_open(&src, path) != 0)
		return bi_fail(err, BI_E_OPEN);
	rc = bi_read_wasm(&src, out, err);
	close(src.fd);
	return rc;
}
