/*
 * test_obemu_api: the emulator exports the whole v2.9.3 C API, and every function it does not
 * implement says so the way the SDK does.
 *
 *  - the table has the vendor's function count per header (counted by hand from the vendor's
 *    headers: the OB_EXPORT declarations of the include/libobsensor/h headers at v2.9.3);
 *  - the library's own table (rigsync_obemu_api_table) lists the same functions, in the same
 *    order, with the same implemented / not supported status as the api/ob_*.def rows;
 *  - every name resolves with dlsym in the dlopen'd emulator (RIGSYNC_TEST_OBEMU);
 *  - every not-supported function, called through dlsym with zero arguments, stores an error
 *    with status 107 (OB_ERROR_UNSUPPORTED_OPERATION), exception type 9
 *    (OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION), its own name in the message and in the
 *    function field, and returns the neutral value (every byte zero); with a NULL error
 *    pointer it does not crash either.
 * The test does not link the emulator: it sees it only as a program built for the vendor's
 * SDK would.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ob_api.h"

static void *lib;

static int open_lib(void **state)
{
    (void)state;
    const char *path = getenv("RIGSYNC_TEST_OBEMU");
    if (!path) {
        fprintf(stderr, "RIGSYNC_TEST_OBEMU is not set\n");
        return -1;
    }
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
        return -1;
    }
    return 0;
}

static int close_lib(void **state)
{
    (void)state;
    if (lib)
        dlclose(lib);
    return 0;
}

static void *sym(const char *name)
{
    dlerror();
    void *p = dlsym(lib, name);
    if (!p)
        fail_msg("%s does not resolve in the emulator: %s", name, dlerror());
    return p;
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/* The error a not-supported call must leave: the SDK's status and exception type for an
 * unsupported operation, the function named. Frees it. */
static void check_unsupported(ob_error *err, const char *name)
{
    if (!err)
        fail_msg("%s: no error reported", name);
    assert_int_equal(err->status, 107);
    assert_int_equal(err->exception_type, 9);
    assert_string_equal(err->function, name);
    if (!strstr(err->message, name) || !strstr(err->message, "not supported by the rigsync emulator"))
        fail_msg("%s: message '%s'", name, err->message);
    void (*del)(ob_error *) = (void (*)(ob_error *))sym("ob_delete_error");
    del(err);
}

/* ---- one probe per not-supported function, generated from the rows -------------------------- */
#define E errp

#define PROBE_F_IMPL(ret, name, args)
#define PROBE_F_STUB(ret, name, args)                                          \
    static void probe_##name(void **state)                                     \
    {                                                                          \
        (void)state;                                                           \
        __typeof__(&name) fn = (__typeof__(&name))sym(#name);                  \
        ob_error *err = NULL;                                                  \
        ob_error **errp = NULL;                                                \
        ret r = fn args;                                                       \
        if (!all_zero(&r, sizeof(r)))                                          \
            fail_msg("%s: returned a non-zero value (error NULL)", #name);     \
        errp = &err;                                                           \
        r = fn args;                                                           \
        if (!all_zero(&r, sizeof(r)))                                          \
            fail_msg("%s: returned a non-zero value", #name);                  \
        check_unsupported(err, #name);                                         \
    }
#define PROBE_V_IMPL(name, args)
#define PROBE_V_STUB(name, args)                                               \
    static void probe_##name(void **state)                                     \
    {                                                                          \
        (void)state;                                                           \
        __typeof__(&name) fn = (__typeof__(&name))sym(#name);                  \
        ob_error *err = NULL;                                                  \
        ob_error **errp = NULL;                                                \
        fn args;                                                               \
        errp = &err;                                                           \
        fn args;                                                               \
        check_unsupported(err, #name);                                         \
    }
#define PROBE_N_IMPL(ret, name, args)
#define PROBE_N_STUB(ret, name, args)                                          \
    static void probe_##name(void **state)                                     \
    {                                                                          \
        (void)state;                                                           \
        __typeof__(&name) fn = (__typeof__(&name))sym(#name);                  \
        ret r = fn args;                                                       \
        if (!all_zero(&r, sizeof(r)))                                          \
            fail_msg("%s: returned a non-zero value", #name);                  \
    }

#define OBEMU_F(status, ret, name, params, args) PROBE_F_##status(ret, name, args)
#define OBEMU_V(status, name, params, args) PROBE_V_##status(name, args)
#define OBEMU_N(status, ret, name, params, args) PROBE_N_##status(ret, name, args)
#include "api/ob_all.def"
#undef OBEMU_F
#undef OBEMU_V
#undef OBEMU_N

/* ---- the table as compiled here ------------------------------------------------------------- */
typedef struct {
    const char *header;
    const char *name;
    bool implemented;
} row;

#define OBEMU_IS_IMPL true
#define OBEMU_IS_STUB false
#define OBEMU_F(status, ret, name, params, args) {OBEMU_HEADER, #name, OBEMU_IS_##status},
#define OBEMU_V(status, name, params, args) {OBEMU_HEADER, #name, OBEMU_IS_##status},
#define OBEMU_N(status, ret, name, params, args) {OBEMU_HEADER, #name, OBEMU_IS_##status},
static const row rows[] = {
#include "api/ob_all.def"
};
#undef OBEMU_F
#undef OBEMU_V
#undef OBEMU_N
#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

/* The vendor's v2.9.3 headers and how many functions each exports. */
static const struct {
    const char *header;
    size_t functions;
} vendor_counts[] = {
    {"Error", 7},          {"Context", 26},  {"Device", 86},          {"Advanced", 38},
    {"ApplicationConfig", 18}, {"Filter", 24}, {"Frame", 56},         {"MultipleDevices", 8},
    {"Pipeline", 37},      {"RecordPlayback", 13}, {"Sensor", 12},    {"StreamProfile", 44},
    {"TypeHelper", 16},    {"Utils", 14},    {"Version", 5},
};

static void test_vendor_counts(void **state)
{
    (void)state;
    size_t total = 0;
    for (size_t h = 0; h < sizeof(vendor_counts) / sizeof(vendor_counts[0]); h++) {
        size_t n = 0;
        for (size_t i = 0; i < N_ROWS; i++)
            n += !strcmp(rows[i].header, vendor_counts[h].header);
        if (n != vendor_counts[h].functions)
            fail_msg("%s: %zu rows, the vendor's header has %zu functions",
                     vendor_counts[h].header, n, vendor_counts[h].functions);
        total += n;
    }
    assert_int_equal(total, 404);
    assert_int_equal(N_ROWS, 404);
    for (size_t i = 0; i < N_ROWS; i++) /* no name twice */
        for (size_t j = i + 1; j < N_ROWS; j++)
            if (!strcmp(rows[i].name, rows[j].name))
                fail_msg("%s listed twice", rows[i].name);
}

/* The library's table is the compiled one; prints the coverage summary. */
static void test_library_table(void **state)
{
    (void)state;
    const rigsync_obemu_api_entry *(*table)(size_t *) =
        (const rigsync_obemu_api_entry *(*)(size_t *))sym("rigsync_obemu_api_table");
    size_t n = 0;
    const rigsync_obemu_api_entry *t = table(&n);
    assert_int_equal(n, N_ROWS);
    size_t impl = 0;
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(t[i].header, rows[i].header);
        assert_string_equal(t[i].name, rows[i].name);
        if (t[i].implemented != rows[i].implemented)
            fail_msg("%s: status differs between the library and the table", t[i].name);
        impl += t[i].implemented;
    }
    printf("[ coverage ] %zu functions: %zu implemented, %zu not supported\n", n, impl, n - impl);
    for (size_t i = 0; i < n;) {
        size_t j = i, k = 0;
        for (; j < n && !strcmp(t[j].header, t[i].header); j++)
            k += t[j].implemented;
        printf("[ coverage ] %-18s %3zu functions %3zu implemented %3zu not supported\n",
               t[i].header, j - i, k, j - i - k);
        i = j;
    }
}

static void test_every_name_resolves(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS; i++)
        sym(rows[i].name);
}

/* ob_create_error is implemented: it builds the error it is given (and ob_error_get_* read it). */
static void test_create_error(void **state)
{
    (void)state;
    ob_error *(*create)(ob_status, const char *, const char *, const char *, ob_exception_type) =
        (__typeof__(&ob_create_error))sym("ob_create_error");
    ob_error *e = create(OB_ERROR_NO_DEVICE, "m", "f", "a", OB_EXCEPTION_TYPE_NOT_FOUND);
    assert_non_null(e);
    assert_int_equal(((__typeof__(&ob_error_get_status))sym("ob_error_get_status"))(e), 109);
    assert_int_equal(e->exception_type, 13);
    assert_string_equal(e->message, "m");
    assert_string_equal(e->function, "f");
    assert_string_equal(e->args, "a");
    ((__typeof__(&ob_delete_error))sym("ob_delete_error"))(e);
}

#define TEST_F_IMPL(name)
#define TEST_F_STUB(name) cmocka_unit_test(probe_##name),
#define OBEMU_F(status, ret, name, params, args) TEST_F_##status(name)
#define OBEMU_V(status, name, params, args) TEST_F_##status(name)
#define OBEMU_N(status, ret, name, params, args) TEST_F_##status(name)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vendor_counts),
        cmocka_unit_test(test_library_table),
        cmocka_unit_test(test_every_name_resolves),
        cmocka_unit_test(test_create_error),
#include "api/ob_all.def"
    };
    return cmocka_run_group_tests(tests, open_lib, close_lib);
}
