/*
 * librigsync-obemu: depth-to-colour alignment in the pipeline (the vendor's Pipeline.h
 * ob_get_d2c_depth_profile_list and the config's ALIGN_D2C_HW_MODE).
 *
 * A device with hardware D2C delivers its depth frames already aligned to the colour camera, at
 * the colour profile's resolution, when a pipeline enables colour and depth with
 * ALIGN_D2C_HW_MODE (the SDK turns it on only when both streams are enabled). The emulator
 * aligns each depth frame of such a pipeline as its Align filter does (one geometry:
 * obemu_align_depth_to) when the frameset is handed to the application, outside every lock.
 *
 * Which depth profiles go with a colour profile: the SDK reads the device's table of
 * (colour size, depth size, align types) and lists the depth profiles whose size pairs with the
 * colour profile's (every rate and format); ALIGN_DISABLE lists every depth profile. The
 * emulator aligns any pair of sizes, so for a colour size the device offers, every depth profile
 * goes with it in both D2C modes; C2D and a colour size the device has not give an empty list.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "obemu_internal.h"

ob_frame *obemu_pipeline_hw_d2c(ob_frame *set, uint32_t width, uint32_t height)
{
    ob_frame *depth = set->is_set ? set->members[RIG_STREAM_DEPTH] : NULL;
    if (!depth || (depth->rf->width == width && depth->rf->height == height))
        return set;
    ob_frame *aligned = obemu_align_depth_to(depth, width, height);
    ob_frame *out = aligned ? obemu_new_frameset() : NULL;
    if (!out) {
        obemu_frame_release(aligned);
        return set; /* out of memory: the frames as they came */
    }
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
        if (s != RIG_STREAM_DEPTH && set->members[s])
            obemu_frameset_put(out, obemu_frame_retain(set->members[s]));
    obemu_frameset_put(out, aligned);
    obemu_frame_release(set);
    return out;
}

static bool colour_size_offered(const ob_device *d, uint32_t w, uint32_t h, ob_error **error,
                                bool *ok)
{
    *ok = false;
    ob_stream_profile_list *l = obemu_profile_list_of(d, RIG_STREAM_COLOR, error,
                                                      "ob_get_d2c_depth_profile_list");
    if (!l)
        return false;
    for (size_t i = 0; i < l->count && !*ok; i++)
        *ok = l->items[i].width == w && l->items[i].height == h;
    ob_delete_stream_profile_list(l, NULL);
    return true;
}

OBEMU_EXPORT ob_stream_profile_list *ob_get_d2c_depth_profile_list(const ob_pipeline *pipeline,
                                                                   const ob_stream_profile *color_profile,
                                                                   ob_align_mode align_mode,
                                                                   ob_error **error)
{
    if (!pipeline || !color_profile) {
        FAIL_NULL(error, pipeline ? "color_profile" : "pipeline");
        return NULL;
    }
    if (!color_profile->video) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "color_profile",
                   "It's not a video stream profile!");
        return NULL;
    }
    ob_stream_profile_list *l = obemu_profile_list_of(pipeline->dev, RIG_STREAM_DEPTH, error,
                                                      __func__);
    if (!l || align_mode == ALIGN_DISABLE)
        return l;
    bool pairs = false;
    if (align_mode == ALIGN_D2C_HW_MODE || align_mode == ALIGN_D2C_SW_MODE) {
        if (!colour_size_offered(pipeline->dev, color_profile->width, color_profile->height,
                                 error, &pairs)) {
            ob_delete_stream_profile_list(l, NULL);
            return NULL;
        }
    }
    if (!pairs)
        l->count = 0; /* no depth profile goes with it */
    return l;
}
