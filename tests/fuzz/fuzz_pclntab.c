/* Fuzzes Go's function-table reader (buildinfo/bi_pclntab.h) on whole
 * object files: open, every function, its spans, file and inline tree, the
 * full and the filtered index with lookups, and a fit against them; and
 * the build ID reader (bi_buildid.h) on the same files. The
 * seeds (tests/fuzz/corpus/fuzz_pclntab) are real tables cut down by
 * tests/tools/mkpclnseed, in ELF, Mach-O and PE wrappers. Whatever the
 * bytes, a call returns a code: a crash or a sanitizer report is a
 * finding. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bi_buildid.h"
#include "bi_pclntab.h"
#include "fit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_span(void *ctx, const bi_pcln_span *s)
{
	/* Touch what a span points at. */
	*(size_t *)ctx += s->name_len + (s->file ? strlen(s->file) : 0);
	return 0;
}

static int count_inl(void *ctx, const bi_pcln_inlined *c)
{
	*(size_t *)ctx += c->name_len + c->parent_pc;
	return 0;
}

/* main.*'s lines, runtime.* only listed: both filtered paths. */
static int want_main(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	if (len >= 5 && memcmp(name, "main.", 5) == 0)
		return BI_PCLN_WANT_LINES;
	return len >= 8 && memcmp(name, "runtime.", 8) == 0 ? BI_PCLN_WANT_LISTED : 0;
}

static void walk(const bi_pcln *t)
{
	size_t sum = 0;

	for (size_t i = 0; i < bi_pcln_nfunc(t); i++) {
		bi_pcln_func f;
		const char *file;
		size_t len;

		if (bi_pcln_func_at(t, i, &f, NULL) != BI_PCLN_OK)
			continue;
		(void)bi_pcln_func_spans(t, i, count_span, &sum, NULL);
		(void)bi_pcln_func_inlined(t, i, count_inl, &sum, NULL);
		(void)bi_pcln_func_file(t, i, &file, &len, NULL);
	}
}

/* A fit of a few made-up edges between the first functions indexed. */
static void fit(const bi_pcln_index *ix)
{
	fetch_pgo_efunc fs[3] = {{0}};
	fetch_pgo_edge es[2] = {{0, 1, 1, 5}, {1, 2, 0, 7}};
	fetch_pgo_edges e = {fs, 3, es, 2, 12, 0, NULL};
	fit_result r;

	for (size_t i = 0; i < 3; i++) {
		const bi_pcln_fn *f = bi_pcln_index_at(ix, i);

		fs[i].name = f ? f->name : "main.none";
		fs[i].name_len = f ? f->name_len : 9;
		fs[i].file = f ? f->file : NULL;
		fs[i].start_line = f ? f->start_line : 0;
	}
	fit_compute(ix, &e, NULL, &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bi_pcln_index *ix = NULL;
	bi_pcln *t = NULL;
	bi_pcln_about a;
	bi_src src;
	bi_error err;
	char id[64];

	bi_src_init_mem(&src, data, size);
	/* An ID read is a C string that fits the buffer. */
	if (bi_read_buildid(&src, id, sizeof id, &err) == BI_OK && strlen(id) >= sizeof id)
		__builtin_trap();
	if (bi_pcln_open(&src, &t, NULL) != BI_PCLN_OK)
		return 0;
	bi_pcln_describe(t, &a);
	walk(t);
	if (bi_pcln_index_build(t, NULL, NULL, &ix, NULL) == BI_PCLN_OK) {
		(void)bi_pcln_index_find(ix, "main.main", 9);
		fit(ix);
	}
	bi_pcln_index_free(ix);
	ix = NULL;
	if (bi_pcln_index_build(t, want_main, NULL, &ix, NULL) == BI_PCLN_OK)
		fit(ix);
	bi_pcln_index_free(ix);
	bi_pcln_free(t);
	return 0;
}
