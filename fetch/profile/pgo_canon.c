/* pgo_canon.c — order a fetch_pgo by content, number it, pack it, gzip it.
 *
 * Ranking first (functions, then mappings, then locations by the ranks of
 * what they hold) turns every later comparison into integer compares. */
#include "pgo_canon.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"

typedef int (*cmp_fn)(const void *ctx, uint32_t a, uint32_t b);

/* A stable merge sort with a context argument (qsort has none, and qsort_r
 * differs between libcs). */
static void sort_ids(uint32_t *ids, uint32_t *tmp, size_t n, cmp_fn cmp, const void *ctx)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	sort_ids(ids, tmp, mid, cmp, ctx);
	sort_ids(ids + mid, tmp, n - mid, cmp, ctx);
	while (i < mid && j < n)
		tmp[k++] = cmp(ctx, ids[j], ids[i]) < 0 ? ids[j++] : ids[i++];
	while (i < mid)
		tmp[k++] = ids[i++];
	while (j < n)
		tmp[k++] = ids[j++];
	memcpy(ids, tmp, n * sizeof *ids);
}

struct canon {
	const fetch_pgo *t;
	uint32_t *frank, *mrank, *lrank; /* id → rank by content */
	uint32_t *samples;               /* ids of non-zero samples, sorted */
	size_t nsamples;
	uint32_t *loc_out, *fn_out, *map_out, *str_out; /* id → 1 + output index; 0: unused */
	uint32_t *locs, *fns, *maps, *strs;             /* ids in output order */
	size_t nlocs, nfns, nmaps, nstrs, nlines, nstack;
};

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_function(const void *ctx, uint32_t a, uint32_t b)
{
	const fetch_pgo *t = ((const struct canon *)ctx)->t;
	const fetch_pgo_function *x = &t->functions[a], *y = &t->functions[b];
	int c = strcmp(t->strings[x->name], t->strings[y->name]);

	if (!c)
		c = strcmp(t->strings[x->system_name], t->strings[y->system_name]);
	if (!c)
		c = strcmp(t->strings[x->filename], t->strings[y->filename]);
	return c ? c : cmp_i64(x->start_line, y->start_line);
}

static int cmp_mapping(const void *ctx, uint32_t a, uint32_t b)
{
	const fetch_pgo *t = ((const struct canon *)ctx)->t;
	const fetch_pgo_mapping *x = &t->mappings[a], *y = &t->mappings[b];
	int c = strcmp(t->strings[x->filename], t->strings[y->filename]);

	if (!c)
		c = strcmp(t->strings[x->build_id], t->strings[y->build_id]);
	return c ? c : cmp_u32(x->flags, y->flags);
}

/* "None" ranks before everything. */
static uint32_t rank_of(const uint32_t *rank, uint32_t id)
{
	return id == FETCH_PGO_NONE ? 0 : rank[id] + 1;
}

static int cmp_location(const void *ctx, uint32_t a, uint32_t b)
{
	const struct canon *c = ctx;
	const fetch_pgo_location *x = &c->t->locations[a], *y = &c->t->locations[b];
	uint32_t i;
	int r;

	for (i = 0; i < x->nlines && i < y->nlines; i++) {
		const fetch_pgo_line *lx = &c->t->lines[x->first_line + i];
		const fetch_pgo_line *ly = &c->t->lines[y->first_line + i];
		r = cmp_u32(rank_of(c->frank, lx->function), rank_of(c->frank, ly->function));
		if (!r)
			r = cmp_i64(lx->line, ly->line);
		if (r)
			return r;
	}
	r = cmp_u32(x->nlines, y->nlines);
	return r ? r : cmp_u32(rank_of(c->mrank, x->mapping), rank_of(c->mrank, y->mapping));
}

static int cmp_sample(const void *ctx, uint32_t a, uint32_t b)
{
	const struct canon *c = ctx;
	const fetch_pgo_sample *x = &c->t->samples[a], *y = &c->t->samples[b];
	uint32_t i;
	int r;

	for (i = 0; i < x->depth && i < y->depth; i++) {
		r = cmp_u32(c->lrank[c->t->stacks[x->first + i]],
		            c->lrank[c->t->stacks[y->first + i]]);
		if (r)
			return r;
	}
	return cmp_u32(x->depth, y->depth);
}

/* rank[id] = position of id when all n ids are sorted by cmp. */
static int rank_table(struct canon *c, size_t n, cmp_fn cmp, uint32_t **rank, fetch_err *err)
{
	uint32_t *ids = malloc((n ? n : 1) * sizeof *ids), *tmp = malloc((n ? n : 1) * sizeof *tmp);
	int ret = -1;
	size_t i;

	*rank = malloc((n ? n : 1) * sizeof **rank);
	if (!ids || !tmp || !*rank) {
		fetch_err_nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++)
		ids[i] = (uint32_t)i;
	sort_ids(ids, tmp, n, cmp, c);
	for (i = 0; i < n; i++)
		(*rank)[ids[i]] = (uint32_t)i;
	ret = 0;
out:
	free(ids);
	free(tmp);
	return ret;
}

static int sort_samples(struct canon *c, fetch_err *err)
{
	const fetch_pgo *t = c->t;
	uint32_t *tmp;
	size_t i;

	c->samples = malloc((t->nsamples ? t->nsamples : 1) * sizeof *c->samples);
	tmp = malloc((t->nsamples ? t->nsamples : 1) * sizeof *tmp);
	if (!c->samples || !tmp) {
		free(tmp);
		return fetch_err_nomem(err);
	}
	for (i = 0; i < t->nsamples; i++)
		if (t->samples[i].value != 0)
			c->samples[c->nsamples++] = (uint32_t)i;
	sort_ids(c->samples, tmp, c->nsamples, cmp_sample, c);
	free(tmp);
	if (c->nsamples == 0)
		return fetch_errf(err, FETCH_E_INVALID,
		                  "no samples left after the go-pgo reduction");
	return 0;
}

static void number(uint32_t *out, uint32_t *list, size_t *n, uint32_t id)
{
	if (id != FETCH_PGO_NONE && out[id] == 0) {
		list[(*n)++] = id;
		out[id] = (uint32_t)*n;
	}
}

static uint32_t *zalloc(size_t n)
{
	return calloc(n ? n : 1, sizeof(uint32_t));
}

/* Output ids in order of first use: locations over the sorted samples, then
 * functions and mappings over the locations, then strings over those. */
static int number_all(struct canon *c, fetch_err *err)
{
	const fetch_pgo *t = c->t;
	size_t i, j;

	c->loc_out = zalloc(t->nlocations), c->locs = zalloc(t->nlocations);
	c->fn_out = zalloc(t->nfunctions), c->fns = zalloc(t->nfunctions);
	c->map_out = zalloc(t->nmappings), c->maps = zalloc(t->nmappings);
	c->str_out = zalloc(t->nstrings), c->strs = zalloc(t->nstrings);
	if (!c->loc_out || !c->locs || !c->fn_out || !c->fns || !c->map_out || !c->maps ||
	    !c->str_out || !c->strs)
		return fetch_err_nomem(err);
	for (i = 0; i < c->nsamples; i++) {
		const fetch_pgo_sample *s = &t->samples[c->samples[i]];
		for (j = 0; j < s->depth; j++)
			number(c->loc_out, c->locs, &c->nlocs, t->stacks[s->first + j]);
		c->nstack += s->depth;
	}
	for (i = 0; i < c->nlocs; i++) {
		const fetch_pgo_location *l = &t->locations[c->locs[i]];
		for (j = 0; j < l->nlines; j++)
			number(c->fn_out, c->fns, &c->nfns, t->lines[l->first_line + j].function);
		number(c->map_out, c->maps, &c->nmaps, l->mapping);
		c->nlines += l->nlines;
	}
	/* "" is string 0 in both tables. */
	c->strs[c->nstrs++] = 0;
	c->str_out[0] = 1;
	number(c->str_out, c->strs, &c->nstrs, t->type);
	number(c->str_out, c->strs, &c->nstrs, t->unit);
	for (i = 0; i < c->nmaps; i++) {
		number(c->str_out, c->strs, &c->nstrs, t->mappings[c->maps[i]].filename);
		number(c->str_out, c->strs, &c->nstrs, t->mappings[c->maps[i]].build_id);
	}
	for (i = 0; i < c->nfns; i++) {
		const fetch_pgo_function *f = &t->functions[c->fns[i]];
		number(c->str_out, c->strs, &c->nstrs, f->name);
		number(c->str_out, c->strs, &c->nstrs, f->system_name);
		number(c->str_out, c->strs, &c->nstrs, f->filename);
	}
	return 0;
}

static int64_t str_index(const struct canon *c, uint32_t id)
{
	return (int64_t)c->str_out[id] - 1;
}

static void canon_free(struct canon *c)
{
	free(c->frank), free(c->mrank), free(c->lrank), free(c->samples);
	free(c->loc_out), free(c->fn_out), free(c->map_out), free(c->str_out);
	free(c->locs), free(c->fns), free(c->maps), free(c->strs);
}

/* The protobuf-c view of the output; all arrays, one allocation each. */
struct msg {
	Perftools__Profiles__Profile prof;
	Perftools__Profiles__ValueType vt, pt, *vtp;
	Perftools__Profiles__Sample *samples, **samplep;
	uint64_t *stack;
	int64_t *values;
	Perftools__Profiles__Location *locs, **locp;
	Perftools__Profiles__Line *lines, **linep;
	Perftools__Profiles__Function *fns, **fnp;
	Perftools__Profiles__Mapping *maps, **mapp;
	char **strings;
};

static void msg_free(struct msg *m)
{
	free(m->samples), free(m->samplep), free(m->stack), free(m->values);
	free(m->locs), free(m->locp), free(m->lines), free(m->linep);
	free(m->fns), free(m->fnp), free(m->maps), free(m->mapp), free(m->strings);
}

#define ARR(n, p) calloc((n) ? (n) : 1, sizeof *(p))

static int msg_alloc(struct msg *m, const struct canon *c, fetch_err *err)
{
	m->samples = ARR(c->nsamples, m->samples), m->samplep = ARR(c->nsamples, m->samplep);
	m->stack = ARR(c->nstack, m->stack), m->values = ARR(c->nsamples, m->values);
	m->locs = ARR(c->nlocs, m->locs), m->locp = ARR(c->nlocs, m->locp);
	m->lines = ARR(c->nlines, m->lines), m->linep = ARR(c->nlines, m->linep);
	m->fns = ARR(c->nfns, m->fns), m->fnp = ARR(c->nfns, m->fnp);
	m->maps = ARR(c->nmaps, m->maps), m->mapp = ARR(c->nmaps, m->mapp);
	m->strings = ARR(c->nstrs, m->strings);
	if (!m->samples || !m->samplep || !m->stack || !m->values || !m->locs || !m->locp ||
	    !m->lines || !m->linep || !m->fns || !m->fnp || !m->maps || !m->mapp || !m->strings)
		return fetch_err_nomem(err);
	return 0;
}

static void fill_samples(struct msg *m, const struct canon *c)
{
	const fetch_pgo *t = c->t;
	size_t i, j, k = 0;

	for (i = 0; i < c->nsamples; i++) {
		const fetch_pgo_sample *s = &t->samples[c->samples[i]];
		Perftools__Profiles__Sample *o = &m->samples[i];
		perftools__profiles__sample__init(o);
		o->n_location_id = s->depth;
		o->location_id = &m->stack[k];
		for (j = 0; j < s->depth; j++)
			m->stack[k++] = c->loc_out[t->stacks[s->first + j]];
		m->values[i] = s->value;
		o->n_value = 1;
		o->value = &m->values[i];
		m->samplep[i] = o;
	}
}

static void fill_locations(struct msg *m, const struct canon *c)
{
	const fetch_pgo *t = c->t;
	size_t i, j, k = 0;

	for (i = 0; i < c->nlocs; i++) {
		const fetch_pgo_location *l = &t->locations[c->locs[i]];
		Perftools__Profiles__Location *o = &m->locs[i];
		perftools__profiles__location__init(o);
		o->id = i + 1;
		o->mapping_id = l->mapping == FETCH_PGO_NONE ? 0 : c->map_out[l->mapping];
		o->n_line = l->nlines;
		o->line = &m->linep[k];
		for (j = 0; j < l->nlines; j++, k++) {
			const fetch_pgo_line *ln = &t->lines[l->first_line + j];
			perftools__profiles__line__init(&m->lines[k]);
			m->lines[k].function_id =
			    ln->function == FETCH_PGO_NONE ? 0 : c->fn_out[ln->function];
			m->lines[k].line = ln->line;
			m->linep[k] = &m->lines[k];
		}
		m->locp[i] = o;
	}
}

static void fill_tables(struct msg *m, const struct canon *c)
{
	const fetch_pgo *t = c->t;
	size_t i;

	for (i = 0; i < c->nfns; i++) {
		const fetch_pgo_function *f = &t->functions[c->fns[i]];
		Perftools__Profiles__Function *o = &m->fns[i];
		perftools__profiles__function__init(o);
		o->id = i + 1;
		o->name = str_index(c, f->name);
		o->system_name = str_index(c, f->system_name);
		o->filename = str_index(c, f->filename);
		o->start_line = f->start_line;
		m->fnp[i] = o;
	}
	for (i = 0; i < c->nmaps; i++) {
		const fetch_pgo_mapping *p = &t->mappings[c->maps[i]];
		Perftools__Profiles__Mapping *o = &m->maps[i];
		perftools__profiles__mapping__init(o);
		o->id = i + 1;
		o->filename = str_index(c, p->filename);
		o->build_id = str_index(c, p->build_id);
		o->has_functions = (p->flags & FETCH_PGO_HAS_FUNCTIONS) != 0;
		o->has_filenames = (p->flags & FETCH_PGO_HAS_FILENAMES) != 0;
		o->has_line_numbers = (p->flags & FETCH_PGO_HAS_LINE_NUMBERS) != 0;
		o->has_inline_frames = (p->flags & FETCH_PGO_HAS_INLINE_FRAMES) != 0;
		m->mapp[i] = o;
	}
	for (i = 0; i < c->nstrs; i++)
		m->strings[i] = t->strings[c->strs[i]];
}

static void fill_profile(struct msg *m, const struct canon *c, int64_t start, int64_t end)
{
	Perftools__Profiles__Profile *p = &m->prof;

	perftools__profiles__profile__init(p);
	perftools__profiles__value_type__init(&m->vt);
	m->vt.type = str_index(c, c->t->type);
	m->vt.unit = str_index(c, c->t->unit);
	m->pt = m->vt;
	m->vtp = &m->vt;
	p->n_sample_type = 1;
	p->sample_type = &m->vtp;
	p->period_type = &m->pt;
	p->period = c->t->period;
	p->time_nanos = start;
	p->duration_nanos = end - start;
	p->n_sample = c->nsamples, p->sample = m->samplep;
	p->n_location = c->nlocs, p->location = m->locp;
	p->n_function = c->nfns, p->function = m->fnp;
	p->n_mapping = c->nmaps, p->mapping = m->mapp;
	p->n_string_table = c->nstrs, p->string_table = m->strings;
}

static int pack(const struct canon *c, int64_t start, int64_t end, unsigned char **out,
                size_t *outlen, fetch_err *err)
{
	struct msg m;
	size_t len;
	int ret = -1;

	memset(&m, 0, sizeof m);
	if (msg_alloc(&m, c, err))
		goto out;
	fill_samples(&m, c);
	fill_locations(&m, c);
	fill_tables(&m, c);
	fill_profile(&m, c, start, end);
	len = perftools__profiles__profile__get_packed_size(&m.prof);
	*out = malloc(len ? len : 1);
	if (!*out) {
		fetch_err_nomem(err);
		goto out;
	}
	*outlen = perftools__profiles__profile__pack(&m.prof, *out);
	ret = 0;
out:
	msg_free(&m);
	return ret;
}

int fetch_pgo_encode_raw(const fetch_pgo *p, int64_t start_ns, int64_t end_ns, unsigned char **out,
                         size_t *outlen, fetch_err *err)
{
	struct canon c;
	int ret = -1;

	*out = NULL;
	*outlen = 0;
	if (end_ns < start_ns || __builtin_sub_overflow(end_ns, start_ns, &(int64_t){0}))
		return fetch_errf(err, FETCH_E_ARG, "the profile window ends before it starts");
	if (!p->have_type)
		return fetch_errf(err, FETCH_E_INVALID,
		                  "no samples left after the go-pgo reduction");
	memset(&c, 0, sizeof c);
	c.t = p;
	if (rank_table(&c, p->nfunctions, cmp_function, &c.frank, err) ||
	    rank_table(&c, p->nmappings, cmp_mapping, &c.mrank, err) ||
	    rank_table(&c, p->nlocations, cmp_location, &c.lrank, err) || sort_samples(&c, err) ||
	    number_all(&c, err) || pack(&c, start_ns, end_ns, out, outlen, err))
		goto out;
	ret = 0;
out:
	canon_free(&c);
	return ret;
}

/* zlib counts in uInt; feed and drain at most this much per call. */
#define ZCHUNK ((size_t)1 << 30)

static int deflate_all(z_stream *z, const unsigned char *in, size_t len, unsigned char **buf,
                       size_t *cap, size_t *used, fetch_err *err)
{
	size_t fed = 0;
	int rc;

	do {
		if (z->avail_in == 0 && fed < len) {
			size_t n = len - fed < ZCHUNK ? len - fed : ZCHUNK;
			z->next_in = (unsigned char *)in + fed;
			z->avail_in = (uInt)n;
			fed += n;
		}
		if (*used == *cap) {
			unsigned char *nb = *cap <= SIZE_MAX / 2 ? realloc(*buf, *cap * 2) : NULL;
			if (!nb)
				return fetch_err_nomem(err);
			*buf = nb;
			*cap *= 2;
		}
		size_t room = *cap - *used < ZCHUNK ? *cap - *used : ZCHUNK;
		z->next_out = *buf + *used;
		z->avail_out = (uInt)room;
		rc = deflate(z, fed == len ? Z_FINISH : Z_NO_FLUSH);
		*used += room - z->avail_out;
		if (rc == Z_STREAM_ERROR)
			return fetch_errf(err, FETCH_E_NOMEM, "gzip compression failed");
	} while (rc != Z_STREAM_END);
	return 0;
}

int fetch_pgo_gzip(const void *data, size_t len, unsigned char **out, size_t *outlen,
                   fetch_err *err)
{
	z_stream z;
	gz_header h;
	unsigned char *buf = NULL;
	size_t cap, used = 0;
	int ret = -1;

	memset(&z, 0, sizeof z);
	memset(&h, 0, sizeof h);
	h.os = 255; /* "unknown", as Go writes: zlib would put the build's OS */
	if (deflateInit2(&z, FETCH_PGO_GZIP_LEVEL, Z_DEFLATED, 16 + MAX_WBITS, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		return fetch_err_nomem(err);
	if (deflateSetHeader(&z, &h) != Z_OK) {
		fetch_errf(err, FETCH_E_NOMEM, "gzip header setup failed");
		goto out;
	}
	cap = len <= ZCHUNK ? deflateBound(&z, (uLong)len) : len;
	buf = malloc(cap);
	if (!buf) {
		fetch_err_nomem(err);
		goto out;
	}
	if (deflate_all(&z, data, len, &buf, &cap, &used, err))
		goto out;
	*out = buf;
	*outlen = used;
	buf = NULL;
	ret = 0;
out:
	deflateEnd(&z);
	free(buf);
	return ret;
}

int fetch_pgo_encode(const fetch_pgo *p, int64_t start_ns, int64_t end_ns, unsigned char **out,
                     size_t *outlen, fetch_err *err)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	int ret;

	*out = NULL;
	*outlen = 0;
	if (fetch_pgo_encode_raw(p, start_ns, end_ns, &raw, &rawlen, err))
		return -1;
	ret = fetch_pgo_gzip(raw, rawlen, out, outlen, err);
	free(raw);
	return ret;
}
