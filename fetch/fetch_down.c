/* fetch_down.c — a server that is down is asked once. Its failure is
 * remembered for the rest of the command (the caller's fetch_memo) and, by
 * wall time, for a minute or so in the cache (cache_down_*), so a build of
 * thirty commands, or a burst of builds, pays for it once; the fetches after
 * it take the failure as theirs and go to their fallbacks. A success
 * forgets it. Only failures that are the server's count (pyro.h:
 * pyro_server_down): one service's bad query poisons nothing.
 *
 * What is remembered is a connection: the server, the tenant, the TLS
 * files and the time limits. Change any of them (the fix for most such
 * failures) and the server is asked again at once. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch_int.h"

static int64_t backoff_of(const fetch_opts *o)
{
	return o->backoff ? o->backoff : FETCH_BACKOFF_DEFAULT;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void fetch_down_init(struct fetch_down *d, const fetch_opts *o, cache *c, const char *server)
{
	const pyro_conn *k = &o->conn;
	char *text;
	int n = asprintf(&text, "pgo-go down v1\n%zu:%s\n%zu:%s\n%zu:%s\n%zu:%s\n%zu:%s\n%ld %ld\n",
	                 strlen(server), server, strlen(or_empty(k->tenant_id)),
	                 or_empty(k->tenant_id), strlen(or_empty(k->ca_file)), or_empty(k->ca_file),
	                 strlen(or_empty(k->client_cert)), or_empty(k->client_cert),
	                 strlen(or_empty(k->client_key)), or_empty(k->client_key),
	                 k->connect_timeout_ms, k->timeout_ms);

	memset(d, 0, sizeof *d);
	d->o = o;
	d->c = c;
	/* Out of memory: no key, so nothing is remembered or found. */
	if (n < 0)
		return;
	cache_sha256_hex(text, (size_t)n, d->key);
	free(text);
}

static struct fetch_memo_down *memo_find(fetch_memo *m, const char *key)
{
	for (size_t i = 0; m && i < m->ndown; i++)
		if (!strcmp(m->down[i].key, key))
			return &m->down[i];
	return NULL;
}

/* A memo that is full forgets nothing: the later servers are just asked. */
static void memo_add(fetch_memo *m, const char *key, const fetch_err *cause)
{
	if (!m || m->ndown == FETCH_MEMO_SERVERS || memo_find(m, key))
		return;
	memcpy(m->down[m->ndown].key, key, sizeof m->down[m->ndown].key);
	m->down[m->ndown++].cause = *cause;
}

static void note(const fetch_opts *o, const char *what, int64_t ago)
{
	char buf[800], age[32];

	if (!o->conn.note)
		return;
	snprintf(buf, sizeof buf, "%s; that was %s ago: asking it again anyway", what,
	         window_format_duration(ago, age, sizeof age));
	o->conn.note(o->conn.cb_ctx, buf);
}

int fetch_down_known(struct fetch_down *d, fetch_err *err)
{
	const fetch_opts *o = d->o;
	struct fetch_memo_down *m = d->key[0] ? memo_find(o->memo, d->key) : NULL;
	int64_t ttl = backoff_of(o), now = (int64_t)time(NULL), t = 0;
	char msg[sizeof err->msg], ago[32], left[32];
	int code = 0;

	if (m) {
		*err = m->cause;
		d->told = 1;
		return 1;
	}
	if (ttl < 0 || !d->key[0] || !cache_down_get(d->c, d->key, &t, &code, msg, sizeof msg) ||
	    t > now || now - t >= ttl)
		return 0;
	if (!o->skip_down) {
		note(o, msg, now - t);
		return 0;
	}
	fetch_errf(err, FETCH_E_DOWN, "%s; that was %s ago: builds leave it alone for %s more (%s)",
	           msg, window_format_duration(now - t, ago, sizeof ago),
	           window_format_duration(ttl - (now - t), left, sizeof left),
	           fetch_setting_name(&o->conn.names, FETCH_SET_SERVER_BACKOFF));
	memo_add(o->memo, d->key, err);
	return 1;
}

/* Whether a failure with this code still means the server answered (no
 * data, a refusal, a broken profile): it is up. */
static int answered(fetch_code code)
{
	return code != FETCH_E_DOWN && code != FETCH_E_ARG && code != FETCH_E_IO &&
	       code != FETCH_E_NOMEM && code != FETCH_E_OFFLINE;
}

void fetch_down_after(struct fetch_down *d, int rc, fetch_err *err)
{
	const fetch_opts *o = d->o;
	int64_t ttl = backoff_of(o);
	char span[32];
	fetch_err ignored;
	size_t n;

	if (!d->key[0])
		return;
	if (rc == 0 || answered(err->code)) {
		if (ttl >= 0)
			cache_down_clear(d->c, d->key);
		return;
	}
	if (err->code != FETCH_E_DOWN)
		return;
	/* Not being able to write the record costs the next build a request,
	 * nothing more. */
	if (ttl > 0 &&
	    cache_down_put(d->c, d->key, (int64_t)time(NULL), err->code, err->msg, &ignored) == 0) {
		n = strlen(err->msg);
		snprintf(err->msg + n, sizeof err->msg - n, "; builds leave it alone for %s (%s)",
		         window_format_duration(ttl, span, sizeof span),
		         fetch_setting_name(&o->conn.names, FETCH_SET_SERVER_BACKOFF));
	}
	memo_add(o->memo, d->key, err);
}
