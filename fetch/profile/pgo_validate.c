/* pgo_validate.c — the checks of Go's cmd/internal/pgo.FromPProf, plus the
 * ones that tell a useful profile from one Go would only pretend to use. */
#include "pgo_validate.h"

#include <limits.h>
#include <string.h>

int pgo_sample_type_index(const pprof_profile *p, const char *type, const char *unit)
{
	const pprof_msg *m = p->msg;
	size_t i;

	for (i = 0; i < m->n_sample_type && i < (size_t)INT_MAX; i++)
		if (strcmp(pprof_string(p, m->sample_type[i]->type), type) == 0 &&
		    strcmp(pprof_string(p, m->sample_type[i]->unit), unit) == 0)
			return (int)i;
	return -1;
}

int pgo_value_index(const pprof_profile *p)
{
	const pprof_msg *m = p->msg;
	size_t i;

	for (i = 0; i < m->n_sample_type && i < (size_t)INT_MAX; i++) {
		const char *t = pprof_string(p, m->sample_type[i]->type);
		const char *u = pprof_string(p, m->sample_type[i]->unit);
		if ((strcmp(t, "samples") == 0 && strcmp(u, "count") == 0) ||
		    (strcmp(t, "cpu") == 0 && strcmp(u, "nanoseconds") == 0))
			return (int)i;
	}
	return -1;
}

/* What Go's profile graph calls a node (internal/profile NodeInfo). */
struct node {
	uint64_t address;
	int64_t line;
	const char *name;
	int64_t start_line;
};

static int node_eq(const struct node *a, const struct node *b)
{
	return a->address == b->address && a->line == b->line && a->start_line == b->start_line &&
	       strcmp(a->name, b->name) == 0;
}

static struct node node_of(const pprof_profile *p, const Perftools__Profiles__Location *l,
                           size_t li)
{
	struct node n = {l->address, 0, "", 0};
	const Perftools__Profiles__Line *line = li < l->n_line ? l->line[li] : NULL;
	const Perftools__Profiles__Function *f = NULL;

	if (line && line->function_id)
		f = p->msg->function[pprof_function_pos(p, line->function_id)];
	if (f) {
		n.line = line->line;
		n.name = pprof_string(p, f->name);
		n.start_line = f->start_line;
	}
	return n;
}

struct graph_facts {
	int start_line; /* some node carries Function.start_line */
	int edge;       /* some caller → callee edge exists */
};

/* Go builds its call graph from the two leaf-most locations of each sample
 * only, walking from the caller's outermost frame to the leaf's innermost
 * (graph.go NewGraph); a location without lines is one frame. */
static void scan_sample(const pprof_profile *p, const pprof_sample *s, struct graph_facts *g)
{
	struct node prev = {0, 0, "", 0};
	int have_prev = 0;
	size_t i = s->n_location_id < 2 ? s->n_location_id : 2;

	while (i-- > 0) {
		const Perftools__Profiles__Location *l =
		    p->msg->location[pprof_location_pos(p, s->location_id[i])];
		size_t nl = l->n_line ? l->n_line : 1;
		while (nl-- > 0) {
			struct node n = node_of(p, l, nl);
			g->start_line |= n.start_line != 0;
			if (have_prev && !node_eq(&prev, &n))
				g->edge = 1;
			prev = n;
			have_prev = 1;
		}
	}
}

static int invalid(fetch_err *err, const char *reason)
{
	return fetch_errf(err, FETCH_E_INVALID, "%s", reason);
}

/* What the samples tell, gathered in one pass. */
struct sample_scan {
	const pprof_profile *p;
	int vi;      /* the value Go weighs by */
	int nonzero; /* some sample has a non-zero value there */
	struct graph_facts g;
};

static int scan(void *ctx, const pprof_sample *s, fetch_err *err)
{
	struct sample_scan *sc = ctx;
	int64_t v = s->value[sc->vi];

	if (v < 0)
		return invalid(err, "negative sample value (not a CPU profile?)");
	if (v == 0)
		return 0;
	sc->nonzero = 1;
	/* Once both facts hold, no sample can change them: spare the walk over
	 * the locations, the costly part of the pass. */
	if (!sc->g.start_line || !sc->g.edge)
		scan_sample(sc->p, s, &sc->g);
	return 0;
}

int pgo_validate(const pprof_profile *p, fetch_err *err)
{
	const pprof_msg *m = p->msg;
	struct sample_scan sc = {p, pgo_value_index(p), 0, {0, 0}};

	if (m->n_sample == 0)
		return invalid(err, "no samples");
	if (sc.vi < 0)
		return invalid(err, "no cpu/nanoseconds or samples/count sample type");
	if (pprof_for_each_sample(p, scan, &sc, err))
		return -1;
	if (!sc.nonzero)
		return fetch_errf(err, FETCH_E_INVALID, "no sample has a non-zero %s/%s value",
		                  pprof_string(p, m->sample_type[sc.vi]->type),
		                  pprof_string(p, m->sample_type[sc.vi]->unit));
	if (!sc.g.start_line)
		return invalid(err, "functions lack start_line (profiles from eBPF collectors do; "
		                    "use a Go runtime profile)");
	if (!sc.g.edge)
		return invalid(err, "no call edges (every sampled stack is a single frame)");
	return 0;
}
