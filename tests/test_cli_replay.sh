#!/usr/bin/env bash
# rigsync run --replay: a recorded virtual-time run played back gives the same frame lines (with
# global timestamps), the same framesets (--sets lines, --csv rows), the same EVENT lines and the
# same summary, line for line; a paced (real-time) replay gives the same frame lines as a virtual
# one; bad files are refused with the file, the offset and what is wrong (exit 2).
# usage: test_cli_replay.sh RIGSYNC_BINARY CONFIGS_DIR
set -u
bin=$1
configs=$2
. "$(dirname "$0")/cli_lib.sh"

frames() { grep -E '^device#[0-9]+, ' "$tmp/$1.out"; }
events() { grep -E '^EVENT ' "$tmp/$1.out"; }
sets() { grep -E '^set [0-9]+ @' "$tmp/$1.out"; }
summary() { sed -n '/^== rigsync summary/,$p' "$tmp/$1.out" | grep -v '^rigsync: recorded '; }
# same WHAT A B: the two outputs are equal (diff), and not empty
# info without its chunk layout (a chunk also closes after 1 s of wall time: a slow machine or a
# sanitizer makes more of them)
info() { "$bin" info "$1" | sed -e 1d -e '/^chunks: /d' -e 's/ in [0-9]* chunks,/,/'; }
same() {
  local what=$1 a=$2 b=$3
  if [ ! -s "$tmp/$a" ]; then bad "$what: nothing to compare ($a is empty)"; return; fi
  if diff "$tmp/$a" "$tmp/$b" >"$tmp/diff.txt"; then ok; else
    bad "$what: $a and $b differ"
    head -6 "$tmp/diff.txt" | sed 's/^/  /'
  fi
}
compare() { # compare RECORDED REPLAYED: frame lines, EVENT lines, summary
  frames "$1" >"$tmp/$1.frames"; frames "$2" >"$tmp/$2.frames"
  events "$1" >"$tmp/$1.events"; events "$2" >"$tmp/$2.events"
  summary "$1" >"$tmp/$1.sum"; summary "$2" >"$tmp/$2.sum"
  same "$2 frame lines" "$1.frames" "$2.frames"
  same "$2 summary" "$1.sum" "$2.sum"
  if [ -s "$tmp/$1.events" ] || [ -s "$tmp/$2.events" ]; then
    same "$2 EVENT lines" "$1.events" "$2.events"
  fi
}

# --- the default rig with pixels: 3 s recorded, replayed to the end of the file --------------
run rec 0 run --virtual-time --seconds 3 --global --csv "$tmp/rec.csv" --record "$tmp/a.mcap"
run rep 0 run --replay "$tmp/a.mcap" --virtual-time --global --csv "$tmp/rep.csv"
compare rec rep
same "rep CSV (framesets)" rec.csv rep.csv
# what is compared is the real thing: ~90 frames per stream of 2 devices, mapped to global time,
# ~90 sets; the replay reads the recording's config and says it is a replay
n=$(wc -l <"$tmp/rec.frames")
if [ "$n" -gt 300 ]; then ok; else bad "rec: only $n frame lines"; fi
if [ "$(grep -c 'global timestamp: [0-9]' "$tmp/rec.frames")" -gt 300 ]; then ok; else
  bad "rec: frames without global timestamps"; fi
if [ "$(wc -l <"$tmp/rec.csv")" -gt 80 ]; then ok; else bad "rec: few framesets in the CSV"; fi
has rep out '^rigsync: backend replay \(virtual time\), config .*a\.mcap \(recorded config\), 2 devices'
has rep out '^VERDICT: '
# --sets: the recorded run's sets (the simulator is deterministic: the same run again) and the
# replay's
run recsets 0 run --virtual-time --seconds 3 --sets
run repsets 0 run --replay "$tmp/a.mcap" --virtual-time --sets
sets recsets >"$tmp/recsets.sets"; sets repsets >"$tmp/repsets.sets"
same "repsets --sets lines" recsets.sets repsets.sets

# --- a replay recorded again holds what the recording held (info: devices, channels and their
# message counts, frames, recorder counts, verdict); MJPG color stays the camera's bytes ------
run rerec 0 run --replay "$tmp/a.mcap" --virtual-time --quiet --record "$tmp/a2.mcap"
info "$tmp/a.mcap" >"$tmp/a.info"; info "$tmp/a2.mcap" >"$tmp/a2.info"
same "a replay recorded again (info)" a.info a2.info
has rerec out '^rigsync: recorded .*a2\.mcap: [0-9]+ frames \([0-9]+ with pixels\)'
# the official reader reads the replay's recording with the counts the replayed run printed
mcap_expect_from_run "$tmp/rerec.out"
mcap_official "$tmp/a2.mcap" "${mcap_expect[@]}"
cat >"$tmp/mjpg.json" <<'JSON'
{ "streams": { "color": { "width": 320, "height": 240, "fps": 30, "format": "MJPG" } },
  "devices": [
    { "serial_number": "CP3S34D00051", "config": { "mode": "PRIMARY", "trigger_out_enable": true } },
    { "serial_number": "CP3L44P00054", "config": { "mode": "SECONDARY" } } ] }
JSON
run jrec 0 run --config "$tmp/mjpg.json" --virtual-time --seconds 2 --global --record "$tmp/j.mcap"
run jrep 0 run --replay "$tmp/j.mcap" --virtual-time --global --record "$tmp/j2.mcap"
compare jrec jrep
info "$tmp/j.mcap" >"$tmp/j.info"; info "$tmp/j2.mcap" >"$tmp/j2.info"
same "an MJPG replay recorded again (info)" j.info j2.info
has jrep out '^rigsync: recorded .*j2\.mcap: [0-9]+ frames \([1-9][0-9]* with pixels\)'
grep -q 'color/image_raw/compressed (sensor_msgs/msg/CompressedImage): [1-9][0-9]* messages' "$tmp/j2.info" &&
  ok || bad "j2: no compressed color in the replay's recording"

# --- faults: unplug/replug, reboot to defaults, a trigger glitch; the events come back --------
run frec 0 run --config "$configs/faults_example.json" --virtual-time --seconds 12 --global \
  --no-pixels --csv "$tmp/frec.csv" --record "$tmp/f.mcap"
run frep 0 run --replay "$tmp/f.mcap" --virtual-time --global --csv "$tmp/frep.csv"
compare frec frep
same "frep CSV (framesets)" frec.csv frep.csv
has frep out '^EVENT t=4\.000 s device#3 FLT00004 gone: '
has frep out '^EVENT t=10\.500 s device#2 FLT00003 rebooted: its sync config came back as STANDALONE'
has frep out '^EVENT t=10\.500 s device#2 FLT00003 reconfigured: '
# the simulator's injected faults (ground truth) are listed by the replay's summary too
has frep out '^event at 4\.000 s: device#3 FLT00004 injected unplug: '
# the recorded verdict is whole (metadata values are not cut): info prints the run's VERDICT
v_run=$(sed -n 's/^VERDICT: //p' "$tmp/frec.out")
v_file=$("$bin" info "$tmp/f.mcap" | sed -n 's/^verdict: //p')
if [ "${#v_run}" -gt 300 ] && [ "$v_run" = "$v_file" ]; then ok; else
  bad "f.mcap: recorded verdict (${#v_file} chars) is not the run's (${#v_run} chars)"; fi
# a shorter replay (--seconds) stops early: fewer frames, every one as recorded
run fshort 0 run --replay "$tmp/f.mcap" --virtual-time --global --seconds 2
frames fshort >"$tmp/fshort.frames"
k=$(wc -l <"$tmp/fshort.frames")
head -n "$k" "$tmp/frec.frames" >"$tmp/frec.head"
if [ "$k" -gt 100 ] && [ "$k" -lt "$(wc -l <"$tmp/frec.frames")" ]; then ok; else
  bad "fshort: $k frame lines"; fi
same "fshort frame lines (a prefix)" frec.head fshort.frames

# --- a large rig (40 devices, software-triggered chains): its metadata spans several records --
"$(dirname "$0")/gen_rig.sh" 40 chains >"$tmp/rig40.json"
run brec 0 run --config "$tmp/rig40.json" --virtual-time --seconds 2 --global --no-pixels \
  --record "$tmp/big.mcap"
run brep 0 run --replay "$tmp/big.mcap" --virtual-time --global
compare brec brep
has brep out '^device#39 SCALE00039 '

# --- paced to the wall clock: the same frames as the virtual replay (no timing compared) ------
run srec 0 run --virtual-time --seconds 1 --global --record "$tmp/s.mcap"
run spaced 0 run --replay "$tmp/s.mcap" --global
run svirt 0 run --replay "$tmp/s.mcap" --virtual-time --global
frames spaced >"$tmp/spaced.frames"; frames svirt >"$tmp/svirt.frames"; frames srec >"$tmp/srec.frames"
same "spaced frame lines" svirt.frames spaced.frames
same "svirt frame lines" srec.frames svirt.frames
has spaced out '^rigsync: backend replay \(real time\)'

# --- bad input: cut (a crash), a flipped byte, not MCAP, an MCAP file of someone else's ------
size=$(stat -c %s "$tmp/a.mcap")
head -c $((size * 2 / 3)) "$tmp/a.mcap" >"$tmp/cut.mcap"
run cut 0 run --replay "$tmp/cut.mcap" --virtual-time --global
has cut err '^rigsync: warning: .*cut\.mcap is cut at offset [0-9]+ \(.*\): replayed up to its last complete chunk'
frames cut >"$tmp/cut.frames"
k=$(wc -l <"$tmp/cut.frames")
head -n "$k" "$tmp/rec.frames" >"$tmp/rec.head"
if [ "$k" -gt 50 ] && [ "$k" -lt "$n" ]; then ok; else bad "cut: $k frame lines of $n"; fi
same "cut frame lines (a prefix)" rec.head cut.frames
cp "$tmp/a.mcap" "$tmp/flip.mcap"
# a byte in the middle of the second chunk (info --chunks: "chunk: offset A end B ...")
mid=$("$bin" info "$tmp/a.mcap" --chunks | awk '/^chunk: / && ++n == 2 { print int(($3 + $5) / 2) }')
printf '\377' | dd of="$tmp/flip.mcap" bs=1 seek="${mid:-$((size / 2))}" conv=notrunc 2>/dev/null
run flip 2 run --replay "$tmp/flip.mcap" --virtual-time
has flip err '^rigsync run: --replay .*flip\.mcap: offset [0-9]+: .*\((crc|compression|malformed)\)$'
echo "no MCAP here" >"$tmp/text.mcap"
run text 2 run --replay "$tmp/text.mcap" --virtual-time
has text err '^rigsync run: --replay .*text\.mcap: offset 0: no MCAP magic at the start'
# a valid MCAP file that rigsync did not write: magic, Header("", "test"), DataEnd, Footer, magic
{
  printf '\211MCAP0\r\n'
  printf '\001\014\000\000\000\000\000\000\000\000\000\000\000\004\000\000\000test'
  printf '\017\004\000\000\000\000\000\000\000\000\000\000\000'
  printf '\002\024\000\000\000\000\000\000\000'
  printf '\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
  printf '\211MCAP0\r\n'
} >"$tmp/foreign.mcap"
run foreign 2 run --replay "$tmp/foreign.mcap" --virtual-time
has foreign err 'foreign\.mcap: offset [0-9]+: not a rigsync recording: .* no rigsync\.config metadata'
run missing 2 run --replay "$tmp/none.mcap" --virtual-time
has missing err 'none\.mcap: offset 0: cannot open the file'
# the recorded config is the config: --config with --replay is a usage error
run withcfg 2 run --replay "$tmp/a.mcap" --config "$configs/faults_example.json"
has withcfg err '--config cannot go with --replay'
run withbackend 2 run --replay "$tmp/a.mcap" --backend sim
has withbackend err '--backend sim cannot go with --replay'

finish
