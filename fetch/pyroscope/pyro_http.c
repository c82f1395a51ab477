/* pyro_http.c — the libcurl plumbing under the Pyroscope client: a Connect
 * unary call with its retries, size limit and progress line, and the error
 * line for each way it can fail. The client itself is pyro_client.c's. */
#include <curl/curl.h>
#include <errno.h>
#include <nettle/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "pyro.h"
#include "pyro_int.h"

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
/* ---- one transfer ------------------------------------------------------- */

struct transfer {
	pyro_client *c;
	unsigned char *data;
	size_t len, cap;
	int too_big;
	char content_type[128];
	int64_t t0, last_shown;
	int shown;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nmemb;

	/* libcurl hands over decoded bytes, so this also stops a gzip bomb
	 * while it inflates. Returning short aborts the transfer. */
	if (n > t->c->max_response - t->len) {
		t->too_big = 1;
		return 0;
	}
	if (t->len + n > t->cap) {
		size_t cap = t->cap ? t->cap : 65536;
		unsigned char *g;
		while (cap < t->len + n)
			cap *= 2;
		if (!(g = realloc(t->data, cap)))
			return 0;
		t->data = g;
		t->cap = cap;
	}
	memcpy(t->data + t->len, ptr, n);
	t->len += n;
	return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nmemb, k = strlen("content-type:");

	if (n > 5 && !strncmp(ptr, "HTTP/", 5))
		t->content_type[0] = '\0'; /* a new response (after a 100) */
	else if (n > k && !strncasecmp(ptr, "content-type:", k)) {
		size_t i = k, m = 0;
		while (i < n && (ptr[i] == ' ' || ptr[i] == '\t'))
			i++;
		while (i < n && ptr[i] != '\r' && ptr[i] != '\n' && m + 1 < sizeof t->content_type)
			t->content_type[m++] = ptr[i++];
		t->content_type[m] = '\0';
	}
	return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	struct transfer *t = ud;
	int64_t now = mono_ms();

	(void)dltotal;
	(void)ultotal;
	(void)ulnow;
	if (now - t->t0 < 1000 || now - t->last_shown < 200)
		return 0;
	t->last_shown = now;
	t->shown = 1;
	t->c->progress(t->c->cb_ctx, (int64_t)dlnow, now - t->t0, 0);
	return 0;
}

static void end_progress(struct transfer *t)
{
	if (t->shown)
		t->c->progress(t->c->cb_ctx, (int64_t)t->len, mono_ms() - t->t0, 1);
	t->shown = 0;
}

static struct curl_slist *add_header(struct curl_slist *h, const char *line, int *failed)
{
	struct curl_slist *n = *failed ? NULL : curl_slist_append(h, line);

	if (!n)
		*failed = 1;
	return n ? n : h;
}

/* The Connect headers for a call (post), then the tenant and auth headers,
 * which a GET of a raw endpoint behind the same gateway needs as well. */
static struct curl_slist *request_headers(pyro_client *c, int post, int64_t remaining_ms)
{
	struct curl_slist *h = NULL;
	char line[320];
	int failed = 0;

	if (post) {
		h = add_header(h, "Content-Type: application/proto", &failed);
		h = add_header(h, "Connect-Protocol-Version: 1", &failed);
		h = add_header(h, "Expect:", &failed);
		/* Connect-Timeout-Ms lets the server give up when the client will. */
		snprintf(line, sizeof line, "Connect-Timeout-Ms: %lld", (long long)remaining_ms);
		h = add_header(h, line, &failed);
	}
	if (c->tenant) {
		snprintf(line, sizeof line, "X-Scope-OrgID: %.280s", c->tenant);
		h = add_header(h, line, &failed);
	}
	if (c->auth_header)
		h = add_header(h, c->auth_header, &failed);
	/* A GET without tenant or auth has no headers: a dummy keeps NULL
	 * meaning "out of memory". */
	if (!h && !failed)
		h = add_header(h, "Expect:", &failed);
	if (failed) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

static void set_tls_and_auth(pyro_client *c)
{
	CURL *h = c->h;

	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->client_cert)
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->client_cert);
	if (c->client_cert && c->client_key)
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->client_key);
	if (!c->auth_header && (c->username || c->password)) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, c->username ? c->username : "");
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
	}
}

static void set_transfer(pyro_client *c, const struct pyro_req *q, int64_t remaining_ms,
                         struct transfer *t, struct curl_slist *hdrs)
{
	CURL *h = c->h;

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (q->body) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
	curl_easy_setopt(
	    h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(c->connect_timeout_ms < remaining_ms ? c->connect_timeout_ms : remaining_ms));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)remaining_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
	if (c->progress) {
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
	}
	set_tls_and_auth(c);
}

/* Whether the attempt was https, got through a TLS handshake and got a
 * status line: how a connection turned away after the handshake differs
 * from one that failed later (pyro_tls_failure_of). */
static void tls_state(pyro_client *c, const struct pyro_req *q, pyro_attempt *a)
{
	curl_off_t handshake_us = 0;
	long status = 0;

	a->https = !strncasecmp(q->url, "https:", 6);
	if (curl_easy_getinfo(c->h, CURLINFO_APPCONNECT_TIME_T, &handshake_us) == CURLE_OK)
		a->handshake = handshake_us > 0;
	if (curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
		a->answered = status > 0;
}

/* One attempt; a's fields say how it ended. -1 only when out of memory. */
static int attempt_once(pyro_client *c, const struct pyro_req *q, int64_t remaining_ms,
                        struct transfer *t, pyro_attempt *a)
{
	struct curl_slist *hdrs = request_headers(c, q->body != NULL, remaining_ms);
	curl_off_t retry_after = 0;
	CURLcode rc;

	memset(a, 0, sizeof *a);
	a->retry_after_s = -1;
	if (!hdrs)
		return -1;
	c->errbuf[0] = '\0';
	t->t0 = mono_ms();
	set_transfer(c, q, remaining_ms, t, hdrs);
	rc = curl_easy_perform(c->h);
	end_progress(t);
	c->requests++;
	a->curl_code = (int)rc;
	a->too_big = t->too_big || rc == CURLE_FILESIZE_EXCEEDED;
	tls_state(c, q, a);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &a->status);
		if (curl_easy_getinfo(c->h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
		    retry_after > 0)
			a->retry_after_s = (int64_t)retry_after;
	}
	curl_slist_free_all(hdrs);
	return 0;
}

/* ---- errors ------------------------------------------------------------- */

/* The credentials of basic auth as the Authorization header carries them,
 * base64("user:password") (malloc'd), or NULL. */
static char *basic_credentials(const pyro_client *c)
{
	const char *u = c->username ? c->username : "", *p = c->password ? c->password : "";
	size_t n = strlen(u) + 1 + strlen(p);
	char *plain, *enc = NULL;

	if (c->auth_header || (!c->username && !c->password) || !(plain = malloc(n + 1)))
		return NULL;
	snprintf(plain, n + 1, "%s:%s", u, p);
	if ((enc = malloc(BASE64_ENCODE_RAW_LENGTH(n) + 1)) != NULL) {
		base64_encode_raw(enc, n, (const uint8_t *)plain);
		enc[BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
	}
	free(plain);
	return enc;
}

static void scrub(pyro_client *c, fetch_err *err)
{
	const char *secrets[3] = {NULL, c->password, NULL};
	const char *prefix = "Authorization: Bearer ";
	char *basic;

	if (!err)
		return;
	/* Belt and braces: no message is built from a secret, but a server or
	 * proxy may echo one back in its error text, the Authorization header
	 * included. */
	if (c->auth_header)
		secrets[2] = c->auth_header + strlen(prefix);
	/* The encoded form first: masking the password inside it would hide
	 * the rest from the search. */
	basic = basic_credentials(c);
	secrets[0] = basic;
	pyro_scrub(err->msg, sizeof err->msg, secrets, 3);
	free(basic);
}

#define SETTING(s) fetch_setting_name(&c->names, (s))

/* The line for a TLS failure: which side, and the settings that decide it.
 * curl's own text is left out where it changes from run to run. */
static int tls_error(pyro_client *c, const struct pyro_req *q, pyro_tls_failure tls,
                     const char *why, fetch_err *err)
{
	/* This side's files are no failure of the server's. */
	fetch_code code = tls == PYRO_TLS_LOCAL ? FETCH_E_IO : FETCH_E_DOWN;

	if (tls == PYRO_TLS_LOCAL)
		return fetch_errf(err, code, "%s at %s: %s (check %s, %s and %s)", q->what, c->base,
		                  why, SETTING(FETCH_SET_CA_FILE), SETTING(FETCH_SET_CLIENT_CERT),
		                  SETTING(FETCH_SET_CLIENT_KEY));
	if (tls == PYRO_TLS_UNTRUSTED)
		return fetch_errf(err, code,
		                  "%s at %s: the server's TLS certificate is not trusted: %s (set "
		                  "%s to the CA that signed it)",
		                  q->what, c->base, why, SETTING(FETCH_SET_CA_FILE));
	if (tls == PYRO_TLS_REFUSED && !c->client_cert)
		return fetch_errf(err, code,
		                  "%s at %s: the server refused the connection after the TLS "
		                  "handshake, before answering: it requires a client certificate "
		                  "(set %s and %s; %s verifies the server's, not this one)",
		                  q->what, c->base, SETTING(FETCH_SET_CLIENT_CERT),
		                  SETTING(FETCH_SET_CLIENT_KEY), SETTING(FETCH_SET_CA_FILE));
	if (tls == PYRO_TLS_REFUSED)
		return fetch_errf(err, code,
		                  "%s at %s: the server refused the connection after the TLS "
		                  "handshake, before answering: it does not accept the client "
		                  "certificate %s (check %s and %s: a certificate its CA signed)",
		                  q->what, c->base, c->client_cert, SETTING(FETCH_SET_CLIENT_CERT),
		                  SETTING(FETCH_SET_CLIENT_KEY));
	return fetch_errf(err, code, "%s at %s: the TLS handshake failed: %s (check %s, %s and %s)",
	                  q->what, c->base, why, SETTING(FETCH_SET_CA_FILE),
	                  SETTING(FETCH_SET_CLIENT_CERT), SETTING(FETCH_SET_CLIENT_KEY));
}

static int transport_error(pyro_client *c, const struct pyro_req *q, const pyro_attempt *a,
                           unsigned attempts, fetch_err *err)
{
	const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror((CURLcode)a->curl_code);
	fetch_code code = pyro_server_down(a) ? FETCH_E_DOWN : FETCH_E_NET;
	pyro_tls_failure tls = pyro_tls_failure_of(a);
	char tries[48] = "";

	if (attempts > 1)
		snprintf(tries, sizeof tries, " (after %u attempts)", attempts);
	if (a->too_big)
		return fetch_errf(
		    err, FETCH_E_NET,
		    "%s at %s: the answer is larger than %zu MB once decoded; refused "
		    "(a gzip bomb, or a profile too large: %s %s)",
		    q->what, c->base, c->max_response >> 20, q->body ? "narrow the query" : "raise",
		    q->body ? "" : SETTING(FETCH_SET_MAX_RESPONSE_SIZE));
	if (tls != PYRO_TLS_OK)
		return tls_error(c, q, tls, why, err);
	switch (a->curl_code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return fetch_errf(err, code,
		                  "%s at %s: cannot connect: %s%s (is the server running? check "
		                  "%s)",
		                  q->what, c->base, why, tries, pyro_url_setting(c));
	case CURLE_OPERATION_TIMEDOUT:
		return fetch_errf(err, code,
		                  "%s at %s: no answer in time: %s%s (the limit for a call is "
		                  "%.3g s: %s)",
		                  q->what, c->base, why, tries, (double)c->timeout_ms / 1000,
		                  SETTING(FETCH_SET_TIMEOUT));
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return fetch_errf(err, code, "%s at %s: the answer was cut short: %s%s", q->what,
		                  c->base, why, tries);
	}
	return fetch_errf(err, code, "%s at %s: %s%s", q->what, c->base, why, tries);
}

static int answer_error(pyro_client *c, const struct pyro_req *q, const pyro_attempt *a,
                        const struct transfer *t, unsigned attempts, fetch_err *err)
{
	pyro_err_ctx x = {
	    q->what,  c->base,   c->tenant,     c->username || c->password || c->auth_header,
	    attempts, &c->names, c->url_setting};
	fetch_code code = pyro_server_down(a)                     ? FETCH_E_DOWN
	                  : (a->status >= 400 && a->status < 500) ? FETCH_E_REFUSED
	                                                          : FETCH_E_NET;

	if (!err)
		return -1;
	pyro_http_error_hinted(&x, q->hint, a->status, (const char *)t->data, t->len, err->msg,
	                       sizeof err->msg);
	err->code = code;
	if (a->retry_after_s > PYRO_RETRY_AFTER_CAP_S) {
		size_t n = strlen(err->msg);
		snprintf(err->msg + n, sizeof err->msg - n,
		         "; it asks to retry after %lld s, longer than pgo-go waits",
		         (long long)a->retry_after_s);
	}
	return -1;
}

/* Protobuf answers only: a 200 with an HTML page is a login page or a
 * reverse proxy's, not Pyroscope. */
static int proto_content_type(const char *ct)
{
	static const char *const ok[] = {"application/proto", "application/x-protobuf",
	                                 "application/octet-stream",
	                                 "application/vnd.google.protobuf"};

	if (!*ct)
		return 1;
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (!strncasecmp(ct, ok[i], strlen(ok[i])))
			return 1;
	return 0;
}

/* ---- a call ------------------------------------------------------------- */

static unsigned jitter(void)
{
	static unsigned state;

	if (!state)
		state = (unsigned)getpid() * 2654435761u ^ (unsigned)mono_ms();
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return state % 1000;
}

static void pause_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int finish_ok(pyro_client *c, const struct pyro_req *q, struct transfer *t,
                     unsigned char **out, size_t *outlen, fetch_err *err)
{
	if (!proto_content_type(t->content_type)) {
		fetch_errf(err, FETCH_E_NET,
		           "%s at %s: the answer is %.60s, not protobuf (a login page or another "
		           "service? check %s%s)",
		           q->what, c->base, t->content_type, pyro_url_setting(c),
		           q->body ? " and its path prefix" : "");
		free(t->data);
		return -1;
	}
	*out = t->data ? t->data : malloc(1);
	*outlen = t->len;
	return *out ? 0 : fetch_err_nomem(err);
}

int pyro_request(pyro_client *c, const struct pyro_req *q, unsigned char **out, size_t *outlen,
                 fetch_err *err)
{
	int64_t deadline = mono_ms() + c->timeout_ms;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	for (unsigned attempt = 0;; attempt++) {
		struct transfer t = {.c = c};
		pyro_attempt a;
		int64_t delay;

		if (attempt_once(c, q, deadline - mono_ms(), &t, &a) != 0) {
			fetch_err_nomem(err);
			break;
		}
		if (a.curl_code == CURLE_OK && a.status >= 200 && a.status < 300) {
			rc = finish_ok(c, q, &t, out, outlen, err);
			break;
		}
		delay = pyro_retry_delay(&a, attempt, c->retries, deadline - mono_ms(), jitter());
		if (delay < 0) {
			if (a.curl_code == CURLE_OK)
				answer_error(c, q, &a, &t, attempt + 1, err);
			else
				transport_error(c, q, &a, attempt + 1, err);
			free(t.data);
			break;
		}
		if (a.status)
			pyro_say(c->note, c->cb_ctx, "%s: HTTP %ld; retrying in %.1f s", q->what,
			         a.status, (double)delay / 1000);
		else
			pyro_say(c->note, c->cb_ctx, "%s: %s; retrying in %.1f s", q->what,
			         curl_easy_strerror((CURLcode)a.curl_code), (double)delay / 1000);
		free(t.data);
		pause_ms(delay);
	}
	if (rc != 0)
		scrub(c, err);
	return rc;
}

int pyro_call(pyro_client *c, const char *method, const void *req, size_t reqlen,
              unsigned char **out, size_t *outlen, fetch_err *err)
{
	struct pyro_req q = {method, NULL, req ? req : "", reqlen, NULL};
	char *url;
	int rc;

	if (asprintf(&url, "%s/querier.v1.QuerierService/%s", c->base, method) < 0) {
		*out = NULL;
		*outlen = 0;
		return fetch_err_nomem(err);
	}
	q.url = url;
	rc = pyro_request(c, &q, out, outlen, err);
	free(url);
	return rc;
}

int pyro_get(pyro_client *c, const char *query, unsigned char **out, size_t *outlen, fetch_err *err)
{
	struct pyro_req q = {"pprof endpoint", NULL, NULL, 0, NULL};
	char hint[160], *url;
	int rc;

	snprintf(hint, sizeof hint,
	         "check %s: it should name a running Go service's /debug/pprof/profile endpoint",
	         pyro_url_setting(c));
	q.hint = hint;
	if (asprintf(&url, "%s%s%s", c->base, query && *query ? "?" : "", query ? query : "") < 0) {
		*out = NULL;
		*outlen = 0;
		return fetch_err_nomem(err);
	}
	q.url = url;
	rc = pyro_request(c, &q, out, outlen, err);
	free(url);
	return rc;
}
