# Shared by the command-line test scripts: source it after setting `bin` (the program to run).
# Each check adds to `passed` or `failed`; `finish` prints the closing line ctest reads.
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

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
