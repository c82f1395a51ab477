/* curl_lazy.c — libcurl, loaded only when pgo-go first needs the network.
 *
 * pgo-go runs as `go` for every go command, and most of them pass straight
 * through to the real go. Linking libcurl would make the dynamic loader map
 * and relocate it and its thirty-odd dependencies (TLS, HTTP/2, IDN, LDAP,
 * Kerberos…) on every one of those runs, which costs more than the rest of
 * the pass-through put together. So the program links no libcurl: this file
 * defines the few libcurl functions pgo-go calls, and each one opens
 * libcurl.so.4 on first use and forwards to it. When libcurl cannot be
 * loaded, the calls fail the way libcurl itself fails (NULL handles,
 * CURLE_FAILED_INIT), and curl_lazy_error says why.
 */
#define CURL_DISABLE_TYPECHECK /* we define the functions the macros wrap */
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>

#include "curl_lazy.h"

#define CURL_SONAME "libcurl.so.4"

/* The functions pgo-go uses, resolved together so a partial libcurl is
 * treated as no libcurl. */
static struct {
	int tried, ok;
	char error[256];
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	void (*free_)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
} lib;

static int resolve(void *h, const char *name, void *slot)
{
	void *f = dlsym(h, name);

	if (!f) {
		snprintf(lib.error, sizeof lib.error, "%s lacks %s", CURL_SONAME, name);
		return -1;
	}
	/* POSIX guarantees a function pointer survives the trip through void *. */
	*(void **)slot = f;
	return 0;
}

static int load(void)
{
	void *h;

	if (lib.tried)
		return lib.ok ? 0 : -1;
	lib.tried = 1;
	if (!(h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL))) {
		snprintf(lib.error, sizeof lib.error, "cannot load %s (install libcurl4): %s",
			 CURL_SONAME, dlerror());
		return -1;
	}
	if (resolve(h, "curl_global_init", &lib.global_init) || resolve(h, "curl_easy_init", &lib.easy_init) ||
	    resolve(h, "curl_easy_setopt", &lib.easy_setopt) ||
	    resolve(h, "curl_easy_perform", &lib.easy_perform) ||
	    resolve(h, "curl_easy_getinfo", &lib.easy_getinfo) ||
	    resolve(h, "curl_easy_cleanup", &lib.easy_cleanup) ||
	    resolve(h, "curl_easy_reset", &lib.easy_reset) ||
	    resolve(h, "curl_easy_strerror", &lib.easy_strerror) || resolve(h, "curl_free", &lib.free_) ||
	    resolve(h, "curl_slist_append", &lib.slist_append) ||
	    resolve(h, "curl_slist_free_all", &lib.slist_free_all) || resolve(h, "curl_url", &lib.url) ||
	    resolve(h, "curl_url_cleanup", &lib.url_cleanup) ||
	    resolve(h, "curl_url_get", &lib.url_get) || resolve(h, "curl_url_set", &lib.url_set)) {
		dlclose(h);
		return -1;
	}
	lib.ok = 1;
	return 0;
}

const char *curl_lazy_error(void)
{
	load();
	return lib.ok ? NULL : lib.error;
}

CURLcode curl_global_init(long flags)
{
	return load() ? CURLE_FAILED_INIT : lib.global_init(flags);
}

CURL *curl_easy_init(void)
{
	return load() ? NULL : lib.easy_init();
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
		rc = lib.easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = lib.easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = lib.easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = lib.easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = lib.easy_setopt(h, opt, va_arg(ap, void *));
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
	return lib.easy_getinfo(h, info, out);
}

CURLcode curl_easy_perform(CURL *h)
{
	return load() ? CURLE_FAILED_INIT : lib.easy_perform(h);
}

void curl_easy_cleanup(CURL *h)
{
	if (h && !load())
		lib.easy_cleanup(h);
}

void curl_easy_reset(CURL *h)
{
	if (h && !load())
		lib.easy_reset(h);
}

const char *curl_easy_strerror(CURLcode code)
{
	if (load())
		return lib.error;
	return lib.easy_strerror(code);
}

void curl_free(void *p)
{
	if (p && !load())
		lib.free_(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
	return load() ? NULL : lib.slist_append(list, s);
}

void curl_slist_free_all(struct curl_slist *list)
{
	if (list && !load())
		lib.slist_free_all(list);
}

CURLU *curl_url(void)
{
	return load() ? NULL : lib.url();
}

void curl_url_cleanup(CURLU *u)
{
	if (u && !load())
		lib.url_cleanup(u);
}

CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
	return load() ? CURLUE_OUT_OF_MEMORY : lib.url_get(u, what, part, flags);
}

CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	return load() ? CURLUE_OUT_OF_MEMORY : lib.url_set(u, what, part, flags);
}
