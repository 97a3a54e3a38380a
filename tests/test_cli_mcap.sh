#!/usr/bin/env bash
# rigsync info and rigsync recover on a 3 virtual-second recording (no pixels: fast): info's
# counts against the recording's own summary; the file cut at several offsets (head -c, as
# kill -9 or a full disk leave it) is broken for info (exit 2, file and offset), and recover
# keeps exactly the messages of the chunks that end before the cut, in a file info reads; a
# file with its middle chunk damaged: recover keeps the chunks before and after it, says which
# it skipped and what each channel lost. The official MCAP reader (mcap_official, cli_lib.sh)
# checks the recording with the counts the run printed, reads every complete chunk of each cut
# file (--partial), fully checks each recovered file, and rejects the damaged one.
# usage: test_cli_mcap.sh RIGSYNC_BINARY
set -u
bin=$1
. "$(dirname "$0")/cli_lib.sh"

run rec 0 record --virtual-time --seconds 3 --no-pixels -o "$tmp/a.mcap"
mcap_expect_from_run "$tmp/rec.out"
mcap_official "$tmp/a.mcap" "${mcap_expect[@]}"
run info 0 info "$tmp/a.mcap" --chunks
has info out '^file: .*a\.mcap, profile "ros2", library "rigsync": complete \(summary and footer\)$'
has info out '^devices: 2$'
has info out '^  devices\[0\]: serial [A-Z0-9]+ model .*; mode PRIMARY$'
has info out '^  devices\[1\]: serial [A-Z0-9]+ model .*; mode SECONDARY$'
has info out '^recorder: written [0-9]+ frames, [0-9]+ framesets, [0-9]+ clock events; dropped 0 frames, 0 framesets, 0 clock events$'
has info out '^verdict: UNKNOWN: too short'
has info out '^duration: 2\.9[0-9]+ s'
# frames: what record said it wrote = FrameInfo messages in the file = the run's summary
written=$(sed -nE 's/^rigsync: recorded .*: ([0-9]+) frames .* ([0-9]+) framesets, ([0-9]+) clock events;.*/\1 \2 \3/p' "$tmp/rec.out")
summary_frames=$(grep -oE '(color|depth): [0-9]+ frames' "$tmp/rec.out" | awk '{ s += $2 } END { print s }')
in_file=$(sed -nE 's/^frames in file: ([0-9]+)$/\1/p' "$tmp/info.out")
sets=$(sed -nE 's|^  /rig/framesets \(rigsync_msgs/msg/FrameSet\): ([0-9]+) messages$|\1|p' "$tmp/info.out")
events=$(sed -nE 's|^  /rig/clock_events \(rigsync_msgs/msg/ClockEvent\): ([0-9]+) messages$|\1|p' "$tmp/info.out")
if [ "$summary_frames" -gt 300 ] && [ "$written" = "$in_file $sets $events" ] &&
   [ "$in_file" = "$summary_frames" ]; then ok; else
  bad "info: file holds '$in_file $sets $events', record wrote '$written', summary counts $summary_frames"; fi
# per stream: device#0's color frames in the run's summary = its frame_info channel
d0c=$(sed -nE 's/^device#0 .*\| color: ([0-9]+) frames.*/\1/p' "$tmp/rec.out")
has info out "^  /rig/[A-Z0-9]+/color/frame_info \\(rigsync_msgs/msg/FrameInfo\\): $d0c messages\$"
total=$(sed -nE 's/^streams: 11 channels, ([0-9]+) messages in ([0-9]+) chunks, 4 metadata records$/\1/p' "$tmp/info.out")
chunk_sum=$(awk '/^chunk: / { s += $7 } END { print s }' "$tmp/info.out")
nchunks=$(grep -c '^chunk: ' "$tmp/info.out")
if [ -n "$total" ] && [ "$total" = "$chunk_sum" ] && [ "$nchunks" -ge 3 ]; then ok; else
  bad "info: $total messages, $chunk_sum in $nchunks chunks"; fi

# --- cut files: broken for info; recover keeps the chunks that end before the cut ----------
size=$(stat -c %s "$tmp/a.mcap")
end1=$(awk '/^chunk: / { print $5; exit }' "$tmp/info.out")
end2=$(awk '/^chunk: / { n++; if (n == 2) print $5 }' "$tmp/info.out")
# messages of the chunks that end at or before byte $1
expect() { awk -v c="$1" '/^chunk: / && $5 <= c { s += $7 } END { print s + 0 }' "$tmp/info.out"; }
for cut in 100 $((end1 - 1)) "$end1" $((end2 - 1)) "$end2" $(((end2 + size) / 2)) $((size - 1)); do
  head -c "$cut" "$tmp/a.mcap" >"$tmp/cut.mcap"
  run "info_$cut" 2 info "$tmp/cut.mcap"
  has "info_$cut" err "cut\\.mcap: offset [0-9]+: .*\\(truncated\\)"
  has "info_$cut" err 'rigsync recover .*cut\.mcap -o FIXED\.mcap'
  want=$(expect "$cut")
  run "recover_$cut" 0 recover "$tmp/cut.mcap" -o "$tmp/fixed.mcap"
  mcap_official "$tmp/cut.mcap" --partial
  mcap_official_has "partial OK: $(awk -v c="$cut" '/^chunk: / && $5 <= c { n++ } END { print n + 0 }' "$tmp/info.out") complete chunks, $want messages "
  has "recover_$cut" out "^rigsync recover: wrote .*fixed\\.mcap: kept $want messages of "
  mcap_official "$tmp/fixed.mcap"
  mcap_official_has " OK profile=ros2 messages=$want "
  run "fixed_$cut" 0 info "$tmp/fixed.mcap"
  has "fixed_$cut" out "^streams: [0-9]+ channels, $want messages in "
done
# a cut inside the first chunk keeps no message but the channels; inside the summary, all
has recover_$((end1 - 1)) out 'kept 0 messages of 0 complete chunks, 11 channels, 3 metadata records'
has fixed_$((size - 1)) out '^verdict: UNKNOWN: too short'
has recover_$((size - 1)) out 'lost nothing'
if [ "$(expect "$end2")" -gt "$(expect $((end2 - 1)))" ]; then ok; else bad "cuts: chunk 2 holds no message"; fi

# --- errors --------------------------------------------------------------------------------
run same 2 recover "$tmp/a.mcap" -o "$tmp/../$(basename "$tmp")/a.mcap"
has same err 'is the input file'
run no_o 2 recover "$tmp/a.mcap"
run noinfo 2 info
printf 'not an mcap file at all\n' >"$tmp/foreign.mcap"
run foreign 2 info "$tmp/foreign.mcap"
has foreign err 'offset 0: no MCAP magic at the start: not an MCAP file \(bad_magic\)'
run foreign_rec 2 recover "$tmp/foreign.mcap" -o "$tmp/f2.mcap"
has foreign_rec err 'foreign\.mcap: offset 0: no MCAP magic at the start: not an MCAP file \(bad_magic\)'
has foreign_rec err 'nothing to recover'
head -c 12 "$tmp/a.mcap" >"$tmp/short.mcap"
run short 2 info "$tmp/short.mcap"
has short err 'short\.mcap: offset 8: the file ends before the Header record \(truncated\)'
run short_rec 2 recover "$tmp/short.mcap" -o "$tmp/f3.mcap"

# --- the middle chunk damaged (4 bytes of its compressed data overwritten) ------------------
start2=$(awk '/^chunk: / { n++; if (n == 2) print $3 }' "$tmp/info.out")
msgs2=$(awk '/^chunk: / { n++; if (n == 2) print $7 }' "$tmp/info.out")
cp "$tmp/a.mcap" "$tmp/bad.mcap"
printf '\377\377\377\377' | dd of="$tmp/bad.mcap" bs=1 seek=$(((start2 + end2) / 2)) conv=notrunc 2>/dev/null
run bad_info 2 info "$tmp/bad.mcap"
mcap_official_rejects "$tmp/bad.mcap" 'FAIL: stream reader: '
mcap_official_rejects "$tmp/bad.mcap" 'FAIL: partial: the stream reader failed \(at chunk record 2 of 3 complete ones\)' --partial
has bad_info err "bad\\.mcap: offset $start2: .*\\((crc|compression)\\)\$"
run bad_export 2 export "$tmp/bad.mcap" --frameset 40 -o "$tmp/bad_out"
has bad_export err "bad\\.mcap: offset $start2: .*\\((crc|compression)\\)\$"
run bad_rec 0 recover "$tmp/bad.mcap" -o "$tmp/bad_fixed.mcap"
has bad_rec out "skipped the chunk at offset $start2: .*\\((crc|compression)\\)\$"
has bad_rec out "kept $((total - msgs2)) messages of 2 complete chunks, 11 channels, 4 metadata records"
# lost per channel: the damaged chunk's messages (its Message Indexes and the statistics agree)
lost=$(awk '/^  \/rig\/.*: kept [0-9]+, lost [0-9]+$/ { s += $NF } END { print s + 0 }' "$tmp/bad_rec.out")
if [ "$lost" = "$msgs2" ]; then ok; else bad "bad_rec: lost $lost, the chunk held $msgs2"; fi
run bad_fixed 0 info "$tmp/bad_fixed.mcap" --chunks
has bad_fixed out "^streams: 11 channels, $((total - msgs2)) messages in 2 chunks, 4 metadata records\$"
has bad_fixed out '^verdict: UNKNOWN: too short'
# the chunk after the damaged one is kept: its message count is the second chunk's of the fix
msgs3=$(awk '/^chunk: / { n++; if (n == 3) print $7 }' "$tmp/info.out")
if [ "$(awk '/^chunk: / { n++; if (n == 2) print $7 }' "$tmp/bad_fixed.out")" = "$msgs3" ]; then ok
else bad "bad_fixed: its second chunk is not the input's third"; fi
mcap_official "$tmp/bad_fixed.mcap"
mcap_official_has " OK profile=ros2 messages=$((total - msgs2)) chunks=2 "
finish
