/* MCAP writer (see mcap_writer.h). Layout written:
 *   magic Header [Schema|Channel|Metadata|Chunk MessageIndex*]* DataEnd
 *   Schema* Channel* Statistics ChunkIndex* MetadataIndex*   (summary, one group per opcode)
 *   SummaryOffset*  Footer  magic */
#include "mcap/mcap_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcap/mcap_buf.h"
#include "mcap/mcap_chunk.h"
#include "mcap/mcap_format.h"

#define DEFAULT_CHUNK_SIZE (1024u * 1024u)
#define MAX_GROUPS 8

typedef struct {
    uint64_t log_time;
    uint64_t offset;
} index_entry_t;

typedef struct {
    buf_t record;           /* the serialized Channel record, repeated in the summary */
    uint64_t message_count; /* in the file's complete chunks (what the statistics count) */
    index_entry_t *idx;     /* entries of the open chunk */
    size_t n_idx, cap_idx;
} channel_t;

typedef struct {
    uint8_t opcode;
    uint64_t start, length;
} group_t;

/* What the file holds up to a record boundary: enough to cut the file back there and write a
 * summary of exactly what stays. */
typedef struct {
    uint64_t offset;
    uint32_t crc;
    size_t chunk_indexes_len, metadata_indexes_len, counts_len;
    uint32_t chunk_count, metadata_count;
    size_t n_schemas, n_channels;
    uint64_t message_count, start_time, end_time;
} mark_t;

/* Messages of one channel in one written chunk. */
typedef struct {
    uint16_t channel;
    uint64_t n;
} chunk_count_t;

struct rig_mcap_writer {
    int fd;
    rig_error_t err;
    int sys_errno;   /* errno of the first failed write */
    bool recovered;  /* the file was cut back and finished after a write error */
    bool complete;   /* ... and that finish succeeded */
    uint32_t dropped_chunks;
    uint64_t accepted; /* messages given to write_message */
    mark_t done;       /* the file up to its last complete record */
    mark_t *marks;     /* marks[k]: the file just before chunk k */
    size_t cap_marks;
    chunk_count_t *counts; /* per written chunk, its channels' message counts */
    size_t n_counts, cap_counts;
    uint64_t offset;
    uint32_t crc;
    rig_mcap_compression_t compression;
    int zstd_level;
    size_t chunk_size;

    buf_t *schemas; /* serialized Schema records; id = index + 1 */
    size_t n_schemas;
    channel_t *channels; /* id = index */
    size_t n_channels;

    rig_mcap_chunk_t chunk; /* the open chunk: its records' CRC, size, bytes (or zstd stream) */
    buf_t scratch;          /* one record outside chunks */
    uint64_t chunk_start_time, chunk_end_time;
    uint64_t chunk_messages;

    buf_t chunk_indexes;    /* serialized Chunk Index records */
    buf_t metadata_indexes; /* serialized Metadata Index records */
    uint32_t chunk_count, metadata_count;
};

/* ---- file output: every byte goes through emit() (offset and running CRC) ---- */

static void emit(rig_mcap_writer_t *w, const void *p, size_t n)
{
    if (w->err != RIG_OK || n == 0)
        return;
    /* Straight to the kernel (no stdio buffer): a write error is seen at once, on a known
     * record, and what was written survives a crash of the process. */
    const uint8_t *q = p;
    size_t left = n;
    while (left) {
        ssize_t k = write(w->fd, q, left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (!w->sys_errno)
                w->sys_errno = k < 0 ? errno : EIO;
            w->err = RIG_ERROR_IO;
            return;
        }
        q += k;
        left -= (size_t)k;
    }
    w->crc = libdeflate_crc32(w->crc, p, n);
    w->offset += n;
}

/* ---- recovery after a write error ---- */

/* The file now ends with a complete record outside chunks: remember where. */
static void commit(rig_mcap_writer_t *w)
{
    if (w->err != RIG_OK)
        return;
    w->done.offset = w->offset;
    w->done.crc = w->crc;
    w->done.metadata_indexes_len = w->metadata_indexes.len;
    w->done.metadata_count = w->metadata_count;
}

/* Forgets everything after mark m (the chunks, metadata, schemas and channels past it). */
static void rewind_to(rig_mcap_writer_t *w, const mark_t *m)
{
    for (size_t i = m->counts_len; i < w->n_counts; i++)
        w->channels[w->counts[i].channel].message_count -= w->counts[i].n;
    w->n_counts = m->counts_len;
    w->done = *m;
    w->offset = m->offset;
    w->crc = m->crc;
    w->chunk_indexes.len = m->chunk_indexes_len;
    w->metadata_indexes.len = m->metadata_indexes_len;
    w->chunk_count = m->chunk_count;
    w->metadata_count = m->metadata_count;
}

static void write_summary_and_footer(rig_mcap_writer_t *w);

/* After a failed write: cut the file back to its last complete record (freeing what the partial
 * chunk took) and finish it there; when even the summary does not fit, drop whole chunks from
 * the end until it does. w->err stays RIG_ERROR_IO. */
static void recover(rig_mcap_writer_t *w)
{
    w->recovered = true;
    mark_t m = w->done;
    for (;;) {
        rewind_to(w, &m);
        if (ftruncate(w->fd, (off_t)m.offset) != 0 || lseek(w->fd, (off_t)m.offset, SEEK_SET) < 0)
            break;
        w->err = RIG_OK;
        write_summary_and_footer(w);
        if (w->err == RIG_OK) {
            w->complete = true;
            break;
        }
        if (w->err != RIG_ERROR_IO || m.chunk_count == 0) {
            /* No room even for an empty summary: leave the data section only. */
            int rc = ftruncate(w->fd, (off_t)m.offset);
            (void)rc; /* nothing better to do when even that fails */
            break;
        }
        m = w->marks[m.chunk_count - 1];
        w->dropped_chunks++;
    }
    w->err = RIG_ERROR_IO;
}

/* Ends a public call: a write error is recovered from at once (the file is finished). */
static rig_error_t settle(rig_mcap_writer_t *w)
{
    if (w->err == RIG_ERROR_IO && !w->recovered)
        recover(w);
    return w->err;
}

const char *rig_mcap_compression_name(rig_mcap_compression_t c)
{
    switch (c) {
    case RIG_MCAP_COMPRESSION_ZSTD:
        return "zstd";
    case RIG_MCAP_COMPRESSION_LZ4:
        return "lz4";
    default:
        return "";
    }
}

rig_error_t rig_mcap_writer_open(const char *path, const rig_mcap_writer_options_t *options,
                                 rig_mcap_writer_t **out)
{
    if (!path || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    rig_mcap_writer_options_t o = {0};
    if (options)
        o = *options;
    if (o.compression != RIG_MCAP_COMPRESSION_NONE && o.compression != RIG_MCAP_COMPRESSION_ZSTD &&
        o.compression != RIG_MCAP_COMPRESSION_LZ4)
        return RIG_ERROR_INVALID_ARGUMENT;
    const char *profile = o.profile ? o.profile : "ros2";
    const char *library = o.library ? o.library : "rigsync";
    if (str_size(profile) == SIZE_MAX || str_size(library) == SIZE_MAX)
        return RIG_ERROR_INVALID_ARGUMENT;

    rig_mcap_writer_t *w = calloc(1, sizeof(*w));
    if (!w)
        return RIG_ERROR_NO_MEMORY;
    w->compression = o.compression;
    w->zstd_level = o.zstd_level ? o.zstd_level : 3;
    w->chunk_size = o.chunk_size ? o.chunk_size : DEFAULT_CHUNK_SIZE;
    rig_error_t ce = rig_mcap_chunk_init(&w->chunk, &o, w->zstd_level);
    if (ce == RIG_OK &&
        (w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
        ce = RIG_ERROR_IO;
    if (ce != RIG_OK) {
        rig_mcap_chunk_free(&w->chunk);
        free(w);
        return ce;
    }
    emit(w, RIG_MCAP_MAGIC, RIG_MCAP_MAGIC_LEN);
    buf_t *s = &w->scratch;
    if (buf_reserve(s, RIG_MCAP_RECORD_PREFIX + str_size(profile) + str_size(library)) != 0) {
        w->err = RIG_ERROR_NO_MEMORY;
    } else {
        size_t at = record_begin(s, RIG_MCAP_OP_HEADER);
        put_str(s, profile, strlen(profile));
        put_str(s, library, strlen(library));
        record_end(s, at);
        emit(w, s->p, s->len);
        s->len = 0;
        commit(w);
    }
    if (w->err != RIG_OK) {
        rig_error_t err = w->err;
        w->recovered = true; /* nothing worth keeping */
        rig_mcap_writer_close(w);
        return err;
    }
    *out = w;
    return RIG_OK;
}

rig_error_t rig_mcap_writer_add_schema(rig_mcap_writer_t *w, const char *name,
                                       const char *encoding, const void *data, size_t len,
                                       uint16_t *out_id)
{
    if (!w || !name || !encoding || (!data && len) || len > UINT32_MAX)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (w->err != RIG_OK)
        return w->err;
    if (w->n_schemas >= UINT16_MAX)
        return RIG_ERROR_INVALID_ARGUMENT;
    size_t ns = str_size(name), ne = str_size(encoding);
    if (ns == SIZE_MAX || ne == SIZE_MAX)
        return RIG_ERROR_INVALID_ARGUMENT;
    buf_t *grown = realloc(w->schemas, (w->n_schemas + 1) * sizeof(*grown));
    if (!grown)
        return RIG_ERROR_NO_MEMORY;
    w->schemas = grown;
    buf_t rec = {0};
    if (buf_reserve(&rec, RIG_MCAP_RECORD_PREFIX + 2 + ns + ne + 4 + len) != 0)
        return RIG_ERROR_NO_MEMORY;
    uint16_t id = (uint16_t)(w->n_schemas + 1);
    size_t at = record_begin(&rec, RIG_MCAP_OP_SCHEMA);
    put_u16(&rec, id);
    put_str(&rec, name, strlen(name));
    put_str(&rec, encoding, strlen(encoding));
    put_u32(&rec, (uint32_t)len);
    put_bytes(&rec, data, len);
    record_end(&rec, at);
    emit(w, rec.p, rec.len);
    w->schemas[w->n_schemas++] = rec;
    commit(w);
    if (w->err == RIG_OK)
        w->done.n_schemas = w->n_schemas;
    if (out_id)
        *out_id = id;
    return settle(w);
}

rig_error_t rig_mcap_writer_add_channel(rig_mcap_writer_t *w, uint16_t schema_id,
                                        const char *topic, const char *message_encoding,
                                        const rig_mcap_kv_t *metadata, size_t n_metadata,
                                        uint16_t *out_id)
{
    if (!w || !topic || !message_encoding || (!metadata && n_metadata) ||
        schema_id > w->n_schemas)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (w->err != RIG_OK)
        return w->err;
    if (w->n_channels > UINT16_MAX)
        return RIG_ERROR_INVALID_ARGUMENT;
    size_t nt = str_size(topic), ne = str_size(message_encoding);
    size_t nm = map_size(metadata, n_metadata);
    if (nt == SIZE_MAX || ne == SIZE_MAX || nm == SIZE_MAX)
        return RIG_ERROR_INVALID_ARGUMENT;
    channel_t *grown = realloc(w->channels, (w->n_channels + 1) * sizeof(*grown));
    if (!grown)
        return RIG_ERROR_NO_MEMORY;
    w->channels = grown;
    channel_t ch = {0};
    if (buf_reserve(&ch.record, RIG_MCAP_RECORD_PREFIX + 4 + nt + ne + nm) != 0)
        return RIG_ERROR_NO_MEMORY;
    uint16_t id = (uint16_t)w->n_channels;
    size_t at = record_begin(&ch.record, RIG_MCAP_OP_CHANNEL);
    put_u16(&ch.record, id);
    put_u16(&ch.record, schema_id);
    put_str(&ch.record, topic, strlen(topic));
    put_str(&ch.record, message_encoding, strlen(message_encoding));
    put_map(&ch.record, metadata, n_metadata, nm);
    record_end(&ch.record, at);
    emit(w, ch.record.p, ch.record.len);
    w->channels[w->n_channels++] = ch;
    commit(w);
    if (w->err == RIG_OK)
        w->done.n_channels = w->n_channels;
    if (out_id)
        *out_id = id;
    return settle(w);
}

static int compare_entries(const void *a, const void *b)
{
    const index_entry_t *x = a, *y = b;
    if (x->log_time != y->log_time)
        return x->log_time < y->log_time ? -1 : 1;
    return x->offset < y->offset ? -1 : (x->offset > y->offset);
}

static void close_chunk(rig_mcap_writer_t *w)
{
    if (w->err != RIG_OK || w->chunk.bytes == 0)
        return;
    rig_error_t pe;
    const buf_t *data = rig_mcap_chunk_pack(&w->chunk, &pe);
    if (!data) {
        w->err = pe;
        return;
    }
    /* Where the file stands before this chunk, and the room for its message counts. */
    if (w->chunk_count >= w->cap_marks) {
        size_t cap = w->cap_marks ? w->cap_marks * 2 : 64;
        mark_t *m = realloc(w->marks, cap * sizeof(*m));
        if (!m) {
            w->err = RIG_ERROR_NO_MEMORY;
            return;
        }
        w->marks = m;
        w->cap_marks = cap;
    }
    w->marks[w->chunk_count] = w->done;
    if (w->n_channels > w->cap_counts - w->n_counts) {
        size_t cap = w->cap_counts ? w->cap_counts : 256;
        while (cap - w->n_counts < w->n_channels)
            cap *= 2;
        chunk_count_t *c = realloc(w->counts, cap * sizeof(*c));
        if (!c) {
            w->err = RIG_ERROR_NO_MEMORY;
            return;
        }
        w->counts = c;
        w->cap_counts = cap;
    }
    size_t counts_at = w->n_counts;
    const char *comp = rig_mcap_compression_name(w->compression);
    size_t nc = strlen(comp);
    buf_t *s = &w->scratch;
    s->len = 0;
    size_t head = RIG_MCAP_RECORD_PREFIX + 8 + 8 + 8 + 4 + 4 + nc + 8;
    if (buf_reserve(s, head) != 0) {
        w->err = RIG_ERROR_NO_MEMORY;
        return;
    }
    uint64_t chunk_start = w->offset;
    uint64_t content = head - RIG_MCAP_RECORD_PREFIX + data->len;
    put_u8(s, RIG_MCAP_OP_CHUNK);
    put_u64(s, content);
    put_u64(s, w->chunk_start_time);
    put_u64(s, w->chunk_end_time);
    put_u64(s, w->chunk.bytes);
    put_u32(s, w->chunk.crc);
    put_str(s, comp, nc);
    put_u64(s, data->len);
    emit(w, s->p, s->len);
    emit(w, data->p, data->len);
    uint64_t chunk_length = RIG_MCAP_RECORD_PREFIX + content;

    /* One Message Index per channel with messages in this chunk, by channel id. */
    size_t with_messages = 0;
    for (size_t i = 0; i < w->n_channels; i++)
        with_messages += w->channels[i].n_idx > 0;
    buf_t *ci = &w->chunk_indexes;
    size_t ci_size = RIG_MCAP_RECORD_PREFIX + 8 * 4 + 4 + 10 * with_messages + 8 + 4 + nc + 16;
    if (buf_reserve(ci, ci_size) != 0) {
        w->err = RIG_ERROR_NO_MEMORY;
        return;
    }
    size_t ci_at = record_begin(ci, RIG_MCAP_OP_CHUNK_INDEX);
    put_u64(ci, w->chunk_start_time);
    put_u64(ci, w->chunk_end_time);
    put_u64(ci, chunk_start);
    put_u64(ci, chunk_length);
    put_u32(ci, (uint32_t)(10 * with_messages));
    uint64_t index_start = w->offset;
    for (size_t i = 0; i < w->n_channels; i++) {
        channel_t *ch = &w->channels[i];
        if (ch->n_idx == 0)
            continue;
        put_u16(ci, (uint16_t)i);
        put_u64(ci, w->offset);
        qsort(ch->idx, ch->n_idx, sizeof(*ch->idx), compare_entries);
        s->len = 0;
        if (ch->n_idx > (UINT32_MAX / 16) ||
            buf_reserve(s, RIG_MCAP_RECORD_PREFIX + 2 + 4 + 16 * ch->n_idx) != 0) {
            w->err = RIG_ERROR_NO_MEMORY;
            return;
        }
        size_t at = record_begin(s, RIG_MCAP_OP_MESSAGE_INDEX);
        put_u16(s, (uint16_t)i);
        put_u32(s, (uint32_t)(16 * ch->n_idx));
        for (size_t k = 0; k < ch->n_idx; k++) {
            put_u64(s, ch->idx[k].log_time);
            put_u64(s, ch->idx[k].offset);
        }
        record_end(s, at);
        emit(w, s->p, s->len);
        w->counts[w->n_counts++] = (chunk_count_t){(uint16_t)i, ch->n_idx};
        ch->n_idx = 0;
    }
    put_u64(ci, w->offset - index_start);
    put_str(ci, comp, nc);
    put_u64(ci, data->len);
    put_u64(ci, w->chunk.bytes);
    record_end(ci, ci_at);
    s->len = 0;
    if (w->err != RIG_OK) {
        w->n_counts = counts_at;
        return;
    }

    w->chunk_count++;
    for (size_t i = counts_at; i < w->n_counts; i++)
        w->channels[w->counts[i].channel].message_count += w->counts[i].n;
    mark_t *d = &w->done;
    if (d->message_count == 0 || w->chunk_start_time < d->start_time)
        d->start_time = w->chunk_start_time;
    if (d->message_count == 0 || w->chunk_end_time > d->end_time)
        d->end_time = w->chunk_end_time;
    d->message_count += w->chunk_messages;
    d->chunk_count = w->chunk_count;
    d->chunk_indexes_len = w->chunk_indexes.len;
    d->counts_len = w->n_counts;
    commit(w);
    rig_mcap_chunk_reset(&w->chunk);
    w->chunk_messages = 0;
    w->chunk_start_time = w->chunk_end_time = 0;
}

rig_error_t rig_mcap_writer_write_message(rig_mcap_writer_t *w, uint16_t channel_id,
                                          uint32_t sequence, uint64_t log_time_ns,
                                          uint64_t publish_time_ns, const void *data, size_t len)
{
    return rig_mcap_writer_write_message_parts(w, channel_id, sequence, log_time_ns,
                                               publish_time_ns, data, len, NULL, 0);
}

rig_error_t rig_mcap_writer_write_message_parts(rig_mcap_writer_t *w, uint16_t channel_id,
                                                uint32_t sequence, uint64_t log_time_ns,
                                                uint64_t publish_time_ns, const void *head,
                                                size_t head_len, const void *tail,
                                                size_t tail_len)
{
    if (!w || (!head && head_len) || (!tail && tail_len) || channel_id >= w->n_channels)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (w->err != RIG_OK)
        return w->err;
    channel_t *ch = &w->channels[channel_id];
    if (ch->n_idx == ch->cap_idx) {
        size_t cap = ch->cap_idx ? ch->cap_idx * 2 : 64;
        index_entry_t *idx = realloc(ch->idx, cap * sizeof(*idx));
        if (!idx)
            return RIG_ERROR_NO_MEMORY;
        ch->idx = idx;
        ch->cap_idx = cap;
    }
    if (head_len > SIZE_MAX / 2 - 64 || tail_len > SIZE_MAX / 2 - 64)
        return RIG_ERROR_NO_MEMORY;
    uint8_t prefix[RIG_MCAP_RECORD_PREFIX + 2 + 4 + 8 + 8];
    prefix[0] = RIG_MCAP_OP_MESSAGE;
    rig_mcap_put_u64(prefix + 1, 2 + 4 + 8 + 8 + head_len + tail_len);
    rig_mcap_put_u16(prefix + 9, channel_id);
    rig_mcap_put_u32(prefix + 11, sequence);
    rig_mcap_put_u64(prefix + 15, log_time_ns);
    rig_mcap_put_u64(prefix + 23, publish_time_ns);
    uint64_t at = w->chunk.bytes;
    /* the data goes once from the caller's memory into the chunk (or the zstd stream) */
    rig_error_t e = rig_mcap_chunk_append(&w->chunk, prefix, sizeof prefix);
    if (e == RIG_OK)
        e = rig_mcap_chunk_append(&w->chunk, head, head_len);
    if (e == RIG_OK)
        e = rig_mcap_chunk_append(&w->chunk, tail, tail_len);
    if (e != RIG_OK) {
        w->err = e; /* the open chunk is broken: no later message could follow it */
        return settle(w);
    }
    ch->idx[ch->n_idx].log_time = log_time_ns;
    ch->idx[ch->n_idx].offset = at;
    ch->n_idx++;

    if (w->chunk_messages == 0 || log_time_ns < w->chunk_start_time)
        w->chunk_start_time = log_time_ns;
    if (w->chunk_messages == 0 || log_time_ns > w->chunk_end_time)
        w->chunk_end_time = log_time_ns;
    w->chunk_messages++;
    w->accepted++;
    if (w->chunk.bytes >= w->chunk_size)
        close_chunk(w);
    return settle(w);
}

rig_error_t rig_mcap_writer_flush_chunk(rig_mcap_writer_t *w)
{
    if (!w)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (w->err != RIG_OK)
        return w->err;
    close_chunk(w); /* written with write(2): no user-space buffer left to flush */
    return settle(w);
}

rig_error_t rig_mcap_writer_add_metadata(rig_mcap_writer_t *w, const char *name,
                                         const rig_mcap_kv_t *kv, size_t n)
{
    if (!w || !name || (!kv && n))
        return RIG_ERROR_INVALID_ARGUMENT;
    if (w->err != RIG_OK)
        return w->err;
    size_t nn = str_size(name), nm = map_size(kv, n);
    if (nn == SIZE_MAX || nm == SIZE_MAX)
        return RIG_ERROR_INVALID_ARGUMENT;
    buf_t *s = &w->scratch;
    s->len = 0;
    if (buf_reserve(s, RIG_MCAP_RECORD_PREFIX + nn + nm) != 0 ||
        buf_reserve(&w->metadata_indexes, RIG_MCAP_RECORD_PREFIX + 16 + nn) != 0)
        return RIG_ERROR_NO_MEMORY;
    uint64_t start = w->offset;
    size_t at = record_begin(s, RIG_MCAP_OP_METADATA);
    put_str(s, name, strlen(name));
    put_map(s, kv, n, nm);
    record_end(s, at);
    emit(w, s->p, s->len);
    buf_t *mi = &w->metadata_indexes;
    size_t mi_at = record_begin(mi, RIG_MCAP_OP_METADATA_INDEX);
    put_u64(mi, start);
    put_u64(mi, s->len);
    put_str(mi, name, strlen(name));
    record_end(mi, mi_at);
    s->len = 0;
    if (w->err == RIG_OK)
        w->metadata_count++;
    else
        mi->len = w->done.metadata_indexes_len;
    commit(w);
    return settle(w);
}

void rig_mcap_writer_get_stats(const rig_mcap_writer_t *w, rig_mcap_writer_stats_t *out)
{
    if (!w || !out)
        return;
    out->message_count = w->accepted;
    out->chunk_count = w->chunk_count;
    out->bytes_written = w->offset;
    out->kept_messages = w->done.message_count;
    out->kept_start_time_ns = w->done.start_time;
    out->kept_end_time_ns = w->done.end_time;
    out->dropped_chunks = w->dropped_chunks;
    out->error_errno = w->sys_errno;
    out->recovered = w->recovered;
    out->complete = w->recovered ? w->complete : w->err == RIG_OK;
}

/* Emits records as one summary group, remembered for its Summary Offset record. */
static void emit_group(rig_mcap_writer_t *w, group_t *groups, size_t *n_groups, uint8_t op,
                       const uint8_t *p, size_t len)
{
    if (len == 0 || *n_groups >= MAX_GROUPS)
        return;
    groups[*n_groups].opcode = op;
    groups[*n_groups].start = w->offset;
    groups[*n_groups].length = len;
    (*n_groups)++;
    emit(w, p, len);
}

static void write_summary_and_footer(rig_mcap_writer_t *w)
{
    buf_t *s = &w->scratch;
    s->len = 0;
    /* DataEnd: CRC of every byte from the start of the file up to this record. */
    if (buf_reserve(s, RIG_MCAP_RECORD_PREFIX + 4) != 0) {
        w->err = RIG_ERROR_NO_MEMORY;
        return;
    }
    size_t at = record_begin(s, RIG_MCAP_OP_DATA_END);
    put_u32(s, w->crc);
    record_end(s, at);
    emit(w, s->p, s->len);
    s->len = 0;

    uint64_t summary_start = w->offset;
    w->crc = 0;
    group_t groups[MAX_GROUPS];
    size_t n_groups = 0;
    size_t n_schemas = w->done.n_schemas, n_channels = w->done.n_channels;
    if (n_schemas) {
        groups[n_groups] = (group_t){RIG_MCAP_OP_SCHEMA, w->offset, 0};
        for (size_t i = 0; i < n_schemas; i++)
            emit(w, w->schemas[i].p, w->schemas[i].len);
        groups[n_groups].length = w->offset - groups[n_groups].start;
        n_groups++;
    }
    if (n_channels) {
        groups[n_groups] = (group_t){RIG_MCAP_OP_CHANNEL, w->offset, 0};
        for (size_t i = 0; i < n_channels; i++)
            emit(w, w->channels[i].record.p, w->channels[i].record.len);
        groups[n_groups].length = w->offset - groups[n_groups].start;
        n_groups++;
    }
    if (buf_reserve(s, RIG_MCAP_RECORD_PREFIX + 46 + 4 + 10 * n_channels) != 0) {
        w->err = RIG_ERROR_NO_MEMORY;
        return;
    }
    at = record_begin(s, RIG_MCAP_OP_STATISTICS);
    put_u64(s, w->done.message_count);
    put_u16(s, (uint16_t)n_schemas);
    put_u32(s, (uint32_t)n_channels);
    put_u32(s, 0); /* attachments */
    put_u32(s, w->metadata_count);
    put_u32(s, w->chunk_count);
    put_u64(s, w->done.start_time);
    put_u64(s, w->done.end_time);
    put_u32(s, (uint32_t)(10 * n_channels));
    for (size_t i = 0; i < n_channels; i++) {
        put_u16(s, (uint16_t)i);
        put_u64(s, w->channels[i].message_count);
    }
    record_end(s, at);
    emit_group(w, groups, &n_groups, RIG_MCAP_OP_STATISTICS, s->p, s->len);
    s->len = 0;
    emit_group(w, groups, &n_groups, RIG_MCAP_OP_CHUNK_INDEX, w->chunk_indexes.p,
               w->chunk_indexes.len);
    emit_group(w, groups, &n_groups, RIG_MCAP_OP_METADATA_INDEX, w->metadata_indexes.p,
               w->metadata_indexes.len);

    uint64_t summary_offset_start = w->offset;
    for (size_t i = 0; i < n_groups; i++) {
        uint8_t rec[RIG_MCAP_RECORD_PREFIX + 17];
        rec[0] = RIG_MCAP_OP_SUMMARY_OFFSET;
        rig_mcap_put_u64(rec + 1, 17);
        rec[9] = groups[i].opcode;
        rig_mcap_put_u64(rec + 10, groups[i].start);
        rig_mcap_put_u64(rec + 18, groups[i].length);
        emit(w, rec, sizeof(rec));
    }
    uint8_t footer[RIG_MCAP_RECORD_PREFIX + RIG_MCAP_FOOTER_CONTENT];
    footer[0] = RIG_MCAP_OP_FOOTER;
    rig_mcap_put_u64(footer + 1, RIG_MCAP_FOOTER_CONTENT);
    rig_mcap_put_u64(footer + 9, summary_start);
    rig_mcap_put_u64(footer + 17, summary_offset_start);
    /* summary_crc: from the summary's start through summary_offset_start in the footer. */
    uint32_t summary_crc = libdeflate_crc32(w->crc, footer, 25);
    rig_mcap_put_u32(footer + 25, summary_crc);
    emit(w, footer, sizeof(footer));
    emit(w, RIG_MCAP_MAGIC, RIG_MCAP_MAGIC_LEN);
}

rig_error_t rig_mcap_writer_finish(rig_mcap_writer_t *w)
{
    if (!w)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (w->fd < 0)
        return w->err;
    close_chunk(w);
    if (w->err == RIG_OK)
        write_summary_and_footer(w);
    settle(w);
    if (close(w->fd) != 0 && w->err == RIG_OK) {
        w->sys_errno = errno;
        w->err = RIG_ERROR_IO;
    }
    w->fd = -1;
    return w->err;
}

rig_error_t rig_mcap_writer_close(rig_mcap_writer_t *w)
{
    if (!w)
        return RIG_OK;
    rig_error_t err = rig_mcap_writer_finish(w);
    for (size_t i = 0; i < w->n_schemas; i++)
        free(w->schemas[i].p);
    free(w->schemas);
    for (size_t i = 0; i < w->n_channels; i++) {
        free(w->channels[i].record.p);
        free(w->channels[i].idx);
    }
    free(w->channels);
    rig_mcap_chunk_free(&w->chunk);
    free(w->scratch.p);
    free(w->chunk_indexes.p);
    free(w->metadata_indexes.p);
    free(w->marks);
    free(w->counts);
    free(w);
    return err;
}
