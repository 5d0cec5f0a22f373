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
# work files; RR_LINUX_MAX_INSNS (default 4000000000) bounds each rr-record run;
# RR_LINUX_TIMEOUT (seconds, default 900) bounds each run's wall time, ours and QEMU's;
# RR_LINUX_ONLY (i386, arm64 or u-boot) runs one part.
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
max_insns=${RR_LINUX_MAX_INSNS:-4000000000}
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

# apt-get for another architecture with its own lists and cache under $cache/apt-ARCH: the
# host's sources, nothing of the host's state touched.
apt_for() {
  local arch=$1 dir=$cache/apt-$1
  mkdir -p "$dir/state/lists/partial" "$dir/cache/archives/partial"
  touch "$dir/status"
  echo -o Dir::State="$dir/state" -o Dir::State::status="$dir/status" -o Dir::Cache="$dir/cache" \
    -o APT::Architecture="$arch" -o APT::Architectures::="$arch" -o Debug::NoLocking=1
}

# Downloads the packages into $cache/ARCH/debs (once) and unpacks them into $cache/ARCH/root.
fetch() {
  local arch=$1; shift
  local opts; opts=$(apt_for "$arch")
  local dir=$cache/$arch
  mkdir -p "$dir/debs" "$dir/root"
  if [[ ! -f $dir/.fetched ]]; then
    # shellcheck disable=SC2086
    apt-get -q $opts update >"$dir/apt-update.log" 2>&1 || { tail "$dir/apt-update.log" >&2; return 1; }
    local names=()
    for p in "$@"; do
      if [[ $p == meta:* ]]; then
        # The kernel the metapackage points at, unsigned: linux-image-6.1.0-N-FLAVOUR-unsigned.
        # shellcheck disable=SC2086
        local dep; dep=$(apt-cache $opts depends "${p#meta:}" | awk '/Depends: linux-image-6/ { print $2; exit }')
        [[ -n $dep ]] || { echo "linux-boot: no kernel behind ${p#meta:} for $arch" >&2; return 1; }
        names+=("${dep%-unsigned}-unsigned")
      else
        names+=("$p")
      fi
    done
    # shellcheck disable=SC2086
    (cd "$dir/debs" && apt-get -q $opts download "${names[@]}") >"$dir/apt-download.log" 2>&1 ||
      { tail "$dir/apt-download.log" >&2; return 1; }
    for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
    touch "$dir/.fetched"
  fi
}

# An initramfs (newc cpio) with busybox, /init, and /dev/console.
make_initramfs() {
  local busybox=$1 out=$2
  python3 - "$busybox" "$out" "$marker" <<'PY'
import os, sys
busybox, out, marker = sys.argv[1], sys.argv[2], sys.argv[3]
init = f"""#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
echo {marker}
/bin/busybox cat /proc/uptime
/bin/busybox uname -a
/bin/busybox ls /proc
/bin/busybox cat /proc/cpuinfo | /bin/busybox head -n 12
echo RR-EMU-INIT-DONE
/bin/busybox poweroff -f
""".encode()
entries = []  # (name, mode, data, rdev major, minor)
entries.append(("bin", 0o040755, b"", 0, 0))
entries.append(("dev", 0o040755, b"", 0, 0))
entries.append(("proc", 0o040755, b"", 0, 0))
entries.append(("sys", 0o040755, b"", 0, 0))
entries.append(("dev/console", 0o020600, b"", 5, 1))
entries.append(("bin/busybox", 0o100755, open(busybox, "rb").read(), 0, 0))
entries.append(("bin/sh", 0o120777, b"busybox", 0, 0))
entries.append(("init", 0o100755, init, 0, 0))
def pad(b): return b + b"\0" * (-len(b) % 4)
blob = b""
for ino, (name, mode, data, major, minor) in enumerate(entries + [("TRAILER!!!", 0, b"", 0, 0)], 1):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, major, minor, len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    blob += pad(hdr + name_b) + pad(data)
blob += b"\0" * (-len(blob) % 512)
open(out, "wb").write(blob)
PY
}

# The icounts between which the guest's output first reached the end of TEXT (the whole log
# when TEXT is empty: its last byte), from the recording's state hashes (so within
# $hash_every), or "not reached".
marker_icount() {
  local rec=$1 log=$2 text=${3:-}
  python3 - "$rec" "$log" "$text" "$rr_inspect" <<'PY'
import json, subprocess, sys
rec, log, marker, inspect = sys.argv[1:]
data = open(log, "rb").read()
at = data.find(marker.encode()) if marker else len(data) - 1
if at < 0 or not data:
    print("not reached"); sys.exit()
end = at + max(len(marker), 1)
prev = 0
out = subprocess.run([inspect, rec, "--events", "--json", "--kind", "StateHash", "--kind", "GuestExit"],
                     capture_output=True, text=True).stdout
for line in out.splitlines():
    e = json.loads(line)
    e = e.get("state", e)
    if e["output_bytes"] >= end:
        print(f"{prev}..{e['icount']}"); sys.exit()
    prev = e["icount"]
print(f"after {prev}")
PY
}

# The pc where the recording ended: the final state in its GuestExit event.
final_pc() {
  "$rr_inspect" "$1" --events --json --kind GuestExit | python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
regs = json.loads(lines[-1])["state"]["registers"] if lines else []
# virt lists x0-x30, sp, pc, ...; pc lists eax..edi, eip, ...
print(regs[32] if len(regs) > 32 else regs[8] if len(regs) > 8 else "?")'
}

# QEMU in record mode until the guest powers off (QMP query-status), then its instruction
# count (query-replay); "-" when it did not power off within the limit.
qemu_icount() {
  local sock=$1; shift
  python3 - "$sock" "$limit" "$@" <<'PY'
import json, os, socket, subprocess, sys, time
sock, limit, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
if os.path.exists(sock):
    os.unlink(sock)
log = open(os.environ["QEMU_LOG"], "wb")
proc = subprocess.Popen(cmd + ["-no-shutdown", "-qmp", f"unix:{sock},server,nowait"], stdin=subprocess.DEVNULL,
                        stdout=log, stderr=subprocess.STDOUT)
deadline = time.monotonic() + limit
icount = "-"
def call(f, s, cmd):
    s.sendall(json.dumps({"execute": cmd}).encode() + b"\n")
    while True:
        m = json.loads(f.readline())
        if "return" in m or "error" in m:
            return m.get("return")
s = None
while proc.poll() is None and time.monotonic() < deadline:
    try:
        if s is None:
            s = socket.socket(socket.AF_UNIX); s.connect(sock); f = s.makefile("r")
            f.readline(); call(f, s, "qmp_capabilities")
        if call(f, s, "query-status")["status"] == "shutdown":
            icount = call(f, s, "query-replay")["icount"]
            call(f, s, "quit")
            break
    except (FileNotFoundError, ConnectionError, ValueError):
        s = None
    time.sleep(0.2)
if proc.poll() is None:
    proc.kill()
proc.wait()
print(icount)
PY
}

# How much of the two serial logs agree, from the start.
same_prefix() {
  python3 - "$1" "$2" <<'PY'
import sys
a, b = (open(p, "rb").read().replace(b"\r", b"") for p in sys.argv[1:])
n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
lines = a[:n].count(b"\n")
print(f"the first {n} bytes are the same (ours {len(a)} bytes, QEMU's {len(b)}; {lines} whole lines)")
PY
}

last_lines() { tr -d '\r' <"$1" | grep -av '^$' | tail -n "${2:-8}" | sed 's/^/    | /'; }

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.1f} s')"; }

report=$cache/report.txt
: >"$report"
say() { echo "$*" | tee -a "$report"; }

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
  say "  qemu, last serial lines:"
  last_lines "$work/qemu.log" | tee -a "$report"
}

if [[ -z $only || $only == i386 ]]; then
  if fetch i386 meta:linux-image-686 busybox-static; then
    k=$(ls "$cache"/i386/root/boot/vmlinuz-6.1.0-*-686 | head -n 1)
    make_initramfs "$cache/i386/root/bin/busybox" "$cache/i386/init.cpio"
    boot i386 pc "$k" "$cache/i386/init.cpio" "console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1" \
      qemu-system-i386 -M pc
  else
    say "i386: download failed"
  fi
fi

if [[ -z $only || $only == arm64 ]]; then
  if fetch arm64 meta:linux-image-arm64 busybox-static; then
    k=$(ls "$cache"/arm64/root/boot/vmlinuz-6.1.0-*-arm64 | head -n 1)
    make_initramfs "$cache/arm64/root/bin/busybox" "$cache/arm64/init.cpio"
    boot arm64 virt "$k" "$cache/arm64/init.cpio" "console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1" \
      qemu-system-aarch64 -M virt -cpu cortex-a57
  else
    say "arm64: download failed"
  fi
fi

if [[ -z $only || $only == u-boot ]]; then
  if fetch amd64 u-boot-qemu; then
    ub=$cache/amd64/root/usr/lib/u-boot/qemu_arm64/u-boot.bin
    work=$cache/run-u-boot
    mkdir -p "$work"
    say ""
    say "== u-boot: rr-record -M virt --bios $(basename "$ub") (qemu_arm64)"
    t0=$(now)
    timeout -s INT "$limit" "$rr_record" -M virt --bios "$ub" --max-insns "$max_insns" --hash-every "$hash_every" \
      --checkpoint-every 0 --clock-base 1700000000 --serial-out "$work/ours.log" -o "$work/boot.rr" 2>"$work/record.err"
    rc=$?
    t1=$(now)
    say "  ours: exit status $rc, $(grep -a '^icount:' "$work/record.err"), $(grep -a '^stop:' "$work/record.err"), wall $(elapsed "$t0" "$t1")"
    say "  ours: final pc $(final_pc "$work/boot.rr"); 'DRAM:' between icounts $(marker_icount "$work/boot.rr" "$work/ours.log" "DRAM:"); 'Synchronous Abort' between $(marker_icount "$work/boot.rr" "$work/ours.log" "Synchronous Abort"); the prompt ('=> ') between $(marker_icount "$work/boot.rr" "$work/ours.log" "=> ")"
    say "  replay: $(timeout "$limit" "$rr_replay" "$work/boot.rr" --serial-out /dev/null 2>&1 | tail -n 1)"
    say "  ours, last serial lines:"
    last_lines "$work/ours.log" 12 | tee -a "$report"
    # U-Boot waits at its prompt for ever: QEMU gets a fixed time and is stopped.
    timeout 20 qemu-system-aarch64 -M virt -cpu cortex-a57 -bios "$ub" -nographic -no-reboot -icount shift=0 \
      >"$work/qemu.log" 2>&1 </dev/null
    say "  qemu (20 s), last serial lines:"
    last_lines "$work/qemu.log" 12 | tee -a "$report"
  else
    say "u-boot: download failed"
  fi
fi

say ""
say "report: $report"
