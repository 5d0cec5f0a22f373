"""Running one guest ELF under QEMU and under our rr-record, for the end-to-end tests.

Both sides produce a Run: the console bytes (PL011 and semihosting output, in order), the exit
status and, where the run ended with a power-off, the number of instructions executed.
"""

import dataclasses
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

# rr-record reports the guest's semihosting exit code in its own exit status, capped here.
RR_EXIT_CAP = 63


@dataclasses.dataclass
class Run:
    who: str
    console: bytes
    exit_code: int
    icount: int | None  # None: the run ended without a count (semihosting SYS_EXIT under QEMU)
    log: str  # whatever else the program printed, shown on failure


class QemuError(Exception):
    pass


class Qmp:
    """A QMP connection: one command at a time, events skipped."""

    def __init__(self, path, deadline):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(max(0.1, deadline - time.monotonic()))
        self.sock.connect(path)
        self.buf = b""
        self._read()  # greeting
        self.call("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, command):
        self.sock.sendall(json.dumps({"execute": command}).encode() + b"\n")
        while True:
            msg = self._read()
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise QemuError(f"QMP {command}: {msg['error']}")

    def close(self):
        self.sock.close()


def qemu_command(qemu, elf, console_path, rr_path, qmp_path, boot=()):
    # A mux chardev lets the PL011 and semihosting share one output stream, in program order,
    # as they do on our side.
    return [
        qemu, "-M", "virt", "-cpu", "cortex-a57", "-m", "128M",
        "-nodefaults", "-display", "none", "-net", "none",
        "-chardev", f"file,id=con,path={console_path},mux=on",
        "-serial", "chardev:con",
        "-semihosting-config", "enable=on,target=native,chardev=con",
        "-kernel", elf,
        "-icount", f"shift=0,sleep=off,rr=record,rrfile={rr_path}",
        "-no-shutdown",
        "-qmp", f"unix:{qmp_path},server,nowait",
    ] + list(boot)


def run_qemu(qemu, elf, timeout, boot=()):
    """Runs ELF until it powers off (then asks for the instruction count) or QEMU exits.
    `boot` holds more QEMU boot options (-append, -initrd), given in QEMU's spelling."""
    with tempfile.TemporaryDirectory(prefix="rr-e2e-qemu-") as tmp:
        console = os.path.join(tmp, "console")
        qmp_path = os.path.join(tmp, "qmp.sock")
        cmd = qemu_command(qemu, elf, console, os.path.join(tmp, "replay.bin"), qmp_path, boot)
        deadline = time.monotonic() + timeout
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        icount = None
        qmp = None
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    if qmp is None:
                        qmp = Qmp(qmp_path, deadline)
                    if qmp.call("query-status")["status"] == "shutdown":
                        icount = qmp.call("query-replay")["icount"]
                        qmp.call("quit")
                        break
                except (FileNotFoundError, ConnectionError, socket.timeout):
                    # Not listening yet, or QEMU is going away (semihosting SYS_EXIT).
                    if qmp is not None:
                        qmp.close()
                        qmp = None
                time.sleep(0.02)
            try:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise QemuError(f"QEMU did not finish within {timeout} s: {' '.join(cmd)}")
        finally:
            if qmp is not None:
                qmp.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        log = proc.stdout.read().decode(errors="replace")
        proc.stdout.close()
        with open(console, "rb") as f:
            out = f.read()
        # A powered-off guest has no exit code of its own; like rr-record, call it 0.
        code = 0 if icount is not None else proc.returncode
        return Run("qemu", out, code, icount, log)


def rr_boot_options(boot):
    """QEMU's -append/-initrd as rr-record's --append/--initrd."""
    return ["-" + a if a in ("-append", "-initrd") else a for a in boot]


def run_rr_record(rr_record, elf, timeout, boot=()):
    with tempfile.TemporaryDirectory(prefix="rr-e2e-ours-") as tmp:
        cmd = [rr_record, "-M", "virt", "--kernel", elf, "-o", os.path.join(tmp, "run.rr")] + rr_boot_options(boot)
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            return Run("rr-record", e.stdout or b"", -1, None,
                       f"timed out after {timeout} s: {' '.join(cmd)}\n"
                       + (e.stderr or b"").decode(errors="replace"))
        except OSError as e:
            return Run("rr-record", b"", -1, None, f"cannot run {cmd[0]}: {e}")
        err = p.stderr.decode(errors="replace")
        m = re.findall(r"^icount: (\d+)$", err, re.M)
        return Run("rr-record", p.stdout, p.returncode, int(m[-1]) if m else None, err)


def show_console(label, data):
    """Prints console bytes line by line, with escapes for anything not plain ASCII."""
    print(f"--- {label} ({len(data)} bytes) ---")
    for line in data.splitlines(keepends=True):
        print("  " + repr(line)[2:-1])
    if data and not data.endswith(b"\n"):
        print("  (no newline at end)")


def first_difference(a, b):
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    line = a[:n].count(b"\n") + 1
    return f"first difference at byte {n} (line {line}): {a[n:n + 20]!r} vs {b[n:n + 20]!r}"


def fail(lines):
    for line in lines:
        print("FAIL: " + line)
    sys.stdout.flush()
    sys.exit(1)
