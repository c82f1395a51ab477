/* cmd_install_shim.h — `pgo-go install-shim DIR`.
 *
 * Creates DIR (if needed) and DIR/go, a symlink to this pgo-go, and prints
 * the PATH line that puts it first. Running it again is harmless. */
#ifndef PGO_GO_CMD_INSTALL_SHIM_H
#define PGO_GO_CMD_INSTALL_SHIM_H

int cmd_install_shim(int argc, char **argv);

#endif
