#!/usr/bin/env bash
# A 1M-recipient campaign on the sandbox provider (issue 16, "Done when"): how long the audience
# takes to write, and the daemon's memory during the import and during the campaign, measured
# apart. Run by hand, never by CTest; results in bench/RESULTS.md.
#
#   bench/audience_bench.sh [--contacts=1000000] [--senders=6] [--runs=3] [--work=DIR] [--keep]
#
# The CSV (--contacts consenting German mobile numbers, tag "all") is written once by awk. Each
# run, on a new directory:
#   1. import phase: heraldd (HERALD_BUILD_DIR, default build) on a new database; the CSV
#      uploaded to POST /v1/contacts/imports and polled until it is no longer "running"; the
#      senders (--senders numbers at 10,000 msg/s, unlimited tier) and an approved template added;
#      then SIGTERM. VmRSS sampled every 100 ms; VmHWM read before the stop.
#   2. campaign phase: a fresh heraldd on the same database (so the import's memory is not
#      counted), the sandbox's limits out of the way as in bench/send_bench.sh (throughput
#      100000/s, 1 ms latency, no pair rate, statuses an hour later); idle RSS once ready + 2 s;
#      one campaign to everyone with a personalised value, started and polled until completed.
#      VmRSS sampled every 100 ms; VmHWM read before the stop.
# Reported per run:
#   import_s / import_hwm_mb   202 to the import's end; the import daemon's VmHWM
#   idle_mb                    the campaign daemon's RSS before the campaign
#   forecast_ms                POST /v1/forecasts {"campaign":1} before the start (the segment
#                              evaluated, costs and the timeline simulated): median of three
#   audience_s                 the campaign's started_at to the log line campaign_audience_written
#                              (every delivery written and committed; sending runs meanwhile)
#   send_s / per_s             started_at to finished_at; deliveries / send_s
#   campaign_peak_mb / hwm_mb  highest sampled RSS and VmHWM of the campaign daemon
# The median of each column is printed last.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${HERALD_BUILD_DIR:-build}
contacts=1000000 senders=6 runs=3 work="" keep=0
for arg in "$@"; do
  case $arg in
    --contacts=*) contacts=${arg#*=} ;;
    --senders=*) senders=${arg#*=} ;;
    --runs=*) runs=${arg#*=} ;;
    --work=*) work=${arg#*=} ;;
    --keep) keep=1 ;;
    *) sed -n '2,8p' "$0" >&2; exit 2 ;;
  esac
done
for tool in curl jq awk python3; do
  command -v $tool >/dev/null || { echo "audience_bench: needs $tool" >&2; exit 1; }
done
heraldd=$(realpath "$build/daemon/heraldd")
[ -x "$heraldd" ] || { echo "audience_bench: build $heraldd first" >&2; exit 1; }
work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/herald-audience-bench-XXXXXX")}
mkdir -p "$work"
token=audience-bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
auth="Authorization: Bearer $token"
daemon_pid="" sampler_pid=""

cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  if [ "$keep" = 0 ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
kb_of() {  # kb_of PID FIELD: a field of /proc/PID/status in kB
  local key value rest
  while read -r key value rest; do
    [ "$key" = "$2:" ] && { echo "$value"; return; }
  done <"/proc/$1/status"
}
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

# start_sampler FILE: "ms rss_kb" lines every 100 ms until stopped or the daemon is gone.
start_sampler() {
  python3 - "$daemon_pid" "$1" <<'PY' &
import sys, time
pid, out = sys.argv[1], open(sys.argv[2], "a", buffering=1)
while True:
    try:
        with open(f"/proc/{pid}/status") as status:
            rss = next(l.split()[1] for l in status if l.startswith("VmRSS:"))
    except (OSError, StopIteration):
        break
    out.write(f"{int(time.time() * 1000)} {rss}\n")
    time.sleep(0.1)
PY
  sampler_pid=$!
}
stop_sampler() { kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""; }
peak_of() { awk '$2 > m { m = $2 } END { print m + 0 }' "$1"; }

# start_daemon DIR WITH_SANDBOX_LIMITS: sets daemon_pid and url.
start_daemon() {
  local dir=$1
  cat >"$dir/herald.toml" <<TOML
[server]
listen = "127.0.0.1:0"
admin_token_file = "$dir/admin.token"
max_import_size = "1GiB"
read_timeout = "10m"
[storage]
path = "$dir/herald.db"
[log]
format = "text"
# Any hour: a run at night must not be held by the recipients' quiet hours.
[compliance.quiet_hours]
default = "00:00-24:00"
[compliance.quiet_hours.countries]
US = "00:00-24:00"
[provider.sandbox]
throughput = 100000
latency = "1ms"
pair_interval = "0s"
status_delay = "1h"
TOML
  : >"$dir/heraldd.log"
  "$heraldd" --config "$dir/herald.toml" 2>>"$dir/heraldd.log" >&2 &
  daemon_pid=$!
  local listen=""
  for _ in $(seq 1 600); do
    listen=$(sed -n 's/.*event=ready listen="\{0,1\}\([^" ]*\).*/\1/p' "$dir/heraldd.log" | tail -1)
    [ -n "$listen" ] && break
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$dir/heraldd.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$listen" ] || { echo "audience_bench: heraldd did not become ready" >&2; exit 1; }
  url="http://$listen"
}
stop_daemon() { kill -TERM "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=""; }
api() { curl -sS -H "$auth" "$@"; }
seconds_between() {  # seconds_between FROM TO: two RFC 3339 instants
  python3 -c "from datetime import datetime as d; t = lambda s: d.fromisoformat(s.replace('Z', '+00:00'));
print(round((t('$2') - t('$1')).total_seconds(), 2))"
}
# The instant of the first line of log $1 holding $2 (text log: "2026-12-04T15:10:24.123+00:00 …").
log_instant() { grep -m1 -- "$2" "$1" | cut -d' ' -f1; }

csv="$work/contacts.csv"
echo "generating $contacts contacts" >&2
awk -v n="$contacts" 'BEGIN {
  print "phone,name,country,language,tags,consent_marketing,consent_marketing_source"
  for (i = 0; i < n; i++) printf "+49151%08d,Kunde %d,DE,de,all,yes,bench\n", 40000000 + i, i
}' >"$csv"

printf 'run\timport_s\timport_hwm_mb\tidle_mb\tforecast_ms\taudience_s\tsend_s\tper_s\tcampaign_peak_mb\tcampaign_hwm_mb\n' |
  tee "$work/results.tsv"
for ((run = 1; run <= runs; run++)); do
  dir="$work/run$run"
  rm -rf "$dir" && mkdir -p "$dir"
  echo "$token" >"$dir/admin.token" && chmod 600 "$dir/admin.token"

  # 1. Import phase.
  start_daemon "$dir"
  start_sampler "$dir/rss_import.txt"
  t0=$(now_ms)
  import=$(api -H 'Content-Type: text/csv' -X POST "$url/v1/contacts/imports?format=csv" \
    --data-binary @"$csv" | jq -er .id)
  t1=$(now_ms)
  while api "$url/v1/contacts/imports/$import" | grep -q '"state":"running"'; do sleep 0.2; done
  t2=$(now_ms)
  api "$url/v1/contacts/imports/$import" | grep -q '"state":"completed"' ||
    { echo "audience_bench: import did not complete" >&2; exit 1; }
  for ((s = 1; s <= senders; s++)); do
    api -X POST "$url/v1/senders" -d "{\"phone_number_id\":\"90$s\",\
\"throughput\":10000,\"messaging_limit_tier\":\"TIER_UNLIMITED\"}" >/dev/null
  done
  api -X PUT "$url/v1/templates/bench/de" -d '{"category":"MARKETING",
"status":"APPROVED","components":[{"type":"BODY","text":"Hallo {{1}}"}]}' >/dev/null
  import_hwm=$(kb_of "$daemon_pid" VmHWM)
  stop_sampler
  stop_daemon
  import_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", (b - a) / 1000 }')

  # 2. Campaign phase, on a fresh daemon.
  start_daemon "$dir"
  start_sampler "$dir/rss_campaign.txt"
  sleep 2
  idle=$(kb_of "$daemon_pid" VmRSS)
  api -X POST "$url/v1/campaigns" -d '{"name":"bench","segment":"tag:all",
"template":{"name":"bench","language":"de","parameters":["{{name}}"]}}' >/dev/null
  # The forecast with its timeline, before the start (from the segment): the median of three.
  forecast_ms=$(for i in 1 2 3; do
    api -o "$dir/forecast.json" -w '%{time_total}\n' -X POST "$url/v1/forecasts" -d '{"campaign":1}'
  done | sort -n | sed -n 2p | awk '{ printf "%.0f", $1 * 1000 }')
  jq -e '.timeline.sent > 0' "$dir/forecast.json" >/dev/null ||
    { echo "audience_bench: the forecast has no timeline" >&2; exit 1; }
  api -X POST "$url/v1/campaigns/1/start" >/dev/null
  while ! api "$url/v1/campaigns/1" | grep -q '"state":"completed"'; do sleep 0.5; done
  answer=$(api "$url/v1/campaigns/1")
  campaign_hwm=$(kb_of "$daemon_pid" VmHWM)
  stop_sampler
  stop_daemon
  started=$(jq -r .started_at <<<"$answer")
  finished=$(jq -r .finished_at <<<"$answer")
  sent=$(jq -r '.deliveries.sent // .counts.sent // 0' <<<"$answer")
  written=$(log_instant "$dir/heraldd.log" event=campaign_audience_written)
  audience_s=$(seconds_between "$started" "$written")
  send_s=$(seconds_between "$started" "$finished")
  per_s=$(python3 -c "print(round($sent / $send_s))")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$import_s" "$(mb "$import_hwm")" \
    "$(mb "$idle")" "$forecast_ms" "$audience_s" "$send_s" "$per_s" "$(mb "$(peak_of "$dir/rss_campaign.txt")")" \
    "$(mb "$campaign_hwm")" | tee -a "$work/results.tsv"
  rm -f "$dir"/herald.db*
done
awk -F'\t' 'NR > 1 { for (c = 2; c <= NF; c++) v[c, NR] = $c; rows = NR; cols = NF }
END {
  line = "median"
  for (c = 2; c <= cols; c++) {
    n = 0
    for (r = 2; r <= rows; r++) a[++n] = v[c, r]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    line = line "\t" a[int((n + 1) / 2)]
  }
  print line
}' "$work/results.tsv"
