/*
 * bench_record: how fast rigsync's recorder (src/record: queue + writer thread, MCAP, zstd at the
 * CLI's level) writes the frames of a simulated rig with pixels, next to zstd and the raw limit.
 *
 * 1. Throughput. The frames of N devices (640x576 Y16 depth + 640x480 RGB color, 30 fps) are
 *    rendered by the simulator in virtual time BEFORE anything is timed and kept in memory. Then,
 *    on the same pixel bytes, each contender writes one file into --dir (the same disk):
 *      recorder  rig_recorder_open (zstd, the CLI's level; as the CLI runs it, and with the
 *                pixels' CRC on a helper thread), every frame through
 *                rig_recorder_frame (the caller waits for room instead of letting the queue
 *                drop: a drop fails the bench), rig_recorder_close;
 *      zstd      libzstd's streaming API in this process (what the zstd CLI does: the same
 *                level, its default parameters), the pixel bytes in, fwrite of the output; on
 *                1 thread, and on 2 (1 worker: the thread count of the recorder with its CRC
 *                helper);
 *      zstd CLI  `zstd -<level> -T<threads>` on a file holding the same bytes (the raw file);
 *      raw       the pixel bytes fwrite'n uncompressed, fflush'd every second of frames.
 *    No contender calls fsync: the recorder does not (it write(2)s each chunk to the kernel, which
 *    is what kill -9 safety needs), so neither does the raw limit. Each is run --reps times, the
 *    median is reported. MB/s are of raw input (pixel bytes, 1 MB = 1e6 bytes); "vs zstd" is
 *    the throughput divided by the faster of the two zstd rows.
 * 2. Real time. `rigsync record` of 8 devices with pixels for --realtime-seconds (30) of wall
 *    time on this machine (sim rendering + recorder sharing its cores): recorder drops, frames,
 *    file bytes per frame, CPU used. Then `rigsync run` of the same rig without recording for
 *    --sim-seconds (10): the CPU the simulator's rendering alone takes.
 *
 * Last line: RESULT record_mb_s=... ratio_vs_zstd=... realtime_8dev_recorder_drops=...
 *            bytes_per_frame=...
 *
 * usage: bench_record [--devices N] [--seconds S] [--reps R] [--level L] [--dir DIR]
 *                     [--realtime-seconds S] [--sim-seconds S] [--rigsync PATH]
 *                     [--only recorder|zstd|raw] (one contender: for perf; no table, no RESULT)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "record/recorder.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#ifndef RIGSYNC_CLI_PATH
#define RIGSYNC_CLI_PATH "rigsync"
#endif

typedef struct {
    rig_frame_t **f;
    size_t n, cap;
    uint64_t bytes;
} frames_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_record: %s\n", what);
    exit(1);
}

static void keep(rig_frame_t *f, void *user)
{
    frames_t *fr = user;
    if (!rig_frame_data(f))
        die("a frame without pixels (the sim's pixels are off?)");
    if (fr->n == fr->cap) {
        fr->cap = fr->cap ? fr->cap * 2 : 1024;
        fr->f = realloc(fr->f, fr->cap * sizeof(*fr->f));
        if (!fr->f)
            die("out of memory");
    }
    rig_frame_retain(f);
    fr->f[fr->n++] = f;
    fr->bytes += rig_frame_data_size(f);
}

/* The config of n devices: one PRIMARY, n - 1 SECONDARY, pixels on (the default profiles:
 * 640x480 RGB color, 640x576 Y16 depth, 30 fps). */
static char *rig_json(size_t n)
{
    size_t cap = 256 + n * 160;
    char *json = malloc(cap);
    if (!json)
        die("out of memory");
    size_t off = (size_t)snprintf(json, cap, "{\"devices\":[");
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(json + off, cap - off,
                                "%s{\"serial_number\":\"REC%04zu\",\"config\":{\"mode\":\"%s\","
                                "\"trigger_out_enable\":true}}",
                                i ? "," : "", i, i ? "SECONDARY" : "PRIMARY");
    snprintf(json + off, cap - off, "]}");
    return json;
}

static void generate(size_t n, double seconds, frames_t *out, char ***serials)
{
    char *json = rig_json(n);
    rig_config_t *cfg = NULL;
    rig_config_diag_t diag;
    if (rig_config_parse(json, "bench_record", &cfg, &diag) != RIG_OK)
        die(diag.message);
    free(json);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = true;
    rig_context_t *ctx;
    if (rig_context_create(&o, &ctx) != RIG_OK)
        die("cannot create the simulated rig");
    rig_device_t **d = calloc(n, sizeof(*d));
    *serials = calloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        rig_sync_config_t s;
        rig_config_device_sync(cfg, i, &s);
        (*serials)[i] = strdup(rig_config_device_serial(cfg, i));
        if (rig_device_open(ctx, rig_config_device_serial(cfg, i), &d[i]) != RIG_OK ||
            rig_device_set_sync_config(d[i], &s, NULL) != RIG_OK)
            die("cannot open a simulated device");
    }
    rig_context_set_frame_callback(ctx, keep, out);
    for (size_t i = n; i-- > 0;)
        rig_device_start(d[i], NULL, NULL);
    rig_sim_advance_us(ctx, (int64_t)(seconds * 1e6));
    rig_context_destroy(ctx); /* frames outlive it */
    rig_config_destroy(cfg);
    free(d);
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

typedef struct {
    double seconds;
    double out_bytes;
} run_t;

/* ---- contenders ---- */

static run_t run_recorder(const frames_t *fr, char **serials, size_t n, int level, int workers,
                          bool crc_thread, const char *path, rig_recorder_stats_t *st_out)
{
    rig_recorder_options_t ro;
    memset(&ro, 0, sizeof ro);
    ro.compression = RIG_MCAP_COMPRESSION_ZSTD;
    ro.zstd_level = level;
    ro.zstd_workers = workers;
    ro.crc_thread = crc_thread;
    char msg[256];
    rig_recorder_t *r;
    double t0 = now_s();
    if (rig_recorder_open(path, &ro, (const char *const *)serials, n, &r, msg, sizeof msg) !=
        RIG_OK)
        die(msg);
    /* Keep at most ~64 frames queued (the queue's byte limit is 256 MiB): wait for room
     * rather than let the queue count drops, so that every frame is written and timed. */
    for (size_t i = 0; i < fr->n; i++) {
        for (;;) {
            rig_recorder_stats_t st;
            rig_recorder_get_stats(r, &st);
            if (st.dropped_frames)
                die("the recorder dropped a frame in the throughput run");
            if (i - (st.frames_written + st.not_written) < 64)
                break;
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
        }
        rig_recorder_frame(r, fr->f[i]);
    }
    rig_recorder_stop(r, NULL, 0);
    rig_recorder_get_stats(r, st_out);
    if (rig_recorder_close(r, msg, sizeof msg) != RIG_OK)
        die(msg);
    run_t out = {now_s() - t0, (double)file_size(path)};
    if (st_out->frames_written != fr->n || st_out->dropped_frames)
        die("the recorder did not write every frame");
    return out;
}

static void write_all(FILE *f, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, f) != n)
        die(strerror(errno));
}

static run_t run_zstd(const frames_t *fr, int level, int workers, const char *path)
{
    double t0 = now_s();
    FILE *f = fopen(path, "wb");
    if (!f)
        die(strerror(errno));
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
    if (workers > 0 && ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_nbWorkers, workers)))
        die("this libzstd has no worker threads");
    size_t out_cap = ZSTD_CStreamOutSize();
    uint8_t *out = malloc(out_cap);
    for (size_t i = 0; i <= fr->n; i++) {
        bool last = i == fr->n;
        ZSTD_inBuffer in = {last ? NULL : rig_frame_data(fr->f[i]),
                            last ? 0 : rig_frame_data_size(fr->f[i]), 0};
        ZSTD_EndDirective mode = last ? ZSTD_e_end : ZSTD_e_continue;
        for (;;) {
            ZSTD_outBuffer ob = {out, out_cap, 0};
            size_t left = ZSTD_compressStream2(cc, &ob, &in, mode);
            if (ZSTD_isError(left))
                die(ZSTD_getErrorName(left));
            write_all(f, out, ob.pos);
            if (last ? left == 0 : in.pos == in.size)
                break;
        }
    }
    free(out);
    ZSTD_freeCCtx(cc);
    if (fclose(f) != 0)
        die(strerror(errno));
    return (run_t){now_s() - t0, (double)file_size(path)};
}

static run_t run_raw(const frames_t *fr, size_t per_second, const char *path)
{
    double t0 = now_s();
    FILE *f = fopen(path, "wb");
    if (!f)
        die(strerror(errno));
    for (size_t i = 0; i < fr->n; i++) {
        write_all(f, rig_frame_data(fr->f[i]), rig_frame_data_size(fr->f[i]));
        if ((i + 1) % per_second == 0 && fflush(f) != 0)
            die(strerror(errno));
    }
    if (fclose(f) != 0)
        die(strerror(errno));
    return (run_t){now_s() - t0, (double)file_size(path)};
}

/* Runs argv (NULL-terminated) with stdout into out_path; its CPU seconds in *cpu_s.
 * Returns its exit status, -1 when it could not run. */
static int run_child(char *const *argv, const char *out_path, double *wall_s, double *cpu_s)
{
    fflush(stdout); /* else the child prints our buffer again */
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (out_path && !freopen(out_path, "w", stdout))
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *wall_s = now_s() - t0;
    *cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
             (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#define MAX_REPS 9

int main(int argc, char **argv)
{
    size_t n = 8;
    double seconds = 3, rt_seconds = 30, sim_seconds = 10;
    int reps = 5, level = 1; /* the CLI's level (tools/cli_record.c) */
    int workers = 0;         /* zstd worker threads, on both sides */
    const char *dir = ".", *cli = RIGSYNC_CLI_PATH, *only = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            goto usage;
        if (strcmp(a, "--devices") == 0)
            n = (size_t)atoi(v);
        else if (strcmp(a, "--seconds") == 0)
            seconds = atof(v);
        else if (strcmp(a, "--reps") == 0)
            reps = atoi(v);
        else if (strcmp(a, "--level") == 0)
            level = atoi(v);
        else if (strcmp(a, "--dir") == 0)
            dir = v;
        else if (strcmp(a, "--realtime-seconds") == 0)
            rt_seconds = atof(v);
        else if (strcmp(a, "--sim-seconds") == 0)
            sim_seconds = atof(v);
        else if (strcmp(a, "--rigsync") == 0)
            cli = v;
        else if (strcmp(a, "--zstd-workers") == 0)
            workers = atoi(v);
        else if (strcmp(a, "--only") == 0)
            only = v;
        else
            goto usage;
        i++;
    }
    if (n < 1 || n > 64 || seconds <= 0 || reps < 1 || reps > MAX_REPS)
        goto usage;

    char p_rec[512], p_zst[512], p_raw[512], p_cli[512], p_cfg[512], p_rt[512], p_out[512];
    snprintf(p_rec, sizeof p_rec, "%s/bench_record.mcap", dir);
    snprintf(p_zst, sizeof p_zst, "%s/bench_record.zst", dir);
    snprintf(p_raw, sizeof p_raw, "%s/bench_record.raw", dir);
    snprintf(p_cli, sizeof p_cli, "%s/bench_record.raw.zst", dir);
    snprintf(p_cfg, sizeof p_cfg, "%s/bench_record_8dev.json", dir);
    snprintf(p_rt, sizeof p_rt, "%s/bench_record_8dev.mcap", dir);
    snprintf(p_out, sizeof p_out, "%s/bench_record_cli.txt", dir);

    printf("bench_record: %zu devices x (640x576 Y16 depth + 640x480 RGB color) at 30 fps, "
           "%.1f virtual s rendered before timing; zstd level %d (the CLI's)%s; median of %d "
           "runs\n",
           n, seconds, level, workers ? ", zstd worker threads on every side" : "", reps);
    double g0 = now_s();
    frames_t fr = {0};
    char **serials;
    generate(n, seconds, &fr, &serials);
    printf("rendered %zu frames, %.1f MB of pixels in %.2f s (not timed below)\n\n", fr.n,
           (double)fr.bytes / 1e6, now_s() - g0);

    if (only) { /* one contender, for a profiler */
        rig_recorder_stats_t st;
        bool rec = strcmp(only, "recorder") == 0;
        run_t r = rec ? run_recorder(&fr, serials, n, level, workers, false, p_rec, &st)
                  : strcmp(only, "zstd") == 0 ? run_zstd(&fr, level, workers, p_zst)
                                              : run_raw(&fr, n * 2 * 30, p_raw);
        printf("%s: %.0f MB/s in, %.1f MB out\n", only, (double)fr.bytes / 1e6 / r.seconds,
               r.out_bytes / 1e6);
        unlink(p_rec);
        unlink(p_zst);
        unlink(p_raw);
        return 0;
    }
    /* Contenders, interleaved run by run (the machine may be shared): the recorder as the CLI
     * runs it (one writer thread) and with the pixels' CRC on a helper thread;
     * zstd on one thread and on two (1 worker: the recorder's thread count); the zstd CLI;
     * the raw limit. */
    enum { REC, REC_CRC_THREAD, ZSTD1, ZSTD2, ZCLI, RAW, N_CONT };
    static const char *const names[N_CONT] = {
        "recorder (as the CLI: one thread)", "recorder, CRC on a 2nd thread",
        "zstd stream API, 1 thread", "zstd stream API, 2 threads", "zstd CLI on the raw file",
        "raw limit (no compression)"};
    double t[N_CONT][MAX_REPS], out_bytes[N_CONT] = {0};
    bool ran[N_CONT] = {true, true, true, workers == 0, true, true};
    rig_recorder_stats_t rst = {0};
    char lvl[16];
    snprintf(lvl, sizeof lvl, "-%d", level);
    size_t per_second = n * 2 * 30;
    for (int k = 0; k < reps; k++) {
        for (int c = 0; c < N_CONT; c++) {
            if (!ran[c])
                continue;
            run_t r = {0, 0};
            if (c == REC || c == REC_CRC_THREAD) {
                r = run_recorder(&fr, serials, n, level, workers, c == REC_CRC_THREAD, p_rec,
                                 &rst);
                unlink(p_rec);
            } else if (c == ZSTD1 || c == ZSTD2) {
                r = run_zstd(&fr, level, c == ZSTD2 ? 1 : workers, p_zst);
                unlink(p_zst);
            } else if (c == RAW) {
                r = run_raw(&fr, per_second, p_raw);
            } else { /* the zstd CLI on a file of the same bytes, in the page cache as the
                        frames are in memory for the others */
                run_raw(&fr, per_second, p_raw);
                char thr[16];
                snprintf(thr, sizeof thr, "-T%d", workers ? workers : 1);
                char *zargv[] = {(char *)"zstd", lvl, thr, (char *)"-q", (char *)"-f", p_raw,
                                 (char *)"-o", p_cli, NULL};
                double wall, cpu;
                if (run_child(zargv, NULL, &wall, &cpu) == 0) {
                    r = (run_t){wall, (double)file_size(p_cli)};
                } else {
                    ran[c] = false;
                    printf("(the zstd command could not run: no zstd CLI row)\n");
                }
                unlink(p_cli);
            }
            unlink(p_raw);
            t[c][k] = r.seconds;
            out_bytes[c] = r.out_bytes;
        }
    }
    double mb = (double)fr.bytes / 1e6, rate[N_CONT] = {0}, zstd_best = 0;
    for (int c = 0; c < N_CONT; c++)
        if (ran[c]) {
            rate[c] = mb / median(t[c], reps);
            if ((c == ZSTD1 || c == ZSTD2 || c == ZCLI) && rate[c] > zstd_best)
                zstd_best = rate[c];
        }
    printf("%-36s %10s %10s %10s %12s\n", "writer", "MB/s in", "out MB", "vs zstd",
           "compression");
    for (int c = 0; c < N_CONT; c++)
        if (ran[c])
            printf("%-36s %10.0f %10.1f %10.2f %11.1fx\n", names[c], rate[c],
                   out_bytes[c] / 1e6, rate[c] / zstd_best, mb / (out_bytes[c] / 1e6));
    printf("MB/s: raw pixel MB (1e6 bytes) in / wall s, median of %d; vs zstd: over the best "
           "zstd row; no contender fsyncs (the recorder write(2)s each chunk)\n",
           reps);
    printf("recorder: %" PRIu64 " frames, %" PRIu32 " chunks, 0 dropped (it waits for room)\n\n",
           rst.frames_written, rst.chunks);
    double record_mb_s = rate[REC], ratio = rate[REC] / zstd_best;
    for (size_t i = 0; i < fr.n; i++)
        rig_frame_release(fr.f[i]);
    free(fr.f);
    for (size_t i = 0; i < n; i++)
        free(serials[i]);
    free(serials);

    /* ---- real time: 8 devices with pixels, rigsync record, then the sim alone ---- */
    long drops = -1;
    double bytes_per_frame = 0;
    if (rt_seconds > 0) {
        char *json = rig_json(8);
        FILE *f = fopen(p_cfg, "w");
        if (!f || fputs(json, f) < 0 || fclose(f) != 0)
            die("cannot write the 8-device config");
        free(json);
        char secs[32];
        snprintf(secs, sizeof secs, "%g", rt_seconds);
        char *rargv[] = {(char *)cli, (char *)"record", (char *)"--config", p_cfg,
                         (char *)"--seconds", secs, (char *)"-o", p_rt, NULL};
        double wall, cpu;
        int rc = run_child(rargv, p_out, &wall, &cpu);
        unsigned long long frames = 0, images = 0, fdrop = 0;
        char lag[512] = "host lag: (not printed)\n";
        FILE *o = fopen(p_out, "r");
        char line[4096];
        while (o && fgets(line, sizeof line, o)) {
            if (strncmp(line, "host lag:", 9) == 0)
                snprintf(lag, sizeof lag, "%.400s", line);
            const char *p = strstr(line, "rigsync: recorded ");
            if (p && (p = strstr(p + 18, ": ")) &&
                sscanf(p, ": %llu frames (%llu with pixels)", &frames, &images) == 2) {
                const char *q = strstr(p, "recorder drops: ");
                if (q && sscanf(q, "recorder drops: %llu frames", &fdrop) == 1)
                    drops = (long)fdrop;
            }
        }
        if (o)
            fclose(o);
        off_t size = file_size(p_rt);
        if (rc != 0 || drops < 0)
            printf("real time: rigsync record exited %d; see %s\n", rc, p_out);
        bytes_per_frame = frames ? (double)size / (double)frames : 0;
        double expected = 8.0 * 2 * 30 * rt_seconds;
        printf("real time: rigsync record, 8 devices with pixels, %.0f s (%.1f s wall): %llu "
               "frames written (%.0f due at 30 fps), %llu with pixels, recorder drops %ld; "
               "file %.1f MB, %.0f bytes per frame; CPU %.1f s = %.2f of %ld cores\n",
               rt_seconds, wall, frames, expected, images, drops, (double)size / 1e6,
               bytes_per_frame, cpu, cpu / wall, sysconf(_SC_NPROCESSORS_ONLN));
        printf("  its %s", lag);
        unlink(p_rt);
        if (sim_seconds > 0) {
            snprintf(secs, sizeof secs, "%g", sim_seconds);
            char *sargv[] = {(char *)cli, (char *)"run", (char *)"--config", p_cfg,
                             (char *)"--seconds", secs, (char *)"--quiet", NULL};
            rc = run_child(sargv, "/dev/null", &wall, &cpu);
            printf("the same rig without recording, %.0f s: CPU %.1f s = %.2f cores "
                   "(the simulator rendering the pixels)%s\n",
                   sim_seconds, cpu, cpu / wall, rc == 0 ? "" : " [rigsync run failed]");
        }
        unlink(p_cfg);
        unlink(p_out);
    }
    printf("RESULT record_mb_s=%.0f ratio_vs_zstd=%.2f realtime_8dev_recorder_drops=%ld "
           "bytes_per_frame=%.0f\n",
           record_mb_s, ratio, drops, bytes_per_frame);
    return 0;

usage:
    fprintf(stderr, "usage: bench_record [--devices N] [--seconds S] [--reps R] [--level L] "
                    "[--dir DIR] [--realtime-seconds S] [--sim-seconds S] [--rigsync PATH] "
                    "[--only recorder|zstd|raw]\n");
    return 2;
}
