/* librealsense "global time" baseline: its time_diff_keeper / CLinearCoefficients pair
 * (global_timestamp_reader.cpp), re-implemented from its public description and source.
 *
 * What it does:
 *  - Schedule: a sample at start, then one 100 ms after each sample while fewer than 15 are
 *    held, 1 s after each once 15 are held.
 *  - Sample stamping: half the round trip is the command delay; the smallest seen is tracked
 *    (it starts at 1000 ms). A sample (device d, host_before h1, host_after h2) becomes the
 *    point (d, h2 - min_delay). When a sample lowers the minimum, the held points' host values
 *    are first moved by (new_min - old_min), as the original does; note that this is the
 *    opposite direction to restamping them with the new minimum (which would move them by
 *    old_min - new_min). Kept as is: it is the baseline's behaviour. No sample is rejected.
 *  - Window: the newest sample is pushed after trimming the window to 15, so the fit sees up to
 *    16 points.
 *  - Fit: ordinary least squares host = a * (d - d0) + b + h0, where (d0, h0) is the very first
 *    sample (the original never moves it except for wraps). Computed here around the newest
 *    point and converted to that form, so it stays exact in double over hours of microseconds.
 *  - Blend: the previous coefficients and the new ones are mixed over 1 s of device time
 *    counted from the last timestamp that was mapped before the update: a timestamp x maps with
 *    t = (x - t_update) / 1 s, coefficients = t * new + (1 - t) * previous while t < 1 (t can
 *    be negative for a timestamp older than t_update). At an update, "previous" becomes the
 *    blend as it stood at the last mapped timestamp, so the mapping does not jump.
 *  - 32-bit wrap: when a mapped timestamp or a new sample differs from the newest held sample
 *    by more than 2^31 us, the held samples, the fit origin and the blend start are shifted by
 *    2^32 us onto the new epoch. Only with 32-bit timestamps (the original's counter always
 *    is 32 bits; here 64-bit timestamps never wrap).
 *  - Mapping is available from the first sample (slope 1 through it).
 * Sample host values are kept in half-microseconds (2 * h2 - rtt_min) so every stamp is exact.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "peer_clock.h"

enum {
    RS_BUFFER = 15,        /* trim-to size and "full" threshold */
    RS_CAP = RS_BUFFER + 1 /* points actually held after a push */
};

#define RS_POLL_US 100000
#define RS_FULL_POLL_US 1000000
#define RS_BLEND_SPAN_US 1e6
#define RS_INITIAL_MIN_RTT_US 2000000 /* twice the initial 1000 ms minimum command delay */
#define RS_WRAP_32 ((int64_t)1 << 32)

typedef struct rs_point {
    int64_t device;
    int64_t host2; /* host time in half-microseconds */
} rs_point_t;

typedef struct realsense_gt {
    peer_clock_t base;
    unsigned bits;

    rs_point_t pts[RS_CAP]; /* oldest first */
    int n;
    bool ready;
    int64_t min_rtt_us; /* smallest round trip seen = 2 * smallest command delay */

    rs_point_t origin; /* the original's _base_sample */
    double dest_a, dest_b; /* newest fit, relative to origin (b in us) */
    double prev_a, prev_b; /* coefficients blended from */
    int64_t prev_time;     /* device time the blend starts at */
    int64_t last_request;  /* last device time mapped (or of the first sample) */

    int64_t next_poll_us;
} realsense_gt_t;

static realsense_gt_t *rs_of(peer_clock_t *c)
{
    return (realsense_gt_t *)c;
}

static const realsense_gt_t *rs_of_const(const peer_clock_t *c)
{
    return (const realsense_gt_t *)c;
}

/* Re-bases the held samples onto x's 2^32 epoch if x is more than half a period away from the
 * newest one. */
static void rs_update_samples_base(realsense_gt_t *r, int64_t x)
{
    if (r->bits != 32 || r->n == 0)
        return;
    int64_t front = r->pts[r->n - 1].device;
    int64_t shift;
    if (front - x > RS_WRAP_32 / 2)
        shift = RS_WRAP_32;
    else if (x - front > RS_WRAP_32 / 2)
        shift = -RS_WRAP_32;
    else
        return;
    for (int i = 0; i < r->n; i++)
        r->pts[i].device -= shift;
    r->prev_time -= shift;
    r->origin.device -= shift;
}

static void rs_coefficients_at(const realsense_gt_t *r, int64_t x, double *a, double *b)
{
    *a = r->dest_a;
    *b = r->dest_b;
    double since = (double)(x - r->prev_time);
    if (since < RS_BLEND_SPAN_US) {
        double t = since / RS_BLEND_SPAN_US;
        *a = r->dest_a * t + r->prev_a * (1.0 - t);
        *b = r->dest_b * t + r->prev_b * (1.0 - t);
    }
}

/* Least squares over the held points, expressed relative to origin:
 * host = a * (device - origin.device) + b + origin.host. */
static bool rs_least_squares(const realsense_gt_t *r, double *a, double *b)
{
    const rs_point_t *ref = &r->pts[r->n - 1];
    double n = (double)r->n;
    double sx = 0.0, sy = 0.0;
    for (int i = 0; i < r->n; i++) {
        sx += (double)(r->pts[i].device - ref->device);
        sy += (double)(r->pts[i].host2 - ref->host2) / 2.0;
    }
    double mx = sx / n, my = sy / n;
    double sxx = 0.0, sxy = 0.0;
    for (int i = 0; i < r->n; i++) {
        double dx = (double)(r->pts[i].device - ref->device) - mx;
        double dy = (double)(r->pts[i].host2 - ref->host2) / 2.0 - my;
        sxx += dx * dx;
        sxy += dx * dy;
    }
    if (n * sxx <= DBL_EPSILON) /* the original's n*sum(x^2) - sum(x)^2 */
        return false;
    double slope = sxy / sxx;
    double c = my - slope * mx; /* host - ref.host at device = ref.device */
    *a = slope;
    *b = c + (double)(ref->host2 - r->origin.host2) / 2.0 -
         slope * (double)(ref->device - r->origin.device);
    return true;
}

static void rs_calc_coefficients(realsense_gt_t *r)
{
    double a = 1.0, b = 0.0, t = 1.0;
    if (r->n == 1) {
        r->origin = r->pts[0];
        r->dest_a = 1.0;
        r->dest_b = 0.0;
        r->prev_a = 0.0;
        r->prev_b = 0.0;
        r->last_request = r->pts[0].device;
    } else {
        if (!rs_least_squares(r, &a, &b)) {
            a = r->dest_a;
            b = r->dest_b;
        }
        double since = (double)(r->last_request - r->prev_time);
        if (since < RS_BLEND_SPAN_US)
            t = since / RS_BLEND_SPAN_US;
    }
    r->prev_a = r->dest_a * t + r->prev_a * (1.0 - t);
    r->prev_b = r->dest_b * t + r->prev_b * (1.0 - t);
    r->dest_a = a;
    r->dest_b = b;
    r->prev_time = r->last_request;
}

/* ---- Method entry points ---- */

peer_clock_t *peer_realsense_create(unsigned timestamp_bits)
{
    if (timestamp_bits != 64 && timestamp_bits != 32)
        return NULL;
    realsense_gt_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->base.kind = PEER_REALSENSE;
    r->bits = timestamp_bits;
    r->min_rtt_us = RS_INITIAL_MIN_RTT_US;
    r->next_poll_us = INT64_MIN;
    return &r->base;
}

void peer_realsense_destroy(peer_clock_t *c)
{
    free(rs_of(c));
}

int64_t peer_realsense_next_poll_us(const peer_clock_t *c)
{
    return rs_of_const(c)->next_poll_us;
}

void peer_realsense_add_two_way(peer_clock_t *c, int64_t host_before_us, int64_t device_us,
                                int64_t host_after_us)
{
    realsense_gt_t *r = rs_of(c);
    if (r->bits == 32)
        device_us &= RS_WRAP_32 - 1;

    int64_t rtt = host_after_us - host_before_us;
    if (rtt < r->min_rtt_us) {
        /* The original moves the held host values by (new_min - old_min) delay; in half-us
         * units that is rtt - min_rtt. */
        for (int i = 0; i < r->n; i++)
            r->pts[i].host2 += rtt - r->min_rtt_us;
        r->min_rtt_us = rtt;
    }
    rs_point_t p = {device_us, 2 * host_after_us - r->min_rtt_us};

    if (r->ready)
        rs_update_samples_base(r, device_us);

    while (r->n > RS_BUFFER) {
        memmove(r->pts, r->pts + 1, (size_t)(r->n - 1) * sizeof r->pts[0]);
        r->n--;
    }
    r->pts[r->n++] = p;
    rs_calc_coefficients(r);
    r->ready = true;

    r->next_poll_us = host_after_us + (r->n >= RS_BUFFER ? RS_FULL_POLL_US : RS_POLL_US);
}

/* librealsense never writes a device clock, and nothing in its global-time reader listens for
 * someone else doing it: its next samples simply show the jump, and the 15-sample least squares
 * (blended over 1 s) moves over to the new clock as they replace the old ones. */
void peer_realsense_note_write(peer_clock_t *c, int64_t host_us)
{
    (void)c;
    (void)host_us;
}

bool peer_realsense_map(peer_clock_t *c, int64_t device_ts_us, int64_t *host_us)
{
    realsense_gt_t *r = rs_of(c);
    if (!r->ready)
        return false;
    int64_t x = device_ts_us;
    if (r->bits == 32) {
        x &= RS_WRAP_32 - 1;
        rs_update_samples_base(r, x);
    }
    r->last_request = x;

    double a, b;
    rs_coefficients_at(r, x, &a, &b);
    /* origin.host2 may be odd (a half microsecond): split it into whole us and a fraction. */
    int64_t h2 = r->origin.host2;
    int64_t whole = h2 >= 0 ? h2 / 2 : -((-h2 + 1) / 2);
    double frac = (double)(h2 - 2 * whole) / 2.0;
    double v = a * (double)(x - r->origin.device) + b + frac;
    if (host_us)
        *host_us = whole + (int64_t)floor(v + 0.5);
    return true;
}
