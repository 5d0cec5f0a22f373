#!/usr/bin/env python3
"""Records a guest with rr-record and replays it with rr-replay, and fails unless every run is
the same run: recording twice with the same input from a file gives the same serial output,
instruction count and exit status (through a pipe, with --pipe: the same output and exit), and
each recording replays (twice) with no input to its output, count and exit, every state hash
matching.

  record_replay.py --rr-record R --rr-replay P --elf G.elf [--machine virt|pc|isapc] [--append TEXT]
                   [--serial-in FILE] [--pipe]
                   [--semihosting-in FILE] [--exit-code N] [--hash-every N] [--expect TEXT]...
                   [--expected FILE] [--generate-input N]

--generate-input N feeds N pseudo-random printable bytes and an EOT (the echo guests' protocol)
and expects the guest's summary line "N bytes, fnv 0x..., overruns 0" for exactly those bytes:
nothing dropped, nothing duplicated, no overrun.
"""

import argparse
import fcntl
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from e2e_common import fail, first_difference


def generate_input(path, n):
    """Writes n printable bytes and an EOT; returns the summary line the echo guests print."""
    rng = random.Random(n)
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789 .,\n"
    data = bytes(rng.choice(alphabet) for _ in range(n))
    with open(path, "wb") as f:
        f.write(data + b"\x04")
    fnv = 0x811C9DC5
    for b in data:
        fnv = ((fnv ^ b) * 0x01000193) & 0xFFFFFFFF
    return f"{n} bytes, fnv 0x{fnv:08x}, overruns 0"


def filled_pipe(data):
    """The read end of a pipe that already holds all of `data`, its write end closed.

    Bytes that reach a pipe while the recorder runs arrive when the host delivers them, and
    the recording rightly captures that: the run may differ from one fed from a file. Even a
    pipe filled beforehand is read by the recorder's reader thread, whose bytes reach the guest
    when that thread has run: on a loaded host, later than a file's. So the run through a pipe
    must give the guest the same bytes (its output) and replay exactly, but its icount may
    differ from the file's."""
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, max(len(data), 4096))
    os.write(w, data)
    os.close(w)
    return r


def record(args, rec_path, via_pipe):
    cmd = [args.rr_record, "-M", args.machine, "--kernel", args.elf, "-o", rec_path,
           "--hash-every", str(args.hash_every)] + (["--append", args.append] if args.append else [])
    for b in args.boot:
        option, value = b.split("=", 1)
        cmd += ["--" + option, value]
    stdin = subprocess.DEVNULL
    data = None
    if args.semihosting_in:
        cmd += ["--semihosting-in", args.semihosting_in]
    if args.serial_in:
        with open(args.serial_in, "rb") as f:
            data = f.read()
        if via_pipe:
            cmd += ["--serial-in", "-"]
        else:
            cmd += ["--serial-in", args.serial_in]
    if via_pipe:
        stdin = filled_pipe(data)
    p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if via_pipe:
        os.close(stdin)
    try:
        out, err = p.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        fail([f"timed out after {args.timeout} s: {' '.join(cmd)}"])
    err = err.decode(errors="replace")
    m = re.findall(r"^icount: (\d+)$", err, re.M)
    if not m:
        fail([f"rr-record printed no icount (exit {p.returncode}): {' '.join(cmd)}", err])
    return out, int(m[-1]), p.returncode, err


def replay(args, rec_path, out_path):
    cmd = [args.rr_replay, rec_path, "--json", "--serial-out", out_path]
    p = subprocess.run(cmd, capture_output=True, timeout=args.timeout)
    try:
        verdict = json.loads(p.stdout)
    except ValueError:
        fail([f"rr-replay printed no JSON verdict (exit {p.returncode}): {' '.join(cmd)}",
              p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")])
    with open(out_path, "rb") as f:
        return verdict, f.read(), p.returncode


def check_junit(args, rec_path, xml_path):
    """rr-replay --junit writes one passing test case for a good recording."""
    r = subprocess.run([args.rr_replay, rec_path, "--junit", xml_path], capture_output=True, timeout=args.timeout)
    try:
        suite = ET.parse(xml_path).getroot().find("testsuite")
    except (OSError, ET.ParseError) as e:
        return [f"rr-replay --junit: no readable XML ({e}); exit {r.returncode}"]
    cases = suite.findall("testcase") if suite is not None else []
    if r.returncode != 0 or len(cases) != 1 or cases[0].find("failure") is not None or suite.get("failures") != "0":
        return [f"rr-replay --junit: exit {r.returncode}, {len(cases)} cases, XML {open(xml_path).read()!r}"]
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--rr-replay", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--machine", default="virt")
    ap.add_argument("--append", help="kernel command line")
    ap.add_argument("--boot", action="append", default=[], metavar="OPTION=VALUE",
                    help="more rr-record boot options (initrd=FILE, module=FILE,ARGS, dtb=FILE)")
    ap.add_argument("--serial-in")
    ap.add_argument("--semihosting-in")
    ap.add_argument("--generate-input", type=int, metavar="N")
    ap.add_argument("--pipe", action="store_true", help="also record with the input through a pipe")
    ap.add_argument("--exit-code", type=int, default=0)
    ap.add_argument("--hash-every", type=int, default=20000)
    ap.add_argument("--expect", action="append", default=[], help="text the serial output must contain")
    ap.add_argument("--expected", help="file the serial output must equal")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()

    problems = []
    with tempfile.TemporaryDirectory(prefix="rr-e2e-rr-") as tmp:
        if args.generate_input:
            args.serial_in = os.path.join(tmp, "input.bin")
            args.expect.append(generate_input(args.serial_in, args.generate_input))
        runs = [("file", False), ("file again", False)]
        if args.pipe and args.serial_in:
            runs.append(("pipe", True))
        recorded = []
        for label, via_pipe in runs:
            rec_path = os.path.join(tmp, f"run{len(recorded)}.rr")
            out, icount, code, err = record(args, rec_path, via_pipe)
            recorded.append((label, rec_path, out, icount, code))
            print(f"recorded ({label}): icount {icount}, exit {code}, {len(out)} output bytes")
            if code != args.exit_code:
                problems.append(f"rr-record ({label}) exited {code}, expected {args.exit_code}: {err.strip()}")

        first = recorded[0]
        for label, _, out, icount, code in recorded[1:]:
            if out != first[2]:
                problems.append(f"recording ({label}) output differs from the first: "
                                + first_difference(first[2], out))
            if icount != first[3] and label != "pipe":
                problems.append(f"recording ({label}) icount {icount} differs from the first ({first[3]})")

        for text in args.expect:
            if text.encode() not in first[2]:
                problems.append(f"serial output lacks {text!r}")
        if args.expected:
            with open(args.expected, "rb") as f:
                want = f.read()
            if first[2] != want:
                problems.append(f"serial output differs from {args.expected}: " + first_difference(want, first[2]))

        for label, rec_path, out, icount, code in recorded:
            for attempt in (1, 2):
                verdict, replay_out, rc = replay(args, rec_path, os.path.join(tmp, "replay.out"))
                where = f"replay {attempt} of the {label} recording"
                if rc != 0 or verdict.get("result") != "ok":
                    problems.append(f"{where}: exit {rc}, verdict {json.dumps(verdict)}")
                if verdict.get("icount") != icount:
                    problems.append(f"{where}: icount {verdict.get('icount')}, recorded {icount}")
                if replay_out != out:
                    problems.append(f"{where}: output differs: " + first_difference(out, replay_out))
                if not verdict.get("state_hashes_checked"):
                    problems.append(f"{where}: no state hash was checked")
            print(f"replayed ({label}) twice: {verdict.get('state_hashes_checked')} state hashes, "
                  f"{verdict.get('events')} events")
        problems += check_junit(args, recorded[0][1], os.path.join(tmp, "junit.xml"))

    if problems:
        fail(problems)
    print("PASS")


if __name__ == "__main__":
    main()
