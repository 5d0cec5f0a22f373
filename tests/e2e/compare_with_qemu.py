#!/usr/bin/env python3
"""Runs a guest ELF under QEMU 7.2 (-icount shift=0, record mode) and under our rr-record, and
fails unless the console output, the exit status and the instruction count are identical.

QEMU is the reference. A guest that ends with PSCI SYSTEM_OFF yields QEMU's instruction count
(QMP query-replay, the same number as HMP `info replay`); one that ends with semihosting SYS_EXIT
makes QEMU exit at once, so there is no count and only output and exit status are compared.

  compare_with_qemu.py --elf G.elf --rr-record PATH [--expected FILE] [--exit-code N]
                       [--ends poweroff|exit] [--append TEXT] [--initrd FILE]
  compare_with_qemu.py --elf G.elf --qemu-only            # print QEMU's results
  compare_with_qemu.py --elf G.elf --write-expected FILE  # store QEMU's transcript

--expected, --exit-code and --ends also check QEMU itself against what the repository expects, so
a stale transcript, or a guest that ends the wrong way (and so escapes the count), is reported.
"""

import argparse
import sys

from e2e_common import (RR_EXIT_CAP, QemuError, fail, first_difference, run_qemu,
                        run_rr_record, show_console)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elf", required=True)
    ap.add_argument("--rr-record")
    ap.add_argument("--qemu", default="qemu-system-aarch64")
    ap.add_argument("--expected", help="transcript file the repository holds for this guest")
    ap.add_argument("--exit-code", type=int, help="exit status the repository expects")
    ap.add_argument("--ends", choices=["poweroff", "exit"],
                    help="how the guest must end: PSCI SYSTEM_OFF (QEMU then gives a count) or "
                         "semihosting SYS_EXIT")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    ap.add_argument("--append", help="kernel command line, for both (-append, --append)")
    ap.add_argument("--initrd", help="initial ramdisk, for both (-initrd, --initrd)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--qemu-only", action="store_true")
    mode.add_argument("--write-expected", metavar="FILE")
    args = ap.parse_args()

    boot = []
    if args.append is not None:
        boot += ["-append", args.append]
    if args.initrd is not None:
        boot += ["-initrd", args.initrd]
    try:
        ref = run_qemu(args.qemu, args.elf, args.timeout, boot)
    except (OSError, QemuError) as e:
        fail([f"running QEMU: {e}"])

    if args.qemu_only or args.write_expected:
        show_console("QEMU console", ref.console)
        print(f"QEMU exit status: {ref.exit_code}")
        print(f"QEMU instruction count: {ref.icount if ref.icount is not None else 'none (QEMU exited)'}")
        if ref.log:
            print("QEMU printed:\n" + ref.log)
        if args.write_expected:
            with open(args.write_expected, "wb") as f:
                f.write(ref.console)
            print(f"wrote {args.write_expected}")
        return

    if not args.rr_record:
        ap.error("--rr-record is required unless --qemu-only or --write-expected is given")

    problems = []
    if args.expected is not None:
        with open(args.expected, "rb") as f:
            want = f.read()
        if ref.console != want:
            problems.append(f"QEMU's console differs from {args.expected} (stale transcript? "
                            f"regenerate with --write-expected): {first_difference(want, ref.console)}")
    if args.ends == "poweroff" and ref.icount is None:
        problems.append("the guest should power off, but QEMU exited (no instruction count)")
    if args.ends == "exit" and ref.icount is not None:
        problems.append("the guest should exit through semihosting, but it powered off")
    if args.exit_code is not None and ref.exit_code != args.exit_code:
        problems.append(f"QEMU exit status {ref.exit_code}, the repository expects {args.exit_code}")

    ours = run_rr_record(args.rr_record, args.elf, args.timeout, boot)

    if ours.console != ref.console:
        problems.append("console output differs: " + first_difference(ref.console, ours.console))
    want_code = min(ref.exit_code, RR_EXIT_CAP)
    if ours.exit_code != want_code:
        problems.append(f"exit status: QEMU {ref.exit_code} (so rr-record should give {want_code}), "
                        f"rr-record {ours.exit_code}")
    if ref.icount is not None:
        if ours.icount is None:
            problems.append(f"instruction count: QEMU {ref.icount}, rr-record printed no `icount: N` line")
        elif ours.icount != ref.icount:
            problems.append(f"instruction count: QEMU {ref.icount}, rr-record {ours.icount} "
                            f"(ours {ours.icount - ref.icount:+d})")

    print(f"guest {args.elf}")
    print(f"  QEMU:      exit {ref.exit_code}, icount {ref.icount}, {len(ref.console)} console bytes")
    print(f"  rr-record: exit {ours.exit_code}, icount {ours.icount}, {len(ours.console)} console bytes")
    if problems:
        show_console("QEMU console", ref.console)
        show_console("rr-record console", ours.console)
        if ref.log:
            print("--- QEMU printed ---\n" + ref.log)
        print("--- rr-record stderr ---\n" + ours.log)
        fail(problems)
    print("PASS: identical console output, exit status"
          + (" and instruction count" if ref.icount is not None else " (QEMU gives no count here)"))


if __name__ == "__main__":
    sys.exit(main())
