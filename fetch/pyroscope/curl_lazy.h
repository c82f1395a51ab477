/* curl_lazy.h — why libcurl is not available, when it is not.
 *
 * pgo-go loads libcurl on first use (curl_lazy.c says why); the libcurl
 * functions themselves are called as usual, through <curl/curl.h>. */
#ifndef PGO_GO_CURL_LAZY_H
#define PGO_GO_CURL_LAZY_H

/* NULL when libcurl is loaded and complete; otherwise one line saying what
 * is missing. Loads it if that has not been tried yet. */
const char *curl_lazy_error(void);

#endif
