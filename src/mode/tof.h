/*
 * ToF depth interference: pure functions, no I/O, no state (domain.md section 5).
 *
 * A depth capture fires a train of laser pulses (9 pulses of 125 us, 1450 us idle between them:
 * one every 1575 us, 12725 us from the first pulse's start to the last one's end). Two depth
 * cameras interfere when a pulse of one overlaps a pulse of the other. Cameras triggered by one
 * pulse source are kept apart by staggering their depth_delay_us: 0, 160, 320, ... us.
 *
 * Times are int64_t microseconds. A depth capture "starts" with the rising edge of its first
 * laser pulse: trigger (+ pulse arrival along the sync chain) + trigger_to_image_delay_us +
 * depth_delay_us.
 */
#ifndef RIGSYNC_TOF_H
#define RIGSYNC_TOF_H

#include "rigsync/rigsync.h"

/** The laser pulse train of one depth capture and how far apart trains must be kept. */
typedef struct rig_tof_params {
    int pulses;             /**< pulses per train (9) */
    int64_t pulse_us;       /**< width of one pulse (125) */
    int64_t gap_us;         /**< idle between two pulses (1450) */
    int64_t min_spacing_us; /**< minimum distance between pulse starts of two cameras (160) */
} rig_tof_params_t;

/** 9 pulses of 125 us, 1450 us apart, 160 us minimum spacing. */
rig_tof_params_t rig_tof_params_default(void);
/** Pulse period: pulse_us + gap_us (1575). */
int64_t rig_tof_pulse_period_us(const rig_tof_params_t *p);
/** First pulse's start to last pulse's end: (pulses - 1) * period + pulse_us (12725). */
int64_t rig_tof_train_us(const rig_tof_params_t *p);

/**
 * Do any pulses of the train starting at start_a_us and the one starting at start_b_us
 * overlap? Exact; pulses that merely touch (one ends where the other starts) do not overlap.
 */
bool rig_tof_trains_overlap(const rig_tof_params_t *p, int64_t start_a_us, int64_t start_b_us);

/**
 * How many depth cameras triggered together can be staggered without interfering at this frame
 * period. Slots: k * min_spacing for k < pulse period / min_spacing (9 per group: 0..1280 us, and
 * the wrap-around 1575 - 1280 = 295 us is still >= 160); each further group starts when the
 * previous group is over, min_spacing after the start of its last pulse: group g at
 * g * (1280 + 8 * 1575 + 160) = g * 14040 us. A slot is usable while its train's last pulse
 * starts at least min_spacing before the next frame's first train (slot + train_us +
 * min_spacing - pulse_us <= frame period): 18 at 30 fps, 9 at 60 fps. At least 1 (one camera
 * never interferes).
 */
size_t rig_tof_capacity(const rig_tof_params_t *p, int64_t frame_period_us);

/**
 * Plans the depth delays of n cameras triggered together: delays_us[i] (device order) becomes
 * slot i of rig_tof_capacity. base_us (may be NULL = all 0) is when each camera's depth capture
 * would start with depth_delay_us 0 (pulse arrival + trigger_to_image_delay_us); the delays then
 * put capture i at slot i + s, with the smallest s >= 0 that keeps every delay >= 0.
 * Returns false, with one sentence in msg (may be NULL) giving the maximum for this frame
 * period, when n cameras do not fit or a delay would reach the frame period.
 */
bool rig_tof_plan(const rig_tof_params_t *p, size_t n, int64_t frame_period_us,
                  const int64_t *base_us, int64_t *delays_us, char *msg, size_t msg_len);

/** Frame period used for ToF timing: 1e6 / depth fps, in whole microseconds. */
int64_t rig_tof_frame_period_us(const rig_config_t *cfg);

/** rig_tof_device_timing: the device captures no depth (it waits for pulses none sends). */
#define RIG_TOF_NO_CLOCK (-1)

/**
 * On which clock does device `index` capture depth, and when? Returns the clock it runs on:
 * the index of its pulse source (PRIMARY or SOFTWARE_TRIGGERING at the head of the sync chain
 * that reaches it; itself for a pulse source, FREE_RUN, STANDALONE, or an unfed
 * SECONDARY_SYNCED), device_count for the simulated signal generator, or RIG_TOF_NO_CLOCK.
 * *base_us (may be NULL) is its depth capture start after that clock's trigger with
 * depth_delay_us 0: the trigger_out_delay_us of every device upstream on the chain +
 * trigger_to_image_delay_us (cable and hub delays, well under 1 us a hop, are left out).
 */
int rig_tof_device_clock(const rig_config_t *cfg, size_t index, int64_t *base_us);

/**
 * rig_tof_device_clock of every device at once, in O(n) (asking per device walks the chain up
 * each time: O(n^2) on a long daisy chain): clock[i] and base_us[i] (base_us may be NULL).
 * Returns RIG_OK, RIG_ERROR_INVALID_ARGUMENT or RIG_ERROR_NO_MEMORY.
 */
rig_error_t rig_tof_device_clocks(const rig_config_t *cfg, int *clock, int64_t *base_us);

/** At most this many overlapping pairs are listed (all of them are counted). */
#define RIG_TOF_PAIRS_LISTED 64

/** Two hardware-synced devices whose depth pulse trains overlap. */
typedef struct rig_tof_pair {
    size_t a, b;                    /**< device indices, a < b */
    int64_t start_a_us, start_b_us; /**< depth capture starts after their common trigger */
} rig_tof_pair_t;

/** What rig_tof_find_interference found. Release with rig_tof_interference_free. */
typedef struct rig_tof_interference {
    size_t device_count;
    int *clock;              /**< per device: rig_tof_device_clock */
    int64_t *depth_start_us; /**< per device: depth start after its clock's trigger */
    /** Overlapping pairs on one pulse source, a then b ascending: the first
     * min(pair_count, RIG_TOF_PAIRS_LISTED) of them. */
    rig_tof_pair_t *pairs;
    size_t pair_count; /**< all overlapping pairs (on n cameras up to n(n-1)/2) */
    /** Distinct clocks with a depth camera. When >= 2 the cameras on different clocks slide
     * across each other and interfere from time to time, whatever their delays. */
    size_t clock_count;
    bool independent_clocks; /**< clock_count >= 2 */
} rig_tof_interference_t;

/**
 * Lists the depth interference of a config: pairs of devices sharing one pulse source whose
 * trains overlap with their configured delays (also across consecutive frames), and whether
 * depth cameras run on independent clocks. Returns RIG_OK, RIG_ERROR_INVALID_ARGUMENT or
 * RIG_ERROR_NO_MEMORY (then *out is empty).
 */
rig_error_t rig_tof_find_interference(const rig_config_t *cfg, const rig_tof_params_t *p,
                                      rig_tof_interference_t *out);
void rig_tof_interference_free(rig_tof_interference_t *r);

/**
 * Plans depth_delay_us for every device of a config (device order, into delays_us): the devices
 * of each pulse source are staggered with rig_tof_plan; a device alone on its clock gets 0; a
 * device that captures nothing keeps its configured delay. Returns RIG_OK, or
 * RIG_ERROR_UNSUPPORTED with one sentence in msg (the maximum at the config's fps) when a pulse
 * source has too many cameras, RIG_ERROR_INVALID_ARGUMENT, RIG_ERROR_NO_MEMORY.
 */
rig_error_t rig_tof_plan_config(const rig_config_t *cfg, const rig_tof_params_t *p,
                                int32_t *delays_us, char *msg, size_t msg_len);

#endif
