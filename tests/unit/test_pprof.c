/* Unit tests of fetch/'s profile core: decoding (gzip, limits, Go's parse
 * checks), validation, the go-pgo reduction, merging and the canonical
 * encoding. Profiles are built here with protobuf-c, or read from
 * tests/unit/data/pprof (a real `go test -cpuprofile` profile, and the
 * reduction of it computed by github.com/google/pprof/profile in Go). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "pgo_canon.h"
#include "pgo_reduce.h"
#include "pgo_validate.h"
#include "pprof.h"

#define DATA TESTS_SOURCE_DIR "/unit/data/pprof/"

/* ---- building profiles ------------------------------------------------ */

#define MAXN 64

struct pb {
	Perftools__Profiles__Profile p;
	Perftools__Profiles__ValueType vt[4], *vtp[4], pt;
	char *str[4 * MAXN];
	Perftools__Profiles__Function fn[MAXN], *fnp[MAXN];
	Perftools__Profiles__Mapping mp[8], *mpp[8];
	Perftools__Profiles__Location loc[MAXN], *locp[MAXN];
	Perftools__Profiles__Line line[4 * MAXN], *linep[4 * MAXN];
	size_t nline;
	Perftools__Profiles__Sample smp[MAXN], *smpp[MAXN];
	uint64_t ids[8 * MAXN];
	size_t nids;
	int64_t vals[4 * MAXN];
	size_t nvals;
	Perftools__Profiles__Label lab[MAXN], *labp[MAXN];
	size_t nlab;
};

#define U64S(...) (const uint64_t[]){__VA_ARGS__}, sizeof((const uint64_t[]){__VA_ARGS__}) / 8
#define I64S(...) (const int64_t[]){__VA_ARGS__}, sizeof((const int64_t[]){__VA_ARGS__}) / 8

static int64_t pb_str(struct pb *b, const char *s)
{
	size_t i;

	for (i = 0; i < b->p.n_string_table; i++)
		if (strcmp(b->str[i], s) == 0)
			return (int64_t)i;
	assert_true(i < 4 * MAXN);
	b->str[i] = (char *)s;
	b->p.n_string_table++;
	return (int64_t)i;
}

static struct pb *pb_new(void)
{
	struct pb *b = calloc(1, sizeof *b);

	assert_non_null(b);
	perftools__profiles__profile__init(&b->p);
	b->p.string_table = b->str;
	b->p.sample_type = b->vtp;
	b->p.function = b->fnp;
	b->p.mapping = b->mpp;
	b->p.location = b->locp;
	b->p.sample = b->smpp;
	pb_str(b, "");
	return b;
}

static void pb_type(struct pb *b, const char *type, const char *unit)
{
	Perftools__Profiles__ValueType *v = &b->vt[b->p.n_sample_type];

	perftools__profiles__value_type__init(v);
	v->type = pb_str(b, type);
	v->unit = pb_str(b, unit);
	b->vtp[b->p.n_sample_type++] = v;
}

static void pb_period(struct pb *b, const char *type, const char *unit, int64_t period)
{
	perftools__profiles__value_type__init(&b->pt);
	b->pt.type = pb_str(b, type);
	b->pt.unit = pb_str(b, unit);
	b->p.period_type = &b->pt;
	b->p.period = period;
}

static void pb_func(struct pb *b, uint64_t id, const char *name, const char *file, int64_t start)
{
	Perftools__Profiles__Function *f = &b->fn[b->p.n_function];

	perftools__profiles__function__init(f);
	f->id = id;
	f->name = f->system_name = pb_str(b, name);
	f->filename = pb_str(b, file);
	f->start_line = start;
	b->fnp[b->p.n_function++] = f;
}

static void pb_map(struct pb *b, uint64_t id, const char *file)
{
	Perftools__Profiles__Mapping *m = &b->mp[b->p.n_mapping];

	perftools__profiles__mapping__init(m);
	m->id = id;
	m->memory_start = 0x400000 * id;
	m->memory_limit = m->memory_start + 0x100000;
	m->filename = pb_str(b, file);
	m->has_functions = 1;
	b->mpp[b->p.n_mapping++] = m;
}

/* fl: function id, line, function id, line, …, innermost frame first. */
static void pb_loc(struct pb *b, uint64_t id, uint64_t mapping, uint64_t addr, const int64_t *fl,
                   size_t n)
{
	Perftools__Profiles__Location *l = &b->loc[b->p.n_location];
	size_t i;

	perftools__profiles__location__init(l);
	l->id = id;
	l->mapping_id = mapping;
	l->address = addr;
	l->line = &b->linep[b->nline];
	for (i = 0; i + 1 < n; i += 2) {
		Perftools__Profiles__Line *ln = &b->line[b->nline];
		perftools__profiles__line__init(ln);
		ln->function_id = (uint64_t)fl[i];
		ln->line = fl[i + 1];
		b->linep[b->nline++] = ln;
		l->n_line++;
	}
	b->locp[b->p.n_location++] = l;
}

static Perftools__Profiles__Sample *pb_sample(struct pb *b, const uint64_t *locs, size_t nlocs,
                                              const int64_t *vals, size_t nvals)
{
	Perftools__Profiles__Sample *s = &b->smp[b->p.n_sample];

	perftools__profiles__sample__init(s);
	s->location_id = &b->ids[b->nids];
	memcpy(s->location_id, locs, nlocs * sizeof *locs);
	s->n_location_id = nlocs;
	b->nids += nlocs;
	s->value = &b->vals[b->nvals];
	memcpy(s->value, vals, nvals * sizeof *vals);
	s->n_value = nvals;
	b->nvals += nvals;
	b->smpp[b->p.n_sample++] = s;
	return s;
}

static void pb_label(struct pb *b, Perftools__Profiles__Sample *s, const char *k, const char *v)
{
	Perftools__Profiles__Label *l = &b->lab[b->nlab];

	perftools__profiles__label__init(l);
	l->key = pb_str(b, k);
	l->str = pb_str(b, v);
	b->labp[b->nlab++] = l;
	s->label = &b->labp[b->nlab - 1];
	s->n_label = 1;
}

static unsigned char *pack_msg(const Perftools__Profiles__Profile *p, size_t *len)
{
	unsigned char *buf = malloc(perftools__profiles__profile__get_packed_size(p) + 1);

	assert_non_null(buf);
	*len = perftools__profiles__profile__pack(p, buf);
	return buf;
}

static unsigned char *pb_pack(struct pb *b, size_t *len)
{
	return pack_msg(&b->p, len);
}

/* A Go-style CPU profile skeleton: samples/count then cpu/nanoseconds. */
static struct pb *pb_cpu(void)
{
	struct pb *b = pb_new();

	pb_type(b, "samples", "count");
	pb_type(b, "cpu", "nanoseconds");
	pb_period(b, "cpu", "nanoseconds", 10);
	pb_map(b, 1, "/bin/app");
	return b;
}

/* The profile whose reduction the tests below work out by hand. */
static struct pb *pb_example(void)
{
	struct pb *b = pb_cpu();

	pb_func(b, 1, "main.main", "/app/main.go", 10);
	pb_func(b, 2, "main.a", "/app/a.go", 20);
	pb_func(b, 3, "main.b", "/app/b.go", 30);
	pb_func(b, 4, "main.c", "/app/c.go", 40);
	pb_func(b, 5, "runtime.main", "/go/proc.go", 100);
	pb_func(b, 6, "main.d", "/app/d.go", 50);
	pb_loc(b, 1, 1, 0x10, I64S(3, 33, 2, 25)); /* b inlined into a */
	pb_loc(b, 2, 1, 0x20, I64S(2, 22));
	pb_loc(b, 3, 1, 0x30, I64S(1, 12));
	pb_loc(b, 4, 1, 0x40, I64S(4, 41));
	pb_loc(b, 5, 1, 0x50, I64S(4, 45));
	pb_loc(b, 6, 1, 0x60, I64S(5, 101));
	pb_loc(b, 7, 1, 0x70, I64S(6, 51));
	pb_loc(b, 8, 1, 0x80, I64S(1, 12)); /* as 3, at another address */
	pb_label(b, pb_sample(b, U64S(1, 3, 6), I64S(1, 10)), "span", "x");
	pb_sample(b, U64S(4, 2, 3, 6), I64S(2, 20));
	pb_sample(b, U64S(5, 2, 8, 6), I64S(3, 30));
	pb_sample(b, U64S(4, 7, 7, 7, 7, 2, 3, 6), I64S(4, 40));
	pb_sample(b, U64S(2, 3, 6), I64S(0, 0));
	pb_sample(b, U64S(3, 6), I64S(5, 50));
	pb_sample(b, U64S(2, 1, 3), I64S(6, 60));
	return b;
}

/* ---- helpers ------------------------------------------------------------ */

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	buf[n] = 0;
	return buf;
}

static pprof_profile *decode_ok(const void *data, size_t len)
{
	pprof_profile *p = NULL;
	fetch_err err = {0};

	if (pprof_decode(data, len, 0, &p, &err))
		fail_msg("decode: %s", err.msg);
	return p;
}

static fetch_code decode_fails(const void *data, size_t len, size_t max, char *msg, size_t msgsz)
{
	pprof_profile *p = NULL;
	fetch_err err = {0};

	assert_int_equal(pprof_decode(data, len, max, &p, &err), -1);
	assert_null(p);
	assert_true(strlen(err.msg) > 0);
	if (msg)
		snprintf(msg, msgsz, "%s", err.msg);
	return err.code;
}

/* Adds every profile to one accumulator and encodes it canonically. */
static unsigned char *reduce_many(const unsigned char *const *in, const size_t *inlen, size_t n,
                                  const fetch_pgo_opts *opts, size_t *outlen)
{
	fetch_pgo *acc = fetch_pgo_new(opts);
	unsigned char *out = NULL;
	fetch_err err = {0};
	size_t i;

	assert_non_null(acc);
	for (i = 0; i < n; i++) {
		pprof_profile *p = decode_ok(in[i], inlen[i]);
		if (fetch_pgo_add(acc, p, &err))
			fail_msg("add: %s", err.msg);
		pprof_free(p);
	}
	if (fetch_pgo_encode(acc, 1000, 3000, &out, outlen, &err))
		fail_msg("encode: %s", err.msg);
	fetch_pgo_free(acc);
	return out;
}

static unsigned char *reduce_one(const unsigned char *in, size_t inlen, size_t *outlen)
{
	return reduce_many(&in, &inlen, 1, NULL, outlen);
}

/* ---- a text form of a profile, as the Go helper prints it ---------------- */

struct kv {
	char *key;
	int64_t value;
};

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

static void append(char **s, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char **s, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*s + *len, *cap - *len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < *cap - *len)
			break;
		*cap = (*cap + (size_t)n) * 2;
		*s = realloc(*s, *cap);
		assert_non_null(*s);
	}
	*len += (size_t)n;
}

static void location_text(const pprof_profile *p, uint64_t id, char **s, size_t *len, size_t *cap)
{
	const Perftools__Profiles__Location *l = p->msg->location[pprof_location_pos(p, id)];
	size_t mi = l->mapping_id ? pprof_mapping_pos(p, l->mapping_id) : PPROF_NONE, i;

	if (mi != PPROF_NONE)
		append(s, len, cap, "[%s|%s]", pprof_string(p, p->msg->mapping[mi]->filename),
		       pprof_string(p, p->msg->mapping[mi]->build_id));
	for (i = 0; i < l->n_line; i++) {
		const Perftools__Profiles__Line *ln = l->line[i];
		const Perftools__Profiles__Function *f;
		if (!ln->function_id) {
			append(s, len, cap, " ?:%lld", (long long)ln->line);
			continue;
		}
		f = p->msg->function[pprof_function_pos(p, ln->function_id)];
		append(s, len, cap, " %s(%s,%s@%lld):%lld", pprof_string(p, f->name),
		       pprof_string(p, f->system_name), pprof_string(p, f->filename),
		       (long long)f->start_line, (long long)ln->line);
	}
}

/* The non-zero samples, each as "STACK" with its value. */
struct text_scan {
	const pprof_profile *p;
	int vi;
	struct kv *kv;
	size_t nkv;
};

static int sample_text(void *ctx, const pprof_sample *s, fetch_err *err)
{
	struct text_scan *t = ctx;
	size_t klen = 0, kcap = 64, j;
	char *key;

	(void)err;
	if (s->value[t->vi] == 0)
		return 0;
	key = malloc(kcap);
	assert_non_null(key);
	key[0] = 0;
	for (j = 0; j < s->n_location_id; j++) {
		if (j)
			append(&key, &klen, &kcap, " ; ");
		location_text(t->p, s->location_id[j], &key, &klen, &kcap);
	}
	t->kv[t->nkv].key = key;
	t->kv[t->nkv++].value = s->value[t->vi];
	return 0;
}

/* "type T/U\n" then "VALUE STACK\n" per distinct stack, sorted by stack. */
static char *profile_text(const pprof_profile *p)
{
	int vi = fetch_pgo_value_index(p);
	struct text_scan t = {p, vi, calloc(p->msg->n_sample + 1, sizeof *t.kv), 0};
	struct kv *kv = t.kv;
	size_t nkv, i, j, len = 0, cap = 256;
	char *out = malloc(cap);
	fetch_err err;

	assert_true(vi >= 0);
	assert_non_null(kv);
	assert_non_null(out);
	assert_int_equal(pprof_for_each_sample(p, sample_text, &t, &err), 0);
	nkv = t.nkv;
	qsort(kv, nkv, sizeof *kv, cmp_kv);
	append(&out, &len, &cap, "type %s/%s\n", pprof_string(p, p->msg->sample_type[vi]->type),
	       pprof_string(p, p->msg->sample_type[vi]->unit));
	for (i = 0; i < nkv; i = j) {
		int64_t sum = 0;
		for (j = i; j < nkv && strcmp(kv[j].key, kv[i].key) == 0; j++)
			sum += kv[j].value;
		append(&out, &len, &cap, "%lld %s\n", (long long)sum, kv[i].key);
	}
	for (i = 0; i < nkv; i++)
		free(kv[i].key);
	free(kv);
	return out;
}

static char *bytes_text(const unsigned char *data, size_t len)
{
	pprof_profile *p = decode_ok(data, len);
	char *t = profile_text(p);

	pprof_free(p);
	return t;
}

/* ---- shuffling: the same data with other ids and table orders ----------- */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define SHUFFLE(arr, n, seed)                                                                      \
	do {                                                                                       \
		size_t i_;                                                                         \
		for (i_ = (n); i_ > 1; i_--) {                                                     \
			size_t j_ = (size_t)(rnd(seed) % i_);                                      \
			__typeof__((arr)[0]) t_ = (arr)[i_ - 1];                                   \
			(arr)[i_ - 1] = (arr)[j_];                                                 \
			(arr)[j_] = t_;                                                            \
		}                                                                                  \
	} while (0)

/* An odd multiplier makes a bijection on uint64; ids stay non-zero for the
 * small ids used here. */
static uint64_t new_id(uint64_t id, uint64_t salt)
{
	return id ? id * 0x9e3779b97f4a7c15ull + salt : 0;
}

static void remap_strings(Perftools__Profiles__Profile *m, const int64_t *to)
{
	size_t i, j;

	for (i = 0; i < m->n_function; i++) {
		m->function[i]->name = to[m->function[i]->name];
		m->function[i]->system_name = to[m->function[i]->system_name];
		m->function[i]->filename = to[m->function[i]->filename];
	}
	for (i = 0; i < m->n_mapping; i++) {
		m->mapping[i]->filename = to[m->mapping[i]->filename];
		m->mapping[i]->build_id = to[m->mapping[i]->build_id];
	}
	for (i = 0; i < m->n_sample_type; i++) {
		m->sample_type[i]->type = to[m->sample_type[i]->type];
		m->sample_type[i]->unit = to[m->sample_type[i]->unit];
	}
	if (m->period_type) {
		m->period_type->type = to[m->period_type->type];
		m->period_type->unit = to[m->period_type->unit];
	}
	for (i = 0; i < m->n_sample; i++)
		for (j = 0; j < m->sample[i]->n_label; j++) {
			m->sample[i]->label[j]->key = to[m->sample[i]->label[j]->key];
			m->sample[i]->label[j]->str = to[m->sample[i]->label[j]->str];
		}
	for (i = 0; i < m->n_comment; i++)
		m->comment[i] = to[m->comment[i]];
	m->drop_frames = to[m->drop_frames];
	m->keep_frames = to[m->keep_frames];
	m->default_sample_type = to[m->default_sample_type];
}

static void shuffle_strings(Perftools__Profiles__Profile *m, uint64_t *seed)
{
	size_t n = m->n_string_table, i;
	size_t *perm = malloc(n * sizeof *perm);
	int64_t *to = malloc(n * sizeof *to);
	char **old = malloc(n * sizeof *old);

	assert_true(perm && to && old);
	for (i = 0; i < n; i++)
		perm[i] = i;
	SHUFFLE(perm + 1, n - 1, seed); /* "" stays first */
	memcpy(old, m->string_table, n * sizeof *old);
	for (i = 0; i < n; i++) {
		m->string_table[i] = old[perm[i]];
		to[perm[i]] = (int64_t)i;
	}
	remap_strings(m, to);
	free(perm);
	free(to);
	free(old);
}

static void shuffle_ids(Perftools__Profiles__Profile *m, uint64_t salt)
{
	size_t i, j;

	for (i = 0; i < m->n_mapping; i++)
		m->mapping[i]->id = new_id(m->mapping[i]->id, salt);
	for (i = 0; i < m->n_function; i++)
		m->function[i]->id = new_id(m->function[i]->id, salt + 1);
	for (i = 0; i < m->n_location; i++) {
		Perftools__Profiles__Location *l = m->location[i];
		l->id = new_id(l->id, salt + 2);
		l->mapping_id = new_id(l->mapping_id, salt);
		l->address ^= salt; /* addresses are not kept: they must not matter */
		for (j = 0; j < l->n_line; j++)
			l->line[j]->function_id = new_id(l->line[j]->function_id, salt + 1);
	}
	for (i = 0; i < m->n_sample; i++)
		for (j = 0; j < m->sample[i]->n_location_id; j++)
			m->sample[i]->location_id[j] =
			    new_id(m->sample[i]->location_id[j], salt + 2);
}

/* Unpacks data, renumbers and reorders every table, packs it again. */
static unsigned char *shuffled(const unsigned char *data, size_t len, uint64_t seed, size_t *outlen)
{
	Perftools__Profiles__Profile *m = perftools__profiles__profile__unpack(NULL, len, data);
	unsigned char *out;

	assert_non_null(m);
	shuffle_ids(m, seed * 77 + 5);
	shuffle_strings(m, &seed);
	SHUFFLE(m->mapping, m->n_mapping, &seed);
	SHUFFLE(m->function, m->n_function, &seed);
	SHUFFLE(m->location, m->n_location, &seed);
	SHUFFLE(m->sample, m->n_sample, &seed);
	out = pack_msg(m, outlen);
	perftools__profiles__profile__free_unpacked(m, NULL);
	return out;
}

/* ---- the reduction ------------------------------------------------------ */

#define MAP   "[/bin/app|]"
#define FA    "main.a(main.a,/app/a.go@20)"
#define FB    "main.b(main.b,/app/b.go@30)"
#define FC    "main.c(main.c,/app/c.go@40)"
#define FD    "main.d(main.d,/app/d.go@50)"
#define FMAIN "main.main(main.main,/app/main.go@10)"
#define FRT   "runtime.main(runtime.main,/go/proc.go@100)"

/* Worked out by hand from pb_example: five locations kept, the leaf's
 * innermost line zeroed (so leaves c:41 and c:45 merge, and location 8 is
 * location 3), the zero sample dropped, cpu/nanoseconds kept. */
static const char example_reduced[] =
    "type cpu/nanoseconds\n"
    "60 " MAP " " FA ":0 ; " MAP " " FB ":33 " FA ":25 ; " MAP " " FMAIN ":12\n"
    "10 " MAP " " FB ":0 " FA ":25 ; " MAP " " FMAIN ":12 ; " MAP " " FRT ":101\n"
    "50 " MAP " " FC ":0 ; " MAP " " FA ":22 ; " MAP " " FMAIN ":12 ; " MAP " " FRT ":101\n"
    "40 " MAP " " FC ":0 ; " MAP " " FD ":51 ; " MAP " " FD ":51 ; " MAP " " FD ":51 ; " MAP " " FD
    ":51\n"
    "50 " MAP " " FMAIN ":0 ; " MAP " " FRT ":101\n";

static void test_reduce_example(void **state)
{
	struct pb *b = pb_example();
	size_t len, outlen;
	unsigned char *in = pb_pack(b, &len), *out = reduce_one(in, len, &outlen);
	char *text = bytes_text(out, outlen);

	(void)state;
	assert_string_equal(text, example_reduced);
	free(text);
	free(out);
	free(in);
	free(b);
}

/* The layout of the canonical encoding of pb_example, table by table. */
static void test_canonical_layout(void **state)
{
	static const char *const strings[] = {
	    "",       "cpu",       "nanoseconds", "/bin/app",     "main.a",       "/app/a.go",
	    "main.b", "/app/b.go", "main.main",   "/app/main.go", "runtime.main", "/go/proc.go",
	    "main.c", "/app/c.go", "main.d",      "/app/d.go"};
	static const int64_t values[] = {60, 10, 50, 40, 50};
	struct pb *b = pb_example();
	size_t len, outlen, rawlen, i;
	unsigned char *in = pb_pack(b, &len), *out = reduce_one(in, len, &outlen), *raw;
	Perftools__Profiles__Profile *m;
	pprof_profile *p;
	fetch_err err;

	(void)state;
	/* gzip: deflate, no flags, mtime 0, xfl 0 (level 6), OS 255 */
	assert_memory_equal(out, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
	assert_int_equal(pprof_gunzip(out, outlen, 0, &raw, &rawlen, &err), 0);
	p = decode_ok(raw, rawlen);
	/* The samples too, unpacked. */
	m = perftools__profiles__profile__unpack(NULL, rawlen, raw);
	assert_non_null(m);
	assert_int_equal(m->n_string_table, sizeof strings / sizeof *strings);
	for (i = 0; i < m->n_string_table; i++)
		assert_string_equal(m->string_table[i], strings[i]);
	assert_int_equal(m->n_sample_type, 1);
	assert_int_equal(m->sample_type[0]->type, 1);
	assert_int_equal(m->sample_type[0]->unit, 2);
	assert_non_null(m->period_type);
	assert_int_equal(m->period_type->type, 1);
	assert_int_equal(m->period_type->unit, 2);
	assert_int_equal(m->period, 10);
	assert_int_equal(m->time_nanos, 1000);
	assert_int_equal(m->duration_nanos, 2000);
	assert_int_equal(m->n_comment, 0);
	assert_int_equal(m->drop_frames, 0);
	assert_int_equal(m->keep_frames, 0);
	assert_int_equal(m->n_sample, 5);
	for (i = 0; i < m->n_sample; i++) {
		assert_int_equal(m->sample[i]->n_value, 1);
		assert_int_equal(m->sample[i]->value[0], values[i]);
		assert_int_equal(m->sample[i]->n_label, 0);
	}
	/* locations numbered by first use over the sorted samples */
	assert_int_equal(m->sample[0]->n_location_id, 3);
	assert_int_equal(m->sample[0]->location_id[0], 1);
	assert_int_equal(m->sample[0]->location_id[1], 2);
	assert_int_equal(m->sample[0]->location_id[2], 3);
	assert_int_equal(m->sample[1]->location_id[0], 4);
	assert_int_equal(m->sample[1]->location_id[2], 5);
	assert_int_equal(m->sample[4]->location_id[0], 9);
	assert_int_equal(m->n_location, 9);
	assert_int_equal(m->n_function, 6);
	assert_int_equal(m->n_mapping, 1);
	for (i = 0; i < m->n_location; i++) {
		assert_int_equal(m->location[i]->id, i + 1);
		assert_int_equal(m->location[i]->address, 0);
		assert_int_equal(m->location[i]->mapping_id, 1);
	}
	for (i = 0; i < m->n_function; i++)
		assert_int_equal(m->function[i]->id, i + 1);
	assert_int_equal(m->function[0]->name, 4); /* main.a, the first used */
	assert_int_equal(m->function[0]->start_line, 20);
	assert_int_equal(m->mapping[0]->id, 1);
	assert_int_equal(m->mapping[0]->memory_start, 0);
	assert_true(m->mapping[0]->has_functions);
	perftools__profiles__profile__free_unpacked(m, NULL);
	pprof_free(p);
	free(raw);
	free(out);
	free(in);
	free(b);
}

static void test_options(void **state)
{
	struct pb *b = pb_example();
	fetch_pgo_opts all = {0, 0}, two = {2, 1};
	size_t len, outlen;
	unsigned char *in = pb_pack(b, &len), *out;
	char *text;

	(void)state;
	/* keep everything, no aggregation: the input, minus the zero sample */
	out = reduce_many((const unsigned char *const *)&in, &len, 1, &all, &outlen);
	text = bytes_text(out, outlen);
	assert_non_null(strstr(text, "\n20 " MAP " " FC ":41 ; "));
	assert_non_null(strstr(text, "\n30 " MAP " " FC ":45 ; "));
	assert_non_null(
	    strstr(text, " ; " MAP " " FA ":22 ; " MAP " " FMAIN ":12 ; " MAP " " FRT ":101\n"));
	free(text);
	free(out);
	out = reduce_many((const unsigned char *const *)&in, &len, 1, &two, &outlen);
	text = bytes_text(out, outlen);
	assert_string_equal(text, "type cpu/nanoseconds\n"
	                          "60 " MAP " " FA ":0 ; " MAP " " FB ":33 " FA ":25\n"
	                          "10 " MAP " " FB ":0 " FA ":25 ; " MAP " " FMAIN ":12\n"
	                          "50 " MAP " " FC ":0 ; " MAP " " FA ":22\n"
	                          "40 " MAP " " FC ":0 ; " MAP " " FD ":51\n"
	                          "50 " MAP " " FMAIN ":0 ; " MAP " " FRT ":101\n");
	free(text);
	free(out);
	free(in);
	free(b);
}

/* Without cpu/nanoseconds the count is kept, and named so. */
static void test_samples_count_only(void **state)
{
	struct pb *b = pb_new();
	size_t len, outlen;
	unsigned char *in, *out;
	char *text;

	(void)state;
	pb_type(b, "samples", "count");
	pb_func(b, 1, "f", "f.go", 3);
	pb_func(b, 2, "g", "g.go", 7);
	pb_loc(b, 1, 0, 0, I64S(1, 4));
	pb_loc(b, 2, 0, 0, I64S(2, 9));
	pb_sample(b, U64S(1, 2), I64S(7));
	in = pb_pack(b, &len);
	out = reduce_one(in, len, &outlen);
	text = bytes_text(out, outlen);
	assert_string_equal(text, "type samples/count\n"
	                          "7  f(f,f.go@3):0 ;  g(g,g.go@7):9\n");
	free(text);
	free(out);
	free(in);
	free(b);
}

static void test_idempotent(void **state)
{
	struct pb *b = pb_example();
	size_t len, n1, n2, n3;
	unsigned char *in = pb_pack(b, &len), *once = reduce_one(in, len, &n1);
	unsigned char *twice = reduce_one(once, n1, &n2), *raw;
	fetch_err err;

	(void)state;
	assert_int_equal(n1, n2);
	assert_memory_equal(once, twice, n1);
	/* the plain protobuf reduces to the same bytes as the gzipped one */
	assert_int_equal(pprof_gunzip(once, n1, 0, &raw, &n3, &err), 0);
	free(twice);
	twice = reduce_one(raw, n3, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(once, twice, n1);
	free(raw);
	free(twice);
	free(once);
	free(in);
	free(b);
}

static void test_shuffled_same_bytes(void **state)
{
	struct pb *b = pb_example();
	size_t len, n0, n1, sl;
	unsigned char *in = pb_pack(b, &len), *ref = reduce_one(in, len, &n0);
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 20; seed++) {
		unsigned char *sh = shuffled(in, len, seed, &sl), *out = reduce_one(sh, sl, &n1);
		assert_int_equal(n0, n1);
		assert_memory_equal(ref, out, n0);
		free(out);
		free(sh);
	}
	free(ref);
	free(in);
	free(b);
}

/* ---- merging --------------------------------------------------------------- */

static struct pb *pb_merge_part(int second)
{
	struct pb *b = pb_cpu();

	pb_func(b, 1, "main.main", "/app/main.go", 10);
	pb_func(b, 2, "main.a", "/app/a.go", 20);
	pb_func(b, 3, second ? "main.d" : "main.c", second ? "/app/d.go" : "/app/c.go",
	        second ? 50 : 40);
	/* the second profile numbers its locations the other way round */
	pb_loc(b, second ? 3 : 1, 1, 0x10, I64S(3, 44));
	pb_loc(b, 2, 1, 0x20, I64S(2, 22));
	pb_loc(b, second ? 1 : 3, 1, 0x30, I64S(1, 12));
	pb_sample(b, U64S(second ? 3 : 1, 2, second ? 1 : 3), I64S(1, 100));
	pb_sample(b, U64S(2, second ? 1 : 3), I64S(2, 200));
	if (second)
		b->p.period = 20;
	return b;
}

static void test_merge(void **state)
{
	struct pb *a = pb_merge_part(0), *b = pb_merge_part(1);
	size_t lens[2], n1, n2, n3;
	unsigned char *in[2], *ab, *ba, *ra, *rb, *reduced[2];
	char *text;
	pprof_profile *p;

	(void)state;
	in[0] = pb_pack(a, &lens[0]);
	in[1] = pb_pack(b, &lens[1]);
	ab = reduce_many((const unsigned char *const *)in, lens, 2, NULL, &n1);
	text = bytes_text(ab, n1);
	assert_string_equal(text,
	                    "type cpu/nanoseconds\n"
	                    "400 " MAP " " FA ":0 ; " MAP " " FMAIN ":12\n"
	                    "100 " MAP " " FC ":0 ; " MAP " " FA ":22 ; " MAP " " FMAIN ":12\n"
	                    "100 " MAP " " FD ":0 ; " MAP " " FA ":22 ; " MAP " " FMAIN ":12\n");
	free(text);
	p = decode_ok(ab, n1);
	assert_int_equal(p->msg->period, 20); /* the larger, as pprof's merge */
	pprof_free(p);
	/* order does not matter */
	{
		const unsigned char *rev[2] = {in[1], in[0]};
		size_t revlen[2] = {lens[1], lens[0]};
		ba = reduce_many(rev, revlen, 2, NULL, &n2);
	}
	assert_int_equal(n1, n2);
	assert_memory_equal(ab, ba, n1);
	/* merging reduced profiles is merging the raw ones */
	ra = reduce_one(in[0], lens[0], &lens[0]);
	rb = reduce_one(in[1], lens[1], &lens[1]);
	reduced[0] = ra;
	reduced[1] = rb;
	free(ba);
	ba = reduce_many((const unsigned char *const *)reduced, lens, 2, NULL, &n3);
	assert_int_equal(n1, n3);
	assert_memory_equal(ab, ba, n1);
	free(ra);
	free(rb);
	free(ba);
	free(ab);
	free(in[0]);
	free(in[1]);
	free(a);
	free(b);
}

static void test_merge_unit_mismatch(void **state)
{
	struct pb *a = pb_merge_part(0), *b = pb_new();
	fetch_pgo *acc = fetch_pgo_new(NULL);
	size_t la, lb;
	unsigned char *ia = pb_pack(a, &la), *ib;
	pprof_profile *pa = decode_ok(ia, la), *pbp;
	fetch_err err = {0};

	(void)state;
	pb_type(b, "samples", "count");
	pb_func(b, 1, "f", "f.go", 3);
	pb_loc(b, 1, 0, 0, I64S(1, 4));
	pb_sample(b, U64S(1, 1), I64S(7));
	ib = pb_pack(b, &lb);
	pbp = decode_ok(ib, lb);
	assert_int_equal(fetch_pgo_add(acc, pa, &err), 0);
	assert_int_equal(fetch_pgo_total(acc), 300);
	assert_int_equal(fetch_pgo_add(acc, pbp, &err), -1);
	assert_int_equal(err.code, FETCH_E_MERGE);
	assert_non_null(strstr(err.msg, "samples/count"));
	pprof_free(pa);
	pprof_free(pbp);
	fetch_pgo_free(acc);
	free(ia);
	free(ib);
	free(a);
	free(b);
}

static void test_encode_errors(void **state)
{
	fetch_pgo *acc = fetch_pgo_new(NULL);
	unsigned char *out = (unsigned char *)"x";
	size_t len = 1;
	fetch_err err = {0};

	(void)state;
	assert_int_equal(fetch_pgo_encode(acc, 0, 0, &out, &len, &err), -1);
	assert_int_equal(err.code, FETCH_E_INVALID);
	assert_null(out);
	assert_int_equal(fetch_pgo_encode(acc, 10, 5, &out, &len, &err), -1);
	assert_int_equal(err.code, FETCH_E_ARG);
	fetch_pgo_free(acc);
	fetch_pgo_free(NULL);
	pprof_free(NULL);
}

/* ---- validation -------------------------------------------------------- */

static void expect_invalid(struct pb *b, const char *reason)
{
	size_t len;
	unsigned char *in = pb_pack(b, &len);
	pprof_profile *p = decode_ok(in, len);
	fetch_err err = {0};

	assert_int_equal(pgo_validate(p, &err), -1);
	assert_int_equal(err.code, FETCH_E_INVALID);
	assert_string_equal(err.msg, reason);
	pprof_free(p);
	free(in);
	free(b);
}

/* Two frames, f called by g, each with a start line unless told otherwise. */
static struct pb *pb_small(const char *type, const char *unit, int64_t start, int64_t value)
{
	struct pb *b = pb_new();

	pb_type(b, type, unit);
	pb_func(b, 1, "f", "f.go", start);
	pb_func(b, 2, "g", "g.go", start);
	pb_loc(b, 1, 0, 0x1, I64S(1, 4));
	pb_loc(b, 2, 0, 0x2, I64S(2, 9));
	pb_sample(b, U64S(1, 2), I64S(value));
	return b;
}

static void test_validate_ok(void **state)
{
	struct pb *b = pb_example();
	size_t len;
	unsigned char *in = pb_pack(b, &len);
	pprof_profile *p = decode_ok(in, len);
	fetch_err err = {0};

	(void)state;
	assert_int_equal(pgo_validate(p, &err), 0);
	assert_int_equal(pgo_value_index(p), 0); /* samples/count comes first */
	assert_int_equal(fetch_pgo_value_index(p), 1);
	pprof_free(p);
	free(in);
	free(b);
}

static void test_validate_failures(void **state)
{
	struct pb *b;

	(void)state;
	b = pb_new();
	pb_type(b, "cpu", "nanoseconds");
	expect_invalid(b, "no samples");
	expect_invalid(pb_small("wall", "nanoseconds", 1, 5),
	               "no cpu/nanoseconds or samples/count sample type");
	expect_invalid(pb_small("cpu", "nanoseconds", 1, -5),
	               "negative sample value (not a CPU profile?)");
	expect_invalid(pb_small("cpu", "nanoseconds", 1, 0),
	               "no sample has a non-zero cpu/nanoseconds value");
	expect_invalid(pb_small("samples", "count", 0, 5),
	               "functions lack start_line (profiles from eBPF collectors do; use a Go "
	               "runtime profile)");
	b = pb_small("cpu", "nanoseconds", 1, 5);
	b->smp[0].n_location_id = 1;
	expect_invalid(b, "no call edges (every sampled stack is a single frame)");
}

/* Go reads only the two leaf-most locations: a start line further up does
 * not count (cmd/internal/pgo would reject this profile). */
static void test_validate_start_line_depth(void **state)
{
	struct pb *b = pb_small("cpu", "nanoseconds", 0, 5);

	(void)state;
	pb_func(b, 3, "h", "h.go", 40);
	pb_loc(b, 3, 0, 0x3, I64S(3, 41));
	b->smp[0].location_id[b->smp[0].n_location_id] = 3;
	b->smp[0].n_location_id++;
	b->nids++;
	expect_invalid(b, "functions lack start_line (profiles from eBPF collectors do; use a Go "
	                  "runtime profile)");
	/* one inlined frame with a start line is enough */
	b = pb_small("cpu", "nanoseconds", 0, 5);
	b->fn[1].start_line = 7;
	{
		size_t len;
		unsigned char *in = pb_pack(b, &len);
		pprof_profile *p = decode_ok(in, len);
		fetch_err err = {0};
		assert_int_equal(pgo_validate(p, &err), 0);
		pprof_free(p);
		free(in);
	}
	free(b);
}

/* ---- decoding ------------------------------------------------------------ */

static unsigned char *gzip_of(const void *data, size_t len, size_t *outlen)
{
	unsigned char *out;
	fetch_err err;

	assert_int_equal(fetch_pgo_gzip(data, len, &out, outlen, &err), 0);
	return out;
}

static void test_decode_format_errors(void **state)
{
	static const char json[] = "{\"code\":\"unauthenticated\",\"message\":\"no\"}";
	static const char html[] = "<html><body>502 Bad Gateway</body></html>";
	char msg[512];
	size_t gl;
	unsigned char *gz;

	(void)state;
	assert_int_equal(decode_fails("", 0, 0, msg, sizeof msg), FETCH_E_FORMAT);
	assert_non_null(strstr(msg, "empty"));
	assert_int_equal(decode_fails(json, strlen(json), 0, msg, sizeof msg), FETCH_E_FORMAT);
	assert_non_null(strstr(msg, "neither gzip nor"));
	assert_int_equal(decode_fails(html, strlen(html), 0, NULL, 0), FETCH_E_FORMAT);
	gz = gzip_of(html, strlen(html), &gl);
	assert_int_equal(decode_fails(gz, gl, 0, msg, sizeof msg), FETCH_E_FORMAT);
	assert_non_null(strstr(msg, "gzip content"));
	free(gz);
	gz = gzip_of("", 0, &gl);
	assert_int_equal(decode_fails(gz, gl, 0, msg, sizeof msg), FETCH_E_FORMAT);
	assert_non_null(strstr(msg, "empty"));
	free(gz);
}

static void test_decode_truncated(void **state)
{
	struct pb *b = pb_example();
	size_t len, gl, cut;
	unsigned char *in = pb_pack(b, &len), *gz = gzip_of(in, len, &gl);
	char msg[512];

	(void)state;
	assert_int_equal(decode_fails(gz, gl / 2, 0, msg, sizeof msg), FETCH_E_GZIP);
	assert_non_null(strstr(msg, "truncated"));
	/* the 8-byte trailer (CRC, size) missing is truncation too */
	assert_int_equal(decode_fails(gz, gl - 4, 0, NULL, 0), FETCH_E_GZIP);
	for (cut = 1; cut < len; cut += 7) {
		pprof_profile *p = NULL;
		fetch_err err;
		/* cut protobuf: unpack fails, or (cut between messages) a
		 * reference dangles; never a crash */
		if (pprof_decode(in, cut, 0, &p, &err) == 0)
			pprof_free(p);
		else
			assert_true(err.code == FETCH_E_FORMAT || err.code == FETCH_E_PARSE);
	}
	assert_int_equal(decode_fails(in, len - 1, 0, NULL, 0), FETCH_E_FORMAT);
	gz[gl / 2] ^= 0xff;
	gz[gl / 2 + 1] ^= 0xff;
	assert_int_equal(decode_fails(gz, gl, 0, NULL, 0), FETCH_E_GZIP);
	free(gz);
	free(in);
	free(b);
}

/* gzip of n zero bytes, compressed chunk by chunk. */
static unsigned char *zeros_gz(size_t n, size_t *outlen)
{
	static unsigned char zero[1 << 16];
	size_t cap = n / 500 + 1024;
	unsigned char *out = malloc(cap);
	z_stream z;

	assert_non_null(out);
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	while (n > 0) {
		size_t k = n < sizeof zero ? n : sizeof zero;
		n -= k;
		z.next_in = zero;
		z.avail_in = (uInt)k;
		assert_int_not_equal(deflate(&z, n ? Z_NO_FLUSH : Z_FINISH), Z_STREAM_ERROR);
		assert_int_equal(z.avail_in, 0);
	}
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

static void test_decode_gzip_bomb(void **state)
{
	size_t gl, outlen;
	unsigned char *gz = zeros_gz((size_t)64 << 20, &gl), *out = NULL;
	fetch_err err = {0};
	char msg[512];

	(void)state;
	assert_true(gl < 200 * 1024);
	assert_int_equal(decode_fails(gz, gl, (size_t)1 << 20, msg, sizeof msg), FETCH_E_TOOBIG);
	assert_non_null(strstr(msg, "more than 1 MiB"));
	assert_non_null(strstr(msg, "gzip bomb"));
	assert_int_equal(pprof_gunzip(gz, gl, (size_t)4 << 20, &out, &outlen, &err), -1);
	assert_int_equal(err.code, FETCH_E_TOOBIG);
	assert_null(out);
	/* under a large enough limit the same stream inflates fully */
	assert_int_equal(pprof_gunzip(gz, gl, (size_t)64 << 20, &out, &outlen, &err), 0);
	assert_int_equal(outlen, (size_t)64 << 20);
	free(out);
	out = NULL;
	/* … and one byte less is too little */
	assert_int_equal(pprof_gunzip(gz, gl, ((size_t)64 << 20) - 1, &out, &outlen, &err), -1);
	assert_int_equal(err.code, FETCH_E_TOOBIG);
	assert_non_null(strstr(err.msg, "more than 67108863 bytes"));
	assert_null(out);
	free(gz);
	/* plain input over the limit is refused too */
	assert_int_equal(decode_fails("\x0a\x00", 2, 1, NULL, 0), FETCH_E_TOOBIG);
}

/* Go's gzip reader reads concatenated members as one stream, and refuses
 * anything else after the last one. */
static void test_decode_multimember(void **state)
{
	struct pb *b = pb_example();
	size_t len, l1, l2, half;
	unsigned char *in = pb_pack(b, &len), *g1, *g2, *cat;
	pprof_profile *p;
	char *t1, *t2;

	(void)state;
	half = len / 2;
	g1 = gzip_of(in, half, &l1);
	g2 = gzip_of(in + half, len - half, &l2);
	cat = malloc(l1 + l2 + 3);
	assert_non_null(cat);
	memcpy(cat, g1, l1);
	memcpy(cat + l1, g2, l2);
	p = decode_ok(cat, l1 + l2);
	t1 = profile_text(p);
	pprof_free(p);
	p = decode_ok(in, len);
	t2 = profile_text(p);
	pprof_free(p);
	assert_string_equal(t1, t2);
	memcpy(cat + l1 + l2, "abc", 3);
	assert_int_equal(decode_fails(cat, l1 + l2 + 3, 0, NULL, 0), FETCH_E_GZIP);
	free(t1);
	free(t2);
	free(cat);
	free(g1);
	free(g2);
	free(in);
	free(b);
}

/* The bytes pprof_decode_release gives up. */
struct released {
	unsigned char *buf;
	size_t len;
	int calls;
};

/* Spoils the bytes: any read of them after this changes the result. */
static void spoil(void *ctx)
{
	struct released *r = ctx;

	memset(r->buf, 0xff, r->len);
	r->calls++;
}

/* The bytes are given up once, as soon as they are read, gzipped or not,
 * and the decoded profile holds copies of everything it needs from them. */
static void test_decode_release(void **state)
{
	struct pb *b = pb_example();
	size_t len, gl;
	unsigned char *in = pb_pack(b, &len), *gz = gzip_of(in, len, &gl);
	struct released r[2] = {{malloc(len), len, 0}, {malloc(gl), gl, 0}};
	pprof_profile *p, *q;
	fetch_err err = {0};
	char *want, *got;
	int i;

	(void)state;
	p = decode_ok(in, len);
	want = profile_text(p);
	pprof_free(p);
	assert_non_null(r[0].buf);
	assert_non_null(r[1].buf);
	memcpy(r[0].buf, in, len);
	memcpy(r[1].buf, gz, gl);
	for (i = 0; i < 2; i++) {
		if (pprof_decode_release(r[i].buf, r[i].len, 0, spoil, &r[i], &q, &err))
			fail_msg("decode: %s", err.msg);
		assert_int_equal(r[i].calls, 1);
		got = profile_text(q);
		assert_string_equal(got, want);
		free(got);
		pprof_free(q);
	}
	/* A failed decode gives them up too. */
	r[1].calls = 0;
	assert_int_equal(pprof_decode_release(r[1].buf, 1, 0, spoil, &r[1], &q, &err), -1);
	assert_null(q);
	assert_int_equal(r[1].calls, 1);
	free(want);
	free(r[0].buf);
	free(r[1].buf);
	free(gz);
	free(in);
	free(b);
}

static void expect_parse_error(struct pb *b, const char *needle)
{
	size_t len;
	unsigned char *in = pb_pack(b, &len);
	char msg[512];

	assert_int_equal(decode_fails(in, len, 0, msg, sizeof msg), FETCH_E_PARSE);
	if (!strstr(msg, needle))
		fail_msg("\"%s\" does not say \"%s\"", msg, needle);
	free(in);
	free(b);
}

/* The checks Go's profile.Parse makes (postDecode, CheckValid). */
static void test_decode_malformed(void **state)
{
	struct pb *b;

	(void)state;
	b = pb_example();
	b->fn[2].name = 999;
	expect_parse_error(b, "string index 999");
	b = pb_example();
	b->str[0] = (char *)"x";
	expect_parse_error(b, "must start with \"\"");
	b = pb_example();
	b->loc[3].id = 2;
	expect_parse_error(b, "two locations have the id 2");
	b = pb_example();
	b->fn[0].id = 0;
	expect_parse_error(b, "reserved id 0");
	b = pb_example();
	b->line[0].function_id = 77;
	expect_parse_error(b, "function 77");
	b = pb_example();
	b->smp[1].location_id[0] = 99;
	expect_parse_error(b, "location 99");
	b = pb_example();
	b->smp[2].n_value = 1;
	expect_parse_error(b, "1 values for 2 sample types");
	b = pb_example();
	b->p.period_type->unit = -1;
	expect_parse_error(b, "string index -1");
}

/* Records the first value of each sample visited; returns 7 at the one
 * whose first value is stop_at. */
struct visit {
	int64_t stop_at;
	int64_t seen[MAXN];
	size_t n;
};

static int visit_one(void *ctx, const pprof_sample *s, fetch_err *err)
{
	struct visit *v = ctx;

	(void)err;
	v->seen[v->n++] = s->value[0];
	return s->value[0] == v->stop_at ? 7 : 0;
}

/* The samples are visited in order, each unpacked whole, until the
 * callback returns non-zero, which is passed on. */
static void test_for_each_sample(void **state)
{
	static const int64_t order[] = {1, 2, 3, 4, 0, 5, 6};
	struct pb *b = pb_example();
	size_t len, i;
	unsigned char *in = pb_pack(b, &len);
	pprof_profile *p = decode_ok(in, len);
	struct visit v = {-1, {0}, 0};
	fetch_err err;

	(void)state;
	assert_int_equal(pprof_for_each_sample(p, visit_one, &v, &err), 0);
	assert_int_equal(v.n, 7);
	for (i = 0; i < v.n; i++)
		assert_int_equal(v.seen[i], order[i]);
	v = (struct visit){3, {0}, 0};
	assert_int_equal(pprof_for_each_sample(p, visit_one, &v, &err), 7);
	assert_int_equal(v.n, 3);
	pprof_free(p);
	free(in);
	free(b);
}

/* A sample whose bytes are no Sample message makes the whole profile
 * unreadable, as when the Profile is unpacked at once: that error comes
 * before any other defect, even one in an earlier table or sample. */
static void test_decode_bad_sample_bytes(void **state)
{
	/* field 2 (sample), 2 bytes: field 1 packed, 255 bytes long, cut */
	static const unsigned char bad[] = {0x12, 0x02, 0x0a, 0xff};
	struct pb *b = pb_example();
	size_t len, gl;
	unsigned char *in, *gz;
	char msg[512];

	(void)state;
	b->mp[0].filename = 999; /* a string error, checked before samples */
	b->smp[0].n_value = 1;   /* a sample error, in an earlier sample */
	in = pb_pack(b, &len);
	in = realloc(in, len + sizeof bad);
	assert_non_null(in);
	memcpy(in + len, bad, sizeof bad);
	len += sizeof bad;
	assert_int_equal(decode_fails(in, len, 0, msg, sizeof msg), FETCH_E_FORMAT);
	assert_non_null(strstr(msg, "not a pprof profile: neither gzip nor"));
	gz = gzip_of(in, len, &gl);
	assert_int_equal(decode_fails(gz, gl, 0, msg, sizeof msg), FETCH_E_FORMAT);
	assert_non_null(strstr(msg, "not a pprof profile: the gzip content"));
	free(gz);
	free(in);
	free(b);
}

/* With two defects, the one Go's parser meets first is reported: strings
 * (a label's among them) before ids, ids before lines, lines before the
 * samples' values and locations. */
static void test_decode_error_order(void **state)
{
	struct pb *b;

	(void)state;
	b = pb_example();
	b->fn[2].filename = 998; /* functions' strings come before labels' */
	b->lab[0].key = 999;
	expect_parse_error(b, "a function's file name has string index 998");
	b = pb_example();
	b->lab[0].key = 999; /* labels' strings come before comments' */
	b->p.n_comment = 1;
	b->p.comment = (int64_t[]){997};
	expect_parse_error(b, "a label key has string index 999");
	b = pb_example();
	b->p.drop_frames = 996; /* any string before any id */
	b->loc[3].id = 2;
	expect_parse_error(b, "drop_frames has string index 996");
	b = pb_example();
	b->loc[3].id = 2; /* ids before the samples' locations */
	b->smp[1].location_id[0] = 99;
	expect_parse_error(b, "two locations have the id 2");
	b = pb_example();
	b->line[0].function_id = 77; /* lines before the samples' locations */
	b->smp[0].location_id[0] = 99;
	expect_parse_error(b, "function 77");
	b = pb_example();
	b->smp[1].location_id[0] = 99; /* the first sample at fault */
	b->smp[2].n_value = 1;
	expect_parse_error(b, "location 99");
	b = pb_example();
	b->smp[4].n_value = 1;
	b->smp[5].location_id[0] = 98;
	expect_parse_error(b, "1 values for 2 sample types");
}

/* A location whose mapping id is not in the table has no mapping (as in
 * Go); a line without a function is kept as such. */
static void test_unknown_mapping_and_no_function(void **state)
{
	struct pb *b = pb_small("cpu", "nanoseconds", 1, 5);
	size_t len, outlen;
	unsigned char *in, *out;
	char *text;

	(void)state;
	b->loc[0].mapping_id = 42;
	b->line[1].function_id = 0;
	in = pb_pack(b, &len);
	out = reduce_one(in, len, &outlen);
	text = bytes_text(out, outlen);
	assert_string_equal(text, "type cpu/nanoseconds\n5  f(f,f.go@1):0 ;  ?:9\n");
	free(text);
	free(out);
	free(in);
	free(b);
}

/* ---- a real Go CPU profile ------------------------------------------------- */

/* go-cpu.pprof: `go test -bench . -cpuprofile` of a small program (go1.26).
 * go-cpu.reduced.txt.gz: its reduction (keep 5, aggregate callees) computed
 * with github.com/google/pprof/profile, in the text form above, gzipped. */
static void test_real_profile(void **state)
{
	size_t len, outlen, elen, n2, sl, n3;
	unsigned char *in = read_file(DATA "go-cpu.pprof", &len);
	unsigned char *wantgz = read_file(DATA "go-cpu.reduced.txt.gz", &elen), *want;
	unsigned char *out, *again, *sh, *shout;
	pprof_profile *p = decode_ok(in, len);
	fetch_err err = {0};
	char *text;

	(void)state;
	assert_int_equal(pprof_gunzip(wantgz, elen, 0, &want, &elen, &err), 0);
	want = realloc(want, elen + 1);
	assert_non_null(want);
	want[elen] = 0;
	assert_true(pprof_is_gzip(in, len));
	if (pgo_validate(p, &err))
		fail_msg("validate: %s", err.msg);
	pprof_free(p);
	out = reduce_one(in, len, &outlen);
	assert_true(outlen < len);
	p = decode_ok(out, outlen);
	if (pgo_validate(p, &err))
		fail_msg("validate reduced: %s", err.msg);
	text = profile_text(p);
	pprof_free(p);
	assert_string_equal(text, (const char *)want);
	again = reduce_one(out, outlen, &n2);
	assert_int_equal(n2, outlen);
	assert_memory_equal(again, out, outlen);
	{
		unsigned char *raw;
		size_t rawlen;
		assert_int_equal(pprof_gunzip(in, len, 0, &raw, &rawlen, &err), 0);
		sh = shuffled(raw, rawlen, 7, &sl);
		free(raw);
	}
	shout = reduce_one(sh, sl, &n3);
	assert_int_equal(n3, outlen);
	assert_memory_equal(shout, out, outlen);
	free(shout);
	free(sh);
	free(again);
	free(text);
	free(out);
	free(want);
	free(wantgz);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reduce_example),
	    cmocka_unit_test(test_canonical_layout),
	    cmocka_unit_test(test_options),
	    cmocka_unit_test(test_samples_count_only),
	    cmocka_unit_test(test_idempotent),
	    cmocka_unit_test(test_shuffled_same_bytes),
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_merge_unit_mismatch),
	    cmocka_unit_test(test_encode_errors),
	    cmocka_unit_test(test_validate_ok),
	    cmocka_unit_test(test_validate_failures),
	    cmocka_unit_test(test_validate_start_line_depth),
	    cmocka_unit_test(test_decode_format_errors),
	    cmocka_unit_test(test_decode_truncated),
	    cmocka_unit_test(test_decode_gzip_bomb),
	    cmocka_unit_test(test_decode_multimember),
	    cmocka_unit_test(test_decode_release),
	    cmocka_unit_test(test_decode_malformed),
	    cmocka_unit_test(test_for_each_sample),
	    cmocka_unit_test(test_decode_bad_sample_bytes),
	    cmocka_unit_test(test_decode_error_order),
	    cmocka_unit_test(test_unknown_mapping_and_no_function),
	    cmocka_unit_test(test_real_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
