#include "url_split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_range(const char *s, size_t n, int *nomem)
{
	char *p = strndup(s, n);

	if (!p)
		*nomem = 1;
	return p;
}

int url_split_parse(const char *url, url_split *u, int *nomem)
{
	const char *sep = strstr(url, "://"), *auth, *end, *at = NULL, *q, *h;

	memset(u, 0, sizeof *u);
	*nomem = 0;
	if (!sep || sep == url)
		return -1;
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	u->scheme = dup_range(url, (size_t)(sep - url), nomem);
	for (char *p = u->scheme; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (at)
		u->userinfo = dup_range(auth, (size_t)(at - auth), nomem);
	u->hostport = dup_range(at ? at + 1 : auth, (size_t)(end - (at ? at + 1 : auth)), nomem);
	h = end + strcspn(end, "?#");
	u->path = dup_range(end, (size_t)(h - end), nomem);
	if (*h == '?') {
		q = h + 1 + strcspn(h + 1, "#");
		u->query = dup_range(h + 1, (size_t)(q - h - 1), nomem);
		h = q;
	}
	if (*h == '#')
		u->fragment = dup_range(h + 1, strlen(h + 1), nomem);
	if (*nomem) {
		url_split_clear(u);
		return -1;
	}
	return 0;
}

char *url_split_join(const url_split *u, int with_userinfo, int with_query)
{
	char *s;
	int with_user = with_userinfo && u->userinfo;

	if (asprintf(&s, "%s://%s%s%s%s%s%s", u->scheme, with_user ? u->userinfo : "",
	             with_user ? "@" : "", u->hostport, *u->path ? u->path : "/",
	             with_query && u->query ? "?" : "", with_query && u->query ? u->query : "") < 0)
		return NULL;
	return s;
}

void url_split_clear(url_split *u)
{
	free(u->scheme);
	if (u->userinfo) {
		explicit_bzero(u->userinfo, strlen(u->userinfo));
		free(u->userinfo);
	}
	free(u->hostport);
	free(u->path);
	free(u->query);
	free(u->fragment);
	memset(u, 0, sizeof *u);
}
