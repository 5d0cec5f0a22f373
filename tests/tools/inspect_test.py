#!/usr/bin/env python3
"""rr-inspect over real recordings: the summary (text and --json), the event listing and its
filters, --stats, --verify, and damaged, truncated, empty and missing files.

usage: inspect_test.py --rr-record PATH --rr-inspect PATH --timer-elf ELF --serial-elf ELF

--timer-elf is a guest that runs about a million instructions and powers off (timer_irq.elf);
with a state hash every 100 instructions its recording spans several chunks. --serial-elf reads
serial input and powers off (demo.elf).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

failures = []


def check(cond, what, detail=""):
    if cond:
        print(f"ok: {what}")
    else:
        print(f"FAIL: {what}" + (f": {detail}" if detail else ""))
        failures.append(what)
    return cond


def run(cmd, stdin=None):
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Inspect:
    def __init__(self, path):
        self.path = path

    def __call__(self, *args):
        return run([self.path, *map(str, args)])

    def json(self, *args):
        rc, out, err = self(*args, "--json")
        if rc != 0:
            raise RuntimeError(f"rr-inspect {' '.join(map(str, args))} --json: exit {rc}: {err}")
        return json.loads(out)


def record(rr_record, elf, out, *extra):
    rc, _, err = run([rr_record, "--kernel", elf, "-o", out, *extra])
    m = re.search(r"^icount: (\d+)$", err, re.M)
    if rc != 0 or not m:
        sys.exit(f"FAIL: cannot record {elf}: exit {rc}: {err}")
    return int(m.group(1))


def one_line(err):
    return len(err.strip().splitlines()) == 1


KINDS = ["SerialInput", "ClockRead", "SemihostingInput", "StateHash", "Checkpoint", "GuestExit", "CheckpointPages",
         "Entropy", "NetFrame"]
KEYS = ["format_version", "tool_version", "machine", "ram_size", "icount_shift", "hash_every", "icount", "exit",
        "images", "events_by_kind", "events", "chunks", "bytes", "bytes_per_million_insns", "complete",
        "truncated", "verified"]


def test_summary(inspect, rec, icount, elf):
    s = inspect.json(rec)
    check(all(k in s for k in KEYS), "--json has every documented key", str(sorted(set(KEYS) - set(s))))
    check(s["format_version"] == 2, "format_version is 2", s["format_version"])
    check(s["tool_version"].startswith("rr-emu"), "tool_version names rr-emu", s["tool_version"])
    check(s["machine"] == "virt", "machine is virt", s["machine"])
    check(s["ram_size"] == 128 << 20, "ram_size is the default 128 MiB", s["ram_size"])
    check(s["icount_shift"] == 0 and s["hash_every"] == 100, "icount_shift and hash_every as recorded")
    check(s["icount"] == icount, "icount equals the recorder's", f"{s['icount']} != {icount}")
    check(s["exit"] == {"reason": "poweroff", "code": 0, "icount": icount}, "exit is poweroff, code 0", s["exit"])
    img = s["images"]
    check(len(img) == 1 and img[0]["bytes"] == os.path.getsize(elf) and img[0]["embedded"] is True
          and re.fullmatch(r"[0-9a-f]{32}", img[0]["xxh3_128"]) is not None,
          "one embedded image with its size and xxh3-128", img)
    ebk = s["events_by_kind"]
    check(sorted(ebk) == sorted(KINDS), "events_by_kind lists every kind", sorted(ebk))
    check(ebk["StateHash"] >= 1 and ebk["GuestExit"] == 1, "StateHash >= 1 and GuestExit == 1", ebk)
    check(sum(ebk.values()) == s["events"], "events is the sum of events_by_kind")
    check(s["chunks"] >= 2, "a hash every 100 instructions spans several chunks", s["chunks"])
    check(s["bytes"] == os.path.getsize(rec), "bytes is the file size")
    check(abs(s["bytes_per_million_insns"] - s["bytes"] * 1e6 / icount) < 0.1, "bytes_per_million_insns")
    check(s["complete"] is True and s["truncated"] is None and s["verified"] is False,
          "complete, not truncated, not verified without --verify")

    rc, out, err = inspect(rec)
    check(rc == 0 and err == "", "the text summary exits 0 quietly", err)
    check(re.search(rf"^final icount\s+{icount}$", out, re.M) is not None, "text: final icount", out)
    check(re.search(r"^ended\s+poweroff, exit code 0", out, re.M) is not None, "text: how the run ended")
    check(re.search(r"^machine\s+virt$", out, re.M) is not None and "xxh3-128" in out and "embedded" in out,
          "text: machine and image")
    check(re.search(rf"^\s+StateHash\s+{s['events_by_kind']['StateHash']}$", out, re.M) is not None,
          "text: per-kind counts")
    return s


def test_events(inspect, rec, summary):
    rc, out, _ = inspect(rec, "--events")
    lines = out.splitlines()
    check(rc == 0 and len(lines) == summary["events"], "--events lists every event", f"{len(lines)} lines")
    parsed = [(int(l.split()[0]), l.split()[1]) for l in lines]
    check(all(a[0] <= b[0] for a, b in zip(parsed, parsed[1:])), "--events: icounts never decrease")
    check(re.search(r"^\s*\d+\s+GuestExit\s+reason=poweroff, code=0, round=0, state=\{cpu=0x[0-9a-f]{16}, ", lines[-1]) is not None,
          "--events: the last line is the GuestExit", lines[-1])
    check(re.search(r"StateHash\s+cpu=0x[0-9a-f]{16}, ram=0x[0-9a-f]{16}, dirty_pages=\d+, devices=0x[0-9a-f]{16}, "
                    r"output_bytes=\d+, output=0x[0-9a-f]{16}, registers=\d+ entries", out) is not None,
          "--events: StateHash decoded")

    rc, out, _ = inspect(rec, "--events", "--kind", "statehash")
    kinds = {l.split()[1] for l in out.splitlines()}
    check(rc == 0 and kinds == {"StateHash"} and len(out.splitlines()) == summary["events_by_kind"]["StateHash"],
          "--kind statehash (case-insensitive) lists only and all state hashes")
    rc, out, _ = inspect(rec, "--events", "--kind", "GuestExit", "--kind", "ClockRead")
    kinds = [l.split()[1] for l in out.splitlines()]
    check(rc == 0 and sorted(set(kinds)) == ["ClockRead", "GuestExit"]
          and len(kinds) == summary["events_by_kind"]["GuestExit"] + summary["events_by_kind"]["ClockRead"],
          "--kind twice lists both kinds")

    lo, hi = 250000, 500000
    want = [p for p in parsed if lo <= p[0] <= hi]
    rc, out, _ = inspect(rec, "--events", "--from", lo, "--to", hi)
    got = [(int(l.split()[0]), l.split()[1]) for l in out.splitlines()]
    check(rc == 0 and got == want and len(want) > 0, "--from/--to is an inclusive icount range",
          f"{len(got)} vs {len(want)}")
    rc, out, _ = inspect(rec, "--events", "--from", hi, "--to", hi)
    check(rc == 0 and all(l.split()[0] == str(hi) for l in out.splitlines()) and out != "",
          "--from N --to N lists the events at N")

    rc, out, _ = inspect(rec, "--events", "--json")
    objs = [json.loads(l) for l in out.splitlines()]
    check(rc == 0 and len(objs) == summary["events"] and all("icount" in o and "kind" in o for o in objs),
          "--events --json: one object per event, no summary")
    check({k: v for k, v in objs[-1].items() if k != "state"}
          == {"icount": summary["icount"], "kind": "GuestExit", "reason": "poweroff", "code": 0, "round": 0}
          and sorted(objs[-1]["state"]) == ["cpu", "devices", "dirty_pages", "output", "output_bytes", "ram", "registers"],
          "--events --json: GuestExit fields", objs[-1])
    sh = next(o for o in objs if o["kind"] == "StateHash")
    check(all(k in sh for k in ["cpu", "ram", "dirty_pages", "devices", "output_bytes", "output", "registers"]),
          "--events --json: StateHash fields", sorted(sh))
    rc, out, _ = inspect(rec, "--events", "--json", "--kind", "GUESTEXIT", "--from", 1)
    check(rc == 0 and [json.loads(l)["kind"] for l in out.splitlines()] == ["GuestExit"],
          "--events --json with filters")


def test_serial(inspect, rr_record, elf, work):
    data = b"ab\nhello\n"
    src = os.path.join(work, "serial.txt")
    with open(src, "wb") as f:
        f.write(data)
    rec = os.path.join(work, "serial.rr")
    icount = record(rr_record, elf, rec, "--serial-in", src, "--hash-every", "100000")
    s = inspect.json(rec)
    check(s["icount"] == icount and s["events_by_kind"]["SerialInput"] >= 1, "a serial recording counts SerialInput")
    rc, out, _ = inspect(rec, "--events", "--kind", "SerialInput")
    check(rc == 0 and re.search(r"^\s*\d+\s+SerialInput\s+device=0, round=\d+, data=\d+ bytes? \"", out, re.M) is not None,
          "--events: SerialInput decoded as text", out)
    rc, out, _ = inspect(rec, "--events", "--kind", "SerialInput", "--json")
    objs = [json.loads(l) for l in out.splitlines()]
    got = b"".join(bytes.fromhex(o["data_hex"]) for o in objs)
    check(got == data and all(o["device"] == 0 and o["data_length"] == len(bytes.fromhex(o["data_hex"])) for o in objs),
          "--events --json: the SerialInput bytes are the input file", got)

    rec2 = os.path.join(work, "noembed.rr")
    record(rr_record, elf, rec2, "--serial-in", src, "--no-embed")
    s2 = inspect.json(rec2)
    check(s2["images"][0]["embedded"] is False and s2["images"][0]["xxh3_128"] == s["images"][0]["xxh3_128"],
          "--no-embed: the image is listed by hash, not embedded")
    rc, out, _ = inspect(rec2, "--verify")
    check(rc == 0, "--verify accepts a recording without an embedded image", out)


def test_stats(inspect, rec, summary):
    s = inspect.json(rec, "--stats")
    st = s.get("stats")
    if not check(st is not None, "--stats --json adds a stats object"):
        return None
    chunks = st["chunks"]
    check(len(chunks) == summary["chunks"] and [c["number"] for c in chunks] == list(range(len(chunks))),
          "stats: one entry per chunk, numbered from 0")
    check(chunks[0]["offset"] == st["header_bytes"], "stats: the first chunk follows the header")
    check(all(b["offset"] == a["offset"] + 48 + a["compressed_bytes"] for a, b in zip(chunks, chunks[1:])),
          "stats: each chunk starts where the previous one ends")
    last = chunks[-1]
    check(last["offset"] + 48 + last["compressed_bytes"] + st["tail_bytes"] == summary["bytes"],
          "stats: header, chunks and index add up to the file size")
    check(sum(c["events"] for c in chunks) == summary["events"], "stats: chunk events add up")
    check(all(c["first_icount"] <= c["last_icount"] for c in chunks)
          and all(a["last_icount"] <= b["first_icount"] for a, b in zip(chunks, chunks[1:])),
          "stats: chunk icount ranges are ordered")
    check({k: v["count"] for k, v in st["kinds"].items()} == summary["events_by_kind"]
          and st["kinds"]["StateHash"]["payload_bytes"] > 0, "stats: per-kind counts and payload bytes")
    rc, out, _ = inspect(rec, "--stats")
    rows = re.findall(r"^\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+$", out, re.M)
    check(rc == 0 and "per chunk" in out and len(rows) == len(chunks)
          and all(int(r[1]) == c["offset"] for r, c in zip(rows, chunks)), "--stats text: a row per chunk", out)
    return chunks


def test_verify(inspect, rec, summary):
    rc, out, err = inspect(rec, "--verify")
    lines = out.strip().splitlines()
    checkpoints = summary["events_by_kind"]["Checkpoint"]
    check(rc == 0 and lines[-1] == f"verify ok: {summary['chunks']} chunks, {summary['events']} events, "
          f"{checkpoints} checkpoints",
          "--verify ok on a good recording", lines[-1] if lines else err)
    check(len(re.findall(r"^chunk \d+ at offset \d+: .*: ok$", out, re.M)) == summary["chunks"],
          "--verify prints one result per chunk")
    check(inspect.json(rec, "--verify")["verified"] is True, "--verify --json: verified is true")


def test_checkpoints(inspect, rr_record, elf, work):
    rec = os.path.join(work, "checkpoints.rr")
    icount = record(rr_record, elf, rec, "--checkpoint-every", "100000")
    s = inspect.json(rec, "--checkpoints")
    cps = s.get("checkpoints", [])
    check(len(cps) == icount // 100000 == s["events_by_kind"]["Checkpoint"] and
          [c["number"] for c in cps] == list(range(len(cps))) and
          [c["icount"] for c in cps] == [100000 * (i + 1) for i in range(len(cps))],
          "--checkpoints --json: one entry per checkpoint, numbered, every 100000 instructions", str(cps))
    check(all(c["pages_stored"] <= c["pages_written"] and c["bytes"] >= c["state_bytes"] > 0 for c in cps),
          "--checkpoints --json: pages and bytes add up")
    rc, out, _ = inspect(rec, "--checkpoints")
    rows = re.findall(r"^\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s+\d+$", out, re.M)
    check(rc == 0 and [int(r[1]) for r in rows[-len(cps):]] == [c["icount"] for c in cps],
          "--checkpoints text: a row per checkpoint", out)
    rc, out, err = inspect(rec, "--verify")
    check(rc == 0 and len(re.findall(r"^checkpoint \d+ at icount \d+: restores and matches .*: ok$", out, re.M)) ==
          len(cps), "--verify restores every checkpoint", out + err)


def test_damage(inspect, rec, chunks, summary, work):
    with open(rec, "rb") as f:
        good = f.read()
    last = chunks[-1]

    flipped = os.path.join(work, "flipped.rr")
    bad = bytearray(good)
    bad[last["offset"] + 48 + last["compressed_bytes"] // 2] ^= 0x20
    with open(flipped, "wb") as f:
        f.write(bad)
    rc, out, err = inspect(flipped, "--verify")
    where = f"chunk {last['number']} at offset {last['offset']}"
    check(rc == 65 and one_line(err) and where in err, "--verify on a flipped byte exits 65 naming the chunk", err)
    check("verify FAILED" in out, "--verify on a flipped byte prints a failed verdict")
    rc, _, err = inspect(flipped)
    check(rc == 65 and one_line(err) and where in err, "the summary of a flipped byte exits 65 naming the chunk", err)

    # Cut in the middle of the last chunk: the chunks before it still read.
    cut = os.path.join(work, "cut.rr")
    with open(cut, "wb") as f:
        f.write(good[:last["offset"] + 48 + last["compressed_bytes"] // 2])
    rc, out, err = inspect(cut, "--json")
    s = json.loads(out) if rc == 0 else {}
    check(rc == 0 and s.get("complete") is False and "truncated" in (s.get("truncated") or "")
          and s.get("chunks") == len(chunks) - 1 and s.get("icount") == chunks[-2]["last_icount"]
          and s["exit"]["reason"] is None,
          "a recording cut inside its last chunk: summary exit 0, complete false, truncated", out + err)
    rc, out, _ = inspect(cut)
    check(rc == 0 and re.search(r"^truncated\s+recording truncated after chunk", out, re.M) is not None,
          "text summary of a truncated recording says so", out)
    rc, out, err = inspect(cut, "--verify")
    check(rc == 65 and one_line(err) and "truncated" in err, "--verify of a truncated recording exits 65", err)
    rc, out, err = inspect(cut, "--events", "--kind", "GuestExit")
    check(rc == 0 and out == "" and "truncated" in err, "--events of a truncated recording notes the truncation")

    nofooter = os.path.join(work, "nofooter.rr")
    with open(nofooter, "wb") as f:
        f.write(good[:-24])
    rc, out, err = inspect(nofooter, "--json")
    s = json.loads(out) if rc == 0 else {}
    check(rc == 0 and s.get("complete") is False and s.get("truncated") and s.get("events") == summary["events"]
          and s["exit"]["reason"] == "poweroff",
          "a recording without its footer: every event, complete false", out + err)
    rc, _, err = inspect(nofooter, "--verify")
    check(rc == 65 and one_line(err), "--verify of a recording without its footer exits 65", err)

    empty = os.path.join(work, "empty.rr")
    open(empty, "wb").close()
    rc, _, err = inspect(empty)
    check(rc == 65 and one_line(err) and "empty" in err, "an empty file exits 65", err)
    rc, _, err = inspect(os.path.join(work, "does-not-exist.rr"))
    check(rc == 66 and one_line(err), "a missing file exits 66", err)


def test_usage(inspect, rec):
    rc, _, err = inspect(rec, "--events", "--kind", "bogus")
    check(rc == 64 and "SerialInput" in err and "GuestExit" in err, "--kind bogus exits 64 listing the kinds", err)
    rc, _, err = inspect(rec, "--kind", "StateHash")
    check(rc == 64, "--kind without --events exits 64", err)
    rc, _, err = inspect(rec, "--events", "--from", 10, "--to", 5)
    check(rc == 64, "--from after --to exits 64", err)
    rc, _, err = inspect()
    check(rc == 64, "no recording exits 64", err)
    rc, out, _ = inspect("--help")
    check(rc == 0 and "Exit status" in out and "--verify" in out and "--events" in out,
          "--help describes the options and exit statuses")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--rr-inspect", required=True)
    ap.add_argument("--timer-elf", required=True)
    ap.add_argument("--serial-elf", required=True)
    a = ap.parse_args()
    inspect = Inspect(a.rr_inspect)
    with tempfile.TemporaryDirectory() as work:
        rec = os.path.join(work, "timer.rr")
        icount = record(a.rr_record, a.timer_elf, rec, "--hash-every", "100")
        summary = test_summary(inspect, rec, icount, a.timer_elf)
        test_events(inspect, rec, summary)
        test_serial(inspect, a.rr_record, a.serial_elf, work)
        chunks = test_stats(inspect, rec, summary)
        test_verify(inspect, rec, summary)
        test_checkpoints(inspect, a.rr_record, a.timer_elf, work)
        if chunks and len(chunks) >= 2:
            test_damage(inspect, rec, chunks, summary, work)
        else:
            check(False, "damage tests need a recording of at least two chunks")
        test_usage(inspect, rec)
    if failures:
        print(f"{len(failures)} rr-inspect checks FAILED")
        return 1
    print("all rr-inspect checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
