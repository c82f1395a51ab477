/* fit_tool — the test driver of the fit (wrapper/verify/fit.h) and the libraries
 * under it, for the suites and the benchmark until `pgo-go verify` prints
 * the fit itself:
 *
 *   fit_tool BINARY PROFILE        the fit, as one JSON object
 *   fit_tool --edges PROFILE       the call edges as `go tool preprofile` writes them
 *   fit_tool --index BINARY        every function of the binary's table, one a line:
 *                                  NAME TAB START_LINE TAB FLAGS TAB LINE,LINE,...
 *                                  TAB CALLEE@LINE,... (FLAGS: h has a body, i inlined
 *                                  somewhere; the last field: the calls inlined into it)
 *   fit_tool --about BINARY        how the table was found and read
 *   fit_tool --rewrite IN OUT [--rename OLD=NEW]... [--noinline NAME]...
 *                                  IN reduced, rewritten and written canonically to OUT
 *   fit_tool --decide A B          how much of the compiler's decisions B changes from
 *                                  A (pgo_decide.h): SHARE TAB SITES TAB EXAMPLE
 *   fit_tool --buildid BINARY      the Go build ID, as `go tool buildid` prints it
 *
 * Exit status: 0, 1 when an input is unusable (the message on stderr), 2 on
 * usage errors.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bi_buildid.h"
#include "bi_pclntab.h"
#include "fit.h"
#include "pgo_canon.h"
#include "pgo_decide.h"
#include "pgo_edges.h"
#include "pgo_reduce.h"
#include "pgo_rewrite.h"
#include "pprof.h"

static int usage(void)
{
	fputs("usage: fit_tool BINARY PROFILE | --edges PROFILE | --index BINARY | --about BINARY\n"
	      "       fit_tool --rewrite IN OUT [--rename OLD=NEW]... [--noinline NAME]...\n"
	      "       fit_tool --decide A B | --buildid BINARY\n",
	      stderr);
	return 2;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			unsigned char *p = realloc(buf, cap ? cap * 2 : 1 << 16);

			if (p == NULL)
				break;
			buf = p;
			cap = cap ? cap * 2 : 1 << 16;
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

static pprof_profile *read_profile(const char *path)
{
	pprof_profile *p = NULL;
	fetch_err err = {0};
	size_t len = 0;
	unsigned char *buf = slurp(path, &len);

	if (buf == NULL) {
		fprintf(stderr, "fit_tool: %s: cannot read\n", path);
		return NULL;
	}
	if (pprof_decode(buf, len, 0, &p, &err) != 0)
		fprintf(stderr, "fit_tool: %s: %s\n", path, err.msg);
	free(buf);
	return p;
}

static fetch_pgo_edges *edges_of(const char *path)
{
	fetch_pgo_edges *e = NULL;
	fetch_err err = {0};

	if (fetch_pgo_edges_load(path, INT64_MAX, &e, &err) != 0)
		fprintf(stderr, "fit_tool: %s: %s\n", path, err.msg);
	return e;
}

static int cmd_edges(const char *path)
{
	fetch_pgo_edges *e = edges_of(path);
	size_t len;
	char *s;

	if (e == NULL)
		return 1;
	s = fetch_pgo_edges_serialize(e, &len);
	if (s != NULL)
		fwrite(s, 1, len, stdout);
	free(s);
	fetch_pgo_edges_free(e);
	return s ? 0 : 1;
}

static int cmd_buildid(const char *path)
{
	char id[256];
	bi_error err;

	if (bi_read_buildid_file(path, id, sizeof id, &err) != BI_OK) {
		fprintf(stderr, "fit_tool: %s: no Go build ID\n", path);
		return 1;
	}
	puts(id);
	return 0;
}

static int cmd_decide(const char *a, const char *b)
{
	fetch_pgo_edges *ea = edges_of(a), *eb = ea ? edges_of(b) : NULL;
	fetch_pgo_change c;
	fetch_err err = {0};
	int rc = 1;

	if (eb != NULL && fetch_pgo_decisions_diff(ea, eb, &c, &err) == 0) {
		printf("%.6f\t%zu\t%s\n", c.share, c.sites, c.example);
		rc = 0;
	}
	fetch_pgo_edges_free(ea);
	fetch_pgo_edges_free(eb);
	return rc;
}

static int cmd_index(const char *path)
{
	bi_pcln_index *ix = NULL;
	bi_pcln_err err = {0};

	if (bi_pcln_index_file(path, &ix, &err) != BI_PCLN_OK) {
		fprintf(stderr, "fit_tool: %s: %s\n", path, err.msg);
		return 1;
	}
	for (size_t i = 0; i < bi_pcln_index_count(ix); i++) {
		const bi_pcln_fn *f = bi_pcln_index_at(ix, i);

		printf("%s\t%d\t%s%s\t", f->name, f->start_line, f->flags & BI_PCLN_HOST ? "h" : "",
		       f->flags & BI_PCLN_INLINED ? "i" : "");
		for (size_t k = 0; k < f->noffsets; k++)
			printf(k ? ",%d" : "%d", f->start_line + f->offsets[k]);
		putchar('\t');
		for (size_t k = 0; k < f->nsites; k++)
			printf(k ? ",%s@%d" : "%s@%d",
			       bi_pcln_index_at(ix, f->sites[k].callee)->name,
			       f->start_line + f->sites[k].offset);
		putchar('\n');
	}
	bi_pcln_index_free(ix);
	return 0;
}

static int cmd_about(const char *path)
{
	bi_pcln *t = NULL;
	bi_pcln_err err = {0};
	bi_pcln_about a;

	if (bi_pcln_open_file(path, &t, &err) != BI_PCLN_OK) {
		fprintf(stderr, "fit_tool: %s: %s\n", path, err.msg);
		return 1;
	}
	bi_pcln_describe(t, &a);
	printf("format %s\ntable %s\ngofunc %s\nlayout %u\nbig_endian %d\nptr_size %u\n"
	       "quantum %u\nfunctions %zu\n",
	       a.format, a.table_from, a.gofunc_from ? a.gofunc_from : "none", a.layout,
	       a.big_endian, a.ptr_size, a.quantum, a.nfunc);
	bi_pcln_free(t);
	return 0;
}

static int cmd_fit(const char *binary, const char *profile)
{
	fit_result r;
	json_t *o;
	char line[512];

	if (fit_files(binary, profile, &r) != 0) {
		fprintf(stderr, "fit_tool: %s\n", r.reason);
		return 1;
	}
	o = fit_json(&r);
	fit_summary(&r, line, sizeof(line));
	if (o == NULL || json_object_set_new(o, "summary", json_string(line)) ||
	    json_object_set_new(o, "weight", json_integer(r.weight)) ||
	    json_object_set_new(o, "own_weight", json_integer(r.own_weight)) ||
	    json_object_set_new(o, "fit_weight", json_integer(r.fit_weight)) ||
	    json_object_set_new(o, "own_fit_weight", json_integer(r.own_fit_weight)) ||
	    json_object_set_new(
	        o, "lost",
	        json_pack("{sI sI sI sI sI}", "foreign", (json_int_t)r.lost_foreign, "test",
	                  (json_int_t)r.lost_test, "renamed", (json_int_t)r.lost_renamed, "missing",
	                  (json_int_t)r.lost_missing, "line", (json_int_t)r.lost_line))) {
		json_decref(o);
		return 1;
	}
	for (size_t i = 0; i < r.nmissing; i++) {
		if (r.missing[i].renamed_to[0] != '\0' &&
		    json_object_set_new(o, "renamed_to", json_string(r.missing[i].renamed_to)) != 0)
			break;
	}
	json_dumpf(o, stdout, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	putchar('\n');
	json_decref(o);
	return 0;
}

/* --rename OLD=NEW and --noinline NAME, in any order. */
static int parse_rules(int argc, char **argv, fetch_pgo_rename *ren, const char **noin,
                       fetch_pgo_rules *rules)
{
	for (int i = 0; i < argc; i += 2) {
		char *eq;

		if (i + 1 >= argc)
			return -1;
		if (strcmp(argv[i], "--noinline") == 0) {
			noin[rules->nnoinline++] = argv[i + 1];
		} else if (strcmp(argv[i], "--rename") == 0 && (eq = strchr(argv[i + 1], '='))) {
			*eq = '\0';
			ren[rules->nrenames].from = argv[i + 1];
			ren[rules->nrenames++].to = eq + 1;
		} else {
			return -1;
		}
	}
	rules->renames = ren;
	rules->noinline = noin;
	return 0;
}

static int write_canonical(const fetch_pgo *t, const char *path)
{
	unsigned char *out = NULL;
	size_t len = 0;
	fetch_err err = {0};
	FILE *f;
	int rc = 1;

	if (fetch_pgo_encode(t, 0, 0, &out, &len, &err) != 0) {
		fprintf(stderr, "fit_tool: %s\n", err.msg);
		return 1;
	}
	f = fopen(path, "wb");
	if (f != NULL && fwrite(out, 1, len, f) == len)
		rc = 0;
	if (f == NULL || fclose(f) != 0)
		rc = 1;
	free(out);
	return rc;
}

static int cmd_rewrite(const char *in, const char *out, int argc, char **argv)
{
	fetch_pgo_rename *ren = calloc((size_t)argc + 1, sizeof(*ren));
	const char **noin = calloc((size_t)argc + 1, sizeof(*noin));
	fetch_pgo_rules rules = {0};
	pprof_profile *p = NULL;
	fetch_pgo *acc = NULL, *done = NULL;
	fetch_err err = {0};
	int rc = 1;

	if (ren == NULL || noin == NULL || parse_rules(argc, argv, ren, noin, &rules) != 0) {
		rc = usage();
		goto out;
	}
	p = read_profile(in);
	acc = fetch_pgo_new(NULL);
	if (p == NULL || acc == NULL)
		goto out;
	if (fetch_pgo_add(acc, p, &err) != 0 ||
	    fetch_pgo_rewrite(acc, &rules, &done, NULL, &err) != 0) {
		fprintf(stderr, "fit_tool: %s: %s\n", in, err.msg);
		goto out;
	}
	rc = write_canonical(done, out);
out:
	fetch_pgo_free(done);
	fetch_pgo_free(acc);
	pprof_free(p);
	free(ren);
	free(noin);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--edges") == 0)
		return cmd_edges(argv[2]);
	if (argc == 4 && strcmp(argv[1], "--decide") == 0)
		return cmd_decide(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "--buildid") == 0)
		return cmd_buildid(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--index") == 0)
		return cmd_index(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--about") == 0)
		return cmd_about(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "--rewrite") == 0)
		return cmd_rewrite(argv[2], argv[3], argc - 4, argv + 4);
	if (argc == 3 && argv[1][0] != '-')
		return cmd_fit(argv[1], argv[2]);
	return usage();
}
