/* librigsync-obemu: a pipeline's status and health monitor (the vendor's Pipeline.h
 * ob_pipeline_get_status, ob_pipeline_enable_health_monitor). The emulator reports what its
 * pipeline sees: framesets dropped for a full queue (OB_SDK_STATUS_FRAME_QUEUE_OVERFLOW), frames
 * held back by the aggregate output mode (OB_SDK_STATUS_FRAME_DROP_MATCH), waits that timed out
 * (OB_SDK_STATUS_FRAME_WAIT_TIMEOUT). Device and driver status: always 0 (nothing to fail). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "obemu_internal.h"

ob_pipeline_status obemu_pipeline_take_status(ob_pipeline *p)
{
    ob_context *c = p->dev->ctx;
    ob_pipeline_status st;
    memset(&st, 0, sizeof(st));
    pthread_mutex_lock(&c->qlock);
    st.sdkStatus = p->sdk_status;
    p->sdk_status = 0;
    pthread_mutex_unlock(&c->qlock);
    st.issue = st.sdkStatus ? OB_PIPELINE_ISSUE_SDK : OB_PIPELINE_ISSUE_NONE;
    return st;
}

OBEMU_EXPORT ob_pipeline_status ob_pipeline_get_status(ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        ob_pipeline_status none;
        memset(&none, 0, sizeof(none));
        FAIL_NULL(error, "pipeline");
        return none;
    }
    return obemu_pipeline_take_status(pipeline);
}

/* Every interval (real time), the status since the last poll; the callback hears of issues. */
static void *health_main(void *arg)
{
    ob_pipeline *p = arg;
    while (!atomic_load(&p->health_quit)) {
        uint32_t left = p->health_interval_ms;
        while (left && !atomic_load(&p->health_quit)) {
            uint32_t step = left < 20 ? left : 20;
            struct timespec ts = {0, (long)step * 1000000L};
            nanosleep(&ts, NULL);
            left -= step;
        }
        if (atomic_load(&p->health_quit))
            break;
        ob_pipeline_status st = obemu_pipeline_take_status(p);
        if (st.issue != OB_PIPELINE_ISSUE_NONE)
            p->health_cb(st, p->health_user);
    }
    return NULL;
}

void obemu_health_stop(ob_pipeline *p)
{
    if (!p->health_running)
        return;
    atomic_store(&p->health_quit, true);
    p->health_running = false;
    if (pthread_equal(p->health_thread, pthread_self()))
        pthread_detach(p->health_thread);
    else
        pthread_join(p->health_thread, NULL);
}

OBEMU_EXPORT void ob_pipeline_enable_health_monitor(ob_pipeline *pipeline,
                                                    ob_pipeline_status_callback callback,
                                                    void *user_data, uint32_t interval_ms,
                                                    ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    if (!callback) {
        FAIL_NULL(error, "callback");
        return;
    }
    obemu_health_stop(pipeline); /* a second call replaces the first */
    pipeline->health_cb = callback;
    pipeline->health_user = user_data;
    pipeline->health_interval_ms = interval_ms ? interval_ms : 1;
    atomic_store(&pipeline->health_quit, false);
    if (pthread_create(&pipeline->health_thread, NULL, health_main, pipeline) != 0) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "",
                   "cannot start the health monitor thread");
        return;
    }
    pipeline->health_running = true;
}

OBEMU_EXPORT void ob_pipeline_disable_health_monitor(ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    obemu_health_stop(pipeline);
}
