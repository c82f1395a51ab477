/* pprof_check.c — Go's parse-time checks of an unpacked profile
 * (internal/profile: Parse, postDecode, CheckValid), in Go's order, with one
 * pass over the samples. */
#include <string.h>

#include "pprof_int.h"

static int bad_index(const pprof_profile *p, int64_t index)
{
	return index < 0 || (uint64_t)index >= p->msg->n_string_table;
}

#define CHECK_STR(idx, what)                                                                       \
	do {                                                                                       \
		if (bad_index(p, (idx)))                                                           \
			return fetch_errf(err, FETCH_E_PARSE,                                      \
			                  "malformed profile: %s has string index %lld, "          \
			                  "past the string table's %zu entries",                   \
			                  (what), (long long)(idx), p->msg->n_string_table);       \
	} while (0)

static int check_label_strings(const pprof_profile *p, const pprof_sample *s, fetch_err *err)
{
	size_t j;

	for (j = 0; j < s->n_label; j++) {
		CHECK_STR(s->label[j]->key, "a label key");
		CHECK_STR(s->label[j]->str, "a label value");
	}
	return 0;
}

/* Go checks the value count (CheckValid); an unknown location id makes Go's
 * PGO reader crash, so it is an error here. */
static int check_sample_refs(const pprof_profile *p, const pprof_sample *s, fetch_err *err)
{
	size_t j;

	if (s->n_value != p->msg->n_sample_type)
		return fetch_errf(err, FETCH_E_PARSE,
		                  "malformed profile: a sample has %zu values for %zu "
		                  "sample types",
		                  s->n_value, p->msg->n_sample_type);
	for (j = 0; j < s->n_location_id; j++)
		if (pprof_location_pos(p, s->location_id[j]) == PPROF_NONE)
			return fetch_errf(err, FETCH_E_PARSE,
			                  "malformed profile: a sample names location "
			                  "%llu, which is not in the profile",
			                  (unsigned long long)s->location_id[j]);
	return 0;
}

/* What the one pass over the samples finds. Go reports a label's string
 * index among the other strings, before the tables' ids, and a sample's
 * values and locations last; the pass keeps the first of each for check()
 * to report in that order. */
struct sample_findings {
	const pprof_profile *p;
	int ids_ok; /* the id maps are whole, so locations can be looked up */
	int bad_label, bad_sample;
	fetch_err label, sample;
};

static int check_sample(void *ctx, const pprof_sample *s, fetch_err *err)
{
	struct sample_findings *f = ctx;

	(void)err;
	if (!f->bad_label && check_label_strings(f->p, s, &f->label))
		f->bad_label = 1;
	if (f->ids_ok && !f->bad_sample && check_sample_refs(f->p, s, &f->sample))
		f->bad_sample = 1;
	return 0;
}

/* Passes on an error found earlier. */
static int report(fetch_err *err, const fetch_err *found)
{
	if (err)
		*err = *found;
	return -1;
}

/* Every string index Go resolves while decoding (postDecode's getString);
 * f holds what the samples' labels gave. */
static int check_strings(const pprof_profile *p, const struct sample_findings *f, fetch_err *err)
{
	const pprof_msg *m = p->msg;
	size_t i;

	if (m->n_string_table == 0 || m->string_table[0][0] != '\0')
		return fetch_errf(err, FETCH_E_PARSE,
		                  "malformed profile: the string table must start with \"\"");
	for (i = 0; i < m->n_mapping; i++) {
		CHECK_STR(m->mapping[i]->filename, "a mapping's file name");
		CHECK_STR(m->mapping[i]->build_id, "a mapping's build id");
	}
	for (i = 0; i < m->n_function; i++) {
		CHECK_STR(m->function[i]->name, "a function name");
		CHECK_STR(m->function[i]->system_name, "a function's system name");
		CHECK_STR(m->function[i]->filename, "a function's file name");
	}
	for (i = 0; i < m->n_sample_type; i++) {
		CHECK_STR(m->sample_type[i]->type, "a sample type");
		CHECK_STR(m->sample_type[i]->unit, "a sample unit");
	}
	if (f->bad_label)
		return report(err, &f->label);
	for (i = 0; i < m->n_comment; i++)
		CHECK_STR(m->comment[i], "a comment");
	CHECK_STR(m->drop_frames, "drop_frames");
	CHECK_STR(m->keep_frames, "keep_frames");
	CHECK_STR(m->default_sample_type, "default_sample_type");
	if (m->period_type) {
		CHECK_STR(m->period_type->type, "the period type");
		CHECK_STR(m->period_type->unit, "the period unit");
	}
	return 0;
}

/* Lines must name known functions (postDecode); a mapping id that is not in
 * the table is no error: Go reads it as "no mapping". */
static int check_locations(const pprof_profile *p, fetch_err *err)
{
	const pprof_msg *m = p->msg;
	size_t i, j;

	for (i = 0; i < m->n_location; i++) {
		const Perftools__Profiles__Location *l = m->location[i];
		for (j = 0; j < l->n_line; j++) {
			uint64_t fid = l->line[j]->function_id;
			if (fid != 0 && pprof_function_pos(p, fid) == PPROF_NONE)
				return fetch_errf(err, FETCH_E_PARSE,
				                  "malformed profile: location %llu names function "
				                  "%llu, which is not in the profile",
				                  (unsigned long long)l->id,
				                  (unsigned long long)fid);
		}
	}
	return 0;
}

/* Go's checks, in Go's order, with one pass over the samples. */
int pprof_check(pprof_profile *p, int was_gzip, fetch_err *err)
{
	struct sample_findings f;
	fetch_err ids;
	int bad_ids, bad_unpack;

	memset(&f, 0, sizeof f);
	f.p = p;
	bad_ids = pprof_build_idmaps(p, &ids) != 0;
	f.ids_ok = !bad_ids;
	/* Unpacking the whole Profile at once would have failed on a sample
	 * that is no Sample message, before any check. */
	if (pprof_visit_samples(p, check_sample, &f, &bad_unpack, err))
		return bad_unpack ? pprof_not_pprof(err, was_gzip) : -1;
	if (check_strings(p, &f, err))
		return -1;
	if (bad_ids)
		return report(err, &ids);
	if (check_locations(p, err))
		return -1;
	if (p->msg->n_sample && p->msg->n_sample_type == 0)
		return fetch_errf(err, FETCH_E_PARSE,
		                  "malformed profile: samples but no sample types");
	return f.bad_sample ? report(err, &f.sample) : 0;
}
