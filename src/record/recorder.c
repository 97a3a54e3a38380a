/* The recorder (see recorder.h): a bounded queue, one writer thread, an MCAP writer. */
#include "record/recorder.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "record/ros2msg.h"

/* A chunk holds ~5 frames with pixels (fewer, larger zstd frames and indexes than one chunk
 * per image); it still closes at least every second (flush_every_us). */
#define RECORDER_CHUNK_SIZE ((size_t)8 << 20)

typedef enum { ITEM_FRAME, ITEM_ENCODED, ITEM_METADATA } item_kind_t;

typedef struct item {
    struct item *next;
    item_kind_t kind;
    rig_frame_t *frame;   /* ITEM_FRAME (retained) */
    int64_t wall_us;      /* ITEM_FRAME: when it was handed over (RIG_TS_NONE: unknown) */
    uint16_t channel;     /* ITEM_ENCODED */
    uint64_t log_time_ns; /* ITEM_ENCODED */
    bool is_set;          /* ITEM_ENCODED: a frameset (else a clock or device event) */
    bool is_device_event; /* ITEM_ENCODED: a device event */
    uint8_t *data;        /* ITEM_ENCODED: CDR; ITEM_METADATA: name\0k\0v\0k\0v\0... */
    size_t len;
    size_t n_kv; /* ITEM_METADATA */
    size_t bytes; /* counted against queue_bytes */
} item_t;

typedef struct {
    uint16_t image, info; /* channel ids */
    uint32_t seq_image, seq_info;
    bool has_compressed; /* .../image_raw/compressed, added at the stream's first MJPG frame */
    uint16_t compressed;
    uint32_t seq_compressed;
} stream_channels_t;

struct rig_recorder {
    rig_recorder_options_t o;
    rig_mcap_writer_t *w;
    size_t n;
    char **serials;
    stream_channels_t (*ch)[RIG_STREAM_COUNT];
    uint16_t ch_sets, ch_clock, ch_devev;
    uint16_t schema_compressed; /* 0 = not added yet */
    uint32_t seq_sets, seq_clock, seq_devev;

    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_cond_t room; /* block_when_full: the writer took an item */
    pthread_t thread;
    bool running, stopping;
    item_t *head, *tail;
    size_t q_items, q_bytes;
    rig_recorder_stats_t st;
    rig_error_t err; /* first write error */
    char err_msg[256];
    char *path;

    rig_cdr_t cdr; /* writer thread only */
    int64_t last_flush_us;      /* wall (monotonic) time of the last chunk flush */
    uint64_t last_flush_log_ns; /* the messages' host time then (virtual time has no wall) */
};

static void set_msg(char *msg, size_t len, const char *text)
{
    if (msg && len)
        rig_strlcpy(msg, text, len);
}

static void free_item(item_t *it)
{
    if (it->frame)
        rig_frame_release(it->frame);
    free(it->data);
    free(it);
}

static void fail(rig_recorder_t *r, const char *what)
{
    pthread_mutex_lock(&r->lock);
    if (r->err == RIG_OK) {
        r->err = RIG_ERROR_IO;
        rig_fmt(r->err_msg, sizeof(r->err_msg), "%s", what);
    }
    pthread_mutex_unlock(&r->lock);
}

static uint64_t ns_of(int64_t us) { return us > 0 ? (uint64_t)us * 1000u : 0; }

/* The message of a write error: the error and the file, what the file holds, what was lost. */
static void describe_failure(rig_recorder_t *r, char *msg, size_t len)
{
    rig_mcap_writer_stats_t ws;
    rig_mcap_writer_get_stats(r->w, &ws);
    if (!ws.recovered) {
        rig_fmt(msg, len, "%s (%s)", r->err_msg, r->path);
        return;
    }
    char dropped[96] = "";
    if (ws.dropped_chunks)
        rig_fmt(dropped, sizeof dropped, " (%" PRIu32 " complete chunks dropped to fit the summary)",
                ws.dropped_chunks);
    rig_fmt(msg, len,
            "%s (%s); %s %" PRIu64 " messages up to host time %.3f s (%.3f s after the first)"
            " in %" PRIu32 " chunks%s; not written: %" PRIu64 " messages of the cut chunk, %" PRIu64
            " items after the error",
            r->err_msg, r->path,
            ws.complete ? "the file was cut back and finished: it holds"
                        : "the file could not be finished (no room for its summary): it holds",
            ws.kept_messages, (double)ws.kept_end_time_ns / 1e9,
            (double)(ws.kept_end_time_ns - ws.kept_start_time_ns) / 1e9, ws.chunk_count, dropped,
            ws.message_count - ws.kept_messages, r->st.not_written);
}

/* The text of the writer's failure. */
static void writer_failed(rig_recorder_t *r)
{
    rig_mcap_writer_stats_t ws;
    rig_mcap_writer_get_stats(r->w, &ws);
    fail(r, ws.error_errno ? strerror(ws.error_errno) : "the file could not be written");
}

/* The CompressedImage channel of a stream (ROS image_transport's topic), added on first use. */
static rig_error_t compressed_channel(rig_recorder_t *r, size_t d, int s, stream_channels_t *c)
{
    if (c->has_compressed)
        return RIG_OK;
    rig_error_t e = RIG_OK;
    if (!r->schema_compressed)
        e = rig_mcap_writer_add_schema(r->w, RIG_ROS2_COMPRESSED_IMAGE, "ros2msg",
                                       rig_ros2_compressed_image_def,
                                       strlen(rig_ros2_compressed_image_def),
                                       &r->schema_compressed);
    char topic[300];
    rig_fmt(topic, sizeof topic, "/rig/%s/%s/image_raw/compressed", r->serials[d],
            rig_stream_name((rig_stream_t)s));
    if (e == RIG_OK)
        e = rig_mcap_writer_add_channel(r->w, r->schema_compressed, topic, "cdr", NULL, 0,
                                        &c->compressed);
    c->has_compressed = e == RIG_OK;
    return e;
}

/* Writer thread side: one item into the file. Returns false on a write error. */
static bool write_item(rig_recorder_t *r, item_t *it)
{
    rig_error_t e = RIG_OK;
    if (it->kind == ITEM_FRAME) {
        rig_frame_t *f = it->frame;
        size_t d = rig_frame_device_index(f);
        int s = (int)rig_frame_stream(f);
        if (d >= r->n || s < 0 || s >= RIG_STREAM_COUNT)
            return true; /* cannot happen: devices are fixed by the config */
        stream_channels_t *c = &r->ch[d][s];
        uint64_t t = ns_of(rig_frame_host_ts_us(f));
        const uint8_t *px;
        size_t n_px;
        if (rig_ros2_encode_compressed_image(&r->cdr, f)) {
            e = r->cdr.failed ? RIG_ERROR_NO_MEMORY : compressed_channel(r, d, s, c);
            if (e == RIG_OK)
                e = rig_mcap_writer_write_message(r->w, c->compressed, c->seq_compressed++, t, t,
                                                  r->cdr.data, r->cdr.len);
            if (e == RIG_OK)
                r->st.images_written++;
        } else if (rig_ros2_encode_image_head(&r->cdr, f, &px, &n_px)) {
            /* the pixels go once, straight from the frame into the chunk */
            if (r->cdr.failed)
                e = RIG_ERROR_NO_MEMORY;
            else
                e = rig_mcap_writer_write_message_parts(r->w, c->image, c->seq_image++, t, t,
                                                        r->cdr.data, r->cdr.len, px, n_px);
            if (e == RIG_OK)
                r->st.images_written++;
        }
        if (e == RIG_OK) {
            rig_ros2_encode_frame_info_wall(&r->cdr, f, it->wall_us);
            e = r->cdr.failed ? RIG_ERROR_NO_MEMORY
                              : rig_mcap_writer_write_message(r->w, c->info, c->seq_info++, t, t,
                                                              r->cdr.data, r->cdr.len);
        }
        if (e == RIG_OK)
            r->st.frames_written++;
    } else if (it->kind == ITEM_ENCODED) {
        uint32_t seq = it->is_set            ? r->seq_sets++
                       : it->is_device_event ? r->seq_devev++
                                             : r->seq_clock++;
        e = rig_mcap_writer_write_message(r->w, it->channel, seq, it->log_time_ns,
                                          it->log_time_ns, it->data, it->len);
        if (e == RIG_OK)
            (it->is_set ? &r->st.framesets_written
             : it->is_device_event ? &r->st.device_events_written
                                   : &r->st.clock_events_written)[0]++;
    } else {
        rig_mcap_kv_t kv[64];
        const char *p = (const char *)it->data;
        const char *name = p;
        p += strlen(p) + 1;
        size_t n = RIG_MIN(it->n_kv, RIG_ARRAY_SIZE(kv));
        for (size_t i = 0; i < n; i++) {
            kv[i].key = p;
            p += strlen(p) + 1;
            kv[i].value = p;
            p += strlen(p) + 1;
        }
        e = rig_mcap_writer_add_metadata(r->w, name, kv, n);
    }
    if (e != RIG_OK) {
        if (e == RIG_ERROR_NO_MEMORY)
            fail(r, "out of memory encoding a message");
        else
            writer_failed(r);
        return false;
    }
    return true;
}

static void flush_chunk(rig_recorder_t *r)
{
    if (rig_mcap_writer_flush_chunk(r->w) != RIG_OK)
        writer_failed(r);
    r->last_flush_us = rig_monotonic_us();
}

/* Log time of an item (0 = none). */
static uint64_t item_time_ns(const item_t *it)
{
    if (it->kind == ITEM_FRAME)
        return ns_of(rig_frame_host_ts_us(it->frame));
    return it->kind == ITEM_ENCODED ? it->log_time_ns : 0;
}

static void *writer_main(void *arg)
{
    rig_recorder_t *r = arg;
    r->last_flush_us = rig_monotonic_us();
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (!r->head && !r->stopping) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 200 * 1000000L; /* wake up to flush a chunk on time when idle */
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&r->cond, &r->lock, &ts);
            if (!r->head && r->err == RIG_OK &&
                rig_monotonic_us() - r->last_flush_us >= r->o.flush_every_us) {
                pthread_mutex_unlock(&r->lock);
                flush_chunk(r);
                pthread_mutex_lock(&r->lock);
            }
        }
        item_t *it = r->head;
        if (!it)
            break; /* stopping and drained */
        r->head = it->next;
        if (!r->head)
            r->tail = NULL;
        r->q_items--;
        r->q_bytes -= it->bytes;
        pthread_cond_broadcast(&r->room);
        bool failed = r->err != RIG_OK;
        pthread_mutex_unlock(&r->lock);
        bool ok = !failed && write_item(r, it);
        /* A chunk closes after a second of wall time or of the messages' host time. */
        uint64_t t = item_time_ns(it);
        if (r->last_flush_log_ns == 0 || t < r->last_flush_log_ns)
            r->last_flush_log_ns = t;
        if (ok && (rig_monotonic_us() - r->last_flush_us >= r->o.flush_every_us ||
                   t - r->last_flush_log_ns >= (uint64_t)r->o.flush_every_us * 1000u)) {
            flush_chunk(r);
            r->last_flush_log_ns = t;
        }
        rig_mcap_writer_stats_t ws;
        rig_mcap_writer_get_stats(r->w, &ws);
        pthread_mutex_lock(&r->lock);
        if (!ok)
            r->st.not_written++;
        r->st.bytes = ws.bytes_written;
        r->st.chunks = ws.chunk_count;
        pthread_mutex_unlock(&r->lock);
        free_item(it);
        pthread_mutex_lock(&r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* Appends it to the writer's queue and wakes the writer (lock held). */
static void push_locked(rig_recorder_t *r, item_t *it)
{
    it->next = NULL;
    if (r->tail)
        r->tail->next = it;
    else
        r->head = it;
    r->tail = it;
    r->q_items++;
    r->q_bytes += it->bytes;
    pthread_cond_signal(&r->cond);
}

/* Queues it, or frees it and counts a drop (*dropped) when the queue is full. */
static void enqueue(rig_recorder_t *r, item_t *it, uint64_t *dropped)
{
    pthread_mutex_lock(&r->lock);
    /* Virtual time (block_when_full): nothing is lost by waiting, so wait for room (a single
     * item larger than the byte budget goes in once the queue is empty). */
    while (r->o.block_when_full && r->running && !r->stopping && r->err == RIG_OK &&
           (r->q_items >= r->o.queue_items ||
            (r->q_items > 0 && r->q_bytes + it->bytes > r->o.queue_bytes)))
        pthread_cond_wait(&r->room, &r->lock);
    bool room = r->running && !r->stopping && r->q_items < r->o.queue_items &&
                (r->q_bytes + it->bytes <= r->o.queue_bytes ||
                 (r->o.block_when_full && r->q_items == 0));
    if (room && r->err != RIG_OK) {
        r->st.not_written++;
        room = false;
        dropped = NULL;
    }
    if (!room) {
        if (dropped)
            (*dropped)++;
        pthread_mutex_unlock(&r->lock);
        free_item(it);
        return;
    }
    push_locked(r, it);
    pthread_mutex_unlock(&r->lock);
}

void rig_recorder_frame(rig_recorder_t *r, rig_frame_t *frame)
{
    rig_recorder_frame_wall(r, frame, RIG_TS_NONE);
}

void rig_recorder_frame_wall(rig_recorder_t *r, rig_frame_t *frame, int64_t wall_us)
{
    item_t *it = calloc(1, sizeof(*it));
    if (!it) {
        pthread_mutex_lock(&r->lock);
        r->st.dropped_frames++;
        pthread_mutex_unlock(&r->lock);
        return;
    }
    rig_frame_retain(frame);
    it->kind = ITEM_FRAME;
    it->frame = frame;
    it->wall_us = wall_us;
    it->bytes = rig_frame_data_size(frame);
    enqueue(r, it, &r->st.dropped_frames);
}

static item_t *enqueue_cdr(rig_recorder_t *r, rig_cdr_t *c, uint16_t ch, int64_t t_us,
                           bool is_set, uint64_t *dropped)
{
    item_t *it = c->failed ? NULL : calloc(1, sizeof(*it));
    if (!it) {
        rig_cdr_free(c);
        pthread_mutex_lock(&r->lock);
        (*dropped)++;
        pthread_mutex_unlock(&r->lock);
        return NULL;
    }
    it->kind = ITEM_ENCODED;
    it->channel = ch;
    it->log_time_ns = ns_of(t_us);
    it->is_set = is_set;
    it->data = c->data;
    it->len = c->len;
    return it;
}

void rig_recorder_frameset(rig_recorder_t *r, const rig_frameset_t *set)
{
    rig_cdr_t c = {0};
    rig_ros2_encode_frame_set(&c, set, (const char *const *)r->serials, r->n);
    /* log time: the latest host time of its frames (when the set could be complete) */
    int64_t t = 0;
    for (size_t d = 0; d < rig_frameset_device_count(set); d++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_frame_t *f = rig_frameset_frame(set, d, (rig_stream_t)s);
            if (f)
                t = RIG_MAX(t, rig_frame_host_ts_us(f));
        }
    item_t *it = enqueue_cdr(r, &c, r->ch_sets, t, true, &r->st.dropped_framesets);
    if (it)
        enqueue(r, it, &r->st.dropped_framesets);
}

void rig_recorder_clock_event(rig_recorder_t *r, const rig_clock_event_t *event)
{
    rig_cdr_t c = {0};
    rig_ros2_encode_clock_event(&c, event,
                                event->device_index < r->n ? r->serials[event->device_index] : "");
    int64_t t = event->kind == RIG_CLOCK_EVENT_TWO_WAY ? event->host_after_us
                                                       : event->host_before_us;
    item_t *it = enqueue_cdr(r, &c, r->ch_clock, t, false, &r->st.dropped_clock_events);
    if (it)
        enqueue(r, it, &r->st.dropped_clock_events);
}

void rig_recorder_device_event(rig_recorder_t *r, const rig_device_event_t *event)
{
    rig_cdr_t c = {0};
    rig_ros2_encode_device_event(&c, event);
    item_t *it = enqueue_cdr(r, &c, r->ch_devev, event->host_ts_us, false,
                             &r->st.dropped_device_events);
    if (it) {
        it->is_device_event = true;
        enqueue(r, it, &r->st.dropped_device_events);
    }
}

rig_error_t rig_recorder_add_metadata(rig_recorder_t *r, const char *name, const rig_mcap_kv_t *kv,
                                      size_t n)
{
    if (!r || !name || (n && !kv) || n > 64)
        return RIG_ERROR_INVALID_ARGUMENT;
    size_t len = strlen(name) + 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(kv[i].key) + strlen(kv[i].value) + 2;
    item_t *it = calloc(1, sizeof(*it));
    char *p = malloc(len);
    if (!it || !p) {
        free(it);
        free(p);
        return RIG_ERROR_NO_MEMORY;
    }
    it->kind = ITEM_METADATA;
    it->data = (uint8_t *)p;
    it->len = len;
    it->n_kv = n;
    size_t off = 0;
    memcpy(p, name, strlen(name) + 1);
    off += strlen(name) + 1;
    for (size_t i = 0; i < n; i++) {
        memcpy(p + off, kv[i].key, strlen(kv[i].key) + 1);
        off += strlen(kv[i].key) + 1;
        memcpy(p + off, kv[i].value, strlen(kv[i].value) + 1);
        off += strlen(kv[i].value) + 1;
    }
    pthread_mutex_lock(&r->lock);
    bool threaded = r->running && !r->stopping;
    pthread_mutex_unlock(&r->lock);
    if (!threaded) { /* after stop: written here, no thread left */
        bool ok = r->err == RIG_OK && write_item(r, it);
        free_item(it);
        return ok ? RIG_OK : RIG_ERROR_IO;
    }
    /* Metadata is never dropped: it waits for room. */
    pthread_mutex_lock(&r->lock);
    push_locked(r, it);
    pthread_mutex_unlock(&r->lock);
    return RIG_OK;
}

static rig_error_t add_channels(rig_recorder_t *r)
{
    uint16_t s_img, s_info, s_set, s_clk, s_dev;
    rig_error_t e = rig_mcap_writer_add_schema(r->w, RIG_ROS2_IMAGE, "ros2msg", rig_ros2_image_def,
                                               strlen(rig_ros2_image_def), &s_img);
    if (e == RIG_OK)
        e = rig_mcap_writer_add_schema(r->w, RIG_ROS2_FRAME_INFO, "ros2msg",
                                       rig_ros2_frame_info_def, strlen(rig_ros2_frame_info_def),
                                       &s_info);
    if (e == RIG_OK)
        e = rig_mcap_writer_add_schema(r->w, RIG_ROS2_FRAME_SET, "ros2msg", rig_ros2_frame_set_def,
                                       strlen(rig_ros2_frame_set_def), &s_set);
    if (e == RIG_OK)
        e = rig_mcap_writer_add_schema(r->w, RIG_ROS2_CLOCK_EVENT, "ros2msg",
                                       rig_ros2_clock_event_def, strlen(rig_ros2_clock_event_def),
                                       &s_clk);
    if (e == RIG_OK)
        e = rig_mcap_writer_add_schema(r->w, RIG_ROS2_DEVICE_EVENT, "ros2msg",
                                       rig_ros2_device_event_def,
                                       strlen(rig_ros2_device_event_def), &s_dev);
    for (size_t d = 0; e == RIG_OK && d < r->n; d++)
        for (int s = 0; e == RIG_OK && s < RIG_STREAM_COUNT; s++) {
            char topic[300];
            const char *sn = rig_stream_name((rig_stream_t)s);
            rig_fmt(topic, sizeof topic, "/rig/%s/%s/image_raw", r->serials[d], sn);
            e = rig_mcap_writer_add_channel(r->w, s_img, topic, "cdr", NULL, 0,
                                            &r->ch[d][s].image);
            rig_fmt(topic, sizeof topic, "/rig/%s/%s/frame_info", r->serials[d], sn);
            if (e == RIG_OK)
                e = rig_mcap_writer_add_channel(r->w, s_info, topic, "cdr", NULL, 0,
                                                &r->ch[d][s].info);
        }
    if (e == RIG_OK)
        e = rig_mcap_writer_add_channel(r->w, s_set, "/rig/framesets", "cdr", NULL, 0,
                                        &r->ch_sets);
    if (e == RIG_OK)
        e = rig_mcap_writer_add_channel(r->w, s_clk, "/rig/clock_events", "cdr", NULL, 0,
                                        &r->ch_clock);
    if (e == RIG_OK)
        e = rig_mcap_writer_add_channel(r->w, s_dev, "/rig/device_events", "cdr", NULL, 0,
                                        &r->ch_devev);
    return e;
}

static void destroy(rig_recorder_t *r)
{
    for (size_t i = 0; r->serials && i < r->n; i++)
        free(r->serials[i]);
    free(r->serials);
    free(r->path);
    free(r->ch);
    rig_cdr_free(&r->cdr);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    pthread_cond_destroy(&r->room);
    free(r);
}

rig_error_t rig_recorder_open(const char *path, const rig_recorder_options_t *options,
                              const char *const *serials, size_t n_devices, rig_recorder_t **out,
                              char *msg, size_t len)
{
    if (!path || !out || (n_devices && !serials)) {
        set_msg(msg, len, "invalid argument");
        return RIG_ERROR_INVALID_ARGUMENT;
    }
    *out = NULL;
    rig_recorder_t *r = calloc(1, sizeof(*r));
    if (!r) {
        set_msg(msg, len, "out of memory");
        return RIG_ERROR_NO_MEMORY;
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    pthread_cond_init(&r->room, NULL);
    if (options)
        r->o = *options;
    if (!r->o.queue_items)
        r->o.queue_items = 4096;
    if (!r->o.queue_bytes)
        r->o.queue_bytes = (size_t)256 << 20;
    if (r->o.flush_every_us <= 0)
        r->o.flush_every_us = 1000000;
    r->n = n_devices;
    r->path = strdup(path);
    r->serials = calloc(n_devices + 1, sizeof(char *));
    r->ch = calloc(n_devices + 1, sizeof(*r->ch));
    bool ok = r->serials && r->ch && r->path;
    for (size_t i = 0; ok && i < n_devices; i++)
        ok = (r->serials[i] = strdup(serials[i])) != NULL;
    if (!ok) {
        destroy(r);
        set_msg(msg, len, "out of memory");
        return RIG_ERROR_NO_MEMORY;
    }
    rig_mcap_writer_options_t wo = {0};
    wo.compression = r->o.compression;
    wo.zstd_level = r->o.zstd_level;
    wo.chunk_size = RECORDER_CHUNK_SIZE;
    wo.zstd_workers = r->o.zstd_workers;
    wo.crc_thread = r->o.crc_thread;
    errno = 0;
    rig_error_t e = rig_mcap_writer_open(path, &wo, &r->w);
    if (e == RIG_OK)
        e = add_channels(r);
    if (e == RIG_OK)
        e = rig_mcap_writer_flush_chunk(r->w); /* header, schemas, channels on disk */
    if (e != RIG_OK) {
        char m[256];
        rig_fmt(m, sizeof m, "%s", errno ? strerror(errno) : rig_error_name(e));
        set_msg(msg, len, m);
        rig_mcap_writer_close(r->w);
        destroy(r);
        return e;
    }
    r->running = true;
    if (pthread_create(&r->thread, NULL, writer_main, r) != 0) {
        rig_mcap_writer_close(r->w);
        destroy(r);
        set_msg(msg, len, "cannot start the writer thread");
        return RIG_ERROR_NO_MEMORY;
    }
    *out = r;
    return RIG_OK;
}

void rig_recorder_get_stats(rig_recorder_t *r, rig_recorder_stats_t *out)
{
    pthread_mutex_lock(&r->lock);
    *out = r->st;
    pthread_mutex_unlock(&r->lock);
}

bool rig_recorder_failed(rig_recorder_t *r)
{
    pthread_mutex_lock(&r->lock);
    bool failed = r->err != RIG_OK;
    pthread_mutex_unlock(&r->lock);
    return failed;
}

rig_error_t rig_recorder_stop(rig_recorder_t *r, char *msg, size_t len)
{
    pthread_mutex_lock(&r->lock);
    bool join = r->running && !r->stopping;
    r->stopping = true;
    pthread_cond_signal(&r->cond);
    pthread_cond_broadcast(&r->room);
    pthread_mutex_unlock(&r->lock);
    if (join) {
        pthread_join(r->thread, NULL);
        pthread_mutex_lock(&r->lock);
        r->running = false;
        pthread_mutex_unlock(&r->lock);
    }
    if (r->err != RIG_OK && msg && len)
        describe_failure(r, msg, len);
    return r->err;
}

rig_error_t rig_recorder_close(rig_recorder_t *r, char *msg, size_t len)
{
    if (!r)
        return RIG_OK;
    rig_recorder_stop(r, NULL, 0);
    rig_error_t e = rig_mcap_writer_finish(r->w);
    if (r->err == RIG_OK && e != RIG_OK) {
        if (e == RIG_ERROR_IO)
            writer_failed(r);
        else
            fail(r, rig_error_name(e));
    }
    e = r->err;
    if (e != RIG_OK && msg && len)
        describe_failure(r, msg, len);
    rig_mcap_writer_close(r->w);
    destroy(r);
    return e;
}
