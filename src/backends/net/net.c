/* The net backend (include/rigsync/net.h): its state, ops and public entry points. The receive
 * side is net_rx.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/net/net_internal.h"

#include <nng/protocol/pubsub0/sub.h>
#include "common/util.h"
#include "config/config_internal.h"

const char *rig_net_link_name(rig_net_link_t link)
{
    switch (link) {
    case RIG_NET_LINK_CONNECTING:
        return "connecting";
    case RIG_NET_LINK_UP:
        return "up";
    case RIG_NET_LINK_SILENT:
        return "silent";
    case RIG_NET_LINK_DOWN:
        return "down";
    }
    return "?";
}

static void arm(net_state_t *st)
{
    pthread_mutex_lock(&st->lock);
    st->armed = true;
    pthread_mutex_unlock(&st->lock);
}

static rig_error_t open_socket(net_state_t *st, net_host_t *h)
{
    int rv = nng_sub0_open(&h->sock);
    if (rv != 0)
        return rig_context_set_error(st->ctx, RIG_ERROR_BACKEND,
                                     "cannot open an NNG subscriber for host %s: %s", h->name,
                                     nng_strerror(rv));
    h->sock_open = true;
    nng_socket_set(h->sock, NNG_OPT_SUB_SUBSCRIBE, "", 0);
    nng_socket_set_ms(h->sock, NNG_OPT_RECONNMINT, 100);
    nng_socket_set_ms(h->sock, NNG_OPT_RECONNMAXT, 500);
    nng_socket_set_int(h->sock, NNG_OPT_RECVBUF, 8192); /* a round's worth, many times over */
    nng_pipe_notify(h->sock, NNG_PIPE_EV_ADD_POST, net_on_pipe, h);
    nng_pipe_notify(h->sock, NNG_PIPE_EV_REM_POST, net_on_pipe, h);
    /* Non-blocking: a node that is not up yet is dialed again until it answers. */
    rv = nng_dial(h->sock, h->url, &h->dialer, NNG_FLAG_NONBLOCK);
    if (rv != 0)
        return rig_context_set_error(st->ctx, RIG_ERROR_CONFIG,
                                     "host %s: cannot dial its node at %s: %s; check the "
                                     "\"node\" address in the hosts file",
                                     h->name, h->url, nng_strerror(rv));
    return RIG_OK;
}

static void net_destroy(void *state);

static rig_error_t net_create(rig_context_t *ctx, const rig_context_options_t *opts,
                              void **state)
{
    if (!opts->hosts)
        return rig_context_set_error(ctx, RIG_ERROR_INVALID_ARGUMENT,
                                     "the net backend needs the rig's hosts: set "
                                     "rig_context_options_t.hosts (rig_hosts_load)");
    if (opts->time_mode != RIG_TIME_REAL)
        return rig_context_set_error(ctx, RIG_ERROR_INVALID_ARGUMENT,
                                     "the net backend runs in real time only (the nodes' cameras "
                                     "do); use RIG_TIME_REAL");
    net_state_t *st = calloc(1, sizeof(*st));
    if (!st)
        return RIG_ERROR_NO_MEMORY;
    st->ctx = ctx;
    st->hosts = opts->hosts;
    pthread_mutex_init(&st->lock, NULL);
    rig_cond_init_monotonic(&st->cond);
    const rig_config_t *rig = rig_hosts_rig_config(opts->hosts);
    st->ndev = rig_config_device_count(rig);
    st->nhost = rig_hosts_count(opts->hosts);
    st->dev = calloc(st->ndev ? st->ndev : 1, sizeof(*st->dev));
    st->host = calloc(st->nhost ? st->nhost : 1, sizeof(*st->host));
    if (!st->dev || !st->host) {
        net_destroy(st);
        return RIG_ERROR_NO_MEMORY;
    }
    for (size_t i = 0; i < st->ndev; i++) {
        net_dev_t *d = &st->dev[i];
        rig_strlcpy(d->info.serial, rig_config_device_serial(rig, i), sizeof d->info.serial);
        rig_strlcpy(d->info.model, "net", sizeof d->info.model);
        d->info.supported_modes = RIG_SYNC_MODE_ALL;
        d->info.timestamp_bits = 64;
        d->host = rig_hosts_device_host(opts->hosts, i);
        rig_config_device_sync(rig, i, &d->file_sync);
    }
    rig_error_t e = RIG_OK;
    for (size_t k = 0; k < st->nhost; k++) {
        net_host_t *h = &st->host[k];
        h->st = st;
        h->index = k;
        rig_strlcpy(h->name, rig_hosts_name(opts->hosts, k), sizeof h->name);
        rig_strlcpy(h->url, rig_hosts_node_url(opts->hosts, k), sizeof h->url);
        rig_strlcpy(h->stats.name, h->name, sizeof h->stats.name);
        rig_strlcpy(h->stats.url, h->url, sizeof h->stats.url);
        rig_hosts_host_devices(opts->hosts, k, &h->first, &h->count);
        h->lat = calloc(NET_LAT_BUCKETS, sizeof(*h->lat));
        if (!h->lat) {
            e = RIG_ERROR_NO_MEMORY;
            break;
        }
    }
    for (size_t k = 0; e == RIG_OK && k < st->nhost; k++)
        e = open_socket(st, &st->host[k]);
    if (e == RIG_OK) {
        if (pthread_create(&st->thread, NULL, net_rx_main, st) != 0)
            e = rig_context_set_error(ctx, RIG_ERROR_NO_MEMORY, "cannot start the receive thread");
        else
            st->thread_started = true;
    }
    if (e != RIG_OK) {
        net_destroy(st);
        return e;
    }
    /* Every node that is up says HELLO at once: wait for them (a node that is not up joins
     * later, its devices ARRIVED then). */
    int64_t until = rig_monotonic_us() + NET_START_WAIT_US;
    pthread_mutex_lock(&st->lock);
    for (;;) {
        size_t up = 0;
        for (size_t k = 0; k < st->nhost; k++)
            up += st->host[k].link == RIG_NET_LINK_UP;
        int64_t now = rig_monotonic_us();
        if (up == st->nhost || now >= until)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t ns = (int64_t)ts.tv_nsec + RIG_MIN(until - now, 50000) * 1000;
        ts.tv_sec += (time_t)(ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&st->cond, &st->lock, &ts);
    }
    pthread_mutex_unlock(&st->lock);
    *state = st;
    return RIG_OK;
}

/* Closing a socket. Debian's NNG 1.5.2 now and then never returns from nng_close (nng issue
 * 1543, fixed after 1.5.2): the close runs on a thread of its own, waited for a while, then
 * left to finish (or not) on its own; it holds nothing of ours (the pipe callbacks are off). */
typedef struct closer {
    nng_socket sock;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done, abandoned;
} closer_t;

static void closer_free(closer_t *c)
{
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static void *closer_main(void *arg)
{
    closer_t *c = arg;
    nng_close(c->sock);
    pthread_mutex_lock(&c->lock);
    c->done = true;
    bool abandoned = c->abandoned;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
    if (abandoned)
        closer_free(c);
    return NULL;
}

static void close_socket(nng_socket sock, nng_dialer dialer)
{
    nng_pipe_notify(sock, NNG_PIPE_EV_ADD_POST, NULL, NULL);
    nng_pipe_notify(sock, NNG_PIPE_EV_REM_POST, NULL, NULL);
    nng_dialer_close(dialer);
    closer_t *c = calloc(1, sizeof(*c));
    pthread_t th;
    if (!c)
        return; /* left open: the process's end closes it */
    c->sock = sock;
    pthread_mutex_init(&c->lock, NULL);
    rig_cond_init_monotonic(&c->cond);
    if (pthread_create(&th, NULL, closer_main, c) != 0) {
        closer_free(c);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += NET_CLOSE_WAIT_S;
    pthread_mutex_lock(&c->lock);
    while (!c->done && pthread_cond_timedwait(&c->cond, &c->lock, &ts) == 0)
        ;
    bool done = c->done;
    c->abandoned = !done;
    pthread_mutex_unlock(&c->lock);
    if (done) {
        pthread_join(th, NULL);
        closer_free(c);
    } else {
        pthread_detach(th);
    }
}

static void net_destroy(void *state)
{
    net_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    st->stopping = true;
    pthread_mutex_unlock(&st->lock);
    if (st->thread_started)
        pthread_join(st->thread, NULL);
    for (size_t k = 0; st->host && k < st->nhost; k++) {
        if (st->host[k].sock_open)
            close_socket(st->host[k].sock, st->host[k].dialer);
        free(st->host[k].lat);
    }
    free(st->host);
    free(st->dev);
    pthread_cond_destroy(&st->cond);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

static rig_error_t net_device_count(void *state, size_t *count)
{
    net_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    st->armed = true;
    size_t n = 0;
    for (size_t i = 0; i < st->ndev; i++)
        n += st->dev[i].present;
    pthread_mutex_unlock(&st->lock);
    *count = n;
    return RIG_OK;
}

static rig_error_t net_device_info(void *state, size_t index, rig_device_info_t *out)
{
    net_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    st->armed = true;
    for (size_t i = 0; i < st->ndev; i++) {
        if (!st->dev[i].present || index-- != 0)
            continue;
        *out = st->dev[i].info;
        pthread_mutex_unlock(&st->lock);
        return RIG_OK;
    }
    pthread_mutex_unlock(&st->lock);
    return RIG_ERROR_INVALID_ARGUMENT;
}

static size_t find_dev(const net_state_t *st, const char *serial)
{
    for (size_t i = 0; i < st->ndev; i++)
        if (strcmp(st->dev[i].info.serial, serial) == 0)
            return i;
    return SIZE_MAX;
}

static rig_error_t net_open(void *state, const char *serial, size_t dev_index, void **dev)
{
    net_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    st->armed = true;
    size_t i = find_dev(st, serial);
    if (i == SIZE_MAX || !st->dev[i].present) {
        char host[RIG_HOSTS_NAME_MAX + 64] = "";
        if (i != SIZE_MAX)
            rig_fmt(host, sizeof host, " (host %s: %s)", st->host[st->dev[i].host].name,
                    rig_net_link_name(st->host[st->dev[i].host].link));
        pthread_mutex_unlock(&st->lock);
        return rig_context_set_error(st->ctx, RIG_ERROR_NOT_FOUND,
                                     "device %s is %s%s", serial,
                                     i == SIZE_MAX ? "on no host of the hosts file"
                                                   : "not reported by its node now",
                                     host);
    }
    net_dev_t *d = &st->dev[i];
    d->open = true;
    d->started = false;
    d->dev_index = dev_index;
    *dev = d;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static void net_close(void *state, void *dev)
{
    net_state_t *st = state;
    net_dev_t *d = dev;
    pthread_mutex_lock(&st->lock);
    d->open = false;
    d->started = false;
    pthread_mutex_unlock(&st->lock);
}

static rig_error_t net_get_sync(void *state, void *dev, rig_sync_config_t *out)
{
    net_state_t *st = state;
    net_dev_t *d = dev;
    pthread_mutex_lock(&st->lock);
    *out = d->hello_known ? d->hello_sync : d->file_sync;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

/* The first field in which a and b differ, or NULL. */
static const char *sync_diff(const rig_sync_config_t *a, const rig_sync_config_t *b, long *va,
                             long *vb)
{
#define DIFF(f, name)                                                                          \
    if (a->f != b->f) {                                                                        \
        *va = (long)a->f;                                                                      \
        *vb = (long)b->f;                                                                      \
        return name;                                                                           \
    }
    DIFF(mode, "mode")
    DIFF(depth_delay_us, "depth_delay_us")
    DIFF(color_delay_us, "color_delay_us")
    DIFF(trigger_to_image_delay_us, "trigger_to_image_delay_us")
    DIFF(trigger_out_enable, "trigger_out_enable")
    DIFF(trigger_out_delay_us, "trigger_out_delay_us")
    DIFF(frames_per_trigger, "frames_per_trigger")
#undef DIFF
    return NULL;
}

static rig_error_t net_set_sync(void *state, void *dev, const rig_sync_config_t *cfg)
{
    net_state_t *st = state;
    net_dev_t *d = dev;
    pthread_mutex_lock(&st->lock);
    long want = 0, has = 0;
    const char *field = d->hello_known ? sync_diff(cfg, &d->hello_sync, &want, &has) : NULL;
    char host[RIG_HOSTS_NAME_MAX];
    rig_strlcpy(host, st->host[d->host].name, sizeof host);
    if (!field)
        d->file_sync = *cfg;
    pthread_mutex_unlock(&st->lock);
    if (!field)
        return RIG_OK;
    char has_s[32], want_s[32];
    bool mode = strcmp(field, "mode") == 0;
    rig_fmt(has_s, sizeof has_s, "%s", mode ? rig_sync_mode_name((rig_sync_mode_t)has) : "");
    rig_fmt(want_s, sizeof want_s, "%s", mode ? rig_sync_mode_name((rig_sync_mode_t)want) : "");
    if (!mode) {
        rig_fmt(has_s, sizeof has_s, "%ld", has);
        rig_fmt(want_s, sizeof want_s, "%ld", want);
    }
    return rig_context_set_error(
        st->ctx, RIG_ERROR_STATE,
        "host %s, device %s: its node runs %s %s, the hosts file says %s; a node drives its "
        "cameras with its own config: start it from this hosts file (rigsync node --hosts FILE "
        "--host %s)",
        host, d->info.serial, field, has_s, want_s, host);
}

static rig_error_t net_default_profile(void *state, void *dev, rig_stream_t stream,
                                       rig_stream_profile_t *out)
{
    net_state_t *st = state;
    (void)dev;
    *out = rig_config_stream_profile(rig_hosts_rig_config(st->hosts), stream);
    return RIG_OK;
}

static rig_error_t net_start(void *state, void *dev, const rig_stream_profile_t *profiles)
{
    (void)profiles; /* the node started its cameras with its config */
    net_state_t *st = state;
    net_dev_t *d = dev;
    pthread_mutex_lock(&st->lock);
    d->started = true;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t net_stop(void *state, void *dev)
{
    net_state_t *st = state;
    net_dev_t *d = dev;
    pthread_mutex_lock(&st->lock);
    d->started = false;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t net_enable_clock_sync(void *state, uint64_t interval_ms)
{
    (void)interval_ms; /* each node syncs its cameras; their samples come with the frames */
    arm(state);
    return RIG_OK;
}

const rig_backend_ops_t rig_net_backend = {
    .name = "net",
    .create = net_create,
    .destroy = net_destroy,
    .device_count = net_device_count,
    .device_info = net_device_info,
    .open = net_open,
    .close = net_close,
    .get_sync = net_get_sync,
    .set_sync = net_set_sync,
    .default_profile = net_default_profile,
    .start = net_start,
    .stop = net_stop,
    .enable_clock_sync = net_enable_clock_sync,
};

/* ------------------------------------------------------------------------------------------ */
/* Public entry points                                                                        */

static net_state_t *net_of(rig_context_t *ctx)
{
    return ctx ? rig_context_backend_state(ctx, &rig_net_backend) : NULL;
}

size_t rig_net_host_count(rig_context_t *ctx)
{
    net_state_t *st = net_of(ctx);
    return st ? st->nhost : 0;
}

static int64_t percentile(const net_host_t *h, double q)
{
    if (h->lat_n == 0)
        return RIG_TS_NONE;
    uint64_t want = (uint64_t)((double)(h->lat_n - 1) * q) + 1, seen = 0;
    for (size_t b = 0; b < NET_LAT_BUCKETS; b++) {
        seen += h->lat[b];
        if (seen >= want)
            return b + 1 == NET_LAT_BUCKETS ? h->lat_max
                                            : (int64_t)b * NET_LAT_BUCKET_US + NET_LAT_BUCKET_US / 2;
    }
    return h->lat_max;
}

rig_error_t rig_net_host_stats(rig_context_t *ctx, size_t host, rig_net_host_stats_t *out)
{
    net_state_t *st = net_of(ctx);
    if (!st)
        return RIG_ERROR_UNSUPPORTED;
    if (host >= st->nhost || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&st->lock);
    const net_host_t *h = &st->host[host];
    *out = h->stats;
    out->link = h->link;
    out->node_dropped = h->dropped_before + h->dropped_now;
    out->latency_p50_us = percentile(h, 0.50);
    out->latency_p99_us = percentile(h, 0.99);
    out->latency_max_us = h->lat_n ? h->lat_max : RIG_TS_NONE;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}
