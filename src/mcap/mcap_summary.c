/* MCAP reader: the footer and summary section, the chunk list, one chunk by its offset (see
 * mcap_reader.h). */
#include <stdlib.h>
#include <string.h>

#include "mcap/mcap_reader.h"
#include "mcap/mcap_reader_impl.h"

static rig_error_t add_ref(rig_mcap_reader_t *r, rig_mcap_chunk_ref_t ref)
{
    if ((r->n_chunk_refs & (r->n_chunk_refs - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
        size_t cap = r->n_chunk_refs ? 2 * r->n_chunk_refs : 16;
        rig_mcap_chunk_ref_t *g = realloc(r->chunk_refs, cap * sizeof(*g));
        if (!g)
            return RIG_ERROR_NO_MEMORY;
        r->chunk_refs = g;
    }
    r->chunk_refs[r->n_chunk_refs++] = ref;
    return RIG_OK;
}

static void set_compression(rig_mcap_chunk_ref_t *ref, const uint8_t *p, uint32_t n)
{
    if (!p || n >= sizeof(ref->compression))
        memcpy(ref->compression, "?", 2);
    else {
        memcpy(ref->compression, p, n);
        ref->compression[n] = '\0';
    }
}

static int by_offset(const void *a, const void *b)
{
    uint64_t x = ((const rig_mcap_chunk_ref_t *)a)->offset;
    uint64_t y = ((const rig_mcap_chunk_ref_t *)b)->offset;
    return (x > y) - (x < y);
}

/* Checks that a Chunk Index's chunk_start_offset holds a Chunk record of chunk_length bytes. */
static rig_error_t check_chunk_index(rig_mcap_reader_t *r, mcapr_cursor_t *c, uint64_t off,
                                     uint64_t summary_start)
{
    rig_mcap_chunk_ref_t ref;
    memset(&ref, 0, sizeof ref);
    ref.message_start_time = mcapr_get64(c);
    ref.message_end_time = mcapr_get64(c);
    uint64_t start = mcapr_get64(c);
    uint64_t length = mcapr_get64(c);
    uint32_t n_comp;
    mcapr_take(c, mcapr_get32(c)); /* message index offsets */
    mcapr_get64(c);                                        /* message index length */
    const uint8_t *comp = mcapr_get_str(c, &n_comp);
    ref.compressed_size = mcapr_get64(c);
    ref.uncompressed_size = mcapr_get64(c);
    set_compression(&ref, comp, n_comp);
    if (c->bad)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                          "a Chunk Index record's fields overrun it");
    uint8_t prefix[RIG_MCAP_RECORD_PREFIX];
    if (start > summary_start || length > summary_start - start ||
        length < RIG_MCAP_RECORD_PREFIX ||
        mcapr_read_at(r, start, prefix, sizeof(prefix)) != sizeof(prefix) ||
        prefix[0] != RIG_MCAP_OP_CHUNK ||
        rig_mcap_get_u64(prefix + 1) != length - RIG_MCAP_RECORD_PREFIX)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                          "a Chunk Index points at offset %llu, where no Chunk of %llu bytes is",
                          (unsigned long long)start, (unsigned long long)length);
    ref.offset = start;
    ref.length = length;
    return add_ref(r, ref);
}

static rig_error_t parse_statistics(rig_mcap_reader_t *r, mcapr_cursor_t *c, uint64_t off,
                                    rig_mcap_summary_t *s)
{
    s->message_count = mcapr_get64(c);
    s->schema_count = mcapr_get16(c);
    s->channel_count = mcapr_get32(c);
    s->attachment_count = mcapr_get32(c);
    s->metadata_count = mcapr_get32(c);
    s->chunk_count = mcapr_get32(c);
    s->message_start_time = mcapr_get64(c);
    s->message_end_time = mcapr_get64(c);
    uint32_t map_len = mcapr_get32(c);
    const uint8_t *map = mcapr_take(c, map_len);
    if (c->bad || map_len % 10 != 0)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                          "a Statistics record's fields overrun it");
    free(r->counts);
    r->counts = NULL;
    size_t n = map_len / 10;
    if (n) {
        r->counts = malloc(n * sizeof(*r->counts));
        if (!r->counts)
            return RIG_ERROR_NO_MEMORY;
    }
    for (size_t i = 0; i < n; i++) {
        r->counts[i].channel_id = rig_mcap_get_u16(map + 10 * i);
        r->counts[i].count = rig_mcap_get_u64(map + 10 * i + 2);
    }
    s->channel_counts = r->counts;
    s->n_channel_counts = n;
    s->has_statistics = true;
    return RIG_OK;
}

rig_error_t rig_mcap_reader_read_summary(rig_mcap_reader_t *r, rig_mcap_summary_t *out)
{
    if (!r || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    if (!r->f)
        return RIG_ERROR_IO;
    const size_t tail = RIG_MCAP_RECORD_PREFIX + RIG_MCAP_FOOTER_CONTENT + RIG_MCAP_MAGIC_LEN;
    if (r->file_size < RIG_MCAP_MAGIC_LEN + tail)
        return mcapr_fail(r, RIG_MCAP_FAULT_TRUNCATED, r->file_size,
                          "the file is too short for a Footer");
    uint64_t footer_off = r->file_size - tail;
    uint8_t t[RIG_MCAP_RECORD_PREFIX + RIG_MCAP_FOOTER_CONTENT + RIG_MCAP_MAGIC_LEN];
    if (mcapr_read_at(r, footer_off, t, tail) != tail)
        return mcapr_fail(r, RIG_MCAP_FAULT_IO, footer_off, "cannot read the Footer");
    if (memcmp(t + tail - RIG_MCAP_MAGIC_LEN, RIG_MCAP_MAGIC, RIG_MCAP_MAGIC_LEN) != 0)
        return mcapr_fail(r, RIG_MCAP_FAULT_TRUNCATED, r->file_size - RIG_MCAP_MAGIC_LEN,
                          "no MCAP magic at the end: the file is cut or was not closed");
    if (t[0] != RIG_MCAP_OP_FOOTER || rig_mcap_get_u64(t + 1) != RIG_MCAP_FOOTER_CONTENT)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, footer_off,
                          "no Footer record before the end magic");
    out->summary_start = rig_mcap_get_u64(t + 9);
    out->summary_offset_start = rig_mcap_get_u64(t + 17);
    out->summary_crc = rig_mcap_get_u32(t + 25);
    r->n_chunk_refs = 0;
    r->have_index = false;
    if (out->summary_start == 0)
        return RIG_OK;
    if (out->summary_start < RIG_MCAP_MAGIC_LEN || out->summary_start > footer_off ||
        (out->summary_offset_start != 0 && (out->summary_offset_start < out->summary_start ||
                                            out->summary_offset_start > footer_off)))
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, footer_off,
                          "the Footer's summary offsets (%llu, %llu) are outside the file",
                          (unsigned long long)out->summary_start,
                          (unsigned long long)out->summary_offset_start);
    uint64_t n = footer_off - out->summary_start;
    if (n > r->max_record)
        return mcapr_fail(r, RIG_MCAP_FAULT_TOO_LARGE, out->summary_start,
                          "a summary of %llu bytes, over the reader's limit",
                          (unsigned long long)n);
    uint8_t *sum = malloc(n ? (size_t)n : 1);
    if (!sum)
        return RIG_ERROR_NO_MEMORY;
    rig_error_t err = RIG_OK;
    if (mcapr_read_at(r, out->summary_start, sum, (size_t)n) != n) {
        err = mcapr_fail(r, RIG_MCAP_FAULT_IO, out->summary_start, "cannot read the summary");
        goto done;
    }
    if (out->summary_crc != 0) {
        uint32_t crc = mcapr_crc_update(mcapr_crc_update(0, sum, (size_t)n), t, 25);
        if (crc != out->summary_crc) {
            err = mcapr_fail(r, RIG_MCAP_FAULT_CRC, out->summary_start,
                             "the summary's CRC is 0x%08x, its bytes' is 0x%08x", out->summary_crc,
                             crc);
            goto done;
        }
    }
    for (size_t at = 0; at < n && err == RIG_OK;) {
        uint64_t off = out->summary_start + at;
        if (n - at < RIG_MCAP_RECORD_PREFIX ||
            rig_mcap_get_u64(sum + at + 1) > n - at - RIG_MCAP_RECORD_PREFIX) {
            err = mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                             "a summary record overruns the summary");
            break;
        }
        uint8_t op = sum[at];
        size_t len = (size_t)rig_mcap_get_u64(sum + at + 1);
        mcapr_cursor_t c = {sum + at + RIG_MCAP_RECORD_PREFIX, len, 0, false};
        switch (op) {
        case RIG_MCAP_OP_SCHEMA:
            out->n_schemas++;
            err = mcapr_add_schema(r, c.p, len, off);
            break;
        case RIG_MCAP_OP_CHANNEL:
            out->n_channels++;
            err = mcapr_add_channel(r, c.p, len, off);
            break;
        case RIG_MCAP_OP_STATISTICS:
            err = parse_statistics(r, &c, off, out);
            break;
        case RIG_MCAP_OP_CHUNK_INDEX:
            out->n_chunk_indexes++;
            err = check_chunk_index(r, &c, off, out->summary_start);
            break;
        case RIG_MCAP_OP_METADATA_INDEX:
            out->n_metadata_indexes++;
            break;
        case RIG_MCAP_OP_SUMMARY_OFFSET:
            out->n_summary_offsets++;
            break;
        default:
            break;
        }
        at += RIG_MCAP_RECORD_PREFIX + len;
    }
done:
    free(sum);
    if (err == RIG_OK && out->n_chunk_indexes) {
        r->have_index = true;
        qsort(r->chunk_refs, r->n_chunk_refs, sizeof(*r->chunk_refs), by_offset);
    } else {
        r->n_chunk_refs = 0;
    }
    return err;
}


/* Walks the data section's record framing from the Header on: chunks (their header fields
 * only), Schema and Channel records. Stops at DataEnd, or at a cut or broken record (problem
 * set, RIG_OK: the chunks before it stand). */
static rig_error_t walk_chunks(rig_mcap_reader_t *r)
{
    uint64_t off = RIG_MCAP_MAGIC_LEN;
    uint8_t prefix[RIG_MCAP_RECORD_PREFIX + 64];
    bool first = true;
    for (;;) {
        size_t got = mcapr_read_at(r, off, prefix, sizeof(prefix));
        if (got < RIG_MCAP_RECORD_PREFIX && off >= r->file_size) {
            mcapr_fail(r, RIG_MCAP_FAULT_TRUNCATED, off,
                       "the file ends after the last complete record, without a DataEnd record");
            return RIG_OK;
        }
        if (got < RIG_MCAP_RECORD_PREFIX) {
            mcapr_fail(r, RIG_MCAP_FAULT_TRUNCATED, off,
                       "the file ends %s, without a DataEnd record",
                       got ? "inside a record's prefix" : "after the last complete record");
            return RIG_OK;
        }
        uint8_t op = prefix[0];
        uint64_t n = rig_mcap_get_u64(prefix + 1);
        if (n > r->file_size - off - RIG_MCAP_RECORD_PREFIX) {
            mcapr_fail(r, RIG_MCAP_FAULT_TRUNCATED, off,
                       "the file ends inside a record (opcode 0x%02x, %llu bytes)", op,
                       (unsigned long long)n);
            return RIG_OK;
        }
        if (first != (op == RIG_MCAP_OP_HEADER) || op == RIG_MCAP_OP_FOOTER) {
            mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a %s record inside the data section",
                       op == RIG_MCAP_OP_HEADER   ? "Header"
                       : op == RIG_MCAP_OP_FOOTER ? "Footer"
                                                  : "misplaced");
            return RIG_OK;
        }
        first = false;
        if (op == RIG_MCAP_OP_DATA_END)
            return RIG_OK;
        rig_error_t err = RIG_OK;
        if (op == RIG_MCAP_OP_CHUNK) {
            mcapr_cursor_t c = {prefix + RIG_MCAP_RECORD_PREFIX,
                                got - RIG_MCAP_RECORD_PREFIX < n ? got - RIG_MCAP_RECORD_PREFIX
                                                                 : (size_t)n,
                                0, false};
            rig_mcap_chunk_ref_t ref;
            memset(&ref, 0, sizeof ref);
            ref.offset = off;
            ref.length = RIG_MCAP_RECORD_PREFIX + n;
            ref.message_start_time = mcapr_get64(&c);
            ref.message_end_time = mcapr_get64(&c);
            ref.uncompressed_size = mcapr_get64(&c);
            mcapr_get32(&c); /* uncompressed crc */
            uint32_t n_comp;
            const uint8_t *comp = mcapr_get_str(&c, &n_comp);
            ref.compressed_size = mcapr_get64(&c);
            if (c.bad) {
                mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                           "a Chunk record's fields overrun it (%llu bytes)",
                           (unsigned long long)n);
                return RIG_OK;
            }
            set_compression(&ref, comp, n_comp);
            err = add_ref(r, ref);
        } else if (op == RIG_MCAP_OP_SCHEMA || op == RIG_MCAP_OP_CHANNEL) {
            uint8_t o;
            size_t len;
            err = mcapr_read_record(r, off, false, &o, &len);
            if (err == RIG_OK)
                err = op == RIG_MCAP_OP_SCHEMA ? mcapr_add_schema(r, r->record, len, off)
                                               : mcapr_add_channel(r, r->record, len, off);
            if (err == RIG_ERROR_IO)
                return RIG_OK;
        }
        if (err != RIG_OK)
            return err;
        off += RIG_MCAP_RECORD_PREFIX + n;
    }
}

rig_error_t rig_mcap_reader_list_chunks(rig_mcap_reader_t *r, const rig_mcap_chunk_ref_t **out,
                                        size_t *n)
{
    if (!r || !out || !n)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (!r->f)
        return RIG_ERROR_IO;
    if (!r->have_index) {
        r->n_chunk_refs = 0;
        rig_error_t err = walk_chunks(r);
        if (err != RIG_OK)
            return err;
    }
    *out = r->chunk_refs;
    *n = r->n_chunk_refs;
    return RIG_OK;
}

rig_error_t rig_mcap_reader_load_chunk(rig_mcap_reader_t *r, uint64_t offset)
{
    if (!r)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (!r->f)
        return RIG_ERROR_IO;
    r->chunk = NULL;
    uint8_t op;
    size_t len;
    rig_error_t err = mcapr_read_record(r, offset, false, &op, &len);
    if (err != RIG_OK)
        return err;
    if (op != RIG_MCAP_OP_CHUNK)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, offset,
                          "no Chunk record at this offset (opcode 0x%02x)", op);
    return mcapr_open_chunk(r, len, offset);
}

rig_error_t rig_mcap_reader_chunk_message(rig_mcap_reader_t *r, rig_mcap_message_t *msg,
                                          bool *got)
{
    if (!r || !msg || !got)
        return RIG_ERROR_INVALID_ARGUMENT;
    return mcapr_chunk_next(r, msg, got);
}
