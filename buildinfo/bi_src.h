/* bi_src.h — a bounded random-access byte source.
 *
 * The object-file readers never see a file directly: they read through a
 * bi_src, which is a file descriptor (read with pread, never loaded whole) or
 * a memory buffer (fuzzing, archive members). The source does not own the
 * descriptor or the buffer; whoever made them closes or frees them.
 */
#ifndef PGO_GO_BI_SRC_H
#define PGO_GO_BI_SRC_H

#include <stddef.h>
#include <stdint.h>

typedef struct bi_src {
	int fd;                   /* >= 0: read with pread */
	const unsigned char *mem; /* fd < 0: read from here */
	uint64_t size;            /* bytes available */
} bi_src;

void bi_src_init_fd(bi_src *src, int fd, uint64_t size);

/* Opens path read-only as a source of its size; the caller closes
 * src->fd. Returns 0, or -1 with errno set. */
int bi_src_open(bi_src *src, const char *path);
void bi_src_init_mem(bi_src *src, const void *mem, size_t size);

/* Reads up to n bytes at off into buf; *got is how many were read (fewer at
 * the end of the source, 0 past it). Returns 0, or -1 with errno set. */
int bi_src_read(const bi_src *src, void *buf, size_t n, uint64_t off, size_t *got);

#endif
