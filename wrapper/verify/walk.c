#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goerr.h"

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

/* A file; named ones the action cannot read as an object file are tried
 * as archives. */
static int visit_file(const struct walk_ops *ops, void *ctx, const char *path,
                      const struct stat *st, int named, size_t *found)
{
	enum walk_found f = ops->file(ctx, path, st, named);
	bi_error err;
	int rc;

	if (f == WALK_STOP)
		return -1;
	if (f == WALK_GO)
		(*found)++;
	if (f != WALK_ARCHIVE || !named)
		return 0;
	rc = bi_archive_walk_file(path, path, NULL, ops->archive_flags, ops->member, ctx, &err);
	ops->archive_done(ctx, path, rc, &err);
	return rc == BI_ARCHIVE_STOPPED ? -1 : 0;
}

/* One entry of filepath.WalkDir, depth 0 being the argument itself. */
static int walk_entry(const struct walk_ops *ops, void *ctx, const char *path, int depth,
                      size_t *found)
{
	struct stat st;
	char **names;
	size_t n;
	int rc = 0;

	if ((depth == 0 && ops->follow_root_link ? stat(path, &st) : lstat(path, &st)) != 0) {
		/* d.Info() failed: the entry vanished or cannot be reached. */
		if (depth > 0)
			ops->unreachable(ctx, path, errno);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)
		           ? visit_file(ops, ctx, path, &st, 0, found)
		           : 0;
	names = read_dir_sorted(path, &n);
	for (size_t i = 0; i < n; i++) {
		char *child = rc == 0 ? goerr_join(path, names[i]) : NULL;
		if (rc == 0)
			rc = child ? walk_entry(ops, ctx, child, depth + 1, found) : -1;
		free(child);
		free(names[i]);
	}
	free(names);
	return rc;
}

int walk_args(const struct walk_ops *ops, void *ctx, char *const *args, int nargs)
{
	for (int i = 0; i < nargs; i++) {
		struct stat st;
		size_t found = 0;

		if (stat(args[i], &st) != 0) {
			ops->missing(ctx, args[i], errno);
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (visit_file(ops, ctx, args[i], &st, 1, &found) != 0)
				return -1;
			continue;
		}
		if (walk_entry(ops, ctx, args[i], 0, &found) != 0)
			return -1;
		if (ops->dir_done)
			ops->dir_done(ctx, args[i], found);
	}
	return 0;
}
