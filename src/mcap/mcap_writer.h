/* MCAP writer: a chunked, indexed MCAP file (https://mcap.dev/spec) with a summary section.
 *
 * Schemas, channels and metadata go straight into the data section; messages are gathered in a
 * chunk (compressed with zstd, lz4 frame, or none; CRC-32 of the uncompressed records) that is
 * written, followed by one Message Index record per channel, when it reaches chunk_size bytes or
 * when the caller calls rig_mcap_writer_flush_chunk(). Close writes DataEnd (data section CRC),
 * the summary (schemas, channels, statistics, chunk indexes, metadata indexes), summary offsets
 * and the footer (summary CRC). Memory: one chunk plus its compressed copy, plus one small
 * index entry per chunk and per metadata record. With zstd the records are never gathered
 * uncompressed: each goes once into the compressor's stream (CRC-32 on the way).
 *
 * Every byte goes to the file with write(2) (no user-space buffer): a killed process leaves every
 * complete chunk on disk. A failed write (ENOSPC, EFBIG, EDQUOT) is recovered from at once: the
 * file is cut back (ftruncate) to the end of its last complete record, freeing what the partial
 * chunk took, and finished there (DataEnd, a summary of only what stays, footer); when even that
 * does not fit, whole chunks are dropped from the end until it does. rig_mcap_writer_get_stats()
 * then says what the file holds and what was lost; every later call returns RIG_ERROR_IO.
 *
 * Not thread-safe: one writer thread. Never prints, never exits. Close frees everything. */
#ifndef RIGSYNC_MCAP_WRITER_H
#define RIGSYNC_MCAP_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rigsync/rigsync.h"

typedef enum {
    RIG_MCAP_COMPRESSION_NONE = 0, /**< "" */
    RIG_MCAP_COMPRESSION_ZSTD,     /**< "zstd" */
    RIG_MCAP_COMPRESSION_LZ4,      /**< "lz4" (LZ4 frame format) */
} rig_mcap_compression_t;

/** The spec's name of a compression ("", "zstd", "lz4"). */
const char *rig_mcap_compression_name(rig_mcap_compression_t c);

typedef struct {
    const char *profile;                /**< Header profile; NULL = "ros2" */
    const char *library;                /**< Header library; NULL = "rigsync" */
    rig_mcap_compression_t compression; /**< of every chunk */
    int zstd_level;                     /**< 0 = zstd's default (3) */
    size_t chunk_size;                  /**< close a chunk at this many uncompressed bytes; 0 = 1 MiB */
    int zstd_workers; /**< zstd worker threads (ZSTD_c_nbWorkers); 0 = on the caller's thread */
    /** CRC-32 of large messages on a helper thread while the caller's compresses them */
    bool crc_thread;
} rig_mcap_writer_options_t;

/** One key/value pair of a Channel's or a Metadata record's map. */
typedef struct {
    const char *key;
    const char *value;
} rig_mcap_kv_t;

typedef struct rig_mcap_writer rig_mcap_writer_t;

/** Creates (truncates) path and writes the magic and Header. options may be NULL (defaults). */
rig_error_t rig_mcap_writer_open(const char *path, const rig_mcap_writer_options_t *options,
                                 rig_mcap_writer_t **out);

/** Adds a Schema (ids 1, 2, ...): encoding e.g. "ros2msg", data its text. */
rig_error_t rig_mcap_writer_add_schema(rig_mcap_writer_t *w, const char *name,
                                       const char *encoding, const void *data, size_t len,
                                       uint16_t *out_id);

/** Adds a Channel (ids 0, 1, ...) on schema_id (0 = none) with message_encoding e.g. "cdr". */
rig_error_t rig_mcap_writer_add_channel(rig_mcap_writer_t *w, uint16_t schema_id,
                                        const char *topic, const char *message_encoding,
                                        const rig_mcap_kv_t *metadata, size_t n_metadata,
                                        uint16_t *out_id);

/** Appends a message to the open chunk; closes the chunk when it reaches chunk_size. Times in
 *  nanoseconds (the spec's Timestamp). */
rig_error_t rig_mcap_writer_write_message(rig_mcap_writer_t *w, uint16_t channel_id,
                                          uint32_t sequence, uint64_t log_time_ns,
                                          uint64_t publish_time_ns, const void *data, size_t len);

/** The same with the message's data given in two parts, head then tail (e.g. an encoded header
 *  and the pixels it is followed by), copied once into the chunk. */
rig_error_t rig_mcap_writer_write_message_parts(rig_mcap_writer_t *w, uint16_t channel_id,
                                                uint32_t sequence, uint64_t log_time_ns,
                                                uint64_t publish_time_ns, const void *head,
                                                size_t head_len, const void *tail,
                                                size_t tail_len);

/** Writes the open chunk (if it holds anything) and its message indexes, and flushes the file:
 *  everything written so far survives a crash of the process. */
rig_error_t rig_mcap_writer_flush_chunk(rig_mcap_writer_t *w);

/** Writes a Metadata record (name + map) into the data section. */
rig_error_t rig_mcap_writer_add_metadata(rig_mcap_writer_t *w, const char *name,
                                         const rig_mcap_kv_t *kv, size_t n);

typedef struct {
    uint64_t message_count; /**< messages given to write_message */
    uint32_t chunk_count;   /**< complete chunks in the file */
    uint64_t bytes_written; /**< file offset so far */
    /* What the file holds: the messages of its complete chunks and their log times (ns). After
     * a write error, message_count - kept_messages messages were lost. */
    uint64_t kept_messages, kept_start_time_ns, kept_end_time_ns;
    uint32_t dropped_chunks; /**< complete chunks dropped so that the summary fits */
    int error_errno;         /**< errno of the first failed write, 0 = none */
    bool recovered;          /**< a write failed and the file was cut back and finished */
    bool complete;           /**< the file has its summary and footer (or will at close) */
} rig_mcap_writer_stats_t;

void rig_mcap_writer_get_stats(const rig_mcap_writer_t *w, rig_mcap_writer_stats_t *out);

/** Finishes the file (last chunk, DataEnd, summary, footer, magic; or the recovery above when a
 *  write fails) and closes it; w stays for rig_mcap_writer_get_stats(). Idempotent. */
rig_error_t rig_mcap_writer_finish(rig_mcap_writer_t *w);

/** Finishes the file (last chunk, DataEnd, summary, footer, magic), closes it and frees w
 *  (also on error). NULL is a no-op. */
rig_error_t rig_mcap_writer_close(rig_mcap_writer_t *w);

#endif
