#!/usr/bin/env bash
# rigsync node and node-tap over NNG on 127.0.0.1, the default simulated rig in real time for
# 5 s: every frame a tap receives is a frame the node printed (serial, stream, index and the
# three timestamps), no sequence gap, heartbeats never closer than 100 ms; a tap killed mid-run
# and another started: the node goes on at the camera rate and accounts for every frame
# (published + dropped = captured); bad addresses: exit 2 with the fix. PTP: with no ptp4l at
# --ptp-uds, a PTP message with valid=0 every second (said once on stderr); --no-ptp: none.
# --truth: every simulated FRAME carries its trigger sequence and true mid-exposure instant.
# Batches: with the default --batch-us several wire messages share network messages (the tap
# counts them), with --batch-us 0 (the --truth node) one each; bad --batch-us: exit 2.
# Only what holds on a loaded machine is asserted: counts and equalities, no latencies.
# usage: test_cli_node.sh RIGSYNC_BINARY
set -u
bin=$1
. "$(dirname "$0")/cli_lib.sh"

# --- bad addresses: exit 2 and the fix, before any camera starts ---------------------------
run no_listen 2 node --seconds 1
has no_listen err 'give --listen tcp://ADDR:PORT'
run bad_scheme 2 node --listen http://127.0.0.1:5555 --seconds 1
has bad_scheme err 'http://127.0.0.1:5555: not a tcp:// address; give tcp://ADDR:PORT'
lacks bad_scheme out 'device#'
run no_port 2 node --listen tcp://127.0.0.1 --seconds 1
has no_port err 'no port; give tcp://ADDR:PORT'
run big_port 2 node --listen tcp://127.0.0.1:70000 --seconds 1
has big_port err 'the port "70000" is not a number from 0 to 65535'
run not_mine 2 node --listen tcp://192.0.2.1:5555 --seconds 1
has not_mine err '192.0.2.1:5555: .*give one of its addresses'
run tap_bad 2 node-tap udp://127.0.0.1:5555
has tap_bad err 'not a tcp:// address'
run virtual 2 node --listen tcp://127.0.0.1:0 --virtual-time
has virtual err 'a node serves live cameras in real time'
run ptp_both 2 node --listen tcp://127.0.0.1:0 --no-ptp --ptp-uds /tmp/x --seconds 1
has ptp_both err 'contradict each other'
lacks ptp_both out 'device#'
run batch_big 2 node --listen tcp://127.0.0.1:0 --batch-us 100001 --seconds 1
has batch_big err '--batch-us 100001: give a whole number of microseconds from 0 \(no batching\) to 100000'
run batch_neg 2 node --listen tcp://127.0.0.1:0 --batch-us -5 --seconds 1
has batch_neg err '--batch-us -5: give a whole number'
lacks batch_neg out 'device#'
run ptp_long 2 node --listen tcp://127.0.0.1:0 --ptp-uds "/$(printf 'p%.0s' $(seq 120))" --seconds 1
has ptp_long err 'longer than a Unix socket path can be'
lacks ptp_long out 'device#'

# --- a node for 5 s on a free port -----------------------------------------------------------
# no ptp4l at that socket (whether or not this machine runs one at the default)
"$bin" node --listen tcp://127.0.0.1:0 --seconds 5 --ptp-uds "$tmp/no-ptp4l.uds" \
  >"$tmp/node.out" 2>"$tmp/node.err" </dev/null &
node_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's|^rigsync node: listening on tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$tmp/node.out")
  [ -n "$port" ] && break
  sleep 0.05
done
if [ -z "$port" ]; then
  bad "the node printed no listening address"
  cat "$tmp/node.err"
  kill "$node_pid" 2>/dev/null
  finish
  exit 1
fi
url=tcp://127.0.0.1:$port

# a first tap, killed (SIGKILL: no goodbye) once it has printed frames
"$bin" node-tap "$url" --seconds 30 --frames >"$tmp/tap1.out" 2>"$tmp/tap1.err" </dev/null &
tap1_pid=$!
for _ in $(seq 200); do
  [ "$(grep -c '^device#' "$tmp/tap1.out")" -ge 20 ] && break
  sleep 0.05
done
exec 3>&2 2>/dev/null # without the shell's "Killed" notice
kill -KILL "$tap1_pid"
wait "$tap1_pid"
exec 2>&3 3>&-

# the port is taken: a second node says so
run in_use 2 node --listen "$url" --seconds 1
has in_use err "--listen $url: .*choose another port"

# a second tap for 1.5 s, to its end
run tap2 0 node-tap "$url" --seconds 1.5 --frames
wait "$node_pid"
node_rc=$?
if [ "$node_rc" -eq 0 ]; then ok; else bad "node: exit $node_rc"; cat "$tmp/node.err"; fi

# the node's frame lines; a tap's must each be one of them, exactly
grep '^device#' "$tmp/node.out" | sort >"$tmp/node.frames"
for t in tap1 tap2; do
  # a killed tap's last line may be cut: whole lines only (ending in the serial)
  grep -E '^device#.* , serial: [A-Z0-9]+$' "$tmp/$t.out" | sort >"$tmp/$t.frames"
  n=$(wc -l <"$tmp/$t.frames")
  if [ "$n" -ge 10 ]; then ok; else bad "$t: only $n frame lines"; fi
  strangers=$(comm -13 "$tmp/node.frames" "$tmp/$t.frames" | wc -l)
  if [ "$strangers" -eq 0 ]; then ok; else
    bad "$t: $strangers frame lines the node never printed"
    comm -13 "$tmp/node.frames" "$tmp/$t.frames" | head -3
  fi
  # no frame twice
  dups=$(uniq -d "$tmp/$t.frames" | wc -l)
  if [ "$dups" -eq 0 ]; then ok; else bad "$t: $dups frames received twice"; fi
done

# tap2: no gap, nothing malformed, every FRAME printed (none before the first HELLO counted
# away silently), heartbeats never closer than 100 ms and several of them
has tap2 out '; malformed 0; sequence gaps 0 \(0 messages lost\); node restarts 0;'
frames_msg=$(sed -n 's/.* FRAME \([0-9]*\),.*/\1/p' "$tmp/tap2.out")
before=$(sed -n 's/.*frames before the first HELLO \([0-9]*\);.*/\1/p' "$tmp/tap2.out")
printed=$(wc -l <"$tmp/tap2.frames")
if [ -n "$frames_msg" ] && [ "$frames_msg" -eq $((printed + before)) ]; then ok; else
  bad "tap2: FRAME count $frames_msg, printed $printed + $before before HELLO"
fi
beats=$(grep -c '^HEARTBEAT' "$tmp/tap2.out")
if [ "$beats" -ge 5 ]; then ok; else bad "tap2: only $beats heartbeats in 1.5 s"; fi
early=$(sed -n 's/^HEARTBEAT .* since the last \([0-9]*\) us,.*/\1/p' "$tmp/tap2.out" |
  awk '$1 < 99000' | wc -l)
if [ "$early" -eq 0 ]; then ok; else bad "tap2: $early heartbeats less than 100 ms apart"; fi
has tap2 out '^HELLO node 0 host .*, 2 devices, protocol 1$'
# batches (the default --batch-us 2000): the two cameras' frames of one capture and what waits
# with them travel together, so some network message holds several wire messages and there are
# fewer network messages than wire messages
net_msgs=$(sed -n 's/^rigsync node-tap: \([0-9]*\) network messages, the largest holding \([0-9]*\) messages\{0,1\}$/\1 \2/p' "$tmp/tap2.out")
wire_msgs=$(sed -n 's/^rigsync node-tap: \([0-9]*\) messages: .*/\1/p' "$tmp/tap2.out")
read -r nm largest <<<"$net_msgs"
if [ -n "$nm" ] && [ "$largest" -ge 2 ] && [ "$nm" -lt "$wire_msgs" ]; then ok; else
  bad "tap2: no batches: '$net_msgs' network messages for $wire_msgs wire messages"
fi
# no truth without --truth
lacks tap2 out 'truth:'
has tap2 out '; frames with truth 0$'

# PTP: no ptp4l answers: valid=0 once a second (1.5 s of tap: one or two), the node says so
# once; the tap counts what it printed
ptp_lines=$(grep -c '^PTP ' "$tmp/tap2.out")
invalid=$(grep -Ec '^PTP valid=0 node_time_us=[0-9]+ \(no ptp4l answered the node\)$' "$tmp/tap2.out")
if [ "$ptp_lines" -ge 1 ] && [ "$ptp_lines" -le 2 ] && [ "$invalid" -eq "$ptp_lines" ]; then ok; else
  bad "tap2: $ptp_lines PTP lines ($invalid with valid=0) in 1.5 s, expected 1-2 all valid=0"
fi
has tap2 out ", PTP $ptp_lines, HEARTBEAT"
early=$(sed -n 's/^PTP valid=0 node_time_us=\([0-9]*\) .*/\1/p' "$tmp/tap2.out" |
  awk 'NR > 1 && $1 - prev < 500000 {n++} {prev = $1} END {print n + 0}')
if [ "$early" -eq 0 ]; then ok; else bad "tap2: PTP messages less than 0.5 s apart"; fi
said=$(grep -c "^rigsync node: no PTP state from ptp4l at $tmp/no-ptp4l.uds (.*); PTP messages say valid=0" "$tmp/node.err")
if [ "$said" -eq 1 ]; then ok; else bad "node: said $said times that ptp4l does not answer"; fi

# the node: its summary, every captured frame accounted for, the camera rate kept through the
# killed tap (2 devices x 2 streams x 30 fps x 5 s = 600; half of it at least even when loaded:
# a node blocked by its receiver would stall)
has node out '^rigsync node: [0-9]+ frames published, [0-9]+ dropped for the network \(queue full\), 0 other messages dropped, [0-9]+ subscribers seen, [0-9]+ messages sent$'
lacks node out 'warning'
published=$(sed -n 's/^rigsync node: \([0-9]*\) frames published, .*/\1/p' "$tmp/node.out")
dropped=$(sed -n 's/.* published, \([0-9]*\) dropped for the network.*/\1/p' "$tmp/node.out")
seen=$(sed -n 's/.* \([0-9]*\) subscribers seen.*/\1/p' "$tmp/node.out")
captured=$(wc -l <"$tmp/node.frames")
if [ "$captured" -eq $((published + dropped)) ]; then ok; else
  bad "node: $captured frames printed, $published published + $dropped dropped"
fi
if [ "$captured" -ge 300 ]; then ok; else bad "node: only $captured frames in 5 s"; fi
if [ "$seen" -ge 2 ]; then ok; else bad "node: $seen subscribers seen, 2 taps connected"; fi

# --- --truth (and --no-ptp): each simulated FRAME carries its trigger sequence and true
# mid-exposure instant, no PTP message goes out -----------------------------------------------
"$bin" node --listen tcp://127.0.0.1:0 --seconds 3 --truth --no-ptp --batch-us 0 \
  >"$tmp/tnode.out" 2>"$tmp/tnode.err" </dev/null &
tnode_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's|^rigsync node: listening on tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$tmp/tnode.out")
  [ -n "$port" ] && break
  sleep 0.05
done
run ttap 0 node-tap "tcp://127.0.0.1:$port" --seconds 2 --frames
wait "$tnode_pid"
rc=$?
if [ "$rc" -eq 0 ]; then ok; else bad "truth node: exit $rc"; cat "$tmp/tnode.err"; fi
lacks tnode err 'PTP'
lacks ttap out '^PTP'
has ttap out ', PTP 0, '
grep -E '^device#.* , truth: seq=[0-9]+ true_mono_us=-?[0-9]+$' "$tmp/ttap.out" >"$tmp/ttap.frames"
n=$(wc -l <"$tmp/ttap.frames")
all=$(grep -c '^device#' "$tmp/ttap.out")
if [ "$n" -ge 20 ] && [ "$n" -eq "$all" ]; then ok; else
  bad "truth tap: $n of $all frame lines carry the truth"
fi
has ttap out "; frames with truth $n\$"
# --batch-us 0: one wire message per network message
has ttap out '^rigsync node-tap: [0-9]+ network messages, the largest holding 1 message$'
net_msgs=$(sed -n 's/^rigsync node-tap: \([0-9]*\) network messages, .*/\1/p' "$tmp/ttap.out")
wire_msgs=$(sed -n 's/^rigsync node-tap: \([0-9]*\) messages: .*/\1/p' "$tmp/ttap.out")
if [ -n "$net_msgs" ] && [ "$net_msgs" -eq "$wire_msgs" ]; then ok; else
  bad "ttap: $net_msgs network messages for $wire_msgs wire messages with --batch-us 0"
fi
# without the truth, each line is one the node printed
sed 's/ , truth: .*//' "$tmp/ttap.frames" | sort >"$tmp/ttap.plain"
grep '^device#' "$tmp/tnode.out" | sort >"$tmp/tnode.frames"
strangers=$(comm -13 "$tmp/tnode.frames" "$tmp/ttap.plain" | wc -l)
if [ "$strangers" -eq 0 ]; then ok; else bad "truth tap: $strangers frame lines the node never printed"; fi
# the trigger sequence rises with the frame index on each device and stream (the simulated rig:
# one capture per pulse, index and pulse counted alike: seq - index is constant)
offsets=$(sed -n 's/^device#\([0-9]*\), \([a-z]*\) frame .* index: \([0-9]*\) , serial: .* seq=\([0-9]*\) .*/\1 \2 \3 \4/p' \
  "$tmp/ttap.frames" | awk '{d[$1" "$2] = d[$1" "$2] " " ($4 - $3)} END {for (k in d) print k ":" d[k]}' |
  awk -F: '{split($2, a, " "); for (i in a) if (a[i] != a[1]) {print $1; break}}')
if [ -z "$offsets" ]; then ok; else bad "truth tap: seq - index varies on $offsets"; fi
# true_mono_us: the simulator fills it (0 until it does); then host time minus it is the host
# clock's realtime-monotonic distance plus the transfer (ms): within 0.2 s over every frame
spread=$(sed -n 's/.* system timestamp: \([0-9]*\) us .* true_mono_us=\(-\{0,1\}[0-9]*\)$/\1 \2/p' \
  "$tmp/ttap.frames" | awk '$2 != 0 {d = $1 - $2; if (!n++ || d < lo) lo = d; if (n == 1 || d > hi) hi = d}
    END {if (!n) print "unfilled"; else print hi - lo}')
if [ "$spread" = unfilled ]; then
  echo "note: true_mono_us is 0 on every frame (the simulator does not fill it yet)"
elif [ "$spread" -lt 200000 ]; then ok; else
  bad "truth tap: host time - true_mono_us spreads over $spread us"
fi
finish
