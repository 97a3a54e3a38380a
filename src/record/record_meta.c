/* A recording's metadata records (record/record_meta.h). */
#include "record/record_meta.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/util.h"
#include "config/config_internal.h"

#define META_PAIRS 64

struct rig_meta {
    rig_recorder_t *rec;
    const char *name;
    rig_mcap_kv_t kv[META_PAIRS];
    char key[META_PAIRS][64];
    char *value[META_PAIRS];
    size_t n;
};

static void flush(rig_meta_t *m)
{
    if (m->n)
        rig_recorder_add_metadata(m->rec, m->name, m->kv, m->n);
    for (size_t i = 0; i < m->n; i++)
        free(m->value[i]);
    m->n = 0;
}

rig_meta_t *rig_meta_begin(rig_recorder_t *r, const char *name)
{
    rig_meta_t *m = calloc(1, sizeof(*m));
    if (m) {
        m->rec = r;
        m->name = name;
    }
    return m;
}

void rig_meta_add(rig_meta_t *m, const char *key, const char *fmt, ...)
{
    if (!m)
        return;
    if (m->n == META_PAIRS)
        flush(m);
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *v = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (v)
        vsnprintf(v, (size_t)len + 1, fmt, ap2);
    va_end(ap2);
    if (!v)
        return;
    rig_strlcpy(m->key[m->n], key, sizeof(m->key[0]));
    m->value[m->n] = v;
    m->kv[m->n].key = m->key[m->n];
    m->kv[m->n].value = v;
    m->n++;
}

void rig_meta_next(rig_meta_t *m, const char *name)
{
    if (!m)
        return;
    flush(m);
    m->name = name;
}

void rig_meta_end(rig_meta_t *m)
{
    if (!m)
        return;
    flush(m);
    free(m);
}

void rig_meta_config(rig_meta_t *m, const rig_config_t *cfg, const rig_meta_source_t *src)
{
    rig_meta_add(m, "source", "%s", rig_config_source(cfg));
    if (cfg->text) /* the whole config, for rigsync run --replay */
        rig_meta_add(m, "json", "%s", cfg->text);
    rig_meta_add(m, "backend", "%s", src->backend);
    rig_meta_add(m, "time", "%s", src->virtual_time ? "virtual" : "real");
    rig_meta_add(m, "pixels", "%s", src->pixels ? "true" : "false");
    if (src->seed_set)
        rig_meta_add(m, "seed", "%" PRIu64, src->seed);
    rig_meta_add(m, "clock_sync_interval_ms", "%" PRIu64,
                 rig_config_clock_sync_interval_ms(cfg));
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        rig_stream_profile_t p = rig_config_stream_profile(cfg, (rig_stream_t)s);
        char key[64];
        rig_fmt(key, sizeof key, "streams.%s", rig_stream_name((rig_stream_t)s));
        rig_meta_add(m, key, "%ux%u@%u %s", p.width, p.height, p.fps, rig_format_name(p.format));
    }
    for (size_t i = 0; i < rig_config_device_count(cfg); i++) {
        rig_sync_config_t sc;
        rig_config_device_sync(cfg, i, &sc);
        char key[64];
        rig_fmt(key, sizeof key, "devices[%zu]", i);
        rig_meta_add(m, key,
                     "serial %s mode %s depth_delay_us %" PRId32 " color_delay_us %" PRId32
                     " trigger_to_image_delay_us %" PRId32 " trigger_out_enable %s "
                     "trigger_out_delay_us %" PRId32 " frames_per_trigger %" PRId32,
                     rig_config_device_serial(cfg, i), rig_sync_mode_name(sc.mode),
                     sc.depth_delay_us, sc.color_delay_us, sc.trigger_to_image_delay_us,
                     sc.trigger_out_enable ? "true" : "false", sc.trigger_out_delay_us,
                     sc.frames_per_trigger);
    }
}

void rig_meta_device(rig_meta_t *m, size_t index, const rig_device_info_t *info,
                     const char *serial)
{
    char key[64];
    rig_fmt(key, sizeof key, "devices[%zu]", index);
    if (info)
        rig_meta_add(m, key, "serial %s model %s timestamp_bits %" PRIu32 " modes 0x%02" PRIX32,
                     info->serial, info->model, info->timestamp_bits, info->supported_modes);
    else
        rig_meta_add(m, key, "serial %s (not present at the start)", serial);
}

void rig_meta_recorder_stats(rig_meta_t *m, const rig_recorder_stats_t *st)
{
    rig_meta_add(m, "recorder.frames_written", "%" PRIu64, st->frames_written);
    rig_meta_add(m, "recorder.images_written", "%" PRIu64, st->images_written);
    rig_meta_add(m, "recorder.framesets_written", "%" PRIu64, st->framesets_written);
    rig_meta_add(m, "recorder.clock_events_written", "%" PRIu64, st->clock_events_written);
    rig_meta_add(m, "recorder.dropped_frames", "%" PRIu64, st->dropped_frames);
    rig_meta_add(m, "recorder.dropped_framesets", "%" PRIu64, st->dropped_framesets);
    rig_meta_add(m, "recorder.dropped_clock_events", "%" PRIu64, st->dropped_clock_events);
    rig_meta_add(m, "recorder.device_events_written", "%" PRIu64, st->device_events_written);
    rig_meta_add(m, "recorder.dropped_device_events", "%" PRIu64, st->dropped_device_events);
}
