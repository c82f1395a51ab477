/* `pgo-go install-shim DIR`: DIR/go → pgo-go, and the PATH line to use. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_install_shim.h"
#include "msg.h"

/* mkdir -p: creates every missing directory of PATH, each 0755 (less the
 * umask), like the shim directory itself; on failure *FAILED names the
 * directory that could not be made. A Dockerfile's /opt/pgo-go/shim has no
 * /opt/pgo-go yet (issue 12). */
static int make_dirs(const char *path, char *failed, size_t failed_size)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof buf) {
		errno = len ? ENAMETOOLONG : ENOENT;
		snprintf(failed, failed_size, "%s", path);
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			snprintf(failed, failed_size, "%s", buf);
			return -1;
		}
		*p = c;
		if (c == '\0')
			return 0;
	}
}

int cmd_install_shim(int argc, char **argv)
{
	char self[PATH_MAX], dir[PATH_MAX], link[PATH_MAX + 4], cur[PATH_MAX];
	char failed[PATH_MAX];
	ssize_t n;

	if (argc != 2) {
		pgo_errorf("usage: pgo-go install-shim DIR");
		return 2;
	}
	if (!realpath("/proc/self/exe", self)) {
		pgo_errorf("cannot find pgo-go's own path: %s", strerror(errno));
		return 1;
	}
	if (make_dirs(argv[1], failed, sizeof failed) != 0) {
		pgo_errorf("cannot create %s: %s", failed, strerror(errno));
		return 1;
	}
	if (!realpath(argv[1], dir)) {
		pgo_errorf("cannot resolve %s: %s", argv[1], strerror(errno));
		return 1;
	}
	snprintf(link, sizeof link, "%s/go", dir);
	n = readlink(link, cur, sizeof cur - 1);
	if (n >= 0) {
		cur[n] = '\0';
		if (strcmp(cur, self) != 0 && unlink(link) != 0) {
			pgo_errorf("cannot replace %s: %s", link, strerror(errno));
			return 1;
		}
	} else if (errno != ENOENT) {
		pgo_errorf("%s exists and is not a symlink; remove it first", link);
		return 1;
	}
	if ((n < 0 || strcmp(cur, self) != 0) && symlink(self, link) != 0) {
		pgo_errorf("cannot create %s: %s", link, strerror(errno));
		return 1;
	}
	printf("export PATH=\"%s:$PATH\"\n", dir);
	return 0;
}
