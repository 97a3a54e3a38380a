/*
 * librigsync-obemu: hot-plug (see obemu_internal.h). The simulated rig's unplug, replug, reboot
 * and late devices reach the emulator two ways: as device events of its rig context (which runs
 * with manual recovery: a device that returns is only reported), for the devices the program
 * has open, and by watching the bus (the rig's device list) for every other one, as the SDK
 * reports any device that leaves or appears, open or not. The bus is watched before each step
 * of virtual time (at most every OBEMU_HOTPLUG_POLL_MS of simulated time) and every
 * OBEMU_HOTPLUG_POLL_MS of real time by the dispatch thread, while a callback is registered.
 * In virtual time, a program that watches the bus with no device open (the vendor's hot-plug
 * sample) would wait forever for time to move: while a callback is registered and no device
 * has been open for OBEMU_GATE_GRACE_MS of real time, the dispatch thread lets simulated time
 * follow real time, so that the config's events happen; opening a device stops it at once (a
 * program that opens its devices right away, as rigsync does, never sees time move this way).
 * Each device's last reported state (on the bus or not) makes the two ways report a change
 * once. The changes are queued as "removed" and "added" and handed to the callbacks of
 * ob_set_device_changed_callback / ob_register_device_changed_callback on a thread of the
 * emulator's own, as the SDK calls them on its own thread: a callback may call back into the
 * API. Each callback gets its own two lists, which it releases (as with the SDK). A handle of a
 * device that left stays dead: its calls fail; the device that returns is opened anew from the
 * added list.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obemu_internal.h"
#include "rigsync/sim.h"

#define OBEMU_HOTPLUG_POLL_MS 10 /* the bus is looked at this often (real or simulated time) */

struct obemu_hp_cb {
    ob_device_changed_callback cb;
    void *user;
    ob_callback_id id;
};

struct obemu_hp_note {
    bool added;
    rig_device_info_t info;
};

struct obemu_hp_known {
    rig_device_info_t info;
    bool on_bus; /* as last reported to the callbacks (or seen while nobody listened) */
};

/* The entry of a serial seen before, or NULL (hp_lock held). */
static struct obemu_hp_known *find_known(ob_context *c, const char *serial)
{
    for (size_t i = 0; i < c->hp_nknown; i++)
        if (strcmp(c->hp_known[i].info.serial, serial) == 0)
            return &c->hp_known[i];
    return NULL;
}

/* Records a device's details; a new one starts off the bus (hp_lock held). NULL: no memory. */
static struct obemu_hp_known *remember(ob_context *c, const rig_device_info_t *info)
{
    struct obemu_hp_known *k = find_known(c, info->serial);
    if (k) {
        k->info = *info;
        return k;
    }
    struct obemu_hp_known *v = realloc(c->hp_known, (c->hp_nknown + 1) * sizeof(*v));
    if (!v)
        return NULL;
    c->hp_known = v;
    k = &c->hp_known[c->hp_nknown++];
    k->info = *info;
    k->on_bus = false;
    return k;
}

/* Queues one change for the callbacks; dropped when nobody listens, as the SDK drops it
 * (hp_lock held). */
static void queue_note_locked(ob_context *c, bool added, const rig_device_info_t *info)
{
    if (c->hp_ncbs == 0)
        return;
    if (c->hp_nnotes == c->hp_cap) {
        size_t cap = c->hp_cap ? 2 * c->hp_cap : 8;
        struct obemu_hp_note *v = realloc(c->hp_notes, cap * sizeof(*v));
        if (v) {
            c->hp_notes = v;
            c->hp_cap = cap;
        }
    }
    if (c->hp_nnotes < c->hp_cap) {
        c->hp_notes[c->hp_nnotes].added = added;
        c->hp_notes[c->hp_nnotes].info = *info;
        c->hp_nnotes++;
    }
    pthread_cond_signal(&c->hp_wake);
}

/* A device's change of state on the bus, from either way of learning it: reported once
 * (hp_lock held). */
static void note_change_locked(ob_context *c, const rig_device_info_t *info, bool on_bus)
{
    struct obemu_hp_known *k = find_known(c, info->serial);
    if (!k && on_bus)
        k = remember(c, info);
    if (k && k->on_bus == on_bus)
        return; /* already reported */
    if (k)
        k->on_bus = on_bus;
    queue_note_locked(c, on_bus, k ? &k->info : info);
}

/* The rig's device events (on the thread advancing the rig; no lock of ours held but possibly
 * rig_lock): only queued here. */
static void on_rig_event(const rig_device_event_t *ev, void *user)
{
    ob_context *c = user;
    if (ev->kind != RIG_DEVICE_EVENT_GONE && ev->kind != RIG_DEVICE_EVENT_ARRIVED)
        return;
    size_t dead = 0;
    if (ev->kind == RIG_DEVICE_EVENT_GONE) {
        /* Its handles die with it (their calls fail); time waits for them to be released. */
        pthread_mutex_lock(&c->qlock);
        for (ob_device *d = c->devices; d; d = d->next)
            if (d->index == ev->device_index && !atomic_exchange(&d->gone, true))
                dead++;
        for (size_t i = 0; i < c->route_cap; i++)
            for (int s = 0; s < OBEMU_STREAM_COUNT; s++) {
                ob_pipeline *p = c->route[i].owner[s];
                if (p && p->dev->index == ev->device_index)
                    pthread_cond_broadcast(&p->ready);
            }
        pthread_mutex_unlock(&c->qlock);
    }
    bool added = ev->kind == RIG_DEVICE_EVENT_ARRIVED;
    rig_device_info_t now;
    memset(&now, 0, sizeof(now));
    obemu_copy_str(now.serial, sizeof(now.serial), ev->serial);
    bool listed = false;
    if (added) {
        /* Present now: its details from the rig's device list. */
        size_t n = 0;
        rig_context_device_count(c->rig, &n);
        for (size_t i = 0; i < n && !listed; i++)
            listed = rig_context_device_info(c->rig, i, &now) == RIG_OK &&
                     strcmp(now.serial, ev->serial) == 0;
        if (!listed) {
            memset(&now, 0, sizeof(now));
            obemu_copy_str(now.serial, sizeof(now.serial), ev->serial);
        }
    }
    pthread_mutex_lock(&c->hp_lock);
    c->hp_gone_live += dead;
    if (listed)
        remember(c, &now);
    note_change_locked(c, &now, added);
    pthread_mutex_unlock(&c->hp_lock);
}

/* Looks at the bus and reports what changed since the last look (no lock held; changes are
 * dropped when nobody listens, and then only bring the states up to date). With
 * `throttle`, not again before OBEMU_HOTPLUG_POLL_MS of simulated time have passed. */
static void poll_bus(ob_context *c, bool throttle)
{
    pthread_mutex_lock(&c->rig_lock);
    if (throttle) {
        int64_t now_us = 0;
        rig_sim_now_us(c->rig, &now_us);
        if (c->hp_polled && now_us - c->hp_polled_us < OBEMU_HOTPLUG_POLL_MS * 1000) {
            pthread_mutex_unlock(&c->rig_lock);
            return;
        }
        c->hp_polled = true;
        c->hp_polled_us = now_us;
    }
    size_t n = 0;
    rig_context_device_count(c->rig, &n);
    rig_device_info_t *bus = calloc(n ? n : 1, sizeof(*bus));
    size_t m = 0;
    for (size_t i = 0; bus && i < n; i++)
        if (rig_context_device_info(c->rig, i, &bus[m]) == RIG_OK)
            m++;
    /* Under rig_lock: in virtual time, no step (and no rig event) comes in between. */
    pthread_mutex_lock(&c->hp_lock);
    for (size_t k = 0; bus && k < c->hp_nknown; k++) {
        bool present = false;
        for (size_t i = 0; i < m && !present; i++)
            present = strcmp(bus[i].serial, c->hp_known[k].info.serial) == 0;
        if (c->hp_known[k].on_bus && !present) {
            rig_device_info_t gone = c->hp_known[k].info;
            note_change_locked(c, &gone, false);
        }
    }
    for (size_t i = 0; i < m; i++) {
        remember(c, &bus[i]);
        note_change_locked(c, &bus[i], true);
    }
    pthread_mutex_unlock(&c->hp_lock);
    pthread_mutex_unlock(&c->rig_lock);
    free(bus);
}

static int64_t us_between(const struct timespec *a, const struct timespec *b)
{
    return (int64_t)(b->tv_sec - a->tv_sec) * 1000000 + (b->tv_nsec - a->tv_nsec) / 1000;
}

/* Virtual time with no device open (the dispatch thread, no lock held): see the top. */
static void follow_real_time(ob_context *c)
{
    if (!c->virtual_time)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&c->qlock);
    bool none_open = c->devices == NULL;
    pthread_mutex_unlock(&c->qlock);
    if (!none_open) {
        c->hp_no_dev = false;
        return;
    }
    if (!c->hp_no_dev) {
        c->hp_no_dev = true;
        c->hp_idle_since = now;
        c->hp_followed = now;
        return;
    }
    int64_t idle_us = us_between(&c->hp_idle_since, &now);
    if (idle_us < OBEMU_GATE_GRACE_MS * 1000) {
        c->hp_followed = now;
        return;
    }
    int64_t us = us_between(&c->hp_followed, &now);
    if (us > 10 * OBEMU_HOTPLUG_POLL_MS * 1000)
        us = 10 * OBEMU_HOTPLUG_POLL_MS * 1000; /* a stalled host: time does not jump */
    if (us <= 0)
        return;
    c->hp_followed = now;
    pthread_mutex_lock(&c->rig_lock);
    int64_t sim_now = 0;
    rig_sim_now_us(c->rig, &sim_now);
    if (sim_now - c->t0_us + us <= c->stop_after_us)
        rig_sim_advance_us(c->rig, us);
    pthread_mutex_unlock(&c->rig_lock);
}

ob_device_list *obemu_list_of(ob_context *c, const rig_device_info_t *info, size_t n)
{
    ob_device_list *list = calloc(1, sizeof(*list));
    if (!list)
        return NULL;
    list->info = calloc(n ? n : 1, sizeof(*list->info));
    if (!list->info) {
        free(list);
        return NULL;
    }
    if (n)
        memcpy(list->info, info, n * sizeof(*info));
    list->count = (uint32_t)n;
    list->ctx = c;
    obemu_ctx_retain(c);
    return list;
}

static void *hp_thread(void *arg)
{
    ob_context *c = arg;
    pthread_mutex_lock(&c->hp_lock);
    for (;;) {
        while (!c->hp_quit && (c->hp_nnotes == 0 || c->hp_ncbs == 0)) {
            if (c->hp_ncbs == 0) {
                pthread_cond_wait(&c->hp_wake, &c->hp_lock);
                continue;
            }
            /* Someone listens: look at the bus every OBEMU_HOTPLUG_POLL_MS of real time. */
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_nsec += OBEMU_HOTPLUG_POLL_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            if (pthread_cond_timedwait(&c->hp_wake, &c->hp_lock, &until) == ETIMEDOUT &&
                !c->hp_quit) {
                pthread_mutex_unlock(&c->hp_lock);
                follow_real_time(c);
                poll_bus(c, false);
                pthread_mutex_lock(&c->hp_lock);
            }
        }
        if (c->hp_quit)
            break;
        /* One call per batch: what left and what appeared since the last one. */
        size_t n = c->hp_nnotes;
        rig_device_info_t *gone = calloc(n, sizeof(*gone)), *came = calloc(n, sizeof(*came));
        size_t ng = 0, na = 0;
        for (size_t i = 0; gone && came && i < n; i++) {
            if (c->hp_notes[i].added)
                came[na++] = c->hp_notes[i].info;
            else
                gone[ng++] = c->hp_notes[i].info;
        }
        c->hp_nnotes = 0;
        c->hp_dispatching = true;
        size_t ncb = c->hp_ncbs;
        struct obemu_hp_cb *cbs = calloc(ncb, sizeof(*cbs));
        if (cbs)
            memcpy(cbs, c->hp_cbs, ncb * sizeof(*cbs));
        pthread_mutex_unlock(&c->hp_lock);
        for (size_t k = 0; cbs && gone && came && k < ncb; k++) {
            ob_device_list *removed = obemu_list_of(c, gone, ng);
            ob_device_list *added = obemu_list_of(c, came, na);
            if (removed && added)
                cbs[k].cb(removed, added, cbs[k].user);
            else {
                if (removed)
                    ob_delete_device_list(removed, NULL);
                if (added)
                    ob_delete_device_list(added, NULL);
            }
        }
        free(cbs);
        free(gone);
        free(came);
        pthread_mutex_lock(&c->hp_lock);
        c->hp_dispatching = false;
        clock_gettime(CLOCK_MONOTONIC, &c->hp_settle_until);
        c->hp_settle_until.tv_nsec += OBEMU_HOTPLUG_SETTLE_MS * 1000000L;
        if (c->hp_settle_until.tv_nsec >= 1000000000L) {
            c->hp_settle_until.tv_sec++;
            c->hp_settle_until.tv_nsec -= 1000000000L;
        }
        pthread_cond_broadcast(&c->hp_idle);
    }
    pthread_mutex_unlock(&c->hp_lock);
    obemu_ctx_release(c); /* the thread's own reference: last, it may free the context */
    return NULL;
}

void obemu_hotplug_released(ob_context *c)
{
    pthread_mutex_lock(&c->hp_lock);
    if (c->hp_gone_live > 0)
        c->hp_gone_live--;
    pthread_cond_broadcast(&c->hp_idle);
    pthread_mutex_unlock(&c->hp_lock);
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

void obemu_hotplug_settle(ob_context *c)
{
    pthread_mutex_lock(&c->hp_lock);
    bool listening = c->hp_ncbs > 0 && !c->hp_quit;
    pthread_mutex_unlock(&c->hp_lock);
    if (listening)
        poll_bus(c, true); /* before the step: a change reaches the callbacks first */
    struct timespec limit;
    clock_gettime(CLOCK_MONOTONIC, &limit);
    limit.tv_sec += OBEMU_BACKPRESSURE_MS / 1000;
    limit.tv_nsec += (long)(OBEMU_BACKPRESSURE_MS % 1000) * 1000000L;
    if (limit.tv_nsec >= 1000000000L) {
        limit.tv_sec++;
        limit.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&c->hp_lock);
    for (;;) {
        if (c->hp_quit || pthread_equal(c->hp_thread, pthread_self()))
            break; /* (a callback reading frames itself is not waited for) */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!ts_before(&now, &limit))
            break;
        bool busy = (c->hp_nnotes > 0 && c->hp_ncbs > 0) || c->hp_dispatching ||
                    (c->hp_gone_live > 0 && c->hp_ncbs > 0);
        if (!busy && !ts_before(&now, &c->hp_settle_until))
            break;
        bool to_limit = busy || ts_before(&limit, &c->hp_settle_until);
        struct timespec until = to_limit ? limit : c->hp_settle_until;
        pthread_cond_timedwait(&c->hp_idle, &c->hp_lock, &until);
    }
    pthread_mutex_unlock(&c->hp_lock);
}

bool obemu_hotplug_init(ob_context *c)
{
    pthread_mutex_init(&c->hp_lock, NULL);
    obemu_cond_init_monotonic(&c->hp_wake);
    obemu_cond_init_monotonic(&c->hp_idle);
    c->hp_next_id = 1;
    size_t n = 0;
    rig_context_device_count(c->rig, &n);
    for (size_t i = 0; i < n; i++) {
        rig_device_info_t info;
        struct obemu_hp_known *k =
            rig_context_device_info(c->rig, i, &info) == RIG_OK ? remember(c, &info) : NULL;
        if (k)
            k->on_bus = true;
    }
    rig_context_set_device_event_callback(c->rig, on_rig_event, c);
    obemu_ctx_retain(c); /* the thread's */
    if (pthread_create(&c->hp_thread, NULL, hp_thread, c) != 0) {
        atomic_fetch_sub(&c->refs, 1);
        return false;
    }
    c->hp_started = true;
    return true;
}

void obemu_hotplug_stop(ob_context *c)
{
    pthread_mutex_lock(&c->hp_lock);
    bool started = c->hp_started && !pthread_equal(c->hp_thread, pthread_self());
    c->hp_quit = true;
    pthread_cond_signal(&c->hp_wake);
    pthread_mutex_unlock(&c->hp_lock);
    if (started) {
        pthread_join(c->hp_thread, NULL);
        pthread_mutex_lock(&c->hp_lock);
        c->hp_started = false;
        pthread_mutex_unlock(&c->hp_lock);
    }
}

void obemu_hotplug_free(ob_context *c)
{
    if (c->rig)
        rig_context_set_device_event_callback(c->rig, NULL, NULL);
    if (c->hp_started) {
        /* The last reference was the thread's own, dropped on its way out: it ends alone. */
        pthread_detach(c->hp_thread);
    }
    free(c->hp_cbs);
    free(c->hp_notes);
    free(c->hp_known);
    pthread_cond_destroy(&c->hp_wake);
    pthread_cond_destroy(&c->hp_idle);
    pthread_mutex_destroy(&c->hp_lock);
}

static ob_callback_id add_callback(ob_context *c, ob_device_changed_callback cb, void *user,
                                   ob_error **error, const char *function)
{
    if (!c || !cb) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function,
                   !c ? "context = NULL" : "callback = NULL", "%s is NULL",
                   !c ? "context" : "callback");
        return 0;
    }
    poll_bus(c, false); /* a new callback hears of changes from now on only */
    pthread_mutex_lock(&c->hp_lock);
    struct obemu_hp_cb *v = realloc(c->hp_cbs, (c->hp_ncbs + 1) * sizeof(*v));
    ob_callback_id id = 0;
    if (v) {
        c->hp_cbs = v;
        id = c->hp_next_id++;
        c->hp_cbs[c->hp_ncbs++] = (struct obemu_hp_cb){cb, user, id};
        pthread_cond_signal(&c->hp_wake);
    }
    pthread_mutex_unlock(&c->hp_lock);
    if (!id)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "", "out of memory");
    return id;
}

OBEMU_EXPORT void ob_set_device_changed_callback(ob_context *context,
                                                 ob_device_changed_callback callback,
                                                 void *user_data, ob_error **error)
{
    add_callback(context, callback, user_data, error, __func__);
}

OBEMU_EXPORT ob_callback_id ob_register_device_changed_callback(ob_context *context,
                                                                ob_device_changed_callback callback,
                                                                void *user_data, ob_error **error)
{
    return add_callback(context, callback, user_data, error, __func__);
}

OBEMU_EXPORT void ob_unregister_device_changed_callback(ob_context *context,
                                                        ob_callback_id callback_id,
                                                        ob_error **error)
{
    if (!context) {
        FAIL_NULL(error, "context");
        return;
    }
    pthread_mutex_lock(&context->hp_lock);
    for (size_t i = 0; i < context->hp_ncbs; i++)
        if (context->hp_cbs[i].id == callback_id) {
            context->hp_cbs[i] = context->hp_cbs[--context->hp_ncbs];
            break;
        }
    pthread_mutex_unlock(&context->hp_lock);
}
