/* bi_buildid.h — a Go binary's build ID, as cmd/internal/buildid reads it.
 *
 * The build ID names the binary's content: the same build ID, the same
 * binary. pgo-go keys what it learns about a binary on it (the profile fit),
 * so that a no-op rebuild, which go writes anew with the same content, is
 * not judged again. In an ELF file it is the note of name "Go" and type 4
 * (elfGoBuildIDTag) in a PT_NOTE segment in the first 32 kB; elsewhere the
 * text between "\xff Go build ID: \"" and "\"\n \xff" in the first 32 kB
 * (readRaw). A Mach-O file whose ID lies further in has none here: the
 * caller just does not get to skip the work.
 */
#ifndef PGO_GO_BI_BUILDID_H
#define PGO_GO_BI_BUILDID_H

#include <stddef.h>

#include "bi.h"

/* The build ID of the binary in src into buf (NUL-terminated). Returns
 * BI_OK, BI_E_NOTGO when there is none to be found, BI_E_IO. */
int bi_read_buildid(const bi_src *src, char *buf, size_t bufsz, bi_error *err);

/* The same for a file. */
int bi_read_buildid_file(const char *path, char *buf, size_t bufsz, bi_error *err);

#endif
