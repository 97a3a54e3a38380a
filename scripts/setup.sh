#!/usr/bin/env bash
# Installs the Debian packages rigsync needs to build, test and run, or, given arguments of the
# form package:/path/that/shows/it/is/installed, those instead (scripts/setup-bench.sh).
# With --fuzz: the base packages plus clang and its libFuzzer runtime (make fuzz, make fuzz-ci).
# With --test: the base packages plus chromium (the report test), xvfb and xauth (the view test),
# linuxptp, iproute2 and util-linux (the PTP management client's live test, the multi-host tests),
# nodejs and npm, then the official MCAP reader the tests run
# (npm ci of scripts/mcap-check/ into $MCAP_CHECK_DIR, scripts/check-mcap.sh --install); with
# RIGSYNC_MCAP_CHECK=off (no npm access) neither.
# As root it installs what is missing with apt-get; otherwise it prints the exact command.
set -euo pipefail

# package : a file or command that shows it is installed
need=(
  "build-essential:/usr/bin/gcc"
  "cmake:/usr/bin/cmake"
  "pkg-config:/usr/bin/pkg-config"
  "libjansson-dev:/usr/include/jansson.h"
  "libcmocka-dev:/usr/include/cmocka.h"
  "libzstd-dev:/usr/include/zstd.h"
  "liblz4-dev:/usr/include/lz4frame.h"
  "zlib1g-dev:/usr/include/zlib.h"
  "libpng-dev:/usr/include/png.h"
  "libjpeg-dev:/usr/include/jpeglib.h"
  "libdeflate-dev:/usr/include/libdeflate.h"
  "fonts-dejavu-core:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
  "libcairo2-dev:/usr/include/cairo/cairo.h"
  "libfontconfig-dev:/usr/include/fontconfig/fontconfig.h"
  "libsdl2-dev:/usr/include/SDL2/SDL.h"
  "libnng-dev:/usr/include/nng/nng.h"
  # the multi-host tests' network faults: loss (iptables -m statistic) and delay (an NFQUEUE
  # delayer built with the rest)
  "libnetfilter-queue-dev:/usr/include/libnetfilter_queue/libnetfilter_queue.h"
  "iptables:/usr/sbin/iptables"
)
if [ "${1:-}" = --fuzz ]; then
  # libclang-rt-dev (Debian's default LLVM, 14 on bookworm) holds libclang_rt.fuzzer.
  need+=("clang:/usr/bin/clang" "libclang-rt-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a")
elif [ "${1:-}" = --test ]; then
  # rigsync report's HTML is opened in a headless browser (tests/test_cli_report.sh)
  need+=("chromium:/usr/bin/chromium")
  # rigsync view's test runs under a virtual X server
  need+=("xauth:/usr/bin/xauth" "xvfb:/usr/bin/Xvfb")
  # rigsync ptp-status's live test runs ptp4l and pmc in a network namespace (as root)
  need+=("linuxptp:/usr/sbin/ptp4l" "iproute2:/sbin/ip")
  # the multi-host tests also drop CAP_SYS_TIME with setpriv (util-linux)
  need+=("util-linux:/usr/bin/setpriv")
  if [ "${RIGSYNC_MCAP_CHECK:-}" != off ]; then
    need+=("nodejs:/usr/bin/node" "npm:/usr/bin/npm")
    # once the packages are there (at either exit below), the reader itself
    trap 'rc=$?; [ $rc -ne 0 ] || "$(dirname "$0")/check-mcap.sh" --install || exit $?' EXIT
  fi
elif [ $# -gt 0 ]; then
  need=("$@")
fi

missing=()
for entry in "${need[@]}"; do
  pkg=${entry%%:*}
  probe=${entry#*:}
  if [ ! -e "$probe" ] && ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
