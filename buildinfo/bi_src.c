/* bi_src.c — bounded reads from a file descriptor or a memory buffer, and the
 * views and read-ahead windows the format readers build on them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bi_exe.h"
#include "bi_src.h"

void bi_src_init_fd(bi_src *src, int fd, uint64_t size)
{
	src->fd = fd;
	src->mem = NULL;
	src->size = size;
}

int bi_src_open(bi_src *src, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	bi_src_init_fd(src, fd, st.st_size > 0 ? (uint64_t)st.st_size : 0);
	return 0;
}

void bi_src_init_mem(bi_src *src, const void *mem, size_t size)
{
	src->fd = -1;
	src->mem = mem;
	src->size = size;
}

/* pread until n bytes, the end of the file, or a real error: a short count
 * from pread alone does not mean the end. */
static int bi_pread_full(int fd, unsigned char *buf, size_t n, uint64_t off, size_t *got)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, buf + done, n - done, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	*got = done;
	return 0;
}

int bi_src_read(const bi_src *src, void *buf, size_t n, uint64_t off, size_t *got)
{
	*got = 0;
	if (off >= src->size || n == 0)
		return 0;
	/* Reads stop at the size the caller gave, even if the file has grown. */
	if (n > src->size - off)
		n = (size_t)(src->size - off);
	if (src->fd >= 0)
		return bi_pread_full(src->fd, buf, n, off, got);
	memcpy(buf, src->mem + off, n);
	*got = n;
	return 0;
}

/* Go's words for each failure (debug/buildinfo's errors). */
static const char *code_text(bi_code code)
{
	switch (code) {
	case BI_OK:
		return "success";
	case BI_E_FORMAT:
		return "unrecognized file format";
	case BI_E_NOTGO:
		return "not a Go executable";
	case BI_E_UNMAPPED:
		return "address not mapped";
	case BI_E_NOBITS:
		return "unexpected read from section with uninitialized data";
	case BI_E_PARSE:
		return "could not parse Go build info";
	case BI_E_NOMEM:
		return "out of memory";
	case BI_E_IO:
	case BI_E_OPEN:
	case BI_E_ARCHIVE:
		break;
	}
	return "unknown error";
}

int bi_fail(bi_error *err, bi_code code)
{
	int e = errno;

	if (err == NULL)
		return code;
	err->code = code;
	err->line = 0;
	err->where[0] = '\0';
	if (code == BI_E_IO || code == BI_E_OPEN) {
		err->sys_errno = e;
		snprintf(err->msg, sizeof err->msg, "%s", strerror(e));
	} else {
		snprintf(err->msg, sizeof err->msg, "%s", code_text(code));
	}
	return code;
}

int bi_view_has(const bi_view *v, uint64_t off, uint64_t n)
{
	return off <= v->size && n <= v->size - off;
}

int bi_view_read(const bi_view *v, void *buf, size_t n, uint64_t off, bi_error *err)
{
	size_t got;

	if (!bi_view_has(v, off, n))
		return bi_fail(err, BI_E_FORMAT);
	if (bi_src_read(v->src, buf, n, v->base + off, &got) != 0)
		return bi_fail(err, BI_E_IO);
	/* The file shrank under us: to the reader that is a truncated header. */
	if (got < n)
		return bi_fail(err, BI_E_FORMAT);
	return BI_OK;
}

void bi_win_init(bi_win *w, const bi_view *v)
{
	w->view = v;
	w->off = 0;
	w->len = 0;
}

int bi_win_get(bi_win *w, uint64_t off, size_t n, const unsigned char **p, bi_error *err)
{
	const bi_view *v = w->view;
	size_t fill;
	int rc;

	if (n > BI_WIN_SIZE || !bi_view_has(v, off, n))
		return bi_fail(err, BI_E_FORMAT);
	if (off < w->off || off - w->off > w->len || n > w->len - (off - w->off)) {
		fill = v->size - off < BI_WIN_SIZE ? (size_t)(v->size - off) : BI_WIN_SIZE;
		w->len = 0;
		rc = bi_view_read(v, w->buf, fill, off, err);
		if (rc != BI_OK)
			return rc;
		w->off = off;
		w->len = fill;
	}
	*p = w->buf + (off - w->off);
	return BI_OK;
}
