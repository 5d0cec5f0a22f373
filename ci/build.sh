#!/usr/bin/env bash
# Usage: ci/build.sh [BUILD_DIR] [extra cmake args...]
# Configures (Ninja, Release unless the extra args say otherwise) and builds with every core.
# Quiet on success; on failure prints the first failed command or the end of the log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${1:-build}
(($# > 0)) && shift
mkdir -p "$build_dir"
log=$build_dir/ci-build.log

# Extra args come after the defaults, so a -DCMAKE_BUILD_TYPE there wins.
if ! { cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" &&
       cmake --build "$build_dir" -j "$(nproc)"; } >"$log" 2>&1; then
  # Ninja marks each failed command with "FAILED:"; show the first one, else the log's end
  # (a configure error).
  first=$(grep -n -m1 '^FAILED: ' "$log" | cut -d: -f1 || true)
  if [[ -n $first ]]; then
    tail -n "+$first" "$log" | head -n 80 >&2
  else
    tail -n 60 "$log" >&2
  fi
  echo "build: FAILED in $build_dir (full log: $log)" >&2
  exit 1
fi
