/* MCAP reader internals shared by its two files: mcap_reader.c (open, the sequential read of
 * the data section, chunks) and mcap_summary.c (footer, summary, chunk list, one chunk by its
 * offset). Not part of the reader's interface. */
#ifndef RIGSYNC_MCAP_READER_IMPL_H
#define RIGSYNC_MCAP_READER_IMPL_H

#include <stdio.h>

#include "mcap/mcap_format.h"
#include "mcap/mcap_reader.h"

typedef struct {
    rig_mcap_channel_t pub;
    char *topic, *encoding;
} mcapr_channel_t;

typedef struct {
    rig_mcap_schema_t pub;
    char *name, *encoding;
    uint8_t *data;
} mcapr_schema_t;

typedef struct {
    rig_mcap_metadata_t pub;
    char *name;
    char **keys, **values;
} mcapr_metadata_t;

struct rig_mcap_reader {
    FILE *f;
    uint64_t file_size;
    uint64_t max_record;
    rig_mcap_problem_t problem;
    char *profile, *library;

    /* sequential read of the data section */
    uint64_t pos;     /* next record */
    uint32_t crc;     /* of every byte before pos */
    bool done;        /* DataEnd read */
    uint8_t *record;  /* content of the current top-level record */
    size_t record_cap;
    uint8_t *unpacked; /* a decompressed chunk */
    size_t unpacked_cap;
    const uint8_t *chunk; /* records of the chunk being iterated */
    size_t chunk_len, chunk_at;
    uint64_t chunk_offset;
    rig_mcap_data_stats_t stats;
    uint64_t bad_chunk_end; /* after a faulty chunk whose record was read whole; else 0 */
    bool after_skip;        /* Message Index records now count the skipped chunk's messages */
    uint64_t *lost;         /* channel id -> messages of skipped chunks (allocated on a skip) */

    int32_t *slot; /* channel id -> index in channels, or -1 */
    mcapr_channel_t *channels;
    size_t n_channels;

    mcapr_schema_t *schemas;
    size_t n_schemas;
    mcapr_metadata_t *metadata;
    size_t n_metadata;

    rig_mcap_channel_count_t *counts; /* of the summary's Statistics */
    rig_mcap_chunk_ref_t *chunk_refs; /* rig_mcap_reader_list_chunks */
    size_t n_chunk_refs;
    bool have_index; /* chunk_refs from the summary's Chunk Index records */
};

/* A cursor over one record's content; reading past its end sets bad and yields zeros. */
typedef struct {
    const uint8_t *p;
    size_t len, at;
    bool bad;
} mcapr_cursor_t;

static inline const uint8_t *mcapr_take(mcapr_cursor_t *c, size_t n)
{
    if (c->bad || n > c->len - c->at) {
        c->bad = true;
        return NULL;
    }
    const uint8_t *q = c->p + c->at;
    c->at += n;
    return q;
}
static inline uint16_t mcapr_get16(mcapr_cursor_t *c)
{
    const uint8_t *q = mcapr_take(c, 2);
    return q ? rig_mcap_get_u16(q) : 0;
}
static inline uint32_t mcapr_get32(mcapr_cursor_t *c)
{
    const uint8_t *q = mcapr_take(c, 4);
    return q ? rig_mcap_get_u32(q) : 0;
}
static inline uint64_t mcapr_get64(mcapr_cursor_t *c)
{
    const uint8_t *q = mcapr_take(c, 8);
    return q ? rig_mcap_get_u64(q) : 0;
}
/* A string field: pointer and length (not NUL-terminated). */
static inline const uint8_t *mcapr_get_str(mcapr_cursor_t *c, uint32_t *len)
{
    *len = mcapr_get32(c);
    return mcapr_take(c, *len);
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
rig_error_t mcapr_fail(rig_mcap_reader_t *r, rig_mcap_fault_t fault, uint64_t offset,
                       const char *fmt, ...);
uint32_t mcapr_crc_update(uint32_t crc, const uint8_t *p, size_t n);
/* Reads n bytes at off; returns the number read (short at the end of the file). */
size_t mcapr_read_at(rig_mcap_reader_t *r, uint64_t off, void *p, size_t n);
rig_error_t mcapr_add_channel(rig_mcap_reader_t *r, const uint8_t *p, size_t len, uint64_t off);
rig_error_t mcapr_add_schema(rig_mcap_reader_t *r, const uint8_t *p, size_t len, uint64_t off);
/* Reads the top-level record at off into r->record (checked against the file's end and the
 * record limit); adds its bytes to the data section CRC when crc is true. */
rig_error_t mcapr_read_record(rig_mcap_reader_t *r, uint64_t off, bool crc, uint8_t *op,
                              size_t *len);
/* Decompresses and checks the Chunk in r->record (len bytes of content at file offset off),
 * checks every record in it, and makes it the chunk being iterated. */
rig_error_t mcapr_open_chunk(rig_mcap_reader_t *r, size_t len, uint64_t off);
/* The next message of the chunk being iterated; *got false when it is exhausted. */
rig_error_t mcapr_chunk_next(rig_mcap_reader_t *r, rig_mcap_message_t *msg, bool *got);

#endif
