/* rigsync node and rigsync node-tap: a host's cameras published over NNG (src/net/wire.h). */
#ifndef RIGSYNC_CLI_NODE_H
#define RIGSYNC_CLI_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/** rigsync node --config FILE --listen tcp://ADDR:PORT [--pixels] ... (tools/cli_node.c). */
int cli_node(int argc, char **argv);
/** rigsync node-tap tcp://ADDR:PORT [--seconds S] [--frames] (tools/cli_node_tap.c). */
int cli_node_tap(int argc, char **argv);
/** Is url tcp://HOST:PORT? Otherwise prints "rigsync CMD: OPTION URL: what; the fix". */
bool cli_node_url_check(const char *cmd, const char *option, const char *url);
/** A frame's line, the same in the node and the tap: run --global's line, index and serial. */
void cli_node_print_frame(FILE *out, size_t device, int stream, uint64_t index, int64_t dts,
                          int64_t hts, int64_t gts, const char *serial);

#endif
