/* bi_wasm.h — the module information of a Go WebAssembly binary.
 *
 * `go version` cannot read wasm binaries (debug/buildinfo has no wasm
 * reader: "unrecognized file format"), and `pgo-go version` says the same.
 * But the linker still writes runtime.modinfo into the module's data
 * section, framed by the 16-byte sentinels cmd/go puts around it
 * (modload.infoStart and infoEnd), so the build settings — -pgo among them —
 * can be found there. Verification uses this; nothing else does.
 */
#ifndef PGO_GO_BI_WASM_H
#define PGO_GO_BI_WASM_H

#include "bi.h"

/* Reads the module information of the wasm binary in src: a bi_info whose
 * go_version is "" (a wasm binary does not say it where it can be found).
 * Errors: BI_E_FORMAT (not a wasm module), BI_E_NOTGO (no framed module
 * information), BI_E_PARSE, BI_E_IO, BI_E_NOMEM. */
int bi_read_wasm(const bi_src *src, bi_info **out, bi_error *err);

/* The same for a file. */
int bi_read_wasm_file(const char *path, bi_info **out, bi_error *err);

#endif
