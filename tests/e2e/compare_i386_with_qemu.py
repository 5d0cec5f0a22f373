#!/usr/bin/env python3
"""Runs an i386 Multiboot guest under QEMU 7.2 (`qemu-system-i386 -M pc`, isa-debug-exit at
0xf4) and under our `rr-record -M pc`, and fails unless the serial output and the exit status
are identical. QEMU runs SeaBIOS before the kernel, so instruction counts are not compared.

  compare_i386_with_qemu.py --qemu Q --rr-record R --elf G.elf [--exit-code N] [--append TEXT]
                            [--module FILE[,ARGS]]...

Each --module is a Multiboot module for both: QEMU gets them as one -initrd "FILE ARGS,...",
rr-record as --module FILE,ARGS.
"""

import argparse
import os
import subprocess
import sys
import tempfile

from e2e_common import fail, first_difference


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", default="qemu-system-i386")
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--exit-code", type=int)
    ap.add_argument("--append")
    ap.add_argument("--module", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=300.0)
    args = ap.parse_args()

    qemu = [args.qemu, "-M", "pc", "-m", "128M", "-nodefaults", "-display", "none", "-net", "none",
            "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-icount", "shift=0,sleep=off", "-kernel", args.elf]
    ours_extra = []
    if args.append:
        qemu += ["-append", args.append]
        ours_extra = ["--append", args.append]
    if args.module:
        qemu += ["-initrd", ",".join(m.replace(",", " ", 1) for m in args.module)]
        for m in args.module:
            ours_extra += ["--module", m]
    q = subprocess.run(qemu, stdin=subprocess.DEVNULL, capture_output=True, timeout=args.timeout)
    with tempfile.TemporaryDirectory(prefix="rr-e2e-i386-") as tmp:
        o = subprocess.run([args.rr_record, "-M", "pc", "--kernel", args.elf, "-o", os.path.join(tmp, "run.rr")]
                           + ours_extra, stdin=subprocess.DEVNULL, capture_output=True, timeout=args.timeout)
    print(f"QEMU: exit {q.returncode}, {len(q.stdout)} output bytes; rr-record: exit {o.returncode}, "
          f"{len(o.stdout)} output bytes; {o.stderr.decode(errors='replace').strip()}")
    problems = []
    if q.stdout != o.stdout:
        problems.append("serial output differs: " + first_difference(q.stdout, o.stdout))
    want = min(q.returncode, 63)
    if o.returncode != want:
        problems.append(f"exit status: QEMU {q.returncode} (capped {want}), rr-record {o.returncode}")
    if args.exit_code is not None and q.returncode != args.exit_code:
        problems.append(f"QEMU exit status {q.returncode}, the repository expects {args.exit_code}")
    if problems:
        fail(problems)
    print("PASS: identical serial output and exit status")


if __name__ == "__main__":
    sys.exit(main())
