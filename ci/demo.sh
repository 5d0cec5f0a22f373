#!/usr/bin/env bash
# The README's demo command: install what is missing, build Release, then record the bundled
# demo guest with scripted serial input, replay the recording verifying it, and print what it
# contains.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ci/install-deps.sh
bash ci/build.sh build

tools=build/tools
guest=build/guests/demo.elf
recording=build/demo.rr
if [[ ! -f $guest ]]; then
  echo "demo: $guest was not built (is the demo guest registered in guests/?)" >&2
  exit 1
fi

# meaning STATUS: the README's exit-status table, so a failed step says what went wrong.
meaning() {
  case $1 in
    1) echo "replay divergence or failed verification; from rr-record, the guest's exit status" ;;
    64) echo "usage error" ;;
    65) echo "corrupt, truncated or unsupported recording, or malformed guest image" ;;
    66) echo "missing input file" ;;
    70) echo "internal error or unsupported guest feature" ;;
    74) echo "host I/O error" ;;
    126 | 127) echo "tool not built or not executable" ;;
    *)
      if (($1 > 128)); then
        echo "killed by signal $(($1 - 128))"
      elif (($1 < 64)); then
        echo "the guest's own exit status"
      else
        echo "undocumented exit status"
      fi
      ;;
  esac
}

# step TITLE CMD...: announces, runs, and stops the demo with a clear message on failure.
step() {
  local title=$1 rc=0
  shift
  echo "== $title: $*"
  "$@" || rc=$?
  if ((rc != 0)); then
    echo "demo: $title failed with exit status $rc ($(meaning "$rc"))" >&2
    exit "$rc"
  fi
}

# A recording left by an earlier run must not stand in for one this run failed to write.
rm -f "$recording"
# The guest answers each line of its serial input with the line's length and CRC-32; the
# input is scripted so that the demo runs unattended.
step record "$tools/rr-record/rr-record" -M virt --kernel "$guest" -o "$recording" \
  --serial-in guests/aarch64/inputs/demo.txt --serial-out -
if [[ ! -s $recording ]]; then
  echo "demo: rr-record exited 0 but wrote no $recording" >&2
  exit 1
fi
step replay "$tools/rr-replay/rr-replay" "$recording"
step inspect "$tools/rr-inspect/rr-inspect" --verify "$recording"
step "inspect the serial input" "$tools/rr-inspect/rr-inspect" "$recording" --events --kind SerialInput
echo "demo: recorded, replayed and verified $recording"
