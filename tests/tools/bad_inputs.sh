#!/usr/bin/env bash
# Every bad input gets its documented exit status and a one-line reason, never a crash.
#   usage: bad_inputs.sh BIN_DIR GUEST.elf
set -u
bin=$1; guest=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
record=$bin/rr-record/rr-record; replay=$bin/rr-replay/rr-replay; inspect=$bin/rr-inspect/rr-inspect
failures=0

# expect STATUS DESCRIPTION COMMAND...: runs the command, checks its status and that stderr
# holds exactly one line.
expect() {
    local want=$1 what=$2; shift 2
    "$@" >"$work/out" 2>"$work/err"
    local got=$?
    local lines; lines=$(wc -l <"$work/err")
    if [ "$got" != "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; cat "$work/err"; failures=$((failures + 1))
    elif [ "$want" != 0 ] && [ "$lines" -lt 1 ]; then
        echo "FAIL: $what: no reason on stderr"; failures=$((failures + 1))
    else
        echo "ok: $what (exit $got): $(head -1 "$work/err")"
    fi
}

"$record" -M virt --kernel "$guest" -o "$work/good.rr" >/dev/null 2>&1 || { echo "FAIL: cannot record $guest"; exit 1; }
size=$(stat -c %s "$work/good.rr")

expect 0 "a good recording inspects" "$inspect" --verify "$work/good.rr"
expect 0 "a good recording replays" "$replay" "$work/good.rr"

cp "$work/good.rr" "$work/flipped.rr"
printf '\x55' | dd of="$work/flipped.rr" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect 65 "one flipped byte (inspect)" "$inspect" "$work/flipped.rr"
expect 65 "one flipped byte (replay)" "$replay" "$work/flipped.rr"

head -c $((size - 5)) "$work/good.rr" >"$work/truncated.rr"
expect 65 "a truncated recording" "$inspect" "$work/truncated.rr"
: >"$work/empty.rr"
expect 65 "an empty file" "$inspect" "$work/empty.rr"
expect 65 "a file of another format" "$inspect" "$guest"
cp "$work/good.rr" "$work/future.rr"
printf '\x63' | dd of="$work/future.rr" bs=1 seek=8 conv=notrunc status=none
expect 65 "a future format version" "$inspect" "$work/future.rr"
cp "$guest" "$work/other.elf"; printf 'x' >>"$work/other.elf"
expect 65 "replay with a different guest image" "$replay" --kernel "$work/other.elf" "$work/good.rr"
expect 66 "a missing recording" "$replay" "$work/does-not-exist.rr"
expect 66 "a missing guest image" "$record" -M virt --kernel "$work/nope.elf" -o "$work/x.rr"
expect 65 "a guest image that is not an ELF" "$record" -M virt --kernel "$work/good.rr" -o "$work/x.rr"
expect 64 "an unknown option" "$record" --frobnicate
expect 64 "an unknown machine" "$record" -M nonesuch --kernel "$guest" -o "$work/x.rr"
expect 64 "a missing required option" "$replay"
expect 74 "an output path that cannot be written" "$record" -M virt --kernel "$guest" -o /nonexistent/dir/x.rr
expect 0 "--help" "$record" --help
expect 0 "--help" "$bin/rr-bisect/rr-bisect" --help

[ $failures = 0 ] && echo "all bad-input checks passed" || echo "$failures bad-input checks FAILED"
[ $failures = 0 ]
