/* `pgo-go config`: every setting, its value and where it came from;
 * `pgo-go config --list`: what every setting is (the README's list). */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "msg.h"
#include "project.h"

/* The value as shown: a secret never, an empty one as "". */
static const char *shown(const struct config *c, enum cfg_key k)
{
	const char *v = c->v[k].text;

	if ((config_def(k)->flags & CFG_SECRET) && *v)
		return "(set, hidden)";
	return v;
}

static int print_values(void)
{
	struct config c;
	pgo_err err;
	int kw = 0, vw = 0;

	if (project_load_config(&c, ".", &err) != 0) {
		pgo_errorf("%s", err.msg);
		return pgo_exit_for(err.code);
	}
	for (int k = 0; k < CFG_COUNT; k++) {
		int n = (int)strlen(shown(&c, k));
		if ((int)strlen(config_def(k)->key) > kw)
			kw = (int)strlen(config_def(k)->key);
		if (n > vw && n <= 48) /* a long URL or query does not push every line */
			vw = n;
	}
	for (int k = 0; k < CFG_COUNT; k++)
		printf("%-*s = %-*s # %s\n", kw, config_def(k)->key, vw, shown(&c, k),
		       c.v[k].origin);
	if (c.project_file)
		printf("# project file: %s\n", c.project_file);
	for (size_t i = 0; i < c.nmap; i++)
		printf("service %s = %s # %s\n", c.map[i].package,
		       *c.map[i].service ? c.map[i].service : "-", c.map[i].origin);
	config_free(&c);
	return PGO_EXIT_OK;
}

/* The table as Markdown: key, environment, flag, kind, default, meaning. */
static int print_list(void)
{
	char env[64];

	puts("| key | environment | flag | value | default | meaning |");
	puts("| --- | --- | --- | --- | --- | --- |");
	for (int k = 0; k < CFG_COUNT; k++) {
		const struct cfg_def *d = config_def(k);
		int file_form = (d->flags & CFG_FILE_FORM) != 0;

		config_env_name(k, env, sizeof env);
		printf("| `%s` | `%s`", d->key, env);
		if (file_form)
			printf(", `%s_FILE`", env);
		if (d->fallback)
			printf(", `%s`", d->fallback);
		printf(d->flag ? " | `%s` | %s" : " |%s | %s", d->flag ? d->flag : "",
		       value_kind_name(d->kind));
		for (int i = 0; d->kind == VALUE_ENUM && d->choices[i]; i++)
			printf("%s `%s`", i ? "," : "", d->choices[i]);
		printf(*d->def ? " | `%s` | %s |\n" : " |%s | %s |\n", d->def, d->help);
	}
	return PGO_EXIT_OK;
}

int cmd_config(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--list"))
		return print_list();
	if (argc > 1) {
		pgo_errorf("usage: pgo-go config [--list]: every setting's value and origin, or "
		           "(--list) what every setting is");
		return PGO_EXIT_USAGE;
	}
	return print_values();
}
