#include "fetch_err.h"

const char *fetch_setting_name(const fetch_namer *n, fetch_setting s)
{
	static const char *const keys[FETCH_SET_COUNT] = {
	    [FETCH_SET_URL] = "url",
	    [FETCH_SET_PPROF_URL] = "pprof_url",
	    [FETCH_SET_TENANT_ID] = "tenant_id",
	    [FETCH_SET_USERNAME] = "username",
	    [FETCH_SET_PASSWORD] = "password",
	    [FETCH_SET_TOKEN] = "token",
	    [FETCH_SET_SERVICE] = "service",
	    [FETCH_SET_QUERY] = "query",
	    [FETCH_SET_OFFLINE] = "offline",
	    [FETCH_SET_CACHE_DIR] = "cache_dir",
	    [FETCH_SET_TIMEOUT] = "timeout",
	    [FETCH_SET_MAX_RESPONSE_SIZE] = "max_response_size",
	    [FETCH_SET_CA_FILE] = "ca_file",
	    [FETCH_SET_CLIENT_CERT] = "client_cert",
	    [FETCH_SET_CLIENT_KEY] = "client_key",
	    [FETCH_SET_PROFILE_TYPE] = "profile_type",
	    [FETCH_SET_SERVER_BACKOFF] = "server_backoff",
	    [FETCH_SET_WINDOW] = "window",
	    [FETCH_SET_HOLD] = "hold",
	};

	if ((unsigned)s >= FETCH_SET_COUNT)
		return "?";
	if (n && n->name)
		return n->name(n->ctx, s);
	return keys[s];
}
