/* Unit tests for the wrapper's Go-compatibility helpers: flag parsing as
 * Go's flag package, path cleaning as filepath.Clean, and profile matching
 * as `pgo-go verify --profile` judges it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "goerr.h"
#include "goflag.h"
#include "verify.h"

static void test_clean_path(void **state)
{
	static const char *const cases[][2] = {
	    {"a/b", "a/b"},     {"a//b", "a/b"},
	    {"./a", "a"},       {"a/./b", "a/b"},
	    {"a/../b", "b"},    {"../a", "../a"},
	    {"a/..", "."},      {"/..", "/"},
	    {"/a/../..", "/"},  {"a/b/", "a/b"},
	    {".", "."},         {"./", "."},
	    {"../..", "../.."}, {"a/../../b", "../b"},
	    {"//a", "/a"},      {"abc/def/../../..", ".."},
	    {"/", "/"},         {"a/b/../c/./d/", "a/c/d"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s", cases[i][0]);
		assert_string_equal(goerr_clean_path(buf), cases[i][1]);
	}
}

static void test_join(void **state)
{
	char *p;
	(void)state;
	p = goerr_join("./dir/", "x");
	assert_string_equal(p, "dir/x");
	free(p);
	p = goerr_join(".", "x");
	assert_string_equal(p, "x");
	free(p);
	p = goerr_join("/", "x");
	assert_string_equal(p, "/x");
	free(p);
}

static void test_errno_text(void **state)
{
	char buf[128];
	(void)state;
	assert_string_equal(goerr_errno_text(2, buf, sizeof buf), "no such file or directory");
	assert_string_equal(goerr_errno_text(13, buf, sizeof buf), "permission denied");
	assert_string_equal(goerr_errno_text(5, buf, sizeof buf), "input/output error");
}

struct flags {
	int m, v;
	const char *c;
};

static int parse(struct flags *f, int argc, char **argv)
{
	struct goflag_def defs[] = {
	    {"m", GOFLAG_BOOL, &f->m, NULL},
	    {"v", GOFLAG_BOOL, &f->v, NULL},
	    {"C", GOFLAG_STRING, NULL, &f->c},
	    {NULL, 0, NULL, NULL},
	};
	memset(f, 0, sizeof *f);
	return goflag_parse(defs, argc, argv, "", NULL);
}

static void test_flags(void **state)
{
	struct flags f;
	(void)state;
	char *a1[] = {"version", "-m", "--v", "x", "-C", NULL};
	assert_int_equal(parse(&f, 5, a1), 3);
	assert_true(f.m && f.v);
	char *a2[] = {"version", "-m=false", "-C", "dir", "--", "-v", NULL};
	assert_int_equal(parse(&f, 6, a2), 5);
	assert_false(f.m);
	assert_string_equal(f.c, "dir");
	char *a3[] = {"version", "-C=d", "-", NULL};
	assert_int_equal(parse(&f, 3, a3), 2);
	assert_string_equal(f.c, "d");
	char *a4[] = {"version", "-m=maybe", NULL};
	assert_int_equal(parse(&f, 2, a4), GOFLAG_ERROR);
	char *a5[] = {"version", "-x", NULL};
	assert_int_equal(parse(&f, 2, a5), GOFLAG_ERROR);
	char *a6[] = {"version", "---m", NULL};
	assert_int_equal(parse(&f, 2, a6), GOFLAG_ERROR);
	char *a7[] = {"version", "-help", NULL};
	assert_int_equal(parse(&f, 2, a7), GOFLAG_HELP);
	char *a8[] = {"version", "-C", NULL};
	assert_int_equal(parse(&f, 2, a8), GOFLAG_ERROR);
}

static void test_profile_match(void **state)
{
	char dir[] = "/tmp/pgo-go-test-XXXXXX";
	char path[256], cas[256];
	static const char hex[] =
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/default.pgo", dir);
	fclose(fopen(path, "w"));
	snprintf(cas, sizeof cas, "%s/%s.pgo", dir, hex);
	fclose(fopen(cas, "w"));

	assert_true(verify_profile_matches(path, path, 0));
	/* -trimpath records the file name only */
	assert_true(verify_profile_matches("default.pgo", path, 1));
	assert_false(verify_profile_matches("default.pgo", path, 0));
	assert_false(verify_profile_matches("/elsewhere/default.pgo", path, 0));
	assert_false(verify_profile_matches("/x/other.pgo", path, 1));
	/* a content-addressed name identifies the profile wherever it was built */
	char other[300];
	snprintf(other, sizeof other, "/build/cache/profiles/%s.pgo", hex);
	assert_true(verify_profile_matches(other, cas, 0));
	/* Another name for the same file (a link), or the same bytes: the same
	 * profile. Other bytes: not. */
	char link_path[300], copy[300], sha[300];
	FILE *f;
	snprintf(link_path, sizeof link_path, "%s/current.pgo", dir);
	assert_int_equal(symlink(path, link_path), 0);
	assert_true(verify_profile_matches(link_path, path, 0));
	assert_true(verify_profile_matches(path, link_path, 0));
	snprintf(copy, sizeof copy, "%s/copy.pgo", dir);
	assert_non_null(f = fopen(copy, "w"));
	fclose(f);
	assert_true(verify_profile_matches(copy, path, 0));
	assert_non_null(f = fopen(copy, "w"));
	fputs("other bytes", f);
	fclose(f);
	assert_false(verify_profile_matches(copy, path, 0));
	/* A cache name recorded, the same bytes given under any name. */
	snprintf(sha, sizeof sha,
	         "/elsewhere/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.pgo");
	assert_true(verify_profile_matches(sha, path, 0));
	assert_true(verify_profile_matches(sha + 11, path, 1));
	assert_false(verify_profile_matches(sha, copy, 0));
	unlink(copy);
	unlink(link_path);
	unlink(path);
	unlink(cas);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_path),    cmocka_unit_test(test_join),
	    cmocka_unit_test(test_errno_text),    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_profile_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
