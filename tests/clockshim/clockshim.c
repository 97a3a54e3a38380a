/* libclockshim.so: LD_PRELOAD'ed into every process of one simulated host (tests only), gives
 * them the shared virtual CLOCK_REALTIME of the file named by RIGSYNC_CLOCKSHIM (made by
 * clockshim-ctl create). Reads, sets and adjustments of CLOCK_REALTIME go to that file and never
 * to the kernel; the kernel's software timestamps in recvmsg (SCM_TIMESTAMPING ts[0],
 * SCM_TIMESTAMPNS, SCM_TIMESTAMP, also the TX ones read from MSG_ERRQUEUE) are converted from
 * the real CLOCK_REALTIME to the virtual one. Without RIGSYNC_CLOCKSHIM it changes nothing; with
 * it set to a file it cannot map, the process stops at once (it must never run on the real
 * clock believing it is virtual). */
#define _GNU_SOURCE
#include "clockshim_state.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>
#include <linux/errqueue.h>

#define NS_PER_S 1000000000LL
/* the cmsg types of both time_t layouts (x86_64: the same 64-bit layout) */
#define SHIM_SO_TIMESTAMP_OLD 29
#define SHIM_SO_TIMESTAMPNS_OLD 35
#define SHIM_SO_TIMESTAMPING_OLD 37
#define SHIM_SO_TIMESTAMP_NEW 63
#define SHIM_SO_TIMESTAMPNS_NEW 64
#define SHIM_SO_TIMESTAMPING_NEW 65

static clockshim_state_t *shim;
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);

static void *next_sym(const char *name) {
  void *p = dlsym(RTLD_NEXT, name);
  if (!p) {
    fprintf(stderr, "clockshim: %s not found: %s\n", name, dlerror());
    _exit(111);
  }
  return p;
}

__attribute__((constructor)) static void shim_init(void) {
  clockshim_real_clock_gettime = (int (*)(clockid_t, struct timespec *))next_sym("clock_gettime");
  real_recvmsg = (ssize_t (*)(int, struct msghdr *, int))next_sym("recvmsg");
  const char *path = getenv("RIGSYNC_CLOCKSHIM");
  if (!path || !*path)
    return;
  shim = clockshim_map(path);
  if (!shim) {
    fprintf(stderr, "clockshim: cannot map the clock file %s (%s): stopping, so as not to run "
                    "on the real clock; create it with clockshim-ctl create\n",
            path, strerror(errno));
    _exit(111);
  }
}

static int virtual_id(clockid_t id) {
  return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI;
}

static int64_t virt_now(void) { return clockshim_virt_at(shim, clockshim_real_mono_ns()); }

static int64_t ts_ns(const struct timespec *t) { return (int64_t)t->tv_sec * NS_PER_S + t->tv_nsec; }

static void ns_ts(int64_t ns, struct timespec *t) {
  t->tv_sec = ns / NS_PER_S;
  t->tv_nsec = ns % NS_PER_S;
  if (t->tv_nsec < 0) {
    t->tv_nsec += NS_PER_S;
    t->tv_sec--;
  }
}

int clock_gettime(clockid_t id, struct timespec *tp) {
  if (!shim || !virtual_id(id))
    return clockshim_real_clock_gettime(id, tp);
  int64_t v = virt_now();
  if (id == CLOCK_TAI)
    v += (int64_t)shim->tai * NS_PER_S;
  ns_ts(v, tp);
  return 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  if (!shim) {
    static int (*real)(struct timeval *restrict, void *restrict);
    if (!real)
      real = (int (*)(struct timeval *restrict, void *restrict))next_sym("gettimeofday");
    return real(tv, tz);
  }
  if (tz)
    memset(tz, 0, sizeof(struct timezone));
  struct timespec t; /* tv is nonnull (glibc's prototype) */
  ns_ts(virt_now(), &t);
  tv->tv_sec = t.tv_sec;
  tv->tv_usec = t.tv_nsec / 1000;
  return 0;
}

time_t time(time_t *out) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  if (out)
    *out = t.tv_sec;
  return t.tv_sec;
}

int clock_settime(clockid_t id, const struct timespec *tp) {
  if (!shim || id != CLOCK_REALTIME) {
    static int (*real)(clockid_t, const struct timespec *);
    if (!real)
      real = (int (*)(clockid_t, const struct timespec *))next_sym("clock_settime");
    return real(id, tp);
  }
  if (tp->tv_nsec < 0 || tp->tv_nsec >= NS_PER_S) {
    errno = EINVAL;
    return -1;
  }
  clockshim_set(shim, ts_ns(tp));
  return 0;
}

int settimeofday(const struct timeval *tv, const struct timezone *tz) {
  if (!shim) {
    static int (*real)(const struct timeval *, const struct timezone *);
    if (!real)
      real = (int (*)(const struct timeval *, const struct timezone *))next_sym("settimeofday");
    return real(tv, tz);
  }
  if (tv) {
    struct timespec t = {tv->tv_sec, (long)tv->tv_usec * 1000};
    return clock_settime(CLOCK_REALTIME, &t);
  }
  return 0;
}

int clock_adjtime(clockid_t id, struct timex *tx) {
  if (!shim || id != CLOCK_REALTIME) {
    static int (*real)(clockid_t, struct timex *);
    if (!real)
      real = (int (*)(clockid_t, struct timex *))next_sym("clock_adjtime");
    return real(id, tx);
  }
  return clockshim_adjtime(shim, tx);
}

int adjtimex(struct timex *tx) {
  if (!shim) {
    static int (*real)(struct timex *);
    if (!real)
      real = (int (*)(struct timex *))next_sym("adjtimex");
    return real(tx);
  }
  return clockshim_adjtime(shim, tx);
}

int ntp_adjtime(struct timex *tx) {
  if (!shim) {
    static int (*real)(struct timex *);
    if (!real)
      real = (int (*)(struct timex *))next_sym("ntp_adjtime");
    return real(tx);
  }
  return clockshim_adjtime(shim, tx);
}

int adjtime(const struct timeval *delta, struct timeval *olddelta) {
  if (!shim) {
    static int (*real)(const struct timeval *, struct timeval *);
    if (!real)
      real = (int (*)(const struct timeval *, struct timeval *))next_sym("adjtime");
    return real(delta, olddelta);
  }
  /* the slew is applied at once, as a step: nothing remains outstanding */
  if (delta)
    clockshim_step(shim, (int64_t)delta->tv_sec * NS_PER_S + (int64_t)delta->tv_usec * 1000);
  if (olddelta)
    olddelta->tv_sec = olddelta->tv_usec = 0;
  return 0;
}

/* A kernel timestamp (real CLOCK_REALTIME) on the virtual clock. */
static int64_t virt_of_real(int64_t real_rt_ns) {
  int64_t rt, mono;
  clockshim_real_pair(&rt, &mono);
  return clockshim_virt_at(shim, mono - (rt - real_rt_ns));
}

static void convert_ts(struct timespec *t) {
  if (t->tv_sec == 0 && t->tv_nsec == 0)
    return; /* not there (e.g. no software stamp in SCM_TIMESTAMPING) */
  ns_ts(virt_of_real(ts_ns(t)), t);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
  if (!real_recvmsg)
    real_recvmsg = (ssize_t (*)(int, struct msghdr *, int))next_sym("recvmsg");
  ssize_t n = real_recvmsg(fd, msg, flags);
  if (n < 0 || !shim || !msg->msg_control || msg->msg_controllen == 0)
    return n;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET)
      continue;
    size_t len = c->cmsg_len - CMSG_LEN(0);
    switch (c->cmsg_type) {
    case SHIM_SO_TIMESTAMPING_OLD:
    case SHIM_SO_TIMESTAMPING_NEW:
      if (len >= sizeof(struct scm_timestamping)) {
        struct scm_timestamping st;
        memcpy(&st, CMSG_DATA(c), sizeof st);
        convert_ts(&st.ts[0]); /* software; ts[2] (hardware) is not CLOCK_REALTIME */
        memcpy(CMSG_DATA(c), &st, sizeof st);
        clockshim_count_ts(shim, (flags & MSG_ERRQUEUE) != 0);
      }
      break;
    case SHIM_SO_TIMESTAMPNS_OLD:
    case SHIM_SO_TIMESTAMPNS_NEW:
      if (len >= sizeof(struct timespec)) {
        struct timespec t;
        memcpy(&t, CMSG_DATA(c), sizeof t);
        convert_ts(&t);
        memcpy(CMSG_DATA(c), &t, sizeof t);
        clockshim_count_ts(shim, (flags & MSG_ERRQUEUE) != 0);
      }
      break;
    case SHIM_SO_TIMESTAMP_OLD:
    case SHIM_SO_TIMESTAMP_NEW:
      if (len >= sizeof(struct timeval)) {
        struct timeval tv;
        memcpy(&tv, CMSG_DATA(c), sizeof tv);
        struct timespec t = {tv.tv_sec, (long)tv.tv_usec * 1000};
        convert_ts(&t);
        tv.tv_sec = t.tv_sec;
        tv.tv_usec = t.tv_nsec / 1000;
        memcpy(CMSG_DATA(c), &tv, sizeof tv);
        clockshim_count_ts(shim, (flags & MSG_ERRQUEUE) != 0);
      }
      break;
    default:
      break;
    }
  }
  return n;
}
