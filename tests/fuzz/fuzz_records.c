/* Fuzzes the cache's record readers (fetch/cache): a snapshot record
 * (snapshots/<key>.json), a server remembered as down (down/<key>) and a
 * hold (holds/<key>), each read from a file holding the input, as a cache
 * another version or a crash left would. A record is read whole or not at
 * all: what reads back is within its bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static cache *the_cache(void)
{
	static cache *c;
	static char dir[] = "/tmp/fuzz_records.XXXXXX";
	fetch_err err;
	char sub[64];

	if (c)
		return c;
	if (!mkdtemp(dir) || cache_open(dir, 1, &c, &err) != 0)
		abort();
	snprintf(sub, sizeof sub, "%s/down", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof sub, "%s/holds", dir);
	mkdir(sub, 0700);
	return c;
}

static void put(const cache *c, const char *name, const uint8_t *data, size_t size)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", c->dir, name);
	if (!(f = fopen(path, "wb")))
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cache *c = the_cache();
	char chosen[CACHE_HEX_LEN + 1], msg[256];
	fetch_err err;
	cache_meta m;
	double change;
	int64_t t;
	int code;

	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		put(c, "snapshots/" KEY ".json", data + 1, size - 1);
		if (cache_meta_read(c, KEY, &m, &err) > 0) {
			if (!m.server || !m.tenant || !m.profile_type ||
			    strlen(m.sha256) != CACHE_HEX_LEN)
				abort();
			cache_meta_clear(&m);
		}
		break;
	case 1:
		put(c, "down/" KEY, data + 1, size - 1);
		if (cache_down_get(c, KEY, &t, &code, msg, sizeof msg) && strchr(msg, '\n'))
			abort();
		break;
	default:
		put(c, "holds/" KEY, data + 1, size - 1);
		if (cache_hold_get(c, KEY, chosen, &change) &&
		    (strlen(chosen) != CACHE_HEX_LEN || change < 0 || change > 1))
			abort();
		break;
	}
	return 0;
}
