#!/usr/bin/env bash
# Installs the Debian tools the tests need when they are missing (run by `npm test` and CI):
# chromium for the browser tests, the ARM cross-compiler, newlib and QEMU for the firmware
# tests, sox and espeak-ng to make test audio, gcc for compile-and-compare.
set -euo pipefail
PKGS="chromium chromium-driver gcc gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm sox espeak-ng"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "ensure-tools: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
