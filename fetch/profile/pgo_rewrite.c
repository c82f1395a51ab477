/* pgo_rewrite.c — [rename] and [noinline] over a reduced profile: a copy
 * of the tables with the functions' names changed, interned again so that
 * what became equal merges (see pgo_rewrite.h).
 */
#include "pgo_rewrite.h"

#include <stdlib.h>
#include <string.h>

int fetch_pgo_rules_check(const fetch_pgo_rules *rules, fetch_err *err)
{
	for (size_t i = 0; i < rules->nrenames; i++) {
		const fetch_pgo_rename *r = &rules->renames[i];

		if (r->from == NULL || r->to == NULL || r->from[0] == '\0' || r->to[0] == '\0')
			return fetch_errf(err, FETCH_E_ARG, "rename %zu: empty name", i + 1);
		if (strcmp(r->from, r->to) == 0)
			return fetch_errf(err, FETCH_E_ARG, "rename of %s to itself", r->from);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(rules->renames[j].from, r->from) == 0)
				return fetch_errf(err, FETCH_E_ARG, "%s renamed twice", r->from);
		}
	}
	for (size_t i = 0; i < rules->nnoinline; i++) {
		if (rules->noinline[i] == NULL || rules->noinline[i][0] == '\0')
			return fetch_errf(err, FETCH_E_ARG, "noinline %zu: empty name", i + 1);
	}
	return 0;
}

/* The name function `name` gets; NULL when it keeps its own. */
static const char *rw_rename(const fetch_pgo_rules *rules, const char *name)
{
	for (size_t i = 0; i < rules->nrenames; i++) {
		if (strcmp(rules->renames[i].from, name) == 0)
			return rules->renames[i].to;
	}
	return NULL;
}

static int rw_noinline(const fetch_pgo_rules *rules, const char *name)
{
	for (size_t i = 0; i < rules->nnoinline; i++) {
		if (strcmp(rules->noinline[i], name) == 0)
			return 1;
	}
	return 0;
}

typedef struct rw {
	const fetch_pgo *in;
	fetch_pgo *out;
	const fetch_pgo_rules *rules;
	uint32_t *fn, *map, *loc; /* input id → output id */
	fetch_pgo_line *lines;
	size_t caplines;
	uint32_t *stack;
	size_t capstack;
	size_t changed;
} rw;

static int rw_string(rw *w, uint32_t in_id, uint32_t *id, fetch_err *err)
{
	return fetch_pgo_intern_string(w->out, w->in->strings[in_id], id, err);
}

/* The function's new name: renamed, then maybe prefixed. */
static int rw_name(rw *w, const char *name, const char **to, char **owned, fetch_err *err)
{
	const char *renamed = rw_rename(w->rules, name);
	size_t n;

	*owned = NULL;
	*to = renamed ? renamed : name;
	if (!rw_noinline(w->rules, *to))
		return 0;
	n = strlen(FETCH_PGO_NOINLINE_PREFIX) + strlen(*to) + 1;
	*owned = malloc(n);
	if (*owned == NULL)
		return fetch_err_nomem(err);
	strcpy(*owned, FETCH_PGO_NOINLINE_PREFIX);
	strcat(*owned, *to);
	*to = *owned;
	return 0;
}

static int rw_function(rw *w, uint32_t i, fetch_err *err)
{
	const fetch_pgo_function *f = &w->in->functions[i];
	const char *name = w->in->strings[f->name], *to;
	fetch_pgo_function k = {0, 0, 0, f->start_line};
	char *owned;
	int rc = rw_name(w, name, &to, &owned, err);

	if (rc != 0)
		return rc;
	w->changed += to != name;
	rc = fetch_pgo_intern_string(w->out, to, &k.name, err);
	/* A system name that was the name follows it; a mangled one stays. */
	if (rc == 0 && f->system_name == f->name && rw_rename(w->rules, name) != NULL)
		rc =
		    fetch_pgo_intern_string(w->out, rw_rename(w->rules, name), &k.system_name, err);
	else if (rc == 0)
		rc = rw_string(w, f->system_name, &k.system_name, err);
	if (rc == 0)
		rc = rw_string(w, f->filename, &k.filename, err);
	if (rc == 0)
		rc = fetch_pgo_intern_function(w->out, &k, &w->fn[i], err);
	free(owned);
	return rc;
}

static int rw_mapping(rw *w, uint32_t i, fetch_err *err)
{
	fetch_pgo_mapping k = w->in->mappings[i];

	if (rw_string(w, w->in->mappings[i].filename, &k.filename, err) != 0 ||
	    rw_string(w, w->in->mappings[i].build_id, &k.build_id, err) != 0)
		return -1;
	return fetch_pgo_intern_mapping(w->out, &k, &w->map[i], err);
}

static int rw_grow(void **p, size_t *cap, size_t n, size_t size, fetch_err *err)
{
	void *q;

	if (n <= *cap)
		return 0;
	q = realloc(*p, n * size);
	if (q == NULL)
		return fetch_err_nomem(err);
	*p = q;
	*cap = n;
	return 0;
}

static int rw_location(rw *w, uint32_t i, fetch_err *err)
{
	const fetch_pgo_location *l = &w->in->locations[i];
	uint32_t mapping = l->mapping == FETCH_PGO_NONE ? FETCH_PGO_NONE : w->map[l->mapping];

	if (rw_grow((void **)&w->lines, &w->caplines, l->nlines, sizeof(*w->lines), err) != 0)
		return -1;
	for (uint32_t k = 0; k < l->nlines; k++) {
		fetch_pgo_line ln = w->in->lines[l->first_line + k];

		if (ln.function != FETCH_PGO_NONE)
			ln.function = w->fn[ln.function];
		w->lines[k] = ln;
	}
	return fetch_pgo_intern_location(w->out, mapping, w->lines, l->nlines, &w->loc[i], err);
}

static int rw_sample(rw *w, size_t i, fetch_err *err)
{
	const fetch_pgo_sample *s = &w->in->samples[i];

	if (rw_grow((void **)&w->stack, &w->capstack, s->depth, sizeof(*w->stack), err) != 0)
		return -1;
	for (uint32_t k = 0; k < s->depth; k++)
		w->stack[k] = w->loc[w->in->stacks[s->first + k]];
	return fetch_pgo_add_sample(w->out, w->stack, s->depth, s->value, err);
}

static int rw_all(rw *w, fetch_err *err)
{
	const fetch_pgo *in = w->in;

	w->fn = calloc(in->nfunctions + 1, sizeof(*w->fn));
	w->map = calloc(in->nmappings + 1, sizeof(*w->map));
	w->loc = calloc(in->nlocations + 1, sizeof(*w->loc));
	if (w->fn == NULL || w->map == NULL || w->loc == NULL)
		return fetch_err_nomem(err);
	if (in->have_type && (rw_string(w, in->type, &w->out->type, err) != 0 ||
	                      rw_string(w, in->unit, &w->out->unit, err) != 0))
		return -1;
	w->out->have_type = in->have_type;
	w->out->period = in->period;
	for (uint32_t i = 0; i < in->nfunctions; i++) {
		if (rw_function(w, i, err) != 0)
			return -1;
	}
	for (uint32_t i = 0; i < in->nmappings; i++) {
		if (rw_mapping(w, i, err) != 0)
			return -1;
	}
	for (uint32_t i = 0; i < in->nlocations; i++) {
		if (rw_location(w, i, err) != 0)
			return -1;
	}
	for (size_t i = 0; i < in->nsamples; i++) {
		if (rw_sample(w, i, err) != 0)
			return -1;
	}
	return 0;
}

int fetch_pgo_rewrite(const fetch_pgo *in, const fetch_pgo_rules *rules, fetch_pgo **out,
                      size_t *changed, fetch_err *err)
{
	rw w;
	int rc;

	*out = NULL;
	if (fetch_pgo_rules_check(rules, err) != 0)
		return -1;
	memset(&w, 0, sizeof(w));
	w.in = in;
	w.rules = rules;
	w.out = fetch_pgo_new(&in->opts);
	if (w.out == NULL)
		return fetch_err_nomem(err);
	rc = rw_all(&w, err);
	free(w.fn);
	free(w.map);
	free(w.loc);
	free(w.lines);
	free(w.stack);
	if (rc != 0) {
		fetch_pgo_free(w.out);
		return -1;
	}
	if (changed != NULL)
		*changed = w.changed;
	*out = w.out;
	return 0;
}
