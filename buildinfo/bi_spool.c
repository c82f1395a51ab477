/* bi_spool.c — members held in memory up to a bound, then in an unlinked
 * temporary file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bi_spool.h"

#define BI_SPOOL_FIRST ((size_t)64 << 10)

void bi_spool_init(bi_spool *s, size_t mem_max, uint64_t max, int spill, const char *tmpdir)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->mem_max = mem_max;
	s->max = max;
	s->spill = spill;
	s->tmpdir = tmpdir;
}

void bi_spool_free(bi_spool *s)
{
	free(s->mem);
	if (s->fd >= 0)
		close(s->fd);
	bi_spool_init(s, s->mem_max, s->max, s->spill, s->tmpdir);
}

static int bi_write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* An unnamed file: O_TMPFILE where the file system has it, else a name
 * removed at once, so a crash leaves nothing behind either way. */
static int bi_tmpfile(const char *dir)
{
	char path[4096];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	if (snprintf(path, sizeof(path), "%s/pgo-go-member.XXXXXX", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int bi_spill(bi_spool *s)
{
	const char *dir = s->tmpdir;
	int saved;

	if (dir == NULL || *dir == '\0')
		dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	s->fd = bi_tmpfile(dir);
	if (s->fd < 0)
		return -1;
	if (bi_write_all(s->fd, s->mem, s->len) != 0) {
		saved = errno;
		close(s->fd);
		s->fd = -1;
		errno = saved;
		return -1;
	}
	free(s->mem);
	s->mem = NULL;
	s->len = s->cap = 0;
	return 0;
}

/* Room for n more bytes in memory, growing by doubling up to mem_max. */
static int bi_grow(bi_spool *s, size_t n)
{
	size_t cap = s->cap ? s->cap : BI_SPOOL_FIRST < s->mem_max ? BI_SPOOL_FIRST : s->mem_max;
	unsigned char *p;

	/* The caller keeps len + n <= mem_max, so this ends. */
	while (cap - s->len < n)
		cap = cap > s->mem_max / 2 ? s->mem_max : cap * 2;
	if (cap == s->cap)
		return 0;
	p = realloc(s->mem, cap);
	if (p == NULL) {
		errno = ENOMEM;
		return -1;
	}
	s->mem = p;
	s->cap = cap;
	return 0;
}

int bi_spool_add(bi_spool *s, const void *p, size_t n)
{
	if (n > s->max || s->size > s->max - n) {
		errno = EFBIG;
		return -1;
	}
	if (s->fd < 0 && n > s->mem_max - s->len) {
		if (!s->spill) {
			errno = EFBIG;
			return -1;
		}
		if (bi_spill(s) != 0)
			return -1;
	}
	if (s->fd >= 0) {
		if (bi_write_all(s->fd, p, n) != 0)
			return -1;
	} else {
		if (bi_grow(s, n) != 0)
			return -1;
		memcpy(s->mem + s->len, p, n);
		s->len += n;
	}
	s->size += n;
	return 0;
}

void bi_spool_src(const bi_spool *s, bi_src *src)
{
	if (s->fd >= 0)
		bi_src_init_fd(src, s->fd, s->size);
	else
		bi_src_init_mem(src, s->mem, s->len);
}
