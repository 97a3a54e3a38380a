#!/usr/bin/env bash
# Validates MCAP files with the official MCAP reader (the TypeScript @mcap/core with
# @mcap/support for zstd/lz4 and @mcap/nodejs), installed once with npm under build/mcap-check.
#   scripts/check-mcap.sh FILE...            full check (records, CRCs, summary, statistics)
#   scripts/check-mcap.sh --partial FILE...  a file cut by a crash: the stream reader up to the
#                                            first error must read at least one message
# Exit 0 all files valid, 1 a file is invalid, 2 usage, 3 the official reader cannot be
# installed here (node/npm missing or no registry): nothing was checked.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dir=${MCAP_CHECK_DIR:-$root/build/mcap-check}
mode=()
if [ "${1:-}" = --partial ]; then mode=(--partial); shift; fi
if [ $# -eq 0 ]; then
  echo "usage: $0 [--partial] FILE.mcap..." >&2
  exit 2
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "check-mcap: node and npm are needed (Debian: apt-get install nodejs npm); nothing checked" >&2
  exit 3
fi
if [ ! -d "$dir/node_modules/@mcap/core" ] || [ ! -d "$dir/node_modules/@mcap/support" ] ||
   [ ! -d "$dir/node_modules/@mcap/nodejs" ]; then
  mkdir -p "$dir"
  if ! (cd "$dir" && npm install --no-audit --no-fund --silent @mcap/core @mcap/support @mcap/nodejs \
        >"$dir/npm.log" 2>&1); then
    echo "check-mcap: cannot install the official reader with npm (see $dir/npm.log); nothing checked" >&2
    exit 3
  fi
fi
cp "$here/check-mcap.mjs" "$dir/check-mcap.mjs"
status=0
for f in "$@"; do
  node "$dir/check-mcap.mjs" "${mode[@]}" "$f" || status=1
done
exit $status
