#!/usr/bin/env bash
# rr-record's boot files (--kernel, --initrd, --module, --dtb, --bios, --append): every bad one
# gets its documented status (64 an option the machine cannot use, 65 a malformed image or one
# no loader takes, 66 a missing file), one line naming the problem, and no recording.
#   usage: bad_boot_inputs.sh BIN_DIR VIRT_GUEST.elf PC_GUEST.elf
set -u
bin=$1; virt_guest=$2; pc_guest=$3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
record=$bin/rr-record/rr-record; inspect=$bin/rr-inspect/rr-inspect
failures=0

# expect STATUS DESCRIPTION PATTERN COMMAND...: the status, one 'rr-TOOL: reason' line that
# matches PATTERN (grep -E), and no recording left behind.
expect() {
    local want=$1 what=$2 pattern=$3; shift 3
    rm -f "$work/out.rr"
    "$@" >"$work/out" 2>"$work/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; cat "$work/err"; failures=$((failures + 1))
    elif [ "$(wc -l <"$work/err")" != 1 ] || ! grep -qE "^rr-[a-z]+: .*$pattern" "$work/err"; then
        echo "FAIL: $what: expected one line matching '$pattern'"; cat "$work/err"; failures=$((failures + 1))
    elif [ -e "$work/out.rr" ]; then
        echo "FAIL: $what: a recording was written"; failures=$((failures + 1))
    else
        echo "ok: $what (exit $got): $(cat "$work/err")"
    fi
}

rec() { "$record" -o "$work/out.rr" --max-insns 1000 "$@"; }

# 64: options the machine cannot use.
expect 64 "virt without --kernel or --bios" "--kernel is required" rec -M virt
expect 64 "a Multiboot module on virt" "--module" rec -M virt --kernel "$virt_guest" --module "$pc_guest"
expect 64 "--bios on pc" "--bios" rec -M pc --kernel "$pc_guest" --bios "$pc_guest"
expect 64 "--dtb on pc" "--dtb" rec -M pc --kernel "$pc_guest" --dtb "$pc_guest"
expect 64 "--bios with --kernel" "fw_cfg" rec -M virt --kernel "$virt_guest" --bios "$virt_guest"
expect 64 "--append with --bios" "--append needs --kernel" rec -M virt --bios "$virt_guest" --append x
expect 64 "--initrd with an ELF kernel on virt" "--initrd: .*ELF" rec -M virt --kernel "$virt_guest" --initrd "$pc_guest"
expect 64 "--module without a file" "FILE\[,command line\]" rec -M pc --kernel "$pc_guest" --module ,x

# 66: missing files, whichever option names them.
for option in --initrd --dtb --bios --module; do
    machine=virt; kernel=(--kernel "$virt_guest")
    [ "$option" = --module ] && { machine=pc; kernel=(--kernel "$pc_guest"); }
    [ "$option" = --bios ] && kernel=()
    expect 66 "a missing $option file" "does-not-exist" rec -M $machine "${kernel[@]}" $option "$work/does-not-exist"
done

# 65: images no loader takes, or malformed ones.
printf 'not a kernel' >"$work/noise.bin"
expect 65 "pc: a file of no known format" "a raw binary .* neither a Linux setup header" \
    rec -M pc --kernel "$work/noise.bin"
expect 65 "pc: an AArch64 ELF" "AArch64 ELF file with neither" rec -M pc --kernel "$virt_guest"
expect 65 "virt: an i386 ELF" "not an AArch64 image" rec -M virt --kernel "$pc_guest"
gzip -c "$virt_guest" | head -c 200 >"$work/cut.gz"
expect 65 "virt: a gzip kernel cut short" "damaged gzip data" rec -M virt --kernel "$work/cut.gz"
expect 65 "virt: a --dtb that is no device tree" "not a flattened device tree" \
    rec -M virt --kernel "$work/noise.bin" --dtb "$work/noise.bin"
truncate -s 65M "$work/big.bin"
expect 65 "virt: firmware larger than a flash bank" "flash bank 0 takes" rec -M virt --bios "$work/big.bin"
# A bzImage header of boot protocol 1.0, and an a.out-kludge header whose header_addr lies
# below its load_addr.
python3 - "$work" <<'PY'
import struct, sys
w = sys.argv[1]
b = bytearray(2048)
b[0x1F1] = 1
b[0x202:0x206] = b"HdrS"
struct.pack_into("<H", b, 0x206, 0x0100)
open(f"{w}/old.bzimage", "wb").write(b)
a = bytearray(512)
flags = 0x10000
struct.pack_into("<8I", a, 0, 0x1BADB002, flags, (-(0x1BADB002 + flags)) & 0xFFFFFFFF,
                 0x100000, 0x200000, 0, 0, 0x200000)
open(f"{w}/aout.bin", "wb").write(a)
struct.pack_into("<H", b, 0x206, 0x020F)
b[0x211] = 1
struct.pack_into("<I", b, 0x260, 64 << 20)  # init_size
open(f"{w}/big.bzimage", "wb").write(b)
PY
expect 65 "pc: a bzImage older than boot protocol 2.02" "older than 2.02" rec -M pc --kernel "$work/old.bzimage"
expect 65 "pc: an a.out kludge with header_addr below load_addr" "header_addr" rec -M pc --kernel "$work/aout.bin"
expect 65 "pc: a bzImage whose init_size exceeds --mem" "needs RAM up to" rec -M pc --mem 16M --kernel "$work/big.bzimage"

# rr-inspect --dtb: a recording without a tree, and an output it cannot write.
"$record" -M pc --kernel "$pc_guest" -o "$work/pc.rr" >/dev/null 2>&1
expect 65 "rr-inspect --dtb of a pc recording" "received no device tree" "$inspect" "$work/pc.rr" --dtb "$work/t.dtb"
"$record" -M virt --kernel "$work/noise.bin" --max-insns 10 -o "$work/virt.rr" >/dev/null 2>&1
expect 74 "rr-inspect --dtb into a missing directory" "cannot write" "$inspect" "$work/virt.rr" --dtb "$work/no/dir/t.dtb"
if "$inspect" "$work/virt.rr" --dtb "$work/t.dtb" && [ "$(head -c 4 "$work/t.dtb" | od -An -tx1 | tr -d ' ')" = d00dfeed ]; then
    echo "ok: rr-inspect --dtb writes the tree"
else
    echo "FAIL: rr-inspect --dtb did not write a device tree"; failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failed"
    exit 1
fi
echo "all boot-input checks passed"
