#include "gomod.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_small_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 1 << 20; /* a go.mod larger than 1 MiB is not one we read */

	*len = 0;
	if (!f)
		return NULL;
	if ((buf = malloc(cap + 1)) != NULL) {
		*len = fread(buf, 1, cap, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* A module path may be quoted ("…" or `…`) and followed by a comment. */
static char *module_token(const char *s, const char *end)
{
	const char *start;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s < end && (*s == '"' || *s == '`')) {
		char q = *s++;
		start = s;
		while (s < end && *s != q)
			s++;
		return s < end ? strndup(start, (size_t)(s - start)) : NULL;
	}
	start = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\r' &&
	       !(s[0] == '/' && s + 1 < end && s[1] == '/'))
		s++;
	return s > start ? strndup(start, (size_t)(s - start)) : NULL;
}

char *gomod_parse_module(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol ? eol : end;
		while (p < line_end && (*p == ' ' || *p == '\t'))
			p++;
		if (line_end - p > 7 && !strncmp(p, "module", 6) && (p[6] == ' ' || p[6] == '\t'))
			return module_token(p + 6, line_end);
		p = eol ? eol + 1 : end;
	}
	return NULL;
}

int gomod_find(const char *dir, struct gomod *m)
{
	char abs[PATH_MAX], file[PATH_MAX + 8];

	m->root = m->path = NULL;
	if (!realpath(dir, abs))
		return -1;
	for (;;) {
		size_t len;
		char *text;
		snprintf(file, sizeof file, "%s/go.mod", strcmp(abs, "/") ? abs : "");
		if ((text = read_small_file(file, &len)) != NULL) {
			m->path = gomod_parse_module(text, len);
			free(text);
			if (!m->path)
				return -1;
			if (!(m->root = strdup(abs))) {
				gomod_free(m);
				return -1;
			}
			return 0;
		}
		char *slash = strrchr(abs, '/');
		if (!slash || slash == abs) {
			if (!strcmp(abs, "/"))
				return -1;
			strcpy(abs, "/");
			continue;
		}
		*slash = '\0';
	}
}

void gomod_free(struct gomod *m)
{
	free(m->root);
	free(m->path);
	m->root = m->path = NULL;
}
