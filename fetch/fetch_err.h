/* fetch_err.h — how the fetch library reports a failure.
 *
 * Every fallible fetch_* / pprof_* function returns 0 on success and -1 on
 * failure, and fills the caller's fetch_err: a code to branch on and one line
 * of text for the user that says what was wrong and what to do about it.
 * The struct lives wherever the caller likes (usually the stack); it owns no
 * memory. A NULL fetch_err is allowed and simply receives nothing.
 */
#ifndef PGO_GO_FETCH_ERR_H
#define PGO_GO_FETCH_ERR_H

#include <stdarg.h>
#include <stdio.h>

typedef enum fetch_code {
	FETCH_OK = 0,
	FETCH_E_NOMEM,   /* out of memory */
	FETCH_E_IO,      /* reading or writing a file failed */
	FETCH_E_FORMAT,  /* not a pprof profile: neither gzip nor protobuf */
	FETCH_E_GZIP,    /* gzip stream corrupt or truncated */
	FETCH_E_TOOBIG,  /* over the configured size limit (a gzip bomb?) */
	FETCH_E_PARSE,   /* protobuf well formed, but not a valid profile */
	FETCH_E_INVALID, /* a valid profile that PGO cannot use (msg: reason) */
	FETCH_E_MERGE,   /* profiles that cannot be merged (different units) */
	FETCH_E_ARG,     /* a caller passed a bad argument */
	FETCH_E_NET,     /* no usable answer: broken, cut short, too big, not protobuf */
	FETCH_E_DOWN,    /* the server's failure, not the query's: unreachable, timed
	                  * out, TLS refused, 429/502/503/504 after the retries, or
	                  * one of these remembered (the caller's fallbacks apply) */
	FETCH_E_REFUSED, /* the server refused: 4xx (auth, tenant, query) */
	FETCH_E_NODATA,  /* the server has no samples for the query */
	FETCH_E_OFFLINE, /* offline and nothing cached */
} fetch_code;

typedef struct fetch_err {
	fetch_code code;
	char msg[512]; /* one line, no trailing newline, no "pgo-go: " prefix */
} fetch_err;

/* Fills err (if not NULL) and returns -1, so callers can `return fetch_errf(…)`. */
static inline int fetch_errf(fetch_err *err, fetch_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline int fetch_errf(fetch_err *err, fetch_code code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static inline int fetch_err_nomem(fetch_err *err)
{
	return fetch_errf(err, FETCH_E_NOMEM, "out of memory");
}

/* The settings a message may tell the user to check. The library does not
 * know how the program spells them (an environment variable, a flag, a
 * config key): it asks the program's namer, or uses the plain key ("url"). */
typedef enum fetch_setting {
	FETCH_SET_URL,
	FETCH_SET_PPROF_URL,
	FETCH_SET_TENANT_ID,
	FETCH_SET_USERNAME,
	FETCH_SET_PASSWORD,
	FETCH_SET_TOKEN,
	FETCH_SET_SERVICE,
	FETCH_SET_QUERY,
	FETCH_SET_OFFLINE,
	FETCH_SET_CACHE_DIR,
	FETCH_SET_TIMEOUT,
	FETCH_SET_MAX_RESPONSE_SIZE,
	FETCH_SET_CA_FILE,
	FETCH_SET_CLIENT_CERT,
	FETCH_SET_CLIENT_KEY,
	FETCH_SET_PROFILE_TYPE,
	FETCH_SET_SERVER_BACKOFF,
	FETCH_SET_WINDOW,
	FETCH_SET_HOLD,
	FETCH_SET_COUNT
} fetch_setting;

typedef struct fetch_namer {
	/* The name to show for s; must not return NULL. */
	const char *(*name)(void *ctx, fetch_setting s);
	void *ctx;
} fetch_namer;

/* n's name for s (n or its function may be NULL: the plain key). */
const char *fetch_setting_name(const fetch_namer *n, fetch_setting s);

#endif
