/* Fuzzes the configuration file loader (wrapper/settings/config.c, the
 * value parsers and inih): the input is written to a memory file that
 * PGO_GO_CONFIG names. Whatever it holds, the load either fails with one
 * line of error or yields a value and an origin for every setting, and
 * every string setting points at its text. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;

/* A file for the input, named by PGO_GO_CONFIG; the environment holds no
 * other setting so that only the file matters. */
static int setup(void)
{
	char path[64];

	if ((fd = memfd_create("fuzz_config.ini", 0)) < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	setenv("PGO_GO_CONFIG", path, 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	pgo_err err;

	/* A *_file key names a file to read: keep the fuzzer from naming a
	 * terminal or a pipe that would block. */
	if (memmem(data, size, "dev/", 4) || memmem(data, size, "proc/", 5) ||
	    memmem(data, size, "fd/", 3))
		return 0;
	if (fd < 0 && setup() != 0)
		abort();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (config_load(&c, NULL, 0, &err) != 0) {
		if (!err.msg[0] || strchr(err.msg, '\n') || err.code != PGO_E_CONFIG)
			abort();
		return 0;
	}
	for (int k = 0; k < CFG_COUNT; k++) {
		const struct cfg_def *d = config_def(k);
		if (!c.v[k].text || !c.v[k].origin)
			abort();
		if ((d->kind == VALUE_STRING || d->kind == VALUE_PATH || d->kind == VALUE_URL ||
		     d->kind == VALUE_SECRET) &&
		    *(const char **)((char *)&c + d->offset) != c.v[k].text)
			abort();
	}
	if (c.window_ms < 60000 || c.window_ms > 86400000 || c.retries > 20)
		abort();
	for (size_t i = 0; i < c.nmap; i++)
		if (!c.map[i].package || !c.map[i].service || !c.map[i].origin)
			abort();
	config_service_for(&c, "/m/cmd/x", "./cmd/x", "example.com/x/cmd/x");
	config_free(&c);
	return 0;
}
