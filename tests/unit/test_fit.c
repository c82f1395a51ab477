/* test_fit.c — wrapper/verify/fit.h: how much of a profile a binary can use.
 *
 * The binary is written in memory (pcln_emit.h) with a known set of
 * functions, lines and inlined calls; the profiles are call edges given
 * directly, one set per verdict: all fits, a call site moved, a function
 * renamed, a `go test` profile of the main package, another service's
 * profile. What fits and why is worked out by hand from those two lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fit.h"
#include "pcln_emit.h"

static const char *const files[] = {"/src/app/main.go", "/src/app/db/db.go",
                                    "/usr/lib/go/src/runtime/malloc.go", NULL};

/* db.hash exists only inlined into db.Query, at line 6 (Query's offset 1). */
static const fn binary[] = {
    {"main.handle", 20, RUNS({4, 20, 0, -1}, {8, 22, 0, -1}, {12, 24, 0, -1}), NULL, 0},
    {"main.render", 30, RUNS({4, 30, 0, -1}, {8, 31, 0, -1}), NULL, 0},
    {"main.renamedNew", 40, RUNS({4, 40, 0, -1}, {8, 41, 0, -1}), NULL, 0},
    {"main.work", 60, RUNS({4, 60, 0, -1}, {8, 61, 0, -1}), NULL, 0},
    {"example.com/app/db.Query", 5, RUNS({4, 5, 1, -1}, {8, 6, 1, -1}, {12, 50, 1, 0}),
     TREE({"example.com/app/db.hash", 50, 4})},
    {"runtime.mallocgc", 100, RUNS({4, 100, 2, -1}, {8, 101, 2, -1}), NULL, 0},
    /* main.helper is only inlined, into main.serve. */
    {"main.serve", 80, RUNS({4, 80, 0, -1}, {8, 90, 0, 0}, {12, 81, 0, -1}),
     TREE({"main.helper", 89, 4})},
};

/* The profile's functions, by index. */
enum { HANDLE, QUERY, RENDER, MALLOC, OLDNAME, OTHER, APPWORK, HASH, OTHERDO, APPHELPER, NPROF };

static const fetch_pgo_efunc prof[NPROF] = {
    [HANDLE] = {"main.handle", 11, "/home/u/app/main.go", 20, 0},
    [QUERY] = {"example.com/app/db.Query", 24, "/home/u/app/db/db.go", 5, 0},
    [RENDER] = {"main.render", 11, "/home/u/app/main.go", 30, 0},
    [MALLOC] = {"runtime.mallocgc", 16, "malloc.go", 100, 0},
    [OLDNAME] = {"main.oldName", 12, "/home/u/app/main.go", 40, 0},
    [OTHER] = {"example.com/other.Thing", 23, "other.go", 7, 0},
    [APPWORK] = {"example.com/app.work", 20, "/home/u/app/main.go", 60, 0},
    [HASH] = {"example.com/app/db.hash", 23, "/home/u/app/db/db.go", 50, 0},
    [OTHERDO] = {"example.com/other.Do", 20, "other.go", 20, 0},
    [APPHELPER] = {"example.com/app.helper", 22, "/home/u/app/main.go", 89, 0},
};

typedef struct world {
	img file;
	bi_pcln *t;
	bi_pcln_index *ix;
} world;

static int setup(void **state)
{
	opts o = {0, 8, 120, 1, 0, 1};
	world *w = calloc(1, sizeof(*w));
	bi_pcln_err err;
	bi_src src;

	assert_non_null(w);
	w->file = build_of(binary, sizeof(binary) / sizeof(binary[0]), files, &o);
	bi_src_init_mem(&src, w->file.p, w->file.n);
	assert_int_equal(bi_pcln_open(&src, &w->t, &err), BI_PCLN_OK);
	assert_int_equal(bi_pcln_index_build(w->t, NULL, NULL, &w->ix, &err), BI_PCLN_OK);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world *w = *state;

	bi_pcln_index_free(w->ix);
	bi_pcln_free(w->t);
	free(w->file.p);
	free(w);
	return 0;
}

/* The edges as fetch_pgo_edges_build would give them (weights need not be
 * sorted for the fit). */
static fetch_pgo_edges edges_of(fetch_pgo_edge *e, size_t n)
{
	fetch_pgo_edges x = {(fetch_pgo_efunc *)prof, NPROF, e, n, 0, 0, NULL};

	for (size_t i = 0; i < n; i++)
		x.total += e[i].weight;
	return x;
}

static const char *const app_modules[] = {"example.com/app"};
static const fit_opts app = {app_modules, 1};

static void test_all_fits(void **state)
{
	world *w = *state;
	fetch_pgo_edge e[] = {
	    {HANDLE, QUERY, 2, 50},  /* line 22 */
	    {HANDLE, RENDER, 4, 30}, /* line 24 */
	    {QUERY, HASH, 1, 10},    /* hash only inlined, still there */
	    {QUERY, MALLOC, 0, 5},   {MALLOC, MALLOC, 1, 20},
	};
	fetch_pgo_edges x = edges_of(e, 5);
	fit_result r;
	char line[128];

	fit_compute(w->ix, &x, &app, &r);
	assert_true(r.known);
	assert_int_equal(r.weight, 115);
	assert_int_equal(r.fit_weight, 115);
	assert_int_equal(r.own_weight, 95);
	assert_true(r.total == 1.0 && r.own == 1.0);
	assert_true(r.own_share > 0.826 && r.own_share < 0.827);
	assert_int_equal(r.cause, FIT_CAUSE_NONE);
	assert_int_equal(r.nmissing, 0);
	fit_summary(&r, line, sizeof(line));
	assert_string_equal(line, "fit 100%, own code 100%");
}

/* The filtered index (lines only of the profile's callers) gives the same. */
static void test_filtered_index(void **state)
{
	world *w = *state;
	fetch_pgo_edge e[] = {{HANDLE, QUERY, 2, 50}, {QUERY, HASH, 1, 10}, {HANDLE, QUERY, 3, 7}};
	fetch_pgo_edges x = edges_of(e, 3);
	bi_pcln_index *ix;
	bi_pcln_err err;
	fit_result full, part;

	assert_int_equal(fit_index(w->t, &x, &ix, &err), BI_PCLN_OK);
	fit_compute(w->ix, &x, &app, &full);
	fit_compute(ix, &x, &app, &part);
	assert_int_equal(part.fit_weight, full.fit_weight);
	assert_int_equal(part.fit_weight, 60);
	assert_int_equal(part.lost_line, 7);
	bi_pcln_index_free(ix);
}

/* The caller has code at the line, but its call of the callee is inlined
 * at another: the call moved. */
static void test_moved_inlined_call(void **state)
{
	world *w = *state;
	fetch_pgo_edge e[] = {{QUERY, HASH, 0, 10}, {QUERY, HASH, 1, 30}};
	fetch_pgo_edges x = edges_of(e, 2);
	fit_result r;

	fit_compute(w->ix, &x, &app, &r);
	assert_int_equal(r.own_fit_weight, 30);
	assert_int_equal(r.lost_line, 10);
}

/* A call site that moved: caller and callee there, no code at the line. */
static void test_changed(void **state)
{
	world *w = *state;
	fetch_pgo_edge e[] = {{HANDLE, QUERY, 3, 50}, {HANDLE, RENDER, 4, 30}};
	fetch_pgo_edges x = edges_of(e, 2);
	fit_result r;

	fit_compute(w->ix, &x, &app, &r);
	assert_int_equal(r.own_fit_weight, 30);
	assert_int_equal(r.lost_line, 50);
	assert_int_equal(r.cause, FIT_CAUSE_CHANGED);
	assert_true(r.own > 0.37 && r.own < 0.38);
	/* Nothing is missing: both functions are there. */
	assert_int_equal(r.nmissing, 0);
	assert_non_null(strstr(r.cause_text, "changed"));
}

static void test_renamed(void **state)
{
	world *w = *state;
	fetch_pgo_edge e[] = {{OLDNAME, QUERY, 1, 60}, {HANDLE, QUERY, 2, 10}};
	fetch_pgo_edges x = edges_of(e, 2);
	fit_result r;

	fit_compute(w->ix, &x, &app, &r);
	assert_int_equal(r.lost_renamed, 60);
	assert_int_equal(r.cause, FIT_CAUSE_RENAMED);
	assert_int_equal(r.nmissing, 1);
	assert_string_equal(r.missing[0].name, "main.oldName");
	assert_string_equal(r.missing[0].renamed_to, "main.renamedNew");
	assert_int_equal(r.missing[0].weight, 60);
}

/* `go test -cpuprofile` of the main package names it by import path. */
static void test_test_profile(void **state)
{
	world *w = *state;
	fetch_pgo_edge e[] = {{APPWORK, QUERY, 1, 60}, {HANDLE, QUERY, 2, 10}};
	fetch_pgo_edges x = edges_of(e, 2);
	fit_result r;

	fit_compute(w->ix, &x, &app, &r);
	assert_int_equal(r.lost_test, 60);
	assert_int_equal(r.cause, FIT_CAUSE_TEST_PROFILE);
	assert_string_equal(r.missing[0].name, "example.com/app.work");
}

/* The same when the main function is only inlined in the binary, and the
 * index is the one fit_index builds (which lists main's functions): a
 * profile whose main-package function is only main.helper. */
static void test_test_profile_inlined(void **state)
{
	world *w = *state;
	fetch_pgo_efunc fs[] = {prof[APPHELPER], prof[QUERY], prof[HANDLE]};
	fetch_pgo_edge e[] = {{0, 1, 1, 60}, {2, 1, 2, 10}};
	fetch_pgo_edges x = {fs, 3, e, 2, 70, 0, NULL};
	bi_pcln_index *ix;
	bi_pcln_err err;
	fit_result r;

	assert_int_equal(fit_index(w->t, &x, &ix, &err), BI_PCLN_OK);
	fit_compute(ix, &x, &app, &r);
	assert_int_equal(r.lost_test, 60);
	assert_int_equal(r.cause, FIT_CAUSE_TEST_PROFILE);
	bi_pcln_index_free(ix);
}

/* Another service's profile: its own code is in no module of this binary
 * (own share 0); by Go's std rule alone it is own code the binary lacks. */
static void test_wrong_service(void **state)
{
	world *w = *state;
	fetch_pgo_edge e[] = {{OTHER, OTHERDO, 3, 80}, {MALLOC, MALLOC, 1, 20}};
	fetch_pgo_edges x = edges_of(e, 2);
	fit_result r;
	char line[128];

	fit_compute(w->ix, &x, &app, &r);
	assert_true(r.known);
	assert_int_equal(r.own_weight, 0);
	assert_true(r.own_share == 0.0);
	assert_true(r.total == 0.2);
	assert_int_equal(r.cause, FIT_CAUSE_WRONG_SERVICE);
	fit_summary(&r, line, sizeof(line));
	assert_string_equal(line, "fit 20%, no own code in the profile");

	fit_compute(w->ix, &x, NULL, &r);
	assert_int_equal(r.own_weight, 80);
	assert_int_equal(r.lost_foreign, 80);
	assert_true(r.own == 0.0);
	assert_int_equal(r.cause, FIT_CAUSE_WRONG_SERVICE);
	assert_string_equal(r.missing[0].name, "example.com/other.Thing");
}

static void test_unknown(void **state)
{
	world *w = *state;
	fetch_pgo_edges x = edges_of(NULL, 0);
	fit_result r;
	char line[256];
	json_t *j;

	fit_compute(w->ix, &x, &app, &r);
	assert_false(r.known);
	fit_summary(&r, line, sizeof(line));
	assert_string_equal(line,
	                    "fit unknown: the profile has no call edges (nothing for -pgo to use)");
	j = fit_json(&r);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "total")));
	assert_true(json_is_null(json_object_get(j, "missing")));
	assert_string_equal(json_string_value(json_object_get(j, "reason")), r.reason);
	json_decref(j);
}

static void test_json(void **state)
{
	world *w = *state;
	fetch_pgo_edge e[] = {{OLDNAME, QUERY, 1, 60}, {HANDLE, QUERY, 2, 40}};
	fetch_pgo_edges x = edges_of(e, 2);
	fit_result r;
	json_t *j;

	fit_compute(w->ix, &x, &app, &r);
	j = fit_json(&r);
	assert_non_null(j);
	assert_true(json_real_value(json_object_get(j, "total")) == 0.4);
	assert_true(json_real_value(json_object_get(j, "own")) == 0.4);
	assert_true(json_real_value(json_object_get(j, "own_share")) == 1.0);
	assert_int_equal(json_array_size(json_object_get(j, "missing")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "missing"), 0)),
	                    "main.oldName");
	assert_string_equal(json_string_value(json_object_get(j, "cause")), "renamed");
	json_decref(j);
}

/* At most five missing functions, heaviest first. */
static void test_missing_order(void **state)
{
	world *w = *state;
	static const char *const names[] = {"main.a", "main.b", "main.c", "main.d",
	                                    "main.e", "main.f", "main.g"};
	fetch_pgo_efunc fs[8];
	fetch_pgo_edge e[7];
	fetch_pgo_edges x = {fs, 8, e, 7, 0, 0, NULL};
	fit_result r;

	fs[7] = prof[QUERY];
	for (int i = 0; i < 7; i++) {
		fs[i] = (fetch_pgo_efunc){names[i], 6, "x.go", 900 + i, 0};
		/* b and d weigh the same: name order. */
		e[i] = (fetch_pgo_edge){(uint32_t)i, 7, 1, i == 3 ? 10 : 10 + 10 * (i % 3)};
		x.total += e[i].weight;
	}
	fit_compute(w->ix, &x, &app, &r);
	assert_int_equal(r.nmissing, FIT_MISSING_MAX);
	assert_string_equal(r.missing[0].name, "main.c");
	assert_string_equal(r.missing[1].name, "main.f");
	assert_string_equal(r.missing[2].name, "main.b");
	assert_string_equal(r.missing[3].name, "main.e");
	assert_string_equal(r.missing[4].name, "main.a");
	assert_int_equal(r.cause, FIT_CAUSE_MISSING);
}

static void test_packages(void **state)
{
	size_t n = 0;

	(void)state;
	assert_true(fit_package("github.com/a/b.(*T).M", 21, &n));
	assert_int_equal(n, 14);
	assert_true(fit_package("main.main.func1", 15, &n));
	assert_int_equal(n, 4);
	assert_true(fit_package("a/b.F[go.shape.struct { x/y.T }]", 32, &n));
	assert_int_equal(n, 3);
	assert_false(fit_package("nodot", 5, &n));
	assert_false(fit_package(".odd", 4, &n));

	assert_true(fit_is_own("main", 4, NULL));
	assert_true(fit_is_own("command-line-arguments", 22, NULL));
	assert_true(fit_is_own("github.com/x/y", 14, NULL));
	assert_false(fit_is_own("net/http", 8, NULL));
	assert_false(fit_is_own("cmd/compile/internal/ssa", 24, NULL));
	assert_false(fit_is_own("vendor/golang.org/x/net/http2", 29, NULL));
	/* With the binary's modules, a module path without a dot counts, and
	 * another module does not. */
	{
		static const char *const mods[] = {"rideshare", "golang.org/x/sys"};
		fit_opts o = {mods, 2};

		assert_true(fit_is_own("rideshare/internal/geo", 22, &o));
		assert_false(fit_is_own("rideshareX", 10, &o));
		assert_true(fit_is_own("golang.org/x/sys/unix", 21, &o));
		assert_false(fit_is_own("example.com/other", 17, &o));
		assert_true(fit_is_own("main", 4, &o));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_fits),
	    cmocka_unit_test(test_filtered_index),
	    cmocka_unit_test(test_changed),
	    cmocka_unit_test(test_moved_inlined_call),
	    cmocka_unit_test(test_renamed),
	    cmocka_unit_test(test_test_profile),
	    cmocka_unit_test(test_test_profile_inlined),
	    cmocka_unit_test(test_wrong_service),
	    cmocka_unit_test(test_unknown),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_missing_order),
	};
	const struct CMUnitTest plain[] = {cmocka_unit_test(test_packages)};

	return cmocka_run_group_tests(tests, setup, teardown) |
	       cmocka_run_group_tests(plain, NULL, NULL);
}
