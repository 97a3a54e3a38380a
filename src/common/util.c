#include "common/util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void rig_strlcpy(char *dst, const char *src, size_t len)
{
    if (len == 0)
        return;
    size_t n = strlen(src);
    if (n >= len)
        n = len - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

char *rig_vfmt(char *dst, size_t len, const char *fmt, va_list ap)
{
    if (len == 0)
        return dst;
    if (vsnprintf(dst, len, fmt, ap) < 0)
        dst[0] = '\0';
    return dst;
}

char *rig_fmt(char *dst, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rig_vfmt(dst, len, fmt, ap);
    va_end(ap);
    return dst;
}

void rig_append(char *dst, size_t len, const char *fmt, ...)
{
    size_t used = strnlen(dst, len);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    rig_vfmt(dst + used, len - used, fmt, ap);
    va_end(ap);
}

char *rig_escape(char *dst, size_t len, const char *src)
{
    if (!dst || len == 0)
        return dst;
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)(src ? src : ""); *s; s++) {
        if (*s >= 0x20 && *s != 0x7f) {
            if (o + 1 >= len)
                break;
            dst[o++] = (char)*s;
            continue;
        }
        if (o + 4 >= len)
            break;
        static const char hex[] = "0123456789abcdef";
        dst[o++] = '\\';
        dst[o++] = 'x';
        dst[o++] = hex[*s >> 4];
        dst[o++] = hex[*s & 15];
    }
    dst[o] = '\0';
    return dst;
}

int rig_strcaseeq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int rig_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t ca;
    int rc = pthread_condattr_init(&ca);
    if (rc)
        return rc;
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (!rc)
        rc = pthread_cond_init(cond, &ca);
    pthread_condattr_destroy(&ca);
    return rc;
}

static int64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t rig_monotonic_us(void) { return clock_us(CLOCK_MONOTONIC); }
int64_t rig_realtime_us(void) { return clock_us(CLOCK_REALTIME); }

void rig_deadline_after_ms(struct timespec *out, uint64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, out);
    out->tv_sec += (time_t)(ms / 1000);
    out->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (out->tv_nsec >= 1000000000L) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000L;
    }
}
