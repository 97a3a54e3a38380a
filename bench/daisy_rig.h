/* A rig for the benchmarks: one PRIMARY and n - 1 SECONDARY in a daisy chain, pixels off. */
#ifndef RIGSYNC_BENCH_DAISY_RIG_H
#define RIGSYNC_BENCH_DAISY_RIG_H

#include <stddef.h>

#include "rigsync/rigsync.h"

/**
 * Parses the config of n devices with serials PREFIX0000, PREFIX0001, ... (prefix at most 8
 * characters). NULL when it cannot be built (the reason on stderr, under `name`).
 */
rig_config_t *bench_daisy_rig(size_t n, const char *prefix, const char *name);

#endif
