/* Vendor "global timestamp" baseline: the vendor SDK's per-device fitter, whose model lives in
 * src/obemu/vendor_fitter.c (shared with the emulator of the vendor's API, so that the benchmark
 * and the emulated SDK hand out the very same global timestamps). This file adapts it to the
 * peer_clock interface and holds the peer_clock_* entry points, which dispatch on kind.
 */
#include <stdlib.h>

#include "obemu/vendor_fitter.h"
#include "peer_clock.h"

typedef struct vendor_wls {
    peer_clock_t base;
    vendor_fitter_t *fit;
} vendor_wls_t;

static vendor_wls_t *vw_of(peer_clock_t *c)
{
    return (vendor_wls_t *)c;
}

static const vendor_wls_t *vw_of_const(const peer_clock_t *c)
{
    return (const vendor_wls_t *)c;
}

peer_clock_t *peer_vendor_wls_create(unsigned timestamp_bits)
{
    vendor_fitter_t *f = vendor_fitter_create(timestamp_bits);
    if (!f)
        return NULL;
    vendor_wls_t *w = calloc(1, sizeof *w);
    if (!w) {
        vendor_fitter_destroy(f);
        return NULL;
    }
    w->base.kind = PEER_VENDOR_WLS;
    w->fit = f;
    return &w->base;
}

void peer_vendor_wls_destroy(peer_clock_t *c)
{
    vendor_wls_t *w = vw_of(c);
    vendor_fitter_destroy(w->fit);
    free(w);
}

int64_t peer_vendor_wls_next_poll_us(const peer_clock_t *c)
{
    return vendor_fitter_next_poll_us(vw_of_const(c)->fit);
}

void peer_vendor_wls_add_two_way(peer_clock_t *c, int64_t host_before_us, int64_t device_us,
                                 int64_t host_after_us)
{
    vendor_fitter_add_two_way(vw_of(c)->fit, host_before_us, device_us, host_after_us);
}

void peer_vendor_wls_note_write(peer_clock_t *c, int64_t host_us)
{
    vendor_fitter_note_write(vw_of(c)->fit, host_us);
}

bool peer_vendor_wls_map(peer_clock_t *c, int64_t device_ts_us, int64_t *host_us)
{
    return vendor_fitter_map(vw_of(c)->fit, device_ts_us, host_us);
}

/* ---- Generic entry points (dispatch on kind) ---- */

const char *peer_clock_name(peer_kind_t kind)
{
    switch (kind) {
    case PEER_VENDOR_WLS:
        return "vendor WLS";
    case PEER_REALSENSE:
        return "librealsense";
    }
    return "unknown";
}

peer_clock_t *peer_clock_create(peer_kind_t kind, unsigned timestamp_bits)
{
    switch (kind) {
    case PEER_VENDOR_WLS:
        return peer_vendor_wls_create(timestamp_bits);
    case PEER_REALSENSE:
        return peer_realsense_create(timestamp_bits);
    }
    return NULL;
}

void peer_clock_destroy(peer_clock_t *c)
{
    if (!c)
        return;
    if (c->kind == PEER_VENDOR_WLS)
        peer_vendor_wls_destroy(c);
    else
        peer_realsense_destroy(c);
}

int64_t peer_clock_next_poll_us(const peer_clock_t *c)
{
    return c->kind == PEER_VENDOR_WLS ? peer_vendor_wls_next_poll_us(c)
                                      : peer_realsense_next_poll_us(c);
}

void peer_clock_add_two_way(peer_clock_t *c, int64_t host_before_us, int64_t device_us,
                            int64_t host_after_us)
{
    if (c->kind == PEER_VENDOR_WLS)
        peer_vendor_wls_add_two_way(c, host_before_us, device_us, host_after_us);
    else
        peer_realsense_add_two_way(c, host_before_us, device_us, host_after_us);
}

void peer_clock_note_write(peer_clock_t *c, int64_t host_us)
{
    if (c->kind == PEER_VENDOR_WLS)
        peer_vendor_wls_note_write(c, host_us);
    else
        peer_realsense_note_write(c, host_us);
}

bool peer_clock_map(peer_clock_t *c, int64_t device_ts_us, int64_t *host_us)
{
    return c->kind == PEER_VENDOR_WLS ? peer_vendor_wls_map(c, device_ts_us, host_us)
                                      : peer_realsense_map(c, device_ts_us, host_us);
}
