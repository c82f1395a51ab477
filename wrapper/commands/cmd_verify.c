#include "cmd_verify.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bi.h"
#include "bi_archive.h"
#include "cache.h"
#include "goerr.h"
#include "goflag.h"
#include "msg.h"
#include "outcome.h"
#include "project.h"
#include "verify.h"
#include "walk.h"

static const char verify_usage[] =
    "usage: pgo-go verify [-json] [--profile FILE] [--path PATTERN] BINARY|DIR|ARCHIVE...\n";

/* The state of one `pgo-go verify` run. */
struct verify_run {
	int json;            /* -json: a JSON array instead of lines */
	const char *profile; /* --profile: the profile every binary must name */
	const char *pattern; /* --path: only archive members whose path matches */
	json_t *results;     /* -json: the array being built */
	int failed;          /* some binary is not verified */
	/* A named file being tried as an archive: its own verdict, and the Go
	 * binaries judged in it. */
	struct verify_result pending;
	size_t checked;
	/* The fit (fit.h): min_fit from the configuration (0: not judged),
	 * and the cache whose copies of profiles and fits it reads. */
	double min_fit;
	char *cache_dir;
};

static void report_line(const char *file, const struct verify_result *r)
{
	char fit[400] = "";

	if (r->fit)
		fit_summary(r->fit, fit, sizeof fit);
	switch (r->status) {
	case VERIFY_OK:
		printf("%s: verified (-pgo=%s%s%s)\n", file, r->pgo, fit[0] ? "; " : "", fit);
		break;
	case VERIFY_STALE:
		printf("%s: stale: %s\n", file, r->message);
		break;
	case VERIFY_NO_PGO:
		printf("%s: no PGO: %s\n", file, r->message);
		break;
	case VERIFY_MISMATCH:
		printf("%s: profile mismatch: %s\n", file, r->message);
		break;
	case VERIFY_NOT_GO:
		printf("%s: not a Go binary: %s\n", file, r->message);
		break;
	case VERIFY_UNREADABLE:
		printf("%s: unreadable: %s\n", file, r->message);
		break;
	}
}

static void report_json(json_t *arr, const char *file, const struct verify_result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "file", json_string(file));
	json_object_set_new(o, "status", json_string(verify_status_name(r->status)));
	if (r->pgo)
		json_object_set_new(o, "pgo", json_string(r->pgo));
	if (r->go_version)
		json_object_set_new(o, "go_version", json_string(r->go_version));
	if (r->message)
		json_object_set_new(o, "message", json_string(r->message));
	if (r->fit)
		json_object_set_new(o, "fit", fit_json(r->fit));
	json_array_append_new(arr, o);
}

static void report(struct verify_run *run, const char *file, const struct verify_result *r)
{
	if (r->status != VERIFY_OK)
		run->failed = 1;
	if (run->json)
		report_json(run->results, file, r);
	else
		report_line(file, r);
}

/* With -json, an image member's object also says which layer it is in. */
static void add_layer_json(struct verify_run *run, const bi_member *m)
{
	json_t *o = json_array_get(run->results, json_array_size(run->results) - 1);

	if (!run->json || !o || m->layer == 0)
		return;
	json_object_set_new(o, "layer", json_integer(m->layer));
	json_object_set_new(o, "layers", json_integer(m->nlayers));
	json_object_set_new(o, "layer_name", json_string(m->layer_name));
}

/* A binary a later layer deleted or replaced is not shipped: it is
 * reported, but it passes or fails nothing. */
static void report_shadowed(struct verify_run *run, const bi_member *m)
{
	const char *what = m->fate == BI_FATE_DELETED ? "deleted" : "replaced";
	json_t *o;

	if (!run->json) {
		printf("%s: not in the image: %s by layer %u of %u (%s)\n", m->name, what,
		       m->fate_layer, m->nlayers, m->fate_layer_name);
		return;
	}
	o = json_object();
	json_object_set_new(o, "file", json_string(m->name));
	json_object_set_new(o, "status", json_string(what));
	json_object_set_new(o, "go_version", json_string(m->info->go_version.p));
	json_object_set_new(o, "message",
	                    json_sprintf("%s by layer %u of %u (%s)", what, m->fate_layer,
	                                 m->nlayers, m->fate_layer_name));
	json_array_append_new(run->results, o);
	add_layer_json(run, m);
}

/* --path PATTERN: a glob over the member's path in its archive (the path
 * inside the image for image layers); a leading "/" is optional. */
static int member_selected(const struct verify_run *run, const bi_member *m)
{
	const char *pat = run->pattern;

	if (!pat)
		return 1;
	while (*pat == '/')
		pat++;
	return fnmatch(pat, m->path + 1, 0) == 0;
}

/* The profile a verified binary's fit is judged against: --profile, else
 * the file the binary names when it is here, else, for a name that is a
 * content hash, the cache's copy. NULL when none is here. buf holds
 * PATH_MAX bytes. */
static const char *fit_profile(const struct verify_run *run, const struct verify_result *r,
                               char *buf)
{
	const char *b = strrchr(r->pgo, '/');
	struct stat st;

	if (run->profile)
		return run->profile;
	if (r->pgo[0] == '/' && stat(r->pgo, &st) == 0 && S_ISREG(st.st_mode))
		return r->pgo;
	b = b ? b + 1 : r->pgo;
	if (run->cache_dir && strlen(b) == 68 && !strcmp(b + 64, ".pgo") &&
	    snprintf(buf, PATH_MAX, "%s/profiles/%s", run->cache_dir, b) < PATH_MAX &&
	    stat(buf, &st) == 0)
		return buf;
	return NULL;
}

/* The fit of a verified binary (path NULL: an archive member), when
 * min_fit asks for it. Returns 0, or -1 when out of memory. */
static int judge_fit(const struct verify_run *run, const char *path, struct verify_result *r)
{
	char buf[PATH_MAX];

	if (run->min_fit <= 0 || r->status != VERIFY_OK)
		return 0;
	return verify_fit(r, path, fit_profile(run, r, buf), run->min_fit, run->cache_dir);
}

static int verify_member(void *ctx, const bi_member *m)
{
	struct verify_run *run = ctx;
	struct verify_result r = {.status = VERIFY_UNREADABLE, .message = (char *)m->message};

	if (m->kind == BI_MEMBER_ERROR) {
		report(run, m->name, &r);
		return 0;
	}
	if (m->kind != BI_MEMBER_GO || !member_selected(run, m))
		return 0;
	if (m->fate != BI_FATE_PRESENT) {
		report_shadowed(run, m);
		return 0;
	}
	if (verify_info(m->info, run->profile, &r) != 0 || judge_fit(run, NULL, &r) != 0) {
		verify_result_clear(&r);
		pgo_errorf("out of memory verifying %s", m->name);
		return 1;
	}
	run->checked++;
	report(run, m->name, &r);
	add_layer_json(run, m);
	verify_result_clear(&r);
	return 0;
}

/* The archive a named file turned out to be, or the file's own verdict
 * when it is none. */
static void archive_done(void *ctx, const char *file, int rc, const bi_error *err)
{
	struct verify_run *run = ctx;
	struct verify_result r = {.status = VERIFY_NOT_GO};
	char msg[sizeof err->where + sizeof err->msg + 2];

	if (rc == BI_ARCHIVE_NOT) {
		report(run, file, &run->pending);
		verify_result_clear(&run->pending);
		return;
	}
	verify_result_clear(&run->pending);
	r.message = msg;
	if (rc == BI_ARCHIVE_FAIL) {
		r.status = VERIFY_UNREADABLE;
		if (strcmp(err->where, file) != 0)
			snprintf(msg, sizeof msg, "%s: %s", err->where, err->msg);
		else
			snprintf(msg, sizeof msg, "%s", err->msg);
		report(run, file, &r);
	}
	if (run->checked == 0 && run->pattern) {
		snprintf(msg, sizeof msg, "no Go binary in the archive matches --path %s",
		         run->pattern);
		report(run, file, &r);
	} else if (run->checked == 0 && rc == BI_ARCHIVE_OK) {
		snprintf(msg, sizeof msg, "the archive holds no Go binaries");
		report(run, file, &r);
	}
}

/* A file: judged; in a directory, only regular files, and only Go binaries
 * are reported, as `go version` does. */
static enum walk_found check_file(void *ctx, const char *file, const struct stat *st, int named)
{
	struct verify_run *run = ctx;
	struct verify_result r;
	int go;

	if (!named && !S_ISREG(st->st_mode))
		return WALK_OTHER;
	if (verify_binary(file, run->profile, &r) != 0 || judge_fit(run, file, &r) != 0) {
		verify_result_clear(&r);
		pgo_errorf("out of memory verifying %s", file);
		return WALK_STOP;
	}
	/* No object file at all: perhaps an archive. */
	if (named && r.status == VERIFY_NOT_GO && r.read_code == BI_E_FORMAT) {
		run->pending = r;
		run->checked = 0;
		return WALK_ARCHIVE;
	}
	go = r.status == VERIFY_OK || r.status == VERIFY_NO_PGO || r.status == VERIFY_MISMATCH ||
	     r.status == VERIFY_STALE;
	if (named || go)
		report(run, file, &r);
	verify_result_clear(&r);
	return go ? WALK_GO : WALK_OTHER;
}

static void arg_missing(void *ctx, const char *arg, int e)
{
	struct verify_result r = {.status = VERIFY_UNREADABLE, .read_code = BI_E_OPEN};
	char buf[256];

	r.message = (char *)goerr_errno_text(e, buf, sizeof buf);
	report(ctx, arg, &r);
}

static void entry_unreachable(void *ctx, const char *path, int e)
{
	(void)ctx;
	(void)path;
	(void)e;
}

static void dir_done(void *ctx, const char *dir, size_t found)
{
	struct verify_result r = {.status = VERIFY_NOT_GO,
	                          .message = (char *)"the directory holds no Go binaries"};

	if (found == 0)
		report(ctx, dir, &r);
}

/* min_fit and the cache directory, from the configuration here. */
static int load_fit_settings(struct verify_run *run)
{
	struct config c;
	fetch_err ferr;
	pgo_err err;

	if (project_load_config(&c, ".", &err) != 0) {
		pgo_errorf("%s", err.msg);
		return -1;
	}
	run->min_fit = c.min_fit;
	if (cache_default_dir(c.cache_dir, "PGO_GO_CACHE_DIR", &run->cache_dir, &ferr) != 0)
		run->cache_dir = NULL; /* no cache: its copies are not consulted */
	config_free(&c);
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	struct verify_run run = {0};
	struct goflag_def defs[] = {
	    {"json", GOFLAG_BOOL, &run.json, NULL},
	    {"profile", GOFLAG_STRING, NULL, &run.profile},
	    {"path", GOFLAG_STRING, NULL, &run.pattern},
	    {NULL, 0, NULL, NULL},
	};
	struct walk_ops ops = {arg_missing, entry_unreachable, check_file,   dir_done,
	                       0,           verify_member,     archive_done, 1};
	int first = goflag_parse(defs, argc, argv, "pgo-go: ", NULL);

	if (first == GOFLAG_HELP) {
		fputs(verify_usage, stdout);
		return 0;
	}
	if (first < 0)
		return 2;
	if (first == argc) {
		pgo_errorf("verify: name at least one binary (usage: pgo-go verify [-json] "
		           "[--profile FILE] [--path PATTERN] BINARY|DIR|ARCHIVE...)");
		return 2;
	}
	if (load_fit_settings(&run) != 0)
		return PGO_EXIT_FAIL;
	if (run.json && !(run.results = json_array())) {
		free(run.cache_dir);
		return 1;
	}
	if (walk_args(&ops, &run, argv + first, argc - first) != 0) {
		json_decref(run.results);
		free(run.cache_dir);
		return PGO_EXIT_FAIL;
	}
	free(run.cache_dir);
	if (run.json) {
		json_dumpf(run.results, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(run.results);
	}
	fflush(stdout);
	return run.failed ? 1 : 0;
}
