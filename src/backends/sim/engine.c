#include "backends/sim/engine.h"

#include <math.h>
#include <stdlib.h>

static bool before(const sim_event_t *a, const sim_event_t *b)
{
    return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->order < b->order);
}

bool sim_heap_push(sim_heap_t *h, const sim_event_t *ev)
{
    if (h->len == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        sim_event_t *v = realloc(h->v, cap * sizeof(*v));
        if (!v)
            return false;
        h->v = v;
        h->cap = cap;
    }
    size_t i = h->len++;
    sim_event_t e = *ev;
    e.order = h->next_order++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&e, &h->v[parent]))
            break;
        h->v[i] = h->v[parent];
        i = parent;
    }
    h->v[i] = e;
    return true;
}

bool sim_heap_pop(sim_heap_t *h, sim_event_t *out)
{
    if (h->len == 0)
        return false;
    *out = h->v[0];
    sim_event_t last = h->v[--h->len];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const sim_event_t *best = &last;
        if (l < h->len && before(&h->v[l], best)) {
            m = l;
            best = &h->v[l];
        }
        if (r < h->len && before(&h->v[r], best))
            m = r;
        if (m == i)
            break;
        h->v[i] = h->v[m];
        i = m;
    }
    if (h->len > 0)
        h->v[i] = last;
    return true;
}

const sim_event_t *sim_heap_peek(const sim_heap_t *h) { return h->len ? &h->v[0] : NULL; }

void sim_heap_free(sim_heap_t *h)
{
    free(h->v);
    h->v = NULL;
    h->len = h->cap = 0;
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
