#!/usr/bin/env bash
# rigsync run --hosts: three `rigsync node --hosts F --host X` on 127.0.0.1 (simulated rigs,
# stage-b and stage-c fed by a hub from stage-a's PRIMARY) and the aggregator.
#  - a clean run: every set has every device of every host, every host up, nothing lost;
#  - stage-b's node killed (SIGKILL) mid-run: its devices GONE naming the host, sets of the
#    other hosts go on, its slots say why; restarted: it rejoins (BACK) and its devices are in
#    sets again; the verdict names it;
#  - stage-c's node frozen (SIGSTOP: connected, silent, as behind a partition): GONE after 1 s
#    of silence, BACK when it speaks again, named in the verdict;
#  - usage and hosts-file errors: exit 2 with file:line:column.
# Only counts and states are asserted, with generous margins (a loaded machine).
# usage: test_cli_hosts.sh RIGSYNC_BINARY
set -u
bin=$1
. "$(dirname "$0")/cli_lib.sh"

# --- the hosts file (the nodes' copy: its ports are placeholders, each node listens on a free
# port; the aggregator's copy has the ports they got) -------------------------------------
hosts_file() { # hosts_file PORT_A PORT_B PORT_C
  cat <<EOF
{
  "hosts": [
    { "name": "stage-a", "node": "tcp://127.0.0.1:$1",
      "devices": [
        { "serial_number": "A1", "config": { "mode": "PRIMARY", "trigger_out_enable": true } },
        { "serial_number": "A2", "config": { "mode": "SECONDARY" } } ],
      "sim": { "devices": [ { "serial_number": "A1", "ppm": 30, "rate_offset_ppm": 150 },
                            { "serial_number": "A2", "ppm": -40 } ],
               "transport": { "drop_probability": 0, "stall_probability": 0 } } },
    { "name": "stage-b", "node": "tcp://127.0.0.1:$2",
      "devices": [
        { "serial_number": "B1", "config": { "mode": "SECONDARY" } },
        { "serial_number": "B2", "config": { "mode": "SECONDARY" } } ],
      "sim": { "transport": { "drop_probability": 0, "stall_probability": 0 } } },
    { "name": "stage-c", "node": "tcp://127.0.0.1:$3",
      "devices": [
        { "serial_number": "C1", "config": { "mode": "SECONDARY" } } ],
      "sim": { "transport": { "drop_probability": 0, "stall_probability": 0 } } }
  ],
  "hubs": [ { "from": "A1", "to": ["B1", "B2", "C1"], "hub_delay_ns": 0 } ]
}
EOF
}
hosts_file 7101 7102 7103 >"$tmp/nodes.json"

# --- errors first: exit 2, nothing started ---------------------------------------------------
run virt 2 run --hosts "$tmp/nodes.json" --virtual-time
has virt err '--virtual-time cannot go with --hosts'
run cfg 2 run --hosts "$tmp/nodes.json" --config "$tmp/nodes.json"
has cfg err '--config cannot go with --hosts'
sed 's/"hub_delay_ns": 0/"hub_delay_ns": 0, "delay": 1/' "$tmp/nodes.json" >"$tmp/bad.json"
run bad 2 run --hosts "$tmp/bad.json" --seconds 1
has bad err "bad.json:20:74: hubs\[0\].delay: unknown key \"delay\" in hubs\[0\]"
run nohost 2 node --hosts "$tmp/nodes.json" --host stage-x --seconds 1
has nohost err '--host stage-x: .* has no host of that name; give one of: stage-a, stage-b, stage-c'
run half 2 node --hosts "$tmp/nodes.json" --seconds 1
has half err '--hosts FILE and --host NAME go together'

# --- the nodes ---------------------------------------------------------------------------------
declare -A pid port
# stage-c sends one message per NNG message (--batch-us 0), the others batches (the default):
# the aggregator takes both at once
start_node() { # start_node NAME LISTEN_URL
  local batch=()
  [ "$1" = stage-c ] && batch=(--batch-us 0)
  "$bin" node --hosts "$tmp/nodes.json" --host "$1" --listen "$2" --quiet --seconds 60 "${batch[@]}" \
    >"$tmp/node-$1.out" 2>"$tmp/node-$1.err" </dev/null &
  pid[$1]=$!
  local p=
  for _ in $(seq 200); do
    p=$(sed -n 's|^rigsync node: listening on tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$tmp/node-$1.out")
    [ -n "$p" ] && break
    sleep 0.05
  done
  port[$1]=$p
  [ -n "$p" ]
}
stop_nodes() { # SIGTERM, then SIGKILL after 5 s (a node's own nng_close may hang: NNG 1.5.2)
  for n in stage-a stage-b stage-c; do kill "${pid[$n]}" 2>/dev/null; done
  for _ in $(seq 100); do
    local alive=0
    for n in stage-a stage-b stage-c; do kill -0 "${pid[$n]}" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.05
  done
  exec 3>&2 2>/dev/null
  for n in stage-a stage-b stage-c; do kill -KILL "${pid[$n]}" 2>/dev/null; done
  wait 2>/dev/null
  exec 2>&3 3>&-
}
for n in stage-a stage-b stage-c; do
  if ! start_node "$n" tcp://127.0.0.1:0; then
    bad "node $n printed no listening address"
    cat "$tmp/node-$n.err"
    stop_nodes
    finish
    exit 1
  fi
done
ok
hosts_file "${port[stage-a]}" "${port[stage-b]}" "${port[stage-c]}" >"$tmp/agg.json"

# --- a clean run: every set complete after the start, every host up, nothing lost ------------
run clean 0 run --hosts "$tmp/agg.json" --seconds 4 --sets --csv "$tmp/clean.csv"
has clean out '^stage-a +up .* 0/0 +0 +0 +0$'
has clean out '^stage-b +up .* 0/0 +0 +0 +0$'
has clean out '^stage-c +up .* 0/0 +0 +0 +0$'
has clean out 'VERDICT \(hosts\): every host up, nothing lost on the links'
lacks clean out 'EVENT'
# CSV: 5 devices, statuses in columns 5 + 11 d and 10 + 11 d; skip the first 10 sets (the
# devices' first frames) and the last one (the end of the run)
full_sets() { # full_sets CSV FIRST LAST -> how many of those sets have all 10 slots filled
  awk -F, -v a="$2" -v b="$3" 'NR > 1 && $1 >= a && $1 <= b {
    n = 0; for (d = 0; d < 5; d++) for (s = 0; s < 2; s++) {
      v = $(5 + 11 * d + 5 * s); if (v == "ok" || v == "interfered") n++ }
    if (n == 10) full++ } END { print full + 0 }' "$1"
}
nsets=$(($(wc -l <"$tmp/clean.csv") - 1))
if [ "$nsets" -ge 60 ] && [ "$(full_sets "$tmp/clean.csv" 10 $((nsets - 2)))" -eq $((nsets - 11)) ]; then
  ok
else
  bad "clean run: $nsets sets, $(full_sets "$tmp/clean.csv" 10 $((nsets - 2))) of sets 10..$((nsets - 2)) complete"
  grep -E '^(set 1[0-3] |pair|device#|VERDICT|EVENT)' "$tmp/clean.out" | cut -c1-400 | sed 's/^/  clean: /'
fi

# --- stage-b killed at ~4 s, back at ~7 s --------------------------------------------------------
"$bin" run --hosts "$tmp/agg.json" --seconds 12 --sets --csv "$tmp/kill.csv" \
  >"$tmp/kill.out" 2>"$tmp/kill.err" </dev/null &
run_pid=$!
sleep 4
exec 3>&2 2>/dev/null # without the shell's "Killed" notice
kill -KILL "${pid[stage-b]}"
wait "${pid[stage-b]}"
exec 2>&3 3>&-
sleep 3
start_node stage-b "tcp://127.0.0.1:${port[stage-b]}" || bad "stage-b did not start again"
wait "$run_pid"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "the run with a node killed: exit $rc, wanted 1"
for s in B1 B2; do
  has kill out "EVENT t=[0-9.]+ s device#[23] $s gone: stage-b: connection to its node lost: node down or network partitioned"
  has kill out "EVENT t=[0-9.]+ s device#[23] $s back: "
done
lacks kill out 'device#[014] [AC][12]? gone'
has kill out '\((missing|silent): stage-b down\)'
has kill out 'VERDICT \(hosts\): stage-b was gone 1 time\(s\) \(last: stage-b: connection to its node lost: node down or network partitioned\); it rejoined\.'
has kill out '^stage-a +up .* 0/0 +0 +0 +0$'
has kill out '^stage-b +up .* 0/0 +0 +1 +1$'
# sets during the outage: stage-a and stage-c filled, stage-b empty; after: complete again
awk -F, 'NR > 1 { a = 0; b = 0; for (d = 0; d < 5; d++) for (s = 0; s < 2; s++) {
    v = $(5 + 11 * d + 5 * s); f = (v == "ok" || v == "interfered")
    if (d == 2 || d == 3) b += f; else a += f }
  if (a == 6 && b == 0) others++; if (a == 6 && b == 4) { full++; if (others) after++ } }
  END { print others + 0, full + 0, after + 0 }' "$tmp/kill.csv" >"$tmp/kill.counts"
read -r others full after <"$tmp/kill.counts"
# stage-b is gone for about 3 s (90 sets at 30 fps) and back for about 5 s (150): half of each
[ "$others" -ge 45 ] && ok || bad "sets of stage-a and stage-c during the outage: $others, wanted >= 45"
[ "$after" -ge 60 ] && ok || bad "complete sets after stage-b rejoined: $after, wanted >= 60"
[ "$full" -ge 150 ] && ok || bad "complete sets: $full, wanted >= 150"

# --- stage-c frozen (SIGSTOP: connected but silent, as behind a partition) for 2.5 s ----------
"$bin" run --hosts "$tmp/agg.json" --seconds 6 --sets >"$tmp/freeze.out" 2>"$tmp/freeze.err" \
  </dev/null &
run_pid=$!
sleep 1.5
kill -STOP "${pid[stage-c]}"
sleep 2.5
kill -CONT "${pid[stage-c]}"
wait "$run_pid"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "the run with a node frozen: exit $rc, wanted 1"
has freeze out 'EVENT t=[0-9.]+ s device#4 C1 gone: stage-c: no message for [0-9.]+ s: node down or network partitioned'
has freeze out 'EVENT t=[0-9.]+ s device#4 C1 back: '
has freeze out '\((missing|silent): stage-c silent\)'
has freeze out 'VERDICT \(hosts\): stage-c was gone 1 time\(s\) \(last: stage-c: no message for [0-9.]+ s: node down or network partitioned\); it rejoined\.'
has freeze out '^stage-a +up .* 0/0 +0 +0 +0$'
has freeze out '^stage-c +up .* 0 +0 +1$'
stop_nodes

finish
