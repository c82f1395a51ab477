#include "cmd_version.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bi.h"
#include "bi_archive.h"
#include "gocmd.h"
#include "goerr.h"
#include "goflag.h"
#include "msg.h"
#include "outputs.h"
#include "pgo_version.h"
#include "walk.h"

static const char version_usage[] = "usage: pgo-go version [-m] [-v] [-json] [file ...]\n"
                                    "Run 'pgo-go --help' for details.\n";

/* What one run of the command was asked to do, and how it went. */
struct version_run {
	int m;      /* -m: print the module information */
	int v;      /* -v: report files that are not Go binaries */
	int json;   /* -json: the module information as Go's JSON */
	int status; /* exit status so far */
	/* A named file being tried as an archive: why it was no object file,
	 * and what its members came to. */
	bi_error pending;
	struct stat pending_st;
	size_t members_found;
	size_t member_errors;
};

/* Go writes both streams unbuffered; flushing keeps their relative order. */
static void err_line(const char *fmt, ...) PGO_PRINTF(1, 2);

static void err_line(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* Go's isGoBinaryCandidate: exec bit on a regular file, or a name that
 * looks like a library or a Windows executable. */
static int is_candidate(const char *file, const struct stat *st)
{
	const char *slash = strrchr(file, '/');
	const char *dot = strrchr(slash ? slash + 1 : file, '.');
	char *lower;
	int yes = 0;

	if (S_ISREG(st->st_mode) && (st->st_mode & 0111))
		return 1;
	if (!(lower = strdup(file)))
		return 0;
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (dot) {
		const char *ext = lower + (dot - file);
		yes = !strcmp(ext, ".so") || !strcmp(ext, ".exe") || !strcmp(ext, ".dll");
	}
	if (!yes)
		yes = strstr(lower, ".so.") != NULL;
	free(lower);
	return yes;
}

static void print_info(const struct version_run *run, const char *file, const bi_info *bi)
{
	size_t len;
	char *text;

	if (run->m && run->json) {
		text = bi_info_json(bi, &len);
		if (text) {
			fwrite(text, 1, len, stdout);
			fputc('\n', stdout);
		}
		free(text);
		return;
	}
	printf("%s: ", file);
	fwrite(bi->go_version.p, 1, bi->go_version.n, stdout);
	fputc('\n', stdout);
	if (!run->m)
		return;
	bi_info copy = *bi;
	copy.go_version = (bi_str){"", 0}; /* printed above already */
	text = bi_info_string(&copy, &len);
	if (text && len > 0) {
		fputc('\t', stdout);
		for (size_t i = 0; i + 1 < len; i++) {
			fputc(text[i], stdout);
			if (text[i] == '\n')
				fputc('\t', stdout);
		}
		fputc('\n', stdout);
	}
	free(text);
}

/* A Go binary that a later image layer deleted or replaced is not in the
 * image: it gets a note instead of Go's line. */
static void print_shadowed(const bi_member *m)
{
	err_line("%s: %s, %s by layer %u of %u (%s): not in the image\n", m->name,
	         m->info->go_version.p, m->fate == BI_FATE_DELETED ? "deleted" : "replaced",
	         m->fate_layer, m->nlayers, m->fate_layer_name);
}

/* One member, reported the way a file of a walk is. */
static int print_member(void *ctx, const bi_member *m)
{
	struct version_run *run = ctx;

	switch (m->kind) {
	case BI_MEMBER_GO:
		if (m->fate != BI_FATE_PRESENT) {
			print_shadowed(m);
			break;
		}
		print_info(run, m->name, m->info);
		run->members_found++;
		break;
	case BI_MEMBER_NOT_GO:
		err_line("%s: could not read Go build info from %s: %s\n", m->name, m->name,
		         m->err.msg);
		break;
	case BI_MEMBER_SYMLINK:
		err_line("%s: symlink\n", m->name);
		break;
	case BI_MEMBER_ERROR:
		err_line("%s: %s\n", m->name, m->message);
		run->member_errors++;
		break;
	}
	return 0;
}

/* Go's answer for a file that is not a Go binary, printed only when it
 * must be: the name alone when the file itself failed, else the error for
 * files that look like executables. */
static void print_not_go(const char *file, const struct stat *st, const bi_error *err)
{
	if (err->code == BI_E_OPEN || err->code == BI_E_IO)
		err_line("%s\n", file);
	else if (is_candidate(file, st))
		err_line("%s: could not read Go build info from %s: %s\n", file, file, err->msg);
}

/* The archive a named file turned out to be, or Go's answer for the file
 * when it is none. */
static void archive_done(void *ctx, const char *file, int rc, const bi_error *err)
{
	struct version_run *run = ctx;

	if (rc == BI_ARCHIVE_NOT) {
		print_not_go(file, &run->pending_st, &run->pending);
		if (run->m)
			run->status = 1;
		return;
	}
	if (rc == BI_ARCHIVE_FAIL)
		err_line("%s: %s\n", err->where, err->msg);
	else if (run->members_found == 0)
		err_line("%s: no Go binaries in the archive\n", file);
	if (rc != BI_ARCHIVE_OK || run->member_errors > 0 || (run->members_found == 0 && run->m))
		run->status = 1;
}

/* Go's scanFile: prints a Go binary; prints errors only when it must (a
 * named file, or -v). A walk follows symlinks to files only. */
static enum walk_found scan_file(void *ctx, const char *file, const struct stat *found, int named)
{
	struct version_run *run = ctx;
	int must_print = named || run->v;
	struct stat st = *found;
	bi_info *bi = NULL;
	bi_error err;

	if (S_ISLNK(st.st_mode) && (stat(file, &st) != 0 || !S_ISREG(st.st_mode))) {
		if (must_print)
			err_line("%s: symlink\n", file);
		return WALK_OTHER;
	}
	if (bi_read_file(file, &bi, &err) == BI_OK) {
		print_info(run, file, bi);
		bi_info_free(bi);
		return WALK_GO;
	}
	if (named && err.code == BI_E_FORMAT) {
		run->pending = err;
		run->pending_st = st;
		run->members_found = run->member_errors = 0;
		return WALK_ARCHIVE;
	}
	if (must_print)
		print_not_go(file, &st, &err);
	if (named && run->m)
		run->status = 1;
	return WALK_OTHER;
}

static void arg_missing(void *ctx, const char *arg, int e)
{
	struct version_run *run = ctx;
	char buf[256];

	err_line("stat %s: %s\n", arg, goerr_errno_text(e, buf, sizeof buf));
	run->status = 1;
}

static void entry_unreachable(void *ctx, const char *path, int e)
{
	struct version_run *run = ctx;
	char buf[256];

	if (run->v)
		err_line("%s: lstat %s: %s\n", path, path, goerr_errno_text(e, buf, sizeof buf));
}

static int print_own_version(void)
{
	struct utsname u;
	const char *arch = "unknown";

	if (uname(&u) == 0)
		arch = !strcmp(u.machine, "x86_64")    ? "amd64"
		       : !strcmp(u.machine, "aarch64") ? "arm64"
		                                       : u.machine;
	printf("pgo-go version %s linux/%s\n", PGO_GO_VERSION, arch);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	struct version_run run = {0};
	const char *chdir_to = NULL;
	struct goflag_def defs[] = {
	    {"m", GOFLAG_BOOL, &run.m, NULL},
	    {"v", GOFLAG_BOOL, &run.v, NULL},
	    {"json", GOFLAG_BOOL, &run.json, NULL},
	    {"C", GOFLAG_CHDIR, NULL, &chdir_to},
	    {NULL, 0, NULL, NULL},
	};
	char *file_goflags = NULL, **goflag_words;
	const char *goflags = getenv("GOFLAGS");
	int first;

	/* As go: the environment, else the go env file; then the command line. */
	if (!goflags || !*goflags)
		goflags = file_goflags = goenv_file_value("GOFLAGS");
	first = goflag_apply_env(defs, goflags, "pgo-go: ", version_usage, &goflag_words);
	gocmd_free_words(goflag_words); /* version's own flags hold no strings */
	free(file_goflags);
	if (first == 0)
		first = goflag_parse(defs, argc, argv, "", version_usage);
	if (first < 0)
		return first == GOFLAG_FATAL ? 1 : 2;
	if (chdir_to && chdir(chdir_to) != 0) {
		char buf[256];
		fflush(stdout);
		fprintf(stderr, "pgo-go: chdir %s: %s\n", chdir_to,
		        goerr_errno_text(errno, buf, sizeof buf));
		return 1;
	}
	if (first == argc) {
		const char *flag = run.m ? "-m" : run.v ? "-v" : run.json ? "-json" : NULL;
		if (flag) {
			fprintf(stderr,
			        "pgo-go: 'pgo-go version' only accepts %s flag with arguments\n",
			        flag);
			return 2;
		}
		return print_own_version();
	}
	if (!run.m && run.json) {
		fprintf(stderr, "pgo-go: 'pgo-go version' with -json flag requires -m flag\n");
		return 2;
	}
	struct walk_ops ops = {
	    arg_missing,  entry_unreachable, scan_file, NULL, run.v ? BI_ARCHIVE_ALL : 0,
	    print_member, archive_done,      0};
	walk_args(&ops, &run, argv + first, argc - first);
	fflush(stdout);
	return run.status;
}
