/* lazy_dl.h — a shared library loaded the first time it is needed.
 *
 * pgo-go runs as `go` for every go command, and most of them pass straight
 * through to the real go: every library linked in is time the dynamic
 * loader spends before that. So the large libraries (libarchive here,
 * libcurl in fetch/) are not linked: a file per library defines the
 * functions the program calls (the same names as the library's header), and
 * each forwards to a pointer that lazy_load fills from dlopen the first time
 * one is called. When the library cannot be loaded, the calls fail the way
 * the library itself fails (a NULL handle, an error code), and the error
 * says why. This is the one such pattern: archive_lazy.c and curl_lazy.c
 * each declare a table of symbols and call lazy_load.
 *
 * Its own small library target (pgo_lazy_dl), so that fetch/ need not link
 * buildinfo/ to use it.
 */
#ifndef PGO_GO_LAZY_DL_H
#define PGO_GO_LAZY_DL_H

#include <stddef.h>

struct lazy_sym {
	const char *name; /* the symbol */
	void *slot;       /* where its address goes: the address of a function pointer */
};

struct lazy_lib {
	const char *soname;  /* "libcurl.so.4" */
	const char *package; /* the Debian package that has it, for the error */
	const struct lazy_sym *syms;
	size_t nsyms;
	int tried, ok;
	char error[256]; /* why it is not loaded */
};

/* Loads lib the first time (every symbol or none: a partial library counts
 * as none); later calls answer at once. Returns 0, or -1 with lib->error. */
int lazy_load(struct lazy_lib *lib);

/* Whether a library of this soname is already mapped into the process
 * (RTLD_NOLOAD): what tests and debug output ask. */
int lazy_is_mapped(const char *soname);

#endif
