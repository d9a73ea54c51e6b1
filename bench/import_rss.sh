#!/usr/bin/env bash
# The daemon's memory during a large contact import through the real HTTP API (issue 14: peak RSS
# under 100 MB for a 200 MB file). Run by hand, not by CTest:
#   bench/import_rss.sh [ROWS] [RUNS]      (default 3,600,000 rows ≈ 200 MB, 1 run)
# Generates the CSV once, then per run: starts build/daemon/heraldd on a new database, records its
# idle RSS, uploads the file with curl, samples VmRSS every 50 ms until the import is no longer
# running, waits 5 s, and prints idle, peak (VmHWM), steady RSS, and rows/s.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-3600000}
runs=${2:-1}
work=$(mktemp -d /tmp/herald-rss-XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=0

csv="$work/contacts.csv"
echo "generating $rows rows..."
awk -v n="$rows" 'BEGIN {
  print "phone,name,tags,country,language,consent_marketing,plan,customer_since";
  split("vip;newsletter|vip|newsletter|churned;newsletter|", tags, "|");
  for (i = 0; i < n; i++) {
    printf "+49151%08d,Person Number %d,%s,DE,de,%s,%s,2021-%02d-%02d\n", i, i, tags[i % 5 + 1],
           (i % 3 ? "yes" : "no"), (i % 7 ? "silver" : "gold"), i % 12 + 1, i % 28 + 1;
  }
}' >"$csv"
bytes=$(stat -c %s "$csv")
echo "file: $bytes bytes"

token=rss-bench-token-0123456789abcdef
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

for run in $(seq 1 "$runs"); do
  dir="$work/run$run"
  mkdir -p "$dir"
  echo "$token" >"$dir/admin.token"
  port=$((20000 + RANDOM % 20000))
  cat >"$dir/herald.toml" <<EOF
[server]
listen = "127.0.0.1:$port"
admin_token_file = "$dir/admin.token"
max_import_size = "1GiB"
[storage]
path = "$dir/herald.db"
[log]
format = "text"
EOF
  build/daemon/heraldd --config "$dir/herald.toml" 2>"$dir/heraldd.log" &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  sleep 1
  idle=$(rss_kb "$pid")
  peak_sampled=$idle
  start=$(date +%s.%N)
  id=$(curl -sf -X POST -H "Authorization: Bearer $token" -H "Content-Type: text/csv" \
    --data-binary @"$csv" "http://127.0.0.1:$port/v1/contacts/imports?format=csv" |
    sed -E 's/.*"id":"([^"]+)".*/\1/')
  state=running
  while [ "$state" = running ]; do
    now=$(rss_kb "$pid")
    [ "$now" -gt "$peak_sampled" ] && peak_sampled=$now
    sleep 0.05
    status=$(curl -sf -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/v1/contacts/imports/$id")
    state=$(echo "$status" | sed -E 's/.*"state":"([^"]+)".*/\1/')
  done
  end=$(date +%s.%N)
  created=$(echo "$status" | sed -E 's/.*"created":([0-9]+).*/\1/')
  sleep 5
  steady=$(rss_kb "$pid")
  hwm=$(hwm_kb "$pid")
  kill -TERM "$pid"
  wait "$pid" || true
  awk -v r="$run" -v s="$state" -v c="$created" -v i="$idle" -v p="$peak_sampled" -v h="$hwm" \
    -v st="$steady" -v t0="$start" -v t1="$end" 'BEGIN {
    printf "run %d: %s, %d created in %.1f s (%.0f rows/s, upload included); RSS idle %.1f MB, peak %.1f MB (sampled) / %.1f MB (VmHWM), steady %.1f MB\n",
      r, s, c, t1 - t0, c / (t1 - t0), i / 1024, p / 1024, h / 1024, st / 1024 }'
done
