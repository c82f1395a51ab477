#include "gowd.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* os.Getwd for directory dir (stat'ed as st): $PWD when it names the same
 * file, else the resolved path. */
static int getwd_of(const char *dir, char out[PATH_MAX])
{
	const char *pwd = getenv("PWD");
	struct stat dot, p;

	if (stat(dir, &dot) != 0 || !S_ISDIR(dot.st_mode))
		return -1;
	if (pwd && pwd[0] == '/' && stat(pwd, &p) == 0 && p.st_dev == dot.st_dev &&
	    p.st_ino == dot.st_ino && snprintf(out, PATH_MAX, "%s", pwd) < PATH_MAX)
		return 0;
	return realpath(dir, out) ? 0 : -1;
}

int gowd_get(const char *chdir_to, char out[PATH_MAX])
{
	return getwd_of(chdir_to ? chdir_to : ".", out);
}
