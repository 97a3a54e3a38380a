#!/usr/bin/env bash
# Number options of the rigsync command: strict parsing against the range table (no sign, space,
# exponent, hex, nan/inf or trailing text), each refusal naming the option, its range and unit,
# exit 2; out-of-range config values with file:line:column; the rate rule with --trigger-hz for
# a hardware-triggered device behind the software trigger.
# usage: test_cli_ranges.sh RIGSYNC_BINARY TEST_DATA_DIR CONFIGS_DIR
set -u
bin=$1
data=$2
configs=$3
. "$(dirname "$0")/cli_lib.sh"

# --- tricks: refused before anything runs, whatever the option --------------------------------
n=0
for v in ' -1' '-1' '+5' '1e300' '0x10' 'nan' 'inf' '1x' ' 5' '5 ' ''; do
  n=$((n + 1))
  run "sec$n" 2 run --virtual-time --seconds "$v"
  has "sec$n" err "^rigsync run: --seconds wants a number in 0\.001\.\.31536000 s \(a run of 1 ms up to a year\), got \".*\"; write plain digits with at most one '\.' \(no sign, space, exponent, hex or other text\)\.$"
  if grep -Fq -- "got \"$v\";" "$tmp/sec$n.err"; then ok; else bad "sec$n: \"$v\" not echoed"; fi
  run "int$n" 2 run --virtual-time --clock-sync-interval-ms "$v"
  has "int$n" err "^rigsync run: --clock-sync-interval-ms wants a whole number in 0\.\.86400000 ms \("
  run "seed$n" 2 run --virtual-time --seed "$v"
  has "seed$n" err "^rigsync run: --seed wants a whole number in 0\.\.18446744073709551615 "
  run "hz$n" 2 run --virtual-time --trigger-hz "$v"
  has "hz$n" err "^rigsync run: --trigger-hz wants a number in 0\.01\.\.90 Hz "
done
lacks sec1 out 'summary'

# --- edges -------------------------------------------------------------------------------------
run sec_zero 2 run --virtual-time --seconds 0
has sec_zero err 'got 0, outside that range'
run sec_year_plus 2 run --virtual-time --seconds 31536000.5
has sec_year_plus err 'got 31536000.5, outside that range'
run int_u64 2 run --virtual-time --clock-sync-interval-ms 18446744073709551615
has int_u64 err '0\.\.86400000 ms \(0 syncs once; a host timer sync at least once a day\), got 18446744073709551615, outside that range'
run int_day_plus 2 run --virtual-time --clock-sync-interval-ms 86400001
run seed_u64_plus 2 run --virtual-time --seed 18446744073709551616
run hz_zero 2 run --virtual-time --trigger-hz 0
run hz_fast 2 run --virtual-time --trigger-hz 90.5
# the largest of each is taken (a short run: too short for a verdict on drift)
run edges_ok 0 run --virtual-time --seconds 2 --quiet --no-pixels --seed 18446744073709551615 \
  --clock-sync-interval-ms 86400000
has edges_ok out '^VERDICT: '
run plan_zero 2 plan 0 -o "$tmp/p.json"
has plan_zero err 'rigsync plan: the number of cameras wants a whole number in 1\.\.1000 cameras'
run plan_huge 2 plan 99999999999999999999 -o "$tmp/p.json"
has plan_huge err 'got 99999999999999999999, outside that range'

# --- config values: file:line:column, the field, the range and why -----------------------------
cat >"$tmp/cable.json" <<'JSON'
{
    "devices": [{ "serial_number": "A", "config": { "mode": "PRIMARY" } }],
    "sim": { "cable_delay_ns": 5000 }
}
JSON
run cable_check 2 check "$tmp/cable.json"
has cable_check err 'cable\.json:3:32: sim\.cable_delay_ns: cable_delay_ns is 5000, outside the allowed range 0\.\.1000 ns \(a pulse travels ~5 ns/m: 100 m of cable is ~500 ns, 1000 ns leaves a margin\); set it within that range\.'
run cable_run 2 run --virtual-time --seconds 1 --config "$tmp/cable.json"
has cable_run err 'cable\.json:3:32: sim\.cable_delay_ns: '

# --- the rate rule with --trigger-hz, for a device the software trigger reaches by cable --------
cat >"$tmp/sw_hw.json" <<'JSON'
{
    "devices": [
        { "serial_number": "SWT00001", "config": { "mode": "SOFTWARE_TRIGGERING", "trigger_out_enable": true } },
        { "serial_number": "HWT00002", "config": { "mode": "HARDWARE_TRIGGERING", "frames_per_trigger": 2 } }
    ]
}
JSON
run sw_hw_fast 2 run --virtual-time --seconds 1 --trigger-hz 16 --config "$tmp/sw_hw.json"
has sw_hw_fast err 'sw_hw\.json:4:60: devices\[1\]\.config\.mode: '
has sw_hw_fast err 'device#1 \(HWT00002, HARDWARE_TRIGGERING\) gets 16 triggers/s from device#0 \(SOFTWARE_TRIGGERING, --trigger-hz\) and captures 2 frame\(s\) per trigger: 32 frames/s, more than its 30 fps'
lacks sw_hw_fast out 'summary'
run sw_hw_ok 0 run --virtual-time --seconds 3 --quiet --no-pixels --trigger-hz 15 --config "$tmp/sw_hw.json"

finish
