/* pgo_table.h — the reduced profile: hash-consed tables of strings,
 * functions, mappings, locations and samples.
 *
 * A fetch_pgo holds each distinct string, function, mapping, location (a
 * mapping plus a list of lines) and stack exactly once, compared by content,
 * never by the ids of the profile it came from; that is what lets the
 * reduction merge equal locations and stacks, and what lets the canonical
 * encoder order everything by content. pgo_reduce.c fills it, pgo_canon.c
 * reads it.
 *
 * Ownership: fetch_pgo_new returns a fetch_pgo the caller owns and releases
 * with fetch_pgo_free (free of NULL is a no-op). Interning copies what it is
 * given; ids stay valid for the life of the fetch_pgo.
 */
#ifndef PGO_GO_PGO_TABLE_H
#define PGO_GO_PGO_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "fetch_err.h"

#define FETCH_PGO_NONE UINT32_MAX /* "no function" in a line, "no mapping" */

/* The reduction's parameters, as Pyroscope's GoPGO stack-trace selector. */
typedef struct fetch_pgo_opts {
	unsigned keep_locations; /* leaf-most locations kept per stack; 0: all */
	int aggregate_callees;   /* leaf location's innermost line number → 0 */
} fetch_pgo_opts;

#define FETCH_PGO_KEEP_LOCATIONS 5 /* what profilecli asks Pyroscope for */

typedef struct fetch_pgo_function {
	uint32_t name, system_name, filename; /* string ids */
	int64_t start_line;
} fetch_pgo_function;

enum {
	FETCH_PGO_HAS_FUNCTIONS = 1,
	FETCH_PGO_HAS_FILENAMES = 2,
	FETCH_PGO_HAS_LINE_NUMBERS = 4,
	FETCH_PGO_HAS_INLINE_FRAMES = 8,
};

/* Addresses are not kept (see pgo_reduce.h), so a mapping is only what
 * names the object file. */
typedef struct fetch_pgo_mapping {
	uint32_t filename, build_id; /* string ids */
	uint32_t flags;              /* FETCH_PGO_HAS_* */
} fetch_pgo_mapping;

typedef struct fetch_pgo_line {
	uint32_t function; /* function id or FETCH_PGO_NONE */
	int64_t line;
} fetch_pgo_line;

typedef struct fetch_pgo_location {
	uint32_t mapping; /* mapping id or FETCH_PGO_NONE */
	uint32_t nlines;
	size_t first_line; /* into fetch_pgo.lines; innermost frame first */
} fetch_pgo_location;

typedef struct fetch_pgo_sample {
	size_t first; /* into fetch_pgo.stacks; leaf first */
	uint32_t depth;
	int64_t value;
} fetch_pgo_sample;

/* Open-addressing index over one table: slot = hash << 32 | (id + 1). */
typedef struct fetch_pgo_index {
	uint64_t *slot;
	size_t cap, n;
} fetch_pgo_index;

typedef struct fetch_pgo {
	fetch_pgo_opts opts;
	int have_type;       /* type and unit set by the first profile added */
	uint32_t type, unit; /* string ids of the one sample type */
	int64_t period;      /* the largest period seen in that unit; 0 if none */

	char **strings; /* id 0 is "" */
	size_t nstrings, capstrings;
	fetch_pgo_index string_ix;

	fetch_pgo_function *functions;
	size_t nfunctions, capfunctions;
	fetch_pgo_index function_ix;

	fetch_pgo_mapping *mappings;
	size_t nmappings, capmappings;
	fetch_pgo_index mapping_ix;

	fetch_pgo_line *lines; /* pool the locations point into */
	size_t nlines, caplines;
	fetch_pgo_location *locations;
	size_t nlocations, caplocations;
	fetch_pgo_index location_ix;

	uint32_t *stacks; /* pool of location ids the samples point into */
	size_t nstacks, capstacks;
	fetch_pgo_sample *samples;
	size_t nsamples, capsamples;
	fetch_pgo_index sample_ix;
} fetch_pgo;

/* opts NULL: keep FETCH_PGO_KEEP_LOCATIONS, aggregate callees. NULL when out
 * of memory. */
fetch_pgo *fetch_pgo_new(const fetch_pgo_opts *opts);
void fetch_pgo_free(fetch_pgo *t);

int fetch_pgo_intern_string(fetch_pgo *t, const char *s, uint32_t *id, fetch_err *err);
int fetch_pgo_intern_function(fetch_pgo *t, const fetch_pgo_function *f, uint32_t *id,
                              fetch_err *err);
int fetch_pgo_intern_mapping(fetch_pgo *t, const fetch_pgo_mapping *m, uint32_t *id,
                             fetch_err *err);
int fetch_pgo_intern_location(fetch_pgo *t, uint32_t mapping, const fetch_pgo_line *lines,
                              uint32_t nlines, uint32_t *id, fetch_err *err);

/* Adds value to the sample with this stack, creating it if new. Errors when
 * the sum leaves int64 (FETCH_E_INVALID). */
int fetch_pgo_add_sample(fetch_pgo *t, const uint32_t *stack, uint32_t depth, int64_t value,
                         fetch_err *err);

#endif
