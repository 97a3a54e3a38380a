/* clockshim-ctl: makes and reads the virtual clocks of libclockshim.so (tests only).
 *   clockshim-ctl create FILE --offset-ns N --skew-ppb N
 *   clockshim-ctl read FILE...   one line per file, all at the same real instant: the virtual
 *                                time, the real time, their difference, the offset from the
 *                                first FILE, the total frequency error and the discipline's part
 *                                (adj_ppb now; adj_area_ns: its integral over real time)
 *   clockshim-ctl realclock      the real clock's kernel state (adjtimex read only) and
 *                                CLOCK_REALTIME - CLOCK_MONOTONIC (moves only when stepped)
 * Exit: 0 ok, 1 failure, 2 usage. */
#define _GNU_SOURCE
#include "clockshim_state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

static int usage(void) {
  fprintf(stderr, "usage: clockshim-ctl create FILE --offset-ns N --skew-ppb N\n"
                  "       clockshim-ctl read FILE...\n"
                  "       clockshim-ctl realclock\n");
  return 2;
}

static int parse_i64(const char *s, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end)
    return -1;
  *out = v;
  return 0;
}

static int cmd_create(int argc, char **argv) {
  if (argc != 7)
    return usage();
  int64_t off = 0, skew = 0;
  int have_off = 0, have_skew = 0;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--offset-ns") && !parse_i64(argv[i + 1], &off))
      have_off = 1;
    else if (!strcmp(argv[i], "--skew-ppb") && !parse_i64(argv[i + 1], &skew))
      have_skew = 1;
    else
      return usage();
  }
  if (!have_off || !have_skew)
    return usage();
  int rc = clockshim_create(argv[2], off, skew);
  if (rc) {
    fprintf(stderr, "clockshim-ctl: cannot create %s: %s\n", argv[2], strerror(-rc));
    return 1;
  }
  return 0;
}

static int cmd_read(int argc, char **argv) {
  if (argc < 3)
    return usage();
  int n = argc - 2;
  clockshim_state_t **s = calloc((size_t)n, sizeof *s);
  if (!s)
    return 1;
  for (int i = 0; i < n; i++) {
    s[i] = clockshim_map(argv[2 + i]);
    if (!s[i]) {
      fprintf(stderr, "clockshim-ctl: %s is not a clock file: %s\n", argv[2 + i], strerror(errno));
      free(s);
      return 1;
    }
  }
  int64_t rt, mono;
  clockshim_real_pair(&rt, &mono);
  int64_t first = 0;
  for (int i = 0; i < n; i++) {
    int64_t v = clockshim_virt_at(s[i], mono);
    clockshim_state_t c;
    clockshim_snapshot(s[i], &c);
    if (i == 0)
      first = v;
    printf("file=%s virt_ns=%" PRId64 " real_ns=%" PRId64 " offset_ns=%" PRId64
           " from_first_ns=%" PRId64 " total_ppb=%.1f adj_ppb=%.1f skew_ppb=%" PRId64
           " freq_sets=%" PRIu64 " steps=%" PRIu64 " settimes=%" PRIu64 " rx_ts=%" PRIu64
           " tx_ts=%" PRIu64 " status=0x%x mono_ns=%" PRId64 " adj_area_ns=%.1f\n",
           argv[2 + i], v, rt, v - rt, v - first, clockshim_total_ppb(s[i]),
           clockshim_adj_ppb(c.freq, c.tick), c.skew_ppb, c.n_freq, c.n_step, c.n_settime,
           c.n_rx_ts, c.n_tx_ts, (unsigned)c.status, mono, clockshim_adj_area_at(s[i], mono));
  }
  free(s);
  return 0;
}

static int cmd_realclock(void) {
  struct timex tx;
  memset(&tx, 0, sizeof tx); /* modes 0: a read */
  if (adjtimex(&tx) < 0) {
    perror("clockshim-ctl: adjtimex");
    return 1;
  }
  int64_t rt, mono;
  clockshim_real_pair(&rt, &mono);
  printf("freq=%ld tick=%ld status=0x%x rt_minus_mono_ns=%" PRId64 "\n", tx.freq, tx.tick,
         (unsigned)tx.status, rt - mono);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage();
  if (!strcmp(argv[1], "create"))
    return cmd_create(argc, argv);
  if (!strcmp(argv[1], "read"))
    return cmd_read(argc, argv);
  if (!strcmp(argv[1], "realclock") && argc == 2)
    return cmd_realclock();
  return usage();
}
