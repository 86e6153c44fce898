#!/usr/bin/env bash
# Installs, as root on Debian 12, what building and testing the standalone bundles needs beyond Node.js
# and Go: patchelf (the executables' $ORIGIN RUNPATH), binutils, debootstrap (the minimal root filesystem
# the linux-amd64 bundle is run in), qemu-user and the arm64 C and C++ runtimes (the linux-arm64 bundle run
# under emulation), and arm64 in dpkg's architectures so that apt can fetch libatomic1:arm64 for the
# bundle. Idempotent: apt is asked only for what is missing, so a prepared machine spends no time here.
#
# libatomic1:arm64 is deliberately NOT installed: the arm64 test must find the library the bundle ships.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "install-bundle-test-deps: run as root (apt-get, dpkg --add-architecture)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Another apt run on the same machine (a CI step, an engineer) holds the lock for a while: wait for it.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -y -qq "$@"; }

packages=(patchelf binutils debootstrap qemu-user libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64)

added_arch=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    added_arch=1
fi

missing=()
for p in "${packages[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
        missing+=("$p")
    fi
done

# dist fetches libatomic1:arm64 with `apt-get download`, which needs apt's arm64 package lists.
have_arm64_lists=0
if apt-get download --print-uris libatomic1:arm64 >/dev/null 2>&1; then
    have_arm64_lists=1
fi

if [ "${#missing[@]}" -gt 0 ] || [ "$added_arch" -eq 1 ] || [ "$have_arm64_lists" -eq 0 ]; then
    apt_get update
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-bundle-test-deps: installing ${missing[*]}"
    apt_get install --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$(dpkg-query -W -f='${db:Status-Status}' libatomic1:arm64 2>/dev/null)" = installed ]; then
    echo "install-bundle-test-deps: note: libatomic1:arm64 is installed; the arm64 test refuses to run with it" \
        "(it would hide a bundle that does not find its own copy): apt-get remove libatomic1:arm64" >&2
fi
echo "install-bundle-test-deps: ok ($(patchelf --version), $(qemu-aarch64 --version | head -n1), debootstrap $(dpkg-query -W -f='${Version}' debootstrap))"
