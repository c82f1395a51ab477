/* pyro.c — the three QuerierService methods pgo-go calls: requests packed
 * and answers unpacked with protobuf-c; the HTTP side is pyro_http.c's. */
#include "pyro.h"

#include <stdlib.h>
#include <string.h>

#include "pyro_int.h"
#include "querier.pb-c.h"
#include "types.pb-c.h"

/* Packs msg into a malloc'd buffer. */
static unsigned char *pack(const ProtobufCMessage *msg, size_t *len)
{
	unsigned char *buf;

	*len = protobuf_c_message_get_packed_size(msg);
	if (!(buf = malloc(*len ? *len : 1)))
		return NULL;
	protobuf_c_message_pack(msg, buf);
	return buf;
}

/* Packs req, calls method, returns the answer's bytes. */
static int call(pyro_client *c, const char *method, const ProtobufCMessage *req,
                unsigned char **out, size_t *outlen, fetch_err *err)
{
	size_t len;
	unsigned char *buf = pack(req, &len);
	int rc;

	if (!buf)
		return fetch_err_nomem(err);
	rc = pyro_call(c, method, buf, len, out, outlen, err);
	free(buf);
	return rc;
}

int pyro_select_merge_profile(pyro_client *c, const pyro_select *q, unsigned char **body,
                              size_t *len, fetch_err *err)
{
	Querier__V1__SelectMergeProfileRequest req =
	    QUERIER__V1__SELECT_MERGE_PROFILE_REQUEST__INIT;
	Types__V1__StackTraceSelector sts = TYPES__V1__STACK_TRACE_SELECTOR__INIT;
	Types__V1__GoPGO pgo = TYPES__V1__GO_PGO__INIT;

	req.profile_typeid = (char *)q->profile_type;
	req.label_selector = (char *)q->selector;
	req.start = q->start_ms;
	req.end = q->end_ms;
	if (q->go_pgo) {
		pgo.keep_locations = q->keep_locations;
		pgo.aggregate_callees = q->aggregate_callees ? 1 : 0;
		sts.go_pgo = &pgo;
		req.stack_trace_selector = &sts;
	}
	return call(c, "SelectMergeProfile", &req.base, body, len, err);
}

void pyro_strings_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int copy_strings(char *const *src, size_t n, char ***out, size_t *nout, fetch_err *err)
{
	char **v = calloc(n ? n : 1, sizeof *v);

	if (!v)
		return fetch_err_nomem(err);
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(src[i]))) {
			pyro_strings_free(v, i);
			return fetch_err_nomem(err);
		}
	*out = v;
	*nout = n;
	return 0;
}

static int not_an_answer(pyro_client *c, const char *method, fetch_err *err)
{
	return fetch_errf(err, FETCH_E_NET, "%s at %s: the answer is not a valid %s response",
	                  method, pyro_client_server(c), method);
}

int pyro_label_values(pyro_client *c, const char *name, int64_t start_ms, int64_t end_ms,
                      char ***values, size_t *n, fetch_err *err)
{
	Types__V1__LabelValuesRequest req = TYPES__V1__LABEL_VALUES_REQUEST__INIT;
	Types__V1__LabelValuesResponse *resp;
	unsigned char *body;
	size_t len;
	int rc;

	*values = NULL;
	*n = 0;
	req.name = (char *)name;
	req.start = start_ms;
	req.end = end_ms;
	if (call(c, "LabelValues", &req.base, &body, &len, err) != 0)
		return -1;
	resp = types__v1__label_values_response__unpack(NULL, len, body);
	free(body);
	if (!resp)
		return not_an_answer(c, "LabelValues", err);
	rc = copy_strings(resp->names, resp->n_names, values, n, err);
	types__v1__label_values_response__free_unpacked(resp, NULL);
	return rc;
}

int pyro_profile_types(pyro_client *c, int64_t start_ms, int64_t end_ms, char ***ids, size_t *n,
                       fetch_err *err)
{
	Querier__V1__ProfileTypesRequest req = QUERIER__V1__PROFILE_TYPES_REQUEST__INIT;
	Querier__V1__ProfileTypesResponse *resp;
	unsigned char *body;
	char **v = NULL;
	size_t len;
	int rc = 0;

	*ids = NULL;
	*n = 0;
	req.start = start_ms;
	req.end = end_ms;
	if (call(c, "ProfileTypes", &req.base, &body, &len, err) != 0)
		return -1;
	resp = querier__v1__profile_types_response__unpack(NULL, len, body);
	free(body);
	if (!resp)
		return not_an_answer(c, "ProfileTypes", err);
	if (!(v = calloc(resp->n_profile_types ? resp->n_profile_types : 1, sizeof *v)))
		rc = fetch_err_nomem(err);
	for (size_t i = 0; rc == 0 && i < resp->n_profile_types; i++, (*n)++)
		if (!(v[i] = strdup(resp->profile_types[i]->id)))
			rc = fetch_err_nomem(err);
	querier__v1__profile_types_response__free_unpacked(resp, NULL);
	if (rc != 0) {
		pyro_strings_free(v, *n);
		*n = 0;
		return -1;
	}
	*ids = v;
	return 0;
}
