/*
 * A recording's metadata records, written alike by every writer (rigsync record, the
 * emulator's ob_create_record_device): a key/value builder over rig_recorder_add_metadata, and
 * the records they share (the resolved config, one device, the recorder's counters), so that
 * replays and `rigsync info` read one format.
 */
#ifndef RIGSYNC_RECORD_META_H
#define RIGSYNC_RECORD_META_H

#include <stdbool.h>
#include <stdint.h>

#include "record/recorder.h"
#include "rigsync/rigsync.h"

typedef struct rig_meta rig_meta_t;

/** Starts a record of that name (NULL when out of memory: every call below accepts NULL). */
rig_meta_t *rig_meta_begin(rig_recorder_t *r, const char *name);
/** Adds a pair; more than 64 pairs continue in a further record of the same name. A pair
 * that does not fit in memory is left out. */
__attribute__((format(printf, 3, 4))) void rig_meta_add(rig_meta_t *m, const char *key,
                                                        const char *fmt, ...);
/** Queues the pairs so far and goes on with a record of another name. */
void rig_meta_next(rig_meta_t *m, const char *name);
/** Queues the pairs so far and frees the builder. */
void rig_meta_end(rig_meta_t *m);

/** Where the recorded frames came from (rigsync.config's backend, time, pixels, seed). */
typedef struct rig_meta_source {
    const char *backend;
    bool virtual_time, pixels, seed_set;
    uint64_t seed;
} rig_meta_source_t;

/** The pairs of rigsync.config: the config's source and text, the source, the clock sync
 * interval, the stream profiles and each device's resolved sync config. */
void rig_meta_config(rig_meta_t *m, const rig_config_t *cfg, const rig_meta_source_t *src);
/** One device of rigsync.rig: what it is (info), or NULL when it was not present. */
void rig_meta_device(rig_meta_t *m, size_t index, const rig_device_info_t *info,
                     const char *serial);
/** The recorder's counters (rigsync.summary's recorder.* pairs). */
void rig_meta_recorder_stats(rig_meta_t *m, const rig_recorder_stats_t *st);

#endif
