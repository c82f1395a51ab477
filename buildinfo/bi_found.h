/* bi_found.h — what an archive walk found, kept until the walk ends.
 *
 * Members cannot be reported as they stream by: an image's manifest, which
 * says how layers stack, comes last in a `docker save` tarball. So every Go
 * binary (and, for -v, every other candidate, symlink and member error) is
 * a record until bi_found_report places each in the image, sorts them base
 * layer first, and hands them out. The list owns its records and their
 * strings and build info.
 */
#ifndef PGO_GO_BI_FOUND_H
#define PGO_GO_BI_FOUND_H

#include <stddef.h>

#include "bi_archive.h"
#include "bi_image.h"

typedef struct bi_rec {
	char *name;       /* "img.tar!/blobs/sha256/…!/usr/bin/app" */
	char *path;       /* "/usr/bin/app": its path in the innermost archive */
	char *layer_path; /* its entry in the unit (maybe a layer) holding it */
	long unit;        /* that unit, or -1 */
	size_t level;     /* the archive it was found in, for hard links */
	size_t seq;       /* the order found */
	bi_member_kind kind;
	int candidate;
	bi_info *info;
	int shared; /* info belongs to an earlier record (a hard link to it) */
	bi_error err;
	char *message;
	bi_place place;
} bi_rec;

typedef struct bi_found {
	bi_rec *recs;
	size_t n, cap;
} bi_found;

/* A new record, zeroed but for what is given; NULL when out of memory. The
 * pointer is valid until the next add. */
bi_rec *bi_found_add(bi_found *fl, const char *name, const char *path, const char *layer_path,
                     long unit, size_t level, bi_member_kind kind);

/* The latest Go binary found at path ("a/b", no leading "/") in level. */
const bi_rec *bi_found_binary(const bi_found *fl, size_t level, const char *path);

/* Places every record in img (planned), sorts them, and calls fn for each.
 * Returns 0, or 1 when fn asked to stop. */
int bi_found_report(bi_found *fl, const bi_image *img, bi_member_fn fn, void *ctx);

void bi_found_free(bi_found *fl);

/* "prefix!/path" with control characters as \xNN, so that no member name
 * can forge an output line. malloc'd; NULL when out of memory. */
char *bi_member_name(const char *prefix, const char *path);

#endif
