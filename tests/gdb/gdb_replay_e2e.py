#!/usr/bin/env python3
"""Drives a real gdb-multiarch in batch mode against `rr-replay --gdb` on a recording of the
gdb_walk guest (guests/*/gdb_walk): stepi and reverse-stepi, a breakpoint on a function found by
the ELF's symbols with continue and reverse-continue, a write watchpoint forward and backward
with gdb's old and new values, read and access watchpoints forward and backward, reverse-finish,
a hardware breakpoint with finish and reverse-next, refused register and memory writes (with the
reason for the memory write on gdb's console), the monitor commands, both ends of the recording, and detach with rr-replay's verdict; then sessions started with --seek and
detached or killed in the middle. The values gdb must show come from a model of the guest
written here (its `total` after each round), not from rr-replay.

  gdb_replay_e2e.py --gdb gdb-multiarch --rr-record rr-record --rr-replay rr-replay \\
                    --elf gdb_walk.elf --machine virt|pc
"""

import argparse
import os
import re
import select
import subprocess
import sys
import tempfile
import time

MASK = 0xFFFFFFFF


def mix(x, i):
    x ^= (x << 13) & MASK
    x ^= x >> 17
    x ^= (x << 5) & MASK
    return (x + i) & MASK


def totals(rounds):
    """`total` before round 0 (index 0) and after each round (index r + 1)."""
    out = [1]
    for r in range(rounds):
        t = out[-1]
        for k in range(8):
            t = mix(t, r + k)
        out.append(t)
    return out


def printed_values(text):
    """The values gdb printed with `p`, in order."""
    return [int(v, 0) for v in re.findall(r"^\$\d+ = (0x[0-9a-f]+|\d+)$", text, re.M)]


def icounts(text):
    """The icounts `monitor replay_info` showed, in order."""
    return [int(v) for v in re.findall(r"^icount (\d+), recording", text, re.M)]


def start_replay(rr_replay, recording, extra):
    """Starts rr-replay --gdb 0 and returns it with the address it listens on."""
    proc = subprocess.Popen([rr_replay, recording, "--gdb", "0", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    # Unbuffered reads, so that select() sees what is still to come.
    deadline = time.monotonic() + 30
    line = b""
    while time.monotonic() < deadline and not line.endswith(b"\n"):
        ready, _, _ = select.select([proc.stderr], [], [], max(0.0, deadline - time.monotonic()))
        c = os.read(proc.stderr.fileno(), 1) if ready else b""
        if not c:
            break
        line += c
    line = line.decode(errors="replace")
    found = re.match(r"rr-replay: waiting for gdb on (127\.0\.0\.1:\d+) \(target remote 127\.0\.0\.1:\d+\)$",
                     line.strip())
    if not found:
        proc.kill()
        raise RuntimeError(f"rr-replay did not say where it listens: {line!r}")
    return proc, found.group(1)


def run_gdb(gdb, arch, elf, address, steps):
    cmd = [gdb, "-batch", "-nx", "-ex", f"set architecture {arch}", "-ex", f"file {elf}",
           "-ex", f"target remote {address}"]
    for i, (_, commands, _) in enumerate(steps):
        cmd += ["-ex", f"echo @@step {i}@@\\n"]
        for c in commands:
            cmd += ["-ex", c]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)


def check_steps(steps, output):
    parts = re.split(r"^@@step (\d+)@@$", output, flags=re.M)
    outputs = {int(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    problems = []
    for i, (name, _, checks) in enumerate(steps):
        out = outputs.get(i)
        if out is None:
            problems.append(f"{name}: no output (gdb stopped early?)")
            continue
        for check in checks:
            if callable(check):
                why = check(out)
                if why:
                    problems.append(f"{name}: {why}")
            else:
                pattern = check if isinstance(check, re.Pattern) else re.compile(check, re.M)
                if not pattern.search(out):
                    problems.append(f"{name}: no match for {pattern.pattern!r}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gdb", required=True)
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--rr-replay", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--machine", required=True, choices=["virt", "pc"])
    args = ap.parse_args()
    arch = "aarch64" if args.machine == "virt" else "i386"
    call = "bl" if arch == "aarch64" else "call"
    t = totals(200)

    with tempfile.TemporaryDirectory() as tmp:
        recording = os.path.join(tmp, "walk.rr")
        rec = subprocess.run([args.rr_record, "-M", args.machine, "--kernel", args.elf, "-o", recording,
                              "--hash-every", "5000", "--checkpoint-every", "8000"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        if not os.path.exists(recording):
            print(f"FAIL: rr-record made no recording:\n{rec.stdout}")
            return 1

        def stepped_back(out):
            v = printed_values(out)
            forward, backward = v[:7], v[7:]
            if len(forward) != 7 or len(set(forward)) < 2:
                return f"stepi printed {[hex(x) for x in forward]}"
            if backward != list(reversed(forward[:-1])):
                return f"reverse-stepi gave {[hex(x) for x in backward]}, expected {[hex(x) for x in reversed(forward[:-1])]}"
            return None

        def breakpoint_hits(out):
            v, ic = printed_values(out), icounts(out)
            if v != [t[0], t[1], t[2], t[1]]:
                return f"total at the stops {[hex(x) for x in v]}, expected {[hex(x) for x in (t[0], t[1], t[2], t[1])]}"
            if len(ic) != 4 or ic[3] != ic[1] or not ic[0] < ic[1] < ic[2]:
                return f"icounts at the stops {ic}: reverse-continue must land on the second hit"
            return None

        def watch(old, new):
            return rf"Hardware watchpoint 2: total\s+Old value = {old}\s+New value = {new}\s"

        def stepped_over(out):
            # total at: the hbreak hit in step(R), its finish, the next hit, its finish, and back
            # over that call with reverse-next.
            v = printed_values(out)
            r = t.index(v[0]) if v and v[0] in t else None
            want = None if r is None or r + 2 >= len(t) else [t[r], t[r + 1], t[r + 1], t[r + 2], t[r + 1]]
            if v != want:
                return f"total at the stops {[hex(x) for x in v]}, expected {want and [hex(x) for x in want]}"
            return None

        def at_accesses(values):
            """Three continues and two reverse-continues from icount 0: `total` at each stop, and
            the icounts."""
            def check(out):
                v, ic = printed_values(out), icounts(out)
                if v != values:
                    return f"total at the stops {[hex(x) for x in v]}, expected {[hex(x) for x in values]}"
                # Forward, gdb is left just past the accessing instruction; backward, just
                # before it (past it in the direction of travel): the first reverse-continue
                # crosses the third access again, the second lands on the one before.
                if len(ic) != 6 or ic[0] != 0 or not 0 < ic[1] < ic[2] < ic[3] or ic[4:] != [ic[3] - 1, ic[2] - 1]:
                    return f"icounts at the stops {ic}: reverse-continue must land on the accesses before"
                return None
            return check

        def seeks(out):
            m = re.search(r"^at icount 1000, pc (0x[0-9a-f]+)$", out, re.M)
            v = printed_values(out)
            if not m or not v or v[0] != int(m.group(1), 16):
                return f"replay_seek's pc {m.group(1) if m else None} and gdb's {v[:1]} differ"
            if icounts(out) != [1000, 5000, 3000]:
                return f"replay_info icounts {icounts(out)}, expected [1000, 5000, 3000]"
            return None

        steps = [
            ("stepi and reverse-stepi",
             ["p/x $pc"] + ["stepi", "p/x $pc"] * 6 + ["reverse-stepi", "p/x $pc"] * 6 + ["monitor replay_info"],
             [stepped_back, r"^icount 0, recording 0 to \d+"]),
            ("break at a function, continue x3, reverse-continue",
             ["break step"] + ["continue", "p/x total", "monitor replay_info"] * 3 +
             ["reverse-continue", "p/x total", "monitor replay_info", "delete"],
             [r"Breakpoint 1 at 0x[0-9a-f]+: file .*gdb_walk\.c", r"Breakpoint 1, (0x[0-9a-f]+ in )?step \(",
              breakpoint_hits]),
            ("write watchpoint forward and backward",
             ["watch total", "continue", "continue", "reverse-continue", "reverse-continue", "p/x total", "delete"],
             [re.compile(watch(t[1], t[2]) + r"[\s\S]*" + watch(t[2], t[3]) + r"[\s\S]*" + watch(t[3], t[2]) +
                         r"[\s\S]*" + watch(t[2], t[1])),
              lambda out: None if printed_values(out) == [t[1]] else f"total {printed_values(out)} after going back"]),
            ("reverse-finish",
             ["break mix", "continue", "delete", "reverse-finish", "info symbol $pc", "x/i $pc"],
             [r"Breakpoint \d+, (0x[0-9a-f]+ in )?mix \(",
              r"^step \+ \d+ in section \.text$", rf"=> 0x[0-9a-f]+ <step\+\d+>:\s+{call}\s"]),
            ("hardware breakpoint, finish and reverse-next over a call",
             ["hbreak step", "continue", "p/x total", "delete", "finish", "p/x total", "hbreak step", "continue",
              "p/x total", "delete", "finish", "p/x total", "reverse-next", "p/x total", "info symbol $pc"],
             [r"Hardware assisted breakpoint \d+ at 0x[0-9a-f]+: file .*gdb_walk\.c",
              r"Breakpoint \d+, (0x[0-9a-f]+ in )?step \(", r"^guest_main \(\) at .*gdb_walk\.c:\d+$", stepped_over,
              r"^guest_main \+ \d+ in section \.text$"]),
            ("writes are refused",
             ["p/x total", "set var total = 5", "set var $sp = 0", "p/x total", "monitor replay_info"],
             [r"Cannot access memory at address 0x[0-9a-f]+",
              r"^rr-emu: the write to memory at 0x[0-9a-f]+ was refused: memory is read-only, a replay cannot "
              r"change what was recorded$",
              r'Could not write register "\w+"; remote failure reply \'E\.rr-emu: registers are read-only',
              lambda out: None if len(set(printed_values(out))) == 1 else f"total changed: {printed_values(out)}"]),
            # `total` is read at the start of step(), written at its end, and read again by the
            # print in guest_main after round 0.
            ("read watchpoint forward and backward",
             ["monitor replay_seek 0", "maint flush register-cache", "monitor replay_info", "rwatch total"] +
             ["continue", "p/x total", "monitor replay_info"] * 3 +
             ["reverse-continue", "p/x total", "monitor replay_info"] * 2 + ["delete"],
             [r"Hardware read watchpoint \d+: total", re.compile(
                 r"Hardware read watchpoint \d+: total\s+Value = 1\s[\s\S]*" +
                 rf"Hardware read watchpoint \d+: total\s+Value = {t[1]}\s[\s\S]*" +
                 rf"Hardware read watchpoint \d+: total\s+Value = {t[1]}\s[\s\S]*" +
                 rf"Hardware read watchpoint \d+: total\s+Value = {t[1]}\s"),
              at_accesses([t[0], t[1], t[1], t[1], t[1]])]),
            ("access watchpoint forward and backward",
             ["monitor replay_seek 0", "maint flush register-cache", "monitor replay_info", "awatch total"] +
             ["continue", "p/x total", "monitor replay_info"] * 3 +
             ["reverse-continue", "p/x total", "monitor replay_info"] * 2 + ["delete"],
             [re.compile(r"Hardware access \(read/write\) watchpoint \d+: total\s+Value = 1\s[\s\S]*" +
                         rf"Hardware access \(read/write\) watchpoint \d+: total\s+Old value = 1\s+New value = {t[1]}\s"
                         rf"[\s\S]*Hardware access \(read/write\) watchpoint \d+: total\s+Value = {t[1]}\s"),
              # Back before the write, where total is as it was.
              at_accesses([t[0], t[1], t[1], t[1], t[0]])]),
            ("monitor replay_seek, replay_break, replay_info",
             ["monitor replay_seek 1000", "maint flush register-cache", "p/x $pc", "monitor replay_info",
              "monitor replay_break 5000", "continue", "monitor replay_info", "monitor replay_break 3000",
              "reverse-continue", "monitor replay_info", "monitor replay_delete_break", "monitor checkpoints"],
             [seeks, r"rr-emu: icount breakpoint, stopped at icount 5000",
              r"rr-emu: icount breakpoint, stopped at icount 3000", r"^deleted 2 icount breakpoints$",
              r"^\d+ checkpoints \(icounts\):\n  0(  <- [^\n]*)?\n  8000"]),
            ("the start of the recording", ["monitor replay_seek 3000", "maint flush register-cache",
                                            "reverse-continue", "monitor replay_info"],
             [r"No more reverse-execution history\.", r"^icount 0, recording 0 to \d+"]),
            ("end of the recording", ["continue", "monitor replay_info"],
             [r"No more reverse-execution history\.", r"^icount (\d+), recording 0 to \1 \(100\.0% through\)$"]),
            ("detach", ["detach"], [r"\[Inferior 1 \(Remote target\) detached\]"]),
        ]
        replay, address = start_replay(args.rr_replay, recording, [])
        try:
            started = time.monotonic()
            gdb = run_gdb(args.gdb, arch, args.elf, address, steps)
            elapsed = time.monotonic() - started
            verdict, replay_err = (b.decode(errors="replace") for b in replay.communicate(timeout=60))
        finally:
            if replay.poll() is None:
                replay.kill()
                replay.wait()
        problems = check_steps(steps, gdb.stdout)
        end = re.search(r"^icount (\d+), recording 0 to \1 ", gdb.stdout, re.M)
        want = (rf"^replay ok: {end.group(1) if end else '?'} instructions, (poweroff|exit \(code 1\)), as recorded; "
                rf"\d+ state hashes and \d+ events matched\n  gdb detached at icount {end.group(1) if end else '?'}$")
        if not re.search(want, verdict, re.M):
            problems.append(f"verdict {verdict!r} does not match {want!r}")
        if replay.returncode != 0:
            problems.append(f"rr-replay exited with {replay.returncode}")

        # A second session: --seek first, detached in the middle.
        second = [("where --seek put it", ["monitor replay_info", "stepi", "detach"], [r"^icount 700, recording"])]
        replay, address = start_replay(args.rr_replay, recording, ["--seek", "700"])
        try:
            gdb2 = run_gdb(args.gdb, arch, args.elf, address, second)
            verdict2 = replay.communicate(timeout=60)[0].decode(errors="replace")
        finally:
            if replay.poll() is None:
                replay.kill()
                replay.wait()
        problems += check_steps(second, gdb2.stdout)
        want2 = (r"^replay ok up to icount 701 of \d+: the session ended before the replay reached the end of the "
                 r"recording; \d+ state hashes matched on the way\n  gdb detached at icount 701$")
        if not re.search(want2, verdict2, re.M):
            problems.append(f"second verdict {verdict2!r} does not match {want2!r}")
        if replay.returncode != 0:
            problems.append(f"second rr-replay exited with {replay.returncode}")

        # A third: killed in the middle.
        third = [("kill", ["monitor replay_info", "kill"], [r"^icount 700, recording", r"\[Inferior 1 \(.*\) killed\]"])]
        replay, address = start_replay(args.rr_replay, recording, ["--seek", "700"])
        try:
            gdb3 = run_gdb(args.gdb, arch, args.elf, address, third)
            verdict3 = replay.communicate(timeout=60)[0].decode(errors="replace")
        finally:
            if replay.poll() is None:
                replay.kill()
                replay.wait()
        problems += check_steps(third, gdb3.stdout)
        want3 = (r"^replay ok up to icount 700 of \d+: the session ended before the replay reached the end of the "
                 r"recording; \d+ state hashes matched on the way\n  gdb killed the session at icount 700$")
        if not re.search(want3, verdict3, re.M):
            problems.append(f"third verdict {verdict3!r} does not match {want3!r}")
        if replay.returncode != 0:
            problems.append(f"third rr-replay exited with {replay.returncode}")

        # Only loopback without --gdb-allow-remote.
        remote = subprocess.run([args.rr_replay, recording, "--gdb", "0.0.0.0:0"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=60)
        if remote.returncode != 64:
            problems.append(f"--gdb 0.0.0.0:0 without --gdb-allow-remote exited {remote.returncode}: {remote.stdout!r}")

    if problems:
        print("\n".join(f"FAIL: {p}" for p in problems))
        print("---- gdb output ----\n" + gdb.stdout + "---- rr-replay ----\n" + verdict + replay_err)
        print("---- second gdb output ----\n" + gdb2.stdout + "---- rr-replay ----\n" + verdict2)
        print("---- third gdb output ----\n" + gdb3.stdout + "---- rr-replay ----\n" + verdict3)
        return 1
    print(f"ok: {len(steps)} steps on {arch} in {elapsed:.1f}s, and sessions after --seek detached and killed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
