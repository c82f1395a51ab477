/* pyro.h — a client for Pyroscope's query API (Connect over HTTP, libcurl).
 *
 * Each call is a Connect unary call: POST <base>/querier.v1.QuerierService/
 * <Method> with a binary protobuf body (Content-Type: application/proto),
 * answered by a binary protobuf, gzipped on the wire when the server likes,
 * or by a JSON error {"code","message"} with a non-2xx status. A call is
 * bounded in time (connect timeout per attempt; one total timeout covering
 * every attempt and the pauses between them), retried with exponential
 * backoff on connection failures, 502/503/504 and 429 (Retry-After is
 * honoured), never on other 4xx, and bounded in size (decoded bytes, so a
 * gzip bomb is refused). Failures come back as one line: what was called
 * where, the HTTP status, the Connect code, the server's message and what
 * to check. Credentials never appear in that line, in a URL this module
 * keeps, or anywhere but the request headers.
 *
 * Ownership: pyro_client_new copies what it needs from the pyro_conn (the
 * conn and its strings may be freed afterwards) and returns a client the
 * caller releases with pyro_client_free. Answers are malloc'd buffers the
 * caller frees; string lists are released with pyro_strings_free.
 */
#ifndef PGO_GO_PYRO_H
#define PGO_GO_PYRO_H

#include <stddef.h>
#include <stdint.h>

#include "fetch_err.h"

#define PYRO_CONNECT_TIMEOUT_MS 3000
#define PYRO_TIMEOUT_MS         30000
#define PYRO_RETRIES            3
#define PYRO_MAX_RESPONSE       ((size_t)64 << 20)
#define PYRO_RETRY_AFTER_CAP_S  10 /* a longer Retry-After is not waited for */

/* Where the server is and how to talk to it. Fill with pyro_conn_defaults,
 * then set what the configuration says. */
typedef struct pyro_conn {
	const char *url;       /* base URL, may carry a path prefix (a Grafana
	                        * data-source proxy); trailing slashes ignored */
	const char *tenant_id; /* X-Scope-OrgID; NULL or "" for none */
	const char *username;  /* HTTP basic auth (when username or password) */
	const char *password;
	const char *token;         /* bearer token; wins over basic auth */
	const char *ca_file;       /* PEM CA bundle (NULL: the system's) */
	const char *client_cert;   /* PEM client certificate for mutual TLS */
	const char *client_key;    /* its key (NULL: in the certificate file);
	                            * not used without client_cert */
	const char *user_agent;    /* NULL: "pgo-go" */
	long connect_timeout_ms;   /* per connection attempt */
	long timeout_ms;           /* per call, retries and pauses included */
	unsigned retries;          /* attempts after the first */
	size_t max_response;       /* decoded body bytes accepted */
	fetch_setting url_setting; /* the setting that names url, for messages */
	fetch_namer names;         /* how messages name settings */
	/* Called (if set) with one line each: warnings (credentials over
	 * plain http) and notes for verbose output (retries). */
	void (*warn)(void *ctx, const char *msg);
	void (*note)(void *ctx, const char *msg);
	/* Called (if set) while an answer arrives, at most five times a
	 * second once it has taken a second: bytes so far and milliseconds
	 * since the request; done is 1 once, when the transfer ends after
	 * a progress call. */
	void (*progress)(void *ctx, int64_t bytes, int64_t elapsed_ms, int done);
	void *cb_ctx;
} pyro_conn;

void pyro_conn_defaults(pyro_conn *c);

typedef struct pyro_client pyro_client;

/* Checks the URL (http or https, no query), the header values (no line
 * breaks) and that the TLS files are there, warns about credentials over
 * plain http to a host that is not loopback, and prepares a connection.
 * Errors: FETCH_E_ARG, FETCH_E_IO (a TLS file that cannot be read). */
int pyro_client_new(const pyro_conn *conn, pyro_client **out, fetch_err *err);
void pyro_client_free(pyro_client *c);

/* The base URL as shown to people and kept in the cache: no credentials,
 * no trailing slash. */
const char *pyro_client_server(const pyro_client *c);

/* The base URL pyro_client_server would give for url, without a client
 * (for the cache when offline). *base is malloc'd. */
int pyro_base_url(const char *url, const char *name, char **base, fetch_err *err);

/* The URL as given with any "user:password@" cut out, for messages (even
 * when it does not parse). */
void pyro_url_redact(const char *url, char *buf, size_t bufsz);

/* How many HTTP requests the client has sent (retries included). */
unsigned pyro_client_requests(const pyro_client *c);

typedef struct pyro_select {
	const char *profile_type; /* "process_cpu:cpu:nanoseconds:cpu:nanoseconds" */
	const char *selector;     /* "{service_name=\"x\"}" */
	int64_t start_ms, end_ms; /* [start, end), end - start <= 24 h */
	int go_pgo;               /* ask for the go-pgo reduction: */
	unsigned keep_locations;
	int aggregate_callees;
} pyro_select;

/* SelectMergeProfile: the server's answer (a pprof profile, decoded from
 * any Content-Encoding, gzipped or not inside) in *body, *len bytes. */
int pyro_select_merge_profile(pyro_client *c, const pyro_select *q, unsigned char **body,
                              size_t *len, fetch_err *err);

/* LabelValues: the values label name takes in [start, end) (ms). */
int pyro_label_values(pyro_client *c, const char *name, int64_t start_ms, int64_t end_ms,
                      char ***values, size_t *n, fetch_err *err);

/* ProfileTypes: the ids of the profile types with data in [start, end). */
int pyro_profile_types(pyro_client *c, int64_t start_ms, int64_t end_ms, char ***ids, size_t *n,
                       fetch_err *err);

void pyro_strings_free(char **v, size_t n);

/* A plain GET of the base URL, with "?query" appended when query is not
 * NULL or "": a raw pprof endpoint (/debug/pprof/profile?seconds=N), not a
 * Connect call. The same time bounds, retries, size limit, tenant and auth
 * headers as the calls above; error lines name the URL and c's setting. */
int pyro_get(pyro_client *c, const char *query, unsigned char **body, size_t *len, fetch_err *err);

/* ---- pure parts, exposed for the tests -------------------------------- */

/* What one attempt ended with. */
typedef struct pyro_attempt {
	int curl_code;         /* CURLcode; 0 when a status came back */
	long status;           /* HTTP status; 0 when none */
	int64_t retry_after_s; /* Retry-After in seconds; -1 when absent */
	int too_big;           /* refused for its size: never retried */
	int https;             /* the URL was https */
	int handshake;         /* a TLS handshake completed on this attempt */
	int answered;          /* a status line arrived, even if the transfer failed after it */
} pyro_attempt;

/* How TLS failed an attempt, if it did. */
typedef enum pyro_tls_failure {
	PYRO_TLS_OK,
	PYRO_TLS_UNTRUSTED, /* the server's certificate was not trusted (ca_file) */
	PYRO_TLS_HANDSHAKE, /* the handshake failed (an alert, a protocol mismatch) */
	PYRO_TLS_REFUSED,   /* the connection was dropped right after the handshake,
	                     * before any answer: how a server that requires a client
	                     * certificate (TLS 1.3) turns one away */
	PYRO_TLS_LOCAL,     /* this side's files: the CA bundle, the certificate, the key */
} pyro_tls_failure;

pyro_tls_failure pyro_tls_failure_of(const pyro_attempt *a);

/* Whether an attempt's failure is worth another try: connection failures,
 * timeouts, answers cut short, 429, 502, 503, 504; never a TLS failure
 * (another handshake ends the same way). */
int pyro_retryable(const pyro_attempt *a);

/* Whether a failed attempt is the server's failure (or the network's),
 * whatever was asked: it could not be reached, did not answer in time,
 * turned the TLS connection away, or answered 429, 502, 503 or 504. Not:
 * an error about the query, a broken or oversized answer, this side's
 * files. Other fetches of the same command need not ask it again. */
int pyro_server_down(const pyro_attempt *a);

/* How long to wait before attempt number `attempt` + 1 (attempt counts from
 * 0), or -1 to give up: not retryable, retries used up, a Retry-After over
 * PYRO_RETRY_AFTER_CAP_S, or a pause that would not leave remaining_ms time
 * for one more try. Backoff: 250 ms doubling up to 4 s, plus jitter_permille
 * thousandths of it (0..999); Retry-After, when given, replaces it. */
int64_t pyro_retry_delay(const pyro_attempt *a, unsigned attempt, unsigned retries,
                         int64_t remaining_ms, unsigned jitter_permille);

/* What the error line is about. */
typedef struct pyro_err_ctx {
	const char *method; /* "SelectMergeProfile" */
	const char *server; /* the base URL, no credentials */
	const char *tenant; /* may be NULL */
	int have_credentials;
	unsigned attempts;        /* how many were made */
	const fetch_namer *names; /* how hints name settings; NULL: the plain keys */
	fetch_setting url_setting;
} pyro_err_ctx;

/* The line for an HTTP error answer: body is the answer (a Connect JSON
 * error, or whatever a proxy sent), len its length. */
void pyro_http_error(const pyro_err_ctx *x, long status, const char *body, size_t len, char *buf,
                     size_t bufsz);

/* The same, with what to check on a 4xx other than 401, 403 and 429 given
 * (hint; NULL: chosen by the Connect code and status as above). */
void pyro_http_error_hinted(const pyro_err_ctx *x, const char *hint, long status, const char *body,
                            size_t len, char *buf, size_t bufsz);

/* Replaces every occurrence of each non-empty secret in buf by "***". */
void pyro_scrub(char *buf, size_t bufsz, const char *const *secrets, size_t nsecrets);

/* The Authorization header for a bearer token, malloc'd; NULL when out of
 * memory or when the token holds a line break (*bad set). */
char *pyro_bearer_header(const char *token, int *bad);

/* Whether host (as in a URL: "[::1]", "127.0.0.1", "localhost") is loopback. */
int pyro_host_is_loopback(const char *host);

#endif
