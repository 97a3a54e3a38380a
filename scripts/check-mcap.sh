#!/usr/bin/env bash
# Validates MCAP files with the official MCAP reader (TypeScript: @mcap/core, @mcap/support for
# zstd/lz4, @mcap/nodejs) and decodes every message as Foxglove does (@foxglove/rosmsg,
# @foxglove/rosmsg2-serialization), pinned in scripts/mcap-check/package-lock.json and installed
# with `npm ci` into $MCAP_CHECK_DIR (default build/mcap-check; the sanitizer builds share it).
#   scripts/check-mcap.sh [--no-decode] [--expect TOPIC=N]... [--expect-json F] FILE...
#        full check: records and CRCs (chunks, data section, summary), statistics and indexes
#        against a full read, optionally the messages per topic (see check-mcap.mjs); every
#        message decoded and the schemas checked against ROS 2's (mcap-decode.mjs) unless
#        --no-decode (files whose messages are arbitrary bytes)
#   scripts/check-mcap.sh [--no-decode] --partial [--min-chunks N] FILE...
#        a file cut by a crash: every complete chunk read by the stream reader (its messages
#        decoded); says how many
#   scripts/check-mcap.sh --install
#        only installs the reader (make test does this, and the ctest fixture mcap_reader);
#        nothing with RIGSYNC_MCAP_CHECK=off (machines without npm access: the tests skip it)
# Exit 0 all files valid, 1 a file is invalid, 2 usage, 3 the official reader cannot be
# installed here (node/npm missing or no registry): nothing was checked.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dir=${MCAP_CHECK_DIR:-$root/build/mcap-check}
pins=$here/mcap-check

install() {
  if [ "${RIGSYNC_MCAP_CHECK:-}" = off ]; then
    echo "check-mcap: RIGSYNC_MCAP_CHECK=off: the official reader is not installed" >&2
    return 0
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "check-mcap: node and npm are needed (Debian: apt-get install nodejs npm; scripts/setup.sh does it); nothing checked" >&2
    return 3
  fi
  mkdir -p "$dir"
  # One installer at a time (ctest -j); the installed lock file is the stamp of what is there.
  (
    flock 9
    if ! cmp -s "$pins/package-lock.json" "$dir/package-lock.json" ||
       [ ! -f "$dir/node_modules/@mcap/core/package.json" ]; then
      cp "$pins/package.json" "$pins/package-lock.json" "$dir/"
      if ! (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts >"$dir/npm.log" 2>&1); then
        rm -f "$dir/package-lock.json"
        echo "check-mcap: cannot install the official reader with npm ci (see $dir/npm.log); nothing checked" >&2
        exit 3
      fi
    fi
    for m in check-mcap.mjs mcap-decode.mjs; do
      cmp -s "$here/$m" "$dir/$m" || cp "$here/$m" "$dir/$m"
    done
  ) 9>"$dir/.install.lock"
}

opts=()
files=()
while [ $# -gt 0 ]; do
  case $1 in
    --install) install; exit $? ;;
    --partial|--no-decode) opts+=("$1"); shift ;;
    --expect|--expect-json|--min-chunks)
      [ $# -ge 2 ] || { echo "check-mcap: $1 needs a value" >&2; exit 2; }
      opts+=("$1" "$2"); shift 2 ;;
    --*) echo "check-mcap: unknown option $1" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  echo "usage: $0 [--no-decode] [--partial [--min-chunks N]] [--expect TOPIC=N]... [--expect-json F] FILE.mcap... | --install" >&2
  exit 2
fi
install || exit $?
status=0
for f in "${files[@]}"; do
  rc=0
  node "$dir/check-mcap.mjs" "${opts[@]}" "$f" || rc=$?
  [ $rc -eq 2 ] && exit 2
  [ $rc -eq 0 ] || status=1
done
exit $status
