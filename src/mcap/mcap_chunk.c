/* The MCAP writer's open chunk (see mcap_chunk.h). */
#include "mcap/mcap_chunk.h"

#include <libdeflate.h>
#include <lz4frame.h>
#include <string.h>

/* Pieces from this size on get their CRC on the helper thread, in parallel. */
#define CRC_THREAD_MIN ((size_t)64 << 10)

rig_error_t rig_mcap_chunk_init(rig_mcap_chunk_t *c, const rig_mcap_writer_options_t *o,
                                int zstd_level)
{
    c->compression = o->compression;
    if (c->compression == RIG_MCAP_COMPRESSION_ZSTD) {
        c->zstd = ZSTD_createCCtx();
        if (!c->zstd)
            return RIG_ERROR_NO_MEMORY;
        /* worker threads when asked (Debian's libzstd is built with them) */
        if (ZSTD_isError(ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_compressionLevel, zstd_level)) ||
            (o->zstd_workers > 0 &&
             ZSTD_isError(ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_nbWorkers, o->zstd_workers))))
            return RIG_ERROR_UNSUPPORTED;
    }
    if (o->crc_thread && !(c->crc_helper = rig_mcap_crc_create()))
        return RIG_ERROR_NO_MEMORY;
    return RIG_OK;
}

/* zstd: compresses n bytes into c->packed, or ends the frame (ZSTD_e_end). */
static rig_error_t zstd_feed(rig_mcap_chunk_t *c, const void *p, size_t n, ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = {p, n, 0};
    for (;;) {
        size_t room = ZSTD_CStreamOutSize();
        if (buf_reserve(&c->packed, room) != 0)
            return RIG_ERROR_NO_MEMORY;
        ZSTD_outBuffer out = {c->packed.p + c->packed.len, room, 0};
        size_t left = ZSTD_compressStream2(c->zstd, &out, &in, mode);
        if (ZSTD_isError(left))
            return RIG_ERROR_INTERNAL;
        c->packed.len += out.pos;
        if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size)
            return RIG_OK;
    }
}

rig_error_t rig_mcap_chunk_append(rig_mcap_chunk_t *c, const void *p, size_t n)
{
    if (n == 0)
        return RIG_OK;
    if (c->compression != RIG_MCAP_COMPRESSION_ZSTD && buf_reserve(&c->records, n) != 0)
        return RIG_ERROR_NO_MEMORY;
    bool helped = c->crc_helper && n >= CRC_THREAD_MIN;
    if (helped) /* the CRC on the helper while this thread compresses (copies) the piece */
        rig_mcap_crc_start(c->crc_helper, p, n);
    else
        c->crc = libdeflate_crc32(c->crc, p, n);
    rig_error_t e = RIG_OK;
    if (c->compression == RIG_MCAP_COMPRESSION_ZSTD)
        e = zstd_feed(c, p, n, ZSTD_e_continue);
    else
        put_bytes(&c->records, p, n);
    if (helped)
        c->crc = rig_mcap_crc_finish(c->crc_helper, c->crc);
    c->bytes += n;
    return e;
}

const buf_t *rig_mcap_chunk_pack(rig_mcap_chunk_t *c, rig_error_t *err)
{
    buf_t *out = &c->packed;
    *err = RIG_OK;
    if (c->compression == RIG_MCAP_COMPRESSION_ZSTD) {
        /* the records are in the stream already: end its frame */
        static const uint8_t none = 0;
        *err = zstd_feed(c, &none, 0, ZSTD_e_end);
        return *err == RIG_OK ? out : NULL;
    }
    if (c->compression == RIG_MCAP_COMPRESSION_LZ4) {
        LZ4F_preferences_t prefs;
        memset(&prefs, 0, sizeof(prefs));
        out->len = 0;
        prefs.frameInfo.contentSize = c->records.len;
        size_t bound = LZ4F_compressFrameBound(c->records.len, &prefs);
        if (buf_reserve(out, bound) != 0) {
            *err = RIG_ERROR_NO_MEMORY;
            return NULL;
        }
        size_t n = LZ4F_compressFrame(out->p, bound, c->records.p, c->records.len, &prefs);
        if (LZ4F_isError(n)) {
            *err = RIG_ERROR_INTERNAL;
            return NULL;
        }
        out->len = n;
        return out;
    }
    return &c->records;
}

void rig_mcap_chunk_reset(rig_mcap_chunk_t *c)
{
    if (c->zstd) /* a frame left open (a chunk given up) must not run into the next one */
        ZSTD_CCtx_reset(c->zstd, ZSTD_reset_session_only);
    c->records.len = 0;
    c->packed.len = 0;
    c->crc = 0;
    c->bytes = 0;
}

void rig_mcap_chunk_free(rig_mcap_chunk_t *c)
{
    free(c->records.p);
    free(c->packed.p);
    ZSTD_freeCCtx(c->zstd);
    rig_mcap_crc_destroy(c->crc_helper);
    memset(c, 0, sizeof(*c));
}
