/* bench_clock's end-to-end scenario: the orbbec backend through the vendor's C API, on the
 * emulator (librigsync-obemu.so) of the simulated rig. */
#ifndef RIGSYNC_BENCH_CLOCK_E2E_H
#define RIGSYNC_BENCH_CLOCK_E2E_H

#include "clock_common.h"

/* Runs a rig of 4 Femto Bolt (device clocks read two-way) and one of 4 Gemini 335 (frames
 * only), each for o->e2e_minutes of virtual time with clock writes every 60 s; prints a table
 * per rig and adds e2e_twoway_* and e2e_oneway_* keys. Nonzero when a rig cannot run. */
int clock_e2e_run(const options_t *o, results_t *res);

#endif
