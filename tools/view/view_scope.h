/*
 * The sync scope of rigsync view: per device and stream, the capture instants (global time
 * line) of the last window (one second), to draw one mark per capture on one time axis; and
 * which devices went silent. Pure module: instants in, marks out; no I/O, no threads, no clocks.
 * Memory is bounded: each row keeps its newest VIEW_SCOPE_ROW_CAP instants.
 */
#ifndef RIGSYNC_VIEW_SCOPE_H
#define RIGSYNC_VIEW_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rigsync/rigsync.h"

#define VIEW_SCOPE_ROW_CAP 1024
/* A device with no frame for more than this many frame periods is silent. */
#define VIEW_SCOPE_SILENT_PERIODS 10

typedef struct view_scope view_scope_t;

/** A scope of device_count devices keeping window_us of instants; NULL when out of memory. */
view_scope_t *view_scope_create(size_t device_count, int64_t window_us);
void view_scope_destroy(view_scope_t *scope);
/** A copy (a paused view keeps it while the rig goes on); NULL when out of memory. */
view_scope_t *view_scope_clone(const view_scope_t *scope);

/** One capture of (device, stream) at global_ts_us; instants of RIG_TS_NONE and out-of-range
 * devices are ignored (returns false). */
bool view_scope_add(view_scope_t *scope, size_t device, rig_stream_t stream, int64_t global_ts_us);

size_t view_scope_device_count(const view_scope_t *scope);
int64_t view_scope_window_us(const view_scope_t *scope);
/** The newest instant of every row (the scope's "now"), RIG_TS_NONE before the first. */
int64_t view_scope_now_us(const view_scope_t *scope);
/** The oldest instant ever added (the start of the line), RIG_TS_NONE before the first. */
int64_t view_scope_first_us(const view_scope_t *scope);
/** The newest instant of a row, RIG_TS_NONE when it has none. */
int64_t view_scope_last_us(const view_scope_t *scope, size_t device, rig_stream_t stream);

/**
 * The instants of a row in (end_us - window, end_us], oldest first, at most cap into out;
 * returns how many there are (may exceed cap).
 */
size_t view_scope_marks(const view_scope_t *scope, size_t device, rig_stream_t stream,
                        int64_t end_us, int64_t *out, size_t cap);

/**
 * Is the device silent at end_us: no capture on any stream for more than
 * VIEW_SCOPE_SILENT_PERIODS * period_us (a device that never delivered counts from the first
 * instant of the rig). False before the rig's first instant.
 */
bool view_scope_silent(const view_scope_t *scope, size_t device, int64_t end_us,
                       int64_t period_us);

#endif
