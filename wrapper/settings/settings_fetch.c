/* fetch_config.c — pgo-go's settings (config.h) as the fetch library's
 * options (fetch.h). */
#include "settings_fetch.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg.h"
#include "window.h"

static void warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	pgo_warnf("%s", msg);
}

static void note_cb(void *ctx, const char *msg)
{
	(void)ctx;
	pgo_notef("%s", msg);
}

/* A setting's value, or NULL when it is empty. */
static const char *nonempty(const struct config *c, enum cfg_key k)
{
	const char *v = config_get(c, k);
	return *v ? v : NULL;
}

int fetch_config_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

/* "3s", "1m", "500ms", or a plain number of seconds. */
static int parse_ms(const char *s, long *ms)
{
	size_t n = strlen(s);
	unsigned long v;
	int64_t secs;
	char digits[32];

	if (n > 2 && n < sizeof digits && !strcmp(s + n - 2, "ms")) {
		memcpy(digits, s, n - 2);
		digits[n - 2] = '\0';
		if (fetch_config_uint(digits, 86400000UL, &v) != 0)
			return -1;
		*ms = (long)v;
		return 0;
	}
	if (fetch_config_uint(s, 86400, &v) == 0) {
		*ms = (long)v * 1000;
		return 0;
	}
	if (window_parse_duration(s, &secs, NULL) != 0 || secs > 86400)
		return -1;
	*ms = (long)secs * 1000;
	return 0;
}

/* "64MB", "512k", "1G", or bytes. */
static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -1;
	if (*end && strchr("kKmMgG", *end))
		shift = *end == 'k' || *end == 'K' ? 10 : *end == 'm' || *end == 'M' ? 20 : 30;
	if (shift)
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > (SIZE_MAX >> shift) || v == 0)
		return -1;
	*out = (size_t)v << shift;
	return 0;
}

static int is_true(const char *v)
{
	return !strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	       !strcasecmp(v, "on");
}

static int bad_setting(char *err, size_t errsz, const char *name, const char *value,
		       const char *want)
{
	snprintf(err, errsz, "setting %s = '%s' is not %s", name, value, want);
	return -1;
}

/* The connection and reduction settings; unset ones keep the defaults. */
static int extra_settings(const struct config *c, fetch_opts *o, char *err, size_t errsz)
{
	const char *v;
	unsigned long n;
	int64_t secs;

	if ((v = nonempty(c, CFG_PROFILE_TYPE)))
		o->profile_type = v;
	if ((v = nonempty(c, CFG_KEEP_LOCATIONS))) {
		if (fetch_config_uint(v, 1000000, &n) != 0)
			return bad_setting(err, errsz, "keep_locations", v, "a number");
		o->reduce.keep_locations = (unsigned)n;
	}
	if ((v = nonempty(c, CFG_AGGREGATE_CALLEES)))
		o->reduce.aggregate_callees = is_true(v);
	o->conn.ca_file = nonempty(c, CFG_CA_FILE);
	o->conn.client_cert = nonempty(c, CFG_CLIENT_CERT);
	o->conn.client_key = nonempty(c, CFG_CLIENT_KEY);
	if ((v = nonempty(c, CFG_CONNECT_TIMEOUT)) && parse_ms(v, &o->conn.connect_timeout_ms))
		return bad_setting(err, errsz, "connect_timeout", v, "a duration (3s, 500ms)");
	if ((v = nonempty(c, CFG_TIMEOUT)) && parse_ms(v, &o->conn.timeout_ms))
		return bad_setting(err, errsz, "timeout", v, "a duration (30s, 1m)");
	if ((v = nonempty(c, CFG_RETRIES))) {
		if (fetch_config_uint(v, 20, &n) != 0)
			return bad_setting(err, errsz, "retries", v, "a number from 0 to 20");
		o->conn.retries = (unsigned)n;
	}
	if ((v = nonempty(c, CFG_MAX_RESPONSE_SIZE)) && parse_size(v, &o->conn.max_response))
		return bad_setting(err, errsz, "max_response_size", v, "a size (64MB)");
	if ((v = nonempty(c, CFG_MAX_CACHE_AGE))) {
		if (window_parse_duration(v, &secs, NULL) != 0)
			return bad_setting(err, errsz, "max_cache_age", v, "a duration (7d, 12h)");
		o->max_age = secs ? secs : -1;
	}
	return 0;
}

/* PGO_GO_TEST_NOW (seconds since the epoch) stands in for the clock the
 * windows are aligned on, so a test suite is not at the mercy of an hour
 * ending while it runs. Not a setting: `pgo-go config` does not show it. */
static void test_clock(fetch_opts *o)
{
	const char *v = getenv("PGO_GO_TEST_NOW");
	char *end;
	long long t;

	if (!v || !*v)
		return;
	t = strtoll(v, &end, 10);
	if (!*end && t > 0)
		o->now = (int64_t)t;
}

int settings_fetch_opts(const struct config *c, fetch_opts *o, char *err, size_t errsz)
{
	fetch_err ferr;

	o->conn.url = config_get(c, CFG_URL);
	o->conn.tenant_id = nonempty(c, CFG_TENANT_ID);
	o->conn.username = nonempty(c, CFG_USERNAME);
	o->conn.password = nonempty(c, CFG_PASSWORD);
	o->conn.token = nonempty(c, CFG_TOKEN);
	o->conn.warn = warn_cb;
	o->conn.note = note_cb;
	o->service = nonempty(c, CFG_SERVICE);
	if (nonempty(c, CFG_QUERY)) {
		/* The value's own slot in c serves as a one-element array. */
		o->selectors = (const char *const *)&c->v[CFG_QUERY].value;
		o->nselectors = 1;
	}
	if (window_parse(config_get(c, CFG_WINDOW), &o->window, &ferr) != 0) {
		snprintf(err, errsz, "%s (%s)", ferr.msg, c->v[CFG_WINDOW].origin);
		return -1;
	}
	o->offline = config_bool(c, CFG_OFFLINE);
	o->cache_dir = nonempty(c, CFG_CACHE_DIR);
	test_clock(o);
	return extra_settings(c, o, err, errsz);
}
