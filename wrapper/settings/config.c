/* config.c — the settings' values: each parsed once into its typed field,
 * from the environment, from flags (config_set) and from the files
 * (config_files.c). The table is config_table.c. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_int.h"
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
int config_set_from(struct config *c, enum cfg_key k, const char *text, enum cfg_layer layer,
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
	return config_set_from(c, k, text, layer, origin, origin, err);
}

/* Reads a value from a file: the first line, trimmed. A secret in a file
 * anyone may read is read all the same (the build must not break over it),
 * with a warning. */
int config_read_value_file(const char *path, int secret, char *buf, size_t bufsz, const char *where,
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
		return config_set_from(c, k, v, CFG_FROM_ENV, origin, name, err);
	}
	if (d->flags & CFG_FILE_FORM) {
		snprintf(name + strlen(name), sizeof name - strlen(name), "_FILE");
		if ((v = getenv(name)) != NULL && *v) {
			snprintf(origin, sizeof origin, "%s: ", name);
			if (config_read_value_file(v, d->flags & CFG_SECRET, buf, sizeof buf,
			                           origin, err) != 0)
				return -1;
			snprintf(origin, sizeof origin, "environment (%s)", name);
			return config_set_from(c, k, buf, CFG_FROM_ENV, origin, name, err);
		}
	}
	if (d->fallback && (v = getenv(d->fallback)) != NULL) {
		snprintf(origin, sizeof origin, "environment (%s)", d->fallback);
		return config_set_from(c, k, v, CFG_FROM_ENV, origin, d->fallback, err);
	}
	return 0;
}

int config_load(struct config *c, const char *const *projects, size_t n, pgo_err *err)
{
	memset(c, 0, sizeof *c);
	for (int k = 0; k < CFG_COUNT; k++)
		if (config_set_from(c, k, config_def(k)->def, CFG_FROM_DEFAULT, "default",
		                    "default", err) != 0)
			goto fail;
	if (config_load_files(c, projects, n, err) != 0)
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
	for (size_t i = 0; i < c->rules.nrenames; i++) {
		free((char *)c->renames[i].from);
		free((char *)c->renames[i].to);
	}
	free(c->renames);
	for (size_t i = 0; i < c->rules.nnoinline; i++)
		free(c->noinline[i]);
	free(c->noinline);
	free(c->project_file);
	for (size_t i = 0; i < c->nmapped; i++)
		free(c->mapped[i]);
	free(c->mapped);
	memset(c, 0, sizeof *c);
}
