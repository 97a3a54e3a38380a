/*
 * ob_export.h: how the emulator's tables of the vendor's C API are written and expanded.
 *
 * Each vendor header X.h of OrbbecSDK v2.9.3 has a table ob_x.def here: one row per function
 * the vendor exports, in the vendor's order. A row is one of
 *
 *   OBEMU_F(STATUS, RET, NAME, (PARAMS), (ZERO_ARGS))   returns RET, has `ob_error **error`
 *   OBEMU_V(STATUS, NAME, (PARAMS), (ZERO_ARGS))        returns void, has `ob_error **error`
 *   OBEMU_N(STATUS, RET, NAME, (PARAMS), (ZERO_ARGS))   no error parameter (errors, versions,
 *                                                       type helpers)
 *
 * STATUS is IMPL (the emulator defines NAME itself, in one of the obemu_*.c files) or STUB
 * (obemu_stubs.c generates a definition that reports "not supported"). Implementing a function
 * is a one-line change: write it, then turn its row's STUB into IMPL (the linker reports a
 * duplicate or a missing definition if the two disagree). PARAMS is the exact prototype
 * (the `ob_error **error` parameter is always named `error`); ZERO_ARGS is a call with every
 * argument zero (E stands for the `ob_error **`), used by the coverage test.
 *
 * The .def files are included several times with different definitions of the three row
 * macros: declarations (the ob_x.h headers), stubs (obemu_stubs.c), the coverage table
 * (obemu_coverage.c), the tests and scripts/check-obemu-api.sh.
 */
#ifndef RIGSYNC_OBEMU_API_OB_EXPORT_H
#define RIGSYNC_OBEMU_API_OB_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define OBEMU_EXPORT __attribute__((visibility("default")))
#else
#define OBEMU_EXPORT
#endif

#ifdef __cplusplus
#define OBEMU_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define OBEMU_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* A zero value of a struct passed by value (ZERO_ARGS). */
#define OBEMU_ZERO(type) ((type){0})

/* Row expansions that declare the functions. */
#define OBEMU_DECLARE_F(status, ret, name, params, args) OBEMU_EXPORT ret name params;
#define OBEMU_DECLARE_V(status, name, params, args) OBEMU_EXPORT void name params;
#define OBEMU_DECLARE_N(status, ret, name, params, args) OBEMU_EXPORT ret name params;

#endif /* RIGSYNC_OBEMU_API_OB_EXPORT_H */
