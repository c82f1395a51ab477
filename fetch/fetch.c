/* fetch.c — fetch_profile: the cache first, then the server under the
 * snapshot's lock, then the fallbacks (offline, stale). The server side is
 * fetch_server.c's. */
#include "fetch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch_int.h"
#include "fetch_sources_int.h"
#include "pgo_canon.h"
#include "pgo_validate.h"
#include "pprof.h"

void fetch_opts_defaults(fetch_opts *o)
{
	memset(o, 0, sizeof *o);
	pyro_conn_defaults(&o->conn);
	o->reduce.keep_locations = FETCH_PGO_KEEP_LOCATIONS;
	o->reduce.aggregate_callees = 1;
}

static void vsay(void (*fn)(void *, const char *), void *ctx, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vsay(void (*fn)(void *, const char *), void *ctx, const char *fmt, va_list ap)
{
	char buf[800];

	if (!fn)
		return;
	vsnprintf(buf, sizeof buf, fmt, ap);
	fn(ctx, buf);
}

void fetch_note(const struct fetch_job *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(j->o->conn.note, j->o->conn.cb_ctx, fmt, ap);
	va_end(ap);
}

void fetch_warn(const struct fetch_job *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(j->o->conn.warn, j->o->conn.cb_ctx, fmt, ap);
	va_end(ap);
}

const char *fetch_tenant_note(const char *tenant, char *buf, size_t bufsz)
{
	if (tenant && *tenant)
		snprintf(buf, bufsz, " (tenant %.200s)", tenant);
	else if (bufsz)
		buf[0] = '\0';
	return buf;
}

char *fetch_service_selector(const char *service)
{
	size_t n = strlen(service);
	char *out = malloc(2 * n + sizeof "{service_name=\"\"}"), *p = out;

	if (!out)
		return NULL;
	p += sprintf(p, "{service_name=\"");
	for (const char *s = service; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '\n')
			*p++ = '\\';
		*p++ = *s == '\n' ? 'n' : *s;
	}
	strcpy(p, "\"}");
	return out;
}

/* ---- the job -------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int check_selector(const char *s, fetch_err *err)
{
	size_t n = strlen(s);

	while (*s == ' ')
		s++, n--;
	while (n && s[n - 1] == ' ')
		n--;
	if (n < 2 || s[0] != '{' || s[n - 1] != '}')
		return fetch_errf(err, FETCH_E_ARG,
		                  "query '%s' is not a label selector like {service_name=\"x\"}",
		                  s);
	return 0;
}

/* The selectors, sorted and unique: the same set gives the same key. */
static int job_selectors(struct fetch_job *j, fetch_err *err)
{
	const fetch_opts *o = j->o;
	size_t n = o->nselectors ? o->nselectors : 1, k = 0;

	if (!o->nselectors && (!o->service || !*o->service))
		return fetch_errf(err, FETCH_E_ARG,
		                  "no service to fetch a profile for: set %s or %s",
		                  fetch_setting_name(&o->conn.names, FETCH_SET_SERVICE),
		                  fetch_setting_name(&o->conn.names, FETCH_SET_QUERY));
	if (!(j->selectors = calloc(n, sizeof *j->selectors)))
		return fetch_err_nomem(err);
	for (size_t i = 0; i < n; i++, j->nselectors++) {
		if (o->nselectors && check_selector(o->selectors[i], err) != 0)
			return -1;
		j->selectors[i] =
		    o->nselectors ? strdup(o->selectors[i]) : fetch_service_selector(o->service);
		if (!j->selectors[i])
			return fetch_err_nomem(err);
	}
	qsort(j->selectors, n, sizeof *j->selectors, cmp_str);
	for (size_t i = 0; i < n; i++)
		if (k && !strcmp(j->selectors[k - 1], j->selectors[i]))
			free(j->selectors[i]);
		else
			j->selectors[k++] = j->selectors[i];
	j->nselectors = k;
	return 0;
}

static int job_label(struct fetch_job *j, fetch_err *err)
{
	size_t n = 1;

	if (!j->o->nselectors)
		return (j->label = strdup(j->o->service)) ? 0 : fetch_err_nomem(err);
	for (size_t i = 0; i < j->nselectors; i++)
		n += strlen(j->selectors[i]) + 3;
	if (!(j->label = calloc(1, n)))
		return fetch_err_nomem(err);
	for (size_t i = 0; i < j->nselectors; i++) {
		if (i)
			strcat(j->label, " + ");
		strcat(j->label, j->selectors[i]);
	}
	return 0;
}

/* The rewrites' part of the key: their text, hashed; "" for none. */
static int rules_key(const fetch_pgo_rules *r, char key[CACHE_HEX_LEN + 1], fetch_err *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	key[0] = '\0';
	if (!r || (!r->nrenames && !r->nnoinline))
		return 0;
	if (fetch_pgo_rules_check(r, err) != 0)
		return -1;
	if (!(f = open_memstream(&text, &len)))
		return fetch_err_nomem(err);
	for (size_t i = 0; i < r->nrenames; i++)
		fprintf(f, "rename\t%s\t%s\n", r->renames[i].from, r->renames[i].to);
	for (size_t i = 0; i < r->nnoinline; i++)
		fprintf(f, "noinline\t%s\n", r->noinline[i]);
	if (fclose(f) != 0) {
		free(text);
		return fetch_err_nomem(err);
	}
	cache_sha256_hex(text, len, key);
	free(text);
	return 0;
}

void fetch_job_query(struct fetch_job *j, const char *tenant, int64_t newest_end)
{
	const fetch_opts *o = j->o;

	j->q = (cache_query){j->server,
	                     tenant ? tenant : "",
	                     (const char *const *)j->selectors,
	                     j->nselectors,
	                     j->type,
	                     j->len,
	                     o->reduce.keep_locations,
	                     o->reduce.aggregate_callees,
	                     j->rules};
	cache_key(&j->q, newest_end, j->key);
}

int fetch_job_meta(const struct fetch_job *j, cache_meta *m)
{
	memcpy(m->key, j->key, sizeof m->key);
	memcpy(m->rules, j->rules, sizeof m->rules);
	m->server = strdup(j->server);
	m->tenant = strdup(j->q.tenant);
	m->profile_type = strdup(j->type);
	if (!m->server || !m->tenant || !m->profile_type ||
	    !(m->selectors = calloc(j->nselectors ? j->nselectors : 1, sizeof *m->selectors)))
		return -1;
	for (size_t i = 0; i < j->nselectors; i++, m->nselectors++)
		if (!(m->selectors[i] = strdup(j->selectors[i])))
			return -1;
	m->window_len = j->len;
	m->newest_end = j->newest.end;
	m->fetched_at = j->now;
	m->keep_locations = j->o->reduce.keep_locations;
	m->aggregate_callees = j->o->reduce.aggregate_callees;
	return 0;
}

/* The profile to encode: acc, or, when the job has rules, *owned (the
 * caller frees it), acc rewritten. NULL with err when that fails. */
static const fetch_pgo *job_rewrite(const struct fetch_job *j, const fetch_pgo *acc,
                                    fetch_pgo **owned, fetch_err *err)
{
	*owned = NULL;
	if (!j->rules[0])
		return acc;
	return fetch_pgo_rewrite(acc, j->o->rules, owned, NULL, err) == 0 ? *owned : NULL;
}

int fetch_check_encoded(const unsigned char *buf, size_t len, fetch_err *err)
{
	pprof_profile *prof = NULL;
	int rc = pprof_decode(buf, len, 0, &prof, err);

	if (rc == 0)
		rc = pgo_validate(prof, err);
	pprof_free(prof);
	return rc != 0 ? fetch_err_context(err, FETCH_E_INVALID, "the reduced profile is unusable")
	               : 0;
}

int fetch_job_store(const struct fetch_job *j, const fetch_pgo *acc, int64_t start_ns,
                    int64_t end_ns, cache_meta *m, fetch_err *err)
{
	fetch_pgo *rewritten = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	if ((acc = job_rewrite(j, acc, &rewritten, err)) &&
	    fetch_pgo_encode(acc, start_ns, end_ns, &buf, &len, err) == 0 &&
	    fetch_check_encoded(buf, len, err) == 0) {
		m->size = (int64_t)len;
		m->samples = (int64_t)acc->nsamples;
		if (cache_put_profile(j->c, buf, len, m->sha256, err) == 0 &&
		    cache_meta_write(j->c, m, err) == 0)
			rc = 0;
	}
	free(buf);
	fetch_pgo_free(rewritten);
	if (rc != 0)
		cache_meta_clear(m);
	return rc;
}

int fetch_job_cache(struct fetch_job *j, fetch_err *err)
{
	char *dir = NULL;
	int rc;

	if (rules_key(j->o->rules, j->rules, err) != 0)
		return -1;
	if (cache_default_dir(j->o->cache_dir,
	                      fetch_setting_name(&j->o->conn.names, FETCH_SET_CACHE_DIR), &dir,
	                      err) != 0)
		return -1;
	rc = cache_open(dir, 1, &j->c, err);
	free(dir);
	return rc;
}

void fetch_job_free(struct fetch_job *j)
{
	free(j->server);
	for (size_t i = 0; i < j->nselectors; i++)
		free(j->selectors[i]);
	free(j->selectors);
	free(j->label);
	cache_close(j->c);
}

static int job_init(struct fetch_job *j, const fetch_opts *o, fetch_err *err)
{
	memset(j, 0, sizeof *j);
	j->o = o;
	j->now = o->now ? o->now : (int64_t)time(NULL);
	j->len = o->window ? o->window : WINDOW_DEFAULT;
	j->type =
	    o->profile_type && *o->profile_type ? o->profile_type : FETCH_PROFILE_TYPE_DEFAULT;
	if (j->len < WINDOW_MIN || j->len > WINDOW_MAX)
		return fetch_errf(err, FETCH_E_ARG, "the window must be between 1m and 24h");
	if (pyro_base_url(o->conn.url, fetch_setting_name(&o->conn.names, o->conn.url_setting),
	                  &j->server, err) != 0 ||
	    job_selectors(j, err) != 0 || job_label(j, err) != 0 || fetch_job_cache(j, err) != 0)
		return -1;
	fetch_job_at(j, j->now);
	j->pull = fetch_from_server;
	return 0;
}

/* ---- the outcomes ----------------------------------------------------------- */

int fetch_job_result(struct fetch_job *j, cache_meta *m, fetch_source src, fetch_result *r,
                     fetch_err *err)
{
	if (!(r->path = cache_profile_path(j->c, m->sha256))) {
		cache_meta_clear(m);
		return fetch_err_nomem(err);
	}
	r->meta = *m;
	memset(m, 0, sizeof *m);
	r->source = src;
	return 0;
}

static window meta_window(const cache_meta *m)
{
	window w = {m->window_start, m->window_end, m->open_window};
	return w;
}

/* 1 when this window's snapshot is cached and intact, 0 when not. */
static int use_cached(struct fetch_job *j, fetch_result *r, fetch_err *err)
{
	cache_meta m;
	int found = cache_meta_read(j->c, j->key, &m, err);

	if (found <= 0)
		return found;
	if (!window_reusable(meta_window(&m), m.window_len, j->now) ||
	    !cache_profile_intact(j->c, &m)) {
		cache_meta_clear(&m);
		return 0;
	}
	return fetch_job_result(j, &m, FETCH_FROM_CACHE, r, err) == 0 ? 1 : -1;
}

static int use_offline(struct fetch_job *j, fetch_result *r, fetch_err *err)
{
	cache_meta m;
	char tenant[220];
	int found = cache_find_newest(j->c, &j->q, INT64_MIN, &m, err);

	if (found < 0)
		return -1;
	if (!found)
		return fetch_errf(err, FETCH_E_OFFLINE,
		                  "offline (%s) and no profile of %s from %s%s in the cache %s",
		                  fetch_setting_name(&j->o->conn.names, FETCH_SET_OFFLINE),
		                  j->label, j->server,
		                  fetch_tenant_note(j->q.tenant, tenant, sizeof tenant), j->c->dir);
	return fetch_job_result(j, &m, FETCH_FROM_OFFLINE, r, err);
}

/* Failures where an older snapshot is better than none: the server or the
 * way to it failed, or it has had no samples for a day (a service stopped
 * over a weekend still builds with last week's profile, within max_age).
 * Not: bad options, no memory, offline (which has its own fallback). */
static int stale_helps(fetch_code code)
{
	return code != FETCH_E_ARG && code != FETCH_E_NOMEM && code != FETCH_E_OFFLINE;
}

static int use_stale(struct fetch_job *j, fetch_result *r, fetch_err *err)
{
	int64_t max_age = j->o->max_age ? j->o->max_age : FETCH_MAX_AGE_DEFAULT;
	char age[32], win[96];
	fetch_err cause = *err;
	cache_meta m;
	int found;

	if (max_age < 0 || !stale_helps(err->code))
		return -1;
	found = cache_find_newest(j->c, &j->q, j->now - max_age, &m, err);
	if (found <= 0) {
		if (found == 0)
			*err = cause;
		return -1;
	}
	/* A failure the command has heard of already is a note: one warning
	 * per command, not one per service. */
	(j->down.told ? fetch_note : fetch_warn)(
	    j, "%s; using the cached profile of %s fetched %s ago (window %s)", cause.msg, j->label,
	    window_format_duration(j->now - m.fetched_at, age, sizeof age),
	    window_format(meta_window(&m), win, sizeof win));
	return fetch_job_result(j, &m, FETCH_FROM_STALE, r, err);
}

void fetch_job_at(struct fetch_job *j, int64_t newest_end)
{
	j->newest = window_newest(j->len, newest_end);
	fetch_job_query(j, j->o->conn.tenant_id, j->newest.end);
}

/* ---- fetching under the lock -------------------------------------------------- */

/* Long enough for the holder's fetch (every attempt, a few windows), short
 * enough that a stuck holder does not stall a build for ever. */
static int64_t lock_wait_ms(const struct fetch_job *j)
{
	long t = j->o->conn.timeout_ms > 0 ? j->o->conn.timeout_ms : PYRO_TIMEOUT_MS;
	return 2 * (j->pull_ms > 0 ? j->pull_ms : (int64_t)t) + 5000;
}

/* The failure of the fetch this one waited for, if there was one: builds
 * started together (make -j, a CI matrix) ask a failing server once, not
 * once each as the lock frees up. A failure found without waiting is an
 * old one: the configuration may have been fixed since. */
static int waited_failure(const struct fetch_job *j, cache_lock *l, int64_t since, fetch_err *err)
{
	char msg[sizeof err->msg];
	int64_t t;
	int code;

	if (l->fd < 0 || !l->waited || j->o->force ||
	    !cache_lock_last_failure(l, &t, &code, msg, sizeof msg) || t < since)
		return 0;
	memcpy(err->msg, msg, sizeof msg);
	err->code = (fetch_code)code;
	return 1;
}

int fetch_job_snapshot(struct fetch_job *j, fetch_result *r, fetch_err *err)
{
	int64_t since = (int64_t)time(NULL);
	cache_lock lock;
	cache_meta m = {0};
	int rc, got;

	if (cache_lock_take(j->c, j->key, lock_wait_ms(j), &lock, err) < 0)
		fetch_note(j, "%s; fetching without the lock", err->msg);
	if (!j->o->force && (got = use_cached(j, r, err)) != 0) {
		cache_lock_release(&lock);
		return got > 0 ? 0 : -1;
	}
	if (waited_failure(j, &lock, since, err)) {
		cache_lock_release(&lock);
		return -1;
	}
	rc = j->pull(j, &m, &r->requests, err);
	fetch_down_after(&j->down, rc, err);
	if (rc == 0) {
		cache_lock_clear_failure(&lock);
		rc = fetch_job_result(j, &m, FETCH_FROM_SERVER, r, err);
	} else {
		cache_lock_note_failure(&lock, (int64_t)time(NULL), (int)err->code, err->msg);
	}
	cache_lock_release(&lock);
	return rc;
}

int fetch_job_run(struct fetch_job *j, fetch_result *r, fetch_err *err)
{
	int hold = fetch_hold_applies(j), rc;

	/* Offline too, the hold's choice for this window when it is known:
	 * what a build with the server gets. */
	if (hold && (rc = fetch_hold_cached(j, r, err)) != 0)
		return rc > 0 ? 0 : -1;
	if (j->o->offline)
		return use_offline(j, r, err);
	if (!hold && !j->o->force && (rc = use_cached(j, r, err)) != 0)
		return rc > 0 ? 0 : -1;
	fetch_down_init(&j->down, j->o, j->c, j->server);
	if (fetch_down_known(&j->down, err))
		return use_stale(j, r, err);
	if ((hold ? fetch_hold_run(j, r, err) : fetch_job_snapshot(j, r, err)) == 0)
		return 0;
	return use_stale(j, r, err);
}

int fetch_profile(const fetch_opts *o, fetch_result *r, fetch_err *err)
{
	struct fetch_job j;
	fetch_err local;
	int rc = -1;

	memset(r, 0, sizeof *r);
	if (!err)
		err = &local;
	if (job_init(&j, o, err) == 0)
		rc = fetch_job_run(&j, r, err);
	fetch_job_free(&j);
	return rc;
}

void fetch_result_clear(fetch_result *r)
{
	free(r->path);
	cache_meta_clear(&r->meta);
	memset(r, 0, sizeof *r);
}

const char *fetch_source_name(fetch_source s)
{
	switch (s) {
	case FETCH_FROM_SERVER:
		return "fetched";
	case FETCH_FROM_CACHE:
		return "cached";
	case FETCH_FROM_STALE:
		return "stale cache";
	case FETCH_FROM_OFFLINE:
		break;
	}
	return "offline cache";
}
