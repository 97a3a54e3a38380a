#!/usr/bin/env bash
# The orbbec backend: a clear paragraph without the SDK, a wrong library named, and, against
# the emulator of the vendor's C API (librigsync-obemu.so), the very same frames and timestamps
# as the sim backend with the same seed.
# usage: test_orbbec.sh RIGSYNC_BINARY EMULATOR_LIBRARY CONFIGS_DIR
set -u
bin=$1
emu=$2
configs=$3
. "$(dirname "$0")/cli_lib.sh"

# --- no SDK: one paragraph, exit 1 ------------------------------------------------------------
run_env nosdk 1 RIGSYNC_ORBBEC_LIB=/nonexistent/libOrbbecSDK.so -- list --backend orbbec
has nosdk err 'The Orbbec SDK \(OrbbecSDK v2, libOrbbecSDK.so\) was not found'
has nosdk err 'looked for /nonexistent/libOrbbecSDK.so \(RIGSYNC_ORBBEC_LIB\)'
has nosdk err '--orbbec-lib'
has nosdk err '--backend sim runs the simulated rig'
run_env nosdk_default 1 -u RIGSYNC_ORBBEC_LIB LD_LIBRARY_PATH= -- run --backend orbbec --seconds 1
has nosdk_default err 'looked for libOrbbecSDK.so on the library search path'
run nosdk_flag 1 run --backend orbbec --orbbec-lib "$tmp/none.so" --seconds 1
has nosdk_flag err "looked for $tmp/none.so \(--orbbec-lib\)"

# --- a library that is not the SDK (or too old): the missing function is named ---------------
wrong=$(ldd "$bin" | awk '/libjansson/ { print $3 }')
run wrong 1 list --backend orbbec --orbbec-lib "$wrong"
has wrong err "is not a usable Orbbec SDK: it has no ob_create_context\(\)"

# --- the emulator: rigsync drives "the vendor's SDK" over the simulated rig -------------------
export RIGSYNC_OBEMU_CONFIG="$configs/multi_device_sync_config.json"
export RIGSYNC_OBEMU_SEED=5
export RIGSYNC_OBEMU_VIRTUAL=1
export RIGSYNC_OBEMU_STOP_AFTER_S=4 # the emulated rig stops there: a bounded run
export RIGSYNC_OBEMU_PIXELS=0 # timestamps only: fast (pixels are the default)
run list 0 list --backend orbbec --orbbec-lib "$emu"
has list out 'CP3S34D00051'
has list out 'CP3L44P00054'
has list out 'modes 0x7F'

run sim 0 run --virtual-time --seed 5 --seconds 4 --no-pixels --config "$RIGSYNC_OBEMU_CONFIG"
run orbbec 0 run --backend orbbec --orbbec-lib "$emu" --seconds 3 --config "$RIGSYNC_OBEMU_CONFIG"
has orbbec out 'backend orbbec'
# The same rig and seed on both paths: the same captures, so the same frames per device and
# stream in the first 3 simulated seconds. (Timestamps are not identical: through the vendor
# API rigsync writes each device clock itself, one device at a time, and reads it back.)
cut=$((1700000000000000 + 3000000))
counts() {
  grep -E '^device#[0-9]+, (color|depth) frame timestamp: [0-9]+ us , system timestamp: [0-9]+ us$' "$1" |
    awk -v cut="$cut" '{ if ($10 + 0 < cut) n[$1 " " $2]++ } END { for (k in n) print k, n[k] }' | sort
}
counts "$tmp/sim.out" >"$tmp/sim.counts"
counts "$tmp/orbbec.out" >"$tmp/orbbec.counts"
if [ "$(wc -l <"$tmp/sim.counts")" -eq 4 ]; then ok; else bad "sim backend: $(cat "$tmp/sim.counts")"; fi
if join "$tmp/sim.counts" "$tmp/orbbec.counts" >/dev/null 2>&1 &&
   paste "$tmp/sim.counts" "$tmp/orbbec.counts" |
     awk '{ d = $3 - $6; if (d < -3 || d > 3 || $3 < 80) exit 1 }'; then ok; else
  bad "frames per device and stream differ: sim [$(tr '\n' ' ' <"$tmp/sim.counts")] orbbec [$(tr '\n' ' ' <"$tmp/orbbec.counts")]"
fi

printf '{"devices":[{"serial_number":"NOTHERE1","config":{"mode":"STANDALONE"}}]}' >"$tmp/missing.json"
run missing 1 run --backend orbbec --orbbec-lib "$emu" --seconds 1 --config "$tmp/missing.json"
# run waits for a configured camera that is not connected (it may be plugged in later), names
# what is present, and fails at the end if it never appeared
has missing out 'device#0 NOTHERE1 is not connected \(present: CP3S34D00051, CP3L44P00054\): waiting for it'
has missing err 'device#0 NOTHERE1 never appeared during the run'
# the SDK must leave the user's working directory alone (no ./Log/)
if [ ! -e Log ]; then ok; else bad "a ./Log directory appeared in $(pwd)"; fi

finish
