/* pyro_client.c — setting up a Pyroscope client: copies of the settings
 * (secrets wiped when freed), the base URL without credentials, the warning
 * about credentials over plain http, and libcurl's handle. */
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pyro.h"
#include "pyro_int.h"

void pyro_conn_defaults(pyro_conn *c)
{
	memset(c, 0, sizeof *c);
	c->connect_timeout_ms = PYRO_CONNECT_TIMEOUT_MS;
	c->timeout_ms = PYRO_TIMEOUT_MS;
	c->retries = PYRO_RETRIES;
	c->max_response = PYRO_MAX_RESPONSE;
}

/* ---- setting up --------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* Frees a string that held a secret, wiping it first. */
static void free_secret(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static int has_break(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

static int copy_settings(pyro_client *c, const pyro_conn *o, fetch_err *err)
{
	int bad = 0;

	if (has_break(o->tenant_id) || has_break(o->username) || has_break(o->password))
		return fetch_errf(err, FETCH_E_ARG,
		                  "the tenant id, user name or password holds a line break");
	if ((o->tenant_id && *o->tenant_id && !(c->tenant = strdup(o->tenant_id))) ||
	    (o->username && *o->username && !(c->username = strdup(o->username))) ||
	    (o->password && *o->password && !(c->password = strdup(o->password))))
		return fetch_err_nomem(err);
	if (o->token && *o->token && !(c->auth_header = pyro_bearer_header(o->token, &bad)))
		return bad ? fetch_errf(err, FETCH_E_ARG, "the token holds a line break")
		           : fetch_err_nomem(err);
	c->ca_file = dup_or_null(o->ca_file);
	c->client_cert = dup_or_null(o->client_cert);
	c->client_key = dup_or_null(o->client_key);
	c->user_agent = strdup(o->user_agent && *o->user_agent ? o->user_agent : "pgo-go");
	if ((o->ca_file && *o->ca_file && !c->ca_file) ||
	    (o->client_cert && *o->client_cert && !c->client_cert) ||
	    (o->client_key && *o->client_key && !c->client_key) || !c->user_agent)
		return fetch_err_nomem(err);
	c->connect_timeout_ms =
	    o->connect_timeout_ms > 0 ? o->connect_timeout_ms : PYRO_CONNECT_TIMEOUT_MS;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : PYRO_TIMEOUT_MS;
	c->retries = o->retries;
	c->max_response = o->max_response ? o->max_response : PYRO_MAX_RESPONSE;
	c->url_setting = o->url_setting;
	c->names = o->names;
	c->warn = o->warn;
	c->note = o->note;
	c->progress = o->progress;
	c->cb_ctx = o->cb_ctx;
	return 0;
}

/* A file a TLS setting names is checked before libcurl gets it: libcurl's
 * words for a missing CA bundle are "error setting certificate file". */
static int check_tls_file(const char *path, const char *what, fetch_setting s,
                          const fetch_namer *names, fetch_err *err)
{
	struct stat st;

	if (!path || !*path)
		return 0;
	if (stat(path, &st) != 0 || access(path, R_OK) != 0)
		return fetch_errf(err, FETCH_E_IO, "cannot read the %s %s (%s): %s", what, path,
		                  fetch_setting_name(names, s), strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fetch_errf(err, FETCH_E_IO, "the %s %s (%s) is not a file", what, path,
		                  fetch_setting_name(names, s));
	return 0;
}

static int check_tls_files(const pyro_conn *o, fetch_err *err)
{
	if (check_tls_file(o->ca_file, "CA file", FETCH_SET_CA_FILE, &o->names, err) != 0 ||
	    check_tls_file(o->client_cert, "client certificate", FETCH_SET_CLIENT_CERT, &o->names,
	                   err) != 0)
		return -1;
	/* A key without its certificate is not used (pyro.h): no need to read it. */
	if (o->client_cert && *o->client_cert &&
	    check_tls_file(o->client_key, "client key", FETCH_SET_CLIENT_KEY, &o->names, err) != 0)
		return -1;
	return 0;
}

void pyro_say(void (*fn)(void *, const char *), void *ctx, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fn(ctx, buf);
}

static void warn_plain_http(pyro_client *c, const struct pyro_url *u)
{
	int creds = c->username || c->password || c->auth_header;

	if (creds && !strcasecmp(u->scheme, "http") && !pyro_host_is_loopback(u->host))
		pyro_say(c->warn, c->cb_ctx,
		         "credentials go to %s over plain http: anyone on the way can read them; "
		         "use an https URL",
		         u->host);
}

/* Credentials written in the URL ("http://user:pass@host") count as if
 * configured, unless the configuration already has some. */
static int take_url_credentials(pyro_client *c, struct pyro_url *u, fetch_err *err)
{
	if (!u->user && !u->password)
		return 0;
	if (!c->username && !c->password && !c->auth_header) {
		c->username = u->user;
		c->password = u->password;
		u->user = u->password = NULL;
	}
	return c->username || !u->user ? 0 : fetch_err_nomem(err);
}

const char *pyro_url_setting(const pyro_client *c)
{
	return fetch_setting_name(&c->names, c->url_setting);
}

static int setup_url(pyro_client *c, const char *url, fetch_err *err)
{
	struct pyro_url u;

	if (pyro_url_parse(url, pyro_url_setting(c), &u, err) != 0)
		return -1;
	if (take_url_credentials(c, &u, err) != 0) {
		pyro_url_clear(&u);
		return -1;
	}
	warn_plain_http(c, &u);
	c->base = u.base;
	u.base = NULL;
	pyro_url_clear(&u);
	return 0;
}

static int global_init(fetch_err *err)
{
	static int done;

	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return fetch_errf(err, FETCH_E_NET, "cannot initialize libcurl");
	done = 1;
	return 0;
}

int pyro_client_new(const pyro_conn *o, pyro_client **out, fetch_err *err)
{
	pyro_client *c = calloc(1, sizeof *c);

	*out = NULL;
	if (!c)
		return fetch_err_nomem(err);
	if (!o->url || !*o->url) {
		fetch_errf(err, FETCH_E_ARG, "no Pyroscope URL: set %s",
		           fetch_setting_name(&o->names, o->url_setting));
		goto fail;
	}
	if (copy_settings(c, o, err) != 0 || setup_url(c, o->url, err) != 0 ||
	    check_tls_files(o, err) != 0 || global_init(err) != 0)
		goto fail;
	if (!(c->h = curl_easy_init())) {
		fetch_errf(err, FETCH_E_NET, "cannot initialize libcurl");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	pyro_client_free(c);
	return -1;
}

void pyro_client_free(pyro_client *c)
{
	if (!c)
		return;
	if (c->h)
		curl_easy_cleanup(c->h);
	free(c->base);
	free(c->tenant);
	free(c->username);
	free_secret(c->password);
	free_secret(c->auth_header);
	free(c->ca_file);
	free(c->client_cert);
	free(c->client_key);
	free(c->user_agent);
	free(c);
}

const char *pyro_client_server(const pyro_client *c)
{
	return c->base;
}

unsigned pyro_client_requests(const pyro_client *c)
{
	return c->requests;
}
