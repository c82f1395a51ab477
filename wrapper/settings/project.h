/* project.h — the configuration that applies in a directory: the one step
 * every command takes before it reads a setting (find the Go module and the
 * workspace the directory belongs to, load the files and the environment
 * with their project files: the workspace root's, then the module's).
 */
#ifndef PGO_GO_PROJECT_H
#define PGO_GO_PROJECT_H

#include "config.h"

/* Loads into c the configuration for dir (absolute or relative to the
 * current directory). Returns 0, or -1 with err (the caller reports it). */
int project_load_config(struct config *c, const char *dir, pgo_err *err);

#endif
