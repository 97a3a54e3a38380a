/* Vendor "global timestamp" baseline: the vendor SDK's per-device fitter that maps the device
 * clock onto the host clock, re-implemented from its public description and source (the
 * weighted-least-squares generation of its GlobalTimestampFitter / GlobalTimestampCalculator).
 *
 * What it does, per device:
 *  - Sampling: one two-way sample (host, device, host) per poll. The round trip is checked
 *    against a robust RTT window (the last 50 normal round trips): once it holds 4, a round trip
 *    above median + 4 * max(MAD, max(200 us, median / 5)) is an outlier, is not added to the
 *    window, and is stamped with the window median instead of its own round trip. The sample's
 *    host time is host_after - rtt_ref / 2 (the midpoint for a normal sample). A round trip over
 *    20 ms drops the sample (after the RTT window has seen it, as the original does).
 *  - Schedule: poll again 50 ms later while fewer than 4 pairs are kept, 1 s later until 15,
 *    then every 10 s. A dropped sample is retried after 50 ms; after more than 5 drops in a row
 *    it waits the normal interval. Up to 100 pairs are kept (oldest dropped first); a device
 *    time lower than the newest pair's clears them all.
 *  - Fit: once 4 pairs are kept, least squares host = A * device + B over all of them; from 15
 *    pairs on, each pair is weighted exp(-ln2 * age / 600 s), age measured on the device clock
 *    from the newest pair. Stored as slope A and the weighted centroid (both truncated to
 *    whole microseconds, as the original stores them in integers).
 *  - Residual jump: with 15+ pairs and a fit, a new sample whose residual differs from the
 *    newest pair's residual by more than 20 ms triggers a re-check: 5 more samples, 500 ms
 *    apart. If the trigger plus at least 3 of them (4 of 6) jump the same way by over 20 ms, all
 *    old pairs are discarded and the fit is rebuilt from the trigger and those agreeing samples;
 *    otherwise the trigger is discarded and the non-agreeing samples are kept as normal pairs.
 *    A smaller jump simply enters the (decaying) fit, which then mixes both regimes.
 *  - Mapping: host = centroid_host + A * (device - centroid_device), rounded to the nearest us.
 *    With 32-bit timestamps the frame's timestamp is first unwrapped to the 2^32 epoch nearest
 *    the device time of the sample that produced the current fit (as the SDK's calculator does
 *    for its 32-bit frame timestamps).
 * Left out (no counterpart in this interface): the calculator-side correction that uses each
 * frame's host arrival time, the synchronous bootstrap run on a timer-reset request, PTP mode.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "peer_clock.h"

enum {
    VW_MAX_PAIRS = 100,     /* kept (host, device) pairs */
    VW_BOOT_PAIRS = 4,      /* pairs needed before the first fit; fast polling below this */
    VW_MATURE_PAIRS = 15,   /* weighting and jump detection from here; 10 s polling */
    VW_RTT_WINDOW = 50,     /* normal round trips kept for outlier detection */
    VW_RTT_MIN_WINDOW = 4,  /* round trips needed before outliers are detected */
    VW_SPREAD_K = 4,        /* outlier threshold: median + K * max(MAD, floor) */
    VW_REVERIFY_SAMPLES = 5,
    VW_DRIFT_MIN_AGREE = 4, /* of trigger + 5 re-check samples */
    VW_MAX_RETRY = 5        /* dropped samples in a row before backing off */
};

#define VW_MAX_VALID_RTT_US 20000
#define VW_SPREAD_FLOOR_US 200
#define VW_RESIDUAL_JUMP_US 20000.0
#define VW_HALF_LIFE_US 600e6
#define VW_BOOT_INTERVAL_US 50000
#define VW_REFRESH_INTERVAL_US 1000000
#define VW_MATURE_INTERVAL_US 10000000
#define VW_RETRY_INTERVAL_US 50000
#define VW_REVERIFY_INTERVAL_US 500000
#define VW_WRAP_32 ((int64_t)1 << 32)

typedef struct vw_pair {
    int64_t host;   /* estimated host time at which the device clock was read */
    int64_t device; /* device time read */
} vw_pair_t;

typedef struct vw_recheck {
    vw_pair_t pair;
    bool agree;
} vw_recheck_t;

typedef struct vendor_wls {
    peer_clock_t base;
    unsigned bits;

    vw_pair_t pairs[VW_MAX_PAIRS]; /* oldest first */
    int n_pairs;

    int64_t rtt_window[VW_RTT_WINDOW]; /* oldest first */
    int n_rtt;

    /* Current fit; valid when slope > 0 (as the original tests it). */
    double slope;
    int64_t ref_device, ref_host; /* weighted centroid, truncated */
    int64_t check_device;         /* device time of the sample that produced the fit */

    int retry_count;
    int64_t next_poll_us;

    /* Residual-jump re-check in progress. */
    bool rechecking;
    int recheck_attempts;
    vw_pair_t trigger;
    double baseline_residual_us; /* residual of the newest pair before the trigger */
    bool trigger_positive;
    vw_recheck_t rechecks[VW_REVERIFY_SAMPLES];
    int n_rechecks;
} vendor_wls_t;

static vendor_wls_t *vw_of(peer_clock_t *c)
{
    return (vendor_wls_t *)c;
}

static const vendor_wls_t *vw_of_const(const peer_clock_t *c)
{
    return (const vendor_wls_t *)c;
}

/* ---- RTT window ---- */

static void sort_i64(int64_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        int64_t x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

/* Returns the round trip the sample is stamped with (its own, or the median for an outlier). */
static int64_t vw_rtt_estimate(vendor_wls_t *w, int64_t rtt)
{
    if (w->n_rtt >= VW_RTT_MIN_WINDOW) {
        int64_t s[VW_RTT_WINDOW], dev[VW_RTT_WINDOW];
        memcpy(s, w->rtt_window, (size_t)w->n_rtt * sizeof s[0]);
        sort_i64(s, w->n_rtt);
        int64_t median = s[w->n_rtt / 2];
        for (int i = 0; i < w->n_rtt; i++)
            dev[i] = s[i] >= median ? s[i] - median : median - s[i];
        sort_i64(dev, w->n_rtt);
        int64_t mad = dev[w->n_rtt / 2];
        int64_t floor_eff = median / 5 > VW_SPREAD_FLOOR_US ? median / 5 : VW_SPREAD_FLOOR_US;
        int64_t spread = mad > floor_eff ? mad : floor_eff;
        if (rtt > median + VW_SPREAD_K * spread)
            return median; /* outlier: not added to the window */
    }
    if (w->n_rtt == VW_RTT_WINDOW) {
        memmove(w->rtt_window, w->rtt_window + 1, (VW_RTT_WINDOW - 1) * sizeof w->rtt_window[0]);
        w->n_rtt--;
    }
    w->rtt_window[w->n_rtt++] = rtt;
    return rtt;
}

/* ---- Pairs and fit ---- */

static void vw_push_pair(vendor_wls_t *w, vw_pair_t p)
{
    if (w->n_pairs >= VW_MAX_PAIRS) {
        memmove(w->pairs, w->pairs + 1, (VW_MAX_PAIRS - 1) * sizeof w->pairs[0]);
        w->n_pairs--;
    }
    if (w->n_pairs > 0 && p.device < w->pairs[w->n_pairs - 1].device)
        w->n_pairs = 0; /* device time went backwards: start over */
    w->pairs[w->n_pairs++] = p;
}

static bool vw_have_fit(const vendor_wls_t *w)
{
    return w->slope > 0.0;
}

/* Host time minus the fitted line at that pair's device time. */
static double vw_residual(const vendor_wls_t *w, vw_pair_t p)
{
    return (double)(p.host - w->ref_host) - w->slope * (double)(p.device - w->ref_device);
}

/* Weighted least squares over the kept pairs; differences from the oldest pair are formed in
 * int64 before going to double, so the sums stay exact over hours of microseconds. */
static void vw_fit(vendor_wls_t *w, int64_t check_device)
{
    int n = w->n_pairs;
    if (n < 2)
        return;
    const vw_pair_t *p = w->pairs;
    int64_t off_x = p[0].device, off_y = p[0].host;
    int64_t newest = p[n - 1].device;
    double lambda = n >= VW_MATURE_PAIRS ? log(2.0) / VW_HALF_LIFE_US : 0.0;

    double sw = 0.0, swx = 0.0, swy = 0.0;
    for (int i = 0; i < n; i++) {
        double wt = lambda > 0.0 ? exp(-lambda * (double)(newest - p[i].device)) : 1.0;
        sw += wt;
        swx += wt * (double)(p[i].device - off_x);
        swy += wt * (double)(p[i].host - off_y);
    }
    double mx = swx / sw, my = swy / sw;
    double sxx = 0.0, sxy = 0.0;
    for (int i = 0; i < n; i++) {
        double wt = lambda > 0.0 ? exp(-lambda * (double)(newest - p[i].device)) : 1.0;
        double dx = (double)(p[i].device - off_x) - mx;
        double dy = (double)(p[i].host - off_y) - my;
        sxx += wt * dx * dx;
        sxy += wt * dx * dy;
    }
    if (fabs(sxx) < 1e-9)
        return; /* degenerate: keep the previous fit */
    w->slope = sxy / sxx;
    w->ref_device = off_x + (int64_t)floor(mx);
    w->ref_host = off_y + (int64_t)floor(my);
    w->check_device = check_device;
}

static int64_t vw_interval_us(const vendor_wls_t *w)
{
    if (w->n_pairs < VW_BOOT_PAIRS)
        return VW_BOOT_INTERVAL_US;
    if (w->n_pairs >= VW_MATURE_PAIRS)
        return VW_MATURE_INTERVAL_US;
    return VW_REFRESH_INTERVAL_US;
}

/* Trigger plus re-check samples are in: rebuild from the agreeing ones or discard the trigger. */
static void vw_finish_recheck(vendor_wls_t *w)
{
    int agree = 1; /* the trigger itself */
    for (int i = 0; i < w->n_rechecks; i++)
        agree += w->rechecks[i].agree ? 1 : 0;
    w->rechecking = false;

    if (agree >= VW_DRIFT_MIN_AGREE) {
        w->n_pairs = 0;
        w->pairs[w->n_pairs++] = w->trigger;
        for (int i = 0; i < w->n_rechecks; i++)
            if (w->rechecks[i].agree)
                w->pairs[w->n_pairs++] = w->rechecks[i].pair;
        if (w->n_pairs >= VW_BOOT_PAIRS)
            vw_fit(w, w->trigger.device);
        return;
    }
    int kept = 0;
    for (int i = 0; i < w->n_rechecks; i++) {
        if (w->rechecks[i].agree)
            continue;
        vw_push_pair(w, w->rechecks[i].pair);
        kept++;
    }
    if (kept > 0 && w->n_pairs >= VW_BOOT_PAIRS)
        vw_fit(w, w->trigger.device);
}

static void vw_recheck_sample(vendor_wls_t *w, bool ok, vw_pair_t p, int64_t host_after_us)
{
    if (ok) {
        double jump = vw_residual(w, p) - w->baseline_residual_us;
        bool agree = fabs(jump) > VW_RESIDUAL_JUMP_US && ((jump > 0.0) == w->trigger_positive);
        w->rechecks[w->n_rechecks].pair = p;
        w->rechecks[w->n_rechecks].agree = agree;
        w->n_rechecks++;
    }
    w->recheck_attempts++;
    if (w->recheck_attempts < VW_REVERIFY_SAMPLES) {
        w->next_poll_us = host_after_us + VW_REVERIFY_INTERVAL_US;
        return;
    }
    vw_finish_recheck(w);
    w->next_poll_us = host_after_us + vw_interval_us(w);
}

/* ---- Method entry points ---- */

peer_clock_t *peer_vendor_wls_create(unsigned timestamp_bits)
{
    if (timestamp_bits != 64 && timestamp_bits != 32)
        return NULL;
    vendor_wls_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->base.kind = PEER_VENDOR_WLS;
    w->bits = timestamp_bits;
    w->next_poll_us = INT64_MIN;
    return &w->base;
}

void peer_vendor_wls_destroy(peer_clock_t *c)
{
    free(vw_of(c));
}

int64_t peer_vendor_wls_next_poll_us(const peer_clock_t *c)
{
    return vw_of_const(c)->next_poll_us;
}

void peer_vendor_wls_add_two_way(peer_clock_t *c, int64_t host_before_us, int64_t device_us,
                                 int64_t host_after_us)
{
    vendor_wls_t *w = vw_of(c);
    if (w->bits == 32)
        device_us &= VW_WRAP_32 - 1;

    int64_t rtt = host_after_us - host_before_us;
    bool ok = false;
    vw_pair_t p = {0, device_us};
    if (rtt >= 0) {
        int64_t rtt_ref = vw_rtt_estimate(w, rtt);
        p.host = host_after_us - rtt_ref / 2;
        ok = rtt <= VW_MAX_VALID_RTT_US;
    }

    if (w->rechecking) {
        vw_recheck_sample(w, ok, p, host_after_us);
        return;
    }

    if (!ok) {
        w->retry_count++;
        if (w->retry_count > VW_MAX_RETRY) {
            w->retry_count = 0;
            w->next_poll_us = host_after_us + (w->n_pairs >= VW_MATURE_PAIRS
                                                   ? VW_MATURE_INTERVAL_US
                                                   : VW_REFRESH_INTERVAL_US);
        } else {
            w->next_poll_us = host_after_us + VW_RETRY_INTERVAL_US;
        }
        return;
    }
    w->retry_count = 0;

    if (vw_have_fit(w) && w->n_pairs >= VW_MATURE_PAIRS) {
        double residual = vw_residual(w, p);
        double last_residual = vw_residual(w, w->pairs[w->n_pairs - 1]);
        double jump = residual - last_residual;
        if (fabs(jump) > VW_RESIDUAL_JUMP_US) {
            w->rechecking = true;
            w->recheck_attempts = 0;
            w->n_rechecks = 0;
            w->trigger = p;
            w->baseline_residual_us = last_residual;
            w->trigger_positive = jump > 0.0;
            w->next_poll_us = host_after_us + VW_REVERIFY_INTERVAL_US;
            return;
        }
    }

    vw_push_pair(w, p);
    if (w->n_pairs >= VW_BOOT_PAIRS)
        vw_fit(w, p.device);
    w->next_poll_us = host_after_us + vw_interval_us(w);
}

bool peer_vendor_wls_map(peer_clock_t *c, int64_t device_ts_us, int64_t *host_us)
{
    vendor_wls_t *w = vw_of(c);
    if (!vw_have_fit(w))
        return false;
    int64_t x = device_ts_us;
    if (w->bits == 32) {
        int64_t diff = (device_ts_us & (VW_WRAP_32 - 1)) - (w->check_device & (VW_WRAP_32 - 1));
        if (diff > VW_WRAP_32 / 2)
            diff -= VW_WRAP_32;
        else if (diff < -VW_WRAP_32 / 2)
            diff += VW_WRAP_32;
        x = w->check_device + diff;
    }
    double inc = w->slope * (double)(x - w->ref_device);
    if (host_us)
        *host_us = w->ref_host + (int64_t)floor(inc + 0.5);
    return true;
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

bool peer_clock_map(peer_clock_t *c, int64_t device_ts_us, int64_t *host_us)
{
    return c->kind == PEER_VENDOR_WLS ? peer_vendor_wls_map(c, device_ts_us, host_us)
                                      : peer_realsense_map(c, device_ts_us, host_us);
}
