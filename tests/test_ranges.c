/* Physical ranges (src/config/ranges.c): each edge of a representative key of every group
 * (min accepted, below it refused, max accepted, above it refused) with the message and the
 * line:column of the value; the rate rule for every triggered device whatever triggers it; the
 * strict parsing of command-line numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "config/config_internal.h"
#include "config/ranges.h"

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("\"%s\"\n  does not contain\n\"%s\"", (hay), (needle));                       \
    } while (0)

/* Inputs are written with ' for " so they stay readable; columns are unchanged by that. */
static void unquote(char *s)
{
    for (; *s; s++)
        if (*s == '\'')
            *s = '"';
}

/* One device: the primary A, which takes a signal generator and events without complaint. */
#define DEV "{'devices': [{'sn': 'A', 'syncConfig': {'syncMode': 'PRIMARY'}}]"

typedef struct edge {
    const char *before; /* text before the value, on line 1 */
    const char *value;
    const char *after;
    bool ok;
    const char *field;  /* refused: the diag's field */
    const char *needle; /* refused: part of the message */
} edge_t;

/* Every refusal names the value, the range with its unit and its reason, then the fix. */
static const edge_t edges[] = {
    /* top level: intervals up to a day */
    {"{'clock_sync_interval_ms': ", "0",
     ", 'devices': [{'sn': 'A', 'config': {'mode': 'PRIMARY'}}]}", true, NULL, NULL},
    {"{'clock_sync_interval_ms': ", "-1", ", 'devices': []}", false, "clock_sync_interval_ms",
     "clock_sync_interval_ms is -1, outside the allowed range 0..86400000 ms (0 syncs once; a "
     "host timer sync at least once a day); set it within that range."},
    {"{'clock_sync_interval_ms': ", "86400000",
     ", 'devices': [{'sn': 'A', 'config': {'mode': 'PRIMARY'}}]}", true, NULL, NULL},
    {"{'clock_sync_interval_ms': ", "86400001", ", 'devices': []}", false, "clock_sync_interval_ms",
     "clock_sync_interval_ms is 86400001, outside the allowed range 0..86400000 ms"},
    /* trigger rates */
    {"{'autoTriggerFps': ", "90", ", 'devices': [{'sn': 'A', 'config': {'mode': 'PRIMARY'}}]}",
     true, NULL, NULL},
    {"{'autoTriggerFps': ", "91", ", 'devices': []}", false, "autoTriggerFps",
     "autoTriggerFps is 91, outside the allowed range 0..90 Hz (0 = off; no model captures "
     "faster than 90 fps); use 0 to turn"},
    {"{'autoTriggerFps': ", "-1", ", 'devices': []}", false, "autoTriggerFps",
     "autoTriggerFps is -1, outside the allowed range 0..90 Hz"},
    {"{'hardwareTriggerFps': ", "30000",
     ", 'devices': [{'sn': 'A', 'config': {'mode': 'PRIMARY'}}]}", true, NULL, NULL},
    {"{'hardwareTriggerFps': ", "30001", ", 'devices': []}", false, "hardwareTriggerFps",
     "hardwareTriggerFps is 30001, outside the allowed range 0..30000 hundredths of Hz"},
    /* streams: fps within the models */
    {"{'streams': {'depth': {'fps': ", "1",
     "}}, 'devices': [{'sn': 'A', 'config': {'mode': 'PRIMARY'}}]}", true, NULL, NULL},
    {"{'streams': {'depth': {'fps': ", "0", "}}, 'devices': []}", false, "streams.depth.fps",
     "fps is 0, outside the allowed range 1..300 fps (the default simulated model runs 1 to 300 "
     "fps"},
    {"{'streams': {'depth': {'fps': ", "300",
     "}}, 'devices': [{'sn': 'A', 'config': {'mode': 'PRIMARY'}}]}", true, NULL, NULL},
    {"{'streams': {'depth': {'fps': ", "301", "}}, 'devices': []}", false, "streams.depth.fps",
     "fps is 301, outside the allowed range 1..300 fps"},
    /* frames per trigger */
    {"{'devices': [{'sn': 'A', 'syncConfig': {'syncMode': 'SOFTWARE_TRIGGERING', "
     "'framesPerTrigger': ",
     "1", "}}]}", true, NULL, NULL},
    {"{'devices': [{'sn': 'A', 'syncConfig': {'syncMode': 'SOFTWARE_TRIGGERING', "
     "'framesPerTrigger': ",
     "0", "}}]}", false, "devices[0].syncConfig.framesPerTrigger",
     "framesPerTrigger is 0, outside the allowed range 1..1000 frames (a burst of at most 33 s at "
     "30 fps"},
    {"{'devices': [{'sn': 'A', 'syncConfig': {'syncMode': 'SOFTWARE_TRIGGERING', "
     "'framesPerTrigger': ",
     "1000", "}}]}", true, NULL, NULL},
    {"{'devices': [{'sn': 'A', 'syncConfig': {'syncMode': 'SOFTWARE_TRIGGERING', "
     "'framesPerTrigger': ",
     "1001", "}}]}", false, "devices[0].syncConfig.framesPerTrigger",
     "framesPerTrigger is 1001, outside the allowed range 1..1000 frames"},
    /* cables and hubs: nanoseconds up to what 100 m of cable gives */
    {DEV ", 'sim': {'cable_delay_ns': ", "0", "}}", true, NULL, NULL},
    {DEV ", 'sim': {'cable_delay_ns': ", "-1", "}}", false, "sim.cable_delay_ns",
     "cable_delay_ns is -1, outside the allowed range 0..1000 ns"},
    {DEV ", 'sim': {'cable_delay_ns': ", "1000", "}}", true, NULL, NULL},
    {DEV ", 'sim': {'cable_delay_ns': ", "1001", "}}", false, "sim.cable_delay_ns",
     "cable_delay_ns is 1001, outside the allowed range 0..1000 ns (a pulse travels ~5 ns/m: 100 "
     "m of cable is ~500 ns, 1000 ns leaves a margin); set it within that range."},
    {DEV ", 'sim': {'hub_delay_ns': ", "1000", "}}", true, NULL, NULL},
    {DEV ", 'sim': {'hub_delay_ns': ", "1001", "}}", false, "sim.hub_delay_ns",
     "hub_delay_ns is 1001, outside the allowed range 0..1000 ns (a sync hub"},
    /* stalls up to seconds; latencies up to a second */
    {DEV ", 'sim': {'transport': {'stall_min_us': ", "0", "}}}", true, NULL, NULL},
    {DEV ", 'sim': {'transport': {'stall_min_us': ", "-1", "}}}", false,
     "sim.transport.stall_min_us", "stall_min_us is -1, outside the allowed range 0..10000000 us"},
    {DEV ", 'sim': {'transport': {'stall_max_us': ", "10000000", "}}}", true, NULL, NULL},
    {DEV ", 'sim': {'transport': {'stall_max_us': ", "10000001", "}}}", false,
     "sim.transport.stall_max_us",
     "stall_max_us is 10000001, outside the allowed range 0..10000000 us (a USB stall or "
     "re-enumeration lasts seconds, not minutes)"},
    {DEV ", 'sim': {'transport': {'latency_floor_us': ", "1000000", "}}}", true, NULL, NULL},
    {DEV ", 'sim': {'transport': {'latency_floor_us': ", "1000001", "}}}", false,
     "sim.transport.latency_floor_us",
     "latency_floor_us is 1000001, outside the allowed range 0..1000000 us"},
    {DEV ", 'sim': {'clock_sync_error_us': {'max': ", "1000000", "}}}", true, NULL, NULL},
    {DEV ", 'sim': {'clock_sync_error_us': {'max': ", "1000001", "}}}", false,
     "sim.clock_sync_error_us.max", "max is 1000001, outside the allowed range 0..1000000 us"},
    {DEV ", 'sim': {'time_query': {'interval_ms': ", "86400000", "}}}", true, NULL, NULL},
    {DEV ", 'sim': {'time_query': {'interval_ms': ", "86400001", "}}}", false,
     "sim.time_query.interval_ms",
     "interval_ms is 86400001, outside the allowed range 0..86400000 ms"},
    /* crystals: |ppm| <= 1000; a sensor's rate within 1% */
    {DEV ", 'sim': {'devices': [{'sn': 'A', 'ppm': ", "-1000", "}]}}", true, NULL, NULL},
    {DEV ", 'sim': {'devices': [{'sn': 'A', 'ppm': ", "-1000.5", "}]}}", false,
     "sim.devices[0].ppm",
     "ppm is -1000.5, outside the allowed range -1000..1000 ppm (crystals are within a few "
     "hundred ppm; 1000 leaves a margin)"},
    {DEV ", 'sim': {'devices': [{'sn': 'A', 'ppm': ", "1000", "}]}}", true, NULL, NULL},
    {DEV ", 'sim': {'devices': [{'sn': 'A', 'ppm': ", "1000.5", "}]}}", false, "sim.devices[0].ppm",
     "ppm is 1000.5, outside the allowed range -1000..1000 ppm"},
    {DEV ", 'sim': {'devices': [{'sn': 'A', 'rate_offset_ppm': ", "10000", "}]}}", true, NULL,
     NULL},
    {DEV ", 'sim': {'devices': [{'sn': 'A', 'rate_offset_ppm': ", "10001", "}]}}", false,
     "sim.devices[0].rate_offset_ppm",
     "rate_offset_ppm is 10001, outside the allowed range -10000..10000 ppm"},
    {DEV ", 'sim': {'devices': [{'sn': 'A', 'clock_offset_us': ", "31536000000000", "}]}}", true,
     NULL, NULL},
    {DEV ", 'sim': {'devices': [{'sn': 'A', 'clock_offset_us': ", "31536000000001", "}]}}", false,
     "sim.devices[0].clock_offset_us",
     "clock_offset_us is 31536000000001, outside the allowed range 0..31536000000000 us (a device "
     "clock counts from power-on: at most a year of uptime)"},
    {DEV ", 'sim': {'devices': [{'sn': 'A', 'timestamp_bits': ", "65", "}]}}", false,
     "sim.devices[0].timestamp_bits",
     "timestamp_bits is 65, outside the allowed range 32..64 bits"},
    {DEV ", 'sim': {'drift_walk_ppm_per_sqrt_hour': ", "1000", "}}", true, NULL, NULL},
    {DEV ", 'sim': {'drift_walk_ppm_per_sqrt_hour': ", "1001", "}}", false,
     "sim.drift_walk_ppm_per_sqrt_hour",
     "drift_walk_ppm_per_sqrt_hour is 1001, outside the allowed range 0..1000 ppm/sqrt(h)"},
    /* probabilities */
    {DEV ", 'sim': {'transport': {'drop_probability': ", "1", "}}}", true, NULL, NULL},
    {DEV ", 'sim': {'transport': {'drop_probability': ", "1.001", "}}}", false,
     "sim.transport.drop_probability",
     "drop_probability is 1.001, outside the allowed range 0..1 (a probability)"},
    {DEV ", 'sim': {'transport': {'stall_probability': ", "-0.001", "}}}", false,
     "sim.transport.stall_probability",
     "stall_probability is -0.001, outside the allowed range 0..1"},
    /* exposure and readout within a frame period at 1 fps */
    {DEV ", 'sim': {'exposure_us': {'color': ", "1", "}}}", true, NULL, NULL},
    {DEV ", 'sim': {'exposure_us': {'color': ", "0", "}}}", false, "sim.exposure_us.color",
     "color is 0, outside the allowed range 1..1000000 us"},
    {DEV ", 'sim': {'readout_us': ", "1000001", "}}", false, "sim.readout_us",
     "readout_us is 1000001, outside the allowed range 0..1000000 us"},
    /* the signal generator and events */
    {DEV ", 'sim': {'signal_generator': {'to': ['A'], 'hz': ", "0.01", "}}}", true, NULL, NULL},
    {DEV ", 'sim': {'signal_generator': {'to': ['A'], 'hz': ", "0.0099", "}}}", false,
     "sim.signal_generator.hz", "hz is 0.0099, outside the allowed range 0.01..300 Hz"},
    {DEV ", 'sim': {'signal_generator': {'to': ['A'], 'hz': ", "300", "}}}", true, NULL, NULL},
    {DEV ", 'sim': {'signal_generator': {'to': ['A'], 'hz': ", "300.5", "}}}", false,
     "sim.signal_generator.hz", "hz is 300.5, outside the allowed range 0.01..300 Hz"},
    {DEV ", 'sim': {'events': [{'cut_cable_to': 'A', 'at_s': ", "31536000", "}]}}", true, NULL,
     NULL},
    {DEV ", 'sim': {'events': [{'cut_cable_to': 'A', 'at_s': ", "31536000.5", "}]}}", false,
     "sim.events[0].at_s",
     "at_s is 3.1536e+07, outside the allowed range 0..31536000 s (within a run"},
    {DEV ", 'sim': {'events': [{'cut_cable_to': 'A', 'at_s': ", "-0.5", "}]}}", false,
     "sim.events[0].at_s", "at_s is -0.5, outside the allowed range 0..31536000 s"},
    /* seeds: any the JSON integer holds */
    {DEV ", 'sim': {'seed': ", "9223372036854775807", "}}", true, NULL, NULL},
    {DEV ", 'sim': {'seed': ", "-1", "}}", false, "sim.seed",
     "seed is -1, outside the allowed range 0..9223372036854775807"},
};

static void every_group_should_take_its_edges_and_refuse_one_past_them(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        const edge_t *e = &edges[i];
        char text[1024];
        snprintf(text, sizeof text, "%s%s%s", e->before, e->value, e->after);
        unquote(text);
        rig_config_t *cfg = NULL;
        rig_config_diag_t d;
        rig_error_t rc = rig_config_parse(text, "r.json", &cfg, &d);
        if (e->ok) {
            if (rc != RIG_OK)
                fail_msg("case %zu (%s) refused: %s: %s", i, e->value, d.field, d.message);
            rig_config_destroy(cfg);
            continue;
        }
        if (rc != RIG_ERROR_CONFIG)
            fail_msg("case %zu (%s%s) accepted", i, e->before, e->value);
        assert_null(cfg);
        /* the value itself: line 1, the column right after the text before it */
        if (d.line != 1 || d.column != (int)strlen(e->before) + 1)
            fail_msg("case %zu at %d:%d, expected 1:%zu", i, d.line, d.column,
                     strlen(e->before) + 1);
        assert_string_equal(d.field, e->field);
        assert_contains(d.message, e->needle);
    }
}

static void parse_should_take_the_resolved_values_at_the_edges(void **state)
{
    (void)state;
    char text[] = DEV ", 'clock_sync_interval_ms': 86400000, 'sim': {'cable_delay_ns': 1000, "
                      "'transport': {'stall_min_us': 10000000, 'stall_max_us': 10000000}}}";
    unquote(text);
    rig_config_t *cfg = NULL;
    assert_int_equal(rig_config_parse(text, "r.json", &cfg, NULL), RIG_OK);
    assert_int_equal(rig_config_clock_sync_interval_ms(cfg), 86400000);
    assert_int_equal(cfg->sim.cable_delay_ns, 1000);
    assert_int_equal(cfg->sim.stall_max_us, 10000000);
    rig_config_destroy(cfg);
}

static void integers_beyond_64_bits_should_say_so(void **state)
{
    (void)state;
    char text[] = "{'clock_sync_interval_ms': 18446744073709551615, 'devices': []}";
    unquote(text);
    rig_config_t *cfg = NULL;
    rig_config_diag_t d;
    assert_int_equal(rig_config_parse(text, "r.json", &cfg, &d), RIG_ERROR_CONFIG);
    assert_int_equal(d.line, 1);
    assert_contains(d.message, "too big integer");
    assert_contains(d.message, "No field takes a number beyond 64 bits");
}

/* ------------------------------------------------------------------------------------------ */
/* The rate rule, whatever triggers the device                                                  */

static rig_config_diag_t refused(const char *squoted)
{
    char text[1024];
    snprintf(text, sizeof text, "%s", squoted);
    unquote(text);
    rig_config_t *cfg = NULL;
    rig_config_diag_t d;
    assert_int_equal(rig_config_parse(text, "r.json", &cfg, &d), RIG_ERROR_CONFIG);
    return d;
}

static rig_config_t *accepted(const char *squoted)
{
    char text[1024];
    snprintf(text, sizeof text, "%s", squoted);
    unquote(text);
    rig_config_t *cfg = NULL;
    rig_config_diag_t d;
    if (rig_config_parse(text, "r.json", &cfg, &d) != RIG_OK)
        fail_msg("refused: %s: %s", d.field, d.message);
    return cfg;
}

static void rate_rule_should_cover_hardware_triggering_behind_a_software_trigger(void **state)
{
    (void)state;
    /* 20 software triggers/s reach B over the daisy chain: 20 x 2 = 40 frames/s > 30 fps */
    rig_config_diag_t d = refused(
        "{'autoTriggerFps': 20, 'devices': [{'sn': 'A', 'config': {'mode': 'SOFTWARE_TRIGGERING', "
        "'trigger_out_enable': true}}, {'sn': 'B', 'config': {'mode': 'HARDWARE_TRIGGERING', "
        "'frames_per_trigger': 2}}]}");
    assert_string_equal(d.field, "devices[1]");
    assert_contains(d.message, "device#1 (B, HARDWARE_TRIGGERING) gets 20 triggers/s from device#0 "
                               "(SOFTWARE_TRIGGERING, autoTriggerFps) and captures 2 frame(s) per "
                               "trigger: 40 frames/s, more than its 30 fps");

    /* without autoTriggerFps the config cannot know; --trigger-hz is checked by the CLI */
    rig_config_t *cfg = accepted(
        "{'devices': [{'sn': 'A', 'config': {'mode': 'SOFTWARE_TRIGGERING', "
        "'trigger_out_enable': true}}, {'sn': 'B', 'config': {'mode': 'HARDWARE_TRIGGERING', "
        "'frames_per_trigger': 2}}]}");
    size_t index = 99;
    char msg[512];
    assert_false(
        rig_config_trigger_rate_exceeded(cfg, 15, "--trigger-hz", &index, msg, sizeof msg));
    assert_true(rig_config_trigger_rate_exceeded(cfg, 16, "--trigger-hz", &index, msg, sizeof msg));
    assert_int_equal(index, 1);
    assert_contains(msg, "gets 16 triggers/s from device#0 (SOFTWARE_TRIGGERING, --trigger-hz)");
    assert_contains(msg, "32 frames/s, more than its 30 fps");
    rig_config_destroy(cfg);
}

static void rate_rule_should_follow_pulses_through_forwarding_devices(void **state)
{
    (void)state;
    /* primary (30 pulses/s) -> forwarding secondary -> HARDWARE_TRIGGERING with 2 frames */
    rig_config_diag_t d = refused(
        "{'devices': [{'sn': 'P', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}}, "
        "{'sn': 'S', 'config': {'mode': 'SECONDARY', 'trigger_out_enable': true}}, "
        "{'sn': 'H', 'config': {'mode': 'HARDWARE_TRIGGERING', 'frames_per_trigger': 2}}]}");
    assert_string_equal(d.field, "devices[2]");
    assert_contains(d.message, "gets 30 triggers/s from device#0 (PRIMARY)");
    /* a secondary that does not forward: no pulses reach H, no rate to break */
    rig_config_destroy(accepted(
        "{'devices': [{'sn': 'P', 'config': {'mode': 'PRIMARY', 'trigger_out_enable': true}}, "
        "{'sn': 'S', 'config': {'mode': 'SECONDARY', 'trigger_out_enable': false}}, "
        "{'sn': 'H', 'config': {'mode': 'HARDWARE_TRIGGERING', 'frames_per_trigger': 2}}]}"));
    /* a slow generator into a forwarding HARDWARE_TRIGGERING device feeding another */
    d = refused("{'devices': [{'sn': 'G', 'config': {'mode': 'HARDWARE_TRIGGERING', "
                "'trigger_out_enable': true, 'frames_per_trigger': 3}}, {'sn': 'H', 'config': "
                "{'mode': 'HARDWARE_TRIGGERING', 'frames_per_trigger': 4}}], 'sim': "
                "{'signal_generator': {'hz': 10, 'to': ['G']}}}");
    assert_string_equal(d.field, "devices[1]");
    assert_contains(d.message, "gets 10 triggers/s from the signal generator and captures 4 "
                               "frame(s) per trigger: 40 frames/s");
}

/* A SECONDARY (one capture per pulse) or SECONDARY_SYNCED (its timer re-phased onto each)
 * fed faster than the stream fps would capture faster than its sensor runs: refused, whoever
 * sends the pulses; at exactly the fps it is fine. */
static void rate_rule_should_cover_secondaries_fed_too_fast(void **state)
{
    (void)state;
    rig_config_diag_t d = refused(
        "{'devices': [{'sn': 'S', 'config': {'mode': 'SECONDARY'}}], "
        "'sim': {'signal_generator': {'hz': 31, 'to': ['S']}}}");
    assert_string_equal(d.field, "devices[0]");
    assert_contains(d.message, "(S, SECONDARY) gets 31 triggers/s from the signal generator and "
                               "captures 1 frame(s) per trigger: 31 frames/s, more than its 30 "
                               "fps; lower the trigger rate to at most the stream fps.");
    d = refused("{'devices': [{'sn': 'G', 'config': {'mode': 'HARDWARE_TRIGGERING', "
                "'trigger_out_enable': true}}, {'sn': 'Y', 'config': {'mode': "
                "'SECONDARY_SYNCED'}}], 'sim': {'signal_generator': {'hz': 60, 'to': ['G']}}}");
    /* G itself is refused first (60 frames/s); with 1 frame per trigger both break the rule */
    assert_string_equal(d.field, "devices[0]");
    rig_config_destroy(accepted("{'devices': [{'sn': 'S', 'config': {'mode': 'SECONDARY'}}], "
                                "'sim': {'signal_generator': {'hz': 30, 'to': ['S']}}}"));
    d = refused("{'devices': [{'sn': 'Y', 'config': {'mode': 'SECONDARY_SYNCED'}}], "
                "'sim': {'signal_generator': {'hz': 45, 'to': ['Y']}}}");
    assert_contains(d.message, "(Y, SECONDARY_SYNCED) gets 45 triggers/s");
}

/* ------------------------------------------------------------------------------------------ */
/* Command-line numbers                                                                         */

static bool arg(rig_range_id_t id, const char *text, uint64_t *u, double *d, char *msg)
{
    return rig_range_parse_arg(rig_range_get(id), "--opt", text, u, d, msg, 512);
}

static void cli_numbers_should_be_plain_digits_within_the_range(void **state)
{
    (void)state;
    char msg[512];
    uint64_t u = 7;
    double d = 7;
    static const char *const tricks[] = {" -1", "-1",  "+5", " 5", "5 ",    "1e3", "0x10",
                                         "nan", "inf", "1x", "",   "1.5.2", "\t1"};
    for (size_t i = 0; i < sizeof tricks / sizeof tricks[0]; i++) {
        assert_false(arg(RIG_RANGE_CLOCK_SYNC_INTERVAL_MS, tricks[i], &u, NULL, msg));
        assert_contains(msg, "--opt wants a whole number in 0..86400000 ms");
        assert_contains(msg, "write plain digits");
        assert_false(arg(RIG_RANGE_CLI_SECONDS, tricks[i], NULL, &d, msg));
        assert_contains(msg,
                        "--opt wants a number in 0.001..31536000 s (a run of 1 ms up to a year)");
    }
    assert_int_equal(u, 7); /* untouched by refusals */
    assert_true(d == 7);
    /* ms interval: edges, and the u64 that wrapped to -1 before */
    assert_true(arg(RIG_RANGE_CLOCK_SYNC_INTERVAL_MS, "0", &u, NULL, msg));
    assert_int_equal(u, 0);
    assert_true(arg(RIG_RANGE_CLOCK_SYNC_INTERVAL_MS, "86400000", &u, NULL, msg));
    assert_int_equal(u, 86400000);
    assert_false(arg(RIG_RANGE_CLOCK_SYNC_INTERVAL_MS, "86400001", &u, NULL, msg));
    assert_contains(msg, "got 86400001, outside that range");
    assert_false(arg(RIG_RANGE_CLOCK_SYNC_INTERVAL_MS, "18446744073709551615", &u, NULL, msg));
    assert_false(arg(RIG_RANGE_CLOCK_SYNC_INTERVAL_MS, "99999999999999999999999", &u, NULL, msg));
    /* seconds: above 0, at most a year */
    assert_false(arg(RIG_RANGE_CLI_SECONDS, "0", NULL, &d, msg));
    assert_false(arg(RIG_RANGE_CLI_SECONDS, "0.0009", NULL, &d, msg));
    assert_true(arg(RIG_RANGE_CLI_SECONDS, "0.001", NULL, &d, msg));
    assert_true(arg(RIG_RANGE_CLI_SECONDS, "31536000", NULL, &d, msg));
    assert_true(d == 31536000.0);
    assert_false(arg(RIG_RANGE_CLI_SECONDS, "31536000.5", NULL, &d, msg));
    assert_true(arg(RIG_RANGE_CLI_SECONDS, "2.5", NULL, &d, msg));
    assert_true(d == 2.5);
    /* seeds: any u64, not one more */
    assert_true(arg(RIG_RANGE_CLI_SEED, "18446744073709551615", &u, NULL, msg));
    assert_true(u == UINT64_MAX);
    assert_false(arg(RIG_RANGE_CLI_SEED, "18446744073709551616", &u, NULL, msg));
    /* software trigger rate: 0.01..90 Hz */
    assert_false(arg(RIG_RANGE_CLI_TRIGGER_HZ, "0", NULL, &d, msg));
    assert_true(arg(RIG_RANGE_CLI_TRIGGER_HZ, "90", NULL, &d, msg));
    assert_false(arg(RIG_RANGE_CLI_TRIGGER_HZ, "90.01", NULL, &d, msg));
    assert_contains(msg, "--opt wants a number in 0.01..90 Hz");
    /* plan N: 1..1000 cameras */
    assert_false(arg(RIG_RANGE_CLI_PLAN_COUNT, "0", &u, NULL, msg));
    assert_true(arg(RIG_RANGE_CLI_PLAN_COUNT, "1000", &u, NULL, msg));
    assert_false(arg(RIG_RANGE_CLI_PLAN_COUNT, "1001", &u, NULL, msg));
}

static void every_row_of_the_table_should_be_complete(void **state)
{
    (void)state;
    for (int i = 0; i < RIG_RANGE_COUNT; i++) {
        const rig_range_t *r = rig_range_get((rig_range_id_t)i);
        assert_non_null(r);
        assert_non_null(r->name);
        assert_non_null(r->unit);
        assert_true(r->why && strlen(r->why) > 5);
        if (r->integer)
            assert_true(r->imin < 0 || (uint64_t)r->imin <= r->imax);
        else
            assert_true(r->min <= r->max);
    }
    assert_null(rig_range_get(RIG_RANGE_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_group_should_take_its_edges_and_refuse_one_past_them),
        cmocka_unit_test(parse_should_take_the_resolved_values_at_the_edges),
        cmocka_unit_test(integers_beyond_64_bits_should_say_so),
        cmocka_unit_test(rate_rule_should_cover_hardware_triggering_behind_a_software_trigger),
        cmocka_unit_test(rate_rule_should_follow_pulses_through_forwarding_devices),
        cmocka_unit_test(rate_rule_should_cover_secondaries_fed_too_fast),
        cmocka_unit_test(cli_numbers_should_be_plain_digits_within_the_range),
        cmocka_unit_test(every_row_of_the_table_should_be_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
