/* test_decide.c — fetch/profile/pgo_decide.h: what keeping one profile's
 * compiler decisions costs under a newer one's weights.
 *
 * The profiles are call edges given directly, heaviest first as
 * fetch_pgo_edges_build gives them; which edges are hot (the 99% cut) and
 * which callee is a site's hottest is worked out by hand in each test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pgo_decide.h"

#define F(s)                                                                                       \
	{                                                                                          \
		s, sizeof(s) - 1, NULL, 0, 0                                                       \
	}

/* The functions, by index: both profiles name them the same way here,
 * though the comparison goes by name, not index. */
enum { HANDLE, PARSE, RENDER, SHAPE_A, SHAPE_B, LOG, TAIL1, TAIL2, NFUNC };
static fetch_pgo_efunc funcs[NFUNC] = {
    F("main.handle"),         F("main.parse"), F("main.render"), F("main.(*square).Area"),
    F("main.(*circle).Area"), F("log.Printf"), F("main.tail1"),  F("main.tail2"),
};

static fetch_pgo_edges edges_of(fetch_pgo_edge *e, size_t n)
{
	fetch_pgo_edges x = {funcs, NFUNC, e, n, 0, 0, NULL};

	for (size_t i = 0; i < n; i++)
		x.total += e[i].weight;
	return x;
}

static fetch_pgo_change diff(fetch_pgo_edge *a, size_t na, fetch_pgo_edge *b, size_t nb)
{
	fetch_pgo_edges ea = edges_of(a, na), eb = edges_of(b, nb);
	fetch_pgo_change c;
	fetch_err err = {0};

	assert_int_equal(fetch_pgo_decisions_diff(&ea, &eb, &c, &err), 0);
	return c;
}

/* The same edges with other weights, the same ones hot (log.Printf, 0.5%,
 * past the 99% cut in both): nothing changes. */
static void test_weights_only(void **state)
{
	fetch_pgo_edge a[] = {
	    {HANDLE, PARSE, 2, 600}, {HANDLE, RENDER, 5, 395}, {HANDLE, LOG, 9, 5}};
	fetch_pgo_edge b[] = {
	    {HANDLE, RENDER, 5, 700}, {HANDLE, PARSE, 2, 295}, {HANDLE, LOG, 9, 5}};
	fetch_pgo_change c;

	(void)state;
	c = diff(a, 3, b, 3);
	assert_true(c.share == 0);
	assert_int_equal(c.sites, 0);
	assert_string_equal(c.example, "");
}

/* Past the 99% cut: log.Printf (0.5% of a) is cold in a; in b it weighs 20%
 * and is hot: keeping a costs its 20% of b. The other way round costs
 * nothing (a hot budget spent on a cold call is only code size). */
static void test_edge_turns_hot(void **state)
{
	/* Heaviest first, as Go sorts them. */
	fetch_pgo_edge a[] = {{HANDLE, PARSE, 2, 600},
	                      {HANDLE, RENDER, 5, 394},
	                      {HANDLE, LOG, 9, 5},
	                      {HANDLE, TAIL1, 7, 1}};
	fetch_pgo_edge b[] = {{HANDLE, PARSE, 2, 500},
	                      {HANDLE, RENDER, 5, 300},
	                      {HANDLE, LOG, 9, 200},
	                      {HANDLE, TAIL1, 7, 1}};
	fetch_pgo_change c;

	(void)state;
	c = diff(a, 4, b, 4);
	assert_int_equal(c.sites, 1);
	assert_true(c.share > 0.1997 && c.share < 0.1999); /* 200 / 1001 */
	assert_string_equal(c.example, "main.handle:+9 (log.Printf now hot)");
	c = diff(b, 4, a, 4);
	assert_int_equal(c.sites, 0);
	assert_true(c.share == 0);
}

/* An interface call at main.render:+3 whose hottest concrete callee
 * changes: devirtualisation would pick another method. Keeping a's choice
 * costs the difference between the two callees' weights in b: 30% - 20%.
 * Both callees stay hot, so inlining costs nothing. */
static void test_hottest_callee(void **state)
{
	fetch_pgo_edge a[] = {
	    {HANDLE, RENDER, 5, 501}, {RENDER, SHAPE_A, 3, 300}, {RENDER, SHAPE_B, 3, 200}};
	fetch_pgo_edge b[] = {
	    {HANDLE, RENDER, 5, 501}, {RENDER, SHAPE_B, 3, 300}, {RENDER, SHAPE_A, 3, 200}};
	fetch_pgo_change c;

	(void)state;
	c = diff(a, 3, b, 3);
	assert_int_equal(c.sites, 1);
	assert_true(c.share > 0.0998 && c.share < 0.1000); /* 100 / 1001 */
	assert_string_equal(c.example,
	                    "main.render:+3 (main.(*circle).Area now the hottest callee)");
	/* A tie goes to the name that sorts first, in both: no change. */
	fetch_pgo_edge t1[] = {
	    {HANDLE, RENDER, 5, 501}, {RENDER, SHAPE_A, 3, 250}, {RENDER, SHAPE_B, 3, 250}};
	fetch_pgo_edge t2[] = {
	    {HANDLE, RENDER, 5, 501}, {RENDER, SHAPE_B, 3, 250}, {RENDER, SHAPE_A, 3, 250}};
	c = diff(t1, 3, t2, 3);
	assert_int_equal(c.sites, 0);
	/* A new hottest callee a never saw: its calls lose the hot budget
	 * (40%) and the devirtualisation (40% - 10%): the larger counts. */
	fetch_pgo_edge n1[] = {{HANDLE, RENDER, 5, 501}, {RENDER, SHAPE_A, 3, 500}};
	fetch_pgo_edge n2[] = {
	    {HANDLE, RENDER, 5, 501}, {RENDER, SHAPE_B, 3, 400}, {RENDER, SHAPE_A, 3, 100}};
	c = diff(n1, 2, n2, 3);
	assert_true(c.share > 0.3995 && c.share < 0.3997); /* 400 / 1001 */
	assert_int_equal(c.sites, 1);
}

/* Cold sites that only one profile has are the noise of the tail: not
 * counted. A hot one is. */
static void test_one_sided_sites(void **state)
{
	fetch_pgo_edge a[] = {{HANDLE, PARSE, 2, 9951}, {PARSE, TAIL1, 4, 49}};
	fetch_pgo_edge b[] = {{HANDLE, PARSE, 2, 9951}, {PARSE, TAIL2, 6, 49}};
	fetch_pgo_edge h[] = {{HANDLE, PARSE, 2, 7001}, {PARSE, TAIL2, 6, 2999}};
	fetch_pgo_change c;

	(void)state;
	c = diff(a, 2, b, 2);
	assert_int_equal(c.sites, 0);
	assert_true(c.share == 0);
	c = diff(a, 2, h, 2);
	assert_int_equal(c.sites, 1);
	assert_true(c.share > 0.2998 && c.share < 0.3000); /* 2999 / 10000 */
	assert_string_equal(c.example, "main.parse:+6 (main.tail2 now hot)");
}

/* Weights are counted in samples (the greatest common divisor of the
 * weights is one sample). An edge that crosses the 99% cut at the same rate
 * (main.tail1: 5 of 1000 samples, then 9 of 1000, 1.1 standard deviations)
 * is sampling noise, not a change; the same edge at 90 of 1000 is one. */
static void test_noise(void **state)
{
	fetch_pgo_edge a[] = {{HANDLE, PARSE, 2, 600},
	                      {HANDLE, RENDER, 5, 385},
	                      {HANDLE, LOG, 9, 10},
	                      {HANDLE, TAIL1, 7, 5}};
	fetch_pgo_edge b[] = {{HANDLE, PARSE, 2, 600},
	                      {HANDLE, RENDER, 5, 384},
	                      {HANDLE, TAIL1, 7, 9},
	                      {HANDLE, LOG, 9, 7}};
	fetch_pgo_edge big[] = {{HANDLE, PARSE, 2, 600},
	                        {HANDLE, RENDER, 5, 303},
	                        {HANDLE, TAIL1, 7, 90},
	                        {HANDLE, LOG, 9, 7}};
	fetch_pgo_change c;

	(void)state;
	c = diff(a, 4, b, 4);
	assert_int_equal(c.sites, 0);
	assert_true(c.share == 0);
	c = diff(a, 4, big, 4);
	assert_int_equal(c.sites, 1);
	assert_true(c.share > 0.0899 && c.share < 0.0901);
	assert_string_equal(c.example, "main.handle:+7 (main.tail1 now hot)");
	/* The same counts in CPU time (10 ms a sample): the same answers. */
	for (size_t i = 0; i < 4; i++) {
		a[i].weight *= 10000000;
		b[i].weight *= 10000000;
	}
	c = diff(a, 4, b, 4);
	assert_int_equal(c.sites, 0);
}

/* Empty profiles: two are the same, one against edges differs wholly. */
static void test_empty(void **state)
{
	fetch_pgo_edge a[] = {{HANDLE, PARSE, 2, 10}};
	fetch_pgo_change c;

	(void)state;
	c = diff(a, 0, a, 0);
	assert_true(c.share == 0);
	c = diff(a, 0, a, 1);
	assert_true(c.share == 1);
	c = diff(a, 1, a, 0);
	assert_true(c.share == 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weights_only),   cmocka_unit_test(test_edge_turns_hot),
	    cmocka_unit_test(test_hottest_callee), cmocka_unit_test(test_one_sided_sites),
	    cmocka_unit_test(test_noise),          cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
