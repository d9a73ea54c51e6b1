#!/usr/bin/env bash
# Pacing against the fake Cloud API server (issue 16, "Done when"): heraldd with
# [provider] kind = "cloud_api" sends one campaign through 4 numbers at 80 msg/s each to the
# fake server (tests/support/fake_cloud_api_main.cc, --throughput 80: 130429 above 80 per number
# in one-second windows), which records when each accepted message arrived. Run by hand, never
# by CTest; results in bench/RESULTS.md. bench/pacing_analyse.py reads what each run leaves.
#
#   bench/pacing_bench.sh --scenario=steady|adaptive|pause [--runs=3] [--contacts=N]
#                         [--work=DIR] [--limit=40] [--change-after=20] [--pause-after=10]
#
# steady    every number's rate as the server counts it over a steady 60 s window, the most
#           messages of one number in any sliding and any aligned one-second window, 130429s.
# adaptive  --change-after seconds after the start the server lowers number 901's limit to
#           --limit (POST /_control throughput_by_number); the pacer's rate per second around
#           the change, the time to converge within 5 % of the new limit, and that nothing was
#           lost or sent twice (the server's records against the campaign's deliveries export).
# pause     --pause-after seconds after the start POST /v1/campaigns/1/pause; the gap from its
#           answer to the last request the server receives; then resume, and the same checks
#           that nothing was lost or sent twice.
#
# The numbers are established (POST /v1/senders without "warmup": no warm-up ramp), 80 msg/s,
# in an unlimited tier; the contacts are consenting German numbers, one delivery each. Each run
# starts both processes on a new directory (HERALD_BUILD_DIR, default build).
set -euo pipefail

cd "$(dirname "$0")/.."
build=${HERALD_BUILD_DIR:-build}
scenario="" runs=3 contacts="" work="" limit=40 change_after=20 pause_after=10
for arg in "$@"; do
  case $arg in
    --scenario=*) scenario=${arg#*=} ;;
    --runs=*) runs=${arg#*=} ;;
    --contacts=*) contacts=${arg#*=} ;;
    --work=*) work=${arg#*=} ;;
    --limit=*) limit=${arg#*=} ;;
    --change-after=*) change_after=${arg#*=} ;;
    --pause-after=*) pause_after=${arg#*=} ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
case $scenario in
  steady) contacts=${contacts:-25000} ;;  # 78 s at 320/s: a steady 60 s after a 5 s start
  adaptive) contacts=${contacts:-14000} ;;
  pause) contacts=${contacts:-8000} ;;
  *) echo "--scenario=steady|adaptive|pause is required" >&2; exit 2 ;;
esac
work=${work:-$(mktemp -d /tmp/herald-pacing-bench-XXXXXX)}
mkdir -p "$work"
token=pacing-bench-token-0123456789abcdef
cloud_token=pacing-bench-cloud-token
senders=(901 902 903 904)
csv="$work/contacts.csv"
{
  echo "phone,name,country,language,tags,consent_marketing,consent_marketing_source"
  for ((i = 0; i < contacts; i++)); do
    printf '+49151%08d,Kunde %d,DE,de,all,yes,bench\n' $((50000000 + i)) "$i"
  done
} >"$csv"

now_us() { date +%s%6N; }
# shellcheck source=bench/lib.sh
source bench/lib.sh
server_pid="" daemon_pid=""
cleanup() {
  [[ -n $daemon_pid ]] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" || true
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" || true
  daemon_pid="" server_pid=""
}
trap cleanup EXIT

run_dirs=()
for ((run = 1; run <= runs; run++)); do
  dir="$work/$scenario-run$run"
  rm -rf "$dir" && mkdir -p "$dir"
  run_dirs+=("$dir")
  echo "$token" >"$dir/admin.token" && chmod 600 "$dir/admin.token"
  echo "$cloud_token" >"$dir/cloud.token" && chmod 600 "$dir/cloud.token"

  "$build/tests/support/fake_cloud_api" --port 0 --token "$cloud_token" --throughput 80 \
    >"$dir/fake.port" 2>"$dir/fake.log" &
  server_pid=$!
  for _ in $(seq 1 100); do [[ -s $dir/fake.port ]] && break; sleep 0.05; done
  fake="http://127.0.0.1:$(head -1 "$dir/fake.port")"

  port=$((18700 + run))
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
[provider]
kind = "cloud_api"
[provider.cloud_api]
base_url = "$fake"
access_token_file = "$dir/cloud.token"
request_timeout = "5s"
TOML
  start_heraldd "$build/daemon/heraldd" "$dir" "$port" "$token"
  import_csv "$csv"
  for s in "${senders[@]}"; do
    curl -s -H "$auth" -X POST "$url/v1/senders" -d "{\"phone_number_id\":\"$s\",\
\"throughput\":80,\"messaging_limit_tier\":\"TIER_UNLIMITED\"}" >/dev/null
  done
  curl -s -H "$auth" -X PUT "$url/v1/templates/bench/de" -d '{"category":"MARKETING",
"status":"APPROVED","components":[{"type":"BODY","text":"Hallo {{1}}"}]}' >/dev/null
  curl -s -H "$auth" -X POST "$url/v1/campaigns" -d '{"name":"bench","segment":"tag:all",
"template":{"name":"bench","language":"de","parameters":["{{name}}"]}}' >/dev/null
  curl -s -H "$auth" -X POST "$url/v1/campaigns/1/start" >/dev/null
  started_us=$(now_us)
  events="\"scenario\":\"$scenario\",\"contacts\":$contacts,\"started_us\":$started_us"

  if [[ $scenario == adaptive ]]; then
    sleep "$change_after"
    before=$(now_us)
    curl -s -X POST "$fake/_control" -d "{\"throughput_by_number\":{\"901\":$limit}}" >/dev/null
    after=$(now_us)
    events+=",\"limited_number\":\"901\",\"limit\":$limit"
    events+=",\"change_sent_us\":$before,\"change_answered_us\":$after"
  elif [[ $scenario == pause ]]; then
    sleep "$pause_after"
    before=$(now_us)
    curl -s -H "$auth" -X POST "$url/v1/campaigns/1/pause" -d '{"reason":"bench"}' \
      >"$dir/pause.json"
    after=$(now_us)
    sleep 3
    curl -s "$fake/_stats" >"$dir/stats-paused.json"
    curl -s -H "$auth" "$url/v1/campaigns/1" >"$dir/campaign-paused.json"
    events+=",\"pause_sent_us\":$before,\"pause_answered_us\":$after"
    events+=",\"stats_read_us\":$(now_us)"
    curl -s -H "$auth" -X POST "$url/v1/campaigns/1/resume" >/dev/null
  fi
  while ! curl -s -H "$auth" "$url/v1/campaigns/1" | grep -q '"state":"completed"'; do sleep 0.5; done
  events+=",\"completed_seen_us\":$(now_us)"
  echo "{$events}" >"$dir/events.json"
  curl -s -H "$auth" "$url/v1/campaigns/1" >"$dir/campaign.json"
  curl -s -H "$auth" "$url/v1/campaigns/1/deliveries?format=jsonl" >"$dir/deliveries.jsonl"
  curl -s "$fake/_received" >"$dir/received.jsonl"
  curl -s "$fake/_refused" >"$dir/refused.jsonl"
  curl -s "$fake/_recipients" >"$dir/recipients.jsonl"
  curl -s "$fake/_stats" >"$dir/stats.json"
  cleanup
  python3 bench/pacing_analyse.py "$dir"
done
python3 bench/pacing_analyse.py --summary "${run_dirs[@]}"
