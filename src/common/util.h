/* Small helpers shared by every module. */
#ifndef RIGSYNC_UTIL_H
#define RIGSYNC_UTIL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define RIG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RIG_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RIG_MAX(a, b) ((a) > (b) ? (a) : (b))

/** a - b and a + b, saturating at the ends of int64_t instead of overflowing. */
static inline int64_t rig_sat_sub(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    return a - b;
}
static inline int64_t rig_sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

/** Copies src into dst of size len, always terminated (when len > 0); truncates. */
void rig_strlcpy(char *dst, const char *src, size_t len);

/** snprintf that always terminates and never fails; returns dst. */
/** *out = CLOCK_MONOTONIC now plus ms milliseconds (an absolute deadline for timed waits). */
struct timespec;
void rig_deadline_after_ms(struct timespec *out, uint64_t ms);

char *rig_fmt(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *rig_vfmt(char *dst, size_t len, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/** Appends formatted text to the string already in dst (size len), truncating. */
void rig_append(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * Copies src into dst (size len, always terminated), writing each control character (below
 * 0x20, and 0x7f) as \xNN: text from a device or a file printed this way cannot end a line
 * (and forge the next one) or drive the terminal. Truncates before an escape that does not fit.
 * Returns dst.
 */
char *rig_escape(char *dst, size_t len, const char *src);

/** Case-insensitive ASCII string equality. */
int rig_strcaseeq(const char *a, const char *b);

/** Initialises a condition variable whose timed waits use CLOCK_MONOTONIC (immune to the
 * wall clock being set). Returns 0 or an errno value. */
int rig_cond_init_monotonic(pthread_cond_t *cond);

/** Monotonic wall clock in microseconds (CLOCK_MONOTONIC). */
int64_t rig_monotonic_us(void);
/** Realtime wall clock in microseconds since the epoch (CLOCK_REALTIME). */
int64_t rig_realtime_us(void);

#endif
