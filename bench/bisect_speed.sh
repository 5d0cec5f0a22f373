#!/usr/bin/env bash
# rr-bisect --until against one plain replay, on a recording of about 10^9 instructions (the
# shared compute guest, SCALE=100) made with the default checkpoint interval; and what the
# checkpoints cost the recorder (time and bytes) against a recording without them.
#   usage: bench/bisect_speed.sh [RUNS]
#   env:   ARCH=aarch64|i386 (aarch64), SCALE (100), BUILD_DIR (<repo>/build),
#          SHARED_BENCH (<repo>/../shared/bench)
# Prints medians of RUNS (3). Exit status: 0, or 2 on a setup error. Nothing is asserted: the
# figures are for the notes.
set -euo pipefail

runs=${1:-3}
arch=${ARCH:-aarch64}
scale=${SCALE:-100}
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
shared=${SHARED_BENCH:-$repo/../shared/bench}
tools=$build/tools
die() { echo "bisect_speed: $*" >&2; exit 2; }
case $arch in
  aarch64) machine=virt ;;
  i386) machine=pc ;;
  *) die "ARCH must be aarch64 or i386, not '$arch'" ;;
esac
for t in rr-record rr-replay rr-bisect; do
  [ -x "$tools/$t/$t" ] || die "$tools/$t/$t not built (cmake --build $build)"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make -s -C "$shared/$arch" BUILD="$work/guest" SCALE="$scale" >"$work/make.log" 2>&1 ||
  { cat "$work/make.log" >&2; die "building the compute guest failed"; }
elf=$work/guest/compute.elf

# seconds CMD...: wall time of one run of CMD (output discarded).
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
# median CMD...: the median of RUNS timings.
median() {
  local i
  for ((i = 0; i < runs; i++)); do seconds "$@"; done | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

rec=$work/run.rr
plain=$work/plain.rr
echo "== recording: compute guest ($arch, -M $machine), SCALE=$scale"
record=("$tools/rr-record/rr-record" -M "$machine" --kernel "$elf")
t_plain=$(median "${record[@]}" -o "$plain" --checkpoint-every 0)
t_ckpt=$(median "${record[@]}" -o "$rec")
# The guest's exit status passes through (1 on pc, from isa-debug-exit), so it is not checked.
"${record[@]}" -o "$rec" 2>"$work/rec.err" >/dev/null || true
icount=$(sed -n 's/^icount: //p' "$work/rec.err")
[ -n "$icount" ] || die "recording failed: $(cat "$work/rec.err")"
checkpoints=$(sed -n 's/^checkpoints: \([0-9]*\).*/\1/p' "$work/rec.err")
bytes_plain=$(stat -c %s "$plain")
bytes_ckpt=$(stat -c %s "$rec")
echo "instructions            $icount"
echo "record, no checkpoints  ${t_plain} s, $bytes_plain bytes"
echo "record, checkpoints     ${t_ckpt} s, $bytes_ckpt bytes, $checkpoints checkpoints" \
  "($(( (bytes_ckpt - bytes_plain) / (checkpoints > 0 ? checkpoints : 1) )) bytes each)"
grep '^checkpoints:' "$work/rec.err" | sed 's/^/                        /'

echo "== rr-bisect --until against one replay (medians of $runs)"
t_replay=$(median "$tools/rr-replay/rr-replay" "$rec")
echo "plain replay            ${t_replay} s"
crc=$(nm "$elf" | awk '$3 == "crc_table" {print $1}')
late=$((icount * 73 / 100))
for cond in "mem32[0x$crc + 4] != 0" "icount >= $late"; do
  t=$(median "$tools/rr-bisect/rr-bisect" "$rec" --until "$cond")
  found=$("$tools/rr-bisect/rr-bisect" "$rec" --until "$cond" --json)
  first=$(echo "$found" | python3 -c 'import json, sys; j = json.load(sys.stdin); print(j["first_icount"], j["probes"], j["replayed_insns"])')
  echo "--until '$cond': ${t} s ($(echo "scale=2; $t / $t_replay" | bc)x the replay); first icount, probes, insns replayed: $first"
done
