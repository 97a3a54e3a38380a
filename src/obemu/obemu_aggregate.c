/* librigsync-obemu: the pipeline's frame aggregator (see obemu_internal.h).
 *
 * As the SDK's: every started stream has a queue. While frame sync is off, a frameset is made
 * when every queue holds a frame (one from each), or when a queue reaches 3 frames (its oldest
 * alone). While frame sync is on (the pipeline's default), the frames are matched by device
 * timestamp (milliseconds): the oldest front frame is the reference, and every queue's front
 * frame within half a frame interval of it (the smaller of the two streams' halves, 500 / fps
 * rounded) joins it; a queue that reaches fps * 0.5 + 1 frames (rounded up) forces output.
 * A frameset then goes out if the aggregate output mode lets it: ANY_SITUATION (default) and a
 * single stream: always; COLOR_FRAME_REQUIRE: when it holds color; ALL_TYPE_FRAME_REQUIRE:
 * when it holds every stream; DISABLE: every frame alone. Framesets held back are released and
 * counted (a_unmatched), as the SDK reports them to its status collector. */
#include <stdint.h>
#include <string.h>

#include "obemu_internal.h"

#define NORMAL_QUEUE_LIMIT 3     /* frame sync off */
#define MAX_FRAME_DELAY_S 0.5    /* frame sync on: how long a queue may wait for a match */

void obemu_agg_setup(obemu_agg_t *a, ob_frame_aggregate_output_mode mode,
                     const bool active[OBEMU_STREAM_COUNT], const uint32_t fps[OBEMU_STREAM_COUNT])
{
    a->mode = mode;
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++) {
        a->active[s] = active[s];
        double f = fps[s] ? (double)fps[s] : 30.0;
        double limit = f * MAX_FRAME_DELAY_S + 1.0;
        size_t n = (size_t)limit + ((limit - (double)(size_t)limit) > 0 ? 1 : 0);
        if (mode == OB_FRAME_AGGREGATE_OUTPUT_DISABLE)
            n = 1;
        a->sync_limit[s] = n < OBEMU_AGG_CAP ? n : OBEMU_AGG_CAP;
        a->half_gap_ms[s] = (uint32_t)(500.0 / f + 0.5);
        a->head[s] = a->len[s] = 0;
    }
}

static size_t limit_of(const obemu_agg_t *a, int s)
{
    if (a->mode == OB_FRAME_AGGREGATE_OUTPUT_DISABLE)
        return 1;
    return a->sync ? a->sync_limit[s] : NORMAL_QUEUE_LIMIT;
}

static ob_frame *front(const obemu_agg_t *a, int s) { return a->q[s][a->head[s]]; }

static ob_frame *pop(obemu_agg_t *a, int s)
{
    ob_frame *f = a->q[s][a->head[s]];
    a->head[s] = (a->head[s] + 1) % OBEMU_AGG_CAP;
    a->len[s]--;
    return f;
}

static uint64_t ts_ms(const ob_frame *f)
{
    int64_t t = rig_frame_device_ts_us(f->rf);
    return t < 0 ? 0 : (uint64_t)t / 1000;
}

size_t obemu_agg_push(obemu_agg_t *a, ob_frame *f, ob_frame **out, ob_frame **drop,
                      size_t *ndrop)
{
    int s = (int)obemu_frame_stream(f);
    if (!a->active[s] || a->len[s] == OBEMU_AGG_CAP) {
        /* not a stream of the config (cannot happen: routing filters), or a full queue */
        drop[(*ndrop)++] = f;
        a->unmatched++;
        return 0;
    }
    a->q[s][(a->head[s] + a->len[s]) % OBEMU_AGG_CAP] = f;
    a->len[s]++;
    size_t nout = 0, nactive = 0;
    for (int t = 0; t < OBEMU_STREAM_COUNT; t++)
        nactive += a->active[t];
    for (;;) {
        bool empty = false, overflow = false;
        for (int t = 0; t < OBEMU_STREAM_COUNT; t++) {
            if (!a->active[t])
                continue;
            empty = empty || a->len[t] == 0;
            overflow = overflow || a->len[t] >= limit_of(a, t);
        }
        if (empty && !overflow)
            break;
        ob_frame *set = obemu_new_frameset();
        if (!set)
            break; /* out of memory: the frames wait for the next push */
        size_t count = 0;
        bool color = false;
        if (a->sync && nactive > 1 && a->mode != OB_FRAME_AGGREGATE_OUTPUT_DISABLE) {
            int ref = -1;
            for (int t = 0; t < OBEMU_STREAM_COUNT; t++)
                if (a->active[t] && a->len[t] && (ref < 0 || ts_ms(front(a, t)) < ts_ms(front(a, ref))))
                    ref = t;
            uint64_t ref_ts = ts_ms(front(a, ref));
            for (int t = 0; t < OBEMU_STREAM_COUNT; t++) {
                if (!a->active[t] || !a->len[t])
                    continue;
                uint32_t gap = a->half_gap_ms[t] < a->half_gap_ms[ref] ? a->half_gap_ms[t]
                                                                         : a->half_gap_ms[ref];
                if (ts_ms(front(a, t)) - ref_ts <= gap) {
                    color = color || t == RIG_STREAM_COLOR;
                    obemu_frameset_put(set, pop(a, t));
                    count++;
                }
            }
        } else {
            for (int t = 0; t < OBEMU_STREAM_COUNT; t++) {
                if (!a->active[t] || !a->len[t] || (empty && a->len[t] < limit_of(a, t)))
                    continue;
                color = color || t == RIG_STREAM_COLOR;
                obemu_frameset_put(set, pop(a, t));
                count++;
            }
        }
        bool pass;
        switch (a->mode) {
        case OB_FRAME_AGGREGATE_OUTPUT_COLOR_FRAME_REQUIRE: pass = nactive == 1 || color; break;
        case OB_FRAME_AGGREGATE_OUTPUT_ALL_TYPE_FRAME_REQUIRE: pass = count == nactive; break;
        default: pass = true; break; /* ANY_SITUATION, DISABLE */
        }
        if (pass && count) {
            out[nout++] = set;
        } else {
            a->unmatched += count;
            drop[(*ndrop)++] = set;
        }
        if (!count)
            break;
    }
    return nout;
}

size_t obemu_agg_clear(obemu_agg_t *a, ob_frame **drop)
{
    size_t n = 0;
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
        while (a->len[s])
            drop[n++] = pop(a, s);
    return n;
}
