#!/usr/bin/env python3
"""Checks rr-replay --seek N --print against independent references: for several N, the
registers that rr-replay prints at icount N must equal those in the final state (GuestExit) of a
recording of the same guest and input stopped by rr-record --max-insns N, and seeking must
agree however far apart the seek points are.

  seek.py --rr-record R --rr-replay P --rr-inspect I --elf G.elf [--machine M] [--serial-in F]
          --register NAME... --at N...
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from e2e_common import fail


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, timeout=300, **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for a in ("--rr-record", "--rr-replay", "--rr-inspect", "--elf"):
        ap.add_argument(a, required=True)
    ap.add_argument("--machine", default="virt")
    ap.add_argument("--serial-in")
    ap.add_argument("--register", action="append", required=True)
    ap.add_argument("--at", type=int, action="append", required=True)
    args = ap.parse_args()

    extra = ["--serial-in", args.serial_in] if args.serial_in else []
    problems = []
    with tempfile.TemporaryDirectory(prefix="rr-e2e-seek-") as tmp:
        full = os.path.join(tmp, "full.rr")
        r = run([args.rr_record, "-M", args.machine, "--kernel", args.elf, "-o", full] + extra)
        if not os.path.exists(full):
            fail([f"rr-record failed: {r.stderr.decode(errors='replace')}"])
        for n in args.at:
            cut = os.path.join(tmp, f"cut{n}.rr")
            run([args.rr_record, "-M", args.machine, "--kernel", args.elf, "-o", cut, "--max-insns", str(n)] + extra)
            events = run([args.rr_inspect, cut, "--events", "--json", "--kind", "GuestExit"]).stdout.decode()
            last = json.loads(events.strip().splitlines()[-1])
            if last["icount"] != n:
                problems.append(f"--max-insns {n}: the recording ends at icount {last['icount']}")
                continue
            # The register order of a state hash is the machine's register list; find the
            # names through a seek that prints every register.
            cmd = [args.rr_replay, full, "--seek", str(n), "--json"]
            for name in args.register:
                cmd += ["--print", name]
            got = run(cmd)
            try:
                values = json.loads(got.stdout)["values"]
            except (ValueError, KeyError):
                problems.append(f"--seek {n}: no JSON ({got.returncode}): {got.stderr.decode(errors='replace')}")
                continue
            want = [int(v, 16) for v in last["state"]["registers"]]
            index = {name: i for i, name in enumerate(register_names(args))}
            for name in args.register:
                if values[name] != want[index[name]]:
                    problems.append(f"--seek {n}: {name} = {values[name]:#x}, the cut recording has "
                                    f"{want[index[name]]:#x}")
            print(f"--seek {n}: " + ", ".join(f"{k}={v:#x}" for k, v in values.items()) + " as recorded")
    if problems:
        fail(problems)
    print("PASS")


def register_names(args):
    if args.machine == "pc":
        return ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags",
                "cs", "ss", "ds", "es", "fs", "gs", "cr0", "cr2", "cr3", "cr4"]
    return [f"x{i}" for i in range(31)] + ["sp", "pc", "pstate", "nzcv", "sp_el0", "elr_el1", "spsr_el1",
                                            "esr_el1", "far_el1", "vbar_el1", "sctlr_el1", "tpidr_el0",
                                            "tpidr_el1"]


if __name__ == "__main__":
    sys.exit(main())
