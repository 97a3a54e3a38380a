/*
 * libFuzzer harness: the replay backend (src/backends/replay/) on arbitrary bytes taken as a
 * recording, played as `rigsync run --replay FILE.mcap --virtual-time` plays it: the recorded
 * config (rig_replay_load_config), a context on the "replay" backend in virtual time, every
 * device opened (waited for when absent), its sync config checked and written, the streams
 * started secondaries first, framesets and host clock sync on, then the recording advanced in
 * 100 ms steps to its end (at most MAX_STEPS steps: one input stays fast), the devices stopped,
 * the sets flushed, the recorded faults (rigsync.sim_faults) and everything delivered fed to the
 * report as the CLI does, and its summary computed. The bytes go to an in-memory file (memfd,
 * opened by its /proc/self/fd path), as in fuzz_mcap_reader.c.
 *
 * It abort()s on what must hold whatever the file holds (besides no crash, leak or undefined
 * behaviour: the build adds ASan + UBSan):
 *  - every failure is a rig_error_t with a non-empty, terminated message;
 *  - a frame's device index is one of the devices opened, its stream a stream; a global time
 *    has a non-negative bound;
 *  - no frame is handed over twice: each frame object reaches the frame callback once (frames
 *    are retained until the end, so no address is reused), and then ends in at most one set or
 *    one unmatched report, never both and never twice; a set slot holds its own device's and
 *    stream's frame;
 *  - per device and stream, rig_context_frame_accounting agrees with what the callbacks saw
 *    and delivered = in_sets + unmatched + overflow + pending + no_memory, with nothing pending
 *    after the flush.
 * Refusing a file is allowed; misbehaving on it is not.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../tools/cli.h"
#include "common/util.h"
#include "config/config_internal.h"
#include "fuzz_check.h"
#include "mode/mode.h"
#include "report/report.h"
#include "rigsync/replay.h"
#include "rigsync/rigsync.h"

#define MAX_DEVICES 64
#define STEP_US 100000
#define MAX_STEPS 64 /* 6.4 s of recorded host time */

typedef struct {
    rig_frame_t **v;
    size_t n, cap;
} frame_list_t;

typedef struct {
    size_t nopen;
    rig_report_t *report;
    int64_t *dts, *gts; /* per set slot, as the CLI fills them */
    frame_list_t delivered; /* retained: every frame the frame callback saw */
    frame_list_t ended;     /* borrowed addresses of frames in sets or reported unmatched */
    uint64_t seen[MAX_DEVICES][RIG_STREAM_COUNT];
    uint64_t in_sets[MAX_DEVICES][RIG_STREAM_COUNT];
    uint64_t unmatched[MAX_DEVICES][RIG_STREAM_COUNT][RIG_UNMATCHED_REASON_COUNT];
} run_t;

static char path[64];
static int mem_fd = -1;

static void push(frame_list_t *l, rig_frame_t *f)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        rig_frame_t **v = realloc(l->v, cap * sizeof(*v));
        FUZZ_CHECK(v != NULL, "out of memory keeping %zu frames", l->n);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = f;
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(rig_frame_t *const *)a, y = (uintptr_t)*(rig_frame_t *const *)b;
    return x < y ? -1 : x > y;
}

static void check_message(const char *what, rig_error_t err, const char *msg, size_t len)
{
    FUZZ_CHECK(strcmp(rig_error_name(err), "RIG_ERROR_UNKNOWN") != 0 && err < RIG_OK &&
                   err >= RIG_ERROR_INTERNAL,
               "%s: %d is no rig_error_t", what, (int)err);
    FUZZ_CHECK(memchr(msg, '\0', len) != NULL, "%s: message not terminated", what);
    FUZZ_CHECK(msg[0] != '\0', "%s failed (%s) without a message", what, rig_error_name(err));
}

static void check_context_error(rig_context_t *ctx, const char *what, rig_error_t err)
{
    char msg[1024];
    memset(msg, 'x', sizeof msg);
    rig_context_last_error(ctx, msg, sizeof msg);
    check_message(what, err, msg, sizeof msg);
}

static void check_frame(const run_t *r, const rig_frame_t *f)
{
    size_t d = rig_frame_device_index(f);
    rig_stream_t s = rig_frame_stream(f);
    FUZZ_CHECK(d < r->nopen && (int)s >= 0 && (int)s < RIG_STREAM_COUNT,
               "a frame of device %zu stream %d, %zu devices open", d, (int)s, r->nopen);
}

static void on_frame(rig_frame_t *f, void *user)
{
    run_t *r = user;
    check_frame(r, f);
    size_t d = rig_frame_device_index(f);
    rig_stream_t s = rig_frame_stream(f);
    int64_t global = rig_frame_global_ts_us(f);
    FUZZ_CHECK(global == RIG_TS_NONE || rig_frame_global_ts_bound_us(f) >= 0,
               "device %zu: global bound %lld", d, (long long)rig_frame_global_ts_bound_us(f));
    rig_frame_retain(f); /* kept to the end: its address stays its own */
    push(&r->delivered, f);
    r->seen[d][s]++;
    rig_report_add(r->report, d, s, rig_frame_index(f), rig_frame_host_ts_us(f), global,
                   rig_frame_interfered(f));
    int64_t wall = rig_replay_frame_wall_us(f);
    if (wall != RIG_TS_NONE)
        rig_report_add_wall(r->report, d, s, rig_frame_host_ts_us(f), wall);
}

static void on_set(rig_frameset_t *set, void *user)
{
    run_t *r = user;
    size_t n = rig_frameset_device_count(set);
    FUZZ_CHECK(n <= r->nopen, "a set with %zu devices, %zu devices open", n, r->nopen);
    for (size_t d = 0; d < r->nopen; d++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_frame_t *f = d < n ? rig_frameset_frame(set, d, (rig_stream_t)s) : NULL;
            r->dts[d * RIG_STREAM_COUNT + (size_t)s] = f ? rig_frame_device_ts_us(f) : RIG_TS_NONE;
            r->gts[d * RIG_STREAM_COUNT + (size_t)s] = f ? rig_frame_global_ts_us(f) : RIG_TS_NONE;
            if (!f)
                continue;
            FUZZ_CHECK(rig_frame_device_index(f) == d && (int)rig_frame_stream(f) == s,
                       "slot %zu/%d holds a frame of device %zu stream %d", d, s,
                       rig_frame_device_index(f), (int)rig_frame_stream(f));
            push(&r->ended, f);
            r->in_sets[d][s]++;
        }
    rig_report_add_capture(r->report, r->dts, r->gts);
    (void)rig_frameset_spread_us(set);
}

static void on_unmatched(rig_frame_t *f, rig_unmatched_reason_t why, void *user)
{
    run_t *r = user;
    check_frame(r, f);
    FUZZ_CHECK(why > 0 && why < RIG_UNMATCHED_REASON_COUNT, "reason %d", (int)why);
    push(&r->ended, f);
    r->unmatched[rig_frame_device_index(f)][rig_frame_stream(f)][why]++;
    rig_report_add_unmatched(r->report, rig_frame_device_index(f), rig_frame_stream(f), why);
}

static void on_event(const rig_device_event_t *ev, void *user)
{
    run_t *r = user;
    FUZZ_CHECK(memchr(ev->serial, '\0', sizeof ev->serial) &&
                   memchr(ev->detail, '\0', sizeof ev->detail),
               "an event's serial or detail not terminated");
    rig_report_event_t re;
    memset(&re, 0, sizeof(re));
    re.host_ts_us = ev->host_ts_us;
    re.device = ev->device_index < r->nopen ? (long)ev->device_index : -1;
    rig_strlcpy(re.what, rig_device_event_name(ev->kind), sizeof(re.what));
    rig_strlcpy(re.detail, ev->detail, sizeof(re.detail));
    rig_report_add_event(r->report, &re);
}

/* Every frame handed over once; each one ended at most once, and only frames handed over. */
static void check_no_frame_twice(run_t *r)
{
    if (r->delivered.n == 0) {
        FUZZ_CHECK(r->ended.n == 0, "%zu frames ended, none reached the frame callback",
                   r->ended.n);
        return;
    }
    qsort(r->delivered.v, r->delivered.n, sizeof(rig_frame_t *), by_address);
    for (size_t i = 1; i < r->delivered.n; i++)
        FUZZ_CHECK(r->delivered.v[i] != r->delivered.v[i - 1],
                   "a frame reached the frame callback twice");
    if (r->ended.n)
        qsort(r->ended.v, r->ended.n, sizeof(rig_frame_t *), by_address);
    for (size_t i = 0; i < r->ended.n; i++) {
        FUZZ_CHECK(i == 0 || r->ended.v[i] != r->ended.v[i - 1],
                   "a frame ended twice (in two sets, or in a set and unmatched)");
        FUZZ_CHECK(bsearch(&r->ended.v[i], r->delivered.v, r->delivered.n, sizeof(rig_frame_t *),
                           by_address),
                   "a frame in a set or unmatched never reached the frame callback");
    }
}

static void check_accounting(rig_context_t *ctx, const run_t *r)
{
    for (size_t d = 0; d < r->nopen; d++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_frame_accounting_t a;
            FUZZ_CHECK(rig_context_frame_accounting(ctx, d, (rig_stream_t)s, &a) == RIG_OK,
                       "accounting of device %zu", d);
            const uint64_t *u = r->unmatched[d][s];
            uint64_t unmatched = 0;
            for (int k = 1; k < RIG_UNMATCHED_REASON_COUNT; k++) {
                FUZZ_CHECK(a.unmatched_by_reason[k] == u[k],
                           "device %zu %s: %llu unmatched (%s) counted, %llu reported", d,
                           rig_stream_name((rig_stream_t)s),
                           (unsigned long long)a.unmatched_by_reason[k],
                           rig_unmatched_reason_name((rig_unmatched_reason_t)k),
                           (unsigned long long)u[k]);
                if (k != RIG_UNMATCHED_OVERFLOW)
                    unmatched += u[k];
            }
            FUZZ_CHECK(a.delivered == a.in_sets + a.unmatched + a.overflow + a.pending +
                                          a.no_memory,
                       "device %zu %s: %llu delivered != %llu in sets + %llu unmatched + %llu "
                       "overflow + %llu pending + %llu no memory",
                       d, rig_stream_name((rig_stream_t)s), (unsigned long long)a.delivered,
                       (unsigned long long)a.in_sets, (unsigned long long)a.unmatched,
                       (unsigned long long)a.overflow, (unsigned long long)a.pending,
                       (unsigned long long)a.no_memory);
            FUZZ_CHECK(a.delivered == r->seen[d][s] && a.in_sets == r->in_sets[d][s] &&
                           a.unmatched == unmatched && a.overflow == u[RIG_UNMATCHED_OVERFLOW] &&
                           a.pending == 0,
                       "device %zu %s: accounting %llu delivered, %llu in sets, %llu unmatched, "
                       "%llu pending; the callbacks saw %llu, %llu, %llu",
                       d, rig_stream_name((rig_stream_t)s), (unsigned long long)a.delivered,
                       (unsigned long long)a.in_sets, (unsigned long long)a.unmatched,
                       (unsigned long long)a.pending, (unsigned long long)r->seen[d][s],
                       (unsigned long long)r->in_sets[d][s], (unsigned long long)unmatched);
        }
}

/* The devices opened, configured and started as cli_rig_open and start_streams do; false when
 * the rig refuses (each refusal checked for its message). */
static bool open_rig(rig_context_t *ctx, rig_config_t *cfg, rig_device_t **dev, run_t *r)
{
    size_t n = rig_config_device_count(cfg);
    for (size_t i = 0; i < n; i++) {
        rig_error_t e = rig_device_open_expected(ctx, rig_config_device_serial(cfg, i), &dev[i]);
        if (e != RIG_OK) {
            check_context_error(ctx, "rig_device_open_expected", e);
            return false;
        }
        FUZZ_CHECK(rig_device_index(dev[i]) == i, "device %zu opened as %zu", i,
                   rig_device_index(dev[i]));
        r->nopen = i + 1;
    }
    rig_sync_config_t sync[MAX_DEVICES];
    for (size_t i = 0; i < n; i++) {
        rig_config_device_sync(cfg, i, &sync[i]);
        rig_error_t e = rig_device_check_sync_config(dev[i], &sync[i]);
        if (e == RIG_OK)
            e = rig_device_set_sync_config(dev[i], &sync[i], NULL);
        if (e != RIG_OK) {
            check_context_error(ctx, "the recorded sync config", e);
            return false;
        }
    }
    size_t order[MAX_DEVICES];
    rig_mode_start_order(sync, n, order);
    rig_stream_profile_t color = rig_config_stream_profile(cfg, RIG_STREAM_COLOR);
    rig_stream_profile_t depth = rig_config_stream_profile(cfg, RIG_STREAM_DEPTH);
    const rig_stream_profile_t *pc = cfg->streams_given[RIG_STREAM_COLOR] ? &color : NULL;
    const rig_stream_profile_t *pd = cfg->streams_given[RIG_STREAM_DEPTH] ? &depth : NULL;
    for (size_t k = 0; k < n; k++) {
        rig_error_t e = rig_device_start(dev[order[k]], pc, pd);
        if (e != RIG_OK) {
            check_context_error(ctx, "rig_device_start", e);
            return false;
        }
    }
    return true;
}

static void play(rig_config_t *cfg)
{
    size_t n = rig_config_device_count(cfg);
    if (n == 0 || n > MAX_DEVICES)
        return;
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.backend = "replay";
    o.replay_path = path;
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    char detail[1024];
    memset(detail, 'x', sizeof detail);
    o.error_detail = detail;
    o.error_detail_len = sizeof detail;
    rig_context_t *ctx = NULL;
    rig_error_t e = rig_context_create(&o, &ctx);
    if (e != RIG_OK) {
        check_message("rig_context_create", e, detail, sizeof detail);
        FUZZ_CHECK(ctx == NULL, "a context after a failure");
        return;
    }
    static run_t r;
    memset(&r, 0, sizeof r);
    r.report = rig_report_create(cfg);
    r.dts = calloc(n * RIG_STREAM_COUNT, sizeof(int64_t));
    r.gts = calloc(n * RIG_STREAM_COUNT, sizeof(int64_t));
    FUZZ_CHECK(r.report && r.dts && r.gts, "out of memory");
    rig_device_t *dev[MAX_DEVICES] = {0};
    rig_context_set_frame_callback(ctx, on_frame, &r);
    rig_context_set_frameset_callback(ctx, on_set, &r);
    rig_context_set_unmatched_callback(ctx, on_unmatched, &r);
    int64_t t0 = 0;
    FUZZ_CHECK(rig_replay_origin_us(ctx, &t0) == RIG_OK, "origin");
    rig_report_set_origin(r.report, t0);
    rig_context_set_device_event_callback(ctx, on_event, &r);
    if (!open_rig(ctx, cfg, dev, &r))
        goto out;
    e = rig_context_enable_framesets(ctx, NULL);
    if (e == RIG_OK)
        e = rig_context_enable_clock_sync(ctx, rig_config_clock_sync_interval_ms(cfg));
    if (e != RIG_OK) {
        check_context_error(ctx, "framesets and clock sync", e);
        goto out;
    }
    bool finished = false, bad = false;
    char msg[1024];
    for (int step = 0; step < MAX_STEPS; step++) {
        if (rig_replay_status(ctx, &finished, NULL, 0) != RIG_OK || finished)
            break;
        e = rig_replay_advance_us(ctx, STEP_US);
        if (e != RIG_OK) {
            check_context_error(ctx, "rig_replay_advance_us", e);
            bad = true;
            break;
        }
        int64_t now = 0;
        FUZZ_CHECK(rig_replay_now_us(ctx, &now) == RIG_OK, "now");
    }
    memset(msg, 'x', sizeof msg);
    e = rig_replay_status(ctx, &finished, msg, sizeof msg);
    FUZZ_CHECK(memchr(msg, '\0', sizeof msg) != NULL, "status message not terminated");
    if (e != RIG_OK)
        check_message("rig_replay_status", e, msg, sizeof msg);
    FUZZ_CHECK(!bad || e != RIG_OK, "advance failed but the status says the file is sound");
    for (size_t i = 0; i < r.nopen; i++)
        rig_device_stop(dev[i]);
    FUZZ_CHECK(rig_context_flush_framesets(ctx) == RIG_OK, "flush");
    check_accounting(ctx, &r);
    rig_report_event_t *faults = NULL;
    size_t nf = cli_injected_faults(ctx, cfg, true, &faults);
    for (size_t i = 0; i < nf; i++)
        rig_report_add_event(r.report, &faults[i]);
    free(faults);
    rig_report_summary_t sum;
    if (rig_report_summarize(r.report, &sum) == RIG_OK) {
        FUZZ_CHECK(memchr(sum.verdict_text, '\0', sizeof sum.verdict_text) != NULL, "verdict");
        rig_report_summary_free(&sum);
    }
    if (getenv("FUZZ_REPLAY_VERBOSE")) /* to see what a reproduced input did */
        fprintf(stderr, "fuzz_replay: %zu devices, %zu frames delivered, %zu ended in sets or "
                        "unmatched, %s; %s\n",
                r.nopen, r.delivered.n, r.ended.n, finished ? "played to its end" : "cut short",
                msg[0] ? msg : "no warning");
out:
    rig_context_destroy(ctx);
    check_no_frame_twice(&r);
    for (size_t i = 0; i < r.delivered.n; i++)
        rig_frame_release(r.delivered.v[i]);
    free(r.delivered.v);
    free(r.ended.v);
    free(r.dts);
    free(r.gts);
    rig_report_destroy(r.report);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (mem_fd < 0) {
        mem_fd = memfd_create("fuzz_replay", 0);
        FUZZ_CHECK(mem_fd >= 0, "memfd_create failed");
        snprintf(path, sizeof path, "/proc/self/fd/%d", mem_fd);
    }
    if (ftruncate(mem_fd, 0) != 0 || (size && pwrite(mem_fd, data, size, 0) != (ssize_t)size))
        return 0;
    rig_config_t *cfg = NULL;
    char msg[1024];
    memset(msg, 'x', sizeof msg);
    rig_error_t e = rig_replay_load_config(path, &cfg, msg, sizeof msg);
    if (e != RIG_OK) {
        check_message("rig_replay_load_config", e, msg, sizeof msg);
        FUZZ_CHECK(cfg == NULL, "a config after a failure");
        return 0;
    }
    FUZZ_CHECK(cfg != NULL, "RIG_OK without a config");
    play(cfg);
    rig_config_destroy(cfg);
    return 0;
}
