/* pprof.c — gunzip, unpack, id maps, and the visit of the samples; Go's
 * parse-time checks are pprof_check.c's. */
#include "pprof.h"

#ifdef __linux__
#include <malloc.h> /* mallopt, in glibc */
#endif

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pprof_int.h"

int pprof_is_gzip(const void *data, size_t len)
{
	const unsigned char *b = data;

	return len >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

/* Sizes in messages: MiB when whole, bytes otherwise. */
static int too_big(fetch_err *err, const char *what, size_t max)
{
	if (max % ((size_t)1 << 20) == 0)
		return fetch_errf(err, FETCH_E_TOOBIG,
		                  "%s more than %zu MiB (a gzip bomb, or a profile too large to "
		                  "use; raise the size limit if it is genuine)",
		                  what, max >> 20);
	return fetch_errf(err, FETCH_E_TOOBIG,
	                  "%s more than %zu bytes (a gzip bomb, or a profile too large to use; "
	                  "raise the size limit if it is genuine)",
	                  what, max);
}

/* Grows *buf by doubling, to at most max + 1 bytes: the one byte past the
 * limit tells a stream of exactly max bytes from a longer one. */
static int grow_out(unsigned char **buf, size_t *cap, size_t max, fetch_err *err)
{
	size_t limit = max < SIZE_MAX ? max + 1 : max, ncap = *cap * 2;
	unsigned char *nbuf;

	if (*cap >= limit)
		return too_big(err, "profile expands to", max);
	if (ncap > limit || ncap < *cap)
		ncap = limit;
	nbuf = realloc(*buf, ncap);
	if (!nbuf)
		return fetch_err_nomem(err);
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

/* zlib counts in uInt; feed at most this much per call. */
#define ZCHUNK ((size_t)1 << 30)

static int inflate_all(z_stream *z, const unsigned char *in, size_t len, size_t max,
                       unsigned char **buf, size_t *cap, size_t *used, fetch_err *err)
{
	size_t fed = 0;
	int rc = Z_OK;

	for (;;) {
		if (z->avail_in == 0 && fed < len) {
			size_t n = len - fed < ZCHUNK ? len - fed : ZCHUNK;
			z->next_in = (unsigned char *)in + fed;
			z->avail_in = (uInt)n;
			fed += n;
		}
		if (*used == *cap && grow_out(buf, cap, max, err))
			return -1;
		size_t room = *cap - *used < ZCHUNK ? *cap - *used : ZCHUNK;
		z->next_out = *buf + *used;
		z->avail_out = (uInt)room;
		rc = inflate(z, Z_NO_FLUSH);
		*used += room - z->avail_out;
		if (rc == Z_STREAM_END) {
			/* Go reads concatenated members as one stream; anything
			 * after the last member must be another member. */
			if (z->avail_in == 0 && fed == len)
				return *used > max ? too_big(err, "profile expands to", max) : 0;
			if (inflateReset(z) != Z_OK)
				break;
			continue;
		}
		if (rc == Z_BUF_ERROR && z->avail_in == 0 && fed == len)
			return fetch_errf(err, FETCH_E_GZIP,
			                  "gzip data is truncated (an interrupted download?)");
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			break;
	}
	if (rc == Z_MEM_ERROR)
		return fetch_err_nomem(err);
	return fetch_errf(err, FETCH_E_GZIP, "corrupt gzip data (%s); fetch the profile again",
	                  z->msg ? z->msg : "inflate failed");
}

int pprof_gunzip(const void *data, size_t len, size_t max_size, unsigned char **out, size_t *outlen,
                 fetch_err *err)
{
	z_stream z;
	unsigned char *buf = NULL;
	size_t cap, used = 0;
	int ret = -1;

	if (max_size == 0)
		max_size = PPROF_MAX_SIZE_DEFAULT;
	/* Profiles compress about 4:1; start there and double. */
	cap = len < max_size / 4 ? len * 4 : max_size;
	if (cap < 4096)
		cap = max_size < 4096 ? max_size : 4096;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return fetch_err_nomem(err);
	buf = malloc(cap);
	if (!buf) {
		fetch_err_nomem(err);
		goto out;
	}
	if (inflate_all(&z, data, len, max_size, &buf, &cap, &used, err))
		goto out;
	*out = buf;
	*outlen = used;
	buf = NULL;
	ret = 0;
out:
	inflateEnd(&z);
	free(buf);
	return ret;
}

static int cmp_idpos(const void *a, const void *b)
{
	const struct pprof_idpos *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Builds an id map and makes CheckValid's checks: no id 0, no duplicate. */
static int idmap_build(pprof_idmap *m, const uint64_t *ids, size_t n, const char *what,
                       fetch_err *err)
{
	size_t i;

	m->n = n;
	m->dense = 1;
	for (i = 0; i < n && m->dense; i++)
		m->dense = ids[i] == i + 1;
	if (m->dense)
		return 0;
	m->sorted = malloc((n ? n : 1) * sizeof *m->sorted);
	if (!m->sorted)
		return fetch_err_nomem(err);
	for (i = 0; i < n; i++) {
		m->sorted[i].id = ids[i];
		m->sorted[i].pos = i;
	}
	qsort(m->sorted, n, sizeof *m->sorted, cmp_idpos);
	if (n && m->sorted[0].id == 0)
		return fetch_errf(err, FETCH_E_PARSE,
		                  "malformed profile: a %s has the reserved id 0", what);
	for (i = 1; i < n; i++)
		if (m->sorted[i].id == m->sorted[i - 1].id)
			return fetch_errf(err, FETCH_E_PARSE,
			                  "malformed profile: two %ss have the id %llu", what,
			                  (unsigned long long)m->sorted[i].id);
	return 0;
}

static size_t idmap_find(const pprof_idmap *m, uint64_t id)
{
	size_t lo = 0, hi = m->n;

	if (m->dense)
		return id >= 1 && id <= m->n ? (size_t)(id - 1) : PPROF_NONE;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->sorted[mid].id == id)
			return m->sorted[mid].pos;
		if (m->sorted[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return PPROF_NONE;
}

size_t pprof_location_pos(const pprof_profile *p, uint64_t id)
{
	return idmap_find(&p->locations, id);
}

size_t pprof_function_pos(const pprof_profile *p, uint64_t id)
{
	return idmap_find(&p->functions, id);
}

size_t pprof_mapping_pos(const pprof_profile *p, uint64_t id)
{
	return idmap_find(&p->mappings, id);
}

const char *pprof_string(const pprof_profile *p, int64_t index)
{
	if (index < 0 || (uint64_t)index >= p->msg->n_string_table)
		return "";
	return p->msg->string_table[index];
}

int pprof_build_idmaps(pprof_profile *p, fetch_err *err)
{
	const pprof_msg *m = p->msg;
	size_t n = m->n_location, i;
	uint64_t *ids;
	int ret = -1;

	if (m->n_mapping > n)
		n = m->n_mapping;
	if (m->n_function > n)
		n = m->n_function;
	ids = malloc((n ? n : 1) * sizeof *ids);
	if (!ids)
		return fetch_err_nomem(err);
	for (i = 0; i < m->n_mapping; i++)
		ids[i] = m->mapping[i]->id;
	if (idmap_build(&p->mappings, ids, m->n_mapping, "mapping", err))
		goto out;
	for (i = 0; i < m->n_function; i++)
		ids[i] = m->function[i]->id;
	if (idmap_build(&p->functions, ids, m->n_function, "function", err))
		goto out;
	for (i = 0; i < m->n_location; i++)
		ids[i] = m->location[i]->id;
	if (idmap_build(&p->locations, ids, m->n_location, "location", err))
		goto out;
	ret = 0;
out:
	free(ids);
	return ret;
}

/* One scratch arena for all the samples, reset between them: they reuse
 * the same few blocks. */
int pprof_visit_samples(const pprof_profile *p, pprof_sample_fn *fn, void *ctx, int *bad_sample,
                        fetch_err *err)
{
	pb_arena *a = pb_arena_new();
	size_t i;
	int rc = 0;

	*bad_sample = 0;
	if (!a)
		return fetch_err_nomem(err);
	for (i = 0; i < p->msg->n_sample && rc == 0; i++) {
		const ProtobufCBinaryData *b = &p->msg->sample[i];
		pprof_sample *s =
		    perftools__profiles__sample__unpack(pb_arena_allocator(a), b->len, b->data);
		if (!s) {
			*bad_sample = 1;
			rc = -1;
		} else {
			rc = fn(ctx, s, err);
		}
		pb_arena_reset(a);
	}
	pb_arena_free(a);
	return rc;
}

int pprof_for_each_sample(const pprof_profile *p, pprof_sample_fn *fn, void *ctx, fetch_err *err)
{
	int bad_sample, rc = pprof_visit_samples(p, fn, ctx, &bad_sample, err);

	/* pprof_decode unpacked every sample once already. */
	return bad_sample ? fetch_err_nomem(err) : rc;
}

int pprof_not_pprof(fetch_err *err, int was_gzip)
{
	return fetch_errf(err, FETCH_E_FORMAT,
	                  "not a pprof profile: %s (check that the URL or file names a "
	                  "pprof profile)",
	                  was_gzip ? "the gzip content is not a protobuf message"
	                           : "neither gzip nor a protobuf message");
}

static int unpack(const unsigned char *buf, size_t len, int was_gzip, pprof_profile *p,
                  fetch_err *err)
{
	if (len == 0)
		return fetch_errf(err, FETCH_E_FORMAT,
		                  "empty profile: no data%s (the source has no profile to give)",
		                  was_gzip ? " inside the gzip stream" : "");
	p->input_size = len;
	/* A raw profile is millions of small blocks: the arena spares each
	 * its malloc header and frees them all at once. */
	p->arena = pb_arena_new();
	if (!p->arena)
		return fetch_err_nomem(err);
	p->msg = perftools__profiles__lazy__profile__unpack(pb_arena_allocator(p->arena), len, buf);
	return p->msg ? 0 : pprof_not_pprof(err, was_gzip);
}

/* Calls the caller's release hook, once. */
static void release_input(pprof_release_fn **release, void *ctx)
{
	if (*release) {
		(*release)(ctx);
		*release = NULL;
	}
}

/* glibc raises its mmap threshold (to up to 32 MiB) whenever a large mapped
 * block is freed; after a big profile is decoded, the reduction's growing
 * tables would then be realloc'd inside the heap and leave their old copies
 * resident (40 MB on an 800k-sample profile). Setting the threshold, to
 * glibc's default, keeps it fixed: large blocks stay in their own mappings
 * and go back to the system when freed. Done here, where profiles are
 * decoded, so that nothing else pgo-go does (the shim's pass-through) pays
 * for it. */
static void fix_mmap_threshold(void)
{
#ifdef M_MMAP_THRESHOLD
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

int pprof_decode_release(const void *data, size_t len, size_t max_size, pprof_release_fn *release,
                         void *ctx, pprof_profile **out, fetch_err *err)
{
	pprof_profile *p = NULL;
	unsigned char *raw = NULL;
	size_t rawlen = len;
	int gz = pprof_is_gzip(data, len), ret = -1;

	*out = NULL;
	fix_mmap_threshold();
	if (max_size == 0)
		max_size = PPROF_MAX_SIZE_DEFAULT;
	if (gz && pprof_gunzip(data, len, max_size, &raw, &rawlen, err))
		goto out;
	if (gz)
		release_input(&release, ctx);
	if (!gz && len > max_size) {
		too_big(err, "profile is", max_size);
		goto out;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		fetch_err_nomem(err);
		goto out;
	}
	if (unpack(gz ? raw : data, rawlen, gz, p, err))
		goto out;
	/* The message holds copies of all it needs from the bytes. */
	release_input(&release, ctx);
	free(raw);
	raw = NULL;
	if (pprof_check(p, gz, err))
		goto out;
	*out = p;
	p = NULL;
	ret = 0;
out:
	release_input(&release, ctx);
	free(raw);
	pprof_free(p);
	return ret;
}

int pprof_decode(const void *data, size_t len, size_t max_size, pprof_profile **out, fetch_err *err)
{
	return pprof_decode_release(data, len, max_size, NULL, NULL, out, err);
}

void pprof_free(pprof_profile *p)
{
	if (!p)
		return;
	pb_arena_free(p->arena); /* and with it p->msg */
	free(p->mappings.sorted);
	free(p->locations.sorted);
	free(p->functions.sorted);
	free(p);
}
