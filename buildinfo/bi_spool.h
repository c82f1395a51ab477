/* bi_spool.h — one archive member made random-access, within bounds.
 *
 * A member arrives from libarchive as a stream, but the object-file readers
 * seek. A spool keeps up to mem_max bytes in memory and moves to an unlinked
 * temporary file (O_TMPFILE) past that, so memory stays bounded whatever the
 * member's size, and no file ever appears under a name. The spool owns its
 * buffer and descriptor; bi_spool_free releases both.
 */
#ifndef PGO_GO_BI_SPOOL_H
#define PGO_GO_BI_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "bi_src.h"

typedef struct bi_spool {
	unsigned char *mem; /* the bytes so far, while in memory */
	size_t len, cap;
	int fd;        /* >= 0 once spilled */
	uint64_t size; /* bytes added */
	size_t mem_max;
	uint64_t max;       /* more than this in all is refused (EFBIG) */
	int spill;          /* 0: past mem_max is refused (EFBIG) */
	const char *tmpdir; /* where the temporary file goes */
} bi_spool;

void bi_spool_init(bi_spool *s, size_t mem_max, uint64_t max, int spill, const char *tmpdir);

/* Appends n bytes. Returns 0, or -1 with errno: EFBIG past a limit, ENOMEM,
 * or why the temporary file could not be made or written. */
int bi_spool_add(bi_spool *s, const void *p, size_t n);

/* A source over everything added; valid until the next add or free. */
void bi_spool_src(const bi_spool *s, bi_src *src);

void bi_spool_free(bi_spool *s);

#endif
