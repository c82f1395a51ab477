/* config.c — loading the settings: files, the environment, flags; each value
 * parsed once into its typed field. The table is config_table.c. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goerr.h"
#include "msg.h"

const char *config_env_name(enum cfg_key k, char *buf, size_t bufsz)
{
	size_t n = (size_t)snprintf(buf, bufsz, "PGO_GO_%s", config_def(k)->key);

	for (size_t i = 0; i < n && i < bufsz; i++)
		if (buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] = (char)(buf[i] - 'a' + 'A');
	return buf;
}

/* A duration bound for people: "24h", "1m", "500ms". */
static void format_ms(int64_t ms, char *buf, size_t bufsz)
{
	static const struct {
		int64_t ms;
		const char *unit;
	} units[] = {{3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};

	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (ms % units[i].ms == 0 || units[i].ms == 1) {
			snprintf(buf, bufsz, "%lld%s", (long long)(ms / units[i].ms),
			         units[i].unit);
			return;
		}
}

/* What is wrong with text as a value of k, or NULL when it parses (then the
 * typed value is stored at field). */
static const char *parse_value(const struct cfg_def *d, const char *text, void *field, char *buf,
                               size_t bufsz)
{
	const char *why = NULL;
	unsigned long n;
	int64_t ms;
	int b;

	switch (d->kind) {
	case VALUE_BOOL:
		if (value_bool(text, &b) != 0)
			break;
		*(int *)field = b;
		return NULL;
	case VALUE_ENUM:
		if ((b = value_enum(text, d->choices)) < 0)
			break;
		*(int *)field = b;
		return NULL;
	case VALUE_DURATION:
		if (value_duration(text, &ms) != 0)
			break;
		if ((d->min && ms < d->min) || (d->max && ms > d->max)) {
			char lo[32], hi[32];
			format_ms(d->min, lo, sizeof lo);
			format_ms(d->max, hi, sizeof hi);
			snprintf(buf, bufsz, "out of range: it must be between %s and %s", lo, hi);
			return buf;
		}
		*(int64_t *)field = ms;
		return NULL;
	case VALUE_SIZE:
		if (value_size(text, (size_t *)field) != 0)
			break;
		return NULL;
	case VALUE_COUNT:
		if (value_count(text, (unsigned long)d->max, &n) != 0) {
			snprintf(buf, bufsz, "not a number from %lld to %lld", (long long)d->min,
			         (long long)d->max);
			return buf;
		}
		*(unsigned *)field = (unsigned)n;
		return NULL;
	case VALUE_FRACTION:
		if (value_fraction(text, (double *)field) != 0)
			break;
		return NULL;
	case VALUE_URL:
		if (*text && value_url(text, &why) != 0) {
			snprintf(buf, bufsz, "not a URL: %s", why);
			return buf;
		}
		*(const char **)field = text;
		return NULL;
	case VALUE_PATH:
	case VALUE_SECRET:
	case VALUE_STRING:
		*(const char **)field = text;
		return NULL;
	}
	if (d->kind == VALUE_ENUM) {
		size_t o = (size_t)snprintf(buf, bufsz, "not one of");
		for (int i = 0; d->choices[i] && o < bufsz; i++)
			o += (size_t)snprintf(buf + o, bufsz - o, "%s %s", i ? "," : "",
			                      d->choices[i]);
		return buf;
	}
	snprintf(buf, bufsz, "not %s (%s)", value_kind_name(d->kind), value_forms(d->kind));
	return buf;
}

/* How a value is shown in an error: the secret never, a URL's user
 * information never. */
static void shown_value(const struct cfg_def *d, const char *text, char *buf, size_t bufsz)
{
	const char *at, *sep;

	if (d->flags & CFG_SECRET) {
		snprintf(buf, bufsz, "(hidden)");
		return;
	}
	sep = strstr(text, "://");
	at = sep ? strchr(sep + 3, '@') : NULL;
	if (d->kind == VALUE_URL && at && at < sep + 3 + strcspn(sep + 3, "/?#"))
		snprintf(buf, bufsz, "%.*sREDACTED%s", (int)(sep + 3 - text), text, at);
	else
		snprintf(buf, bufsz, "%s", text);
}

/* where: "FILE:LINE: key", "PGO_GO_KEY", "--flag". */
static int bad_value(const struct cfg_def *d, const char *where, enum cfg_layer layer,
                     const char *text, const char *why, pgo_err *err)
{
	char shown[512];

	shown_value(d, text, shown, sizeof shown);
	return pgo_fail(err, layer == CFG_FROM_FLAG ? PGO_E_USAGE : PGO_E_CONFIG, "%s%s'%s': %s",
	                where, layer == CFG_FROM_ENV ? "=" : " ", shown, why);
}

/* Stores text as the value of k from layer (origin for `pgo-go config`,
 * where for errors). An empty text leaves a typed setting as the lower
 * layer had it: empty is unset, as for GOFLAGS. */
static int set_setting(struct config *c, enum cfg_key k, const char *text, enum cfg_layer layer,
                       const char *origin, const char *where, pgo_err *err)
{
	const struct cfg_def *d = config_def(k);
	struct cfg_value *v = &c->v[k];
	char *nt, *no, why[160];
	const char *bad;
	union {
		int i;
		int64_t ms;
		size_t size;
		unsigned count;
		double frac;
		const char *s;
	} scratch;

	if (!*text && d->kind != VALUE_URL && d->kind != VALUE_PATH && d->kind != VALUE_SECRET &&
	    d->kind != VALUE_STRING && layer != CFG_FROM_DEFAULT)
		return 0;
	/* Parsed into scratch first: a bad value leaves the setting as it was. */
	if ((bad = parse_value(d, text, &scratch, why, sizeof why)) != NULL)
		return bad_value(d, where, layer, text, bad, err);
	if (!(nt = strdup(text)) || !(no = strdup(origin))) {
		free(nt);
		return pgo_fail(err, PGO_E_NOMEM, "out of memory reading the configuration");
	}
	free(v->text);
	free(v->origin);
	v->text = nt;
	v->origin = no;
	v->layer = layer;
	parse_value(d, v->text, (char *)c + d->offset, why, sizeof why);
	return 0;
}

int config_set(struct config *c, enum cfg_key k, const char *text, enum cfg_layer layer,
               const char *origin, pgo_err *err)
{
	return set_setting(c, k, text, layer, origin, origin, err);
}

/* Reads a value from a file: the first line, trimmed. A secret in a file
 * anyone may read is read all the same (the build must not break over it),
 * with a warning. */
static int read_value_file(const char *path, int secret, char *buf, size_t bufsz, const char *where,
                           pgo_err *err)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	size_t n;

	if (!f)
		return pgo_fail(err, PGO_E_CONFIG, "%scannot read %s: %s", where, path,
		                strerror(errno));
	if (secret && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IROTH))
		pgo_warnf("%s holds a secret and anyone may read it: chmod 600 it", path);
	n = fread(buf, 1, bufsz - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

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
		if (read_value_file(value, config_def(k)->flags & CFG_SECRET, buf, sizeof buf,
		                    where, st->err) != 0)
			return st->failed = 1, 0;
		snprintf(where, sizeof where, "%s: %s =", origin, name);
		return set_setting(st->c, k, buf, CFG_FROM_FILE, origin, where, st->err) == 0 ||
		       (st->failed = 1, 0);
	}
	return set_setting(st->c, k, value, CFG_FROM_FILE, origin, where, st->err) == 0 ||
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

static int load_files(struct config *c, const char *const *projects, size_t n, pgo_err *err)
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

/* ---- the environment ----------------------------------------------------------- */

const char *config_env(enum cfg_key k)
{
	const struct cfg_def *d = config_def(k);
	char name[64];
	const char *v = getenv(config_env_name(k, name, sizeof name));

	if (!v && d->fallback)
		v = getenv(d->fallback);
	return v;
}

int config_env_bool(enum cfg_key k)
{
	const char *v = config_env(k);
	int b = 0;

	return v && value_bool(v, &b) == 0 && b;
}

/* One key from the environment: PGO_GO_X, PGO_GO_X_FILE, then the fallback. */
static int load_env_key(struct config *c, enum cfg_key k, pgo_err *err)
{
	const struct cfg_def *d = config_def(k);
	char name[64], origin[96], buf[4096];
	const char *v;

	config_env_name(k, name, sizeof name);
	if ((v = getenv(name)) != NULL) {
		snprintf(origin, sizeof origin, "environment (%s)", name);
		return set_setting(c, k, v, CFG_FROM_ENV, origin, name, err);
	}
	if (d->flags & CFG_FILE_FORM) {
		snprintf(name + strlen(name), sizeof name - strlen(name), "_FILE");
		if ((v = getenv(name)) != NULL && *v) {
			snprintf(origin, sizeof origin, "%s: ", name);
			if (read_value_file(v, d->flags & CFG_SECRET, buf, sizeof buf, origin,
			                    err) != 0)
				return -1;
			snprintf(origin, sizeof origin, "environment (%s)", name);
			return set_setting(c, k, buf, CFG_FROM_ENV, origin, name, err);
		}
	}
	if (d->fallback && (v = getenv(d->fallback)) != NULL) {
		snprintf(origin, sizeof origin, "environment (%s)", d->fallback);
		return set_setting(c, k, v, CFG_FROM_ENV, origin, d->fallback, err);
	}
	return 0;
}

int config_load(struct config *c, const char *const *projects, size_t n, pgo_err *err)
{
	memset(c, 0, sizeof *c);
	for (int k = 0; k < CFG_COUNT; k++)
		if (set_setting(c, k, config_def(k)->def, CFG_FROM_DEFAULT, "default", "default",
		                err) != 0)
			goto fail;
	if (load_files(c, projects, n, err) != 0)
		goto fail;
	for (int k = 0; k < CFG_COUNT; k++)
		if (load_env_key(c, k, err) != 0)
			goto fail;
	return 0;
fail:
	config_free(c);
	return -1;
}

void config_free(struct config *c)
{
	for (int k = 0; k < CFG_COUNT; k++) {
		free(c->v[k].text);
		free(c->v[k].origin);
	}
	for (size_t i = 0; i < c->nmap; i++) {
		free(c->map[i].package);
		free(c->map[i].service);
		free(c->map[i].origin);
		free(c->map[i].base);
	}
	free(c->map);
	free(c->project_file);
	for (size_t i = 0; i < c->nmapped; i++)
		free(c->mapped[i]);
	free(c->mapped);
	memset(c, 0, sizeof *c);
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
