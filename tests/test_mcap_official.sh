#!/usr/bin/env bash
# The official MCAP reader (scripts/check-mcap.sh) on rigsync's files.
#   test_mcap_official.sh dir DIR
#       every file the C tests (test_mcap, test_record) left in DIR: *.partial.mcap (cut on
#       purpose) with --partial, every other *.mcap with the full check, and with the messages
#       per topic in FILE.expect.json when there is one; at least one of each kind.
#   test_mcap_official.sh rejects RIGSYNC_BINARY
#       the check can fail: a recording passes with the counts the run printed; the same file
#       with a flipped chunk CRC byte, an off-by-one statistics message count (summary CRC
#       rewritten), a wrong message index time (data CRC rewritten), a stale data section CRC,
#       a wrong expected count, or cut (full mode) is rejected; cut, --partial reads its chunks.
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
  for f in "$dir"/*.mcap; do
    [ -e "$f" ] || continue
    case $f in
      *.partial.mcap) mcap_official "$f" --partial; cut=$((cut + 1)) ;;
      *) if [ -e "$f.expect.json" ]; then mcap_official "$f" --expect-json "$f.expect.json"; expected=$((expected + 1))
         else mcap_official "$f"; fi
         full=$((full + 1)) ;;
    esac
  done
  echo "checked $full complete ($expected with the counts the run delivered, FILE.expect.json) and $cut cut files in $dir"
  if [ "$full" -ge 1 ] && [ "$cut" -ge 1 ] && [ "$expected" -ge 1 ]; then ok; else
    bad "$dir: $full complete ($expected with expected counts), $cut cut files"; fi
  finish
  exit
fi

patch() { node "$(dirname "$0")/mcap_patch.mjs" "$@" >/dev/null || bad "mcap_patch $*"; }
run rec 0 record --virtual-time --seconds 2 --no-pixels -o "$tmp/a.mcap"
mcap_expect_from_run "$tmp/rec.out"
mcap_official "$tmp/a.mcap" "${mcap_expect[@]}"
mcap_official_has ' OK profile=ros2 messages=[0-9]+ chunks=[0-9]+ metadata=4 .* expected=10 '
messages=$(sed -nE 's/.* OK profile=ros2 messages=([0-9]+) .*/\1/p' "$tmp/mcap_official.out")

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
mcap_official_has "partial OK: 1 complete chunks, .* 0 bytes after the last complete record"
finish
