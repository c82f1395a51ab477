/* test_rewrite.c — fetch/profile/pgo_rewrite.h: [rename] and [noinline] over a
 * reduced profile.
 *
 * The input is a crafted profile of tests/unit/data/edges (basic.pprof:
 * main.main → main.work → lib.Sum → lib.add, with lib.add inlined into
 * lib.Sum), reduced as the shim reduces every profile. What a rewrite must
 * give is read back through the call edges the compiler would see
 * (pgo_edges.h): the same weights under the new names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pgo_canon.h"
#include "pgo_edges.h"
#include "pgo_reduce.h"
#include "pgo_rewrite.h"
#include "pprof.h"
#include "testdata.h"

#define DATA TESTS_SOURCE_DIR "/unit/data/"

static fetch_pgo *reduced(const char *path)
{
	size_t n = 0;
	char *buf = td_slurp(path, &n);
	pprof_profile *p = NULL;
	fetch_pgo *acc = fetch_pgo_new(NULL);
	fetch_err err;

	assert_non_null(buf);
	assert_int_equal(pprof_decode(buf, n, 0, &p, &err), 0);
	free(buf);
	assert_non_null(acc);
	assert_int_equal(fetch_pgo_add(acc, p, &err), 0);
	pprof_free(p);
	return acc;
}

/* The edges of t, through its canonical encoding, as a -pgo build reads it. */
static fetch_pgo_edges *edges(const fetch_pgo *t)
{
	unsigned char *out = NULL;
	size_t len = 0;
	pprof_profile *p = NULL;
	fetch_pgo_edges *e = NULL;
	fetch_err err;

	assert_int_equal(fetch_pgo_encode(t, 0, 0, &out, &len, &err), 0);
	assert_int_equal(pprof_decode(out, len, 0, &p, &err), 0);
	assert_int_equal(fetch_pgo_edges_build(p, &e, &err), 0);
	pprof_free(p);
	free(out);
	return e;
}

static int64_t weight(const fetch_pgo_edges *e, const char *caller, const char *callee)
{
	int64_t w = 0;

	for (size_t i = 0; i < e->nedges; i++) {
		if (strcmp(e->funcs[e->edges[i].caller].name, caller) == 0 &&
		    strcmp(e->funcs[e->edges[i].callee].name, callee) == 0)
			w += e->edges[i].weight;
	}
	return w;
}

static int has_name(const fetch_pgo *t, const char *name)
{
	for (size_t i = 0; i < t->nfunctions; i++) {
		if (strcmp(t->strings[t->functions[i].name], name) == 0)
			return 1;
	}
	return 0;
}

static void test_rename(void **state)
{
	fetch_pgo *in = reduced(DATA "edges/basic.pprof"), *out = NULL;
	const fetch_pgo_rename ren[] = {{"lib.Sum", "lib.Total"}, {"main.gone", "main.x"}};
	fetch_pgo_rules rules = {ren, 2, NULL, 0};
	fetch_pgo_edges *before, *after;
	size_t changed = 0;
	fetch_err err;

	(void)state;
	assert_int_equal(fetch_pgo_rewrite(in, &rules, &out, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_true(has_name(in, "lib.Sum"));
	assert_false(has_name(out, "lib.Sum"));
	assert_true(has_name(out, "lib.Total"));
	before = edges(in);
	after = edges(out);
	assert_int_equal(after->total, before->total);
	assert_int_equal(weight(after, "main.work", "lib.Total"),
	                 weight(before, "main.work", "lib.Sum"));
	assert_int_equal(weight(after, "lib.Total", "lib.add"),
	                 weight(before, "lib.Sum", "lib.add"));
	assert_int_equal(weight(after, "main.work", "lib.Sum"), 0);
	assert_int_equal(fetch_pgo_total(out), fetch_pgo_total(in));
	fetch_pgo_edges_free(before);
	fetch_pgo_edges_free(after);
	fetch_pgo_free(out);
	fetch_pgo_free(in);
}

/* Renaming onto a name the profile has: the edges, keyed by name, join;
 * the functions stay apart, as their start lines differ (the compiler's
 * graph keys nodes by start line too). */
static void test_rename_onto_existing(void **state)
{
	fetch_pgo *in = reduced(DATA "edges/basic.pprof"), *out = NULL;
	const fetch_pgo_rename ren[] = {{"lib.add", "lib.Sum"}};
	fetch_pgo_rules rules = {ren, 1, NULL, 0};
	fetch_pgo_edges *before, *after;
	fetch_err err;

	(void)state;
	assert_int_equal(fetch_pgo_rewrite(in, &rules, &out, NULL, &err), 0);
	assert_int_equal(out->nfunctions, in->nfunctions);
	assert_int_equal(fetch_pgo_total(out), fetch_pgo_total(in));
	before = edges(in);
	after = edges(out);
	assert_true(weight(before, "lib.Sum", "lib.add") > 0);
	assert_int_equal(weight(after, "lib.Sum", "lib.Sum"), weight(before, "lib.Sum", "lib.add"));
	assert_int_equal(after->total, before->total);
	fetch_pgo_edges_free(before);
	fetch_pgo_edges_free(after);
	fetch_pgo_free(out);
	fetch_pgo_free(in);
}

/* A noinline function is renamed, after the renames, so that no edge of
 * the compiler's matches it. */
static void test_noinline(void **state)
{
	fetch_pgo *in = reduced(DATA "edges/basic.pprof"), *out = NULL;
	const fetch_pgo_rename ren[] = {{"lib.add", "lib.plus"}};
	const char *const noin[] = {"lib.plus", "main.absent"};
	fetch_pgo_rules rules = {ren, 1, noin, 2};
	fetch_pgo_edges *after;
	size_t changed = 0;
	fetch_err err;

	(void)state;
	assert_int_equal(fetch_pgo_rewrite(in, &rules, &out, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_true(has_name(out, FETCH_PGO_NOINLINE_PREFIX "lib.plus"));
	assert_false(has_name(out, "lib.plus"));
	after = edges(out);
	assert_int_equal(weight(after, "lib.Sum", "lib.plus"), 0);
	assert_true(weight(after, "lib.Sum", FETCH_PGO_NOINLINE_PREFIX "lib.plus") > 0);
	fetch_pgo_edges_free(after);
	fetch_pgo_free(out);
	fetch_pgo_free(in);
}

/* No rules: the same profile, byte for byte. */
static void test_identity(void **state)
{
	fetch_pgo *in = reduced(DATA "pprof/go-cpu.pprof"), *out = NULL;
	fetch_pgo_rules rules = {NULL, 0, NULL, 0};
	unsigned char *a, *b;
	size_t na, nb;
	fetch_err err;

	(void)state;
	assert_int_equal(fetch_pgo_rewrite(in, &rules, &out, NULL, &err), 0);
	assert_int_equal(fetch_pgo_encode(in, 1, 2, &a, &na, &err), 0);
	assert_int_equal(fetch_pgo_encode(out, 1, 2, &b, &nb, &err), 0);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
	fetch_pgo_free(out);
	fetch_pgo_free(in);
}

static void test_rules_check(void **state)
{
	const fetch_pgo_rename self[] = {{"a.F", "a.F"}},
	                       twice[] = {{"a.F", "a.G"}, {"a.F", "a.H"}}, empty[] = {{"", "a.G"}};
	const char *const blank[] = {""};
	fetch_pgo_rules r;
	fetch_err err;

	(void)state;
	r = (fetch_pgo_rules){self, 1, NULL, 0};
	assert_int_equal(fetch_pgo_rules_check(&r, &err), -1);
	assert_int_equal(err.code, FETCH_E_ARG);
	assert_non_null(strstr(err.msg, "a.F to itself"));
	r = (fetch_pgo_rules){twice, 2, NULL, 0};
	assert_int_equal(fetch_pgo_rules_check(&r, &err), -1);
	assert_non_null(strstr(err.msg, "renamed twice"));
	r = (fetch_pgo_rules){empty, 1, NULL, 0};
	assert_int_equal(fetch_pgo_rules_check(&r, &err), -1);
	r = (fetch_pgo_rules){NULL, 0, blank, 1};
	assert_int_equal(fetch_pgo_rules_check(&r, &err), -1);
	r = (fetch_pgo_rules){twice, 1, NULL, 0};
	assert_int_equal(fetch_pgo_rules_check(&r, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rename),      cmocka_unit_test(test_rename_onto_existing),
	    cmocka_unit_test(test_noinline),    cmocka_unit_test(test_identity),
	    cmocka_unit_test(test_rules_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
