#!/usr/bin/env python3
"""The PCI/IDE guest (guests/i386/ide) on `-M pc` with a disk image: QEMU 7.2 runs it with the
image as `-drive if=ide,index=0` (snapshot=on) and must print the same and exit the same; then it
is recorded (with checkpoints) and replayed three times in a row to the same output, with the
image unchanged after recording and replaying; the overlay written by --overlay differs from the
image exactly where the guest wrote; every checkpoint restores to its recorded state hash.

  ide_guest.py --elf ide.elf --rr-record R --rr-replay P --rr-inspect I [--qemu qemu-system-i386]
"""

import argparse
import hashlib
import os
import random
import subprocess
import tempfile

from e2e_common import fail, first_difference

TIMEOUT = 120
SECTORS = 4096  # a 2 MiB disk
WRITTEN = list(range(100, 104)) + list(range(200, 208))  # the sectors the guest writes


def run(cmd):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elf", required=True)
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--rr-replay", required=True)
    ap.add_argument("--rr-inspect", required=True)
    ap.add_argument("--qemu")
    args = ap.parse_args()
    problems = []

    with tempfile.TemporaryDirectory(prefix="rr-ide-") as tmp:
        image = os.path.join(tmp, "disk.img")
        data = bytearray(random.Random(17).randbytes(SECTORS * 512))
        data[510:512] = b"\0\0"  # no MBR signature: QEMU guesses the geometry from the size alone
        with open(image, "wb") as f:
            f.write(data)
        image_hash = sha(image)

        rec, out, overlay = (os.path.join(tmp, n) for n in ("run.rr", "run.out", "run.overlay"))
        r = run([args.rr_record, "-M", "pc", "--kernel", args.elf, "-o", rec, "--serial-out", out,
                 "--drive", f"file={image},format=raw", "--overlay", overlay,
                 "--checkpoint-every", "200000", "--hash-every", "100000"])
        with open(out, "rb") as f:
            recorded = f.read()
        if r.returncode != 1:  # isa-debug-exit with code 0
            fail([f"rr-record exited {r.returncode}", r.stderr.decode(errors="replace"),
                  recorded.decode(errors="replace")])
        print(recorded.decode(errors="replace"))
        if sha(image) != image_hash:
            problems.append("recording modified the disk image")
        with open(overlay, "rb") as f:
            after = f.read()
        changed = [i // 512 for i in range(0, len(data), 512) if data[i:i + 512] != after[i:i + 512]]
        if changed != WRITTEN:
            problems.append(f"--overlay differs from the image in sectors {changed}, not {WRITTEN}")

        for i in range(3):
            rout = os.path.join(tmp, f"replay{i}.out")
            p = run([args.rr_replay, rec, "--serial-out", rout])
            with open(rout, "rb") as f:
                replayed = f.read()
            if p.returncode != 0 or b"replay ok" not in p.stdout:
                problems.append(f"replay {i} exited {p.returncode}: {p.stdout.decode()} {p.stderr.decode()}")
            if replayed != recorded:
                problems.append(f"replay {i}: " + first_difference(recorded, replayed))
        if sha(image) != image_hash:
            problems.append("replaying modified the disk image")
        v = run([args.rr_inspect, rec, "--verify"])
        if v.returncode != 0:
            problems.append(f"rr-inspect --verify exited {v.returncode}: {v.stdout.decode()[-1500:]}")

        if args.qemu:
            q = run([args.qemu, "-M", "pc", "-m", "128M", "-nodefaults", "-display", "none", "-net", "none",
                     "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                     "-icount", "shift=0,sleep=off", "-kernel", args.elf,
                     "-drive", f"file={image},format=raw,if=ide,index=0,snapshot=on"])
            if q.returncode != 1 or q.stdout != recorded:
                problems.append(f"QEMU (exit {q.returncode}): " + first_difference(q.stdout, recorded) +
                                f"\nQEMU printed\n{q.stdout.decode(errors='replace')}")
            if sha(image) != image_hash:
                problems.append("QEMU modified the disk image (snapshot=on)")

    if problems:
        fail(problems)
    print("PASS: same as QEMU; recorded and replayed three times; image unchanged; checkpoints verify")


if __name__ == "__main__":
    main()
