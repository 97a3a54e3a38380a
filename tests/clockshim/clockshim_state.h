/* The state of one simulated host's virtual CLOCK_REALTIME, shared (mmap MAP_SHARED) by every
 * process of that host: the LD_PRELOAD shim (libclockshim.so) and clockshim-ctl.
 *
 * Virtual time is piecewise linear in the real CLOCK_MONOTONIC (the kernel slews CLOCK_REALTIME
 * and CLOCK_MONOTONIC alike, so a kernel timestamp in real CLOCK_REALTIME converts exactly):
 *   virt(m) = base_virt_ns + (m - base_mono_ns) * rate,
 *   rate    = (1 + skew_ppb/1e9) * (1 + adj_ppb/1e9),
 * where skew_ppb is the host's oscillator error (set at creation) and adj_ppb is what the
 * host's clock discipline (ptp4l) asked for through clock_adjtime (freq and tick, as the kernel
 * reads them). Every frequency change or step rebases (base_* := now). Test code only. */
#ifndef CLOCKSHIM_STATE_H
#define CLOCKSHIM_STATE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/timex.h>

#define CLOCKSHIM_MAGIC 0x4b4c4353u /* "SCLK" */
#define CLOCKSHIM_VERSION 1u
/* Linux's USER_HZ and TICK_USEC: the tick length (timex.tick, us per 1/USER_HZ s). */
#define CLOCKSHIM_USER_HZ 100
#define CLOCKSHIM_NOMINAL_TICK 10000

typedef struct clockshim_state {
  uint32_t magic, version;
  pthread_mutex_t lock; /* process-shared, robust */
  int64_t base_mono_ns; /* real CLOCK_MONOTONIC at the last rebase */
  int64_t base_virt_ns; /* virtual CLOCK_REALTIME then */
  int64_t skew_ppb;     /* the host's oscillator error */
  /* the kernel's NTP variables as the discipline set them (never passed to the kernel) */
  long freq;     /* timex.freq: scaled ppm (ppm * 65536) */
  long tick;     /* timex.tick: us per 1/USER_HZ s */
  long offset;   /* timex.offset as last written (ADJ_OFFSET is applied as a step) */
  long maxerror, esterror, constant;
  int status;
  int tai;
  /* counters: what the discipline did (the tests check these) */
  uint64_t n_freq, n_step, n_settime, n_status, n_rx_ts, n_tx_ts;
  int64_t last_step_ns;
  /* the discipline's correction integrated over real time up to base_mono_ns, in ns: the mean
   * correction between two readings is the difference over the time between them */
  double adj_area_ns;
} clockshim_state_t;

/* Creates FILE (replacing it) with the virtual clock at real CLOCK_REALTIME + offset_ns, running
 * at skew_ppb. Returns 0 or -errno. */
int clockshim_create(const char *path, int64_t offset_ns, int64_t skew_ppb);
/* Maps an existing FILE; returns NULL (errno set) if it is missing or not a clock file. */
clockshim_state_t *clockshim_map(const char *path);

/* The real clocks (bypassing the shim). */
int64_t clockshim_real_mono_ns(void);
int64_t clockshim_real_rt_ns(void);
/* A pair (real CLOCK_REALTIME, real CLOCK_MONOTONIC) read at (nearly) the same instant. */
void clockshim_real_pair(int64_t *rt_ns, int64_t *mono_ns);

/* Everything below takes the state's lock itself. */
/* The virtual time at real CLOCK_MONOTONIC mono_ns. */
int64_t clockshim_virt_at(clockshim_state_t *s, int64_t mono_ns);
/* The discipline's correction integrated up to mono_ns (see adj_area_ns). */
double clockshim_adj_area_at(clockshim_state_t *s, int64_t mono_ns);
/* The ppb that the discipline's freq and tick stand for. */
double clockshim_adj_ppb(long freq, long tick);
/* The virtual clock's total frequency error against the real clock, in ppb. */
double clockshim_total_ppb(clockshim_state_t *s);
/* Adds step_ns to the virtual clock (ADJ_SETOFFSET); sets it to virt_ns (clock_settime). */
void clockshim_step(clockshim_state_t *s, int64_t step_ns);
void clockshim_set(clockshim_state_t *s, int64_t virt_ns);
/* clock_adjtime on the virtual clock: applies tx's modes, fills tx like the kernel does;
 * returns the clock state (TIME_OK / TIME_ERROR) or -1 with errno (EINVAL). */
int clockshim_adjtime(clockshim_state_t *s, struct timex *tx);
/* A copy of the state, consistent (taken under the lock). */
void clockshim_snapshot(clockshim_state_t *s, clockshim_state_t *out);
/* Counts a converted kernel timestamp. */
void clockshim_count_ts(clockshim_state_t *s, int tx);

/* The real clock functions, looked up past the shim (set by the shim; the tool leaves them). */
extern int (*clockshim_real_clock_gettime)(clockid_t, struct timespec *);

#endif
