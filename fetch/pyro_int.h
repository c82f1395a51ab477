/* pyro_int.h — what the Pyroscope client's files share; not for other users. */
#ifndef PGO_GO_PYRO_INT_H
#define PGO_GO_PYRO_INT_H

#include <stddef.h>

#include "fetch_err.h"
#include "pyro.h"

/* A base URL taken apart. All fields malloc'd (user and password NULL when
 * the URL has none); base is the URL without credentials, query or
 * trailing slash. */
struct pyro_url {
	char *base, *scheme, *host, *user, *password;
};

/* Errors (FETCH_E_ARG) name the URL without its credentials. */
int pyro_url_parse(const char *url, struct pyro_url *u, fetch_err *err);
void pyro_url_clear(struct pyro_url *u);

/* One Connect unary call with retries: the answer's body in *out. */
int pyro_call(pyro_client *c, const char *method, const void *req, size_t reqlen,
	      unsigned char **out, size_t *outlen, fetch_err *err);

#endif
