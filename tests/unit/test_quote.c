/* test_quote.c — bi_quote.c and bi_isprint.c against Go's strconv and
 * unicode/utf8, using the cases in data/quote.txt (written by tests/unit/gen). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bi_quote.h"
#include "testdata.h"

static void check_quote(td_file *td)
{
	size_t inn, wantn;
	char *in = td_hex(td->field[1], &inn), *want = td_hex(td->field[2], &wantn);
	bi_buf b = {0};

	bi_quote_append(&b, in, inn);
	td_expect(td, "strconv.Quote", b.p, b.n, want, wantn);
	bi_buf_free(&b);
	free(in);
	free(want);
}

static void test_quote(void **state)
{
	(void)state;
	td_run_cases("quote.txt", "quote", 3, 900, check_quote);
}

/* qbyte: fmt's %q of a byte; qrune: strconv.QuoteRune. Both print a rune
 * literal, which is what bi_quote_rune_append makes. */
static void check_quote_rune(td_file *td)
{
	size_t wantn;
	long r = strtol(td->field[1], NULL, 10);
	char *want = td_hex(td->field[2], &wantn);
	bi_buf b = {0};

	bi_quote_rune_append(&b, (int32_t)r);
	td_expect(td, "QuoteRune", b.p, b.n, want, wantn);
	bi_buf_free(&b);
	free(want);
}

static void test_quote_byte(void **state)
{
	(void)state;
	td_run_cases("quote.txt", "qbyte", 3, 256, check_quote_rune);
}

static void test_quote_rune(void **state)
{
	(void)state;
	td_run_cases("quote.txt", "qrune", 3, 10, check_quote_rune);
}

static void check_unquote(td_file *td)
{
	size_t inn, wantn;
	char *in = td_hex(td->field[1], &inn);
	bi_str out = {NULL, 0};
	int rc = bi_unquote(in, inn, &out);

	if (strcmp(td->field[2], "ok") == 0) {
		char *want = td_hex(td->field[3], &wantn);
		if (rc != BI_OK)
			td_fail(td, "Unquote failed (%d), Go accepts it", rc);
		else if (td_expect(td, "Unquote", out.p, out.n, want, wantn) &&
		         out.p[out.n] != '\0')
			td_fail(td, "result not NUL-terminated");
		free(want);
	} else if (rc != BI_E_PARSE) {
		td_fail(td, "Unquote returned %d, Go rejects it", rc);
	}
	free(out.p);
	free(in);
}

static void test_unquote(void **state)
{
	(void)state;
	td_run_cases("quote.txt", "unquote", 3, 600, check_unquote);
}

static void check_prefix(td_file *td)
{
	size_t inn, wantn, len = 0;
	char *in = td_hex(td->field[1], &inn);
	int rc = bi_quoted_prefix(in, inn, &len);

	if (strcmp(td->field[2], "ok") == 0) {
		char *want = td_hex(td->field[3], &wantn);
		if (rc != BI_OK)
			td_fail(td, "QuotedPrefix failed (%d), Go accepts it", rc);
		else
			td_expect(td, "QuotedPrefix", in, len, want, wantn);
		free(want);
	} else if (rc != BI_E_PARSE) {
		td_fail(td, "QuotedPrefix returned %d, Go rejects it", rc);
	}
	free(in);
}

static void test_quoted_prefix(void **state)
{
	(void)state;
	td_run_cases("quote.txt", "prefix", 3, 600, check_prefix);
}

static void check_decode(td_file *td)
{
	size_t inn, width = 99;
	char *in = td_hex(td->field[1], &inn);
	long want_r = strtol(td->field[2], NULL, 10), want_w = strtol(td->field[3], NULL, 10);
	int32_t r = bi_utf8_decode((const unsigned char *)in, inn, &width);

	if (r != want_r || (long)width != want_w)
		td_fail(td, "DecodeRune = (%ld, %zu), Go says (%ld, %ld)", (long)r, width, want_r,
		        want_w);
	free(in);
}

static void test_decode(void **state)
{
	(void)state;
	td_run_cases("quote.txt", "decode", 4, 2000, check_decode);
}

static void check_isprint(td_file *td)
{
	long r = strtol(td->field[1], NULL, 10);
	bool want = strcmp(td->field[2], "1") == 0;

	if (bi_isprint((int32_t)r) != want)
		td_fail(td, "IsPrint(%#lx) = %d, Go says %d", r, !want, want);
}

/* The table in bi_isprint.c is generated; this checks it on both sides of
 * every boundary in Go's answer, and on a stride through all runes. */
static void test_isprint_table(void **state)
{
	(void)state;
	td_run_cases("quote.txt", "isprint", 3, 2000, check_isprint);
}

/* A few answers everyone knows, in case the data file and the table were
 * regenerated from the same broken Go. */
static void test_isprint_known(void **state)
{
	(void)state;
	assert_true(bi_isprint(' '));
	assert_true(bi_isprint('~'));
	assert_false(bi_isprint(0x7F));
	assert_false(bi_isprint('\t'));
	assert_false(bi_isprint(0xA0)); /* no-break space: a space, not ASCII */
	assert_true(bi_isprint(0xE9));
	assert_false(bi_isprint(0xAD)); /* soft hyphen: format character */
	assert_false(bi_isprint(0x200B));
	assert_false(bi_isprint(0xFEFF));
	assert_true(bi_isprint(0x4E2D));
	assert_false(bi_isprint(0xD800));
	assert_true(bi_isprint(0x1F600));
	assert_false(bi_isprint(0x10FFFF));
	assert_false(bi_isprint(0x110000));
	assert_false(bi_isprint(-1));
}

/* Every valid rune survives encode then decode; invalid ones become U+FFFD. */
static void test_utf8_roundtrip(void **state)
{
	bi_buf b = {0};
	const int32_t bad[] = {-1, 0xD800, 0xDFFF, 0x110000, INT32_MAX};
	size_t w;

	(void)state;
	for (int32_t r = 0; r <= BI_MAX_RUNE; r++) {
		if (r == 0xD800)
			r = 0xE000;
		b.n = 0;
		bi_utf8_append(&b, r);
		assert_false(b.failed);
		assert_int_equal(bi_utf8_decode((unsigned char *)b.p, b.n, &w), r);
		assert_int_equal(w, b.n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b.n = 0;
		bi_utf8_append(&b, bad[i]);
		assert_memory_equal(b.p, "\xef\xbf\xbd", 3);
		assert_int_equal(b.n, 3);
	}
	bi_buf_free(&b);
}

static void test_buf(void **state)
{
	bi_buf b = {0};
	size_t len = 99;
	char *s;

	(void)state;
	s = bi_buf_take(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);

	for (int i = 0; i < 1000; i++)
		bi_buf_puts(&b, "0123456789");
	bi_buf_put(&b, "\0x", 2);
	s = bi_buf_take(&b, &len);
	assert_int_equal(len, 10002);
	assert_memory_equal(s + 9990, "0123456789\0x\0", 13);
	assert_null(b.p);
	assert_int_equal(b.n, 0);
	free(s);

	bi_buf_free(&b);
	bi_buf_free(NULL);
}

/* Unquote never returns a NULL string, even for an empty literal. */
static void test_unquote_empty(void **state)
{
	bi_str out = {NULL, 99};

	(void)state;
	assert_int_equal(bi_unquote("\"\"", 2, &out), BI_OK);
	assert_non_null(out.p);
	assert_int_equal(out.n, 0);
	assert_int_equal(out.p[0], '\0');
	free(out.p);
	out.p = NULL;
	assert_int_equal(bi_unquote("\"a", 2, &out), BI_E_PARSE);
	assert_null(out.p);
	assert_int_equal(bi_unquote(NULL, 0, &out), BI_E_PARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quote),          cmocka_unit_test(test_quote_byte),
	    cmocka_unit_test(test_quote_rune),     cmocka_unit_test(test_unquote),
	    cmocka_unit_test(test_quoted_prefix),  cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_isprint_table),  cmocka_unit_test(test_isprint_known),
	    cmocka_unit_test(test_utf8_roundtrip), cmocka_unit_test(test_buf),
	    cmocka_unit_test(test_unquote_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
