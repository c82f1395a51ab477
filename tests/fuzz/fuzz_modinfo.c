/* Fuzzes the modinfo text parser and its renderers: whatever parses must
 * render, and what renders must parse back to the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bi_info *bi = NULL, *again = NULL;
	bi_error err;
	size_t n, n2;
	char *text, *text2;

	if (bi_info_parse((const char *)data, size, &bi, &err) != BI_OK)
		return 0;
	free(bi_info_json(bi, &n));
	text = bi_info_string(bi, &n);
	if (text && bi_info_parse(text, n, &again, &err) == BI_OK) {
		/* String() output is canonical: a second round trip is stable. */
		text2 = bi_info_string(again, &n2);
		if (text2 && (n2 != n || memcmp(text, text2, n) != 0))
			abort();
		free(text2);
	}
	bi_info_free(again);
	free(text);
	bi_info_free(bi);
	return 0;
}
