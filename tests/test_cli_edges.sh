#!/usr/bin/env bash
# Edges of the command line (issue 13 item 6): the CSV never overwrites an input file, write
# errors on stdout or the CSV exit 1 with a message, SIGHUP / SIGTERM end a run with its summary,
# control characters in serials are refused at load, every command has --help. Virtual time.
# usage: test_cli_edges.sh RIGSYNC_BINARY CONFIGS_DIR
set -u
bin=$1
configs=$2
. "$(dirname "$0")/cli_lib.sh"
seed="$configs/multi_device_sync_config.json"

# --- --csv is never an input file: same path, another spelling, a hard link ---------------
cp "$seed" "$tmp/rig.json"
ln "$tmp/rig.json" "$tmp/link.json"
for csv in "$tmp/rig.json" "$tmp/./rig.json" "$tmp/link.json"; do
  run csv_is_config 2 run --virtual-time --seconds 1 --quiet --config "$tmp/rig.json" --csv "$csv"
  has csv_is_config err "--csv .* is the file given to --config .*rig.json.*would overwrite it"
  if cmp -s "$seed" "$tmp/rig.json"; then ok; else bad "csv_is_config: $csv overwrote the config"; fi
done
run csv_is_lib 2 run --virtual-time --seconds 1 --quiet --csv "$tmp/rig.json" --orbbec-lib "$tmp/link.json"
has csv_is_lib err "is the file given to --orbbec-lib"
if cmp -s "$seed" "$tmp/rig.json"; then ok; else bad "csv_is_lib: overwrote the file"; fi
# another file is fine, and gets the header and one row per set
run csv_elsewhere 0 run --virtual-time --seconds 1 --quiet --config "$tmp/rig.json" --csv "$tmp/sets.csv"
if head -1 "$tmp/sets.csv" | grep -q '^set,time_us,spread_us,dev0_serial'; then ok; else bad "csv_elsewhere: no header"; fi

# --- write errors: a full disk on stdout or the CSV is exit 1, named on stderr --------------
if [ -w /dev/full ]; then
  "$bin" run --virtual-time --seconds 1 >/dev/full 2>"$tmp/full_out.err"
  rc=$?
  [ "$rc" -eq 1 ] && ok || bad "stdout on /dev/full: exit $rc, wanted 1"
  has full_out err "writing the output to stdout failed"
  "$bin" check "$seed" >/dev/full 2>"$tmp/full_check.err"
  rc=$?
  [ "$rc" -eq 1 ] && ok || bad "check to /dev/full: exit $rc, wanted 1"
  has full_check err "writing the output to stdout failed: No space left on device"
  run full_csv 1 run --virtual-time --seconds 1 --quiet --csv /dev/full
  has full_csv err "writing the CSV /dev/full failed: No space left on device; it is incomplete"
  has full_csv out "^VERDICT: " # the summary itself reached stdout
else
  echo "skip: /dev/full is not writable here"
fi

# --- SIGHUP and SIGTERM end a run with its summary, like SIGINT -----------------------------
# A virtual run of 10^6 s lasts far longer than the wait for its first line, so the signal
# always lands mid-run; the run then ends at once with its summary.
for sig in HUP TERM INT; do
  # One file per signal, made empty before the start: the wait below must never find the
  # line of the previous run (the background child truncates its file only when it runs).
  : >"$tmp/sig_$sig.out"
  "$bin" run --virtual-time --seconds 1000000 --quiet >"$tmp/sig_$sig.out" 2>"$tmp/sig_$sig.err" &
  pid=$!
  for _ in $(seq 600); do grep -q '^rigsync: streaming' "$tmp/sig_$sig.out" && break; sleep 0.05; done
  kill -"$sig" "$pid"
  wait "$pid"
  rc=$?
  [ "$rc" -le 1 ] && ok || bad "SIG$sig: exit $rc (killed by the signal?)"
  if [ "$sig" = INT ]; then want='^rigsync: interrupted$'; else want="^rigsync: interrupted \(SIG$sig\)$"; fi
  has "sig_$sig" out "$want"
  has "sig_$sig" out "^== rigsync summary: "
  has "sig_$sig" out "^VERDICT: "
done

# --- control characters in serials: refused at load, the message escaped -------------------
printf '{"devices": [{"serial_number": "AB\\u001b[2JCD", "config": {"mode": "PRIMARY"}},\n {"serial_number": "X\\nVERDICT: SYNCHRONIZED", "config": {"mode": "SECONDARY"}}]}\n' >"$tmp/ctrl.json"
run ctrl_check 2 check "$tmp/ctrl.json"
has ctrl_check err "ctrl.json:1:32: devices\[0\].serial_number: the serial number of device#0 contains the control character \\\\x1b \(byte 3\); a serial number is printable text: remove it\.$"
run ctrl_run 2 run --virtual-time --seconds 1 --config "$tmp/ctrl.json"
lacks ctrl_run out "VERDICT"
[ "$(wc -l <"$tmp/ctrl_run.err")" -eq 1 ] && ok || bad "ctrl_run: the message is not one line"
printf '{"devices": [{"serial_number": "A", "config": {"mode": "PRIMARY"}}], "sim": {"wiring": [{"from": "A\\nVERDICT: SYNCHRONIZED", "to": "A"}]}}\n' >"$tmp/ctrl_cable.json"
run ctrl_cable 2 check "$tmp/ctrl_cable.json"
has ctrl_cable err '"A\\x0aVERDICT: SYNCHRONIZED" is not a device'
[ "$(wc -l <"$tmp/ctrl_cable.err")" -eq 1 ] && ok || bad "ctrl_cable: the message is not one line"

# --- --help and -h for every command ---------------------------------------------------------
for cmd in run check list plan; do
  for h in --help -h; do
    run "help_${cmd}_$h" 0 "$cmd" "$h"
    has "help_${cmd}_$h" out "^usage: rigsync"
  done
done
run help_after_options 0 run --virtual-time --seconds 1 --help
lacks help_after_options out "streaming"
finish
