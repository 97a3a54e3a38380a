/* MCAP reader (see mcap_reader.h). */
#include "mcap/mcap_reader.h"

#include <lz4frame.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <zlib.h>
#include <zstd.h>

#include "mcap/mcap_format.h"

#define DEFAULT_MAX_RECORD (512ull * 1024 * 1024)
#define N_CHANNEL_IDS 65536

typedef struct {
    rig_mcap_channel_t pub;
    char *topic, *encoding;
} channel_t;

typedef struct {
    rig_mcap_schema_t pub;
    char *name, *encoding;
    uint8_t *data;
} schema_t;

typedef struct {
    rig_mcap_metadata_t pub;
    char *name;
    char **keys, **values;
} metadata_t;

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

    int32_t *slot; /* channel id -> index in channels, or -1 */
    channel_t *channels;
    size_t n_channels;

    schema_t *schemas;
    size_t n_schemas;
    metadata_t *metadata;
    size_t n_metadata;

    rig_mcap_channel_count_t *counts; /* of the summary's Statistics */
};

static const char *const fault_names[] = {"none",      "io",  "bad_magic",   "truncated",
                                          "malformed", "crc", "compression", "too_large"};

const char *rig_mcap_fault_name(rig_mcap_fault_t fault)
{
    if ((unsigned)fault < sizeof(fault_names) / sizeof(fault_names[0]))
        return fault_names[fault];
    return "unknown";
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static rig_error_t fail(rig_mcap_reader_t *r, rig_mcap_fault_t fault, uint64_t offset,
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

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
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
static size_t read_at(rig_mcap_reader_t *r, uint64_t off, void *p, size_t n)
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

/* ---- a cursor over one record's content ---- */
typedef struct {
    const uint8_t *p;
    size_t len, at;
    bool bad;
} cursor_t;

static const uint8_t *take(cursor_t *c, size_t n)
{
    if (c->bad || n > c->len - c->at) {
        c->bad = true;
        return NULL;
    }
    const uint8_t *q = c->p + c->at;
    c->at += n;
    return q;
}
static uint16_t get16(cursor_t *c)
{
    const uint8_t *q = take(c, 2);
    return q ? rig_mcap_get_u16(q) : 0;
}
static uint32_t get32(cursor_t *c)
{
    const uint8_t *q = take(c, 4);
    return q ? rig_mcap_get_u32(q) : 0;
}
static uint64_t get64(cursor_t *c)
{
    const uint8_t *q = take(c, 8);
    return q ? rig_mcap_get_u64(q) : 0;
}
/* A string field: pointer and length (not NUL-terminated). */
static const uint8_t *get_str(cursor_t *c, uint32_t *len)
{
    *len = get32(c);
    return take(c, *len);
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
        return fail(r, RIG_MCAP_FAULT_IO, 0, "cannot open the file");
    struct stat st;
    if (fstat(fileno(r->f), &st) != 0 || st.st_size < 0)
        return fail(r, RIG_MCAP_FAULT_IO, 0, "cannot read the file's size");
    r->file_size = (uint64_t)st.st_size;

    uint8_t head[RIG_MCAP_MAGIC_LEN + RIG_MCAP_RECORD_PREFIX];
    size_t got = read_at(r, 0, head, sizeof(head));
    if (got < RIG_MCAP_MAGIC_LEN || memcmp(head, RIG_MCAP_MAGIC, RIG_MCAP_MAGIC_LEN) != 0)
        return fail(r, RIG_MCAP_FAULT_BAD_MAGIC, 0, "no MCAP magic at the start: not an MCAP file");
    if (got < sizeof(head))
        return fail(r, RIG_MCAP_FAULT_TRUNCATED, RIG_MCAP_MAGIC_LEN,
                    "the file ends before the Header record");
    if (head[RIG_MCAP_MAGIC_LEN] != RIG_MCAP_OP_HEADER)
        return fail(r, RIG_MCAP_FAULT_BAD_MAGIC, RIG_MCAP_MAGIC_LEN,
                    "the first record is opcode 0x%02x, not a Header", head[RIG_MCAP_MAGIC_LEN]);
    uint64_t len = rig_mcap_get_u64(head + RIG_MCAP_MAGIC_LEN + 1);
    if (len > r->max_record || len > r->file_size - sizeof(head))
        return fail(r, RIG_MCAP_FAULT_TRUNCATED, RIG_MCAP_MAGIC_LEN,
                    "the Header record's length %llu runs past the end of the file",
                    (unsigned long long)len);
    if (reserve(&r->record, &r->record_cap, (size_t)len) != 0)
        return RIG_ERROR_NO_MEMORY;
    if (read_at(r, sizeof(head), r->record, (size_t)len) != len)
        return fail(r, RIG_MCAP_FAULT_IO, sizeof(head), "cannot read the Header record");
    cursor_t c = {r->record, (size_t)len, 0, false};
    uint32_t np, nl;
    const uint8_t *p = get_str(&c, &np);
    const uint8_t *l = get_str(&c, &nl);
    if (c.bad)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, RIG_MCAP_MAGIC_LEN,
                    "the Header's strings overrun the record");
    r->profile = dup_str(p, np);
    r->library = dup_str(l, nl);
    if (!r->profile || !r->library)
        return RIG_ERROR_NO_MEMORY;
    r->crc = crc_update(0, head, sizeof(head));
    r->crc = crc_update(r->crc, r->record, (size_t)len);
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

static rig_error_t add_channel(rig_mcap_reader_t *r, const uint8_t *p, size_t len, uint64_t off)
{
    cursor_t c = {p, len, 0, false};
    uint16_t id = get16(&c);
    uint16_t schema_id = get16(&c);
    uint32_t nt, ne;
    const uint8_t *topic = get_str(&c, &nt);
    const uint8_t *enc = get_str(&c, &ne);
    uint32_t nm = get32(&c);
    take(&c, nm);
    if (c.bad)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Channel record's fields overrun it");
    if (r->slot[id] >= 0)
        return RIG_OK; /* the spec: records sharing an id are identical */
    channel_t *grown = realloc(r->channels, (r->n_channels + 1) * sizeof(*grown));
    if (!grown)
        return RIG_ERROR_NO_MEMORY;
    r->channels = grown;
    channel_t *ch = &r->channels[r->n_channels];
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

static rig_error_t add_schema(rig_mcap_reader_t *r, const uint8_t *p, size_t len, uint64_t off)
{
    cursor_t c = {p, len, 0, false};
    uint16_t id = get16(&c);
    uint32_t nn, ne, nd;
    const uint8_t *name = get_str(&c, &nn);
    const uint8_t *enc = get_str(&c, &ne);
    const uint8_t *data = get_str(&c, &nd);
    if (c.bad)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Schema record's fields overrun it");
    r->stats.schemas++;
    if (rig_mcap_reader_schema(r, id))
        return RIG_OK; /* records sharing an id are identical */
    schema_t *grown = realloc(r->schemas, (r->n_schemas + 1) * sizeof(*grown));
    if (!grown)
        return RIG_ERROR_NO_MEMORY;
    r->schemas = grown;
    schema_t *s = &r->schemas[r->n_schemas];
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

static void free_metadata(metadata_t *m)
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
    cursor_t c = {p, len, 0, false};
    uint32_t nn, nmap;
    const uint8_t *name = get_str(&c, &nn);
    const uint8_t *map = get_str(&c, &nmap);
    if (c.bad)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Metadata record's fields overrun it");
    /* count the pairs first: each takes at least 8 bytes */
    cursor_t m = {map, nmap, 0, false};
    size_t n = 0;
    while (!m.bad && m.at < m.len) {
        uint32_t nk, nv;
        get_str(&m, &nk);
        get_str(&m, &nv);
        n++;
    }
    if (m.bad)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Metadata record's map overruns it");
    metadata_t *grown = realloc(r->metadata, (r->n_metadata + 1) * sizeof(*grown));
    if (!grown)
        return RIG_ERROR_NO_MEMORY;
    r->metadata = grown;
    metadata_t *md = &r->metadata[r->n_metadata];
    memset(md, 0, sizeof(*md));
    md->name = dup_str(name, nn);
    md->keys = calloc(n ? n : 1, sizeof(char *));
    md->values = calloc(n ? n : 1, sizeof(char *));
    if (!md->name || !md->keys || !md->values) {
        free_metadata(md);
        return RIG_ERROR_NO_MEMORY;
    }
    m = (cursor_t){map, nmap, 0, false};
    for (size_t i = 0; i < n; i++) {
        uint32_t nk, nv;
        const uint8_t *k = get_str(&m, &nk);
        const uint8_t *v = get_str(&m, &nv);
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
        return fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Message record of %zu bytes (< 22)", len);
    msg->channel_id = rig_mcap_get_u16(p);
    msg->sequence = rig_mcap_get_u32(p + 2);
    msg->log_time_ns = rig_mcap_get_u64(p + 6);
    msg->publish_time_ns = rig_mcap_get_u64(p + 14);
    msg->data = p + 22;
    msg->len = len - 22;
    if (r->slot[msg->channel_id] < 0)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                    "a Message on channel %u, which no earlier Channel record defines",
                    (unsigned)msg->channel_id);
    r->stats.messages++;
    return RIG_OK;
}

/* Decompresses and checks the Chunk in r->record (content of len bytes at file offset off) and
 * makes it the chunk being iterated. */
static rig_error_t open_chunk(rig_mcap_reader_t *r, size_t len, uint64_t off)
{
    cursor_t c = {r->record, len, 0, false};
    get64(&c); /* message_start_time */
    get64(&c); /* message_end_time */
    uint64_t usize = get64(&c);
    uint32_t ucrc = get32(&c);
    uint32_t nc;
    const uint8_t *comp = get_str(&c, &nc);
    uint64_t csize = get64(&c);
    if (c.bad || csize > c.len - c.at)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Chunk record's fields overrun it");
    const uint8_t *data = c.p + c.at;
    if (usize > r->max_record)
        return fail(r, RIG_MCAP_FAULT_TOO_LARGE, off,
                    "a Chunk of %llu uncompressed bytes, over the reader's limit of %llu",
                    (unsigned long long)usize, (unsigned long long)r->max_record);
    const uint8_t *records;
    if (nc == 0) {
        if (csize != usize)
            return fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                        "an uncompressed Chunk whose sizes differ (%llu, %llu)",
                        (unsigned long long)csize, (unsigned long long)usize);
        records = data;
    } else if (nc == 4 && memcmp(comp, "zstd", 4) == 0) {
        if (reserve(&r->unpacked, &r->unpacked_cap, (size_t)usize) != 0)
            return RIG_ERROR_NO_MEMORY;
        size_t n = ZSTD_decompress(r->unpacked, (size_t)usize, data, (size_t)csize);
        if (ZSTD_isError(n) || n != usize)
            return fail(r, RIG_MCAP_FAULT_COMPRESSION, off,
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
            return fail(r, RIG_MCAP_FAULT_COMPRESSION, off,
                        "an lz4 Chunk does not decompress to its %llu bytes",
                        (unsigned long long)usize);
        records = r->unpacked;
    } else {
        char name[32];
        snprintf(name, sizeof(name), "%.*s", (int)(nc < 24 ? nc : 24), (const char *)comp);
        return fail(r, RIG_MCAP_FAULT_COMPRESSION, off, "a Chunk compressed with unknown \"%s\"",
                    name);
    }
    if (ucrc != 0) {
        uint32_t crc = crc_update(0, records, (size_t)usize);
        if (crc != ucrc)
            return fail(r, RIG_MCAP_FAULT_CRC, off,
                        "a Chunk's CRC is 0x%08x, its records' is 0x%08x", ucrc, crc);
    }
    r->chunk = records;
    r->chunk_len = (size_t)usize;
    r->chunk_at = 0;
    r->chunk_offset = off;
    r->stats.chunks++;
    return RIG_OK;
}

/* Reads the next top-level record of the data section into r->record. */
static rig_error_t read_record(rig_mcap_reader_t *r, uint8_t *op, size_t *len)
{
    uint8_t prefix[RIG_MCAP_RECORD_PREFIX];
    size_t got = read_at(r, r->pos, prefix, sizeof(prefix));
    if (got == 0 && r->pos >= r->file_size)
        return fail(r, RIG_MCAP_FAULT_TRUNCATED, r->pos,
                    "the file ends after the last complete record, without a DataEnd record");
    if (got < sizeof(prefix))
        return fail(r, RIG_MCAP_FAULT_TRUNCATED, r->pos, "the file ends inside a record's prefix");
    uint64_t n = rig_mcap_get_u64(prefix + 1);
    if (n > r->file_size - r->pos - sizeof(prefix))
        return fail(r, RIG_MCAP_FAULT_TRUNCATED, r->pos,
                    "the file ends inside a record (opcode 0x%02x, %llu bytes)", prefix[0],
                    (unsigned long long)n);
    if (n > r->max_record || n > SIZE_MAX)
        return fail(r, RIG_MCAP_FAULT_TOO_LARGE, r->pos,
                    "a record of %llu bytes, over the reader's limit of %llu",
                    (unsigned long long)n, (unsigned long long)r->max_record);
    if (reserve(&r->record, &r->record_cap, (size_t)n) != 0)
        return RIG_ERROR_NO_MEMORY;
    if (read_at(r, r->pos + sizeof(prefix), r->record, (size_t)n) != n)
        return fail(r, RIG_MCAP_FAULT_IO, r->pos, "cannot read a record");
    *op = prefix[0];
    *len = (size_t)n;
    if (prefix[0] != RIG_MCAP_OP_DATA_END) {
        r->crc = crc_update(r->crc, prefix, sizeof(prefix));
        r->crc = crc_update(r->crc, r->record, (size_t)n);
    }
    return RIG_OK;
}

/* The next record inside the current chunk; false when the chunk is exhausted. */
static rig_error_t chunk_next(rig_mcap_reader_t *r, rig_mcap_message_t *msg, bool *got)
{
    *got = false;
    while (r->chunk && r->chunk_at < r->chunk_len) {
        size_t left = r->chunk_len - r->chunk_at;
        const uint8_t *p = r->chunk + r->chunk_at;
        if (left < RIG_MCAP_RECORD_PREFIX || rig_mcap_get_u64(p + 1) > left - RIG_MCAP_RECORD_PREFIX)
            return fail(r, RIG_MCAP_FAULT_MALFORMED, r->chunk_offset,
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
            err = add_channel(r, p + RIG_MCAP_RECORD_PREFIX, n, r->chunk_offset);
        } else if (p[0] == RIG_MCAP_OP_SCHEMA) {
            err = add_schema(r, p + RIG_MCAP_RECORD_PREFIX, n, r->chunk_offset);
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
        rig_error_t err = chunk_next(r, msg, &got);
        if (err != RIG_OK || got)
            return err;
        uint8_t op = 0;
        size_t len = 0;
        uint64_t off = r->pos;
        err = read_record(r, &op, &len);
        if (err != RIG_OK)
            return err;
        switch (op) {
        case RIG_MCAP_OP_DATA_END: {
            if (len < 4)
                return fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a DataEnd record of %zu bytes", len);
            uint32_t stored = rig_mcap_get_u32(r->record);
            if (stored != 0 && stored != r->crc)
                return fail(r, RIG_MCAP_FAULT_CRC, off,
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
            err = open_chunk(r, len, off);
            break;
        case RIG_MCAP_OP_CHANNEL:
            err = add_channel(r, r->record, len, off);
            break;
        case RIG_MCAP_OP_SCHEMA:
            err = add_schema(r, r->record, len, off);
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
            return fail(r, RIG_MCAP_FAULT_MALFORMED, off,
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

/* Checks that a Chunk Index's chunk_start_offset holds a Chunk record of chunk_length bytes. */
static rig_error_t check_chunk_index(rig_mcap_reader_t *r, cursor_t *c, uint64_t off,
                                     uint64_t summary_start)
{
    get64(c);
    get64(c);
    uint64_t start = get64(c);
    uint64_t length = get64(c);
    if (c->bad)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Chunk Index record's fields overrun it");
    uint8_t prefix[RIG_MCAP_RECORD_PREFIX];
    if (start > summary_start || length > summary_start - start ||
        length < RIG_MCAP_RECORD_PREFIX ||
        read_at(r, start, prefix, sizeof(prefix)) != sizeof(prefix) ||
        prefix[0] != RIG_MCAP_OP_CHUNK ||
        rig_mcap_get_u64(prefix + 1) != length - RIG_MCAP_RECORD_PREFIX)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, off,
                    "a Chunk Index points at offset %llu, where no Chunk of %llu bytes is",
                    (unsigned long long)start, (unsigned long long)length);
    return RIG_OK;
}

static rig_error_t parse_statistics(rig_mcap_reader_t *r, cursor_t *c, uint64_t off,
                                    rig_mcap_summary_t *s)
{
    s->message_count = get64(c);
    s->schema_count = get16(c);
    s->channel_count = get32(c);
    s->attachment_count = get32(c);
    s->metadata_count = get32(c);
    s->chunk_count = get32(c);
    s->message_start_time = get64(c);
    s->message_end_time = get64(c);
    uint32_t map_len = get32(c);
    const uint8_t *map = take(c, map_len);
    if (c->bad || map_len % 10 != 0)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a Statistics record's fields overrun it");
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
        return fail(r, RIG_MCAP_FAULT_TRUNCATED, r->file_size, "the file is too short for a Footer");
    uint64_t footer_off = r->file_size - tail;
    uint8_t t[RIG_MCAP_RECORD_PREFIX + RIG_MCAP_FOOTER_CONTENT + RIG_MCAP_MAGIC_LEN];
    if (read_at(r, footer_off, t, tail) != tail)
        return fail(r, RIG_MCAP_FAULT_IO, footer_off, "cannot read the Footer");
    if (memcmp(t + tail - RIG_MCAP_MAGIC_LEN, RIG_MCAP_MAGIC, RIG_MCAP_MAGIC_LEN) != 0)
        return fail(r, RIG_MCAP_FAULT_TRUNCATED, r->file_size - RIG_MCAP_MAGIC_LEN,
                    "no MCAP magic at the end: the file is cut or was not closed");
    if (t[0] != RIG_MCAP_OP_FOOTER || rig_mcap_get_u64(t + 1) != RIG_MCAP_FOOTER_CONTENT)
        return fail(r, RIG_MCAP_FAULT_MALFORMED, footer_off, "no Footer record before the end magic");
    out->summary_start = rig_mcap_get_u64(t + 9);
    out->summary_offset_start = rig_mcap_get_u64(t + 17);
    out->summary_crc = rig_mcap_get_u32(t + 25);
    if (out->summary_start == 0)
        return RIG_OK;
    if (out->summary_start < RIG_MCAP_MAGIC_LEN || out->summary_start > footer_off ||
        (out->summary_offset_start != 0 &&
         (out->summary_offset_start < out->summary_start || out->summary_offset_start > footer_off)))
        return fail(r, RIG_MCAP_FAULT_MALFORMED, footer_off,
                    "the Footer's summary offsets (%llu, %llu) are outside the file",
                    (unsigned long long)out->summary_start,
                    (unsigned long long)out->summary_offset_start);
    uint64_t n = footer_off - out->summary_start;
    if (n > r->max_record)
        return fail(r, RIG_MCAP_FAULT_TOO_LARGE, out->summary_start,
                    "a summary of %llu bytes, over the reader's limit", (unsigned long long)n);
    uint8_t *sum = malloc(n ? (size_t)n : 1);
    if (!sum)
        return RIG_ERROR_NO_MEMORY;
    rig_error_t err = RIG_OK;
    if (read_at(r, out->summary_start, sum, (size_t)n) != n) {
        err = fail(r, RIG_MCAP_FAULT_IO, out->summary_start, "cannot read the summary");
        goto done;
    }
    if (out->summary_crc != 0) {
        uint32_t crc = crc_update(crc_update(0, sum, (size_t)n), t, 25);
        if (crc != out->summary_crc) {
            err = fail(r, RIG_MCAP_FAULT_CRC, out->summary_start,
                       "the summary's CRC is 0x%08x, its bytes' is 0x%08x", out->summary_crc,
                       crc);
            goto done;
        }
    }
    for (size_t at = 0; at < n && err == RIG_OK;) {
        uint64_t off = out->summary_start + at;
        if (n - at < RIG_MCAP_RECORD_PREFIX ||
            rig_mcap_get_u64(sum + at + 1) > n - at - RIG_MCAP_RECORD_PREFIX) {
            err = fail(r, RIG_MCAP_FAULT_MALFORMED, off, "a summary record overruns the summary");
            break;
        }
        uint8_t op = sum[at];
        size_t len = (size_t)rig_mcap_get_u64(sum + at + 1);
        cursor_t c = {sum + at + RIG_MCAP_RECORD_PREFIX, len, 0, false};
        switch (op) {
        case RIG_MCAP_OP_SCHEMA:
            out->n_schemas++;
            break;
        case RIG_MCAP_OP_CHANNEL:
            out->n_channels++;
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
    return err;
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
    free(r->profile);
    free(r->library);
    free(r);
}
