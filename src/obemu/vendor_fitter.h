/*
 * vendor_fitter: a C model of the vendor SDK's per-device global-timestamp fitter (OrbbecSDK
 * v2.9.3, GlobalTimestampFitter), the part that maps a device's clock onto the host clock.
 *
 * One model, two users: the clock benchmark's "vendor" peer (bench/peers) and the emulator of
 * the vendor's C API, which must hand out the global timestamps the real SDK would. Written from
 * the facts of the vendor's MIT-licensed source; the code and text are ours. What is modelled
 * and what is left out is listed at the top of vendor_fitter.c.
 *
 * Pure: samples in, estimates out. No I/O, no threads, no wall clock; the caller takes the
 * two-way clock reads the fitter asks for (vendor_fitter_next_poll_us) and tells it when it
 * wrote the device clock (vendor_fitter_note_write), the moment the SDK would refit.
 *
 * Units: host times and device times in microseconds (the fitter models a device whose clock
 * ticks at 1 MHz). Not thread-safe; one instance per device.
 */
#ifndef RIGSYNC_OBEMU_VENDOR_FITTER_H
#define RIGSYNC_OBEMU_VENDOR_FITTER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct vendor_fitter vendor_fitter_t;

/* timestamp_bits: 64 (device times never wrap) or 32 (device times, of clock reads and of frames
 * alike, are taken modulo 2^32 us). NULL on any other value or without memory. */
vendor_fitter_t *vendor_fitter_create(unsigned timestamp_bits);

/* NULL is accepted. */
void vendor_fitter_destroy(vendor_fitter_t *f);

/* The device's clock tick in us (1 by default; 1000 on families whose clock the SDK reads in
 * milliseconds). The SDK ages its pairs in ticks: its 600000-tick half-life is 600 s on those
 * families and 0.6 s on microsecond ones. Reads and frames are still given in us. */
void vendor_fitter_set_tick_us(vendor_fitter_t *f, int64_t us_per_tick);

/* Host time (us) at which the fitter wants its next two-way clock read, on its own schedule;
 * INT64_MIN ("now") before the first read. The caller feeds it the first read taken at or after
 * that time. */
int64_t vendor_fitter_next_poll_us(const vendor_fitter_t *f);

/* One two-way clock read: host clock before, device clock, host clock after (us). */
void vendor_fitter_add_two_way(vendor_fitter_t *f, int64_t host_before_us, int64_t device_us,
                               int64_t host_after_us);

/* The host wrote the device clock (timer sync) at host_us: the SDK's refit after a clock write.
 * The kept pairs are dropped, a bootstrap burst of reads is scheduled, and the previous fit keeps
 * mapping until that burst has produced a new one (as in the SDK). */
void vendor_fitter_note_write(vendor_fitter_t *f, int64_t host_us);

/* Maps a device timestamp (us, possibly 32-bit wrapped) to host us; false until a fit exists. */
bool vendor_fitter_map(const vendor_fitter_t *f, int64_t device_ts_us, int64_t *host_us);

#endif /* RIGSYNC_OBEMU_VENDOR_FITTER_H */
