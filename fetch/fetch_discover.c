/* fetch_discover.c — which service_name a build's profile comes from when
 * nothing maps the main package: ask the server which services it knows,
 * take an exact match, and otherwise say which names come close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch_int.h"

/* Names longer than this are compared by their first bytes only: the
 * distance is for a "did you mean", not an exact science. */
#define DISTANCE_MAX_LEN 128

size_t fetch_edit_distance(const char *a, const char *b)
{
	size_t na = strnlen(a, DISTANCE_MAX_LEN), nb = strnlen(b, DISTANCE_MAX_LEN);
	size_t row[DISTANCE_MAX_LEN + 1];

	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[nb];
}

struct ranked {
	size_t distance, index;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->distance != y->distance)
		return x->distance < y->distance ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void fetch_closest(char *const *names, size_t n, const char *want, const char *alt, size_t max,
                   char *buf, size_t bufsz)
{
	struct ranked *r = calloc(n ? n : 1, sizeof *r);
	size_t o = 0;

	buf[0] = '\0';
	if (!r)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t d = fetch_edit_distance(names[i], want);
		if (alt && *alt && fetch_edit_distance(names[i], alt) < d)
			d = fetch_edit_distance(names[i], alt);
		r[i] = (struct ranked){d, i};
	}
	qsort(r, n, sizeof *r, cmp_ranked);
	for (size_t i = 0; i < n && i < max && o < bufsz; i++)
		o += (size_t)snprintf(buf + o, bufsz - o, "%s%s", i ? ", " : "", names[r[i].index]);
	free(r);
}

/* ---- the cached answer ------------------------------------------------------ */

static void discovery_key(const char *server, const char *tenant, const char *name, const char *alt,
                          char key[CACHE_HEX_LEN + 1])
{
	char *text;
	int n =
	    asprintf(&text, "pgo-go service v1\n%zu:%s\n%zu:%s\n%zu:%s\n%zu:%s\n", strlen(server),
	             server, strlen(tenant), tenant, strlen(name), name, strlen(alt), alt);

	if (n < 0) {
		memset(key, '0', CACHE_HEX_LEN);
		key[CACHE_HEX_LEN] = '\0';
		return;
	}
	cache_sha256_hex(text, (size_t)n, key);
	free(text);
}

/* The server's answer: name, else alt, else FETCH_E_NODATA naming the
 * closest. */
static int ask_server(const fetch_opts *o, const char *server, const char *name, const char *alt,
                      int64_t now, char **service, fetch_err *err)
{
	int64_t end = now * 1000, start = end - (int64_t)WINDOW_LOOKBACK * 1000;
	pyro_client *cl = NULL;
	char **v = NULL, near[400], tenant[220];
	size_t n = 0;
	int rc = -1;

	if (pyro_client_new(&o->conn, &cl, err) != 0 ||
	    pyro_label_values(cl, "service_name", start, end, &v, &n, err) != 0)
		goto out;
	for (size_t pass = 0; pass < 2 && rc != 0; pass++) {
		const char *want = pass ? alt : name;
		for (size_t i = 0; want && *want && i < n && rc != 0; i++)
			if (!strcmp(v[i], want))
				rc = (*service = strdup(want)) ? 0 : fetch_err_nomem(err);
	}
	if (rc != 0 && !*service) {
		fetch_closest(v, n, name, alt, 5, near, sizeof near);
		fetch_errf(err, FETCH_E_NODATA,
		           "%s%s knows no service '%s'%s%s%s (%s%s); set %s or map the "
		           "package to a service in .pgo-go.ini",
		           server, fetch_tenant_note(o->conn.tenant_id, tenant, sizeof tenant),
		           name, alt && *alt ? " nor '" : "", alt && *alt ? alt : "",
		           alt && *alt ? "'" : "", n ? "closest: " : "it has no services at all",
		           n ? near : "", fetch_setting_name(&o->conn.names, FETCH_SET_SERVICE));
	}
out:
	pyro_strings_free(v, n);
	pyro_client_free(cl);
	return rc;
}

/* ask_server, unless the server is known to be down (fetch_down.c). */
static int ask_down(const fetch_opts *o, cache *c, const char *server, const char *name,
                    const char *alt, int64_t now, char **service, fetch_err *err)
{
	struct fetch_down d;
	int rc;

	fetch_down_init(&d, o, c, server);
	if (fetch_down_known(&d, err))
		return -1;
	rc = ask_server(o, server, name, alt, now, service, err);
	fetch_down_after(&d, rc, err);
	return rc;
}

/* A cached answer of the last hour, any age when offline or when the server
 * failed (up to max_age). */
static int cached_answer(cache *c, const char *key, int64_t now, int64_t max_age, char **service,
                         fetch_err *err)
{
	int64_t written = 0;
	int found = cache_service_get(c, key, service, &written, err);

	if (found <= 0)
		return found;
	if (max_age >= 0 && now - written > max_age) {
		free(*service);
		*service = NULL;
		return 0;
	}
	return 1;
}

static int discover(const fetch_opts *o, cache *c, const char *server, const char *name,
                    const char *alt, char **service, fetch_err *err)
{
	int64_t now = o->now ? o->now : (int64_t)time(NULL);
	int64_t stale = o->max_age ? o->max_age : FETCH_MAX_AGE_DEFAULT;
	char key[CACHE_HEX_LEN + 1], tenant[220];
	fetch_err cause;
	int found;

	discovery_key(server, o->conn.tenant_id ? o->conn.tenant_id : "", name, alt ? alt : "",
	              key);
	found = cached_answer(c, key, now, o->offline ? -1 : 3600, service, err);
	if (found != 0)
		return found > 0 ? 0 : -1;
	if (o->offline)
		return fetch_errf(err, FETCH_E_OFFLINE,
		                  "offline (%s) and no cached service name for '%s'%s",
		                  fetch_setting_name(&o->conn.names, FETCH_SET_OFFLINE), name,
		                  fetch_tenant_note(o->conn.tenant_id, tenant, sizeof tenant));
	if (ask_down(o, c, server, name, alt, now, service, err) == 0) {
		/* Not caching the answer costs a request next time, nothing more. */
		cache_service_put(c, key, *service, &cause);
		return 0;
	}
	if (stale < 0)
		return -1;
	cause = *err;
	found = cached_answer(c, key, now, stale, service, err);
	if (found <= 0)
		*err = cause;
	return found > 0 ? 0 : -1;
}

int fetch_discover_service(const fetch_opts *o, const char *name, const char *alt, char **service,
                           fetch_err *err)
{
	fetch_err local;
	char *server = NULL, *dir = NULL;
	cache *c = NULL;
	int rc = -1;

	*service = NULL;
	if (!err)
		err = &local;
	if (!name || !*name)
		return fetch_errf(err, FETCH_E_ARG, "no name to look a service up by");
	if (pyro_base_url(o->conn.url, fetch_setting_name(&o->conn.names, o->conn.url_setting),
	                  &server, err) == 0 &&
	    cache_default_dir(o->cache_dir, fetch_setting_name(&o->conn.names, FETCH_SET_CACHE_DIR),
	                      &dir, err) == 0 &&
	    cache_open(dir, 1, &c, err) == 0)
		rc = discover(o, c, server, name, alt, service, err);
	cache_close(c);
	free(dir);
	free(server);
	return rc;
}
