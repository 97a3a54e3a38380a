/* vendor_fitter: the vendor SDK's global-timestamp fitter (OrbbecSDK v2.9.3,
 * src/device/component/timestamp/GlobalTimestampFitter.cpp and the two callers of its refit),
 * re-implemented in C from the facts of its source. See vendor_fitter.h for the interface.
 *
 * What it does, per device:
 *  - Sampling: one two-way read (host, device, host) per poll. The round trip is checked
 *    against a robust RTT window (the last 50 normal round trips): once it holds 4, a round trip
 *    above median + 4 * max(MAD, max(200 us, median / 5)) is an outlier, is not added to the
 *    window, and is stamped with the window median instead of its own round trip. The sample's
 *    host time is host_after - rtt_ref / 2 (the midpoint for a normal sample). A round trip over
 *    20 ms drops the sample (after the RTT window has seen it, as the original does).
 *  - Background schedule: poll again 50 ms later while fewer than 4 pairs are kept, 1 s later
 *    until 15, then every 10 s. A dropped sample is retried after 50 ms; after more than 5 drops
 *    in a row it waits the normal interval. Up to 100 pairs are kept (oldest dropped first); a
 *    device time lower than the newest pair's clears them all.
 *  - Refit after a clock write (vendor_fitter_note_write). The SDK refits synchronously after
 *    each host timer sync, both from ob_device_timer_sync_with_host and from every pass of its
 *    background multi-device clock sync: the timer sync writes the clock, waits 50 ms, writes it
 *    again and reads it back; then the refit clears every kept pair (the RTT window stays) and
 *    runs a bootstrap on the calling thread: up to 6 read attempts until 6 pairs are kept, 40 ms
 *    apart after each good read (a dropped read is retried at once), then one unweighted fit if
 *    at least 4 pairs came in (otherwise no fit: the previous one stays). It then wakes the
 *    background loop, which waits 50 ms, reads once more and refits, and goes on with its normal
 *    schedule (1 s while fewer than 15 pairs). Until the bootstrap's fit exists, frames keep
 *    being mapped with the fit from before the write: the SDK never drops its fit on a write.
 *  - Fit: once 4 pairs are kept, least squares host = A * device + B over all of them; from 15
 *    pairs on, each pair is weighted exp(-ln2 * age / (600 * 1000)), age measured in device
 *    ticks from the newest pair. The SDK's comment reads that as a 600 s half-life with device
 *    time in ms; on a device whose clock ticks in us (this model, and e.g. Femto Bolt from
 *    firmware 1.1.1, Astra 2, Gemini 210) the same formula gives a 0.6 s half-life, so in
 *    practice only the newest two or three pairs count. Stored as slope A and the weighted
 *    centroid (both truncated to whole ticks, as the original stores them in integers).
 *  - Residual jump: with 15+ pairs and a fit, a new sample whose residual differs from the
 *    newest pair's residual by more than 20 ms triggers a re-check: 5 more samples, 500 ms
 *    apart. If the trigger plus at least 3 of them (4 of 6) jump the same way by over 20 ms, all
 *    old pairs are discarded and the fit is rebuilt from the trigger and those agreeing samples;
 *    otherwise the trigger is discarded and the non-agreeing samples are kept as normal pairs.
 *  - Mapping: host = centroid_host + A * (device - centroid_device), rounded to the nearest us.
 *    With 32-bit timestamps the frame's timestamp is first unwrapped to the 2^32 epoch nearest
 *    the device time of the sample that produced the current fit. (In the SDK, frame timestamps
 *    reach the mapping already extended to 64 bits by its frame-timestamp calculators; unwrapping
 *    against the fit's own sample is the same while the fit is under 35 minutes old.)
 * Left out: the frame-side correction of v2.9.3's GlobalTimestampCalculator (an exponential
 * moving average, 5 s time constant, of each frame's host arrival minus the fitted time, applied
 * relative to its value 10 s after the first frame or after a clock write); it needs each frame's
 * arrival time, which this interface does not take. Also left out: reads a background poll may
 * take in the 50 ms between the write and the refit (they are cleared by the refit anyway),
 * device clocks counted in ms, PTP mode.
 */
#include "vendor_fitter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    VF_MAX_PAIRS = 100,     /* kept (host, device) pairs */
    VF_BOOT_PAIRS = 4,      /* pairs needed before the first fit; fast polling below this */
    VF_MATURE_PAIRS = 15,   /* weighting and jump detection from here; 10 s polling */
    VF_RTT_WINDOW = 50,     /* normal round trips kept for outlier detection */
    VF_RTT_MIN_WINDOW = 4,  /* round trips needed before outliers are detected */
    VF_SPREAD_K = 4,        /* outlier threshold: median + K * max(MAD, floor) */
    VF_REVERIFY_SAMPLES = 5,
    VF_DRIFT_MIN_AGREE = 4, /* of trigger + 5 re-check samples */
    VF_MAX_RETRY = 5,       /* dropped samples in a row before backing off */
    VF_REFIT_PAIRS = 6,     /* the refit's bootstrap stops at this many pairs ... */
    VF_REFIT_ATTEMPTS = 6   /* ... or after this many reads */
};

#define VF_MAX_VALID_RTT_US 20000
#define VF_SPREAD_FLOOR_US 200
#define VF_RESIDUAL_JUMP_US 20000.0
#define VF_HALF_LIFE_TICKS 600000.0 /* 600 "s" x 1000: see the header comment */
#define VF_BOOT_INTERVAL_US 50000
#define VF_REFRESH_INTERVAL_US 1000000
#define VF_MATURE_INTERVAL_US 10000000
#define VF_RETRY_INTERVAL_US 50000
#define VF_REVERIFY_INTERVAL_US 500000
#define VF_WRITE_TO_REFIT_US 50000 /* timer sync: write, 50 ms sleep, write again, read back */
#define VF_REFIT_SPACING_US 40000  /* bootstrap reads: a 40 ms sleep after each good one */
#define VF_WAKE_DELAY_US 50000     /* the woken background loop sleeps 50 ms before reading */
#define VF_WRAP_32 ((int64_t)1 << 32)

typedef struct vf_pair {
    int64_t host;   /* estimated host time at which the device clock was read */
    int64_t device; /* device time read */
} vf_pair_t;

typedef struct vf_recheck {
    vf_pair_t pair;
    bool agree;
} vf_recheck_t;

struct vendor_fitter {
    unsigned bits;
    int64_t us_per_tick; /* the device clock's tick: the unit of the SDK's pair ages */

    vf_pair_t pairs[VF_MAX_PAIRS]; /* oldest first */
    int n_pairs;

    int64_t rtt_window[VF_RTT_WINDOW]; /* oldest first */
    int n_rtt;

    /* Current fit; valid when slope > 0 (as the original tests it). */
    double slope;
    int64_t ref_device, ref_host; /* weighted centroid, truncated */
    int64_t check_device;         /* device time of the sample that produced the fit */

    int retry_count;
    int64_t next_poll_us;

    /* Refit bootstrap after a clock write in progress. */
    bool refitting;
    int refit_attempts;

    /* Residual-jump re-check in progress. */
    bool rechecking;
    int recheck_attempts;
    vf_pair_t trigger;
    double baseline_residual_us; /* residual of the newest pair before the trigger */
    bool trigger_positive;
    vf_recheck_t rechecks[VF_REVERIFY_SAMPLES];
    int n_rechecks;
};

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
static int64_t vf_rtt_estimate(vendor_fitter_t *w, int64_t rtt)
{
    if (w->n_rtt >= VF_RTT_MIN_WINDOW) {
        int64_t s[VF_RTT_WINDOW], dev[VF_RTT_WINDOW];
        memcpy(s, w->rtt_window, (size_t)w->n_rtt * sizeof s[0]);
        sort_i64(s, w->n_rtt);
        int64_t median = s[w->n_rtt / 2];
        for (int i = 0; i < w->n_rtt; i++)
            dev[i] = s[i] >= median ? s[i] - median : median - s[i];
        sort_i64(dev, w->n_rtt);
        int64_t mad = dev[w->n_rtt / 2];
        int64_t floor_eff = median / 5 > VF_SPREAD_FLOOR_US ? median / 5 : VF_SPREAD_FLOOR_US;
        int64_t spread = mad > floor_eff ? mad : floor_eff;
        if (rtt > median + VF_SPREAD_K * spread)
            return median; /* outlier: not added to the window */
    }
    if (w->n_rtt == VF_RTT_WINDOW) {
        memmove(w->rtt_window, w->rtt_window + 1, (VF_RTT_WINDOW - 1) * sizeof w->rtt_window[0]);
        w->n_rtt--;
    }
    w->rtt_window[w->n_rtt++] = rtt;
    return rtt;
}

/* ---- Pairs and fit ---- */

static void vf_push_pair(vendor_fitter_t *w, vf_pair_t p)
{
    if (w->n_pairs >= VF_MAX_PAIRS) {
        memmove(w->pairs, w->pairs + 1, (VF_MAX_PAIRS - 1) * sizeof w->pairs[0]);
        w->n_pairs--;
    }
    if (w->n_pairs > 0 && p.device < w->pairs[w->n_pairs - 1].device)
        w->n_pairs = 0; /* device time went backwards: start over */
    w->pairs[w->n_pairs++] = p;
}

static bool vf_have_fit(const vendor_fitter_t *w)
{
    return w->slope > 0.0;
}

/* Host time minus the fitted line at that pair's device time. */
static double vf_residual(const vendor_fitter_t *w, vf_pair_t p)
{
    return (double)(p.host - w->ref_host) - w->slope * (double)(p.device - w->ref_device);
}

/* Weighted least squares over the kept pairs; differences from the oldest pair are formed in
 * int64 before going to double, so the sums stay exact over hours of microseconds. */
static void vf_fit(vendor_fitter_t *w, int64_t check_device)
{
    int n = w->n_pairs;
    if (n < 2)
        return;
    const vf_pair_t *p = w->pairs;
    int64_t off_x = p[0].device, off_y = p[0].host;
    int64_t newest = p[n - 1].device;
    double lambda =
        n >= VF_MATURE_PAIRS ? log(2.0) / (VF_HALF_LIFE_TICKS * (double)w->us_per_tick) : 0.0;

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

static int64_t vf_interval_us(const vendor_fitter_t *w)
{
    if (w->n_pairs < VF_BOOT_PAIRS)
        return VF_BOOT_INTERVAL_US;
    if (w->n_pairs >= VF_MATURE_PAIRS)
        return VF_MATURE_INTERVAL_US;
    return VF_REFRESH_INTERVAL_US;
}

/* Trigger plus re-check samples are in: rebuild from the agreeing ones or discard the trigger. */
static void vf_finish_recheck(vendor_fitter_t *w)
{
    int agree = 1; /* the trigger itself */
    for (int i = 0; i < w->n_rechecks; i++)
        agree += w->rechecks[i].agree ? 1 : 0;
    w->rechecking = false;

    if (agree >= VF_DRIFT_MIN_AGREE) {
        w->n_pairs = 0;
        w->pairs[w->n_pairs++] = w->trigger;
        for (int i = 0; i < w->n_rechecks; i++)
            if (w->rechecks[i].agree)
                w->pairs[w->n_pairs++] = w->rechecks[i].pair;
        if (w->n_pairs >= VF_BOOT_PAIRS)
            vf_fit(w, w->trigger.device);
        return;
    }
    int kept = 0;
    for (int i = 0; i < w->n_rechecks; i++) {
        if (w->rechecks[i].agree)
            continue;
        vf_push_pair(w, w->rechecks[i].pair);
        kept++;
    }
    if (kept > 0 && w->n_pairs >= VF_BOOT_PAIRS)
        vf_fit(w, w->trigger.device);
}

static void vf_recheck_sample(vendor_fitter_t *w, bool ok, vf_pair_t p, int64_t host_after_us)
{
    if (ok) {
        double jump = vf_residual(w, p) - w->baseline_residual_us;
        bool agree = fabs(jump) > VF_RESIDUAL_JUMP_US && ((jump > 0.0) == w->trigger_positive);
        w->rechecks[w->n_rechecks].pair = p;
        w->rechecks[w->n_rechecks].agree = agree;
        w->n_rechecks++;
    }
    w->recheck_attempts++;
    if (w->recheck_attempts < VF_REVERIFY_SAMPLES) {
        w->next_poll_us = host_after_us + VF_REVERIFY_INTERVAL_US;
        return;
    }
    vf_finish_recheck(w);
    w->next_poll_us = host_after_us + vf_interval_us(w);
}

/* One read of the refit's bootstrap burst (after a clock write). */
static void vf_refit_sample(vendor_fitter_t *w, bool ok, vf_pair_t p, int64_t host_after_us)
{
    w->refit_attempts++;
    int64_t done_at = host_after_us; /* a dropped read is retried at once */
    if (ok) {
        if (w->n_pairs > 0 && p.device < w->pairs[w->n_pairs - 1].device)
            w->n_pairs = 0;
        if (w->n_pairs < VF_MAX_PAIRS)
            w->pairs[w->n_pairs++] = p;
        done_at = host_after_us + VF_REFIT_SPACING_US;
    }
    if (w->n_pairs < VF_REFIT_PAIRS && w->refit_attempts < VF_REFIT_ATTEMPTS) {
        w->next_poll_us = done_at;
        return;
    }
    w->refitting = false;
    if (w->n_pairs >= VF_BOOT_PAIRS)
        vf_fit(w, p.device); /* unweighted: fewer than 15 pairs */
    /* The woken background loop waits 50 ms, then reads on its normal path. */
    w->next_poll_us = done_at + VF_WAKE_DELAY_US;
}

/* ---- Entry points ---- */

vendor_fitter_t *vendor_fitter_create(unsigned timestamp_bits)
{
    if (timestamp_bits != 64 && timestamp_bits != 32)
        return NULL;
    vendor_fitter_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->bits = timestamp_bits;
    w->next_poll_us = INT64_MIN;
    w->us_per_tick = 1;
    return w;
}

void vendor_fitter_set_tick_us(vendor_fitter_t *f, int64_t us_per_tick)
{
    if (f && us_per_tick >= 1 && us_per_tick <= 1000000)
        f->us_per_tick = us_per_tick;
}

void vendor_fitter_destroy(vendor_fitter_t *f)
{
    free(f);
}

int64_t vendor_fitter_next_poll_us(const vendor_fitter_t *f)
{
    return f->next_poll_us;
}

void vendor_fitter_note_write(vendor_fitter_t *w, int64_t host_us)
{
    /* The refit clears the kept pairs but not the RTT window, nor the fit itself. A jump
     * re-check in flight belongs to the old clock: it ends here too. */
    w->n_pairs = 0;
    w->rechecking = false;
    w->retry_count = 0;
    w->refitting = true;
    w->refit_attempts = 0;
    w->next_poll_us = host_us + VF_WRITE_TO_REFIT_US;
}

void vendor_fitter_add_two_way(vendor_fitter_t *w, int64_t host_before_us, int64_t device_us,
                               int64_t host_after_us)
{
    if (w->bits == 32)
        device_us &= VF_WRAP_32 - 1;

    int64_t rtt = host_after_us - host_before_us;
    bool ok = false;
    vf_pair_t p = {0, device_us};
    if (rtt >= 0) {
        int64_t rtt_ref = vf_rtt_estimate(w, rtt);
        p.host = host_after_us - rtt_ref / 2;
        ok = rtt <= VF_MAX_VALID_RTT_US;
    }

    if (w->refitting) {
        vf_refit_sample(w, ok, p, host_after_us);
        return;
    }
    if (w->rechecking) {
        vf_recheck_sample(w, ok, p, host_after_us);
        return;
    }

    if (!ok) {
        w->retry_count++;
        if (w->retry_count > VF_MAX_RETRY) {
            w->retry_count = 0;
            w->next_poll_us = host_after_us + (w->n_pairs >= VF_MATURE_PAIRS
                                                   ? VF_MATURE_INTERVAL_US
                                                   : VF_REFRESH_INTERVAL_US);
        } else {
            w->next_poll_us = host_after_us + VF_RETRY_INTERVAL_US;
        }
        return;
    }
    w->retry_count = 0;

    if (vf_have_fit(w) && w->n_pairs >= VF_MATURE_PAIRS) {
        double residual = vf_residual(w, p);
        double last_residual = vf_residual(w, w->pairs[w->n_pairs - 1]);
        double jump = residual - last_residual;
        if (fabs(jump) > VF_RESIDUAL_JUMP_US) {
            w->rechecking = true;
            w->recheck_attempts = 0;
            w->n_rechecks = 0;
            w->trigger = p;
            w->baseline_residual_us = last_residual;
            w->trigger_positive = jump > 0.0;
            w->next_poll_us = host_after_us + VF_REVERIFY_INTERVAL_US;
            return;
        }
    }

    vf_push_pair(w, p);
    if (w->n_pairs >= VF_BOOT_PAIRS)
        vf_fit(w, p.device);
    w->next_poll_us = host_after_us + vf_interval_us(w);
}

bool vendor_fitter_map(const vendor_fitter_t *w, int64_t device_ts_us, int64_t *host_us)
{
    if (!vf_have_fit(w))
        return false;
    int64_t x = device_ts_us;
    if (w->bits == 32) {
        int64_t diff = (device_ts_us & (VF_WRAP_32 - 1)) - (w->check_device & (VF_WRAP_32 - 1));
        if (diff > VF_WRAP_32 / 2)
            diff -= VF_WRAP_32;
        else if (diff < -VF_WRAP_32 / 2)
            diff += VF_WRAP_32;
        x = w->check_device + diff;
    }
    double inc = w->slope * (double)(x - w->ref_device);
    if (host_us)
        *host_us = w->ref_host + (int64_t)floor(inc + 0.5);
    return true;
}
