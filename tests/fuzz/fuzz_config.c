/* Fuzzes the configuration file loader (wrapper/settings/config.c and inih): the
 * input is written to a memory file that PGO_GO_CONFIG names. Whatever it
 * holds, the load either fails with one line of error or yields a value
 * for every key. */
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
	char err[512];

	/* A *_file key names a file to read: keep the fuzzer from naming a
	 * terminal or a pipe that would block. */
	if (memmem(data, size, "dev/", 4) || memmem(data, size, "proc/", 5) ||
	    memmem(data, size, "fd/", 3))
		return 0;
	if (fd < 0 && setup() != 0)
		abort();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (config_load(&c, NULL, err, sizeof err) != 0) {
		if (!err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	for (int k = 0; k < CFG_COUNT; k++)
		if (!config_get(&c, k) || !c.v[k].origin)
			abort();
	for (size_t i = 0; i < c.nmap; i++)
		if (!c.map[i].package || !c.map[i].service || !c.map[i].origin)
			abort();
	config_service_for(&c, "./cmd/x", "example.com/x/cmd/x");
	config_free(&c);
	return 0;
}
