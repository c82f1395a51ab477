/* fetch_int.h — what fetch.c, fetch_server.c, fetch_discover.c and
 * fetch_url.c, fetch_files.c share; not for other users. */
#ifndef PGO_GO_FETCH_INT_H
#define PGO_GO_FETCH_INT_H

#include "cache.h"
#include "fetch.h"
#include "window.h"

/* Whether the server is down, and what to remember when it is (fetch_down.c). */
struct fetch_down {
	const fetch_opts *o;
	cache *c;
	char key[CACHE_HEX_LEN + 1]; /* the connection; "" when out of memory */
	int told;                    /* the failure came from the memo: the command knows it */
};

/* Prepares d for the connection o->conn makes to server. */
void fetch_down_init(struct fetch_down *d, const fetch_opts *o, cache *c, const char *server);

/* 1 when the server is not to be asked: err holds its failure (FETCH_E_DOWN),
 * from the memo (d->told) or from the cache when o->skip_down (then added to
 * the memo); else 0. */
int fetch_down_known(struct fetch_down *d, fetch_err *err);

/* After asking, with the outcome: a FETCH_E_DOWN failure is remembered (the
 * memo, the cache) and err's line says for how long; a success forgets it. */
void fetch_down_after(struct fetch_down *d, int rc, fetch_err *err);

/* One fetch: the options resolved once. */
struct fetch_job {
	const fetch_opts *o;
	int64_t now, len; /* the clock; the window length (s) */
	const char *type;
	char *server;     /* base URL, no credentials */
	char **selectors; /* sorted, unique */
	size_t nselectors;
	char *label; /* for messages: the service, or the selectors */
	cache *c;
	cache_query q;
	window newest;
	char key[CACHE_HEX_LEN + 1];
	char rules[CACHE_HEX_LEN + 1]; /* o->rules' key, "" for none */
	/* Makes the snapshot when it is not cached: stores the profile and
	 * fills its record m (the caller's), counts the HTTP requests. */
	int (*pull)(struct fetch_job *j, cache_meta *m, unsigned *requests, fetch_err *err);
	void *src;       /* the pull's own state */
	int64_t pull_ms; /* the longest a pull may take; 0: the conn's timeout */
	int closed_only; /* a past window's snapshot: no current open window */
	struct fetch_down down;
};

/* Opens the cache o->cache_dir names into j->c; checks o->rules and puts
 * their key in j->rules. */
int fetch_job_cache(struct fetch_job *j, fetch_err *err);

/* j->q from the job (its server, selectors, type, window length, o's
 * reduction, the rules; tenant "" for none) and j->key, the snapshot's for
 * the newest window ending at newest_end. */
void fetch_job_query(struct fetch_job *j, const char *tenant, int64_t newest_end);

/* The record's fields the job decides (key, server, tenant, type,
 * selectors, window length, the reduction and the rules, when fetched);
 * the caller adds the data's own. 0, or -1 when out of memory. */
int fetch_job_meta(const struct fetch_job *j, cache_meta *m);

/* Stores the snapshot: acc, rewritten by the job's rules, encoded,
 * checked (the bytes must themselves be valid: what goes in the cache is
 * what `go build` reads), and its record m, which the caller filled with
 * fetch_job_meta and the data's own fields but for size and samples. On
 * failure m is cleared. */
int fetch_job_store(const struct fetch_job *j, const fetch_pgo *acc, int64_t start_ns,
                    int64_t end_ns, cache_meta *m, fetch_err *err);

/* With j filled: offline, the newest cached snapshot; else this key's
 * snapshot if cached; else j->pull under the key's lock, falling back to a
 * stale snapshot within o->max_age when it fails. */
int fetch_job_run(struct fetch_job *j, fetch_result *r, fetch_err *err);

/* The snapshot of the window ending newest_end: j->newest, j->q and j->key
 * made its. */
void fetch_job_at(struct fetch_job *j, int64_t newest_end);

/* j->key's snapshot: cached, else j->pull under the key's lock. No
 * fallback: a failure is returned (and remembered, as down or in the
 * lock). */
int fetch_job_snapshot(struct fetch_job *j, fetch_result *r, fetch_err *err);

/* r from the snapshot record m (moved into r) and its profile's path. */
int fetch_job_result(struct fetch_job *j, cache_meta *m, fetch_source src, fetch_result *r,
                     fetch_err *err);

/* The hold (fetch.h's fetch_opts.hold): 1 when it applies to j. */
int fetch_hold_applies(const struct fetch_job *j);

/* With the hold: the snapshot chosen for j->newest, from its record when
 * one is cached (1 with r, 0 when not, -1 on error). */
int fetch_hold_cached(struct fetch_job *j, fetch_result *r, fetch_err *err);

/* With the hold: the chain from the hold's start to j->newest, from the
 * newest record cached on, pulling the snapshots it lacks (fetch_hold.c). */
int fetch_hold_run(struct fetch_job *j, fetch_result *r, fetch_err *err);

/* Frees what j owns (server, selectors, label, cache); not src. */
void fetch_job_free(struct fetch_job *j);

/* Fetches the newest window with samples, stores the profile and its
 * record (m, owned by the caller), counts the HTTP requests. */
int fetch_from_server(struct fetch_job *j, cache_meta *m, unsigned *requests, fetch_err *err);

/* Whether [start, end) (at most 24 h) holds samples of j's selectors: one
 * query per selector. */
int fetch_server_has_samples(struct fetch_job *j, int64_t start, int64_t end, int *has,
                             unsigned *requests, fetch_err *err);

/* " (tenant acme)", or "" when there is none: what a server holds is the
 * tenant's, so a message about it names the tenant it looked under. */
const char *fetch_tenant_note(const char *tenant, char *buf, size_t bufsz);

/* A line through the job's callbacks. */
void fetch_note(const struct fetch_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void fetch_warn(const struct fetch_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
