/* fit.h — how much of a profile a binary can use (issue 11).
 *
 * A -pgo build uses the profile as weighted call edges (caller, callee,
 * call-site line offset from the caller's start line: fetch/profile/pgo_edges.h).
 * An edge can only act if the binary still has the caller and the callee
 * (each as a function of its own or inlined somewhere) and code of the
 * caller at its start line plus the offset; where the binary inlines the
 * callee into the caller, it must do so at that line (inlined elsewhere
 * only, the call moved). fit_compute joins the edges with the binary's
 * function table (buildinfo/bi_pclntab.h) and says:
 *   - total: the share of the edge weight the binary has;
 *   - own: the same over the edges whose caller is the binary's own code;
 *   - own_share: the share of the profile's weight in that own code;
 *   - the hottest own functions the binary lacks, and the likely cause.
 *
 * Own code is the main package and the packages of the binary's modules
 * (its main module and dependencies, from its build info). Without build
 * info, Go's own rule for the standard library decides
 * (cmd/go/internal/search.IsStandardImportPath): a package whose first path
 * element has no dot is std, except `main` and `command-line-arguments`.
 * A function's package is its symbol name up to the first dot after the
 * last slash, type arguments removed.
 *
 * Ownership: a fit_result holds no pointers; fit_json returns a new
 * reference the caller owns.
 */
#ifndef PGO_GO_FIT_H
#define PGO_GO_FIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bi_pclntab.h"
#include "pgo_edges.h"

#define FIT_MISSING_MAX 5

typedef enum fit_cause {
	FIT_CAUSE_NONE = 0,      /* nothing of the own code is lost */
	FIT_CAUSE_WRONG_SERVICE, /* the profile's own code is not this binary's */
	FIT_CAUSE_TEST_PROFILE,  /* the main package named by import path: `go test -cpuprofile` */
	FIT_CAUSE_RENAMED,       /* missing functions live on under another name */
	FIT_CAUSE_CHANGED,       /* functions present, call sites moved: edited since */
	FIT_CAUSE_MISSING,       /* functions gone, no pattern */
} fit_cause;

typedef struct fit_missing {
	char name[256];       /* as the profile names it (cut with "..." if longer) */
	char renamed_to[256]; /* its likely new name, or "" */
	int64_t weight;       /* own edge weight lost with it */
} fit_missing;

typedef struct fit_opts {
	/* The binary's module paths (main module first); NULL: Go's std rule.
	 * fit_files fills them from the binary's build info itself. */
	const char *const *modules;
	size_t nmodules;
} fit_opts;

typedef struct fit_result {
	int known;                    /* 0: the fit is unknown, reason says why */
	char reason[320];             /* "" when known */
	double total, own, own_share; /* 0–1; own is 0 when there is no own weight */
	int64_t weight, fit_weight;   /* the profile's edge weight, and what fits */
	int64_t own_weight, own_fit_weight;
	/* Where the own weight that does not fit went. */
	int64_t lost_foreign; /* callers in packages the binary does not have */
	int64_t lost_test;    /* callers that are the binary's main.* under an import path */
	int64_t lost_renamed; /* caller or callee renamed or moved */
	int64_t lost_missing; /* caller or callee gone */
	int64_t lost_line;    /* both there, no code at the call-site line */
	fit_missing missing[FIT_MISSING_MAX];
	size_t nmissing;
	fit_cause cause;
	char cause_text[320]; /* one line for the user; "" for FIT_CAUSE_NONE */
} fit_result;

/* The index fit_compute needs of the table t: the lines of the functions
 * the profile names (bi_pcln_index_build with a filter, which skips most of
 * a large binary), and every function with a body. */
int fit_index(const bi_pcln *t, const fetch_pgo_edges *e, bi_pcln_index **ix, bi_pcln_err *err);

/* The fit of the edges e in the binary indexed as ix (by fit_index, or
 * with every line). Never fails: a profile without edges gives an unknown
 * fit. */
void fit_compute(const bi_pcln_index *ix, const fetch_pgo_edges *e, const fit_opts *o,
                 fit_result *r);

/* Reads the binary (its function table and build info) and the profile
 * file, and computes their fit. Returns 0 with r->known set, or -1 with
 * r->reason saying what could not be read (the fit is then unknown). */
int fit_files(const char *binary, const char *profile, fit_result *r);

/* One phrase: "fit 97%, own code 99%", "fit unknown: REASON". */
void fit_summary(const fit_result *r, char *buf, size_t n);

/* {"total": F, "own": F, "own_share": F, "missing": [...], "cause": S}, the
 * numbers null when unknown (then with "reason"). NULL when out of memory. */
json_t *fit_json(const fit_result *r);

/* "wrong-service", "test-profile", "renamed", "changed", "missing", "none" */
const char *fit_cause_name(fit_cause c);

/* The length of the package that begins a function's symbol name; 0 when
 * the name has no package part. */
int fit_package(const char *name, size_t len, size_t *pkg_len);

/* Whether a package is the binary's own code (see above). */
int fit_is_own(const char *pkg, size_t len, const fit_opts *o);

#endif
