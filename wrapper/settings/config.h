/* config.h — every setting of pgo-go: its value, typed, and where it came from.
 *
 * One table (config_table.c) describes each setting once: its key in config
 * files, its environment variable (PGO_GO_<KEY>, and profilecli's
 * PROFILECLI_<KEY> for the server settings when pgo-go's is unset), the
 * command-line flag that overrides it, its kind of value, its default and
 * its help. Every value is parsed once, where it enters, by its kind's one
 * parser (values.h) into a typed field of struct config; a bad value is an
 * error naming the file and line, the variable or the flag, and the forms
 * accepted.
 *
 * Layers, lowest to highest precedence: defaults, the system file, the user
 * file, the project file (found at the module root: committed, so it may
 * never hold a secret), the environment, then command-line flags
 * (config_set). PGO_GO_CONFIG names the only file read. A project file also
 * maps main packages to services in its [services] section.
 *
 * A struct config owns every string it holds (config_free); the typed string
 * fields point into it. The shim's pass-through reads no file: it asks the
 * environment alone, through the same table (config_env).
 */
#ifndef PGO_GO_CONFIG_H
#define PGO_GO_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "outcome.h"
#include "pgo_rewrite.h"
#include "values.h"

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
	CFG_MIN_FIT,
	CFG_SERVER_BACKOFF,
	CFG_HOLD,
	CFG_HOLD_TOLERANCE,
	CFG_COUNT
};

enum verify_mode { VERIFY_MODE_OFF, VERIFY_MODE_WARN, VERIFY_MODE_STRICT };

/* Where a value came from. */
enum cfg_layer { CFG_FROM_DEFAULT, CFG_FROM_FILE, CFG_FROM_ENV, CFG_FROM_FLAG };

/* A setting's description: one row of the table. */
struct cfg_def {
	const char *key;      /* in files; PGO_GO_<KEY> in the environment */
	const char *fallback; /* profilecli's variable, read when ours is unset */
	const char *flag;     /* `pgo-go fetch`'s flag that overrides it, or NULL */
	enum value_kind kind;
	const char *def;            /* the default, as it would be written */
	const char *const *choices; /* VALUE_ENUM: the accepted words */
	int64_t min, max;           /* VALUE_DURATION (ms), VALUE_COUNT: the bounds */
	size_t offset;              /* the typed field in struct config */
	unsigned flags;             /* CFG_SECRET, CFG_FILE_FORM */
	const char *help;
};

#define CFG_SECRET    0x1 /* never printed, never in a project file */
#define CFG_FILE_FORM 0x2 /* may also be given as <key>_file: a file holding it */

/* A value as it was given, and where from. */
struct cfg_value {
	char *text;   /* as written ("1h", "strict"); "" for an empty default */
	char *origin; /* "default", "environment (PGO_GO_URL)", "/path/file:12", "--url" */
	enum cfg_layer layer;
};

struct cfg_service_map {
	char *package; /* as written: "./cmd/x" (relative to base) or an import path */
	char *base;    /* the directory of the project file it is in, or NULL (another file:
	                * relative to each package's module root) */
	char *service; /* "" when the package is to build without a profile ("-") */
	char *origin;
};

struct config {
	/* Where profiles come from. Strings are "" when unset. */
	const char *url, *pprof_url, *tenant_id, *username, *password, *token;
	const char *service, *query, *profile, *profile_dir, *profile_type;
	int64_t window_ms;
	unsigned keep_locations;
	int aggregate_callees;
	/* What the shim does. */
	int offline, require, disable, verbose;
	enum verify_mode verify;
	const char *real, *cache_dir, *log;
	/* How the server is reached. */
	const char *ca_file, *client_cert, *client_key;
	int64_t connect_timeout_ms, timeout_ms, max_cache_age_ms, server_backoff_ms, hold_ms;
	unsigned retries;
	size_t max_response_size;
	double min_fit, hold_tolerance;

	struct cfg_value v[CFG_COUNT];
	struct cfg_service_map *map;
	size_t nmap;
	/* [rename] OLD = NEW and [noinline] NAME (= any note) of the files
	 * read: every profile is rewritten by them before it is passed
	 * (pgo_rewrite.h). rules points into the two arrays. */
	fetch_pgo_rules rules;
	fetch_pgo_rename *renames;
	char **noinline;
	char *project_file; /* the innermost project file read, or NULL */
	char **mapped;      /* project directories whose [services] are read */
	size_t nmapped;
};

/* The table row of a setting. */
const struct cfg_def *config_def(enum cfg_key k);
/* The setting whose file key is name (without a _file suffix), or -1. */
int config_find_key(const char *name);
/* The environment variable of a setting: "PGO_GO_URL". */
const char *config_env_name(enum cfg_key k, char *buf, size_t bufsz);

/* Loads the configuration. projects (n of them, lowest precedence first: a
 * workspace root, then the module root) are where project files are looked
 * for. Returns 0, or -1 with err (PGO_E_CONFIG, naming the file and line or
 * the variable, and what is wrong). */
int config_load(struct config *c, const char *const *projects, size_t n, pgo_err *err);

/* Adds the [services] of the project file in dir (another module of the
 * workspace), once; its other settings do not apply to this command. */
int config_add_mappings(struct config *c, const char *dir, pgo_err *err);

/* Sets k from a higher layer (a command-line flag: origin "--window"),
 * through the same parser. Returns 0, or -1 with err (PGO_E_USAGE for a
 * flag, else PGO_E_CONFIG). */
int config_set(struct config *c, enum cfg_key k, const char *text, enum cfg_layer layer,
               const char *origin, pgo_err *err);

void config_free(struct config *c);

/* The setting's value from the environment alone (PGO_GO_<KEY>, then the
 * fallback), or NULL: the pass-through's view, which reads no file. */
const char *config_env(enum cfg_key k);
/* The same for a boolean: 1 only for a value the parser takes as true. */
int config_env_bool(enum cfg_key k);

/* The service mapped to a main package: by its directory (absolute, for
 * the entries of project files, relative to the project file), its
 * directory relative to its module root ("./cmd/x", "."; for entries of
 * other files), or its import path. The last entry loaded wins. NULL when
 * none; "" means: build this package without a profile, and say nothing. */
const char *config_service_for(const struct config *c, const char *dir, const char *reldir,
                               const char *importpath);

/* The project file's name at a module root. */
#define CONFIG_PROJECT_FILE ".pgo-go.ini"

#endif
