#include "golist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "child.h"

/* Name, directory, import path, module root and path, one package a line;
 * "!" first for a package go build would refuse to load (its own error or
 * one of its dependencies': load.CheckPackageErrors), which go list without
 * -e would not report for the dependencies; "-" for a package without Go
 * files (only tests, say), which a pattern matches but go build drops. */
static const char list_format[] = "{{if or .Error .DepsErrors}}!{{end}}"
                                  "{{if not (or .GoFiles .CgoFiles)}}-{{end}}"
                                  "{{.Name}}\t{{.Dir}}\t{{.ImportPath}}\t"
                                  "{{with .Module}}{{.Dir}}\t{{.Path}}{{else}}\t{{end}}";

static const char *const selecting_flags[] = {"tags", "mod", "modfile", "overlay"};

/* Copies the user's package-selecting flags into list (as -name=value). */
static int copy_flags(const struct gocmd *cmd, char **argv, char **list, int n)
{
	for (int i = cmd->sub_index + 1; i < cmd->first_arg; i++) {
		const char *a = argv[i];
		const char *name = a + (a[1] == '-' ? 2 : 1);
		for (size_t f = 0; f < sizeof selecting_flags / sizeof *selecting_flags; f++) {
			size_t fl = strlen(selecting_flags[f]);
			if (a[0] != '-' || strncmp(name, selecting_flags[f], fl) != 0)
				continue;
			if (name[fl] == '=') {
				list[n++] = (char *)a;
			} else if (name[fl] == '\0' && i + 1 < cmd->first_arg) {
				list[n++] = (char *)a;
				list[n++] = argv[++i];
			}
		}
	}
	return n;
}

/* 0, 1 for a package that does not load, -1 when out of memory. */
static int parse_line(char *line, struct mainpkg_list *out)
{
	char *f[5] = {0};
	struct mainpkg m = {0};
	size_t rootlen;

	if (line[0] == '!')
		return 1;
	if (line[0] == '-')
		return 0;
	f[0] = line;
	for (int i = 1; i < 5; i++) {
		char *tab = f[i - 1] ? strchr(f[i - 1], '\t') : NULL;
		if (!tab)
			return 0; /* not our format: ignore */
		*tab = '\0';
		f[i] = tab + 1;
	}
	out->npackages++;
	if (strcmp(f[0], "main") != 0)
		return mainpkg_push_other(out, f[2]);
	m.dir = strdup(f[1]);
	m.importpath = strdup(f[2]);
	m.arg = strdup(f[2]);
	m.name = mainpkg_exec_name(f[2]);
	if ((*f[4] && !(m.modpath = strdup(f[4]))) || (*f[3] && !(m.modroot = strdup(f[3]))))
		m.name = NULL; /* reported below as out of memory */
	rootlen = strlen(f[3]);
	if (rootlen && !strcmp(f[1], f[3]))
		m.reldir = strdup(".");
	else if (rootlen && !strncmp(f[1], f[3], rootlen) && f[1][rootlen] == '/' &&
	         asprintf(&m.reldir, ".%s", f[1] + rootlen) < 0)
		m.reldir = NULL;
	if (!m.dir || !m.importpath || !m.arg || !m.name || mainpkg_push(out, &m) != 0) {
		mainpkg_clear(&m);
		return -1;
	}
	return 0;
}

int golist_mains(const char *real_go, const struct gocmd *cmd, char **argv, const char *workdir,
                 struct mainpkg_list *out, pgo_err *err)
{
	int n = 0, status;
	char **list = calloc((size_t)(cmd->first_arg + cmd->nargs) + 10, sizeof *list);
	char *text = NULL, *line, *save = NULL;
	size_t len;

	memset(out, 0, sizeof *out);
	if (!list)
		return pgo_fail(err, PGO_E_NOMEM, "out of memory");
	list[n++] = (char *)real_go;
	list[n++] = "list";
	list[n++] = "-C";
	list[n++] = (char *)workdir;
	list[n++] = "-pgo=off";
	list[n++] = "-e";
	list[n++] = "-f";
	list[n++] = (char *)list_format;
	n = copy_flags(cmd, argv, list, n);
	for (int i = 0; i < cmd->nargs; i++)
		list[n++] = argv[cmd->first_arg + i];
	list[n] = NULL;
	status = child_capture(real_go, list, 1, &text, &len);
	free(list);
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(text);
		return pgo_fail(err, PGO_E_RESOLVE, "go list could not resolve the packages");
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int rc = parse_line(line, out);
		if (rc != 0) {
			free(text);
			mainpkg_list_free(out);
			return rc > 0 ? pgo_fail(err, PGO_E_RESOLVE, "a package does not load")
			              : pgo_fail(err, PGO_E_NOMEM, "out of memory");
		}
	}
	free(text);
	out->listed = 1;
	return 0;
}
