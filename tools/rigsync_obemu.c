/*
 * rigsync-obemu: facts about the emulator of the vendor's C API (librigsync-obemu.so).
 *
 *   rigsync-obemu --coverage            every function of the v2.9.3 C API, per vendor header:
 *                                       implemented / not supported, then a summary
 *   rigsync-obemu --coverage --summary  the summary only
 *
 * The table comes from the library itself (rigsync_obemu_api_table, built from the same
 * api/ob_*.def rows as its exports). Exit codes: 0 ok, 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "ob_api.h"

static int usage(FILE *out)
{
    fprintf(out, "usage: rigsync-obemu --coverage [--summary]\n"
                 "  Prints, for every function of the vendor's C API (OrbbecSDK v2.9.3), whether\n"
                 "  the emulator implements it or reports it as not supported.\n");
    return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    bool coverage = false, summary_only = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--coverage"))
            coverage = true;
        else if (!strcmp(argv[i], "--summary"))
            summary_only = true;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(stdout);
        else {
            fprintf(stderr, "rigsync-obemu: unknown argument '%s'\n", argv[i]);
            return usage(stderr);
        }
    }
    if (!coverage)
        return usage(stderr);

    size_t n = 0;
    const rigsync_obemu_api_entry *t = rigsync_obemu_api_table(&n);
    if (!summary_only) {
        printf("%-18s %-64s %s\n", "header", "function", "status");
        for (size_t i = 0; i < n; i++)
            printf("%-18s %-64s %s\n", t[i].header, t[i].name,
                   t[i].implemented ? "implemented" : "not supported");
        printf("\n");
    }
    printf("%-18s %9s %11s %13s\n", "header", "functions", "implemented", "not supported");
    size_t total = 0, total_impl = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, impl = 0;
        for (; j < n && !strcmp(t[j].header, t[i].header); j++)
            impl += t[j].implemented;
        printf("%-18s %9zu %11zu %13zu\n", t[i].header, j - i, impl, j - i - impl);
        total += j - i;
        total_impl += impl;
        i = j;
    }
    printf("%-18s %9zu %11zu %13zu\n", "total", total, total_impl, total - total_impl);
    return 0;
}
