/*
 * What every harness does when an invariant fails: say which, then abort() so that libFuzzer
 * keeps the input as a crash (fuzz/README in the top-level README's Fuzzing section).
 */
#ifndef RIGSYNC_FUZZ_CHECK_H
#define RIGSYNC_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...)                                                                    \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "fuzz invariant failed at %s:%d: ", __FILE__, __LINE__);            \
            fprintf(stderr, __VA_ARGS__);                                                        \
            fputc('\n', stderr);                                                                 \
            abort();                                                                             \
        }                                                                                        \
    } while (0)

#endif
