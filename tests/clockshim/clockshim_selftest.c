/* clockshim-selftest LIBCLOCKSHIM: the shim's own test (ctest clockshim). It makes a virtual
 * clock 1000 s ahead of the real one, running 100 ppm fast, then runs itself again under the
 * shim and checks, with expectations derived by hand from those two numbers: the clock reads,
 * the rate, clock_adjtime as ptp4l uses it (frequency and tick, read-back, steps, status),
 * clock_settime, and the kernel's software timestamps of a UDP datagram sent to itself
 * (SCM_TIMESTAMPING RX and TX from MSG_ERRQUEUE, SCM_TIMESTAMPNS, SCM_TIMESTAMP). Without the
 * shim every one of these is 1000 s off. The real clock is read through the syscall.
 * Safety: the checks step and slew CLOCK_REALTIME, so the child runs only without CAP_SYS_TIME
 * (dropped from its bounding set before its exec: the kernel refuses any write to the real
 * clock) and only once it has seen the shim's clock 1000 s ahead; otherwise it refuses. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>

#include "clockshim_state.h"

#define NS_PER_S 1000000000LL
#define OFFSET_NS (1000 * NS_PER_S)
#define SKEW_PPB 100000

static int failures;

#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                  \
      printf(__VA_ARGS__);                                                                         \
      printf("\n");                                                                                \
      failures++;                                                                                  \
    }                                                                                              \
  } while (0)

static int64_t ts_ns(const struct timespec *t) { return (int64_t)t->tv_sec * NS_PER_S + t->tv_nsec; }

static int64_t real_rt(void) { /* past the shim */
  struct timespec t;
  syscall(SYS_clock_gettime, CLOCK_REALTIME, &t);
  return ts_ns(&t);
}

static int64_t mono(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return ts_ns(&t);
}

static int64_t virt(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return ts_ns(&t);
}

static int64_t llabs64(int64_t x) { return x < 0 ? -x : x; }

/* A virtual reading and the CLOCK_MONOTONIC instant it belongs to: the tightest of 20
 * monotonic brackets around it (a preemption inside one would skew the rate). */
static void sample(int64_t *v, int64_t *m) {
  int64_t best = INT64_MAX;
  for (int k = 0; k < 20; k++) {
    int64_t m0 = mono(), vv = virt(), m1 = mono();
    if (m1 - m0 < best) {
      best = m1 - m0;
      *v = vv;
      *m = m0 + (m1 - m0) / 2;
    }
  }
}

/* The virtual clock's rate against CLOCK_MONOTONIC over 300 ms, in ppb. */
static double rate_ppb(void) {
  int64_t v0, m0, v1, m1;
  sample(&v0, &m0);
  struct timespec d = {0, 300000000};
  nanosleep(&d, NULL);
  sample(&v1, &m1);
  return ((double)(v1 - v0) / (double)(m1 - m0) - 1.0) * 1e9;
}

/* The software timestamp in a message's control data (0: none), on the clock the process sees. */
static int64_t msg_ts(struct msghdr *m) {
  int64_t got = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level != SOL_SOCKET)
      continue;
    if (c->cmsg_type == SO_TIMESTAMPING) {
      struct scm_timestamping st;
      memcpy(&st, CMSG_DATA(c), sizeof st);
      got = ts_ns(&st.ts[0]);
    } else if (c->cmsg_type == SO_TIMESTAMPNS) {
      struct timespec t;
      memcpy(&t, CMSG_DATA(c), sizeof t);
      got = ts_ns(&t);
    } else if (c->cmsg_type == SO_TIMESTAMP) {
      struct timeval tv;
      memcpy(&tv, CMSG_DATA(c), sizeof tv);
      got = (int64_t)tv.tv_sec * NS_PER_S + tv.tv_usec * 1000;
    }
  }
  return got;
}

/* One receive (errq: from MSG_ERRQUEUE); its timestamp (0: none), now on the virtual clock. */
static int64_t recv_ts(int fd, int errq, int64_t *now) {
  char buf[64], ctl[512];
  struct iovec iov = {buf, sizeof buf};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                     .msg_controllen = sizeof ctl};
  struct pollfd p = {fd, errq ? POLLPRI : POLLIN, 0};
  if (poll(&p, 1, 1000) != 1)
    return 0;
  ssize_t n = recvmsg(fd, &m, errq ? MSG_ERRQUEUE : 0);
  *now = virt();
  return n < 0 ? 0 : msg_ts(&m);
}

/* Datagrams to itself: their software RX (and for SO_TIMESTAMPING TX) timestamps are on the
 * virtual clock. The kernel turns receive timestamps on a little after the setsockopt (a
 * deferred static key), so the first datagrams may come without one: one is sent every 10 ms
 * until one has it, for at most 1 s. */
static void check_udp(int type) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(fd >= 0, "socket: %s", strerror(errno));
  if (fd < 0)
    return;
  int on = 1;
  if (type == SO_TIMESTAMPING) {
    int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_TX_SOFTWARE |
                SOF_TIMESTAMPING_SOFTWARE;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) == 0, "SO_TIMESTAMPING");
  } else {
    CHECK(setsockopt(fd, SOL_SOCKET, type, &on, sizeof on) == 0, "setsockopt %d", type);
  }
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0, "bind");
  getsockname(fd, (struct sockaddr *)&a, &alen);
  int64_t got = 0, now = 0;
  int sent = 0;
  for (; sent < 100 && !got; sent++) {
    if (sent) {
      struct timespec d = {0, 10000000};
      nanosleep(&d, NULL);
    }
    CHECK(sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof a) == 1, "sendto");
    got = recv_ts(fd, 0, &now);
  }
  CHECK(got != 0, "no RX timestamp (type %d) in %d datagrams", type, sent);
  CHECK(got <= now && now - got < 50000000,
        "RX timestamp (type %d) %" PRId64 " ns from the virtual clock (wanted within 50 ms)", type,
        got - now);
  if (type == SO_TIMESTAMPING) {
    got = 0;
    for (int k = 0; k < sent && !got; k++)
      got = recv_ts(fd, 1, &now);
    CHECK(got != 0, "no TX timestamp on the error queue");
    CHECK(got <= now && now - got < 50000000,
          "TX timestamp %" PRId64 " ns from the virtual clock (wanted within 50 ms)", got - now);
  }
  close(fd);
}

static struct timex real_timex(void) {
  struct timex tx;
  memset(&tx, 0, sizeof tx);
  syscall(SYS_adjtimex, &tx);
  return tx;
}

/* Without CAP_SYS_TIME (bounding set, then exec), or exits. */
static void drop_sys_time(char **argv) {
  if (prctl(PR_CAPBSET_READ, CAP_SYS_TIME, 0, 0, 0) != 1)
    return; /* already gone */
  if (prctl(PR_CAPBSET_DROP, CAP_SYS_TIME, 0, 0, 0) == 0) {
    execv("/proc/self/exe", argv); /* the exec recomputes the capabilities without it */
    perror("clockshim-selftest: exec");
    exit(1);
  }
  if (geteuid() == 0) { /* root that cannot drop it: refuse */
    fprintf(stderr, "clockshim-selftest: cannot drop CAP_SYS_TIME: refusing to run\n");
    exit(1);
  }
}

/* 1 when CAP_SYS_TIME is in the effective set (/proc/self/status), -1 when unknown. */
static int has_sys_time(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  int r = -1;
  unsigned long long eff;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "CapEff: %llx", &eff) == 1)
      r = (eff >> CAP_SYS_TIME) & 1;
  if (f)
    fclose(f);
  return r;
}

static int child(void) {
  if (has_sys_time() != 0) {
    printf("FAIL: CAP_SYS_TIME is (or may be) effective: refusing to adjust the clock\n");
    return 1;
  }
  int64_t ahead = virt() - real_rt();
  if (llabs64(ahead - OFFSET_NS) > NS_PER_S) {
    printf("FAIL: not running on the shim's clock (virtual - real = %" PRId64
           " ns): refusing to adjust the clock\n", ahead);
    return 1;
  }
  struct timex real_before = real_timex();
  /* reads: 1000 s ahead (a few us pass between the two reads) */
  int64_t d = virt() - real_rt();
  CHECK(llabs64(d - OFFSET_NS) < 10000000, "virtual - real = %" PRId64 " ns, wanted 1000 s", d);
  struct timespec c;
  clock_gettime(CLOCK_REALTIME_COARSE, &c);
  d = ts_ns(&c) - real_rt();
  CHECK(llabs64(d - OFFSET_NS) < 50000000, "COARSE: virtual - real = %" PRId64 " ns", d);
  struct timeval tv;
  gettimeofday(&tv, NULL);
  d = (int64_t)tv.tv_sec * NS_PER_S + tv.tv_usec * 1000 - real_rt();
  CHECK(llabs64(d - OFFSET_NS) < 10000000, "gettimeofday: virtual - real = %" PRId64 " ns", d);
  d = (int64_t)time(NULL) - real_rt() / NS_PER_S;
  CHECK(d >= 999 && d <= 1001, "time(): virtual - real = %" PRId64 " s", d);

  /* the oscillator: 100 ppm fast */
  double r = rate_ppb();
  CHECK(r > 90000 && r < 110000, "rate %.0f ppb, wanted 100000", r);

  /* clock_adjtime read-back as the kernel's: nothing set yet, unsynchronized */
  struct timex tx;
  memset(&tx, 0, sizeof tx);
  int st = clock_adjtime(CLOCK_REALTIME, &tx);
  CHECK(st == TIME_ERROR, "state %d, wanted TIME_ERROR (STA_UNSYNC)", st);
  CHECK(tx.freq == 0 && tx.tick == 10000 && tx.tolerance == 500 * 65536 &&
            (tx.status & STA_UNSYNC),
        "read-back freq %ld tick %ld tolerance %ld status 0x%x", tx.freq, tx.tick, tx.tolerance,
        (unsigned)tx.status);

  /* ptp4l's clockadj_set_freq(+150 ppm): tick 10001 (+100 ppm) and freq +50 ppm; the rate is
   * (1 + 100 ppm) * (1 + 150 ppm) - 1 = 250.015 ppm */
  memset(&tx, 0, sizeof tx);
  tx.modes = ADJ_TICK | ADJ_FREQUENCY;
  tx.tick = 10001;
  tx.freq = 50 * 65536;
  CHECK(clock_adjtime(CLOCK_REALTIME, &tx) >= 0, "ADJ_FREQUENCY: %s", strerror(errno));
  memset(&tx, 0, sizeof tx);
  clock_adjtime(CLOCK_REALTIME, &tx);
  CHECK(tx.freq == 50 * 65536 && tx.tick == 10001, "read-back freq %ld tick %ld", tx.freq, tx.tick);
  r = rate_ppb();
  CHECK(r > 240015 && r < 260015, "rate %.0f ppb, wanted 250015", r);
  /* and back: -100 ppm through freq alone: (1 + 100 ppm) * (1 - 100 ppm) - 1 = -0.01 ppm */
  memset(&tx, 0, sizeof tx);
  tx.modes = ADJ_TICK | ADJ_FREQUENCY;
  tx.tick = 10000;
  tx.freq = -100 * 65536;
  adjtimex(&tx);
  r = rate_ppb();
  CHECK(r > -10000 && r < 10000, "rate %.0f ppb, wanted -10", r);

  /* ADJ_SETOFFSET | ADJ_NANO of -1.5 s, written as ptp4l writes it: -2 s + 0.5e9 ns */
  int64_t before = virt();
  memset(&tx, 0, sizeof tx);
  tx.modes = ADJ_SETOFFSET | ADJ_NANO;
  tx.time.tv_sec = -2;
  tx.time.tv_usec = 500000000;
  CHECK(clock_adjtime(CLOCK_REALTIME, &tx) >= 0, "ADJ_SETOFFSET: %s", strerror(errno));
  d = virt() - before;
  CHECK(llabs64(d + 1500000000) < 10000000, "step moved the clock by %" PRId64 " ns", d);
  tx.modes = ADJ_SETOFFSET | ADJ_NANO;
  tx.time.tv_sec = 0;
  tx.time.tv_usec = 1000000000;
  errno = 0;
  CHECK(clock_adjtime(CLOCK_REALTIME, &tx) == -1 && errno == EINVAL, "out-of-range ns accepted");

  /* status (sysclk_set_sync): TIME_OK once STA_UNSYNC is cleared */
  memset(&tx, 0, sizeof tx);
  tx.modes = ADJ_STATUS | ADJ_MAXERROR;
  st = clock_adjtime(CLOCK_REALTIME, &tx);
  CHECK(st == TIME_OK && !(tx.status & STA_UNSYNC), "state %d status 0x%x after ADJ_STATUS", st,
        (unsigned)tx.status);

  /* clock_settime: the virtual clock at 2001-01-01 */
  struct timespec set = {978307200, 0};
  CHECK(clock_settime(CLOCK_REALTIME, &set) == 0, "clock_settime: %s", strerror(errno));
  d = virt() - ts_ns(&set);
  CHECK(d >= 0 && d < 10000000, "after clock_settime the clock is %" PRId64 " ns past it", d);

  /* the kernel's timestamps, on the (now 2001) virtual clock */
  check_udp(SO_TIMESTAMPING);
  check_udp(SO_TIMESTAMPNS);
  check_udp(SO_TIMESTAMP);

  struct timex real_after = real_timex();
  CHECK(real_after.tick == real_before.tick && real_after.status == real_before.status,
        "the real clock's tick or status changed");
  printf("clockshim: %d failure(s)\n", failures);
  return failures ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--child")) {
    drop_sys_time(argv);
    return child();
  }
  if (argc != 2) {
    fprintf(stderr, "usage: clockshim-selftest LIBCLOCKSHIM\n");
    return 2;
  }
  char path[] = "/tmp/clockshim-selftest.XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("mkstemp");
    return 1;
  }
  close(fd);
  if (clockshim_create(path, OFFSET_NS, SKEW_PPB) != 0) {
    fprintf(stderr, "cannot create %s\n", path);
    unlink(path);
    return 1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    setenv("RIGSYNC_CLOCKSHIM", path, 1);
    setenv("LD_PRELOAD", argv[1], 1);
    execl("/proc/self/exe", argv[0], "--child", (char *)NULL);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  unlink(path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
