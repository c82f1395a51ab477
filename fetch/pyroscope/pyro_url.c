/* pyro_url.c — taking the server's base URL apart (libcurl's URL API), so
 * credentials written into it never reach a message or the cache, and the
 * RPC paths append cleanly to a path prefix. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pyro_int.h"
#include "url_split.h"

void pyro_url_redact(const char *url, char *buf, size_t bufsz)
{
	const char *sep = strstr(url, "://");
	const char *auth = sep ? sep + 3 : url;
	const char *end = auth + strcspn(auth, "/?#");
	const char *at = memchr(auth, '@', (size_t)(end - auth));

	if (!at) {
		snprintf(buf, bufsz, "%s", url);
		return;
	}
	/* The last '@' before the path ends the user information. */
	for (const char *p = at; p < end; p++)
		if (*p == '@')
			at = p;
	snprintf(buf, bufsz, "%.*s%s", (int)(auth - url), url, at + 1);
}

static int get_part(CURLU *h, CURLUPart part, char **out, unsigned flags)
{
	char *v = NULL, *copy;
	CURLUcode rc = curl_url_get(h, part, &v, flags);

	*out = NULL;
	if (rc != CURLUE_OK)
		return 0; /* absent */
	copy = strdup(v);
	curl_free(v);
	if (!copy)
		return -1;
	*out = copy;
	return 0;
}

static int bad_url(const char *url, const char *name, const char *why, fetch_err *err)
{
	char shown[300];

	pyro_url_redact(url, shown, sizeof shown);
	return fetch_errf(err, FETCH_E_ARG, "bad Pyroscope URL '%s': %s (%s)", shown, why, name);
}

/* Fills scheme, host, user, password; checks what a base URL may hold. */
static int take_parts(CURLU *h, const char *url, const char *name, struct pyro_url *u,
                      fetch_err *err)
{
	char *query = NULL, *fragment = NULL;
	int rc = 0;

	if (get_part(h, CURLUPART_SCHEME, &u->scheme, 0) ||
	    get_part(h, CURLUPART_HOST, &u->host, 0) ||
	    get_part(h, CURLUPART_USER, &u->user, CURLU_URLDECODE) ||
	    get_part(h, CURLUPART_PASSWORD, &u->password, CURLU_URLDECODE) ||
	    get_part(h, CURLUPART_QUERY, &query, 0) ||
	    get_part(h, CURLUPART_FRAGMENT, &fragment, 0))
		rc = fetch_err_nomem(err);
	else if (!u->scheme || (strcasecmp(u->scheme, "http") && strcasecmp(u->scheme, "https")))
		rc = bad_url(url, name, "only http:// and https:// are supported", err);
	else if (!u->host || !*u->host)
		rc = bad_url(url, name, "no host", err);
	else if (query || fragment)
		rc = bad_url(url, name, "a base URL takes no query (?…) or fragment (#…)", err);
	free(query);
	free(fragment);
	return rc;
}

/* The URL without credentials and without trailing slashes. */
static int take_base(CURLU *h, struct pyro_url *u, fetch_err *err)
{
	size_t n;

	curl_url_set(h, CURLUPART_USER, NULL, 0);
	curl_url_set(h, CURLUPART_PASSWORD, NULL, 0);
	if (get_part(h, CURLUPART_URL, &u->base, 0) != 0 || !u->base)
		return fetch_err_nomem(err);
	n = strlen(u->base);
	while (n > 0 && u->base[n - 1] == '/')
		u->base[--n] = '\0';
	return 0;
}

int pyro_url_parse(const char *url, const char *name, struct pyro_url *u, fetch_err *err)
{
	CURLU *h = curl_url();
	int rc = -1;

	memset(u, 0, sizeof *u);
	if (!h)
		return fetch_err_nomem(err);
	if (!strstr(url, "://"))
		bad_url(url, name, "no scheme (start it with http:// or https://)", err);
	else if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK)
		bad_url(url, name, "not a valid URL", err);
	else if (take_parts(h, url, name, u, err) == 0 && take_base(h, u, err) == 0)
		rc = 0;
	curl_url_cleanup(h);
	if (rc != 0)
		pyro_url_clear(u);
	return rc;
}

void pyro_url_clear(struct pyro_url *u)
{
	free(u->base);
	free(u->scheme);
	free(u->host);
	free(u->user);
	if (u->password) {
		explicit_bzero(u->password, strlen(u->password));
		free(u->password);
	}
	memset(u, 0, sizeof *u);
}

/* The cache key's base URL is split without libcurl (url_split.h): a
 * build served from the cache must not load the network library. It agrees
 * with what pyro_url_parse makes of the same URL: libcurl writes the scheme
 * in lower case and an empty path as "/", and the trailing slashes go. */
int pyro_base_url(const char *url, const char *name, char **base, fetch_err *err)
{
	url_split u;
	int nomem, rc = -1;
	size_t n;

	*base = NULL;
	if (!url || !*url)
		return fetch_errf(err, FETCH_E_ARG, "no URL: set %s", name);
	if (url_split_parse(url, &u, &nomem) != 0)
		return nomem ? fetch_err_nomem(err)
		             : bad_url(url, name, "no scheme (start it with http:// or https://)",
		                       err);
	if (strcmp(u.scheme, "http") != 0 && strcmp(u.scheme, "https") != 0)
		bad_url(url, name, "only http:// and https:// are supported", err);
	else if (!*u.hostport || u.hostport[0] == ':')
		bad_url(url, name, "no host", err);
	else if (u.query || u.fragment)
		bad_url(url, name, "a base URL takes no query (?…) or fragment (#…)", err);
	else if (!(*base = url_split_join(&u, 0, 0)))
		fetch_err_nomem(err);
	else
		rc = 0;
	url_split_clear(&u);
	if (rc == 0 && (n = strlen(*base)) > 0)
		while (n > 0 && (*base)[n - 1] == '/')
			(*base)[--n] = '\0';
	return rc;
}
