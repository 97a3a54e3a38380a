/* MCAP reader (see mcap_reader.h). */
#include "mcap/mcap_reader.h"
#include "mcap/mcap_reader_impl.h"

#include <lz4frame.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <zlib.h>
#include <zstd.h>


#define DEFAULT_MAX_RECORD (512ull * 1024 * 1024)
#define N_CHANNEL_IDS 65536

static const char *const fault_names[] = {"none",      "io",  "bad_magic",   "truncated",
                                          "malformed", "crc", "compression", "too_large"};

const char *rig_mcap_fault_name(rig_mcap_fault_t fault)
{
    if ((unsigned)fault < sizeof(fault_names) / sizeof(fault_names[0]))
        return fault_names[fault];
    return "unknown";
}

rig_error_t mcapr_fail(rig_mcap_reader_t *r, rig_mcap_fault_t fault, uint64_t offset,
                        const char *fmt, ...)
{
    r->problem.fault = fault;
    r->problem.offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problem.what, sizeof(r->problem.what), fmt, ap);
    va_end(ap);
    return RIG_ERROR_IO;
}

uint32_t mcapr_crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n) {
        uInt part = n > 0x40000000u ? 0x40000000u : (uInt)n;
        crc = (uint32_t)crc32(crc, p, part);
        p += part;
        n -= part;
    }
    return crc;
}

/* Reads exactly n bytes at off; returns the number read (short at the end of the file). */
size_t mcapr_read_at(rig_mcap_reader_t *r, uint64_t off, void *p, size_t n)
{
    if (off > (uint64_t)INT64_MAX || fseeko(r->f, (off_t)off, SEEK_SET) != 0)
        return 0;
    return fread(p, 1, n, r->f);
}

/* Grows *p to n bytes; never leaves it NULL (an empty record or chunk still has a buffer, so
 * pointer arithmetic on it is defined). */
static int reserve(uint8_t **p, size_t *cap, size_t n)
{
    if (n <= *cap && *p)
        return 0;
    uint8_t *q = realloc(*p, n ? n : 1);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static char *dup_str(const uint8_t *p, uint32_t n)
{
    char *s = malloc((size_t)n + 1);
    if (s) {
        if (n)
            memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

rig_error_t rig_mcap_reader_open(const char *path, uint64_t max_record_size,
                                 rig_mcap_reader_t **out)
{
    if (!path || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    rig_mcap_reader_t *r = calloc(1, sizeof(*r));
    if (!r)
        return RIG_ERROR_NO_MEMORY;
    r->max_record = max_record_size ? max_record_size : DEFAULT_MAX_RECORD;
    r->slot = malloc(N_CHANNEL_IDS * sizeof(*r->slot));
    if (!r->slot) {
        free(r);
        return RIG_ERROR_NO_MEMORY;
    }
    memset(r->slot, 0xff, N_CHANNEL_IDS * sizeof(*r->slot)); /* every slot -1: no channel */
    *out = r;
    r->f = fopen(path, "rb");
    if (!r->f)
        return mcapr_fail(r, RIG_MCAP_FAULT_IO, 0, "cannot open the file");
    struct stat st;
    if (fstat(fileno(r->f), &st) != 0 || st.st_size < 0)
        return mcapr_fail(r, RIG_MCAP_FAULT_IO, 0, "cannot read the file's size");
    r->file_size = (uint64_t)st.st_size;

    uint8_t head[RIG_MCAP_MAGIC_LEN + RIG_MCAP_RECORD_PREFIX];
    size_t got = mcapr_read_at(r, 0, head, sizeof(head));
    if (got < RIG_MCAP_MAGIC_LEN || memcmp(head, RIG_MCAP_MAGIC, RIG_MCAP_MAGIC_LEN) != 0)
        return mcapr_fail(r, RIG_MCAP_FAULT_BAD_MAGIC, 0,
                          "no MCAP magic at the start: not an MCAP file");
    if (got < sizeof(head))
        return mcapr_fail(r, RIG_MCAP_FAULT_TRUNCATED, RIG_MCAP_MAGIC_LEN,
                          "the file ends before the Header record");
    if (head[RIG_MCAP_MAGIC_LEN] != RIG_MCAP_OP_HEADER)
        return mcapr_fail(r, RIG_MCAP_FAULT_BAD_MAGIC, RIG_MCAP_MAGIC_LEN,
                          "the first record is opcode 0x%02x, not a Header",
                          head[RIG_MCAP_MAGIC_LEN]);
    uint64_t len = rig_mcap_get_u64(head + RIG_MCAP_MAGIC_LEN + 1);
    if (len > r->max_record || len > r->file_size - sizeof(head))
        return mcapr_fail(r, RIG_MCAP_FAULT_TRUNCATED, RIG_MCAP_MAGIC_LEN,
                          "the Header record's length %llu runs past the end of the file",
                          (unsigned long long)len);
    if (reserve(&r->record, &r->record_cap, (size_t)len) != 0)
        return RIG_ERROR_NO_MEMORY;
    if (mcapr_read_at(r, sizeof(head), r->record, (size_t)len) != len)
        return mcapr_fail(r, RIG_MCAP_FAULT_IO, sizeof(head), "cannot read the Header record");
    mcapr_cursor_t c = {r->record, (size_t)len, 0, false};
    uint32_t np, nl;
    const uint8_t *p = mcapr_get_str(&c, &np);
    const uint8_t *l = mcapr_get_str(&c, &nl);
    if (c.bad)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, RIG_MCAP_MAGIC_LEN,
                          "the Header's strings overrun the record");
    r->profile = dup_str(p, np);
    r->library = dup_str(l, nl);
    if (!r->profile || !r->library)
        return RIG_ERROR_NO_MEMORY;
    r->crc = mcapr_crc_update(0, head, sizeof(head));
    r->crc = mcapr_crc_update(r->crc, r->record, (size_t)len);
    r->pos = sizeof(head) + len;
    r->stats.complete_bytes = r->pos;
    return RIG_OK;
}

const char *rig_mcap_reader_profile(const rig_mcap_reader_t *r) { return r ? r->profile : NULL; }
const char *rig_mcap_reader_library(const rig_mcap_reader_t *r) { return r ? r->library : NULL; }

const rig_mcap_problem_t *rig_mcap_reader_problem(const rig_mcap_reader_t *r)
{
    return r ? &r->problem : NULL;
}

const rig_mcap_channel_t *rig_mcap_reader_channel(const rig_mcap_reader_t *r, uint16_t id)
{
    if (!r || r->slot[id] < 0)
        return NULL;
    return &r->channels[r->slot[id]].pub;
}

void rig_mcap_reader_data_stats(const rig_mcap_reader_t *r, rig_mcap_data_stats_t *out)
{
    if (r && out)
        *out = r->stats;
}

rig_error_t mcapr_add_channel(rig_mcap_reader_t *r, const uint8_t *p, size_t len, uint64_t off)
{
    mcapr_cursor_t c = {p, len, 0, false};
    uint16_t id = mcapr_get16(&c);
    uint16_t schema_id = mcapr_get16(&c);
    uint32_t nt, ne;
    const uint8_t *topic = mcapr_get_str(&c, &nt);
    const uint8_t *enc = mcapr_get_str(&c, &ne);
    uint32_t nm = mcapr_get32(&c);
    mcapr_take(&c, nm);
    if (c.bad)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Channel record's fields overrun it");
    if (r->slot[id] >= 0)
        return RIG_OK; /* the spec: records sharing an id are identical */
    mcapr_channel_t *grown = realloc(r->channels, (r->n_channels + 1) * sizeof(*grown));
    if (!grown)
        return RIG_ERROR_NO_MEMORY;
    r->channels = grown;
    mcapr_channel_t *ch = &r->channels[r->n_channels];
    ch->topic = dup_str(topic, nt);
    ch->encoding = dup_str(enc, ne);
    if (!ch->topic || !ch->encoding) {
        free(ch->topic);
        free(ch->encoding);
        return RIG_ERROR_NO_MEMORY;
    }
    ch->pub = (rig_mcap_channel_t){id, schema_id, ch->topic, ch->encoding};
    r->slot[id] = (int32_t)r->n_channels++;
    r->stats.channels++;
    return RIG_OK;
}

rig_error_t mcapr_add_schema(rig_mcap_reader_t *r, const uint8_t *p, size_t len, uint64_t off)
{
    mcapr_cursor_t c = {p, len, 0, false};
    uint16_t id = mcapr_get16(&c);
    uint32_t nn, ne, nd;
    const uint8_t *name = mcapr_get_str(&c, &nn);
    const uint8_t *enc = mcapr_get_str(&c, &ne);
    const uint8_t *data = mcapr_get_str(&c, &nd);
    if (c.bad)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Schema record's fields overrun it");
    r->stats.schemas++;
    if (rig_mcap_reader_schema(r, id))
        return RIG_OK; /* records sharing an id are identical */
    mcapr_schema_t *grown = realloc(r->schemas, (r->n_schemas + 1) * sizeof(*grown));
    if (!grown)
        return RIG_ERROR_NO_MEMORY;
    r->schemas = grown;
    mcapr_schema_t *s = &r->schemas[r->n_schemas];
    s->name = dup_str(name, nn);
    s->encoding = dup_str(enc, ne);
    s->data = (uint8_t *)dup_str(data, nd);
    if (!s->name || !s->encoding || !s->data) {
        free(s->name);
        free(s->encoding);
        free(s->data);
        return RIG_ERROR_NO_MEMORY;
    }
    s->pub = (rig_mcap_schema_t){id, s->name, s->encoding, s->data, nd};
    r->n_schemas++;
    return RIG_OK;
}

static void free_metadata(mcapr_metadata_t *m)
{
    for (size_t i = 0; i < m->pub.n; i++) {
        free(m->keys[i]);
        free(m->values[i]);
    }
    free(m->keys);
    free(m->values);
    free(m->name);
}

static rig_error_t add_metadata(rig_mcap_reader_t *r, const uint8_t *p, size_t len, uint64_t off)
{
    mcapr_cursor_t c = {p, len, 0, false};
    uint32_t nn, nmap;
    const uint8_t *name = mcapr_get_str(&c, &nn);
    const uint8_t *map = mcapr_get_str(&c, &nmap);
    if (c.bad)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                          "a Metadata record's fields overrun it");
    /* count the pairs first: each takes at least 8 bytes */
    mcapr_cursor_t m = {map, nmap, 0, false};
    size_t n = 0;
    while (!m.bad && m.at < m.len) {
        uint32_t nk, nv;
        mcapr_get_str(&m, &nk);
        mcapr_get_str(&m, &nv);
        n++;
    }
    if (m.bad)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Metadata record's map overruns it");
    mcapr_metadata_t *grown = realloc(r->metadata, (r->n_metadata + 1) * sizeof(*grown));
    if (!grown)
        return RIG_ERROR_NO_MEMORY;
    r->metadata = grown;
    mcapr_metadata_t *md = &r->metadata[r->n_metadata];
    memset(md, 0, sizeof(*md));
    md->name = dup_str(name, nn);
    md->keys = calloc(n ? n : 1, sizeof(char *));
    md->values = calloc(n ? n : 1, sizeof(char *));
    if (!md->name || !md->keys || !md->values) {
        free_metadata(md);
        return RIG_ERROR_NO_MEMORY;
    }
    m = (mcapr_cursor_t){map, nmap, 0, false};
    for (size_t i = 0; i < n; i++) {
        uint32_t nk, nv;
        const uint8_t *k = mcapr_get_str(&m, &nk);
        const uint8_t *v = mcapr_get_str(&m, &nv);
        md->keys[i] = dup_str(k, nk);
        md->values[i] = dup_str(v, nv);
        md->pub.n = i + 1;
        if (!md->keys[i] || !md->values[i]) {
            free_metadata(md);
            return RIG_ERROR_NO_MEMORY;
        }
    }
    md->pub.name = md->name;
    md->pub.keys = (const char *const *)md->keys;
    md->pub.values = (const char *const *)md->values;
    r->n_metadata++;
    return RIG_OK;
}

const rig_mcap_schema_t *rig_mcap_reader_schema(const rig_mcap_reader_t *r, uint16_t id)
{
    for (size_t i = 0; r && i < r->n_schemas; i++)
        if (r->schemas[i].pub.id == id)
            return &r->schemas[i].pub;
    return NULL;
}

size_t rig_mcap_reader_metadata_count(const rig_mcap_reader_t *r) { return r ? r->n_metadata : 0; }

const rig_mcap_metadata_t *rig_mcap_reader_metadata(const rig_mcap_reader_t *r, size_t i)
{
    return r && i < r->n_metadata ? &r->metadata[i].pub : NULL;
}

/* Parses a Message record's content; RIG_OK with msg filled. */
static rig_error_t parse_message(rig_mcap_reader_t *r, const uint8_t *p, size_t len, uint64_t off,
                                 rig_mcap_message_t *msg)
{
    if (len < 22)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Message record of %zu bytes (< 22)",
                          len);
    msg->channel_id = rig_mcap_get_u16(p);
    msg->sequence = rig_mcap_get_u32(p + 2);
    msg->log_time_ns = rig_mcap_get_u64(p + 6);
    msg->publish_time_ns = rig_mcap_get_u64(p + 14);
    msg->data = p + 22;
    msg->len = len - 22;
    if (r->slot[msg->channel_id] < 0)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                          "a Message on channel %u, which no earlier Channel record defines",
                          (unsigned)msg->channel_id);
    r->stats.messages++;
    return RIG_OK;
}

/* Every record of a chunk frames inside it and every Message is whole and on a channel defined
 * before it (Channel records of the chunk are taken in on the way): a chunk is returned whole or
 * not at all. */
static rig_error_t check_chunk_records(rig_mcap_reader_t *r, const uint8_t *p, size_t n,
                                       uint64_t off)
{
    for (size_t at = 0; at < n;) {
        size_t left = n - at;
        if (left < RIG_MCAP_RECORD_PREFIX ||
            rig_mcap_get_u64(p + at + 1) > left - RIG_MCAP_RECORD_PREFIX)
            return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                              "a record inside the Chunk overruns it (at %zu of %zu bytes)", at, n);
        size_t len = (size_t)rig_mcap_get_u64(p + at + 1);
        const uint8_t *q = p + at + RIG_MCAP_RECORD_PREFIX;
        rig_error_t err = RIG_OK;
        if (p[at] == RIG_MCAP_OP_MESSAGE) {
            if (len < 22)
                return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                                  "a Message record of %zu bytes (< 22) inside the Chunk (at %zu)",
                                  len, at);
            if (r->slot[rig_mcap_get_u16(q)] < 0)
                return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                                  "a Message on channel %u, which no earlier Channel record "
                                  "defines, inside the Chunk (at %zu)",
                                  (unsigned)rig_mcap_get_u16(q), at);
        } else if (p[at] == RIG_MCAP_OP_CHANNEL) {
            err = mcapr_add_channel(r, q, len, off);
        } else if (p[at] == RIG_MCAP_OP_SCHEMA) {
            err = mcapr_add_schema(r, q, len, off);
        }
        if (err != RIG_OK)
            return err;
        at += RIG_MCAP_RECORD_PREFIX + len;
    }
    return RIG_OK;
}

/* Decompresses and checks the Chunk in r->record (content of len bytes at file offset off) and
 * makes it the chunk being iterated. */
rig_error_t mcapr_open_chunk(rig_mcap_reader_t *r, size_t len, uint64_t off)
{
    mcapr_cursor_t c = {r->record, len, 0, false};
    mcapr_get64(&c); /* message_start_time */
    mcapr_get64(&c); /* message_end_time */
    uint64_t usize = mcapr_get64(&c);
    uint32_t ucrc = mcapr_get32(&c);
    uint32_t nc;
    const uint8_t *comp = mcapr_get_str(&c, &nc);
    uint64_t csize = mcapr_get64(&c);
    if (c.bad || csize > c.len - c.at)
        return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Chunk record's fields overrun it");
    const uint8_t *data = c.p + c.at;
    if (usize > r->max_record)
        return mcapr_fail(r, RIG_MCAP_FAULT_TOO_LARGE, off,
                          "a Chunk of %llu uncompressed bytes, over the reader's limit of %llu",
                          (unsigned long long)usize, (unsigned long long)r->max_record);
    const uint8_t *records;
    if (nc == 0) {
        if (csize != usize)
            return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                              "an uncompressed Chunk whose sizes differ (%llu, %llu)",
                              (unsigned long long)csize, (unsigned long long)usize);
        records = data;
    } else if (nc == 4 && memcmp(comp, "zstd", 4) == 0) {
        if (reserve(&r->unpacked, &r->unpacked_cap, (size_t)usize) != 0)
            return RIG_ERROR_NO_MEMORY;
        size_t n = ZSTD_decompress(r->unpacked, (size_t)usize, data, (size_t)csize);
        if (ZSTD_isError(n) || n != usize)
            return mcapr_fail(r, RIG_MCAP_FAULT_COMPRESSION, off,
                              "a zstd Chunk does not decompress to its %llu bytes",
                              (unsigned long long)usize);
        records = r->unpacked;
    } else if (nc == 3 && memcmp(comp, "lz4", 3) == 0) {
        if (reserve(&r->unpacked, &r->unpacked_cap, (size_t)usize) != 0)
            return RIG_ERROR_NO_MEMORY;
        LZ4F_dctx *dctx = NULL;
        if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
            return RIG_ERROR_NO_MEMORY;
        size_t in_at = 0, out_at = 0;
        size_t hint = 1;
        while (hint != 0 && in_at < csize) {
            size_t in_n = (size_t)csize - in_at, out_n = (size_t)usize - out_at;
            hint = LZ4F_decompress(dctx, r->unpacked + out_at, &out_n, data + in_at, &in_n, NULL);
            if (LZ4F_isError(hint) || (in_n == 0 && out_n == 0))
                break;
            in_at += in_n;
            out_at += out_n;
        }
        LZ4F_freeDecompressionContext(dctx);
        if (hint != 0 || out_at != usize)
            return mcapr_fail(r, RIG_MCAP_FAULT_COMPRESSION, off,
                              "an lz4 Chunk does not decompress to its %llu bytes",
                              (unsigned long long)usize);
        records = r->unpacked;
    } else {
        char name[32];
        snprintf(name, sizeof(name), "%.*s", (int)(nc < 24 ? nc : 24), (const char *)comp);
        return mcapr_fail(r, RIG_MCAP_FAULT_COMPRESSION, off,
                          "a Chunk compressed with unknown \"%s\"", name);
    }
    if (ucrc != 0) {
        uint32_t crc = mcapr_crc_update(0, records, (size_t)usize);
        if (crc != ucrc)
            return mcapr_fail(r, RIG_MCAP_FAULT_CRC, off,
                              "a Chunk's CRC is 0x%08x, its records' is 0x%08x", ucrc, crc);
    }
    rig_error_t err = check_chunk_records(r, records, (size_t)usize, off);
    if (err != RIG_OK)
        return err;
    r->chunk = records;
    r->chunk_len = (size_t)usize;
    r->chunk_at = 0;
    r->chunk_offset = off;
    r->stats.chunks++;
    return RIG_OK;
}

rig_error_t mcapr_read_record(rig_mcap_reader_t *r, uint64_t off, bool crc, uint8_t *op,
                              size_t *len)
{
    uint8_t prefix[RIG_MCAP_RECORD_PREFIX];
    size_t got = mcapr_read_at(r, off, prefix, sizeof(prefix));
    if (got == 0 && off >= r->file_size)
        return mcapr_fail(r, RIG_MCAP_FAULT_TRUNCATED, off,
                          "the file ends after the last complete record, without a DataEnd record");
    if (got < sizeof(prefix))
        return mcapr_fail(r, RIG_MCAP_FAULT_TRUNCATED, off,
                          "the file ends inside a record's prefix");
    uint64_t n = rig_mcap_get_u64(prefix + 1);
    if (n > r->file_size - off - sizeof(prefix))
        return mcapr_fail(r, RIG_MCAP_FAULT_TRUNCATED, off,
                          "the file ends inside a record (opcode 0x%02x, %llu bytes)", prefix[0],
                          (unsigned long long)n);
    if (n > r->max_record || n > SIZE_MAX)
        return mcapr_fail(r, RIG_MCAP_FAULT_TOO_LARGE, off,
                          "a record of %llu bytes, over the reader's limit of %llu",
                          (unsigned long long)n, (unsigned long long)r->max_record);
    if (reserve(&r->record, &r->record_cap, (size_t)n) != 0)
        return RIG_ERROR_NO_MEMORY;
    if (mcapr_read_at(r, off + sizeof(prefix), r->record, (size_t)n) != n)
        return mcapr_fail(r, RIG_MCAP_FAULT_IO, off, "cannot read a record");
    *op = prefix[0];
    *len = (size_t)n;
    if (crc && prefix[0] != RIG_MCAP_OP_DATA_END) {
        r->crc = mcapr_crc_update(r->crc, prefix, sizeof(prefix));
        r->crc = mcapr_crc_update(r->crc, r->record, (size_t)n);
    }
    return RIG_OK;
}

/* The next record inside the current chunk; false when the chunk is exhausted. */
rig_error_t mcapr_chunk_next(rig_mcap_reader_t *r, rig_mcap_message_t *msg, bool *got)
{
    *got = false;
    while (r->chunk && r->chunk_at < r->chunk_len) {
        size_t left = r->chunk_len - r->chunk_at;
        const uint8_t *p = r->chunk + r->chunk_at;
        if (left < RIG_MCAP_RECORD_PREFIX ||
            rig_mcap_get_u64(p + 1) > left - RIG_MCAP_RECORD_PREFIX)
            return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, r->chunk_offset,
                              "a record inside the Chunk overruns it (at %zu of %zu bytes)",
                              r->chunk_at, r->chunk_len);
        size_t n = (size_t)rig_mcap_get_u64(p + 1);
        r->chunk_at += RIG_MCAP_RECORD_PREFIX + n;
        rig_error_t err = RIG_OK;
        if (p[0] == RIG_MCAP_OP_MESSAGE) {
            err = parse_message(r, p + RIG_MCAP_RECORD_PREFIX, n, r->chunk_offset, msg);
            if (err == RIG_OK) {
                msg->chunk_offset = r->chunk_offset;
                *got = true;
                return RIG_OK;
            }
        } else if (p[0] == RIG_MCAP_OP_CHANNEL) {
            err = mcapr_add_channel(r, p + RIG_MCAP_RECORD_PREFIX, n, r->chunk_offset);
        } else if (p[0] == RIG_MCAP_OP_SCHEMA) {
            err = mcapr_add_schema(r, p + RIG_MCAP_RECORD_PREFIX, n, r->chunk_offset);
        }
        if (err != RIG_OK)
            return err;
    }
    r->chunk = NULL;
    return RIG_OK;
}

rig_error_t rig_mcap_reader_next_message(rig_mcap_reader_t *r, rig_mcap_message_t *msg,
                                         bool *end)
{
    if (!r || !msg || !end)
        return RIG_ERROR_INVALID_ARGUMENT;
    *end = false;
    if (!r->f)
        return RIG_ERROR_IO;
    if (r->done) {
        *end = true;
        return RIG_OK;
    }
    for (;;) {
        bool got;
        rig_error_t err = mcapr_chunk_next(r, msg, &got);
        if (err != RIG_OK || got)
            return err;
        uint8_t op = 0;
        size_t len = 0;
        uint64_t off = r->pos;
        r->bad_chunk_end = 0;
        err = mcapr_read_record(r, off, true, &op, &len);
        if (err != RIG_OK)
            return err;
        if (op != RIG_MCAP_OP_MESSAGE_INDEX)
            r->after_skip = false;
        switch (op) {
        case RIG_MCAP_OP_DATA_END: {
            if (len < 4)
                return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a DataEnd record of %zu bytes",
                                  len);
            uint32_t stored = rig_mcap_get_u32(r->record);
            if (stored != 0 && stored != r->crc && r->stats.skipped_chunks)
                r->stats.data_crc_mismatch = true;
            else if (stored != 0 && stored != r->crc)
                return mcapr_fail(r, RIG_MCAP_FAULT_CRC, off,
                                  "the data section's CRC is 0x%08x, its bytes' is 0x%08x", stored,
                                  r->crc);
            r->done = true;
            r->stats.data_end = true;
            r->pos = off + RIG_MCAP_RECORD_PREFIX + len;
            r->stats.complete_bytes = r->pos;
            *end = true;
            return RIG_OK;
        }
        case RIG_MCAP_OP_CHUNK:
            err = mcapr_open_chunk(r, len, off);
            if (err == RIG_ERROR_IO)
                r->bad_chunk_end = off + RIG_MCAP_RECORD_PREFIX + len;
            break;
        case RIG_MCAP_OP_MESSAGE_INDEX:
            if (r->after_skip && len >= 6) {
                uint32_t bytes = rig_mcap_get_u32(r->record + 2);
                if (bytes <= len - 6)
                    r->lost[rig_mcap_get_u16(r->record)] += bytes / 16;
            }
            break;
        case RIG_MCAP_OP_CHANNEL:
            err = mcapr_add_channel(r, r->record, len, off);
            break;
        case RIG_MCAP_OP_SCHEMA:
            err = mcapr_add_schema(r, r->record, len, off);
            break;
        case RIG_MCAP_OP_METADATA:
            err = add_metadata(r, r->record, len, off);
            if (err == RIG_OK)
                r->stats.metadata++;
            break;
        case RIG_MCAP_OP_MESSAGE:
            err = parse_message(r, r->record, len, off, msg);
            if (err == RIG_OK) {
                msg->chunk_offset = 0;
                r->pos = off + RIG_MCAP_RECORD_PREFIX + len;
                r->stats.complete_bytes = r->pos;
                return RIG_OK;
            }
            break;
        case RIG_MCAP_OP_HEADER:
        case RIG_MCAP_OP_FOOTER:
            return mcapr_fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                              "a %s record inside the data section",
                              op == RIG_MCAP_OP_HEADER ? "Header" : "Footer");
        default:
            break; /* indexes, attachments, private records: skipped */
        }
        if (err != RIG_OK)
            return err;
        r->pos = off + RIG_MCAP_RECORD_PREFIX + len;
        r->stats.complete_bytes = r->pos;
    }
}

rig_error_t rig_mcap_reader_skip_chunk(rig_mcap_reader_t *r)
{
    if (!r || !r->bad_chunk_end)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (!r->lost) {
        r->lost = calloc(N_CHANNEL_IDS, sizeof(*r->lost));
        if (!r->lost)
            return RIG_ERROR_NO_MEMORY;
    }
    r->pos = r->bad_chunk_end;
    r->stats.complete_bytes = r->pos;
    r->bad_chunk_end = 0;
    r->chunk = NULL;
    r->after_skip = true;
    r->stats.skipped_chunks++;
    r->problem.fault = RIG_MCAP_FAULT_NONE;
    return RIG_OK;
}

uint64_t rig_mcap_reader_lost_messages(const rig_mcap_reader_t *r, uint16_t id)
{
    return r && r->lost ? r->lost[id] : 0;
}

void rig_mcap_reader_close(rig_mcap_reader_t *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    for (size_t i = 0; i < r->n_channels; i++) {
        free(r->channels[i].topic);
        free(r->channels[i].encoding);
    }
    free(r->channels);
    for (size_t i = 0; i < r->n_schemas; i++) {
        free(r->schemas[i].name);
        free(r->schemas[i].encoding);
        free(r->schemas[i].data);
    }
    free(r->schemas);
    for (size_t i = 0; i < r->n_metadata; i++)
        free_metadata(&r->metadata[i]);
    free(r->metadata);
    free(r->slot);
    free(r->record);
    free(r->unpacked);
    free(r->counts);
    free(r->lost);
    free(r->chunk_refs);
    free(r->profile);
    free(r->library);
    free(r);
}
