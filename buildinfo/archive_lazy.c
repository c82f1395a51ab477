/* archive_lazy.c — libarchive, loaded only when an archive is to be read.
 *
 * Linking libarchive would make the dynamic loader map it and its
 * dependencies (libxml2, ICU, libstdc++, the compressors…) on every go
 * command, for the benefit of the rare `pgo-go version IMAGE.tar`. This
 * file defines the libarchive functions bi_archive.c calls, loaded with
 * lazy_dl.h's pattern. When libarchive cannot be loaded, archive_read_new
 * returns NULL (bi_archive.c reports that as libarchive's failure) and
 * bi_archive_lazy_error says why.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <stdio.h>

#include "archive_lazy.h"
#include "lazy_dl.h"

#define ARCHIVE_SONAME "libarchive.so.13"

/* Every function forwarded: return type, name, parameters, arguments. */
#define LAZY_FUNCTIONS(X)                                                                          \
	X(struct archive *, archive_read_new, (void), ())                                          \
	X(int, archive_read_support_format_tar, (struct archive * a), (a))                         \
	X(int, archive_read_support_format_zip, (struct archive * a), (a))                         \
	X(int, archive_read_support_filter_gzip, (struct archive * a), (a))                        \
	X(int, archive_read_support_filter_bzip2, (struct archive * a), (a))                       \
	X(int, archive_read_support_filter_xz, (struct archive * a), (a))                          \
	X(int, archive_read_support_filter_lzma, (struct archive * a), (a))                        \
	X(int, archive_read_support_filter_zstd, (struct archive * a), (a))                        \
	X(int, archive_read_support_filter_lz4, (struct archive * a), (a))                         \
	X(int, archive_read_set_read_callback, (struct archive * a, archive_read_callback * f),    \
	  (a, f))                                                                                  \
	X(int, archive_read_set_skip_callback, (struct archive * a, archive_skip_callback * f),    \
	  (a, f))                                                                                  \
	X(int, archive_read_set_seek_callback, (struct archive * a, archive_seek_callback * f),    \
	  (a, f))                                                                                  \
	X(int, archive_read_set_callback_data, (struct archive * a, void *d), (a, d))              \
	X(int, archive_read_open1, (struct archive * a), (a))                                      \
	X(int, archive_read_free, (struct archive * a), (a))                                       \
	X(int, archive_read_next_header, (struct archive * a, struct archive_entry * *e), (a, e))  \
	X(la_ssize_t, archive_read_data, (struct archive * a, void *b, size_t n), (a, b, n))       \
	X(const char *, archive_error_string, (struct archive * a), (a))                           \
	X(int, archive_errno, (struct archive * a), (a))                                           \
	X(int, archive_format, (struct archive * a), (a))                                          \
	X(int, archive_filter_count, (struct archive * a), (a))                                    \
	X(la_int64_t, archive_filter_bytes, (struct archive * a, int i), (a, i))                   \
	X(const char *, archive_entry_pathname, (struct archive_entry * e), (e))                   \
	X(const char *, archive_entry_pathname_utf8, (struct archive_entry * e), (e))              \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))                    \
	X(__LA_MODE_T, archive_entry_perm, (struct archive_entry * e), (e))                        \
	X(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))                         \
	X(int, archive_entry_size_is_set, (struct archive_entry * e), (e))                         \
	X(int, archive_entry_sparse_count, (struct archive_entry * e), (e))                        \
	X(const char *, archive_entry_hardlink, (struct archive_entry * e), (e))                   \
	X(const char *, archive_entry_hardlink_utf8, (struct archive_entry * e), (e))              \
	X(const char *, archive_entry_symlink, (struct archive_entry * e), (e))                    \
	X(const char *, archive_entry_symlink_utf8, (struct archive_entry * e), (e))

#define POINTER(ret, name, params, args) ret(*name) params;
static struct {
	LAZY_FUNCTIONS(POINTER)
	void (*archive_set_error)(struct archive *, int, const char *, ...);
} fn;

#define SYMBOL(ret, name, params, args) {#name, &fn.name},
static const struct lazy_sym syms[] = {
    LAZY_FUNCTIONS(SYMBOL){"archive_set_error", &fn.archive_set_error},
};

static struct lazy_lib lib = {
    ARCHIVE_SONAME, "libarchive13", syms, sizeof syms / sizeof *syms, 0, 0, ""};

static int load(void)
{
	return lazy_load(&lib);
}

const char *bi_archive_lazy_error(void)
{
	load();
	return lib.ok ? NULL : lib.error;
}

/* Until libarchive is loaded there is no archive handle to pass to any of
 * these, except archive_read_new, whose NULL reports the failure. */
#define FORWARD(ret, name, params, args)                                                           \
	ret name params                                                                            \
	{                                                                                          \
		if (load() != 0)                                                                   \
			return (ret)0;                                                             \
		return fn.name args;                                                               \
	}
LAZY_FUNCTIONS(FORWARD)

void archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (load() != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fn.archive_set_error(a, err, "%s", msg);
}
