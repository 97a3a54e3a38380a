#!/bin/sh
# sim.host_clock "realtime" on a simulated host's virtual CLOCK_REALTIME (tests/clockshim): the
# host clock 5 s ahead of the real one and 20 % fast. test_sim_anchor then checks that frames
# carry that clock (and that the default host clock falls behind it). Nothing writes a clock:
# the shim only serves reads here, no root needed.
#   test_sim_anchor_shim.sh LIBCLOCKSHIM CLOCKSHIM_CTL TEST_SIM_ANCHOR
SHIM=$1 CTL=$2 TEST=$3
[ -r "$SHIM" ] && [ -x "$CTL" ] && [ -x "$TEST" ] || { echo "usage: $0 SHIM CTL TEST" >&2; exit 2; }
W=$(mktemp -d) || exit 1
trap 'rm -rf "$W"' EXIT
OFFSET_US=5000000
SKEW_PPB=200000000
"$CTL" create "$W/host.clock" --offset-ns "${OFFSET_US}000" --skew-ppb "$SKEW_PPB" || exit 1
env LD_PRELOAD="$SHIM" RIGSYNC_CLOCKSHIM="$W/host.clock" RIGSYNC_TEST_SHIM_OFFSET_US="$OFFSET_US" \
    RIGSYNC_TEST_SHIM_SKEW_PPB="$SKEW_PPB" "$TEST"
