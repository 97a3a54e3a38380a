#!/usr/bin/env bash
# Crash safety of `rigsync record`: a full disk ends the recording with one clear message and a
# finished file (a file size limit; a full 1 MiB tmpfs when root); kill -9 during a real-time
# recording loses at most the last second (chunks close at least every second of host time, the
# complete chunks read back, `recover` finishes the file); SIGINT and SIGTERM close a complete
# file with its summary. Files are checked with the official MCAP reader (scripts/check-mcap.sh;
# its checks are skipped with a message when it cannot be installed here).
# usage: test_cli_crash.sh RIGSYNC_BINARY MCAP_PROBE CHECK_MCAP_SH
set -u
bin=$1
probe=$2
check=$3
. "$(dirname "$0")/cli_lib.sh"
mnt=""
trap '[ -n "$mnt" ] && umount "$mnt" 2>/dev/null; rm -rf "$tmp"' EXIT

# official NAME [--partial] FILE: the official reader accepts the file (output in $tmp/NAME.chk)
official() {
  local name=$1
  shift
  "$check" "$@" >"$tmp/$name.chk" 2>&1
  local rc=$?
  if [ $rc = 3 ]; then
    echo "SKIP: $name: the official MCAP reader cannot be installed here: $(tail -1 "$tmp/$name.chk")"
  elif [ $rc = 0 ]; then ok; else
    bad "$name: the official reader rejects the file: $(tail -2 "$tmp/$name.chk")"
  fi
}
# messages in a file the official reader checked fully (empty when skipped)
official_messages() { sed -nE 's/.* OK .*messages=([0-9]+) .*/\1/p' "$tmp/$1.chk"; }

# full NAME FILE LIMIT_BYTES ERRNO_TEXT: the run $tmp/NAME.{out,err,rc} after its disk filled up
full() {
  local name=$1 file=$2 limit=$3 text=$4
  if [ "$(cat "$tmp/$name.rc")" = 1 ]; then ok; else bad "$name: exit $(cat "$tmp/$name.rc"), wanted 1"; fi
  if [ "$(wc -l <"$tmp/$name.err")" = 1 ]; then ok; else
    bad "$name: wanted one error line, got:"; sed 's/^/  /' "$tmp/$name.err"; fi
  has "$name" err "^rigsync: writing the recording failed: $text \\($file\\); the file was cut back and finished: it holds [0-9]+ messages up to host time [0-9.]+ s \\([0-9.]+ s after the first\\) in [0-9]+ chunks.*; not written: [0-9]+ messages of the cut chunk, [0-9]+ items after the error\\. Free space or record to another disk\\.$"
  lacks "$name" out '^rigsync: recorded '
  local size
  size=$(stat -c %s "$file")
  if [ "$size" -le "$limit" ] && [ "$size" -gt 1000 ]; then ok; else
    bad "$name: file of $size bytes, wanted 1000 < size <= $limit"; fi
  official "$name" "$file"
  local said got
  said=$(sed -nE 's/.* it holds ([0-9]+) messages .*/\1/p' "$tmp/$name.err")
  got=$(official_messages "$name")
  if [ -z "$got" ] || [ "$got" = "$said" ]; then ok; else
    bad "$name: the message says $said messages, the official reader read $got"; fi
}

# --- a file size limit (EFBIG; SIGXFSZ is ignored by run) -----------------------------------
( ulimit -f 300; "$bin" record --virtual-time --seconds 3 -o "$tmp/fsize.mcap" \
    >"$tmp/fsize.out" 2>"$tmp/fsize.err" </dev/null; echo $? >"$tmp/fsize.rc" )
full fsize "$tmp/fsize.mcap" $((300 * 1024)) "File too large"
# the run the recording was for ends with it (not 3 s of frames counted as not written)
has fsize out '^rigsync: the recording failed; the run stops here$'
has fsize out '^== rigsync summary: (0|1|2)\.[0-9] s of frames'

# --- a full file system: a 1 MiB tmpfs (root only) -----------------------------------------
if [ "$(id -u)" = 0 ] && mkdir -p "$tmp/tmpfs" && mount -t tmpfs -o size=1m rigsync-crash "$tmp/tmpfs" 2>"$tmp/mount.err"; then
  mnt="$tmp/tmpfs"
  "$bin" record --virtual-time --seconds 10 -o "$mnt/full.mcap" >"$tmp/enospc.out" 2>"$tmp/enospc.err" </dev/null
  echo $? >"$tmp/enospc.rc"
  full enospc "$mnt/full.mcap" $((1024 * 1024)) "No space left on device"
  umount "$mnt" && mnt=""
else
  echo "SKIP: full tmpfs: needs root and mount ($(cat "$tmp/mount.err" 2>/dev/null))"
fi

# --- real time, a small rig (32x24 pixels: chunks close on time, not on size) -----------------
cat >"$tmp/small.json" <<'JSON'
{
  "streams": {"color": {"width": 32, "height": 24, "fps": 30},
              "depth": {"width": 32, "height": 24, "fps": 30}},
  "devices": [
    {"serial_number": "CRASH0001", "config": {"mode": "PRIMARY", "trigger_out_enable": true}},
    {"serial_number": "CRASH0002", "config": {"mode": "SECONDARY"}}
  ]
}
JSON
period_ns=33333334

# wait_chunks FILE N PID: until FILE holds N complete chunks (bounded: 20 s), or the run ended
wait_chunks() {
  local i
  for i in $(seq 200); do
    if [ -s "$1" ] && [ "$("$probe" chunks "$1" 2>/dev/null | sed -n 's/^complete_chunks //p')" -ge "$2" ] 2>/dev/null; then
      return 0
    fi
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# --- kill -9: at most the last second lost --------------------------------------------------
"$bin" record --config "$tmp/small.json" --seconds 30 -o "$tmp/k.mcap" >"$tmp/k.out" 2>"$tmp/k.err" </dev/null &
pid=$!
if wait_chunks "$tmp/k.mcap" 2 $pid; then
  ok
  kill -9 $pid
  wait $pid 2>/dev/null
  "$probe" chunks "$tmp/k.mcap" >"$tmp/k.chunks"
  # Chunks close at least every second of host time: consecutive starts, and each chunk's own
  # span, within 1 s + one frame period; so what the kill lost is at most the last second.
  awk -v lim=$((1000000000 + period_ns)) '
    /^chunk / { n++; if (n > 1 && $3 - start > lim) { print "chunk " n " starts " ($3 - start) " ns after chunk " n-1; bad = 1 }
                if ($4 - $3 > lim) { print "chunk " n " spans " ($4 - $3) " ns"; bad = 1 }
                start = $3 }
    END { if (n < 2) { print "only " n " complete chunks after the kill"; bad = 1 } exit bad }' \
    "$tmp/k.chunks" >"$tmp/k.gaps"
  if [ $? = 0 ]; then ok; else bad "kill9: $(cat "$tmp/k.gaps")"; fi
  official kill9_partial --partial "$tmp/k.mcap"
  in_chunks=$(awk '/^chunk / { s += $5 } END { print s }' "$tmp/k.chunks")
  read_partial=$(sed -nE 's/.*partial: ([0-9]+) messages read.*/\1/p' "$tmp/kill9_partial.chk")
  if [ -z "$read_partial" ] || [ "$read_partial" -ge "$in_chunks" ]; then ok; else
    bad "kill9: the official stream reader read $read_partial messages, the complete chunks hold $in_chunks"; fi
  run recover 0 recover "$tmp/k.mcap" -o "$tmp/k_fixed.mcap"
  official kill9_recovered "$tmp/k_fixed.mcap"
  got=$(official_messages kill9_recovered)
  if [ -z "$got" ] || [ "$got" = "$in_chunks" ]; then ok; else
    bad "kill9: recovered file holds $got messages, the complete chunks $in_chunks"; fi
else
  bad "kill9: the recording did not reach 2 complete chunks within 20 s: $(cat "$tmp/k.err")"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
fi

# --- SIGINT and SIGTERM: a complete file with its summary ------------------------------------
for sig in INT TERM; do
  "$bin" record --config "$tmp/small.json" --seconds 30 -o "$tmp/$sig.mcap" >"$tmp/$sig.out" 2>"$tmp/$sig.err" </dev/null &
  pid=$!
  if wait_chunks "$tmp/$sig.mcap" 1 $pid; then
    kill -$sig $pid
    rc=timeout
    for i in $(seq 100); do
      if ! kill -0 $pid 2>/dev/null; then wait $pid; rc=$?; break; fi
      sleep 0.1
    done
    if [ "$rc" = 0 ]; then ok; else bad "SIG$sig: exit $rc, wanted 0"; kill -9 $pid 2>/dev/null; fi
    has "$sig" out '^rigsync: interrupted'
    has "$sig" out '^rigsync: recorded .*: [0-9]+ frames'
    official "sig$sig" "$tmp/$sig.mcap"
    "$bin" info "$tmp/$sig.mcap" >"$tmp/${sig}_info.out" 2>&1
    has "${sig}_info" out '^file: .*: complete \(summary and footer\)'
    has "${sig}_info" out '^verdict: '
    lacks "${sig}_info" out '^verdict: not recorded'
  else
    bad "SIG$sig: the recording did not reach a complete chunk within 20 s: $(cat "$tmp/$sig.err")"
    kill -9 $pid 2>/dev/null
  fi
done
[ -n "${CRASH_VERBOSE:-}" ] && { cat "$tmp"/*.chk "$tmp"/k.chunks "$tmp"/fsize.err "$tmp"/enospc.err; }
finish
