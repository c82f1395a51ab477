/* pgo-go: profile-guided optimization of Go builds, automatically.
 *
 * main dispatches on the subcommand; each lives in its own cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cmd_cache.h"
#include "cmd_config.h"
#include "cmd_fetch.h"
#include "cmd_install_shim.h"
#include "cmd_verify.h"
#include "cmd_version.h"
#include "config.h"
#include "msg.h"
#include "pgo_version.h"
#include "shim.h"

static const char usage_text[] =
    "pgo-go: profile-guided optimization for Go builds, automatically\n"
    "\n"
    "usage:\n"
    "  pgo-go version [-m] [-v] [-json] FILE|DIR...\n"
    "                       what `go version` prints, for files and directories\n"
    "  pgo-go verify [-json] [--profile FILE] [--path PATTERN] BINARY|DIR|ARCHIVE...\n"
    "                       exit 0 only if every binary was built with -pgo\n"
    "                       (naming FILE, when given); --path selects archive members\n"
    "  pgo-go go ARGS...    what the shim does for `go ARGS...`\n"
    "  pgo-go fetch [--url URL] [--service NAME | --query SELECTOR...] [--window DUR]\n"
    "               [--profile-type TYPE] [--keep-locations N] [--[no-]aggregate-callees]\n"
    "               [--offline] [--force] [-o FILE|-]\n"
    "  pgo-go fetch --pprof-url URL | --from FILE|DIR... [options] [-o FILE|-]\n"
    "                       fetch the service's profile as the shim would; write\n"
    "                       it to FILE (default ./default.pgo; - for stdout)\n"
    "  pgo-go cache list|clean [--older-than DUR]|path\n"
    "                       the profile cache\n"
    "  pgo-go config [--list]\n"
    "                       every setting, its value and where it came from;\n"
    "                       --list: what every setting is\n"
    "  pgo-go install-shim DIR\n"
    "                       create DIR/go -> pgo-go and print the PATH line\n"
    "  pgo-go --version     print pgo-go's version\n"
    "  pgo-go --help        print this help\n";

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
    {"version", cmd_version},           {"verify", cmd_verify}, {"config", cmd_config},
    {"install-shim", cmd_install_shim}, {"fetch", cmd_fetch},   {"cache", cmd_cache},
};

static int invoked_as_go(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	const char *base = slash ? slash + 1 : argv0;
	return !strcmp(base, "go") || !strcmp(base, "go.exe");
}

int main(int argc, char **argv)
{
	if (argc > 0 && invoked_as_go(argv[0]))
		return shim_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "go")) {
		return shim_main(argc - 1, argv + 1);
	}
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("pgo-go %s\n", PGO_GO_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	pgo_errorf("unknown command '%s'; run 'pgo-go --help' for the list", argv[1]);
	return 2;
}
