#include "cmd_verify.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "goerr.h"
#include "goflag.h"
#include "msg.h"
#include "verify.h"

static const char verify_usage[] =
	"usage: pgo-go verify [-json] [--profile FILE] BINARY|DIR...\n";

/* The state of one `pgo-go verify` run. */
struct verify_run {
	int json;            /* -json: a JSON array instead of lines */
	const char *profile; /* --profile: the profile every binary must name */
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

static int check_file(struct verify_run *run, const char *file, int in_dir)
{
	struct verify_result r;

	if (verify_binary(file, run->profile, &r) != 0) {
		pgo_errorf("out of memory verifying %s", file);
		return -1;
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
			   "[--profile FILE] BINARY|DIR...)");
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
