#include "match/match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LATE_MEMORY 8 /* per slot: keys of recent sets emitted without it */

typedef struct pset {
    int64_t key;
    unsigned resolved; /* slots filled or known to stay empty */
    unsigned filled;
    rig_match_slot_t *slots;
} pset_t;

typedef struct slot_state {
    rig_match_slot_cfg_t cfg;
    bool seen;
    uint64_t last_index;
    int64_t last_key;
    int64_t last_arrival;
    int64_t late_keys[LATE_MEMORY]; /* sets emitted with this slot empty */
    unsigned late_n, late_head;
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
    m->nslots = nslots;
    m->tol = (int64_t)(min_period / 2);
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
        if (slots[i].enabled)
            m->enabled++;
    }
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

static pset_t *at(rig_match_t *m, size_t i) { return &m->sets[(m->head + i) % m->cap]; }

/* Hands set i to the caller and removes it, remembering which slots it went without. */
static void emit(rig_match_t *m, size_t i)
{
    pset_t *s = at(m, i);
    for (size_t k = 0; k < m->nslots; k++) {
        rig_match_slot_t sl = s->slots[k];
        if (m->slot[k].cfg.enabled && !sl.payload && sl.status == RIG_SLOT_OK) {
            /* Unresolved at emission: its frame never came in time. */
            int64_t silent_for = m->slot[k].seen ? m->now - m->slot[k].last_arrival : INT64_MAX;
            sl.status = silent_for >= m->p.silence_us ? RIG_SLOT_SILENT : RIG_SLOT_MISSING;
        }
        if (m->slot[k].cfg.enabled && !sl.payload) {
            slot_state_t *ss = &m->slot[k];
            ss->late_keys[ss->late_head] = s->key;
            ss->late_head = (ss->late_head + 1) % LATE_MEMORY;
            if (ss->late_n < LATE_MEMORY)
                ss->late_n++;
        }
        m->emit_buf[k] = sl;
    }
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
        if (at(m, i)->resolved == m->enabled)
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

static bool was_emitted_without(const slot_state_t *ss, int64_t key, int64_t tol)
{
    for (unsigned i = 0; i < ss->late_n; i++)
        if (llabs(ss->late_keys[i] - key) <= tol)
            return true;
    return false;
}

void rig_match_add(rig_match_t *m, size_t slot, int64_t ts_us, uint64_t frame_index,
                   int64_t arrival_us, bool interfered, void *payload)
{
    if (!m || slot >= m->nslots || !m->slot[slot].cfg.enabled)
        return;
    slot_state_t *ss = &m->slot[slot];
    if (arrival_us > m->now)
        m->now = arrival_us;
    if (ts_us == RIG_TS_NONE) {
        if (m->on_unmatched)
            m->on_unmatched(payload, RIG_UNMATCHED_NO_TIME, m->user);
        return;
    }
    int64_t key = ts_us - ss->cfg.offset_us;

    /* Frames of a slot come in capture order: every older set still waiting for this slot
     * will never get it. The frame index tells dropped from never captured. */
    bool gap = ss->seen && frame_index > ss->last_index + 1;
    for (size_t i = 0; i < m->len; i++) {
        pset_t *s = at(m, i);
        if (s->key >= key - m->tol)
            break;
        bool in_gap = gap && s->key > ss->last_key + m->tol;
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
        int64_t d = llabs(s->key - key);
        if (s->key < key - m->tol)
            break;
        if (d <= m->tol && !s->slots[slot].payload && s->slots[slot].status == RIG_SLOT_OK &&
            d < best_d) {
            best = i;
            best_d = d;
        }
    }
    if (best == m->len) {
        if (was_emitted_without(ss, key, m->tol)) {
            if (m->on_unmatched)
                m->on_unmatched(payload, RIG_UNMATCHED_LATE, m->user);
            emit_resolved(m);
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

void rig_match_advance(rig_match_t *m, int64_t now_us)
{
    if (!m)
        return;
    if (now_us > m->now)
        m->now = now_us;
    /* Sets are in key order; a set's capture is about `key` on the host clock too (global
     * time), so it has waited long enough once now passes key + deadline. */
    while (m->len > 0 && m->now - at(m, 0)->key > m->p.deadline_us)
        emit(m, 0);
}

void rig_match_flush(rig_match_t *m)
{
    while (m && m->len > 0)
        emit(m, 0);
}
