#include "source_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch_sources.h"
#include "msg.h"
#include "settings_fetch.h"

/* "fetched, captured 2024-05-01T10:12:03Z": when the data is from. */
static void describe(const fetch_result *r, struct profile_choice *out)
{
	time_t t = (time_t)r->meta.window_start;
	char when[32];
	struct tm tm;

	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	if (asprintf(&out->detail, "%s, captured %s", fetch_source_name(r->source), when) < 0)
		out->detail = NULL;
}

int source_url(const struct config *c, const struct profile_request *req,
               struct profile_choice *out)
{
	const char *url = c->pprof_url;
	fetch_result r;
	fetch_opts o;
	fetch_err e;

	(void)req; /* the URL is one service's own: every main package gets it */
	if (!*url)
		return 0;
	fetch_opts_defaults(&o);
	settings_fetch_opts(c, &o);
	o.skip_down = 1; /* as source_pyroscope.c */
	if (fetch_from_url(&o, url, &r, &e) != 0)
		return (out->why = strdup(e.msg)) ? 0 : -1;
	out->path = strdup(r.path);
	out->validated = 1;
	describe(&r, out);
	fetch_result_clear(&r);
	return out->path ? 0 : -1;
}
