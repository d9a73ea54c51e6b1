#!/usr/bin/env bash
# Webhook ingestion (issue 17): signed status notifications per second that heraldd verifies,
# stores durably and answers 200, over loopback, and the answer times; then how fast the stored
# events are applied to deliveries behind it. Run by hand, never by CTest; results in
# bench/RESULTS.md.
#
#   bench/webhook_bench.sh [--events=100000] [--seconds=5] [--connections=32] [--threads=2]
#                          [--runs=3] [--work=DIR]
#   (the figures in bench/RESULTS.md: --connections=128)
#
# Each run: a new heraldd (HERALD_BUILD_DIR, default build) on a new database holding --events
# sent deliveries (written with sqlite3 before the start), and --events distinct notifications,
# one "delivered" status each for one of those deliveries, pre-signed with the app secret (the
# load generator does no HMAC). wrk (Debian package wrk; benchmarks are not part of the project's
# set-up) posts them with --connections kept-alive connections for --seconds, each body once
# (thread k sends bodies k, k + threads, ...), and reports requests/s and the latency
# distribution (--latency). Then the script polls GET /v1/webhooks until nothing is pending and
# reports events applied per second from the first request to the last one processed.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${HERALD_BUILD_DIR:-build}
events=100000 seconds=5 connections=32 threads=2 runs=3 work=""
for arg in "$@"; do
  case $arg in
    --events=*) events=${arg#*=} ;;
    --seconds=*) seconds=${arg#*=} ;;
    --connections=*) connections=${arg#*=} ;;
    --threads=*) threads=${arg#*=} ;;
    --runs=*) runs=${arg#*=} ;;
    --work=*) work=${arg#*=} ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
work=${work:-$(mktemp -d /tmp/herald-webhook-bench-XXXXXX)}
token=webhook-bench-token-0123456789ab
secret=webhook-bench-app-secret-0123456789

# The pre-signed bodies, one "signature body" per line, for wrk's script to read.
python3 - "$work/bodies.txt" "$events" "$secret" <<'PY'
import hashlib, hmac, sys
path, count, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
with open(path, "w") as out:
    for i in range(1, count + 1):
        body = ('{"object":"whatsapp_business_account","entry":[{"id":"WABA1","changes":[{"field":'
                '"messages","value":{"messaging_product":"whatsapp","metadata":{'
                '"display_phone_number":"4930123","phone_number_id":"901"},"statuses":[{"id":'
                '"wamid.bench.%d","status":"delivered","timestamp":"1767225600","recipient_id":'
                '"4915100000001","pricing":{"billable":true,"pricing_model":"PMP","category":'
                '"marketing","type":"regular"}}]}}]}]}' % i)
        sig = "sha256=" + hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
        out.write("%s %s\n" % (sig, body))
PY
cat >"$work/post.lua" <<LUA
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  bodies = {}
  for line in io.lines("$work/bodies.txt") do
    local signature, body = line:match("^(%S+) (.*)$")
    bodies[#bodies + 1] = {s = signature, b = body}
  end
  next_body = id
end
function request()
  local entry = bodies[next_body]
  if entry == nil then
    entry = bodies[1]  -- ran out: a replay (answered, not stored again)
  end
  next_body = next_body + $threads
  return wrk.format("POST", "/webhooks/whatsapp",
    {["X-Hub-Signature-256"] = entry.s, ["Content-Type"] = "application/json"}, entry.b)
end
LUA

# shellcheck source=bench/lib.sh
source bench/lib.sh
results=()
for ((run = 1; run <= runs; run++)); do
  dir="$work/run$run"
  rm -rf "$dir" && mkdir -p "$dir"
  echo "$token" >"$dir/admin.token" && chmod 600 "$dir/admin.token"
  echo "$secret" >"$dir/app.secret" && chmod 600 "$dir/app.secret"
  port=$((18700 + run))
  cat >"$dir/herald.toml" <<TOML
[server]
listen = "127.0.0.1:$port"
admin_token_file = "$dir/admin.token"
[storage]
path = "$dir/herald.db"
[log]
format = "text"
[webhooks]
app_secret_file = "$dir/app.secret"
TOML
  # The schema, then the deliveries the statuses belong to.
  start_heraldd "$build/daemon/heraldd" "$dir" "$port" "$token"
  kill -TERM "$daemon_pid" && wait "$daemon_pid" || true
  sqlite3 "$dir/herald.db" "BEGIN;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $events)
      INSERT INTO contacts (id, phone_e164, created_at, updated_at)
      SELECT i, '+49151' || printf('%08d', i), 0, 0 FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $events)
      INSERT INTO deliveries (id, contact_id, state, not_before, provider_message_id, sent_at,
                              created_at, updated_at)
      SELECT i, i, 'sent', 0, 'wamid.bench.' || i, 1000, 0, 0 FROM n;
    COMMIT;"
  start_heraldd "$build/daemon/heraldd" "$dir" "$port" "$token"
  # The same daemon's HTTP path alone (GET /healthz: no body, no storage), the ceiling beside
  # which the ingestion rate is read.
  healthz=$(wrk -t"$threads" -c"$connections" -d3s "$url/healthz" | awk '/Requests\/sec/ {print int($2)}')
  started=$(date +%s.%N)
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "$url" \
    >"$dir/wrk.txt"
  while :; do
    answer=$(curl -s -H "$auth" "$url/v1/webhooks?limit=1")
    pending=$(echo "$answer" | grep -o '"pending":[0-9]*' | cut -d: -f2)
    [[ $pending == 0 ]] && break
    sleep 0.05
  done
  applied_at=$(date +%s.%N)
  processed=$(echo "$answer" | grep -o '"processed":[0-9]*' | cut -d: -f2)
  delivered=$(sqlite3 "$dir/herald.db" "SELECT count(*) FROM deliveries WHERE state = 'delivered'")
  kill -TERM "$daemon_pid" && wait "$daemon_pid" || true
  rate=$(awk '/Requests\/sec/ {print int($2)}' "$dir/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$dir/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$dir/wrk.txt")
  errors=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$dir/wrk.txt" | awk '{print $NF}' || true)
  apply_rate=$(python3 -c "print(round($processed / ($applied_at - $started)))")
  echo "run $run: ingested $rate/s (p50 $p50, p99 $p99, non-2xx ${errors:-0}; GET /healthz" \
    "$healthz/s, ratio $(python3 -c "print(round($rate / $healthz, 2))")); stored and" \
    "processed $processed, deliveries now delivered $delivered; applied $apply_rate/s from the" \
    "first request to the last processed"
  results+=("$rate")
done
printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR] = $1} END {print "median:", a[int((NR + 1) / 2)], "requests/s"}'
