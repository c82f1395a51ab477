/* Unit tests of fetch/'s network and cache side: durations and aligned
 * windows (a fixed clock), the retry policy, Connect error lines, secrets
 * kept out of messages, base URLs, the cache (keys, atomic files, records,
 * locks, cleaning) and fetch_profile's paths that need no server (cache
 * hit, offline, stale fallback when the server cannot be reached). The
 * server itself is exercised by tests/suites/fetch.bash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "types.pb-c.h"

#include "cache.h"
#include "fetch.h"
#include "fetch_sources.h"
#include "pprof.h"
#include "pyro.h"
#include "window.h"

/* 2024-05-01 10:37:12 UTC */
#define NOW     ((int64_t)1714559832)
#define HOUR_10 ((int64_t)1714557600) /* 10:00 */

/* ---- durations and windows --------------------------------------------- */

/* How the program names settings: the environment variables. */
static const char *env_names(void *ctx, fetch_setting s)
{
	static char names[FETCH_SET_COUNT][48];
	const char *key = fetch_setting_name(NULL, s);
	size_t n = 0;

	(void)ctx;
	n = (size_t)snprintf(names[s], sizeof names[s], "PGO_GO_%s", key);
	for (size_t i = 0; i < n; i++)
		if (names[s][i] >= 'a' && names[s][i] <= 'z')
			names[s][i] = (char)(names[s][i] - 'a' + 'A');
	return names[s];
}

static const fetch_namer pgo_names = {env_names, NULL};

static void test_window_arithmetic(void **state)
{
	window w, b, cur;

	(void)state;
	w = window_newest(3600, NOW);
	assert_int_equal(w.end, HOUR_10);
	assert_int_equal(w.start, HOUR_10 - 3600);
	assert_false(w.open);
	/* Exactly on a boundary: the window that just closed is complete. */
	w = window_newest(3600, HOUR_10);
	assert_int_equal(w.end, HOUR_10);
	w = window_newest(1800, NOW);
	assert_int_equal(w.end, HOUR_10 + 1800);
	w = window_newest(86400, NOW);
	assert_int_equal(w.end, HOUR_10 - 10 * 3600);

	w = window_newest(3600, NOW);
	b = window_back(w, 3600, 3);
	assert_int_equal(b.end, HOUR_10 - 3 * 3600);
	assert_int_equal(b.start, HOUR_10 - 4 * 3600);
	assert_int_equal(window_steps(3600), 24);
	assert_int_equal(window_steps(86400), 1);
	assert_int_equal(window_steps(7 * 3600), 3);
	assert_int_equal(window_steps(60), 1440);

	cur = window_current(3600, NOW);
	assert_int_equal(cur.start, HOUR_10);
	assert_int_equal(cur.end, NOW);
	assert_true(cur.open);
	cur = window_current(3600, HOUR_10);
	assert_int_equal(cur.start, cur.end);

	/* A closed window is reusable for ever; an open one until it closes. */
	assert_true(window_reusable(w, 3600, NOW + 86400));
	cur = window_current(3600, NOW);
	assert_true(window_reusable(cur, 3600, HOUR_10 + 3599));
	assert_false(window_reusable(cur, 3600, HOUR_10 + 3600));
}

static void test_window_format(void **state)
{
	char buf[96];
	window w = window_newest(3600, NOW);

	(void)state;
	assert_string_equal(window_format(w, buf, sizeof buf), "2024-05-01 09:00-10:00 UTC");
	w = window_newest(3600, HOUR_10 - 10 * 3600 + 30); /* 00:00:30 */
	assert_string_equal(window_format(w, buf, sizeof buf),
	                    "2024-04-30 23:00-2024-05-01 00:00 UTC");
	w = window_current(3600, NOW);
	assert_string_equal(window_format(w, buf, sizeof buf),
	                    "2024-05-01 10:00-10:37:12 UTC (open)");
	assert_string_equal(window_format_duration(45, buf, sizeof buf), "45s");
	assert_string_equal(window_format_duration(125, buf, sizeof buf), "2m");
	assert_string_equal(window_format_duration(3 * 3600 + 5, buf, sizeof buf), "3h");
	assert_string_equal(window_format_duration(5 * 86400, buf, sizeof buf), "5d");
}

/* ---- the retry policy ----------------------------------------------------- */

static pyro_attempt status(long s, int64_t retry_after)
{
	pyro_attempt a = {.status = s, .retry_after_s = retry_after};
	return a;
}

static pyro_attempt transport(int code)
{
	pyro_attempt a = {.curl_code = code, .retry_after_s = -1};
	return a;
}

static void test_retryable(void **state)
{
	static const long yes[] = {429, 502, 503, 504};
	static const long no[] = {400, 401, 403, 404, 409, 500, 501};
	pyro_attempt big = status(200, -1);

	(void)state;
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		pyro_attempt a = status(yes[i], -1);
		assert_true(pyro_retryable(&a));
	}
	for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
		pyro_attempt a = status(no[i], -1);
		assert_false(pyro_retryable(&a));
	}
	pyro_attempt t = transport(CURLE_COULDNT_CONNECT);
	assert_true(pyro_retryable(&t));
	t = transport(CURLE_PARTIAL_FILE);
	assert_true(pyro_retryable(&t));
	t = transport(CURLE_OPERATION_TIMEDOUT);
	assert_true(pyro_retryable(&t));
	t = transport(CURLE_PEER_FAILED_VERIFICATION);
	assert_false(pyro_retryable(&t));
	t = transport(CURLE_COULDNT_RESOLVE_HOST);
	assert_false(pyro_retryable(&t));
	big.too_big = 1;
	assert_false(pyro_retryable(&big));
	t = transport(CURLE_WRITE_ERROR);
	t.too_big = 1;
	assert_false(pyro_retryable(&t));
}

/* How a server that requires a client certificate turns a client away
 * (TLS 1.3: after the handshake), and which failures are the server's. */
static void test_tls_and_down(void **state)
{
	static const int drops[] = {CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING};
	pyro_attempt a;

	(void)state;
	for (size_t i = 0; i < sizeof drops / sizeof *drops; i++) {
		a = transport(drops[i]);
		a.https = a.handshake = 1;
		assert_int_equal(pyro_tls_failure_of(&a), PYRO_TLS_REFUSED);
		assert_false(pyro_retryable(&a));
		assert_true(pyro_server_down(&a));
		/* Plain http, or no handshake yet (a reused connection): the
		 * old rules, a reset worth another try. */
		a.https = 0;
		assert_int_equal(pyro_tls_failure_of(&a), PYRO_TLS_OK);
		assert_true(pyro_retryable(&a));
		a.https = 1, a.handshake = 0;
		assert_int_equal(pyro_tls_failure_of(&a), PYRO_TLS_OK);
		/* A status line came: the answer was cut, not the connection refused. */
		a.handshake = 1, a.answered = 1;
		assert_int_equal(pyro_tls_failure_of(&a), PYRO_TLS_OK);
	}
	a = transport(CURLE_SSL_CONNECT_ERROR);
	assert_int_equal(pyro_tls_failure_of(&a), PYRO_TLS_HANDSHAKE);
	assert_false(pyro_retryable(&a));
	assert_true(pyro_server_down(&a));
	a = transport(CURLE_PEER_FAILED_VERIFICATION);
	assert_int_equal(pyro_tls_failure_of(&a), PYRO_TLS_UNTRUSTED);
	assert_true(pyro_server_down(&a));
	/* This side's files are nobody else's problem. */
	a = transport(CURLE_SSL_CACERT_BADFILE);
	assert_int_equal(pyro_tls_failure_of(&a), PYRO_TLS_LOCAL);
	assert_false(pyro_server_down(&a));
	/* Down: refused, timed out, 429/502/503/504; not a query's 4xx or 500,
	 * nor an answer that broke or was too big. */
	a = transport(CURLE_COULDNT_CONNECT);
	assert_true(pyro_server_down(&a));
	a = transport(CURLE_OPERATION_TIMEDOUT);
	assert_true(pyro_server_down(&a));
	a = transport(CURLE_PARTIAL_FILE);
	assert_false(pyro_server_down(&a));
	a = transport(CURLE_RECV_ERROR);
	a.answered = 1;
	assert_false(pyro_server_down(&a));
	a = transport(CURLE_WRITE_ERROR);
	a.too_big = 1;
	assert_false(pyro_server_down(&a));
	for (long st = 400; st < 600; st++) {
		a = status(st, -1);
		assert_int_equal(pyro_server_down(&a),
		                 st == 429 || st == 502 || st == 503 || st == 504);
	}
}

static void test_retry_delay(void **state)
{
	pyro_attempt a = status(503, -1), r = status(429, 2), far = status(429, 60);
	pyro_attempt not = status(404, -1), ra500 = status(500, 1);

	(void)state;
	/* Exponential backoff, capped. */
	assert_int_equal(pyro_retry_delay(&a, 0, 10, 60000, 0), 250);
	assert_int_equal(pyro_retry_delay(&a, 1, 10, 60000, 0), 500);
	assert_int_equal(pyro_retry_delay(&a, 2, 10, 60000, 0), 1000);
	assert_int_equal(pyro_retry_delay(&a, 6, 10, 60000, 0), 4000);
	assert_int_equal(pyro_retry_delay(&a, 9, 10, 60000, 0), 4000);
	/* Jitter adds up to (almost) the same again. */
	assert_int_equal(pyro_retry_delay(&a, 0, 10, 60000, 500), 375);
	assert_int_equal(pyro_retry_delay(&a, 0, 10, 60000, 1999), 499);
	/* The count of retries bounds them. */
	assert_int_equal(pyro_retry_delay(&a, 3, 3, 60000, 0), -1);
	assert_int_equal(pyro_retry_delay(&a, 0, 0, 60000, 0), -1);
	/* So does the time left. */
	assert_int_equal(pyro_retry_delay(&a, 2, 10, 1000, 0), -1);
	assert_int_equal(pyro_retry_delay(&a, 2, 10, 1101, 0), 1000);
	/* Retry-After, in seconds, replaces the backoff, up to a cap. */
	assert_int_equal(pyro_retry_delay(&r, 0, 3, 60000, 999), 2000);
	assert_int_equal(pyro_retry_delay(&far, 0, 3, 600000, 0), -1);
	assert_int_equal(pyro_retry_delay(&r, 0, 3, 1500, 0), -1);
	/* Never for other 4xx; a Retry-After on a 500 changes nothing. */
	assert_int_equal(pyro_retry_delay(&not, 0, 3, 60000, 0), -1);
	assert_int_equal(pyro_retry_delay(&ra500, 0, 3, 60000, 0), -1);
}

/* ---- error lines and secrets ---------------------------------------------- */

static void test_connect_errors(void **state)
{
	pyro_err_ctx x = {"SelectMergeProfile", "http://pyro:4040", "acme", 1, 1,
	                  &pgo_names,           FETCH_SET_URL};
	char buf[512];
	const char *j401 = "{\"code\":\"unauthenticated\",\"message\":\"invalid token\"}";
	const char *j400 = "{\"code\":\"invalid_argument\",\"message\":\"bad\\nselector\"}";
	const char *html = "<html><body>404 page not found</body></html>";

	(void)state;
	pyro_http_error(&x, 401, j401, strlen(j401), buf, sizeof buf);
	assert_string_equal(buf, "SelectMergeProfile at http://pyro:4040: HTTP 401 "
	                         "unauthenticated: invalid token (check the credentials "
	                         "(PGO_GO_USERNAME/PGO_GO_PASSWORD or PGO_GO_TOKEN) and the tenant "
	                         "(PGO_GO_TENANT_ID))");
	/* A line break in the server's message does not break the line. */
	pyro_http_error(&x, 400, j400, strlen(j400), buf, sizeof buf);
	assert_null(strchr(buf, '\n'));
	assert_non_null(strstr(buf, "HTTP 400 invalid_argument: bad selector (check the query"));
	/* A proxy's page: the status and the start of the text, and the URL hint. */
	pyro_http_error(&x, 404, html, strlen(html), buf, sizeof buf);
	assert_non_null(strstr(buf, "HTTP 404: <html>"));
	assert_non_null(strstr(buf, "check PGO_GO_URL and its path prefix"));
	/* 401 without any credentials or tenant says what to set. */
	x.have_credentials = 0;
	x.tenant = NULL;
	x.attempts = 4;
	pyro_http_error(&x, 401, j401, strlen(j401), buf, sizeof buf);
	assert_non_null(strstr(buf, "the server wants a tenant or credentials"));
	assert_non_null(strstr(buf, "after 4 attempts"));
	/* A tenant the server refuses: the hint is the tenant, wherever the
	 * message sits (Pyroscope nests JSON in its message). */
	const char *tenant = "{\"code\":\"invalid_argument\",\"message\":\"{\\\"code\\\":"
	                     "\\\"invalid_argument\\\",\\\"message\\\":\\\"multiple org IDs "
	                     "present\\\"}\"}";
	x.tenant = "acme";
	pyro_http_error(&x, 400, tenant, strlen(tenant), buf, sizeof buf);
	assert_non_null(strstr(buf,
	                       "HTTP 400 invalid_argument: multiple org IDs present (check "
	                       "the tenant: PGO_GO_TENANT_ID is 'acme', sent as X-Scope-OrgID;"));
	assert_null(strstr(buf, "\\\""));
	assert_null(strstr(buf, "check the query"));
	/* Under any status (a frontend's 500), and without a tenant: set one. */
	const char *unsup = "{\"code\":\"unknown\",\"message\":\"tenant ID 'a b' contains "
	                    "unsupported character ' '\"}";
	pyro_http_error(&x, 500, unsup, strlen(unsup), buf, sizeof buf);
	assert_non_null(strstr(buf, "contains unsupported character ' ' (check the tenant: "));
	const char *none = "{\"code\":\"unauthenticated\",\"message\":\"no org id\"}";
	x.tenant = NULL;
	pyro_http_error(&x, 401, none, strlen(none), buf, sizeof buf);
	assert_non_null(strstr(buf, "no org id (the server wants a tenant: set PGO_GO_TENANT_ID"));
	/* A service whose name holds "tenant" is a query matter. */
	const char *svc = "{\"code\":\"invalid_argument\",\"message\":\"bad selector "
	                  "{service_name=\\\"tenant-api\"}";
	pyro_http_error(&x, 400, svc, strlen(svc), buf, sizeof buf);
	assert_non_null(strstr(buf, "(check the query"));
	x.tenant = "acme";
	/* Without a namer, the library names settings by their plain keys. */
	x.names = NULL;
	pyro_http_error(&x, 404, html, strlen(html), buf, sizeof buf);
	assert_non_null(strstr(buf, "check url and its path prefix"));
	x.names = &pgo_names;
	/* Binary junk is not quoted. */
	pyro_http_error(&x, 503, "\x01\x02\x03", 3, buf, sizeof buf);
	assert_string_equal(buf, "SelectMergeProfile at http://pyro:4040: HTTP 503 (the server "
	                         "failed; try again later, after 4 attempts)");
	const char *j429 = "{\"code\":\"resource_exhausted\",\"message\":\"slow down\"}";
	pyro_http_error(&x, 429, j429, strlen(j429), buf, sizeof buf);
	assert_non_null(strstr(buf, "limiting requests"));
}

static void test_scrub(void **state)
{
	char buf[128];
	const char *secrets[] = {"hunter2", "tok-123", NULL};
	const char *star[] = {"*"};

	(void)state;
	snprintf(buf, sizeof buf, "user:hunter2 says hunter2, bearer tok-123 end");
	pyro_scrub(buf, sizeof buf, secrets, 3);
	assert_string_equal(buf, "user:*** says ***, bearer *** end");
	/* A secret that matches the mask still ends. */
	snprintf(buf, sizeof buf, "a*b");
	pyro_scrub(buf, sizeof buf, star, 1);
	assert_string_equal(buf, "a***b");
	/* Short secrets grow into "***" where there is room, else are masked. */
	const char *one[] = {"x"};
	snprintf(buf, sizeof buf, "axbx");
	pyro_scrub(buf, sizeof buf, one, 1);
	assert_string_equal(buf, "a***b***");
	char tiny[5] = "axb";
	pyro_scrub(tiny, sizeof tiny, one, 1);
	assert_string_equal(tiny, "a*b");
}

static void test_bearer_and_loopback(void **state)
{
	int bad;
	char *h = pyro_bearer_header("s3cr3t", &bad);

	(void)state;
	assert_string_equal(h, "Authorization: Bearer s3cr3t");
	assert_false(bad);
	free(h);
	assert_null(pyro_bearer_header("a\r\nX-Evil: 1", &bad));
	assert_true(bad);
	assert_true(pyro_host_is_loopback("localhost"));
	assert_true(pyro_host_is_loopback("127.0.0.1"));
	assert_true(pyro_host_is_loopback("127.1.2.3"));
	assert_true(pyro_host_is_loopback("[::1]"));
	assert_true(pyro_host_is_loopback("app.localhost"));
	assert_false(pyro_host_is_loopback("127.example.com"));
	assert_false(pyro_host_is_loopback("pyroscope.internal"));
	assert_false(pyro_host_is_loopback("10.0.0.1"));
}

struct warnings {
	int n;
	char last[600];
};

static void collect_warning(void *ctx, const char *msg)
{
	struct warnings *w = ctx;
	w->n++;
	snprintf(w->last, sizeof w->last, "%s", msg);
}

static void test_client_secrets(void **state)
{
	struct warnings w = {0};
	pyro_conn c;
	pyro_client *cl = NULL;
	fetch_err err;

	(void)state;
	pyro_conn_defaults(&c);
	c.warn = collect_warning;
	c.cb_ctx = &w;
	c.url = "http://pyro.example.com/prefix//";
	c.token = "s3cr\nX-Evil: yes";
	assert_int_equal(pyro_client_new(&c, &cl, &err), -1);
	assert_int_equal(err.code, FETCH_E_ARG);
	assert_null(strstr(err.msg, "s3cr"));
	assert_null(strstr(err.msg, "Evil"));

	/* Credentials over plain http to another host: one warning, no secret. */
	c.token = "s3cr3t";
	assert_int_equal(pyro_client_new(&c, &cl, &err), 0);
	assert_string_equal(pyro_client_server(cl), "http://pyro.example.com/prefix");
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last, "pyro.example.com"));
	assert_null(strstr(w.last, "s3cr3t"));
	pyro_client_free(cl);

	/* Not for loopback, not for https, not without credentials. */
	c.url = "http://127.0.0.1:4040";
	assert_int_equal(pyro_client_new(&c, &cl, &err), 0);
	pyro_client_free(cl);
	c.url = "https://pyro.example.com";
	assert_int_equal(pyro_client_new(&c, &cl, &err), 0);
	pyro_client_free(cl);
	c.url = "http://pyro.example.com";
	c.token = NULL;
	assert_int_equal(pyro_client_new(&c, &cl, &err), 0);
	pyro_client_free(cl);
	assert_int_equal(w.n, 1);

	/* Credentials in the URL count, and are cut from what is kept. */
	c.url = "http://bob:pa55w0rd@pyro.example.com:4040/";
	assert_int_equal(pyro_client_new(&c, &cl, &err), 0);
	assert_string_equal(pyro_client_server(cl), "http://pyro.example.com:4040");
	assert_int_equal(w.n, 2);
	assert_null(strstr(w.last, "pa55w0rd"));
	pyro_client_free(cl);
}

static void test_base_url(void **state)
{
	char *base = NULL;
	fetch_err err;

	(void)state;
	assert_int_equal(pyro_base_url("http://h:4040", "PGO_GO_URL", &base, &err), 0);
	assert_string_equal(base, "http://h:4040");
	free(base);
	assert_int_equal(pyro_base_url("https://g.example/api/datasources/proxy/uid/x/",
	                               "PGO_GO_URL", &base, &err),
	                 0);
	assert_string_equal(base, "https://g.example/api/datasources/proxy/uid/x");
	free(base);
	assert_int_equal(pyro_base_url("ftp://u:sekrit@h/", "PGO_GO_URL", &base, &err), -1);
	assert_null(strstr(err.msg, "sekrit"));
	assert_non_null(strstr(err.msg, "ftp://h/"));
	assert_int_equal(pyro_base_url("localhost:4040", "PGO_GO_URL", &base, &err), -1);
	assert_non_null(strstr(err.msg, "no scheme"));
	assert_int_equal(pyro_base_url("http://h/?x=1", "PGO_GO_URL", &base, &err), -1);
	assert_int_equal(pyro_base_url("", "PGO_GO_URL", &base, &err), -1);
}

/* ---- the cache ----------------------------------------------------------------- */

struct tmpdir {
	char path[64];
};

static void rm_rf(const char *path)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static int setup_dir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof *t);

	snprintf(t->path, sizeof t->path, "/tmp/test_fetch.XXXXXX");
	if (!mkdtemp(t->path))
		return -1;
	*state = t;
	return 0;
}

static int teardown_dir(void **state)
{
	struct tmpdir *t = *state;
	rm_rf(t->path);
	free(t);
	return 0;
}

static char *sub(const struct tmpdir *t, const char *name)
{
	char *p;
	assert_true(asprintf(&p, "%s/%s", t->path, name) > 0);
	return p;
}

static size_t count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static const char *const sel1[] = {"{service_name=\"svc\"}"};

static cache_query query(void)
{
	cache_query q = {
	    "http://127.0.0.1:1", "", sel1, 1, FETCH_PROFILE_TYPE_DEFAULT, 3600, 5, 1, ""};
	return q;
}

static void test_cache_key(void **state)
{
	cache_query q = query(), r;
	char a[65], b[65];
	const char *const two[] = {"{a=\"1\"}", "{b=\"2\"}"};

	(void)state;
	cache_key(&q, HOUR_10, a);
	cache_key(&q, HOUR_10, b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 64);
	cache_key(&q, HOUR_10 - 3600, b);
	assert_string_not_equal(a, b);
	r = q, r.tenant = "t", cache_key(&r, HOUR_10, b);
	assert_string_not_equal(a, b);
	r = q, r.keep_locations = 6, cache_key(&r, HOUR_10, b);
	assert_string_not_equal(a, b);
	r = q, r.aggregate_callees = 0, cache_key(&r, HOUR_10, b);
	assert_string_not_equal(a, b);
	r = q, r.window_len = 1800, cache_key(&r, HOUR_10, b);
	assert_string_not_equal(a, b);
	r = q, r.server = "http://127.0.0.1:2", cache_key(&r, HOUR_10, b);
	assert_string_not_equal(a, b);
	r = q, r.rules = "0123", cache_key(&r, HOUR_10, b);
	assert_string_not_equal(a, b);
	/* No rewrites: NULL and "" are the same key. */
	r = q, r.rules = NULL, cache_key(&r, HOUR_10, b);
	assert_string_equal(a, b);
	/* Field boundaries matter: {"ab","c"} is not {"a","bc"}. */
	const char *const x[] = {"ab", "c"}, *const y[] = {"a", "bc"};
	r = q, r.selectors = x, r.nselectors = 2, cache_key(&r, HOUR_10, a);
	r.selectors = y, cache_key(&r, HOUR_10, b);
	assert_string_not_equal(a, b);
	r.selectors = two, cache_key(&r, HOUR_10, b);
	assert_string_not_equal(a, b);
}

static void put_snapshot(cache *c, const char *data, int64_t newest_end, int64_t ws, int64_t we,
                         int open, int64_t fetched_at, cache_meta *out)
{
	cache_query q = query();
	cache_meta m = {0};
	fetch_err err;

	cache_key(&q, newest_end, m.key);
	assert_int_equal(cache_put_profile(c, data, strlen(data), m.sha256, &err), 0);
	m.server = strdup(q.server);
	m.tenant = strdup("");
	m.profile_type = strdup(q.profile_type);
	m.service = strdup("svc");
	m.selectors = calloc(1, sizeof *m.selectors);
	m.selectors[0] = strdup(sel1[0]);
	m.nselectors = 1;
	m.window_len = 3600;
	m.newest_end = newest_end;
	m.window_start = ws;
	m.window_end = we;
	m.open_window = open;
	m.fetched_at = fetched_at;
	m.size = (int64_t)strlen(data);
	m.samples = 3;
	m.keep_locations = 5;
	m.aggregate_callees = 1;
	assert_int_equal(cache_meta_write(c, &m, &err), 0);
	if (out)
		*out = m;
	else
		cache_meta_clear(&m);
}

static void test_cache_files(void **state)
{
	struct tmpdir *t = *state;
	char *dir = sub(t, "c/d"), *profiles = sub(t, "c/d/profiles"),
	     *snaps = sub(t, "c/d/snapshots");
	char sha[65], *path;
	cache_meta m, back;
	cache *c;
	fetch_err err;
	struct stat st;

	assert_int_equal(cache_open(dir, 1, &c, &err), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(cache_put_profile(c, "abc", 3, sha, &err), 0);
	assert_string_equal(sha,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	path = cache_profile_path(c, sha);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_true(cache_profile_ok(c, sha));
	/* No temporary file is left behind. */
	assert_int_equal(count_entries(profiles, ".tmp"), 0);

	/* A record round-trips, and is written atomically. */
	put_snapshot(c, "abc", HOUR_10, HOUR_10 - 3600, HOUR_10, 0, NOW, &m);
	assert_int_equal(cache_meta_read(c, m.key, &back, &err), 1);
	assert_string_equal(back.sha256, sha);
	assert_string_equal(back.server, "http://127.0.0.1:1");
	assert_string_equal(back.selectors[0], sel1[0]);
	assert_string_equal(back.service, "svc");
	assert_int_equal(back.window_start, HOUR_10 - 3600);
	assert_int_equal(back.fetched_at, NOW);
	assert_int_equal(back.samples, 3);
	assert_int_equal(count_entries(snaps, ".tmp"), 0);
	/* The record knows the file it was written with: intact without a
	 * read while the file is that one. */
	assert_true(back.stamp[0] != '\0');
	assert_true(cache_profile_intact(c, &back));

	/* A tampered profile is not "ok", nor intact, though the size is the
	 * same; a broken record reads as missing. */
	FILE *f = fopen(path, "w");
	fputs("abd", f);
	fclose(f);
	assert_false(cache_profile_ok(c, sha));
	assert_false(cache_profile_intact(c, &back));
	/* The right bytes again, in a new file: read and found intact. */
	f = fopen(path, "w");
	fputs("abc", f);
	fclose(f);
	assert_true(cache_profile_intact(c, &back));
	f = fopen(path, "w");
	fputs("abd", f);
	fclose(f);
	cache_meta_clear(&back);
	char *rec;
	assert_true(asprintf(&rec, "%s/%s.json", snaps, m.key) > 0);
	f = fopen(rec, "w");
	fputs("{\"version\": 1, \"key\": ", f);
	fclose(f);
	assert_int_equal(cache_meta_read(c, m.key, &back, &err), 0);

	cache_meta_clear(&m);
	free(rec);
	free(path);
	cache_close(c);
	free(dir);
	free(profiles);
	free(snaps);
}

static void test_cache_newest_and_clean(void **state)
{
	struct tmpdir *t = *state;
	char *dir = sub(t, "c"), *profiles = sub(t, "c/profiles");
	cache_query q = query(), other = query();
	const char *const sel2[] = {"{service_name=\"other\"}"};
	cache_clean_stats st;
	cache_meta m;
	cache *c;
	fetch_err err;

	assert_int_equal(cache_open(dir, 1, &c, &err), 0);
	put_snapshot(c, "old", HOUR_10 - 7200, HOUR_10 - 10800, HOUR_10 - 7200, 0, NOW - 7200,
	             NULL);
	put_snapshot(c, "new", HOUR_10, HOUR_10 - 3600, HOUR_10, 0, NOW - 60, NULL);
	assert_int_equal(cache_find_newest(c, &q, INT64_MIN, &m, &err), 1);
	assert_int_equal(m.window_end, HOUR_10);
	cache_meta_clear(&m);
	/* Too old for the bound: none. */
	assert_int_equal(cache_find_newest(c, &q, NOW, &m, &err), 0);
	/* Other selectors do not match. */
	other.selectors = sel2;
	assert_int_equal(cache_find_newest(c, &other, INT64_MIN, &m, &err), 0);

	/* Clean what is older than an hour: one record, one profile. */
	assert_int_equal(cache_clean(c, 3600, NOW + (int64_t)3600 * 1000000, &st, &err), 0);
	assert_int_equal(st.snapshots, 2);                /* both: "now" is far in the future */
	assert_int_equal(count_entries(profiles, ""), 2); /* "." and ".." */
	put_snapshot(c, "keep", HOUR_10, HOUR_10 - 3600, HOUR_10, 0, NOW, NULL);
	assert_int_equal(cache_clean(c, 3600, NOW + 60, &st, &err), 0);
	assert_int_equal(st.snapshots, 0);
	assert_int_equal(cache_find_newest(c, &q, INT64_MIN, &m, &err), 1);
	cache_meta_clear(&m);
	/* Clean everything. */
	assert_int_equal(cache_clean(c, 0, NOW, &st, &err), 0);
	assert_int_equal(st.snapshots, 1);
	assert_int_equal(st.profiles, 1);
	assert_int_equal(cache_find_newest(c, &q, INT64_MIN, &m, &err), 0);
	cache_close(c);
	free(dir);
	free(profiles);
}

/* A file at dir/name, last modified at mtime. */
static void touch_at(const char *dir, const char *name, int64_t mtime)
{
	struct timeval tv[2] = {{(time_t)mtime, 0}, {(time_t)mtime, 0}};
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	assert_non_null(f = fopen(path, "w"));
	fputs("half", f);
	fclose(f);
	assert_int_equal(utimes(path, tv), 0);
	free(path);
}

/* What a writer killed between mkstemp and rename leaves: removed by any
 * clean once an hour old, in every directory, whatever --older-than says
 * (services/ once kept them for --older-than). */
static void test_cache_clean_killed_writers(void **state)
{
	static const char *const dirs[] = {"c/profiles", "c/snapshots", "c/services"};
	struct tmpdir *t = *state;
	char *dir = sub(t, "c");
	cache_clean_stats st;
	cache *c;
	fetch_err err;

	assert_int_equal(cache_open(dir, 1, &c, &err), 0);
	for (size_t i = 0; i < 3; i++) {
		char *d = sub(t, dirs[i]);
		mkdir(d, 0700);
		touch_at(d, ".tmp-old-AbC123", NOW - 7200);
		touch_at(d, ".tmp-new-AbC123", NOW - 60);
		free(d);
	}
	assert_int_equal(cache_clean(c, (int64_t)30 * 86400, NOW, &st, &err), 0);
	for (size_t i = 0; i < 3; i++) {
		char *d = sub(t, dirs[i]);
		assert_int_equal(count_entries(d, ".tmp-old-"), 0);
		assert_int_equal(count_entries(d, ".tmp-new-"), 1); /* a writer may be at work */
		free(d);
	}
	cache_close(c);
	free(dir);
}

static void test_cache_lock(void **state)
{
	struct tmpdir *t = *state;
	char *dir = sub(t, "c"), msg[200];
	cache_lock a, b;
	cache *c;
	fetch_err err;
	int64_t when;
	int code;

	assert_int_equal(cache_open(dir, 1, &c, &err), 0);
	assert_int_equal(cache_lock_take(c, "k", 0, &a, &err), 0);
	/* A second holder (another open file: as another process) waits, then
	 * gives up. */
	assert_int_equal(cache_lock_take(c, "k", 50, &b, &err), 1);
	assert_int_equal(b.fd, -1);
	assert_int_equal(cache_lock_last_failure(&a, &when, &code, msg, sizeof msg), 0);
	cache_lock_note_failure(&a, 1234, FETCH_E_NET, "HTTP 503");
	cache_lock_release(&a);
	assert_int_equal(cache_lock_take(c, "k", 0, &b, &err), 0);
	assert_int_equal(cache_lock_last_failure(&b, &when, &code, msg, sizeof msg), 1);
	assert_int_equal(when, 1234);
	assert_int_equal(code, FETCH_E_NET);
	assert_string_equal(msg, "HTTP 503");
	cache_lock_clear_failure(&b);
	assert_int_equal(cache_lock_last_failure(&b, &when, &code, msg, sizeof msg), 0);
	cache_lock_release(&b);
	cache_close(c);
	free(dir);
}

/* A server remembered as down: written whole, read back whole, or not at
 * all (a record cut short, or of another shape, is no record). */
static void test_cache_down_records(void **state)
{
	static const char *const bad[] = {"",
	                                  "pgo-go server down v1\n",
	                                  "pgo-go server down v1\n123",
	                                  "pgo-go server down v1\n123 11\nno end of line",
	                                  "pgo-go server down v2\n1 11\nx\n",
	                                  "pgo-go server down v1\nabc 11\nx\n"};
	struct tmpdir *t = *state;
	char *dir = sub(t, "c"), *path, msg[64];
	int64_t when = 0;
	int code = 0;
	fetch_err err;
	cache *c;
	FILE *f;

	assert_int_equal(cache_open(dir, 1, &c, &err), 0);
	assert_int_equal(cache_down_get(c, "k", &when, &code, msg, sizeof msg), 0);
	cache_down_clear(c, "k"); /* nothing to clear: nothing happens */
	assert_int_equal(cache_down_put(c, "k", 1234, FETCH_E_DOWN, "refused", &err), 0);
	assert_int_equal(cache_down_get(c, "k", &when, &code, msg, sizeof msg), 1);
	assert_int_equal(when, 1234);
	assert_int_equal(code, FETCH_E_DOWN);
	assert_string_equal(msg, "refused");
	assert_true(asprintf(&path, "%s/down/k", dir) > 0);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_non_null(f = fopen(path, "w"));
		fputs(bad[i], f);
		fclose(f);
		assert_int_equal(cache_down_get(c, "k", &when, &code, msg, sizeof msg), 0);
	}
	cache_down_clear(c, "k");
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	cache_close(c);
	free(dir);
}

static void test_default_dir(void **state)
{
	char *d;
	fetch_err err;

	(void)state;
	assert_int_equal(cache_default_dir("/x/y", "PGO_GO_CACHE_DIR", &d, &err), 0);
	assert_string_equal(d, "/x/y");
	free(d);
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	assert_int_equal(cache_default_dir("", "PGO_GO_CACHE_DIR", &d, &err), 0);
	assert_string_equal(d, "/xdg/pgo-go");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	assert_int_equal(cache_default_dir(NULL, "PGO_GO_CACHE_DIR", &d, &err), 0);
	assert_string_equal(d, "/home/u/.cache/pgo-go");
	free(d);
}

/* ---- fetch_profile without a server ------------------------------------------- */

static void opts_for(fetch_opts *o, const char *cache_dir, struct warnings *w)
{
	fetch_opts_defaults(o);
	o->conn.url = "http://127.0.0.1:1/"; /* nothing listens on port 1 */
	o->conn.retries = 0;
	o->conn.warn = collect_warning;
	o->conn.cb_ctx = w;
	o->conn.names = pgo_names;
	o->service = "svc";
	o->cache_dir = cache_dir;
	o->now = NOW;
}

static void test_fetch_cached_offline_stale(void **state)
{
	struct tmpdir *t = *state;
	char *dir = sub(t, "c");
	struct warnings w = {0};
	fetch_opts o;
	fetch_result r;
	fetch_err err;
	cache *c;

	assert_int_equal(cache_open(dir, 1, &c, &err), 0);
	opts_for(&o, dir, &w);

	/* Nothing cached, server down: the connection error, one line. */
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_DOWN);
	assert_non_null(strstr(err.msg, "cannot connect"));
	assert_null(strchr(err.msg, '\n'));

	/* Offline with nothing cached. */
	o.offline = 1;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_OFFLINE);

	/* An older window cached 2 days ago: offline takes it... */
	put_snapshot(c, "two days", HOUR_10 - 48 * 3600, HOUR_10 - 49 * 3600, HOUR_10 - 48 * 3600,
	             0, NOW - 48 * 3600, NULL);
	assert_int_equal(fetch_profile(&o, &r, &err), 0);
	assert_int_equal(r.source, FETCH_FROM_OFFLINE);
	assert_int_equal(r.requests, 0);
	fetch_result_clear(&r);

	/* ... and so does the stale fallback, with a warning saying how old. */
	o.offline = 0;
	assert_int_equal(fetch_profile(&o, &r, &err), 0);
	assert_int_equal(r.source, FETCH_FROM_STALE);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last, "fetched 2d ago"));
	assert_non_null(strstr(w.last, "cannot connect"));
	fetch_result_clear(&r);
	/* Not when it is older than max_age. */
	o.max_age = 24 * 3600;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_DOWN);
	o.max_age = 0;

	/* This window's snapshot: used without any request. */
	put_snapshot(c, "this hour", HOUR_10, HOUR_10 - 3600, HOUR_10, 0, NOW - 5, NULL);
	assert_int_equal(fetch_profile(&o, &r, &err), 0);
	assert_int_equal(r.source, FETCH_FROM_CACHE);
	assert_int_equal(r.requests, 0);
	assert_int_equal(r.meta.window_start, HOUR_10 - 3600);
	assert_non_null(strstr(r.path, "/profiles/"));
	fetch_result_clear(&r);
	/* --force goes to the server (down here), then falls back. */
	o.force = 1;
	assert_int_equal(fetch_profile(&o, &r, &err), 0);
	assert_int_equal(r.source, FETCH_FROM_STALE);
	assert_int_equal(r.requests, 1);
	fetch_result_clear(&r);

	cache_close(c);
	free(dir);
}

static void test_fetch_open_window_expires(void **state)
{
	struct tmpdir *t = *state;
	char *dir = sub(t, "c");
	struct warnings w = {0};
	fetch_opts o;
	fetch_result r;
	fetch_err err;
	cache *c;

	assert_int_equal(cache_open(dir, 1, &c, &err), 0);
	opts_for(&o, dir, &w);
	o.max_age = -1;
	/* An open-window snapshot of 10:00-10:20 is reused at 10:37 … */
	put_snapshot(c, "open", HOUR_10, HOUR_10, HOUR_10 + 1200, 1, HOUR_10 + 1200, NULL);
	assert_int_equal(fetch_profile(&o, &r, &err), 0);
	assert_int_equal(r.source, FETCH_FROM_CACHE);
	assert_true(r.meta.open_window);
	fetch_result_clear(&r);
	/* … but not once its window has closed (a new key, and a new fetch). */
	o.now = HOUR_10 + 3600 + 5;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_DOWN);
	cache_close(c);
	free(dir);
}

static void test_fetch_bad_options(void **state)
{
	struct tmpdir *t = *state;
	char *dir = sub(t, "c");
	struct warnings w = {0};
	const char *const bad[] = {"service_name=x"};
	fetch_opts o;
	fetch_result r;
	fetch_err err;

	opts_for(&o, dir, &w);
	o.service = NULL;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_ARG);
	assert_non_null(strstr(err.msg, "PGO_GO_SERVICE"));
	o.selectors = bad;
	o.nselectors = 1;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_non_null(strstr(err.msg, "not a label selector"));
	o.service = "svc";
	o.nselectors = 0;
	o.window = 30;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_ARG);
	free(dir);
}

static void test_selector_and_names(void **state)
{
	char *s = fetch_service_selector("a\"b\\c\nd"), buf[128];
	char *names[] = {"ride-sharing-app", "rideshare", "checkout", "ride-sharing-api",
	                 "payments",         "cart",      "ride"};

	(void)state;
	assert_string_equal(s, "{service_name=\"a\\\"b\\\\c\\nd\"}");
	free(s);
	assert_int_equal(fetch_edit_distance("", ""), 0);
	assert_int_equal(fetch_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(fetch_edit_distance("abc", ""), 3);
	fetch_closest(names, 7, "ride-sharing", NULL, 3, buf, sizeof buf);
	assert_string_equal(buf, "ride-sharing-app, rideshare, ride-sharing-api");
	fetch_closest(names, 7, "zzzz", "cart", 2, buf, sizeof buf);
	assert_string_equal(buf, "cart, ride");
	fetch_closest(names, 0, "x", NULL, 5, buf, sizeof buf);
	assert_string_equal(buf, "");
}

/* ---- a canned HTTP server on loopback, for discovery and headers -------- */

struct canned {
	int fd, port;
	pthread_t thread;
	long status;
	const char *content_type;
	unsigned char body[4096];
	size_t len;
	char request[8192]; /* the last request's head and body */
	int requests;
};

static void canned_answer(struct canned *c, int conn)
{
	char head[512];
	size_t got = 0;
	ssize_t n;
	char *end;

	memset(c->request, 0, sizeof c->request);
	while (got < sizeof c->request - 1 &&
	       (n = read(conn, c->request + got, sizeof c->request - 1 - got)) > 0) {
		got += (size_t)n;
		if ((end = strstr(c->request, "\r\n\r\n"))) {
			char *cl = strcasestr(c->request, "content-length:");
			size_t want =
			    (size_t)(end + 4 - c->request) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
			if (got >= want)
				break;
		}
	}
	/* The length is read once: as soon as the client has the whole answer,
	 * the test may set the next one (canned_json) while this thread is
	 * still comparing what write returned. */
	size_t len = c->len;
	c->requests++;
	n = snprintf(head, sizeof head,
	             "HTTP/1.1 %ld X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	             "Connection: close\r\n\r\n",
	             c->status, c->content_type, len);
	assert_true(write(conn, head, (size_t)n) == n);
	assert_true(write(conn, c->body, len) == (ssize_t)len);
}

static void *canned_serve(void *arg)
{
	struct canned *c = arg;
	int conn;

	while ((conn = accept(c->fd, NULL, NULL)) >= 0) {
		canned_answer(c, conn);
		close(conn);
	}
	return NULL;
}

static struct canned *canned_start(void)
{
	struct canned *c = calloc(1, sizeof *c);
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof a;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(bind(c->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(c->fd, 8), 0);
	assert_int_equal(getsockname(c->fd, (struct sockaddr *)&a, &alen), 0);
	c->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&c->thread, NULL, canned_serve, c), 0);
	return c;
}

static void canned_stop(struct canned *c)
{
	shutdown(c->fd, SHUT_RDWR);
	close(c->fd);
	pthread_join(c->thread, NULL);
	free(c);
}

static void canned_names(struct canned *c, char **names, size_t n)
{
	Types__V1__LabelValuesResponse r = TYPES__V1__LABEL_VALUES_RESPONSE__INIT;

	r.names = names;
	r.n_names = n;
	c->status = 200;
	c->content_type = "application/proto";
	c->len = types__v1__label_values_response__pack(&r, c->body);
}

static void canned_json(struct canned *c, long status, const char *json)
{
	c->status = status;
	c->content_type = "application/json";
	c->len = strlen(json);
	memcpy(c->body, json, c->len);
}

static void test_discover_service(void **state)
{
	struct tmpdir *t = *state;
	struct canned *srv = canned_start();
	char *names[] = {"checkout", "ride-sharing-app", "rideshare-api", "payments"};
	char *dir = sub(t, "c"), url[64], *svc = NULL;
	struct warnings w = {0};
	fetch_opts o;
	fetch_err err;

	opts_for(&o, dir, &w);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/prefix/", srv->port);
	o.conn.url = url;
	o.conn.tenant_id = "acme";
	o.conn.token = "tok-VERY-secret";
	canned_names(srv, names, 4);

	/* An exact match; the request is a Connect call with every header. */
	assert_int_equal(fetch_discover_service(&o, "ride-sharing-app", "x", &svc, &err), 0);
	assert_string_equal(svc, "ride-sharing-app");
	free(svc);
	assert_int_equal(srv->requests, 1);
	assert_non_null(
	    strstr(srv->request, "POST /prefix/querier.v1.QuerierService/LabelValues "));
	assert_non_null(strstr(srv->request, "\r\nContent-Type: application/proto\r\n"));
	assert_non_null(strstr(srv->request, "\r\nConnect-Protocol-Version: 1\r\n"));
	assert_non_null(strstr(srv->request, "\r\nX-Scope-OrgID: acme\r\n"));
	assert_non_null(strstr(srv->request, "\r\nAuthorization: Bearer tok-VERY-secret\r\n"));
	assert_non_null(strstr(srv->request, "\r\nAccept-Encoding: gzip\r\n"));
	assert_non_null(strstr(srv->request, "service_name"));
	/* Asked again within the hour: the cached answer, no request. */
	assert_int_equal(fetch_discover_service(&o, "ride-sharing-app", "x", &svc, &err), 0);
	free(svc);
	assert_int_equal(srv->requests, 1);
	/* The second name when the first is unknown. */
	assert_int_equal(fetch_discover_service(&o, "ride", "payments", &svc, &err), 0);
	assert_string_equal(svc, "payments");
	free(svc);
	/* Neither: the closest names. */
	assert_int_equal(fetch_discover_service(&o, "ride-sharing", "rides", &svc, &err), -1);
	assert_int_equal(err.code, FETCH_E_NODATA);
	assert_non_null(strstr(err.msg, "knows no service 'ride-sharing' nor 'rides' (closest: "
	                                "ride-sharing-app, rideshare-api, "));
	assert_null(svc);
	/* A Connect error: one line, the code and message, no token. */
	canned_json(srv, 403,
	            "{\"code\":\"permission_denied\",\"message\":\"tenant acme: "
	            "denied for tok-VERY-secret\"}");
	assert_int_equal(fetch_discover_service(&o, "other", NULL, &svc, &err), -1);
	assert_int_equal(err.code, FETCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "HTTP 403 permission_denied: tenant acme: denied for ***"));
	assert_null(strstr(err.msg, "VERY"));
	/* Offline: the cached answer of any age, else an error. */
	o.offline = 1;
	o.now = NOW + 30 * 86400;
	assert_int_equal(fetch_discover_service(&o, "ride-sharing-app", "x", &svc, &err), 0);
	free(svc);
	assert_int_equal(fetch_discover_service(&o, "never-seen", NULL, &svc, &err), -1);
	assert_int_equal(err.code, FETCH_E_OFFLINE);
	canned_stop(srv);
	free(dir);
}

/* The number of files in dir/down: the servers remembered as down. */
static size_t downs(const char *dir)
{
	char *path;
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	assert_true(asprintf(&path, "%s/down", dir) > 0);
	d = opendir(path);
	free(path);
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* A server that is down is asked once per command (the memo), and for a
 * minute by later commands (the cache), unless they insist; a server that
 * answers, even with one service's error, is up again. */
static void test_fetch_server_down(void **state)
{
	struct tmpdir *t = *state;
	char *dir = sub(t, "c"), *dir2 = sub(t, "c2"), url[64];
	struct warnings w = {0}, notes = {0};
	fetch_memo memo = {0}, next = {0};
	struct canned *srv;
	fetch_opts o;
	fetch_result r;
	fetch_err err, first;

	opts_for(&o, dir, &w);
	o.conn.note = collect_warning;
	o.conn.cb_ctx = &notes;
	o.memo = &memo;
	o.skip_down = 1;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_DOWN);
	assert_int_equal(r.requests, 1);
	assert_non_null(strstr(err.msg, "cannot connect"));
	assert_non_null(strstr(err.msg, "; builds leave it alone for 1m (PGO_GO_SERVER_BACKOFF)"));
	assert_int_equal(downs(dir), 1);
	first = err;
	/* Another service of the command: not asked; the same line. */
	o.service = "other";
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(r.requests, 0);
	assert_string_equal(err.msg, first.msg);
	/* The next command: the cache's record, with its age. */
	o.memo = &next;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_DOWN);
	assert_int_equal(r.requests, 0);
	assert_non_null(strstr(err.msg, "cannot connect"));
	assert_non_null(strstr(err.msg, "; that was 0s ago: builds leave it alone for 1m more "
	                                "(PGO_GO_SERVER_BACKOFF)"));
	assert_int_equal(next.ndown, 1);
	/* Another connection (a CA file, once fixed) is another matter. */
	o.memo = NULL;
	o.conn.timeout_ms = 5000;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(r.requests, 1);
	o.conn.timeout_ms = PYRO_TIMEOUT_MS;
	/* Not skipping (`pgo-go fetch`): asked anyway, with a note. */
	o.skip_down = 0;
	notes.n = 0;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(r.requests, 1);
	assert_int_equal(notes.n, 1);
	assert_non_null(strstr(notes.last, "that was 0s ago: asking it again anyway"));
	/* Off: nothing remembered. */
	o.cache_dir = dir2;
	o.backoff = -1;
	o.skip_down = 1;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(r.requests, 1);
	assert_null(strstr(err.msg, "leave it alone"));
	assert_int_equal(downs(dir2), 0);
	o.backoff = 0;

	/* A 503 is the server's; one service's 400 is not, and shows the
	 * server is up: the record goes. */
	srv = canned_start();
	snprintf(url, sizeof url, "http://127.0.0.1:%d", srv->port);
	o.conn.url = url;
	o.cache_dir = dir;
	canned_json(srv, 503, "{\"code\":\"unavailable\",\"message\":\"later\"}");
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_DOWN);
	assert_int_equal(downs(dir), 3); /* port 1 twice (two time limits), and this one */
	canned_json(srv, 400, "{\"code\":\"invalid_argument\",\"message\":\"bad query\"}");
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(r.requests, 0);
	o.skip_down = 0;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_REFUSED);
	assert_int_equal(downs(dir), 2);
	o.skip_down = 1;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_int_equal(err.code, FETCH_E_REFUSED);
	assert_int_equal(r.requests, 1);
	canned_stop(srv);
	free(dir);
	free(dir2);
}

static void test_select_and_garbage(void **state)
{
	struct tmpdir *t = *state;
	struct canned *srv = canned_start();
	char *dir = sub(t, "c"), url[64];
	struct warnings w = {0};
	fetch_opts o;
	fetch_result r;
	fetch_err err;

	opts_for(&o, dir, &w);
	snprintf(url, sizeof url, "http://127.0.0.1:%d", srv->port);
	o.conn.url = url;
	/* A 200 that is not a profile: the error names the server and query. */
	srv->status = 200;
	srv->content_type = "application/proto";
	memcpy(srv->body, "\0garbage", 8);
	srv->len = 8;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_non_null(strstr(err.msg, "sent for {service_name=\"svc\"} is not valid"));
	assert_int_equal(srv->requests, 1);
	/* The request carried the window and the go-pgo selector. */
	assert_non_null(strstr(srv->request, "process_cpu:cpu:nanoseconds:cpu:nanoseconds"));
	assert_non_null(strstr(srv->request, "{service_name=\"svc\"}"));
	/* An HTML page is not taken for an answer. */
	srv->content_type = "text/html; charset=utf-8";
	o.force = 1;
	assert_int_equal(fetch_profile(&o, &r, &err), -1);
	assert_non_null(strstr(err.msg, "the answer is text/html; charset=utf-8, not protobuf"));
	canned_stop(srv);
	free(dir);
}

/* ---- the raw pprof URL and local files sources (fetch_sources.h) ------------ */

static void test_pprof_pure(void **state)
{
	pyro_err_ctx x = {
	    "pprof endpoint",   "http://svc:6060/debug/pprof/profile", NULL, 0, 1, &pgo_names,
	    FETCH_SET_PPROF_URL};
	char buf[512];

	(void)state;
	assert_int_equal(fetch_url_seconds(NULL), FETCH_URL_SECONDS_DEFAULT);
	assert_int_equal(fetch_url_seconds(""), FETCH_URL_SECONDS_DEFAULT);
	assert_int_equal(fetch_url_seconds("seconds=5"), 5);
	assert_int_equal(fetch_url_seconds("debug=0&seconds=12&x=1"), 12);
	assert_int_equal(fetch_url_seconds("xseconds=7"), FETCH_URL_SECONDS_DEFAULT);
	assert_int_equal(fetch_url_seconds("seconds=abc"), -1);
	assert_int_equal(fetch_url_seconds("seconds=-1"), -1);
	assert_int_equal(fetch_url_seconds("seconds=86401"), -1);
	assert_int_equal(fetch_url_seconds("seconds="), -1);

	assert_true(fetch_files_wanted_name("cpu.pprof"));
	assert_true(fetch_files_wanted_name("default.pgo"));
	assert_true(fetch_files_wanted_name("a.pb.gz"));
	assert_false(fetch_files_wanted_name(".tmp.pgo"));
	assert_false(fetch_files_wanted_name("notes.txt"));
	assert_false(fetch_files_wanted_name("x.pgo.bak"));
	assert_false(fetch_files_wanted_name(".pgo"));

	/* A hint replaces the Pyroscope one on a 404, not on 401 or 5xx. */
	pyro_http_error_hinted(&x, "check PGO_GO_PPROF_URL", 404, "404 page not found\n", 19, buf,
	                       sizeof buf);
	assert_string_equal(buf, "pprof endpoint at http://svc:6060/debug/pprof/profile: HTTP 404: "
	                         "404 page not found (check PGO_GO_PPROF_URL)");
	pyro_http_error_hinted(&x, "check PGO_GO_PPROF_URL", 503, "", 0, buf, sizeof buf);
	assert_non_null(strstr(buf, "(the server failed; try again later)"));
	pyro_http_error_hinted(&x, "check PGO_GO_PPROF_URL", 401, "", 0, buf, sizeof buf);
	assert_non_null(strstr(buf, "wants a tenant or credentials"));
}

/* A small CPU profile, plain protobuf: main.main → main.hot (value ns),
 * taken at time_ns for 10 s; functions listed in the order given. */
static size_t tiny_profile(unsigned char *out, size_t cap, int64_t ns, int64_t time_ns, int swap)
{
	char *strings[] = {"", "cpu", "nanoseconds", "main.hot", "main.main", "main.go"};
	Perftools__Profiles__ValueType vt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT, *vts[] = {&vt};
	Perftools__Profiles__Function f[2] = {PERFTOOLS__PROFILES__FUNCTION__INIT,
	                                      PERFTOOLS__PROFILES__FUNCTION__INIT};
	Perftools__Profiles__Function *fs[2] = {&f[swap], &f[!swap]};
	Perftools__Profiles__Line ln[2] = {PERFTOOLS__PROFILES__LINE__INIT,
	                                   PERFTOOLS__PROFILES__LINE__INIT};
	Perftools__Profiles__Line *l0[] = {&ln[0]}, *l1[] = {&ln[1]};
	Perftools__Profiles__Location loc[2] = {PERFTOOLS__PROFILES__LOCATION__INIT,
	                                        PERFTOOLS__PROFILES__LOCATION__INIT};
	Perftools__Profiles__Location *locs[] = {&loc[0], &loc[1]};
	Perftools__Profiles__Sample smp = PERFTOOLS__PROFILES__SAMPLE__INIT, *smps[] = {&smp};
	Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	uint64_t stack[] = {1, 2};
	int64_t value[] = {ns};

	vt.type = 1;
	vt.unit = 2;
	for (int i = 0; i < 2; i++) {
		f[i].id = (uint64_t)i + 1;
		f[i].name = f[i].system_name = 3 + i;
		f[i].filename = 5;
		f[i].start_line = 10 * (i + 1);
		ln[i].function_id = (uint64_t)i + 1;
		ln[i].line = 10 * (i + 1) + 3;
		loc[i].id = (uint64_t)i + 1;
	}
	loc[0].n_line = loc[1].n_line = 1;
	loc[0].line = l0;
	loc[1].line = l1;
	smp.n_location_id = 2;
	smp.location_id = stack;
	smp.n_value = 1;
	smp.value = value;
	p.n_sample_type = 1;
	p.sample_type = vts;
	p.n_sample = 1;
	p.sample = smps;
	p.n_location = 2;
	p.location = locs;
	p.n_function = 2;
	p.function = fs;
	p.n_string_table = 6;
	p.string_table = strings;
	p.time_nanos = time_ns;
	p.duration_nanos = 10000000000;
	assert_true(perftools__profiles__profile__get_packed_size(&p) <= cap);
	return perftools__profiles__profile__pack(&p, out);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static unsigned char *read_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = malloc(1 << 16);

	assert_non_null(f);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static void test_pprof_url(void **state)
{
	struct tmpdir *t = *state;
	struct canned *srv = canned_start();
	char *dir = sub(t, "c"), *saved = sub(t, "saved.pprof"), url[128];
	const char *paths[1] = {saved};
	unsigned char *a, *b;
	size_t alen, blen;
	struct warnings w = {0};
	fetch_result r, r2;
	fetch_opts o;
	fetch_err err;

	opts_for(&o, dir, &w);
	o.conn.tenant_id = "acme";
	snprintf(url, sizeof url, "http://127.0.0.1:%d/debug/pprof/profile?seconds=2", srv->port);
	srv->status = 200;
	srv->content_type = "application/octet-stream";
	srv->len = tiny_profile(srv->body, sizeof srv->body, 7000000, (NOW - 5) * 1000000000, 0);

	/* A GET with the query, the tenant, none of Connect's headers. */
	assert_int_equal(fetch_from_url(&o, url, &r, &err), 0);
	assert_int_equal(r.source, FETCH_FROM_SERVER);
	assert_int_equal(srv->requests, 1);
	assert_non_null(strstr(srv->request, "GET /debug/pprof/profile?seconds=2 HTTP/1.1\r\n"));
	assert_non_null(strstr(srv->request, "\r\nX-Scope-OrgID: acme\r\n"));
	assert_null(strstr(srv->request, "Connect-Protocol-Version"));
	assert_string_equal(r.meta.profile_type, FETCH_URL_TYPE);
	assert_int_equal(r.meta.window_start, NOW - 5);
	assert_int_equal(r.meta.window_end, NOW + 5);
	assert_int_equal(r.meta.newest_end, HOUR_10);
	/* The same window: the cached snapshot, no request. */
	o.now = NOW + 600;
	assert_int_equal(fetch_from_url(&o, url, &r2, &err), 0);
	assert_int_equal(r2.source, FETCH_FROM_CACHE);
	assert_string_equal(r2.path, r.path);
	assert_int_equal(srv->requests, 1);
	fetch_result_clear(&r2);
	/* The same bytes saved to a file reduce to the same profile. */
	write_bytes(saved, srv->body, srv->len);
	assert_int_equal(fetch_from_files(&o, paths, 1, &r2, &err), 0);
	a = read_bytes(r.path, &alen);
	b = read_bytes(r2.path, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
	fetch_result_clear(&r2);
	/* [rename]/[noinline] make another snapshot, of rewritten bytes: the
	 * file's, reduced again, and the cached one without rules stays. */
	{
		const fetch_pgo_rename ren[1] = {{"main.hot", "main.hotter"}};
		const fetch_pgo_rules rules = {ren, 1, NULL, 0},
		                      bad = {ren, 0, (const char *[]){""}, 1};
		o.rules = &rules;
		assert_int_equal(fetch_from_files(&o, paths, 1, &r2, &err), 0);
		assert_int_equal(r2.meta.rules[0] != '\0', 1);
		assert_string_not_equal(r2.path, r.path);
		a = read_bytes(r2.path, &alen);
		pprof_profile *prof = NULL;
		int renamed = 0;
		assert_int_equal(pprof_decode(a, alen, 0, &prof, &err), 0);
		for (size_t i = 0; i < prof->msg->n_string_table; i++)
			renamed |= !strcmp(prof->msg->string_table[i], "main.hotter");
		assert_true(renamed);
		pprof_free(prof);
		free(a);
		fetch_result_clear(&r2);
		o.rules = &bad;
		assert_int_equal(fetch_from_files(&o, paths, 1, &r2, &err), -1);
		assert_int_equal(err.code, FETCH_E_ARG);
		o.rules = NULL;
		assert_int_equal(fetch_from_url(&o, url, &r2, &err), 0);
		assert_string_equal(r2.path, r.path);
		assert_int_equal(srv->requests, 1);
		fetch_result_clear(&r2);
	}
	/* The next window asks again; when the endpoint fails then, the
	 * older snapshot is used with a warning. */
	o.now = NOW + 3600;
	srv->status = 404;
	srv->content_type = "text/plain";
	srv->len = 0;
	assert_int_equal(fetch_from_url(&o, url, &r2, &err), 0);
	assert_int_equal(r2.source, FETCH_FROM_STALE);
	assert_int_equal(srv->requests, 2);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last, "HTTP 404"));
	assert_non_null(strstr(w.last, "using the cached profile of the pprof endpoint"));
	fetch_result_clear(&r2);
	o.max_age = -1;
	o.force = 1;
	assert_int_equal(fetch_from_url(&o, url, &r2, &err), -1);
	assert_int_equal(err.code, FETCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "check PGO_GO_PPROF_URL"));
	/* Bad URLs never reach the network, and hide credentials. */
	assert_int_equal(fetch_from_url(&o, "http://u:s3cr3t@h/x#frag", &r2, &err), -1);
	assert_int_equal(err.code, FETCH_E_ARG);
	assert_null(strstr(err.msg, "s3cr3t"));
	assert_int_equal(fetch_from_url(&o, "h:6060/debug/pprof/profile", &r2, &err), -1);
	assert_int_equal(srv->requests, 3);
	fetch_result_clear(&r);
	canned_stop(srv);
	free(saved);
	free(dir);
}

static void test_pprof_files(void **state)
{
	struct tmpdir *t = *state;
	char *dir = sub(t, "c"), *in = sub(t, "in"), *p1 = sub(t, "in/a.pprof"),
	     *p2 = sub(t, "in/b.pgo"), *txt = sub(t, "in/notes.txt"), *empty = sub(t, "empty");
	const char *both[2] = {p2, p1}, *d[1] = {in}, *e[1] = {empty}, *bad[1] = {txt};
	unsigned char buf[1024];
	struct warnings w = {0};
	fetch_result r, r2;
	fetch_opts o;
	fetch_err err;
	size_t n;

	opts_for(&o, dir, &w);
	assert_int_equal(mkdir(in, 0700), 0);
	assert_int_equal(mkdir(empty, 0700), 0);
	/* The same data in another table order, at another time. */
	n = tiny_profile(buf, sizeof buf, 3000000, 1000000000000000000, 0);
	write_bytes(p1, buf, n);
	n = tiny_profile(buf, sizeof buf, 4000000, 1000000100000000000, 1);
	write_bytes(p2, buf, n);
	write_bytes(txt, "not a profile", 13);

	/* A directory is its wanted files; listing them gives the same. */
	assert_int_equal(fetch_from_files(&o, d, 1, &r, &err), 0);
	assert_int_equal(r.source, FETCH_FROM_SERVER);
	assert_int_equal(r.meta.samples, 1); /* one stack, values summed */
	assert_int_equal(r.meta.window_start, 1000000000);
	assert_int_equal(r.meta.window_end, 1000000110);
	assert_string_equal(r.meta.service, in);
	assert_int_equal(fetch_from_files(&o, both, 2, &r2, &err), 0);
	assert_int_equal(r2.source, FETCH_FROM_CACHE);
	assert_string_equal(r2.path, r.path);
	assert_non_null(strstr(r2.meta.service, "b.pgo + "));
	fetch_result_clear(&r2);
	/* Failures name the path; nothing is stored. */
	assert_int_equal(fetch_from_files(&o, bad, 1, &r2, &err), -1);
	assert_int_equal(err.code, FETCH_E_FORMAT);
	assert_non_null(strstr(err.msg, "notes.txt is not a valid profile"));
	assert_int_equal(fetch_from_files(&o, e, 1, &r2, &err), -1);
	assert_int_equal(err.code, FETCH_E_IO);
	assert_non_null(strstr(err.msg, "no *.pprof, *.pgo or *.pb.gz file in"));
	fetch_result_clear(&r);
	free(dir);
	free(in);
	free(p1);
	free(p2);
	free(txt);
	free(empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {

	    cmocka_unit_test(test_window_arithmetic),
	    cmocka_unit_test(test_window_format),
	    cmocka_unit_test(test_retryable),
	    cmocka_unit_test(test_retry_delay),
	    cmocka_unit_test(test_tls_and_down),
	    cmocka_unit_test(test_connect_errors),
	    cmocka_unit_test(test_scrub),
	    cmocka_unit_test(test_bearer_and_loopback),
	    cmocka_unit_test(test_client_secrets),
	    cmocka_unit_test(test_base_url),
	    cmocka_unit_test(test_cache_key),
	    cmocka_unit_test_setup_teardown(test_cache_files, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_cache_newest_and_clean, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_cache_clean_killed_writers, setup_dir,
	                                    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_cache_lock, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_cache_down_records, setup_dir, teardown_dir),
	    cmocka_unit_test(test_default_dir),
	    cmocka_unit_test_setup_teardown(test_fetch_cached_offline_stale, setup_dir,
	                                    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_fetch_server_down, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_fetch_open_window_expires, setup_dir,
	                                    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_fetch_bad_options, setup_dir, teardown_dir),
	    cmocka_unit_test(test_selector_and_names),
	    cmocka_unit_test_setup_teardown(test_discover_service, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_select_and_garbage, setup_dir, teardown_dir),
	    cmocka_unit_test(test_pprof_pure),
	    cmocka_unit_test_setup_teardown(test_pprof_url, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_pprof_files, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
