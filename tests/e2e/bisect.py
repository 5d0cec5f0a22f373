#!/usr/bin/env python3
"""rr-bisect --until on a recorded guest: a counter in guest memory that only grows (found by
its ELF symbol) crosses a threshold at some icount. The search from checkpoints (recorded every
--checkpoint-every instructions), with one job and with two, must find the same icount as
--linear, and rr-replay --seek must show the condition false one instruction before it and
true at it.

  bisect.py --rr-record R --rr-replay P --rr-bisect B --nm NM --elf G.elf --symbol S --size N
            --threshold T [--machine M] [--serial-in F] [--checkpoint-every N]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from e2e_common import fail


def run(cmd):
    return subprocess.run(cmd, capture_output=True, timeout=300)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for a in ("--rr-record", "--rr-replay", "--rr-bisect", "--nm", "--elf", "--symbol"):
        ap.add_argument(a, required=True)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--threshold", type=int, required=True)
    ap.add_argument("--machine", default="virt")
    ap.add_argument("--serial-in")
    ap.add_argument("--checkpoint-every", type=int, default=5000)
    args = ap.parse_args()

    symbols = run([args.nm, args.elf]).stdout.decode().split("\n")
    addr = next((int(line.split()[0], 16) for line in symbols if line.endswith(" " + args.symbol)), None)
    if addr is None:
        fail([f"no symbol {args.symbol} in {args.elf}"])
    cond = f"mem{args.size}[{addr:#x}] >= {args.threshold}"
    problems = []
    with tempfile.TemporaryDirectory(prefix="rr-e2e-bisect-") as tmp:
        rec = os.path.join(tmp, "run.rr")
        extra = ["--serial-in", args.serial_in] if args.serial_in else []
        run([args.rr_record, "-M", args.machine, "--kernel", args.elf, "-o", rec,
             "--checkpoint-every", str(args.checkpoint_every)] + extra)
        found = {}
        for mode in (["--jobs", "1"], ["--jobs", "2"], ["--linear"]):
            r = run([args.rr_bisect, rec, "--until", cond, "--json"] + mode)
            try:
                found[" ".join(mode)] = json.loads(r.stdout)
            except ValueError:
                fail([f"rr-bisect {mode}: exit {r.returncode}: {r.stderr.decode(errors='replace')}"])
            if r.returncode != 0:
                problems.append(f"rr-bisect {mode}: exit {r.returncode}, expected 0 (found)")
        first = found["--jobs 1"]["first_icount"]
        print(f"'{cond}' first holds at icount {first} (pc {found['--jobs 1']['pc']}); "
              f"{found['--jobs 1']['probes']} probes bisecting, {found['--linear']['probes']} linear")
        others = {m: found[m]["first_icount"] for m in ("--jobs 2", "--linear")}
        if first is None or any(v != first for v in others.values()):
            problems.append(f"bisect found {first}, {others}")
        else:
            for at, want in ((first - 1, 0), (first, 1)):
                r = run([args.rr_replay, rec, "--seek", str(at), "--print", cond, "--json"])
                got = json.loads(r.stdout)["values"][cond]
                if got != want:
                    problems.append(f"--seek {at}: '{cond}' is {got}, expected {want}")
        never = run([args.rr_bisect, rec, "--until", f"mem{args.size}[{addr:#x}] >= 0x7fffffff"])
        if never.returncode != 1:
            problems.append(f"a condition that never holds: exit {never.returncode}, expected 1")
    if problems:
        fail(problems)
    print("PASS")


if __name__ == "__main__":
    sys.exit(main())
