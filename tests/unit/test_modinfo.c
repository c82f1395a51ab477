/* test_modinfo.c — bi_info_parse and bi_info_string against Go's
 * runtime/debug.ParseBuildInfo and BuildInfo.String(), using the cases in
 * data/modinfo.txt (written by tests/unit/gen): real modinfo from the go
 * command and from a binary with a replace directive, every error path, and
 * random line soup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bi.h"
#include "bi_quote.h"
#include "testdata.h"

/* One field of the dump, as the generator's h(): hex, or "-" when empty. It
 * also checks the bi_str promises: never NULL, always NUL-terminated. */
static void dump_str(td_file *td, bi_buf *b, const bi_str *s)
{
	static const char hex[] = "0123456789abcdef";

	bi_buf_putc(b, ' ');
	if (s->p == NULL || s->p[s->n] != '\0') {
		td_fail(td, "a bi_str is NULL or not NUL-terminated");
		return;
	}
	if (s->n == 0)
		bi_buf_putc(b, '-');
	for (size_t i = 0; i < s->n; i++) {
		bi_buf_putc(b, hex[(unsigned char)s->p[i] >> 4]);
		bi_buf_putc(b, hex[(unsigned char)s->p[i] & 0xF]);
	}
}

static void dump_module(td_file *td, bi_buf *b, const char *word, const bi_module *m)
{
	for (; m != NULL; m = m->replace, word = "=>") {
		bi_buf_puts(b, word);
		dump_str(td, b, &m->path);
		dump_str(td, b, &m->version);
		dump_str(td, b, &m->sum);
		bi_buf_putc(b, '\n');
	}
}

/* The generator's dump(): every field of the build info, unambiguously. */
static char *dump(td_file *td, const bi_info *bi, size_t *len)
{
	bi_buf b = {0};

	bi_buf_puts(&b, "go");
	dump_str(td, &b, &bi->go_version);
	bi_buf_puts(&b, "\npath");
	dump_str(td, &b, &bi->path);
	bi_buf_putc(&b, '\n');
	dump_module(td, &b, "mod", &bi->main);
	for (size_t i = 0; i < bi->ndeps; i++)
		dump_module(td, &b, "dep", bi->deps[i]);
	for (size_t i = 0; i < bi->nsettings; i++) {
		bi_buf_puts(&b, "build");
		dump_str(td, &b, &bi->settings[i].key);
		dump_str(td, &b, &bi->settings[i].value);
		bi_buf_putc(&b, '\n');
	}
	return bi_buf_take(&b, len);
}

/* Go's err.Error() is "could not parse Go build info: line N: DETAIL"; ours
 * must match, except that a detail over 255 bytes is cut with "...". */
static void check_error(td_file *td, const bi_error *err, const char *want, size_t wantn)
{
	const char *prefix = "could not parse Go build info: line ";
	const char *detail = strstr(err->msg, ": line ");
	size_t n = strlen(err->msg), dn;

	if (err->code != BI_E_PARSE)
		td_fail(td, "error code %d, want BI_E_PARSE", err->code);
	if (strncmp(err->msg, prefix, strlen(prefix)) != 0 || !detail ||
	    !(detail = strstr(detail + 7, ": ")))
		td_fail(td, "error message %s", err->msg);
	dn = detail ? strlen(detail + 2) : 0;
	if (dn < 255 - 3) {
		td_expect(td, "error message", err->msg, n, want, wantn);
		return;
	}
	/* Truncated: what is kept must be Go's text, and end on a rune. */
	if (strcmp(err->msg + n - 3, "...") != 0 || n - 3 > wantn ||
	    memcmp(err->msg, want, n - 3) != 0)
		td_expect(td, "truncated error message", err->msg, n, want, wantn);
}

/* Parses String() again and compares with what Go's second parse gave. */
static void check_roundtrip(td_file *td, const char *text, size_t n, const char *rt)
{
	bi_info *bi = NULL;
	bi_error err;
	int rc = bi_info_parse(text, n, &bi, &err);

	if (strcmp(rt, "err") == 0) {
		if (rc != BI_E_PARSE)
			td_fail(td, "reparsing String() gave %d, Go fails", rc);
	} else if (rc != BI_OK) {
		td_fail(td, "reparsing String() failed: %s", err.msg);
	} else {
		size_t wantn, gotn;
		char *want = td_hex(rt, &wantn), *got = dump(td, bi, &gotn);
		td_expect(td, "reparsed fields", got, gotn, want, wantn);
		free(want);
		free(got);
	}
	bi_info_free(bi);
}

static void check_parsed(td_file *td, const bi_info *bi)
{
	size_t wantn, gotn;
	char *want = td_hex(td->field[4], &wantn), *got = dump(td, bi, &gotn);

	td_expect(td, "parsed fields", got, gotn, want, wantn);
	free(want);
	free(got);
	want = td_hex(td->field[5], &wantn);
	got = bi_info_string(bi, &gotn);
	if (td_expect(td, "String()", got, gotn, want, wantn))
		check_roundtrip(td, got, gotn, td->field[6]);
	free(want);
	free(got);
}

static void check_parse(td_file *td)
{
	size_t inn, wantn;
	char *in = td_hex(td->field[2], &inn);
	bi_info *bi = (bi_info *)&bi; /* must be overwritten */
	bi_error err;
	int rc = bi_info_parse(in, inn, &bi, &err);

	if (strcmp(td->field[3], "ok") == 0) {
		if (rc != BI_OK)
			td_fail(td, "parse failed: %s", err.msg);
		else if (td->nfields < 7)
			td_fail(td, "malformed case");
		else
			check_parsed(td, bi);
	} else {
		char *want = td_hex(td->field[4], &wantn);
		if (rc != BI_E_PARSE || bi != NULL)
			td_fail(td, "parse returned %d, Go fails", rc);
		else
			check_error(td, &err, want, wantn);
		free(want);
	}
	if (rc == BI_OK)
		bi_info_free(bi);
	free(in);
}

static void test_parse_cases(void **state)
{
	td_file td;
	int count = 0, real = 0, failures;

	(void)state;
	td_open(&td, "modinfo.txt");
	while (td_next(&td, "parse")) {
		if (td.nfields < 5) {
			td_fail(&td, "malformed case");
			continue;
		}
		check_parse(&td);
		count++;
		real += strncmp(td.field[1], "real_", 5) == 0;
	}
	failures = td.failures;
	td_close(&td);
	if (failures > 0)
		fail_msg("%d of %d parse cases failed", failures, count);
	assert_true(count >= 500);
	assert_int_equal(real, 2);
}

static bi_info *parse_ok(const char *text)
{
	bi_info *bi = NULL;
	bi_error err;

	assert_int_equal(bi_info_parse(text, strlen(text), &bi, &err), BI_OK);
	assert_non_null(bi);
	return bi;
}

static void test_setting_lookup(void **state)
{
	bi_info *bi = parse_ok("build\t-pgo=/a/b.pgo\nbuild\t-pgo=second\n"
	                       "build\t\"a\\x00b\"=nul\nbuild\tCGO_CFLAGS=\n");
	const bi_str *v;

	(void)state;
	v = bi_info_setting(bi, "-pgo");
	assert_non_null(v);
	assert_string_equal(v->p, "/a/b.pgo"); /* the first one wins */
	v = bi_info_setting(bi, "CGO_CFLAGS");
	assert_non_null(v);
	assert_int_equal(v->n, 0);
	assert_null(bi_info_setting(bi, "-trimpath"));
	assert_null(bi_info_setting(bi, "a")); /* key "a\0b" is longer */
	assert_null(bi_info_setting(bi, ""));
	bi_info_free(bi);
}

static void test_free_null(void **state)
{
	(void)state;
	bi_info_free(NULL);
}

/* A caller may pass no error struct. */
static void test_null_error(void **state)
{
	bi_info *bi = (bi_info *)&bi;

	(void)state;
	assert_int_equal(bi_info_parse("mod\tx\n", 6, &bi, NULL), BI_E_PARSE);
	assert_null(bi);
	assert_int_equal(bi_info_parse("", 0, &bi, NULL), BI_OK);
	assert_non_null(bi);
	assert_non_null(bi->path.p);
	assert_non_null(bi->main.sum.p);
	assert_int_equal(bi->ndeps, 0);
	bi_info_free(bi);
}

/* The parser reads exactly len bytes, NULs included, and never past them. */
static void test_length_counted(void **state)
{
	char *text = malloc(11);
	bi_info *bi;
	bi_error err;

	(void)state;
	memcpy(text, "path\ta\0b\nX", 10); /* no terminator on purpose */
	assert_int_equal(bi_info_parse(text, 10, &bi, &err), BI_OK);
	assert_int_equal(bi->path.n, 3);
	assert_memory_equal(bi->path.p, "a\0b", 4);
	bi_info_free(bi);
	free(text);
}

/* A replaced module's entry is followed by an empty line, as in Go (the
 * go command's own output shows it). */
static void test_string_replace_blank_line(void **state)
{
	bi_info *bi = parse_ok("dep\td\tv1\n=>\t../d\t(devel)\t\n\n");
	char *s;
	size_t n;

	(void)state;
	s = bi_info_string(bi, &n);
	assert_string_equal(s, "dep\td\tv1\n=>\t../d\t(devel)\t\n\n");
	assert_int_equal(n, strlen(s));
	free(s);
	bi_info_free(bi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_cases),    cmocka_unit_test(test_setting_lookup),
	    cmocka_unit_test(test_free_null),      cmocka_unit_test(test_null_error),
	    cmocka_unit_test(test_length_counted), cmocka_unit_test(test_string_replace_blank_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
