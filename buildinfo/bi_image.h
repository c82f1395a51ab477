/* bi_image.h — the container-image view of a walked tarball.
 *
 * While bi_archive.c streams an image tarball it tells this module about
 * every archive found directly in it (a "unit": perhaps a layer), every entry
 * of a unit (whiteouts and opaque directories apart, kept as 64-bit path
 * hashes), and the small JSON members and symbolic links of the top level.
 * After the walk, bi_image_plan reads the docker-save manifest.json or the
 * OCI index.json to learn which units are layers and in what order, and
 * bi_image_place says where a binary found in a unit stands in the image:
 * its layer, and whether a later layer deleted or replaced it. No libarchive
 * here. The image owns everything it is given.
 */
#ifndef PGO_GO_BI_IMAGE_H
#define PGO_GO_BI_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "bi_archive.h"

typedef struct bi_unit {
	char *path;       /* its path in the top-level archive ("blobs/sha256/…") */
	char **whiteouts; /* paths this layer deletes from lower layers */
	size_t nwhiteouts, capwhiteouts;
	char **opaque; /* directories whose lower-layer content this layer hides */
	size_t nopaque, capopaque;
	uint64_t *entries; /* path hash with the low bit set for a directory */
	size_t nentries, cap;
	int incomplete; /* entries stopped at the memory bound */
} bi_unit;

typedef struct bi_json_blob {
	char *path;
	char *data;
	size_t len;
} bi_json_blob;

typedef struct bi_link {
	char *path, *target; /* both cleaned; target resolved against path's directory */
} bi_link;

typedef struct bi_layer_ref {
	char *path;   /* a layer's path in the tarball */
	size_t image; /* which image lists it */
	size_t pos;   /* its 0-based position there */
} bi_layer_ref;

typedef struct bi_image {
	bi_unit *units;
	size_t nunits, capunits;
	size_t total_entries; /* over all units, bounded */
	bi_json_blob *blobs;
	size_t nblobs, capblobs, blob_bytes;
	bi_link *links;
	size_t nlinks, caplinks;
	/* bi_image_plan: the layers of every image, images one after another */
	bi_layer_ref *refs;
	size_t nrefs, caprefs;
	size_t *image_first, *image_count;
	size_t nimages, capimages;
} bi_image;

/* Where a member stands after the plan. rank orders members: 0 outside any
 * layer, else 1 + the position of its layer among all images' layers. */
typedef struct bi_place {
	size_t rank;
	unsigned layer, nlayers;
	const char *layer_name;
	bi_member_fate fate;
	unsigned fate_layer;
	const char *fate_layer_name;
} bi_place;

#define BI_JSON_MAX ((size_t)1 << 20) /* a manifest or config larger than this is not kept */

void bi_image_init(bi_image *img);
void bi_image_free(bi_image *img);

/* A member path made canonical: no leading "/" or "./", no "." or empty
 * components, no trailing "/". Returns 0 with *out malloc'd, 1 when a ".."
 * component makes it unsafe (*out NULL), -1 when out of memory. */
int bi_path_clean(const char *in, char **out);

/* Returns the new unit's index, or -1 when out of memory. */
long bi_image_add_unit(bi_image *img, const char *path);

/* Records an entry (a cleaned path) of a unit. Returns 1 when it is a
 * whiteout (not a file of the image), 0, or -1 when out of memory. */
int bi_image_note(bi_image *img, size_t unit, const char *path, int isdir);

/* Keeps a small top-level JSON member (takes data, malloc'd), within a
 * total budget; over it the member is dropped. -1 when out of memory. */
int bi_image_keep_json(bi_image *img, const char *path, char *data, size_t len);

/* Keeps a top-level symbolic link (docker save links duplicate layers). */
int bi_image_keep_link(bi_image *img, const char *path, const char *target);

/* Finds the image's layers. Returns 0 (also when it is no image), -1 when
 * out of memory. */
int bi_image_plan(bi_image *img);

/* Where a member of unit (-1: none) at layer_path (cleaned) stands. */
void bi_image_place(const bi_image *img, long unit, const char *layer_path, bi_place *pl);

#endif
