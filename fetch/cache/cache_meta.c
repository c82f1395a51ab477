/* cache_meta.c — snapshot records as JSON files (jansson), and the
 * searches over them. A record that does not parse, or lacks a field, counts
 * as missing: the next fetch writes a good one over it. */
#include "cache.h"

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache_int.h"

#define META_VERSION 1

void cache_meta_clear(cache_meta *m)
{
	free(m->server);
	free(m->tenant);
	free(m->profile_type);
	free(m->service);
	for (size_t i = 0; i < m->nselectors; i++)
		free(m->selectors[i]);
	free(m->selectors);
	memset(m, 0, sizeof *m);
}

static json_t *selectors_json(const cache_meta *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->nselectors; i++)
		if (json_array_append_new(a, json_string(m->selectors[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *meta_json(const cache_meta *m, const char *stamp)
{
	json_t *sel = selectors_json(m);

	if (!sel)
		return NULL;
	/* "o" steals sel; json_pack frees it when packing fails. */
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:o, s:s*, s:s, s:I, s:I, s:I, s:I, s:b, "
	                 "s:I, s:I, s:I, s:I, s:i, s:b, s:s, s:s}",
	                 "version", META_VERSION, "key", m->key, "sha256", m->sha256, "server",
	                 m->server, "tenant", m->tenant ? m->tenant : "", "selectors", sel,
	                 "service", m->service, "profile_type", m->profile_type, "window_seconds",
	                 (json_int_t)m->window_len, "newest_end", (json_int_t)m->newest_end,
	                 "window_start", (json_int_t)m->window_start, "window_end",
	                 (json_int_t)m->window_end, "open_window", m->open_window, "fetched_at",
	                 (json_int_t)m->fetched_at, "raw_size", (json_int_t)m->raw_size, "size",
	                 (json_int_t)m->size, "samples", (json_int_t)m->samples, "keep_locations",
	                 (int)m->keep_locations, "aggregate_callees", m->aggregate_callees, "rules",
	                 m->rules, "profile_stamp", stamp);
}

/* The profile file's identity now: "inode:size:ctime"; "" when it cannot
 * be had. */
static void profile_stamp(const cache *c, const char *sha, char *buf, size_t bufsz)
{
	char *path = cache_profile_path(c, sha);
	struct stat st;

	buf[0] = '\0';
	if (path && stat(path, &st) == 0)
		snprintf(buf, bufsz, "%ju:%jd:%jd.%09ld", (uintmax_t)st.st_ino,
		         (intmax_t)st.st_size, (intmax_t)st.st_ctim.tv_sec,
		         (long)st.st_ctim.tv_nsec);
	free(path);
}

int cache_profile_intact(const cache *c, const cache_meta *m)
{
	char now[sizeof m->stamp];

	if (m->stamp[0]) {
		profile_stamp(c, m->sha256, now, sizeof now);
		if (!strcmp(now, m->stamp))
			return 1;
	}
	return cache_profile_ok(c, m->sha256);
}

int cache_meta_write(const cache *c, const cache_meta *m, fetch_err *err)
{
	char dir[PATH_MAX], name[CACHE_HEX_LEN + 8], stamp[sizeof m->stamp];
	json_t *j;
	char *text;
	int rc;

	profile_stamp(c, m->sha256, stamp, sizeof stamp);
	j = meta_json(m, stamp);
	text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;

	json_decref(j);
	if (!text)
		return fetch_err_nomem(err);
	snprintf(dir, sizeof dir, "%s/snapshots", c->dir);
	snprintf(name, sizeof name, "%s.json", m->key);
	rc = cache_write_atomic(dir, name, text, strlen(text), err);
	free(text);
	return rc;
}

static int dup_field(char **dst, const char *src)
{
	return (*dst = strdup(src ? src : "")) ? 0 : -1;
}

static int read_selectors(cache_meta *m, json_t *a)
{
	size_t n = json_array_size(a);

	if (!(m->selectors = calloc(n ? n : 1, sizeof *m->selectors)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (!s)
			return 1;
		if (!(m->selectors[i] = strdup(s)))
			return -1;
		m->nselectors++;
	}
	return 0;
}

/* 0 filled, 1 malformed, -1 out of memory. */
static int meta_from_json(cache_meta *m, json_t *j)
{
	const char *key, *sha, *server, *tenant, *type, *service = NULL, *rules = "", *stamp = "";
	json_int_t version, len, newest, ws, we, at, raw, size, samples;
	int open, keep, agg;
	json_t *sel;

	if (json_unpack(j,
	                "{s:I, s:s, s:s, s:s, s:s, s:o, s?s, s:s, s:I, s:I, s:I, s:I, s:b, s:I, "
	                "s:I, s:I, s:I, s:i, s:b, s?s, s?s}",
	                "version", &version, "key", &key, "sha256", &sha, "server", &server,
	                "tenant", &tenant, "selectors", &sel, "service", &service, "profile_type",
	                &type, "window_seconds", &len, "newest_end", &newest, "window_start", &ws,
	                "window_end", &we, "open_window", &open, "fetched_at", &at, "raw_size",
	                &raw, "size", &size, "samples", &samples, "keep_locations", &keep,
	                "aggregate_callees", &agg, "rules", &rules, "profile_stamp", &stamp) != 0)
		return 1;
	if (version != META_VERSION || strlen(key) != CACHE_HEX_LEN ||
	    strlen(sha) != CACHE_HEX_LEN || !json_is_array(sel) ||
	    (*rules && strlen(rules) != CACHE_HEX_LEN))
		return 1;
	snprintf(m->rules, sizeof m->rules, "%s", rules);
	snprintf(m->stamp, sizeof m->stamp, "%s", stamp);
	memcpy(m->key, key, sizeof m->key);
	memcpy(m->sha256, sha, sizeof m->sha256);
	m->window_len = len;
	m->newest_end = newest;
	m->window_start = ws;
	m->window_end = we;
	m->open_window = open;
	m->fetched_at = at;
	m->raw_size = raw;
	m->size = size;
	m->samples = samples;
	m->keep_locations = keep < 0 ? 0 : (unsigned)keep;
	m->aggregate_callees = agg;
	if (dup_field(&m->server, server) || dup_field(&m->tenant, tenant) ||
	    dup_field(&m->profile_type, type) || (service && dup_field(&m->service, service)))
		return -1;
	return read_selectors(m, sel);
}

int cache_meta_read(const cache *c, const char *key, cache_meta *m, fetch_err *err)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *j;
	int rc;

	memset(m, 0, sizeof *m);
	snprintf(path, sizeof path, "%s/snapshots/%s.json", c->dir, key);
	/* A record is a few hundred bytes; anything big is not one of ours. */
	if (!(j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)))
		return 0;
	rc = meta_from_json(m, j);
	json_decref(j);
	if (rc == 0 && strcmp(m->key, key) != 0)
		rc = 1;
	if (rc != 0)
		cache_meta_clear(m);
	return rc == 0 ? 1 : rc < 0 ? fetch_err_nomem(err) : 0;
}

int cache_meta_matches(const cache_meta *m, const cache_query *q)
{
	if (strcmp(m->server, q->server) || strcmp(m->tenant, q->tenant ? q->tenant : "") ||
	    strcmp(m->profile_type, q->profile_type) || m->nselectors != q->nselectors ||
	    strcmp(m->rules, q->rules ? q->rules : ""))
		return 0;
	for (size_t i = 0; i < q->nselectors; i++)
		if (strcmp(m->selectors[i], q->selectors[i]))
			return 0;
	return 1;
}

static int profile_exists(const cache *c, const char *sha)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof path, "%s/profiles/%s.pgo", c->dir, sha);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int cache_scan(const cache *c, int (*fn)(void *ctx, const cache_meta *m), void *ctx, fetch_err *err)
{
	char dir[PATH_MAX], key[CACHE_HEX_LEN + 1];
	struct dirent *e;
	int rc = 0;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/snapshots", c->dir);
	if (!(d = opendir(dir)))
		return 0;
	while (rc == 0 && (e = readdir(d))) {
		cache_meta m;
		int found;

		if (!cache_is_hex_name(e->d_name, ".json"))
			continue;
		memcpy(key, e->d_name, CACHE_HEX_LEN);
		key[CACHE_HEX_LEN] = '\0';
		if ((found = cache_meta_read(c, key, &m, err)) < 0)
			rc = -1;
		else if (found && profile_exists(c, m.sha256))
			rc = fn(ctx, &m);
		cache_meta_clear(&m);
	}
	closedir(d);
	return rc;
}

struct newest {
	const cache *c;
	const cache_query *q;
	int64_t min_fetched_at;
	cache_meta best;
	int found, nomem;
};

static int newer(const cache_meta *a, const cache_meta *b)
{
	if (a->window_end != b->window_end)
		return a->window_end > b->window_end;
	return a->fetched_at > b->fetched_at;
}

/* Moves *src into *dst (the scan lends records, so this copies). */
static int meta_copy(cache_meta *dst, const cache_meta *src)
{
	cache_meta m = *src;

	m.server = strdup(src->server);
	m.tenant = strdup(src->tenant);
	m.profile_type = strdup(src->profile_type);
	m.service = src->service ? strdup(src->service) : NULL;
	m.selectors = calloc(src->nselectors ? src->nselectors : 1, sizeof *m.selectors);
	m.nselectors = 0;
	for (size_t i = 0; m.selectors && i < src->nselectors; i++, m.nselectors++)
		if (!(m.selectors[i] = strdup(src->selectors[i])))
			break;
	if (!m.server || !m.tenant || !m.profile_type || (src->service && !m.service) ||
	    !m.selectors || m.nselectors != src->nselectors) {
		cache_meta_clear(&m);
		return -1;
	}
	cache_meta_clear(dst);
	*dst = m;
	return 0;
}

static int consider(void *ctx, const cache_meta *m)
{
	struct newest *n = ctx;

	if (!cache_meta_matches(m, n->q) || m->fetched_at < n->min_fetched_at)
		return 0;
	if (n->found && !newer(m, &n->best))
		return 0;
	if (!cache_profile_ok(n->c, m->sha256))
		return 0;
	if (meta_copy(&n->best, m) != 0) {
		n->nomem = 1;
		return 1;
	}
	n->found = 1;
	return 0;
}

int cache_find_newest(const cache *c, const cache_query *q, int64_t min_fetched_at, cache_meta *m,
                      fetch_err *err)
{
	struct newest n = {.c = c, .q = q, .min_fetched_at = min_fetched_at};

	memset(m, 0, sizeof *m);
	if (cache_scan(c, consider, &n, err) < 0 || n.nomem) {
		cache_meta_clear(&n.best);
		return n.nomem ? fetch_err_nomem(err) : -1;
	}
	if (!n.found)
		return 0;
	*m = n.best;
	return 1;
}
