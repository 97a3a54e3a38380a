#include "match/match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define LAT_BUCKET 128 /* frames per bucket of a slot's latency window (two buckets kept) */

typedef struct pset {
    int64_t key;
    unsigned resolved; /* enabled slots filled or known to stay empty */
    unsigned filled;
    rig_match_slot_t *slots;
} pset_t;

typedef struct slot_state {
    rig_match_slot_cfg_t cfg;
    bool seen;
    uint64_t last_index;
    int64_t last_key;
    int64_t last_arrival;
    /* latency window: the largest arrival - key of this bucket and of the one before */
    int64_t lat_cur, lat_prev;
    unsigned lat_n;
    int64_t deadline; /* adaptive: see match.h */
    bool late_any;
    int64_t late_max; /* newest key of a set emitted without this slot */
} slot_state_t;

struct rig_match {
    rig_match_params_t p;
    size_t nslots;
    unsigned enabled;
    slot_state_t *slot;
    int64_t tol;  /* half the shortest period */
    pset_t *sets; /* pending, sorted by key: sets[head .. head+len) in a ring */
    size_t cap, head, len;
    rig_match_slot_t *slot_pool; /* cap * nslots */
    int64_t now;
    uint64_t seq;
    bool emitted_any;
    int64_t emitted_max; /* newest key emitted */
    rig_match_set_fn on_set;
    rig_match_unmatched_fn on_unmatched;
    void *user;
    rig_match_slot_t *emit_buf; /* copy handed to the callback */
};


void rig_match_params_default(rig_match_params_t *p, double period_us)
{
    double three = 3 * period_us;
    p->deadline_us = (int64_t)(three > 100000 ? three : 100000);
    p->silence_us = (int64_t)(7 * period_us);
    p->max_pending = 256;
}

static int64_t deadline_cap(const rig_match_t *m)
{
    return m->p.deadline_us > RIG_MATCH_MAX_DEADLINE_US ? m->p.deadline_us
                                                         : RIG_MATCH_MAX_DEADLINE_US;
}

static void update_tol(rig_match_t *m)
{
    double min_period = INFINITY;
    for (size_t i = 0; i < m->nslots; i++)
        if (m->slot[i].cfg.enabled && m->slot[i].cfg.period_us > 0)
            min_period = fmin(min_period, m->slot[i].cfg.period_us);
    if (!isfinite(min_period))
        min_period = 33333.0;
    m->tol = (int64_t)(min_period / 2);
}

static void slot_reset(rig_match_t *m, slot_state_t *ss)
{
    ss->seen = false;
    ss->last_index = 0;
    ss->last_key = 0;
    ss->last_arrival = 0;
    ss->lat_cur = ss->lat_prev = 0;
    ss->lat_n = 0;
    ss->deadline = m->p.deadline_us;
    /* Every set emitted so far went without it. */
    ss->late_any = m->emitted_any;
    ss->late_max = m->emitted_max;
}

rig_match_t *rig_match_create(const rig_match_slot_cfg_t *slots, size_t nslots,
                              const rig_match_params_t *params, rig_match_set_fn on_set,
                              rig_match_unmatched_fn on_unmatched, void *user)
{
    if (!slots || nslots == 0 || !on_set)
        return NULL;
    rig_match_t *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    double min_period = INFINITY;
    for (size_t i = 0; i < nslots; i++)
        if (slots[i].enabled && slots[i].period_us > 0)
            min_period = fmin(min_period, slots[i].period_us);
    if (!isfinite(min_period))
        min_period = 33333.0;
    if (params)
        m->p = *params;
    else
        rig_match_params_default(&m->p, min_period);
    if (m->p.max_pending < 2)
        m->p.max_pending = 2;
    if (m->p.deadline_us < 0)
        m->p.deadline_us = 0;
    m->nslots = nslots;
    m->cap = m->p.max_pending;
    m->slot = calloc(nslots, sizeof(*m->slot));
    m->sets = calloc(m->cap, sizeof(*m->sets));
    m->slot_pool = calloc(m->cap * nslots, sizeof(*m->slot_pool));
    m->emit_buf = calloc(nslots, sizeof(*m->emit_buf));
    if (!m->slot || !m->sets || !m->slot_pool || !m->emit_buf) {
        rig_match_destroy(m);
        return NULL;
    }
    for (size_t i = 0; i < nslots; i++) {
        m->slot[i].cfg = slots[i];
        slot_reset(m, &m->slot[i]);
        if (slots[i].enabled)
            m->enabled++;
    }
    update_tol(m);
    for (size_t k = 0; k < m->cap; k++)
        m->sets[k].slots = &m->slot_pool[k * nslots];
    m->now = INT64_MIN;
    m->on_set = on_set;
    m->on_unmatched = on_unmatched;
    m->user = user;
    return m;
}

void rig_match_destroy(rig_match_t *m)
{
    if (!m)
        return;
    free(m->slot);
    free(m->sets);
    free(m->slot_pool);
    free(m->emit_buf);
    free(m);
}

size_t rig_match_pending(const rig_match_t *m) { return m ? m->len : 0; }
size_t rig_match_slot_count(const rig_match_t *m) { return m ? m->nslots : 0; }

static pset_t *at(rig_match_t *m, size_t i) { return &m->sets[(m->head + i) % m->cap]; }
static const pset_t *cat(const rig_match_t *m, size_t i)
{
    return &m->sets[(m->head + i) % m->cap];
}

size_t rig_match_pending_frames(const rig_match_t *m, size_t slot)
{
    if (!m || slot >= m->nslots)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < m->len; i++)
        n += cat(m, i)->slots[slot].payload != NULL;
    return n;
}

int64_t rig_match_slot_deadline_us(const rig_match_t *m, size_t slot)
{
    if (!m || slot >= m->nslots)
        return 0;
    return m->slot[slot].deadline;
}

/* Hands set i to the caller and removes it. */
static void emit(rig_match_t *m, size_t i)
{
    pset_t *s = at(m, i);
    for (size_t k = 0; k < m->nslots; k++) {
        rig_match_slot_t sl = s->slots[k];
        if (m->slot[k].cfg.enabled && !sl.payload && sl.status == RIG_SLOT_OK) {
            /* Unresolved at emission: its frame never came in time. */
            int64_t silent_for =
                m->slot[k].seen ? rig_sat_sub(m->now, m->slot[k].last_arrival) : INT64_MAX;
            sl.status = silent_for >= m->p.silence_us ? RIG_SLOT_SILENT : RIG_SLOT_MISSING;
        }
        slot_state_t *ss = &m->slot[k];
        if (ss->cfg.enabled && !sl.payload && (!ss->late_any || s->key > ss->late_max)) {
            ss->late_any = true;
            ss->late_max = s->key;
        }
        m->emit_buf[k] = sl;
    }
    if (!m->emitted_any || s->key > m->emitted_max)
        m->emitted_max = s->key;
    m->emitted_any = true;
    rig_match_set_t out = {m->seq++, s->key, m->nslots, m->emit_buf, s->filled};
    /* Remove before calling out, so the callback sees a consistent matcher. */
    pset_t removed = *s;
    for (size_t j = i; j + 1 < m->len; j++)
        *at(m, j) = *at(m, j + 1);
    *at(m, m->len - 1) = removed; /* keep the slot buffer in the ring */
    m->len--;
    m->on_set(&out, m->user);
}

static void resolve_slot(pset_t *s, size_t k, rig_slot_status_t status)
{
    if (s->slots[k].payload || s->slots[k].status != RIG_SLOT_OK)
        return;
    s->slots[k].status = status;
    s->resolved++;
}

/* Emits every set whose slots are all filled or resolved. */
static void emit_resolved(rig_match_t *m)
{
    for (size_t i = 0; i < m->len;) {
        if (at(m, i)->resolved >= m->enabled)
            emit(m, i);
        else
            i++;
    }
}

static size_t insert_set(rig_match_t *m, int64_t key)
{
    if (m->len == m->cap)
        emit(m, 0); /* bounded memory: the oldest goes out as it is */
    size_t i = m->len;
    while (i > 0 && at(m, i - 1)->key > key)
        i--;
    /* shift [i, len) right by one, reusing the slot buffer at the end */
    pset_t spare = *at(m, m->len);
    for (size_t j = m->len; j > i; j--)
        *at(m, j) = *at(m, j - 1);
    *at(m, i) = spare;
    m->len++;
    pset_t *s = at(m, i);
    s->key = key;
    s->resolved = 0;
    s->filled = 0;
    for (size_t k = 0; k < m->nslots; k++) {
        s->slots[k] = (rig_match_slot_t){RIG_SLOT_OK, NULL, RIG_TS_NONE, RIG_TS_NONE};
        if (!m->slot[k].cfg.enabled)
            s->slots[k].status = RIG_SLOT_MISSING; /* not part of the rig: never waited for */
    }
    return i;
}

/* The slot's latency window and deadline, from one frame's arrival - key. */
static void note_latency(rig_match_t *m, slot_state_t *ss, int64_t lat)
{
    if (lat < 0)
        lat = 0; /* a key ahead of its arrival (bogus timestamp) says nothing of lateness */
    if (lat > ss->lat_cur)
        ss->lat_cur = lat;
    if (++ss->lat_n >= LAT_BUCKET) {
        ss->lat_prev = ss->lat_cur;
        ss->lat_cur = 0;
        ss->lat_n = 0;
    }
    int64_t worst = ss->lat_cur > ss->lat_prev ? ss->lat_cur : ss->lat_prev;
    int64_t d = rig_sat_add(worst, m->tol);
    int64_t cap = deadline_cap(m);
    ss->deadline = d < m->p.deadline_us ? m->p.deadline_us : d > cap ? cap : d;
}

void rig_match_add(rig_match_t *m, size_t slot, int64_t ts_us, uint64_t frame_index,
                   int64_t arrival_us, bool interfered, void *payload)
{
    if (!m)
        return;
    if (slot >= m->nslots || !m->slot[slot].cfg.enabled) {
        if (m->on_unmatched)
            m->on_unmatched(payload, RIG_UNMATCHED_NO_SLOT, m->user);
        return;
    }
    slot_state_t *ss = &m->slot[slot];
    if (arrival_us > m->now)
        m->now = arrival_us;
    if (ts_us == RIG_TS_NONE) {
        if (m->on_unmatched)
            m->on_unmatched(payload, RIG_UNMATCHED_NO_TIME, m->user);
        return;
    }
    int64_t key = rig_sat_sub(ts_us, ss->cfg.offset_us);
    note_latency(m, ss, rig_sat_sub(arrival_us, key));

    /* Frames of a slot come in capture order: every older set still waiting for this slot
     * will never get it. The frame index tells dropped from never captured. */
    bool gap = ss->seen && frame_index > ss->last_index + 1;
    for (size_t i = 0; i < m->len; i++) {
        pset_t *s = at(m, i);
        if (s->key >= rig_sat_sub(key, m->tol))
            break;
        bool in_gap = gap && s->key > rig_sat_add(ss->last_key, m->tol);
        resolve_slot(s, slot, in_gap ? RIG_SLOT_DROPPED : RIG_SLOT_MISSING);
    }
    ss->seen = true;
    ss->last_index = frame_index;
    ss->last_key = key;
    ss->last_arrival = arrival_us;

    /* The nearest waiting set within half a period whose slot is free. */
    size_t best = m->len;
    int64_t best_d = INT64_MAX;
    for (size_t i = m->len; i-- > 0;) {
        pset_t *s = at(m, i);
        int64_t d = rig_sat_sub(s->key, key);
        d = d < 0 ? (d == INT64_MIN ? INT64_MAX : -d) : d;
        if (s->key < rig_sat_sub(key, m->tol))
            break;
        if (d <= m->tol && !s->slots[slot].payload && s->slots[slot].status == RIG_SLOT_OK &&
            d < best_d) {
            best = i;
            best_d = d;
        }
    }
    if (best == m->len) {
        /* Its capture's set (or a newer one) already went out without it: never a second
         * set for that capture. */
        if (ss->late_any && key <= rig_sat_add(ss->late_max, m->tol)) {
            if (m->on_unmatched)
                m->on_unmatched(payload, RIG_UNMATCHED_LATE, m->user);
            emit_resolved(m);
            rig_match_advance(m, m->now);
            return;
        }
        best = insert_set(m, key);
    }
    pset_t *s = at(m, best);
    s->slots[slot] = (rig_match_slot_t){interfered ? RIG_SLOT_INTERFERED : RIG_SLOT_OK, payload,
                                        ts_us, key};
    s->resolved++;
    s->filled++;
    emit_resolved(m);
    rig_match_advance(m, m->now);
}

/* How long set s may wait: the longest adaptive deadline of the slots it still waits for. */
static int64_t set_deadline(const rig_match_t *m, const pset_t *s)
{
    int64_t d = m->p.deadline_us;
    for (size_t k = 0; k < m->nslots; k++) {
        const slot_state_t *ss = &m->slot[k];
        if (ss->cfg.enabled && !s->slots[k].payload && s->slots[k].status == RIG_SLOT_OK &&
            ss->deadline > d)
            d = ss->deadline;
    }
    return d;
}

void rig_match_advance(rig_match_t *m, int64_t now_us)
{
    if (!m)
        return;
    if (now_us > m->now)
        m->now = now_us;
    /* Sets are in key order; a set's capture is about `key` on the host clock too (global
     * time), so it has waited long enough once now passes key + its deadline. */
    while (m->len > 0) {
        const pset_t *s = at(m, 0);
        int64_t waited = rig_sat_sub(m->now, s->key);
        if (waited <= m->p.deadline_us || waited <= set_deadline(m, s))
            break;
        emit(m, 0);
    }
}

void rig_match_flush(rig_match_t *m)
{
    while (m && m->len > 0)
        emit(m, 0);
}

static bool grow(rig_match_t *m, size_t n)
{
    slot_state_t *slot = realloc(m->slot, n * sizeof(*slot));
    if (!slot)
        return false;
    m->slot = slot;
    rig_match_slot_t *pool = calloc(m->cap * n, sizeof(*pool));
    rig_match_slot_t *buf = calloc(n, sizeof(*buf));
    if (!pool || !buf) {
        free(pool);
        free(buf);
        return false;
    }
    for (size_t i = m->nslots; i < n; i++) {
        memset(&m->slot[i], 0, sizeof(m->slot[i]));
        slot_reset(m, &m->slot[i]);
    }
    for (size_t k = 0; k < m->cap; k++) {
        rig_match_slot_t *dst = &pool[k * n];
        memcpy(dst, m->sets[k].slots, m->nslots * sizeof(*dst));
        for (size_t i = m->nslots; i < n; i++)
            dst[i] = (rig_match_slot_t){RIG_SLOT_MISSING, NULL, RIG_TS_NONE, RIG_TS_NONE};
        m->sets[k].slots = dst;
    }
    free(m->slot_pool);
    free(m->emit_buf);
    m->slot_pool = pool;
    m->emit_buf = buf;
    m->nslots = n;
    return true;
}

bool rig_match_set_slot(rig_match_t *m, size_t slot, const rig_match_slot_cfg_t *cfg)
{
    if (!m || !cfg)
        return false;
    if (slot >= m->nslots && !grow(m, slot + 1))
        return false;
    slot_state_t *ss = &m->slot[slot];
    bool was = ss->cfg.enabled;
    ss->cfg = *cfg;
    if (cfg->enabled && !was) {
        m->enabled++;
        slot_reset(m, ss);
        /* Sets waiting now wait for it too. */
        for (size_t i = 0; i < m->len; i++) {
            pset_t *s = at(m, i);
            if (!s->slots[slot].payload)
                s->slots[slot] = (rig_match_slot_t){RIG_SLOT_OK, NULL, RIG_TS_NONE, RIG_TS_NONE};
            else
                s->resolved++;
        }
    } else if (!cfg->enabled && was) {
        m->enabled--;
        for (size_t i = 0; i < m->len; i++) {
            pset_t *s = at(m, i);
            if (s->slots[slot].payload || s->slots[slot].status != RIG_SLOT_OK)
                s->resolved--;
            if (!s->slots[slot].payload)
                s->slots[slot].status = RIG_SLOT_MISSING;
        }
    }
    update_tol(m);
    emit_resolved(m);
    return true;
}
