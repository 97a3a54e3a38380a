/*
 * The seed's multi-device sync sample, in C, for any number of devices:
 *   1. read the sync config of every device from the JSON file and apply it;
 *   2. start the color and depth streams of every device (secondaries first, primary last);
 *   3. sync the device clocks with the host, repeated every 60000 ms;
 *   4. print each frame's device and system timestamps.
 *
 * usage: two_devices_sync [--virtual-time] [--seconds S] [CONFIG.json]
 * Runs on the simulated rig. Exits 0 when every device delivered color and depth frames.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rigsync/rigsync.h"

#define MAX_DEVICES 64

static int fail(rig_context_t *ctx, const char *what, rig_error_t err)
{
    char detail[1024] = "";
    rig_context_last_error(ctx, detail, sizeof(detail));
    fprintf(stderr, "%s: %s (%s) %s\n", what, rig_strerror(err), rig_error_name(err), detail);
    return 1;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    double seconds = 5.0;
    rig_context_options_t opts;
    rig_context_options_init(&opts);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--virtual-time") == 0)
            opts.time_mode = RIG_TIME_VIRTUAL;
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else
            path = argv[i];
    }

    /* 1. Read the config and apply it to the device with each serial number. */
    rig_config_t *config = NULL;
    rig_config_diag_t diag;
    rig_error_t err = path ? rig_config_load(path, &config, &diag)
                           : rig_config_default(&config, &diag);
    if (err != RIG_OK) {
        char msg[1600];
        rig_config_diag_format(&diag, msg, sizeof(msg));
        fprintf(stderr, "%s\n", msg);
        return 2;
    }
    size_t n = rig_config_device_count(config);
    if (n > MAX_DEVICES) {
        fprintf(stderr, "this example handles up to %d devices\n", MAX_DEVICES);
        rig_config_destroy(config);
        return 2;
    }
    opts.config = config;
    rig_context_t *ctx = NULL;
    err = rig_context_create(&opts, &ctx);
    if (err != RIG_OK) {
        fprintf(stderr, "cannot create the rig: %s\n", rig_strerror(err));
        rig_config_destroy(config);
        return 1;
    }
    rig_device_t *devices[MAX_DEVICES] = {0};
    rig_sync_config_t syncs[MAX_DEVICES];
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        err = rig_device_open(ctx, rig_config_device_serial(config, i), &devices[i]);
        if (err != RIG_OK) {
            rc = fail(ctx, "open", err);
            break;
        }
        rig_config_device_sync(config, i, &syncs[i]);
        err = rig_device_set_sync_config(devices[i], &syncs[i], NULL);
        if (err != RIG_OK)
            rc = fail(ctx, "set sync config", err);
    }

    /* 2. Start color + depth everywhere: every device that waits for pulses first. */
    rig_stream_profile_t color = rig_config_stream_profile(config, RIG_STREAM_COLOR);
    rig_stream_profile_t depth = rig_config_stream_profile(config, RIG_STREAM_DEPTH);
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (size_t i = 0; i < n && rc == 0; i++) {
            bool is_source = syncs[i].mode == RIG_SYNC_MODE_PRIMARY ||
                             syncs[i].mode == RIG_SYNC_MODE_SOFTWARE_TRIGGERING;
            if (is_source != (pass == 1))
                continue;
            err = rig_device_start(devices[i], &color, &depth);
            if (err != RIG_OK)
                rc = fail(ctx, "start", err);
        }
    }

    /* 3. Keep the device clocks synced with the host, every 60 s. */
    if (rc == 0 && (err = rig_context_enable_clock_sync(ctx, 60000)) != RIG_OK)
        rc = fail(ctx, "clock sync", err);

    /* 4. Print every frame's device and system timestamps. */
    uint64_t counts[MAX_DEVICES][RIG_STREAM_COUNT] = {{0}};
    uint64_t frames_wanted = (uint64_t)(seconds * 30.0 * 2.0 * (double)n);
    for (uint64_t k = 0; rc == 0 && k < frames_wanted; k++) {
        rig_frame_t *f = NULL;
        err = rig_context_wait_frame(ctx, 1000, &f);
        if (err == RIG_ERROR_TIMEOUT)
            break; /* a device went silent: reported below */
        if (err != RIG_OK) {
            rc = fail(ctx, "wait for frame", err);
            break;
        }
        size_t dev = rig_frame_device_index(f);
        rig_stream_t s = rig_frame_stream(f);
        printf("device#%zu, %s frame timestamp: %" PRId64 " us , system timestamp: %" PRId64
               " us\n",
               dev, rig_stream_name(s), rig_frame_device_ts_us(f), rig_frame_host_ts_us(f));
        counts[dev][s]++;
        rig_frame_release(f);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (counts[i][RIG_STREAM_COLOR] == 0 || counts[i][RIG_STREAM_DEPTH] == 0) {
            fprintf(stderr, "device#%zu (%s) delivered %" PRIu64 " color and %" PRIu64
                    " depth frames\n",
                    i, rig_config_device_serial(config, i), counts[i][RIG_STREAM_COLOR],
                    counts[i][RIG_STREAM_DEPTH]);
            rc = 1;
        }
    }
    for (size_t i = 0; i < n; i++)
        rig_device_close(devices[i]);
    rig_context_destroy(ctx);
    rig_config_destroy(config);
    return rc;
}
