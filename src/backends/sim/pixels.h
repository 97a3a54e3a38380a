/*
 * Synthetic pixels: cheap images whose content shows when they were really captured.
 * The top rows carry a 64-bit barcode of the true mid-exposure time (bit 63 first), so a picture
 * alone proves its capture instant; a bar rotating once per second shows it to a person.
 */
#ifndef RIGSYNC_SIM_PIXELS_H
#define RIGSYNC_SIM_PIXELS_H

#include "rigsync/rigsync.h"

/** Paints a frame of the given size and format (RGB or Y16) into data. */
void sim_pixels_render(uint8_t *data, uint32_t width, uint32_t height, rig_format_t format,
                       int64_t true_ts_us, uint32_t device_index);

/** Disturbs a depth image as a neighbour's laser does: stripes of wrong depth (barcode kept). */
void sim_pixels_corrupt(uint8_t *data, uint32_t width, uint32_t height, rig_format_t format,
                        uint64_t seed);

/** Compresses an RGB image as the camera's MJPG stream does: one baseline JPEG (libjpeg), into a
 *  malloc'd buffer (*out, *len). false when out of memory. */
bool sim_pixels_jpeg(const uint8_t *rgb, uint32_t width, uint32_t height, uint8_t **out,
                     size_t *len);

/** Reads the barcode back; false when the image is too narrow or not RGB/Y16. */
bool sim_pixels_decode(const uint8_t *data, uint32_t width, uint32_t height, rig_format_t format,
                       int64_t *true_ts_us);

#endif
