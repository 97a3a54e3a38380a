/*
 * Inside the core: the context's and devices' state, shared by context.c (context, devices,
 * frame delivery, clock events) and frameset.c (grouping frames into framesets).
 */
#ifndef RIGSYNC_CONTEXT_INTERNAL_H
#define RIGSYNC_CONTEXT_INTERNAL_H

#include <pthread.h>

#include "clock/clock.h"
#include "common/serial_index.h"
#include "core/core.h"
#include "match/match.h"

struct rig_device {
    rig_context_t *ctx;
    void *be_dev;
    size_t index;
    rig_device_info_t info;
    bool streaming;
    rig_device_t *next, *prev; /* the context's list of open devices (prev: O(1) close) */
    rig_clock_t *clock; /* maps its clock onto the host's; guarded by the context lock */
    rig_stream_profile_t profiles[RIG_STREAM_COUNT]; /* as started */
    /* Recovery (recovery.c); guarded by the context lock, like be_dev from the first return on */
    bool present;              /* on the bus with a handle (be_dev) */
    bool expected;             /* opened with rig_device_open_expected, absent then */
    bool want_sync_set;
    rig_sync_config_t want_sync; /* as last set: verified and re-applied on return */
    bool want_streaming;         /* started and not stopped by the user */
    bool profile_given[RIG_STREAM_COUNT];
    uint64_t index_base[RIG_STREAM_COUNT]; /* added to the backend's frame index */
    uint64_t next_index[RIG_STREAM_COUNT]; /* one past the last index delivered */
    unsigned epochs_expected;  /* clock epochs the core caused (writes, resets) */
    uint64_t unmapped[RIG_STREAM_COUNT]; /* frames in a row the clock refused to map */
    int64_t locating_until_us; /* at the start or after a return: the clock is being located */
    bool clock_seen;           /* a frame or sample of it reached the estimator */
};

struct rig_frameset {
    atomic_int refs;
    uint64_t seq;
    int64_t time_us;
    int64_t spread_us;
    size_t ndev;
    rig_frame_t **frames;      /* [device * RIG_STREAM_COUNT + stream], owned references */
    rig_slot_status_t *status; /* same indexing */
};

/* Where the frames of one slot (device * RIG_STREAM_COUNT + stream) went. */
typedef struct slot_account {
    uint64_t delivered, in_sets, no_memory;
    uint64_t unmatched[RIG_UNMATCHED_REASON_COUNT];
} slot_account_t;

/* Emitted while the context lock is held; handed out after it is released. */
typedef struct out_item {
    rig_frameset_t *set;     /* or */
    rig_frame_t *unmatched;  /* with */
    rig_unmatched_reason_t reason;
} out_item_t;

struct rig_context {
    const rig_backend_ops_t *ops;
    void *be;
    rig_time_mode_t time_mode;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t frame_ready;
    rig_frame_cb cb;
    void *cb_user;
    rig_frame_t **queue; /* ring buffer */
    size_t queue_cap, queue_head, queue_len;
    uint64_t queue_drops;
    char last_error[1024];
    size_t next_device_index;
    rig_device_t *devices; /* open devices, closed by rig_context_destroy if still open */
    rig_device_t **by_index; /* open devices by their index (NULL once closed) */
    size_t by_index_cap;
    rig_clock_event_cb clock_cb;
    void *clock_cb_user;
    rig_device_event_cb device_event_cb;
    void *device_event_cb_user;
    bool manual_recovery;
    unsigned recovering;        /* recoveries under way (they hold device pointers unlocked) */
    pthread_t recovery_thread;  /* the thread running them */
    pthread_cond_t recovery_done;
    bool clock_sync_on; /* rig_context_enable_clock_sync was called: returning devices join */
    uint64_t clock_sync_interval_ms;
    /* framesets */
    rig_match_t *matcher;
    size_t match_ndev;
    rig_frameset_cb set_cb;
    void *set_cb_user;
    rig_unmatched_cb unmatched_cb;
    void *unmatched_cb_user;
    rig_frameset_t **set_queue; /* ring */
    size_t set_cap, set_head, set_len;
    uint64_t set_drops;
    slot_account_t *acct; /* per slot, acct_n of them (grows with the matcher) */
    size_t acct_n;
    out_item_t *out; /* emitted under the lock, delivered after */
    size_t nout, cap_out;
    bool out_oom;
    /* rig_device_open: the backend's device list by serial, taken again when it changed */
    pthread_mutex_t serials_lock; /* guards the three below; taken before the backend's */
    rig_device_info_t *infos;
    size_t ninfos;
    rig_serial_index_t *serial_index;
};

/** The open device with that index, or NULL. Context lock held. */
rig_device_t *rig_ctx_device_at_locked(rig_context_t *ctx, size_t index);

/** Hands one frame to the matcher (it takes its own reference). Context lock held. */
void rig_ctx_match_frame_locked(rig_context_t *ctx, rig_frame_t *frame);

/**
 * A device is about to start with profiles p: when framesets are enabled, its slots join them
 * (before its first frame can arrive). Lock not held. rig_ctx_framesets_start_failed undoes it.
 */
void rig_ctx_framesets_device_starting(rig_context_t *ctx, rig_device_t *dev,
                                       const rig_stream_profile_t *p);
void rig_ctx_framesets_start_failed(rig_context_t *ctx, rig_device_t *dev);

/*
 * Callbacks into the application: a thread-local marker says "inside a callback of ctx" so that
 * rig_context_destroy from there is refused rather than freeing what the caller still uses.
 */
void rig_ctx_callback_enter(rig_context_t *ctx);
void rig_ctx_callback_leave(rig_context_t *ctx);
bool rig_ctx_in_callback(const rig_context_t *ctx);

/** Hands out what the matcher emitted under the lock (sets, unmatched frames); lock not held. */
void rig_ctx_flush_out(rig_context_t *ctx);

/** Frees the frameset state (destroy): pending sets and frames are released, not delivered. */
void rig_ctx_framesets_free(rig_context_t *ctx);

/* recovery.c */
/** The device's backend handle now (NULL while it is gone). Lock not held. */
void *rig_ctx_device_handle(rig_device_t *dev);
/** Called by rig_device_* on an absent device: remembers what the user asked. Lock not held. */
rig_error_t rig_ctx_absent_error(rig_device_t *dev, const char *what);
/**
 * A frame of dev, lock held, before its clock mapping: the frame index continues across
 * returns. After the mapping (mapped: whether the clock gave a global time), notices of
 * bogus stamps or clock jumps go to *ev (kind set, count returned: 0 or 1).
 */
void rig_ctx_frame_index_locked(rig_device_t *dev, rig_frame_t *frame);
int rig_ctx_frame_checked_locked(rig_device_t *dev, const rig_frame_t *frame, bool mapped,
                                 rig_device_event_t *ev);
/** After a two-way sample or a write was fed to dev's clock, lock held: a jump seen? */
int rig_ctx_clock_checked_locked(rig_device_t *dev, bool ours, int64_t host_us,
                                 rig_device_event_t *ev);
/** Hands a device event to the user's callback. Lock not held. */
void rig_ctx_emit_event(rig_context_t *ctx, const rig_device_event_t *ev);
/** Creates and registers a device handle (present when be_dev is not NULL). */
rig_error_t rig_ctx_device_register(rig_context_t *ctx, const char *serial, void *be_dev,
                                    size_t index, rig_device_t **out);

/**
 * Waits until has(ctx) or the timeout, then takes one item with pop_locked (NULL if none).
 * Virtual time: the backend runs on this thread until then. Real time: the wall clock.
 */
void *rig_ctx_wait_for(rig_context_t *ctx, uint32_t timeout_ms, bool (*has)(void *),
                       void *(*pop_locked)(rig_context_t *), rig_error_t *err);

#endif
