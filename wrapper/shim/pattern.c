#include "pattern.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goerr.h"
#include "gomod.h"

/* internal/syslist: KnownOS and KnownArch. */
static const char *const known_os[] = {
    "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",    "illumos", "ios",     "js",
    "linux", "nacl",    "netbsd", "openbsd",   "plan9",   "solaris", "wasip1",  "windows", "zos",
};
static const char *const known_arch[] = {
    "386",     "amd64",  "amd64p32", "arm",      "armbe",     "arm64",       "arm64be", "loong64",
    "mips",    "mipsle", "mips64",   "mips64le", "mips64p32", "mips64p32le", "ppc",     "ppc64",
    "ppc64le", "riscv",  "riscv64",  "s390",     "s390x",     "sparc",       "sparc64", "wasm",
};

static int in_list(const char *s, size_t n, const char *const *list, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (strlen(list[i]) == n && !strncmp(list[i], s, n))
			return 1;
	return 0;
}

#define IN(list, s, n) in_list((s), (n), (list), sizeof(list) / sizeof *(list))

int pattern_has_osarch_suffix(const char *name)
{
	size_t n = strlen(name);
	const char *end = n > 3 && !strcmp(name + n - 3, ".go") ? name + n - 3 : name + n;
	const char *last = NULL, *prev = NULL;

	for (const char *p = name; p < end; p++)
		if (*p == '_') {
			prev = last;
			last = p;
		}
	/* goodOSArchFile ignores the first element: "linux.go" is no suffix. */
	if (!last || last == name)
		return 0;
	if (IN(known_os, last + 1, (size_t)(end - last - 1)) ||
	    IN(known_arch, last + 1, (size_t)(end - last - 1)))
		return 1;
	return prev && prev != name && IN(known_os, prev + 1, (size_t)(last - prev - 1)) &&
	       IN(known_arch, last + 1, (size_t)(end - last - 1));
}

int pattern_is_dir_pattern(const char *arg)
{
	size_t n = strlen(arg);

	if (n < 3 || strcmp(arg + n - 3, "...") != 0 || strstr(arg, "...") != arg + n - 3)
		return 0;
	if (n > 3 && arg[n - 4] != '/')
		return 0; /* "./cmd/x..." matches names that merely start so */
	return !strncmp(arg, "./", 2) || !strncmp(arg, "../", 3) || arg[0] == '/';
}

/* What a directory holds, as far as this walk can tell. */
enum dir_kind { DIR_NONE, DIR_PACKAGE, DIR_UNSURE };

/* The file's package, when the file takes part in every build: no build
 * constraint, no cgo. NULL in *pkg when it may not (then *unsure). */
static void plain_package(const char *path, char **pkg, int *unsure)
{
	char buf[64 * 1024];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t got;

	*pkg = NULL;
	*unsure = 1;
	if (fd < 0)
		return;
	while (n < sizeof buf - 1 && (got = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)got;
	close(fd);
	buf[n] = '\0';
	if (memmem(buf, n, "//go:build", 10) || memmem(buf, n, "// +build", 9) ||
	    memmem(buf, n, "\"C\"", 3))
		return;
	if ((*pkg = mainpkg_package_clause(buf, n)) != NULL)
		*unsure = 0;
}

static int is_source(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && !strcmp(name + n - 3, ".go") && name[0] != '_' && name[0] != '.' &&
	       !(n > 8 && !strcmp(name + n - 8, "_test.go"));
}

/* A directory entry: its name, and its type as readdir tells it
 * (DT_UNKNOWN when the file system does not). */
struct entry {
	char *name;
	unsigned char type;
};

/* The package in dir (*pkg, malloc'd), judged from its files; root is the
 * module's own directory. */
static enum dir_kind classify(const char *dir, int root, const struct entry *e, size_t n,
                              char **pkg)
{
	*pkg = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *name = e[i].name;
		char path[PATH_MAX], *p;
		int unsure;
		if ((!root && !strcmp(name, "go.mod")) || !strcmp(name, "vendor"))
			return DIR_UNSURE; /* a nested module, a vendor tree: go list's rules */
		if (!is_source(name))
			continue;
		if (pattern_has_osarch_suffix(name) ||
		    snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
			return DIR_UNSURE;
		plain_package(path, &p, &unsure);
		if (unsure || (*pkg && strcmp(*pkg, p) != 0)) {
			free(p);
			return DIR_UNSURE;
		}
		if (*pkg)
			free(p);
		else
			*pkg = p;
	}
	return *pkg ? DIR_PACKAGE : DIR_NONE;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static struct entry *sorted_entries(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct entry *v = NULL, *grown;
	struct dirent *de;
	size_t n = 0;

	*count = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!(grown = realloc(v, (n + 1) * sizeof *v)))
			break;
		v = grown;
		if (!(v[n].name = strdup(de->d_name)))
			break;
		v[n++].type = de->d_type;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, entry_cmp);
	*count = n;
	return v;
}

/* Whether the entry is a directory, not a link to one. readdir's type
 * saves a stat per entry (a tree of 150 commands: 300). */
static int is_dir(const struct entry *e, const char *path)
{
	struct stat st;

	if (e->type != DT_UNKNOWN)
		return e->type == DT_DIR;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The walk's fixed part: where the module is. */
struct walk {
	const struct gomod *mod;
	struct mainpkg_list *l;
};

static int add_package(const struct walk *w, const char *dir, char *pkg)
{
	const char *rel = dir + strlen(w->mod->root);
	struct mainpkg m = {0};
	int bad;

	w->l->npackages++;
	if (asprintf(&m.importpath, "%s%s", w->mod->path, rel) < 0)
		return free(pkg), -1;
	if (strcmp(pkg, "main") != 0) {
		free(pkg);
		bad = mainpkg_push_other(w->l, m.importpath);
		free(m.importpath);
		return bad;
	}
	free(pkg);
	m.dir = strdup(dir);
	m.arg = strdup(m.importpath);
	m.name = mainpkg_exec_name(m.importpath);
	m.modpath = strdup(w->mod->path);
	m.modroot = strdup(w->mod->root);
	if (asprintf(&m.reldir, ".%s", rel) < 0)
		m.reldir = NULL;
	if (!m.dir || !m.arg || !m.name || !m.modpath || !m.modroot || !m.reldir ||
	    mainpkg_push(w->l, &m) != 0)
		return mainpkg_clear(&m), -1;
	return 0;
}

/* 1 walked, 0 unsure (ask go list), -1 out of memory. */
static int walk_dir(const struct walk *w, const char *dir)
{
	size_t n;
	struct entry *e = sorted_entries(dir, &n);
	char *pkg;
	int rc = 1;

	switch (classify(dir, !strcmp(dir, w->mod->root), e, n, &pkg)) {
	case DIR_UNSURE:
		rc = 0;
		break;
	case DIR_PACKAGE:
		if (add_package(w, dir, pkg) != 0)
			rc = -1;
		break;
	case DIR_NONE:
		break;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = e[i].name;
		char *child = rc == 1 && name[0] != '.' && name[0] != '_' &&
		                      strcmp(name, "testdata") != 0 && e[i].type != DT_REG
		                  ? goerr_join(dir, name)
		                  : NULL;
		if (child && is_dir(&e[i], child))
			rc = walk_dir(w, child);
		free(child);
		free(e[i].name);
	}
	free(e);
	return rc;
}

int pattern_resolve(const char *workdir, const char *arg, struct mainpkg_list *l)
{
	char base[PATH_MAX];
	size_t n = strlen(arg) - 3; /* without "..." */
	struct gomod mod;
	struct walk w = {&mod, l};
	int rc;

	if (snprintf(base, sizeof base, "%s%s%.*s", arg[0] == '/' ? "" : workdir,
	             arg[0] == '/' ? "" : "/", (int)n, arg) >= (int)sizeof base)
		return 0;
	goerr_clean_path(base);
	if (gomod_find(base, &mod) != 0)
		return 0;
	/* Only inside the module: a pattern reaching above its root is go's. */
	if (strncmp(base, mod.root, strlen(mod.root)) != 0 ||
	    (base[strlen(mod.root)] != '/' && base[strlen(mod.root)] != '\0'))
		rc = 0;
	else
		rc = walk_dir(&w, base);
	gomod_free(&mod);
	return rc;
}
