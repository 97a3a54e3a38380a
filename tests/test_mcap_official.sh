#!/usr/bin/env bash
# The official MCAP reader (scripts/check-mcap.sh) on rigsync's files.
#   test_mcap_official.sh dir DIR
#       every file the C tests (test_mcap, test_record) left in DIR: *.partial.mcap (cut on
#       purpose) with --partial, every other *.mcap with the full check, and with the messages
#       per topic in FILE.expect.json when there is one; at least one of each kind. Every
#       message is decoded as Foxglove does, except in test_mcap's files (--no-decode: their
#       messages are arbitrary bytes); at least one decoded file.
#   test_mcap_official.sh rejects RIGSYNC_BINARY
#       the check can fail: a recording passes with the counts the run printed; the same file
#       with a flipped chunk CRC byte, an off-by-one statistics message count (summary CRC
#       rewritten), a wrong message index time (data CRC rewritten), a stale data section CRC,
#       a wrong expected count, or cut (full mode) is rejected; cut, --partial reads its chunks.
#       Decoding: a recording with pixels and one with MJPG color pass with every message
#       decoded (counts per schema from the run's); copies rewritten by the official writer
#       (tests/mcap_rewrite.mjs: valid container, one change of content) are rejected: an
#       Image one byte short, an Image whose step disagrees with its width, a FrameInfo one
#       byte short, a FrameInfo stamp 1 us off its global time, an Image stamp 1 s off its
#       FrameInfo's, a clock event of device 2 in a
#       rig of 2, a CompressedImage of JPEG bytes that says png, a misspelled field type
#       (unit32), a misspelled schema name (sensor_msgs/msg/Imgae), a std_msgs/Header field
#       renamed (ROS 2's fields), a separator of 79 '='; the unchanged rewrite passes. The
#       faults example's 8 device events are recorded and decoded.
# RIGSYNC_MCAP_CHECK=off: exit 77 (skipped).
set -u
if [ "${RIGSYNC_MCAP_CHECK:-}" = off ]; then
  echo "RIGSYNC_MCAP_CHECK=off: the official MCAP reader is not run"
  exit 77
fi
mode=$1
bin=${2:-}
. "$(dirname "$0")/cli_lib.sh"

if [ "$mode" = dir ]; then
  dir=$2
  full=0
  cut=0
  expected=0
  decoded=0
  for f in "$dir"/*.mcap; do
    [ -e "$f" ] || continue
    opts=()
    case $(basename "$f") in
      test_mcap_*) opts=(--no-decode) ;; # synthetic payloads, not CDR
      *) decoded=$((decoded + 1)) ;;
    esac
    case $f in
      *.partial.mcap) mcap_official "$f" --partial "${opts[@]}"; cut=$((cut + 1)) ;;
      *) if [ -e "$f.expect.json" ]; then mcap_official "$f" --expect-json "$f.expect.json" "${opts[@]}"; expected=$((expected + 1))
         else mcap_official "$f" "${opts[@]}"; fi
         full=$((full + 1)) ;;
    esac
  done
  echo "checked $full complete ($expected with the counts the run delivered, FILE.expect.json) and $cut cut files in $dir; $decoded with every message decoded"
  if [ "$full" -ge 1 ] && [ "$cut" -ge 1 ] && [ "$expected" -ge 1 ] && [ "$decoded" -ge 1 ]; then ok; else
    bad "$dir: $full complete ($expected with expected counts), $cut cut files, $decoded decoded"; fi
  finish
  exit
fi

patch() { node "$(dirname "$0")/mcap_patch.mjs" "$@" >/dev/null || bad "mcap_patch $*"; }
rewrite() { node "$(dirname "$0")/mcap_rewrite.mjs" "$@" >/dev/null || bad "mcap_rewrite $*"; }
# recorded_counts OUT: frames, with pixels, framesets, clock events from a run's summary line
recorded_counts() {
  sed -nE 's/^rigsync: recorded .*: ([0-9]+) frames \(([0-9]+) with pixels\), ([0-9]+) framesets, ([0-9]+) clock events;.*/\1 \2 \3 \4/p' "$1"
}
run rec 0 record --virtual-time --seconds 2 --no-pixels -o "$tmp/a.mcap"
mcap_expect_from_run "$tmp/rec.out"
mcap_official "$tmp/a.mcap" "${mcap_expect[@]}"
mcap_official_has ' OK profile=ros2 messages=[0-9]+ chunks=[0-9]+ metadata=4 .* expected=10 '
messages=$(sed -nE 's/.* OK profile=ros2 messages=([0-9]+) .*/\1/p' "$tmp/mcap_official.out")
# every message decoded: frames' FrameInfo, no Image, the framesets and clock events the run printed
read -r f p s c < <(recorded_counts "$tmp/rec.out")
mcap_official_has " decoded=$messages sensor_msgs/msg/Image=0 rigsync_msgs/msg/FrameInfo=$f rigsync_msgs/msg/FrameSet=$s rigsync_msgs/msg/ClockEvent=$c rigsync_msgs/msg/DeviceEvent=0\$"

# a wrong expectation: one clock event more than the run printed
wrong=()
for e in "${mcap_expect[@]}"; do
  case $e in /rig/clock_events=*) wrong+=("/rig/clock_events=$((${e#*=} + 1))") ;; *) wrong+=("$e") ;; esac
done
mcap_official_rejects "$tmp/a.mcap" 'topic /rig/clock_events: [0-9]+ messages, expected [0-9]+' "${wrong[@]}"

patch chunk-crc "$tmp/a.mcap" "$tmp/crc.mcap"
mcap_official_rejects "$tmp/crc.mcap" 'stream reader: .*CRC'
patch stats-count "$tmp/a.mcap" "$tmp/stats.mcap"
mcap_official_rejects "$tmp/stats.mcap" "statistics say $((messages + 1)) messages, a full read finds $messages"
patch index-time "$tmp/a.mcap" "$tmp/index.mcap"
mcap_official_rejects "$tmp/index.mcap" 'message index of channel [0-9]+ .* the index says channel'
patch data-crc "$tmp/a.mcap" "$tmp/data.mcap"
mcap_official_rejects "$tmp/data.mcap" 'data section CRC [0-9]+ != [0-9]+ in DataEnd'

# cut after the first chunk's message indexes and 100 bytes into the second chunk
ends=$(node -e '
  const b = require("fs").readFileSync(process.argv[1]); let n = 0;
  for (let p = 8; p + 9 <= b.length; ) {
    const e = p + 9 + Number(b.readBigUInt64LE(p + 1));
    if (b[p] === 0x06 && ++n === 2) { console.log(p, p + 100); break; }
    p = e;
  }' "$tmp/a.mcap")
read -r second_start inside_second <<<"$ends"
head -c "$inside_second" "$tmp/a.mcap" >"$tmp/cut.mcap"
mcap_official_rejects "$tmp/cut.mcap" "the file ends at byte $inside_second before its footer"
mcap_official "$tmp/cut.mcap" --partial --min-chunks 1
mcap_official_has "partial OK: 1 complete chunks, [0-9]+ messages read by the stream reader; cut at byte $inside_second, 100 bytes after"
mcap_official_rejects "$tmp/cut.mcap" 'partial: 1 complete chunks, wanted at least 2' --partial --min-chunks 2
head -c "$inside_second" "$tmp/crc.mcap" >"$tmp/crc_cut.mcap" # its one complete chunk is bad
mcap_official_rejects "$tmp/crc_cut.mcap" 'partial: the stream reader failed \(at chunk record 1 of 1 complete ones\): .*CRC' --partial
head -c "$second_start" "$tmp/a.mcap" >"$tmp/cut2.mcap"
mcap_official "$tmp/cut2.mcap" --partial --min-chunks 1
mcap_official_has "partial OK: 1 complete chunks, .* 0 bytes after the last complete record; decoded=[1-9][0-9]* "

# --- decoding (Foxglove's parser and CDR reader) and ROS 2's definitions -----------------------
# small images (the official writer's copies are uncompressed): RGB 160x120, Y16 160x144
tiny() {
  cat <<JSON
{"streams": {"color": {"width": 160, "height": 120, "fps": 30, "format": "$1"},
             "depth": {"width": 160, "height": 144, "fps": 30, "format": "Y16"}},
 "devices": [{"serial_number": "CP3S34D00051", "config": {"mode": "PRIMARY", "trigger_out_enable": true}},
             {"serial_number": "CP3L44P00054", "config": {"mode": "SECONDARY"}}]}
JSON
}
tiny RGB >"$tmp/rgb.json"
run recp 0 record --virtual-time --seconds 1 --config "$tmp/rgb.json" -o "$tmp/p.mcap"
read -r f p s c < <(recorded_counts "$tmp/recp.out")
mcap_official "$tmp/p.mcap"
mcap_official_has " decoded=$((2 * f + s + c)) sensor_msgs/msg/Image=$p rigsync_msgs/msg/FrameInfo=$f "
[ "$p" = "$f" ] && [ "$f" -gt 0 ] && ok || bad "p.mcap: $p of $f frames with pixels"
I=sensor_msgs/msg/Image FI=rigsync_msgs/msg/FrameInfo
sep=$(printf '=%.0s' $(seq 80))
# copies by the official writer (IN read once): unchanged, then one change each
rewrite "$tmp/p.mcap" "$tmp/same.mcap" same \
  -- "$tmp/short.mcap" short $I -- "$tmp/step.mcap" add $I step 1 \
  -- "$tmp/short_info.mcap" short $FI -- "$tmp/stamp.mcap" add $FI header.stamp.nanosec 1000 \
  -- "$tmp/device.mcap" add rigsync_msgs/msg/ClockEvent device 2 \
  -- "$tmp/image_stamp.mcap" add $I header.stamp.sec 1 \
  -- "$tmp/typo.mcap" schema-text "uint32 height" "unit32 height" \
  -- "$tmp/name.mcap" schema-name $I sensor_msgs/msg/Imgae \
  -- "$tmp/header.mcap" schema-text "string frame_id" "string frame_ix" \
  -- "$tmp/sep.mcap" schema-text "$sep" "${sep#=}"
mcap_official "$tmp/same.mcap"
first='channel [0-9]+ \(/rig/[A-Z0-9]+/color/image_raw, sensor_msgs/msg/Image\), message at log time [0-9]+ ns, sequence [0-9]+: '
mcap_official_rejects "$tmp/short.mcap" "$first(does not decode|the definition reads [0-9]+ bytes, the message has [0-9]+)"
mcap_official_rejects "$tmp/step.mcap" "${first}step 481 != width 160 \* 3 bytes per pixel \(rgb8\)"
mcap_official_rejects "$tmp/short_info.mcap" 'frame_info, rigsync_msgs/msg/FrameInfo\), message at .*: does not decode'
mcap_official_rejects "$tmp/stamp.mcap" 'FrameInfo\), message at .*: header stamp [0-9]+ s [0-9]+ ns, its global time [0-9]+ us says'
mcap_official_rejects "$tmp/image_stamp.mcap" 'header stamp [0-9]+ s [0-9]+ ns, /rig/[A-Z0-9]+/color/(image_raw|frame_info) at the same log time has [0-9]+ s [0-9]+ ns'
mcap_official_rejects "$tmp/device.mcap" 'clock_events, .*: device 2 out of range: the rig has 2 devices \(metadata rigsync.rig device_count\)'
mcap_official_rejects "$tmp/typo.mcap" "schema [0-9]+ \($I\): ROS 2 would not accept it: line 2 .*'unit32' is neither a ROS 2 primitive type nor a package/Type"
mcap_official_rejects "$tmp/name.mcap" "'sensor_msgs/msg/Imgae' is not one of the sensor_msgs types rigsync writes"
mcap_official_rejects "$tmp/header.mcap" "std_msgs/msg/Header differs from ROS 2's: fields builtin_interfaces/msg/Time stamp, string frame_ix; ROS 2 has builtin_interfaces/msg/Time stamp, string frame_id"
mcap_official_rejects "$tmp/sep.mcap" "a separator of 79 '=', rosbag2 writes 80"

# device events (configs/faults_example.json: unplug at 4 s, back at 6 s, reboot at 9 s, back at
# 10.5 s): 8 EVENT lines (as cli_faults derives them), one DeviceEvent each, all decoded
run recf 0 record --config "$(dirname "$0")/../configs/faults_example.json" --virtual-time --seconds 11 \
  --no-pixels -o "$tmp/f.mcap"
events=$(cat "$tmp/recf.out" "$tmp/recf.err" | grep -c '^EVENT ')
[ "$events" = 8 ] && ok || bad "faults example: $events EVENT lines, expected 8"
mcap_official "$tmp/f.mcap"
mcap_official_has " rigsync_msgs/msg/DeviceEvent=$events\$"

# MJPG color: sensor_msgs/msg/CompressedImage, JPEG bytes; format png with those bytes is rejected
tiny MJPG >"$tmp/mjpg.json"
run recj 0 record --virtual-time --seconds 1 --config "$tmp/mjpg.json" -o "$tmp/j.mcap"
mcap_official "$tmp/j.mcap"
mcap_official_has " sensor_msgs/msg/CompressedImage=[1-9][0-9]*\$"
rewrite "$tmp/j.mcap" "$tmp/png.mcap" set sensor_msgs/msg/CompressedImage format png
mcap_official_rejects "$tmp/png.mcap" 'image_raw/compressed, sensor_msgs/msg/CompressedImage\), .*: format png but the data starts with ff d8'
finish
