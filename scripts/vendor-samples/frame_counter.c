/* Frame counter for scripts/vendor-samples.sh: an LD_PRELOAD library, built by the script against
 * the vendor's headers, that counts the frames and framesets the SDK hands to a sample program
 * (what a GUI sample shows in its window, which it never prints). It sits between the sample and
 * the library under test and forwards every call unchanged. The three counters live in a file
 * mapped shared (RIGSYNC_SAMPLES_COUNT_FILE) so that they survive the sample being stopped by a
 * signal at its stop time:
 *   [0] framesets returned by ob_pipeline_wait_for_frameset (non-NULL)
 *   [1] framesets delivered to callbacks of ob_pipeline_start_with_callback
 *   [2] frames delivered to callbacks of ob_sensor_start
 * Not part of the rigsync library or the emulator. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libobsensor/ObSensor.h>

enum { COUNT_WAIT, COUNT_PIPELINE_CB, COUNT_SENSOR_CB, COUNT_N };

static uint64_t *counters(void) {
    static uint64_t *map;
    static int       tried;
    if(!__atomic_load_n(&tried, __ATOMIC_ACQUIRE)) {
        const char *path = getenv("RIGSYNC_SAMPLES_COUNT_FILE");
        uint64_t   *m    = NULL;
        if(path) {
            int fd = open(path, O_RDWR | O_CREAT, 0644);
            if(fd >= 0) {
                if(ftruncate(fd, sizeof(uint64_t) * COUNT_N) == 0) {
                    void *p = mmap(NULL, sizeof(uint64_t) * COUNT_N, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                    if(p != MAP_FAILED)
                        m = p;
                }
                close(fd);
            }
        }
        /* a race here only maps the file twice; both mappings share the same pages */
        __atomic_store_n(&map, m, __ATOMIC_RELEASE);
        __atomic_store_n(&tried, 1, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&map, __ATOMIC_ACQUIRE);
}

static void count(int which) {
    uint64_t *c = counters();
    if(c)
        __atomic_fetch_add(&c[which], 1, __ATOMIC_RELAXED);
}

static void *next(const char *name) {
    return dlsym(RTLD_NEXT, name);
}

/* the sample's callback and its user data, kept for as long as the process lives (a pipeline or
 * sensor may be restarted; a few bytes per start) */
typedef struct {
    ob_frameset_callback frameset_cb;
    ob_frame_callback    frame_cb;
    void                *user_data;
} hop_t;

static void on_frameset(ob_frame *frameset, void *user_data) {
    hop_t *hop = user_data;
    if(frameset)
        count(COUNT_PIPELINE_CB);
    hop->frameset_cb(frameset, hop->user_data);
}

static void on_frame(ob_frame *frame, void *user_data) {
    hop_t *hop = user_data;
    if(frame)
        count(COUNT_SENSOR_CB);
    hop->frame_cb(frame, hop->user_data);
}

ob_frame *ob_pipeline_wait_for_frameset(ob_pipeline *pipeline, uint32_t timeout_ms, ob_error **error) {
    ob_frame *(*real)(ob_pipeline *, uint32_t, ob_error **) = (ob_frame * (*)(ob_pipeline *, uint32_t, ob_error **)) next(__func__);
    ob_frame *f = real(pipeline, timeout_ms, error);
    if(f)
        count(COUNT_WAIT);
    return f;
}

void ob_pipeline_start_with_callback(ob_pipeline *pipeline, const ob_config *config, ob_frameset_callback callback, void *user_data,
                                     ob_error **error) {
    void (*real)(ob_pipeline *, const ob_config *, ob_frameset_callback, void *, ob_error **) =
        (void (*)(ob_pipeline *, const ob_config *, ob_frameset_callback, void *, ob_error **))next(__func__);
    hop_t *hop = callback ? calloc(1, sizeof *hop) : NULL;
    if(!hop) {
        real(pipeline, config, callback, user_data, error);
        return;
    }
    hop->frameset_cb = callback;
    hop->user_data   = user_data;
    real(pipeline, config, on_frameset, hop, error);
}

void ob_sensor_start(ob_sensor *sensor, const ob_stream_profile *profile, ob_frame_callback callback, void *user_data, ob_error **error) {
    void (*real)(ob_sensor *, const ob_stream_profile *, ob_frame_callback, void *, ob_error **) =
        (void (*)(ob_sensor *, const ob_stream_profile *, ob_frame_callback, void *, ob_error **))next(__func__);
    hop_t *hop = callback ? calloc(1, sizeof *hop) : NULL;
    if(!hop) {
        real(sensor, profile, callback, user_data, error);
        return;
    }
    hop->frame_cb  = callback;
    hop->user_data = user_data;
    real(sensor, profile, on_frame, hop, error);
}
