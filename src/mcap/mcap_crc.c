/* CRC-32 of large pieces on a helper thread (see mcap_crc.h). */
#include "mcap/mcap_crc.h"

#include <libdeflate.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <zlib.h>

struct rig_mcap_crc {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    const void *p; /* the piece; busy while set */
    size_t n;
    uint32_t piece_crc;
    bool busy, quit;
};

static void *helper_main(void *arg)
{
    rig_mcap_crc_t *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->busy && !c->quit)
            pthread_cond_wait(&c->cond, &c->lock);
        if (c->quit)
            break;
        const void *p = c->p;
        size_t n = c->n;
        pthread_mutex_unlock(&c->lock);
        uint32_t crc = libdeflate_crc32(0, p, n);
        pthread_mutex_lock(&c->lock);
        c->piece_crc = crc;
        c->busy = false;
        pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

rig_mcap_crc_t *rig_mcap_crc_create(void)
{
    rig_mcap_crc_t *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    if (pthread_create(&c->thread, NULL, helper_main, c) != 0) {
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->cond);
        free(c);
        return NULL;
    }
    return c;
}

void rig_mcap_crc_start(rig_mcap_crc_t *c, const void *p, size_t n)
{
    pthread_mutex_lock(&c->lock);
    c->p = p;
    c->n = n;
    c->busy = true;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

uint32_t rig_mcap_crc_finish(rig_mcap_crc_t *c, uint32_t crc)
{
    pthread_mutex_lock(&c->lock);
    while (c->busy)
        pthread_cond_wait(&c->cond, &c->lock);
    uint32_t piece = c->piece_crc;
    size_t n = c->n;
    pthread_mutex_unlock(&c->lock);
    return (uint32_t)crc32_combine(crc, piece, (z_off_t)n);
}

void rig_mcap_crc_destroy(rig_mcap_crc_t *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->quit = true;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
    free(c);
}
