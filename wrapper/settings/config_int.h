/* config_int.h — what config.c and config_files.c share; not for other
 * users. */
#ifndef PGO_GO_CONFIG_INT_H
#define PGO_GO_CONFIG_INT_H

#include "config.h"

/* Stores text as the value of k from layer, through the setting's parser
 * (origin for `pgo-go config`, where for errors). An empty text leaves a
 * typed setting as the lower layer had it. */
int config_set_from(struct config *c, enum cfg_key k, const char *text, enum cfg_layer layer,
                    const char *origin, const char *where, pgo_err *err);

/* Reads a value from a file: its first line, trimmed (a secret in a file
 * anyone may read is one warning). where prefixes the error. */
int config_read_value_file(const char *path, int secret, char *buf, size_t bufsz, const char *where,
                           pgo_err *err);

/* The files, lowest precedence first: system, user, then the project
 * directories (or PGO_GO_CONFIG alone). */
int config_load_files(struct config *c, const char *const *projects, size_t n, pgo_err *err);

#endif
