/* Fuzzes the go command-line parsers (wrapper/gocompat/gocmd.c, and goflag.c's Go
 * flag rules with $GOFLAGS as `pgo-go version` uses them). The input is
 * split at NUL bytes: the first piece is GOFLAGS, the rest are the
 * arguments after "go". Whatever it is, the parse points inside argv or the
 * GOFLAGS words, and no word of a GOFLAGS split is longer than GOFLAGS. (A
 * word may be empty: quoted.Split turns "" into one.) */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gocmd.h"
#include "goflag.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parsers' messages go to stderr; libFuzzer and the sanitizers keep
 * the original stream (they took it at start-up, or write to fd 2). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null = fopen("/dev/null", "w");

	(void)argc;
	(void)argv;
	if (null)
		stderr = null;
	return 0;
}

/* Whether p is NULL or points into one of argv's strings or of the words
 * split from GOFLAGS. */
static int in_argv(const char *p, int argc, char **argv, char **words)
{
	if (!p)
		return 1;
	for (int i = 0; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return 1;
	for (size_t i = 0; words && words[i]; i++)
		if (p >= words[i] && p <= words[i] + strlen(words[i]))
			return 1;
	return 0;
}

static void check_words(char **words, const char *goflags)
{
	size_t max = strlen(goflags);

	for (size_t i = 0; words && words[i]; i++)
		if (strlen(words[i]) > max)
			abort();
}

/* goflag: GOFLAGS first, then the command line, as `pgo-go version`. */
static void check_goflag(const char *goflags, int argc, char **argv)
{
	int m = 0, v = 0;
	const char *str = NULL, *dir = NULL;
	struct goflag_def defs[] = {
	    {"m", GOFLAG_BOOL, &m, NULL},
	    {"v", GOFLAG_BOOL, &v, NULL},
	    {"s", GOFLAG_STRING, NULL, &str},
	    {"C", GOFLAG_CHDIR, NULL, &dir},
	    {NULL, 0, NULL, NULL},
	};
	char **words;
	int rc = goflag_apply_env(defs, goflags, "go: ", "usage\n", &words);

	if (rc == 0) {
		if (!in_argv(str, 0, argv, words) || dir)
			abort();
		rc = goflag_parse(defs, argc, argv, "", "usage\n");
		if (rc > argc || !in_argv(str, argc, argv, words) ||
		    !in_argv(dir, argc, argv, words))
			abort();
	} else if (rc != GOFLAG_ERROR && rc != GOFLAG_FATAL) {
		abort();
	}
	gocmd_free_words(words);
}

static void check_cmd(const struct gocmd *cmd, int argc, char **argv)
{
	char **w = cmd->goflags;

	if (cmd->sub_index >= argc || cmd->first_arg < 0 || cmd->nargs < 0 ||
	    cmd->first_arg + cmd->nargs > argc)
		abort();
	if (cmd->sub != GOCMD_OTHER && cmd->sub_index < 1)
		abort();
	if (!in_argv(cmd->chdir, argc, argv, w) || !in_argv(cmd->output, argc, argv, w) ||
	    !in_argv(cmd->buildmode, argc, argv, w) || !in_argv(cmd->overlay, argc, argv, w) ||
	    !in_argv(cmd->modfile, argc, argv, w) || !in_argv(cmd->pgo, argc, argv, w))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), **argv = NULL, **words;
	const char *goflags, *error;
	struct gocmd cmd;
	int argc = 1;
	size_t i;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; i < size; i++)
		argc += copy[i] == '\0';
	if (!(argv = calloc((size_t)argc + 1, sizeof *argv)))
		goto out;
	/* The first piece is GOFLAGS; argv[0] is the program. */
	goflags = copy;
	argv[0] = "go";
	argc = 1;
	for (i = 0; i < size; i++)
		if (copy[i] == '\0')
			argv[argc++] = copy + i + 1;
	argv[argc] = NULL;

	words = gocmd_split_quoted(goflags, &error);
	check_words(words, goflags);
	gocmd_free_words(words);

	check_goflag(goflags, argc, argv);
	if (gocmd_parse(&cmd, argc, argv, *goflags ? goflags : NULL) == 0) {
		check_cmd(&cmd, argc, argv);
		check_words(cmd.goflags, goflags);
		gocmd_free(&cmd);
	}
out:
	free(argv);
	free(copy);
	return 0;
}
