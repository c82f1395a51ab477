/* pgo_reduce.c — the go-pgo reduction of one decoded profile into a
 * fetch_pgo. Every table of the input is translated lazily, once per entry,
 * through a memo indexed by the entry's position. */
#include "pgo_reduce.h"

#include <stdlib.h>
#include <string.h>

#include "pgo_validate.h"

struct reducer {
	fetch_pgo *acc;
	const pprof_profile *in;
	int vi;              /* the sample value reduced */
	uint32_t *strings;   /* string index → acc string id */
	uint32_t *functions; /* function position → acc function id */
	uint32_t *mappings;  /* mapping position → acc mapping id */
	uint32_t *locations; /* 2 * location position + is_leaf → acc location id */
	fetch_pgo_line *lines;
	size_t caplines;
	uint32_t *stack;
	size_t capstack;
};

int fetch_pgo_value_index(const pprof_profile *p)
{
	int i = pgo_sample_type_index(p, "cpu", "nanoseconds");

	return i >= 0 ? i : pgo_sample_type_index(p, "samples", "count");
}

int64_t fetch_pgo_total(const fetch_pgo *acc)
{
	int64_t total = 0;
	size_t i;

	for (i = 0; i < acc->nsamples; i++)
		if (__builtin_add_overflow(total, acc->samples[i].value, &total))
			return INT64_MAX;
	return total;
}

static uint32_t *memo_new(size_t n)
{
	uint32_t *m = malloc((n ? n : 1) * sizeof *m);

	if (m)
		memset(m, 0xff, (n ? n : 1) * sizeof *m); /* all FETCH_PGO_NONE */
	return m;
}

/* pprof_decode checked every index read here; one out of range still reads
 * as "" rather than past the memo. */
static int string_id(struct reducer *r, int64_t index, uint32_t *id, fetch_err *err)
{
	uint32_t *memo;

	if (index < 0 || (uint64_t)index >= r->in->msg->n_string_table)
		index = 0;
	memo = &r->strings[index];
	if (*memo == FETCH_PGO_NONE &&
	    fetch_pgo_intern_string(r->acc, pprof_string(r->in, index), memo, err))
		return -1;
	*id = *memo;
	return 0;
}

static int function_id(struct reducer *r, size_t pos, uint32_t *id, fetch_err *err)
{
	const Perftools__Profiles__Function *f = r->in->msg->function[pos];
	fetch_pgo_function k = {0, 0, 0, f->start_line};

	if (r->functions[pos] == FETCH_PGO_NONE &&
	    (string_id(r, f->name, &k.name, err) ||
	     string_id(r, f->system_name, &k.system_name, err) ||
	     string_id(r, f->filename, &k.filename, err) ||
	     fetch_pgo_intern_function(r->acc, &k, &r->functions[pos], err)))
		return -1;
	*id = r->functions[pos];
	return 0;
}

static int mapping_id(struct reducer *r, uint64_t mapping_id, uint32_t *id, fetch_err *err)
{
	size_t pos = mapping_id ? pprof_mapping_pos(r->in, mapping_id) : PPROF_NONE;
	const Perftools__Profiles__Mapping *m;
	fetch_pgo_mapping k = {0, 0, 0};

	*id = FETCH_PGO_NONE;
	if (pos == PPROF_NONE)
		return 0; /* Go too reads an unknown mapping id as "none" */
	if (r->mappings[pos] == FETCH_PGO_NONE) {
		m = r->in->msg->mapping[pos];
		k.flags = (m->has_functions ? FETCH_PGO_HAS_FUNCTIONS : 0) |
		          (m->has_filenames ? FETCH_PGO_HAS_FILENAMES : 0) |
		          (m->has_line_numbers ? FETCH_PGO_HAS_LINE_NUMBERS : 0) |
		          (m->has_inline_frames ? FETCH_PGO_HAS_INLINE_FRAMES : 0);
		if (string_id(r, m->filename, &k.filename, err) ||
		    string_id(r, m->build_id, &k.build_id, err) ||
		    fetch_pgo_intern_mapping(r->acc, &k, &r->mappings[pos], err))
			return -1;
	}
	*id = r->mappings[pos];
	return 0;
}

static int line_buffer(struct reducer *r, size_t n, fetch_err *err)
{
	fetch_pgo_line *nl;

	if (n <= r->caplines)
		return 0;
	if (n > UINT32_MAX)
		return fetch_errf(err, FETCH_E_TOOBIG, "a location has more than 2^32 lines");
	nl = realloc(r->lines, n * sizeof *nl);
	if (!nl)
		return fetch_err_nomem(err);
	r->lines = nl;
	r->caplines = n;
	return 0;
}

/* The reduced form of one location; the leaf form has its innermost line
 * number zeroed when callees are aggregated. */
static int location_id(struct reducer *r, size_t pos, int leaf, uint32_t *id, fetch_err *err)
{
	const Perftools__Profiles__Location *l = r->in->msg->location[pos];
	uint32_t *memo = &r->locations[2 * pos + (leaf != 0)], mapping;
	size_t j;

	if (*memo == FETCH_PGO_NONE) {
		if (line_buffer(r, l->n_line, err) || mapping_id(r, l->mapping_id, &mapping, err))
			return -1;
		for (j = 0; j < l->n_line; j++) {
			uint64_t fid = l->line[j]->function_id;
			r->lines[j].function = FETCH_PGO_NONE;
			r->lines[j].line = l->line[j]->line;
			if (fid && function_id(r, pprof_function_pos(r->in, fid),
			                       &r->lines[j].function, err))
				return -1;
		}
		if (leaf && l->n_line)
			r->lines[0].line = 0;
		if (fetch_pgo_intern_location(r->acc, mapping, r->lines, (uint32_t)l->n_line, memo,
		                              err))
			return -1;
	}
	*id = *memo;
	return 0;
}

static int add_sample(struct reducer *r, const pprof_sample *s, int64_t value, fetch_err *err)
{
	size_t depth = s->n_location_id, keep = r->acc->opts.keep_locations, i;
	int aggregate = r->acc->opts.aggregate_callees;

	if (keep && depth > keep)
		depth = keep;
	if (depth > r->capstack) {
		uint32_t *ns;
		if (depth > UINT32_MAX)
			return fetch_errf(err, FETCH_E_TOOBIG, "a stack has more than 2^32 frames");
		ns = realloc(r->stack, depth * sizeof *ns);
		if (!ns)
			return fetch_err_nomem(err);
		r->stack = ns;
		r->capstack = depth;
	}
	for (i = 0; i < depth; i++)
		if (location_id(r, pprof_location_pos(r->in, s->location_id[i]),
		                i == 0 && aggregate, &r->stack[i], err))
			return -1;
	return fetch_pgo_add_sample(r->acc, r->stack, (uint32_t)depth, value, err);
}

/* The first profile fixes the sample type; the period kept is the largest
 * one given in that unit. */
static int take_type(struct reducer *r, int vi, fetch_err *err)
{
	const pprof_msg *m = r->in->msg;
	const Perftools__Profiles__ValueType *vt = m->sample_type[vi], *pt = m->period_type;
	fetch_pgo *acc = r->acc;
	uint32_t type, unit, ptype = FETCH_PGO_NONE, punit = FETCH_PGO_NONE;

	if (string_id(r, vt->type, &type, err) || string_id(r, vt->unit, &unit, err) ||
	    (pt && (string_id(r, pt->type, &ptype, err) || string_id(r, pt->unit, &punit, err))))
		return -1;
	if (acc->have_type && (acc->type != type || acc->unit != unit))
		return fetch_errf(err, FETCH_E_MERGE,
		                  "cannot merge a %s/%s profile into %s/%s ones: the units differ",
		                  acc->strings[type], acc->strings[unit], acc->strings[acc->type],
		                  acc->strings[acc->unit]);
	acc->have_type = 1;
	acc->type = type;
	acc->unit = unit;
	if (ptype == type && punit == unit && m->period > acc->period)
		acc->period = m->period;
	return 0;
}

static int reduce_sample(void *ctx, const pprof_sample *s, fetch_err *err)
{
	struct reducer *r = ctx;
	int64_t v = s->value[r->vi];

	if (v < 0)
		return fetch_errf(err, FETCH_E_INVALID,
		                  "negative sample value (not a CPU profile?)");
	return v != 0 ? add_sample(r, s, v, err) : 0;
}

int fetch_pgo_add(fetch_pgo *acc, const pprof_profile *p, fetch_err *err)
{
	const pprof_msg *m = p->msg;
	struct reducer r;
	int vi = fetch_pgo_value_index(p), ret = -1;

	if (vi < 0)
		return fetch_errf(err, FETCH_E_INVALID,
		                  "no cpu/nanoseconds or samples/count sample type");
	memset(&r, 0, sizeof r);
	r.acc = acc;
	r.in = p;
	r.vi = vi;
	r.strings = memo_new(m->n_string_table);
	r.functions = memo_new(m->n_function);
	r.mappings = memo_new(m->n_mapping);
	r.locations = m->n_location <= SIZE_MAX / 2 ? memo_new(2 * m->n_location) : NULL;
	if (!r.strings || !r.functions || !r.mappings || !r.locations) {
		fetch_err_nomem(err);
		goto out;
	}
	if (take_type(&r, vi, err) || pprof_for_each_sample(p, reduce_sample, &r, err))
		goto out;
	ret = 0;
out:
	free(r.strings);
	free(r.functions);
	free(r.mappings);
	free(r.locations);
	free(r.lines);
	free(r.stack);
	return ret;
}
