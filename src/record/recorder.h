/* The recorder: frames, framesets and clock events of a run into one MCAP file (profile ros2).
 *
 * Fed from the context's callbacks (any thread); ONE writer thread writes the file. The callers
 * never wait on the disk: items go into a bounded queue (frames by reference, the rest encoded
 * on the spot), and when it is full the item is counted as dropped by the recorder, never lost
 * silently. The open chunk is written and the file flushed at least every second of host time,
 * so a crash loses at most the last second. After a write error (a full disk) every later item
 * is counted as not written and close reports the error; the file then holds every complete
 * chunk written before it (readable by a reader that reads a cut file).
 *
 * Channels per device: /rig/<serial>/color/image_raw, /rig/<serial>/depth/image_raw
 * (sensor_msgs/msg/Image), /rig/<serial>/<stream>/frame_info (rigsync_msgs/msg/FrameInfo, one per
 * frame, also for frames without pixels); /rig/framesets (rigsync_msgs/msg/FrameSet);
 * /rig/clock_events (rigsync_msgs/msg/ClockEvent); /rig/device_events (rigsync_msgs/msg/DeviceEvent). Message log time = the frame's host time
 * (host clock, ns); Image and FrameInfo header stamp = its global time, else its host time. */
#ifndef RIGSYNC_RECORDER_H
#define RIGSYNC_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcap/mcap_writer.h"
#include "rigsync/rigsync.h"

typedef struct {
    rig_mcap_compression_t compression; /**< default (0) none; the CLI uses zstd */
    int zstd_level;
    size_t queue_items;    /**< 0 = 4096 */
    size_t queue_bytes;    /**< pixel bytes held by queued frames; 0 = 256 MiB */
    int64_t flush_every_us; /**< host time between chunk flushes; 0 = 1 s */
    /** the callers wait for room instead of dropping (virtual time: nothing is lost by
     *  waiting); real time keeps false: capture never blocks */
    bool block_when_full;
    int zstd_workers;       /**< zstd worker threads besides the writer's; 0 = none */
    bool crc_thread; /**< the pixels' CRC-32 on a helper thread, in parallel with their
                          compression (default: on the writer thread; bench-record has both) */
} rig_recorder_options_t;

typedef struct {
    uint64_t frames_written, framesets_written, clock_events_written;
    uint64_t images_written;
    uint64_t device_events_written, dropped_device_events;
    uint64_t dropped_frames, dropped_framesets, dropped_clock_events; /**< queue full */
    uint64_t not_written; /**< items discarded after a write error */
    uint64_t bytes;       /**< file size so far as the writer knows it */
    uint32_t chunks;
} rig_recorder_stats_t;

typedef struct rig_recorder rig_recorder_t;

/** Creates path (an MCAP file), its schemas and channels for these device serials, and starts
 *  the writer thread. On error *msg (len bytes) says why. */
rig_error_t rig_recorder_open(const char *path, const rig_recorder_options_t *options,
                              const char *const *serials, size_t n_devices, rig_recorder_t **out,
                              char *msg, size_t len);

/** Queues a Metadata record (copied). */
rig_error_t rig_recorder_add_metadata(rig_recorder_t *r, const char *name, const rig_mcap_kv_t *kv,
                                      size_t n);

/** Frame callbacks: queue the item (the frame is retained) or count it as dropped. */
void rig_recorder_frame(rig_recorder_t *r, rig_frame_t *frame);
/** The same with the wall-clock time (monotonic us) the frame was handed over, for FrameInfo. */
void rig_recorder_frame_wall(rig_recorder_t *r, rig_frame_t *frame, int64_t wall_us);
/** A device event as the context reported it (the core's and the backend's). */
void rig_recorder_device_event(rig_recorder_t *r, const rig_device_event_t *event);
void rig_recorder_frameset(rig_recorder_t *r, const rig_frameset_t *set);
void rig_recorder_clock_event(rig_recorder_t *r, const rig_clock_event_t *event);

void rig_recorder_get_stats(rig_recorder_t *r, rig_recorder_stats_t *out);

/** True once a write failed (a full disk): the recording has ended, later items are only
 *  counted; stop and close it to finish the file and get the message. */
bool rig_recorder_failed(rig_recorder_t *r);

/** Drains the queue, stops the thread (call once no callback can run). Idempotent. Returns the
 *  first write error, if any (then *msg says it). */
rig_error_t rig_recorder_stop(rig_recorder_t *r, char *msg, size_t len);

/** Stops, writes the close-time metadata queued after stop, finishes the file and frees r.
 *  RIG_ERROR_IO (and *msg) when any write failed. NULL is a no-op. */
rig_error_t rig_recorder_close(rig_recorder_t *r, char *msg, size_t len);

#endif
