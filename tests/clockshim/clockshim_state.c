/* The virtual clock's state and arithmetic (see clockshim_state.h). Test code only. */
#define _GNU_SOURCE
#include "clockshim_state.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S 1000000000LL

int (*clockshim_real_clock_gettime)(clockid_t, struct timespec *) = clock_gettime;

static int64_t ts_ns(const struct timespec *t) { return (int64_t)t->tv_sec * NS_PER_S + t->tv_nsec; }

int64_t clockshim_real_mono_ns(void) {
  struct timespec t;
  clockshim_real_clock_gettime(CLOCK_MONOTONIC, &t);
  return ts_ns(&t);
}

int64_t clockshim_real_rt_ns(void) {
  struct timespec t;
  clockshim_real_clock_gettime(CLOCK_REALTIME, &t);
  return ts_ns(&t);
}

void clockshim_real_pair(int64_t *rt_ns, int64_t *mono_ns) {
  int64_t a = clockshim_real_rt_ns();
  int64_t m = clockshim_real_mono_ns();
  int64_t b = clockshim_real_rt_ns();
  *rt_ns = a + (b - a) / 2;
  *mono_ns = m;
}

static void lock(clockshim_state_t *s) {
  if (pthread_mutex_lock(&s->lock) == EOWNERDEAD) /* a process died holding it: the state */
    pthread_mutex_consistent(&s->lock);           /* is only written whole under the lock */
}

static void unlock(clockshim_state_t *s) { pthread_mutex_unlock(&s->lock); }

double clockshim_adj_ppb(long freq, long tick) {
  return (double)freq / 65.536 +
         1e3 * CLOCKSHIM_USER_HZ * (double)(tick - CLOCKSHIM_NOMINAL_TICK);
}

static double rate_minus_one(const clockshim_state_t *s) {
  double a = clockshim_adj_ppb(s->freq, s->tick) * 1e-9, k = (double)s->skew_ppb * 1e-9;
  return a + k + a * k;
}

static int64_t virt_at_locked(const clockshim_state_t *s, int64_t mono_ns) {
  int64_t d = mono_ns - s->base_mono_ns;
  return s->base_virt_ns + d + (int64_t)llround((double)d * rate_minus_one(s));
}

static double area_at_locked(const clockshim_state_t *s, int64_t mono_ns) {
  return s->adj_area_ns +
         clockshim_adj_ppb(s->freq, s->tick) * 1e-9 * (double)(mono_ns - s->base_mono_ns);
}

static void rebase_locked(clockshim_state_t *s) {
  int64_t m = clockshim_real_mono_ns();
  s->base_virt_ns = virt_at_locked(s, m);
  s->adj_area_ns = area_at_locked(s, m);
  s->base_mono_ns = m;
}

int clockshim_create(const char *path, int64_t offset_ns, int64_t skew_ppb) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
    return -ENAMETOOLONG;
  int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -errno;
  int rc = 0;
  clockshim_state_t *s = NULL;
  if (ftruncate(fd, sizeof *s) != 0) {
    rc = -errno;
    goto out;
  }
  s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (s == MAP_FAILED) {
    rc = -errno;
    s = NULL;
    goto out;
  }
  memset(s, 0, sizeof *s);
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&s->lock, &ma);
  pthread_mutexattr_destroy(&ma);
  int64_t rt, mono;
  clockshim_real_pair(&rt, &mono);
  s->base_mono_ns = mono;
  s->base_virt_ns = rt + offset_ns;
  s->skew_ppb = skew_ppb;
  s->tick = CLOCKSHIM_NOMINAL_TICK;
  s->status = STA_UNSYNC;
  s->maxerror = s->esterror = 16000000;
  s->constant = 2;
  s->version = CLOCKSHIM_VERSION;
  __atomic_store_n(&s->magic, CLOCKSHIM_MAGIC, __ATOMIC_RELEASE);
  if (msync(s, sizeof *s, MS_SYNC) != 0 || rename(tmp, path) != 0)
    rc = -errno;
out:
  if (s)
    munmap(s, sizeof *s);
  close(fd);
  if (rc)
    unlink(tmp);
  return rc;
}

clockshim_state_t *clockshim_map(const char *path) {
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  clockshim_state_t *s = NULL;
  if (fstat(fd, &st) == 0 && st.st_size == (off_t)sizeof *s) {
    s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (s == MAP_FAILED)
      s = NULL;
  } else {
    errno = EINVAL;
  }
  close(fd);
  if (s && (__atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) != CLOCKSHIM_MAGIC ||
            s->version != CLOCKSHIM_VERSION)) {
    munmap(s, sizeof *s);
    errno = EINVAL;
    s = NULL;
  }
  return s;
}

int64_t clockshim_virt_at(clockshim_state_t *s, int64_t mono_ns) {
  lock(s);
  int64_t v = virt_at_locked(s, mono_ns);
  unlock(s);
  return v;
}

double clockshim_adj_area_at(clockshim_state_t *s, int64_t mono_ns) {
  lock(s);
  double a = area_at_locked(s, mono_ns);
  unlock(s);
  return a;
}

double clockshim_total_ppb(clockshim_state_t *s) {
  lock(s);
  double r = rate_minus_one(s) * 1e9;
  unlock(s);
  return r;
}

void clockshim_step(clockshim_state_t *s, int64_t step_ns) {
  lock(s);
  rebase_locked(s);
  s->base_virt_ns += step_ns;
  s->n_step++;
  s->last_step_ns = step_ns;
  unlock(s);
}

void clockshim_set(clockshim_state_t *s, int64_t virt_ns) {
  lock(s);
  rebase_locked(s);
  s->last_step_ns = virt_ns - s->base_virt_ns;
  s->base_virt_ns = virt_ns;
  s->n_settime++;
  unlock(s);
}

int clockshim_adjtime(clockshim_state_t *s, struct timex *tx) {
  unsigned m = tx->modes;
  int nano;
  lock(s);
  nano = (s->status & STA_NANO) != 0;
  if (m == ADJ_OFFSET_SS_READ) {
    m = 0;
  } else if ((m & ADJ_OFFSET_SINGLESHOT) == ADJ_OFFSET_SINGLESHOT) {
    /* adjtime()'s slew, applied at once: a step of tx->offset us */
    rebase_locked(s);
    s->base_virt_ns += (int64_t)tx->offset * 1000;
    s->last_step_ns = (int64_t)tx->offset * 1000;
    s->n_step++;
    m = 0;
  }
  if (m & ADJ_SETOFFSET) {
    int64_t sub = (m & ADJ_NANO) ? NS_PER_S : 1000000;
    if (tx->time.tv_usec < 0 || tx->time.tv_usec >= sub) {
      unlock(s);
      errno = EINVAL;
      return -1;
    }
    int64_t step = (int64_t)tx->time.tv_sec * NS_PER_S +
                   (int64_t)tx->time.tv_usec * ((m & ADJ_NANO) ? 1 : 1000);
    rebase_locked(s);
    s->base_virt_ns += step;
    s->last_step_ns = step;
    s->n_step++;
  }
  if (m & ADJ_TICK) {
    if (tx->tick < 900000 / CLOCKSHIM_USER_HZ || tx->tick > 1100000 / CLOCKSHIM_USER_HZ) {
      unlock(s);
      errno = EINVAL;
      return -1;
    }
  }
  if (m & (ADJ_FREQUENCY | ADJ_TICK)) {
    rebase_locked(s);
    if (m & ADJ_FREQUENCY) {
      long f = tx->freq, lim = 500L * 65536; /* the kernel clamps to MAXFREQ, 500 ppm */
      s->freq = f > lim ? lim : f < -lim ? -lim : f;
      s->n_freq++;
    }
    if (m & ADJ_TICK)
      s->tick = tx->tick;
  }
  if (m & ADJ_NANO)
    s->status |= STA_NANO;
  if (m & ADJ_MICRO)
    s->status &= ~STA_NANO;
  nano = (s->status & STA_NANO) != 0;
  if (m & ADJ_STATUS) {
    s->status = (s->status & STA_RONLY) | (tx->status & ~STA_RONLY);
    s->n_status++;
  }
  if (m & ADJ_MAXERROR)
    s->maxerror = tx->maxerror;
  if (m & ADJ_ESTERROR)
    s->esterror = tx->esterror;
  if (m & ADJ_TIMECONST)
    s->constant = tx->constant;
  if (m & ADJ_TAI)
    s->tai = (int)tx->constant;
  if ((m & ADJ_OFFSET) && !(m & ADJ_SETOFFSET) && (m & ADJ_OFFSET_SINGLESHOT) != ADJ_OFFSET_SINGLESHOT) {
    /* the kernel's PLL would slew this away; the shim steps it at once */
    int64_t step = (int64_t)tx->offset * (nano ? 1 : 1000);
    rebase_locked(s);
    s->base_virt_ns += step;
    s->last_step_ns = step;
    s->offset = tx->offset;
    s->n_step++;
  }
  /* the read-back, as the kernel fills it */
  int64_t now = virt_at_locked(s, clockshim_real_mono_ns());
  tx->offset = 0;
  tx->freq = s->freq;
  tx->maxerror = s->maxerror;
  tx->esterror = s->esterror;
  tx->status = s->status;
  tx->constant = s->constant;
  tx->precision = 1;
  tx->tolerance = 500L * 65536;
  tx->tick = s->tick;
  tx->tai = s->tai;
  tx->time.tv_sec = now / NS_PER_S;
  tx->time.tv_usec = (now % NS_PER_S) / (nano ? 1 : 1000);
  int state = (s->status & STA_UNSYNC) ? TIME_ERROR : TIME_OK;
  unlock(s);
  return state;
}

void clockshim_snapshot(clockshim_state_t *s, clockshim_state_t *out) {
  lock(s);
  memcpy(out, s, sizeof *out);
  unlock(s);
}

void clockshim_count_ts(clockshim_state_t *s, int tx) {
  if (tx)
    __atomic_fetch_add(&s->n_tx_ts, 1, __ATOMIC_RELAXED);
  else
    __atomic_fetch_add(&s->n_rx_ts, 1, __ATOMIC_RELAXED);
}
