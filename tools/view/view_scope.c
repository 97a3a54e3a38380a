/* The sync scope's instants (view_scope.h). */
#include "view_scope.h"

#include <stdlib.h>
#include <string.h>

typedef struct scope_row {
    int64_t ts[VIEW_SCOPE_ROW_CAP]; /* ring, in arrival order */
    size_t head;                    /* next slot */
    size_t count;
    int64_t last_us;                /* newest instant */
} scope_row_t;

struct view_scope {
    size_t device_count;
    int64_t window_us;
    int64_t now_us, first_us;
    scope_row_t *rows; /* [device * RIG_STREAM_COUNT + stream] */
};

view_scope_t *view_scope_create(size_t device_count, int64_t window_us)
{
    view_scope_t *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->rows = calloc(device_count * RIG_STREAM_COUNT + 1, sizeof(*s->rows));
    if (!s->rows) {
        free(s);
        return NULL;
    }
    s->device_count = device_count;
    s->window_us = window_us > 0 ? window_us : 1;
    s->now_us = s->first_us = RIG_TS_NONE;
    for (size_t i = 0; i < device_count * RIG_STREAM_COUNT; i++)
        s->rows[i].last_us = RIG_TS_NONE;
    return s;
}

void view_scope_destroy(view_scope_t *scope)
{
    if (!scope)
        return;
    free(scope->rows);
    free(scope);
}

view_scope_t *view_scope_clone(const view_scope_t *scope)
{
    view_scope_t *c = view_scope_create(scope->device_count, scope->window_us);
    if (!c)
        return NULL;
    c->now_us = scope->now_us;
    c->first_us = scope->first_us;
    memcpy(c->rows, scope->rows, scope->device_count * RIG_STREAM_COUNT * sizeof(*c->rows));
    return c;
}

bool view_scope_add(view_scope_t *scope, size_t device, rig_stream_t stream, int64_t global_ts_us)
{
    if (device >= scope->device_count || (unsigned)stream >= RIG_STREAM_COUNT ||
        global_ts_us == RIG_TS_NONE)
        return false;
    scope_row_t *r = &scope->rows[device * RIG_STREAM_COUNT + (size_t)stream];
    r->ts[r->head] = global_ts_us;
    r->head = (r->head + 1) % VIEW_SCOPE_ROW_CAP;
    if (r->count < VIEW_SCOPE_ROW_CAP)
        r->count++;
    if (r->last_us == RIG_TS_NONE || global_ts_us > r->last_us)
        r->last_us = global_ts_us;
    if (scope->now_us == RIG_TS_NONE || global_ts_us > scope->now_us)
        scope->now_us = global_ts_us;
    if (scope->first_us == RIG_TS_NONE || global_ts_us < scope->first_us)
        scope->first_us = global_ts_us;
    return true;
}

size_t view_scope_device_count(const view_scope_t *scope) { return scope->device_count; }
int64_t view_scope_window_us(const view_scope_t *scope) { return scope->window_us; }
int64_t view_scope_now_us(const view_scope_t *scope) { return scope->now_us; }
int64_t view_scope_first_us(const view_scope_t *scope) { return scope->first_us; }

int64_t view_scope_last_us(const view_scope_t *scope, size_t device, rig_stream_t stream)
{
    if (device >= scope->device_count || (unsigned)stream >= RIG_STREAM_COUNT)
        return RIG_TS_NONE;
    return scope->rows[device * RIG_STREAM_COUNT + (size_t)stream].last_us;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

size_t view_scope_marks(const view_scope_t *scope, size_t device, rig_stream_t stream,
                        int64_t end_us, int64_t *out, size_t cap)
{
    if (device >= scope->device_count || (unsigned)stream >= RIG_STREAM_COUNT)
        return 0;
    const scope_row_t *r = &scope->rows[device * RIG_STREAM_COUNT + (size_t)stream];
    size_t n = 0;
    size_t oldest = (r->head + VIEW_SCOPE_ROW_CAP - r->count) % VIEW_SCOPE_ROW_CAP;
    for (size_t k = 0; k < r->count; k++) {
        int64_t t = r->ts[(oldest + k) % VIEW_SCOPE_ROW_CAP];
        if (t <= end_us - scope->window_us || t > end_us)
            continue;
        if (n < cap)
            out[n] = t;
        n++;
    }
    if (out && n > 1)
        qsort(out, n < cap ? n : cap, sizeof(*out), cmp_i64); /* a late frame: in time order */
    return n;
}

bool view_scope_silent(const view_scope_t *scope, size_t device, int64_t end_us,
                       int64_t period_us)
{
    if (device >= scope->device_count || scope->first_us == RIG_TS_NONE || end_us == RIG_TS_NONE)
        return false;
    int64_t last = scope->first_us;
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        int64_t t = scope->rows[device * RIG_STREAM_COUNT + (size_t)s].last_us;
        if (t != RIG_TS_NONE && t > last)
            last = t;
    }
    return end_us - last > (int64_t)VIEW_SCOPE_SILENT_PERIODS * period_us;
}
