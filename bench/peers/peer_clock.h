/* Peer device-to-host clock mappers, re-implemented in C for the benchmark.
 *
 * Two baselines that rigsync is compared against, fed the very same two-way samples:
 *   PEER_VENDOR_WLS  - the vendor SDK's "global timestamp" fitter (OrbbecSDK v2.9.3: weighted
 *                      least squares, rebuild on a residual jump over 20 ms, refit after every
 *                      clock write); its model is src/obemu/vendor_fitter.c.
 *   PEER_REALSENSE   - librealsense's "global time" (least squares over the last ~15 samples,
 *                      smallest-half-round-trip shift, 1 s coefficient blend, 32-bit wrap).
 * They follow their originals, weaknesses included; they are baselines, not improved methods.
 *
 * All times are int64 microseconds. A two-way sample is (host_before, device, host_after): the
 * host clock read, then the device clock, then the host clock again. Not thread-safe; one
 * instance per device. No global state.
 */
#ifndef RIGSYNC_BENCH_PEER_CLOCK_H
#define RIGSYNC_BENCH_PEER_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef enum peer_kind { PEER_VENDOR_WLS = 0, PEER_REALSENSE = 1 } peer_kind_t;

typedef struct peer_clock peer_clock_t;

/* "vendor WLS" or "librealsense"; "unknown" for any other value. */
const char *peer_clock_name(peer_kind_t kind);

/* timestamp_bits: 64 (device timestamps never wrap) or 32 (device timestamps, of samples and of
 * frames alike, are taken modulo 2^32 us). NULL on any other value, an unknown kind, or no memory. */
peer_clock_t *peer_clock_create(peer_kind_t kind, unsigned timestamp_bits);

/* NULL is accepted. */
void peer_clock_destroy(peer_clock_t *c);

/* Host time (us) at which the method wants its next two-way sample, following its own polling
 * schedule; before any sample, INT64_MIN ("now"). The harness feeds it the first available
 * sample taken at or after that time. */
int64_t peer_clock_next_poll_us(const peer_clock_t *c);

void peer_clock_add_two_way(peer_clock_t *c, int64_t host_before_us, int64_t device_us,
                            int64_t host_after_us);

/* Maps a device timestamp (us, possibly 32-bit wrapped) to host us; false until it can.
 * Not const: librealsense's mapping remembers the last timestamp asked for (its blend clock). */
/* The device clock was written (host timer sync) at host_us; the harness calls this the moment
 * the writing SDK would know it. The vendor SDK refits at once (vendor_fitter.h); librealsense
 * never writes device clocks and has no hook for it: a no-op, its samples show the jump. */
void peer_clock_note_write(peer_clock_t *c, int64_t host_us);

bool peer_clock_map(peer_clock_t *c, int64_t device_ts_us, int64_t *host_us);

/* ---- Internal: shared by vendor_wls.c and realsense_gt.c; not for callers. ----
 * Every method's state starts with this header; the peer_clock_* entry points (in
 * vendor_wls.c) dispatch on kind. */
struct peer_clock {
    peer_kind_t kind;
};

peer_clock_t *peer_vendor_wls_create(unsigned timestamp_bits);
void peer_vendor_wls_destroy(peer_clock_t *c);
int64_t peer_vendor_wls_next_poll_us(const peer_clock_t *c);
void peer_vendor_wls_add_two_way(peer_clock_t *c, int64_t host_before_us, int64_t device_us,
                                 int64_t host_after_us);
void peer_vendor_wls_note_write(peer_clock_t *c, int64_t host_us);
bool peer_vendor_wls_map(peer_clock_t *c, int64_t device_ts_us, int64_t *host_us);

peer_clock_t *peer_realsense_create(unsigned timestamp_bits);
void peer_realsense_destroy(peer_clock_t *c);
int64_t peer_realsense_next_poll_us(const peer_clock_t *c);
void peer_realsense_add_two_way(peer_clock_t *c, int64_t host_before_us, int64_t device_us,
                                int64_t host_after_us);
void peer_realsense_note_write(peer_clock_t *c, int64_t host_us);
bool peer_realsense_map(peer_clock_t *c, int64_t device_ts_us, int64_t *host_us);

#endif /* RIGSYNC_BENCH_PEER_CLOCK_H */
