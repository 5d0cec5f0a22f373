#!/usr/bin/env python3
"""Builds the newc cpio initramfs of ci/linux-boot.sh: busybox, /init and /dev/console, and
optionally kernel modules with their dependency closure.

    linux-initramfs.py BUSYBOX INIT OUT [--modules DIR NAME...]

With --modules, each NAME (a module name, '-' and '_' alike) is looked up under DIR (the
kernel's lib/modules/VERSION) together with every module its .modinfo section `depends=` on,
recursively (Debian's package has no modules.dep). The .ko files go to /lib/modules/ and their
names, dependencies first, to /lib/modules/load-order, for /init to insmod one by one.
"""
import os
import struct
import sys


def modinfo(path):
    """The key=value strings of an ELF64 little-endian module's .modinfo section."""
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit(f"linux-initramfs: {path} is not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def section(i):
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        return name, offset, size
    _, names_at, _ = section(shstrndx)
    for i in range(shnum):
        name, offset, size = section(i)
        if data[names_at + name:data.index(b"\0", names_at + name)] == b".modinfo":
            fields = data[offset:offset + size].split(b"\0")
            return dict(f.decode().split("=", 1) for f in fields if b"=" in f)
    return {}


def module_files(directory):
    """Module name (with '_') -> path of its .ko under DIRECTORY."""
    found = {}
    for parent, _, files in os.walk(directory):
        for f in files:
            if f.endswith(".ko"):
                found[f[:-3].replace("-", "_")] = os.path.join(parent, f)
    return found


def load_order(directory, wanted):
    """The .ko paths of WANTED and everything they depend on, each after its dependencies."""
    files = module_files(directory)
    order, done = [], set()
    def visit(name, chain):
        name = name.replace("-", "_")
        if name in done:
            return
        if name in chain:
            sys.exit(f"linux-initramfs: circular module dependency: {' -> '.join(chain + [name])}")
        if name not in files:
            sys.exit(f"linux-initramfs: no module {name} under {directory}")
        for dep in filter(None, modinfo(files[name]).get("depends", "").split(",")):
            visit(dep, chain + [name])
        done.add(name)
        order.append(files[name])
    for name in wanted:
        visit(name, [])
    return order


def cpio(entries):
    """A newc archive of (name, mode, data, rdev major, rdev minor), padded to 512 bytes."""
    def pad(b):
        return b + b"\0" * (-len(b) % 4)
    blob = b""
    for ino, (name, mode, data, major, minor) in enumerate(entries + [("TRAILER!!!", 0, b"", 0, 0)], 1):
        name_b = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, major, minor, len(name_b), 0]
        hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
        blob += pad(hdr + name_b) + pad(data)
    return blob + b"\0" * (-len(blob) % 512)


def main(argv):
    if len(argv) < 3 or (len(argv) > 3 and (argv[3] != "--modules" or len(argv) < 5)):
        sys.exit(__doc__)
    busybox, init, out = argv[:3]
    entries = [("bin", 0o040755, b"", 0, 0), ("dev", 0o040755, b"", 0, 0), ("proc", 0o040755, b"", 0, 0),
               ("sys", 0o040755, b"", 0, 0), ("dev/console", 0o020600, b"", 5, 1),
               ("bin/busybox", 0o100755, open(busybox, "rb").read(), 0, 0), ("bin/sh", 0o120777, b"busybox", 0, 0),
               ("init", 0o100755, open(init, "rb").read(), 0, 0)]
    if len(argv) > 3:
        order = load_order(argv[4], argv[5:])
        entries += [("lib", 0o040755, b"", 0, 0), ("lib/modules", 0o040755, b"", 0, 0)]
        entries += [("lib/modules/" + os.path.basename(p), 0o100644, open(p, "rb").read(), 0, 0) for p in order]
        names = "".join(os.path.basename(p) + "\n" for p in order).encode()
        entries.append(("lib/modules/load-order", 0o100644, names, 0, 0))
        print(" ".join(os.path.basename(p)[:-3] for p in order))
    open(out, "wb").write(cpio(entries))


if __name__ == "__main__":
    main(sys.argv[1:])
