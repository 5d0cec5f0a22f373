#!/usr/bin/env bash
# Every bad input gets its documented exit status and a one-line reason, never a crash.
#   usage: bad_inputs.sh BIN_DIR GUEST.elf
set -u
bin=$1; guest=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
record=$bin/rr-record/rr-record; replay=$bin/rr-replay/rr-replay; inspect=$bin/rr-inspect/rr-inspect
failures=0

# expect STATUS DESCRIPTION COMMAND...: runs the command, checks its status and that stderr
# starts with a reason naming the tool.
expect() {
    local want=$1 what=$2; shift 2
    "$@" >"$work/out" 2>"$work/err"
    local got=$?
    local lines; lines=$(wc -l <"$work/err")
    if [ "$got" != "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; cat "$work/err"; failures=$((failures + 1))
    elif [ "$want" -ge 64 ] && ! head -1 "$work/err" | grep -q '^rr-[a-z]*: .'; then
        # One line that names the tool and says why (an expression error adds a caret line).
        echo "FAIL: $what: no 'rr-TOOL: reason' line on stderr ($lines lines)"; cat "$work/err"; failures=$((failures + 1))
    else
        echo "ok: $what (exit $got): $(head -1 "$work/err")"
    fi
}

# flip FILE OFFSET: xors one byte.
flip() {
    local byte; byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\x$(printf %02x $((byte ^ 0x5a)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

"$record" -M virt --kernel "$guest" -o "$work/good.rr" --hash-every 100 >/dev/null 2>&1 ||
    { echo "FAIL: cannot record $guest"; exit 1; }
size=$(stat -c %s "$work/good.rr")
header_size=$(od -An -tu4 -j 12 -N4 "$work/good.rr" | tr -d ' ')

expect 0 "a good recording inspects" "$inspect" --verify "$work/good.rr"
expect 0 "a good recording replays" "$replay" "$work/good.rr"

for where in header chunk footer; do
    case $where in
        header) offset=40 ;;
        chunk) offset=$((header_size + 60)) ;;
        footer) offset=$((size - 12)) ;;
    esac
    cp "$work/good.rr" "$work/flipped.rr"
    flip "$work/flipped.rr" "$offset"
    expect 65 "one flipped byte in the $where (inspect --verify)" "$inspect" --verify "$work/flipped.rr"
    expect 65 "one flipped byte in the $where (replay)" "$replay" "$work/flipped.rr"
done

head -c $((size - 5)) "$work/good.rr" >"$work/truncated.rr"
expect 65 "a truncated recording (inspect --verify)" "$inspect" --verify "$work/truncated.rr"
expect 65 "a truncated recording (replay)" "$replay" "$work/truncated.rr"
"$replay" "$work/truncated.rr" --junit "$work/truncated.xml" >/dev/null 2>&1
if grep -q '<failure message="recording truncated' "$work/truncated.xml" 2>/dev/null; then
    echo "ok: a truncated recording is a JUnit failure"
else
    echo "FAIL: rr-replay --junit did not report the truncation as a failure"; failures=$((failures + 1))
fi
head -c $((header_size + 20)) "$work/good.rr" >"$work/no-chunks.rr"
expect 65 "a recording cut inside its first chunk (replay)" "$replay" "$work/no-chunks.rr"
head -c 30 "$work/good.rr" >"$work/short.rr"
expect 65 "a recording cut inside its header" "$replay" "$work/short.rr"
: >"$work/empty.rr"
expect 65 "an empty file (inspect)" "$inspect" "$work/empty.rr"
expect 65 "an empty file (replay)" "$replay" "$work/empty.rr"
expect 65 "a file of another format" "$replay" "$guest"
cp "$work/good.rr" "$work/future.rr"
printf '\x63' | dd of="$work/future.rr" bs=1 seek=8 conv=notrunc status=none
expect 65 "a future format version (inspect)" "$inspect" "$work/future.rr"
expect 65 "a future format version (replay)" "$replay" "$work/future.rr"
cp "$guest" "$work/other.elf"; printf 'x' >>"$work/other.elf"
expect 65 "replay with a different guest image" "$replay" --kernel "$work/other.elf" "$work/good.rr"
expect 66 "a missing recording" "$replay" "$work/does-not-exist.rr"
expect 66 "a missing recording (inspect)" "$inspect" "$work/does-not-exist.rr"

cp "$guest" "$work/moved.elf"
"$record" --kernel "$work/moved.elf" -o "$work/no-embed.rr" --no-embed >/dev/null 2>&1
expect 0 "a recording without its image replays while the image is there" "$replay" "$work/no-embed.rr"
rm "$work/moved.elf"
expect 66 "a recording without its image, image gone" "$replay" "$work/no-embed.rr"
expect 0 "... and with --kernel pointing at a copy" "$replay" --kernel "$guest" "$work/no-embed.rr"

expect 66 "a missing guest image" "$record" -M virt --kernel "$work/nope.elf" -o "$work/x.rr"
# Anything that is not an ELF is a raw kernel to -M virt (as to QEMU); a broken ELF is refused.
head -c 100 "$guest" >"$work/cut.elf"
expect 65 "a guest ELF cut short" "$record" -M virt --kernel "$work/cut.elf" -o "$work/x.rr"
expect 65 "an AArch64 image on -M pc" "$record" -M pc --kernel "$guest" -o "$work/x.rr"
expect 66 "a missing serial input file" "$record" --kernel "$guest" -o "$work/x.rr" --serial-in "$work/nope.txt"
expect 64 "both inputs from stdin" "$record" --kernel "$guest" -o "$work/x.rr" --serial-in - --semihosting-in -
expect 64 "an unknown option" "$record" --frobnicate
expect 64 "an unknown machine" "$record" -M nonesuch --kernel "$guest" -o "$work/x.rr"
expect 64 "an icount shift out of range" "$record" --kernel "$guest" -o "$work/x.rr" --icount-shift 11
expect 64 "a RAM size that is not a size" "$record" --kernel "$guest" -o "$work/x.rr" --mem lots
expect 64 "a missing required option" "$replay"
expect 64 "an unknown option (inspect)" "$inspect" --frobnicate "$work/good.rr"
expect 74 "an output path that cannot be written" "$record" -M virt --kernel "$guest" -o /nonexistent/dir/x.rr
expect 74 "a serial output path that cannot be written" "$record" --kernel "$guest" -o "$work/x.rr" \
    --serial-out /nonexistent/dir/out.txt
expect 64 "--print without --seek" "$replay" "$work/good.rr" --print pc
expect 64 "a malformed --print expression" "$replay" "$work/good.rr" --seek 10 --print "pc +"
expect 64 "an unknown register in --print" "$replay" "$work/good.rr" --seek 10 --print eax
expect 64 "--seek past the end of the run" "$replay" "$work/good.rr" --seek 999999999 --print pc
bisect=$bin/rr-bisect/rr-bisect
expect 64 "rr-bisect without --until, --against or --divergence" "$bisect" "$work/good.rr"
expect 64 "rr-bisect with two searches" "$bisect" "$work/good.rr" --until "pc == 0" --divergence
expect 64 "rr-bisect --jobs 0" "$bisect" "$work/good.rr" --divergence --jobs 0
expect 66 "rr-bisect --against a missing recording" "$bisect" "$work/good.rr" --against "$work/nope.rr"
"$record" -M pc --kernel "$(dirname "$guest")/i386_hello.elf" -o "$work/pc.rr" >/dev/null 2>&1
expect 64 "rr-bisect --against a recording of another machine" "$bisect" "$work/good.rr" --against "$work/pc.rr"
expect 74 "a rr-bisect JUnit path that cannot be written" "$bisect" "$work/good.rr" --divergence \
    --junit /nonexistent/dir/r.xml
expect 64 "a bad --checkpoint-every" "$record" --kernel "$guest" -o "$work/x.rr" --checkpoint-every -5
expect 64 "a bad --clock-base" "$record" --kernel "$guest" -o "$work/x.rr" --clock-base soon
expect 64 "a malformed --until expression" "$bin/rr-bisect/rr-bisect" "$work/good.rr" --until "pc =="
expect 65 "rr-bisect on a file of another format" "$bin/rr-bisect/rr-bisect" "$guest" --until "pc == 0"
expect 66 "rr-bisect on a missing recording" "$bin/rr-bisect/rr-bisect" "$work/nope.rr" --until "pc == 0"
expect 74 "a JUnit path that cannot be written" "$replay" "$work/good.rr" --junit /nonexistent/dir/r.xml
for tool in rr-record rr-replay rr-inspect rr-bisect; do
    expect 0 "$tool --help" "$bin/$tool/$tool" --help
done

# A search over an unfinished recording would pass for one over the whole run.
expect 65 "rr-bisect --divergence on a truncated recording" "$bisect" "$work/truncated.rr" --divergence
grep -q 'recording truncated after chunk [0-9]* (icount [0-9]*)' "$work/err" ||
    { echo "FAIL: rr-bisect does not give rr-replay's truncation line"; cat "$work/err"; failures=$((failures + 1)); }
expect 65 "rr-bisect --until on a truncated recording" "$bisect" "$work/truncated.rr" --until "pc == 0"
expect 65 "rr-bisect --against a truncated recording" "$bisect" "$work/good.rr" --against "$work/truncated.rr"
expect 1 "rr-bisect --divergence --allow-truncated searches the prefix" "$bisect" "$work/truncated.rr" --divergence \
    --allow-truncated --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["truncated"] is True and d["last_complete_icount"] > 0 else 1)' "$work/out"; then
    echo "ok: --allow-truncated --json says truncated, with the last complete icount"
else
    echo "FAIL: --allow-truncated --json: $(cat "$work/out")"; failures=$((failures + 1))
fi
"$bisect" "$work/good.rr" --divergence --json >"$work/out" 2>/dev/null
grep -q '"truncated":false' "$work/out" ||
    { echo "FAIL: rr-bisect --json on a whole recording lacks \"truncated\":false"; failures=$((failures + 1)); }

# Report streams that cannot be written lose the report: 74, whatever the verdict.
if [ -w /dev/full ]; then
    for cmd in "$replay $work/good.rr --json" "$replay $work/good.rr" "$inspect $work/good.rr --verify" \
               "$inspect $work/good.rr --events" "$inspect $work/good.rr --json" \
               "$bisect $work/good.rr --divergence --json" "$replay $work/good.rr --seek 10 --print pc" \
               "$record --kernel $guest -o $work/full.rr"; do
        # shellcheck disable=SC2086
        $cmd >/dev/full 2>"$work/err"
        got=$?
        if [ "$got" = 74 ] && grep -q 'write error' "$work/err"; then
            echo "ok: stdout on /dev/full: ${cmd#"$bin"/} (exit 74)"
        else
            echo "FAIL: stdout on /dev/full: $cmd: exit $got"; cat "$work/err"; failures=$((failures + 1))
        fi
    done
    expect 74 "--serial-out on a full device" "$replay" "$work/good.rr" --serial-out /dev/full
    expect 74 "rr-record --serial-out on a full device" "$record" --kernel "$guest" -o "$work/x.rr" --serial-out /dev/full
fi

# Bad options and inputs are refused before anything runs, and name what is wrong.
mkdir -p "$work/dir"
expect 66 "--kernel naming a directory" "$record" --kernel "$work/dir" -o "$work/x.rr"
grep -q 'not a regular file' "$work/err" || { echo "FAIL: no 'not a regular file'"; failures=$((failures + 1)); }
expect 66 "--serial-in naming a directory" "$record" --kernel "$guest" -o "$work/x.rr" --serial-in "$work/dir"
expect 66 "a missing --semihosting-in" "$record" --kernel "$guest" -o "$work/x.rr" --semihosting-in "$work/nope.txt"
grep -q -- '--semihosting-in' "$work/err" || { echo "FAIL: the error does not name --semihosting-in"; failures=$((failures + 1)); }
for mem in 0 1 -1 1T 999999999999 4097K; do
    expect 64 "--mem $mem" "$record" --kernel "$guest" -o "$work/x.rr" --mem "$mem"
done
expect 64 "--mem 4G on pc (above the PCI hole)" "$record" -M pc --kernel "$guest" -o "$work/x.rr" --mem 4G
for opt in --max-insns --hash-every --checkpoint-every; do
    expect 64 "$opt past 2^64-1" "$record" --kernel "$guest" -o "$work/x.rr" "$opt" 18446744073709551616
    expect 64 "$opt far past 2^64-1" "$record" --kernel "$guest" -o "$work/x.rr" "$opt" 99999999999999999999999
done
expect 64 "--seek past 2^64-1" "$replay" "$work/good.rr" --seek 18446744073709551616 --print pc

# Serial scripts: a bad line is a usage error naming the line.
printf 'expect "ok"\nsned "typo"\n' >"$work/bad.script"
expect 64 "a serial script with an unknown command" "$record" --kernel "$guest" -o "$work/x.rr" --serial-script "$work/bad.script"
grep -q 'bad.script:2: unknown command' "$work/err" || { echo "FAIL: no line number for a bad script"; failures=$((failures + 1)); }
expect 66 "a missing serial script" "$record" --kernel "$guest" -o "$work/x.rr" --serial-script "$work/nope.script"
printf 'expect "ok"\n' >"$work/ok.script"
expect 64 "--serial-script with --serial-in" "$record" --kernel "$guest" -o "$work/x.rr" --serial-script "$work/ok.script" \
    --serial-in "$work/ok.script"
expect 64 "--exit-on-success without a script" "$record" --kernel "$guest" -o "$work/x.rr" --exit-on-success

# A run that cannot start leaves no recording, and keeps the file that was there.
rm -f "$work/x.rr"
expect 65 "an AArch64 image on -M pc leaves no file" "$record" -M pc --kernel "$guest" -o "$work/x.rr"
[ ! -e "$work/x.rr" ] || { echo "FAIL: a refused kernel left $work/x.rr behind"; failures=$((failures + 1)); }
cp "$work/good.rr" "$work/kept.rr"
expect 65 "a refused kernel does not clobber -o" "$record" -M pc --kernel "$guest" -o "$work/kept.rr"
cmp -s "$work/good.rr" "$work/kept.rr" || { echo "FAIL: a refused kernel replaced the existing -o file"; failures=$((failures + 1)); }
ls "$work" | grep -q partial && { echo "FAIL: a partial file was left in $work"; failures=$((failures + 1)); }

[ $failures = 0 ] && echo "all bad-input checks passed" || echo "$failures bad-input checks FAILED"
[ $failures = 0 ]
