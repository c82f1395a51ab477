/* url_split.h — a URL taken apart by its syntax alone, without libcurl.
 *
 * Where the answer only decides a cache lookup (the snapshot key is the
 * server's base URL, the pprof endpoint as shown), the URL is split here, so
 * a build served from the cache never loads the network library. The full
 * check (libcurl's parser) comes when a client is made, on a miss. The
 * split follows RFC 3986's generic syntax: scheme "://" [userinfo "@"]
 * host[:port] path ["?" query] ["#" fragment], the user information ending
 * at the last "@" before the path.
 *
 * Ownership: every string is the split's own (url_split_clear frees them
 * and wipes the user information).
 */
#ifndef PGO_GO_URL_SPLIT_H
#define PGO_GO_URL_SPLIT_H

typedef struct url_split {
	char *scheme;   /* lowercased */
	char *userinfo; /* "user:password", or NULL */
	char *hostport; /* "host:4040", "[::1]:4040" */
	char *path;     /* "" or "/prefix/…" */
	char *query;    /* without "?", or NULL */
	char *fragment; /* without "#", or NULL */
} url_split;

/* 0, or -1 when the URL has no "://" or memory ran out (*nomem says which). */
int url_split_parse(const char *url, url_split *u, int *nomem);

/* scheme://hostport path (with "?query" when with_query is set, and the
 * user information when with_userinfo is), malloc'd; NULL when out of
 * memory. An empty path is "/", as libcurl writes it. */
char *url_split_join(const url_split *u, int with_userinfo, int with_query);

void url_split_clear(url_split *u);

#endif
