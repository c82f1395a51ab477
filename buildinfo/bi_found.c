/* bi_found.c — the records of an archive walk and their report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bi_found.h"

static void bi_rec_clear(bi_rec *r)
{
	free(r->name);
	free(r->path);
	free(r->layer_path);
	free(r->message);
	if (!r->shared)
		bi_info_free(r->info);
}

void bi_found_free(bi_found *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		bi_rec_clear(&fl->recs[i]);
	free(fl->recs);
	memset(fl, 0, sizeof(*fl));
}

bi_rec *bi_found_add(bi_found *fl, const char *name, const char *path, const char *layer_path,
                     long unit, size_t level, bi_member_kind kind)
{
	bi_rec *r;

	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 16;
		bi_rec *p = realloc(fl->recs, cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		fl->recs = p;
		fl->cap = cap;
	}
	r = &fl->recs[fl->n];
	memset(r, 0, sizeof(*r));
	r->name = strdup(name);
	r->layer_path = strdup(layer_path);
	if (asprintf(&r->path, "/%s", path) < 0)
		r->path = NULL;
	if (r->name == NULL || r->path == NULL || r->layer_path == NULL) {
		bi_rec_clear(r);
		return NULL;
	}
	r->unit = unit;
	r->level = level;
	r->seq = fl->n++;
	r->kind = kind;
	return r;
}

const bi_rec *bi_found_binary(const bi_found *fl, size_t level, const char *path)
{
	for (size_t i = fl->n; i-- > 0;) {
		const bi_rec *r = &fl->recs[i];

		if (r->level == level && r->kind == BI_MEMBER_GO && strcmp(r->path + 1, path) == 0)
			return r;
	}
	return NULL;
}

static int bi_rec_order(const void *a, const void *b)
{
	const bi_rec *x = a, *y = b;

	if (x->place.rank != y->place.rank)
		return x->place.rank < y->place.rank ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void bi_rec_member(const bi_rec *r, bi_member *m)
{
	memset(m, 0, sizeof(*m));
	m->name = r->name;
	m->path = r->path;
	m->kind = r->kind;
	m->candidate = r->candidate;
	m->info = r->info;
	m->err = r->err;
	m->message = r->message;
	m->layer = r->place.layer;
	m->nlayers = r->place.nlayers;
	m->layer_name = r->place.layer_name;
	m->fate = r->place.fate;
	m->fate_layer = r->place.fate_layer;
	m->fate_layer_name = r->place.fate_layer_name;
}

int bi_found_report(bi_found *fl, const bi_image *img, bi_member_fn fn, void *ctx)
{
	bi_member m;

	for (size_t i = 0; i < fl->n; i++)
		bi_image_place(img, fl->recs[i].unit, fl->recs[i].layer_path, &fl->recs[i].place);
	if (fl->n > 1)
		qsort(fl->recs, fl->n, sizeof(*fl->recs), bi_rec_order);
	for (size_t i = 0; i < fl->n; i++) {
		bi_rec_member(&fl->recs[i], &m);
		if (fn(ctx, &m) != 0)
			return 1;
	}
	return 0;
}

char *bi_member_name(const char *prefix, const char *path)
{
	size_t n = strlen(prefix), m = strlen(path);
	char *s = malloc(n + 2 + 4 * m + 1), *o;

	if (s == NULL)
		return NULL;
	memcpy(s, prefix, n);
	o = s + n;
	*o++ = '!';
	*o++ = '/';
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
	}
	*o = '\0';
	return s;
}
