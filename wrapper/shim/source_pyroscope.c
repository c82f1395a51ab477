#include "source_pyroscope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "msg.h"
#include "settings_fetch.h"

/* The last element of a module path, without a major-version suffix: the
 * second name a service is often known by. */
static char *module_name(const char *modpath)
{
	return modpath ? mainpkg_exec_name(modpath) : NULL;
}

/* A guessed name is checked against the service names the server knows. */
static int source_failed(const struct config *c, const fetch_err *e, struct profile_choice *out);

static int discover(const struct config *c, const fetch_opts *o, const struct profile_request *req,
                    char **service, struct profile_choice *out)
{
	char *alt = module_name(req->pkg->modpath);
	fetch_err e;
	int rc;

	rc = fetch_discover_service(o, req->service, alt, service, &e);
	free(alt);
	return rc != 0 ? source_failed(c, &e, out) : 0;
}

static void describe(const fetch_result *r, struct profile_choice *out)
{
	char start[32], end[32], held[80] = "";
	time_t ts = (time_t)r->meta.window_start, te = (time_t)r->meta.window_end;
	struct tm tm;

	strftime(start, sizeof start, "%Y-%m-%dT%H:%MZ", gmtime_r(&ts, &tm));
	strftime(end, sizeof end, "%H:%MZ", gmtime_r(&te, &tm));
	if (r->held)
		snprintf(held, sizeof held, ", held (the newest changes %.1f%% of the decisions)",
		         r->held_change * 100);
	if (asprintf(&out->detail, "%s, window %s–%s%s%s", fetch_source_name(r->source), start, end,
	             r->meta.open_window ? " (still open)" : "", held) < 0)
		out->detail = NULL;
}

/* The built-in server address is only a guess: when nothing listens there,
 * pgo-go was never pointed at a server, which is no failure to warn about
 * (nor to retry on every build). */
static int url_is_default(const struct config *c)
{
	return c->v[CFG_URL].layer == CFG_FROM_DEFAULT;
}

static int source_failed(const struct config *c, const fetch_err *e, struct profile_choice *out)
{
	if (url_is_default(c) && e->code == FETCH_E_DOWN) {
		pgo_notef("no Pyroscope server at the default address: %s", e->msg);
		return 0;
	}
	return (out->why = strdup(e->msg)) ? 0 : -1;
}

int source_pyroscope(const struct config *c, const struct profile_request *req,
                     struct profile_choice *out)
{
	char *found = NULL;
	fetch_result r;
	fetch_opts o;
	fetch_err e;

	if (*c->pprof_url || !*c->url)
		return 0; /* a raw pprof URL replaces the server (source_url.c); no URL, no server
		           */
	fetch_opts_defaults(&o);
	settings_fetch_opts(c, &o);
	if (url_is_default(c) && c->v[CFG_RETRIES].layer == CFG_FROM_DEFAULT)
		o.conn.retries = 0;
	/* A build's packages, and the builds of the next minute, do not ask a
	 * server that has just failed: they go to their fallbacks. */
	o.skip_down = 1;
	if (o.nselectors == 0) {
		if (req->service_guessed && !o.offline) {
			if (discover(c, &o, req, &found, out) != 0)
				return -1;
			if (!found)
				return 0;
		}
		o.service = found ? found : req->service;
	}
	if (fetch_profile(&o, &r, &e) != 0) {
		free(found);
		return source_failed(c, &e, out);
	}
	if (found && strcmp(found, req->service) != 0)
		out->service = found; /* taken over */
	else
		free(found);
	out->path = strdup(r.path);
	out->validated = 1;
	describe(&r, out);
	fetch_result_clear(&r);
	return out->path ? 0 : -1;
}
