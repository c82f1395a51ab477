/* fetch_server.c — asking Pyroscope for the newest window with samples,
 * reducing and merging the answers, and storing the canonical result. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_int.h"
#include "fetch_sources_int.h"
#include "pgo_canon.h"
#include "pgo_reduce.h"
#include "pgo_validate.h"
#include "pprof.h"

/* What the search carries from window to window. */
struct pull {
	struct fetch_job *j;
	pyro_client *cl;
	int64_t raw_size; /* decompressed bytes of the answers used */
};

/* Decodes one answer and adds it to acc; an answer without samples adds
 * nothing. */
static int add_answer(struct pull *p, const char *sel, const unsigned char *body, size_t len,
                      fetch_pgo *acc, fetch_err *err)
{
	pprof_profile *prof = NULL;
	char what[300];
	int rc = -1;

	if (pprof_decode(body, len, p->j->o->conn.max_response, &prof, err) != 0) {
		snprintf(what, sizeof what, "the profile %s sent for %s is not valid", p->j->server,
		         sel);
		return fetch_err_context(err, FETCH_OK, what);
	}
	p->raw_size += (int64_t)prof->input_size;
	if (prof->msg->n_sample == 0)
		rc = 0;
	else if (pgo_validate(prof, err) != 0) {
		snprintf(what, sizeof what, "the profile %s sent for %s is unusable for PGO",
		         p->j->server, sel);
		fetch_err_context(err, FETCH_E_INVALID, what);
	} else
		rc = fetch_pgo_add(acc, prof, err);
	pprof_free(prof);
	return rc;
}

/* The merged, reduced profile of every selector over [w.start, end_ms).
 * *out is NULL when the window holds no samples. */
static int pull_window(struct pull *p, window w, int64_t end_ms, fetch_pgo **out, fetch_err *err)
{
	const fetch_opts *o = p->j->o;
	fetch_pgo *acc = fetch_pgo_new(&o->reduce);

	*out = NULL;
	if (!acc)
		return fetch_err_nomem(err);
	for (size_t i = 0; i < p->j->nselectors; i++) {
		pyro_select q = {p->j->type,
		                 p->j->selectors[i],
		                 w.start * 1000,
		                 end_ms,
		                 1,
		                 o->reduce.keep_locations,
		                 o->reduce.aggregate_callees};
		unsigned char *body;
		size_t len;
		int rc;

		if (pyro_select_merge_profile(p->cl, &q, &body, &len, err) != 0)
			goto fail;
		rc = add_answer(p, q.selector, body, len, acc, err);
		free(body);
		if (rc != 0)
			goto fail;
	}
	if (acc->nsamples == 0)
		fetch_pgo_free(acc);
	else
		*out = acc;
	return 0;
fail:
	fetch_pgo_free(acc);
	return -1;
}

/* Whether any of the last 24 h holds samples: one query instead of one per
 * window when a service has none (it started minutes ago). */
static int lookback_has_samples(struct pull *p, int *has, fetch_err *err)
{
	unsigned steps = window_steps(p->j->len);
	window span = {p->j->newest.end - (int64_t)steps * p->j->len, p->j->newest.end, 0};
	fetch_pgo *acc;
	int64_t raw = p->raw_size;

	if (pull_window(p, span, span.end * 1000, &acc, err) != 0)
		return -1;
	p->raw_size = raw;
	*has = acc != NULL;
	fetch_pgo_free(acc);
	return 0;
}

static int search_closed(struct pull *p, fetch_pgo **acc, window *used, fetch_err *err)
{
	struct fetch_job *j = p->j;
	unsigned steps = window_steps(j->len);
	char buf[96];

	for (unsigned k = 0; k < steps; k++) {
		window w = window_back(j->newest, j->len, k);
		int has = 1;

		if (pull_window(p, w, w.end * 1000, acc, err) != 0)
			return -1;
		if (*acc) {
			*used = w;
			return 0;
		}
		fetch_note(j, "no samples for %s in %s", j->label,
		           window_format(w, buf, sizeof buf));
		if (k == 0 && steps > 1 && lookback_has_samples(p, &has, err) != 0)
			return -1;
		if (!has)
			break;
	}
	return 0;
}

static int search_open(struct pull *p, fetch_pgo **acc, window *used, fetch_err *err)
{
	struct fetch_job *j = p->j;
	window w = window_current(j->len, j->now);
	char buf[96];

	if (w.end <= w.start || j->closed_only)
		return 0;
	if (pull_window(p, w, w.end * 1000, acc, err) != 0)
		return -1;
	if (*acc) {
		*used = w;
		fetch_note(j,
		           "no samples for %s in the last 24 h but in the current window %s: "
		           "this profile is not reproducible and is reused only until the window "
		           "closes",
		           j->label, window_format(w, buf, sizeof buf));
	}
	return 0;
}

/* ---- no data: say why, if the server can tell -------------------------------- */

static int listed(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

static void join(char *const *v, size_t n, size_t max, char *buf, size_t bufsz)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && i < max && o < bufsz; i++)
		o += (size_t)snprintf(buf + o, bufsz - o, "%s%s", i ? ", " : "", v[i]);
}

/* A hint from ProfileTypes (the type is missing) or LabelValues (the
 * service is unknown); "" when neither tells anything. */
static void nodata_hint(struct pull *p, char *buf, size_t bufsz)
{
	struct fetch_job *j = p->j;
	int64_t end = j->now * 1000, start = end - (int64_t)WINDOW_LOOKBACK * 1000;
	char **v = NULL, names[300];
	size_t n = 0;
	fetch_err ignored;

	buf[0] = '\0';
	if (pyro_profile_types(p->cl, start, end, &v, &n, &ignored) == 0 && n &&
	    !listed(v, n, j->type)) {
		join(v, n, 5, names, sizeof names);
		snprintf(buf, bufsz, "; the server has no %s profiles, only: %s", j->type, names);
	}
	pyro_strings_free(v, n);
	v = NULL;
	n = 0;
	if (buf[0] || j->o->nselectors)
		return;
	if (pyro_label_values(p->cl, "service_name", start, end, &v, &n, &ignored) != 0)
		return;
	if (!listed(v, n, j->o->service)) {
		fetch_closest(v, n, j->o->service, NULL, 5, names, sizeof names);
		/* no_data's line names the server and the tenant. */
		snprintf(buf, bufsz, "; it knows no service '%s'%s%s%s", j->o->service,
		         *names ? " (closest: " : "", names, *names ? ")" : ": it has none at all");
	}
	pyro_strings_free(v, n);
}

static int no_data(struct pull *p, fetch_err *err)
{
	char hint[400] = "", tenant[220];

	/* A past window's search (the hold's) needs no hint: it goes on. */
	if (!p->j->closed_only)
		nodata_hint(p, hint, sizeof hint);
	return fetch_errf(err, FETCH_E_NODATA,
	                  "no %s samples for %s at %s%s in the last 24 hours%s", p->j->type,
	                  p->j->label, p->j->server,
	                  fetch_tenant_note(p->j->q.tenant, tenant, sizeof tenant), hint);
}

/* ---- storing -------------------------------------------------------------------- */

static int store(struct pull *p, const fetch_pgo *acc, window used, cache_meta *m, fetch_err *err)
{
	const int64_t ns = 1000000000;
	struct fetch_job *j = p->j;

	if (fetch_job_meta(j, m) != 0 ||
	    (!j->o->nselectors && !(m->service = strdup(j->o->service)))) {
		cache_meta_clear(m);
		return fetch_err_nomem(err);
	}
	m->window_start = used.start;
	m->window_end = used.end;
	m->open_window = used.open;
	m->raw_size = p->raw_size;
	return fetch_job_store(j, acc, used.start * ns, used.end * ns, m, err);
}

int fetch_server_has_samples(struct fetch_job *j, int64_t start, int64_t end, int *has,
                             unsigned *requests, fetch_err *err)
{
	struct pull p = {j, NULL, 0};
	window span = {start, end, 0};
	fetch_pgo *acc = NULL;
	int rc;

	if (pyro_client_new(&j->o->conn, &p.cl, err) != 0)
		return -1;
	rc = pull_window(&p, span, end * 1000, &acc, err);
	*has = acc != NULL;
	*requests += pyro_client_requests(p.cl);
	fetch_pgo_free(acc);
	pyro_client_free(p.cl);
	return rc;
}

int fetch_from_server(struct fetch_job *j, cache_meta *m, unsigned *requests, fetch_err *err)
{
	struct pull p = {j, NULL, 0};
	fetch_pgo *acc = NULL;
	window used = {0, 0, 0};
	int rc = -1;

	memset(m, 0, sizeof *m);
	if (pyro_client_new(&j->o->conn, &p.cl, err) != 0)
		return -1;
	if (search_closed(&p, &acc, &used, err) != 0 ||
	    (!acc && search_open(&p, &acc, &used, err) != 0))
		goto out;
	if (!acc) {
		no_data(&p, err);
		goto out;
	}
	rc = store(&p, acc, used, m, err);
out:
	*requests += pyro_client_requests(p.cl);
	fetch_pgo_free(acc);
	pyro_client_free(p.cl);
	return rc;
}
