/*
 * The orbbec backend's hot-plug (see orbbec.c): the SDK's device-changed callback, on the SDK's
 * thread, only copies the serials of the devices that left and came; a worker thread of the
 * backend updates the device list and tells the core (GONE for an open device, arrivals by
 * serial, together when they came together). The core's recovery then runs on that worker: it
 * calls the backend's ops, never from inside the SDK's callback.
 */
#include "backends/orbbec/orbbec_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Hot-plug                                                                                   */

static void hp_queue_list(ob_state_t *st, ob_device_list *list, bool added)
{
    ob_error *e = NULL;
    uint32_t n = list ? st->fn.ob_device_list_get_count(list, &e) : 0;
    if (e) {
        st->fn.ob_delete_error(e);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        hp_note_t note;
        memset(&note, 0, sizeof(note));
        note.added = added;
        if (!orbbec_list_entry(st, list, i, note.serial, sizeof(note.serial), note.name,
                               sizeof(note.name)))
            continue;
        if (st->hp_nnotes == st->hp_cap) {
            size_t cap = st->hp_cap ? 2 * st->hp_cap : 8;
            hp_note_t *v = realloc(st->hp_notes, cap * sizeof(*v));
            if (!v)
                continue;
            st->hp_notes = v;
            st->hp_cap = cap;
        }
        st->hp_notes[st->hp_nnotes++] = note;
    }
}

/* The SDK's device-changed callback, on the SDK's thread: only list accessors here. */
static void on_devices_changed(ob_device_list *removed, ob_device_list *added, void *user)
{
    ob_state_t *st = user;
    pthread_mutex_lock(&st->hp_lock);
    hp_queue_list(st, removed, false);
    hp_queue_list(st, added, true);
    pthread_cond_signal(&st->hp_wake);
    pthread_mutex_unlock(&st->hp_lock);
    if (removed)
        st->fn.ob_delete_device_list(removed, NULL);
    if (added)
        st->fn.ob_delete_device_list(added, NULL);
}

/* A device that appeared: into the list the core sees (with its mode bitmap, read by opening
 * it briefly, as enumerate does). */
static void hp_add_info(ob_state_t *st, const hp_note_t *note)
{
    rig_device_info_t info;
    memset(&info, 0, sizeof(info));
    rig_strlcpy(info.serial, note->serial, sizeof(info.serial));
    rig_strlcpy(info.model, note->name, sizeof(info.model));
    info.timestamp_bits = 64;
    ob_error *e = NULL;
    ob_device_list *list = st->fn.ob_query_device_list(st->obctx, &e);
    if (!e && list) {
        ob_device *dev = st->fn.ob_device_list_get_device_by_serial_number(list, note->serial, &e);
        if (!e && dev) {
            info.supported_modes =
                st->fn.ob_device_get_supported_multi_device_sync_mode_bitmap(dev, &e);
            st->fn.ob_delete_device(dev, NULL);
        }
    }
    if (e)
        st->fn.ob_delete_error(e);
    if (list)
        st->fn.ob_delete_device_list(list, NULL);
    pthread_mutex_lock(&st->lock);
    size_t k = 0;
    while (k < st->ninfos && strcmp(st->infos[k].serial, note->serial) != 0)
        k++;
    if (k == st->ninfos) {
        rig_device_info_t *v = realloc(st->infos, (st->ninfos + 1) * sizeof(*v));
        if (v) {
            st->infos = v;
            st->ninfos++;
        } else {
            k = SIZE_MAX;
        }
    }
    if (k != SIZE_MAX)
        st->infos[k] = info;
    pthread_mutex_unlock(&st->lock);
}

/* A device that left: out of the list; the core hears of it when rigsync had it open. */
static void hp_remove(ob_state_t *st, const hp_note_t *note)
{
    size_t index = SIZE_MAX;
    pthread_mutex_lock(&st->lock);
    for (size_t k = 0; k < st->ninfos; k++)
        if (strcmp(st->infos[k].serial, note->serial) == 0) {
            st->infos[k] = st->infos[--st->ninfos];
            break;
        }
    for (size_t i = 0; i < st->ndevs; i++)
        if (strcmp(st->devs[i]->serial, note->serial) == 0)
            index = st->devs[i]->index;
    pthread_mutex_unlock(&st->lock);
    if (index != SIZE_MAX)
        rig_context_deliver_device_event(st->ctx, index, RIG_DEVICE_EVENT_GONE,
                                         orbbec_host_now_us(st),
                                         "unplugged (the SDK reported it removed)");
}

static void *hp_worker(void *arg)
{
    ob_state_t *st = arg;
    pthread_mutex_lock(&st->hp_lock);
    for (;;) {
        while (!st->hp_quit && st->hp_nnotes == 0)
            pthread_cond_wait(&st->hp_wake, &st->hp_lock);
        if (st->hp_quit)
            break;
        size_t n = st->hp_nnotes;
        hp_note_t *notes = malloc(n * sizeof(*notes));
        if (notes)
            memcpy(notes, st->hp_notes, n * sizeof(*notes));
        st->hp_nnotes = 0;
        pthread_mutex_unlock(&st->hp_lock);
        const char **serials = notes ? calloc(n, sizeof(*serials)) : NULL;
        size_t na = 0;
        for (size_t i = 0; notes && i < n; i++) {
            if (!notes[i].added) {
                hp_remove(st, &notes[i]);
                continue;
            }
            hp_add_info(st, &notes[i]);
            if (serials)
                serials[na++] = notes[i].serial;
        }
        /* Together, so that the core restarts them in the right order. */
        if (na)
            rig_context_deliver_device_arrivals(st->ctx, serials, na, orbbec_host_now_us(st));
        free(serials);
        free(notes);
        pthread_mutex_lock(&st->hp_lock);
    }
    pthread_mutex_unlock(&st->hp_lock);
    return NULL;
}

/* Registers for hot-plug when the SDK has it (the registering call of v2.9.3, else the older
 * ob_set_device_changed_callback); without it devices that leave are not followed. */
void orbbec_hotplug_start(ob_state_t *st)
{
    if (!st->fn.ob_register_device_changed_callback && !st->fn.ob_set_device_changed_callback)
        return;
    if (pthread_create(&st->hp_thread, NULL, hp_worker, st) != 0)
        return;
    st->hp_started = true;
    ob_error *e = NULL;
    if (st->fn.ob_register_device_changed_callback)
        st->hp_id = st->fn.ob_register_device_changed_callback(st->obctx, on_devices_changed, st,
                                                               &e);
    else
        st->fn.ob_set_device_changed_callback(st->obctx, on_devices_changed, st, &e);
    if (e)
        st->fn.ob_delete_error(e);
    else
        st->hp_registered = true;
}

void orbbec_hotplug_stop(ob_state_t *st)
{
    if (st->hp_registered && st->fn.ob_unregister_device_changed_callback && st->hp_id) {
        st->fn.ob_unregister_device_changed_callback(st->obctx, st->hp_id, NULL);
        st->hp_registered = false;
    }
    if (st->hp_started) {
        pthread_mutex_lock(&st->hp_lock);
        st->hp_quit = true;
        pthread_cond_signal(&st->hp_wake);
        pthread_mutex_unlock(&st->hp_lock);
        pthread_join(st->hp_thread, NULL);
        st->hp_started = false;
    }
}

