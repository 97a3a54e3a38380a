#!/usr/bin/env bash
# rigsync plan: staggered depth delays written into the user's config, a config that check
# accepts without an interference warning, the warning check prints for overlapping depth
# captures, and clear failures (too many cameras, bad usage, bad config).
# usage: test_cli_plan.sh RIGSYNC_BINARY TEST_DATA_DIR CONFIGS_DIR
set -u
bin=$1
data=$2
configs=$3
. "$(dirname "$0")/cli_lib.sh"
# file_has FILE REGEX / file_lacks FILE REGEX
file_has() {
  if grep -Eq -- "$2" "$1"; then ok; else bad "$(basename "$1") lacks /$2/"; fi
}
file_lacks() {
  if grep -Eq -- "$2" "$1"; then bad "$(basename "$1") has /$2/"; else ok; fi
}
# same_but_depth_delays A B : the files are identical once depth delays are blanked out
same_but_depth_delays() {
  local blank='s/"(depth_delay_us|depthDelayUs)": [0-9]+/"\1": X/'
  if diff <(sed -E "$blank" "$1") <(sed -E "$blank" "$2") >/dev/null; then ok; else
    bad "$(basename "$2") differs from $(basename "$1") in more than depth delays"
    diff <(sed -E "$blank" "$1") <(sed -E "$blank" "$2") | head -10
  fi
}

# --- the seed's two devices: 0 and 160 us, everything else as the user wrote it ------------
seed="$configs/multi_device_sync_config.json"
run seed_check 0 check "$seed"
has seed_check out 'warning: depth captures of device#0 CP3S34D00051 and device#1 CP3L44P00054 overlap'
run seed 0 plan "$seed" -o "$tmp/seed.json"
if [ -s "$tmp/seed.json" ]; then ok; else bad "seed: no output file"; fi
has seed out 'device#0 +CP3S34D00051 +PRIMARY .* 0 us +0 us'
has seed out 'device#1 +CP3L44P00054 +SECONDARY .* 0 us +160 us'
has seed out 'wrote .*seed.json'
file_has "$tmp/seed.json" '^                "depth_delay_us": 0,$'
file_has "$tmp/seed.json" '^                "depth_delay_us": 160,$'
same_but_depth_delays "$seed" "$tmp/seed.json"
run seed_planned_check 0 check "$tmp/seed.json"
has seed_planned_check out 'valid, 2 devices'
lacks seed_planned_check out 'warning'
run seed_planned_run 0 run --virtual-time --seconds 10 --quiet --no-pixels --config "$tmp/seed.json"
has seed_planned_run out '^VERDICT: SYNCHRONIZED'

# --- the vendor's format keeps its camelCase keys -------------------------------------------
run vendor 0 plan "$configs/vendor_format_example.json" -o "$tmp/vendor.json"
file_has "$tmp/vendor.json" '"depthDelayUs": 160'
file_lacks "$tmp/vendor.json" 'depth_delay_us'
same_but_depth_delays "$configs/vendor_format_example.json" "$tmp/vendor.json"

# --- a missing depth delay is added in the file's own style, right after the mode ----------
cat >"$tmp/no_delays.json" <<'EOF'
{
    "devices": [
        {"serial_number": "ND000001", "config": {"mode": "PRIMARY", "trigger_out_enable": true}},
        {"serial_number": "ND000002", "config": {"mode": "SECONDARY", "trigger_out_enable": true}},
        {"sn": "ND000003", "syncConfig": {"syncMode": "OB_MULTI_DEVICE_SYNC_MODE_SECONDARY"}}
    ]
}
EOF
run no_delays 0 plan "$tmp/no_delays.json" -o "$tmp/no_delays_planned.json"
if tr -d ' \n' <"$tmp/no_delays_planned.json" | grep -q '"mode":"SECONDARY","depth_delay_us":160,"trigger_out_enable":true'; then
  ok; else bad "no_delays: depth_delay_us not added after the mode"; fi
if tr -d ' \n' <"$tmp/no_delays_planned.json" | grep -q '"syncMode":"OB_MULTI_DEVICE_SYNC_MODE_SECONDARY","depthDelayUs":320'; then
  ok; else bad "no_delays: depthDelayUs not added in the vendor entry"; fi
run no_delays_check 0 check "$tmp/no_delays_planned.json"
lacks no_delays_check out 'warning'

# --- a rig from a count: a PRIMARY and 11 SECONDARYs, two groups of staggered captures ------
run count 0 plan 12 -o "$tmp/count.json"
has count out 'device#0 +SIM0001 +PRIMARY'
has count out 'device#11 +SIM0012 +SECONDARY'
has count out 'at most 18 cameras per pulse source at 30 fps'
for d in 0 160 1280 14040 14360; do
  file_has "$tmp/count.json" "\"depth_delay_us\": $d,"
done
file_has "$tmp/count.json" '"serial_number": "SIM0012"'
run count_check 0 check "$tmp/count.json"
has count_check out 'valid, 12 devices'
lacks count_check out 'warning'
run count_run 0 run --virtual-time --seconds 10 --quiet --no-pixels --config "$tmp/count.json"
has count_run out '^VERDICT: SYNCHRONIZED: all 12 devices'
run count_max 0 plan 18 -o "$tmp/count18.json"
file_has "$tmp/count18.json" '"depth_delay_us": 15320,'
run count_max_check 0 check "$tmp/count18.json"
lacks count_max_check out 'warning'

# --- check names the devices whose depth captures overlap, and the fix ----------------------
cat >"$tmp/all_zero.json" <<'EOF'
{
    "devices": [
        {"serial_number": "AZ000001", "config": {"mode": "PRIMARY", "depth_delay_us": 0, "trigger_out_enable": true}},
        {"serial_number": "AZ000002", "config": {"mode": "SECONDARY", "depth_delay_us": 0, "trigger_out_enable": true}},
        {"serial_number": "AZ000003", "config": {"mode": "SECONDARY", "depth_delay_us": 0}}
    ]
}
EOF
run all_zero_check 0 check "$tmp/all_zero.json"
has all_zero_check out '^  warning: depth captures of device#0 AZ000001 and device#1 AZ000002 overlap'
has all_zero_check out '^  warning: depth captures of device#0 AZ000001 and device#2 AZ000003 overlap'
has all_zero_check out '^  warning: depth captures of device#1 AZ000002 and device#2 AZ000003 overlap'
has all_zero_check out 'run rigsync plan .*all_zero.json -o OUT.json, or stagger depth_delay_us by 160 us'
run all_zero_plan 0 plan "$tmp/all_zero.json" -o "$tmp/all_zero_planned.json"
has all_zero_plan out 'device#2 +AZ000003 +SECONDARY .* 320 us'
run all_zero_planned_check 0 check "$tmp/all_zero_planned.json"
lacks all_zero_planned_check out 'warning'

# 160 us apart on the chain but 100 us of trigger_out_delay on the way: still 60 us apart
cat >"$tmp/out_delay.json" <<'EOF'
{
    "devices": [
        {"serial_number": "OD000001", "config": {"mode": "PRIMARY", "depth_delay_us": 160, "trigger_out_enable": true, "trigger_out_delay_us": 100}},
        {"serial_number": "OD000002", "config": {"mode": "SECONDARY", "depth_delay_us": 0}}
    ]
}
EOF
run out_delay_check 0 check "$tmp/out_delay.json"
has out_delay_check out 'warning: depth captures of device#0 OD000001 and device#1 OD000002 overlap: they start 60 us apart'
run out_delay_plan 0 plan "$tmp/out_delay.json" -o "$tmp/out_delay_planned.json"
if tr -d ' \n' <"$tmp/out_delay_planned.json" | grep -q '"mode":"SECONDARY","depth_delay_us":60'; then
  ok; else bad "out_delay: the secondary's delay is not 160 - 100 = 60"; fi
run out_delay_planned_check 0 check "$tmp/out_delay_planned.json"
lacks out_delay_planned_check out 'warning'

# --- cameras on independent clocks interfere whatever the delays: said by check and plan ----
run free_run_check 0 check "$data/cli/free_run.json"
has free_run_check out 'warning: depth cameras run on 2 independent clocks: device#0 FR000001 \(FREE_RUN\); device#1 FR000002 \(FREE_RUN\)'
has free_run_check out 'one sync chain'
run free_run_plan 0 plan "$data/cli/free_run.json" -o "$tmp/free_run.json"
has free_run_plan out 'independent clocks'

# --- too many cameras for one frame period: exit 1, the maximum and the fixes ---------------
run too_many 1 plan 19 -o "$tmp/too_many.json"
has too_many err 'at most 18 depth cameras'
has too_many err 'fewer cameras per rig'
has too_many err 'lower the fps to 24'
if [ -e "$tmp/too_many.json" ]; then bad "too_many: wrote a file anyway"; else ok; fi
cat >"$tmp/sixty.json" <<'EOF'
{
    "devices": [
        {"serial_number": "SX000001", "config": {"mode": "PRIMARY", "trigger_out_enable": true}},
        {"serial_number": "SX000002", "config": {"mode": "SECONDARY", "trigger_out_enable": true}},
        {"serial_number": "SX000003", "config": {"mode": "SECONDARY", "trigger_out_enable": true}},
        {"serial_number": "SX000004", "config": {"mode": "SECONDARY", "trigger_out_enable": true}},
        {"serial_number": "SX000005", "config": {"mode": "SECONDARY", "trigger_out_enable": true}},
        {"serial_number": "SX000006", "config": {"mode": "SECONDARY", "trigger_out_enable": true}},
        {"serial_number": "SX000007", "config": {"mode": "SECONDARY", "trigger_out_enable": true}},
        {"serial_number": "SX000008", "config": {"mode": "SECONDARY", "trigger_out_enable": true}},
        {"serial_number": "SX000009", "config": {"mode": "SECONDARY", "trigger_out_enable": true}},
        {"serial_number": "SX000010", "config": {"mode": "SECONDARY", "trigger_out_enable": true}}
    ],
    "streams": {"color": {"fps": 60}, "depth": {"fps": 60}}
}
EOF
run sixty 1 plan "$tmp/sixty.json" -o "$tmp/sixty_planned.json"
has sixty err '10 depth cameras are triggered by device#0 SX000001 \(PRIMARY\) at 60 fps'
has sixty err 'at most 9 depth cameras'

# --- usage and config errors: exit 2 --------------------------------------------------------
run no_args 2 plan
has no_args err 'usage: rigsync plan'
run no_output 2 plan 3
has no_output err '\-o OUT.json'
run no_input 2 plan -o "$tmp/x.json"
run bogus 2 plan 3 -o "$tmp/x.json" --bogus
has bogus err 'unexpected argument "--bogus"'
run zero 2 plan 0 -o "$tmp/x.json"
has zero err 'wants a whole number in 1\.\.1000 cameras'
run missing 2 plan "$tmp/does-not-exist.json" -o "$tmp/x.json"
has missing err 'does-not-exist.json'
run bad_mode 2 plan "$data/bad/unknown_mode.json" -o "$tmp/x.json"
has bad_mode err 'unknown_mode.json:[0-9]+:[0-9]+: '
run unwritable 2 plan 2 -o "/nonexistent-dir/x.json"
has unwritable err 'cannot write /nonexistent-dir/x.json'
if [ -e "$tmp/x.json" ]; then bad "a failed plan wrote $tmp/x.json"; else ok; fi
run help 0 plan --help
has help out 'usage: rigsync plan'
run main_help 0 --help
has main_help out 'plan +CONFIG\|N -o OUT.json'

finish
