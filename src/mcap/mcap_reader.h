/* MCAP reader: validates the magic, the footer and the summary (CRC, statistics), and reads the
 * data section record by record from the start, so a file cut anywhere still yields every
 * message of its complete chunks. Chunks are decompressed (zstd, lz4 frame, none) and checked
 * against their CRC before any of their messages is returned.
 *
 * Memory is bounded by the largest record (and decompressed chunk) accepted, max_record_size.
 * Errors: RIG_ERROR_INVALID_ARGUMENT, RIG_ERROR_NO_MEMORY, RIG_ERROR_IO (the file cannot be
 * read or is not a valid MCAP file); rig_mcap_reader_problem() then says what, and at which
 * file offset. Never prints, never exits. One thread per reader. */
#ifndef RIGSYNC_MCAP_READER_H
#define RIGSYNC_MCAP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rigsync/rigsync.h"

typedef enum {
    RIG_MCAP_FAULT_NONE = 0,
    RIG_MCAP_FAULT_IO,          /**< the file could not be opened or read */
    RIG_MCAP_FAULT_BAD_MAGIC,   /**< not an MCAP file (leading or trailing magic, Header) */
    RIG_MCAP_FAULT_TRUNCATED,   /**< the file ends inside a record or before DataEnd */
    RIG_MCAP_FAULT_MALFORMED,   /**< a field overruns its record, an unknown channel, ... */
    RIG_MCAP_FAULT_CRC,         /**< a chunk, data section or summary CRC does not match */
    RIG_MCAP_FAULT_COMPRESSION, /**< unknown compression or data that does not decompress */
    RIG_MCAP_FAULT_TOO_LARGE,   /**< a record or chunk larger than max_record_size */
} rig_mcap_fault_t;

typedef struct {
    rig_mcap_fault_t fault;
    uint64_t offset; /**< file offset of the record (or field) at fault */
    char what[200];  /**< one sentence */
} rig_mcap_problem_t;

/** Stable name of a fault, e.g. "crc". */
const char *rig_mcap_fault_name(rig_mcap_fault_t fault);

typedef struct {
    uint16_t id;
    uint16_t schema_id;
    const char *topic;
    const char *message_encoding;
} rig_mcap_channel_t;

/** A Schema record (data is its definition, e.g. ros2msg text; not NUL-terminated). */
typedef struct {
    uint16_t id;
    const char *name;
    const char *encoding;
    const uint8_t *data;
    size_t len;
} rig_mcap_schema_t;

/** A Metadata record: name and its map (keys[i] = values[i]). */
typedef struct {
    const char *name;
    const char *const *keys;
    const char *const *values;
    size_t n;
} rig_mcap_metadata_t;

typedef struct {
    uint16_t channel_id;
    uint32_t sequence;
    uint64_t log_time_ns;
    uint64_t publish_time_ns;
    const uint8_t *data; /**< valid until the next call on the reader */
    size_t len;
    uint64_t chunk_offset; /**< file offset of its Chunk record; 0 outside chunks */
} rig_mcap_message_t;

/** What the sequential read has seen so far (data section). */
typedef struct {
    uint64_t messages;
    uint32_t chunks;   /**< complete chunks read */
    uint32_t metadata; /**< Metadata records */
    uint32_t schemas, channels;
    bool data_end;           /**< DataEnd reached (and its CRC matched, if not 0) */
    uint64_t complete_bytes; /**< file offset after the last complete record read */
    uint32_t skipped_chunks; /**< rig_mcap_reader_skip_chunk() calls */
    bool data_crc_mismatch;  /**< DataEnd's CRC did not match after a skipped chunk */
} rig_mcap_data_stats_t;

typedef struct {
    uint16_t channel_id;
    uint64_t count;
} rig_mcap_channel_count_t;

/** The summary section as the footer points to it. */
typedef struct {
    uint64_t summary_start, summary_offset_start;
    uint32_t summary_crc; /**< as stored (0 = not available) */
    bool has_statistics;
    uint64_t message_count;
    uint16_t schema_count;
    uint32_t channel_count, attachment_count, metadata_count, chunk_count;
    uint64_t message_start_time, message_end_time;
    const rig_mcap_channel_count_t *channel_counts; /**< owned by the reader */
    size_t n_channel_counts;
    /* records found in the summary */
    uint32_t n_schemas, n_channels, n_chunk_indexes, n_metadata_indexes, n_summary_offsets;
} rig_mcap_summary_t;

typedef struct rig_mcap_reader rig_mcap_reader_t;

/** Opens path, checks the leading magic and the Header record. max_record_size 0 = 512 MiB.
 *  *out is set whenever a reader was allocated, also on error (read its problem, then close). */
rig_error_t rig_mcap_reader_open(const char *path, uint64_t max_record_size,
                                 rig_mcap_reader_t **out);

/** Header's profile and library (valid while the reader lives). */
const char *rig_mcap_reader_profile(const rig_mcap_reader_t *r);
const char *rig_mcap_reader_library(const rig_mcap_reader_t *r);

/** Reads the footer and trailing magic and the summary section, checks the summary CRC (unless
 *  0) and that every Chunk Index points at a Chunk record of the stated length. Does not move
 *  the sequential read. */
rig_error_t rig_mcap_reader_read_summary(rig_mcap_reader_t *r, rig_mcap_summary_t *out);

/** Next message of the data section, in file order. At the DataEnd record (data section CRC
 *  checked unless 0) sets *end and returns RIG_OK. A file that ends before DataEnd gives
 *  RIG_ERROR_IO with RIG_MCAP_FAULT_TRUNCATED after every message of its complete chunks. */
rig_error_t rig_mcap_reader_next_message(rig_mcap_reader_t *r, rig_mcap_message_t *msg,
                                         bool *end);

/** After next_message failed on a Chunk whose record was read whole (its CRC, compression or
 *  records are bad; problem says which, at the chunk's offset): skips that chunk and lets the
 *  sequential read go on with the next record. The Message Index records that follow the
 *  skipped chunk count its messages (rig_mcap_reader_lost_messages). RIG_ERROR_INVALID_ARGUMENT
 *  when the last fault was not such a chunk (the framing is broken or the file is cut). A
 *  DataEnd CRC mismatch after a skip ends the read (stats.data_crc_mismatch) instead of failing. */
rig_error_t rig_mcap_reader_skip_chunk(rig_mcap_reader_t *r);

/** Messages of channel id in the skipped chunks, from their Message Index records. */
uint64_t rig_mcap_reader_lost_messages(const rig_mcap_reader_t *r, uint16_t id);

/** One Chunk record of the file. */
typedef struct {
    uint64_t offset, length; /**< file offset of the Chunk record; its length with prefix */
    uint64_t message_start_time, message_end_time; /**< log times (ns) */
    uint64_t compressed_size, uncompressed_size;   /**< of its records */
    char compression[16];                          /**< "", "zstd", "lz4" ("?" if longer) */
} rig_mcap_chunk_ref_t;

/** The file's chunks in file order: from the summary's Chunk Index records when
 *  rig_mcap_reader_read_summary() succeeded before, else by walking the data section's record
 *  framing from the start (no decompression; Schema and Channel records are taken in). A walk
 *  that meets a cut or broken record stops there and returns the chunks before it (*n may be
 *  0) with RIG_OK; the problem then says where. Valid while the reader lives. Random access:
 *  do not mix with rig_mcap_reader_next_message() on one reader. */
rig_error_t rig_mcap_reader_list_chunks(rig_mcap_reader_t *r, const rig_mcap_chunk_ref_t **out,
                                        size_t *n);

/** Reads, decompresses and checks the Chunk record at offset (one from list_chunks); then
 *  rig_mcap_reader_chunk_message() gives its messages in order. */
rig_error_t rig_mcap_reader_load_chunk(rig_mcap_reader_t *r, uint64_t offset);

/** The next message of the loaded chunk; *got false at its end. */
rig_error_t rig_mcap_reader_chunk_message(rig_mcap_reader_t *r, rig_mcap_message_t *msg,
                                          bool *got);

/** A channel seen so far, or NULL. */
const rig_mcap_channel_t *rig_mcap_reader_channel(const rig_mcap_reader_t *r, uint16_t id);

/** A schema seen so far (data section or chunk), or NULL. */
const rig_mcap_schema_t *rig_mcap_reader_schema(const rig_mcap_reader_t *r, uint16_t id);

/** Metadata records read so far by the sequential read, in file order (valid while the reader
 *  lives); i past the end gives NULL. */
size_t rig_mcap_reader_metadata_count(const rig_mcap_reader_t *r);
const rig_mcap_metadata_t *rig_mcap_reader_metadata(const rig_mcap_reader_t *r, size_t i);

void rig_mcap_reader_data_stats(const rig_mcap_reader_t *r, rig_mcap_data_stats_t *out);

/** The last problem (fault NONE if none). */
const rig_mcap_problem_t *rig_mcap_reader_problem(const rig_mcap_reader_t *r);

void rig_mcap_reader_close(rig_mcap_reader_t *r);

#endif
