#!/usr/bin/env python3
"""The RTL8139 guest (guests/i386/rtl8139) on `-M pc` with user networking: recorded with live
slirp (DHCP, then an HTTP request to a server this script runs on 127.0.0.1, reached as
10.0.2.2), replayed three times in a row with no network to the same output and verdict, the
server untouched by the replays; the recording's frames exported by rr-inspect --pcap; and,
where QEMU is given, QEMU 7.2 runs the same guest with `-nodefaults -nic user,model=rtl8139`
and must print the same and exit the same.

  rtl8139_guest.py --elf rtl8139.elf --rr-record R --rr-replay P --rr-inspect I [--qemu qemu-system-i386]
"""

import argparse
import os
import socket
import subprocess
import tempfile
import threading

from e2e_common import fail, first_difference

NET_PORT = 47322  # the rtl8139 guest's NET_PORT
TIMEOUT = 120
# A body larger than the guest's 8 KiB receive ring, so that the ring wraps.
FILLER = b"".join(b"line %05d of the rtl8139 test body\n" % i for i in range(400))


def run(cmd):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)


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
            body = b"hello from the test server: " + req.split(b"\r\n")[0] + b"\n" + FILLER
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            c.close()

    def stop(self):
        self.stopping = True
        self.thread.join()
        self.sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elf", required=True)
    ap.add_argument("--rr-record", required=True)
    ap.add_argument("--rr-replay", required=True)
    ap.add_argument("--rr-inspect", required=True)
    ap.add_argument("--qemu")
    args = ap.parse_args()
    problems = []
    server = HttpServer()

    with tempfile.TemporaryDirectory(prefix="rr-rtl8139-") as tmp:
        rec, out = os.path.join(tmp, "run.rr"), os.path.join(tmp, "run.out")
        r = run([args.rr_record, "-M", "pc", "--kernel", args.elf, "-o", rec, "--serial-out", out,
                 "--netdev", "user", "--checkpoint-every", "2000000", "--hash-every", "500000"])
        with open(out, "rb") as f:
            recorded = f.read()
        if r.returncode != 1:  # isa-debug-exit with code 0
            server.stop()
            fail([f"rr-record exited {r.returncode}", r.stderr.decode(errors="replace"),
                  recorded.decode(errors="replace")])
        print(recorded.decode(errors="replace"))
        if server.connections != 1:
            problems.append(f"the HTTP server saw {server.connections} connections while recording, not 1")
        for want in (b"the ring wrapped: yes", b"first line: hello from the test server: GET /rtl8139"):
            if want not in recorded:
                problems.append(f"the guest did not print '{want.decode()}'")

        connections = server.connections
        for i in range(3):
            rout = os.path.join(tmp, f"replay{i}.out")
            p = run([args.rr_replay, rec, "--serial-out", rout])
            with open(rout, "rb") as f:
                replayed = f.read()
            if p.returncode != 0 or b"replay ok" not in p.stdout:
                problems.append(f"replay {i} exited {p.returncode}: {p.stdout.decode()} {p.stderr.decode()}")
            if replayed != recorded:
                problems.append(f"replay {i}: " + first_difference(recorded, replayed))
        if server.connections != connections:
            problems.append("a replay reached the network")
        v = run([args.rr_inspect, rec, "--verify"])
        if v.returncode != 0:
            problems.append(f"rr-inspect --verify exited {v.returncode}: {v.stdout.decode()[-1500:]}")
        pcap = os.path.join(tmp, "net.pcap")
        p = run([args.rr_inspect, rec, "--pcap", pcap])
        with open(pcap, "rb") as f:
            head = f.read(24)
        if p.returncode != 0 or head[:4] != bytes.fromhex("4d3cb2a1") or b"received frames" not in p.stdout:
            problems.append(f"--pcap failed: {p.stdout.decode()} {p.stderr.decode()}")

        if args.qemu:
            # No ROM BAR (romfile=): our function has none, and SeaBIOS would place the memory
            # BAR around one. -kernel boots before any network boot would be tried.
            q = run([args.qemu, "-M", "pc", "-m", "128M", "-nodefaults", "-display", "none", "-serial", "stdio",
                     "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", args.elf,
                     "-netdev", "user,id=n", "-device", "rtl8139,netdev=n,romfile="])
            if q.returncode != 1 or q.stdout != recorded:
                problems.append(f"QEMU (exit {q.returncode}): " + first_difference(q.stdout, recorded) +
                                f"\nQEMU printed\n{q.stdout.decode(errors='replace')}{q.stderr.decode(errors='replace')}")
            if server.connections != connections + 1:
                problems.append("QEMU's guest did not reach the server")
    server.stop()

    if problems:
        fail(problems)
    print("PASS: recorded live, replayed three times with no network; checkpoints verify; pcap written"
          + ("; same as QEMU" if args.qemu else ""))


if __name__ == "__main__":
    main()
