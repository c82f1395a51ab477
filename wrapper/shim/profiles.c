#include "profiles.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fetch_sources.h"
#include "msg.h"
#include "pgo_validate.h"
#include "pprof.h"
#include "settings_fetch.h"
#include "source_pyroscope.h"
#include "source_url.h"

/* One place a profile can come from: fills out->path (malloc'd) or leaves it
 * NULL when the source has nothing (then out->why may say why). Returns -1
 * only when out of memory. by_service: what it finds depends on the
 * service (and, for a guessed one, the module); else every main package
 * gets the same. */
struct source {
	const char *name;
	int (*find)(const struct config *c, const struct profile_request *req,
	            struct profile_choice *out);
	int by_service;
};

static char *absolute(const char *base, const char *path)
{
	char *p;
	if (path[0] == '/')
		return strdup(path);
	return asprintf(&p, "%s/%s", base, path) < 0 ? NULL : p;
}

static int from_env_profile(const struct config *c, const struct profile_request *req,
                            struct profile_choice *out)
{
	const char *v = c->profile;

	if (!*v)
		return 0;
	return (out->path = absolute(req->base, v)) ? 0 : -1;
}

static int from_profile_dir(const struct config *c, const struct profile_request *req,
                            struct profile_choice *out)
{
	const char *dir = c->profile_dir;
	char *d, *p;
	struct stat st;

	if (!*dir)
		return 0;
	if (!(d = absolute(req->base, dir)))
		return -1;
	if (asprintf(&p, "%s/%s.pgo", d, req->service) < 0) {
		free(d);
		return -1;
	}
	free(d);
	if (stat(p, &st) != 0) {
		free(p);
		return 0;
	}
	out->path = p;
	return 0;
}

static const struct source sources[] = {
    {"PGO_GO_PROFILE", from_env_profile, 0},
    {"profile_dir", from_profile_dir, 1},
    {"pyroscope", source_pyroscope, 1},
    {"pprof_url", source_url, 1},
};

/* Profiles larger than this are not read (a raw profile of a busy service
 * is tens of MB; a reduced one a few hundred KB). */
#define PROFILE_FILE_MAX ((size_t)256 << 20)

static unsigned char *read_file(const char *path, size_t *len, fetch_err *err)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	struct stat st;

	if (!f) {
		fetch_errf(err, FETCH_E_IO, "cannot read it: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		fetch_errf(err, FETCH_E_IO, "not a regular file");
	else if ((size_t)st.st_size > PROFILE_FILE_MAX)
		fetch_errf(err, FETCH_E_TOOBIG, "larger than %zu MB", PROFILE_FILE_MAX >> 20);
	else if (!(buf = malloc((size_t)st.st_size + 1)))
		fetch_err_nomem(err);
	else if ((*len = fread(buf, 1, (size_t)st.st_size, f)) != (size_t)st.st_size) {
		fetch_errf(err, FETCH_E_IO, "cannot read it: %s",
		           ferror(f) ? strerror(errno) : "short read");
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int profiles_validate(const char *path, fetch_err *err)
{
	pprof_profile *prof = NULL;
	unsigned char *data;
	size_t len = 0;
	int rc = -1;

	if (!(data = read_file(path, &len, err)))
		return -1;
	if (pprof_decode(data, len, 0, &prof, err) == 0 && pgo_validate(prof, err) == 0)
		rc = 0;
	pprof_free(prof);
	free(data);
	return rc;
}

/* A local profile under the project's [rename] and [noinline]: -pgo gets
 * its rewritten canonical copy in the cache (fetch_from_files, which
 * decodes and validates it; the same bytes are rewritten once). 1 when
 * out->path is that copy, 0 when the file is unusable (said here), -1 when
 * out of memory. */
static int rewrite_local(const struct config *c, const char *source, struct profile_choice *out)
{
	const char *paths[1] = {out->path};
	fetch_result r;
	fetch_opts o;
	fetch_err err;

	fetch_opts_defaults(&o);
	settings_fetch_opts(c, &o);
	if (fetch_from_files(&o, paths, 1, &r, &err) != 0) {
		pgo_warnf("ignoring profile %s (%s): %s", out->path, source, err.msg);
		free(out->path);
		out->path = NULL;
		return 0;
	}
	free(out->detail);
	if (asprintf(&out->detail, "%s, rewritten by [rename] and [noinline]", out->path) < 0)
		out->detail = NULL;
	free(out->path);
	out->path = strdup(r.path);
	out->validated = 1;
	fetch_result_clear(&r);
	return out->path ? 1 : -1;
}

static int has_rules(const struct config *c)
{
	return c->rules.nrenames || c->rules.nnoinline;
}

/* The committed default.pgo, left to go's -pgo=auto when it is usable and
 * nothing rewrites it. */
static int try_default(const struct config *c, const struct mainpkg *m, struct profile_choice *out)
{
	struct stat st;
	fetch_err err;
	char *p;

	if (!m->dir)
		return 0;
	if (asprintf(&p, "%s/default.pgo", m->dir) < 0)
		return -1;
	if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
		free(p);
		return 0;
	}
	out->source = "default.pgo";
	if (has_rules(c)) {
		int rc;
		out->path = p;
		if ((rc = rewrite_local(c, out->source, out)) == 0)
			out->invalid_auto = 1; /* go must not take it up itself */
		return rc < 0 ? -1 : 0;
	}
	if (profiles_validate(p, &err) == 0)
		out->is_auto = 1;
	else {
		pgo_warnf("ignoring %s: %s; building without PGO", p, err.msg);
		out->invalid_auto = 1;
	}
	free(p);
	return 0;
}

/* What one source gave one main package, found, rewritten and validated:
 * the profile (path NULL when the source has none or it was refused) and
 * why an earlier attempt failed. */
struct memo_entry {
	size_t source;
	char *key; /* the inputs the source looks at (memo_key) */
	struct profile_choice got;
};

static char *memo_key(const struct source *s, const struct profile_request *req)
{
	const char *mod = req->service_guessed && req->pkg->modpath ? req->pkg->modpath : "";
	char *k;

	if (!s->by_service)
		return strdup("");
	return asprintf(&k, "%s\n%d\n%s", req->service, req->service_guessed, mod) < 0 ? NULL : k;
}

static int dup_or_null(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -1 : 0;
}

static int choice_copy(struct profile_choice *dst, const struct profile_choice *src)
{
	*dst = *src;
	dst->path = dst->detail = dst->why = dst->service = NULL;
	if (dup_or_null(&dst->path, src->path) || dup_or_null(&dst->detail, src->detail) ||
	    dup_or_null(&dst->why, src->why) || dup_or_null(&dst->service, src->service)) {
		profile_choice_clear(dst);
		return -1;
	}
	return 0;
}

/* Asks source i for req's profile and checks what it gives (rewritten
 * under the project's rules, validated): got->path is NULL when the source
 * has none or it was refused (said here). Returns -1 when out of memory. */
static int ask_source(const struct config *c, size_t i, const struct profile_request *req,
                      struct profile_choice *got)
{
	fetch_err err;

	memset(got, 0, sizeof *got);
	if (sources[i].find(c, req, got) != 0)
		return -1;
	if (!got->path)
		return 0;
	if (!got->validated && has_rules(c)) {
		int rc = rewrite_local(c, sources[i].name, got);
		if (rc <= 0)
			return rc;
	}
	/* The cache's profiles were validated (encoded bytes included) when
	 * stored: decoding them again on every build costs the warm path most
	 * of its time. */
	if (!got->validated && profiles_validate(got->path, &err) != 0) {
		pgo_warnf("ignoring profile %s (%s): %s", got->path, sources[i].name, err.msg);
		free(got->path);
		got->path = NULL;
		return 0;
	}
	got->source = sources[i].name;
	return 0;
}

/* ask_source, once per command for the same inputs: the main packages of
 * one service (or all of them, for a profile every service shares) have
 * their profile found, read and validated once, and any warning said once. */
static int ask_source_once(const struct config *c, size_t i, const struct profile_request *req,
                           struct profile_memo *memo, struct profile_choice *got)
{
	struct memo_entry *e, *grown;
	char *key = memo_key(&sources[i], req);

	if (!key)
		return -1;
	for (size_t k = 0; k < memo->n; k++) {
		e = &memo->v[k];
		if (e->source == i && !strcmp(e->key, key)) {
			free(key);
			return choice_copy(got, &e->got);
		}
	}
	if (ask_source(c, i, req, got) != 0 ||
	    !(grown = realloc(memo->v, (memo->n + 1) * sizeof *grown))) {
		free(key);
		return -1;
	}
	memo->v = grown;
	e = &memo->v[memo->n];
	e->source = i;
	e->key = key;
	if (choice_copy(&e->got, got) != 0) {
		free(key);
		return -1;
	}
	memo->n++;
	return 0;
}

int profiles_choose(const struct config *c, const struct profile_request *req,
                    struct profile_memo *memo, struct profile_choice *out)
{
	struct profile_choice got;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sizeof sources / sizeof *sources; i++) {
		if (ask_source_once(c, i, req, memo, &got) != 0)
			return -1;
		if (got.why) {
			free(out->why);
			out->why = got.why;
			got.why = NULL;
		}
		if (got.path) { /* with the why of the sources that failed before it */
			got.why = out->why;
			*out = got;
			return 0;
		}
		profile_choice_clear(&got);
	}
	return try_default(c, req->pkg, out);
}

void profile_memo_free(struct profile_memo *memo)
{
	for (size_t k = 0; k < memo->n; k++) {
		free(memo->v[k].key);
		profile_choice_clear(&memo->v[k].got);
	}
	free(memo->v);
	memo->v = NULL;
	memo->n = 0;
}

void profile_choice_clear(struct profile_choice *p)
{
	free(p->path);
	free(p->detail);
	free(p->why);
	free(p->service);
	memset(p, 0, sizeof *p);
}
