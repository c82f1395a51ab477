/* test_edges.c — fetch/profile/pgo_edges.h: the call edges Go's compiler makes of
 * a profile.
 *
 * tests/unit/data/edges holds small profiles crafted by tests/unit/gen
 * (edges.go), each hitting one rule of cmd/internal/pgo and
 * internal/profile.NewGraph, with what `go tool preprofile` (the compiler's
 * own reader) wrote for them, or the error it gave; and the same for a real
 * `go test -cpuprofile` profile. The C edges must serialize to exactly
 * those bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pgo_edges.h"
#include "pprof.h"
#include "testdata.h"

#define DATA TESTS_SOURCE_DIR "/unit/data/"

static int edges_of(const char *pprof_path, fetch_pgo_edges **e, fetch_err *err)
{
	size_t len = 0;
	char *data = td_slurp(pprof_path, &len);
	pprof_profile *p = NULL;
	int rc;

	if (data == NULL)
		fail_msg("%s: missing", pprof_path);
	if (pprof_decode(data, len, 0, &p, err) != 0)
		fail_msg("%s: %s", pprof_path, err->msg);
	rc = fetch_pgo_edges_build(p, e, err);
	pprof_free(p);
	free(data);
	return rc;
}

/* One case: the serialized edges equal Go's, or both refuse the profile. */
static void check_case(const char *profile, const char *name)
{
	char path[512], want_path[512];
	fetch_pgo_edges *e = NULL;
	fetch_err err = {0};
	size_t len = 0, want_len = 0;
	char *got, *want, *why;
	int rc;

	snprintf(path, sizeof(path), "%s", profile);
	rc = edges_of(path, &e, &err);
	snprintf(want_path, sizeof(want_path), DATA "edges/%s.error", name);
	why = td_slurp(want_path, &want_len);
	if (why != NULL) {
		if (rc == 0)
			fail_msg("%s: Go refuses it (%s), C does not", name, why);
		if (strstr(why, err.msg) == NULL)
			fail_msg("%s: C says \"%s\", Go \"%s\"", name, err.msg, why);
		assert_int_equal(err.code, FETCH_E_INVALID);
		free(why);
		return;
	}
	if (rc != 0)
		fail_msg("%s: %s", name, err.msg);
	snprintf(want_path, sizeof(want_path), DATA "edges/%s.preprofile", name);
	want = td_slurp(want_path, &want_len);
	assert_non_null(want);
	got = fetch_pgo_edges_serialize(e, &len);
	assert_non_null(got);
	if (len != want_len || memcmp(got, want, len) != 0)
		fail_msg("%s: C wrote\n%.*s\nGo wrote\n%s", name, (int)len, got, want);
	free(got);
	free(want);
	fetch_pgo_edges_free(e);
}

static void test_crafted(void **state)
{
	static const char *const cases[] = {
	    "basic",     "recursion", "second_type", "addresses",     "no_function",
	    "dup_names", "ties",      "leaves_only", "no_start_line", "no_cpu_type",
	};
	char path[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), DATA "edges/%s.pprof", cases[i]);
		check_case(path, cases[i]);
	}
}

static void test_real_profile(void **state)
{
	(void)state;
	check_case(DATA "pprof/go-cpu.pprof", "go-cpu");
}

static const fetch_pgo_efunc *func_named(const fetch_pgo_edges *e, const char *name)
{
	for (size_t i = 0; i < e->nfuncs; i++) {
		if (strcmp(e->funcs[i].name, name) == 0)
			return &e->funcs[i];
	}
	fail_msg("%s not among the profile's functions", name);
	return NULL;
}

/* What serialization does not show: the total, the value used, the flat
 * weights and each name's file and start line. */
static void test_totals(void **state)
{
	fetch_pgo_edges *e;
	fetch_err err;
	int64_t sum = 0;

	(void)state;
	assert_int_equal(edges_of(DATA "edges/basic.pprof", &e, &err), 0);
	for (size_t i = 0; i < e->nedges; i++)
		sum += e->edges[i].weight;
	assert_int_equal(e->total, sum);
	assert_int_equal(e->total, 12);
	assert_int_equal(e->value_index, 0);
	/* Leaf frames: lib.Sum twice (3 + 4), lib.add inlined (2), main.work (1). */
	assert_int_equal(func_named(e, "lib.Sum")->flat, 7);
	assert_int_equal(func_named(e, "lib.add")->flat, 2);
	assert_int_equal(func_named(e, "main.work")->flat, 1);
	assert_int_equal(func_named(e, "main.work")->start_line, 20);
	assert_string_equal(func_named(e, "main.work")->file, "f.go");
	fetch_pgo_edges_free(e);

	assert_int_equal(edges_of(DATA "edges/second_type.pprof", &e, &err), 0);
	assert_int_equal(e->value_index, 1);
	fetch_pgo_edges_free(e);

	assert_int_equal(edges_of(DATA "edges/leaves_only.pprof", &e, &err), 0);
	assert_int_equal(e->total, 0);
	assert_int_equal(e->nedges, 0);
	fetch_pgo_edges_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crafted),
	    cmocka_unit_test(test_real_profile),
	    cmocka_unit_test(test_totals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
