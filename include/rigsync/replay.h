/*
 * rigsync replay: a recording (rigsync record, run --record) played back through the same API,
 * as the "replay" backend: rig_context_options_t.backend = "replay", .replay_path = the file.
 *
 * The replay delivers what the recorded run's backend delivered (frames with their pixels and
 * timestamps, clock events, devices leaving and returning), in the recorded order; the core
 * computes global timestamps, framesets and its device events again, so a replay of a run gives
 * the same frames, sets and summary. Devices, models and sync configs are the recording's: open
 * the devices of the recorded config (rig_replay_load_config); writing another sync config fails
 * with RIG_ERROR_UNSUPPORTED.
 *
 * Time: RIG_TIME_VIRTUAL replays as fast as it is asked to, on the caller's thread (wait calls,
 * rig_replay_advance_us), deterministically; RIG_TIME_REAL paces delivery to the wall clock on a
 * thread of its own, from the recorded host times, once every opened device was started.
 *
 * A file that is no MCAP file, no rigsync recording, or corrupt: rig_context_create (or the
 * replay on the way) fails with RIG_ERROR_IO and a detail naming the file, the offset and what
 * is wrong. A file cut short (a crash) replays up to its last complete chunk; rig_replay_status
 * then says so.
 */
#ifndef RIGSYNC_REPLAY_H
#define RIGSYNC_REPLAY_H

#include "rigsync/rigsync.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The config the recording was made with (its metadata rigsync.config), to open the devices and
 * report on them as the recorded run did. On failure *out is NULL and msg (len bytes) says why:
 * RIG_ERROR_IO for a file that cannot be read or is not a rigsync recording (file, offset, what),
 * RIG_ERROR_CONFIG when the recorded config does not parse.
 */
rig_error_t rig_replay_load_config(const char *path, rig_config_t **out, char *msg, size_t len);

/** The replay's host time now (virtual time: the recorded host time reached so far). */
rig_error_t rig_replay_now_us(rig_context_t *ctx, int64_t *now_us);
/** The recorded run's origin on the host clock (when its streaming started; its EVENT lines'
 * times count from it), or the first message's host time. */
rig_error_t rig_replay_origin_us(rig_context_t *ctx, int64_t *origin_us);

/**
 * Virtual time: delivers everything recorded up to now + us of host time, in order, on this
 * thread. RIG_ERROR_IO (detail on the context) when the file turns out corrupt on the way.
 * RIG_ERROR_STATE in real time.
 */
rig_error_t rig_replay_advance_us(rig_context_t *ctx, int64_t us);

/**
 * Whether everything the file holds was delivered (*finished). Returns RIG_ERROR_IO when the
 * file turned out corrupt (msg says where and what); RIG_OK otherwise, with msg holding a
 * warning when the file was cut short (empty when complete). msg may be NULL.
 */
rig_error_t rig_replay_status(rig_context_t *ctx, bool *finished, char *msg, size_t len);

/** When the recorded run received this frame (monotonic host clock, real-time recordings), or
 * RIG_TS_NONE (virtual-time recordings; frames not replayed). */
int64_t rig_replay_frame_wall_us(const rig_frame_t *frame);

/**
 * A value of the recording's metadata read so far (the last record called `name` that has
 * `key`), copied into buf. RIG_ERROR_NOT_FOUND when there is none (yet: metadata written at
 * the close of a recording is read at the end of the replay).
 */
rig_error_t rig_replay_metadata(rig_context_t *ctx, const char *name, const char *key, char *buf,
                                size_t len);

#ifdef __cplusplus
}
#endif

#endif
