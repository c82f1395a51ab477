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
#include "goerr.h"
#include "gocmd.h"
#include "goflag.h"
#include "msg.h"
#include "outputs.h"
#include "pgo_version.h"

static const char version_usage[] = "usage: pgo-go version [-m] [-v] [-json] [file ...]\n"
				    "Run 'pgo-go --help' for details.\n";

/* What one run of the command was asked to do, and how it went. */
struct version_run {
	int m;       /* -m: print the module information */
	int v;       /* -v: report files that are not Go binaries */
	int json;    /* -json: the module information as Go's JSON */
	int status;  /* exit status so far */
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

/* What one archive named on the command line held. */
struct version_archive {
	struct version_run *run;
	size_t found; /* Go binaries printed */
	int errors;   /* members that could not be read */
};

/* A Go binary that a later image layer deleted or replaced is not in the
 * image: it gets a note instead of Go's line. */
static void print_shadowed(const bi_member *m)
{
	err_line("%s: %s, %s by layer %u of %u (%s): not in the image\n", m->name,
		 m->info->go_version.p, m->fate == BI_FATE_DELETED ? "deleted" : "replaced",
		 m->fate_layer, m->nlayers, m->fate_layer_name);
}

/* One member, reported the way scan_file reports a file of a walk. */
static int print_member(void *ctx, const bi_member *m)
{
	struct version_archive *va = ctx;
	char buf[512];

	switch (m->kind) {
	case BI_MEMBER_GO:
		if (m->fate != BI_FATE_PRESENT) {
			print_shadowed(m);
			break;
		}
		print_info(va->run, m->name, m->info);
		va->found++;
		break;
	case BI_MEMBER_NOT_GO:
		err_line("%s: could not read Go build info from %s: %s\n", m->name, m->name,
			 bi_error_text(&m->err, buf, sizeof buf));
		break;
	case BI_MEMBER_SYMLINK:
		err_line("%s: symlink\n", m->name);
		break;
	case BI_MEMBER_ERROR:
		err_line("%s: %s\n", m->name, m->message);
		va->errors++;
		break;
	}
	return 0;
}

/* A file named on the command line that is no object file may be an
 * archive: its Go binaries are printed as members. Returns 0 when it is no
 * archive, and Go's answer for the file stands. */
static int scan_archive(struct version_run *run, const char *file)
{
	struct version_archive va = {run, 0, 0};
	bi_archive_error err;
	int rc = bi_archive_walk_file(file, file, NULL, run->v ? BI_ARCHIVE_ALL : 0, print_member,
				      &va, &err);

	if (rc == BI_ARCHIVE_NOT)
		return 0;
	if (rc == BI_ARCHIVE_FAIL)
		err_line("%s: %s\n", err.where, err.what);
	else if (va.found == 0)
		err_line("%s: no Go binaries in the archive\n", file);
	if (rc != BI_ARCHIVE_OK || va.errors > 0 || (va.found == 0 && run->m))
		run->status = 1;
	return 1;
}

/* Go's scanFile: reports whether file is a Go binary; prints errors only
 * when must_print. st describes the file as found (lstat in a walk); named
 * says it was named on the command line, where archives are searched. */
static int scan_file(struct version_run *run, const char *file, struct stat st, int must_print,
		     int named)
{
	bi_info *bi = NULL;
	bi_error err;
	char buf[512];

	if (S_ISLNK(st.st_mode)) {
		/* A walk follows symlinks to files only. */
		if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
			if (must_print)
				err_line("%s: symlink\n", file);
			return 0;
		}
	}
	if (bi_read_file(file, &bi, &err) != BI_OK) {
		if (named && err.code == BI_E_FORMAT && scan_archive(run, file))
			return 1;
		if (!must_print)
			return 0;
		if (err.code == BI_E_OPEN || err.code == BI_E_IO) {
			/* Go prints only the name when the file itself failed. */
			err_line("%s\n", file);
		} else if (is_candidate(file, &st)) {
			err_line("%s: could not read Go build info from %s: %s\n", file, file,
				 bi_error_text(&err, buf, sizeof buf));
		}
		return 0;
	}
	print_info(run, file, bi);
	bi_info_free(bi);
	return 1;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir sorted by name, as Go's os.ReadDir; NULL if unreadable. */
static char **read_dir_sorted(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	*count = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			char **grown = realloc(names, ncap * sizeof *names);
			if (!grown)
				break;
			names = grown;
			cap = ncap;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	*count = n;
	return names;
}

/* One entry of filepath.WalkDir with scanDir's callback. */
static void walk(struct version_run *run, const char *path, int depth)
{
	struct stat st;
	char buf[256];

	if (lstat(path, &st) != 0) {
		/* d.Info() failed: the entry vanished or cannot be reached. */
		if (run->v && depth > 0) {
			err_line("%s: lstat %s: %s\n", path, path,
				 goerr_errno_text(errno, buf, sizeof buf));
		}
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		size_t n;
		char **names = read_dir_sorted(path, &n);
		for (size_t i = 0; i < n; i++) {
			char *child = goerr_join(path, names[i]);
			if (child)
				walk(run, child, depth + 1);
			free(child);
			free(names[i]);
		}
		free(names);
		return;
	}
	if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
		scan_file(run, path, st, run->v, 0);
}

static void scan_arg(struct version_run *run, const char *arg)
{
	struct stat st;
	char buf[256];

	if (stat(arg, &st) != 0) {
		err_line("stat %s: %s\n", arg, goerr_errno_text(errno, buf, sizeof buf));
		run->status = 1;
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk(run, arg, 0);
		return;
	}
	if (!scan_file(run, arg, st, 1, 1) && run->m)
		run->status = 1;
}

static int print_own_version(void)
{
	struct utsname u;
	const char *arch = "unknown";

	if (uname(&u) == 0)
		arch = !strcmp(u.machine, "x86_64") ? "amd64" : !strcmp(u.machine, "aarch64") ? "arm64" : u.machine;
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
			fprintf(stderr, "pgo-go: 'pgo-go version' only accepts %s flag with arguments\n", flag);
			return 2;
		}
		return print_own_version();
	}
	if (!run.m && run.json) {
		fprintf(stderr, "pgo-go: 'pgo-go version' with -json flag requires -m flag\n");
		return 2;
	}
	for (int i = first; i < argc; i++)
		scan_arg(&run, argv[i]);
	fflush(stdout);
	return run.status;
}
