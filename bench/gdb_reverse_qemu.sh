#!/usr/bin/env bash
# QEMU's own reverse debugging on the compute guest, for comparison with bench/gdb_reverse.py:
# records with an initial snapshot (-icount rr=record,rrsnapshot=init, which needs a qcow2 drive
# to hold it), replays under gdb and times, inside gdb, `continue` to the end (a breakpoint on
# plat_exit), reverse-stepi there twice, then `monitor replay_seek` to the middle and
# reverse-continue to matmul and to quicksort.
#   usage: bench/gdb_reverse_qemu.sh GUEST.elf [aarch64|i386]
# Needs qemu-system-aarch64 / qemu-system-i386, qemu-img (Debian: qemu-utils), gdb-multiarch.
# Prints gdb's output with @@time lines. Nothing is asserted.
set -euo pipefail
elf=$(realpath "$1")
arch=${2:-aarch64}
case $arch in
  aarch64) q=(qemu-system-aarch64 -M virt -cpu cortex-a57 -m 128M) ;;
  i386) q=(qemu-system-i386 -M pc -m 128M -device isa-debug-exit,iobase=0xf4,iosize=0x04) ;;
  *) echo "usage: $0 GUEST.elf [aarch64|i386]" >&2; exit 64 ;;
esac
q+=(-nodefaults -display none -net none -kernel "$elf" -monitor none)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
qemu-img create -f qcow2 snap.qcow2 64M >/dev/null
snap=(-drive file=snap.qcow2,if=none,id=rr)

t0=$(date +%s.%N)
"${q[@]}" -serial file:record.txt -icount shift=0,rr=record,rrfile=r.bin,rrsnapshot=init "${snap[@]}" || true
t1=$(date +%s.%N)
echo "qemu record: $(echo "$t1 - $t0" | bc) s"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${q[@]}" -serial file:replay.txt -icount shift=0,rr=replay,rrfile=r.bin,rrsnapshot=init "${snap[@]}" \
  -gdb tcp:127.0.0.1:"$port" -S -no-shutdown &
qemu=$!
sleep 1
timed() { printf 'python t0 = time.time()\n%s\npython print("@@time %s %%.3f" %% (time.time() - t0))\n' "$1" "$2"; }
{
  echo "python import time"
  echo "set architecture $arch"
  echo "file $elf"
  echo "target remote 127.0.0.1:$port"
  echo "break plat_exit"
  timed continue continue-to-end
  echo "monitor info replay"
  timed reverse-stepi reverse-stepi-1
  timed reverse-stepi reverse-stepi-2
  echo "delete"
  echo "python import re; n = int(re.search(r'instruction count = (\d+)', gdb.execute('monitor info replay', to_string=True)).group(1)); gdb.execute('monitor replay_seek %d' % (n // 2))"
  echo "maint flush register-cache"
  echo "break matmul"
  timed reverse-continue reverse-continue-matmul
  echo "delete"
  echo "break quicksort"
  timed reverse-continue reverse-continue-quicksort
  echo "kill"
} >cmds.gdb
timeout 1800 gdb-multiarch -batch -nx -x cmds.gdb 2>&1 || true
kill "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
