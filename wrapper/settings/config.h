/* config.h — every setting of pgo-go, its value, and where it came from.
 *
 * Lowest to highest precedence: defaults, the system file, the user file,
 * the project file (found at the module root: committed, so it may never
 * hold a secret), the environment (PGO_GO_<KEY>, and profilecli's
 * PROFILECLI_<KEY> for the server settings when pgo-go's are unset).
 * PGO_GO_CONFIG names the only file read. A project file also maps main
 * packages to services in its [services] section.
 *
 * config_load fills a struct config that owns all its strings; config_free
 * releases them.
 */
#ifndef PGO_GO_CONFIG_H
#define PGO_GO_CONFIG_H

#include <stddef.h>

enum cfg_key {
	CFG_URL,
	CFG_PPROF_URL,
	CFG_TENANT_ID,
	CFG_USERNAME,
	CFG_PASSWORD,
	CFG_TOKEN,
	CFG_SERVICE,
	CFG_QUERY,
	CFG_PROFILE,
	CFG_PROFILE_DIR,
	CFG_WINDOW,
	CFG_OFFLINE,
	CFG_REQUIRE,
	CFG_VERIFY,
	CFG_DISABLE,
	CFG_REAL,
	CFG_CACHE_DIR,
	CFG_VERBOSE,
	CFG_LOG,
	CFG_PROFILE_TYPE,
	CFG_KEEP_LOCATIONS,
	CFG_AGGREGATE_CALLEES,
	CFG_CA_FILE,
	CFG_CLIENT_CERT,
	CFG_CLIENT_KEY,
	CFG_CONNECT_TIMEOUT,
	CFG_TIMEOUT,
	CFG_RETRIES,
	CFG_MAX_RESPONSE_SIZE,
	CFG_MAX_CACHE_AGE,
	CFG_COUNT
};

struct cfg_value {
	char *value;  /* never NULL once loaded ("" when unset) */
	char *origin; /* "default", "environment (PGO_GO_URL)", "/path/file:12" */
};

struct cfg_service_map {
	char *package; /* as written: "./cmd/x" (relative to the module root) or an import path */
	char *service;
	char *origin;
};

struct config {
	struct cfg_value v[CFG_COUNT];
	struct cfg_service_map *map;
	size_t nmap;
	char *project_file; /* the project file read, or NULL */
};

/* Loads the configuration. module_root (may be NULL) is where the project
 * file is looked for. On error, err holds one line naming the file, the line
 * and what is wrong; returns -1. */
int config_load(struct config *c, const char *module_root, char *err, size_t errsz);

void config_free(struct config *c);

const char *config_get(const struct config *c, enum cfg_key k);
/* A boolean setting: "1", "true", "yes", "on" (any case) are true. */
int config_bool(const struct config *c, enum cfg_key k);

/* The service mapped to a main package, by its directory relative to the
 * module root ("./cmd/x", "." for the root) or its import path; or NULL. */
const char *config_service_for(const struct config *c, const char *reldir, const char *importpath);

/* The key's name in files ("url"; PGO_GO_URL in the environment). */
const char *config_key_name(enum cfg_key k);
/* Whether the key holds a secret: never printed, never in a project file. */
int config_key_secret(enum cfg_key k);

/* `pgo-go config`: every key, its value (secrets masked) and its origin. */
int cmd_config(int argc, char **argv);

/* The project file's name at a module root. */
#define CONFIG_PROJECT_FILE ".pgo-go.ini"

#endif
