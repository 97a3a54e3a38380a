/* Config parsing: accepted formats, resolved defaults, every rejection's position and message,
 * and the pulse-path questions asked of a parsed config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "mode/mode.h"

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                     */

/* Inputs are written with ' for " so they stay readable; every column is unchanged by that. */
static void unquote(const char *src, char *dst, size_t len)
{
    size_t n = strlen(src);
    assert_true(n < len);
    for (size_t i = 0; i <= n; i++)
        dst[i] = src[i] == '\'' ? '"' : src[i];
}

static rig_config_t *parse_ok(const char *squoted)
{
    char text[8192];
    unquote(squoted, text, sizeof text);
    rig_config_t *cfg = NULL;
    rig_config_diag_t d;
    if (rig_config_parse(text, "t.json", &cfg, &d) != RIG_OK) {
        char buf[1200];
        rig_config_diag_format(&d, buf, sizeof buf);
        fail_msg("unexpected rejection: %s", buf);
    }
    assert_non_null(cfg);
    return cfg;
}

static rig_config_diag_t parse_bad(const char *squoted)
{
    char text[8192];
    unquote(squoted, text, sizeof text);
    rig_config_t *cfg = (rig_config_t *)&cfg; /* must be reset to NULL */
    rig_config_diag_t d;
    rig_error_t rc = rig_config_parse(text, "t.json", &cfg, &d);
    assert_int_equal(rc, RIG_ERROR_CONFIG);
    assert_int_equal(d.code, RIG_ERROR_CONFIG);
    assert_null(cfg);
    assert_string_equal(d.file, "t.json");
    return d;
}

#define assert_contains(hay, needle)                                                           \
    do {                                                                                       \
        if (!strstr((hay), (needle)))                                                          \
            fail_msg("\"%s\"\n  does not contain\n\"%s\"", (hay), (needle));                   \
    } while (0)

static void assert_diag(const rig_config_diag_t *d, int line, int column, const char *field,
                        const char *needle)
{
    if (d->line != line || d->column != column)
        fail_msg("at %d:%d, expected %d:%d (%s: %s)", d->line, d->column, line, column, d->field,
                 d->message);
    assert_string_equal(d->field, field);
    assert_contains(d->message, needle);
}

/* A primary and a secondary; the secondary's "config" body is the caller's. Its first
 * character is at line 3, column SECOND_COL. */
#define TWO_DEVICES(second_config)                                                             \
    "{'devices': [\n"                                                                          \
    "  {'serial_number': 'CP3S34D00051', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': "  \
    "true}},\n"                                                                                \
    "  {'serial_number': 'CP3L44P00054', 'config': {" second_config "}}\n"                      \
    "]}\n"
#define SECOND_COL 48

/* Column on line 3 of needle inside the secondary's config body. */
static int col_in(const char *body, const char *needle)
{
    const char *at = strstr(body, needle);
    assert_non_null(at);
    return SECOND_COL + (int)(at - body);
}

static const char *data_dir(void)
{
    const char *d = getenv("RIGSYNC_TEST_DATA");
    return d ? d : "tests/data";
}

static const char *configs_dir(void)
{
    const char *d = getenv("RIGSYNC_CONFIGS");
    return d ? d : "configs";
}

static rig_config_t *load_ok(const char *path)
{
    rig_config_t *cfg = NULL;
    rig_config_diag_t d;
    if (rig_config_load(path, &cfg, &d) != RIG_OK) {
        char buf[1200];
        rig_config_diag_format(&d, buf, sizeof buf);
        fail_msg("unexpected rejection: %s", buf);
    }
    return cfg;
}

static rig_sync_config_t sync_of(const rig_config_t *cfg, size_t i)
{
    rig_sync_config_t s;
    assert_int_equal(rig_config_device_sync(cfg, i, &s), RIG_OK);
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Accepted formats and resolved values                                                        */

static void load_should_accept_the_seed_config_with_every_default_resolved(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/multi_device_sync_config.json", configs_dir());
    rig_config_t *cfg = load_ok(path);
    assert_string_equal(rig_config_source(cfg), path);
    assert_int_equal(rig_config_device_count(cfg), 2);
    assert_string_equal(rig_config_device_serial(cfg, 0), "CP3S34D00051");
    assert_string_equal(rig_config_device_serial(cfg, 1), "CP3L44P00054");
    assert_null(rig_config_device_serial(cfg, 2));
    rig_sync_config_t p = sync_of(cfg, 0), s = sync_of(cfg, 1);
    assert_int_equal(p.mode, RIG_SYNC_MODE_PRIMARY);
    assert_true(p.trigger_out_enable);
    assert_int_equal(s.mode, RIG_SYNC_MODE_SECONDARY);
    assert_true(s.trigger_out_enable);
    assert_int_equal(s.frames_per_trigger, 1);
    assert_int_equal(rig_config_find_serial(cfg, "CP3L44P00054"), 1);
    assert_int_equal(rig_config_find_serial(cfg, "cp3l44p00054"), -1);

    int line, col;
    char field[64];
    rig_config_device_location(cfg, 1, RIG_CONFIG_PART_DEVICE, &line, &col, field, sizeof field);
    assert_int_equal(line, 15);
    assert_int_equal(col, 9);
    assert_string_equal(field, "devices[1]");
    rig_config_device_location(cfg, 1, RIG_CONFIG_PART_SERIAL, &line, &col, field, sizeof field);
    assert_int_equal(line, 16);
    assert_int_equal(col, 30);
    assert_string_equal(field, "devices[1].serial_number");
    rig_config_device_location(cfg, 1, RIG_CONFIG_PART_MODE, &line, &col, field, sizeof field);
    assert_int_equal(line, 18);
    assert_int_equal(col, 25);
    assert_string_equal(field, "devices[1].config.mode");

    rig_stream_profile_t color = rig_config_stream_profile(cfg, RIG_STREAM_COLOR);
    rig_stream_profile_t depth = rig_config_stream_profile(cfg, RIG_STREAM_DEPTH);
    assert_int_equal(color.width, 640);
    assert_int_equal(color.height, 480);
    assert_int_equal(color.fps, 30);
    assert_int_equal(color.format, RIG_FORMAT_RGB);
    assert_int_equal(depth.width, 640);
    assert_int_equal(depth.height, 576);
    assert_int_equal(depth.fps, 30);
    assert_int_equal(depth.format, RIG_FORMAT_Y16);
    assert_int_equal(rig_config_clock_sync_interval_ms(cfg), 60000);
    assert_int_equal(cfg->auto_trigger_fps, 0);

    assert_false(rig_config_has_sim(cfg));
    const rig_sim_spec_t *sim = rig_config_sim(cfg);
    assert_false(sim->present);
    assert_int_equal(sim->device_count, 2);
    assert_string_equal(sim->devices[1].serial, "CP3L44P00054");
    assert_string_equal(sim->devices[1].model, "");
    assert_false(sim->devices[1].has_clock_offset);
    assert_false(sim->devices[1].has_ppm);
    assert_int_equal(sim->seed, RIG_SIM_DEFAULT_SEED);
    assert_int_equal(sim->wiring, RIG_SIM_WIRING_DAISY_CHAIN);
    assert_true(sim->pixels);
    assert_int_equal(sim->stall_max_us, RIG_SIM_DEFAULT_STALL_MAX_US);
    assert_int_equal(sim->exposure_us[RIG_STREAM_DEPTH], RIG_SIM_DEFAULT_DEPTH_EXPOSURE_US);
    rig_config_destroy(cfg);
}

static void load_should_accept_the_vendor_cpp_format(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/vendor_format_example.json", configs_dir());
    rig_config_t *cfg = load_ok(path);
    assert_int_equal(rig_config_device_count(cfg), 2);
    assert_string_equal(rig_config_device_serial(cfg, 0), "CP3S34D00051");
    rig_sync_config_t p = sync_of(cfg, 0), s = sync_of(cfg, 1);
    assert_int_equal(p.mode, RIG_SYNC_MODE_PRIMARY);
    assert_true(p.trigger_out_enable);
    assert_int_equal(s.mode, RIG_SYNC_MODE_SECONDARY);
    assert_int_equal(s.depth_delay_us, 160);
    /* Messages found later (by the rig) name the fields as the user spelled them. */
    int line, col;
    char field[64];
    rig_config_device_location(cfg, 1, RIG_CONFIG_PART_SERIAL, &line, &col, field, sizeof field);
    assert_string_equal(field, "devices[1].sn");
    assert_int_equal(line, 17);
    assert_int_equal(col, 19);
    rig_config_device_location(cfg, 1, RIG_CONFIG_PART_MODE, &line, &col, field, sizeof field);
    assert_string_equal(field, "devices[1].syncConfig.syncMode");
    assert_int_equal(line, 19);
    assert_int_equal(col, 29);
    rig_config_destroy(cfg);
}

static void parse_should_accept_vendor_camelcase_fields_in_either_wrapper(void **state)
{
    (void)state;
    rig_config_t *cfg = parse_ok(
        "{'devices': [\n"
        " {'serial_number': 'A', 'syncConfig': {'mode': 'primary', 'depthDelayUs': 160,\n"
        "   'colorDelayUs': 7, 'trigger2ImageDelayUs': 9, 'triggerOutEnable': true,\n"
        "   'triggerOutDelayUs': 11, 'framesPerTrigger': 3}},\n"
        " {'sn': 'B', 'config': {'syncMode': 'OB_MULTI_DEVICE_SYNC_MODE_SECONDARY',\n"
        "   'trigger_out_delay_us': 5}}\n"
        "]}");
    rig_sync_config_t a = sync_of(cfg, 0), b = sync_of(cfg, 1);
    assert_int_equal(a.mode, RIG_SYNC_MODE_PRIMARY);
    assert_int_equal(a.depth_delay_us, 160);
    assert_int_equal(a.color_delay_us, 7);
    assert_int_equal(a.trigger_to_image_delay_us, 9);
    assert_true(a.trigger_out_enable);
    assert_int_equal(a.trigger_out_delay_us, 11);
    assert_int_equal(a.frames_per_trigger, 3);
    assert_string_equal(rig_config_device_serial(cfg, 1), "B");
    assert_int_equal(b.mode, RIG_SYNC_MODE_SECONDARY);
    assert_int_equal(b.trigger_out_delay_us, 5);
    rig_config_destroy(cfg);
}

static void parse_should_fill_missing_sync_fields_with_the_defaults(void **state)
{
    (void)state;
    rig_config_t *cfg = parse_ok("{'devices': [{'serial_number': 'A', 'config': {'mode': 'FREE_RUN'}}]}");
    rig_sync_config_t s = sync_of(cfg, 0), def = rig_sync_config_default();
    assert_int_equal(s.mode, RIG_SYNC_MODE_FREE_RUN);
    assert_int_equal(s.depth_delay_us, def.depth_delay_us);
    assert_int_equal(s.color_delay_us, def.color_delay_us);
    assert_int_equal(s.trigger_to_image_delay_us, def.trigger_to_image_delay_us);
    assert_int_equal(s.trigger_out_enable, def.trigger_out_enable);
    assert_int_equal(s.trigger_out_delay_us, def.trigger_out_delay_us);
    assert_int_equal(s.frames_per_trigger, 1);
    rig_config_destroy(cfg);
}

static void parse_should_read_auto_trigger_fps_in_either_spelling(void **state)
{
    (void)state;
    rig_config_t *cfg = parse_ok("{'autoTriggerFps': 90, 'streams': {'color': {'fps': 90}, "
                                 "'depth': {'fps': 90}}, 'devices': [{'sn': 'A', 'syncConfig': "
                                 "{'syncMode': 'SOFTWARE_TRIGGERING'}}]}");
    assert_int_equal(cfg->auto_trigger_fps, 90);
    rig_config_destroy(cfg);
    cfg = parse_ok("{'auto_trigger_fps': 0, 'devices': [{'sn': 'A', 'syncConfig': "
                   "{'syncMode': 'SOFTWARE_TRIGGERING'}}]}");
    assert_int_equal(cfg->auto_trigger_fps, 0);
    rig_config_destroy(cfg);
    rig_config_diag_t d = parse_bad("{'autoTriggerFps': 5, 'auto_trigger_fps': 5, 'devices': []}");
    assert_diag(&d, 1, 23, "auto_trigger_fps", "given twice");
}

/* The vendor's own files, as they ship: one file per shape, with our serials and values. */
static rig_config_t *load_data(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", data_dir(), name);
    return load_ok(path);
}

/* MultiDeviceSyncConfig.json of the v2 C++ example (v2.3.5 on); some tags ship it without a
 * final newline, as this copy is. */
static void load_should_accept_the_vendor_v2_sample_with_version_and_config_time(void **state)
{
    (void)state;
    rig_config_t *cfg = load_data("vendor_v2_sample.json");
    assert_int_equal(rig_config_device_count(cfg), 2);
    assert_string_equal(rig_config_device_serial(cfg, 0), "RSV2A0000101");
    assert_string_equal(rig_config_device_serial(cfg, 1), "RSV2A000010K");
    rig_sync_config_t p = sync_of(cfg, 0), s = sync_of(cfg, 1);
    assert_int_equal(p.mode, RIG_SYNC_MODE_PRIMARY);
    assert_int_equal(p.depth_delay_us, 0);
    assert_int_equal(p.color_delay_us, 0);
    assert_int_equal(p.trigger_to_image_delay_us, 0);
    assert_true(p.trigger_out_enable);
    assert_int_equal(p.trigger_out_delay_us, 0);
    assert_int_equal(p.frames_per_trigger, 1);
    assert_int_equal(s.mode, RIG_SYNC_MODE_SECONDARY);
    assert_int_equal(s.depth_delay_us, 160);
    assert_int_equal(s.color_delay_us, 40);
    assert_int_equal(s.trigger_to_image_delay_us, 25);
    assert_false(s.trigger_out_enable);
    assert_int_equal(s.trigger_out_delay_us, 12);
    assert_int_equal(s.frames_per_trigger, 1);
    assert_int_equal(cfg->auto_trigger_fps, 0);
    assert_true(cfg->sim.generator_hz == 0.0);
    assert_int_equal(cfg->sim.wiring, RIG_SIM_WIRING_DAISY_CHAIN);
    assert_int_equal(rig_config_pulse_source(cfg, 1), 0);
    rig_config_destroy(cfg);
}

/* ob_multi_devices_sync_gmsl_config.json (v2.0.13 to v2.2.8): secondaries only, pulsed by the
 * host board's trigger source at hardwareTriggerFps / 100 Hz. */
static void load_should_accept_the_vendor_gmsl_config_with_a_host_trigger_source(void **state)
{
    (void)state;
    rig_config_t *cfg = load_data("vendor_v2_gmsl.json");
    assert_int_equal(rig_config_device_count(cfg), 2);
    assert_string_equal(rig_config_device_serial(cfg, 1), "RSGM00000202");
    for (size_t i = 0; i < 2; i++) {
        rig_sync_config_t s = sync_of(cfg, i);
        assert_int_equal(s.mode, RIG_SYNC_MODE_SECONDARY);
        assert_int_equal(s.depth_delay_us, i == 0 ? 0 : 160);
        assert_int_equal(s.color_delay_us, 0);
        assert_int_equal(s.trigger_to_image_delay_us, 0);
        assert_false(s.trigger_out_enable);
        assert_int_equal(s.trigger_out_delay_us, 0);
        assert_int_equal(s.frames_per_trigger, 30);
        char why[256];
        assert_false(rig_config_explain_no_pulses(cfg, i, why, sizeof why));
    }
    assert_int_equal(cfg->auto_trigger_fps, 0);
    assert_true(cfg->sim.generator_hz == 30.0);
    assert_int_equal(cfg->sim.generator_count, 2);
    assert_int_equal(cfg->sim.generator_to[0], 0);
    assert_int_equal(cfg->sim.generator_to[1], 1);
    assert_int_equal(cfg->sim.wiring, RIG_SIM_WIRING_NONE);
    rig_config_destroy(cfg);
}

/* syncconfig/MultiDeviceSyncConfigGmsl.json (v2.0.10 to v2.0.12): the same shape with trigger
 * out on; the cameras must not also pulse each other down a daisy chain. */
static void load_should_not_chain_the_cameras_of_the_early_vendor_gmsl_config(void **state)
{
    (void)state;
    rig_config_t *cfg = load_data("vendor_v2_gmsl_early.json");
    assert_int_equal(rig_config_device_count(cfg), 2);
    for (size_t i = 0; i < 2; i++) {
        rig_sync_config_t s = sync_of(cfg, i);
        assert_int_equal(s.mode, RIG_SYNC_MODE_SECONDARY);
        assert_int_equal(s.depth_delay_us, i == 0 ? 0 : 320);
        assert_true(s.trigger_out_enable);
        assert_int_equal(s.frames_per_trigger, 1);
        assert_int_equal(rig_config_pulse_source(cfg, i), -1);
    }
    assert_true(cfg->sim.generator_hz == 30.0);
    assert_int_equal(cfg->sim.generator_count, 2);
    assert_int_equal(cfg->sim.wiring, RIG_SIM_WIRING_NONE);
    rig_config_destroy(cfg);
}

/* config/multi_device_sync_config.json of the Python wrapper (pyorbbecsdk). */
static void load_should_accept_the_vendor_python_sample(void **state)
{
    (void)state;
    rig_config_t *cfg = load_data("vendor_python_sample.json");
    assert_int_equal(rig_config_device_count(cfg), 2);
    assert_string_equal(rig_config_device_serial(cfg, 0), "RSPY0000401");
    rig_sync_config_t p = sync_of(cfg, 0), s = sync_of(cfg, 1);
    assert_int_equal(p.mode, RIG_SYNC_MODE_PRIMARY);
    assert_true(p.trigger_out_enable);
    assert_int_equal(p.frames_per_trigger, 1);
    assert_int_equal(s.mode, RIG_SYNC_MODE_SECONDARY);
    assert_int_equal(s.depth_delay_us, 160);
    assert_int_equal(s.color_delay_us, 0);
    assert_true(s.trigger_out_enable);
    assert_int_equal(s.frames_per_trigger, 1);
    assert_true(cfg->sim.generator_hz == 0.0);
    rig_config_destroy(cfg);
}

static void parse_should_keep_an_explicit_wiring_next_to_a_host_trigger_source(void **state)
{
    (void)state;
    rig_config_t *cfg = parse_ok(
        "{'hardware_trigger_fps': 1500, 'devices': [\n"
        " {'sn': 'A', 'syncConfig': {'syncMode': 'HARDWARE_TRIGGERING', 'framesPerTrigger': 2}},\n"
        " {'sn': 'B', 'syncConfig': {'syncMode': 'SECONDARY_SYNCED'}}],\n"
        " 'sim': {'wiring': [{'from': 'A', 'to': 'B'}]}}");
    assert_true(cfg->sim.generator_hz == 15.0);
    assert_int_equal(cfg->sim.generator_count, 2);
    assert_int_equal(cfg->sim.wiring, RIG_SIM_WIRING_CABLES);
    rig_config_destroy(cfg);
    /* 0 turns the source off: secondaries need a primary again */
    rig_config_diag_t d = parse_bad(
        "{'hardwareTriggerFps': 0, 'devices': [{'sn': 'A', 'syncConfig': {'syncMode': "
        "'SECONDARY'}}]}");
    assert_diag(&d, 1, 39, "devices[0].syncConfig.syncMode", "waits for trigger pulses");
}

static void parse_error_should_hint_at_vendor_top_level_keys_for_typos(void **state)
{
    (void)state;
    rig_config_diag_t d =
        parse_bad("{'version': '1.0.0', 'configTim': '2024/06/15', 'devices': []}");
    assert_diag(&d, 1, 22, "configTim",
                "unknown key \"configTim\" at the top level: did you mean \"configTime\"?");
    d = parse_bad("{'verison': '1.0.0',\n 'configTime': '2024/06/15', 'devices': []}");
    assert_diag(&d, 1, 2, "verison",
                "unknown key \"verison\" at the top level: did you mean \"version\"?");
    d = parse_bad("{'devices': [],\n 'hardwareTriggerFPS': 3000}");
    assert_diag(&d, 2, 2, "hardwareTriggerFPS",
                "did you mean \"hardwareTriggerFps\"? Keys are case-sensitive.");
    d = parse_bad("{'configtime': '2024/06/15', 'devices': []}");
    assert_diag(&d, 1, 2, "configtime", "did you mean \"configTime\"? Keys are case-sensitive.");
}

static void parse_error_should_type_check_the_vendor_top_level_keys(void **state)
{
    (void)state;
    rig_config_diag_t d =
        parse_bad("{'version': '1.0.0', 'configTime': 20240615, 'devices': []}");
    assert_diag(&d, 1, 36, "configTime",
                "expected a string for configTime, got an integer (20240615); put the value in "
                "double quotes.");
    d = parse_bad("{'version': 1.0, 'devices': []}");
    assert_diag(&d, 1, 13, "version", "expected a string for version, got a real number");
    d = parse_bad("{'hardwareTriggerFps': '3000', 'devices': []}");
    assert_diag(&d, 1, 24, "hardwareTriggerFps", "write the number without quotes");
    d = parse_bad("{'hardwareTriggerFps': 70000, 'devices': []}");
    assert_diag(&d, 1, 24, "hardwareTriggerFps",
                "hardwareTriggerFps is 70000, outside the allowed range 0..30000 hundredths of Hz "
                "(0 = off; 300 Hz is the fastest stream rate of the simulated models); use 0 for "
                "no host trigger source, or the rate in hundredths of a hertz (3000 = 30 Hz).");
    d = parse_bad("{'hardwareTriggerFps': 3000, 'devices': [{'sn': 'A', 'syncConfig': "
                  "{'syncMode': 'SECONDARY'}}], 'sim': {'signal_generator': {'hz': 30, 'to': "
                  "['A']}}}");
    assert_diag(&d, 1, 24, "hardwareTriggerFps",
                "hardwareTriggerFps and sim.signal_generator both describe the external trigger "
                "source; keep only one of them.");
}

static void parse_should_reject_triggers_faster_than_the_sensor_captures(void **state)
{
    (void)state;
    /* 20 triggers/s x 2 frames = 40 frames/s > 30 fps */
    rig_config_diag_t d = parse_bad("{'autoTriggerFps': 20, 'devices': [{'sn': 'A', 'syncConfig': "
                                    "{'syncMode': 'SOFTWARE_TRIGGERING', 'framesPerTrigger': 2}}]}");
    assert_diag(&d, 1, 36, "devices[0]", "40 frames/s, more than its 30 fps");
    /* a primary at 30 fps triggering 2 frames per pulse */
    d = parse_bad("{'devices': [{'sn': 'A', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},"
                  "{'sn': 'B', 'config': {'mode': 'HARDWARE_TRIGGERING', 'frames_per_trigger': 2}}]}");
    assert_diag(&d, 1, 85, "devices[1]", "device#0 (PRIMARY)");
    /* a slow signal generator may ask for several frames per pulse */
    rig_config_t *cfg = parse_ok("{'devices': [{'sn': 'B', 'config': {'mode': 'HARDWARE_TRIGGERING', "
                                 "'frames_per_trigger': 3}}], 'sim': {'signal_generator': "
                                 "{'hz': 10, 'to': ['B']}}}");
    assert_int_equal(cfg->sim.generator_count, 1);
    assert_true(cfg->sim.generator_hz == 10.0);
    rig_config_destroy(cfg);
}

static void parse_should_read_streams_and_the_clock_sync_interval(void **state)
{
    (void)state;
    rig_config_t *cfg = parse_ok(
        "{'streams': {'color': {'width': 1280, 'height': 720, 'fps': 15, 'format': 'rgb'},\n"
        "             'depth': {'fps': 60}},\n"
        " 'clock_sync_interval_ms': 0,\n"
        " 'devices': [{'serial_number': 'A', 'config': {'mode': 'STANDALONE'}}]}");
    rig_stream_profile_t color = rig_config_stream_profile(cfg, RIG_STREAM_COLOR);
    rig_stream_profile_t depth = rig_config_stream_profile(cfg, RIG_STREAM_DEPTH);
    assert_int_equal(color.width, 1280);
    assert_int_equal(color.height, 720);
    assert_int_equal(color.fps, 15);
    assert_int_equal(color.format, RIG_FORMAT_RGB);
    assert_int_equal(depth.width, 640); /* untouched fields keep their defaults */
    assert_int_equal(depth.height, 576);
    assert_int_equal(depth.fps, 60);
    assert_int_equal(depth.format, RIG_FORMAT_Y16);
    assert_int_equal(rig_config_clock_sync_interval_ms(cfg), 0);
    rig_config_destroy(cfg);
}

static void parse_should_resolve_every_sim_field(void **state)
{
    (void)state;
    rig_config_t *cfg = parse_ok(
        "{'devices': [{'serial_number': 'A', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        "             {'serial_number': 'B', 'config': {'mode': 'SECONDARY'}}],\n"
        " 'sim': {'seed': 42,\n"
        "   'devices': [{'serial_number': 'A', 'model': 'femto-mega', 'clock_offset_us': 123456, 'ppm': 35.5},\n"
        "               {'serial_number': 'B', 'ppm': -20},\n"
        "               {'serial_number': 'X'}],\n"
        "   'wiring': [{'from': 'A', 'to': 'B'}, {'from': 'B', 'to': 'X'}],\n"
        "   'cable_delay_ns': 70,\n"
        "   'transport': {'latency_floor_us': 900, 'latency_tail_mean_us': 250, 'stall_probability': 0,\n"
        "                 'stall_min_us': 6000, 'stall_max_us': 6000, 'drop_probability': 1},\n"
        "   'clock_sync_error_us': {'min': 10, 'max': 20},\n"
        "   'exposure_us': {'color': 5000, 'depth': 12000},\n"
        "   'readout_us': 1500,\n"
        "   'pixels': false}}");
    const rig_sim_spec_t *sim = rig_config_sim(cfg);
    assert_true(rig_config_has_sim(cfg));
    assert_int_equal(sim->seed, 42);
    assert_int_equal(sim->device_count, 3);
    assert_string_equal(sim->devices[0].model, "femto-mega");
    assert_true(sim->devices[0].has_clock_offset);
    assert_int_equal(sim->devices[0].clock_offset_us, 123456);
    assert_true(sim->devices[0].has_ppm);
    assert_true(sim->devices[0].ppm == 35.5);
    assert_false(sim->devices[1].has_clock_offset);
    assert_true(sim->devices[1].ppm == -20.0);
    assert_string_equal(sim->devices[2].serial, "X");
    assert_false(sim->devices[2].has_ppm);
    assert_int_equal(sim->wiring, RIG_SIM_WIRING_CABLES);
    assert_int_equal(sim->cable_count, 2);
    assert_int_equal(sim->cables[0].from, 0);
    assert_int_equal(sim->cables[0].to, 1);
    assert_int_equal(sim->cables[1].from, 1);
    assert_int_equal(sim->cables[1].to, 2);
    assert_int_equal(sim->cable_delay_ns, 70);
    assert_int_equal(sim->latency_floor_us, 900);
    assert_int_equal(sim->latency_tail_mean_us, 250);
    assert_true(sim->stall_probability == 0.0);
    assert_int_equal(sim->stall_min_us, 6000);
    assert_int_equal(sim->stall_max_us, 6000);
    assert_true(sim->drop_probability == 1.0);
    assert_int_equal(sim->sync_error_min_us, 10);
    assert_int_equal(sim->sync_error_max_us, 20);
    assert_int_equal(sim->exposure_us[RIG_STREAM_COLOR], 5000);
    assert_int_equal(sim->exposure_us[RIG_STREAM_DEPTH], 12000);
    assert_int_equal(sim->readout_us, 1500);
    assert_false(sim->pixels);
    rig_config_destroy(cfg);
}

static void sim_devices_should_default_to_the_configured_serials(void **state)
{
    (void)state;
    rig_config_t *cfg = parse_ok(
        "{'devices': [{'serial_number': 'A', 'config': {'mode': 'STANDALONE'}},\n"
        "             {'serial_number': 'B', 'config': {'mode': 'STANDALONE'}}],\n"
        " 'sim': {'seed': 7, 'wiring': 'NONE'}}");
    const rig_sim_spec_t *sim = rig_config_sim(cfg);
    assert_true(sim->present);
    assert_int_equal(sim->seed, 7);
    assert_int_equal(sim->wiring, RIG_SIM_WIRING_NONE);
    assert_int_equal(sim->device_count, 2);
    assert_string_equal(sim->devices[0].serial, "A");
    assert_string_equal(sim->devices[1].serial, "B");
    assert_string_equal(sim->devices[1].model, "");
    assert_int_equal(sim->stall_min_us, RIG_SIM_DEFAULT_STALL_MIN_US);
    rig_config_destroy(cfg);

    cfg = parse_ok("{'devices': [{'serial_number': 'A', 'config': {'mode': 'STANDALONE'}}],\n"
                   " 'sim': {'devices': [], 'wiring': 'daisy_chain'}}");
    assert_int_equal(rig_config_sim(cfg)->device_count, 0); /* an empty rig is a test case */
    assert_int_equal(rig_config_sim(cfg)->wiring, RIG_SIM_WIRING_DAISY_CHAIN);
    rig_config_destroy(cfg);
}

static void parse_should_accept_a_secondary_fed_by_a_software_trigger_and_lone_synced(void **state)
{
    (void)state;
    rig_config_t *cfg = parse_ok(
        "{'devices': [{'serial_number': 'A', 'config': {'mode': 'HARDWARE_TRIGGERING'}},\n"
        "             {'serial_number': 'B', 'config': {'mode': 'SOFTWARE_TRIGGERING'}}]}");
    rig_config_destroy(cfg);
    cfg = parse_ok("{'devices': [{'serial_number': 'A', 'config': {'mode': 'SECONDARY_SYNCED'}}]}");
    rig_config_destroy(cfg);
}

/* ------------------------------------------------------------------------------------------ */
/* Rejections: position, field, message                                                        */

static void parse_error_should_carry_janssons_position_for_bad_syntax(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad("{\n  'devices': [\n    {'a': }\n  ]\n}");
    assert_diag(&d, 3, 11, "", "not valid JSON: unexpected token near '}'");
    assert_contains(d.message, "missing comma");
    d = parse_bad("{'devices': [],\n 'devices': []}");
    assert_int_equal(d.line, 2);
    assert_contains(d.message, "duplicate object key");
    assert_contains(d.message, "remove one of the two");
}

static void parse_error_should_call_empty_input_empty(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad("");
    assert_diag(&d, 1, 1, "", "the file is empty");
    d = parse_bad("  \n\t\n");
    assert_contains(d.message, "the file is empty");
}

static void load_error_should_name_the_path_and_the_system_reason(void **state)
{
    (void)state;
    rig_config_t *cfg = (rig_config_t *)&cfg;
    rig_config_diag_t d;
    const char *path = "/nonexistent/rigsync/none.json";
    assert_int_equal(rig_config_load(path, &cfg, &d), RIG_ERROR_IO);
    assert_null(cfg);
    assert_int_equal(d.code, RIG_ERROR_IO);
    assert_int_equal(d.line, 0);
    assert_string_equal(d.file, path);
    assert_contains(d.message, path);
    assert_contains(d.message, "No such file or directory");
    char buf[1024];
    rig_config_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "/nonexistent/rigsync/none.json: cannot open config file "
                             "\"/nonexistent/rigsync/none.json\": No such file or directory; "
                             "check the path and its permissions.");
}

static void parse_error_should_say_expected_and_actual_type(void **state)
{
    (void)state;
    static const char body[] = "'mode': 'SECONDARY', 'depth_delay_us': '160'";
    rig_config_diag_t d = parse_bad(TWO_DEVICES("'mode': 'SECONDARY', 'depth_delay_us': '160'"));
    assert_diag(&d, 3, col_in(body, "'160'"), "devices[1].config.depth_delay_us",
                "expected an integer for depth_delay_us, got a string (\"160\"); write the "
                "number without quotes.");

    static const char body2[] = "'mode': 'SECONDARY', 'color_delay_us': 1.5";
    d = parse_bad(TWO_DEVICES("'mode': 'SECONDARY', 'color_delay_us': 1.5"));
    assert_diag(&d, 3, col_in(body2, "1.5"), "devices[1].config.color_delay_us",
                "got a real number (1.5)");
    assert_contains(d.message, "whole number");

    static const char body3[] = "'mode': 'SECONDARY', 'trigger_out_enable': 1";
    d = parse_bad(TWO_DEVICES("'mode': 'SECONDARY', 'trigger_out_enable': 1"));
    assert_diag(&d, 3, col_in(body3, "1"), "devices[1].config.trigger_out_enable",
                "expected true or false for trigger_out_enable, got an integer (1)");

    d = parse_bad("{'devices': {'serial_number': 'A'}}");
    assert_diag(&d, 1, 13, "devices", "expected an array for devices, got an object");

    d = parse_bad("{'devices': ['A']}");
    assert_diag(&d, 1, 14, "devices[0]", "expected an object for devices[0], got a string (\"A\")");
}

static void parse_error_should_list_valid_modes_for_an_unknown_mode(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad(TWO_DEVICES("'mode': 'MASTER'"));
    assert_diag(&d, 3, SECOND_COL + 8, "devices[1].config.mode", "unknown sync mode \"MASTER\"");
    assert_contains(d.message, rig_mode_all_names());
    assert_contains(d.message, "case-insensitive");
    d = parse_bad(TWO_DEVICES("'mode': 'OB_MULTI_DEVICE_SYNC_MODE_SECONDRY'"));
    assert_contains(d.message, "Did you mean SECONDARY?");
    d = parse_bad(TWO_DEVICES("'mode': 4"));
    assert_contains(d.message, "expected a string for mode, got an integer (4)");
}

static void parse_error_should_point_at_an_unknown_key_and_suggest_the_nearest(void **state)
{
    (void)state;
    static const char body[] = "'mode': 'SECONDARY', 'depth_delay': 160";
    rig_config_diag_t d = parse_bad(TWO_DEVICES("'mode': 'SECONDARY', 'depth_delay': 160"));
    assert_diag(&d, 3, col_in(body, "'depth_delay'"), "devices[1].config.depth_delay",
                "unknown key \"depth_delay\" in devices[1].config: did you mean "
                "\"depth_delay_us\"?");

    d = parse_bad(TWO_DEVICES("'Mode': 'SECONDARY'"));
    assert_contains(d.message, "did you mean \"mode\"? Keys are case-sensitive.");

    d = parse_bad(TWO_DEVICES("'mode': 'SECONDARY', 'zzz': 1"));
    assert_contains(d.message, "unknown key \"zzz\" in devices[1].config; valid keys are: mode "
                               "(or syncMode), depth_delay_us (or depthDelayUs)");
    assert_contains(d.message, "frames_per_trigger (or framesPerTrigger)");

    d = parse_bad("{'devices': [],\n 'simulation': {}}");
    assert_diag(&d, 2, 2, "simulation", "unknown key \"simulation\" at the top level; valid keys");
}

static void parse_error_should_reject_a_sync_field_outside_config(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad("{'devices': [{'serial_number': 'A', 'mode': 'PRIMARY'}]}");
    assert_diag(&d, 1, 37, "devices[0].mode", "\"mode\" belongs inside the device's \"config\"");
}

static void parse_error_should_reject_a_field_given_in_both_spellings(void **state)
{
    (void)state;
    static const char body[] = "'syncMode': 'PRIMARY', 'mode': 'SECONDARY'";
    rig_config_diag_t d = parse_bad(TWO_DEVICES("'syncMode': 'PRIMARY', 'mode': 'SECONDARY'"));
    /* the later of the two is the one to remove */
    assert_diag(&d, 3, col_in(body, "'mode'"), "devices[1].config.mode",
                "\"syncMode\" and \"mode\" are two spellings of the same field, given twice");
    d = parse_bad("{'devices': [{'serial_number': 'A', 'sn': 'A'}]}");
    assert_diag(&d, 1, 37, "devices[0].sn", "given twice");
}

static void parse_error_should_point_at_the_second_of_two_equal_serials(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad(
        "{'devices': [{'serial_number': 'A', 'config': {'mode': 'PRIMARY'}},\n"
        "  {'serial_number': 'B', 'config': {'mode': 'STANDALONE'}},\n"
        "  {'sn': 'A', 'config': {'mode': 'STANDALONE'}}]}");
    assert_diag(&d, 3, 10, "devices[2].sn",
                "serial number \"A\" is already used by device#0; each camera appears once");
}

static void parse_error_should_place_a_missing_serial_at_its_device(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad("{'devices': [{'serial_number': 'A', 'config': {'mode': 'PRIMARY'}},\n"
                  "    {'config': {'mode': 'SECONDARY'}}]}");
    assert_diag(&d, 2, 5, "devices[1].serial_number", "device#1 has no serial number");
    assert_contains(d.message, "\"sn\" works too");
}

static void parse_error_should_reject_empty_and_overlong_serials(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad("{'devices': [{'serial_number': '', 'config': {'mode': 'PRIMARY'}}]}");
    assert_diag(&d, 1, 32, "devices[0].serial_number", "the serial number of device#0 is empty");

    char text[512];
    char serial[RIG_SERIAL_MAX + 1];
    memset(serial, 'S', RIG_SERIAL_MAX - 1);
    serial[RIG_SERIAL_MAX - 1] = '\0';
    snprintf(text, sizeof text,
             "{'devices': [{'serial_number': '%s', 'config': {'mode': 'STANDALONE'}}]}", serial);
    rig_config_t *cfg = parse_ok(text); /* 63 characters: the longest that fits */
    assert_string_equal(rig_config_device_serial(cfg, 0), serial);
    rig_config_destroy(cfg);
    strcat(serial, "S");
    snprintf(text, sizeof text,
             "{'devices': [{'serial_number': '%s', 'config': {'mode': 'STANDALONE'}}]}", serial);
    d = parse_bad(text);
    assert_diag(&d, 1, 32, "devices[0].serial_number",
                "the serial number of device#0 is 64 characters long, more than the 63");
}

static void parse_error_should_require_a_non_empty_devices_array(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad("\n  {'version': '1.0.0'}");
    assert_diag(&d, 2, 3, "devices", "missing \"devices\"");
    d = parse_bad("{'devices':\n   []}");
    assert_diag(&d, 2, 4, "devices", "\"devices\" is empty; add one entry per camera");
    d = parse_bad("[{'serial_number': 'A'}]");
    assert_diag(&d, 1, 1, "", "expected an object at the top level, got an array");
}

static void parse_error_should_require_a_mode_and_point_at_the_config(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad(TWO_DEVICES("'depth_delay_us': 0"));
    assert_diag(&d, 3, SECOND_COL - 1, "devices[1].config.mode", "device#1 has no \"mode\"");
    d = parse_bad("{'devices': [{'serial_number': 'A'}]}");
    assert_diag(&d, 1, 14, "devices[0].config", "device#0 (A) has no \"config\"");
}

static void parse_error_should_name_both_primaries(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad(TWO_DEVICES("'mode': 'primary'"));
    assert_diag(&d, 3, SECOND_COL + 8, "devices[1].config.mode",
                "device#1 (CP3L44P00054) is PRIMARY, but so is device#0 (CP3S34D00051): a rig "
                "has exactly one primary.");
}

static void parse_error_should_reject_listeners_without_a_pulse_source(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad(
        "{'devices': [{'serial_number': 'A', 'config': {'mode': 'STANDALONE'}},\n"
        "   {'serial_number': 'B', 'syncConfig': {'syncMode': 'SECONDARY'}}]}");
    assert_diag(&d, 2, 4, "devices[1].syncConfig.syncMode",
                "device#1 (B, SECONDARY) waits for trigger pulses, but no device is PRIMARY or "
                "SOFTWARE_TRIGGERING to send them: make one device PRIMARY, or use STANDALONE / "
                "FREE_RUN");
    d = parse_bad("{'devices': [{'serial_number': 'A', 'config': {'mode': 'HARDWARE_TRIGGERING'}}]}");
    assert_diag(&d, 1, 14, "devices[0].config.mode", "device#0 (A, HARDWARE_TRIGGERING) waits");
}

static void parse_error_should_reject_every_negative_delay(void **state)
{
    (void)state;
    static const char *fields[] = {"depth_delay_us", "color_delay_us",
                                   "trigger_to_image_delay_us", "trigger_out_delay_us"};
    for (size_t i = 0; i < 4; i++) {
        char text[512], field[64], message[96];
        snprintf(text, sizeof text,
                 "{'devices': [{'serial_number': 'A', 'config': {'mode': 'PRIMARY', '%s': -1}}]}",
                 fields[i]);
        rig_config_diag_t d = parse_bad(text);
        snprintf(field, sizeof field, "devices[0].config.%s", fields[i]);
        snprintf(message, sizeof message, "%s is -1 us, but a delay cannot be negative", fields[i]);
        assert_diag(&d, 1, 71 + (int)strlen(fields[i]), field, message);
    }
}

/* The delay of `field` at `value` with the given stream rates: accepted or not. */
static bool delay_accepted(const char *field, int value, int color_fps, int depth_fps,
                           rig_config_diag_t *d)
{
    char text[512], real[512];
    snprintf(text, sizeof text,
             "{'streams': {'color': {'fps': %d}, 'depth': {'fps': %d}},\n"
             " 'devices': [{'serial_number': 'A', 'config': {'mode': 'PRIMARY', '%s': %d}}]}",
             color_fps, depth_fps, field, value);
    unquote(text, real, sizeof real);
    rig_config_t *cfg = NULL;
    rig_error_t rc = rig_config_parse(real, "t.json", &cfg, d);
    rig_config_destroy(cfg);
    return rc == RIG_OK;
}

static void parse_error_should_reject_delays_of_a_frame_period_or_more(void **state)
{
    (void)state;
    rig_config_diag_t d;
    /* depth at 30 fps: period 33333.3 us */
    assert_true(delay_accepted("depth_delay_us", 33333, 60, 30, &d));
    assert_false(delay_accepted("depth_delay_us", 33334, 60, 30, &d));
    assert_string_equal(d.field, "devices[0].config.depth_delay_us");
    assert_contains(d.message, "depth_delay_us is 33334 us, a full frame period or more: at 30 "
                               "fps (depth stream) the period is 33333 us, so the delay must be "
                               "in 0..33333 us");
    /* color at 60 fps, whatever depth does */
    assert_true(delay_accepted("color_delay_us", 16666, 60, 5, &d));
    assert_false(delay_accepted("color_delay_us", 16667, 60, 5, &d));
    assert_contains(d.message, "at 60 fps (color stream) the period is 16667 us");
    /* an exact period is already too long */
    assert_true(delay_accepted("depth_delay_us", 39999, 30, 25, &d));
    assert_false(delay_accepted("depth_delay_us", 40000, 30, 25, &d));
    /* the two shared delays use the faster stream */
    assert_false(delay_accepted("trigger_to_image_delay_us", 20000, 30, 60, &d));
    assert_contains(d.message, "at 60 fps (the faster stream)");
    assert_true(delay_accepted("trigger_out_delay_us", 16666, 60, 30, &d));
    assert_false(delay_accepted("trigger_out_delay_us", 16667, 60, 30, &d));
}

static void parse_error_should_require_at_least_one_frame_per_trigger(void **state)
{
    (void)state;
    static const char body[] = "'mode': 'SECONDARY', 'frames_per_trigger': 0";
    rig_config_diag_t d = parse_bad(TWO_DEVICES("'mode': 'SECONDARY', 'frames_per_trigger': 0"));
    assert_diag(&d, 3, col_in(body, "0"), "devices[1].config.frames_per_trigger",
                "frames_per_trigger is 0, outside the allowed range 1..1000 frames");
    d = parse_bad(TWO_DEVICES("'mode': 'SECONDARY', 'framesPerTrigger': -3"));
    assert_string_equal(d.field, "devices[1].config.framesPerTrigger");
}

static void parse_error_should_check_stream_profiles(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad(
        "{'streams': {'color': {'format': 'Y16'}}, 'devices': []}");
    assert_diag(&d, 1, 34, "streams.color.format",
                "format \"Y16\" is not supported for the color stream, which is RGB or MJPG");
    d = parse_bad("{'streams': {'depth': {'format': 'rgb'}}, 'devices': []}");
    assert_contains(d.message, "depth stream, which is Y16 only");
    d = parse_bad("{'streams': {'depth': {'format': 'MJPG'}}, 'devices': []}");
    assert_contains(d.message, "depth stream, which is Y16 only");
    /* color as the camera compresses it */
    rig_config_t *cfg = parse_ok("{'streams': {'color': {'format': 'mjpg'}}, "
                                 "'devices': [{'sn': 'A', 'config': {'mode': 'PRIMARY'}}]}");
    assert_int_equal(rig_config_stream_profile(cfg, RIG_STREAM_COLOR).format, RIG_FORMAT_MJPG);
    assert_string_equal(rig_format_name(RIG_FORMAT_MJPG), "MJPG");
    assert_int_equal(rig_format_bytes_per_pixel(RIG_FORMAT_MJPG), 0);
    rig_config_destroy(cfg);
    d = parse_bad("{'streams': {'depth': {'fps': 0}}, 'devices': []}");
    assert_diag(&d, 1, 31, "streams.depth.fps", "fps is 0, outside the allowed range 1..300");
    d = parse_bad("{'streams': {'depth': {'fps': 301}}, 'devices': []}");
    assert_contains(d.message, "fps is 301");
    d = parse_bad("{'streams': {'color': {'width': 8193}}, 'devices': []}");
    assert_contains(d.message, "width is 8193, outside the allowed range 1..8192");
    d = parse_bad("{'streams': {'ir': {}}, 'devices': []}");
    assert_diag(&d, 1, 14, "streams.ir", "unknown key \"ir\" in streams");
}

static void parse_error_should_check_the_sim_section(void **state)
{
    (void)state;
#define ONE_DEVICE "{'devices': [{'serial_number': 'A', 'config': {'mode': 'PRIMARY'}}],\n"
    rig_config_diag_t d = parse_bad(ONE_DEVICE " 'sim': {'devices': [{'serial_number': 'A', 'model': 'Femto Ultra'}]}}");
    assert_diag(&d, 2, 54, "sim.devices[0].model", "unknown model \"Femto Ultra\"; use one of: ");
    assert_contains(d.message, rig_model_all_names());

    d = parse_bad(ONE_DEVICE " 'sim': {'wiring': [{'from': 'A', 'to': 'Q'}]}}");
    assert_diag(&d, 2, 41, "sim.wiring[0].to", "\"Q\" is not a device of the simulated rig");
    assert_contains(d.message, "serials: A.");

    d = parse_bad(ONE_DEVICE " 'sim': {'wiring': [{'from': 'A', 'to': 'A'}]}}");
    assert_contains(d.message, "into its own sync-in");

    d = parse_bad(ONE_DEVICE " 'sim': {'devices': [{'serial_number': 'A'}, {'serial_number': 'B'},"
                             " {'serial_number': 'C'}],\n"
                             "   'wiring': [{'from': 'A', 'to': 'C'}, {'from': 'B', 'to': 'C'}]}}");
    assert_diag(&d, 3, 61, "sim.wiring[1].to", "C already gets its sync-in from wiring[0]");

    d = parse_bad(ONE_DEVICE " 'sim': {'wiring': [{'from': 'A'}]}}");
    assert_diag(&d, 2, 21, "sim.wiring[0].to", "this cable has no \"to\"");

    d = parse_bad(ONE_DEVICE " 'sim': {'transport': {'stall_probability': -0.5}}}");
    assert_diag(&d, 2, 45, "sim.transport.stall_probability",
                "stall_probability is -0.5, outside the allowed range 0..1");

    /* only the minimum is written: it is the one to blame */
    d = parse_bad(ONE_DEVICE " 'sim': {'transport': {'stall_min_us': 60000}}}");
    assert_diag(&d, 2, 40, "sim.transport.stall_min_us",
                "stall_max_us (50000) is below stall_min_us (60000)");

    d = parse_bad(ONE_DEVICE " 'sim': {'clock_sync_error_us': {'min': 5, 'max': 4}}}");
    assert_diag(&d, 2, 51, "sim.clock_sync_error_us.max", "max (4) is below min (5)");

    d = parse_bad(ONE_DEVICE " 'sim': {'devices': [{'serial_number': 'A'}, {'serial_number': 'A'}]}}");
    assert_diag(&d, 2, 64, "sim.devices[1].serial_number",
                "serial number \"A\" is already used by sim.devices[0]");

    d = parse_bad(ONE_DEVICE " 'sim': {'wiring': 7}}");
    assert_contains(d.message, "expected a string or an array for wiring, got an integer (7)");
#undef ONE_DEVICE
}

static void positions_should_count_characters_and_skip_tricky_strings(void **state)
{
    (void)state;
    /* é is two bytes but one column, as in jansson's own positions */
    rig_config_diag_t d = parse_bad(
        "{'devices': [{'serial_number': '\xc3\xa9', 'config': {'mode': 'X'}}]}");
    assert_diag(&d, 1, 56, "devices[0].config.mode", "unknown sync mode");
    /* brackets, braces and escaped quotes inside strings are not structure */
    d = parse_bad("{'devices': [{'serial_number': 'a]}\\'{[', 'config': {'mode': 'PRIMARY'}},\n"
                  "  {'serial_number': 'b', 'config': {'mode': 'Y'}}]}");
    assert_diag(&d, 2, 45, "devices[1].config.mode", "unknown sync mode \"Y\"");
    /* a key spelled with an escape is still that key */
    d = parse_bad("{'dev\\u0069ces':\n  []}");
    assert_diag(&d, 2, 3, "devices", "\"devices\" is empty");
}

/* Every file in tests/data/bad is listed in expected.tsv, and fails with its substring. */
static void bad_files_should_fail_with_their_listed_message(void **state)
{
    (void)state;
    char dir[1024], manifest[1100];
    snprintf(dir, sizeof dir, "%s/bad", data_dir());
    snprintf(manifest, sizeof manifest, "%s/expected.tsv", dir);
    FILE *f = fopen(manifest, "r");
    assert_non_null(f);
    char line[1024], listed[8192] = "";
    size_t count = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        const char *name = line, *needle = tab + 1;
        assert_true(strlen(needle) >= 10); /* specific, not "error" */
        char path[2200], formatted[2048];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        rig_config_t *cfg = NULL;
        rig_config_diag_t d;
        rig_error_t rc = rig_config_load(path, &cfg, &d);
        if (rc != RIG_ERROR_CONFIG)
            fail_msg("%s: expected RIG_ERROR_CONFIG, got %s", name, rig_error_name(rc));
        assert_null(cfg);
        if (d.line < 1 || d.column < 1)
            fail_msg("%s: no position (%d:%d)", name, d.line, d.column);
        rig_config_diag_format(&d, formatted, sizeof formatted);
        assert_contains(d.message, needle);
        char prefix[2300];
        snprintf(prefix, sizeof prefix, "%s:%d:%d: ", path, d.line, d.column);
        assert_true(strncmp(formatted, prefix, strlen(prefix)) == 0);
        strncat(listed, name, sizeof listed - strlen(listed) - 2);
        strcat(listed, "\n");
        count++;
    }
    fclose(f);
    assert_true(count >= 30);

    DIR *dp = opendir(dir);
    assert_non_null(dp);
    for (struct dirent *e; (e = readdir(dp));) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char entry[300];
        snprintf(entry, sizeof entry, "%s\n", e->d_name);
        if (!strstr(listed, entry))
            fail_msg("%s is not listed in expected.tsv", e->d_name);
    }
    closedir(dp);
}

static void parse_should_reject_null_arguments_without_crashing(void **state)
{
    (void)state;
    rig_config_t *cfg = (rig_config_t *)&cfg;
    rig_config_diag_t d;
    assert_int_equal(rig_config_parse(NULL, "x", &cfg, &d), RIG_ERROR_INVALID_ARGUMENT);
    assert_null(cfg);
    assert_int_equal(rig_config_parse("{}", "x", NULL, NULL), RIG_ERROR_INVALID_ARGUMENT);
    assert_int_equal(rig_config_load(NULL, &cfg, NULL), RIG_ERROR_INVALID_ARGUMENT);
    /* a NULL diag is allowed */
    assert_int_equal(rig_config_parse("{}", NULL, &cfg, NULL), RIG_ERROR_CONFIG);
    rig_config_destroy(NULL);
    assert_int_equal(rig_config_device_count(NULL), 0);
    assert_null(rig_config_device_serial(NULL, 0));
    rig_sync_config_t s;
    assert_int_equal(rig_config_device_sync(NULL, 0, &s), RIG_ERROR_INVALID_ARGUMENT);
    assert_int_equal(rig_config_pulse_source(NULL, 0), -1);
    int line = 5, col = 5;
    char path[8] = "x";
    rig_config_device_location(NULL, 0, RIG_CONFIG_PART_MODE, &line, &col, path, sizeof path);
    assert_int_equal(line, 0);
    assert_int_equal(col, 0);
    assert_string_equal(path, "");
}

static void diag_format_should_print_file_line_column_field_and_message(void **state)
{
    (void)state;
    rig_config_diag_t d = parse_bad(TWO_DEVICES("'mode': 'MASTER'"));
    char buf[2048];
    rig_config_diag_format(&d, buf, sizeof buf);
    char expected[2048];
    snprintf(expected, sizeof expected, "t.json:3:%d: devices[1].config.mode: %s", SECOND_COL + 8,
             d.message);
    assert_string_equal(buf, expected);
    char small[12];
    rig_config_diag_format(&d, small, sizeof small);
    assert_string_equal(small, "t.json:3:56");
}

/* ------------------------------------------------------------------------------------------ */
/* Pulse paths                                                                                 */

static void pulse_source_should_follow_the_default_daisy_chain(void **state)
{
    (void)state;
    /* chain: C (primary), then A, B, D in config order */
    rig_config_t *cfg = parse_ok(
        "{'devices': [{'serial_number': 'A', 'config': {'mode': 'SECONDARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'B', 'config': {'mode': 'SECONDARY'}},\n"
        " {'serial_number': 'C', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'D', 'config': {'mode': 'STANDALONE'}}]}");
    assert_int_equal(rig_config_pulse_source(cfg, 0), 2);
    assert_int_equal(rig_config_pulse_source(cfg, 1), 0);
    assert_int_equal(rig_config_pulse_source(cfg, 2), -1);
    assert_int_equal(rig_config_pulse_source(cfg, 3), 1);
    assert_int_equal(rig_config_pulse_source(cfg, 4), -1);
    rig_config_destroy(cfg);

    /* without a primary a software-triggered device heads the chain */
    cfg = parse_ok(
        "{'devices': [{'serial_number': 'A', 'config': {'mode': 'HARDWARE_TRIGGERING'}},\n"
        " {'serial_number': 'B', 'config': {'mode': 'SOFTWARE_TRIGGERING'}}]}");
    assert_int_equal(rig_config_pulse_source(cfg, 0), 1);
    assert_int_equal(rig_config_pulse_source(cfg, 1), -1);
    rig_config_destroy(cfg);
}

static void pulse_source_should_follow_explicit_cables_and_none(void **state)
{
    (void)state;
    rig_config_t *cfg = parse_ok(
        "{'devices': [{'serial_number': 'A', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'B', 'config': {'mode': 'SECONDARY'}},\n"
        " {'serial_number': 'C', 'config': {'mode': 'SECONDARY'}}],\n"
        " 'sim': {'devices': [{'serial_number': 'HUB'}, {'serial_number': 'C'}, {'serial_number': 'A'},\n"
        "                     {'serial_number': 'B'}],\n"
        "         'wiring': [{'from': 'A', 'to': 'C'}, {'from': 'HUB', 'to': 'B'}]}}");
    assert_int_equal(rig_config_pulse_source(cfg, 2), 0); /* sim indices mapped to config ones */
    assert_int_equal(rig_config_pulse_source(cfg, 1), -1); /* HUB is not configured */
    assert_int_equal(rig_config_pulse_source(cfg, 0), -1);
    rig_config_destroy(cfg);

    cfg = parse_ok(
        "{'devices': [{'serial_number': 'A', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'B', 'config': {'mode': 'SECONDARY'}}], 'sim': {'wiring': 'none'}}");
    assert_int_equal(rig_config_pulse_source(cfg, 1), -1);
    rig_config_destroy(cfg);
}

static bool explain(const char *squoted, size_t index, char *buf, size_t len)
{
    rig_config_t *cfg = parse_ok(squoted);
    bool explained = rig_config_explain_no_pulses(cfg, index, buf, len);
    rig_config_destroy(cfg);
    return explained;
}

static void explain_should_blame_a_primary_with_trigger_out_off(void **state)
{
    (void)state;
    char buf[512];
    assert_true(explain("{'devices': [\n"
                        "  {'serial_number': 'CP3S34D00051', 'config': {'mode': 'PRIMARY', "
                        "'trigger_out_enable': false}},\n"
                        "  {'serial_number': 'CP3L44P00054', 'config': {'mode': 'SECONDARY'}}]}",
                        1, buf, sizeof buf));
    assert_string_equal(buf, "device#1 (CP3L44P00054) gets no trigger pulses: device#0 "
                             "(CP3S34D00051, PRIMARY) has trigger_out_enable false, so it emits "
                             "none; set \"trigger_out_enable\": true on device#0.");
}

static void explain_should_blame_a_forwarder_or_a_non_syncing_link_in_the_chain(void **state)
{
    (void)state;
    char buf[512];
    assert_true(explain(
        "{'devices': [{'serial_number': 'P', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'S1', 'config': {'mode': 'SECONDARY'}},\n"
        " {'serial_number': 'S2', 'config': {'mode': 'SECONDARY'}}]}",
        2, buf, sizeof buf));
    assert_string_equal(buf, "device#2 (S2) gets no trigger pulses: device#1 (S1, SECONDARY) has "
                             "trigger_out_enable false, so it does not forward the pulses it "
                             "receives; set \"trigger_out_enable\": true on device#1.");

    assert_true(explain(
        "{'devices': [{'serial_number': 'P', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'M', 'config': {'mode': 'STANDALONE', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'S', 'config': {'mode': 'HARDWARE_TRIGGERING'}}]}",
        2, buf, sizeof buf));
    assert_contains(buf, "device#2 (S) gets no trigger pulses: device#1 (M, STANDALONE) never "
                         "drives its sync-out");
    assert_contains(buf, "make device#1 PRIMARY");
}

static void explain_should_blame_missing_wiring(void **state)
{
    (void)state;
    char buf[512];
    assert_true(explain(
        "{'devices': [{'serial_number': 'P', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'S', 'config': {'mode': 'SECONDARY'}}], 'sim': {'wiring': 'none'}}",
        1, buf, sizeof buf));
    assert_contains(buf, "device#1 (S) gets no trigger pulses: sim.wiring is \"none\"");

    assert_true(explain(
        "{'devices': [{'serial_number': 'P', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'S', 'config': {'mode': 'SECONDARY'}},\n"
        " {'serial_number': 'T', 'config': {'mode': 'SECONDARY'}}],\n"
        " 'sim': {'wiring': [{'from': 'P', 'to': 'S'}]}}",
        2, buf, sizeof buf));
    assert_string_equal(buf, "device#2 (T) gets no trigger pulses: no cable in sim.wiring ends at "
                             "the sync-in of T; add {\"from\": \"P\", \"to\": \"T\"}.");

    assert_true(explain(
        "{'devices': [{'serial_number': 'P', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'S', 'config': {'mode': 'SECONDARY'}}],\n"
        " 'sim': {'devices': [{'serial_number': 'P'}, {'serial_number': 'S'}, {'serial_number': 'X'}],\n"
        "         'wiring': [{'from': 'X', 'to': 'S'}]}}",
        1, buf, sizeof buf));
    assert_contains(buf, "it is cabled (sim.wiring) from X, which is not in \"devices\"");
}

static void explain_should_detect_a_cable_loop(void **state)
{
    (void)state;
    char buf[512];
    assert_true(explain(
        "{'devices': [{'serial_number': 'P', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'S', 'config': {'mode': 'SECONDARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'T', 'config': {'mode': 'SECONDARY', 'trigger_out_enable': true}}],\n"
        " 'sim': {'wiring': [{'from': 'S', 'to': 'T'}, {'from': 'T', 'to': 'S'}]}}",
        1, buf, sizeof buf));
    assert_contains(buf, "device#1 (S) gets no trigger pulses: the sync cables upstream of it "
                         "(sim.wiring) form a loop");
}

static void explain_should_find_nothing_in_a_healthy_or_unsynced_rig(void **state)
{
    (void)state;
    char buf[512] = "untouched";
    static const char healthy[] =
        "{'devices': [{'serial_number': 'S1', 'config': {'mode': 'SECONDARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'P', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}},\n"
        " {'serial_number': 'S2', 'config': {'mode': 'SECONDARY_SYNCED'}},\n"
        " {'serial_number': 'F', 'config': {'mode': 'FREE_RUN'}}]}";
    assert_false(explain(healthy, 0, buf, sizeof buf)); /* fed by P directly */
    assert_false(explain(healthy, 2, buf, sizeof buf)); /* via S1, which forwards */
    assert_false(explain(healthy, 1, buf, sizeof buf)); /* the primary listens to nothing */
    assert_false(explain(healthy, 3, buf, sizeof buf)); /* neither does FREE_RUN */
    assert_false(explain(healthy, 9, buf, sizeof buf));
    assert_string_equal(buf, "untouched");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_should_accept_the_seed_config_with_every_default_resolved),
        cmocka_unit_test(load_should_accept_the_vendor_cpp_format),
        cmocka_unit_test(parse_should_accept_vendor_camelcase_fields_in_either_wrapper),
        cmocka_unit_test(parse_should_fill_missing_sync_fields_with_the_defaults),
        cmocka_unit_test(parse_should_read_auto_trigger_fps_in_either_spelling),
        cmocka_unit_test(load_should_accept_the_vendor_v2_sample_with_version_and_config_time),
        cmocka_unit_test(load_should_accept_the_vendor_gmsl_config_with_a_host_trigger_source),
        cmocka_unit_test(load_should_not_chain_the_cameras_of_the_early_vendor_gmsl_config),
        cmocka_unit_test(load_should_accept_the_vendor_python_sample),
        cmocka_unit_test(parse_should_keep_an_explicit_wiring_next_to_a_host_trigger_source),
        cmocka_unit_test(parse_error_should_hint_at_vendor_top_level_keys_for_typos),
        cmocka_unit_test(parse_error_should_type_check_the_vendor_top_level_keys),
        cmocka_unit_test(parse_should_read_streams_and_the_clock_sync_interval),
        cmocka_unit_test(parse_should_reject_triggers_faster_than_the_sensor_captures),
        cmocka_unit_test(parse_should_resolve_every_sim_field),
        cmocka_unit_test(sim_devices_should_default_to_the_configured_serials),
        cmocka_unit_test(parse_should_accept_a_secondary_fed_by_a_software_trigger_and_lone_synced),
        cmocka_unit_test(parse_error_should_carry_janssons_position_for_bad_syntax),
        cmocka_unit_test(parse_error_should_call_empty_input_empty),
        cmocka_unit_test(load_error_should_name_the_path_and_the_system_reason),
        cmocka_unit_test(parse_error_should_say_expected_and_actual_type),
        cmocka_unit_test(parse_error_should_list_valid_modes_for_an_unknown_mode),
        cmocka_unit_test(parse_error_should_point_at_an_unknown_key_and_suggest_the_nearest),
        cmocka_unit_test(parse_error_should_reject_a_sync_field_outside_config),
        cmocka_unit_test(parse_error_should_reject_a_field_given_in_both_spellings),
        cmocka_unit_test(parse_error_should_point_at_the_second_of_two_equal_serials),
        cmocka_unit_test(parse_error_should_place_a_missing_serial_at_its_device),
        cmocka_unit_test(parse_error_should_reject_empty_and_overlong_serials),
        cmocka_unit_test(parse_error_should_require_a_non_empty_devices_array),
        cmocka_unit_test(parse_error_should_require_a_mode_and_point_at_the_config),
        cmocka_unit_test(parse_error_should_name_both_primaries),
        cmocka_unit_test(parse_error_should_reject_listeners_without_a_pulse_source),
        cmocka_unit_test(parse_error_should_reject_every_negative_delay),
        cmocka_unit_test(parse_error_should_reject_delays_of_a_frame_period_or_more),
        cmocka_unit_test(parse_error_should_require_at_least_one_frame_per_trigger),
        cmocka_unit_test(parse_error_should_check_stream_profiles),
        cmocka_unit_test(parse_error_should_check_the_sim_section),
        cmocka_unit_test(positions_should_count_characters_and_skip_tricky_strings),
        cmocka_unit_test(bad_files_should_fail_with_their_listed_message),
        cmocka_unit_test(parse_should_reject_null_arguments_without_crashing),
        cmocka_unit_test(diag_format_should_print_file_line_column_field_and_message),
        cmocka_unit_test(pulse_source_should_follow_the_default_daisy_chain),
        cmocka_unit_test(pulse_source_should_follow_explicit_cables_and_none),
        cmocka_unit_test(explain_should_blame_a_primary_with_trigger_out_off),
        cmocka_unit_test(explain_should_blame_a_forwarder_or_a_non_syncing_link_in_the_chain),
        cmocka_unit_test(explain_should_blame_missing_wiring),
        cmocka_unit_test(explain_should_detect_a_cable_loop),
        cmocka_unit_test(explain_should_find_nothing_in_a_healthy_or_unsynced_rig),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
