# Helpers shared by the parts of ci/linux-boot.sh (sourced, not run): downloading Debian
# packages, building initramfs images, QEMU runs, comparing serial logs, timing runs, the
# report. They read the caller's $cache, $limit, $report and $rr_inspect.

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
# An initramfs (newc cpio) with busybox, the /init script INIT and /dev/console, and with
# `--modules DIR NAME...` the named kernel modules under DIR with everything they depend on
# (ci/linux-initramfs.py; it prints the load order).
make_initramfs() {
  python3 "$(dirname "${BASH_SOURCE[0]}")/linux-initramfs.py" "$@"
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
    # A GuestExit holds its counters in its final state.
    out_bytes = e.get("state", e)["output_bytes"]
    if out_bytes >= end:
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

# QEMU in record (or replay) mode until the guest powers off (QMP query-status), then its
# instruction count (query-replay); "-" when it did not power off within the limit. Its serial
# output goes to $QEMU_LOG; with $QEMU_TIMES set, its wall and CPU time go there as timed
# writes them.
qemu_icount() {
  local sock=$1; shift
  python3 - "$sock" "$limit" "$@" <<'PY'
import json, os, socket, subprocess, sys, time
sock, limit, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
if os.path.exists(sock):
    os.unlink(sock)
log = open(os.environ["QEMU_LOG"], "wb")
started = time.monotonic()
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
_, _, usage = os.wait4(proc.pid, 0)
if os.environ.get("QEMU_TIMES"):
    open(os.environ["QEMU_TIMES"], "w").write(
        f"wall {time.monotonic() - started:.1f} s, cpu {usage.ru_utime + usage.ru_stime:.1f} s")
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

# The two serial logs without the kernel's timestamps (they count virtual time, which differs
# as soon as the instruction counts do) and carriage returns: how many lines agree, and the
# lines that differ, as a diff (ours "<", QEMU's ">").
log_diff() {
  python3 - "$1" "$2" <<'PY'
import difflib, re, sys
def lines(p):
    text = open(p, "rb").read().decode(errors="replace").replace("\r", "")
    return [re.sub(r"^\[ *[0-9]+\.[0-9]+\] ", "", l) for l in text.splitlines()]
a, b = lines(sys.argv[1]), lines(sys.argv[2])
sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
same = sum(m.size for m in sm.get_matching_blocks())
print(f"    {same} of our {len(a)} lines and QEMU's {len(b)} are the same, in order, timestamps aside")
for tag, i1, i2, j1, j2 in sm.get_opcodes():
    if tag != "equal":
        for l in a[i1:i2]: print(f"    < {l}")
        for l in b[j1:j2]: print(f"    > {l}")
PY
}

last_lines() { tr -d '\r' <"$1" | grep -av '^$' | tail -n "${2:-8}" | sed 's/^/    | /'; }

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.1f} s')"; }

# Runs a command and writes its wall time and user+system CPU time (its own and its waited-for
# descendants') to FILE as "wall W s, cpu C s"; returns the command's exit status.
timed() {
  python3 - "$@" <<'PY'
import os, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
proc = subprocess.Popen(cmd)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.monotonic() - t0
open(out, "w").write(f"wall {wall:.1f} s, cpu {usage.ru_utime + usage.ru_stime:.1f} s")
sys.exit(os.waitstatus_to_exitcode(status) % 256)
PY
}

say() { echo "$*" | tee -a "$report"; }
