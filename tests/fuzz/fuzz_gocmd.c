/* Fuzzes the go command-line parser (wrapper/gocmd.c). The input is split
 * at NUL bytes: the first piece is GOFLAGS, the rest are the arguments after
 * "go". Whatever it is, the parse points inside argv or the GOFLAGS words,
 * and no word of a GOFLAGS split is longer than GOFLAGS. (A word may be
 * empty: quoted.Split turns "" into one.) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gocmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
