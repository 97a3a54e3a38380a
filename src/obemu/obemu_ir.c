/*
 * librigsync-obemu: the infrared stream (OB_SENSOR_IR, OB_STREAM_IR, OB_FRAME_IR).
 *
 * A ToF camera (the Femto class) reads its IR image out of the same capture as its depth: same
 * exposure, same device timestamp, same frame number. The emulator does the same: it derives the
 * IR frame of each depth frame the simulator renders, so the simulator's core keeps its two
 * streams (colour and depth) and every rigsync backend and report stays as it is; only the
 * vendor API's view of a device grows a third stream. A pipeline that enables IR alone runs depth
 * underneath and delivers only IR.
 *
 * Pixels: an active-illumination amplitude image. The light a surface at distance d returns to
 * the sensor falls off as 1 / d^2, so the emulator's IR value is
 *     Y16: min(65535, OBEMU_IR_AMP_1M * (1000 / d)^2)   (d in millimetres; 1000 at 1 m)
 *     Y8:  min(255, Y16 value / 8)                       (125 at 1 m)
 * and 0 where the depth is 0 (no return). Deterministic: the same scene gives the same image.
 * A depth frame without pixels (RIGSYNC_OBEMU_PIXELS=0) gives an IR frame without pixels (format
 * OB_FORMAT_UNKNOWN, as the rig's frames without pixels; its profile keeps the stream's format).
 *
 * Formats: the Femto Bolt and Femto Mega list IR as Y16 only (OrbbecSDK v2.9.3's
 * OrbbecSDKConfig.xml gives both a 640x576 30 fps Y16 default IR profile, and neither device
 * adds an IR format converter); rigsync's SimCam and the other families offer Y16 and Y8 (not
 * checked against those families' firmware: the emulator's choice).
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "obemu_internal.h"

#define OBEMU_IR_AMP_1M 1000.0 /* Y16 value of a surface at 1 m */

bool obemu_has_ir(const ob_device *d) { return d->ctx->playback == NULL; }

size_t obemu_ir_formats(const char *model, ob_format out[2])
{
    const rig_model_facts_t *m = rig_model_facts(model);
    out[0] = OB_FORMAT_Y16;
    if (m && strncmp(m->name, "Femto", 5) == 0)
        return 1;
    out[1] = OB_FORMAT_Y8;
    return 2;
}

static uint16_t amplitude(uint16_t depth_mm)
{
    if (depth_mm == 0)
        return 0;
    double v = OBEMU_IR_AMP_1M * 1e6 / ((double)depth_mm * (double)depth_mm);
    return v >= 65535.0 ? 65535 : (uint16_t)(v + 0.5);
}

ob_frame *obemu_ir_frame(const ob_frame *depth, ob_format format)
{
    const rig_frame_t *drf = depth->rf;
    uint32_t w = drf->width, h = drf->height;
    size_t n = (size_t)w * h;
    bool pixels = drf->data && drf->data_size >= n * 2;
    size_t bpp = format == OB_FORMAT_Y8 ? 1 : 2;
    ob_frame *ir = obemu_frame_make(depth, OB_FRAME_IR, format, w, h, pixels ? n * bpp : 0);
    if (ir && !pixels)
        ir->made_format = OB_FORMAT_UNKNOWN; /* as a rig frame without pixels */
    if (!ir || !pixels)
        return ir;
    const uint16_t *d = (const uint16_t *)(const void *)drf->data;
    if (bpp == 1) {
        uint8_t *o = ir->rf->data;
        for (size_t i = 0; i < n; i++) {
            uint16_t a = amplitude(d[i]) / 8;
            o[i] = a > 255 ? 255 : (uint8_t)a;
        }
    } else {
        uint16_t *o = (uint16_t *)(void *)ir->rf->data;
        for (size_t i = 0; i < n; i++)
            o[i] = amplitude(d[i]);
    }
    return ir;
}

/* The depth request takes the IR request's values where it leaves them to the device (all of
 * them when depth is not enabled); values both set must agree. */
bool obemu_ir_merge_request(const ob_device *d, const ob_config *cfg,
                            stream_request_t req[RIG_STREAM_COUNT], ob_format *ir_format,
                            ob_error **error, const char *function)
{
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        req[s] = cfg->streams[s];
    const stream_request_t *ir = &cfg->streams[OBEMU_STREAM_IR];
    ob_format formats[2];
    size_t n = obemu_ir_formats(d->info.model, formats);
    *ir_format = formats[0];
    if (!ir->enabled)
        return true;
    if (!obemu_has_ir(d)) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "config",
                   "device %s (a playback) has no IR stream: the file holds color and depth",
                   d->info.serial);
        return false;
    }
    if (ir->format != OB_FORMAT_ANY) {
        bool ok = false;
        for (size_t i = 0; i < n; i++)
            ok = ok || formats[i] == ir->format;
        if (!ok) {
            char args[32];
            snprintf(args, sizeof(args), "IR format = %d", (int)ir->format);
            obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, args,
                       "IR format %d is not available on device %s (%s): it offers "
                       "OB_FORMAT_Y16 (%d)%s",
                       (int)ir->format, d->info.serial, d->info.model, (int)OB_FORMAT_Y16,
                       n > 1 ? " and OB_FORMAT_Y8" : " only");
            return false;
        }
        *ir_format = ir->format;
    }
    stream_request_t *dq = &req[RIG_STREAM_DEPTH];
    if (!dq->enabled) {
        *dq = (stream_request_t){true, ir->width, ir->height, ir->fps, OB_FORMAT_ANY};
        return true;
    }
    uint32_t *mine[3] = {&dq->width, &dq->height, &dq->fps};
    const uint32_t theirs[3] = {ir->width, ir->height, ir->fps};
    for (int i = 0; i < 3; i++) {
        if (theirs[i] == 0) /* OB_WIDTH_ANY, OB_HEIGHT_ANY, OB_FPS_ANY */
            continue;
        if (*mine[i] == 0) {
            *mine[i] = theirs[i];
        } else if (*mine[i] != theirs[i]) {
            obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "config",
                       "IR (%ux%u %u fps) and depth (%ux%u %u fps) come from one capture of "
                       "device %s: ask for the same size and rate, or leave one to the device "
                       "(OB_WIDTH_ANY, OB_HEIGHT_ANY, OB_FPS_ANY)",
                       ir->width, ir->height, ir->fps, cfg->streams[RIG_STREAM_DEPTH].width,
                       cfg->streams[RIG_STREAM_DEPTH].height, cfg->streams[RIG_STREAM_DEPTH].fps,
                       d->info.serial);
            return false;
        }
    }
    return true;
}
