#!/usr/bin/env python3
"""Serial input that waits for the guest, and serial scripts, on both machines.

- A guest that resets its 16550 FIFO at start and then polls receives every byte of a file
  (the recorder hands nothing over before the guest first looks at its receive side).
- On virt the ledger service and on pc the echo guest are driven by scripts: one passes through
  several prompts (--exit-on-success: exit 0, stop script-passed), one meets a fail pattern
  (exit 73, script-failed naming the pattern and the icount), one waits past its timeout (exit
  73, script-timeout exactly at its deadline). Every recording replays `ok` with no script.

  serial_script.py --rr-record R --rr-replay P --rr-inspect I --guests DIR
"""

import argparse
import json
import os
import re
import subprocess
import tempfile

from e2e_common import fail


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--rr-replay", required=True)
    ap.add_argument("--rr-inspect", required=True)
    ap.add_argument("--guests", required=True)
    args = ap.parse_args()
    problems = []

    with tempfile.TemporaryDirectory(prefix="rr-e2e-script-") as tmp:
        def record(name, machine, elf, extra, want_status, want_stop):
            rec = os.path.join(tmp, name + ".rr")
            r = run([args.rr_record, "-M", machine, "--kernel", os.path.join(args.guests, elf), "-o", rec] + extra)
            err = r.stderr.decode(errors="replace")
            out = r.stdout.decode(errors="replace")
            stop = re.search(r"^stop: (.*)$", err, re.M)
            print(f"{name}: exit {r.returncode}, {stop.group(0) if stop else err.strip()}")
            if r.returncode != want_status:
                problems.append(f"{name}: exit {r.returncode}, expected {want_status}: {err}")
            if not stop or not stop.group(1).startswith(want_stop):
                problems.append(f"{name}: stop line {stop.group(1) if stop else None!r}, expected {want_stop}")
            p = run([args.rr_replay, rec, "--json"])
            try:
                verdict = json.loads(p.stdout)
            except ValueError:
                verdict = {}
            if p.returncode != 0 or verdict.get("result") != "ok":
                problems.append(f"{name}: the recording does not replay ok without the script: "
                                f"{p.returncode} {p.stdout.decode(errors='replace')} {p.stderr.decode(errors='replace')}")
            return rec, out, err

        def script(name, text):
            path = os.path.join(tmp, name + ".script")
            with open(path, "w") as f:
                f.write(text)
            return ["--serial-script", path]

        # The listening rule: 64 bytes from a file, all received by a guest that resets its FIFO.
        data = os.path.join(tmp, "in64.txt")
        with open(data, "wb") as f:
            f.write(bytes(range(0x41, 0x41 + 64)) + b"\x04")
        _, out, _ = record("pc fifo reset", "pc", "i386_serial_poll.elf", ["--serial-in", data], 1, "exit")
        if "serial_poll: 64 bytes" not in out:
            problems.append(f"pc fifo reset: the guest did not receive all 64 bytes: {out!r}")
        rec, _, _ = record("virt first poll", "virt", "serial_poll.elf", ["--serial-in", data], 0, "poweroff")
        first = first_input_icount(args, rec)
        if not first:
            problems.append("virt first poll: serial input was handed over at icount 0, before the guest looked")

        # virt: the ledger service through several prompts.
        ledger = ('expect "ledger service"\n'
                  'send "put 0 10\\n"\nexpect "entry 0 = 10"\n'
                  'send "put 1 20\\n"\nexpect "entry 1 = 20"\n'
                  'send "sum\\n"\nexpect "sum 30"\n'
                  'send "\\x04"\nexpect "canary intact" fail "CORRUPTED"\n')
        _, out, err = record("virt prompts", "virt", "corrupt.elf",
                             script("ledger", ledger) + ["--exit-on-success"], 0, "script-passed")
        if "line 3: sum 30" not in out:
            problems.append(f"virt prompts: the guest did not answer the third prompt: {out!r}")
        corrupt = 'expect "ledger service"\nfail "CORRUPTED|panic"\nsend "put 8 31337\\n"\nsend "\\x04"\nexpect "canary intact"\n'
        _, _, err = record("virt fail pattern", "virt", "corrupt.elf", script("corrupt", corrupt), 73, "script-failed")
        if not re.search(r'printed "CORRUPTED" at icount \d+', err):
            problems.append(f"virt fail pattern: the stop does not name the pattern and its icount: {err}")
        timeout = 'expect "ledger service"\nexpect "this never appears" timeout 300\n'
        _, _, err = record("virt timeout", "virt", "corrupt.elf", script("timeout", timeout), 73, "script-timeout")
        if "within 300 instructions" not in err:
            problems.append(f"virt timeout: {err}")

        # pc: the echo guest.
        echo = ('expect "echo until EOT"\n'
                'send "hello there\\n"\nexpect "hello there"\n'
                'send "second line\\n"\nexpect "second line" fail "panic"\n'
                'send "\\x04"\nexpect "24 bytes"\n')
        record("pc prompts", "pc", "i386_serial_irq.elf", script("echo", echo) + ["--exit-on-success"], 0, "script-passed")
        bad = 'expect "echo until EOT"\nsend "a panic here\\n"\nexpect "bytes" fail "panic"\n'
        _, _, err = record("pc fail pattern", "pc", "i386_serial_irq.elf", script("panic", bad), 73, "script-failed")
        if "panic.script:3" not in err:
            problems.append(f"pc fail pattern: the stop does not name the script line: {err}")
        slow = 'timeout 10K\nexpect "pit_hlt"\nexpect "never"\n'
        _, _, err = record("pc timeout", "pc", "i386_pit_hlt.elf", script("slow", slow), 73, "script-timeout")
        started = re.search(r"within 10000 instructions \(icount (\d+)\)", err)
        if not started:
            problems.append(f"pc timeout: {err}")
        # A guest left waiting for input that the script will never send is stuck, and that too
        # replays to the same end (after the same idle skips).
        wait = 'expect "echo until EOT"\nexpect "never"\n'
        record("pc stuck", "pc", "i386_serial_irq.elf", script("wait", wait), 70, "stuck")

    if problems:
        fail(problems)
    print("PASS")


def first_input_icount(args, rec):
    out = run([args.rr_inspect, rec, "--events", "--json", "--kind", "SerialInput"]).stdout.decode()
    icounts = [json.loads(line)["icount"] for line in out.splitlines() if line.startswith("{")]
    return icounts[0] if icounts else None


if __name__ == "__main__":
    main()
