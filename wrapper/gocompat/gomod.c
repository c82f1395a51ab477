#include "gomod.h"

#include "goenv.h"
#include "goerr.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *read_small_file(const char *path, size_t *len)
{
	size_t cap = 1 << 20; /* a go.mod larger than 1 MiB is not one we read */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	struct stat st;
	ssize_t got;

	*len = 0;
	if (fd < 0)
		return NULL;
	/* A buffer of the file's size: one of 1 MiB is an mmap and a munmap
	 * per read, twice a build. */
	if (fstat(fd, &st) == 0 && st.st_size >= 0 && (size_t)st.st_size < cap)
		cap = (size_t)st.st_size;
	if ((buf = malloc(cap + 1)) != NULL) {
		while (*len < cap && (got = read(fd, buf + *len, cap - *len)) > 0)
			*len += (size_t)got;
		buf[*len] = '\0';
	}
	close(fd);
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
	/* An absolute directory keeps its spelling (a symbolic link in it
	 * stays), as go walks up from its working directory. */
	if (dir[0] == '/' && strlen(dir) < sizeof abs)
		goerr_clean_path(strcpy(abs, dir));
	else if (!realpath(dir, abs))
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

char *gomod_workspace_root(const char *dir)
{
	char *file_value = getenv("GOWORK") ? NULL : goenv_file_value("GOWORK");
	const char *gowork = getenv("GOWORK") ? getenv("GOWORK") : file_value;
	char path[PATH_MAX], file[PATH_MAX + 8], *slash, *root = NULL;
	struct stat st;

	if (gowork && !strcmp(gowork, "off"))
		goto out;
	if (gowork && *gowork && strcmp(gowork, "auto") != 0) {
		if (gowork[0] == '/' &&
		    snprintf(path, sizeof path, "%s", gowork) < (int)sizeof path &&
		    (slash = strrchr(path, '/')) != NULL) {
			*slash = '\0';
			root = strdup(*path ? path : "/");
		}
		goto out;
	}
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
		goto out;
	goerr_clean_path(path);
	for (;;) {
		snprintf(file, sizeof file, "%s/go.work", strcmp(path, "/") ? path : "");
		if (stat(file, &st) == 0 && !S_ISDIR(st.st_mode)) {
			root = strdup(path);
			break;
		}
		if (!(slash = strrchr(path, '/')) || !strcmp(path, "/"))
			break;
		slash == path ? (void)strcpy(path, "/") : (void)(*slash = '\0');
	}
out:
	free(file_value);
	return root;
}
