#include "bi_buildid.h"

#include <string.h>
#include <unistd.h>

#define READ_SIZE      (32 * 1024) /* what cmd/internal/buildid reads */
#define FIRST_READ     4096        /* where go's linker puts the note */
#define PT_NOTE        4
#define GO_BUILDID_TAG 4

static uint64_t get(const unsigned char *p, int size, int be)
{
	uint64_t v = 0;

	for (int i = 0; i < size; i++)
		v |= (uint64_t)p[be ? size - 1 - i : i] << (8 * i);
	return v;
}

static int copy_id(const unsigned char *p, size_t n, char *buf, size_t bufsz, bi_error *err)
{
	if (n == 0 || n >= bufsz)
		return bi_fail(err, BI_E_NOTGO);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return BI_OK;
}

/* The Go note in the notes at data[off, off+size). */
static int find_note(const unsigned char *data, size_t len, uint64_t off, uint64_t size, int be,
                     char *buf, size_t bufsz, bi_error *err)
{
	while (size >= 16 && off <= len && len - off >= 16) {
		uint64_t name = get(data + off, 4, be), desc = get(data + off + 4, 4, be);
		uint64_t tag = get(data + off + 8, 4, be);
		uint64_t step = 12 + ((name + 3) & ~(uint64_t)3) + ((desc + 3) & ~(uint64_t)3);
		if (name == 4 && tag == GO_BUILDID_TAG && !memcmp(data + off + 12, "Go\0\0", 4) &&
		    desc <= len - off - 16)
			return copy_id(data + off + 16, (size_t)desc, buf, bufsz, err);
		if (step > size)
			break;
		off += step;
		size -= step;
	}
	return bi_fail(err, BI_E_NOTGO);
}

/* readELF: the PT_NOTE segments within the bytes read. */
static int from_elf(const unsigned char *data, size_t len, char *buf, size_t bufsz, bi_error *err)
{
	int is64 = data[4] == 2, be = data[5] == 2;
	uint64_t phoff = get(data + (is64 ? 32 : 28), is64 ? 8 : 4, be);
	uint64_t phentsize = get(data + (is64 ? 54 : 42), 2, be);
	uint64_t phnum = get(data + (is64 ? 56 : 44), 2, be);

	if (len < 64 || phentsize < (is64 ? 56u : 32u))
		return bi_fail(err, BI_E_NOTGO);
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t ph = phoff + i * phentsize, off, size;
		if (phoff > len || i * phentsize > len - phoff || phentsize > len - ph)
			break;
		if (get(data + ph, 4, be) != PT_NOTE)
			continue;
		off = get(data + ph + (is64 ? 8 : 4), is64 ? 8 : 4, be);
		size = get(data + ph + (is64 ? 32 : 16), is64 ? 8 : 4, be);
		if (off < len && find_note(data, len, off, size, be, buf, bufsz, err) == BI_OK)
			return BI_OK;
	}
	return bi_fail(err, BI_E_NOTGO);
}

/* readRaw: the quoted ID between its markers. */
static int from_raw(const unsigned char *data, size_t len, char *buf, size_t bufsz, bi_error *err)
{
	static const char start[] = "\xff Go build ID: \"", end[] = "\"\n \xff";
	const unsigned char *s = memmem(data, len, start, sizeof start - 1), *e;

	if (!s)
		return bi_fail(err, BI_E_NOTGO);
	s += sizeof start - 1;
	if (!(e = memmem(s, len - (size_t)(s - data), end, sizeof end - 1)))
		return bi_fail(err, BI_E_NOTGO);
	return copy_id(s, (size_t)(e - s), buf, bufsz, err);
}

static int from_data(const unsigned char *data, size_t len, char *buf, size_t bufsz, bi_error *err)
{
	if (len >= 64 && !memcmp(data,
	                         "\x7f"
	                         "ELF",
	                         4))
		return from_elf(data, len, buf, bufsz, err);
	return from_raw(data, len, buf, bufsz, err);
}

/* The first page holds the ID in every binary go links; the rest of go's
 * 32 KB is read only when it does not (a no-op build of 150 commands reads
 * 150 IDs). What a prefix gives is what the whole would: the first note or
 * marker pair. */
int bi_read_buildid(const bi_src *src, char *buf, size_t bufsz, bi_error *err)
{
	unsigned char data[READ_SIZE];
	size_t got;
	int rc;

	if (bi_src_read(src, data, FIRST_READ, 0, &got) != 0)
		return bi_fail(err, BI_E_IO);
	rc = from_data(data, got, buf, bufsz, err);
	if (rc == BI_OK || got < FIRST_READ)
		return rc;
	if (bi_src_read(src, data, sizeof data, 0, &got) != 0)
		return bi_fail(err, BI_E_IO);
	return from_data(data, got, buf, bufsz, err);
}

int bi_read_buildid_file(const char *path, char *buf, size_t bufsz, bi_error *err)
{
	bi_src src;
	int rc;

	if (bi_src_open(&src, path) != 0)
		return bi_fail(err, BI_E_OPEN);
	rc = bi_read_buildid(&src, buf, bufsz, err);
	close(src.fd);
	return rc;
}
