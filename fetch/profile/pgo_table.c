/* pgo_table.c — hash-consing for the reduced profile's tables. */
#include "pgo_table.h"

#include <stdlib.h>
#include <string.h>

/* Ids are uint32 and the index stores id + 1; stay clear of the top. */
#define MAX_ENTRIES ((size_t)UINT32_MAX - 2)

static int grow(void **p, size_t *cap, size_t need, size_t elem, fetch_err *err)
{
	size_t ncap = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return fetch_err_nomem(err);
		ncap *= 2;
	}
	np = realloc(*p, ncap * elem);
	if (!np)
		return fetch_err_nomem(err);
	*p = np;
	*cap = ncap;
	return 0;
}

#define GROW(arr, cap, need, err) grow((void **)&(arr), &(cap), (need), sizeof *(arr), (err))

/* A multiply-xorshift mix (splitmix64's finalizer) folded to 32 bits. */
static uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static uint32_t fold(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

typedef int (*eq_fn)(const fetch_pgo *t, uint32_t id, const void *key);

static uint32_t ix_find(const fetch_pgo_index *ix, uint32_t h, eq_fn eq, const fetch_pgo *t,
                        const void *key)
{
	size_t mask = ix->cap - 1, i;

	if (ix->cap == 0)
		return FETCH_PGO_NONE;
	for (i = h & mask;; i = (i + 1) & mask) {
		uint64_t s = ix->slot[i];
		if (s == 0)
			return FETCH_PGO_NONE;
		if ((uint32_t)(s >> 32) == h && eq(t, (uint32_t)s - 1, key))
			return (uint32_t)s - 1;
	}
}

static void ix_place(uint64_t *slot, size_t cap, uint64_t s)
{
	size_t i;

	for (i = (uint32_t)(s >> 32) & (cap - 1); slot[i]; i = (i + 1) & (cap - 1))
		;
	slot[i] = s;
}

/* Keeps the load under one half so probes stay short. */
static int ix_insert(fetch_pgo_index *ix, uint32_t h, uint32_t id, fetch_err *err)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		size_t ncap = ix->cap ? ix->cap * 2 : 64, i;
		uint64_t *ns = calloc(ncap, sizeof *ns);
		if (!ns)
			return fetch_err_nomem(err);
		for (i = 0; i < ix->cap; i++)
			if (ix->slot[i])
				ix_place(ns, ncap, ix->slot[i]);
		free(ix->slot);
		ix->slot = ns;
		ix->cap = ncap;
	}
	ix_place(ix->slot, ix->cap, (uint64_t)h << 32 | ((uint64_t)id + 1));
	ix->n++;
	return 0;
}

static int full(size_t n, fetch_err *err)
{
	if (n < MAX_ENTRIES)
		return 0;
	return fetch_errf(err, FETCH_E_TOOBIG, "profile has more than %zu distinct entries",
	                  MAX_ENTRIES);
}

static int string_eq(const fetch_pgo *t, uint32_t id, const void *key)
{
	return strcmp(t->strings[id], key) == 0;
}

int fetch_pgo_intern_string(fetch_pgo *t, const char *s, uint32_t *id, fetch_err *err)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	const unsigned char *c;
	uint32_t h32, found;
	char *copy;

	for (c = (const unsigned char *)s; *c; c++)
		h = (h ^ *c) * 0x100000001b3ull;
	h32 = fold(mix(h, 0));
	found = ix_find(&t->string_ix, h32, string_eq, t, s);
	if (found != FETCH_PGO_NONE) {
		*id = found;
		return 0;
	}
	if (full(t->nstrings, err) || GROW(t->strings, t->capstrings, t->nstrings + 1, err))
		return -1;
	copy = strdup(s);
	if (!copy)
		return fetch_err_nomem(err);
	if (ix_insert(&t->string_ix, h32, (uint32_t)t->nstrings, err)) {
		free(copy);
		return -1;
	}
	t->strings[t->nstrings] = copy;
	*id = (uint32_t)t->nstrings++;
	return 0;
}

static int function_eq(const fetch_pgo *t, uint32_t id, const void *key)
{
	const fetch_pgo_function *a = &t->functions[id], *b = key;

	return a->name == b->name && a->system_name == b->system_name &&
	       a->filename == b->filename && a->start_line == b->start_line;
}

int fetch_pgo_intern_function(fetch_pgo *t, const fetch_pgo_function *f, uint32_t *id,
                              fetch_err *err)
{
	uint64_t h =
	    mix(mix(mix(mix(1, f->name), f->system_name), f->filename), (uint64_t)f->start_line);
	uint32_t h32 = fold(h), found = ix_find(&t->function_ix, h32, function_eq, t, f);

	if (found != FETCH_PGO_NONE) {
		*id = found;
		return 0;
	}
	if (full(t->nfunctions, err) ||
	    GROW(t->functions, t->capfunctions, t->nfunctions + 1, err) ||
	    ix_insert(&t->function_ix, h32, (uint32_t)t->nfunctions, err))
		return -1;
	t->functions[t->nfunctions] = *f;
	*id = (uint32_t)t->nfunctions++;
	return 0;
}

static int mapping_eq(const fetch_pgo *t, uint32_t id, const void *key)
{
	const fetch_pgo_mapping *a = &t->mappings[id], *b = key;

	return a->filename == b->filename && a->build_id == b->build_id && a->flags == b->flags;
}

int fetch_pgo_intern_mapping(fetch_pgo *t, const fetch_pgo_mapping *m, uint32_t *id, fetch_err *err)
{
	uint32_t h32 = fold(mix(mix(mix(2, m->filename), m->build_id), m->flags));
	uint32_t found = ix_find(&t->mapping_ix, h32, mapping_eq, t, m);

	if (found != FETCH_PGO_NONE) {
		*id = found;
		return 0;
	}
	if (full(t->nmappings, err) || GROW(t->mappings, t->capmappings, t->nmappings + 1, err) ||
	    ix_insert(&t->mapping_ix, h32, (uint32_t)t->nmappings, err))
		return -1;
	t->mappings[t->nmappings] = *m;
	*id = (uint32_t)t->nmappings++;
	return 0;
}

struct location_key {
	uint32_t mapping, nlines;
	const fetch_pgo_line *lines;
};

static int location_eq(const fetch_pgo *t, uint32_t id, const void *key)
{
	const fetch_pgo_location *a = &t->locations[id];
	const struct location_key *b = key;
	uint32_t i;

	if (a->mapping != b->mapping || a->nlines != b->nlines)
		return 0;
	for (i = 0; i < a->nlines; i++) {
		const fetch_pgo_line *x = &t->lines[a->first_line + i], *y = &b->lines[i];
		if (x->function != y->function || x->line != y->line)
			return 0;
	}
	return 1;
}

int fetch_pgo_intern_location(fetch_pgo *t, uint32_t mapping, const fetch_pgo_line *lines,
                              uint32_t nlines, uint32_t *id, fetch_err *err)
{
	struct location_key key = {mapping, nlines, lines};
	uint64_t h = mix(3, mapping);
	uint32_t h32, found, i;
	fetch_pgo_location *l;

	for (i = 0; i < nlines; i++)
		h = mix(mix(h, lines[i].function), (uint64_t)lines[i].line);
	h32 = fold(h);
	found = ix_find(&t->location_ix, h32, location_eq, t, &key);
	if (found != FETCH_PGO_NONE) {
		*id = found;
		return 0;
	}
	if (full(t->nlocations, err) ||
	    GROW(t->locations, t->caplocations, t->nlocations + 1, err) ||
	    GROW(t->lines, t->caplines, t->nlines + nlines, err) ||
	    ix_insert(&t->location_ix, h32, (uint32_t)t->nlocations, err))
		return -1;
	if (nlines)
		memcpy(&t->lines[t->nlines], lines, nlines * sizeof *lines);
	l = &t->locations[t->nlocations];
	l->mapping = mapping;
	l->nlines = nlines;
	l->first_line = t->nlines;
	t->nlines += nlines;
	*id = (uint32_t)t->nlocations++;
	return 0;
}

struct stack_key {
	const uint32_t *stack;
	uint32_t depth;
};

static int sample_eq(const fetch_pgo *t, uint32_t id, const void *key)
{
	const fetch_pgo_sample *a = &t->samples[id];
	const struct stack_key *b = key;

	return a->depth == b->depth && (b->depth == 0 || memcmp(&t->stacks[a->first], b->stack,
	                                                        b->depth * sizeof *b->stack) == 0);
}

int fetch_pgo_add_sample(fetch_pgo *t, const uint32_t *stack, uint32_t depth, int64_t value,
                         fetch_err *err)
{
	struct stack_key key = {stack, depth};
	uint64_t h = mix(4, depth);
	uint32_t h32, found, i;
	fetch_pgo_sample *s;

	for (i = 0; i < depth; i++)
		h = mix(h, stack[i]);
	h32 = fold(h);
	found = ix_find(&t->sample_ix, h32, sample_eq, t, &key);
	if (found != FETCH_PGO_NONE) {
		s = &t->samples[found];
		if (__builtin_add_overflow(s->value, value, &s->value))
			return fetch_errf(err, FETCH_E_INVALID,
			                  "sample values overflow a 64-bit integer");
		return 0;
	}
	if (full(t->nsamples, err) || GROW(t->samples, t->capsamples, t->nsamples + 1, err) ||
	    GROW(t->stacks, t->capstacks, t->nstacks + depth, err) ||
	    ix_insert(&t->sample_ix, h32, (uint32_t)t->nsamples, err))
		return -1;
	if (depth)
		memcpy(&t->stacks[t->nstacks], stack, depth * sizeof *stack);
	s = &t->samples[t->nsamples++];
	s->first = t->nstacks;
	s->depth = depth;
	s->value = value;
	t->nstacks += depth;
	return 0;
}

fetch_pgo *fetch_pgo_new(const fetch_pgo_opts *opts)
{
	fetch_pgo *t = calloc(1, sizeof *t);
	uint32_t empty;

	if (!t)
		return NULL;
	t->opts.keep_locations = FETCH_PGO_KEEP_LOCATIONS;
	t->opts.aggregate_callees = 1;
	if (opts)
		t->opts = *opts;
	if (fetch_pgo_intern_string(t, "", &empty, NULL)) {
		fetch_pgo_free(t);
		return NULL;
	}
	return t;
}

void fetch_pgo_free(fetch_pgo *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nstrings; i++)
		free(t->strings[i]);
	free(t->strings);
	free(t->string_ix.slot);
	free(t->functions);
	free(t->function_ix.slot);
	free(t->mappings);
	free(t->mapping_ix.slot);
	free(t->lines);
	free(t->locations);
	free(t->location_ix.slot);
	free(t->stacks);
	free(t->samples);
	free(t->sample_ix.slot);
	free(t);
}
