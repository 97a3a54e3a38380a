#!/usr/bin/env bash
# rigsync record / run --record: exit codes, counts and messages, in virtual time. The file's
# content is checked by test_record (C) and here by the official MCAP reader (mcap_official,
# cli_lib.sh): every file written, with the messages per topic the run printed.
# usage: test_cli_record.sh RIGSYNC_BINARY CONFIGS_DIR
set -u
bin=$1
configs=$2
. "$(dirname "$0")/cli_lib.sh"

# --- a 3 s recording: every frame the summary counts is written, none dropped ---------------
run rec 0 record --virtual-time --seconds 3 -o "$tmp/a.mcap"
has rec out '^rigsync: recorded .*a\.mcap: [0-9]+ frames \([0-9]+ with pixels\), [0-9]+ framesets, [0-9]+ clock events; recorder drops: 0 frames, 0 framesets, 0 clock events$'
lacks rec out '^device#[0-9]+, ' # record is quiet
summary_frames=$(grep -oE '(color|depth): [0-9]+ frames' "$tmp/rec.out" | awk '{ s += $2 } END { print s }')
written=$(sed -nE 's/^rigsync: recorded .*: ([0-9]+) frames \(([0-9]+) with pixels\).*/\1 \2/p' "$tmp/rec.out")
if [ "$summary_frames" -gt 300 ] && [ "$written" = "$summary_frames $summary_frames" ]; then ok; else
  bad "rec: summary counts $summary_frames frames, recorder wrote '$written'"; fi
if [ "$(head -c 8 "$tmp/a.mcap" | od -An -tx1 | tr -d ' \n')" = "894d434150300d0a" ] &&
   [ "$(tail -c 8 "$tmp/a.mcap" | od -An -tx1 | tr -d ' \n')" = "894d434150300d0a" ]; then ok; else
  bad "rec: a.mcap does not begin and end with the MCAP magic"; fi
mcap_expect_from_run "$tmp/rec.out"
mcap_official "$tmp/a.mcap" "${mcap_expect[@]}"

# --- run --record: the same run, the same counts; without pixels still one record per frame --
run runrec 0 run --virtual-time --seconds 3 --quiet --record "$tmp/b.mcap"
if [ "$(grep '^rigsync: recorded' "$tmp/runrec.out" | sed 's/b\.mcap/X/')" = \
     "$(grep '^rigsync: recorded' "$tmp/rec.out" | sed 's/a\.mcap/X/')" ]; then ok; else
  bad "run --record and record wrote different counts"; fi
mcap_expect_from_run "$tmp/runrec.out"
mcap_official "$tmp/b.mcap" "${mcap_expect[@]}"
run nopix 0 record --virtual-time --seconds 3 --no-pixels -o "$tmp/c.mcap"
has nopix out "^rigsync: recorded .*: $summary_frames frames \\(0 with pixels\\)"
mcap_expect_from_run "$tmp/nopix.out"
mcap_official "$tmp/c.mcap" "${mcap_expect[@]}"

# --- errors: a full disk, a file size limit, an input file as output, no -o ----------------
run full 1 record --virtual-time --seconds 1 -o /dev/full
has full err 'cannot record to /dev/full: No space left on device'
( ulimit -f 300; "$bin" record --virtual-time --seconds 3 -o "$tmp/d.mcap" >"$tmp/fsize.out" 2>"$tmp/fsize.err" </dev/null; echo $? >"$tmp/fsize.rc" )
if [ "$(cat "$tmp/fsize.rc")" = 1 ]; then ok; else bad "fsize: exit $(cat "$tmp/fsize.rc"), wanted 1"; fi
has fsize err 'writing the recording failed: File too large \(.*d\.mcap\); the file was cut back and finished' # details: cli_crash
if [ "$(head -c 8 "$tmp/d.mcap" | od -An -tx1 | tr -d ' \n')" = "894d434150300d0a" ]; then ok; else
  bad "fsize: the cut file lost its header"; fi
mcap_official "$tmp/d.mcap" --partial --min-chunks 1
cp "$configs/multi_device_sync_config.json" "$tmp/cfg.json"
run same 2 record --virtual-time --seconds 1 --config "$tmp/cfg.json" -o "$tmp/cfg.json"
has same err 'is the file given to --config'
if cmp -s "$configs/multi_device_sync_config.json" "$tmp/cfg.json"; then ok; else bad "same: config overwritten"; fi
run same_csv 2 run --virtual-time --seconds 1 --csv "$tmp/x" --record "$tmp/x"
has same_csv err '--record .* is the file given to --csv'
run no_o 2 record --virtual-time --seconds 1
has no_o err 'give the file to write with -o FILE.mcap'
finish
