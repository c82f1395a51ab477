/* Fuzzes the object-file readers and the build-info decoder: any bytes as a
 * file, then everything `pgo-go version -m [-json]` would do with them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bi_src src;
	bi_info *bi = NULL;
	bi_error err;
	char buf[512];
	size_t n;

	bi_src_init_mem(&src, data, size);
	if (bi_read_src(&src, &bi, &err) != BI_OK) {
		bi_error_text(&err, buf, sizeof buf);
		return 0;
	}
	free(bi_info_string(bi, &n));
	free(bi_info_json(bi, &n));
	bi_info_setting(bi, "-pgo");
	bi_info_free(bi);
	return 0;
}
