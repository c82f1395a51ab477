#include "cmd_verify.h"

#include <dirent.h>
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
#include "goerr.h"
#include "goflag.h"
#include "msg.h"
#include "verify.h"

static const char verify_usage[] =
	"usage: pgo-go verify [-json] [--profile FILE] [--path PATTERN] BINARY|DIR|ARCHIVE...\n";

/* The state of one `pgo-go verify` run. */
struct verify_run {
	int json;            /* -json: a JSON array instead of lines */
	const char *profile; /* --profile: the profile every binary must name */
	const char *pattern; /* --path: only archive members whose path matches */
	json_t *results;     /* -json: the array being built */
	int failed;          /* some binary is not verified */
	int found;           /* binaries reported under the current argument */
};

static void report_line(const char *file, const struct verify_result *r)
{
	switch (r->status) {
	case VERIFY_OK:
		printf("%s: verified (-pgo=%s)\n", file, r->pgo);
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
	json_array_append_new(arr, o);
}

static void report(struct verify_run *run, const char *file, const struct verify_result *r)
{
	run->found++;
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
	json_object_set_new(o, "message", json_sprintf("%s by layer %u of %u (%s)", what,
							m->fate_layer, m->nlayers,
							m->fate_layer_name));
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

/* What one archive named on the command line held. */
struct verify_archive {
	struct verify_run *run;
	size_t checked; /* Go binaries judged */
	int nomem;
};

static int verify_member(void *ctx, const bi_member *m)
{
	struct verify_archive *va = ctx;
	struct verify_result r = {VERIFY_UNREADABLE, NULL, NULL, (char *)m->message};

	if (m->kind == BI_MEMBER_ERROR) {
		report(va->run, m->name, &r);
		return 0;
	}
	if (m->kind != BI_MEMBER_GO || !member_selected(va->run, m))
		return 0;
	if (m->fate != BI_FATE_PRESENT) {
		report_shadowed(va->run, m);
		return 0;
	}
	if (verify_info(m->info, va->run->profile, &r) != 0) {
		verify_result_clear(&r);
		va->nomem = 1;
		return 1;
	}
	va->checked++;
	report(va->run, m->name, &r);
	add_layer_json(va->run, m);
	verify_result_clear(&r);
	return 0;
}

/* A file named on the command line that is no object file may be an
 * archive. Returns 1 when it was one (and is reported), 0 when it is no
 * archive, -1 when out of memory. */
static int check_archive(struct verify_run *run, const char *file)
{
	struct verify_archive va = {run, 0, 0};
	struct verify_result r = {VERIFY_NOT_GO, NULL, NULL, NULL};
	bi_archive_error err;
	char msg[sizeof(((bi_archive_error *)0)->where) + sizeof(((bi_archive_error *)0)->what) + 2];
	int rc = bi_archive_walk_file(file, file, NULL, 0, verify_member, &va, &err);

	if (va.nomem)
		return -1;
	if (rc == BI_ARCHIVE_NOT)
		return 0;
	r.message = msg;
	if (rc == BI_ARCHIVE_FAIL) {
		r.status = VERIFY_UNREADABLE;
		if (strcmp(err.where, file) != 0)
			snprintf(msg, sizeof msg, "%s: %s", err.where, err.what);
		else
			snprintf(msg, sizeof msg, "%s", err.what);
		report(run, file, &r);
	}
	if (va.checked == 0 && run->pattern) {
		snprintf(msg, sizeof msg, "no Go binary in the archive matches --path %s",
			 run->pattern);
		report(run, file, &r);
	} else if (va.checked == 0 && rc == BI_ARCHIVE_OK) {
		snprintf(msg, sizeof msg, "the archive holds no Go binaries");
		report(run, file, &r);
	}
	return 1;
}

/* Whether verify_binary found no object file at all: perhaps an archive. */
static int unrecognized(const struct verify_result *r)
{
	bi_error format = {.code = BI_E_FORMAT};

	return r->status == VERIFY_NOT_GO && r->message &&
	       !strcmp(r->message, bi_error_text(&format, NULL, 0));
}

static int check_file(struct verify_run *run, const char *file, int in_dir)
{
	struct verify_result r;

	if (verify_binary(file, run->profile, &r) != 0) {
		pgo_errorf("out of memory verifying %s", file);
		return -1;
	}
	if (!in_dir && unrecognized(&r)) {
		int rc = check_archive(run, file);
		if (rc != 0) {
			verify_result_clear(&r);
			return rc < 0 ? -1 : 0;
		}
	}
	/* A directory walk reports Go binaries only, as `go version` does. */
	if (!in_dir || r.status == VERIFY_OK || r.status == VERIFY_NO_PGO ||
	    r.status == VERIFY_MISMATCH)
		report(run, file, &r);
	verify_result_clear(&r);
	return 0;
}

static int walk(struct verify_run *run, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		char *path;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!(path = goerr_join(dir, de->d_name))) {
			rc = -1;
			break;
		}
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rc = walk(run, path);
		else if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = check_file(run, path, 1);
		free(path);
	}
	closedir(d);
	return rc;
}

static int check_arg(struct verify_run *run, const char *arg)
{
	struct stat st;

	if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode))
		return check_file(run, arg, 0);
	run->found = 0;
	if (walk(run, arg) != 0)
		return -1;
	if (run->found == 0) {
		struct verify_result r = {VERIFY_NOT_GO, NULL, NULL,
					  (char *)"the directory holds no Go binaries"};
		report(run, arg, &r);
	}
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
	if (run.json && !(run.results = json_array()))
		return 1;
	for (int i = first; i < argc; i++) {
		if (check_arg(&run, argv[i]) != 0) {
			json_decref(run.results);
			return 1;
		}
	}
	if (run.json) {
		json_dumpf(run.results, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(run.results);
	}
	fflush(stdout);
	return run.failed ? 1 : 0;
}
