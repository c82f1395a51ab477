/* Unit tests of the settings: the value parsers (values.h) and the typed
 * table (config.h) from each layer: file, environment, flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "values.h"

extern char **environ;

static void test_durations(void **state)
{
	static const struct {
		const char *text;
		int64_t ms;
	} ok[] = {{"1h", 3600000},    {"30m", 1800000},  {"90s", 90000},   {"24h", 86400000},
	          {"1h30m", 5400000}, {"7d", 604800000}, {"0s", 0},        {"1m", 60000},
	          {"500ms", 500},     {"3", 3000},       {"1m30s", 90000}, {"2s500ms", 2500}};
	static const char *const bad[] = {"",    "h",   "1x", "-1h", "1.5h",
	                                  "1h ", " 1h", "ms", "1 h", "99999999999999999999h",
	                                  "1h3"};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		assert_int_equal(value_duration(ok[i].text, &v), 0);
		assert_int_equal(v, ok[i].ms);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(value_duration(bad[i], &v), -1);
}

static void test_other_values(void **state)
{
	static const char *const choices[] = {"off", "warn", "strict", NULL};
	const char *why;
	unsigned long n;
	size_t size;
	double f;
	int b;

	(void)state;
	assert_int_equal(value_bool("YES", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(value_bool("off", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(value_bool("ye", &b), -1);
	assert_int_equal(value_bool("", &b), -1);
	assert_int_equal(value_size("64MB", &size), 0);
	assert_int_equal(size, (size_t)64 << 20);
	assert_int_equal(value_size("512k", &size), 0);
	assert_int_equal(size, 512 << 10);
	assert_int_equal(value_size("0", &size), -1);
	assert_int_equal(value_size("-1", &size), -1);
	assert_int_equal(value_size("1T", &size), -1);
	assert_int_equal(value_count("20", 20, &n), 0);
	assert_int_equal(value_count("21", 20, &n), -1);
	assert_int_equal(value_count("+1", 20, &n), -1);
	assert_int_equal(value_fraction("0.8", &f), 0);
	assert_true(f > 0.79 && f < 0.81);
	assert_int_equal(value_fraction("80%", &f), 0);
	assert_true(f > 0.79 && f < 0.81);
	assert_int_equal(value_fraction("1.5", &f), -1);
	assert_int_equal(value_fraction("nan", &f), -1);
	assert_int_equal(value_url("https://pyro.example:4040/prefix", &why), 0);
	assert_int_equal(value_url("127.0.0.1:4040", &why), -1);
	assert_string_equal(why, "it must start with http:// or https://");
	assert_int_equal(value_url("http://", &why), -1);
	assert_int_equal(value_url("http://a b", &why), -1);
	assert_int_equal(value_enum("Strict", choices), 2);
	assert_int_equal(value_enum("strcit", choices), -1);
}

/* ---- the table, layer by layer -------------------------------------------------- */

static char tmpdir[] = "/tmp/test_settings.XXXXXX";

/* Every PGO_GO_ and PROFILECLI_ variable out of the environment, and one
 * config file that PGO_GO_CONFIG names, holding text. */
static void clean_env(const char *text)
{
	char path[256];
	FILE *f;

	for (int again = 1; again;) {
		again = 0;
		for (char **e = environ; *e; e++)
			if (!strncmp(*e, "PGO_GO_", 7) || !strncmp(*e, "PROFILECLI_", 11)) {
				char name[128];
				snprintf(name, sizeof name, "%.*s", (int)strcspn(*e, "="), *e);
				unsetenv(name);
				again = 1;
				break;
			}
	}
	snprintf(path, sizeof path, "%s/config.ini", tmpdir);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	setenv("PGO_GO_CONFIG", path, 1);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_defaults_typed(void **state)
{
	struct config c;
	pgo_err err;

	(void)state;
	clean_env("");
	assert_int_equal(config_load(&c, NULL, 0, &err), 0);
	assert_string_equal(c.url, "http://localhost:4040");
	assert_int_equal(c.v[CFG_URL].layer, CFG_FROM_DEFAULT);
	assert_int_equal(c.window_ms, 3600000);
	assert_int_equal(c.verify, VERIFY_MODE_WARN);
	assert_int_equal(c.retries, 3);
	assert_int_equal(c.max_response_size, (size_t)64 << 20);
	assert_int_equal(c.max_cache_age_ms, (int64_t)7 * 86400 * 1000);
	assert_int_equal(c.keep_locations, 5);
	assert_int_equal(c.aggregate_callees, 1);
	assert_string_equal(c.service, "");
	config_free(&c);
}

/* A bad value of each kind, in a file: one line naming the file, the line,
 * the key and the forms accepted. */
static void test_bad_values_in_files(void **state)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
	    {"verify = strcit", "config.ini:1: verify = 'strcit': not one of off, warn, strict"},
	    {"require = ye", "config.ini:1: require = 'ye': not a boolean (1, true, yes, on or 0, "
	                     "false, no, off)"},
	    {"window = 25h", "config.ini:1: window = '25h': out of range: it must be between 1m "
	                     "and 24h"},
	    {"timeout = soon", "config.ini:1: timeout = 'soon': not a duration (500ms, 30s, 5m, "
	                       "1h30m, 7d, or a number of seconds)"},
	    {"max_response_size = lots", "config.ini:1: max_response_size = 'lots': not a size"},
	    {"retries = 99", "config.ini:1: retries = '99': not a number from 0 to 20"},
	    {"url = 127.0.0.1:4040", "config.ini:1: url = '127.0.0.1:4040': not a URL: it must "
	                             "start with http:// or https://"},
	    {"url = http://bob:s3cret@host", NULL}, /* fine: a URL with credentials */
	    {"pprof_url = ftp://bob:s3cret@host/x", "pprof_url = 'ftp://REDACTED@host/x'"},
	};
	struct config c;
	pgo_err err;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		clean_env(cases[i].line);
		if (!cases[i].want) {
			assert_int_equal(config_load(&c, NULL, 0, &err), 0);
			config_free(&c);
			continue;
		}
		assert_int_equal(config_load(&c, NULL, 0, &err), -1);
		assert_int_equal(err.code, PGO_E_CONFIG);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("%s: got '%s', want '%s'", cases[i].line, err.msg, cases[i].want);
		assert_null(strstr(err.msg, "s3cret"));
		assert_null(strchr(err.msg, '\n'));
	}
}

/* The same from the environment names the variable; from a flag, the flag,
 * as a usage error; the setting keeps its earlier value. */
static void test_bad_values_env_and_flag(void **state)
{
	struct config c;
	pgo_err err;

	(void)state;
	clean_env("");
	setenv("PGO_GO_VERIFY", "stict", 1);
	assert_int_equal(config_load(&c, NULL, 0, &err), -1);
	assert_string_equal(err.msg, "PGO_GO_VERIFY='stict': not one of off, warn, strict");
	unsetenv("PGO_GO_VERIFY");
	setenv("PGO_GO_MIN_KEEP", "x", 1); /* not a setting: ignored */
	setenv("PGO_GO_KEEP_LOCATIONS", "-3", 1);
	assert_int_equal(config_load(&c, NULL, 0, &err), -1);
	assert_string_equal(err.msg, "PGO_GO_KEEP_LOCATIONS='-3': not a number from 0 to 1000000");
	unsetenv("PGO_GO_KEEP_LOCATIONS");
	assert_int_equal(config_load(&c, NULL, 0, &err), 0);
	assert_int_equal(config_set(&c, CFG_WINDOW, "2d", CFG_FROM_FLAG, "--window", &err), -1);
	assert_int_equal(err.code, PGO_E_USAGE);
	assert_string_equal(err.msg, "--window '2d': out of range: it must be between 1m and 24h");
	assert_int_equal(c.window_ms, 3600000);
	assert_int_equal(config_set(&c, CFG_WINDOW, "30m", CFG_FROM_FLAG, "--window", &err), 0);
	assert_int_equal(c.window_ms, 1800000);
	assert_string_equal(c.v[CFG_WINDOW].origin, "--window");
	config_free(&c);
}

/* Empty means unset for a typed setting, empty for a string one; the
 * environment beats a file; a profilecli variable stands in. */
static void test_layers(void **state)
{
	struct config c;
	pgo_err err;

	(void)state;
	clean_env("[pgo-go]\nwindow = 2h\nservice = from-file\nrequire = yes\n");
	setenv("PGO_GO_WINDOW", "", 1);
	setenv("PGO_GO_SERVICE", "", 1);
	setenv("PROFILECLI_URL", "https://pcli.example", 1);
	setenv("PGO_GO_REQUIRE", "0", 1);
	assert_int_equal(config_load(&c, NULL, 0, &err), 0);
	assert_int_equal(c.window_ms, 7200000);
	assert_int_equal(c.v[CFG_WINDOW].layer, CFG_FROM_FILE);
	assert_string_equal(c.service, "");
	assert_string_equal(c.url, "https://pcli.example");
	assert_string_equal(c.v[CFG_URL].origin, "environment (PROFILECLI_URL)");
	assert_int_equal(c.require, 0);
	config_free(&c);
}

/* Keys whose name ends in _file (ca_file) work in files; the KEY_file form
 * of a secret reads the file; '#' after white space starts a comment;
 * "-" maps a package to no profile. */
static void test_file_forms_and_comments(void **state)
{
	char text[512], secret[300];
	struct config c;
	pgo_err err;
	FILE *f;

	(void)state;
	snprintf(secret, sizeof secret, "%s/token", tmpdir);
	assert_non_null(f = fopen(secret, "w"));
	fputs("tok-123\n", f);
	fclose(f);
	chmod(secret, 0600);
	snprintf(text, sizeof text,
	         "[pgo-go]\nca_file = /etc/ssl/ca.pem\ntoken_file = %s\n"
	         "require = yes   # never ship without PGO\n"
	         "[services]\n./cmd/a = svc  # the API\n./cmd/tool = -\n",
	         secret);
	clean_env(text);
	assert_int_equal(config_load(&c, NULL, 0, &err), 0);
	assert_string_equal(c.ca_file, "/etc/ssl/ca.pem");
	assert_string_equal(c.token, "tok-123");
	assert_int_equal(c.require, 1);
	assert_string_equal(config_service_for(&c, NULL, "./cmd/a", NULL), "svc");
	assert_string_equal(config_service_for(&c, NULL, "cmd/tool/", NULL), "");
	assert_null(config_service_for(&c, NULL, "./cmd/b", NULL));
	config_free(&c);
	clean_env("ca_file_file = /x\n");
	assert_int_equal(config_load(&c, NULL, 0, &err), -1);
	assert_non_null(strstr(err.msg, "unknown key 'ca_file_file'"));
}

/* The pass-through's view: the environment alone, through the table. */
static void test_env_only(void **state)
{
	(void)state;
	clean_env("disable = 1\n");
	assert_false(config_env_bool(CFG_DISABLE));
	setenv("PGO_GO_DISABLE", "on", 1);
	assert_true(config_env_bool(CFG_DISABLE));
	setenv("PGO_GO_DISABLE", "ye", 1);
	assert_false(config_env_bool(CFG_DISABLE));
	assert_null(config_env(CFG_REAL));
	setenv("PGO_GO_REAL", "/x/go", 1);
	assert_string_equal(config_env(CFG_REAL), "/x/go");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_other_values),
	    cmocka_unit_test(test_defaults_typed),
	    cmocka_unit_test(test_bad_values_in_files),
	    cmocka_unit_test(test_bad_values_env_and_flag),
	    cmocka_unit_test(test_layers),
	    cmocka_unit_test(test_file_forms_and_comments),
	    cmocka_unit_test(test_env_only),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
