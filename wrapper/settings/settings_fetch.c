/* settings_fetch.c — pgo-go's settings (config.h) as the fetch library's
 * options (fetch.h). */
#include "settings_fetch.h"

#include <stdlib.h>

#include "msg.h"

static void warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	pgo_warnf("%s", msg);
}

static void note_cb(void *ctx, const char *msg)
{
	(void)ctx;
	pgo_notef("%s", msg);
}

static void progress_cb(void *ctx, int64_t bytes, int64_t elapsed_ms, int done)
{
	(void)ctx;
	pgo_progress(bytes, elapsed_ms, done);
}

/* How the library should name a setting in its hints: the flag when a
 * flag set it, else the environment variable. */
static const char *setting_name(void *ctx, fetch_setting s)
{
	const struct config *c = ctx;
	static const enum cfg_key keys[] = {
	    [FETCH_SET_URL] = CFG_URL,
	    [FETCH_SET_PPROF_URL] = CFG_PPROF_URL,
	    [FETCH_SET_TENANT_ID] = CFG_TENANT_ID,
	    [FETCH_SET_USERNAME] = CFG_USERNAME,
	    [FETCH_SET_PASSWORD] = CFG_PASSWORD,
	    [FETCH_SET_TOKEN] = CFG_TOKEN,
	    [FETCH_SET_SERVICE] = CFG_SERVICE,
	    [FETCH_SET_QUERY] = CFG_QUERY,
	    [FETCH_SET_OFFLINE] = CFG_OFFLINE,
	    [FETCH_SET_CACHE_DIR] = CFG_CACHE_DIR,
	    [FETCH_SET_TIMEOUT] = CFG_TIMEOUT,
	    [FETCH_SET_MAX_RESPONSE_SIZE] = CFG_MAX_RESPONSE_SIZE,
	    [FETCH_SET_CA_FILE] = CFG_CA_FILE,
	    [FETCH_SET_CLIENT_CERT] = CFG_CLIENT_CERT,
	    [FETCH_SET_CLIENT_KEY] = CFG_CLIENT_KEY,
	    [FETCH_SET_PROFILE_TYPE] = CFG_PROFILE_TYPE,
	    [FETCH_SET_SERVER_BACKOFF] = CFG_SERVER_BACKOFF,
	    [FETCH_SET_WINDOW] = CFG_WINDOW,
	    [FETCH_SET_HOLD] = CFG_HOLD,
	};
	static char names[FETCH_SET_COUNT][40];

	if ((unsigned)s >= FETCH_SET_COUNT)
		return "?";
	if (c->v[keys[s]].layer == CFG_FROM_FLAG)
		return config_def(keys[s])->flag;
	return config_env_name(keys[s], names[s], sizeof names[s]);
}

/* PGO_GO_TEST_NOW (seconds since the epoch) stands in for the clock the
 * windows are aligned on, so a test suite is not at the mercy of an hour
 * ending while it runs. Not a setting: `pgo-go config` does not show it. */
static void test_clock(fetch_opts *o)
{
	const char *v = getenv("PGO_GO_TEST_NOW");
	char *end;
	long long t;

	if (!v || !*v)
		return;
	t = strtoll(v, &end, 10);
	if (!*end && t > 0)
		o->now = (int64_t)t;
}

#define NONEMPTY(s) (*(s) ? (s) : NULL)

/* libcurl ignores a key without its certificate, and so does pgo-go; a
 * warning rather than an error, since the build goes on as well without a
 * client certificate as before (fail open), and a server that wants one
 * says so (pyro_http.c names these settings then). Once per command. */
static void check_client_key(const struct config *c)
{
	static int said;
	const char *key, *cert;

	if (said || !*c->client_key || *c->client_cert)
		return;
	said = 1;
	/* Each setting's name has a buffer of its own: both stay valid. */
	key = setting_name((void *)c, FETCH_SET_CLIENT_KEY);
	cert = setting_name((void *)c, FETCH_SET_CLIENT_CERT);
	pgo_warnf("%s is set but %s is not: the key is not used without its certificate (set "
	          "%s too, or unset %s)",
	          key, cert, cert, key);
}

/* What this command's fetches learn: one process is one command. */
static fetch_memo memo;

void settings_fetch_opts(const struct config *c, fetch_opts *o)
{
	o->conn.url = c->url;
	o->conn.tenant_id = NONEMPTY(c->tenant_id);
	o->conn.username = NONEMPTY(c->username);
	o->conn.password = NONEMPTY(c->password);
	o->conn.token = NONEMPTY(c->token);
	o->conn.ca_file = NONEMPTY(c->ca_file);
	o->conn.client_cert = NONEMPTY(c->client_cert);
	o->conn.client_key = NONEMPTY(c->client_key);
	o->conn.connect_timeout_ms = (long)c->connect_timeout_ms;
	o->conn.timeout_ms = (long)c->timeout_ms;
	o->conn.retries = c->retries;
	o->conn.max_response = c->max_response_size;
	o->conn.warn = warn_cb;
	o->conn.note = note_cb;
	o->conn.progress = progress_cb;
	o->conn.names = (fetch_namer){setting_name, (void *)c};
	o->service = NONEMPTY(c->service);
	if (*c->query) {
		/* The value's own slot in c serves as a one-element array. */
		o->selectors = (const char *const *)&c->query;
		o->nselectors = 1;
	}
	o->profile_type = c->profile_type;
	o->window = c->window_ms / 1000;
	o->reduce.keep_locations = c->keep_locations;
	o->reduce.aggregate_callees = c->aggregate_callees;
	o->rules = &c->rules;
	o->offline = c->offline;
	o->cache_dir = NONEMPTY(c->cache_dir);
	o->max_age = c->max_cache_age_ms ? c->max_cache_age_ms / 1000 : -1;
	o->backoff = c->server_backoff_ms ? (c->server_backoff_ms + 999) / 1000 : -1;
	o->memo = &memo;
	o->hold = c->hold_ms / 1000;
	o->hold_tolerance = c->hold_tolerance;
	test_clock(o);
	check_client_key(c);
}
