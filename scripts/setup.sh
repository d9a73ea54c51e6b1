#!/usr/bin/env bash
# Installs every Debian 12 package Herald needs to build, test and run. Idempotent; run as root
# (or through sudo). Nothing else is downloaded: every dependency is a Debian package.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev sqlite3
  libcurl4-openssl-dev
  libre2-dev
  libhowardhinnant-date-dev tzdata
  libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libtomlplusplus-dev
  libutf8proc-dev
  libssl-dev
  libsystemd-dev systemd
  libcli11-dev
  libroaring-dev
  curl
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
else
  echo "setup: all packages present"
fi
