#!/usr/bin/env python3
"""Stops rr-record while it records a guest that waits for live serial input, and checks what
is left. After SIGKILL: the recording's complete chunks replay up to their end, rr-replay
reports "recording truncated at icount N" with exit status 65, and the replayed output is the
output recorded before the kill (the guest echoes its input). After SIGTERM: rr-record finishes
the recording ("interrupted", exit status 143) and it replays as a complete run.

The signals are sent once the recording shows that the recorder has delivered the input and
the guest has gone idle waiting for more (a state hash after the input), never after a fixed
sleep, so that a loaded machine cannot make the test flaky.

  killed_recorder.py --rr-record R --rr-replay P --rr-inspect I --elf serial_irq.elf
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
    ap.add_argument("--rr-inspect", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the recorder to go idle")
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
            wait_until_idle_after_input(args, p, rec)
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
        problems += stop_while_starting(args, tmp)
    if problems:
        fail(problems)
    print("PASS")


def wait_until_idle_after_input(args, p, rec):
    """Waits until the recording on disk holds a state hash after the serial input: the guest
    has taken the input and gone idle, and the recorder has flushed while it waits."""
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if p.poll() is not None:
            fail([f"rr-record ended by itself (exit {p.returncode}): " + p.stderr.read().decode(errors="replace")])
        r = subprocess.run([args.rr_inspect, rec, "--events", "--json"], capture_output=True)
        events = [json.loads(line) for line in r.stdout.decode().splitlines() if line.startswith("{")]
        inputs = [e["icount"] for e in events if e["kind"] == "SerialInput"]
        if inputs and any(e["kind"] == "StateHash" and e["icount"] > inputs[0] for e in events):
            return
        time.sleep(0.05)
    p.kill()
    fail([f"the recording showed no idle guest after the input within {args.timeout} s"])


def stop_with_sigterm(args, tmp):
    rec = os.path.join(tmp, "terminated.rr")
    p = subprocess.Popen([args.rr_record, "--kernel", args.elf, "-o", rec, "--serial-in", "-"],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    p.stdin.write(b"typed before SIGTERM\n")
    p.stdin.flush()
    wait_until_idle_after_input(args, p, rec)
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


def stop_while_starting(args, tmp):
    """SIGTERM while rr-record is still starting (here: opening a FIFO that no one writes yet)
    must still end in a finished recording: an interrupted run of no instructions."""
    fifo = os.path.join(tmp, "input.fifo")
    os.mkfifo(fifo)
    rec = os.path.join(tmp, "starting.rr")
    p = subprocess.Popen([args.rr_record, "--kernel", args.elf, "-o", rec, "--serial-in", fifo],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + args.timeout
    while not blocked_opening_fifo(p.pid):
        if p.poll() is not None or time.monotonic() > deadline:
            p.kill()
            return [f"rr-record never waited in the FIFO's open (exit {p.returncode})"]
        time.sleep(0.01)
    p.send_signal(signal.SIGTERM)
    with open(fifo, "wb") as writer:  # lets the open return
        writer.write(b"never read\n")
    try:
        err = p.communicate(timeout=30)[1].decode(errors="replace")
    except subprocess.TimeoutExpired:
        p.kill()
        return ["rr-record did not stop within 30 s of SIGTERM during its start"]
    problems = []
    if p.returncode != 128 + signal.SIGTERM or "stop: interrupted" not in err:
        problems.append(f"SIGTERM during the start: exit {p.returncode}, expected 143 and 'stop: interrupted': {err!r}")
    r = subprocess.run([args.rr_replay, rec, "--json"], capture_output=True)
    print(f"after SIGTERM during the start, rr-replay: exit {r.returncode}, {r.stdout.decode(errors='replace').strip()}")
    if r.returncode != 0 or b'"result":"ok"' not in r.stdout or b'"interrupted"' not in r.stdout:
        problems.append("the recording finished after SIGTERM during the start does not replay as an interrupted run")
    return problems


def blocked_opening_fifo(pid):
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return f.read() in ("wait_for_partner", "fifo_open")
    except OSError:
        return False


if __name__ == "__main__":
    main()
