#!/usr/bin/env python3
"""rr-bisect's proofs, end to end with the tools:

1. The ledger guest (guests/aarch64/corrupt) corrupts its canary on one input line only. Recorded
   with that line in two places, rr-bisect --until finds a different icount for each, the same
   with --linear and with --jobs 2; rr-replay --seek shows the condition false one instruction
   before and true there, and the instruction that ran last is the guest's store. With an input
   that never corrupts it, rr-bisect exits 1.
2. variant_a and variant_b differ in one instruction. rr-bisect --against finds the icount right
   after it runs, known independently from --linear --until 'pc == variant_insn'; a recording
   against itself never differs.
3. rr-bisect --divergence on an unaltered recording finds nothing (exit 1).

  bisect_proof.py --rr-record R --rr-replay P --rr-bisect B --nm NM --guests DIR --inputs DIR
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

from e2e_common import fail

CANARY = 0x600DC0DE


def run(cmd):
    return subprocess.run(cmd, capture_output=True, timeout=300)


def bisect_json(args, *extra):
    r = run([args.rr_bisect, *map(str, extra), "--json"])
    try:
        return r.returncode, json.loads(r.stdout)
    except ValueError:
        fail([f"rr-bisect {' '.join(map(str, extra))}: exit {r.returncode}: {r.stderr.decode(errors='replace')}"])


def record(args, elf, out, *extra):
    r = run([args.rr_record, "--kernel", elf, "-o", out, "--clock-base", "1700000000", *extra])
    if r.returncode != 0:
        fail([f"rr-record {elf}: exit {r.returncode}: {r.stderr.decode(errors='replace')}"])
    return r.stdout.decode()


def ledger(args, tmp, problems):
    elf = os.path.join(args.guests, "corrupt.elf")
    found = {}
    for name in ("corrupt_bad", "corrupt_early"):
        rec = os.path.join(tmp, name + ".rr")
        out = record(args, elf, rec, "--serial-in", os.path.join(args.inputs, name + ".txt"),
                     "--checkpoint-every", "1000")
        m = re.search(r"canary at (0x[0-9a-f]+)", out)
        if not m or "canary CORRUPTED" not in out:
            fail([f"{name}: unexpected guest output: {out}"])
        cond = f"mem32[{m.group(1)}] != {CANARY:#x}"
        results = {mode: bisect_json(args, rec, "--until", cond, *mode.split())
                   for mode in ("--jobs 1", "--jobs 2", "--linear")}
        first = results["--jobs 1"][1]["first_icount"]
        print(f"{name}: '{cond}' first holds at icount {first}: {results['--jobs 1'][1]['last_instruction']}")
        for mode, (rc, j) in results.items():
            if rc != 0 or j["first_icount"] != first or first is None:
                problems.append(f"{name} {mode}: exit {rc}, first_icount {j['first_icount']}, expected {first}")
        if first:
            for at, want in ((first - 1, 0), (first, 1)):
                r = run([args.rr_replay, rec, "--seek", str(at), "--print", cond, "--json"])
                got = json.loads(r.stdout)["values"][cond] if r.returncode == 0 else r.stderr.decode()
                if got != want:
                    problems.append(f"{name}: --seek {at}: '{cond}' is {got}, expected {want}")
            insn = results["--jobs 1"][1]["last_instruction"] or ""
            if not insn.startswith("str"):
                problems.append(f"{name}: the last instruction is '{insn}', expected the guest's store")
            inputs = " ".join(e.get("data", "") for e in results["--jobs 1"][1]["last_events"])
            if "8 31" not in inputs:
                problems.append(f"{name}: the inputs before it do not show the corrupting line: {inputs!r}")
        found[name] = first
    if found["corrupt_bad"] == found["corrupt_early"]:
        problems.append(f"the corruption moved with the input, but both searches found {found['corrupt_bad']}")

    rec = os.path.join(tmp, "corrupt_ok.rr")
    out = record(args, elf, rec, "--serial-in", os.path.join(args.inputs, "corrupt_ok.txt"))
    addr = re.search(r"canary at (0x[0-9a-f]+)", out).group(1)
    junit = os.path.join(tmp, "never.xml")
    rc, j = bisect_json(args, rec, "--until", f"mem32[{addr}] != {CANARY:#x}", "--junit", junit)
    if rc != 1 or j["first_icount"] is not None:
        problems.append(f"an input that never corrupts: exit {rc}, first_icount {j['first_icount']}, expected 1 and null")
    with open(junit) as f:
        xml = f.read()
    if 'failures="1"' not in xml or "never holds" not in xml:
        problems.append(f"--junit for a condition that never holds: no failed test case in {xml}")


def variants(args, tmp, problems):
    recs = {}
    for v in ("a", "b"):
        recs[v] = os.path.join(tmp, f"variant_{v}.rr")
        record(args, os.path.join(args.guests, f"variant_{v}.elf"), recs[v], "--checkpoint-every", "40000")
    symbols = run([args.nm, os.path.join(args.guests, "variant_a.elf")]).stdout.decode().split("\n")
    insn = next(int(line.split()[0], 16) for line in symbols if line.endswith(" variant_insn"))
    _, at = bisect_json(args, recs["a"], "--until", f"pc == {insn:#x}", "--linear")
    expected = at["first_icount"] + 1
    for jobs in ("1", "2"):
        rc, j = bisect_json(args, recs["a"], "--against", recs["b"], "--jobs", jobs)
        print(f"--against --jobs {jobs}: first_icount {j['first_icount']} ({j['difference']}), expected {expected}")
        if rc != 0 or j["first_icount"] != expected or j["last_pc"] != hex(insn):
            problems.append(f"--against --jobs {jobs}: exit {rc}, first_icount {j['first_icount']}, last_pc "
                            f"{j['last_pc']}; expected {expected} after the instruction at {insn:#x}")
    rc, j = bisect_json(args, recs["a"], "--against", recs["a"])
    if rc != 1 or j["first_icount"] is not None:
        problems.append(f"a recording against itself: exit {rc}, first_icount {j['first_icount']}")
    rc, j = bisect_json(args, recs["a"], "--divergence", "--jobs", "2")
    if rc != 1 or j["first_icount"] is not None or j["stretches"] < 3:
        problems.append(f"--divergence on an unaltered recording: exit {rc}, {j}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for a in ("--rr-record", "--rr-replay", "--rr-bisect", "--nm", "--guests", "--inputs"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    problems = []
    with tempfile.TemporaryDirectory(prefix="rr-e2e-bisect-proof-") as tmp:
        ledger(args, tmp, problems)
        variants(args, tmp, problems)
    if problems:
        fail(problems)
    print("PASS")


if __name__ == "__main__":
    sys.exit(main())
