/*
 * Lower-envelope line fit (pure). Points (x_i, y_i) lie on or above an unknown line plus a
 * non-negative noise (arrival = capture + latency >= capture + floor). Of all lines below every
 * point, the one with the smallest summed gap is the lower convex hull's edge that spans the
 * mean x (Olson 2010; Moon, Skelly and Towsley 1999). It rests on the fastest samples only, so
 * latency tails and stalls do not bias it.
 */
#ifndef RIGSYNC_HULL_H
#define RIGSYNC_HULL_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Fits y = intercept + slope * x under n points with strictly increasing x. `scratch` holds
 * n indices. Returns false with fewer than 2 points.
 */
bool rig_lower_hull_line(const double *x, const double *y, size_t n, size_t *scratch,
                         double *slope, double *intercept);

#endif
