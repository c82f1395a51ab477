/* bi_image.c — layers, their order and their whiteouts, for images walked as
 * tarballs: docker save's manifest.json, or an OCI layout's index.json and
 * the manifests it points to among the blobs. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bi_image.h"

#define BI_ENTRIES_MAX ((size_t)1 << 22) /* 32 MiB of hashes over all layers */
#define BI_BLOBS_BYTES ((size_t)16 << 20)
#define BI_BLOBS_MAX   4096
#define BI_LINKS_MAX   65536
#define BI_INDEX_DEPTH 4 /* an index of indexes of manifests, and a margin */
#define BI_LINK_HOPS   8
#define BI_WH          ".wh."
#define BI_WH_OPAQUE   ".wh..wh..opq"

/* FNV-1a; the low bit is left for the directory flag. */
static uint64_t bi_path_hash(const char *s, size_t n, int isdir)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	return (h & ~(uint64_t)1) | (isdir ? 1 : 0);
}

/* The array p of *cap elements of size elem, with room for element n:
 * p itself, or a larger copy (*cap updated), or NULL with p untouched. */
static void *bi_grow(void *p, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > SIZE_MAX / elem)
		return NULL;
	q = realloc(p, ncap * elem);
	if (q != NULL)
		*cap = ncap;
	return q;
}

void bi_image_init(bi_image *img)
{
	memset(img, 0, sizeof(*img));
}

static void bi_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void bi_image_free(bi_image *img)
{
	for (size_t i = 0; i < img->nunits; i++) {
		bi_unit *u = &img->units[i];
		free(u->path);
		bi_strv_free(u->whiteouts, u->nwhiteouts);
		bi_strv_free(u->opaque, u->nopaque);
		free(u->entries);
	}
	free(img->units);
	for (size_t i = 0; i < img->nblobs; i++) {
		free(img->blobs[i].path);
		free(img->blobs[i].data);
	}
	free(img->blobs);
	for (size_t i = 0; i < img->nlinks; i++) {
		free(img->links[i].path);
		free(img->links[i].target);
	}
	free(img->links);
	for (size_t i = 0; i < img->nrefs; i++)
		free(img->refs[i].path);
	free(img->refs);
	free(img->image_first);
	free(img->image_count);
	bi_image_init(img);
}

/* Cleans in; with pop, ".." removes the previous component (a link target
 * resolved inside the archive), without it ".." makes the path unsafe. */
static int bi_clean(const char *in, int pop, char **out)
{
	char *o = malloc(strlen(in) + 1);
	size_t len = 0;

	*out = NULL;
	if (o == NULL)
		return -1;
	while (*in != '\0') {
		const char *seg = in;
		size_t n;

		while (*in != '\0' && *in != '/')
			in++;
		n = (size_t)(in - seg);
		if (*in == '/')
			in++;
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (!pop) {
				free(o);
				return 1;
			}
			while (len > 0 && o[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		if (len > 0)
			o[len++] = '/';
		memcpy(o + len, seg, n);
		len += n;
	}
	o[len] = '\0';
	*out = o;
	return 0;
}

int bi_path_clean(const char *in, char **out)
{
	return bi_clean(in, 0, out);
}

long bi_image_add_unit(bi_image *img, const char *path)
{
	bi_unit *u = bi_grow(img->units, &img->capunits, img->nunits, sizeof(*u));

	if (u == NULL)
		return -1;
	img->units = u;
	u = &img->units[img->nunits];
	memset(u, 0, sizeof(*u));
	if ((u->path = strdup(path)) == NULL)
		return -1;
	return (long)img->nunits++;
}

static int bi_push_str(char ***v, size_t *n, size_t *cap, const char *s, size_t len)
{
	char *copy = strndup(s, len);
	char **grown = copy ? bi_grow(*v, cap, *n, sizeof(**v)) : NULL;

	if (grown == NULL) {
		free(copy);
		return -1;
	}
	*v = grown;
	(*v)[(*n)++] = copy;
	return 0;
}

int bi_image_note(bi_image *img, size_t unit, const char *path, int isdir)
{
	bi_unit *u = &img->units[unit];
	uint64_t *entries;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) : 0;

	if (img->total_entries >= BI_ENTRIES_MAX) {
		u->incomplete = 1;
		return strncmp(base, BI_WH, strlen(BI_WH)) == 0;
	}
	img->total_entries++;
	if (strcmp(base, BI_WH_OPAQUE) == 0)
		return bi_push_str(&u->opaque, &u->nopaque, &u->capopaque, path, dirlen) ? -1 : 1;
	if (strncmp(base, BI_WH, strlen(BI_WH)) == 0) {
		char *target;
		int rc;

		if (asprintf(&target, "%.*s%s%s", (int)dirlen, path, dirlen ? "/" : "",
		             base + strlen(BI_WH)) < 0)
			return -1;
		rc = bi_push_str(&u->whiteouts, &u->nwhiteouts, &u->capwhiteouts, target,
		                 strlen(target));
		free(target);
		return rc ? -1 : 1;
	}
	entries = bi_grow(u->entries, &u->cap, u->nentries, sizeof(*entries));
	if (entries == NULL)
		return -1;
	u->entries = entries;
	u->entries[u->nentries++] = bi_path_hash(path, strlen(path), isdir);
	return 0;
}

int bi_image_keep_json(bi_image *img, const char *path, char *data, size_t len)
{
	bi_json_blob *b;

	if (img->nblobs >= BI_BLOBS_MAX || len > BI_BLOBS_BYTES - img->blob_bytes) {
		free(data);
		return 0;
	}
	if ((b = bi_grow(img->blobs, &img->capblobs, img->nblobs, sizeof(*b))) == NULL) {
		free(data);
		return -1;
	}
	img->blobs = b;
	b = &img->blobs[img->nblobs];
	if ((b->path = strdup(path)) == NULL) {
		free(data);
		return -1;
	}
	b->data = data;
	b->len = len;
	img->nblobs++;
	img->blob_bytes += len;
	return 0;
}

int bi_image_keep_link(bi_image *img, const char *path, const char *target)
{
	char *joined;
	bi_link *l;
	int rc;

	if (img->nlinks >= BI_LINKS_MAX)
		return 0;
	if ((l = bi_grow(img->links, &img->caplinks, img->nlinks, sizeof(*l))) == NULL)
		return -1;
	img->links = l;
	l = &img->links[img->nlinks];
	/* A relative target is relative to the link's directory. */
	if (target[0] == '/')
		rc = asprintf(&joined, "%s", target);
	else
		rc = asprintf(&joined, "%s/../%s", path, target);
	if (rc < 0)
		return -1;
	rc = bi_clean(joined, 1, &l->target);
	free(joined);
	if (rc != 0)
		return -1;
	if ((l->path = strdup(path)) == NULL) {
		free(l->target);
		return -1;
	}
	img->nlinks++;
	return 0;
}

static const bi_json_blob *bi_find_blob(const bi_image *img, const char *path)
{
	for (size_t i = 0; i < img->nblobs; i++)
		if (strcmp(img->blobs[i].path, path) == 0)
			return &img->blobs[i];
	return NULL;
}

static const char *bi_follow_links(const bi_image *img, const char *path)
{
	for (int hop = 0; hop < BI_LINK_HOPS; hop++) {
		size_t i = 0;

		while (i < img->nlinks && strcmp(img->links[i].path, path) != 0)
			i++;
		if (i == img->nlinks)
			break;
		path = img->links[i].target;
	}
	return path;
}

static int bi_new_image(bi_image *img)
{
	size_t cap = img->capimages;
	size_t *first = bi_grow(img->image_first, &cap, img->nimages, sizeof(*first)), *count;

	if (first == NULL)
		return -1;
	img->image_first = first;
	/* Both arrays grow to the same capacity: the second from the old one. */
	cap = img->capimages;
	if ((count = bi_grow(img->image_count, &cap, img->nimages, sizeof(*count))) == NULL)
		return -1;
	img->image_count = count;
	img->capimages = cap;
	img->image_first[img->nimages] = img->nrefs;
	img->image_count[img->nimages] = 0;
	img->nimages++;
	return 0;
}

/* Appends a layer, given by its path in the tarball, to the last image. */
static int bi_add_layer(bi_image *img, const char *raw)
{
	bi_layer_ref *r;
	char *clean;
	int rc = bi_path_clean(raw, &clean);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if ((r = bi_grow(img->refs, &img->caprefs, img->nrefs, sizeof(*r))) == NULL) {
		free(clean);
		return -1;
	}
	img->refs = r;
	r = &img->refs[img->nrefs];
	r->path = strdup(bi_follow_links(img, clean));
	free(clean);
	if (r->path == NULL)
		return -1;
	r->image = img->nimages - 1;
	r->pos = img->image_count[r->image]++;
	img->nrefs++;
	return 0;
}

/* docker save: [{"Config": …, "RepoTags": […], "Layers": ["<id>/layer.tar", …]}] */
static int bi_plan_docker(bi_image *img, json_t *root)
{
	for (size_t i = 0; i < json_array_size(root); i++) {
		json_t *layers = json_object_get(json_array_get(root, i), "Layers");

		if (!json_is_array(layers))
			continue;
		if (bi_new_image(img) != 0)
			return -1;
		for (size_t j = 0; j < json_array_size(layers); j++) {
			const char *path = json_string_value(json_array_get(layers, j));
			if (path != NULL && bi_add_layer(img, path) != 0)
				return -1;
		}
	}
	return 0;
}

/* "sha256:<hex>" → "blobs/sha256/<hex>", or NULL for anything else. */
static char *bi_digest_path(json_t *desc)
{
	const char *d = json_string_value(json_object_get(desc, "digest"));
	const char *colon = d ? strchr(d, ':') : NULL;
	char *path;

	if (colon == NULL || colon == d || colon[1] == '\0' || strchr(d, '/') != NULL)
		return NULL;
	if (asprintf(&path, "blobs/%.*s/%s", (int)(colon - d), d, colon + 1) < 0)
		return NULL;
	return path;
}

static json_t *bi_load_blob(const bi_image *img, const char *path)
{
	const bi_json_blob *b = bi_find_blob(img, path);

	return b ? json_loadb(b->data, b->len, 0, NULL) : NULL;
}

/* Layers of other media types (attestations, signatures) are not tars. */
static int bi_is_layer(json_t *desc)
{
	const char *type = json_string_value(json_object_get(desc, "mediaType"));

	return type == NULL || strstr(type, "tar") != NULL;
}

static int bi_plan_manifest(bi_image *img, json_t *man)
{
	json_t *layers = json_object_get(man, "layers");

	if (bi_new_image(img) != 0)
		return -1;
	for (size_t i = 0; i < json_array_size(layers); i++) {
		json_t *l = json_array_get(layers, i);
		char *path = bi_is_layer(l) ? bi_digest_path(l) : NULL;
		int rc = path ? bi_add_layer(img, path) : 0;

		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* An OCI index: every manifest it lists, and the indexes it lists in turn. */
static int bi_plan_index(bi_image *img, json_t *index, int depth)
{
	json_t *mans = json_object_get(index, "manifests");
	int rc = 0;

	if (depth > BI_INDEX_DEPTH)
		return 0;
	for (size_t i = 0; i < json_array_size(mans); i++) {
		char *path = bi_digest_path(json_array_get(mans, i));
		json_t *blob = path ? bi_load_blob(img, path) : NULL;

		free(path);
		if (json_is_array(json_object_get(blob, "layers")))
			rc = bi_plan_manifest(img, blob);
		else if (json_is_array(json_object_get(blob, "manifests")))
			rc = bi_plan_index(img, blob, depth + 1);
		json_decref(blob);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int bi_hash_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int bi_image_plan(bi_image *img)
{
	const bi_json_blob *b;
	json_t *root = NULL;
	int rc = 0;

	for (size_t i = 0; i < img->nunits; i++)
		if (img->units[i].nentries > 1)
			qsort(img->units[i].entries, img->units[i].nentries, sizeof(uint64_t),
			      bi_hash_cmp);
	/* docker save since 25 writes both; its manifest.json is the simpler. */
	if ((b = bi_find_blob(img, "manifest.json")) != NULL) {
		root = json_loadb(b->data, b->len, 0, NULL);
		rc = bi_plan_docker(img, root);
	} else if ((b = bi_find_blob(img, "index.json")) != NULL) {
		root = json_loadb(b->data, b->len, 0, NULL);
		rc = bi_plan_index(img, root, 0);
	}
	json_decref(root);
	return rc;
}

static int bi_has_entry(const bi_unit *u, const char *path, size_t n, int isdir)
{
	uint64_t h = bi_path_hash(path, n, isdir);

	return bsearch(&h, u->entries, u->nentries, sizeof(h), bi_hash_cmp) != NULL;
}

static int bi_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n == 0 || (strncmp(path, dir, n) == 0 && path[n] == '/');
}

/* What layer u does to a lower layer's file at path. */
static bi_member_fate bi_unit_fate(const bi_unit *u, const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < u->nwhiteouts; i++)
		if (strcmp(path, u->whiteouts[i]) == 0 || bi_under(path, u->whiteouts[i]))
			return BI_FATE_DELETED;
	for (size_t i = 0; i < u->nopaque; i++)
		if (bi_under(path, u->opaque[i]))
			return BI_FATE_DELETED;
	if (bi_has_entry(u, path, n, 0) || bi_has_entry(u, path, n, 1))
		return BI_FATE_REPLACED;
	/* A file or link where a parent directory was hides everything below. */
	for (size_t i = 0; i < n; i++)
		if (path[i] == '/' && bi_has_entry(u, path, i, 0))
			return BI_FATE_REPLACED;
	return BI_FATE_PRESENT;
}

static const bi_unit *bi_find_unit(const bi_image *img, const char *path)
{
	for (size_t i = 0; i < img->nunits; i++)
		if (strcmp(img->units[i].path, path) == 0)
			return &img->units[i];
	return NULL;
}

void bi_image_place(const bi_image *img, long unit, const char *layer_path, bi_place *pl)
{
	size_t r = 0, first, count;

	memset(pl, 0, sizeof(*pl));
	pl->fate = BI_FATE_PRESENT;
	if (unit < 0 || (size_t)unit >= img->nunits)
		return;
	while (r < img->nrefs && strcmp(img->refs[r].path, img->units[unit].path) != 0)
		r++;
	if (r == img->nrefs)
		return;
	first = img->image_first[img->refs[r].image];
	count = img->image_count[img->refs[r].image];
	pl->rank = r + 1;
	pl->layer = (unsigned)img->refs[r].pos + 1;
	pl->nlayers = (unsigned)count;
	pl->layer_name = img->refs[r].path;
	for (size_t q = img->refs[r].pos + 1; q < count; q++) {
		const char *later = img->refs[first + q].path;
		const bi_unit *u;
		bi_member_fate f;

		/* The same layer again (docker save links repeats to the first
		 * copy): the file is back, from that layer. */
		if (strcmp(later, pl->layer_name) == 0) {
			pl->layer = (unsigned)q + 1;
			pl->fate = BI_FATE_PRESENT;
			continue;
		}
		u = bi_find_unit(img, later);
		f = u ? bi_unit_fate(u, layer_path) : BI_FATE_PRESENT;
		if (pl->fate == BI_FATE_PRESENT && f != BI_FATE_PRESENT) {
			pl->fate = f;
			pl->fate_layer = (unsigned)q + 1;
			pl->fate_layer_name = later;
		}
	}
}
