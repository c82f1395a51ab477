/* archive_lazy.c — libarchive, loaded only when an archive is to be read.
 *
 * pgo-go runs as `go` for every go command; linking libarchive would make
 * the dynamic loader map it and its dependencies (libxml2, ICU, libstdc++,
 * the compressors…) on every one of those runs, for the benefit of the rare
 * `pgo-go version IMAGE.tar`. So the program links no libarchive: this file
 * defines the libarchive functions bi_archive.c calls, and the first call
 * opens libarchive.so.13 and forwards to it. When it cannot be loaded,
 * archive_read_new returns NULL (bi_archive.c reports that as libarchive's
 * failure) and bi_archive_lazy_error says why.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>

#include "archive_lazy.h"

#define ARCHIVE_SONAME "libarchive.so.13"

/* Every function forwarded: return type, name, parameters, arguments. */
#define LAZY_FUNCTIONS(X)                                                                  \
	X(struct archive *, archive_read_new, (void), ())                                  \
	X(int, archive_read_support_format_tar, (struct archive * a), (a))                 \
	X(int, archive_read_support_format_zip, (struct archive * a), (a))                 \
	X(int, archive_read_support_filter_gzip, (struct archive * a), (a))                \
	X(int, archive_read_support_filter_bzip2, (struct archive * a), (a))               \
	X(int, archive_read_support_filter_xz, (struct archive * a), (a))                  \
	X(int, archive_read_support_filter_lzma, (struct archive * a), (a))                \
	X(int, archive_read_support_filter_zstd, (struct archive * a), (a))                \
	X(int, archive_read_support_filter_lz4, (struct archive * a), (a))                 \
	X(int, archive_read_set_read_callback, (struct archive * a, archive_read_callback * f), \
	  (a, f))                                                                          \
	X(int, archive_read_set_skip_callback, (struct archive * a, archive_skip_callback * f), \
	  (a, f))                                                                          \
	X(int, archive_read_set_seek_callback, (struct archive * a, archive_seek_callback * f), \
	  (a, f))                                                                          \
	X(int, archive_read_set_callback_data, (struct archive * a, void *d), (a, d))      \
	X(int, archive_read_open1, (struct archive * a), (a))                              \
	X(int, archive_read_free, (struct archive * a), (a))                               \
	X(int, archive_read_next_header, (struct archive * a, struct archive_entry * *e), (a, e)) \
	X(la_ssize_t, archive_read_data, (struct archive * a, void *b, size_t n), (a, b, n)) \
	X(const char *, archive_error_string, (struct archive * a), (a))                   \
	X(int, archive_errno, (struct archive * a), (a))                                   \
	X(int, archive_format, (struct archive * a), (a))                                  \
	X(int, archive_filter_count, (struct archive * a), (a))                            \
	X(la_int64_t, archive_filter_bytes, (struct archive * a, int i), (a, i))           \
	X(const char *, archive_entry_pathname, (struct archive_entry * e), (e))           \
	X(const char *, archive_entry_pathname_utf8, (struct archive_entry * e), (e))      \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))            \
	X(__LA_MODE_T, archive_entry_perm, (struct archive_entry * e), (e))                \
	X(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))                 \
	X(int, archive_entry_size_is_set, (struct archive_entry * e), (e))                 \
	X(int, archive_entry_sparse_count, (struct archive_entry * e), (e))                \
	X(const char *, archive_entry_hardlink, (struct archive_entry * e), (e))           \
	X(const char *, archive_entry_hardlink_utf8, (struct archive_entry * e), (e))      \
	X(const char *, archive_entry_symlink, (struct archive_entry * e), (e))            \
	X(const char *, archive_entry_symlink_utf8, (struct archive_entry * e), (e))

#define POINTER(ret, name, params, args) ret(*name) params;
static struct {
	int tried, ok;
	char error[256];
	LAZY_FUNCTIONS(POINTER)
	void (*archive_set_error)(struct archive *, int, const char *, ...);
} lib;

static int resolve(void *h, const char *name, void *slot)
{
	void *f = dlsym(h, name);

	if (!f) {
		snprintf(lib.error, sizeof lib.error, "%s lacks %s", ARCHIVE_SONAME, name);
		return -1;
	}
	*(void **)slot = f; /* POSIX: function pointers survive void * */
	return 0;
}

#define RESOLVE(ret, name, params, args)                                                   \
	if (resolve(h, #name, &lib.name) != 0)                                             \
		goto fail;

static int load(void)
{
	void *h;

	if (lib.tried)
		return lib.ok ? 0 : -1;
	lib.tried = 1;
	if (!(h = dlopen(ARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL))) {
		snprintf(lib.error, sizeof lib.error, "cannot load %s (install libarchive13): %s",
			 ARCHIVE_SONAME, dlerror());
		return -1;
	}
	LAZY_FUNCTIONS(RESOLVE)
	if (resolve(h, "archive_set_error", &lib.archive_set_error) != 0)
		goto fail;
	lib.ok = 1;
	return 0;
fail:
	dlclose(h);
	return -1;
}

const char *bi_archive_lazy_error(void)
{
	load();
	return lib.ok ? NULL : lib.error;
}

/* Until libarchive is loaded there is no archive handle to pass to any of
 * these, except archive_read_new, whose NULL reports the failure. */
#define FORWARD(ret, name, params, args)                                                   \
	ret name params                                                                    \
	{                                                                                  \
		if (load() != 0)                                                           \
			return (ret)0;                                                     \
		return lib.name args;                                                      \
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
	lib.archive_set_error(a, err, "%s", msg);
}
