/* Sync-mode tables and pure mode logic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "mode/mode.h"

static const rig_sync_mode_t all_modes[] = {
    RIG_SYNC_MODE_FREE_RUN,           RIG_SYNC_MODE_STANDALONE,
    RIG_SYNC_MODE_PRIMARY,            RIG_SYNC_MODE_SECONDARY,
    RIG_SYNC_MODE_SECONDARY_SYNCED,   RIG_SYNC_MODE_SOFTWARE_TRIGGERING,
    RIG_SYNC_MODE_HARDWARE_TRIGGERING,
};
#define MODE_COUNT (sizeof all_modes / sizeof all_modes[0])

static rig_sync_config_t cfg_of(rig_sync_mode_t mode, bool trigger_out)
{
    rig_sync_config_t c = rig_sync_config_default();
    c.mode = mode;
    c.trigger_out_enable = trigger_out;
    return c;
}

static void mode_parse_should_accept_any_case_and_the_vendor_prefix(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        rig_sync_mode_t mode;
    } cases[] = {
        {"primary", RIG_SYNC_MODE_PRIMARY},
        {"PRIMARY", RIG_SYNC_MODE_PRIMARY},
        {"Primary", RIG_SYNC_MODE_PRIMARY},
        {"OB_MULTI_DEVICE_SYNC_MODE_PRIMARY", RIG_SYNC_MODE_PRIMARY},
        {"ob_multi_device_sync_mode_secondary_synced", RIG_SYNC_MODE_SECONDARY_SYNCED},
        {"hardware_triggering", RIG_SYNC_MODE_HARDWARE_TRIGGERING},
        {"OB_MULTI_DEVICE_SYNC_MODE_FREE_RUN", RIG_SYNC_MODE_FREE_RUN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rig_sync_mode_t m = 0;
        assert_true(rig_sync_mode_parse(cases[i].name, &m));
        assert_int_equal(m, cases[i].mode);
    }
}

static void mode_parse_should_reject_partial_padded_and_unknown_names(void **state)
{
    (void)state;
    static const char *bad[] = {"PRIM",   "PRIMARY ", " PRIMARY", "", "OB_MULTI_DEVICE_SYNC_MODE_",
                                "MASTER", "OB_MULTI_DEVICE_SYNC_MODE_MASTER", "OB_PRIMARY",
                                "SECONDARYSYNCED"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rig_sync_mode_t m = (rig_sync_mode_t)12345;
        assert_false(rig_sync_mode_parse(bad[i], &m));
        assert_int_equal(m, 12345); /* untouched on failure */
    }
    rig_sync_mode_t m;
    assert_false(rig_sync_mode_parse(NULL, &m));
}

static void mode_name_should_round_trip_and_reject_values_that_are_no_mode(void **state)
{
    (void)state;
    for (size_t i = 0; i < MODE_COUNT; i++) {
        const char *name = rig_sync_mode_name(all_modes[i]);
        assert_non_null(name);
        rig_sync_mode_t m = 0;
        assert_true(rig_sync_mode_parse(name, &m));
        assert_int_equal(m, all_modes[i]);
    }
    assert_string_equal(rig_sync_mode_name(RIG_SYNC_MODE_SECONDARY_SYNCED), "SECONDARY_SYNCED");
    assert_int_equal(RIG_SYNC_MODE_HARDWARE_TRIGGERING, 64); /* vendor values */
    assert_null(rig_sync_mode_name((rig_sync_mode_t)0));
    assert_null(rig_sync_mode_name((rig_sync_mode_t)3));
    assert_null(rig_sync_mode_name((rig_sync_mode_t)128));
}

static void mode_all_names_should_list_every_mode_in_bit_order(void **state)
{
    (void)state;
    assert_string_equal(rig_mode_all_names(),
                        "FREE_RUN, STANDALONE, PRIMARY, SECONDARY, SECONDARY_SYNCED, "
                        "SOFTWARE_TRIGGERING, HARDWARE_TRIGGERING");
}

static void sync_config_default_should_be_standalone_without_delays(void **state)
{
    (void)state;
    rig_sync_config_t c = rig_sync_config_default();
    assert_int_equal(c.mode, RIG_SYNC_MODE_STANDALONE);
    assert_int_equal(c.depth_delay_us, 0);
    assert_int_equal(c.color_delay_us, 0);
    assert_int_equal(c.trigger_to_image_delay_us, 0);
    assert_false(c.trigger_out_enable);
    assert_int_equal(c.trigger_out_delay_us, 0);
    assert_int_equal(c.frames_per_trigger, 1);
}

static void bitmap_format_should_name_modes_in_bit_order_and_stay_terminated(void **state)
{
    (void)state;
    char buf[256];
    rig_mode_bitmap_format(0x2F, buf, sizeof buf);
    assert_string_equal(buf, "FREE_RUN, STANDALONE, PRIMARY, SECONDARY, SOFTWARE_TRIGGERING");
    rig_mode_bitmap_format(0x50, buf, sizeof buf);
    assert_string_equal(buf, "SECONDARY_SYNCED, HARDWARE_TRIGGERING");
    rig_mode_bitmap_format(0, buf, sizeof buf);
    assert_string_equal(buf, "none");
    char small[10];
    memset(small, 'x', sizeof small);
    rig_mode_bitmap_format(RIG_SYNC_MODE_ALL, small, sizeof small);
    assert_true(strlen(small) < sizeof small);
    assert_memory_equal(small, "FREE_RUN", 8);
}

static void model_modes_should_match_the_vendor_bitmaps(void **state)
{
    (void)state;
    static const struct {
        const char *model;
        uint32_t modes;
    } cases[] = {
        {"Femto Bolt", 0x0F},   {"Femto Mega", 0x2F},  {"Astra 2", 0x17},     {"Gemini 210", 0x17},
        {"Gemini 215", 0x17},   {"Gemini 2", 0x77},    {"Gemini 2 L", 0x77},  {"Gemini 2 XL", 0x77},
        {"Gemini 330", 0x77},   {"Gemini 335", 0x77},  {"Gemini 335L", 0x77}, {"Gemini 336", 0x77},
        {"Gemini 336L", 0x77},  {RIG_MODEL_SIM_DEFAULT, 0x7F},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t modes = 0;
        assert_true(rig_model_supported_modes(cases[i].model, &modes));
        assert_int_equal(modes, cases[i].modes);
    }
}

static void model_lookup_should_ignore_case_spaces_dashes_and_underscores(void **state)
{
    (void)state;
    static const struct {
        const char *model;
        uint32_t modes;
    } cases[] = {
        {"femto-mega", 0x2F},  {"FEMTO_BOLT", 0x0F},     {"gemini 2l", 0x77},
        {"Gemini2XL", 0x77},   {"astra-2", 0x17},        {"gemini-335l", 0x77},
        {"RIGSYNC_SIMCAM", 0x7F}, {" Femto  Mega ", 0x2F},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t modes = 0;
        assert_true(rig_model_supported_modes(cases[i].model, &modes));
        assert_int_equal(modes, cases[i].modes);
    }
}

static void model_lookup_should_reject_unknown_families_and_prefixes(void **state)
{
    (void)state;
    static const char *bad[] = {"Femto", "Gemini 33", "Gemini 2 LX", "", "Femto Mega 2",
                                "Gemini 2.L", "Femto Bolts"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t modes = 0xABCD;
        assert_false(rig_model_supported_modes(bad[i], &modes));
        assert_int_equal(modes, 0xABCD);
    }
    uint32_t modes;
    assert_false(rig_model_supported_modes(NULL, &modes));
}

static void model_all_names_should_list_exactly_the_known_models(void **state)
{
    (void)state;
    char names[512];
    strncpy(names, rig_model_all_names(), sizeof names - 1);
    names[sizeof names - 1] = '\0';
    size_t count = 0;
    for (char *name = names; name;) {
        char *next = strstr(name, ", ");
        if (next) {
            *next = '\0';
            next += 2;
        }
        uint32_t modes;
        assert_true(rig_model_supported_modes(name, &modes));
        count++;
        name = next;
    }
    assert_int_equal(count, 14);
    assert_non_null(strstr(rig_model_all_names(), RIG_MODEL_SIM_DEFAULT));
}

static void needs_pulses_should_hold_only_for_secondary_and_hardware_triggering(void **state)
{
    (void)state;
    for (size_t i = 0; i < MODE_COUNT; i++) {
        bool expected = all_modes[i] == RIG_SYNC_MODE_SECONDARY ||
                        all_modes[i] == RIG_SYNC_MODE_HARDWARE_TRIGGERING;
        assert_int_equal(rig_mode_needs_pulses(all_modes[i]), expected);
    }
}

static void pulse_source_should_be_primary_or_software_trigger_whatever_trigger_out(void **state)
{
    (void)state;
    for (size_t i = 0; i < MODE_COUNT; i++) {
        bool expected = all_modes[i] == RIG_SYNC_MODE_PRIMARY ||
                        all_modes[i] == RIG_SYNC_MODE_SOFTWARE_TRIGGERING;
        rig_sync_config_t off = cfg_of(all_modes[i], false), on = cfg_of(all_modes[i], true);
        assert_int_equal(rig_mode_is_pulse_source(&off), expected);
        assert_int_equal(rig_mode_is_pulse_source(&on), expected);
    }
    assert_false(rig_mode_is_pulse_source(NULL));
}

static void drives_sync_out_should_need_trigger_out_and_a_syncing_mode(void **state)
{
    (void)state;
    for (size_t i = 0; i < MODE_COUNT; i++) {
        bool syncing = all_modes[i] != RIG_SYNC_MODE_FREE_RUN &&
                       all_modes[i] != RIG_SYNC_MODE_STANDALONE;
        rig_sync_config_t off = cfg_of(all_modes[i], false), on = cfg_of(all_modes[i], true);
        assert_false(rig_mode_drives_sync_out(&off));
        assert_int_equal(rig_mode_drives_sync_out(&on), syncing);
    }
    assert_false(rig_mode_drives_sync_out(NULL));
}

static void streams_should_be_locked_in_every_mode_but_free_run(void **state)
{
    (void)state;
    for (size_t i = 0; i < MODE_COUNT; i++)
        assert_int_equal(rig_mode_streams_locked(all_modes[i]),
                         all_modes[i] != RIG_SYNC_MODE_FREE_RUN);
}

static void start_order_should_put_listeners_first_sources_last_in_config_order(void **state)
{
    (void)state;
    rig_sync_config_t cfgs[] = {
        cfg_of(RIG_SYNC_MODE_PRIMARY, true),          /* 0: source */
        cfg_of(RIG_SYNC_MODE_STANDALONE, false),      /* 1: other */
        cfg_of(RIG_SYNC_MODE_SECONDARY, true),        /* 2: listener */
        cfg_of(RIG_SYNC_MODE_SOFTWARE_TRIGGERING, true), /* 3: source */
        cfg_of(RIG_SYNC_MODE_HARDWARE_TRIGGERING, false), /* 4: listener */
        cfg_of(RIG_SYNC_MODE_FREE_RUN, false),        /* 5: other */
        cfg_of(RIG_SYNC_MODE_SECONDARY_SYNCED, true), /* 6: listener */
    };
    size_t order[7];
    rig_mode_start_order(cfgs, 7, order);
    const size_t expected[7] = {2, 4, 6, 1, 5, 0, 3};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(order[i], expected[i]);
}

static void start_order_of_the_seed_rig_should_start_the_secondary_first(void **state)
{
    (void)state;
    rig_sync_config_t cfgs[] = {cfg_of(RIG_SYNC_MODE_PRIMARY, true),
                                cfg_of(RIG_SYNC_MODE_SECONDARY, true)};
    size_t order[2] = {99, 99};
    rig_mode_start_order(cfgs, 2, order);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 0);
}

/* Plain O(n*m) Levenshtein, to check the banded version against. */
static unsigned reference_distance(const char *a, const char *b)
{
    unsigned d[33][33];
    size_t la = strlen(a), lb = strlen(b);
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

static void edit_distance_should_equal_levenshtein(void **state)
{
    (void)state;
    assert_int_equal(rig_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(rig_edit_distance("", ""), 0);
    assert_int_equal(rig_edit_distance("", "abc"), 3);
    assert_int_equal(rig_edit_distance("abc", ""), 3);
    assert_int_equal(rig_edit_distance("depth_delay", "depth_delay_us"), 3);
    assert_int_equal(rig_edit_distance("flaw", "lawn"), 2);
    assert_int_equal(rig_edit_distance("Mode", "mode"), 1); /* case counts */

    uint32_t seed = 12345;
    for (int trial = 0; trial < 2000; trial++) {
        char a[33], b[33];
        char *s[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t len = (seed >> 16) % 33;
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                s[k][i] = (char)('a' + (seed >> 16) % 3); /* small alphabet: many matches */
            }
            s[k][len] = '\0';
        }
        assert_int_equal(rig_edit_distance(a, b), reference_distance(a, b));
    }
}

static void edit_distance_should_stay_exact_for_long_strings_and_cap_at_255(void **state)
{
    (void)state;
    char a[401], b[401];
    memset(a, 'a', 400);
    memset(b, 'a', 400);
    a[400] = b[400] = '\0';
    b[0] = 'x';
    b[399] = 'y';
    assert_int_equal(rig_edit_distance(a, b), 2);
    assert_int_equal(rig_edit_distance(a, ""), 255);
    memset(b, 'b', 400);
    assert_int_equal(rig_edit_distance(a, b), 255); /* really 400 */
    a[200] = b[200] = '\0';
    assert_int_equal(rig_edit_distance(a, b), 200);
    a[200] = 'a';
    a[300] = '\0';
    b[200] = 'b';
    b[46] = '\0';
    assert_int_equal(rig_edit_distance(a, b), 255); /* length gap alone is 254; really 300 */
    memset(b, 'a', 46);
    assert_int_equal(rig_edit_distance(a, b), 254); /* on the band's edge, still exact */
}

static void format_parse_should_be_case_insensitive_and_round_trip(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        rig_format_t format;
    } cases[] = {{"y16", RIG_FORMAT_Y16}, {"Y16", RIG_FORMAT_Y16}, {"rgb", RIG_FORMAT_RGB},
                 {"Rgb", RIG_FORMAT_RGB}, {"none", RIG_FORMAT_NONE}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rig_format_t f = (rig_format_t)77;
        assert_true(rig_format_parse(cases[i].name, &f));
        assert_int_equal(f, cases[i].format);
        assert_true(rig_format_parse(rig_format_name(f), &f));
        assert_int_equal(f, cases[i].format);
    }
    rig_format_t f = (rig_format_t)77;
    assert_false(rig_format_parse("RGB8", &f));
    assert_false(rig_format_parse("Y1", &f));
    assert_false(rig_format_parse("", &f));
    assert_int_equal(f, 77);
    assert_string_equal(rig_format_name(RIG_FORMAT_Y16), "Y16");
    assert_string_equal(rig_format_name(RIG_FORMAT_RGB), "RGB");
    assert_string_equal(rig_format_name(RIG_FORMAT_NONE), "NONE");
}

static void format_bytes_per_pixel_should_match_the_layouts(void **state)
{
    (void)state;
    assert_int_equal(rig_format_bytes_per_pixel(RIG_FORMAT_Y16), 2);
    assert_int_equal(rig_format_bytes_per_pixel(RIG_FORMAT_RGB), 3);
    assert_int_equal(rig_format_bytes_per_pixel(RIG_FORMAT_NONE), 0);
    assert_int_equal(rig_format_bytes_per_pixel((rig_format_t)9), 0);
}

static void stream_names_should_be_lower_case_words(void **state)
{
    (void)state;
    assert_string_equal(rig_stream_name(RIG_STREAM_COLOR), "color");
    assert_string_equal(rig_stream_name(RIG_STREAM_DEPTH), "depth");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mode_parse_should_accept_any_case_and_the_vendor_prefix),
        cmocka_unit_test(mode_parse_should_reject_partial_padded_and_unknown_names),
        cmocka_unit_test(mode_name_should_round_trip_and_reject_values_that_are_no_mode),
        cmocka_unit_test(mode_all_names_should_list_every_mode_in_bit_order),
        cmocka_unit_test(sync_config_default_should_be_standalone_without_delays),
        cmocka_unit_test(bitmap_format_should_name_modes_in_bit_order_and_stay_terminated),
        cmocka_unit_test(model_modes_should_match_the_vendor_bitmaps),
        cmocka_unit_test(model_lookup_should_ignore_case_spaces_dashes_and_underscores),
        cmocka_unit_test(model_lookup_should_reject_unknown_families_and_prefixes),
        cmocka_unit_test(model_all_names_should_list_exactly_the_known_models),
        cmocka_unit_test(needs_pulses_should_hold_only_for_secondary_and_hardware_triggering),
        cmocka_unit_test(pulse_source_should_be_primary_or_software_trigger_whatever_trigger_out),
        cmocka_unit_test(drives_sync_out_should_need_trigger_out_and_a_syncing_mode),
        cmocka_unit_test(streams_should_be_locked_in_every_mode_but_free_run),
        cmocka_unit_test(start_order_should_put_listeners_first_sources_last_in_config_order),
        cmocka_unit_test(start_order_of_the_seed_rig_should_start_the_secondary_first),
        cmocka_unit_test(edit_distance_should_equal_levenshtein),
        cmocka_unit_test(edit_distance_should_stay_exact_for_long_strings_and_cap_at_255),
        cmocka_unit_test(format_parse_should_be_case_insensitive_and_round_trip),
        cmocka_unit_test(format_bytes_per_pixel_should_match_the_layouts),
        cmocka_unit_test(stream_names_should_be_lower_case_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
