#!/usr/bin/env bash
# Installs what circom's C++ witness generator needs to build (`circom2 --c`, then
# `make` in the generated folder): nasm for its field assembly, GMP, and nlohmann's
# JSON headers. Optional: the benchmark measures the C++ witness only when these are
# present, and skips it (saying so in its results) otherwise.
#
# Idempotent: installs only the packages dpkg does not already list as installed.
# Needs root (or sudo) and the Debian package mirrors.
set -euo pipefail

packages=(nasm libgmp-dev nlohmann-json3-dev)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install_native_witness: ${packages[*]} already installed"
    exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
fi
echo "install_native_witness: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
