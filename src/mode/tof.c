/*
 * ToF depth interference: when do two depth cameras' laser pulse trains overlap, and which
 * depth delays keep every camera of a rig clear of the others.
 */
#include "mode/tof.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/config_internal.h"
#include "mode/mode.h"

rig_tof_params_t rig_tof_params_default(void)
{
    rig_tof_params_t p = {.pulses = 9, .pulse_us = 125, .gap_us = 1450, .min_spacing_us = 160};
    return p;
}

int64_t rig_tof_pulse_period_us(const rig_tof_params_t *p) { return p->pulse_us + p->gap_us; }

int64_t rig_tof_train_us(const rig_tof_params_t *p)
{
    return (int64_t)(p->pulses - 1) * rig_tof_pulse_period_us(p) + p->pulse_us;
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

bool rig_tof_trains_overlap(const rig_tof_params_t *p, int64_t start_a_us, int64_t start_b_us)
{
    if (!p || p->pulses <= 0 || p->pulse_us <= 0)
        return false;
    int64_t d = start_b_us - start_a_us;
    if (abs64(d) >= rig_tof_train_us(p))
        return false;
    /* Pulse i of A, [a + i*P, a + i*P + w), meets pulse j of B iff |d - (i - j)*P| < w. The
     * nearest multiples of P to d are the only candidates; they must be a reachable i - j. */
    int64_t period = rig_tof_pulse_period_us(p);
    int64_t k = d / period;
    if (d % period < 0)
        k--; /* floor */
    for (int64_t c = k - 1; c <= k + 2; c++)
        if (abs64(c) <= p->pulses - 1 && abs64(d - c * period) < p->pulse_us)
            return true;
    return false;
}

/* Slots of one group on the pulse-period circle, and the distance between groups. */
static int64_t slots_per_group(const rig_tof_params_t *p)
{
    int64_t s = rig_tof_pulse_period_us(p) / p->min_spacing_us;
    return s < 1 ? 1 : s;
}

/* A group starts once the previous one is over: its first pulse min_spacing after the start of
 * the previous group's last pulse (last slot + (pulses - 1) * period). Groups never share time. */
static int64_t group_stride_us(const rig_tof_params_t *p)
{
    return (slots_per_group(p) - 1) * p->min_spacing_us + rig_tof_train_us(p) +
           p->min_spacing_us - p->pulse_us;
}

/* Start of slot i: group i / slots, position i % slots. */
static int64_t slot_us(const rig_tof_params_t *p, size_t i)
{
    int64_t per = slots_per_group(p);
    return (int64_t)i / per * group_stride_us(p) + (int64_t)i % per * p->min_spacing_us;
}

/* The last pulse of a train at `start` begins min_spacing before the next frame's first train. */
static bool slot_fits(const rig_tof_params_t *p, int64_t start, int64_t frame_period_us)
{
    return start + rig_tof_train_us(p) + p->min_spacing_us - p->pulse_us <= frame_period_us;
}

static bool params_ok(const rig_tof_params_t *p)
{
    return p && p->pulses > 0 && p->pulse_us > 0 && p->gap_us >= 0 && p->min_spacing_us > 0;
}

size_t rig_tof_capacity(const rig_tof_params_t *p, int64_t frame_period_us)
{
    if (!params_ok(p))
        return 0;
    size_t n = 0;
    while (slot_fits(p, slot_us(p, n), frame_period_us))
        n++;
    return n < 1 ? 1 : n;
}

bool rig_tof_plan(const rig_tof_params_t *p, size_t n, int64_t frame_period_us,
                  const int64_t *base_us, int64_t *delays_us, char *msg, size_t msg_len)
{
    if (msg && msg_len)
        msg[0] = '\0';
    if (!params_ok(p) || frame_period_us <= 0 || (n && !delays_us)) {
        if (msg)
            rig_fmt(msg, msg_len, "invalid ToF parameters or frame period.");
        return false;
    }
    size_t cap = rig_tof_capacity(p, frame_period_us);
    if (n > cap) {
        size_t per = (size_t)slots_per_group(p);
        size_t groups = (cap + per - 1) / per;
        if (msg)
            rig_fmt(msg, msg_len,
                    "at most %zu depth cameras triggered together fit a %lld us frame period "
                    "without overlapping ToF pulses (%zu per group, %lld us apart within the "
                    "%lld us pulse period; %zu group%s, %lld us apart), not %zu.",
                    cap, (long long)frame_period_us, per, (long long)p->min_spacing_us,
                    (long long)rig_tof_pulse_period_us(p), groups, groups == 1 ? "" : "s",
                    (long long)group_stride_us(p), n);
        return false;
    }
    int64_t shift = 0;
    for (size_t i = 0; base_us && i < n; i++)
        shift = RIG_MAX(shift, base_us[i] - slot_us(p, i));
    for (size_t i = 0; i < n; i++) {
        int64_t d = slot_us(p, i) + shift - (base_us ? base_us[i] : 0);
        if (d >= frame_period_us) {
            if (msg)
                rig_fmt(msg, msg_len,
                        "camera %zu would need a depth delay of %lld us, a full %lld us frame "
                        "period or more, because the trigger reaches the cameras at times up to "
                        "%lld us apart; lower trigger_out_delay_us / trigger_to_image_delay_us.",
                        i, (long long)d, (long long)frame_period_us, (long long)shift);
            return false;
        }
        delays_us[i] = d;
    }
    return true;
}

int64_t rig_tof_frame_period_us(const rig_config_t *cfg)
{
    uint32_t fps = cfg ? cfg->streams[RIG_STREAM_DEPTH].fps : 0;
    return fps ? 1000000 / (int64_t)fps : 1000000;
}

static bool generator_feeds(const rig_config_t *cfg, size_t index)
{
    const rig_sim_spec_t *sim = &cfg->sim;
    for (size_t k = 0; k < sim->generator_count; k++) {
        size_t s = sim->generator_to[k];
        if (s < sim->device_count &&
            strcmp(sim->devices[s].serial, cfg->devices[index].serial) == 0)
            return true;
    }
    return false;
}

int rig_tof_device_clock(const rig_config_t *cfg, size_t index, int64_t *base_us)
{
    if (base_us)
        *base_us = 0;
    if (!cfg || index >= cfg->device_count)
        return RIG_TOF_NO_CLOCK;
    const rig_sync_config_t *s = &cfg->devices[index].sync;
    int64_t image = s->trigger_to_image_delay_us;
    if (s->mode == RIG_SYNC_MODE_FREE_RUN || s->mode == RIG_SYNC_MODE_STANDALONE ||
        rig_mode_is_pulse_source(s)) {
        if (base_us)
            *base_us = image;
        return (int)index;
    }
    /* SECONDARY, SECONDARY_SYNCED, HARDWARE_TRIGGERING: follow the pulses upstream. */
    int64_t arrival = 0;
    size_t cur = index;
    for (size_t step = 0; step <= cfg->device_count; step++) {
        if (generator_feeds(cfg, cur)) {
            if (base_us)
                *base_us = arrival + image;
            return (int)cfg->device_count;
        }
        int up = rig_config_pulse_source(cfg, cur);
        if (up < 0 || up == (int)index)
            break;
        const rig_sync_config_t *u = &cfg->devices[up].sync;
        if (!rig_mode_drives_sync_out(u))
            break;
        arrival += u->trigger_out_delay_us;
        if (rig_mode_is_pulse_source(u)) {
            if (base_us)
                *base_us = arrival + image;
            return up;
        }
        cur = (size_t)up;
    }
    /* No pulses reach it: a SECONDARY_SYNCED keeps capturing on its own clock. */
    if (s->mode == RIG_SYNC_MODE_SECONDARY_SYNCED) {
        if (base_us)
            *base_us = image;
        return (int)index;
    }
    return RIG_TOF_NO_CLOCK;
}

void rig_tof_interference_free(rig_tof_interference_t *r)
{
    if (!r)
        return;
    free(r->clock);
    free(r->depth_start_us);
    free(r->pairs);
    memset(r, 0, sizeof(*r));
}

/* Trains of two devices on one clock repeat every frame: compare a with b in nearby frames. */
static bool repeating_trains_overlap(const rig_tof_params_t *p, int64_t a, int64_t b,
                                     int64_t frame_period_us)
{
    int64_t reach = rig_tof_train_us(p) / frame_period_us + 1;
    for (int64_t k = -reach; k <= reach; k++)
        if (rig_tof_trains_overlap(p, a, b + k * frame_period_us))
            return true;
    return false;
}

rig_error_t rig_tof_find_interference(const rig_config_t *cfg, const rig_tof_params_t *p,
                                      rig_tof_interference_t *out)
{
    if (!out)
        return RIG_ERROR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    if (!cfg || !params_ok(p))
        return RIG_ERROR_INVALID_ARGUMENT;
    size_t n = cfg->device_count;
    out->device_count = n;
    out->clock = calloc(n ? n : 1, sizeof(*out->clock));
    out->depth_start_us = calloc(n ? n : 1, sizeof(*out->depth_start_us));
    /* +1: the signal generator's slot */
    bool *seen = calloc(n + 1, sizeof(*seen));
    size_t max_pairs = n < 2 ? 1 : n * (n - 1) / 2;
    out->pairs = calloc(max_pairs, sizeof(*out->pairs));
    if (!out->clock || !out->depth_start_us || !seen || !out->pairs) {
        free(seen);
        rig_tof_interference_free(out);
        return RIG_ERROR_NO_MEMORY;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t base = 0;
        out->clock[i] = rig_tof_device_clock(cfg, i, &base);
        out->depth_start_us[i] = base + cfg->devices[i].sync.depth_delay_us;
        if (out->clock[i] != RIG_TOF_NO_CLOCK && !seen[out->clock[i]]) {
            seen[out->clock[i]] = true;
            out->clock_count++;
        }
    }
    free(seen);
    out->independent_clocks = out->clock_count >= 2;
    int64_t frame = rig_tof_frame_period_us(cfg);
    for (size_t a = 0; a < n; a++) {
        for (size_t b = a + 1; b < n; b++) {
            if (out->clock[a] == RIG_TOF_NO_CLOCK || out->clock[a] != out->clock[b])
                continue;
            if (!repeating_trains_overlap(p, out->depth_start_us[a], out->depth_start_us[b],
                                          frame))
                continue;
            rig_tof_pair_t *pr = &out->pairs[out->pair_count++];
            pr->a = a;
            pr->b = b;
            pr->start_a_us = out->depth_start_us[a];
            pr->start_b_us = out->depth_start_us[b];
        }
    }
    return RIG_OK;
}

rig_error_t rig_tof_plan_config(const rig_config_t *cfg, const rig_tof_params_t *p,
                                int32_t *delays_us, char *msg, size_t msg_len)
{
    if (msg && msg_len)
        msg[0] = '\0';
    if (!cfg || !params_ok(p) || !delays_us)
        return RIG_ERROR_INVALID_ARGUMENT;
    size_t n = cfg->device_count;
    int *clock = calloc(n ? n : 1, sizeof(*clock));
    int64_t *base = calloc(n ? n : 1, sizeof(*base));
    int64_t *group_base = calloc(n ? n : 1, sizeof(*group_base));
    int64_t *planned = calloc(n ? n : 1, sizeof(*planned));
    size_t *members = calloc(n ? n : 1, sizeof(*members));
    rig_error_t err = RIG_OK;
    if (!clock || !base || !group_base || !planned || !members) {
        err = RIG_ERROR_NO_MEMORY;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        clock[i] = rig_tof_device_clock(cfg, i, &base[i]);
        delays_us[i] = cfg->devices[i].sync.depth_delay_us;
    }
    int64_t frame = rig_tof_frame_period_us(cfg);
    /* One plan per clock, its devices in config order. */
    for (int c = 0; c <= (int)n && err == RIG_OK; c++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (clock[i] == c) {
                group_base[m] = base[i];
                members[m++] = i;
            }
        }
        if (m == 0)
            continue;
        char why[512];
        if (!rig_tof_plan(p, m, frame, group_base, planned, why, sizeof why)) {
            char who[96];
            if (c == (int)n)
                rig_fmt(who, sizeof who, "the signal generator");
            else
                rig_fmt(who, sizeof who, "device#%d %s (%s)", c, cfg->devices[c].serial,
                        rig_sync_mode_name(cfg->devices[c].sync.mode));
            if (msg)
                rig_fmt(msg, msg_len, "%zu depth cameras are triggered by %s at %u fps, but %s", m,
                        who, cfg->streams[RIG_STREAM_DEPTH].fps, why);
            err = RIG_ERROR_UNSUPPORTED;
            break;
        }
        for (size_t k = 0; k < m; k++)
            delays_us[members[k]] = (int32_t)planned[k];
    }
done:
    free(clock);
    free(base);
    free(group_base);
    free(planned);
    free(members);
    return err;
}
