/* test_json.c — bi_info_json against Go's json.MarshalIndent(bi, "", "\t"),
 * using the cases in data/json.txt (written by tests/unit/gen): parsed
 * modinfo with and without a Go version, real binaries, every byte in a
 * string, and shapes only a hand-built bi_info has. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bi.h"
#include "testdata.h"

static bi_str str_of(const char *hex)
{
	bi_str s;

	s.p = td_hex(hex, &s.n);
	return s;
}

static void set_module(bi_module *m, char **f)
{
	m->path = str_of(f[1]);
	m->version = str_of(f[2]);
	m->sum = str_of(f[3]);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		abort();
	return p;
}

/* Applies one line of the generator's dump() to bi. */
static void apply_dump_line(bi_info *bi, bi_module **last, char **f)
{
	bi_module *m;

	if (strcmp(f[0], "go") == 0) {
		free(bi->go_version.p);
		bi->go_version = str_of(f[1]);
	} else if (strcmp(f[0], "path") == 0) {
		free(bi->path.p);
		bi->path = str_of(f[1]);
	} else if (strcmp(f[0], "mod") == 0) {
		set_module(&bi->main, f);
		*last = &bi->main;
	} else if (strcmp(f[0], "=>") == 0 || strcmp(f[0], "dep") == 0) {
		m = xrealloc(NULL, sizeof(*m));
		memset(m, 0, sizeof(*m));
		set_module(m, f);
		if (f[0][0] == '=') {
			(*last)->replace = m;
		} else {
			bi->deps = xrealloc(bi->deps, (bi->ndeps + 1) * sizeof(*bi->deps));
			bi->deps[bi->ndeps++] = m;
		}
		*last = m;
	} else if (strcmp(f[0], "build") == 0) {
		bi->settings = xrealloc(bi->settings, (bi->nsettings + 1) * sizeof(*bi->settings));
		bi->settings[bi->nsettings].key = str_of(f[1]);
		bi->settings[bi->nsettings++].value = str_of(f[2]);
	}
}

/* Builds a bi_info by hand, as a caller of the library could, from the
 * generator's dump() text. */
static bi_info *info_from_dump(char *text)
{
	bi_info *bi = xrealloc(NULL, sizeof(*bi));
	bi_module *last = NULL;
	char *save = NULL, *line;

	memset(bi, 0, sizeof(*bi));
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = {"", "-", "-", "-"}, *save2 = NULL;
		int n = 0;
		for (char *t = strtok_r(line, " ", &save2); t != NULL && n < 4;
		     t = strtok_r(NULL, " ", &save2))
			f[n++] = t;
		apply_dump_line(bi, &last, f);
	}
	return bi;
}

static void expect_renders(td_file *td, const bi_info *bi, const char *json_hex,
                           const char *string_hex)
{
	size_t wantn, gotn;
	char *want = td_hex(json_hex, &wantn), *got = bi_info_json(bi, &gotn);

	td_expect(td, "MarshalIndent", got, gotn, want, wantn);
	free(want);
	free(got);
	want = td_hex(string_hex, &wantn);
	got = bi_info_string(bi, &gotn);
	td_expect(td, "String()", got, gotn, want, wantn);
	free(want);
	free(got);
}

/* json NAME GOVERSION MODINFO JSON STRING */
static void check_json(td_file *td)
{
	size_t inn;
	char *in = td_hex(td->field[3], &inn);
	bi_info *bi = NULL;
	bi_error err;

	if (bi_info_parse(in, inn, &bi, &err) != BI_OK) {
		td_fail(td, "parse failed: %s", err.msg);
	} else {
		free(bi->go_version.p);
		bi->go_version = str_of(td->field[2]);
		expect_renders(td, bi, td->field[4], td->field[5]);
	}
	bi_info_free(bi);
	free(in);
}

/* shape NAME DUMP JSON STRING */
static void check_shape(td_file *td)
{
	size_t n;
	char *text = td_hex(td->field[2], &n);
	bi_info *bi = info_from_dump(text);

	expect_renders(td, bi, td->field[3], td->field[4]);
	bi_info_free(bi);
	free(text);
}

static void test_json_cases(void **state)
{
	(void)state;
	td_run_cases("json.txt", "json", 6, 400, check_json);
}

static void test_json_shapes(void **state)
{
	(void)state;
	td_run_cases("json.txt", "shape", 5, 8, check_shape);
}

/* The smallest output, spelled out: Main is always there, and there is no
 * trailing newline (the caller adds it). */
static void test_json_empty(void **state)
{
	bi_info *bi = NULL;
	bi_error err;
	size_t n;
	char *s;

	(void)state;
	assert_int_equal(bi_info_parse("", 0, &bi, &err), BI_OK);
	s = bi_info_json(bi, &n);
	assert_string_equal(s, "{\n\t\"Main\": {}\n}");
	assert_int_equal(n, strlen(s));
	free(s);
	bi_info_free(bi);
}

/* Go encodes a nil *Module in Deps as null; String() skips it (Go would
 * panic there). */
static void test_json_nil_dep(void **state)
{
	bi_module *deps[1] = {NULL};
	bi_info bi = {.go_version = {"", 0},
	              .path = {"", 0},
	              .main = {{"", 0}, {"", 0}, {"", 0}, NULL},
	              .deps = deps,
	              .ndeps = 1};
	size_t n;
	char *s;

	(void)state;
	s = bi_info_json(&bi, &n);
	assert_string_equal(s, "{\n\t\"Main\": {},\n\t\"Deps\": [\n\t\tnull\n\t]\n}");
	free(s);
	s = bi_info_string(&bi, &n);
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_cases),
	    cmocka_unit_test(test_json_shapes),
	    cmocka_unit_test(test_json_empty),
	    cmocka_unit_test(test_json_nil_dep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
