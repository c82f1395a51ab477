/* test_pclntab.c — buildinfo/bi_pclntab.h: Go's function table.
 *
 * Every binary here is written in memory by a small emitter: an ELF file
 * (either byte order, 32 or 64 bits, with or without section headers)
 * holding a function table in the layout cmd/link/internal/ld/pcln.go
 * writes (Go 1.20+, or Go 1.18's), with the funcdata base found through the
 * module data or after the table as Go 1.26 places it. The functions, their
 * lines and inline trees are given as runs, so what the reader must give
 * back is known. Broken variants patch one field or cut the file short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bi_pclntab.h"

#include "pcln_emit.h"

/* ---- the functions of the test binary ----------------------------------- */

static const char *const files[] = {"/src/app/main.go", "/src/lib/lib.go", NULL};

/* main.work calls lib.Sum (inlined, entry 0) and, inside it, lib.add
 * (entry 1, inlined into the inlined call); the last host run repeats the
 * inlined call's last line, as the compiler's inline index often does. */
static const fn funcs[] = {
    {"main.main", 10, RUNS({8, 10, 0, -1}, {20, 11, 0, -1}, {24, 12, 0, -1}), NULL, 0},
    {"main.work", 20,
     RUNS({4, 20, 0, -1}, {12, 22, 0, -1}, {16, 5, 1, 0}, {20, 9, 1, 1}, {28, 6, 1, 0},
          {32, 6, 1, -1}, {40, 25, 0, -1}),
     TREE({"example.com/lib.Sum", 4, 8}, {"example.com/lib.add", 9, 14})},
    {"example.com/lib.Sum", 4, RUNS({4, 4, 1, -1}, {12, 5, 1, -1}, {16, 6, 1, -1}), NULL, 0},
    {"runtime.asm", 0, RUNS({8, 0, -1, -1}), NULL, 0},
};
#define NFUNCS (sizeof(funcs) / sizeof(funcs[0]))

static img build(const opts *o)
{
	return build_of(funcs, NFUNCS, files, o);
}

static bi_pcln *open_img(const img *m, bi_pcln_err *err)
{
	bi_src src;
	bi_pcln *t = NULL;

	bi_src_init_mem(&src, m->p, m->n);
	if (bi_pcln_open(&src, &t, err) != BI_PCLN_OK)
		return NULL;
	return t;
}

/* ---- reading back ---------------------------------------------------------------- */

static const opts variants[] = {
    {0, 8, 120, 1, 0, 1}, {0, 8, 120, 1, 1, 1}, {1, 8, 120, 2, 1, 1}, {1, 4, 120, 4, 0, 1},
    {0, 4, 120, 1, 1, 0}, {0, 8, 118, 1, 1, 1}, {1, 4, 118, 4, 1, 0}, {0, 8, 120, 4, 0, 0},
};

typedef struct collect {
	bi_pcln_span s[16];
	size_t n;
} collect;

static int collect_span(void *ctx, const bi_pcln_span *s)
{
	collect *c = ctx;

	assert_true(c->n < 16);
	c->s[c->n++] = *s;
	return 0;
}

static void check_spans(const bi_pcln *t, size_t i, const opts *o)
{
	const fn *f = &funcs[i];
	collect c = {.n = 0};
	bi_pcln_err err;
	uint32_t pc = 0;

	assert_int_equal(bi_pcln_func_spans(t, i, collect_span, &c, &err), BI_PCLN_OK);
	assert_int_equal(c.n, f->nruns);
	for (size_t k = 0; k < c.n; k++) {
		const bi_pcln_span *s = &c.s[k];
		const char *want = f->runs[k].inl < 0 ? f->name : f->tree[f->runs[k].inl].name;

		assert_int_equal(s->pc_start, pc);
		assert_int_equal(s->pc_end, f->runs[k].pc_end);
		assert_int_equal(s->line, f->runs[k].line);
		assert_int_equal(s->inl, f->runs[k].inl);
		assert_int_equal(s->name_len, strlen(want));
		assert_memory_equal(s->name, want, s->name_len);
		if (f->runs[k].file < 0)
			assert_null(s->file);
		else
			assert_string_equal(s->file, files[f->runs[k].file]);
		if (o->layout == 120 && f->runs[k].inl >= 0)
			assert_int_equal(s->start_line, f->tree[f->runs[k].inl].start_line);
		pc = f->runs[k].pc_end;
	}
}

static void test_read_back(void **state)
{
	(void)state;
	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		const opts *o = &variants[v];
		img m = build(o);
		bi_pcln_err err = {0};
		bi_pcln *t = open_img(&m, &err);
		bi_pcln_about a;

		if (t == NULL)
			fail_msg("variant %zu: %s", v, err.msg);
		bi_pcln_describe(t, &a);
		assert_string_equal(a.format, "ELF");
		assert_string_equal(a.table_from, o->shdrs ? "section .gopclntab" : "header scan");
		assert_string_equal(a.gofunc_from,
		                    o->moduledata ? "module data" : "Go 1.26 layout");
		assert_int_equal(a.layout, o->layout);
		assert_int_equal(a.big_endian, o->be);
		assert_int_equal(a.ptr_size, o->ptr);
		assert_int_equal(a.quantum, o->quantum);
		assert_int_equal(a.nfunc, NFUNCS);
		for (size_t i = 0; i < NFUNCS; i++) {
			bi_pcln_func f;

			assert_int_equal(bi_pcln_func_at(t, i, &f, &err), BI_PCLN_OK);
			assert_string_equal(f.name, funcs[i].name);
			assert_int_equal(f.start_line, o->layout == 120 ? funcs[i].start_line : 0);
			check_spans(t, i, o);
		}
		bi_pcln_free(t);
		free(m.p);
	}
}

static int count_inlined(void *ctx, const bi_pcln_inlined *c)
{
	const fn *f = &funcs[1];

	assert_true(c->idx >= 0 && (size_t)c->idx < f->ntree);
	assert_int_equal(c->name_len, strlen(f->tree[c->idx].name));
	assert_memory_equal(c->name, f->tree[c->idx].name, c->name_len);
	assert_int_equal(c->start_line, f->tree[c->idx].start_line);
	assert_int_equal(c->parent_pc, (uint32_t)f->tree[c->idx].parent_pc);
	(*(int *)ctx)++;
	return 0;
}

static void test_inlined_and_file(void **state)
{
	opts o = {0, 8, 120, 1, 0, 1};
	img m = build(&o);
	bi_pcln_err err;
	bi_pcln *t = open_img(&m, &err);
	const char *file;
	size_t len;
	int n = 0;

	(void)state;
	assert_non_null(t);
	assert_int_equal(bi_pcln_func_inlined(t, 1, count_inlined, &n, &err), BI_PCLN_OK);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(bi_pcln_func_inlined(t, 0, count_inlined, &n, &err), BI_PCLN_OK);
	assert_int_equal(n, 0);
	assert_int_equal(bi_pcln_func_file(t, 2, &file, &len, &err), BI_PCLN_OK);
	assert_string_equal(file, files[1]);
	assert_int_equal(bi_pcln_func_file(t, 3, &file, &len, &err), BI_PCLN_OK);
	assert_null(file);
	bi_pcln_free(t);
	free(m.p);
}

/* ---- the index ------------------------------------------------------------------------ */

static void expect_offsets(const bi_pcln_index *ix, const char *name, unsigned flags, int32_t start,
                           const int32_t *offs, size_t n)
{
	const bi_pcln_fn *f = bi_pcln_index_find(ix, name, strlen(name));

	if (f == NULL)
		fail_msg("%s not in the index", name);
	assert_int_equal(f->flags & (BI_PCLN_HOST | BI_PCLN_INLINED), flags);
	assert_int_equal(f->start_line, start);
	assert_int_equal(f->noffsets, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(f->offsets[i], offs[i]);
		assert_true(bi_pcln_fn_has_offset(f, offs[i]));
	}
	assert_false(bi_pcln_fn_has_offset(f, 1000));
}

#define OFFS(...) (const int32_t[]){__VA_ARGS__}, sizeof((const int32_t[]){__VA_ARGS__}) / 4

static void test_index(void **state)
{
	opts o = {1, 4, 120, 4, 1, 1};
	img m = build(&o);
	bi_pcln_err err;
	bi_pcln *t = open_img(&m, &err);
	bi_pcln_index *ix;

	(void)state;
	assert_non_null(t);
	assert_int_equal(bi_pcln_index_build(t, NULL, NULL, &ix, &err), BI_PCLN_OK);
	assert_int_equal(bi_pcln_index_count(ix), NFUNCS + 1);
	expect_offsets(ix, "main.main", BI_PCLN_HOST, 10, OFFS(0, 1, 2));
	/* main.work's run at line 6 right after lib.Sum's line 6 is lib.Sum's:
	 * main.work has no code at offset -14. */
	expect_offsets(ix, "main.work", BI_PCLN_HOST, 20, OFFS(0, 2, 5));
	expect_offsets(ix, "example.com/lib.Sum", BI_PCLN_HOST | BI_PCLN_INLINED, 4, OFFS(0, 1, 2));
	expect_offsets(ix, "example.com/lib.add", BI_PCLN_INLINED, 9, OFFS(0));
	assert_null(bi_pcln_index_find(ix, "main.gone", 9));
	/* lib.Sum's call (parent pc 8) is at main.work's line 22; lib.add's
	 * (parent pc 14) at lib.Sum's line 5, inside main.work. */
	{
		const bi_pcln_fn *work = bi_pcln_index_find(ix, "main.work", 9),
		                 *sum = bi_pcln_index_find(ix, "example.com/lib.Sum", 19),
		                 *add = bi_pcln_index_find(ix, "example.com/lib.add", 19);

		assert_int_equal(bi_pcln_inlined_at(ix, work, sum, 2), 1);
		assert_int_equal(bi_pcln_inlined_at(ix, work, sum, 5), 0);
		assert_int_equal(bi_pcln_inlined_at(ix, work, add, 2), -1);
		assert_int_equal(bi_pcln_inlined_at(ix, sum, add, 1), 1);
		assert_int_equal(work->nsites, 1);
	}
	assert_string_equal(bi_pcln_index_find(ix, "main.work", 9)->file, files[0]);
	assert_int_equal(bi_pcln_index_layout(ix), 120);
	bi_pcln_index_free(ix);
	bi_pcln_free(t);
	free(m.p);
}

/* lib.add at the level *ctx. */
static int want_add(void *ctx, const char *name, size_t len)
{
	return len == 19 && memcmp(name, "example.com/lib.add", len) == 0 ? *(int *)ctx : 0;
}

/* Only lib.add's lines wanted: main.work is walked for it (lib.add is
 * inlined there), the others are listed without lines. */
static void test_index_filtered(void **state)
{
	opts o = {0, 8, 120, 1, 0, 1};
	img m = build(&o);
	bi_pcln_err err;
	bi_pcln *t = open_img(&m, &err);
	bi_pcln_index *ix;
	const bi_pcln_fn *f;
	int level = BI_PCLN_WANT_LINES;

	(void)state;
	assert_non_null(t);
	assert_int_equal(bi_pcln_index_build(t, want_add, &level, &ix, &err), BI_PCLN_OK);
	f = bi_pcln_index_find(ix, "example.com/lib.add", 19);
	assert_non_null(f);
	assert_true(f->flags & BI_PCLN_LINES);
	assert_int_equal(f->noffsets, 1);
	f = bi_pcln_index_find(ix, "main.work", 9);
	assert_non_null(f);
	assert_false(f->flags & BI_PCLN_LINES);
	assert_int_equal(f->noffsets, 0);
	assert_false(bi_pcln_fn_has_offset(f, 0));
	assert_int_equal(f->start_line, 20);
	bi_pcln_index_free(ix);
	/* Only listed: found where it is inlined, without walking main.work. */
	level = BI_PCLN_WANT_LISTED;
	assert_int_equal(bi_pcln_index_build(t, want_add, &level, &ix, &err), BI_PCLN_OK);
	f = bi_pcln_index_find(ix, "example.com/lib.add", 19);
	assert_non_null(f);
	assert_int_equal(f->flags, BI_PCLN_INLINED);
	assert_int_equal(f->noffsets, 0);
	assert_int_equal(f->start_line, 9);
	bi_pcln_index_free(ix);
	bi_pcln_free(t);
	free(m.p);
}

/* ---- malformed tables ---------------------------------------------------------------- */

static int walk_all(void *ctx, const bi_pcln_span *s)
{
	(void)ctx;
	(void)s;
	return 0;
}

/* Whatever the bytes, the reader answers with a code, and a message when
 * it fails; ASan and UBSan watch every read. */
static int read_all(const img *m, bi_pcln_err *err)
{
	bi_pcln *t = open_img(m, err);
	bi_pcln_index *ix = NULL;
	int rc = BI_PCLN_OK;

	if (t == NULL)
		return err->code;
	for (size_t i = 0; i < bi_pcln_nfunc(t) && rc == BI_PCLN_OK; i++)
		rc = bi_pcln_func_spans(t, i, walk_all, NULL, err);
	if (rc == BI_PCLN_OK)
		rc = bi_pcln_index_build(t, NULL, NULL, &ix, err);
	bi_pcln_index_free(ix);
	bi_pcln_free(t);
	return rc;
}

static void test_truncated(void **state)
{
	(void)state;
	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		img m = build(&variants[v]);
		size_t full = m.n;
		int failed = 0;

		for (size_t n = 0; n < full; n++) {
			bi_pcln_err err = {0};
			int rc;

			m.n = n;
			rc = read_all(&m, &err);
			if (rc != BI_PCLN_OK) {
				assert_true(err.msg[0] != '\0');
				failed++;
			}
		}
		/* Cutting off the section headers (at the end) must be noticed. */
		assert_true(failed > 0);
		m.n = full;
		free(m.p);
	}
}

static void patch_expect(const opts *o, size_t off, uint64_t v, unsigned size, int code,
                         const char *text)
{
	img m = build(o);
	bi_pcln_err err = {0};

	putn(&m, 0x200 + off, v, size, o->be);
	assert_int_equal(read_all(&m, &err), code);
	if (strstr(err.msg, text) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, text);
	free(m.p);
}

static void test_malformed(void **state)
{
	opts o = {0, 8, 120, 1, 0, 1};

	(void)state;
	patch_expect(&o, 0, 0xfffffffa, 4, BI_PCLN_E_VERSION, "too old");
	patch_expect(&o, 0, 0x12345678, 4, BI_PCLN_E_NOTABLE, "no Go function table");
	patch_expect(&o, 7, 3, 1, BI_PCLN_E_CORRUPT, "header malformed");
	patch_expect(&o, 8, 1u << 30, 8, BI_PCLN_E_CORRUPT, "function count");
	patch_expect(&o, 8 + 3 * 8, 1u << 30, 8, BI_PCLN_E_CORRUPT, "out of bounds");
	/* The first function's name offset, past funcnametab. */
	{
		img m = build(&o);
		bi_pcln_err err = {0};
		bi_pcln *t;
		size_t ftab = (size_t)m.p[0x200 + 8 + 7 * 8] | (size_t)m.p[0x200 + 8 + 7 * 8 + 1]
		                                                   << 8;
		size_t rec = ftab + (size_t)m.p[0x200 + ftab + 4];

		putn(&m, 0x200 + rec + 4, 1u << 20, 4, 0);
		t = open_img(&m, &err);
		assert_non_null(t);
		assert_int_equal(bi_pcln_func_at(t, 0, &(bi_pcln_func){0}, &err),
		                 BI_PCLN_E_CORRUPT);
		assert_non_null(strstr(err.msg, "name out of bounds"));
		bi_pcln_free(t);
		free(m.p);
	}
}

/* An inline index past the end of the tree. */
static void test_bad_inline_index(void **state)
{
	const fn bad[] = {
	    {"main.f", 3, RUNS({4, 3, 0, -1}, {8, 7, 1, 5}), TREE({"main.g", 7, 2})},
	};
	opts o = {0, 8, 120, 1, 1, 1};
	img m = build_of(bad, 1, files, &o);
	bi_pcln_err err = {0};

	(void)state;
	assert_int_equal(read_all(&m, &err), BI_PCLN_E_CORRUPT);
	if (strstr(err.msg, "main.f: inline tree entry 5 malformed") == NULL)
		fail_msg("%s", err.msg);
	free(m.p);
}

/* Without the module data, Go 1.26's placement after the table is tried;
 * a base that gives no names is refused, and then no tree is readable. */
static void test_no_module_data(void **state)
{
	opts o = {0, 8, 120, 1, 1, 1};
	img m = build(&o);
	bi_pcln_err err = {0};
	bi_pcln *t;
	bi_pcln_about a;
	size_t md = 0;

	(void)state;
	/* The module data's first word is the table's address: break it. */
	for (size_t i = 0x200; i + 8 <= m.n; i += 8) {
		if (m.p[i] == 0x00 && m.p[i + 1] == 0x02 && m.p[i + 2] == 0x40 && m.p[i + 3] == 0 &&
		    m.p[i + 8] != 0) {
			md = i;
			break;
		}
	}
	assert_int_not_equal(md, 0);
	putn(&m, md, 0, 8, 0);
	t = open_img(&m, &err);
	assert_non_null(t);
	bi_pcln_describe(t, &a);
	assert_true(a.gofunc_from == NULL || strcmp(a.gofunc_from, "module data") != 0);
	bi_pcln_free(t);
	if (read_all(&m, &err) != BI_PCLN_OK)
		assert_non_null(strstr(err.msg, "inline tree unreadable"));
	free(m.p);
}

static void test_not_object(void **state)
{
	img m = {(unsigned char *)"hello, world, this is not a binary", 34};
	bi_pcln_err err = {0};

	(void)state;
	assert_null(open_img(&m, &err));
	assert_int_equal(err.code, BI_PCLN_E_FORMAT);
	assert_int_equal(bi_pcln_open_file("/nonexistent/pgo-go", &(bi_pcln *){NULL}, &err),
	                 BI_PCLN_E_OPEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_back),
	    cmocka_unit_test(test_inlined_and_file),
	    cmocka_unit_test(test_index),
	    cmocka_unit_test(test_index_filtered),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_bad_inline_index),
	    cmocka_unit_test(test_no_module_data),
	    cmocka_unit_test(test_not_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
