/* pgo_rewrite.h — the profile rewrites a project asks for in its config:
 * [rename] and [noinline] (issue 11).
 *
 *   - rename: a function's samples carried over to its new name (exact
 *     symbol names, `old.Func = new.Func`), so a profile taken before a
 *     rename or a package move keeps working until fresh samples arrive;
 *   - noinline: a function's name prefixed with FETCH_PGO_NOINLINE_PREFIX,
 *     so the compiler matches none of its call edges and PGO inlines it
 *     nowhere (golang/go#65532: memory growth from PGO inlining). This is
 *     the technique of DataDog's datadog-pgo (noinline.go). It also hides
 *     the function's own call sites from PGO: a profile cannot separate the
 *     two.
 * Both rewrite a reduced profile before its canonical encoding, so they are
 * part of the bytes, and so of the cache key and the binary's -pgo record.
 * Functions, locations and stacks that become equal merge, as in the
 * reduction.
 *
 * Ownership: fetch_pgo_rewrite reads its input and returns a new fetch_pgo
 * the caller frees with fetch_pgo_free. The rules' strings stay the
 * caller's.
 */
#ifndef PGO_GO_PGO_REWRITE_H
#define PGO_GO_PGO_REWRITE_H

#include <stddef.h>

#include "fetch_err.h"
#include "pgo_table.h"

#define FETCH_PGO_NOINLINE_PREFIX "DO NOT INLINE: "

typedef struct fetch_pgo_rename {
	const char *from, *to;
} fetch_pgo_rename;

typedef struct fetch_pgo_rules {
	const fetch_pgo_rename *renames;
	size_t nrenames;
	const char *const *noinline; /* names as they are after the renames */
	size_t nnoinline;
} fetch_pgo_rules;

/* Checks rules as a config reader should before use: names not empty, no
 * rename of a name to itself, no name renamed twice. FETCH_E_ARG with the
 * offending entry in the message. */
int fetch_pgo_rules_check(const fetch_pgo_rules *rules, fetch_err *err);

/* The profile in with the rules applied: every function whose name is a
 * rename's from gets its to (its system name too, when it was the same);
 * then every function whose name is in noinline gets the prefix. A rename
 * applies once: renames do not chain. *changed (may be NULL) counts the
 * functions renamed either way. Errors: FETCH_E_ARG (rules_check),
 * FETCH_E_NOMEM, FETCH_E_INVALID (sample values overflow when merging). */
int fetch_pgo_rewrite(const fetch_pgo *in, const fetch_pgo_rules *rules, fetch_pgo **out,
                      size_t *changed, fetch_err *err);

#endif
