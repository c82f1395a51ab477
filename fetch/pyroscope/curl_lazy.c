/* curl_lazy.c — libcurl, loaded only when pgo-go first needs the network.
 *
 * Linking libcurl would make the dynamic loader map and relocate it and its
 * thirty-odd dependencies (TLS, HTTP/2, IDN, LDAP, Kerberos…) on every go
 * command, which costs more than the rest of the pass-through put
 * together. This file defines the few libcurl functions pgo-go calls,
 * loaded with lazy_dl.h's pattern. When libcurl cannot be loaded, the calls
 * fail the way libcurl itself fails (NULL handles, CURLE_FAILED_INIT), and
 * curl_lazy_error says why.
 */
#define CURL_DISABLE_TYPECHECK /* we define the functions the macros wrap */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>

#include "curl_lazy.h"
#include "lazy_dl.h"

#define CURL_SONAME "libcurl.so.4"

/* The functions forwarded as they are: return type, name, parameters,
 * arguments, and what a call returns when libcurl cannot be loaded. The
 * variadic ones (setopt, getinfo) follow by hand. */
#define LAZY_FUNCTIONS(X)                                                                          \
	X(CURLcode, curl_global_init, (long flags), (flags), CURLE_FAILED_INIT)                    \
	X(CURL *, curl_easy_init, (void), (), NULL)                                                \
	X(CURLcode, curl_easy_perform, (CURL * h), (h), CURLE_FAILED_INIT)                         \
	X(struct curl_slist *, curl_slist_append, (struct curl_slist * l, const char *s), (l, s),  \
	  NULL)                                                                                    \
	X(CURLU *, curl_url, (void), (), NULL)                                                     \
	X(CURLUcode, curl_url_get, (CURLU * u, CURLUPart w, char **p, unsigned int f),             \
	  (u, w, p, f), CURLUE_OUT_OF_MEMORY)                                                      \
	X(CURLUcode, curl_url_set, (CURLU * u, CURLUPart w, const char *p, unsigned int f),        \
	  (u, w, p, f), CURLUE_OUT_OF_MEMORY)
/* Those that release something: nothing to release when never loaded. */
#define LAZY_RELEASERS(X)                                                                          \
	X(curl_easy_cleanup, CURL *)                                                               \
	X(curl_easy_reset, CURL *)                                                                 \
	X(curl_free, void *)                                                                       \
	X(curl_slist_free_all, struct curl_slist *)                                                \
	X(curl_url_cleanup, CURLU *)

#define POINTER(ret, name, params, args, fail) ret(*name) params;
#define RELEASER_POINTER(name, type)           void (*name)(type);
static struct {
	LAZY_FUNCTIONS(POINTER)
	LAZY_RELEASERS(RELEASER_POINTER)
	CURLcode (*curl_easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*curl_easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*curl_easy_strerror)(CURLcode);
} fn;

#define SYMBOL(ret, name, params, args, fail) {#name, &fn.name},
#define RELEASER_SYMBOL(name, type)           {#name, &fn.name},
static const struct lazy_sym syms[] = {
    LAZY_FUNCTIONS(SYMBOL)
        LAZY_RELEASERS(RELEASER_SYMBOL){"curl_easy_setopt", &fn.curl_easy_setopt},
    {"curl_easy_getinfo", &fn.curl_easy_getinfo},
    {"curl_easy_strerror", &fn.curl_easy_strerror},
};

static struct lazy_lib lib = {CURL_SONAME, "libcurl4", syms, sizeof syms / sizeof *syms, 0, 0, ""};

static int load(void)
{
	return lazy_load(&lib);
}

const char *curl_lazy_error(void)
{
	load();
	return lib.ok ? NULL : lib.error;
}

#define FORWARD(ret, name, params, args, fail)                                                     \
	ret name params                                                                            \
	{                                                                                          \
		return load() ? fail : fn.name args;                                               \
	}
LAZY_FUNCTIONS(FORWARD)

#define RELEASE(name, type)                                                                        \
	void name(type p)                                                                          \
	{                                                                                          \
		if (p && !load())                                                                  \
			fn.name(p);                                                                \
	}
LAZY_RELEASERS(RELEASE)

const char *curl_easy_strerror(CURLcode code)
{
	return load() ? lib.error : fn.curl_easy_strerror(code);
}

/* An option's number says the type of its argument (curl.h: CURLOPTTYPE_*),
 * which is how a variadic call can be passed on. */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	va_list ap;
	CURLcode rc;

	if (load())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO_* takes one pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	void *out;

	if (load())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	out = va_arg(ap, void *);
	va_end(ap);
	return fn.curl_easy_getinfo(h, info, out);
}
