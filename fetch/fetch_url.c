/* fetch_url.c — the raw pprof endpoint source, and what it shares with
 * the local files source (fetch_files.c): adding one decoded profile
 * to the merge, and storing the result. */
#include "fetch_sources.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fetch_int.h"
#include "fetch_sources_int.h"
#include "pgo_canon.h"
#include "pgo_reduce.h"
#include "pgo_validate.h"
#include "pyro_int.h"
#include "url_split.h"

/* ---- shared with the files source ----------------------------------------- */

int fetch_err_context(fetch_err *err, fetch_code code, const char *prefix)
{
	size_t cap = sizeof err->msg - 1, np, nm;

	if (!err)
		return -1;
	/* The prefix may take half the line; the message what is left. */
	np = strlen(prefix) < cap / 2 ? strlen(prefix) : cap / 2;
	nm = strlen(err->msg);
	if (nm > cap - np - 2)
		nm = cap - np - 2;
	memmove(err->msg + np + 2, err->msg, nm);
	memcpy(err->msg, prefix, np);
	memcpy(err->msg + np, ": ", 2);
	err->msg[np + 2 + nm] = '\0';
	if (code != FETCH_OK)
		err->code = code;
	return -1;
}

/* Widens the data's span by p's own, when p says when it was taken. */
static void add_span(struct fetch_pulled *s, const pprof_msg *m)
{
	int64_t start = m->time_nanos, end;

	if (start <= 0)
		return;
	end = m->duration_nanos > 0 && m->duration_nanos <= INT64_MAX - start
	          ? start + m->duration_nanos
	          : start;
	if (!s->start_ns || start < s->start_ns)
		s->start_ns = start;
	if (end > s->end_ns)
		s->end_ns = end;
}

static int decode(struct fetch_pulled *s, const void *data, size_t len, size_t max_size,
                  pprof_release_fn *release, void *ctx, const char *what, pprof_profile **out,
                  fetch_err *err)
{
	char prefix[700];

	if (pprof_decode_release(data, len, max_size, release, ctx, out, err) != 0) {
		snprintf(prefix, sizeof prefix, "%s is not a valid profile", what);
		return fetch_err_context(err, FETCH_OK, prefix);
	}
	s->raw_size += (int64_t)(*out)->input_size;
	return 0;
}

int fetch_source_add(struct fetch_pulled *s, const void *data, size_t len, size_t max_size,
                     pprof_release_fn *release, void *release_ctx, const char *what, fetch_pgo *acc,
                     fetch_err *err)
{
	pprof_profile *prof = NULL;
	char ctx[700];
	int rc = -1;

	if (decode(s, data, len, max_size, release, release_ctx, what, &prof, err) != 0)
		return -1;
	if (prof->msg->n_sample == 0) {
		rc = 0; /* an idle service: nothing to add, no error yet */
	} else if (pgo_validate(prof, err) != 0) {
		snprintf(ctx, sizeof ctx, "%s is unusable for PGO", what);
		fetch_err_context(err, FETCH_E_INVALID, ctx);
	} else if ((rc = fetch_pgo_add(acc, prof, err)) != 0) {
		snprintf(ctx, sizeof ctx, "%s cannot be merged", what);
		fetch_err_context(err, FETCH_OK, ctx);
	} else {
		add_span(s, prof->msg);
	}
	pprof_free(prof);
	return rc;
}

int fetch_source_store(struct fetch_job *j, const struct fetch_pulled *s, const fetch_pgo *acc,
                       cache_meta *m, fetch_err *err)
{
	const int64_t ns = 1000000000;

	if (fetch_job_meta(j, m) != 0 || !(m->service = strdup(s->display))) {
		cache_meta_clear(m);
		return fetch_err_nomem(err);
	}
	m->window_start = s->start_ns / ns;
	m->window_end = (s->end_ns + ns - 1) / ns;
	m->raw_size = s->raw_size;
	return fetch_job_store(j, acc, s->start_ns, s->end_ns, m, err);
}

/* ---- the raw endpoint -------------------------------------------------------- */

int64_t fetch_url_seconds(const char *query)
{
	const char *p = query;
	char *end;
	long long v;

	while (p && *p) {
		if (!strncmp(p, "seconds=", 8)) {
			errno = 0;
			v = strtoll(p + 8, &end, 10);
			if (errno || end == p + 8 || (*end && *end != '&') || v < 0 || v > 86400)
				return -1;
			return (int64_t)v;
		}
		p = strchr(p, '&');
		p = p ? p + 1 : NULL;
	}
	return FETCH_URL_SECONDS_DEFAULT;
}

/* The URL's parts: what the client connects to (credentials kept, for
 * pyro_client to take), the query, and the URL as shown and keyed. */
struct pprof_url {
	char *conn, *query, *shown;
};

static void pprof_url_clear(struct pprof_url *u)
{
	if (u->conn)
		explicit_bzero(u->conn, strlen(u->conn));
	free(u->conn);
	free(u->query);
	free(u->shown);
	memset(u, 0, sizeof *u);
}

static int bad_url(const char *url, const char *name, const char *why, fetch_err *err)
{
	char shown[300];

	pyro_url_redact(url, shown, sizeof shown);
	return fetch_errf(err, FETCH_E_ARG, "bad pprof URL '%s': %s (%s)", shown, why, name);
}

/* Split without libcurl (url_split.h): the snapshot key is the URL as
 * shown, and a build served from the cache must not load the network
 * library. The client, on a miss, checks the URL fully. */
static int parse_url(const char *url, const char *name, struct pprof_url *u, fetch_err *err)
{
	url_split p;
	int nomem, rc = -1;

	memset(u, 0, sizeof *u);
	if (!url || !*url)
		return fetch_errf(err, FETCH_E_ARG, "no pprof URL (%s)", name);
	if (url_split_parse(url, &p, &nomem) != 0)
		return nomem ? fetch_err_nomem(err)
		             : bad_url(url, name, "no scheme (start it with http:// or https://)",
		                       err);
	if (strcmp(p.scheme, "http") != 0 && strcmp(p.scheme, "https") != 0)
		bad_url(url, name, "only http:// and https:// are supported", err);
	else if (!*p.hostport || p.hostport[0] == ':')
		bad_url(url, name, "no host", err);
	else if (p.fragment)
		bad_url(url, name, "a fragment (#…) means nothing to a server", err);
	else if (!(u->conn = url_split_join(&p, 1, 0)) || !(u->shown = url_split_join(&p, 0, 1)) ||
	         (p.query && !(u->query = strdup(p.query))))
		fetch_err_nomem(err);
	else
		rc = 0;
	url_split_clear(&p);
	if (rc == 0 && fetch_url_seconds(u->query) < 0)
		rc = bad_url(url, name, "seconds= wants a number of seconds up to 86400", err);
	if (rc != 0)
		pprof_url_clear(u);
	return rc;
}

struct url_state {
	struct fetch_pulled s;
	struct pprof_url u;
	int64_t seconds;
};

/* The client: o's connection settings, this URL, the time it profiles. */
static int url_client(const struct fetch_job *j, const struct url_state *st, pyro_client **cl,
                      fetch_err *err)
{
	pyro_conn conn = j->o->conn;

	conn.url = st->u.conn;
	conn.url_setting = FETCH_SET_PPROF_URL;
	conn.timeout_ms =
	    (conn.timeout_ms > 0 ? conn.timeout_ms : PYRO_TIMEOUT_MS) + (long)st->seconds * 1000;
	return pyro_client_new(&conn, cl, err);
}

static void free_body(void *ctx)
{
	unsigned char **body = ctx;

	free(*body);
	*body = NULL;
}

static int url_pull(struct fetch_job *j, cache_meta *m, unsigned *requests, fetch_err *err)
{
	struct url_state *st = j->src;
	pyro_client *cl = NULL;
	fetch_pgo *acc = NULL;
	unsigned char *body = NULL;
	char what[400];
	size_t len = 0;
	int rc = -1;

	memset(m, 0, sizeof *m);
	st->s = (struct fetch_pulled){.display = j->server};
	if (url_client(j, st, &cl, err) != 0)
		return -1;
	if (pyro_get(cl, st->u.query, &body, &len, err) != 0)
		goto out;
	if (!(acc = fetch_pgo_new(&j->o->reduce))) {
		fetch_err_nomem(err);
		goto out;
	}
	snprintf(what, sizeof what, "the answer of the pprof endpoint at %s", j->server);
	if (fetch_source_add(&st->s, body, len, j->o->conn.max_response, free_body, &body, what,
	                     acc, err) != 0)
		goto out;
	if (acc->nsamples == 0) {
		fetch_errf(err, FETCH_E_NODATA,
		           "the pprof endpoint at %s sent a profile without samples (the service "
		           "was idle while it profiled: ask for more seconds)",
		           j->server);
		goto out;
	}
	/* A runtime profile says when it was taken; one that does not is
	 * taken to cover the seconds since the request. */
	if (!st->s.start_ns) {
		st->s.start_ns = j->now * 1000000000;
		st->s.end_ns = st->s.start_ns + st->seconds * 1000000000;
	}
	rc = fetch_source_store(j, &st->s, acc, m, err);
out:
	*requests += cl ? pyro_client_requests(cl) : 0;
	free(body);
	fetch_pgo_free(acc);
	pyro_client_free(cl);
	return rc;
}

static int url_job(struct fetch_job *j, const fetch_opts *o, struct url_state *st, fetch_err *err)
{
	j->o = o;
	j->now = o->now ? o->now : (int64_t)time(NULL);
	j->len = o->window ? o->window : WINDOW_DEFAULT;
	j->type = FETCH_URL_TYPE;
	if (j->len < WINDOW_MIN || j->len > WINDOW_MAX)
		return fetch_errf(err, FETCH_E_ARG, "the window must be between 1m and 24h");
	if (!(j->server = strdup(st->u.shown)) || !(j->label = strdup("the pprof endpoint")))
		return fetch_err_nomem(err);
	if (fetch_job_cache(j, err) != 0)
		return -1;
	j->newest = window_newest(j->len, j->now);
	fetch_job_query(j, NULL, j->newest.end);
	j->pull = url_pull;
	j->src = st;
	j->pull_ms =
	    (o->conn.timeout_ms > 0 ? o->conn.timeout_ms : PYRO_TIMEOUT_MS) + st->seconds * 1000;
	return 0;
}

int fetch_from_url(const fetch_opts *o, const char *url, fetch_result *r, fetch_err *err)
{
	struct url_state st;
	struct fetch_job j;
	fetch_err local;
	int rc = -1;

	memset(r, 0, sizeof *r);
	memset(&j, 0, sizeof j);
	if (!err)
		err = &local;
	if (parse_url(url, fetch_setting_name(&o->conn.names, FETCH_SET_PPROF_URL), &st.u, err) !=
	    0)
		return -1;
	st.seconds = fetch_url_seconds(st.u.query);
	if (url_job(&j, o, &st, err) == 0)
		rc = fetch_job_run(&j, r, err);
	fetch_job_free(&j);
	pprof_url_clear(&st.u);
	return rc;
}
