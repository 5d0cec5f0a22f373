#!/usr/bin/env python3
"""Compares the device tree rr-record gives a `virt` guest with the one QEMU 7.2 builds for the
same options (`-machine dumpdtb=FILE`): every node we generate must exist in QEMU's tree with
the same properties, in the same order, with the same values (the random /chosen seeds only by
length); every node of QEMU's we leave out must be one docs/machines.md lists as missing.

  compare_dtb_with_qemu.py --rr-record R --rr-inspect I --kernel K [--initrd F] [--append T]
                           [--mem SIZE] [--bios FILE]
"""

import argparse
import os
import struct
import subprocess
import sys
import tempfile

from e2e_common import fail

# QEMU's nodes the board does not have (yet); a path matches if it starts with one of these.
MISSING = ["/platform-bus@", "/fw-cfg@", "/gpio-keys", "/pl061@", "/pcie@", "/pmu",
           "/intc@8000000/v2m@"]
RANDOM = {("/chosen", "kaslr-seed"), ("/chosen", "rng-seed")}


def parse_fdt(blob):
    """{path: [(name, value), ...]} in blob order."""
    magic, total, off_struct, off_strings = struct.unpack(">IIII", blob[:16])
    if magic != 0xD00DFEED:
        raise ValueError("not a device tree")
    nodes, path, p = {}, [], off_struct
    while True:
        (token,) = struct.unpack(">I", blob[p:p + 4])
        p += 4
        if token == 1:
            end = blob.index(b"\0", p)
            path.append(blob[p:end].decode())
            p = (end + 4) & ~3
            nodes["/" + "/".join(x for x in path if x)] = []
        elif token == 2:
            path.pop()
        elif token == 3:
            length, nameoff = struct.unpack(">II", blob[p:p + 8])
            name = blob[off_strings + nameoff:blob.index(b"\0", off_strings + nameoff)].decode()
            nodes["/" + "/".join(x for x in path if x)].append((name, blob[p + 8:p + 8 + length]))
            p += 8 + ((length + 3) & ~3)
        elif token == 4:
            continue
        elif token == 9:
            return nodes
        else:
            raise ValueError(f"bad token {token}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", default="qemu-system-aarch64")
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--rr-inspect", required=True)
    ap.add_argument("--kernel")
    ap.add_argument("--initrd")
    ap.add_argument("--append")
    ap.add_argument("--bios")
    ap.add_argument("--mem", default="128M")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="rr-e2e-dtb-") as tmp:
        q_dtb, o_dtb, rec = (os.path.join(tmp, n) for n in ("qemu.dtb", "ours.dtb", "run.rr"))
        qemu = [args.qemu, "-M", f"virt,dumpdtb={q_dtb}", "-cpu", "cortex-a57", "-m", args.mem,
                "-display", "none", "-nodefaults"]
        ours = [args.rr_record, "-M", "virt", "--mem", args.mem, "--max-insns", "1", "-o", rec]
        for opt in ("kernel", "initrd", "append", "bios"):
            v = getattr(args, opt)
            if v is not None:
                qemu += ["-" + opt, v]
                ours += ["--" + opt, v]
        q = subprocess.run(qemu, capture_output=True, timeout=60)
        if not os.path.exists(q_dtb):
            fail([f"QEMU wrote no tree: {q.stderr.decode(errors='replace')}"])
        o = subprocess.run(ours, capture_output=True, timeout=60)
        if o.returncode != 0:
            fail([f"rr-record failed ({o.returncode}): {o.stderr.decode(errors='replace')}"])
        i = subprocess.run([args.rr_inspect, rec, "--dtb", o_dtb], capture_output=True, timeout=60)
        if i.returncode != 0:
            fail([f"rr-inspect --dtb failed: {i.stderr.decode(errors='replace')}"])
        theirs = parse_fdt(open(q_dtb, "rb").read())
        mine = parse_fdt(open(o_dtb, "rb").read())
        q_size, o_size = os.path.getsize(q_dtb), os.path.getsize(o_dtb)

    missing = MISSING + ([] if args.bios else ["/flash@0"])  # the banks exist only for firmware
    problems = []
    if q_size != o_size:
        problems.append(f"blob size: QEMU {q_size}, ours {o_size}")
    for path, props in mine.items():
        if path not in theirs:
            problems.append(f"{path}: QEMU has no such node")
            continue
        want = [(n, (len(v) if (path, n) in RANDOM else v)) for n, v in theirs[path]]
        got = [(n, (len(v) if (path, n) in RANDOM else v)) for n, v in props]
        if want != got:
            problems.append(f"{path}: properties differ\n    QEMU: {want}\n    ours: {got}")
    for path in theirs:
        if path not in mine and not any(path.startswith(m) for m in missing):
            problems.append(f"{path}: in QEMU's tree, not in ours, and not listed as missing")
    print(f"{len(mine)} nodes of ours, {len(theirs)} of QEMU's "
          f"({sum(1 for p in theirs if p not in mine)} left out as listed)")
    if problems:
        fail(problems)
    print("PASS: every node we generate is QEMU's, property for property")


if __name__ == "__main__":
    sys.exit(main())
