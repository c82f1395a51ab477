/* Fuzzes the object-file readers (the wasm module-information reader too)
 * and the build-info decoder: any bytes as a file, then everything `pgo-go
 * version -m [-json]` would do with them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bi.h"
#include "bi_wasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bi_src src;
	bi_info *bi = NULL;
	bi_error err;
	size_t n;

	bi_src_init_mem(&src, data, size);
	/* The wasm reader (verification only) on the same bytes. */
	if (bi_read_wasm(&src, &bi, &err) == BI_OK) {
		bi_info_setting(bi, "-pgo");
		bi_info_free(bi);
	}
	if (bi_read_src(&src, &bi, &err) != BI_OK) {
		/* A failure always says what it is: a code and one line. */
		if (err.code == BI_OK || !err.msg[0] || memchr(err.msg, '\n', strlen(err.msg)))
			abort();
		return 0;
	}
	free(bi_info_string(bi, &n));
	free(bi_info_json(bi, &n));
	bi_info_setting(bi, "-pgo");
	bi_info_free(bi);
	return 0;
}
