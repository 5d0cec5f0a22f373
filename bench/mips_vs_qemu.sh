#!/usr/bin/env bash
# Whole-guest speed against QEMU's record mode: runs the shared compute guest under our
# rr-record and under QEMU (-icount shift=0,rr=record) side by side, RUNS times each,
# interleaved so that machine noise hits both alike, and compares median wall-clock MIPS.
#   usage: bench/mips_vs_qemu.sh [RUNS]
#   env:   ARCH=aarch64|i386 (aarch64), SCALE (600), RUNS (3), BUILD_DIR (<repo>/build),
#          SHARED_BENCH (/work/shared/bench)
# Exit status: 0 when the guest output (checksum line and DONE) agrees, 1 when it differs or
# our own runs disagree with each other, 2 on a setup error. Instruction counts that differ
# from QEMU's are reported, not failed on.
set -euo pipefail

arch=${ARCH:-aarch64}
scale=${SCALE:-600}
runs=${1:-${RUNS:-3}}
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
shared=${SHARED_BENCH:-/work/shared/bench}
rr_record=$build/tools/rr-record/rr-record

die() { echo "mips_vs_qemu: $*" >&2; exit 2; }

case $arch in
  aarch64) machine=virt ;;
  i386) machine=pc ;;
  *) die "ARCH must be aarch64 or i386, not '$arch'" ;;
esac
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
[ -x "$rr_record" ] || die "$rr_record not built (cmake --build $build)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The shared tree is read-only: the guest is built into our temporary directory.
make -s -C "$shared/$arch" BUILD="$work/guest" SCALE="$scale" >"$work/make.log" 2>&1 ||
  { cat "$work/make.log" >&2; die "building the $arch compute guest failed"; }
elf=$work/guest/compute.elf

# A zero-instruction run tells whether rr-record has the machine at all (64: usage error).
probe=0
"$rr_record" -M "$machine" --kernel "$elf" -o "$work/probe.rr" --max-insns 0 \
  >/dev/null 2>"$work/probe.err" || probe=$?
if [ "$probe" -ne 0 ]; then
  cat "$work/probe.err" >&2
  die "rr-record cannot run -M $machine (status $probe): the $arch machine is not there yet"
fi

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Guest output without carriage returns, reduced to what must agree: the checksum line and DONE.
essentials() { tr -d '\r' <"$1" | grep -E '^(checksum=|DONE$)' || true; }

: >"$work/ours.times"
: >"$work/qemu.times"
for i in $(seq 1 "$runs"); do
  t0=$(now)
  status=0
  "$rr_record" -M "$machine" --kernel "$elf" -o "$work/run.rr" >"$work/ours.$i.out" 2>"$work/ours.$i.err" ||
    status=$?
  t1=$(now)
  # Guest exit codes (below 64) pass through rr-record; 64 and up are its own failures.
  if [ "$status" -ge 64 ]; then
    cat "$work/ours.$i.err" >&2
    die "rr-record failed with status $status"
  fi
  echo "$t1 - $t0" | bc -l >>"$work/ours.times"
  sed -n 's/^icount: \([0-9]*\)$/\1/p' "$work/ours.$i.err" >"$work/ours.$i.icount"
  [ -s "$work/ours.$i.icount" ] || { cat "$work/ours.$i.err" >&2; die "no icount line from rr-record"; }

  "$shared/qemu-side.sh" "$arch" "$elf" >"$work/qemu.$i.all" 2>"$work/qemu.$i.err" ||
    { cat "$work/qemu.$i.err" >&2; die "qemu-side.sh failed"; }
  head -n 1 "$work/qemu.$i.all" >"$work/qemu.$i.head"
  tail -n +2 "$work/qemu.$i.all" >"$work/qemu.$i.out"
  sed -n 's/^qemu record: \([0-9.]*\) s, \([0-9]*\) instructions.*/\1/p' "$work/qemu.$i.head" >>"$work/qemu.times"
  sed -n 's/^qemu record: \([0-9.]*\) s, \([0-9]*\) instructions.*/\2/p' "$work/qemu.$i.head" >"$work/qemu.$i.icount"
  [ -s "$work/qemu.$i.icount" ] || { cat "$work/qemu.$i.all" >&2; die "cannot read qemu-side.sh's summary line"; }
done

fail=0
our_icount=$(cat "$work/ours.1.icount")
qemu_icount=$(cat "$work/qemu.1.icount")
for i in $(seq 2 "$runs"); do
  if [ "$(cat "$work/ours.$i.icount")" != "$our_icount" ] || ! cmp -s "$work/ours.$i.out" "$work/ours.1.out"; then
    echo "NOT DETERMINISTIC: our run $i differs from run 1 (icount or output)"
    fail=1
  fi
done

our_t=$(median <"$work/ours.times")
qemu_t=$(median <"$work/qemu.times")
our_mips=$(echo "$our_icount / $our_t / 1000000" | bc -l)
qemu_mips=$(echo "$qemu_icount / $qemu_t / 1000000" | bc -l)

echo "compute guest $arch, SCALE=$scale, median wall clock of $runs runs each"
printf '  %-22s %10s %14s %9s\n' "" "time (s)" "instructions" "MIPS"
printf '  %-22s %10.2f %14s %9.0f\n' "ours (rr-record)" "$our_t" "$our_icount" "$our_mips"
printf '  %-22s %10.2f %14s %9.0f\n' "qemu record" "$qemu_t" "$qemu_icount" "$qemu_mips"
printf '  %-22s %10s %14s %8.2fx\n' "ratio ours/qemu" "" "" "$(echo "$our_mips / $qemu_mips" | bc -l)"

if [ "$our_icount" = "$qemu_icount" ]; then
  echo "  instruction counts: match"
else
  echo "  instruction counts: DIFFER (ours $our_icount, qemu $qemu_icount)"
fi
ours_ess=$(essentials "$work/ours.1.out")
qemu_ess=$(essentials "$work/qemu.1.out")
if [ -n "$ours_ess" ] && [ "$ours_ess" = "$qemu_ess" ] && grep -qx DONE <<<"$ours_ess"; then
  echo "  guest output:       match ($(echo "$ours_ess" | tr '\n' ' ' | sed 's/ $//'))"
else
  echo "  guest output:       DIFFER"
  echo "    ours: $(echo "$ours_ess" | tr '\n' ' ')"
  echo "    qemu: $(echo "$qemu_ess" | tr '\n' ' ')"
  fail=1
fi
exit "$fail"
