/*
 * Frameset matcher: groups frames of many (device, stream) slots into one set per capture.
 * Pure: frames in, sets out through callbacks; no I/O, no threads, no clock of its own (the
 * caller says what time it is).
 *
 * Each frame carries a timestamp on a clock shared by all devices (global time) and the slot's
 * expected offset (configured delays) is subtracted, giving its *key*: frames of one capture
 * have keys within microseconds, frames of different captures a frame period apart. A frame
 * joins the nearest pending set whose key is within half the shortest period and whose slot is
 * free; otherwise it starts a new set.
 *
 * Guarantees (each has a test):
 *  - a set never holds two frames of different captures (keys of one set lie within half a
 *    period of its reference);
 *  - every frame is delivered exactly once: in one set, or as unmatched with a reason;
 *  - a set is emitted as soon as every slot is filled or known to stay empty: frames of a slot
 *    arrive in capture order, so a later frame of that slot resolves every older set's empty
 *    slot (DROPPED when the frame index skipped, MISSING otherwise); only a silent slot makes a
 *    set wait, and then at most its slot's deadline after its capture (below);
 *  - no capture is emitted twice, whatever the delay: per slot the matcher remembers the newest
 *    key of a set emitted without that slot (for a slot enabled later: the newest key emitted
 *    before); a frame of the slot at or before it (up to half a period after) that finds no
 *    waiting set is reported LATE, never the start of a second set for that capture;
 *  - the deadline adapts per slot to its observed arrival latency: each slot keeps the largest
 *    (arrival - key) of its last 128 to 256 frames (two buckets of 128), and a set waiting for
 *    that slot waits that long plus half a period, never less than `deadline_us` and never
 *    more than RIG_MATCH_MAX_DEADLINE_US (or `deadline_us` if larger). So a device whose frames
 *    are consistently 300 ms late still fills its slots (only its first frames, before its
 *    latency was seen, come LATE); a silent device delays sets by `deadline_us` only;
 *  - slots can be enabled (a device started late) or disabled at any time: sets waiting then
 *    wait for a newly enabled slot too (MISSING if its first frame is of a later capture); sets
 *    emitted before have it MISSING (never waited for). A frame of a slot that is not enabled
 *    is reported unmatched with RIG_UNMATCHED_NO_SLOT;
 *  - memory is bounded: at most `max_pending` sets wait; beyond that the oldest is emitted.
 */
#ifndef RIGSYNC_MATCH_H
#define RIGSYNC_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rigsync/rigsync.h"

typedef struct rig_match rig_match_t;

/** The longest a set waits for a slot whose frames come late (adaptive deadline cap). */
#define RIG_MATCH_MAX_DEADLINE_US 2000000

typedef struct rig_match_slot_cfg {
    bool enabled;
    double period_us;  /* nominal time between captures of this slot */
    int64_t offset_us; /* expected capture offset (configured delays), subtracted from ts */
} rig_match_slot_cfg_t;

typedef struct rig_match_params {
    int64_t deadline_us; /* a set waits at most this long after its capture (host clock) */
    int64_t silence_us;  /* a slot with no frame for this long is SILENT */
    size_t max_pending;  /* sets waiting at once */
} rig_match_params_t;

typedef struct rig_match_slot {
    rig_slot_status_t status;
    void *payload;  /* the caller's frame, or NULL */
    int64_t ts_us;  /* the frame's timestamp, or RIG_TS_NONE */
    int64_t key_us; /* its capture instant: ts_us less the slot's offset, or RIG_TS_NONE */
} rig_match_slot_t;

typedef struct rig_match_set {
    uint64_t seq;    /* emission order */
    int64_t key_us;  /* the capture's reference key time */
    size_t nslots;
    const rig_match_slot_t *slots; /* valid during the callback only */
    unsigned filled;
} rig_match_set_t;

typedef void (*rig_match_set_fn)(const rig_match_set_t *set, void *user);
typedef void (*rig_match_unmatched_fn)(void *payload, rig_unmatched_reason_t reason, void *user);

/** Defaults for slots of this period: deadline max(100 ms, 3 periods), silence 7 periods. */
void rig_match_params_default(rig_match_params_t *p, double period_us);

rig_match_t *rig_match_create(const rig_match_slot_cfg_t *slots, size_t nslots,
                              const rig_match_params_t *params, rig_match_set_fn on_set,
                              rig_match_unmatched_fn on_unmatched, void *user);
void rig_match_destroy(rig_match_t *m);

/**
 * One frame of slot `slot`: timestamp ts_us (shared clock), frame_index (capture counter of
 * the slot), arrival_us (host clock, used as "now"), interfered flag and an opaque payload.
 * Sets completed by it are emitted before this returns.
 */
void rig_match_add(rig_match_t *m, size_t slot, int64_t ts_us, uint64_t frame_index,
                   int64_t arrival_us, bool interfered, void *payload);

/** Time passes (host clock): emits sets whose deadline expired. */
void rig_match_advance(rig_match_t *m, int64_t now_us);

/** Emits every pending set (end of stream). */
void rig_match_flush(rig_match_t *m);

/** Sets waiting right now. */
size_t rig_match_pending(const rig_match_t *m);

/**
 * Enables (cfg->enabled) or disables slot `slot`, growing the matcher when slot >= its slot
 * count (new slots start disabled). Sets completed by a disable are emitted before this
 * returns. False when out of memory (nothing changed).
 */
bool rig_match_set_slot(rig_match_t *m, size_t slot, const rig_match_slot_cfg_t *cfg);

/** Slots the matcher has (enabled or not). */
size_t rig_match_slot_count(const rig_match_t *m);

/** Frames of slot `slot` held in waiting sets right now. */
size_t rig_match_pending_frames(const rig_match_t *m, size_t slot);

/** How long a set waits for slot `slot` now (its adaptive deadline, see above), in us. */
int64_t rig_match_slot_deadline_us(const rig_match_t *m, size_t slot);

#endif
