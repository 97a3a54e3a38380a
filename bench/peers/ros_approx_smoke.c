/* Smoke check and usage example of the ROS ApproximateTime peer (ros_approx.h).
 *
 * A made-up stream: 4 inputs, 1000 captures at 30 fps; each frame's stamp is the capture time
 * plus a per-frame jitter of -5..+5 us; 1 % of the frames are dropped (independently); frames
 * arrive in the order of capture time + a per-frame transport delay of 2..12 ms. Deterministic
 * (fixed seed). Prints the result struct and what a perfect matcher would give.
 * Usage: ros_approx_smoke [queue_size]   (default 10)
 */
#include "ros_approx.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

enum { N_INPUTS = 4, N_CAPTURES = 1000 };
#define PERIOD_US 33333 /* 30 fps */
#define T0_US INT64_C(1763900000000000) /* a Unix-epoch-like start, in us */

typedef struct arrival {
    int64_t arrive_us;
    ros_frame_t frame;
} arrival_t;

static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t rng_next(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static int64_t rng_range(int64_t lo, int64_t hi) { /* inclusive */
    return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

static int by_arrival(const void *a, const void *b) {
    const arrival_t *x = a, *y = b;
    if (x->arrive_us != y->arrive_us) return x->arrive_us < y->arrive_us ? -1 : 1;
    return x->frame.input - y->frame.input;
}

int main(int argc, char **argv) {
    int queue_size = argc > 1 ? atoi(argv[1]) : 10;
    arrival_t *arr = malloc(sizeof *arr * N_INPUTS * N_CAPTURES);
    ros_frame_t *frames = malloc(sizeof *frames * N_INPUTS * N_CAPTURES);
    if (!arr || !frames) return 1;

    size_t n = 0;
    unsigned captures_complete = 0;
    for (int c = 0; c < N_CAPTURES; c++) {
        int64_t t_cap = T0_US + (int64_t)c * PERIOD_US;
        int kept = 0;
        for (int i = 0; i < N_INPUTS; i++) {
            if (rng_next() % 100 == 0) continue; /* 1 % dropped */
            arr[n].frame.input = i;
            arr[n].frame.stamp_us = t_cap + rng_range(-5, 5);
            arr[n].frame.capture_id = (uint64_t)c;
            arr[n].arrive_us = t_cap + rng_range(2000, 12000);
            n++;
            kept++;
        }
        if (kept == N_INPUTS) captures_complete++;
    }
    qsort(arr, n, sizeof *arr, by_arrival);
    for (size_t k = 0; k < n; k++) frames[k] = arr[k].frame;

    ros_result_t r;
    if (ros_approx_run(frames, n, N_INPUTS, queue_size, &r) != 0) {
        fprintf(stderr, "ros_approx_run failed\n");
        return 1;
    }
    printf("stream: %d inputs, %d captures at 30 fps, %zu frames (%zu dropped at source), "
           "queue_size %d\n",
           N_INPUTS, N_CAPTURES, n, (size_t)N_INPUTS * N_CAPTURES - n, queue_size);
    printf("perfect matcher: %u complete sets, %zu frames in them\n", captures_complete,
           (size_t)captures_complete * N_INPUTS);
    printf("ros ApproximateTime:\n");
    printf("  sets            %" PRIu64 "\n", r.sets);
    printf("  mixed_sets      %" PRIu64 "\n", r.mixed_sets);
    printf("  frames_in       %" PRIu64 "\n", r.frames_in);
    printf("  frames_in_sets  %" PRIu64 "\n", r.frames_in_sets);
    printf("  frames_lost     %" PRIu64 "\n", r.frames_lost);
    printf("  seconds         %.6f (%.3f us/frame)\n", r.seconds,
           r.frames_in ? r.seconds * 1e6 / (double)r.frames_in : 0.0);
    printf("  latency_us_p50  %.3f\n", r.latency_us_p50);
    printf("  latency_us_p99  %.3f\n", r.latency_us_p99);

    /* the interface's argument checks */
    int bad = ros_approx_run(frames, n, 1, queue_size, &r) != -1 ||
              ros_approx_run(frames, n, 10, queue_size, &r) != -1 ||
              ros_approx_run(frames, n, 3, queue_size, &r) != -1; /* input 3 out of range */
    free(arr);
    free(frames);
    if (bad) {
        fprintf(stderr, "argument checks failed\n");
        return 1;
    }
    return 0;
}
