/* bi.h — read the build information the Go linker embeds in a binary.
 *
 * This library knows object files (ELF, Mach-O, PE, XCOFF, Plan 9 a.out) and
 * Go's build-info blob, and nothing about networks or the go command. It
 * follows Go's debug/buildinfo and runtime/debug exactly, so what it reads
 * and renders matches `go version -m` byte for byte.
 *
 * Ownership: bi_read_* and bi_info_parse return a bi_info the caller owns and
 * releases with bi_info_free (free of NULL is a no-op). Rendering functions
 * return malloc'd buffers the caller frees. Every string is length-counted
 * (Go strings may hold NUL bytes) and also NUL-terminated for convenience.
 */
#ifndef PGO_GO_BI_H
#define PGO_GO_BI_H

#include <stddef.h>
#include <stdint.h>

#include "bi_src.h"

typedef struct bi_str {
	char *p; /* never NULL in a bi_info: "" when empty; p[n] == '\0' */
	size_t n;
} bi_str;

typedef struct bi_module {
	bi_str path;
	bi_str version;
	bi_str sum;
	struct bi_module *replace; /* NULL unless replaced (owned) */
} bi_module;

typedef struct bi_setting {
	bi_str key;
	bi_str value;
} bi_setting;

typedef struct bi_info {
	bi_str go_version; /* "go1.26.8"; empty for a bare bi_info_parse */
	bi_str path;       /* main package path */
	bi_module main;
	bi_module **deps;
	size_t ndeps;
	bi_setting *settings;
	size_t nsettings;
} bi_info;

typedef enum bi_code {
	BI_OK = 0,
	BI_E_FORMAT,   /* "unrecognized file format" */
	BI_E_NOTGO,    /* "not a Go executable" */
	BI_E_UNMAPPED, /* "address not mapped" (XCOFF, Plan 9 readers) */
	BI_E_IO,       /* a read failed: sys_errno says why */
	BI_E_OPEN,     /* the file could not be opened: sys_errno says why */
	BI_E_PARSE,    /* modinfo text malformed: line and detail say where */
	BI_E_NOMEM,
	BI_E_NOBITS,  /* "unexpected read from section with uninitialized data" (PE, XCOFF) */
	BI_E_ARCHIVE, /* an archive could not be read to its end: where says which */
} bi_code;

/* How the library reports a failure: a code to decide on and the message.
 * msg is Go's own text for the error, the part after "could not read Go
 * build info from F: " ("unrecognized file format", "not a Go executable",
 * strerror for BI_E_IO and BI_E_OPEN, "could not parse Go build info: line
 * N: …"); for BI_E_ARCHIVE, libarchive's message or the limit that was hit.
 * It owns no memory. */
typedef struct bi_error {
	bi_code code;
	int sys_errno; /* BI_E_IO, BI_E_OPEN */
	int line;      /* BI_E_PARSE: 1-based line of the modinfo text */
	char msg[512];
	char where[1024]; /* BI_E_ARCHIVE: the archive that failed: "img.tar!/blobs/sha256/…" */
} bi_error;

/* Fills err (if not NULL) with code and its message (errno for BI_E_IO and
 * BI_E_OPEN); returns code. */
int bi_fail(bi_error *err, bi_code code);

/* Reads the build info of the binary at path. */
int bi_read_file(const char *path, bi_info **out, bi_error *err);

/* Reads the build info from any source (a file, memory, an archive member). */
int bi_read_src(const bi_src *src, bi_info **out, bi_error *err);

/* The raw step, as debug/buildinfo's readRawBuildInfo: the Go version and the
 * modinfo text with its sentinels stripped (empty when absent). Both are
 * malloc'd, NUL-terminated, and owned by the caller. */
int bi_read_raw(const bi_src *src, bi_str *vers, bi_str *mod, bi_error *err);

/* runtime/debug.ParseBuildInfo. go_version stays empty. */
int bi_info_parse(const char *text, size_t len, bi_info **out, bi_error *err);

void bi_info_free(bi_info *info);

/* runtime/debug.BuildInfo.String(). Returns NULL only when out of memory. */
char *bi_info_string(const bi_info *info, size_t *len);

/* json.MarshalIndent(info, "", "\t"), without a trailing newline. */
char *bi_info_json(const bi_info *info, size_t *len);

/* The value of the first build setting with this key, or NULL. */
const bi_str *bi_info_setting(const bi_info *info, const char *key);

#endif
