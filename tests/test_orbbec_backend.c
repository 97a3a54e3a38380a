/*
 * The orbbec backend through rigsync's public API, on the emulator of the vendor's C API:
 * pixels arrive intact (the simulator paints the true capture time into them), the vendor's
 * global timestamp rides along, and a wrong serial is reported with the serials present.
 * Needs RIGSYNC_TEST_OBEMU = path of librigsync-obemu.so (set by ctest).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

static rig_context_t *open_emulated(void)
{
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.backend = "orbbec";
    o.library = getenv("RIGSYNC_TEST_OBEMU");
    assert_non_null(o.library);
    char detail[1024] = "";
    o.error_detail = detail;
    o.error_detail_len = sizeof detail;
    rig_context_t *ctx = NULL;
    if (rig_context_create(&o, &ctx) != RIG_OK)
        fail_msg("orbbec backend on the emulator: %s", detail);
    return ctx;
}

static void pixels_and_timestamps_come_through_the_vendor_api(void **state)
{
    (void)state;
    rig_context_t *ctx = open_emulated();
    size_t n = 0;
    assert_int_equal(rig_context_device_count(ctx, &n), RIG_OK);
    assert_int_equal(n, 2);
    rig_device_t *dev[2];
    const char *serials[2] = {"CP3S34D00051", "CP3L44P00054"};
    rig_sync_config_t sync = rig_sync_config_default();
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(rig_device_open(ctx, serials[i], &dev[i]), RIG_OK);
        sync.mode = i ? RIG_SYNC_MODE_SECONDARY : RIG_SYNC_MODE_PRIMARY;
        sync.trigger_out_enable = true;
        assert_int_equal(rig_device_set_sync_config(dev[i], &sync, NULL), RIG_OK);
        rig_sync_config_t back;
        assert_int_equal(rig_device_get_sync_config(dev[i], &back), RIG_OK);
        assert_int_equal(back.mode, sync.mode); /* through the vendor's packed struct */
        assert_true(back.trigger_out_enable);
    }
    assert_int_equal(rig_device_start(dev[1], NULL, NULL), RIG_OK);
    assert_int_equal(rig_device_start(dev[0], NULL, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_clock_sync(ctx, 60000), RIG_OK);
    size_t checked = 0;
    for (int k = 0; k < 400 && checked < 40; k++) {
        rig_frame_t *f = NULL;
        if (rig_context_wait_frame(ctx, 2000, &f) != RIG_OK)
            break;
        rig_format_t fmt = rig_frame_format(f);
        assert_int_equal(fmt, rig_frame_stream(f) == RIG_STREAM_COLOR ? RIG_FORMAT_RGB : RIG_FORMAT_Y16);
        assert_non_null(rig_frame_data(f));
        assert_int_equal(rig_frame_data_size(f), (size_t)rig_frame_width(f) * rig_frame_height(f) *
                                                     rig_format_bytes_per_pixel(fmt));
        /* the picture says when it was taken: before it arrived, by less than 100 ms */
        int64_t stamp = 0;
        assert_int_equal(rig_sim_decode_stamp(f, &stamp), RIG_OK);
        assert_true(stamp < rig_frame_host_ts_us(f));
        assert_true(rig_frame_host_ts_us(f) - stamp < 100000);
        assert_true(rig_frame_vendor_global_ts_us(f) != RIG_TS_NONE);
        rig_frame_release(f);
        checked++;
    }
    assert_int_equal(checked, 40);
    rig_context_destroy(ctx);
}

static void an_absent_serial_names_the_ones_present(void **state)
{
    (void)state;
    rig_context_t *ctx = open_emulated();
    rig_device_t *d = NULL;
    assert_int_equal(rig_device_open(ctx, "NOPE0000", &d), RIG_ERROR_NOT_FOUND);
    char msg[512];
    rig_context_last_error(ctx, msg, sizeof msg);
    assert_non_null(strstr(msg, "NOPE0000"));
    assert_non_null(strstr(msg, "CP3S34D00051"));
    rig_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pixels_and_timestamps_come_through_the_vendor_api),
        cmocka_unit_test(an_absent_serial_names_the_ones_present),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
