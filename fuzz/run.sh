#!/usr/bin/env bash
# Runs every harness listed in fuzz/harnesses.txt for SECONDS each and fails on any finding.
#   fuzz/run.sh BUILD_DIR SECONDS work   keep a growing corpus in BUILD_DIR/fuzz-corpus/<name>
#                                        (seeded from fuzz/corpus/<name>)
#   fuzz/run.sh BUILD_DIR SECONDS ci     start from the repo's corpus only, in a fresh directory,
#                                        with a fixed seed and at most FUZZ_CI_RUNS executions:
#                                        the same inputs on every run (no finding by luck), the
#                                        time only a cap for slow machines
# Crashes, leaks and timeouts are written to BUILD_DIR/fuzz-artifacts/<name>-*; reproduce one
# with BUILD_DIR/fuzz/<name> FILE. Prints libFuzzer's final line (#N DONE ... exec/s) for each.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1 seconds=$2 how=$3
mkdir -p "$build/fuzz-artifacts"
status=0
for name in $(grep -E '^[a-z_0-9]+$' fuzz/harnesses.txt); do
  if [ "$how" = ci ]; then
    work=$(mktemp -d)
  else
    work="$build/fuzz-corpus/$name"
    mkdir -p "$work"
  fi
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$build/fuzz-artifacts/$name-")
  [ -f "fuzz/$name.dict" ] && args+=(-dict="fuzz/$name.dict")
  [ "$how" = ci ] && args+=(-seed=1 -runs="${FUZZ_CI_RUNS:-150000}")
  log="$build/fuzz-artifacts/$name.log"
  echo "fuzz: $name for $seconds s (log: $log)"
  if "$build/fuzz/$name" "${args[@]}" "$work" "fuzz/corpus/$name" >"$log" 2>&1; then
    grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | sed "s/^/fuzz: $name: /"
  else
    status=1
    echo "fuzz: $name FAILED; the end of its log:" >&2
    tail -40 "$log" >&2
  fi
  [ "$how" = ci ] && rm -rf "$work"
done
exit $status
