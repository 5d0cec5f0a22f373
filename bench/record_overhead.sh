#!/usr/bin/env bash
# The cost of recording, two ways:
#  1. speed: the shared compute guest run plain, recorded and replayed in one process
#     (build/bench/rr_overhead), median of RUNS;
#  2. size: the serial echo guest fed 16 KiB, recorded by rr-record and by QEMU 7.2
#     (-icount shift=0,rr=record,rrfile=...): bytes per million instructions of each.
#   usage: bench/record_overhead.sh [RUNS]
#   env:   SCALE (100), BUILD_DIR (<repo>/build), SHARED_BENCH (<repo>/../shared/bench)
# Exit status: 0, or 2 on a setup error. Nothing is asserted: the figures are for the notes.
set -euo pipefail

runs=${1:-3}
scale=${SCALE:-100}
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
shared=${SHARED_BENCH:-$repo/../shared/bench}
die() { echo "record_overhead: $*" >&2; exit 2; }
[ -x "$build/bench/rr_overhead" ] || die "$build/bench/rr_overhead not built (cmake --build $build)"
[ -f "$build/guests/serial_irq.elf" ] || die "$build/guests/serial_irq.elf not built"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -s -C "$shared/aarch64" BUILD="$work/guest" SCALE="$scale" >"$work/make.log" 2>&1 ||
  { cat "$work/make.log" >&2; die "building the compute guest failed"; }
echo "== speed: compute guest, SCALE=$scale"
"$build/bench/rr_overhead" "$work/guest/compute.elf" "$runs"

# qemu_record INPUT NAME: runs serial_irq under QEMU's record mode with INPUT on its serial port
# and prints "ICOUNT BYTES" (ICOUNT empty when QEMU never powered off within 30 s).
qemu_record() {
  local sock=$work/$2.sock status=0 icount
  qemu-system-aarch64 -M virt -cpu cortex-a57 -m 128M -nodefaults -display none -net none \
    -chardev stdio,id=con,mux=on,signal=off -serial chardev:con -no-shutdown -qmp "unix:$sock,server,nowait" \
    -icount shift=0,sleep=off,rr=record,rrfile="$work/$2.bin" -kernel "$build/guests/serial_irq.elf" \
    <"$1" >"$work/$2.out" 2>"$work/$2.err" &
  local qemu=$!
  icount=$(python3 - "$sock" 2>/dev/null <<'PY'
import json, socket, sys, time
for _ in range(300):
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.1)
f = s.makefile("rw")
def call(cmd):
    f.write(json.dumps({"execute": cmd}) + "\n"); f.flush()
    while True:
        msg = json.loads(f.readline())
        if "return" in msg or "error" in msg:
            return msg
f.readline(); call("qmp_capabilities")
for _ in range(300):
    if call("query-status")["return"]["status"] == "shutdown":
        print(call("query-replay")["return"]["icount"])
        break
    time.sleep(0.1)
call("quit")
PY
) || true
  kill "$qemu" 2>/dev/null || true
  wait "$qemu" 2>/dev/null || status=$?
  echo "${icount:-} $(stat -c %s "$work/$2.bin" 2>/dev/null || echo 0)"
}

per_million() { python3 -c "print(f'{$1 / ($2 / 1e6):.0f}')"; }

# size INPUT LABEL: bytes per million instructions, ours (without the embedded image, which
# QEMU's replay.bin never holds) next to QEMU's.
size() {
  echo "== size: serial_irq fed $2"
  "$build/tools/rr-record/rr-record" --kernel "$build/guests/serial_irq.elf" -o "$work/ours.rr" --no-embed \
    --serial-in "$1" >"$work/ours.out" 2>"$work/ours.err"
  local icount bytes
  icount=$(sed -n 's/^icount: //p' "$work/ours.err")
  bytes=$(stat -c %s "$work/ours.rr")
  echo "rr-record --no-embed: $bytes bytes, $icount instructions: $(per_million "$bytes" "$icount") bytes per million"
  grep -a "bytes, fnv" "$work/ours.out" | sed 's/^/  guest: /'
  command -v qemu-system-aarch64 >/dev/null || { echo "qemu-system-aarch64 not found"; return; }
  local result qicount qbytes
  result=$(qemu_record "$1" qemu)
  qicount=${result% *} qbytes=${result##* }
  if [ -n "$qicount" ]; then
    echo "QEMU replay.bin: $qbytes bytes, $qicount instructions: $(per_million "$qbytes" "$qicount") bytes per million"
  else
    echo "QEMU never finished within 30 s (replay.bin $qbytes bytes so far); its stderr:"
    sed 's/^/  /' "$work/qemu.err"
  fi
  grep -a "bytes, fnv" "$work/qemu.out" | sed 's/^/  QEMU guest: /' || echo "  QEMU's guest printed no summary"
}

python3 - "$work/input.bin" <<'PY'
import random, sys
rng = random.Random(16384)
data = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789 .,\n") for _ in range(16384))
open(sys.argv[1], "wb").write(data + b"\x04")
PY
size "$repo/guests/aarch64/inputs/echo.txt" "guests/aarch64/inputs/echo.txt (111 bytes)"
size "$work/input.bin" "16 KiB"
