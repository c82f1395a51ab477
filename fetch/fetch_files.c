/* fetch_files.c — the local files source: files and directories of
 * profiles, keyed by their content, reduced and merged into one snapshot. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fetch_sources.h"
#include "fetch_sources_int.h"

/* One file: mapped, not read, so a profile of hundreds of MB costs no copy
 * and its pages can be dropped by the kernel once decoded. */
struct input {
	char *path;
	void *data; /* NULL when the file is empty */
	size_t len;
};

struct files_state {
	struct fetch_pulled s;
	struct input *in;
	size_t n, cap;
	char *display; /* the paths as given, " + " between them */
};

int fetch_files_wanted_name(const char *name)
{
	static const char *const ext[] = {".pprof", ".pgo", ".pb.gz"};
	size_t n = strlen(name);

	if (name[0] == '.')
		return 0;
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		size_t k = strlen(ext[i]);
		if (n > k && !strcmp(name + n - k, ext[i]))
			return 1;
	}
	return 0;
}

/* ---- the inputs ----------------------------------------------------------- */

static int add_input(struct files_state *st, char *path, fetch_err *err)
{
	if (!path)
		return fetch_err_nomem(err);
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 8;
		struct input *g = realloc(st->in, cap * sizeof *g);
		if (!g) {
			free(path);
			return fetch_err_nomem(err);
		}
		st->in = g;
		st->cap = cap;
	}
	st->in[st->n++] = (struct input){path, NULL, 0};
	return 0;
}

static int cmp_input(const void *a, const void *b)
{
	return strcmp(((const struct input *)a)->path, ((const struct input *)b)->path);
}

static int is_regular(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Every wanted file in dir, in name order. */
static int add_dir(struct files_state *st, const char *dir, fetch_err *err)
{
	size_t first = st->n;
	struct dirent *e;
	DIR *d = opendir(dir);
	char *p;
	int rc = 0;

	if (!d)
		return fetch_errf(err, FETCH_E_IO, "cannot read the directory %s: %s", dir,
		                  strerror(errno));
	while (rc == 0 && (e = readdir(d))) {
		if (!fetch_files_wanted_name(e->d_name))
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0) {
			rc = fetch_err_nomem(err);
			break;
		}
		if (is_regular(p))
			rc = add_input(st, p, err);
		else
			free(p);
	}
	closedir(d);
	if (rc == 0 && st->n == first)
		return fetch_errf(err, FETCH_E_IO, "no *.pprof, *.pgo or *.pb.gz file in %s", dir);
	qsort(st->in + first, st->n - first, sizeof *st->in, cmp_input);
	return rc;
}

static int expand(struct files_state *st, const char *const *paths, size_t npaths, fetch_err *err)
{
	struct stat sb;

	if (npaths == 0)
		return fetch_errf(err, FETCH_E_ARG, "no profile file or directory given");
	for (size_t i = 0; i < npaths; i++) {
		if (stat(paths[i], &sb) != 0)
			return fetch_errf(err, FETCH_E_IO, "cannot read %s: %s", paths[i],
			                  strerror(errno));
		if (S_ISDIR(sb.st_mode) ? add_dir(st, paths[i], err)
		                        : add_input(st, strdup(paths[i]), err))
			return -1;
	}
	return 0;
}

static int map_input(struct input *in, fetch_err *err)
{
	int fd = open(in->path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	int rc = -1;

	if (fd < 0)
		return fetch_errf(err, FETCH_E_IO, "cannot read %s: %s", in->path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		fetch_errf(err, FETCH_E_IO, "%s is not a regular file", in->path);
	else if (sb.st_size == 0)
		rc = 0; /* pprof_decode says what an empty profile is */
	else if ((in->data = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) ==
	         MAP_FAILED) {
		in->data = NULL;
		fetch_errf(err, FETCH_E_IO, "cannot read %s: %s", in->path, strerror(errno));
	} else {
		in->len = (size_t)sb.st_size;
		rc = 0;
	}
	close(fd);
	return rc;
}

static void files_clear(struct files_state *st)
{
	for (size_t i = 0; i < st->n; i++) {
		if (st->in[i].data)
			munmap(st->in[i].data, st->in[i].len);
		free(st->in[i].path);
	}
	free(st->in);
	free(st->display);
	memset(st, 0, sizeof *st);
}

/* ---- the job ----------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The key's "selectors": the inputs' hashes, sorted (the same files in
 * any order, under any names, are the same snapshot; a file given twice
 * counts twice, as it does in the merge). */
static int content_selectors(struct fetch_job *j, struct files_state *st, fetch_err *err)
{
	char hex[CACHE_HEX_LEN + 1];

	if (!(j->selectors = calloc(st->n, sizeof *j->selectors)))
		return fetch_err_nomem(err);
	for (size_t i = 0; i < st->n; i++, j->nselectors++) {
		if (map_input(&st->in[i], err) != 0)
			return -1;
		cache_sha256_hex(st->in[i].data ? st->in[i].data : "", st->in[i].len, hex);
		if (asprintf(&j->selectors[i], "sha256:%s", hex) < 0) {
			j->selectors[i] = NULL;
			return fetch_err_nomem(err);
		}
	}
	qsort(j->selectors, st->n, sizeof *j->selectors, cmp_str);
	return 0;
}

static int make_display(struct files_state *st, const char *const *paths, size_t npaths)
{
	size_t n = 1;

	for (size_t i = 0; i < npaths; i++)
		n += strlen(paths[i]) + 3;
	if (!(st->display = calloc(1, n)))
		return -1;
	for (size_t i = 0; i < npaths; i++) {
		if (i)
			strcat(st->display, " + ");
		strcat(st->display, paths[i]);
	}
	return 0;
}

/* Read: its pages need not stay resident while it is decoded and reduced
 * (the mapping stays, for files_clear). */
static void drop_input(void *ctx)
{
	struct input *in = ctx;

	if (in->data)
		madvise(in->data, in->len, MADV_DONTNEED);
}

static int files_pull(struct fetch_job *j, cache_meta *m, unsigned *requests, fetch_err *err)
{
	struct files_state *st = j->src;
	fetch_pgo *acc = fetch_pgo_new(&j->o->reduce);
	char what[600];
	int rc = -1;

	(void)requests;
	memset(m, 0, sizeof *m);
	st->s = (struct fetch_pulled){.display = st->display};
	if (!acc)
		return fetch_err_nomem(err);
	for (size_t i = 0; i < st->n; i++) {
		snprintf(what, sizeof what, "%s", st->in[i].path);
		if (fetch_source_add(&st->s, st->in[i].data, st->in[i].len, 0, drop_input,
		                     &st->in[i], what, acc, err) != 0)
			goto out;
	}
	if (acc->nsamples == 0)
		fetch_errf(err, FETCH_E_NODATA, "no samples in %s", st->display);
	else
		rc = fetch_source_store(j, &st->s, acc, m, err);
out:
	fetch_pgo_free(acc);
	return rc;
}

static int files_job(struct fetch_job *j, const fetch_opts *o, struct files_state *st,
                     fetch_err *err)
{
	j->o = o;
	j->now = o->now ? o->now : (int64_t)time(NULL);
	j->type = FETCH_FILES_TYPE;
	if (!(j->server = strdup("local files")) || !(j->label = strdup(st->display)))
		return fetch_err_nomem(err);
	if (content_selectors(j, st, err) != 0 || fetch_job_cache(j, err) != 0)
		return -1;
	fetch_job_query(j, NULL, 0);
	j->pull = files_pull;
	j->src = st;
	return 0;
}

/* A cached snapshot keeps the names its content was first read under; the
 * result names the paths given now. */
static int name_result(fetch_result *r, const char *display, fetch_err *err)
{
	char *d = strdup(display);

	if (!d) {
		fetch_result_clear(r);
		return fetch_err_nomem(err);
	}
	free(r->meta.service);
	r->meta.service = d;
	return 0;
}

int fetch_from_files(const fetch_opts *o, const char *const *paths, size_t npaths, fetch_result *r,
                     fetch_err *err)
{
	struct files_state st;
	struct fetch_job j;
	fetch_opts local = *o;
	fetch_err ignored;
	int rc = -1;

	memset(r, 0, sizeof *r);
	memset(&j, 0, sizeof j);
	memset(&st, 0, sizeof st);
	if (!err)
		err = &ignored;
	/* Files need no network, and one that cannot be read is an error,
	 * not a reason to use an older snapshot of other content. */
	local.offline = 0;
	local.max_age = -1;
	if (make_display(&st, paths, npaths) != 0)
		fetch_err_nomem(err);
	else if (expand(&st, paths, npaths, err) == 0 && files_job(&j, &local, &st, err) == 0)
		rc = fetch_job_run(&j, r, err);
	if (rc == 0)
		rc = name_result(r, st.display, err);
	fetch_job_free(&j);
	files_clear(&st);
	return rc;
}
