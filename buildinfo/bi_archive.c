/* bi_archive.c — the archive walker, and every libarchive call of pgo-go.
 *
 * One archive is one "level": a struct archive reading from a feed, which is
 * the input file (or buffer), a pipe, or the current member of the level
 * above. Entries are handled as they stream by: a member is peeked at (512
 * bytes), then read whole only if it starts like an object file (spooled,
 * then given to bi_read_src), kept if it is a small JSON member of an image
 * tarball, or opened as a nested level if it starts like an archive. What is
 * found becomes a record; records are reported after the walk, once the
 * image's manifest (which docker save writes last) says how layers stack.
 *
 * Every libarchive call of the program is here; archive_lazy.c loads
 * libarchive on the first one.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bi_archive.h"

#include "archive_lazy.h"
#include "bi_found.h"
#include "bi_image.h"
#include "bi_sniff.h"
#include "bi_spool.h"

/* Input is handed to libarchive in blocks this small so that the budget,
 * checked once per block, stops a bomb soon after it starts: zstd can turn
 * one block into a gigabyte. */
#define BI_BLOCK       ((size_t)32 << 10)
#define BI_RATIO_FLOOR ((uint64_t)1 << 20) /* small inputs may expand a lot */
#define BI_LEVELS_MAX  16

/* How a step ended: go on; this member is done with (its error recorded);
 * the level's archive is dead (its error string says why); stop the walk
 * (the walk's error is set). */
enum { BI_STEP_OK, BI_STEP_SKIP, BI_STEP_BROKEN, BI_STEP_ABORT };

typedef struct bi_walk {
	const bi_archive_limits *lim;
	int flags;
	const char *display;
	bi_found found;
	bi_image img;
	struct archive *open[BI_LEVELS_MAX]; /* levels being read, outermost first */
	unsigned nopen;
	uint64_t done_filtered; /* decompressed by levels already closed */
	uint64_t data_read;     /* member bytes read through archive_read_data */
	uint64_t raw_read;      /* bytes read from the input itself */
	size_t next_level;
	unsigned char *buf; /* BI_BLOCK, for spooling */
	bi_error *err;
	int failed; /* err is set */
	int aborted;
} bi_walk;

/* Where a level's bytes come from: a seekable source ([base, base + size)
 * of a file or buffer), a pipe, or the current member of an outer level
 * after the bytes already peeked from it. */
typedef struct bi_feed {
	bi_walk *w;
	const bi_src *src;
	uint64_t base, size, pos;
	int fd;
	struct archive *outer;
	const unsigned char *peek;
	size_t npeek;
	int outer_failed; /* the outer archive died under us */
	unsigned char buf[BI_BLOCK];
} bi_feed;

typedef struct bi_level {
	struct archive *a;
	const char *name;       /* "img.tar!/blobs/sha256/…" */
	unsigned depth;         /* 0: the file itself */
	long unit;              /* the image layer candidate it is in, or -1 */
	const char *unit_entry; /* depth >= 2: its unit's entry holding it */
	size_t id;
	const bi_src *src; /* seekable input, for nested members read in place */
	uint64_t base, size;
	size_t nheaders;
} bi_level;

/* The walk's error; the first one stays. */
static void bi_fail_walk(bi_walk *w, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bi_fail_walk(bi_walk *w, const char *where, const char *fmt, ...)
{
	va_list ap;

	if (w->failed)
		return;
	w->failed = 1;
	bi_fail(w->err, BI_E_ARCHIVE);
	snprintf(w->err->where, sizeof(w->err->where), "%s", where);
	va_start(ap, fmt);
	vsnprintf(w->err->msg, sizeof(w->err->msg), fmt, ap);
	va_end(ap);
}

static int bi_abort(bi_walk *w, const char *where, const char *what)
{
	bi_fail_walk(w, where, "%s", what);
	w->aborted = 1;
	return BI_STEP_ABORT;
}

static const char *bi_la_error(struct archive *a)
{
	const char *s = archive_error_string(a);

	return s ? s : "unknown libarchive error";
}

/* ---------------------------------------------------------------- limits */

void bi_archive_limits_default(bi_archive_limits *lim)
{
	lim->mem_max = (size_t)8 << 20;
	lim->spill = 1;
	lim->member_max = (uint64_t)4 << 30;
	lim->depth_max = 4;
	lim->ratio_max = 1000;
	lim->tmpdir = NULL;
}

/* Decompressed bytes so far against input bytes: a bomb expands far more
 * than any real archive (gzip tops out near 1000:1 only on zeros). */
static int bi_over_budget(bi_walk *w)
{
	uint64_t work = w->done_filtered + w->data_read;
	uint64_t raw = w->raw_read > BI_RATIO_FLOOR ? w->raw_read : BI_RATIO_FLOOR;

	if (w->aborted)
		return 1;
	for (unsigned i = 0; i < w->nopen; i++)
		if (archive_filter_count(w->open[i]) > 1)
			work += (uint64_t)archive_filter_bytes(w->open[i], 0);
	if (work / w->lim->ratio_max <= raw)
		return 0;
	bi_fail_walk(w, w->display,
	             "decompressed %llu MiB from %llu KiB of input, over the %u:1 limit "
	             "(a decompression bomb?): stopped",
	             (unsigned long long)(work >> 20), (unsigned long long)(w->raw_read >> 10),
	             w->lim->ratio_max);
	w->aborted = 1;
	return 1;
}

/* ---------------------------------------------------------------- feeds */

static la_ssize_t bi_feed_from_src(struct archive *a, bi_feed *f, const void **buff)
{
	uint64_t left = f->size - f->pos;
	size_t got;

	if (f->src->fd < 0) {
		/* A buffer is handed out in place. */
		got = left < BI_BLOCK ? (size_t)left : BI_BLOCK;
		*buff = f->src->mem + f->base + f->pos;
	} else {
		if (bi_src_read(f->src, f->buf, left < BI_BLOCK ? (size_t)left : BI_BLOCK,
		                f->base + f->pos, &got) != 0) {
			archive_set_error(a, errno, "read: %s", strerror(errno));
			return ARCHIVE_FATAL;
		}
		*buff = f->buf;
	}
	f->pos += got;
	f->w->raw_read += got;
	return (la_ssize_t)got;
}

static la_ssize_t bi_feed_from_fd(struct archive *a, bi_feed *f, const void **buff)
{
	ssize_t n;

	do
		n = read(f->fd, f->buf, sizeof(f->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return ARCHIVE_FATAL;
	}
	f->w->raw_read += (uint64_t)n;
	*buff = f->buf;
	return n;
}

static la_ssize_t bi_feed_from_outer(struct archive *a, bi_feed *f, const void **buff)
{
	la_ssize_t n;

	if (f->npeek > 0) {
		*buff = f->peek;
		n = (la_ssize_t)f->npeek;
		f->npeek = 0;
		return n;
	}
	n = archive_read_data(f->outer, f->buf, sizeof(f->buf));
	if (n < 0) {
		/* EIO, not the outer errno: a format errno would read as "not an archive". */
		f->outer_failed = n == ARCHIVE_FATAL;
		archive_set_error(a, EIO, "%s", bi_la_error(f->outer));
		return ARCHIVE_FATAL;
	}
	f->w->data_read += (uint64_t)n;
	*buff = f->buf;
	return n;
}

static la_ssize_t bi_feed_read(struct archive *a, void *data, const void **buff)
{
	bi_feed *f = data;

	if (bi_over_budget(f->w)) {
		archive_set_error(a, ERANGE, "%s", f->w->err->msg);
		return ARCHIVE_FATAL;
	}
	if (f->src != NULL)
		return bi_feed_from_src(a, f, buff);
	if (f->outer != NULL)
		return bi_feed_from_outer(a, f, buff);
	return bi_feed_from_fd(a, f, buff);
}

static la_int64_t bi_feed_skip(struct archive *a, void *data, la_int64_t request)
{
	bi_feed *f = data;
	uint64_t left = f->size - f->pos;
	uint64_t n = request > 0 ? (uint64_t)request : 0;

	(void)a;
	if (n > left)
		n = left;
	f->pos += n;
	return (la_int64_t)n;
}

static la_int64_t bi_feed_seek(struct archive *a, void *data, la_int64_t offset, int whence)
{
	bi_feed *f = data;
	uint64_t from = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : f->size;

	if (offset < 0 ? (uint64_t) - (offset + 1) >= from : (uint64_t)offset > f->size - from) {
		archive_set_error(a, EINVAL, "seek outside the archive");
		return ARCHIVE_FATAL;
	}
	f->pos = offset < 0 ? from - (uint64_t) - (offset + 1) - 1 : from + (uint64_t)offset;
	return (la_int64_t)f->pos;
}

/* Why no reader could be made: libarchive missing, or no memory. */
static const char *bi_reader_failure(void)
{
	const char *why = bi_archive_lazy_error();
	return why ? why : "out of memory";
}

/* A reader for tar and zip, compressed by anything libarchive decodes in
 * process. Other formats are left out on purpose: mtree reads files named
 * in it, and the rest have no place in a release or an image. */
static struct archive *bi_reader_new(bi_feed *f)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		return NULL;
	/* ARCHIVE_WARN only says a filter will run an external program. */
	if (archive_read_support_format_tar(a) < ARCHIVE_WARN ||
	    archive_read_support_format_zip(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_gzip(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_bzip2(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_xz(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_lzma(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_zstd(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_lz4(a) < ARCHIVE_WARN ||
	    archive_read_set_read_callback(a, bi_feed_read) != ARCHIVE_OK ||
	    archive_read_set_callback_data(a, f) != ARCHIVE_OK)
		goto fail;
	if (f->src != NULL && (archive_read_set_skip_callback(a, bi_feed_skip) != ARCHIVE_OK ||
	                       archive_read_set_seek_callback(a, bi_feed_seek) != ARCHIVE_OK))
		goto fail;
	return a;
fail:
	archive_read_free(a);
	return NULL;
}

/* libarchive says "no format recognized" with ARCHIVE_ERRNO_FILE_FORMAT,
 * which is EILSEQ on Linux; anything else is a broken archive. */
static int bi_not_archive(struct archive *a)
{
	return archive_format(a) == 0 && archive_errno(a) == EILSEQ;
}

/* ---------------------------------------------------------------- records */

static bi_rec *bi_add_rec(bi_walk *w, const bi_level *lv, const char *name, const char *path,
                          bi_member_kind kind)
{
	const char *layer_path = lv->depth == 1 ? path : lv->unit_entry ? lv->unit_entry : "";

	return bi_found_add(&w->found, name, path, layer_path, lv->unit, lv->id, kind);
}

/* A member error: what went wrong with name, in libarchive's or our words. */
static int bi_member_error(bi_walk *w, const bi_level *lv, const char *name, const char *path,
                           const char *what)
{
	bi_rec *r = bi_add_rec(w, lv, name, path, BI_MEMBER_ERROR);

	if (r == NULL || (r->message = strdup(what)) == NULL)
		return bi_abort(w, w->display, "out of memory");
	return BI_STEP_SKIP;
}

/* ---------------------------------------------------------------- members */

/* Reads up to want bytes of the current member. A read error of the member
 * alone is recorded (SKIP); one that kills the archive is BROKEN. */
static int bi_read_member(bi_walk *w, bi_level *lv, void *buf, size_t want, size_t *got,
                          const char *name, const char *path)
{
	*got = 0;
	while (*got < want) {
		la_ssize_t n = archive_read_data(lv->a, (char *)buf + *got, want - *got);

		if (n == 0)
			break;
		if (n < 0) {
			if (w->aborted)
				return BI_STEP_ABORT;
			if (n == ARCHIVE_FATAL)
				return BI_STEP_BROKEN;
			return bi_member_error(w, lv, name, path, bi_la_error(lv->a));
		}
		*got += (size_t)n;
		w->data_read += (uint64_t)n;
	}
	return BI_STEP_OK;
}

static int bi_spool_error(bi_walk *w, bi_level *lv, const char *name, const char *path)
{
	char what[512];

	if (errno == EFBIG && !w->lim->spill)
		snprintf(what, sizeof(what), "larger than the %zu bytes read into memory: not read",
		         w->lim->mem_max);
	else if (errno == EFBIG)
		snprintf(what, sizeof(what), "larger than %llu bytes: not read",
		         (unsigned long long)w->lim->member_max);
	else
		snprintf(what, sizeof(what), "cannot hold the member for reading: %s",
		         strerror(errno));
	return bi_member_error(w, lv, name, path, what);
}

/* Streams the rest of an executable-looking member into a spool. */
static int bi_spool_member(bi_walk *w, bi_level *lv, bi_spool *sp, const unsigned char *peek,
                           size_t npeek, const char *name, const char *path)
{
	size_t got = npeek;
	int rc;

	if (bi_spool_add(sp, peek, npeek) != 0)
		return bi_spool_error(w, lv, name, path);
	while (got > 0) {
		rc = bi_read_member(w, lv, w->buf, BI_BLOCK, &got, name, path);
		if (rc != BI_STEP_OK)
			return rc;
		if (bi_spool_add(sp, w->buf, got) != 0)
			return bi_spool_error(w, lv, name, path);
		if (bi_over_budget(w))
			return BI_STEP_ABORT;
	}
	return BI_STEP_OK;
}

/* An executable-looking member: read its build info. */
static int bi_binary(bi_walk *w, bi_level *lv, int candidate, const unsigned char *peek,
                     size_t npeek, const char *name, const char *path)
{
	bi_spool sp;
	bi_info *info = NULL;
	bi_error err;
	bi_src src;
	bi_rec *r;
	int rc;

	bi_spool_init(&sp, w->lim->mem_max, w->lim->member_max, w->lim->spill, w->lim->tmpdir);
	rc = bi_spool_member(w, lv, &sp, peek, npeek, name, path);
	if (rc != BI_STEP_OK)
		goto out;
	bi_spool_src(&sp, &src);
	if (bi_read_src(&src, &info, &err) != BI_OK) {
		if (err.code == BI_E_NOMEM) {
			rc = bi_abort(w, w->display, "out of memory");
		} else if (err.code == BI_E_IO) {
			rc = bi_member_error(w, lv, name, path, err.msg);
		} else if ((w->flags & BI_ARCHIVE_ALL) && candidate) {
			if ((r = bi_add_rec(w, lv, name, path, BI_MEMBER_NOT_GO)) == NULL)
				rc = bi_abort(w, w->display, "out of memory");
			else
				r->err = err;
		}
		goto out;
	}
	if ((r = bi_add_rec(w, lv, name, path, BI_MEMBER_GO)) == NULL) {
		rc = bi_abort(w, w->display, "out of memory");
		goto out;
	}
	r->info = info;
	r->candidate = candidate;
	info = NULL;
out:
	bi_info_free(info);
	bi_spool_free(&sp);
	return rc;
}

/* A small JSON member of the top level: perhaps a manifest. */
static int bi_keep_json(bi_walk *w, bi_level *lv, const unsigned char *peek, size_t npeek,
                        const char *name, const char *path)
{
	char *data = malloc(BI_JSON_MAX + 1);
	size_t got = 0;
	int rc;

	if (data == NULL)
		return bi_abort(w, w->display, "out of memory");
	memcpy(data, peek, npeek);
	rc = bi_read_member(w, lv, data + npeek, BI_JSON_MAX + 1 - npeek, &got, name, path);
	if (rc != BI_STEP_OK || npeek + got > BI_JSON_MAX) {
		free(data);
		return rc;
	}
	if (bi_image_keep_json(&w->img, path, data, npeek + got) != 0)
		return bi_abort(w, w->display, "out of memory");
	return BI_STEP_OK;
}

static int bi_is_image_json(const bi_level *lv, struct archive_entry *e, const char *path,
                            const unsigned char *p, size_t n)
{
	if (lv->depth != 0 || archive_entry_size(e) > (la_int64_t)BI_JSON_MAX)
		return 0;
	if (strcmp(path, "manifest.json") && strcmp(path, "index.json") &&
	    strncmp(path, "blobs/", 6))
		return 0;
	return bi_sniff_json(p, n);
}

static int bi_walk_entries(bi_walk *w, bi_level *lv);

/* A nested tar member of a seekable, uncompressed tar is read in place,
 * with seeks, instead of through the outer stream: skipping a layer's
 * files then costs nothing. The peeked bytes must be found where the
 * header says the data starts. */
static int bi_in_place(const bi_level *lv, struct archive_entry *e, int64_t start,
                       const unsigned char *peek, size_t npeek, bi_feed *f)
{
	unsigned char check[BI_SNIFF_LEN];
	int64_t size = archive_entry_size(e);
	size_t got;

	if (lv->src == NULL || start < 0 || archive_filter_count(lv->a) != 1 ||
	    (archive_format(lv->a) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_TAR ||
	    !archive_entry_size_is_set(e) || archive_entry_sparse_count(e) != 0 ||
	    size < (int64_t)npeek || (uint64_t)start > lv->size ||
	    (uint64_t)size > lv->size - (uint64_t)start)
		return 0;
	if (bi_src_read(lv->src, check, npeek, lv->base + (uint64_t)start, &got) != 0 ||
	    got != npeek || memcmp(check, peek, npeek) != 0)
		return 0;
	f->src = lv->src;
	f->base = lv->base + (uint64_t)start;
	f->size = (uint64_t)size;
	return 1;
}

/* What a nested archive's failure means for the walk. */
static int bi_nested_failed(bi_walk *w, bi_level *lv, bi_feed *f, struct archive *a, int opening,
                            const char *name, const char *path)
{
	if (w->aborted)
		return BI_STEP_ABORT;
	if (f->outer_failed)
		return BI_STEP_BROKEN;
	if (opening && bi_not_archive(a))
		return BI_STEP_OK; /* a compressed file, say, but no archive */
	return bi_member_error(w, lv, name, path, bi_la_error(a));
}

static int bi_walk_nested(bi_walk *w, bi_level *lv, bi_level *in, const char *path)
{
	int rc;

	in->depth = lv->depth + 1;
	in->id = w->next_level++;
	in->unit = lv->unit;
	in->unit_entry = lv->depth == 1 ? path : lv->unit_entry;
	if (lv->depth == 0 && (in->unit = bi_image_add_unit(&w->img, path)) < 0)
		return bi_abort(w, w->display, "out of memory");
	w->open[w->nopen++] = in->a;
	rc = bi_walk_entries(w, in);
	w->nopen--;
	if (archive_filter_count(in->a) > 1)
		w->done_filtered += (uint64_t)archive_filter_bytes(in->a, 0);
	return rc;
}

/* A member that starts like an archive: walk it as a level of its own. */
static int bi_nested(bi_walk *w, bi_level *lv, struct archive_entry *e, int64_t start,
                     const unsigned char *peek, size_t npeek, const char *name, const char *path)
{
	bi_feed *f = calloc(1, sizeof(*f));
	bi_level in = {0};
	int rc = BI_STEP_OK;

	if (f == NULL)
		return bi_abort(w, w->display, "out of memory");
	f->w = w;
	f->fd = -1;
	if (bi_in_place(lv, e, start, peek, npeek, f)) {
		in.src = f->src;
		in.base = f->base;
		in.size = f->size;
	} else {
		f->outer = lv->a;
		f->peek = peek;
		f->npeek = npeek;
	}
	in.name = name;
	if ((in.a = bi_reader_new(f)) == NULL) {
		rc = bi_abort(w, w->display, bi_reader_failure());
		goto out;
	}
	if (archive_read_open1(in.a) != ARCHIVE_OK) {
		rc = bi_nested_failed(w, lv, f, in.a, 1, name, path);
		goto out;
	}
	if (lv->depth + 1 > w->lim->depth_max || w->nopen >= BI_LEVELS_MAX) {
		char what[128];
		snprintf(what, sizeof(what), "archives nested more than %u deep: not searched",
		         w->lim->depth_max);
		rc = bi_member_error(w, lv, name, path, what);
		goto out;
	}
	rc = bi_walk_nested(w, lv, &in, path);
	if (rc == BI_STEP_BROKEN)
		rc = bi_nested_failed(w, lv, f, in.a, 0, name, path);
out:
	archive_read_free(in.a);
	free(f);
	return rc;
}

/* A regular member: peek, then read, keep, open or skip it. */
static int bi_regular(bi_walk *w, bi_level *lv, struct archive_entry *e, int64_t start,
                      const char *name, const char *path)
{
	unsigned char peek[BI_SNIFF_LEN];
	int candidate = bi_sniff_candidate(path, archive_entry_filetype(e) == AE_IFREG &&
	                                             (archive_entry_perm(e) & 0111));
	size_t n;
	int rc = bi_read_member(w, lv, peek, sizeof(peek), &n, name, path);

	if (rc != BI_STEP_OK)
		return rc;
	if (bi_sniff_exe(peek, n))
		return bi_binary(w, lv, candidate, peek, n, name, path);
	if (bi_is_image_json(lv, e, path, peek, n))
		return bi_keep_json(w, lv, peek, n, name, path);
	if (bi_sniff_archive(peek, n))
		return bi_nested(w, lv, e, start, peek, n, name, path);
	if ((w->flags & BI_ARCHIVE_ALL) && candidate) {
		bi_rec *r = bi_add_rec(w, lv, name, path, BI_MEMBER_NOT_GO);
		if (r == NULL)
			return bi_abort(w, w->display, "out of memory");
		bi_fail(&r->err, BI_E_FORMAT);
	}
	return BI_STEP_OK;
}

/* A hard link to an earlier Go binary of the same archive is that binary
 * again under another name, as an extracted tree would show it. */
static int bi_hardlink(bi_walk *w, bi_level *lv, struct archive_entry *e, const char *name,
                       const char *path)
{
	const bi_rec *old;
	char *target = NULL;
	bi_info *info;
	bi_rec *r;
	int candidate;
	const char *link = archive_entry_hardlink(e);

	if (link == NULL)
		link = archive_entry_hardlink_utf8(e);
	if (link == NULL)
		return BI_STEP_OK;
	if (bi_path_clean(link, &target) < 0)
		return bi_abort(w, w->display, "out of memory");
	old = target ? bi_found_binary(&w->found, lv->id, target) : NULL;
	free(target);
	if (old == NULL)
		return BI_STEP_OK;
	/* Copied first: adding a record may move the old one. */
	info = old->info;
	candidate = old->candidate;
	if ((r = bi_add_rec(w, lv, name, path, BI_MEMBER_GO)) == NULL)
		return bi_abort(w, w->display, "out of memory");
	r->info = info;
	r->shared = 1;
	r->candidate = candidate;
	return BI_STEP_OK;
}

static int bi_symlink(bi_walk *w, bi_level *lv, struct archive_entry *e, const char *name,
                      const char *path)
{
	const char *target = archive_entry_symlink(e);

	if (target == NULL)
		target = archive_entry_symlink_utf8(e);
	if (lv->depth == 0 && target != NULL && bi_image_keep_link(&w->img, path, target) != 0)
		return bi_abort(w, w->display, "out of memory");
	if ((w->flags & BI_ARCHIVE_ALL) && bi_add_rec(w, lv, name, path, BI_MEMBER_SYMLINK) == NULL)
		return bi_abort(w, w->display, "out of memory");
	return BI_STEP_OK;
}

static int bi_dispatch(bi_walk *w, bi_level *lv, struct archive_entry *e, int64_t start,
                       const char *name, const char *path)
{
	mode_t type = archive_entry_filetype(e);

	if (lv->depth == 1) {
		int wh = bi_image_note(&w->img, (size_t)lv->unit, path, type == AE_IFDIR);
		if (wh < 0)
			return bi_abort(w, w->display, "out of memory");
		if (wh > 0)
			return BI_STEP_OK; /* a whiteout: a deletion, not a file */
	}
	if (type == AE_IFLNK)
		return bi_symlink(w, lv, e, name, path);
	/* A tar hard link has no data (and, to libarchive, no file type). */
	if ((archive_entry_hardlink(e) != NULL || archive_entry_hardlink_utf8(e) != NULL) &&
	    archive_entry_size(e) == 0)
		return bi_hardlink(w, lv, e, name, path);
	if (type != AE_IFREG)
		return BI_STEP_OK;
	return bi_regular(w, lv, e, start, name, path);
}

/* The member's name as stored. In the C locale libarchive cannot convert a
 * zip's UTF-8 names to the locale's charset; they are taken as they are. */
static const char *bi_entry_path(struct archive_entry *e)
{
	const char *p = archive_entry_pathname(e);

	return p ? p : archive_entry_pathname_utf8(e);
}

static int bi_entry(bi_walk *w, bi_level *lv, struct archive_entry *e)
{
	/* Where the data starts, before reading moves it (tar, no filter). */
	int64_t start = archive_filter_bytes(lv->a, 0);
	const char *raw = bi_entry_path(e);
	char *path = NULL, *name = NULL;
	int rc = BI_STEP_OK, clean = bi_path_clean(raw ? raw : "?", &path);

	if (clean < 0)
		return bi_abort(w, w->display, "out of memory");
	name = bi_member_name(lv->name, clean > 0 ? raw : path);
	if (name == NULL) {
		rc = bi_abort(w, w->display, "out of memory");
		goto out;
	}
	if (raw == NULL)
		rc = bi_member_error(w, lv, name, path,
		                     "a member name libarchive cannot decode: not read");
	else if (clean > 0)
		rc = bi_member_error(w, lv, name, raw,
		                     "a \"..\" in the member name, which could point outside the "
		                     "archive: not read");
	else if (*path != '\0')
		rc = bi_dispatch(w, lv, e, start, name, path);
out:
	free(name);
	free(path);
	return rc;
}

static int bi_walk_entries(bi_walk *w, bi_level *lv)
{
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(lv->a, &e), rc;

		if (r == ARCHIVE_EOF)
			return BI_STEP_OK;
		if (w->aborted || bi_over_budget(w))
			return BI_STEP_ABORT;
		/* ARCHIVE_RETRY is a damaged header: libarchive could resync, but
		 * what follows is no longer trustworthy. */
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return BI_STEP_BROKEN;
		lv->nheaders++;
		rc = bi_entry(w, lv, e);
		if (rc == BI_STEP_BROKEN || rc == BI_STEP_ABORT)
			return rc;
	}
}

/* ---------------------------------------------------------------- results */

static int bi_deliver(bi_walk *w, bi_member_fn fn, void *ctx)
{
	if (bi_image_plan(&w->img) != 0)
		return bi_abort(w, w->display, "out of memory");
	return bi_found_report(&w->found, &w->img, fn, ctx) ? BI_STEP_ABORT : BI_STEP_OK;
}

static int bi_walk_top(bi_walk *w, bi_feed *f, bi_member_fn fn, void *ctx)
{
	bi_level top = {0};
	int rc, code;

	top.name = w->display;
	top.unit = -1;
	top.id = w->next_level++;
	top.src = f->src;
	top.size = f->size;
	if ((top.a = bi_reader_new(f)) == NULL) {
		bi_fail_walk(w, w->display, "%s", bi_reader_failure());
		return BI_ARCHIVE_FAIL;
	}
	if (archive_read_open1(top.a) != ARCHIVE_OK) {
		code = bi_not_archive(top.a) ? BI_ARCHIVE_NOT : BI_ARCHIVE_FAIL;
		bi_fail_walk(w, w->display, "%s", bi_la_error(top.a));
		goto out;
	}
	w->open[w->nopen++] = top.a;
	rc = bi_walk_entries(w, &top);
	if (rc == BI_STEP_BROKEN)
		bi_fail_walk(w, w->display, "%s", bi_la_error(top.a));
	/* An empty archive has nothing to say: the file's own answer stands. */
	if (rc == BI_STEP_OK && top.nheaders == 0) {
		code = BI_ARCHIVE_NOT;
		goto out;
	}
	code = w->failed ? BI_ARCHIVE_FAIL : BI_ARCHIVE_OK;
	if (bi_deliver(w, fn, ctx) != BI_STEP_OK && !w->failed)
		code = BI_ARCHIVE_STOPPED;
out:
	archive_read_free(top.a);
	return code;
}

static int bi_walk_run(const char *display, const bi_archive_limits *lim, int flags, bi_feed *f,
                       bi_member_fn fn, void *ctx, bi_error *err)
{
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), saved = (locale_t)0;
	bi_archive_limits def;
	bi_walk w = {0};
	int code;

	if (lim == NULL) {
		bi_archive_limits_default(&def);
		lim = &def;
	}
	memset(err, 0, sizeof(*err));
	w.lim = lim;
	w.flags = flags;
	w.display = display;
	w.err = err;
	bi_image_init(&w.img);
	f->w = &w;
	/* libarchive converts names to the locale's charset, and in the C
	 * locale cannot: a zip's or pax header's UTF-8 names would be lost.
	 * Names are bytes to print, so the walk runs in UTF-8 (this thread
	 * only), and prints the same whatever the user's locale. */
	if (utf8 != (locale_t)0)
		saved = uselocale(utf8);
	if (lim->ratio_max == 0 || (w.buf = malloc(BI_BLOCK)) == NULL) {
		bi_fail_walk(&w, display, lim->ratio_max ? "out of memory" : "ratio_max is 0");
		code = BI_ARCHIVE_FAIL;
	} else {
		code = bi_walk_top(&w, f, fn, ctx);
	}
	if (utf8 != (locale_t)0) {
		uselocale(saved);
		freelocale(utf8);
	}
	bi_found_free(&w.found);
	free(w.buf);
	bi_image_free(&w.img);
	return code;
}

int bi_archive_walk_file(const char *path, const char *display, const bi_archive_limits *lim,
                         int flags, bi_member_fn fn, void *ctx, bi_error *err)
{
	bi_feed *f = calloc(1, sizeof(*f));
	struct stat st;
	bi_src src;
	int code;

	memset(err, 0, sizeof(*err));
	if (f == NULL) {
		bi_fail(err, BI_E_ARCHIVE);
		snprintf(err->where, sizeof(err->where), "%s", display);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return BI_ARCHIVE_FAIL;
	}
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0 || fstat(f->fd, &st) != 0) {
		int e = errno;
		bi_fail(err, BI_E_ARCHIVE);
		snprintf(err->where, sizeof(err->where), "%s", display);
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(e));
		code = BI_ARCHIVE_FAIL;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		code = BI_ARCHIVE_NOT;
		goto out;
	}
	/* A regular file is read in place with seeks; anything else in order. */
	if (S_ISREG(st.st_mode)) {
		bi_src_init_fd(&src, f->fd, (uint64_t)st.st_size);
		f->src = &src;
		f->size = src.size;
	}
	code = bi_walk_run(display, lim, flags, f, fn, ctx, err);
out:
	if (f->fd >= 0)
		close(f->fd);
	free(f);
	return code;
}

int bi_archive_walk_mem(const void *data, size_t size, const char *display,
                        const bi_archive_limits *lim, int flags, bi_member_fn fn, void *ctx,
                        bi_error *err)
{
	bi_feed *f = calloc(1, sizeof(*f));
	bi_src src;
	int code;

	memset(err, 0, sizeof(*err));
	if (f == NULL) {
		bi_fail(err, BI_E_ARCHIVE);
		snprintf(err->where, sizeof(err->where), "%s", display);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return BI_ARCHIVE_FAIL;
	}
	bi_src_init_mem(&src, data, size);
	f->fd = -1;
	f->src = &src;
	f->size = size;
	code = bi_walk_run(display, lim, flags, f, fn, ctx, err);
	free(f);
	return code;
}
