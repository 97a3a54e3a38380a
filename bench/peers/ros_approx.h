/* Peer frameset matcher for the benchmark: ROS 1 message_filters ApproximateTime.
 *
 * The real thing, not a re-implementation: message_filters::Synchronizer<
 * sync_policies::ApproximateTime<...>> from Debian's libmessage-filters-dev (ROS Noetic,
 * 1.15.x), fed directly through Synchronizer::add<i>() -- no ROS master, no node, no topics;
 * ros::Time::init() is called once, internally. One input = one (device, stream) slot, 2..9
 * inputs (ApproximateTime's limit).
 *
 * Policy settings are ROS's defaults, as most ROS code uses them: age penalty 0.1, no
 * inter-message lower bound, no max interval duration (setMaxIntervalDuration is not called).
 * ApproximateTime only ever emits complete sets (one message per input), so a capture with a
 * dropped member costs the other members too, and it may pair frames of different captures.
 *
 * Built only when the ROS packages are there (scripts/setup-bench.sh, CMake variable
 * RIGSYNC_HAVE_ROS). Usage: bench/peers/ros_approx_smoke.c. Calls may run concurrently: each
 * has its own synchronizer and state.
 */
#ifndef RIGSYNC_BENCH_ROS_APPROX_H
#define RIGSYNC_BENCH_ROS_APPROX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ros_frame {      /* one input message */
    int input;                  /* 0..n_inputs-1 (one input = one (device, stream) slot) */
    int64_t stamp_us;           /* header.stamp, microseconds; >= 0 and < 2^32 s (ros::Time) */
    uint64_t capture_id;        /* ground truth: which capture it belongs to (not given to ROS) */
} ros_frame_t;

typedef struct ros_result {
    uint64_t sets;              /* framesets emitted */
    uint64_t mixed_sets;        /* sets whose members do not all share one capture_id */
    uint64_t frames_in;         /* frames fed */
    uint64_t frames_in_sets;    /* frames that ended up in an emitted set */
    uint64_t frames_lost;       /* frames_in - frames_in_sets (dropped by the policy, plus the
                                   few still queued when the stream ends: ROS has no flush) */
    double seconds;             /* the whole add() loop of a pass without clock reads inside
                                   (CLOCK_MONOTONIC; single thread, never blocks); includes
                                   the callbacks, not the building of the messages */
    double latency_us_p50, latency_us_p99; /* second pass: from just before the add() that
                                   completed a set to the callback's entry; 0 when no set */
} ros_result_t;

/* Feeds frames[0..n) in order (arrival order) to ApproximateTime with n_inputs inputs and
 * queue_size (ROS's parameter; <= 0 means 10). Returns 0, or -1 if n_inputs is out of 2..9,
 * out is NULL, frames is NULL with n > 0, a frame's input is out of 0..n_inputs-1 or its
 * stamp out of ros::Time's range, or ROS threw (out is then zeroed). */
int ros_approx_run(const ros_frame_t *frames, size_t n, int n_inputs, int queue_size,
                   ros_result_t *out);

#ifdef __cplusplus
}
#endif

#endif
