/* pyro_err.c — the client's decisions that need no network: when to retry,
 * how long to wait, how an error answer reads, what must never be shown. */
#include "pyro.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

pyro_tls_failure pyro_tls_failure_of(const pyro_attempt *a)
{
	switch (a->curl_code) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return PYRO_TLS_UNTRUSTED;
	case CURLE_SSL_CONNECT_ERROR:
		return PYRO_TLS_HANDSHAKE;
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
		return PYRO_TLS_LOCAL;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		/* Under TLS 1.3 the server checks a client certificate only
		 * after the client's handshake is done: a server that requires
		 * one sends an alert, or just closes, on the first read or
		 * write. curl then reports a broken pipe, a reset or a failed
		 * getpeername(), differently from run to run. */
		return a->https && a->handshake && !a->answered ? PYRO_TLS_REFUSED : PYRO_TLS_OK;
	}
	return PYRO_TLS_OK;
}

int pyro_retryable(const pyro_attempt *a)
{
	if (a->too_big || pyro_tls_failure_of(a) != PYRO_TLS_OK)
		return 0;
	if (a->status)
		return a->status == 429 || a->status == 502 || a->status == 503 || a->status == 504;
	switch (a->curl_code) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	}
	return 0;
}

int pyro_server_down(const pyro_attempt *a)
{
	pyro_tls_failure tls = pyro_tls_failure_of(a);

	if (a->too_big)
		return 0;
	if (a->status)
		return a->status == 429 || a->status == 502 || a->status == 503 || a->status == 504;
	if (tls != PYRO_TLS_OK)
		return tls != PYRO_TLS_LOCAL;
	switch (a->curl_code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT: /* a hanging server, or one that trickles */
	case CURLE_GOT_NOTHING:
		return 1;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		return !a->answered; /* once an answer has started, it is the answer's */
	}
	return 0;
}

#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS   4000

int64_t pyro_retry_delay(const pyro_attempt *a, unsigned attempt, unsigned retries,
                         int64_t remaining_ms, unsigned jitter_permille)
{
	int64_t delay;

	if (!pyro_retryable(a) || attempt >= retries)
		return -1;
	if (a->retry_after_s >= 0 && (a->status == 429 || a->status == 503)) {
		if (a->retry_after_s > PYRO_RETRY_AFTER_CAP_S)
			return -1;
		delay = a->retry_after_s * 1000;
	} else {
		delay = BACKOFF_FIRST_MS;
		for (unsigned i = 0; i < attempt && delay < BACKOFF_MAX_MS; i++)
			delay *= 2;
		if (delay > BACKOFF_MAX_MS)
			delay = BACKOFF_MAX_MS;
		delay += delay * (jitter_permille % 1000) / 1000;
	}
	/* A pause that leaves no time for the next attempt only wastes time:
	 * the caller gives up now with the real error instead. */
	if (delay + 100 >= remaining_ms)
		return -1;
	return delay;
}

/* Whether the server's message is about the tenant. Pyroscope checks the
 * X-Scope-OrgID header with dskit's tenant and user packages, whose errors
 * read "no org id", "multiple org IDs present", "tenant ID '…' contains
 * unsupported character '…'", "tenant ID is too long: …" and "tenant ID is
 * '.' or '..'". ("tenant" alone would also match a service's name.) */
static int about_tenant(const char *msg)
{
	return strcasestr(msg, "tenant id") || strcasestr(msg, "org id");
}

#define NAME(s) fetch_setting_name(x->names, (s))

/* What to check when the server refused the tenant: what was sent, and
 * what dskit accepts (tenant.ValidTenantID). */
static void tenant_hint(const pyro_err_ctx *x, char *buf, size_t bufsz)
{
	if (!x->tenant || !*x->tenant)
		snprintf(buf, bufsz, "the server wants a tenant: set %s",
		         NAME(FETCH_SET_TENANT_ID));
	else
		snprintf(buf, bufsz,
		         "check the tenant: %s is '%.160s', sent as X-Scope-OrgID; the server "
		         "takes one ID of at most 150 letters, digits and !-_.*'()",
		         NAME(FETCH_SET_TENANT_ID), x->tenant);
}

/* What to check, by Connect code (or HTTP status when there is none), the
 * settings named as the program spells them. Returns buf. */
static const char *hint_for(const pyro_err_ctx *x, const char *hint, const char *code,
                            const char *msg, long status, int is_connect, char *buf, size_t bufsz)
{
	/* Whatever the status: a query frontend passes the tenant check's
	 * error on under a code of its own. */
	if (about_tenant(msg))
		tenant_hint(x, buf, bufsz);
	else if (!strcmp(code, "unauthenticated") || status == 401)
		snprintf(
		    buf, bufsz,
		    x->have_credentials || (x->tenant && *x->tenant)
		        ? "check the credentials (%s/%s or %s) and the tenant (%s)"
		        : "the server wants a tenant or credentials: set %4$s, %1$s/%2$s or %3$s",
		    NAME(FETCH_SET_USERNAME), NAME(FETCH_SET_PASSWORD), NAME(FETCH_SET_TOKEN),
		    NAME(FETCH_SET_TENANT_ID));
	else if (!strcmp(code, "permission_denied") || status == 403)
		snprintf(buf, bufsz, "check that the credentials may read this tenant (%s)",
		         NAME(FETCH_SET_TENANT_ID));
	else if (hint && status != 429 && status < 500)
		snprintf(buf, bufsz, "%s", hint);
	else if (status == 404 && !is_connect)
		snprintf(buf, bufsz, "no Pyroscope API at this URL: check %s and its path prefix",
		         NAME(x->url_setting));
	else if (!strcmp(code, "not_found"))
		snprintf(buf, bufsz, "check the service name or query (%s, %s)",
		         NAME(FETCH_SET_SERVICE), NAME(FETCH_SET_QUERY));
	else if (!strcmp(code, "invalid_argument") || status == 400)
		snprintf(buf, bufsz, "check the query (%s, %s) and the profile type (%s)",
		         NAME(FETCH_SET_SERVICE), NAME(FETCH_SET_QUERY),
		         NAME(FETCH_SET_PROFILE_TYPE));
	else if (!strcmp(code, "unimplemented") || status == 501)
		snprintf(buf, bufsz,
		         "the server does not offer this method: is %s a Pyroscope server?",
		         NAME(x->url_setting));
	else if (!strcmp(code, "resource_exhausted") || status == 429)
		snprintf(buf, bufsz, "the server is limiting requests; try again later");
	else if (status >= 500)
		snprintf(buf, bufsz, "the server failed; try again later");
	else
		snprintf(buf, bufsz, "check %s", NAME(x->url_setting));
	return buf;
}

/* Copies s into buf as one printable line: control characters become
 * spaces, long text is cut with "...". */
static void one_line(char *buf, size_t bufsz, const char *s, size_t len)
{
	size_t o = 0;

	if (!bufsz)
		return;
	for (size_t i = 0; i < len && o + 1 < bufsz; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf[o++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
	}
	buf[o] = '\0';
	if (o + 1 == bufsz && bufsz > 4)
		memcpy(buf + bufsz - 4, "...", 4);
}

/* The message of a Connect error held in a Connect error's message, as
 * Pyroscope's query frontend sends a backend's error on (connectgrpc's
 * RoundTripUnary makes the backend's whole JSON body the message): msg
 * itself when it is not one. Copies it into buf as one line. */
static void innermost_message(const char *msg, char *buf, size_t bufsz)
{
	json_t *j = msg[0] == '{' ? json_loads(msg, 0, NULL) : NULL;
	const char *inner = NULL;

	if (j && json_unpack(j, "{s:s}", "message", &inner) == 0 && *inner)
		one_line(buf, bufsz, inner, strlen(inner));
	else
		one_line(buf, bufsz, msg, strlen(msg));
	json_decref(j);
}

/* Parses a Connect error body; 1 when it is one. */
static int connect_error(const char *body, size_t len, char *code, size_t codesz, char *msg,
                         size_t msgsz)
{
	json_t *j = len ? json_loadb(body, len, 0, NULL) : NULL;
	const char *c = NULL, *m = "";
	int ok = 0;

	if (j && json_unpack(j, "{s:s, s?s}", "code", &c, "message", &m) == 0) {
		one_line(code, codesz, c, strlen(c));
		innermost_message(m, msg, msgsz);
		ok = 1;
	}
	json_decref(j);
	return ok;
}

/* A short excerpt of an answer that is not a Connect error (a proxy's page),
 * or "" when it is not text. */
static void excerpt(const char *body, size_t len, char *buf, size_t bufsz)
{
	size_t n = len < 120 ? len : 120;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)body[i] < 0x09 || (unsigned char)body[i] == 0x7f)
			return;
	/* Go's http.Error ends its text with a newline. */
	while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == '\r' || body[n - 1] == ' '))
		n--;
	one_line(buf, bufsz, body, n);
}

void pyro_http_error(const pyro_err_ctx *x, long status, const char *body, size_t len, char *buf,
                     size_t bufsz)
{
	pyro_http_error_hinted(x, NULL, status, body, len, buf, bufsz);
}

void pyro_http_error_hinted(const pyro_err_ctx *x, const char *hint, long status, const char *body,
                            size_t len, char *buf, size_t bufsz)
{
	char code[64] = "", msg[300] = "", tries[48] = "", hb[400];
	int is_connect = connect_error(body, len, code, sizeof code, msg, sizeof msg);

	if (!is_connect)
		excerpt(body, len, msg, sizeof msg);
	if (x->attempts > 1)
		snprintf(tries, sizeof tries, ", after %u attempts", x->attempts);
	snprintf(buf, bufsz, "%s at %s: HTTP %ld%s%s%s%s (%s%s)", x->method, x->server, status,
	         *code ? " " : "", code, *msg ? ": " : "", msg,
	         hint_for(x, hint, code, msg, status, is_connect, hb, sizeof hb), tries);
}

void pyro_scrub(char *buf, size_t bufsz, const char *const *secrets, size_t nsecrets)
{
	static const char mask[] = "***";

	for (size_t i = 0; i < nsecrets; i++) {
		const char *s = secrets[i];
		size_t n = s ? strlen(s) : 0;
		char *from = buf, *hit;

		if (!n)
			continue;
		/* The search goes on after each mask, so a secret made of
		 * asterisks cannot match its own replacement forever. */
		while ((hit = strstr(from, s))) {
			size_t tail = strlen(hit + n);
			if (n >= 3) {
				memcpy(hit, mask, 3);
				memmove(hit + 3, hit + n, tail + 1);
				from = hit + 3;
			} else if ((size_t)(hit - buf) + 3 + tail < bufsz) {
				memmove(hit + 3, hit + n, tail + 1);
				memcpy(hit, mask, 3);
				from = hit + 3;
			} else {
				memset(hit, '*', n);
				from = hit + n;
			}
		}
	}
}

char *pyro_bearer_header(const char *token, int *bad)
{
	char *h;

	*bad = strpbrk(token, "\r\n") != NULL;
	if (*bad)
		return NULL;
	return asprintf(&h, "Authorization: Bearer %s", token) < 0 ? NULL : h;
}

int pyro_host_is_loopback(const char *host)
{
	size_t n = strlen(host);

	if (!strcasecmp(host, "localhost") || (n > 10 && !strcasecmp(host + n - 10, ".localhost")))
		return 1;
	if (!strcmp(host, "[::1]") || !strcmp(host, "::1"))
		return 1;
	if (!strncmp(host, "127.", 4)) {
		for (const char *p = host + 4; *p; p++)
			if (!((*p >= '0' && *p <= '9') || *p == '.'))
				return 0;
		return 1;
	}
	return 0;
}
