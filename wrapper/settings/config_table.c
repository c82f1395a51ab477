/* config_table.c — the one description of every setting (config.h). The
 * README's settings list is `pgo-go config --list`, and a test keeps the two
 * equal. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "window.h"

#define MS(s)    ((int64_t)(s)*1000)
#define FIELD(f) offsetof(struct config, f)

static const char *const verify_modes[] = {"off", "warn", "strict", NULL};

static const struct cfg_def defs[CFG_COUNT] = {
    [CFG_URL] = {"url", "PROFILECLI_URL", "--url", VALUE_URL, "http://localhost:4040", NULL, 0, 0,
                 FIELD(url), 0,
                 "Pyroscope's base URL, with a path prefix if it has one (a Grafana "
                 "data-source proxy); empty: no Pyroscope"},
    [CFG_PPROF_URL] = {"pprof_url", NULL, "--pprof-url", VALUE_URL, "", NULL, 0, 0,
                       FIELD(pprof_url), 0,
                       "a running service's `/debug/pprof/profile?seconds=N`, used instead of "
                       "Pyroscope"},
    [CFG_TENANT_ID] = {"tenant_id", "PROFILECLI_TENANT_ID", NULL, VALUE_STRING, "", NULL, 0, 0,
                       FIELD(tenant_id), CFG_FILE_FORM,
                       "the tenant (X-Scope-OrgID) of a multi-tenant server"},
    [CFG_USERNAME] = {"username", "PROFILECLI_USERNAME", NULL, VALUE_STRING, "", NULL, 0, 0,
                      FIELD(username), CFG_FILE_FORM, "basic auth user name"},
    [CFG_PASSWORD] = {"password", "PROFILECLI_PASSWORD", NULL, VALUE_SECRET, "", NULL, 0, 0,
                      FIELD(password), CFG_SECRET | CFG_FILE_FORM, "basic auth password"},
    [CFG_TOKEN] = {"token", "PROFILECLI_TOKEN", NULL, VALUE_SECRET, "", NULL, 0, 0, FIELD(token),
                   CFG_SECRET | CFG_FILE_FORM, "bearer token (wins over basic auth)"},
    [CFG_SERVICE] = {"service", NULL, "--service", VALUE_STRING, "", NULL, 0, 0, FIELD(service), 0,
                     "the service (label service_name) of every main package built"},
    [CFG_QUERY] = {"query", NULL, "--query", VALUE_STRING, "", NULL, 0, 0, FIELD(query), 0,
                   "a whole label selector instead of the service: "
                   "`{service_name=\"x\",region=\"eu\"}`"},
    [CFG_PROFILE] = {"profile", NULL, NULL, VALUE_PATH, "", NULL, 0, 0, FIELD(profile), 0,
                     "use this local profile for every service; no network"},
    [CFG_PROFILE_DIR] = {"profile_dir", NULL, NULL, VALUE_PATH, "", NULL, 0, 0, FIELD(profile_dir),
                         0, "a directory of profiles named `<service>.pgo`"},
    [CFG_WINDOW] = {"window", NULL, "--window", VALUE_DURATION, "1h", NULL, MS(WINDOW_MIN),
                    MS(WINDOW_MAX), FIELD(window_ms), 0,
                    "how much data a snapshot merges; windows are aligned to multiples of it"},
    [CFG_OFFLINE] = {"offline", NULL, "--offline", VALUE_BOOL, "0", NULL, 0, 0, FIELD(offline), 0,
                     "use the cache only"},
    [CFG_REQUIRE] = {"require", NULL, NULL, VALUE_BOOL, "0", NULL, 0, 0, FIELD(require), 0,
                     "fail the build when no profile can be had"},
    [CFG_VERIFY] = {"verify", NULL, NULL, VALUE_ENUM, "warn", verify_modes, 0, 0, FIELD(verify), 0,
                    "after a build: off, warn (a binary without the profile is a warning) or "
                    "strict (it fails the build)"},
    [CFG_DISABLE] = {"disable", NULL, NULL, VALUE_BOOL, "0", NULL, 0, 0, FIELD(disable), 0,
                     "pure pass-through"},
    [CFG_REAL] = {"real", NULL, NULL, VALUE_PATH, "", NULL, 0, 0, FIELD(real), 0,
                  "the real go (default: the first go on `PATH` that is not pgo-go); commands "
                  "passed through read only `PGO_GO_REAL`"},
    [CFG_CACHE_DIR] = {"cache_dir", NULL, NULL, VALUE_PATH, "", NULL, 0, 0, FIELD(cache_dir), 0,
                       "the profile cache (default `$XDG_CACHE_HOME/pgo-go` or `~/.cache/pgo-go`)"},
    [CFG_VERBOSE] = {"verbose", NULL, NULL, VALUE_BOOL, "0", NULL, 0, 0, FIELD(verbose), 0,
                     "a summary line per binary built, on stderr"},
    [CFG_LOG] = {"log", NULL, NULL, VALUE_PATH, "", NULL, 0, 0, FIELD(log), 0,
                 "append every message, go's runs and the verdicts to this file"},
    [CFG_PROFILE_TYPE] = {"profile_type", NULL, "--profile-type", VALUE_STRING,
                          "process_cpu:cpu:nanoseconds:cpu:nanoseconds", NULL, 0, 0,
                          FIELD(profile_type), 0, "the Pyroscope profile type to fetch"},
    [CFG_KEEP_LOCATIONS] = {"keep_locations", NULL, "--keep-locations", VALUE_COUNT, "5", NULL, 0,
                            1000000, FIELD(keep_locations), 0,
                            "the go-pgo reduction: frames kept per stack, leaf first"},
    [CFG_AGGREGATE_CALLEES] = {"aggregate_callees", NULL, "--aggregate-callees", VALUE_BOOL, "1",
                               NULL, 0, 0, FIELD(aggregate_callees), 0,
                               "the go-pgo reduction: merge the leaf's lines"},
    [CFG_CA_FILE] = {"ca_file", NULL, NULL, VALUE_PATH, "", NULL, 0, 0, FIELD(ca_file), 0,
                     "PEM CA bundle to trust for https (default: the system's)"},
    [CFG_CLIENT_CERT] = {"client_cert", NULL, NULL, VALUE_PATH, "", NULL, 0, 0, FIELD(client_cert),
                         0, "PEM client certificate for mutual TLS"},
    [CFG_CLIENT_KEY] = {"client_key", NULL, NULL, VALUE_PATH, "", NULL, 0, 0, FIELD(client_key), 0,
                        "its key (default: in the certificate file)"},
    [CFG_CONNECT_TIMEOUT] = {"connect_timeout", NULL, NULL, VALUE_DURATION, "3s", NULL, 0,
                             MS(86400), FIELD(connect_timeout_ms), 0, "per connection attempt"},
    [CFG_TIMEOUT] = {"timeout", NULL, NULL, VALUE_DURATION, "30s", NULL, 0, MS(86400),
                     FIELD(timeout_ms), 0, "per request, retries included"},
    [CFG_RETRIES] = {"retries", NULL, NULL, VALUE_COUNT, "3", NULL, 0, 20, FIELD(retries), 0,
                     "attempts after the first, on failures worth another try"},
    [CFG_MAX_RESPONSE_SIZE] = {"max_response_size", NULL, NULL, VALUE_SIZE, "64MB", NULL, 0, 0,
                               FIELD(max_response_size), 0,
                               "the largest answer accepted, decompressed"},
    [CFG_MAX_CACHE_AGE] = {"max_cache_age", NULL, NULL, VALUE_DURATION, "7d", NULL, 0, 0,
                           FIELD(max_cache_age_ms), 0,
                           "how old a cached profile may be and still stand in when the "
                           "server fails (0: never)"},
    [CFG_MIN_FIT] = {"min_fit", NULL, NULL, VALUE_FRACTION, "50%", NULL, 0, 0, FIELD(min_fit), 0,
                     "a binary whose own code keeps less of the profile than this is stale: a "
                     "warning, or a failure under verify = strict (0: no check)"},
    [CFG_SERVER_BACKOFF] = {"server_backoff", NULL, NULL, VALUE_DURATION, "1m", NULL, 0, MS(86400),
                            FIELD(server_backoff_ms), 0,
                            "after the server fails (unreachable, timed out, TLS refused, "
                            "429/502/503/504), builds leave it alone this long and use their "
                            "fallbacks; `pgo-go fetch` still asks (0: every build asks)"},
    [CFG_HOLD] = {"hold", NULL, "--hold", VALUE_DURATION, "24h", NULL, 0, MS(7 * 86400),
                  FIELD(hold_ms), 0,
                  "keep the profile while newer snapshots would change no more than "
                  "`hold_tolerance` of the compiler's decisions, for at most this long (the "
                  "choice restarts at multiples of it since the epoch); 0: always the newest"},
    [CFG_HOLD_TOLERANCE] = {"hold_tolerance", NULL, NULL, VALUE_FRACTION, "5%", NULL, 0, 0,
                            FIELD(hold_tolerance), 0,
                            "how much of the profile's weight may be decided differently by a "
                            "newer snapshot before it is taken"},
};

const struct cfg_def *config_def(enum cfg_key k)
{
	return &defs[k];
}

int config_find_key(const char *name)
{
	for (int k = 0; k < CFG_COUNT; k++)
		if (!strcasecmp(defs[k].key, name))
			return k;
	return -1;
}
