#include "common/hull.h"

bool rig_lower_hull_line(const double *x, const double *y, size_t n, size_t *hull, double *slope,
                         double *intercept)
{
    if (n < 2)
        return false;
    size_t h = 0;
    double sum_x = 0;
    for (size_t i = 0; i < n; i++) {
        sum_x += x[i];
        /* Monotone chain: drop the last hull point while it is not strictly below the segment
         * from the one before it to the new point. */
        while (h >= 2) {
            size_t a = hull[h - 2], b = hull[h - 1];
            double cross = (x[b] - x[a]) * (y[i] - y[a]) - (y[b] - y[a]) * (x[i] - x[a]);
            if (cross > 0)
                break;
            h--;
        }
        hull[h++] = i;
    }
    double mean_x = sum_x / (double)n;
    size_t j = 0;
    while (j + 2 < h && x[hull[j + 1]] < mean_x)
        j++;
    size_t a = hull[j], b = hull[j + 1];
    *slope = (y[b] - y[a]) / (x[b] - x[a]);
    *intercept = y[a] - *slope * x[a];
    return true;
}
