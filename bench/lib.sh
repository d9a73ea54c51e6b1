# Shell functions shared by the benchmark scripts that drive heraldd over its API
# (send_bench.sh, pacing_bench.sh). Sourced, never run.

# The first "KEY":"value" of a JSON text on stdin, as the value (no escapes: ids and timestamps).
json_field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }

# start_heraldd BINARY DIR PORT TOKEN: starts heraldd on DIR/herald.toml (stderr to
# DIR/heraldd.log) and waits until /healthz answers; sets daemon_pid, url and auth.
start_heraldd() {
  "$1" --config "$2/herald.toml" 2>"$2/heraldd.log" &
  daemon_pid=$!
  url="http://127.0.0.1:$3"
  auth="Authorization: Bearer $4"
  for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
}

# import_csv FILE: imports the contacts of FILE through the API started by start_heraldd and
# waits until the import is no longer running.
import_csv() {
  local import
  import=$(curl -s -H "$auth" -X POST "$url/v1/contacts/imports?format=csv" --data-binary @"$1" |
    json_field id)
  while curl -s -H "$auth" "$url/v1/contacts/imports/$import" | grep -q '"state":"running"'; do
    sleep 0.5
  done
}
