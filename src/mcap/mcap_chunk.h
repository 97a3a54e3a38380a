/* The MCAP writer's open chunk: its records as they are appended (their CRC-32, their size, and
 * their bytes in a buffer or, with zstd, streamed straight into the compressor: never gathered
 * uncompressed), then its packed bytes for the Chunk record. Internal to src/mcap. */
#ifndef RIGSYNC_MCAP_CHUNK_H
#define RIGSYNC_MCAP_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#include "mcap/mcap_buf.h"
#include "mcap/mcap_crc.h"
#include "mcap/mcap_writer.h"

typedef struct {
    rig_mcap_compression_t compression;
    ZSTD_CCtx *zstd;            /* zstd: one frame per chunk, streamed */
    rig_mcap_crc_t *crc_helper; /* NULL: every CRC on the caller's thread */
    buf_t records;              /* lz4, none: the uncompressed records */
    buf_t packed;               /* compressed bytes (zstd: streamed into as records come) */
    uint32_t crc;               /* CRC-32 of the records so far */
    uint64_t bytes;             /* uncompressed size of the records so far */
} rig_mcap_chunk_t;

/** Sets c up (zeroed before). RIG_ERROR_UNSUPPORTED: this libzstd refuses the level or the
 *  worker threads; RIG_ERROR_NO_MEMORY. */
rig_error_t rig_mcap_chunk_init(rig_mcap_chunk_t *c, const rig_mcap_writer_options_t *o,
                                int zstd_level);

/** Appends n record bytes (p needs to stay valid only during the call). */
rig_error_t rig_mcap_chunk_append(rig_mcap_chunk_t *c, const void *p, size_t n);

/** The chunk's records as the Chunk record holds them (compressed, or not); NULL on error
 *  (*err says which). */
const buf_t *rig_mcap_chunk_pack(rig_mcap_chunk_t *c, rig_error_t *err);

/** Empties the chunk for the next one. */
void rig_mcap_chunk_reset(rig_mcap_chunk_t *c);

void rig_mcap_chunk_free(rig_mcap_chunk_t *c);

#endif
