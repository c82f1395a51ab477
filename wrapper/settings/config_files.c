/* config_files.c — the INI files of the configuration (system, user,
 * workspace and module project files, or PGO_GO_CONFIG alone) and the
 * [services] mappings they hold. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config_int.h"
#include "goerr.h"

/* ---- files ------------------------------------------------------------------ */

/* What the INI handler needs to know about the file being read. */
struct parse_state {
	struct config *c;
	const char *file;
	const char *base;  /* a project file's directory: no secrets; mappings relative to it */
	int mappings_only; /* another module's project file: its [services] only */
	FILE *fp;
	int line; /* counted by the reader: inih reads one line a call */
	pgo_err *err;
	int failed;
};

static int fail(struct parse_state *st, const char *what, const char *name)
{
	pgo_fail(st->err, PGO_E_CONFIG, "%s:%d: %s '%s'", st->file, st->line, what, name);
	st->failed = 1;
	return 0;
}

static int add_mapping(struct parse_state *st, const char *name, const char *value,
                       const char *origin)
{
	struct config *c = st->c;
	struct cfg_service_map *grown = realloc(c->map, (c->nmap + 1) * sizeof *grown);
	struct cfg_service_map *m;

	if (!grown)
		return -1;
	c->map = grown;
	m = &grown[c->nmap];
	m->package = strdup(name);
	m->service = strdup(strcmp(value, "-") ? value : "");
	m->origin = strdup(origin);
	m->base = st->base ? strdup(st->base) : NULL;
	c->nmap++;
	return m->package && m->service && m->origin && (m->base || !st->base) ? 0 : -1;
}

/* An entry of [rename] (OLD = NEW) or [noinline] (NAME, its value a note
 * for people), checked with the ones before it. */
static int add_rule(struct parse_state *st, const char *section, const char *name,
                    const char *value)
{
	struct config *c = st->c;
	fetch_err ferr;

	if (!strcasecmp(section, "rename")) {
		fetch_pgo_rename *g = realloc(c->renames, (c->rules.nrenames + 1) * sizeof *g);
		if (!g)
			return fail(st, "out of memory at", name);
		c->renames = g;
		c->rules.renames = g;
		g[c->rules.nrenames].from = strdup(name);
		g[c->rules.nrenames].to = strdup(value);
		if (!g[c->rules.nrenames++].from || !g[c->rules.nrenames - 1].to)
			return fail(st, "out of memory at", name);
	} else {
		char **g = realloc(c->noinline, (c->rules.nnoinline + 1) * sizeof *g);
		if (!g)
			return fail(st, "out of memory at", name);
		c->noinline = g;
		c->rules.noinline = (const char *const *)g;
		if (!(g[c->rules.nnoinline++] = strdup(name)))
			return fail(st, "out of memory at", name);
	}
	if (fetch_pgo_rules_check(&c->rules, &ferr) != 0) {
		pgo_fail(st->err, PGO_E_CONFIG, "%s:%d: [%s] %s: %s", st->file, st->line, section,
		         name, ferr.msg);
		st->failed = 1;
		return 0;
	}
	return 1;
}

/* The setting a file key names, and whether it is the KEY_file form. A key
 * that ends in _file by name (ca_file) is itself first. */
static int file_key(const char *name, int *is_file)
{
	size_t n = strlen(name);
	char base[64];
	int k;

	*is_file = 0;
	if ((k = config_find_key(name)) >= 0)
		return k;
	if (n <= 5 || n - 5 >= sizeof base || strcasecmp(name + n - 5, "_file") != 0)
		return -1;
	memcpy(base, name, n - 5);
	base[n - 5] = '\0';
	if ((k = config_find_key(base)) < 0 || !(config_def(k)->flags & CFG_FILE_FORM))
		return -1;
	*is_file = 1;
	return k;
}

/* inih takes ';' after white space as a comment; people also write '#'. */
static void strip_inline_comment(char *value)
{
	for (char *p = value; *p; p++)
		if (*p == '#' && p > value && (p[-1] == ' ' || p[-1] == '\t')) {
			while (p > value && (p[-1] == ' ' || p[-1] == '\t'))
				p--;
			*p = '\0';
			return;
		}
}

static int handle_entry(void *user, const char *section, const char *name, const char *raw)
{
	struct parse_state *st = user;
	char origin[PATH_MAX + 32], where[PATH_MAX + 96], value[4096];
	int is_file, k;

	snprintf(value, sizeof value, "%s", raw);
	strip_inline_comment(value);
	snprintf(origin, sizeof origin, "%s:%d", st->file, st->line);
	if (!strcasecmp(section, "services"))
		return add_mapping(st, name, value, origin) == 0 ||
		       fail(st, "out of memory at", name);
	if (!strcasecmp(section, "rename") || !strcasecmp(section, "noinline"))
		return st->mappings_only ? 1 : add_rule(st, section, name, value);
	if (*section && strcasecmp(section, "pgo-go") != 0)
		return fail(st, "unknown section", section);
	if (st->mappings_only)
		return 1;
	if ((k = file_key(name, &is_file)) < 0)
		return fail(st, "unknown key", name);
	if (st->base && (config_def(k)->flags & CFG_SECRET) && !is_file)
		return fail(st,
		            "a secret may not be in a project file (it is committed); use "
		            "the environment or the user file instead of",
		            name);
	snprintf(where, sizeof where, "%s: %s =", origin, name);
	if (is_file) {
		char buf[4096];
		snprintf(where, sizeof where, "%s: ", origin);
		if (config_read_value_file(value, config_def(k)->flags & CFG_SECRET, buf,
		                           sizeof buf, where, st->err) != 0)
			return st->failed = 1, 0;
		snprintf(where, sizeof where, "%s: %s =", origin, name);
		return config_set_from(st->c, k, buf, CFG_FROM_FILE, origin, where, st->err) == 0 ||
		       (st->failed = 1, 0);
	}
	return config_set_from(st->c, k, value, CFG_FROM_FILE, origin, where, st->err) == 0 ||
	       (st->failed = 1, 0);
}

static char *count_lines(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	char *r = fgets(str, num, st->fp);

	if (r)
		st->line++;
	return r;
}

/* Reads one file if it exists; base is a project file's directory. */
static int load_file(struct config *c, const char *path, const char *base, int mappings_only,
                     pgo_err *err)
{
	struct parse_state st = {c, path, base, mappings_only, NULL, 0, err, 0};
	int rc;

	if (!(st.fp = fopen(path, "r"))) {
		if (errno == ENOENT)
			return 0;
		return pgo_fail(err, PGO_E_CONFIG, "cannot read %s: %s", path, strerror(errno));
	}
	rc = ini_parse_stream(count_lines, &st, handle_entry, &st);
	fclose(st.fp);
	if (st.failed)
		return -1;
	if (rc > 0)
		return pgo_fail(err, PGO_E_CONFIG,
		                "%s:%d: not a valid line (expected key = value or [section])", path,
		                rc);
	return rc == 0 ? 0 : pgo_fail(err, PGO_E_CONFIG, "cannot read %s", path);
}

static void user_file(char *buf, size_t bufsz)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(buf, bufsz, "%s/pgo-go/config.ini", xdg);
	else if (home && *home)
		snprintf(buf, bufsz, "%s/.config/pgo-go/config.ini", home);
	else
		buf[0] = '\0';
}

/* A project directory's file; the innermost one read is remembered for
 * `pgo-go config`. */
static int load_project(struct config *c, const char *dir, int mappings_only, pgo_err *err)
{
	char path[PATH_MAX], **grown;

	for (size_t i = 0; i < c->nmapped; i++)
		if (!strcmp(c->mapped[i], dir))
			return 0;
	if (!(grown = realloc(c->mapped, (c->nmapped + 1) * sizeof *grown)) ||
	    !(grown[c->nmapped] = strdup(dir)))
		return pgo_fail(err, PGO_E_NOMEM, "out of memory reading the configuration");
	c->mapped = grown;
	c->nmapped++;
	snprintf(path, sizeof path, "%s/%s", dir, CONFIG_PROJECT_FILE);
	if (!mappings_only && access(path, F_OK) == 0) {
		free(c->project_file);
		if (!(c->project_file = strdup(path)))
			return pgo_fail(err, PGO_E_NOMEM,
			                "out of memory reading the configuration");
	}
	return load_file(c, path, dir, mappings_only, err);
}

int config_load_files(struct config *c, const char *const *projects, size_t n, pgo_err *err)
{
	const char *only = getenv("PGO_GO_CONFIG");
	const char *sys = getenv("PGO_GO_SYSTEM_CONFIG");
	char path[PATH_MAX];

	if (only && *only) {
		if (access(only, R_OK) != 0)
			return pgo_fail(err, PGO_E_CONFIG, "PGO_GO_CONFIG names %s: %s", only,
			                strerror(errno));
		return load_file(c, only, NULL, 0, err);
	}
	if (load_file(c, sys && *sys ? sys : "/etc/pgo-go/config.ini", NULL, 0, err) != 0)
		return -1;
	user_file(path, sizeof path);
	if (path[0] && load_file(c, path, NULL, 0, err) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (projects[i] && load_project(c, projects[i], 0, err) != 0)
			return -1;
	return 0;
}

int config_add_mappings(struct config *c, const char *dir, pgo_err *err)
{
	const char *only = getenv("PGO_GO_CONFIG");

	return only && *only ? 0 : load_project(c, dir, 1, err);
}

/* "./cmd/x/" and "cmd/x" name the same directory as "./cmd/x". */
static int same_reldir(const char *a, const char *b)
{
	size_t na, nb;

	if (!strncmp(a, "./", 2))
		a += 2;
	if (!strncmp(b, "./", 2))
		b += 2;
	na = strlen(a);
	nb = strlen(b);
	while (na > 0 && a[na - 1] == '/')
		na--;
	while (nb > 0 && b[nb - 1] == '/')
		nb--;
	if ((na == 0 || (na == 1 && a[0] == '.')) && (nb == 0 || (nb == 1 && b[0] == '.')))
		return 1;
	return na == nb && !strncmp(a, b, na);
}

/* Whether entry key (relative to base) names the directory dir. */
static int same_dir(const char *base, const char *key, const char *dir)
{
	char joined[PATH_MAX];

	if (snprintf(joined, sizeof joined, "%s/%s", base, key) >= (int)sizeof joined)
		return 0;
	goerr_clean_path(joined);
	return !strcmp(joined, dir);
}

const char *config_service_for(const struct config *c, const char *dir, const char *reldir,
                               const char *importpath)
{
	for (size_t i = c->nmap; i-- > 0;) {
		const struct cfg_service_map *e = &c->map[i];
		const char *p = e->package;
		int is_path = p[0] == '.' || !strchr(p, '.');
		if (!is_path && importpath && !strcmp(p, importpath))
			return e->service;
		if (is_path && e->base && dir && same_dir(e->base, p, dir))
			return e->service;
		if (is_path && !e->base && reldir && same_reldir(p, reldir))
			return e->service;
	}
	return NULL;
}
