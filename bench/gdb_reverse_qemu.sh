#!/usr/bin/env bash
# QEMU's own reverse debugging on the compute guest, for comparison with bench/gdb_reverse.py:
# records with an initial snapshot (-icount rr=record,rrsnapshot=init, which needs a qcow2 drive
# to hold it), replays under gdb and times, inside gdb, one of two scenarios:
#   end:    `continue` to the end (a breakpoint on plat_exit), then reverse-stepi twice;
#   middle: `monitor replay_break ICOUNT` and continue there, then reverse-continue to matmul and
#           to quicksort.
#   usage: bench/gdb_reverse_qemu.sh GUEST.elf [aarch64|i386] [end | middle ICOUNT]
# Needs qemu-system-aarch64 / qemu-system-i386, qemu-img (Debian: qemu-utils), gdb-multiarch.
# Prints gdb's output with @@time lines (wall and QEMU CPU time). Nothing is asserted.
set -euo pipefail
elf=$(realpath "$1")
arch=${2:-aarch64}
scenario=${3:-end}
middle=${4:-}
[ "$scenario" = end ] || [ -n "$middle" ] || { echo "usage: $0 GUEST.elf ARCH middle ICOUNT" >&2; exit 64; }
case $arch in
  aarch64) q=(qemu-system-aarch64 -M virt -cpu cortex-a57 -m 128M) ;;
  i386) q=(qemu-system-i386 -M pc -m 128M -device isa-debug-exit,iobase=0xf4,iosize=0x04) ;;
  *) echo "usage: $0 GUEST.elf [aarch64|i386] [end | middle ICOUNT]" >&2; exit 64 ;;
esac
q+=(-nodefaults -display none -net none -kernel "$elf" -monitor none)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
qemu-img create -f qcow2 snap.qcow2 64M >/dev/null
snap=(-drive file=snap.qcow2,if=none,id=rr)

t0=$(date +%s.%N)
/usr/bin/time -f "qemu record: %U s user, %S s system" "${q[@]}" -serial file:record.txt -icount shift=0,rr=record,rrfile=r.bin,rrsnapshot=init "${snap[@]}" || true
t1=$(date +%s.%N)
echo "qemu record: $(echo "$t1 - $t0" | bc) s"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${q[@]}" -serial file:replay.txt -icount shift=0,rr=replay,rrfile=r.bin,rrsnapshot=init "${snap[@]}" \
  -gdb tcp:127.0.0.1:"$port" -S -no-shutdown &
qemu=$!
sleep 1
# Wall time and QEMU's CPU time (user + system, from /proc) of one gdb command: on a loaded
# machine the CPU time says more.
timed() { printf 'python t0, c0 = time.time(), qemu_cpu()\n%s\npython print("@@time %s %%.3f s, QEMU CPU %%.3f s" %% (time.time() - t0, qemu_cpu() - c0))\n' "$1" "$2"; }
{
  echo "python import time"
  echo "python qemu_cpu = lambda: sum(int(f) for f in open('/proc/$qemu/stat').read().rsplit(')', 1)[1].split()[11:13]) / $(getconf CLK_TCK)"
  echo "set architecture $arch"
  echo "file $elf"
  echo "target remote 127.0.0.1:$port"
  if [ "$scenario" = end ]; then
    echo "break plat_exit"
    timed continue continue-to-end
    echo "monitor info replay"
    timed reverse-stepi reverse-stepi-1
    timed reverse-stepi reverse-stepi-2
  else
    # QEMU's replay_seek runs the VM on its own after gdb's command returns, so the middle is
    # reached with replay_break and continue instead.
    echo "monitor replay_break $middle"
    timed continue continue-to-middle
    echo "monitor info replay"
    echo "break matmul"
    timed reverse-continue reverse-continue-matmul
    echo "monitor info replay"
    echo "delete"
    echo "break quicksort"
    timed reverse-continue reverse-continue-quicksort
    echo "monitor info replay"
  fi
  echo "kill"
} >cmds.gdb
timeout 1800 gdb-multiarch -batch -nx -x cmds.gdb 2>&1 || true
# A QEMU that hangs in replay ignores SIGTERM.
kill "$qemu" 2>/dev/null || true
sleep 2
kill -9 "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
