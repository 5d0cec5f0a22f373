# The arm64-virtio part of ci/linux-boot.sh (sourced, not run): Debian's arm64 kernel with
# virtio-blk, virtio-net and virtio-rng on -M virt, recorded once with live networking and
# entropy, replayed three times without them, and the same boot recorded and replayed by QEMU.
#
# The initramfs holds the modules (virtio_mmio, virtio_blk, virtio_net, virtio-rng, ext4 and
# what they depend on; virtio core and virtio_ring are built in) and an /init that loads them,
# makes an ext2 file system on /dev/vda with busybox mke2fs, mounts it with the ext4 driver,
# writes a file made of /dev/hwrng bytes and other data, remounts it and checks the file, takes a
# DHCP lease on eth0 with udhcpc, fetches a file with wget from an HTTP server this script runs
# on 127.0.0.1 (10.0.2.2 for the guest, through slirp) and powers off. The disk is an empty raw
# image; its hash must not change, and the disk as the guest left it (--overlay) must be the
# same after the recording and after each replay.

# The /init of the virtio boot; the HTTP server's address comes from the kernel command line
# (rrhttp=10.0.2.2:PORT, which the kernel passes on to init's environment).
write_virtio_init() {
  cat >"$1" <<'EOF'
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /mnt /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo RR-EMU-VIRTIO-INIT
for m in $(cat /lib/modules/load-order); do
  insmod /lib/modules/$m || echo "RR-EMU-FAIL insmod $m"
done
echo "RR-EMU-MODULES $(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')"
for i in 1 2 3 4 5; do [ -b /dev/vda ] && break; sleep 1; done
echo "RR-EMU-DISK /dev/vda: $(cat /sys/block/vda/size) sectors"
echo "RR-EMU-HWRNG $(cat /sys/class/misc/hw_random/rng_current)"
mke2fs -q -L rrdisk /dev/vda >/dev/null && mount -t ext4 /dev/vda /mnt || echo RR-EMU-FAIL mkfs/mount
dd if=/dev/hwrng of=/mnt/entropy bs=64 count=1 2>/dev/null
{ echo "written by rr-emu's virtio boot"; hexdump -C /mnt/entropy; uname -a; seq 1 20000; } >/mnt/data
hexdump -C /mnt/entropy
written=$(sha256sum </mnt/data)
echo "RR-EMU-WRITTEN $written $(wc -c </mnt/data) bytes"
sync
umount /mnt
mount -t ext4 -o ro /dev/vda /mnt || echo RR-EMU-FAIL remount
read_back=$(sha256sum </mnt/data)
echo "RR-EMU-READ $read_back"
[ "$written" = "$read_back" ] && echo RR-EMU-DISK-OK || echo RR-EMU-FAIL disk
ls -l /mnt
umount /mnt
cat >/tmp/udhcpc.sh <<'SCRIPT'
#!/bin/sh
case "$1" in
  bound|renew)
    ifconfig "$interface" "$ip" netmask "$subnet" up
    route add default gw "$router" dev "$interface"
    echo "RR-EMU-LEASE ip=$ip subnet=$subnet router=$router dns=$dns lease=$lease server=$serverid";;
  deconfig) ifconfig "$interface" 0.0.0.0 up;;
esac
SCRIPT
chmod +x /tmp/udhcpc.sh
ifconfig lo 127.0.0.1 up
udhcpc -i eth0 -s /tmp/udhcpc.sh -q -n -t 5 -T 2 || echo RR-EMU-FAIL udhcpc
wget -q -O /tmp/body "http://$rrhttp/body.txt" || echo RR-EMU-FAIL wget
head -n 2 /tmp/body
echo "RR-EMU-HTTP $(sha256sum </tmp/body) $(wc -c </tmp/body) bytes"
echo RR-EMU-VIRTIO-DONE
poweroff -f
EOF
}

# Serves DIR on 127.0.0.1 at a free port, in the background, logging requests to LOG; prints
# "PID PORT".
start_http_server() {
  local dir=$1 log=$2
  python3 -u - "$dir" >"$log" 2>&1 <<'PY' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
print(f"port {server.server_address[1]}")
server.serve_forever()
PY
  local pid=$! port=""
  for _ in $(seq 50); do
    port=$(awk '/^port / { print $2; exit }' "$log")
    [[ -n $port ]] && break
    sleep 0.1
  done
  echo "$pid $port"
}

# One line of figures for a run: "wall W s, cpu C s" from timed's FILE.
times_of() { cat "$1" 2>/dev/null || echo "?"; }

# The serial line starting with TAG, without the carriage return.
line_of() { tr -d '\r' <"$2" | grep -a -m 1 "^$1" || echo "($1 missing)"; }

# QEMU on the virtio boot of WORK: the same kernel, initramfs and command line on the same
# devices (the first -device on the highest virtio-mmio transport, as ours) with DISK, a fresh
# copy of the empty disk; blkreplay and filter-replay put the disk and the network into QEMU's
# replay log. The rest of the arguments (-icount ...) are added; prints qemu_icount's result.
qemu_virtio() {
  local work=$1 kernel=$2 append=$3 disk=$4; shift 4
  cp "$work/disk.img" "$disk"
  qemu_icount "$work/qmp.sock" qemu-system-aarch64 -M virt -cpu cortex-a57 -m 256 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$work/init.cpio" -append "$append" \
    -drive "file=$disk,if=none,format=raw,id=disk0" -drive driver=blkreplay,if=none,image=disk0,id=disk0-rr \
    -device virtio-blk-device,drive=disk0-rr -netdev user,id=net0 -object filter-replay,id=replay,netdev=net0 \
    -device virtio-net-device,netdev=net0 -device virtio-rng-device "$@"
}

# boot_arm64_virtio KERNEL MODULE-DIR BUSYBOX
boot_arm64_virtio() {
  local kernel=$1 moddir=$2 busybox=$3
  local work=$cache/run-arm64-virtio
  rm -rf "$work"
  mkdir -p "$work/www"
  write_virtio_init "$work/init"
  # ext4 asks for the "crc32c" hash when it mounts (a soft dependency, named by alias), so
  # crc32c_generic is loaded by name.
  local modules
  modules=$(make_initramfs "$busybox" "$work/init" "$work/init.cpio" --modules "$moddir" \
    virtio_mmio virtio_blk virtio_net virtio-rng ext4 crc32c_generic) || return 1
  # 32 MiB of zeros; the guest makes the file system.
  truncate -s 32M "$work/disk.img"
  local disk_hash
  disk_hash=$(sha256sum <"$work/disk.img" | cut -d' ' -f1)
  # The body the guest fetches: a few TCP segments of text.
  python3 -c 'import sys; sys.stdout.write("".join(f"rr-emu http body, line {i}\n" for i in range(1, 1001)))' \
    >"$work/www/body.txt"
  local body_hash
  body_hash=$(sha256sum <"$work/www/body.txt" | cut -d' ' -f1)
  local server
  read -r -a server < <(start_http_server "$work/www" "$work/http.log")
  [[ -n ${server[1]:-} ]] || { say "arm64-virtio: the HTTP server did not start"; return 1; }
  local append="console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 rrhttp=10.0.2.2:${server[1]}"
  say ""
  say "== arm64-virtio: rr-record -M virt --kernel $(basename "$kernel") --initrd init.cpio --drive file=disk.img,format=raw --netdev user --rng --append \"$append\""
  say "  modules, in load order: $modules"
  say "  disk.img: 32 MiB of zeros, sha256 $disk_hash; body.txt sha256 $body_hash"

  local rc
  timed "$work/record.time" timeout -s INT "$limit" "$rr_record" -M virt --mem 256M --kernel "$kernel" \
    --initrd "$work/init.cpio" --append "$append" --drive "file=$work/disk.img,format=raw" --netdev user --rng \
    --overlay "$work/disk-after-record.img" --max-insns "$max_insns" --hash-every "$hash_every" \
    --checkpoint-every 0 --clock-base 1700000000 --serial-out "$work/ours.log" -o "$work/boot.rr" 2>"$work/record.err"
  rc=$?
  kill "${server[0]}" 2>/dev/null
  say "  ours, record: exit status $rc, $(grep -a '^icount:' "$work/record.err"), $(grep -a '^stop:' "$work/record.err"), $(times_of "$work/record.time")"
  for tag in RR-EMU-MODULES RR-EMU-WRITTEN RR-EMU-READ RR-EMU-DISK-OK RR-EMU-LEASE RR-EMU-HTTP RR-EMU-VIRTIO-DONE; do
    say "    $(line_of "$tag" "$work/ours.log")"
  done
  grep -a 'RR-EMU-FAIL' "$work/ours.log" | sed 's/^/    /' | tee -a "$report"
  say "  ours: recording $(stat -c %s "$work/boot.rr") bytes; NetFrame events $("$rr_inspect" "$work/boot.rr" --events --kind NetFrame | grep -c .), entropy events $("$rr_inspect" "$work/boot.rr" --events --kind Entropy | grep -c .)"

  # Replays with the HTTP server gone and no network: the recording alone.
  local i verdict ok=0
  for i in 1 2 3; do
    timed "$work/replay-$i.time" timeout "$limit" "$rr_replay" "$work/boot.rr" --serial-out "$work/replay-$i.log" \
      --overlay "$work/disk-after-replay-$i.img" >"$work/replay-$i.out" 2>&1
    verdict=$(tail -n 1 "$work/replay-$i.out")
    [[ $verdict == "replay ok"* ]] && ok=$((ok + 1))
    local same_log="serial log equal to the recording's" same_disk="disk after the replay equal to the recording's"
    cmp -s "$work/ours.log" "$work/replay-$i.log" || same_log="serial log DIFFERS from the recording's"
    cmp -s "$work/disk-after-record.img" "$work/disk-after-replay-$i.img" || same_disk="disk after the replay DIFFERS"
    say "  ours, replay $i: $verdict; $(times_of "$work/replay-$i.time"); $same_log; $same_disk"
  done
  local disk_now
  disk_now=$(sha256sum <"$work/disk.img" | cut -d' ' -f1)
  say "  ours: $ok of 3 replays ok; disk.img sha256 after them $disk_now ($([[ $disk_now == "$disk_hash" ]] && echo unchanged || echo CHANGED))"

  # QEMU: record once with the HTTP server up again, replay three times.
  read -r -a server < <(start_http_server "$work/www" "$work/http-qemu.log")
  local qappend="console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 rrhttp=10.0.2.2:${server[1]}"
  local icount
  icount=$(QEMU_LOG=$work/qemu-record.log QEMU_TIMES=$work/qemu-record.time qemu_virtio "$work" "$kernel" \
    "$qappend" "$work/qemu-disk-record.img" -icount "shift=0,rr=record,rrfile=$work/qemu-replay.bin")
  kill "${server[0]}" 2>/dev/null
  say "  qemu, record (-icount shift=0,rr=record): icount at power-off $icount, $(times_of "$work/qemu-record.time")"
  for tag in RR-EMU-MODULES RR-EMU-WRITTEN RR-EMU-READ RR-EMU-DISK-OK RR-EMU-LEASE RR-EMU-HTTP RR-EMU-VIRTIO-DONE; do
    say "    $(line_of "$tag" "$work/qemu-record.log")"
  done
  for i in 1 2 3; do
    icount=$(QEMU_LOG=$work/qemu-replay-$i.log QEMU_TIMES=$work/qemu-replay-$i.time qemu_virtio "$work" "$kernel" \
      "$qappend" "$work/qemu-disk-replay-$i.img" -icount "shift=0,rr=replay,rrfile=$work/qemu-replay.bin")
    local result="icount at power-off $icount"
    [[ $icount == - ]] && result="did not power off within ${limit} s (stopped)"
    local same_log="serial log equal to its recording's"
    cmp -s "$work/qemu-record.log" "$work/qemu-replay-$i.log" || same_log="serial log differs from its recording's ($(wc -c <"$work/qemu-replay-$i.log") of $(wc -c <"$work/qemu-record.log") bytes)"
    say "  qemu, replay $i (rr=replay): $result, $(times_of "$work/qemu-replay-$i.time"); $same_log"
  done
  say "  serial logs, ours and QEMU's record run, timestamps aside (ours <, QEMU's >):"
  log_diff "$work/ours.log" "$work/qemu-record.log" | tee -a "$report"
}
