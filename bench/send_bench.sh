#!/usr/bin/env bash
# The send path end to end (issue 16): deliveries decided, paced, handed over and durably
# recorded per second. Run by hand, never by CTest; results in bench/RESULTS.md.
#
#   bench/send_bench.sh [--contacts=100000] [--senders=6] [--runs=3] [--work=DIR]
#                       [--provider=sandbox|cloud_api] [--connections=64] [--perf=FILE]
#
# Each run starts heraldd (HERALD_BUILD_DIR, default build) on a new directory, imports
# --contacts consenting German numbers, adds --senders numbers at 10,000 msg/s each (the most a
# number may have) in an unlimited tier, an approved template, and starts a campaign to everyone
# with a personalised value. The provider's limits are out of the way:
#   sandbox    throughput 100000/s per number, 1 ms latency, no pair rate, statuses an hour later;
#   cloud_api  the fake Cloud API server (tests/support/fake_cloud_api_main.cc) on loopback, no
#              limits, not recording; before heraldd, wrk (Debian package wrk) drives the same
#              server for 10 s with --connections kept-alive connections and one realistic
#              message, and the run's ratio heraldd / wrk is printed.
# Reported per run, from the campaign's own timestamps (started_at → finished_at): deliveries,
# seconds, deliveries/s; the daemon's CPU time per delivery over the campaign; and its VmHWM
# (peak RSS) at the end. The median run is printed last. With --perf, `perf record -g` samples
# heraldd from the start to the end of each campaign into FILE.runN (read with `perf report -i`).
set -euo pipefail

cd "$(dirname "$0")/.."
build=${HERALD_BUILD_DIR:-build}
contacts=100000 senders=6 runs=3 work="" provider=sandbox connections=64 perf=""
for arg in "$@"; do
  case $arg in
    --contacts=*) contacts=${arg#*=} ;;
    --senders=*) senders=${arg#*=} ;;
    --runs=*) runs=${arg#*=} ;;
    --work=*) work=${arg#*=} ;;
    --provider=*) provider=${arg#*=} ;;
    --connections=*) connections=${arg#*=} ;;
    --perf=*) perf=${arg#*=} ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
work=${work:-$(mktemp -d /tmp/herald-send-bench-XXXXXX)}
token=send-bench-token-0123456789abcdef
cloud_token=send-bench-cloud-token-0123456789
csv="$work/contacts.csv"
{
  echo "phone,name,country,language,tags,consent_marketing,consent_marketing_source"
  for ((i = 0; i < contacts; i++)); do
    printf '+49151%08d,Kunde %d,DE,de,all,yes,bench\n' $((40000000 + i)) "$i"
  done
} >"$csv"

# shellcheck source=bench/lib.sh
source bench/lib.sh
results=()
for ((run = 1; run <= runs; run++)); do
  dir="$work/run$run"
  rm -rf "$dir" && mkdir -p "$dir"
  echo "$token" >"$dir/admin.token" && chmod 600 "$dir/admin.token"
  port=$((18600 + run))
  cat >"$dir/herald.toml" <<TOML
[server]
listen = "127.0.0.1:$port"
admin_token_file = "$dir/admin.token"
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
  wrk_rate=""
  if [[ $provider == cloud_api ]]; then
    "$build/tests/support/fake_cloud_api" --no-record --token "$cloud_token" >"$dir/fake.port" \
      2>"$dir/fake.log" &
    fake=$!
    for _ in $(seq 1 100); do [[ -s $dir/fake.port ]] && break; sleep 0.05; done
    fake_url="http://127.0.0.1:$(head -1 "$dir/fake.port")"
    echo "$cloud_token" >"$dir/cloud.token" && chmod 600 "$dir/cloud.token"
    cat >>"$dir/herald.toml" <<TOML
[provider]
kind = "cloud_api"
[provider.cloud_api]
base_url = "$fake_url"
access_token_file = "$dir/cloud.token"
TOML
    cat >"$dir/wrk.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $cloud_token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"messaging_product":"whatsapp","recipient_type":"individual","to":"4915140000001",'
  .. '"type":"template","template":{"name":"bench","language":{"code":"de"},"components":'
  .. '[{"type":"body","parameters":[{"type":"text","text":"Kunde 1"}]}]},'
  .. '"biz_opaque_callback_data":"1"}'
LUA
    wrk_rate=$(wrk -t1 -c"$connections" -d10s -s "$dir/wrk.lua" "$fake_url/v23.0/901/messages" |
      awk '/Requests\/sec/ {print int($2)}')
  fi
  start_heraldd "$build/daemon/heraldd" "$dir" "$port" "$token"
  pid=$daemon_pid
  import_csv "$csv"
  for ((s = 1; s <= senders; s++)); do
    curl -s -H "$auth" -X POST "$url/v1/senders" -d "{\"phone_number_id\":\"90$s\",\
\"throughput\":10000,\"messaging_limit_tier\":\"TIER_UNLIMITED\"}" >/dev/null
  done
  curl -s -H "$auth" -X PUT "$url/v1/templates/bench/de" -d '{"category":"MARKETING",
"status":"APPROVED","components":[{"type":"BODY","text":"Hallo {{1}}"}]}' >/dev/null
  curl -s -H "$auth" -X POST "$url/v1/campaigns" -d '{"name":"bench","segment":"tag:all",
"template":{"name":"bench","language":"de","parameters":["{{name}}"]}}' >/dev/null
  cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
  ticks_before=$(cpu_ticks)
  if [[ -n $perf ]]; then
    perf record -g -q -o "$perf.run$run" -p "$pid" 2>/dev/null &
    perf_pid=$!
    sleep 0.2
  fi
  curl -s -H "$auth" -X POST "$url/v1/campaigns/1/start" >/dev/null
  while ! curl -s -H "$auth" "$url/v1/campaigns/1" | grep -q '"state":"completed"'; do sleep 0.5; done
  answer=$(curl -s -H "$auth" "$url/v1/campaigns/1")
  if [[ -n $perf ]]; then kill -INT "$perf_pid" && wait "$perf_pid" || true; fi
  ticks_after=$(cpu_ticks)
  hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid" && wait "$pid" || true
  if [[ $provider == cloud_api ]]; then kill -TERM "$fake" && wait "$fake" || true; fi
  started=$(echo "$answer" | json_field started_at)
  finished=$(echo "$answer" | json_field finished_at)
  sent=$(echo "$answer" | grep -o '"sent":[0-9]*' | head -1 | cut -d: -f2)
  seconds=$(python3 -c "from datetime import datetime as d; f='%Y-%m-%dT%H:%M:%S.%fZ';
print((d.strptime('$finished', f) - d.strptime('$started', f)).total_seconds())")
  rate=$(python3 -c "print(round($sent / $seconds))")
  # The daemon's CPU time (all threads) from the start to the end of the campaign, per delivery:
  # less sensitive than the rate to what else the machine runs.
  cpu_us=$(python3 -c "print(round(($ticks_after - $ticks_before) * 1e6 / $(getconf CLK_TCK) / $sent, 1))")
  echo "run $run: sent $sent in $seconds s = $rate deliveries/s, $cpu_us CPU us/delivery," \
    "peak RSS $((hwm_kb / 1024)) MB${wrk_rate:+, wrk $wrk_rate req/s, ratio $(python3 -c \
    "print(round($rate / $wrk_rate, 2))")}"
  results+=("$rate")
done
printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR] = $1} END {print "median:", a[int((NR + 1) / 2)], "deliveries/s"}'
