#!/usr/bin/env python3
"""The virtio guests (guests/aarch64/virtio) recorded with live host input and replayed with
none: a disk (virtio-blk), the host's entropy (virtio-rng) and user networking (virtio-net
through libslirp to a small HTTP server this script runs on 127.0.0.1). Each recording is
replayed three times in a row to the same output, count and end; the disk image is unchanged
after recording and replaying; and, where QEMU is given, QEMU runs the same guest with the same
devices (-global virtio-mmio.force-legacy=...) and must print the same (lines that depend on
host randomness are left out).

  virtio_guests.py --guest blk|rng|net --guests DIR --rr-record R --rr-replay P --rr-inspect I
                   [--rr-bisect B] [--qemu qemu-system-aarch64]
"""

import argparse
import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading

from e2e_common import fail

NET_PORT = 47321  # the virtio_net guest's NET_PORT
TIMEOUT = 120


def run(cmd, **kw):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT, **kw)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class HttpServer:
    """Answers each connection's request line with a fixed body; counts connections."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", NET_PORT))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.connections = 0
        self.stopping = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            self.connections += 1
            c.settimeout(10)
            req = b""
            while b"\r\n\r\n" not in req:
                d = c.recv(4096)
                if not d:
                    break
                req += d
            body = b"hello from the test server: " + req.split(b"\r\n")[0] + b"\n"
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            c.close()

    def stop(self):
        self.stopping = True
        self.thread.join()
        self.sock.close()


def qemu_run(qemu, elf, devices, legacy, tmp):
    console = os.path.join(tmp, "qemu-console")
    if os.path.exists(console):
        os.unlink(console)
    cmd = [qemu, "-M", "virt", "-cpu", "cortex-a57", "-m", "128M", "-nodefaults", "-display", "none",
           "-chardev", f"file,id=con,path={console},mux=on", "-serial", "chardev:con",
           "-semihosting-config", "enable=on,target=native,chardev=con", "-kernel", elf,
           "-global", f"virtio-mmio.force-legacy={'true' if legacy else 'false'}"] + devices
    r = run(cmd)
    with open(console, "rb") as f:
        return f.read(), r.returncode, r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guest", choices=["blk", "rng", "net"], required=True)
    ap.add_argument("--guests", required=True)
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--rr-replay", required=True)
    ap.add_argument("--rr-inspect", required=True)
    ap.add_argument("--rr-bisect")
    ap.add_argument("--qemu")
    args = ap.parse_args()
    elf = os.path.join(args.guests, f"virtio_{args.guest}.elf")
    problems = []

    with tempfile.TemporaryDirectory(prefix="rr-virtio-") as tmp:
        image = os.path.join(tmp, "disk.img")
        rr_devices, qemu_devices = [], []
        if args.guest == "blk":
            rng = random.Random(7)
            with open(image, "wb") as f:
                f.write(bytes(rng.getrandbits(8) for _ in range(1 << 20)))
            rr_devices = ["--drive", f"file={image},format=raw,serial=rr-disk"]
            qemu_devices = ["-drive", f"if=none,id=d,file={image},format=raw,snapshot=on",
                            "-device", "virtio-blk-device,drive=d,serial=rr-disk"]
        elif args.guest == "rng":
            rr_devices = ["--rng"]
            qemu_devices = ["-device", "virtio-rng-device"]
        else:
            rr_devices = ["--netdev", "user"]
            qemu_devices = ["-netdev", "user,id=n", "-device", "virtio-net-device,netdev=n"]
        image_hash = sha(image) if args.guest == "blk" else None
        server = HttpServer() if args.guest == "net" else None

        for transport in ["legacy", "modern"]:
            rec = os.path.join(tmp, f"{transport}.rr")
            out = os.path.join(tmp, f"{transport}.out")
            overlay = os.path.join(tmp, f"{transport}.overlay")
            extra = ["--overlay", overlay] if args.guest == "blk" else []
            r = run([args.rr_record, "--kernel", elf, "-o", rec, "--serial-out", out, "--virtio-mmio", transport]
                    + rr_devices + extra)
            with open(out, "rb") as f:
                recorded = f.read()
            if r.returncode != 0:
                fail([f"{transport}: rr-record exited {r.returncode}", r.stderr.decode(errors="replace"),
                      recorded.decode(errors="replace")])
            if server and server.connections == 0:
                problems.append(f"{transport}: the HTTP server saw no connection while recording")
            if image_hash and sha(image) != image_hash:
                problems.append(f"{transport}: recording modified the disk image")
            if image_hash:
                # The overlay file is the disk as the guest left it: the image but sectors 8..15.
                with open(image, "rb") as a, open(overlay, "rb") as b:
                    x, y = a.read(), b.read()
                changed = [i // 512 for i in range(0, len(x), 512) if x[i:i + 512] != y[i:i + 512]]
                if changed != list(range(8, 16)):
                    problems.append(f"{transport}: --overlay differs from the image in sectors {changed}, not 8..15")
            connections = server.connections if server else 0
            for i in range(3):
                rout = os.path.join(tmp, f"{transport}.replay{i}")
                r = run([args.rr_replay, rec, "--serial-out", rout])
                with open(rout, "rb") as f:
                    replayed = f.read()
                if r.returncode != 0 or b"replay ok" not in r.stdout:
                    problems.append(f"{transport}: replay {i} exited {r.returncode}: {r.stdout.decode()} {r.stderr.decode()}")
                if replayed != recorded:
                    problems.append(f"{transport}: replay {i} printed something else than the recording")
            if server and server.connections != connections:
                problems.append(f"{transport}: a replay reached the network")
            if image_hash and sha(image) != image_hash:
                problems.append(f"{transport}: replaying modified the disk image")
            insp = run([args.rr_inspect, rec]).stdout.decode()
            if args.guest == "blk" and "disk image" not in insp:
                problems.append(f"{transport}: rr-inspect's summary names no disk image:\n{insp}")
            if args.guest == "net":
                pcap = os.path.join(tmp, "net.pcap")
                r = run([args.rr_inspect, rec, "--pcap", pcap])
                with open(pcap, "rb") as f:
                    head = f.read(24)
                if r.returncode != 0 or head[:4] != bytes.fromhex("4d3cb2a1") or b"received frames" not in r.stdout:
                    problems.append(f"{transport}: --pcap failed: {r.stdout.decode()} {r.stderr.decode()}")

            if args.qemu:
                ref, code, log = qemu_run(args.qemu, elf, qemu_devices, transport == "legacy", tmp)
                keep = lambda text: [l for l in text.splitlines() if not l.startswith(b"entropy checksum")]
                if code != 0 or keep(ref) != keep(recorded):
                    problems.append(f"{transport}: QEMU (exit {code}) printed\n{ref.decode(errors='replace')}\n"
                                    f"rr-record printed\n{recorded.decode(errors='replace')}\n{log.decode(errors='replace')}")

        if args.guest == "blk":
            # Checkpoints carry the overlay: every one restores to its recorded state hash
            # (rr-inspect --verify), and seeking from them agrees with a replay from the start.
            # The same --clock-base in both recordings rr-bisect compares below: otherwise the
            # RTC's start, read from the host's clock, differs at icount 0 whenever the two
            # recordings are not made within the same second, and hides the disk's difference.
            cp = os.path.join(tmp, "checkpoints.rr")
            r = run([args.rr_record, "--kernel", elf, "-o", cp, "--serial-out", os.path.join(tmp, "cp.out"),
                     "--checkpoint-every", "1000000", "--hash-every", "250000", "--clock-base", "1000"] + rr_devices)
            v = run([args.rr_inspect, cp, "--verify"])
            if r.returncode != 0 or v.returncode != 0:
                problems.append(f"checkpoints: record exit {r.returncode}, verify exit {v.returncode}: "
                                f"{v.stdout.decode()[-2000:]}")
            plain = os.path.join(tmp, "plain.rr")
            run([args.rr_record, "--kernel", elf, "-o", plain, "--serial-out", os.path.join(tmp, "plain.out"),
                 "--checkpoint-every", "0"] + rr_devices)
            for at in ["3500000", "9000001"]:
                seek = [[args.rr_replay, f, "--seek", at, "--print", "pc", "--print", "x0", "--print", "mem64[0x40100000]"]
                        for f in (cp, plain)]
                a, b = run(seek[0]), run(seek[1])
                if a.returncode != 0 or a.stdout != b.stdout:
                    problems.append(f"--seek {at}: from checkpoints {a.stdout.decode()} {a.stderr.decode()}, "
                                    f"from the start {b.stdout.decode()}")

            if args.rr_bisect:
                # rr-bisect over checkpoints with overlays: a disk that differs in one byte of
                # sector 100 makes the runs differ where that sector reaches RAM (in the first
                # read, so that the instruction-by-instruction search, which compares the whole
                # state after each instruction, stays short); the search from checkpoints and
                # the instruction-by-instruction one find the same icount.
                other = os.path.join(tmp, "other.img")
                with open(image, "rb") as f:
                    data = bytearray(f.read())
                data[100 * 512 + 17] ^= 0xff
                with open(other, "wb") as f:
                    f.write(data)
                cp2 = os.path.join(tmp, "other.rr")
                run([args.rr_record, "--kernel", elf, "-o", cp2, "--serial-out", os.path.join(tmp, "other.out"),
                     "--checkpoint-every", "1000000", "--clock-base", "1000", "--drive", f"file={other},serial=rr-disk"])
                found = []
                for linear in ([], ["--linear"]):
                    r = run([args.rr_bisect, cp, "--against", cp2, "--json"] + linear)
                    try:
                        found.append(json.loads(r.stdout.decode().strip().splitlines()[-1])["first_icount"])
                    except (ValueError, IndexError, KeyError):
                        found.append(f"exit {r.returncode}: {r.stdout.decode()} {r.stderr.decode()}")
                if found[0] != found[1] or not isinstance(found[0], int):
                    problems.append(f"rr-bisect --against: {found[0]} from checkpoints, {found[1]} linearly")

            rec = os.path.join(tmp, "legacy.rr")
            # The image from another path, given again; then a different image is refused.
            moved = os.path.join(tmp, "moved.img")
            os.rename(image, moved)
            r = run([args.rr_replay, rec])
            if r.returncode != 66 or b"pass --drive" not in r.stderr:
                problems.append(f"a recording whose image is gone: exit {r.returncode}, {r.stderr.decode()}")
            r = run([args.rr_replay, rec, "--drive", moved])
            if r.returncode != 0:
                problems.append(f"--drive with the moved image: exit {r.returncode}, {r.stderr.decode()}")
            with open(moved, "r+b") as f:
                f.seek(4096)
                f.write(b"\x00" * 512)
            r = run([args.rr_replay, rec, "--drive", f"file={moved}"])
            if r.returncode != 65 or b"not the disk image drive 0 was recorded with" not in r.stderr:
                problems.append(f"a changed image: exit {r.returncode} (want 65), {r.stderr.decode()}")
            # --embed-images: the recording replays with no image anywhere.
            with open(moved, "wb") as f:
                f.write(random.Random(9).randbytes(1 << 16))
            emb = os.path.join(tmp, "embedded.rr")
            r = run([args.rr_record, "--kernel", elf, "-o", emb, "--drive", f"file={moved}", "--embed-images",
                     "--serial-out", os.path.join(tmp, "emb.out")])
            os.unlink(moved)
            r2 = run([args.rr_replay, emb])
            if r.returncode != 0 or r2.returncode != 0:
                problems.append(f"--embed-images: record exit {r.returncode}, replay exit {r2.returncode}: "
                                f"{r2.stdout.decode()} {r2.stderr.decode()}")
        if server:
            server.stop()

    if problems:
        fail(problems)
    print(f"virtio {args.guest}: legacy and modern recorded, replayed 3 times each"
          + (", compared with QEMU" if args.qemu else ""))


if __name__ == "__main__":
    main()
