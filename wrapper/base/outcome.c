#include "outcome.h"

#include <stdio.h>

int pgo_fail(pgo_err *err, pgo_code code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int pgo_exit_for(pgo_code code)
{
	switch (code) {
	case PGO_OK:
		return PGO_EXIT_OK;
	case PGO_E_USAGE:
		return PGO_EXIT_USAGE;
	case PGO_E_CONFIG:
	case PGO_E_NOMEM:
	case PGO_E_IO:
	case PGO_E_RESOLVE:
		break;
	}
	return PGO_EXIT_FAIL;
}
