#include "backends/sim/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_BITS 24
#define SLOT_MASK ((1u << SLOT_BITS) - 1)

static bool before(const sim_heap_key_t *a, const sim_heap_key_t *b)
{
    return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->order_slot < b->order_slot);
}

static bool grow(sim_heap_t *h)
{
    size_t cap = h->pool_cap ? h->pool_cap * 2 : 256;
    if (cap > SLOT_MASK)
        return false;
    sim_event_t *pool = realloc(h->pool, cap * sizeof(*pool));
    if (!pool)
        return false;
    h->pool = pool;
    uint32_t *fs = realloc(h->free_slots, cap * sizeof(*fs));
    if (!fs)
        return false;
    h->free_slots = fs;
    sim_heap_key_t *keys = realloc(h->keys, cap * sizeof(*keys));
    if (!keys)
        return false;
    h->keys = keys;
    for (size_t i = cap; i-- > h->pool_cap;)
        h->free_slots[h->nfree++] = (uint32_t)i;
    h->pool_cap = h->cap = cap;
    return true;
}

bool sim_heap_push(sim_heap_t *h, const sim_event_t *ev)
{
    if (h->nfree == 0 && !grow(h))
        return false;
    uint32_t slot = h->free_slots[--h->nfree];
    h->pool[slot] = *ev;
    h->pool[slot].order = h->next_order;
    sim_heap_key_t k = {ev->t_ns, (h->next_order++ << SLOT_BITS) | slot};
    size_t i = h->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&k, &h->keys[parent]))
            break;
        h->keys[i] = h->keys[parent];
        i = parent;
    }
    h->keys[i] = k;
    return true;
}

bool sim_heap_pop(sim_heap_t *h, sim_event_t *out)
{
    if (h->len == 0)
        return false;
    uint32_t slot = (uint32_t)(h->keys[0].order_slot & SLOT_MASK);
    *out = h->pool[slot];
    h->free_slots[h->nfree++] = slot;
    sim_heap_key_t last = h->keys[--h->len];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const sim_heap_key_t *best = &last;
        if (l < h->len && before(&h->keys[l], best)) {
            m = l;
            best = &h->keys[l];
        }
        if (r < h->len && before(&h->keys[r], best))
            m = r;
        if (m == i)
            break;
        h->keys[i] = h->keys[m];
        i = m;
    }
    if (h->len > 0)
        h->keys[i] = last;
    return true;
}

const sim_event_t *sim_heap_peek(const sim_heap_t *h)
{
    return h->len ? &h->pool[h->keys[0].order_slot & SLOT_MASK] : NULL;
}

void sim_heap_free(sim_heap_t *h)
{
    free(h->keys);
    free(h->pool);
    free(h->free_slots);
    memset(h, 0, sizeof(*h));
}

void sim_rng_seed(sim_rng_t *r, uint64_t seed, uint64_t stream)
{
    r->s = seed * 0x9E3779B97F4A7C15ull ^ (stream + 1) * 0xD1B54A32D192ED03ull;
    (void)sim_rng_u64(r);
}

uint64_t sim_rng_u64(sim_rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double sim_rng_uniform(sim_rng_t *r) { return (double)(sim_rng_u64(r) >> 11) * 0x1.0p-53; }

double sim_rng_range(sim_rng_t *r, double lo, double hi)
{
    return lo + (hi - lo) * sim_rng_uniform(r);
}

double sim_rng_exp(sim_rng_t *r, double mean) { return -mean * log1p(-sim_rng_uniform(r)); }

bool sim_rng_chance(sim_rng_t *r, double p) { return p > 0 && sim_rng_uniform(r) < p; }

double sim_rng_normal(sim_rng_t *r)
{
    double u = 1.0 - sim_rng_uniform(r), v = sim_rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(2.0 * 3.14159265358979323846 * v);
}
