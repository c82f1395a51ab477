/* fetch_hold.c — the hold: a new snapshot every window, a new profile only
 * when it would change what the compiler does.
 *
 * Go keys every package's build on the profile's bytes, so a new profile is
 * a full rebuild, standard library included. For the newest window, ending
 * at e, the hold chooses a snapshot C(e) that is a function of the server's
 * data alone, so every machine building at the same time chooses the same,
 * whatever its cache holds:
 *
 *   a    = e rounded down to a multiple of the hold H (a whole number of
 *          windows of length L) since the epoch: where the chain starts;
 *   C(a) = S(a), the snapshot a fetch at a gets (the newest closed window
 *          with samples);
 *   C(w) = C(w - L) when S(w) changes the compiler's decisions
 *          (pgo_decide.h) by at most the tolerance against it, else S(w).
 *
 * So the profile changes at most once a window, when it matters, and at
 * least every H. Every C(w) is recorded (cache_hold_*): a warm build reads
 * one record; a cold cache walks on from the newest record it has, or from
 * a, pulling the snapshots it lacks (at most H / L). A snapshot of the
 * current, open window is not reproducible: it is taken as it is, and not
 * recorded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch_int.h"
#include "pgo_decide.h"
#include "pgo_edges.h"

/* The hold in whole windows. */
static int64_t hold_span(const struct fetch_job *j)
{
	return j->o->hold / j->len * j->len;
}

int fetch_hold_applies(const struct fetch_job *j)
{
	const fetch_opts *o = j->o;

	return o->hold > 0 && !o->force && j->pull == fetch_from_server &&
	       hold_span(j) >= 2 * j->len;
}

/* The record's key for j's window: its snapshot key, the hold and the
 * tolerance (another hold is another chain). */
static void hold_key(const struct fetch_job *j, char key[CACHE_HEX_LEN + 1])
{
	char text[CACHE_HEX_LEN + 64];
	int n = snprintf(text, sizeof text, "pgo-go hold v1\n%s\n%" PRId64 "\n%ld\n", j->key,
	                 hold_span(j), (long)(j->o->hold_tolerance * 1e6 + 0.5));

	cache_sha256_hex(text, (size_t)n, key);
}

/* The snapshot recorded for j's window: 1 with m (intact) and *change, 0
 * when there is none (or it is gone), -1 when out of memory. */
static int hold_get(const struct fetch_job *j, cache_meta *m, double *change, fetch_err *err)
{
	char key[CACHE_HEX_LEN + 1], chosen[CACHE_HEX_LEN + 1];
	int found;

	hold_key(j, key);
	if (!cache_hold_get(j->c, key, chosen, change))
		return 0;
	if ((found = cache_meta_read(j->c, chosen, m, err)) <= 0)
		return found;
	if (m->open_window || !cache_profile_intact(j->c, m)) {
		cache_meta_clear(m);
		return 0;
	}
	return 1;
}

static int check_span(const struct fetch_job *j, fetch_err *err)
{
	char h[32], w[32];

	if (hold_span(j) / j->len <= FETCH_HOLD_MAX_STEPS)
		return 0;
	return fetch_errf(err, FETCH_E_ARG,
	                  "a hold of %s over windows of %s takes up to %" PRId64
	                  " snapshots on a cold cache, more than %d: lower %s or raise %s",
	                  window_format_duration(j->o->hold, h, sizeof h),
	                  window_format_duration(j->len, w, sizeof w), hold_span(j) / j->len,
	                  FETCH_HOLD_MAX_STEPS,
	                  fetch_setting_name(&j->o->conn.names, FETCH_SET_HOLD),
	                  fetch_setting_name(&j->o->conn.names, FETCH_SET_WINDOW));
}

static void held(fetch_result *r, int64_t newest_end, double change)
{
	r->newest_end = newest_end;
	r->held = r->meta.newest_end != newest_end;
	r->held_change = change;
}

int fetch_hold_cached(struct fetch_job *j, fetch_result *r, fetch_err *err)
{
	cache_meta m;
	double change;
	int got;

	if (check_span(j, err) != 0 || (got = hold_get(j, &m, &change, err)) < 0)
		return -1;
	if (!got)
		return 0;
	if (fetch_job_result(j, &m, FETCH_FROM_CACHE, r, err) != 0)
		return -1;
	held(r, j->newest.end, change);
	return 1;
}

/* ---- the chain ------------------------------------------------------------------ */

/* The compiler's edges of a cached profile: reduced and validated when it
 * was stored, so no bound on its size beyond the one it had then. */
static int load_edges(const char *path, fetch_pgo_edges **e, fetch_err *err)
{
	return fetch_pgo_edges_load(path, INT64_MAX, e, err);
}

/* The chain as it is walked: C(w) and its edges (loaded when needed). */
struct chain {
	struct fetch_job *j;
	fetch_result cur;
	fetch_pgo_edges *edges;
	int have;
	double change; /* S(w)'s against C(w - L) */
	unsigned requests;
};

static void chain_take(struct chain *ch, fetch_result *s, fetch_pgo_edges *edges)
{
	fetch_result_clear(&ch->cur);
	fetch_pgo_edges_free(ch->edges);
	ch->cur = *s;
	ch->edges = edges;
	ch->have = 1;
	memset(s, 0, sizeof *s);
}

/* The newest record in [a, e), from which the chain goes on; none: it
 * starts at a. Leaves the window to go on from in *w. */
static int chain_resume(struct chain *ch, int64_t a, int64_t e, int64_t *w, fetch_err *err)
{
	struct fetch_job *j = ch->j;
	cache_meta m;
	int got;

	for (*w = e - j->len; *w >= a; *w -= j->len) {
		fetch_job_at(j, *w);
		if ((got = hold_get(j, &m, &ch->change, err)) < 0)
			return -1;
		if (got) {
			if (fetch_job_result(j, &m, FETCH_FROM_CACHE, &ch->cur, err) != 0)
				return -1;
			ch->have = 1;
			return 0;
		}
	}
	return 0;
}

static void say(struct chain *ch, const fetch_result *s, const fetch_pgo_change *d, int took,
                int64_t a)
{
	struct fetch_job *j = ch->j;
	window ws = {s->meta.window_start, s->meta.window_end, 0},
	       wc = {ch->cur.meta.window_start, ch->cur.meta.window_end, 0};
	time_t until = (time_t)(a + hold_span(j));
	char bs[96], bc[96], end[32];
	double tol = j->o->hold_tolerance * 100;
	struct tm tm;

	window_format(ws, bs, sizeof bs);
	window_format(wc, bc, sizeof bc);
	strftime(end, sizeof end, "%Y-%m-%d %H:%M UTC", gmtime_r(&until, &tm));
	if (!took)
		fetch_note(j,
		           "%s: the newer snapshot (%s) is not taken: it changes %.1f%% of the "
		           "compiler's decisions, at most %.1f%% keeps the profile of %s (until %s "
		           "at the latest)",
		           j->label, bs, d->share * 100, tol, bc, end);
	else if (d)
		fetch_note(
		    j,
		    "%s: taking the newer snapshot (%s): it changes %.1f%% of the compiler's "
		    "decisions, more than %.1f%%%s%s",
		    j->label, bs, d->share * 100, tol, *d->example ? "; e.g. " : "", d->example);
}

/* After a window without samples, w, before e: the window to go on after,
 * e's previous when none of [w, e - L) has any either (a service that
 * started minutes ago asks once, not once a window; a gap longer than a
 * query may span is walked window by window). */
static int chain_skip(struct chain *ch, int64_t *w, int64_t e, fetch_err *err)
{
	int has = 1;

	/* One query spans at most what the server takes (24 h). */
	if (e - ch->j->len <= *w || e - ch->j->len - *w > WINDOW_MAX)
		return 0;
	if (fetch_server_has_samples(ch->j, *w, e - ch->j->len, &has, &ch->requests, err) != 0)
		return -1;
	if (!has)
		*w = e - ch->j->len;
	return 0;
}

/* One step: S(w) against C(w - L), recorded. *w may move on (chain_skip). */
static int chain_step(struct chain *ch, int64_t *wp, int64_t a, int64_t e, fetch_err *err)
{
	int64_t w = *wp;
	struct fetch_job *j = ch->j;
	char key[CACHE_HEX_LEN + 1];
	fetch_pgo_change d = {0, 0, ""};
	fetch_pgo_edges *edges = NULL;
	fetch_result s = {0};
	int rc;

	fetch_job_at(j, w);
	j->closed_only = w < e;
	rc = fetch_job_snapshot(j, &s, err);
	ch->requests += s.requests;
	if (rc != 0) {
		fetch_result_clear(&s);
		/* Before the service's first samples: nothing to take yet. */
		if (err->code != FETCH_E_NODATA || w == e)
			return -1;
		if (!ch->have)
			return chain_skip(ch, wp, e, err);
		/* A gap in the data: the profile stands, recorded so. */
		ch->change = 0;
		hold_key(j, key);
		return cache_hold_put(j->c, key, ch->cur.meta.key, 0, err);
	}
	if (s.meta.open_window) {
		chain_take(ch, &s, NULL);
		ch->change = 1;
		return 0;
	}
	if (ch->have && strcmp(s.meta.sha256, ch->cur.meta.sha256) != 0) {
		if ((!ch->edges && load_edges(ch->cur.path, &ch->edges, err) != 0) ||
		    load_edges(s.path, &edges, err) != 0 ||
		    fetch_pgo_decisions_diff(ch->edges, edges, &d, err) != 0)
			goto fail;
	}
	ch->change = ch->have ? d.share : 1;
	if (w == e && ch->have && ch->cur.meta.newest_end != s.meta.newest_end)
		say(ch, &s, &d, d.share > j->o->hold_tolerance, a);
	if (!ch->have || d.share > j->o->hold_tolerance)
		chain_take(ch, &s, edges), edges = NULL;
	hold_key(j, key);
	rc = cache_hold_put(j->c, key, ch->cur.meta.key, ch->change, err);
	fetch_pgo_edges_free(edges);
	fetch_result_clear(&s);
	return rc;
fail:
	fetch_pgo_edges_free(edges);
	fetch_result_clear(&s);
	return -1;
}

int fetch_hold_run(struct fetch_job *j, fetch_result *r, fetch_err *err)
{
	int64_t e = j->newest.end, a = e - e % hold_span(j), w;
	struct chain ch = {j, {0}, NULL, 0, 1, 0};
	int rc = -1;

	if (chain_resume(&ch, a, e, &w, err) != 0)
		goto out;
	if (!ch.have)
		w = a - j->len;
	for (w += j->len; w <= e; w += j->len)
		if (chain_step(&ch, &w, a, e, err) != 0)
			goto out;
	if (!ch.have) {
		fetch_errf(err, FETCH_E_NODATA, "no samples for %s", j->label);
		goto out;
	}
	*r = ch.cur;
	memset(&ch.cur, 0, sizeof ch.cur);
	r->requests = ch.requests;
	r->source = ch.requests ? FETCH_FROM_SERVER : FETCH_FROM_CACHE;
	held(r, e, ch.change);
	rc = 0;
out:
	fetch_job_at(j, e);
	j->closed_only = 0;
	fetch_result_clear(&ch.cur);
	fetch_pgo_edges_free(ch.edges);
	return rc;
}
