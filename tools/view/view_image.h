/* rigsync view: a frame's pixels as a cairo image of a tile's size (color as it is, depth through
 * the colormap of the legend), MJPG decoded with libjpeg. */
#ifndef RIGSYNC_VIEW_IMAGE_H
#define RIGSYNC_VIEW_IMAGE_H

#include <cairo.h>
#include <stdint.h>

#include "rigsync/rigsync.h"

/** The colormap: depth in mm (VIEW_DEPTH_MIN_MM..VIEW_DEPTH_MAX_MM, clamped) to 0xRRGGBB; 0 mm
 * (no measurement) is black. */
uint32_t view_depth_rgb(uint16_t mm);

/** The frame scaled (nearest pixel) to w x h; NULL without pixels, for an unknown format or a
 * JPEG that does not decode, or out of memory. */
cairo_surface_t *view_image_from_frame(const rig_frame_t *frame, int w, int h);

#endif
