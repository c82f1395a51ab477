/* gocmd.h — understanding a `go build` / `go install` command line.
 *
 * The shim must know, without running anything, whether a command is one it
 * intercepts, which flags the user chose (-o, -pgo, -n, -trimpath, …) and
 * which arguments name packages. The flag table is the Go release's own, with
 * each flag's arity; a flag not in it makes the parse give up, and the shim
 * then passes the command through untouched rather than guess.
 *
 * A gocmd points into the argv it was parsed from; gocmd_free releases only
 * what the parse allocated.
 */
#ifndef PGO_GO_GOCMD_H
#define PGO_GO_GOCMD_H

#include <stddef.h>

enum gocmd_sub { GOCMD_OTHER, GOCMD_BUILD, GOCMD_INSTALL };

struct gocmd {
	enum gocmd_sub sub;
	int sub_index;         /* argv index of the subcommand, or -1 */
	const char *chdir;     /* -C dir, or NULL */
	int unknown_flag;      /* a flag outside the table: do not intercept */
	int help;              /* -h / -help / `go help …` */
	int dry_run;           /* -n */
	int step_output;       /* -x, -json or -work: go describes the build step by step */
	int pgo_set;           /* -pgo given on the command line or in GOFLAGS */
	const char *pgo;       /* its value (the command line wins) */
	const char *output;    /* -o */
	int trimpath;          /* -trimpath (command line or GOFLAGS) */
	const char *buildmode; /* -buildmode, or NULL for the default */
	const char *overlay;   /* -overlay */
	const char *modfile;   /* -modfile */
	int first_arg;         /* argv index of the first package argument */
	int nargs;             /* how many package arguments follow */
	char **goflags;        /* GOFLAGS split into words (owned), NULL-terminated */
	const char *error;     /* a static description when GOFLAGS cannot be parsed */
};

/* Parses argv (argv[0] is the program). goflags is $GOFLAGS or NULL.
 * Returns 0, or -1 when out of memory. */
int gocmd_parse(struct gocmd *cmd, int argc, char **argv, const char *goflags);

void gocmd_free(struct gocmd *cmd);

/* cmd/internal/quoted.Split: words separated by white space, each either
 * bare or wholly enclosed in single or double quotes. Returns a malloc'd
 * NULL-terminated array (free with gocmd_free_words), or NULL with *error
 * set to a static message (or to NULL when out of memory). */
char **gocmd_split_quoted(const char *s, const char **error);
void gocmd_free_words(char **words);

#endif
