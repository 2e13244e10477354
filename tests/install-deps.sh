#!/bin/sh
# Installs what building and testing pam_resgrid needs on Debian 12 or
# later.  Asks apt only when something is missing, so a prepared machine
# needs no network.
set -eu

packages="build-essential autoconf automake libtool pkg-config
  libpam0g-dev libpam-modules libcurl4-openssl-dev libjansson-dev
  libcrypt-dev libssl-dev check python3 openssl ca-certificates
  libnss-wrapper clang-format scdoc man-db groff-base
  clang libclang-rt-dev clang-tidy cppcheck valgrind"

# The end-to-end tests' real clients and servers.
packages="$packages openssh-server openssh-client sudo sshpass pamtester"

# Building the Debian package and installing it into a debootstrap root.
packages="$packages debhelper dpkg-dev fakeroot lintian debootstrap
  debian-archive-keyring"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing:$missing (run as root to install)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
