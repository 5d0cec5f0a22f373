#!/usr/bin/env python3
"""Reverse debugging on the shared compute guest (../shared/bench) with gdb-multiarch against
`rr-replay --gdb`: reverse-continue in the middle of the run (reached by continue and by
`monitor replay_seek`) to breakpoints and to write, read and access watchpoints, reverse-stepi
at the end, and the replay's speed under gdb without and
with 16 breakpoints on the hot code page. Each figure is the time gdb waits for one command
(measured inside gdb with its Python); nothing is asserted, the figures are for the notes.

  bench/gdb_reverse.py [--arch aarch64|i386] [--scale 200] [--build-dir build]
                       [--shared-bench ../shared/bench] [--work DIR] [--only SESSION ...]

SCALE=200 is about 2 * 10^9 instructions. The recording uses rr-record's defaults (a state hash
every 10^7 instructions, a checkpoint every 10^8).
"""

import argparse
import os
import re
import select
import subprocess
import sys
import tempfile
import time

# Functions of the workload (common/workload.c): quicksort is called many times per round,
# matmul once per round, workload_run once at the start.
HOT_FUNCTIONS = ["quicksort", "matmul"]
# Variables of the workload to watch: rng_state is read and written every few instructions,
# mc[0][0] written once per round (and read by the checksum).
WATCHED = ["rng_state", "mc[0][0]"]
# Functions on the hot code page that the guest never calls: 16 breakpoints there must not slow
# the replay (blocks are cut only at breakpoints).
UNUSED_FUNCTIONS = ["plat_getc", "plat_timer_name", "plat_timer_read", "memmove", "memcmp"]


def instruction_addresses(objdump, elf, functions, count):
    """The first `count` instruction addresses of `functions`, taken in turn."""
    out = subprocess.run([objdump, "-d", elf], stdout=subprocess.PIPE, text=True, check=True).stdout
    per_function = {}
    current = None
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+) <([^>]+)>:$", line)
        if m:
            current = m.group(2)
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s", line)
        if m and current in functions:
            per_function.setdefault(current, []).append(int(m.group(1), 16))
    addresses = []
    while len(addresses) < count and any(per_function.values()):
        for f in functions:
            if per_function.get(f) and len(addresses) < count:
                addresses.append(per_function[f].pop(0))
    return addresses


def start_replay(rr_replay, recording, extra=()):
    proc = subprocess.Popen([rr_replay, recording, "--gdb", "0", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    line = b""
    deadline = time.monotonic() + 300
    while not line.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 1.0)
        c = os.read(proc.stderr.fileno(), 1) if ready else b""
        if ready and not c:
            break
        line += c
    m = re.search(rb"waiting for gdb on (\S+) ", line)
    if not m:
        proc.kill()
        sys.exit(f"rr-replay did not start: {line!r}")
    return proc, m.group(1).decode()


def timed(label, command):
    return ["python t0 = time.time()", command,
            f"python print('@@time {label} %.3f' % (time.time() - t0))"]


def session(gdb, arch, elf, rr_replay, recording, commands, extra=()):
    replay, address = start_replay(rr_replay, recording, extra)
    cmd = [gdb, "-batch", "-nx", "-ex", f"set architecture {arch}", "-ex", f"file {elf}",
           "-ex", "python import time", "-ex", f"target remote {address}"]
    for c in commands + ["detach"]:
        cmd += ["-ex", c]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    verdict = replay.stdout.read().decode()
    cpu = cpu_seconds(replay)
    times = [(m.group(1), float(m.group(2))) for m in re.finditer(r"^@@time (\S+) ([\d.]+)$", out, re.M)]
    stops = re.findall(r"^icount (\d+), recording", out, re.M)
    return times, stops, out, verdict, cpu


def cpu_seconds(proc):
    """The CPU time (user + system) a finished child used: wall times on a loaded machine say
    little about the replay itself."""
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return usage.ru_utime + usage.ru_stime


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="aarch64", choices=["aarch64", "i386"])
    ap.add_argument("--scale", type=int, default=200)
    ap.add_argument("--build-dir", default=os.path.join(repo, "build"))
    ap.add_argument("--shared-bench", default=os.path.join(repo, "..", "shared", "bench"))
    ap.add_argument("--gdb", default="gdb-multiarch")
    ap.add_argument("--work", help="keep the guest and recording here (else a temporary folder)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print gdb's output")
    ap.add_argument("--only", nargs="+", help="run only these sessions (speed, speed-16-breakpoints, "
                    "middle-after-continue, middle-after-seek, end-after-continue, end-after-seek)")
    args = ap.parse_args()
    machine = "virt" if args.arch == "aarch64" else "pc"
    objdump = "aarch64-linux-gnu-objdump" if args.arch == "aarch64" else "objdump"
    tools = os.path.join(args.build_dir, "tools")
    rr_record = os.path.join(tools, "rr-record", "rr-record")
    rr_replay = os.path.join(tools, "rr-replay", "rr-replay")

    work = args.work or tempfile.mkdtemp(prefix="gdb_reverse_")
    os.makedirs(work, exist_ok=True)
    elf = os.path.join(work, args.arch, "compute.elf")
    if not os.path.exists(elf):
        subprocess.run(["make", "-s", "-C", os.path.join(args.shared_bench, args.arch),
                        f"BUILD={os.path.dirname(elf)}", f"SCALE={args.scale}"], check=True)
    recording = os.path.join(work, f"{args.arch}.rr")
    if not os.path.exists(recording):
        # The guest's exit status passes through (isa-debug-exit makes the i386 guest's 1).
        status = subprocess.run([rr_record, "-M", machine, "--kernel", elf, "-o", recording, "--serial-out",
                                 os.devnull], stderr=subprocess.DEVNULL).returncode
        if status >= 64:
            sys.exit(f"rr-record failed with status {status}")

    t0 = time.monotonic()
    plain = subprocess.Popen([rr_replay, recording], stdout=subprocess.PIPE, text=True)
    plain_out = plain.stdout.read()
    plain_cpu = cpu_seconds(plain)
    plain_seconds = time.monotonic() - t0
    end = int(re.search(r"replay ok: (\d+) instructions", plain_out).group(1))
    middle = end // 2
    print(f"{args.arch}: {end} instructions; plain rr-replay {plain_seconds:.2f} s wall, {plain_cpu:.2f} s CPU "
          f"({end / plain_cpu / 1e6:.0f} MIPS of CPU time)")

    results = []

    def run(name, commands, extra=()):
        if args.only and name not in args.only:
            return
        times, stops, out, verdict, cpu = session(args.gdb, args.arch, elf, rr_replay, recording, commands, extra)
        if args.verbose:
            print(out, verdict)
        results.append((name, times, stops))
        for label, seconds in times:
            print(f"  {name}: {label} {seconds:.3f} s")
        print(f"  {name}: rr-replay used {cpu:.2f} s CPU in all")
        if stops:
            print(f"  {name}: replay_info icounts {stops}")

    # Speed: continue from 0 to the end, without and with 16 breakpoints that are never hit.
    run("speed", timed("continue-to-end", "continue") + ["monitor replay_info"])
    unused = instruction_addresses(objdump, elf, UNUSED_FUNCTIONS, 16)
    run("speed-16-breakpoints", [f"break *{a:#x}" for a in unused] +
        timed("continue-to-end", "continue") + ["monitor replay_info"])

    # Reverse-continue in the middle, reached by continue (snapshots on the way).
    cmds = [f"monitor replay_break {middle}"] + timed("continue-to-middle", "continue") + \
        ["monitor replay_delete_break"]
    for f in HOT_FUNCTIONS:
        cmds += [f"break {f}"] + timed(f"reverse-continue-{f}", "reverse-continue") + ["monitor replay_info"]
        cmds += timed(f"reverse-continue-{f}-again", "reverse-continue") + ["monitor replay_info", "delete"]
        cmds += [f"monitor replay_seek {middle}", "maint flush register-cache"]
    # Watchpoints: write (by value), read and access (reported by the CPU).
    for variable in WATCHED:
        label = re.sub(r"\W", "", variable)
        for kind in ["watch", "rwatch", "awatch"]:
            cmds += [f"{kind} {variable}"] + timed(f"reverse-continue-{kind}-{label}", "reverse-continue") + \
                ["monitor replay_info", "delete", f"monitor replay_seek {middle}", "maint flush register-cache"]
    cmds += ["break workload_run"] + timed("reverse-continue-workload_run", "reverse-continue") + \
        ["monitor replay_info", "delete"]
    run("middle-after-continue", cmds)

    # The same after `monitor replay_seek` to the middle, with no snapshot near.
    cmds = timed("replay_seek-middle", f"monitor replay_seek {middle}") + ["maint flush register-cache"]
    cmds += [f"break {HOT_FUNCTIONS[0]}"] + timed(f"reverse-continue-{HOT_FUNCTIONS[0]}", "reverse-continue") + \
        ["monitor replay_info", "delete"]
    cmds += [f"monitor replay_seek {middle}", "maint flush register-cache"]
    for i in range(3):
        cmds += timed(f"reverse-stepi-{i + 1}", "reverse-stepi")
    run("middle-after-seek", cmds)

    # reverse-stepi at the end, reached by continue; then after a seek to the end.
    cmds = timed("continue-to-end", "continue")
    for i in range(5):
        cmds += timed(f"reverse-stepi-{i + 1}", "reverse-stepi")
    cmds += ["monitor replay_info"]
    run("end-after-continue", cmds)
    cmds = timed("replay_seek-end", f"monitor replay_seek {end}") + ["maint flush register-cache"]
    for i in range(3):
        cmds += timed(f"reverse-stepi-{i + 1}", "reverse-stepi")
    cmds += ["monitor replay_info"]
    run("end-after-seek", cmds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
