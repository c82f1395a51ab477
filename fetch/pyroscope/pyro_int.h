/* pyro_int.h — what the Pyroscope client's files share; not for other users. */
#ifndef PGO_GO_PYRO_INT_H
#define PGO_GO_PYRO_INT_H

#include <curl/curl.h>
#include <stddef.h>

#include "fetch_err.h"
#include "pyro.h"

/* A client: copies of its settings (pyro_client.c) and libcurl's handle,
 * reused from call to call so connections are kept (pyro_http.c). */
struct pyro_client {
	CURL *h;
	char *base;   /* base URL without credentials or trailing slash */
	char *tenant; /* NULL when none */
	char *username, *password;
	char *auth_header; /* "Authorization: Bearer …", or NULL */
	char *ca_file, *client_cert, *client_key, *user_agent;
	long connect_timeout_ms, timeout_ms;
	unsigned retries, requests;
	size_t max_response;
	fetch_setting url_setting;
	fetch_namer names;
	void (*warn)(void *ctx, const char *msg);
	void (*note)(void *ctx, const char *msg);
	void (*progress)(void *ctx, int64_t bytes, int64_t elapsed_ms, int done);
	void *cb_ctx;
	char errbuf[CURL_ERROR_SIZE];
};

/* fn(ctx, the formatted line), when fn is set. */
void pyro_say(void (*fn)(void *, const char *), void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A base URL taken apart. All fields malloc'd (user and password NULL when
 * the URL has none); base is the URL without credentials, query or
 * trailing slash. */
struct pyro_url {
	char *base, *scheme, *host, *user, *password;
};

/* The name of the setting c's URL came from, for messages. */
const char *pyro_url_setting(const pyro_client *c);

/* Errors (FETCH_E_ARG) name the URL without its credentials, and the
 * setting (name) it came from. */
int pyro_url_parse(const char *url, const char *name, struct pyro_url *u, fetch_err *err);
void pyro_url_clear(struct pyro_url *u);

/* One request with retries (pyro_http.c): a Connect unary call when req
 * is not NULL, else a GET of url. */
struct pyro_req {
	const char *what; /* for messages: "SelectMergeProfile", "pprof endpoint" */
	const char *url;  /* the whole URL, no credentials */
	const void *body; /* the protobuf request; NULL: GET */
	size_t len;
	const char *hint; /* for pyro_http_error_hinted; NULL: none */
};

int pyro_request(pyro_client *c, const struct pyro_req *q, unsigned char **out, size_t *outlen,
                 fetch_err *err);

/* One Connect unary call with retries: the answer's body in *out. */
int pyro_call(pyro_client *c, const char *method, const void *req, size_t reqlen,
              unsigned char **out, size_t *outlen, fetch_err *err);

#endif
