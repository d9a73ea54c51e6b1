#!/usr/bin/env bash
# Installs the dependencies, builds everything and runs every test (GoogleTest through CTest).
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure --parallel "$(nproc)" --timeout 300
