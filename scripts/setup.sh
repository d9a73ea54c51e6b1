#!/usr/bin/env bash
# Installs every Debian 12 package Herald needs to build, test and run. Idempotent; run as root
# (or through sudo). Nothing else is downloaded: every dependency is a Debian package.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git clang-format
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
  libphonenumber8 libprotobuf-dev libabsl-dev
  prometheus-cpp-dev  # the metrics registry (only its core library is linked)
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

# libphonenumber headers. Debian 12's libphonenumber-dev depends on libboost-thread-dev (Boost
# 1.74), which conflicts with libboost1.81-dev that Herald needs for Boost.JSON. The library does
# not use Boost (Debian builds it with POSIX threads; libphonenumber8 links no Boost library), so
# the runtime package is installed above and only the -dev package's headers are unpacked, from
# Debian's archive, into .deps/ in this checkout (nothing is installed outside apt's knowledge).
deps="$(cd "$(dirname "$0")/.." && pwd)/.deps"
if [ ! -f "$deps/libphonenumber/usr/include/phonenumbers/phonenumberutil.h" ]; then
  echo "setup: unpacking the libphonenumber-dev headers into $deps/libphonenumber"
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq libphonenumber-dev 2>/dev/null) \
    || { $SUDO apt-get update -qq && (cd "$tmp" && apt-get download -qq libphonenumber-dev); }
  rm -rf "$deps/libphonenumber"
  mkdir -p "$deps/libphonenumber"
  dpkg-deb -x "$tmp"/libphonenumber-dev_*.deb "$deps/libphonenumber"
  rm -rf "$tmp"
fi

# promtool, which lints /metrics in a test. Debian ships it only inside the prometheus server
# package, whose installation would also enable and start a Prometheus server (:9090) on a systemd
# host; so the package is downloaded from Debian's archive and promtool alone is unpacked into
# .deps/ (nothing runs, nothing is installed outside apt's knowledge).
if [ ! -x "$deps/prometheus/usr/bin/promtool" ]; then
  echo "setup: unpacking promtool from Debian's prometheus package into $deps/prometheus"
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq prometheus 2>/dev/null) \
    || { $SUDO apt-get update -qq && (cd "$tmp" && apt-get download -qq prometheus); }
  rm -rf "$deps/prometheus"
  mkdir -p "$deps/prometheus"
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/unpacked"
  mkdir -p "$deps/prometheus/usr/bin"
  cp "$tmp/unpacked/usr/bin/promtool" "$deps/prometheus/usr/bin/promtool"
  rm -rf "$tmp"
fi
