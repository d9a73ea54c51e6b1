#!/usr/bin/env bash
# The main job on the embedded defaults (SQLite, no config file): installs the dependencies,
# builds, starts heraldd, shows it healthy through the herald client, imports contacts, builds
# segments, tests message texts against the word lists, sends a campaign on the sandbox provider
# and shows who got what and why not, and stops it cleanly.
# State lives in ./demo-state (delete it to start over).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh

root=$(pwd)
state="$root/demo-state"
mkdir -p "$state"
log="$state/heraldd.log"
heraldd="$root/build/daemon/heraldd"
herald="$root/build/cli/herald"
url="http://127.0.0.1:8420"

echo "== starting heraldd on the embedded defaults (state in $state)"
(cd "$state" && exec "$heraldd") 2>"$log" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if "$herald" --url "$url" status >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "heraldd exited early:"; cat "$log"; exit 1
  fi
  sleep 0.1
done

export HERALD_URL="$url"
cli=("$herald" --token-file "$state/admin.token")

echo "== herald status"
"${cli[@]}" status

echo "== import demo/contacts.csv (three rows are wrong on purpose)"
"${cli[@]}" contacts import demo/contacts.csv --default-region DE --rejects "$state/rejects.csv"
echo "-- rejected rows, with line and reason ($state/rejects.csv):"
cat "$state/rejects.csv"

echo "== segment: tag:vip AND opted_in:marketing AND NOT tag:churned"
"${cli[@]}" segment preview 'tag:vip AND opted_in:marketing AND NOT tag:churned' --sample 5

echo "== segment: German speakers with at least 3 orders"
"${cli[@]}" segment count 'lang:de AND attr.orders >= 3'
"${cli[@]}" segment save 'de-loyal' 'lang:de AND attr.orders >= 3'

echo "== a typo is reported with its position"
"${cli[@]}" segment count 'tag:vip AND (country:DE' || true

echo "== compliance: the word lists (starter lists on first start) and a message text tested"
"${cli[@]}" words list
# Exit 1 means "would be blocked", which is the point of this example.
"${cli[@]}" words test 'Herzlichen Glückwunsch, Sie haben gewonnen! K.o.s.t.e.n.l.o.s, nur heute' \
  --language de || true
"${cli[@]}" words test 'Ihre Bestellung 4711 ist unterwegs' --language de
"${cli[@]}" words add global 'gratisgeld' --severity block --note 'demo term' \
  --reason 'demo: an officer adds a term'
"${cli[@]}" words test 'Jetzt g.r.a.t.i.s.g.e.l.d sichern' --language en || true
"${cli[@]}" words history global

echo "== sending on the sandbox provider: a sender number, an approved template, a campaign"
sender=100000000000001
"${cli[@]}" senders show "$sender" >/dev/null 2>&1 ||
  "${cli[@]}" senders add "$sender" --display "+49 30 1234567" --portfolio demo --tier TIER_2K
"${cli[@]}" templates put vip_offer de --category MARKETING --status APPROVED \
  --components '[{"type":"BODY","text":"Hallo {{1}}, Ihr Code: {{2}}"}]'
campaign=$("${cli[@]}" --json campaigns create "VIP offer" \
  --segment 'tag:vip AND NOT tag:churned' --template vip_offer --language de \
  --param '{{name}}' --param '{{attr.code|VIP10}}' --start | grep -m1 '"id"' | tr -dc '0-9')
sleep 3
"${cli[@]}" campaigns show "$campaign"
echo "-- who got what, and why not (quiet hours wait, they do not skip):"
"${cli[@]}" campaigns deliveries "$campaign"
echo "-- would a text go to Anna now, and if not, why?"
"${cli[@]}" messages check +4915112345678 --text 'Ihre Bestellung ist unterwegs' || true
"${cli[@]}" senders show "$sender"

echo "== stopping heraldd (SIGTERM)"
kill -TERM "$pid"
trap - EXIT
code=0
wait "$pid" || code=$?
echo "== heraldd log"
cat "$log"
if [ "$code" -ne 0 ]; then echo "heraldd exited with $code"; exit 1; fi
echo "== heraldd stopped cleanly (exit 0)"
