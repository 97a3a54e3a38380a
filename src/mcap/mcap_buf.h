/* The MCAP writer's byte buffers: a growable buffer and the little-endian fields, strings,
 * maps and record frames (opcode + length) the spec's records are made of. Internal to
 * src/mcap (static inline); the put helpers assume buf_reserve() made room. */
#ifndef RIGSYNC_MCAP_BUF_H
#define RIGSYNC_MCAP_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcap/mcap_format.h"
#include "mcap/mcap_writer.h"

typedef struct {
    uint8_t *p;
    size_t len, cap;
} buf_t;

static inline int buf_reserve(buf_t *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len)
        return -1;
    size_t need = b->len + extra;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* The put helpers assume buf_reserve() made room. */
static inline void put_bytes(buf_t *b, const void *p, size_t n)
{
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}
static inline void put_u8(buf_t *b, uint8_t v) { b->p[b->len++] = v; }
static inline void put_u16(buf_t *b, uint16_t v)
{
    rig_mcap_put_u16(b->p + b->len, v);
    b->len += 2;
}
static inline void put_u32(buf_t *b, uint32_t v)
{
    rig_mcap_put_u32(b->p + b->len, v);
    b->len += 4;
}
static inline void put_u64(buf_t *b, uint64_t v)
{
    rig_mcap_put_u64(b->p + b->len, v);
    b->len += 8;
}
static inline void put_str(buf_t *b, const char *s, size_t n)
{
    put_u32(b, (uint32_t)n);
    put_bytes(b, s, n);
}

/* Bytes a string field takes, or SIZE_MAX when it does not fit a uint32 length. */
static inline size_t str_size(const char *s)
{
    size_t n = strlen(s);
    return n > UINT32_MAX ? SIZE_MAX : 4 + n;
}

/* Starts a record: opcode and a length patched by record_end(). Returns its position. */
static inline size_t record_begin(buf_t *b, uint8_t op)
{
    size_t at = b->len;
    put_u8(b, op);
    put_u64(b, 0);
    return at;
}
static inline void record_end(buf_t *b, size_t at)
{
    rig_mcap_put_u64(b->p + at + 1, (uint64_t)(b->len - at - RIG_MCAP_RECORD_PREFIX));
}

/* Bytes a map<string,string> takes, or SIZE_MAX. */
static inline size_t map_size(const rig_mcap_kv_t *kv, size_t n)
{
    size_t total = 4;
    for (size_t i = 0; i < n; i++) {
        if (!kv[i].key || !kv[i].value)
            return SIZE_MAX;
        size_t k = str_size(kv[i].key), v = str_size(kv[i].value);
        if (k == SIZE_MAX || v == SIZE_MAX || total > UINT32_MAX - k - v)
            return SIZE_MAX;
        total += k + v;
    }
    return total;
}
static inline void put_map(buf_t *b, const rig_mcap_kv_t *kv, size_t n, size_t size)
{
    put_u32(b, (uint32_t)(size - 4));
    for (size_t i = 0; i < n; i++) {
        put_str(b, kv[i].key, strlen(kv[i].key));
        put_str(b, kv[i].value, strlen(kv[i].value));
    }
}

#endif
