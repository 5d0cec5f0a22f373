#!/usr/bin/env python3
"""Drives a real gdb-multiarch in batch mode against gdb_fake_server and checks what gdb shows:
registers, memory, stepi and reverse-stepi, breakpoints and hardware breakpoints with continue
and reverse-continue, write and read watchpoints in both directions with gdb's old and new
values, the monitor commands, refused register and memory writes, both ends of the recording,
and detach. The expected values come from a model of the fake machine written here, not from
the server.

  gdb_e2e.py --gdb gdb-multiarch --server gdb_fake_server --arch aarch64|i386
"""

import argparse
import re
import subprocess
import sys
import time


class Machine:
    """The fake target's program (tests/support/fake_debug_target.h): a loop of five
    instructions; instruction 0 increments the counter register, 1 stores it to data+0,
    2 loads the input word (5) from data+4, 3 adds it to a sum, 4 branches back."""

    def __init__(self, arch):
        self.arch = arch
        if arch == "aarch64":
            self.code, self.data, self.stack = 0x40080000, 0x40090000, 0x400A0000
            self.offsets = [0, 4, 8, 12, 16]
            self.counter, self.pc_name, self.sp_name = "x0", "pc", "sp"
            self.flags = r"cpsr\s+0x3c5\s+\[ SP EL=1 F I A D \]"
        else:
            self.code, self.data, self.stack = 0x100000, 0x200000, 0x300000
            self.offsets = [0, 1, 3, 6, 8]
            self.counter, self.pc_name, self.sp_name = "eax", "eip", "esp"
            self.flags = r"eflags\s+0x46\s+\[ PF ZF \]"

    def pc(self, icount):
        return self.code + self.offsets[icount % 5]

    @staticmethod
    def counter_register(icount):
        return (icount + 4) // 5  # times instruction 0 ran before icount

    @staticmethod
    def stored(icount):
        return (icount + 3) // 5  # times instruction 1 ran before icount


def printed_values(text):
    """The values gdb printed with `p`, in order."""
    return [int(v, 0) for v in re.findall(r"^\$\d+ = (0x[0-9a-f]+|\d+)$", text, re.M)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gdb", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--arch", required=True, choices=["aarch64", "i386"])
    args = ap.parse_args()
    m = Machine(args.arch)
    length = 300

    # (name, gdb commands, checks): a check is a regex that must match the step's output, or a
    # function of the output that returns a problem or None.
    def pcs(*icounts):
        def check(out):
            got = printed_values(out)
            want = [m.pc(i) for i in icounts]
            return None if got == want else f"pc values {[hex(v) for v in got]}, expected {[hex(v) for v in want]}"
        return check

    def values(*want):
        def check(out):
            got = printed_values(out)
            return None if got == list(want) else f"values {got}, expected {list(want)}"
        return check

    def watch(old, new, pc):
        return [rf"Old value = {old}\s+New value = {new}\s+0x0*{m.pc(pc):x} in \?\? \(\)"]

    steps = [
        ("info registers", ["info registers"],
         [rf"^{m.pc_name}\s+0x{m.code:x}\s", rf"^{m.sp_name}\s+0x{m.stack:x}\s", m.flags,
          rf"^{m.counter}\s+0x0\s"]),
        ("x/4x of the data", [f"x/4xw 0x{m.data:x}"],
         [r":\s+0x00000000\s+0x00000005\s+0x00000000\s+0x00000000"]),
        ("stepi", ["stepi", "stepi", "stepi", "p/x $pc", "x/i $pc"], [pcs(3), r"=> 0x[0-9a-f]+:\s+add"]),
        ("reverse-stepi", ["reverse-stepi", "p/x $pc", "monitor replay_info"],
         [pcs(2), r"^icount 2, recording 0 to 300 \(0\.6% through\)$",
          r"^nearest checkpoints: 0 at or before, 100 after \(4 in all\)$"]),
        ("break, continue, reverse-continue",
         [f"break *0x{m.pc(3):x}", "continue", "p/x $pc", "continue", f"p ${m.counter}", "reverse-continue",
          f"p ${m.counter}", "p/x $pc", "delete"],
         [r"Breakpoint 1, 0x", lambda out: values(m.pc(3), Machine.counter_register(8),
                                                   Machine.counter_register(3), m.pc(3))(out)]),
        ("watch, continue, reverse-continue",
         [f"watch *(int*)0x{m.data:x}", "continue", "reverse-continue", "reverse-continue", "delete"],
         [r"Hardware watchpoint 2: ",
          re.compile("".join(watch(Machine.stored(3), Machine.stored(7), 7) + [r"[\s\S]*"] +
                             watch(Machine.stored(7), Machine.stored(6), 6) + [r"[\s\S]*"] +
                             watch(Machine.stored(6), Machine.stored(1), 1)))]),
        ("rwatch", [f"rwatch *(int*)0x{m.data + 4:x}", "continue", "p/x $pc", "delete"],
         [r"Hardware read watchpoint 3: ", r"Value = 5", pcs(3)]),
        ("hbreak", [f"hbreak *0x{m.pc(4):x}", "continue", "p/x $pc", "delete"],
         [r"Hardware assisted breakpoint 4 at", pcs(4)]),
        ("icount breakpoint", ["monitor replay_break 150", "continue", "monitor replay_info",
                               "monitor replay_delete_break"],
         [r"^icount breakpoint at 150$", r"rr-emu: icount breakpoint, stopped at icount 150",
          r"^icount 150, recording 0 to 300", r"^icount breakpoints: 150$", r"^last stop: icount breakpoint$",
          r"^deleted 1 icount breakpoints$"]),
        ("checkpoints", ["monitor checkpoints"],
         [r"^4 checkpoints \(icounts\):\n  0\n  100  <- nearest at or before icount 150\n  200\n  300$"]),
        ("refused writes", [f"set var ${m.counter} = 5", f"set var *(int*)0x{m.data:x} = 7", f"p ${m.counter}",
                            f"p *(int*)0x{m.data:x}"],
         [rf'Could not write register "{m.counter}"; remote failure reply \'E\.rr-emu: registers are read-only',
          rf"Cannot access memory at address 0x{m.data:x}",
          values(Machine.counter_register(150), Machine.stored(150))]),
        ("end of the recording", ["continue", "monitor replay_info", "p/x $pc"],
         [r"No more reverse-execution history\.", rf"^icount {length}, recording 0 to {length} \(100\.0% through\)$",
          pcs(length)]),
        ("beginning of the recording", ["reverse-continue", "monitor replay_info", "p/x $pc"],
         [r"No more reverse-execution history\.", r"^icount 0, recording", pcs(0)]),
        ("replay_seek", ["monitor replay_seek 42", "maint flush register-cache", "p/x $pc", "monitor replay_seek 301"],
         [rf"^at icount 42, pc 0x{m.pc(42):x}$", pcs(42), r"past the end of the recording"]),
        ("detach", ["detach"], [r"\[Inferior 1 \(Remote target\) detached\]"]),
    ]

    server = subprocess.Popen([args.server, "--arch", args.arch, "--length", str(length)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()
        found = re.match(r"listening on (127\.0\.0\.1:\d+)$", line.strip())
        if not found:
            print(f"FAIL: the server did not say where it listens: {line!r}")
            return 1
        cmd = [args.gdb, "-batch", "-nx", "-ex", f"set architecture {args.arch}", "-ex",
               f"target remote {found.group(1)}"]
        for i, (_, commands, _) in enumerate(steps):
            cmd += ["-ex", f"echo @@step {i}@@\\n"]
            for c in commands:
                cmd += ["-ex", c]
        started = time.monotonic()
        try:
            gdb = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        except subprocess.TimeoutExpired as e:
            # A stop gdb does not accept (a watchpoint on the wrong side of its access) makes it
            # resume and stop in the same place for ever.
            print("FAIL: gdb did not finish within 60 s\n---- gdb output (last 3000 bytes) ----")
            print((e.output or b"")[-3000:].decode(errors="replace"))
            return 1
        elapsed = time.monotonic() - started
        server_out = server.communicate(timeout=30)[0]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    parts = re.split(r"^@@step (\d+)@@$", gdb.stdout, flags=re.M)
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
    if not re.search(r"^session ended: detached at icount 42$", server_out, re.M):
        problems.append(f"server: expected 'session ended: detached at icount 42', got {server_out!r}")
    if gdb.returncode != 0:
        problems.append(f"gdb exited with status {gdb.returncode}")

    if problems:
        print("\n".join(f"FAIL: {p}" for p in problems))
        print("---- gdb output ----\n" + gdb.stdout + "---- server output ----\n" + server_out)
        return 1
    print(f"ok: {len(steps)} steps on {args.arch} in {elapsed:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
