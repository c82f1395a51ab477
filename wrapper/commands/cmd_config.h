/* `pgo-go config [--list]`. */
#ifndef PGO_GO_CMD_CONFIG_H
#define PGO_GO_CMD_CONFIG_H

int cmd_config(int argc, char **argv);

#endif
