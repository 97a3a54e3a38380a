#!/usr/bin/env bash
# The rigsync command line: exit codes, the seed's line format, the summary's verdict, and a
# clear message for every bad input. Runs the simulated rig in virtual time only.
# usage: test_cli.sh RIGSYNC_BINARY TEST_DATA_DIR CONFIGS_DIR
set -u
bin=$1
data=$2
configs=$3
. "$(dirname "$0")/cli_lib.sh"

seed_line='^device#[0-9]+, (color|depth) frame timestamp: [0-9]+ us , system timestamp: [0-9]+ us$'

# --- the default rig: the seed's config, both devices, both streams, synchronized ------------
run default 0 run --virtual-time --seconds 10
for d in 0 1; do
  for s in color depth; do
    has default out "^device#$d, $s frame timestamp: [0-9]+ us , system timestamp: [0-9]+ us\$"
  done
done
if grep '^device#[0-9]*, ' "$tmp/default.out" | grep -Evq -- "$seed_line"; then
  bad "default: a frame line is not in the seed's exact form"
else ok; fi
has default out '^VERDICT: SYNCHRONIZED: all 2 devices'
has default out 'p99 [0-9]+ us'
has default out '^pair device#0-device#1: [0-9]+ frames matched'
has default out 'CP3S34D00051.*PRIMARY'

# --- --global appends rigsync's time line to the seed's line; the summary reports on it ------
run global 0 run --virtual-time --seconds 10 --global --no-pixels
has global out '^device#1, depth frame timestamp: [0-9]+ us , system timestamp: [0-9]+ us , global timestamp: [0-9]+ us$'
has global out 'global timestamp spread median [0-9]+ us, p99 [0-9]+ us'
has global out "on rigsync's global time line within median"

# --- --sets prints one line per frameset; --csv writes one row per frameset -------------------
run sets 0 run --virtual-time --seconds 3 --sets --no-pixels --csv "$tmp/sets.csv"
has sets out '^set [0-9]+ @ [0-9]+ us: device#0 color #[0-9]+ [0-9]+ depth #[0-9]+ [0-9]+ \| device#1 color #[0-9]+ [0-9]+ depth #[0-9]+ [0-9]+ ; spread [0-9]+ us$'
lacks sets out '^device#[0-9]+, '
sets_lines=$(grep -c '^set ' "$tmp/sets.out")
csv_rows=$(($(wc -l <"$tmp/sets.csv") - 1))
if [ "$sets_lines" -gt 80 ] && [ "$sets_lines" -eq "$csv_rows" ]; then ok; else
  bad "sets: $sets_lines set lines but $csv_rows csv rows"; fi
if head -1 "$tmp/sets.csv" | grep -q '^set,time_us,spread_us,dev0_serial,dev0_color_status,'; then ok; else bad "csv header"; fi
if awk -F, 'NR > 1 && NF != 25 { bad = 1 } END { exit bad }' "$tmp/sets.csv"; then ok; else bad "csv rows are not 25 columns"; fi
run csv_bad 2 run --virtual-time --seconds 1 --csv /nonexistent-dir/x.csv
has csv_bad err 'cannot write --csv'

# --- same seed, same run; --quiet prints no frames but the summary --------------------------
run seed_a 0 run --virtual-time --seconds 2 --seed 5 --quiet --no-pixels
run seed_b 0 run --virtual-time --seconds 2 --seed 5 --quiet --no-pixels
if cmp -s "$tmp/seed_a.out" "$tmp/seed_b.out"; then ok; else bad "same seed gave different runs"; fi
lacks seed_a out '^device#[0-9]+, '
has seed_a out '^VERDICT: '

# --- vendor C++ format runs the same way ---------------------------------------------------
run vendor 0 run --virtual-time --seconds 10 --quiet --no-pixels --config "$configs/vendor_format_example.json"
has vendor out '^VERDICT: SYNCHRONIZED'

# --- a primary without trigger-out: the secondary is silent and the summary says why -------
run no_trigger_out 1 run --virtual-time --seconds 3 --quiet --no-pixels --config "$data/cli/primary_without_trigger_out.json"
has no_trigger_out out 'NOT SYNCHRONIZED'
has no_trigger_out out 'device#1 \(CP3L44P00054\) delivered no frames'
has no_trigger_out out 'trigger_out_enable'
run no_trigger_out_check 0 check "$data/cli/primary_without_trigger_out.json"
has no_trigger_out_check out 'warning: .*trigger_out_enable'

# --- a free-running rig is not synchronized, with its drift in us/s ------------------------
run free_run 0 run --virtual-time --seconds 10 --quiet --no-pixels --config "$data/cli/free_run.json"
has free_run out '^VERDICT: NOT SYNCHRONIZED'
has free_run out 'capture drift [-+][0-9]+\.[0-9] us/s'

# --- a cable cut during the run: the summary names the device and the likely cause -----------
run cut 1 run --virtual-time --seconds 10 --quiet --no-pixels --config "$data/cli/cut_cable.json"
has cut out 'device#1 \(CUT00002, SECONDARY\) stopped delivering frames 3\.[0-9] s into the run'
has cut out 'sync cable'
has cut out 'trigger_out_enable'

# --- ToF cameras firing together: interfered frames counted, the fix named --------------------
run tof 0 run --virtual-time --seconds 10 --quiet --no-pixels
has tof out 'depth: [0-9]+ frames, [0-9.]+ fps, [0-9]+ dropped, [0-9]+ interfered'
has tof out 'WARNING: [0-9]+ depth frames were disturbed by another ToF camera'
has tof out 'rigsync plan'

# --- 5 % of frames stalled 20-200 ms: the verdict names the stalls, frames in no set counted --
run stalls 0 run --virtual-time --seconds 10 --quiet --no-pixels --config "$data/cli/stalls.json"
has stalls out '^VERDICT: SYNCHRONIZED: .* WARNING: [0-9]+ transport stalls .* longest [0-9.]+ ms on device#'
has stalls out 'stalls \(longest [0-9.]+ ms\)'
lacks stalls out '^host lag'   # virtual time: no wall clock to lag behind

# --- software triggering from the command line ------------------------------------------------
run swt 0 run --virtual-time --seconds 5 --no-pixels --trigger-hz 10 --config "$data/cli/software_trigger.json"
has swt out '^rigsync: software trigger at 10 Hz to 1 device'
swt0=$(grep -c '^device#0, depth frame' "$tmp/swt.out")
swt1=$(grep -c '^device#1, depth frame' "$tmp/swt.out")
# ~47 triggers after start-up: 2 frames each on device#0, one pulse each to device#1
diff=$((swt0 - 2 * swt1)); if [ "$swt0" -ge 90 ] && [ "$swt0" -le 100 ] && [ "${diff#-}" -le 2 ]; then ok; else
  bad "swt: $swt0 frames of device#0 and $swt1 of device#1"; fi
run swt_fast 2 run --virtual-time --seconds 1 --trigger-hz 20 --config "$data/cli/software_trigger.json"
has swt_fast err '40 frames/s, more than its 30 fps'
run swt_none 2 run --virtual-time --seconds 1 --trigger-hz 10
has swt_none err 'no device of .* is SOFTWARE_TRIGGERING'

# --- rig-level bad input: exit 2, file:line:col, nothing started ---------------------------
run not_on_rig 2 run --virtual-time --seconds 1 --config "$data/cli/serial_not_on_rig.json"
has not_on_rig err 'serial_not_on_rig.json:8:30: devices\[1\]\.serial_number: '
has not_on_rig err 'CP3L44P00099'
has not_on_rig err 'present: .*CP3L44P00054'
lacks not_on_rig out '^device#[0-9]+, '
run not_on_rig_check 2 check "$data/cli/serial_not_on_rig.json"
has not_on_rig_check err 'CP3L44P00099'

run unsupported 2 run --virtual-time --seconds 1 --config "$data/cli/unsupported_mode.json"
has unsupported err 'unsupported_mode.json:9:33: devices\[1\]\.config\.mode: '
lacks unsupported out 'written'   # device#0 was valid, but nothing is written when device#1 is not
has unsupported err 'Femto Bolt'
has unsupported err 'SECONDARY_SYNCED'
lacks unsupported out '^device#[0-9]+, '

run missing 2 check "$tmp/does-not-exist.json"
has missing err 'does-not-exist.json'
has missing err 'No such file'
run missing_run 2 run --virtual-time --config "$tmp/does-not-exist.json"

# --- file-level bad input: one file each, from the manifest --------------------------------
if [ ! -s "$data/bad/expected.tsv" ]; then bad "no bad-input manifest"; fi
while IFS=$'\t' read -r file want; do
  [ -z "$file" ] && continue
  name="bad_${file%.json}"
  run "$name" 2 check "$data/bad/$file" || continue
  has "$name" err "$file:[0-9]+:[0-9]+: "
  if grep -Fq -- "$want" "$tmp/$name.err"; then ok; else
    bad "$name: stderr lacks \"$want\""; sed 's/^/  stderr: /' "$tmp/$name.err"
  fi
  run "${name}_run" 2 run --virtual-time --seconds 1 --config "$data/bad/$file"
  lacks "${name}_run" out '^device#[0-9]+, '
done <"$data/bad/expected.tsv"

# --- real time: the engine thread paces the rig to the wall clock --------------------------
run realtime 0 run --seconds 1.5 --no-pixels
has realtime out '^device#0, color frame timestamp: '
has realtime out '^VERDICT: UNKNOWN: too short'
has realtime out '^host lag: [0-9.]+ s of frames delivered in [0-9.]+ s of wall time'

# --- Ctrl-C ends a real-time run with its summary --------------------------------------------
"$bin" run --seconds 60 --no-pixels --quiet >"$tmp/sigint.out" 2>"$tmp/sigint.err" </dev/null &
pid=$!
sleep 2
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" -eq 0 ]; then ok; else bad "sigint: exit $rc, wanted 0"; fi
has sigint out '^rigsync: interrupted$'
has sigint out '^== rigsync summary: '

# --- usage -----------------------------------------------------------------------------------
run no_args 2
run unknown_cmd 2 frobnicate
has unknown_cmd err 'unknown command'
run bad_seconds 2 run --seconds abc
has bad_seconds err '--seconds'
run bad_option 2 run --bogus
has bad_option err 'unknown option'
run check_no_file 2 check
run bad_backend 2 run --virtual-time --backend nosuch
has bad_backend err 'available backends'
run help 0 --help
has help out 'usage: rigsync'

# --- list and check ------------------------------------------------------------------------
run list 0 list
has list out 'CP3S34D00051'
has list out 'CP3L44P00054'
run check_ok 0 check "$configs/multi_device_sync_config.json"
has check_ok out 'valid, 2 devices'
has check_ok out 'start order: device#1 device#0'

finish
