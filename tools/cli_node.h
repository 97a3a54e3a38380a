/* rigsync node and rigsync node-tap: a host's cameras published over NNG (src/net/wire.h). */
#ifndef RIGSYNC_CLI_NODE_H
#define RIGSYNC_CLI_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "net/wire.h"
#include "ptp/pmc.h"

/** rigsync node --config FILE --listen tcp://ADDR:PORT [--pixels] ... (tools/cli_node.c). */
int cli_node(int argc, char **argv);
/** rigsync node-tap tcp://ADDR:PORT [--seconds S] [--frames] (tools/cli_node_tap.c). */
int cli_node_tap(int argc, char **argv);
/** Is url tcp://HOST:PORT? Otherwise prints "rigsync CMD: OPTION URL: what; the fix". */
bool cli_node_url_check(const char *cmd, const char *option, const char *url);
/** A frame's line, the same in the node and the tap: run --global's line, index and serial,
 * then extra (the tap's truth, or "") before the newline. */
void cli_node_print_frame(FILE *out, size_t device, int stream, uint64_t index, int64_t dts,
                          int64_t hts, int64_t gts, const char *serial, const char *extra);

/* The node's PTP reporter (tools/cli_node_ptp.c): a thread that reads the local ptp4l's state
 * once at the start and every second, and hands each reading to emit (from that thread). */
typedef struct cli_node_ptp cli_node_ptp_t;
typedef void (*cli_node_ptp_emit_fn)(const rig_wire_ptp_t *ptp, void *user);
/** Starts it on ptp4l's socket uds (NULL: ptp4l's default); CLI_USAGE for a path that cannot
 * be a socket's, CLI_RUNTIME when the thread cannot start. Unless quiet, says on stderr when
 * ptp4l does not answer (once per outage). */
int cli_node_ptp_start(const char *uds, bool quiet, cli_node_ptp_emit_fn emit, void *user,
                       cli_node_ptp_t **out);
/** Can uds be a Unix socket's path? Otherwise prints the error and the fix. */
bool cli_node_ptp_uds_check(const char *uds);
/** Stops and joins the thread (waits at most for one reading's timeouts); NULL: nothing. */
void cli_node_ptp_stop(cli_node_ptp_t *p);
/** A PTP message's body from ptp4l's state (NULL: no ptp4l answered, valid 0), read when the
 * host clock said host_ts_us. */
void cli_node_ptp_fill(const rig_ptp_status_t *st, int64_t host_ts_us, rig_wire_ptp_t *out);

#endif
