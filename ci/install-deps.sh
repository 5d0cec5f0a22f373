#!/usr/bin/env bash
# Installs the Debian 12 packages that the build, the tests and the demo need.
# Prints nothing when they are all present, so the README commands stay quiet on reruns.
set -euo pipefail

# No gcc-multilib: it conflicts with gcc-aarch64-linux-gnu. The i386 guests are freestanding
# and need only gcc -m32 and binutils.
packages=(
  cmake ninja-build g++ pkg-config
  libcli11-dev libzstd-dev libxxhash-dev libbenchmark-dev catch2 libslirp-dev libunicorn-dev
  libcapstone-dev libfdt-dev zlib1g-dev device-tree-compiler
  gcc-aarch64-linux-gnu qemu-system-arm qemu-system-x86 socat gdb-multiarch python3
)

# dpkg-query exits non-zero when it has never heard of a package; that just means "missing".
installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${packages[@]}" 2>/dev/null |
  awk '$1 == "ii" { print $2 }' || true)
missing=()
for p in "${packages[@]}"; do
  grep -qxF "$p" <<<"$installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
  echo "install-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: rerun the command as root (or with sudo), or first run:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A fresh machine may still hold the dpkg lock (unattended-upgrades): wait rather than fail.
if ! { apt-get -o DPkg::Lock::Timeout=600 update &&
       apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"; } \
     >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "install-deps: apt-get failed (output above)" >&2
  exit 1
fi
