/* `pgo-go config`: every setting, its value and where it came from. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "gomod.h"
#include "msg.h"

int cmd_config(int argc, char **argv)
{
	struct config c;
	struct gomod mod;
	char err[1024];
	int have_mod;

	(void)argv;
	if (argc > 1) {
		pgo_errorf("config takes no arguments; it prints every setting and its origin");
		return 2;
	}
	have_mod = gomod_find(".", &mod) == 0;
	if (config_load(&c, have_mod ? mod.root : NULL, err, sizeof err) != 0) {
		pgo_errorf("%s", err);
		if (have_mod)
			gomod_free(&mod);
		return 1;
	}
	for (int k = 0; k < CFG_COUNT; k++) {
		const char *v = config_get(&c, k);
		if (config_key_secret(k) && *v)
			v = "(set, hidden)";
		printf("%-12s = %-32s # %s\n", config_key_name(k), v, c.v[k].origin);
	}
	if (c.project_file)
		printf("# project file: %s\n", c.project_file);
	for (size_t i = 0; i < c.nmap; i++)
		printf("service %s = %s # %s\n", c.map[i].package, c.map[i].service,
		       c.map[i].origin);
	config_free(&c);
	if (have_mod)
		gomod_free(&mod);
	return 0;
}
