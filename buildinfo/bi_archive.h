/* bi_archive.h — Go binaries inside archives and container images.
 *
 * bi_archive_walk_* stream through a tar (plain or compressed with gzip,
 * bzip2, xz, lzma, zstd or lz4) or zip archive with libarchive, open the
 * archives found inside it (image layers, release tarballs in a layer, …) to
 * a bounded depth, and read the build info of every member that starts with
 * an object-file magic number. Nothing is extracted: a member is streamed;
 * one that looks like an executable is made random-access within bounds (in
 * memory up to a threshold, beyond it in an unlinked temporary file that
 * never has a name); every other member is skipped without being buffered.
 *
 * Member names. A member is named after the archive holding it, "!", and its
 * path in that archive with one leading "/": "app.tar.gz!/bin/app". Members
 * of a nested archive continue the chain: "a.tar!/layer.tar!/usr/bin/x".
 * Container images follow the same rule, so the part after the last "!" is
 * the path inside the image and the part before it names the layer as the
 * image tarball stores it:
 *
 *   docker save (legacy)   img.tar!/3f9e…/layer.tar!/usr/local/bin/app
 *   docker save / OCI      img.tar!/blobs/sha256/3f9e…!/usr/local/bin/app
 *
 * bi_member.layer gives the layer's position (1 = the base layer). A leading
 * "./" or "/" of a stored path is dropped; control characters in names are
 * written as \xNN so a name cannot forge an output line.
 *
 * Images. The top-level archive is an image when it holds a docker-save
 * manifest.json or an OCI index.json (with its manifests among the blobs).
 * Then members are reported layer by layer, base first, and a binary that a
 * later layer deletes (a ".wh.NAME" whiteout, an opaque directory
 * ".wh..wh..opq") or replaces (another entry at its path or a non-directory
 * at one of its parent directories) carries that fate: it is not part of
 * the image. A layer listed by several images of one tarball is judged in
 * the first image that lists it. Archives nested inside a layer are
 * searched, but only the top level is taken for an image.
 *
 * Bad input never gets further than an error: symbolic links are never
 * followed (they are reported as such), names with a ".." component are not
 * read, nested archives stop at a depth limit, members above a size limit
 * are not read, and the walk stops when decompression produces more than
 * ratio_max bytes per input byte (a decompression bomb). A walk that fails
 * fills a bi_error: BI_E_ARCHIVE, where naming the archive that failed,
 * msg libarchive's own message (or the limit hit).
 *
 * Ownership: the walker owns every bi_member and its strings; they are valid
 * during the callback only. Every libarchive call of the program is in
 * bi_archive.c.
 */
#ifndef PGO_GO_BI_ARCHIVE_H
#define PGO_GO_BI_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "bi.h"

typedef struct bi_archive_limits {
	size_t mem_max;      /* a member up to this size is held in memory */
	int spill;           /* larger ones: 1 = unlinked temp file, 0 = not read */
	uint64_t member_max; /* an executable member above this is not read */
	unsigned depth_max;  /* archives nested deeper than this are not opened */
	unsigned ratio_max;  /* decompressed bytes per input byte before giving up */
	const char *tmpdir;  /* NULL: $TMPDIR, else /tmp */
} bi_archive_limits;

/* 8 MiB in memory, spill on, 4 GiB per member, depth 4, ratio 1000. */
void bi_archive_limits_default(bi_archive_limits *lim);

typedef enum bi_member_kind {
	BI_MEMBER_GO,      /* a Go binary: info is set */
	BI_MEMBER_NOT_GO,  /* (BI_ARCHIVE_ALL) a candidate whose build info cannot be read: err */
	BI_MEMBER_SYMLINK, /* (BI_ARCHIVE_ALL) a symbolic link: never followed */
	BI_MEMBER_ERROR,   /* a member or nested archive could not be read: message */
} bi_member_kind;

typedef enum bi_member_fate {
	BI_FATE_PRESENT,  /* in the archive, or in the image's final file system */
	BI_FATE_DELETED,  /* removed by a whiteout of a later layer */
	BI_FATE_REPLACED, /* shadowed by an entry of a later layer */
} bi_member_fate;

typedef struct bi_member {
	const char *name; /* "img.tar!/blobs/sha256/…!/usr/bin/app" */
	const char *path; /* its path in the innermost archive: "/usr/bin/app" */
	bi_member_kind kind;
	int candidate;       /* exec bit, or a .exe/.dll/.so name: Go's isGoBinaryCandidate */
	const bi_info *info; /* BI_MEMBER_GO */
	bi_error err;        /* BI_MEMBER_NOT_GO: why the build info cannot be read */
	const char *message; /* BI_MEMBER_ERROR: what went wrong (libarchive's words) */

	/* Image layers only (layer == 0 otherwise). */
	unsigned layer;         /* 1-based position of its layer in the image */
	unsigned nlayers;       /* layers in that image */
	const char *layer_name; /* the layer's path in the tarball: "blobs/sha256/…" */
	bi_member_fate fate;
	unsigned fate_layer; /* the layer that deleted or replaced it */
	const char *fate_layer_name;
} bi_member;

/* Called once per member, in order; nonzero stops the walk. */
typedef int (*bi_member_fn)(void *ctx, const bi_member *m);

#define BI_ARCHIVE_ALL 0x1 /* also report NOT_GO candidates and symlinks (-v) */

typedef enum bi_archive_code {
	BI_ARCHIVE_OK = 0,
	BI_ARCHIVE_NOT,     /* not an archive (or an empty one): nothing was reported */
	BI_ARCHIVE_FAIL,    /* the archive could not be read to the end: see the error */
	BI_ARCHIVE_STOPPED, /* the callback asked to stop */
} bi_archive_code;

/* Walks the archive in the file at path (a pipe or a device works too, read
 * once from start to end). display names it in member names and messages.
 * Members found before a failure are reported before BI_ARCHIVE_FAIL. */
int bi_archive_walk_file(const char *path, const char *display, const bi_archive_limits *lim,
                         int flags, bi_member_fn fn, void *ctx, bi_error *err);

/* The same over a memory buffer (fuzzing, tests). */
int bi_archive_walk_mem(const void *data, size_t size, const char *display,
                        const bi_archive_limits *lim, int flags, bi_member_fn fn, void *ctx,
                        bi_error *err);

#endif
