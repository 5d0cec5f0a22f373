#!/usr/bin/env bash
# Boots Debian 12's own kernels under rr-record and under QEMU, and reports how far each gets.
# Not part of the test suite: it downloads Debian packages (the i386 and arm64 kernels,
# busybox-static for both, u-boot-qemu) with apt-get through a private apt state, so the
# host's apt configuration and dpkg architectures stay as they are. Run it as root or not; it
# needs network access to the Debian archive, dpkg-deb, python3 and the QEMU binaries.
#
#   bash ci/linux-boot.sh [BUILD_DIR]        (default build/; builds rr-record etc. if missing)
#
# Environment: RR_LINUX_CACHE (default ~/.cache/rr-emu/linux-boot) holds the downloads and the
# work files; RR_LINUX_MAX_INSNS (default 10000000000: the i386 boot takes 6.8·10⁹) bounds each rr-record run;
# RR_LINUX_TIMEOUT (seconds, default 900) bounds each run's wall time, ours and QEMU's;
# RR_LINUX_ONLY (i386, arm64, arm64-virtio or u-boot) runs one part.
#
#   RR_LINUX_ONLY=arm64-virtio bash ci/linux-boot.sh
#
# runs the arm64 kernel with virtio-blk, virtio-net and virtio-rng (ci/linux-virtio.sh): its
# modules in the initramfs, an ext2 file system made on the disk, written and read back, a DHCP
# lease and an HTTP fetch from a server the script runs on 127.0.0.1; recorded once with live
# networking and entropy, replayed three times without them (serial logs and the disk as left
# compared), and recorded and replayed three times by QEMU (-icount shift=0,rr=record/replay);
# wall and CPU times of every run in the report. The helpers the parts share are in
# ci/linux-boot-lib.sh.
#
# For each kernel: an initramfs whose /init (a busybox sh script) prints a marker, runs uname,
# ls /proc and the head of /proc/cpuinfo and powers off; a recording of the boot (-M pc with
# the bzImage, -M virt with the arm64 vmlinuz, a gzip-compressed Image), replayed twice; the
# same command line under QEMU, plain and in record mode (-icount shift=0,rr=record); the
# serial logs side by side. The report gives, per machine: the stop reason, the final icount
# and pc, the icount at which the marker appeared (from the recording's state hashes, within
# --hash-every), the last serial lines, and the wall times.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cache=${RR_LINUX_CACHE:-$HOME/.cache/rr-emu/linux-boot}
max_insns=${RR_LINUX_MAX_INSNS:-10000000000}
limit=${RR_LINUX_TIMEOUT:-900}
only=${RR_LINUX_ONLY:-}
hash_every=1000000
marker=RR-EMU-INIT-MARKER
mkdir -p "$cache"

for tool in dpkg-deb python3 qemu-system-i386 qemu-system-aarch64 apt-get; do
  command -v "$tool" >/dev/null || { echo "linux-boot: $tool is missing" >&2; exit 1; }
done
if [[ ! -x $build/tools/rr-record/rr-record || ! -x $build/tools/rr-replay/rr-replay ]]; then
  bash "$root/ci/build.sh" "$build" >/dev/null || { echo "linux-boot: build failed" >&2; exit 1; }
  ninja -C "$build" rr-record rr-replay rr-inspect >/dev/null || exit 1
fi
rr_record=$build/tools/rr-record/rr-record
rr_replay=$build/tools/rr-replay/rr-replay
rr_inspect=$build/tools/rr-inspect/rr-inspect

# shellcheck source=ci/linux-boot-lib.sh
source "$root/ci/linux-boot-lib.sh"
# shellcheck source=ci/linux-virtio.sh
source "$root/ci/linux-virtio.sh"

report=$cache/report.txt
: >"$report"

# The /init of the plain boots: a marker, a look around, power off.
write_plain_init() {
  cat >"$1" <<EOF
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
echo $marker
/bin/busybox cat /proc/uptime
/bin/busybox uname -a
/bin/busybox ls /proc
/bin/busybox cat /proc/cpuinfo | /bin/busybox head -n 12
echo RR-EMU-INIT-DONE
/bin/busybox poweroff -f
EOF
}

# boot NAME MACHINE KERNEL INITRD APPEND QEMU-COMMAND...
boot() {
  local name=$1 machine=$2 kernel=$3 initrd=$4 append=$5; shift 5
  local work=$cache/run-$name
  mkdir -p "$work"
  say ""
  say "== $name: rr-record -M $machine --kernel $(basename "$kernel") --initrd $(basename "$initrd") --append \"$append\""
  local t0 t1 rc
  t0=$(now)
  timeout -s INT "$limit" "$rr_record" -M "$machine" --mem 256M --kernel "$kernel" --initrd "$initrd" --append "$append" \
    --max-insns "$max_insns" --hash-every "$hash_every" --checkpoint-every 0 --clock-base 1700000000 \
    --serial-out "$work/ours.log" -o "$work/boot.rr" 2>"$work/record.err"
  rc=$?
  t1=$(now)
  say "  ours: exit status $rc, $(grep -a '^icount:' "$work/record.err"), $(grep -a '^stop:' "$work/record.err"), wall $(elapsed "$t0" "$t1")"
  say "  ours: final pc $(final_pc "$work/boot.rr"); marker between icounts $(marker_icount "$work/boot.rr" "$work/ours.log" "$marker"); last serial byte between icounts $(marker_icount "$work/boot.rr" "$work/ours.log")"
  for i in 1 2; do
    t0=$(now)
    local verdict
    verdict=$(timeout "$limit" "$rr_replay" "$work/boot.rr" --serial-out /dev/null 2>&1 | tail -n 1)
    t1=$(now)
    say "  replay $i: $verdict (wall $(elapsed "$t0" "$t1"))"
  done
  say "  ours, last serial lines:"
  last_lines "$work/ours.log" | tee -a "$report"

  t0=$(now)
  timeout "$limit" "$@" -kernel "$kernel" -initrd "$initrd" -append "$append" -m 256 -nographic -no-reboot \
    -icount shift=0 >"$work/qemu.log" 2>&1 </dev/null
  rc=$?
  t1=$(now)
  say "  qemu (-icount shift=0): exit status $rc, wall $(elapsed "$t0" "$t1")"
  t0=$(now)
  local icount
  icount=$(QEMU_LOG=$work/qemu-rr.log qemu_icount "$work/qmp.sock" "$@" -kernel "$kernel" -initrd "$initrd" \
    -append "$append" -m 256 -nographic -no-reboot -icount shift=0,rr=record,rrfile="$work/qemu-replay.bin")
  t1=$(now)
  say "  qemu record mode: icount at power-off $icount, wall $(elapsed "$t0" "$t1")"
  say "  qemu: /proc/uptime after the marker: $(grep -a -A1 "$marker" "$work/qemu.log" | tail -n 1 | tr -d '\r')"
  say "  ours: /proc/uptime after the marker: $(grep -a -A1 "$marker" "$work/ours.log" | tail -n 1 | tr -d '\r')"
  say "  serial logs: $(same_prefix "$work/ours.log" "$work/qemu.log")"
  say "  serial logs, timestamps aside (ours <, QEMU's >):"
  log_diff "$work/ours.log" "$work/qemu.log" | tee -a "$report"
  say "  qemu, last serial lines:"
  last_lines "$work/qemu.log" | tee -a "$report"
}

if [[ -z $only || $only == i386 ]]; then
  if fetch i386 meta:linux-image-686 busybox-static; then
    k=$(ls "$cache"/i386/root/boot/vmlinuz-6.1.0-*-686 | head -n 1)
    write_plain_init "$cache/i386/init"
    make_initramfs "$cache/i386/root/bin/busybox" "$cache/i386/init" "$cache/i386/init.cpio"
    boot i386 pc "$k" "$cache/i386/init.cpio" "console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1" \
      qemu-system-i386 -M pc
  else
    say "i386: download failed"
  fi
fi

if [[ -z $only || $only == arm64 ]]; then
  if fetch arm64 meta:linux-image-arm64 busybox-static; then
    k=$(ls "$cache"/arm64/root/boot/vmlinuz-6.1.0-*-arm64 | head -n 1)
    write_plain_init "$cache/arm64/init"
    make_initramfs "$cache/arm64/root/bin/busybox" "$cache/arm64/init" "$cache/arm64/init.cpio"
    boot arm64 virt "$k" "$cache/arm64/init.cpio" "console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1" \
      qemu-system-aarch64 -M virt -cpu cortex-a57
  else
    say "arm64: download failed"
  fi
fi

if [[ -z $only || $only == arm64-virtio ]]; then
  if fetch arm64 meta:linux-image-arm64 busybox-static; then
    k=$(ls "$cache"/arm64/root/boot/vmlinuz-6.1.0-*-arm64 | head -n 1)
    boot_arm64_virtio "$k" "$(ls -d "$cache"/arm64/root/lib/modules/6.1.0-*-arm64 | head -n 1)" \
      "$cache/arm64/root/bin/busybox" || say "arm64-virtio: failed to set up"
  else
    say "arm64-virtio: download failed"
  fi
fi

if [[ -z $only || $only == u-boot ]]; then
  if fetch amd64 u-boot-qemu; then
    ub=$cache/amd64/root/usr/lib/u-boot/qemu_arm64/u-boot.bin
    work=$cache/run-u-boot
    mkdir -p "$work"
    say ""
    # Stop the autoboot countdown, then run two commands at the prompt; the same keys are
    # typed into QEMU when its console shows the same text.
    cat >"$work/console.script" <<'EOF'
fail "Synchronous Abort|resetting"
expect "Hit any key to stop autoboot" timeout 2G
send " "
expect "=> " timeout 1G
send "version\n"
expect "=> " timeout 1G
send "flinfo\n"
expect "=> " timeout 1G
EOF
    say "== u-boot: rr-record -M virt --bios $(basename "$ub") (qemu_arm64) --serial-script (stop autoboot; version; flinfo)"
    t0=$(now)
    timeout -s INT "$limit" "$rr_record" -M virt --bios "$ub" --serial-script "$work/console.script" --exit-on-success \
      --max-insns "$max_insns" --hash-every "$hash_every" --checkpoint-every 0 --clock-base 1700000000 \
      --serial-out "$work/ours.log" -o "$work/boot.rr" 2>"$work/record.err"
    rc=$?
    t1=$(now)
    say "  ours: exit status $rc, $(grep -a '^icount:' "$work/record.err"), $(grep -a '^stop:' "$work/record.err"), wall $(elapsed "$t0" "$t1")"
    say "  ours: final pc $(final_pc "$work/boot.rr"); 'DRAM:' between icounts $(marker_icount "$work/boot.rr" "$work/ours.log" "DRAM:"); the first prompt ('=> ') between $(marker_icount "$work/boot.rr" "$work/ours.log" "=> ")"
    for i in 1 2; do
      say "  replay $i: $(timeout "$limit" "$rr_replay" "$work/boot.rr" --serial-out /dev/null 2>&1 | tail -n 1)"
    done
    say "  ours, last serial lines:"
    last_lines "$work/ours.log" 12 | tee -a "$report"
    # QEMU gets the same keys when its output shows the same text, and is stopped at the end.
    python3 - "$work/console.script" "$limit" qemu-system-aarch64 -M virt -cpu cortex-a57 -bios "$ub" \
      -nographic -no-reboot -icount shift=0 >"$work/qemu.log" <<'PY'
import re, select, subprocess, sys, time
script, limit, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
steps = []
for line in open(script):
    m = re.match(r'\s*(expect|send) "((?:[^"\\]|\\.)*)"', line)
    if m:
        steps.append((m.group(1), m.group(2).encode().decode("unicode_escape")))
proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out, seen, deadline = b"", 0, time.monotonic() + limit
for kind, text in steps:
    if kind == "send":
        proc.stdin.write(text.encode())
        proc.stdin.flush()
        continue
    while text.encode() not in out[seen:] and time.monotonic() < deadline and proc.poll() is None:
        if select.select([proc.stdout], [], [], 1)[0]:
            out += proc.stdout.read1(4096)
    at = out.find(text.encode(), seen)
    seen = at + len(text) if at >= 0 else len(out)
proc.kill()
sys.stdout.buffer.write(out)
PY
    say "  qemu (same keys), last serial lines:"
    last_lines "$work/qemu.log" 12 | tee -a "$report"
    say "  serial logs (ours <, QEMU's >):"
    log_diff "$work/ours.log" "$work/qemu.log" | tee -a "$report"
  else
    say "u-boot: download failed"
  fi
fi

say ""
say "report: $report"
