# Shared by the command-line test scripts: source it after setting `bin` (the program to run).
# Each check adds to `passed` or `failed`; `finish` prints the closing line ctest reads.
#
# The official MCAP reader (scripts/check-mcap.sh: npm @mcap/core, installed by set-up and by
# the ctest fixture mcap_reader into $MCAP_CHECK_DIR) on the files a test writes:
#   mcap_official FILE [--expect TOPIC=N]... [--expect-json F]   full check; must pass
#   mcap_official FILE --partial [--min-chunks N]                 a cut file; must pass
#   mcap_official_rejects FILE REGEX [options]                    must fail, saying REGEX
#   mcap_expect_from_run OUTFILE      sets the array mcap_expect to --expect TOPIC=N for every
#        topic, from a run's printed counts (summary lines `device#i SERIAL ... | color: N
#        frames ... | depth: M frames` and `rigsync: recorded ...: F frames (P with pixels), S
#        framesets, C clock events`); use: mcap_official FILE "${mcap_expect[@]}"
#   mcap_official_has REGEX           the last check's output matches (skipped when off)
# Each output goes to $tmp/mcap_official.out. A reader that
# cannot be installed (exit 3) fails the test; RIGSYNC_MCAP_CHECK=off skips these checks
# (machines without npm access; README).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# run NAME EXPECTED_RC ARGS... : runs $bin ARGS, keeps stdout/stderr in $tmp/NAME.{out,err}
run() {
  local name=$1 want=$2
  shift 2
  "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit $rc, wanted $want ($(basename "$bin") $*)"
    sed 's/^/  stderr: /' "$tmp/$name.err" | head -5
    return 1
  fi
  ok
}
# run_env NAME EXPECTED_RC VAR=VALUE... -- ARGS... : the same with an environment
run_env() {
  local name=$1 want=$2
  shift 2
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit $rc, wanted $want (${envs[*]} $(basename "$bin") $*)"
    sed 's/^/  stderr: /' "$tmp/$name.err" | head -5
    return 1
  fi
  ok
}
# has NAME STREAM REGEX : the output matches (grep -E); lacks: it does not
has() {
  if grep -Eq -- "$3" "$tmp/$1.$2"; then ok; else
    bad "$1: $2 lacks /$3/"
    sed "s/^/  $2: /" "$tmp/$1.$2" | tail -5
  fi
}
lacks() {
  if grep -Eq -- "$3" "$tmp/$1.$2"; then bad "$1: $2 has /$3/"; else ok; fi
}

mcap_check=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/check-mcap.sh
mcap_official() {
  local file=$1 rc=0
  shift
  if [ "${RIGSYNC_MCAP_CHECK:-}" = off ]; then
    echo "note: RIGSYNC_MCAP_CHECK=off: $file not checked by the official MCAP reader" >"$tmp/mcap_official.out"
    ok
    return 0
  fi
  "$mcap_check" "$@" "$file" >"$tmp/mcap_official.out" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then ok; cat "$tmp/mcap_official.out"; return 0; fi
  bad "mcap_official $file $*: exit $rc$([ "$rc" -eq 3 ] && echo ' (the official reader is missing; RIGSYNC_MCAP_CHECK=off to skip)')"
  sed 's/^/  /' "$tmp/mcap_official.out" | tail -5
  return 1
}
mcap_official_rejects() {
  local file=$1 regex=$2 rc=0
  shift 2
  if [ "${RIGSYNC_MCAP_CHECK:-}" = off ]; then ok; return 0; fi
  "$mcap_check" "$@" "$file" >"$tmp/mcap_official.out" 2>&1 || rc=$?
  if [ "$rc" -eq 1 ] && grep -Eq -- "$regex" "$tmp/mcap_official.out"; then
    ok; sed 's/^/rejected as expected: /' "$tmp/mcap_official.out" | tail -1; return 0
  fi
  bad "mcap_official_rejects $file: exit $rc, wanted 1 with /$regex/"
  sed 's/^/  /' "$tmp/mcap_official.out" | tail -5
  return 1
}
mcap_official_has() {
  if [ "${RIGSYNC_MCAP_CHECK:-}" = off ]; then ok; return 0; fi
  has mcap_official out "$1"
}
mcap_expect_from_run() {
  local out=$1 f p s c
  mcap_expect=()
  read -r f p s c < <(sed -nE 's/^rigsync: recorded .*: ([0-9]+) frames \(([0-9]+) with pixels\), ([0-9]+) framesets, ([0-9]+) clock events;.*/\1 \2 \3 \4/p' "$out")
  [ -n "${c:-}" ] || { bad "mcap_expect_from_run: no 'rigsync: recorded' line in $out"; return 1; }
  mcap_expect+=(--expect "/rig/framesets=$s" --expect "/rig/clock_events=$c")
  local serial color depth
  while read -r serial color depth; do
    mcap_expect+=(--expect "/rig/$serial/color/frame_info=$color" --expect "/rig/$serial/depth/frame_info=$depth")
    if [ "$p" = "$f" ]; then
      mcap_expect+=(--expect "/rig/$serial/color/image_raw=$color" --expect "/rig/$serial/depth/image_raw=$depth")
    elif [ "$p" = 0 ]; then
      mcap_expect+=(--expect "/rig/$serial/color/image_raw=0" --expect "/rig/$serial/depth/image_raw=0")
    fi
  done < <(sed -nE 's/^device#[0-9]+ ([^ ]+) .*\| color: ([0-9]+) frames.*\| depth: ([0-9]+) frames.*/\1 \2 \3/p' "$out")
  ok
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
