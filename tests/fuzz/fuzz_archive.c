/* Fuzzes the archive walker: any bytes as an archive (tar, zip, compressed,
 * nested, images), and everything `pgo-go version -m -v [-json]` does with
 * the members found. The limits are small so that one input stays fast and
 * nothing is ever written to disk: members stay in memory or are refused,
 * and decompression stops at 16 times the input (at least 16 MiB). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bi.h"
#include "bi_archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int member(void *ctx, const bi_member *m)
{
	char buf[512];
	size_t n;

	(void)ctx;
	*(volatile size_t *)&n = strlen(m->name) + strlen(m->path);
	if (m->layer_name)
		*(volatile size_t *)&n = strlen(m->layer_name) + m->layer + m->nlayers;
	if (m->fate_layer_name)
		*(volatile size_t *)&n = strlen(m->fate_layer_name) + m->fate_layer;
	switch (m->kind) {
	case BI_MEMBER_GO:
		free(bi_info_string(m->info, &n));
		free(bi_info_json(m->info, &n));
		bi_info_setting(m->info, "-pgo");
		break;
	case BI_MEMBER_NOT_GO:
		snprintf(buf, sizeof buf, "%s", m->err.msg);
		break;
	case BI_MEMBER_ERROR:
		*(volatile size_t *)&n = strlen(m->message);
		break;
	case BI_MEMBER_SYMLINK:
		break;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bi_archive_limits lim;
	bi_error err;

	bi_archive_limits_default(&lim);
	lim.mem_max = (size_t)4 << 20;
	lim.spill = 0;
	lim.member_max = (uint64_t)4 << 20;
	lim.depth_max = 3;
	lim.ratio_max = 16;
	bi_archive_walk_mem(data, size, "fuzz", &lim, BI_ARCHIVE_ALL, member, NULL, &err);
	return 0;
}
