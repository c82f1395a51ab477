/* Unit tests for reading a go command line the way cmd/go does: the flag
 * table and its arities, GOFLAGS, -C, package arguments; and for the small
 * readers of Go source the shim relies on (package clauses, go.mod module
 * lines, default executable names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gocmd.h"
#include "gomod.h"
#include "mainpkg.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof *(a)) - 1)

static void test_build_flags(void **state)
{
	struct gocmd c;
	char *av[] = {"go",        "build", "-o",      "out",     "-ldflags", "-X a=b",
	              "-trimpath", "-v",    "./cmd/x", "./cmd/y", NULL};
	(void)state;
	assert_int_equal(gocmd_parse(&c, ARGC(av), av, NULL), 0);
	assert_int_equal(c.sub, GOCMD_BUILD);
	assert_string_equal(c.output, "out");
	assert_true(c.trimpath);
	assert_false(c.pgo_set);
	assert_false(c.unknown_flag);
	assert_int_equal(c.first_arg, 8);
	assert_int_equal(c.nargs, 2);
	gocmd_free(&c);
}

static void test_value_forms(void **state)
{
	struct gocmd c;
	char *av[] = {"go", "install", "--tags=a,b", "-pgo", "off", "--", "-notaflag", NULL};
	(void)state;
	gocmd_parse(&c, ARGC(av), av, NULL);
	assert_int_equal(c.sub, GOCMD_INSTALL);
	assert_true(c.pgo_set);
	assert_string_equal(c.pgo, "off");
	assert_int_equal(c.first_arg, 6);
	assert_int_equal(c.nargs, 1);
	gocmd_free(&c);
}

static void test_install_has_no_o(void **state)
{
	struct gocmd c;
	char *av[] = {"go", "install", "-o", "x", ".", NULL};
	(void)state;
	gocmd_parse(&c, ARGC(av), av, NULL);
	assert_true(c.unknown_flag);
	gocmd_free(&c);
}

static void test_unknown_and_help(void **state)
{
	struct gocmd c;
	char *a1[] = {"go", "build", "-frobnicate", ".", NULL};
	char *a2[] = {"go", "build", "-h", NULL};
	char *a3[] = {"go", "build", "-n", ".", NULL};
	char *a4[] = {"go", "vet", "./...", NULL};
	(void)state;
	gocmd_parse(&c, ARGC(a1), a1, NULL);
	assert_true(c.unknown_flag);
	gocmd_free(&c);
	gocmd_parse(&c, ARGC(a2), a2, NULL);
	assert_true(c.help);
	gocmd_free(&c);
	gocmd_parse(&c, ARGC(a3), a3, NULL);
	assert_true(c.dry_run);
	gocmd_free(&c);
	gocmd_parse(&c, ARGC(a4), a4, NULL);
	assert_int_equal(c.sub, GOCMD_OTHER);
	gocmd_free(&c);
}

static void test_chdir(void **state)
{
	struct gocmd c;
	char *a1[] = {"go", "-C", "dir", "build", ".", NULL};
	char *a2[] = {"go", "build", "-C=dir", "-o", "x", NULL};
	char *a3[] = {"go", "build", "-o", "x", "-C", "dir", NULL};
	(void)state;
	gocmd_parse(&c, ARGC(a1), a1, NULL);
	assert_string_equal(c.chdir, "dir");
	assert_int_equal(c.sub_index, 3);
	assert_int_equal(c.first_arg, 4);
	gocmd_free(&c);
	gocmd_parse(&c, ARGC(a2), a2, NULL);
	assert_string_equal(c.chdir, "dir");
	assert_string_equal(c.output, "x");
	gocmd_free(&c);
	/* -C later than first is go's error to report: do not intercept */
	gocmd_parse(&c, ARGC(a3), a3, NULL);
	assert_true(c.unknown_flag);
	gocmd_free(&c);
}

static void test_goflags(void **state)
{
	struct gocmd c;
	char *a1[] = {"go", "build", ".", NULL};
	char *a2[] = {"go", "build", "-pgo=auto", ".", NULL};
	(void)state;
	gocmd_parse(&c, ARGC(a1), a1, "-trimpath '-ldflags=-s -w' --pgo=/p.pgo -mod=mod");
	assert_true(c.trimpath);
	assert_true(c.pgo_set);
	assert_string_equal(c.pgo, "/p.pgo");
	gocmd_free(&c);
	/* the command line wins over GOFLAGS */
	gocmd_parse(&c, ARGC(a2), a2, "-pgo=/p.pgo");
	assert_string_equal(c.pgo, "auto");
	gocmd_free(&c);
	/* quotes count only at the start of a word, as quoted.Split */
	gocmd_parse(&c, ARGC(a1), a1, "-tags='x' '-trimpath");
	assert_non_null(c.error);
	gocmd_free(&c);
}

static void test_split_quoted(void **state)
{
	const char *err;
	char **w = gocmd_split_quoted("  a 'b c'\t\"d 'e'\"  f", &err);
	(void)state;
	assert_non_null(w);
	assert_string_equal(w[0], "a");
	assert_string_equal(w[1], "b c");
	assert_string_equal(w[2], "d 'e'");
	assert_string_equal(w[3], "f");
	assert_null(w[4]);
	gocmd_free_words(w);
}

static void test_package_clause(void **state)
{
	static const char src[] = "\xef\xbb\xbf// Copyright\n/* doc\n * package fake\n */\n"
	                          "//go:build linux\n\npackage   main // trailing\n";
	char *p;
	(void)state;
	p = mainpkg_package_clause(src, sizeof src - 1);
	assert_string_equal(p, "main");
	free(p);
	p = mainpkg_package_clause("packagemain", 11);
	assert_null(p);
	p = mainpkg_package_clause("/* unterminated", 15);
	assert_null(p);
}

static void test_exec_name(void **state)
{
	static const char *const cases[][2] = {
	    {"example.com/app", "app"},
	    {"example.com/cmd/v2", "cmd"},
	    {"example.com/cmd/v1", "v1"},
	    {"example.com/cmd/v0", "v0"},
	    {"v2", "v2"},
	    {"example.com/x/v10", "x"},
	    {"command-line-arguments", "command-line-arguments"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *n = mainpkg_exec_name(cases[i][0]);
		assert_string_equal(n, cases[i][1]);
		free(n);
	}
}

static void test_gomod_module(void **state)
{
	static const char a[] = "// comment\nmodule example.com/app // trailing\n\ngo 1.26\n";
	static const char b[] = "module \"example.com/quoted\"\n";
	static const char c[] = "go 1.26\n";
	char *m;
	(void)state;
	m = gomod_parse_module(a, sizeof a - 1);
	assert_string_equal(m, "example.com/app");
	free(m);
	m = gomod_parse_module(b, sizeof b - 1);
	assert_string_equal(m, "example.com/quoted");
	free(m);
	assert_null(gomod_parse_module(c, sizeof c - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_flags),
	    cmocka_unit_test(test_value_forms),
	    cmocka_unit_test(test_install_has_no_o),
	    cmocka_unit_test(test_unknown_and_help),
	    cmocka_unit_test(test_chdir),
	    cmocka_unit_test(test_goflags),
	    cmocka_unit_test(test_split_quoted),
	    cmocka_unit_test(test_package_clause),
	    cmocka_unit_test(test_exec_name),
	    cmocka_unit_test(test_gomod_module),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
