#!/usr/bin/env python3
"""Stops rr-record while it records a guest that waits for live serial input, and checks what
is left. After SIGKILL: the recording's complete chunks replay up to their end, rr-replay
reports "recording truncated at icount N" with exit status 65, and the replayed output is the
output recorded before the kill (the guest echoes its input). After SIGTERM: rr-record finishes
the recording ("interrupted", exit status 143) and it replays as a complete run.

  killed_recorder.py --rr-record R --rr-replay P --elf serial_irq.elf
"""

import argparse
import json
import os
import re
import signal
import subprocess
import tempfile
import time

from e2e_common import fail


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--rr-replay", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--wait", type=float, default=3.0, help="seconds to let the recorder idle before the kill")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="rr-e2e-kill-") as tmp:
        rec = os.path.join(tmp, "killed.rr")
        out_path = os.path.join(tmp, "recorded.out")
        with open(out_path, "wb") as out:
            p = subprocess.Popen([args.rr_record, "--kernel", args.elf, "-o", rec, "--serial-in", "-",
                                  "--hash-every", "5000"],
                                 stdin=subprocess.PIPE, stdout=out, stderr=subprocess.PIPE)
            # Some input, then nothing: the guest idles waiting for more and the recorder
            # flushes while it waits. The pipe stays open, so the recording never ends by itself.
            p.stdin.write(b"typed before the kill\n")
            p.stdin.flush()
            time.sleep(args.wait)
            if p.poll() is not None:
                fail([f"rr-record ended by itself (exit {p.returncode}): "
                      + p.stderr.read().decode(errors="replace")])
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
            p.stdin.close()
        with open(out_path, "rb") as f:
            recorded_out = f.read()

        problems = []
        if os.path.getsize(rec) == 0:
            fail(["the killed recorder left an empty file"])
        replay_out = os.path.join(tmp, "replay.out")
        r = subprocess.run([args.rr_replay, rec, "--json", "--serial-out", replay_out], capture_output=True)
        try:
            verdict = json.loads(r.stdout)
        except ValueError:
            fail([f"rr-replay printed no verdict (exit {r.returncode}): {r.stderr.decode(errors='replace')}"])
        print(f"rr-replay: exit {r.returncode}, {json.dumps(verdict)}")
        if r.returncode != 65:
            problems.append(f"rr-replay exited {r.returncode}, expected 65 (truncated recording)")
        if verdict.get("result") != "truncated":
            problems.append(f"verdict {verdict.get('result')!r}, expected 'truncated'")
        m = re.match(r"recording truncated .*icount (\d+)", verdict.get("truncated") or "")
        if not m:
            problems.append(f"no 'recording truncated ... icount N' message: {verdict.get('truncated')!r}")
        elif int(m.group(1)) != verdict.get("icount"):
            problems.append(f"the replay stopped at icount {verdict.get('icount')}, the message says {m.group(1)}")
        if not verdict.get("state_hashes_checked"):
            problems.append("no state hash was checked before the truncation")
        with open(replay_out, "rb") as f:
            got = f.read()
        # The recorder's stdout was not flushed when it was killed: what it wrote is a prefix
        # of what the replay shows, and the echo of the input must be there.
        if not got.startswith(recorded_out):
            problems.append(f"replayed output {got!r} does not start with the recorded output {recorded_out!r}")
        if b"typed before the kill" not in got:
            problems.append(f"the replay did not echo the input: {got!r}")
        problems += stop_with_sigterm(args, tmp)
    if problems:
        fail(problems)
    print("PASS")


def stop_with_sigterm(args, tmp):
    rec = os.path.join(tmp, "terminated.rr")
    p = subprocess.Popen([args.rr_record, "--kernel", args.elf, "-o", rec, "--serial-in", "-"],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    p.stdin.write(b"typed before SIGTERM\n")
    p.stdin.flush()
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    try:
        err = p.communicate(timeout=30)[1].decode(errors="replace")
    except subprocess.TimeoutExpired:
        p.kill()
        return ["rr-record did not stop within 30 s of SIGTERM"]
    problems = []
    if p.returncode != 128 + signal.SIGTERM:
        problems.append(f"rr-record exited {p.returncode} after SIGTERM, expected {128 + signal.SIGTERM}: {err}")
    if "stop: interrupted" not in err:
        problems.append(f"rr-record did not report the interruption: {err!r}")
    r = subprocess.run([args.rr_replay, rec, "--json"], capture_output=True)
    print(f"after SIGTERM, rr-replay: exit {r.returncode}, {r.stdout.decode(errors='replace').strip()}")
    if r.returncode != 0 or b'"result":"ok"' not in r.stdout or b'"interrupted"' not in r.stdout:
        problems.append("the recording finished after SIGTERM does not replay as a complete, interrupted run")
    return problems


if __name__ == "__main__":
    main()
