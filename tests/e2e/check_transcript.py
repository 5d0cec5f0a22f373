#!/usr/bin/env python3
"""Runs a guest ELF under rr-record and fails unless its console output equals the transcript
kept in the repository (QEMU's output, see compare_with_qemu.py --write-expected) byte for byte
and its exit status is the expected one. Needs no QEMU.

  check_transcript.py --rr-record PATH --elf G.elf --expected FILE --exit-code N
"""

import argparse
import sys

from e2e_common import fail, first_difference, run_rr_record, show_console


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--exit-code", type=int, required=True)
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()

    with open(args.expected, "rb") as f:
        want = f.read()
    ours = run_rr_record(args.rr_record, args.elf, args.timeout)

    problems = []
    if ours.console != want:
        problems.append("console output differs from the transcript: "
                        + first_difference(want, ours.console))
    if ours.exit_code != args.exit_code:
        problems.append(f"exit status: expected {args.exit_code}, rr-record {ours.exit_code}")
    print(f"guest {args.elf}: rr-record exit {ours.exit_code}, icount {ours.icount}")
    if problems:
        show_console(f"expected ({args.expected})", want)
        show_console("rr-record console", ours.console)
        print("--- rr-record stderr ---\n" + ours.log)
        fail(problems)
    print("PASS: console output and exit status as in " + args.expected)


if __name__ == "__main__":
    sys.exit(main())
