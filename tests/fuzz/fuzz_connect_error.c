/* Fuzzes the decoder of HTTP error answers (fetch/pyroscope/pyro_err.c): whatever the
 * server or a proxy sends, the message is one printable line that fits its
 * buffer. The first two bytes pick the status and whether credentials and
 * a hint are set; the rest is the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pyro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(const char *buf, size_t bufsz)
{
	size_t n = strnlen(buf, bufsz);

	if (n == bufsz)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = {400, 401, 403, 404, 408, 429, 500, 501, 502, 503, 504, 200};
	pyro_err_ctx x = {"SelectMergeProfile", "http://127.0.0.1:4040", NULL, 0, 1, NULL,
	                  FETCH_SET_URL};
	char big[1024], small[40];
	long status;

	if (size < 2)
		return 0;
	status = statuses[data[0] % (sizeof statuses / sizeof statuses[0])];
	if (data[0] & 0x80)
		status = 100 + data[1] * 2;
	x.have_credentials = data[1] & 1;
	x.tenant = (data[1] & 2) ? "tenant-a" : NULL;
	x.attempts = 1 + (data[1] >> 4);
	data += 2;
	size -= 2;

	pyro_http_error(&x, status, (const char *)data, size, big, sizeof big);
	check_line(big, sizeof big);
	pyro_http_error_hinted(&x, (data[-1] & 4) ? "check the service" : NULL, status,
	                       (const char *)data, size, small, sizeof small);
	check_line(small, sizeof small);
	return 0;
}
