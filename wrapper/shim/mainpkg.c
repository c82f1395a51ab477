#include "mainpkg.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "child.h"
#include "goerr.h"
#include "golist.h"
#include "gomod.h"
#include "pattern.h"

/* Package clauses come after at most a licence header and a doc comment. */
#define CLAUSE_READ_LIMIT (64 * 1024)

static int is_version_elem(const char *s)
{
	if (strlen(s) < 2 || s[0] != 'v' || s[1] == '0' || (s[1] == '1' && s[2] == '\0'))
		return 0;
	for (s++; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

char *mainpkg_exec_name(const char *importpath)
{
	const char *slash = strrchr(importpath, '/');
	const char *elem = slash ? slash + 1 : importpath;

	if (slash && is_version_elem(elem)) {
		const char *prev = slash;
		while (prev > importpath && prev[-1] != '/')
			prev--;
		return strndup(prev, (size_t)(slash - prev));
	}
	return strdup(elem);
}

/* Skips white space and comments; returns the next token position. */
static const char *skip_blank(const char *p, const char *end)
{
	while (p < end) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
			while (p < end && *p != '\n')
				p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			const char *close = NULL;
			for (const char *q = p + 2; q + 1 < end; q++)
				if (q[0] == '*' && q[1] == '/') {
					close = q;
					break;
				}
			if (!close)
				return end;
			p = close + 2;
		} else {
			break;
		}
	}
	return p;
}

char *mainpkg_package_clause(const char *src, size_t len)
{
	const char *p = src, *end = src + len, *name;

	if (len >= 3 && !memcmp(src, "\xef\xbb\xbf", 3))
		p += 3;
	p = skip_blank(p, end);
	if (end - p < 8 || strncmp(p, "package", 7) != 0 ||
	    !(isspace((unsigned char)p[7]) || p[7] == '/'))
		return NULL;
	p = skip_blank(p + 7, end);
	name = p;
	while (p < end && (isalnum((unsigned char)*p) || *p == '_' || (unsigned char)*p >= 0x80))
		p++;
	return p > name ? strndup(name, (size_t)(p - name)) : NULL;
}

static char *clause_of_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf, *name = NULL;
	size_t n;

	if (!f)
		return NULL;
	if ((buf = malloc(CLAUSE_READ_LIMIT)) != NULL) {
		n = fread(buf, 1, CLAUSE_READ_LIMIT, f);
		name = mainpkg_package_clause(buf, n);
		free(buf);
	}
	fclose(f);
	return name;
}

static int is_go_source(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && !strcmp(name + n - 3, ".go") && name[0] != '_' && name[0] != '.' &&
	       !(n > 8 && !strcmp(name + n - 8, "_test.go"));
}

/* The package name shared by every Go file in dir: 1 if found, 0 if the
 * files disagree or there are none (go list decides then), -1 on error. */
static int dir_package(const char *dir, char **pkg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 1;

	*pkg = NULL;
	if (!d)
		return -1;
	while (rc == 1 && (de = readdir(d)) != NULL) {
		char *path, *name;
		if (!is_go_source(de->d_name))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			rc = -1;
			break;
		}
		name = clause_of_file(path);
		free(path);
		if (!name || (*pkg && strcmp(name, *pkg) != 0))
			rc = 0;
		if (!*pkg && name)
			*pkg = name;
		else
			free(name);
	}
	closedir(d);
	if (rc == 1 && !*pkg)
		rc = 0;
	if (rc != 1) {
		free(*pkg);
		*pkg = NULL;
	}
	return rc;
}

int mainpkg_push(struct mainpkg_list *l, struct mainpkg *m)
{
	struct mainpkg *grown = realloc(l->mains, (l->nmains + 1) * sizeof *grown);

	if (!grown)
		return -1;
	l->mains = grown;
	grown[l->nmains++] = *m;
	return 0;
}

void mainpkg_clear(struct mainpkg *m)
{
	free(m->dir);
	free(m->importpath);
	free(m->name);
	free(m->arg);
	free(m->reldir);
	free(m->modpath);
	free(m->modroot);
	memset(m, 0, sizeof *m);
}

/* The module fields of m for directory dir: its module's root and path,
 * dir relative to the root ("." "./cmd/x") and, when importpath is not
 * NULL, the package's import path. 0, or -1 when dir is in no module (or
 * out of memory). */
static int module_fields(const char *dir, struct mainpkg *m, char **importpath)
{
	struct gomod mod;
	size_t rootlen;
	int rc = -1;

	if (gomod_find(dir, &mod) != 0)
		return -1;
	rootlen = strlen(mod.root);
	if (!strcmp(dir, mod.root)) {
		m->reldir = strdup(".");
		if (importpath)
			*importpath = strdup(mod.path);
	} else if (!strncmp(dir, mod.root, rootlen) && dir[rootlen] == '/') {
		if (asprintf(&m->reldir, ".%s", dir + rootlen) < 0)
			m->reldir = NULL;
		if (importpath && asprintf(importpath, "%s%s", mod.path, dir + rootlen) < 0)
			*importpath = NULL;
	}
	if (m->reldir && (!importpath || *importpath)) {
		m->modpath = mod.path; /* taken over */
		m->modroot = mod.root;
		mod.path = mod.root = NULL;
		rc = 0;
	}
	gomod_free(&mod);
	return rc;
}

/* Fills m for the main package in absolute directory dir. */
static int describe_dir(const char *dir, struct mainpkg *m)
{
	memset(m, 0, sizeof *m);
	if (!(m->dir = strdup(dir)) || module_fields(dir, m, &m->importpath) != 0 ||
	    !(m->name = mainpkg_exec_name(m->importpath)) || !(m->arg = strdup(m->importpath))) {
		mainpkg_clear(m);
		return -1;
	}
	return 0;
}

/* An argument as go makes it absolute: joined to the working directory and
 * cleaned lexically (filepath.Join), symbolic links left as spelt. -1 when
 * it names nothing. */
static int abs_path(const char *workdir, const char *arg, char *out)
{
	struct stat st;
	int n = arg[0] == '/' ? snprintf(out, PATH_MAX, "%s", arg)
	                      : snprintf(out, PATH_MAX, "%s/%s", workdir, arg);

	if (n < 0 || n >= PATH_MAX)
		return -1;
	goerr_clean_path(out);
	return stat(out, &st);
}

static int is_dir_arg(const char *a)
{
	return !strcmp(a, ".") || !strcmp(a, "..") || !strncmp(a, "./", 2) ||
	       !strncmp(a, "../", 3) || a[0] == '/';
}

/* Directories: 1 when answered, 0 when go list must be asked. */
static int resolve_dirs(const struct gocmd *cmd, char **argv, const char *workdir,
                        struct mainpkg_list *l)
{
	static char dot[] = ".";
	char *dflt[] = {dot};
	char **args = cmd->nargs ? argv + cmd->first_arg : dflt;
	int nargs = cmd->nargs ? cmd->nargs : 1;

	/* One directory pattern alone: read from the tree where that is exact. */
	if (nargs == 1 && pattern_is_dir_pattern(args[0]))
		return pattern_resolve(workdir, args[0], l);
	for (int i = 0; i < nargs; i++) {
		char abs[PATH_MAX], *pkg;
		struct mainpkg m;
		if (!is_dir_arg(args[i]) || strstr(args[i], "...") ||
		    abs_path(workdir, args[i], abs) != 0 || dir_package(abs, &pkg) != 1)
			return 0;
		l->npackages++;
		if (strcmp(pkg, "main") != 0) {
			free(pkg);
			if (mainpkg_push_other(l, args[i]) != 0)
				return -1;
			continue;
		}
		free(pkg);
		if (describe_dir(abs, &m) != 0)
			return 0;
		if (mainpkg_push(l, &m) != 0)
			return mainpkg_clear(&m), -1;
	}
	return 1;
}

/* A list of .go files: one package, named after the first file. */
static int resolve_files(const struct gocmd *cmd, char **argv, const char *workdir,
                         struct mainpkg_list *l)
{
	const char *first = argv[cmd->first_arg];
	char abs[PATH_MAX], *pkg, *slash;
	struct mainpkg m = {0};
	const char *base;

	for (int i = 0; i < cmd->nargs; i++) {
		size_t n = strlen(argv[cmd->first_arg + i]);
		if (n < 4 || strcmp(argv[cmd->first_arg + i] + n - 3, ".go") != 0)
			return 0;
	}
	if (abs_path(workdir, first, abs) != 0 || !(pkg = clause_of_file(abs)))
		return 0;
	l->npackages = 1;
	l->files = 1;
	if (strcmp(pkg, "main") != 0)
		return free(pkg), 1;
	free(pkg);
	base = (slash = strrchr(abs, '/')) ? slash + 1 : abs;
	m.name = strndup(base, strlen(base) - 3);
	m.importpath = strdup("command-line-arguments");
	if (slash)
		*slash = '\0';
	m.dir = strdup(abs);
	if (!m.name || !m.importpath || !m.dir)
		return mainpkg_clear(&m), -1;
	/* The files' directory is mapped as the package in it would be. */
	module_fields(m.dir, &m, NULL);
	if (mainpkg_push(l, &m) != 0)
		return mainpkg_clear(&m), -1;
	return 1;
}

/* pkg@version installs: main packages outside the main module. */
static int resolve_versioned(const struct gocmd *cmd, char **argv, struct mainpkg_list *l)
{
	for (int i = 0; i < cmd->nargs; i++)
		if (!strchr(argv[cmd->first_arg + i], '@'))
			return 0;
	for (int i = 0; i < cmd->nargs; i++) {
		const char *a = argv[cmd->first_arg + i];
		struct mainpkg m = {0};
		char *path = strndup(a, (size_t)(strchr(a, '@') - a));
		if (!path || strstr(path, "...")) {
			free(path);
			return 0;
		}
		m.importpath = path;
		m.name = mainpkg_exec_name(path);
		m.arg = strdup(a);
		l->npackages++;
		if (!m.name || !m.arg || mainpkg_push(l, &m) != 0)
			return mainpkg_clear(&m), -1;
	}
	return 1;
}

int mainpkg_resolve(const char *real_go, const struct gocmd *cmd, char **argv, const char *workdir,
                    struct mainpkg_list *out, pgo_err *err)
{
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (cmd->nargs > 0 && strchr(argv[cmd->first_arg], '@'))
		rc = resolve_versioned(cmd, argv, out);
	else if (cmd->nargs > 0 && strlen(argv[cmd->first_arg]) > 3 &&
	         !strcmp(argv[cmd->first_arg] + strlen(argv[cmd->first_arg]) - 3, ".go"))
		rc = resolve_files(cmd, argv, workdir, out);
	else
		rc = resolve_dirs(cmd, argv, workdir, out);
	if (rc == 1)
		return 0;
	mainpkg_list_free(out);
	if (rc < 0)
		return pgo_fail(err, PGO_E_NOMEM, "out of memory resolving packages");
	return golist_mains(real_go, cmd, argv, workdir, out, err);
}

int mainpkg_push_other(struct mainpkg_list *l, const char *arg)
{
	char **grown = realloc(l->others, (l->nothers + 1) * sizeof *grown);

	if (!grown)
		return -1;
	l->others = grown;
	if (!(grown[l->nothers] = strdup(arg)))
		return -1;
	l->nothers++;
	return 0;
}

void mainpkg_list_free(struct mainpkg_list *l)
{
	for (size_t i = 0; i < l->nmains; i++)
		mainpkg_clear(&l->mains[i]);
	free(l->mains);
	for (size_t i = 0; i < l->nothers; i++)
		free(l->others[i]);
	free(l->others);
	memset(l, 0, sizeof *l);
}
