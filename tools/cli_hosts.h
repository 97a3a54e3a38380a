/* Rigs over several hosts in the CLI (tools/cli_hosts.c). */
#ifndef RIGSYNC_CLI_HOSTS_H
#define RIGSYNC_CLI_HOSTS_H

#include <stdbool.h>
#include <stdio.h>

#include "rigsync/hosts.h"

/** Loads a hosts file; prints the error (file:line:column) and returns CLI_USAGE on failure. */
int cli_hosts_load(const char *cmd, const char *path, rig_hosts_t **out);
/** node --hosts FILE --host NAME: that host's config; *listen (when NULL) its node address. */
int cli_hosts_node_config(const char *path, const char *host, rig_hosts_t **hosts,
                          rig_config_t **cfg, const char **listen);
/** Why a device's slots are empty when its host is not up ("stage-b down"), else NULL. */
const char *cli_hosts_slot_why(rig_context_t *ctx, const rig_hosts_t *hosts, size_t device,
                               char *buf, size_t len);
/** The per-host table and verdict; false when a host was gone or lost messages. */
bool cli_hosts_print(FILE *out, rig_context_t *ctx);

#endif
