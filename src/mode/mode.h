/*
 * Sync-mode logic: pure functions over modes, models and configs. No I/O, no state.
 */
#ifndef RIGSYNC_MODE_H
#define RIGSYNC_MODE_H

#include "rigsync/rigsync.h"

/** Name of the default simulated model, which supports all seven modes. */
#define RIG_MODEL_SIM_DEFAULT "rigsync SimCam"

/** Comma-separated list of every mode name: "FREE_RUN, STANDALONE, ...". */
const char *rig_mode_all_names(void);

/** Writes the names of the modes in a bitmap, comma-separated, into buf. */
void rig_mode_bitmap_format(uint32_t bitmap, char *buf, size_t len);

/**
 * Supported-mode bitmap of a device family (domain.md section 4), matched case-insensitively
 * ignoring spaces, dashes and underscores ("Femto Mega", "femto-mega"). Returns false for an
 * unknown model.
 */
bool rig_model_supported_modes(const char *model, uint32_t *bitmap);

/**
 * What the simulator knows of a family beyond its modes. The sizes, rates and offsets are the
 * simulator's assumptions drawn from the vendors' data sheets and users' reports (domain.md
 * section 5), not measurements of rigsync's own.
 */
typedef struct rig_model_facts {
    const char *name;
    uint32_t modes;
    bool tof;               /* depth by time of flight: laser pulses of two cameras interfere */
    double rate_offset_ppm; /* real frame rate off nominal (30.015 - 30.14 fps were measured) */
    int64_t exposure_us[RIG_STREAM_COUNT];
    /* supported sizes per stream ({0,0}-terminated, NULL = any) and frame rates (0-terminated,
     * NULL = 1..300); the first size is the default */
    const uint32_t (*sizes[RIG_STREAM_COUNT])[2];
    const uint32_t *fps;
} rig_model_facts_t;

/**
 * How the vendor SDK (OrbbecSDK v2.9.3 source) exposes a family's device clock: the structured
 * property OB_STRUCT_DEVICE_TIME ({uint64 time; uint64 rtt}) is readable by applications on
 * some families and internal to the SDK on others; `time` counts in ticks of read_hz when read
 * and of write_hz when the host timer sync writes it (1000 = milliseconds, 1000000 =
 * microseconds). Frame timestamps reach the application in microseconds on every family.
 * Current firmware is assumed (Femto Bolt >= 1.1.1 and Femto Mega >= 1.2.9 count in us; older
 * firmware counts in ms).
 */
typedef struct rig_device_time_facts {
    bool user_readable;
    uint32_t read_hz;
    uint32_t write_hz;
} rig_device_time_facts_t;

/** Device-clock facts of a family (matched like rig_model_facts); false for an unknown one. */
bool rig_model_device_time(const char *model, rig_device_time_facts_t *out);

/** Facts of a family, matched like rig_model_supported_modes; NULL for an unknown model. */
const rig_model_facts_t *rig_model_facts(const char *model);

/**
 * The family a device's product name belongs to: the known family whose name (letters and
 * digits only) the device name ends with, the longest such ("Orbbec Gemini 335L" is a Gemini
 * 335L, not a Gemini 335). NULL when none fits.
 */
const rig_model_facts_t *rig_model_facts_of_device(const char *device_name);

/** Checks a stream profile against a model; on failure writes what it supports into why. */
bool rig_model_profile_ok(const rig_model_facts_t *m, rig_stream_t stream,
                          const rig_stream_profile_t *p, char *why, size_t len);

/** Comma-separated list of the known model names (for messages). */
const char *rig_model_all_names(void);

/** A device in this mode captures only when pulses reach its sync-in. */
/** True when two sync configs hold the same values in every field. */
bool rig_sync_config_equal(const rig_sync_config_t *a, const rig_sync_config_t *b);

bool rig_mode_needs_pulses(rig_sync_mode_t mode);
/** A device with this config emits pulses on its own (primary, software trigger). */
bool rig_mode_is_pulse_source(const rig_sync_config_t *cfg);
/** A device with this config forwards/emits pulses on sync-out. */
bool rig_mode_drives_sync_out(const rig_sync_config_t *cfg);
/** Color and depth are captured on one shared tick (all modes but FREE_RUN). */
bool rig_mode_streams_locked(rig_sync_mode_t mode);

/**
 * Start order of the seed: secondaries (every device that waits for pulses) first, then the
 * others, the pulse sources last. Writes a permutation of 0..n-1 into order.
 */
void rig_mode_start_order(const rig_sync_config_t *cfgs, size_t n, size_t *order);

/** Levenshtein distance, for "did you mean" suggestions (capped at 255). */
unsigned rig_edit_distance(const char *a, const char *b);

#endif
