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

#include "msg.h"

struct key_info {
	const char *name;      /* in files; PGO_GO_<NAME upper> in the environment */
	const char *fallback;  /* profilecli's variable, read when ours is unset */
	const char *def;       /* default value */
	int secret;            /* never in a project file, never printed */
	int has_file;          /* may also be given as <name>_file: a file holding it */
};

static const struct key_info keys[CFG_COUNT] = {
	[CFG_URL] = {"url", "PROFILECLI_URL", "http://localhost:4040", 0, 0},
	/* A running service's /debug/pprof/profile?seconds=N, used instead of
	 * Pyroscope when set. */
	[CFG_PPROF_URL] = {"pprof_url", NULL, "", 0, 0},
	[CFG_TENANT_ID] = {"tenant_id", "PROFILECLI_TENANT_ID", "", 0, 1},
	[CFG_USERNAME] = {"username", "PROFILECLI_USERNAME", "", 0, 1},
	[CFG_PASSWORD] = {"password", "PROFILECLI_PASSWORD", "", 1, 1},
	[CFG_TOKEN] = {"token", "PROFILECLI_TOKEN", "", 1, 1},
	[CFG_SERVICE] = {"service", NULL, "", 0, 0},
	[CFG_QUERY] = {"query", NULL, "", 0, 0},
	[CFG_PROFILE] = {"profile", NULL, "", 0, 0},
	[CFG_PROFILE_DIR] = {"profile_dir", NULL, "", 0, 0},
	[CFG_WINDOW] = {"window", NULL, "1h", 0, 0},
	[CFG_OFFLINE] = {"offline", NULL, "0", 0, 0},
	[CFG_REQUIRE] = {"require", NULL, "0", 0, 0},
	[CFG_VERIFY] = {"verify", NULL, "warn", 0, 0},
	[CFG_DISABLE] = {"disable", NULL, "0", 0, 0},
	[CFG_REAL] = {"real", NULL, "", 0, 0},
	[CFG_CACHE_DIR] = {"cache_dir", NULL, "", 0, 0},
	[CFG_VERBOSE] = {"verbose", NULL, "0", 0, 0},
	[CFG_LOG] = {"log", NULL, "", 0, 0},
	[CFG_PROFILE_TYPE] = {"profile_type", NULL, "process_cpu:cpu:nanoseconds:cpu:nanoseconds", 0, 0},
	[CFG_KEEP_LOCATIONS] = {"keep_locations", NULL, "5", 0, 0},
	[CFG_AGGREGATE_CALLEES] = {"aggregate_callees", NULL, "1", 0, 0},
	[CFG_CA_FILE] = {"ca_file", NULL, "", 0, 0},
	[CFG_CLIENT_CERT] = {"client_cert", NULL, "", 0, 0},
	[CFG_CLIENT_KEY] = {"client_key", NULL, "", 0, 0},
	[CFG_CONNECT_TIMEOUT] = {"connect_timeout", NULL, "3s", 0, 0},
	[CFG_TIMEOUT] = {"timeout", NULL, "30s", 0, 0},
	[CFG_RETRIES] = {"retries", NULL, "3", 0, 0},
	[CFG_MAX_RESPONSE_SIZE] = {"max_response_size", NULL, "64MB", 0, 0},
	[CFG_MAX_CACHE_AGE] = {"max_cache_age", NULL, "7d", 0, 0},
};

/* What the INI handler needs to know about the file being read. */
struct parse_state {
	struct config *c;
	const char *file;
	int project;  /* a project file: no secrets */
	FILE *fp;
	int line;     /* counted by the reader: inih reads one line a call */
	char *err;
	size_t errsz;
	int failed;
};

static int set_value(struct cfg_value *v, const char *value, const char *origin)
{
	char *nv = strdup(value), *no = strdup(origin);

	if (!nv || !no) {
		free(nv);
		free(no);
		return -1;
	}
	free(v->value);
	free(v->origin);
	v->value = nv;
	v->origin = no;
	return 0;
}

static int find_key(const char *name, int *is_file)
{
	size_t n = strlen(name);

	*is_file = 0;
	if (n > 5 && !strcasecmp(name + n - 5, "_file")) {
		*is_file = 1;
		n -= 5;
	}
	for (int k = 0; k < CFG_COUNT; k++)
		if (strlen(keys[k].name) == n && !strncasecmp(keys[k].name, name, n))
			return (*is_file && !keys[k].has_file) ? -1 : k;
	return -1;
}

/* Reads a secret (or any value) from a file: the first line, trimmed. A
 * secret in a file anyone may read is read all the same (the build must not
 * break over it), with a warning. */
static int read_value_file(const char *path, int secret, char *buf, size_t bufsz, char *err,
			   size_t errsz)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	size_t n;

	if (!f) {
		snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (secret && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IROTH))
		pgo_warnf("%s holds a secret and anyone may read it: chmod 600 it", path);
	n = fread(buf, 1, bufsz - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int add_mapping(struct parse_state *st, const char *name, const char *value,
		       const char *origin)
{
	struct config *c = st->c;
	struct cfg_service_map *grown = realloc(c->map, (c->nmap + 1) * sizeof *grown);

	if (!grown)
		return -1;
	c->map = grown;
	grown[c->nmap].package = strdup(name);
	grown[c->nmap].service = strdup(value);
	grown[c->nmap].origin = strdup(origin);
	c->nmap++;
	return 0;
}

static int fail(struct parse_state *st, const char *what, const char *name)
{
	snprintf(st->err, st->errsz, "%s:%d: %s '%s'", st->file, st->line, what, name);
	st->failed = 1;
	return 0;
}

static int handle_entry(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	char origin[PATH_MAX + 32];
	int is_file, k;

	snprintf(origin, sizeof origin, "%s:%d", st->file, st->line);
	if (!strcasecmp(section, "services"))
		return add_mapping(st, name, value, origin) == 0 || fail(st, "out of memory at", name);
	if (*section && strcasecmp(section, "pgo-go") != 0)
		return fail(st, "unknown section", section);
	if ((k = find_key(name, &is_file)) < 0)
		return fail(st, "unknown key", name);
	if (st->project && keys[k].secret && !is_file)
		return fail(st, "a secret may not be in a project file (it is committed); use "
				"the environment or the user file instead of",
			    name);
	if (is_file) {
		char buf[4096];
		if (read_value_file(value, keys[k].secret, buf, sizeof buf, st->err, st->errsz) !=
		    0) {
			st->failed = 1;
			return 0;
		}
		return set_value(&st->c->v[k], buf, origin) == 0;
	}
	return set_value(&st->c->v[k], value, origin) == 0;
}

static char *count_lines(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	char *r = fgets(str, num, st->fp);

	if (r)
		st->line++;
	return r;
}

/* Reads one file if it exists. Returns 0, or -1 with err set. */
static int load_file(struct config *c, const char *path, int project, char *err, size_t errsz)
{
	struct parse_state st = {c, path, project, NULL, 0, err, errsz, 0};
	int rc;

	if (!(st.fp = fopen(path, "r")))
		return errno == ENOENT ? 0 : (snprintf(err, errsz, "cannot read %s: %s", path,
						       strerror(errno)), -1);
	rc = ini_parse_stream(count_lines, &st, handle_entry, &st);
	fclose(st.fp);
	if (st.failed)
		return -1;
	if (rc > 0) {
		snprintf(err, errsz, "%s:%d: not a valid line (expected key = value or [section])",
			 path, rc);
		return -1;
	}
	return rc == 0 ? 0 : (snprintf(err, errsz, "cannot read %s", path), -1);
}

static int env_name(char *buf, size_t bufsz, const char *prefix, const char *name, const char *suffix)
{
	size_t n = (size_t)snprintf(buf, bufsz, "%s%s%s", prefix, name, suffix);
	for (size_t i = 0; i < n && i < bufsz; i++)
		if (buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] = (char)(buf[i] - 'a' + 'A');
	return n < bufsz ? 0 : -1;
}

/* One key from the environment: PGO_GO_X, PGO_GO_X_FILE, then the fallback. */
static int load_env_key(struct config *c, int k, char *err, size_t errsz)
{
	char name[64], origin[96], buf[4096];
	const char *v;

	env_name(name, sizeof name, "PGO_GO_", keys[k].name, "");
	if ((v = getenv(name)) != NULL) {
		snprintf(origin, sizeof origin, "environment (%s)", name);
		return set_value(&c->v[k], v, origin);
	}
	if (keys[k].has_file) {
		env_name(name, sizeof name, "PGO_GO_", keys[k].name, "_FILE");
		if ((v = getenv(name)) != NULL && *v) {
			if (read_value_file(v, keys[k].secret, buf, sizeof buf, err, errsz) != 0)
				return -1;
			snprintf(origin, sizeof origin, "environment (%s)", name);
			return set_value(&c->v[k], buf, origin);
		}
	}
	if (keys[k].fallback && (v = getenv(keys[k].fallback)) != NULL) {
		snprintf(origin, sizeof origin, "environment (%s)", keys[k].fallback);
		return set_value(&c->v[k], v, origin);
	}
	return 0;
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

static int load_files(struct config *c, const char *module_root, char *err, size_t errsz)
{
	const char *only = getenv("PGO_GO_CONFIG");
	const char *sys = getenv("PGO_GO_SYSTEM_CONFIG");
	char path[PATH_MAX];

	if (only && *only) {
		if (access(only, R_OK) != 0) {
			snprintf(err, errsz, "PGO_GO_CONFIG names %s: %s", only, strerror(errno));
			return -1;
		}
		return load_file(c, only, 0, err, errsz);
	}
	if (load_file(c, sys && *sys ? sys : "/etc/pgo-go/config.ini", 0, err, errsz) != 0)
		return -1;
	user_file(path, sizeof path);
	if (path[0] && load_file(c, path, 0, err, errsz) != 0)
		return -1;
	if (!module_root)
		return 0;
	snprintf(path, sizeof path, "%s/%s", module_root, CONFIG_PROJECT_FILE);
	if (access(path, F_OK) == 0 && !(c->project_file = strdup(path)))
		return -1;
	return load_file(c, path, 1, err, errsz);
}

int config_load(struct config *c, const char *module_root, char *err, size_t errsz)
{
	memset(c, 0, sizeof *c);
	err[0] = '\0';
	for (int k = 0; k < CFG_COUNT; k++)
		if (set_value(&c->v[k], keys[k].def, "default") != 0)
			goto nomem;
	if (load_files(c, module_root, err, errsz) != 0)
		goto fail;
	for (int k = 0; k < CFG_COUNT; k++)
		if (load_env_key(c, k, err, errsz) != 0)
			goto fail;
	return 0;
nomem:
	snprintf(err, errsz, "out of memory reading the configuration");
fail:
	if (!err[0])
		snprintf(err, errsz, "out of memory reading the configuration");
	config_free(c);
	return -1;
}

void config_free(struct config *c)
{
	for (int k = 0; k < CFG_COUNT; k++) {
		free(c->v[k].value);
		free(c->v[k].origin);
	}
	for (size_t i = 0; i < c->nmap; i++) {
		free(c->map[i].package);
		free(c->map[i].service);
		free(c->map[i].origin);
	}
	free(c->map);
	free(c->project_file);
	memset(c, 0, sizeof *c);
}

const char *config_key_name(enum cfg_key k)
{
	return keys[k].name;
}

int config_key_secret(enum cfg_key k)
{
	return keys[k].secret;
}

const char *config_get(const struct config *c, enum cfg_key k)
{
	return c->v[k].value ? c->v[k].value : "";
}

int config_bool(const struct config *c, enum cfg_key k)
{
	const char *v = config_get(c, k);
	return !strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	       !strcasecmp(v, "on");
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

const char *config_service_for(const struct config *c, const char *reldir, const char *importpath)
{
	for (size_t i = 0; i < c->nmap; i++) {
		const char *p = c->map[i].package;
		if ((importpath && !strcmp(p, importpath)) ||
		    (reldir && (p[0] == '.' || !strchr(p, '.')) && same_reldir(p, reldir)))
			return c->map[i].service;
	}
	return NULL;
}
