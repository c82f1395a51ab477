#include "realgo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* A hardlink or copy of pgo-go named go is still pgo-go: a copy is caught
 * by comparing content size and the start of the file. */
static int is_self(const char *path, const struct stat *st, const struct stat *self)
{
	char a[4096], b[4096];
	FILE *fa, *fb;
	size_t na, nb;
	int same;

	if (same_file(st, self))
		return 1;
	if (st->st_size != self->st_size)
		return 0;
	fa = fopen(path, "rb");
	fb = fopen("/proc/self/exe", "rb");
	same = fa && fb;
	while (same) {
		na = fread(a, 1, sizeof a, fa);
		nb = fread(b, 1, sizeof b, fb);
		same = na == nb && !memcmp(a, b, na);
		if (na == 0)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static char *join_dir(const char *dir, size_t n)
{
	char *p;

	if (n == 0) /* an empty PATH entry is the current directory */
		return strdup("./go");
	if (!(p = malloc(n + 4)))
		return NULL;
	memcpy(p, dir, n);
	memcpy(p + n, "/go", 4);
	return p;
}

/* A named go is taken as it is (a missing one is exec's error to report),
 * unless it is pgo-go. */
static char *take_named(const char *named, const char *setting, const struct stat *self,
                        pgo_err *err)
{
	struct stat st;
	char *p;

	if (self && stat(named, &st) == 0 && S_ISREG(st.st_mode) && is_self(named, &st, self)) {
		pgo_fail(
		    err, PGO_E_CONFIG,
		    "%s names %s, which is pgo-go itself, not the real go: point it at the Go "
		    "toolchain's bin/go, or unset it to take the first go on PATH after pgo-go",
		    setting, named);
		return NULL;
	}
	if (!(p = strdup(named)))
		pgo_fail(err, PGO_E_NOMEM, "out of memory");
	return p;
}

char *realgo_find(const char *named, const char *setting, pgo_err *err)
{
	const char *path = getenv("PATH");
	struct stat self, st;
	int have_self = stat("/proc/self/exe", &self) == 0;

	if (named && *named)
		return take_named(named, setting, have_self ? &self : NULL, err);
	if (!path || !have_self)
		goto none;
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *cand = join_dir(p, n);
		if (cand && stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0 && !is_self(cand, &st, &self))
			return cand;
		free(cand);
		if (!end)
			break;
		p = end;
	}
none:
	pgo_fail(err, PGO_E_CONFIG,
	         "no real go found on PATH after pgo-go's own directory; put the Go "
	         "toolchain's bin directory on PATH or set PGO_GO_REAL");
	return NULL;
}

int realgo_exec(const char *real, char **argv)
{
	int err;

	execv(real, argv);
	err = errno;
	pgo_errorf("cannot run the real go at %s: %s", real, strerror(err));
	return err == ENOENT ? 127 : 126;
}
