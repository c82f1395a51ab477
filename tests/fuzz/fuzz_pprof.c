/* Fuzzes the profile core: decode (gzip or plain, under a small size limit)
 * → validate → reduce → canonical encode. Whatever encodes must decode again
 * and reduce to the very same bytes (the reduction is idempotent and the
 * encoding canonical); its compiler's edges, when it has them, decide
 * everything as they do themselves (pgo_decide.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgo_canon.h"
#include "pgo_decide.h"
#include "pgo_edges.h"
#include "pgo_reduce.h"
#include "pgo_validate.h"
#include "pprof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small enough that a gzip bomb in the corpus costs little. */
#define MAX_SIZE ((size_t)8 << 20)

static unsigned char *reduce(const void *data, size_t size, size_t *outlen)
{
	pprof_profile *p = NULL;
	fetch_pgo *acc = NULL;
	unsigned char *out = NULL;
	fetch_err err;

	if (pprof_decode(data, size, MAX_SIZE, &p, &err))
		goto out;
	(void)pgo_validate(p, &err);
	acc = fetch_pgo_new(NULL);
	if (!acc || fetch_pgo_add(acc, p, &err))
		goto out;
	(void)fetch_pgo_encode(acc, 1, 2, &out, outlen, &err);
out:
	fetch_pgo_free(acc);
	pprof_free(p);
	return out;
}

/* A profile against itself: no change. */
static void same_decisions(const unsigned char *data, size_t size)
{
	pprof_profile *p = NULL;
	fetch_pgo_edges *e = NULL;
	fetch_pgo_change c;
	fetch_err err;

	if (pprof_decode(data, size, MAX_SIZE, &p, &err) == 0 &&
	    fetch_pgo_edges_build(p, &e, &err) == 0 &&
	    (fetch_pgo_decisions_diff(e, e, &c, &err) != 0 || c.share != 0 || c.sites != 0))
		abort();
	fetch_pgo_edges_free(e);
	pprof_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0, n2 = 0;
	unsigned char *once = reduce(data, size, &n), *twice;

	if (!once)
		return 0;
	twice = reduce(once, n, &n2);
	if (!twice || n2 != n || memcmp(once, twice, n) != 0)
		abort();
	same_decisions(once, n);
	free(twice);
	free(once);
	return 0;
}
