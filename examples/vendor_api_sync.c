/*
 * The seed's multi-device sync flow written only against the vendor's C API (OrbbecSDK v2):
 *   1. list the devices; read each one's sync config and make the first PRIMARY and every
 *      other SECONDARY (forwarding the pulse on its sync-out);
 *   2. start color and depth on every device, secondaries first, the primary last;
 *   3. sync the device clocks with the host, repeated every 60000 ms;
 *   4. print each frame's device and system timestamps, as the seed's sample does.
 *
 * usage: vendor_api_sync [--framesets N]      (default 200 framesets in all)
 *
 * Built against rigsync's emulator of the SDK (librigsync-obemu.so, header ob_api.h); with the
 * real SDK one would include <libobsensor/ObSensor.h> and link libOrbbecSDK.so instead.
 * Exits 0 when every device delivered color and depth frames, 1 otherwise, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ob_api.h"

#define MAX_DEVICES 16
#define WAIT_MS 100
#define MAX_IDLE_ROUNDS 50 /* rounds in which no pipeline delivered anything: give up */

/* Prints and frees a pending error; returns true when there was none. */
static bool check(ob_error **err, const char *what)
{
    if (!*err)
        return true;
    fprintf(stderr, "%s failed: %s (in %s, status %d, exception type %d)\n", what,
            ob_error_get_message(*err), ob_error_get_function(*err),
            (int)ob_error_get_status(*err), (int)ob_error_get_exception_type(*err));
    ob_delete_error(*err);
    *err = NULL;
    return false;
}

static void print_frame(int device, const char *kind, const ob_frame *frame, bool *ok)
{
    ob_error *err = NULL;
    unsigned long long ts = ob_frame_get_timestamp_us(frame, &err);
    if (!check(&err, "ob_frame_get_timestamp_us"))
        *ok = false;
    unsigned long long sys = ob_frame_get_system_timestamp_us(frame, &err);
    if (!check(&err, "ob_frame_get_system_timestamp_us"))
        *ok = false;
    printf("device#%d, %s frame timestamp: %llu us , system timestamp: %llu us\n", device, kind,
           ts, sys);
}

int main(int argc, char **argv)
{
    long wanted = 200;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--framesets") == 0 && i + 1 < argc) {
            char *end = NULL;
            wanted = strtol(argv[++i], &end, 10);
            if (!end || *end || wanted <= 0) {
                fprintf(stderr, "vendor_api_sync: --framesets needs a positive integer\n");
                return 2;
            }
        } else {
            fprintf(stderr, "usage: vendor_api_sync [--framesets N]\n");
            return 2;
        }
    }

    ob_error *err = NULL;
    int rc = 0;
    ob_context *ctx = ob_create_context(&err);
    if (!check(&err, "ob_create_context"))
        return 1;
    ob_device_list *list = ob_query_device_list(ctx, &err);
    if (!check(&err, "ob_query_device_list")) {
        ob_delete_context(ctx, &err);
        return 1;
    }
    uint32_t n = ob_device_list_get_count(list, &err);
    if (!check(&err, "ob_device_list_get_count") || n == 0 || n > MAX_DEVICES) {
        fprintf(stderr, "vendor_api_sync: %u devices found; need 1 to %d\n", n, MAX_DEVICES);
        rc = 1;
        n = 0;
    }

    ob_device *devices[MAX_DEVICES] = {0};
    ob_pipeline *pipes[MAX_DEVICES] = {0};
    ob_config *configs[MAX_DEVICES] = {0};
    bool started[MAX_DEVICES] = {false};

    /* 1. Sync config: the first device is the primary, the others follow it. */
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        const char *sn = ob_device_list_get_device_serial_number(list, i, &err);
        if (!check(&err, "ob_device_list_get_device_serial_number")) {
            rc = 1;
            break;
        }
        const char *name = ob_device_list_get_device_name(list, i, &err);
        if (!check(&err, "ob_device_list_get_device_name")) {
            rc = 1;
            break;
        }
        devices[i] = ob_device_list_get_device_by_serial_number(list, sn, &err);
        if (!check(&err, "ob_device_list_get_device_by_serial_number")) {
            rc = 1;
            break;
        }
        ob_multi_device_sync_config cfg = ob_device_get_multi_device_sync_config(devices[i], &err);
        if (!check(&err, "ob_device_get_multi_device_sync_config")) {
            rc = 1;
            break;
        }
        cfg.syncMode = i == 0 ? OB_MULTI_DEVICE_SYNC_MODE_PRIMARY
                              : OB_MULTI_DEVICE_SYNC_MODE_SECONDARY;
        cfg.triggerOutEnable = true;
        if (cfg.framesPerTrigger < 1)
            cfg.framesPerTrigger = 1;
        ob_device_set_multi_device_sync_config(devices[i], &cfg, &err);
        if (!check(&err, "ob_device_set_multi_device_sync_config")) {
            rc = 1;
            break;
        }
        fprintf(stderr, "device#%u %s (%s): %s\n", i, sn, name, i == 0 ? "PRIMARY" : "SECONDARY");
    }

    /* 2. Color + depth pipelines: secondaries first, the primary (device 0) last. */
    for (uint32_t k = 0; k < n && rc == 0; k++) {
        uint32_t i = (k + 1) % n;
        pipes[i] = ob_create_pipeline_with_device(devices[i], &err);
        if (!check(&err, "ob_create_pipeline_with_device")) {
            rc = 1;
            break;
        }
        configs[i] = ob_create_config(&err);
        if (!check(&err, "ob_create_config")) {
            rc = 1;
            break;
        }
        ob_config_enable_video_stream(configs[i], OB_STREAM_COLOR, 640, 480, 30, OB_FORMAT_RGB,
                                      &err);
        if (!check(&err, "ob_config_enable_video_stream(color)")) {
            rc = 1;
            break;
        }
        ob_config_enable_video_stream(configs[i], OB_STREAM_DEPTH, 640, 576, 30, OB_FORMAT_Y16,
                                      &err);
        if (!check(&err, "ob_config_enable_video_stream(depth)")) {
            rc = 1;
            break;
        }
        ob_pipeline_start_with_config(pipes[i], configs[i], &err);
        if (!check(&err, "ob_pipeline_start_with_config")) {
            rc = 1;
            break;
        }
        started[i] = true;
    }

    /* 3. Keep the device clocks synced with the host, every 60 s. */
    if (rc == 0) {
        ob_enable_device_clock_sync(ctx, 60000, &err);
        if (!check(&err, "ob_enable_device_clock_sync"))
            rc = 1;
    }

    /* 4. Every frameset's frames, device by device. */
    long got = 0;
    unsigned long long counts[MAX_DEVICES][2] = {{0}};
    int idle = 0;
    while (rc == 0 && got < wanted && idle < MAX_IDLE_ROUNDS) {
        bool any = false;
        for (uint32_t i = 0; i < n && rc == 0 && got < wanted; i++) {
            ob_frame *set = ob_pipeline_wait_for_frameset(pipes[i], WAIT_MS, &err);
            if (!check(&err, "ob_pipeline_wait_for_frameset")) {
                rc = 1;
                break;
            }
            if (!set)
                continue;
            any = true;
            got++;
            bool ok = true;
            ob_frame *color = ob_frameset_get_color_frame(set, &err);
            ok = check(&err, "ob_frameset_get_color_frame") && ok;
            if (color) {
                print_frame((int)i, "color", color, &ok);
                counts[i][0]++;
                ob_delete_frame(color, &err);
                ok = check(&err, "ob_delete_frame") && ok;
            }
            ob_frame *depth = ob_frameset_get_depth_frame(set, &err);
            ok = check(&err, "ob_frameset_get_depth_frame") && ok;
            if (depth) {
                print_frame((int)i, "depth", depth, &ok);
                counts[i][1]++;
                ob_delete_frame(depth, &err);
                ok = check(&err, "ob_delete_frame") && ok;
            }
            ob_delete_frame(set, &err);
            ok = check(&err, "ob_delete_frame") && ok;
            if (!ok)
                rc = 1;
        }
        idle = any ? 0 : idle + 1;
    }

    for (uint32_t i = 0; i < n && rc == 0; i++) {
        if (counts[i][0] == 0 || counts[i][1] == 0) {
            fprintf(stderr, "device#%u delivered %llu color and %llu depth frames\n", i,
                    counts[i][0], counts[i][1]);
            rc = 1;
        }
    }

    for (uint32_t i = 0; i < n; i++) {
        if (started[i]) {
            ob_pipeline_stop(pipes[i], &err);
            if (!check(&err, "ob_pipeline_stop"))
                rc = 1;
        }
        if (pipes[i]) {
            ob_delete_pipeline(pipes[i], &err);
            check(&err, "ob_delete_pipeline");
        }
        if (configs[i]) {
            ob_delete_config(configs[i], &err);
            check(&err, "ob_delete_config");
        }
        if (devices[i]) {
            ob_delete_device(devices[i], &err);
            check(&err, "ob_delete_device");
        }
    }
    ob_delete_device_list(list, &err);
    check(&err, "ob_delete_device_list");
    ob_delete_context(ctx, &err);
    check(&err, "ob_delete_context");
    return rc;
}
