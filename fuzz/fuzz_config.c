/*
 * libFuzzer harness: rig_config_parse on arbitrary bytes. It must never crash, leak or hit
 * undefined behaviour (the build adds ASan + UBSan), and its answer must be coherent: a
 * rejected config comes back as NULL with a terminated message that names a place; an accepted
 * one answers every accessor within its own bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "rigsync/rigsync.h"

static void check_diag(const rig_config_diag_t *d, rig_error_t err)
{
    FUZZ_CHECK(d->code == err, "diag code %d differs from the returned %d", (int)d->code,
               (int)err);
    FUZZ_CHECK(memchr(d->message, '\0', sizeof d->message) != NULL, "message not terminated");
    FUZZ_CHECK(memchr(d->field, '\0', sizeof d->field) != NULL, "field not terminated");
    FUZZ_CHECK(memchr(d->file, '\0', sizeof d->file) != NULL, "file not terminated");
    FUZZ_CHECK(d->message[0] != '\0', "a rejection without a message");
    FUZZ_CHECK(d->line >= 0 && d->column >= 0, "negative position %d:%d", d->line, d->column);
    char line[1200];
    rig_config_diag_format(d, line, sizeof line);
    FUZZ_CHECK(memchr(line, '\0', sizeof line) != NULL, "formatted diag not terminated");
}

static void check_config(const rig_config_t *cfg)
{
    size_t n = rig_config_device_count(cfg);
    FUZZ_CHECK(n > 0, "a config with no device was accepted");
    for (size_t i = 0; i < n; i++) {
        const char *serial = rig_config_device_serial(cfg, i);
        FUZZ_CHECK(serial && serial[0], "device %zu has no serial", i);
        FUZZ_CHECK(rig_config_find_serial(cfg, serial) == (int)i, "serial %zu not found back", i);
        rig_sync_config_t s;
        FUZZ_CHECK(rig_config_device_sync(cfg, i, &s) == RIG_OK, "no sync config for %zu", i);
        FUZZ_CHECK(rig_sync_mode_name(s.mode) != NULL, "device %zu has an invalid mode", i);
        FUZZ_CHECK(s.frames_per_trigger >= 1, "device %zu: frames_per_trigger %d", i,
                   (int)s.frames_per_trigger);
        int src = rig_config_pulse_source(cfg, i);
        FUZZ_CHECK(src >= -1 && src < (int)n && src != (int)i, "device %zu: pulse source %d", i,
                   src);
        char why[512];
        (void)rig_config_explain_no_pulses(cfg, i, why, sizeof why);
        int line = 0, col = 0;
        char path[256];
        for (int part = 0; part <= 2; part++) {
            rig_config_device_location(cfg, i, (rig_config_part_t)part, &line, &col, path,
                                       sizeof path);
            FUZZ_CHECK(line >= 0 && col >= 0, "device %zu: location %d:%d", i, line, col);
        }
    }
    FUZZ_CHECK(rig_config_device_serial(cfg, n) == NULL, "a serial past the end");
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        rig_stream_profile_t p = rig_config_stream_profile(cfg, (rig_stream_t)s);
        FUZZ_CHECK(p.fps >= 1 && p.width >= 1 && p.height >= 1, "stream %d: %ux%u at %u fps", s,
                   p.width, p.height, p.fps);
    }
    (void)rig_config_clock_sync_interval_ms(cfg);
    (void)rig_config_has_sim(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    rig_config_t *cfg = (rig_config_t *)text; /* must be overwritten with NULL on failure */
    rig_config_diag_t diag;
    rig_error_t err = rig_config_parse(text, "fuzz.json", &cfg, &diag);
    if (err == RIG_OK) {
        FUZZ_CHECK(cfg != NULL, "RIG_OK without a config");
        check_config(cfg);
        rig_config_destroy(cfg);
    } else {
        FUZZ_CHECK(cfg == NULL, "a rejected config left *out set");
        check_diag(&diag, err);
    }
    free(text);
    return 0;
}
