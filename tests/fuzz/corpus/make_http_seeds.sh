#!/usr/bin/env bash
# Writes the seed corpus of tests/fuzz/http_fuzz.cc into tests/fuzz/corpus/http/: one realistic
# request per file, in the fuzzer's input format (see the top of http_fuzz.cc). Byte 0 is the
# route's index in kRoutes there: keep the numbers below in step with that list.
# Usage: tests/fuzz/corpus/make_http_seeds.sh
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/http"
rm -rf "$out"
mkdir -p "$out"

# seed NAME ROUTE FLAGS TEXT: TEXT is printf'd after the two bytes (lines: see http_fuzz.cc).
seed() { printf "\\x$(printf %02x "$2")\\x$(printf %02x "$3")$4" >"$out/$1"; }

# flags 0x00: the route's method, "Bearer <token>", params as written, no actor line.
# flags 0x40: the same with an X-Herald-Actor line after the query line.
# flags 0x20: params percent-encoded. flags 0x18: Authorization from a line (first).
seed healthz 0 0x00 ''
seed readyz 1 0x00 ''
seed metrics 2 0x00 ''
seed status 3 0x00 ''
seed status-no-token 3 0x18 'Bearer wrong\n'
seed import-csv 4 0x40 'default_region=DE&consent_source=web\nmaria@example.com\nphone,name,tags,country,language,consent_marketing,plan\n+4915112345678,Anna,vip;de,DE,de,yes,gold\n015112345679,Ben,,DE,de,no,\n+33612345678,"Chloé, L.",fr|vip,FR,fr,true,silver\nnot-a-number,Bad,,,,,\n'
seed import-jsonl 4 0x00 'format=jsonl&default_region=FR&replace_tags=true\n{"phone":"+33612345670","name":"Dora","tags":["vip"],"attributes":{"orders":"3"}}\n{"phone":"06 12 34 56 71","language":"fr"}\n{"name":"no phone"}\n'
seed imports-list 5 0x00 'limit=5'
seed import-status 6 0x00 '1\n'
seed import-rejects 7 0x00 '1\n'
seed contact-get 8 0x00 '4915112345678\n'
seed contact-get-encoded 8 0x20 '+4915112345678\n'
seed contact-erase 9 0x40 '%%2B4915112345679\nreason=TICKET-4%%3A+GDPR+request\ndpo@example.com\n'
seed contact-tags 10 0x00 '+33612345678\n\n{"add":["vip","newsletter"],"remove":["churned"]}'
seed tags-apply-segment 11 0x00 '\n{"add":["spring"],"segment":"tag:vip AND country:DE"}'
seed tags-apply-phones 11 0x00 '\n{"remove":["vip"],"phones":["+4915112345678","+10000000000"]}'
seed tag-rename 12 0x00 'vip\n\n{"to":"premium"}'
seed tag-delete 13 0x00 'spring\n'
seed segment-preview 14 0x00 '\n{"expression":"tag:vip AND country:DE AND NOT tag:churned","sample":3}'
seed segment-preview-language 14 0x00 '\n{"expression":"(language:fr OR opted_in:marketing) AND attr.plan = \\"gold\\" AND last_inbound < 7d"}'
seed segment-export 15 0x00 '\n{"expression":"tag:vip OR country:FR OR attr.orders >= 2"}'
seed segments-list 16 0x00 ''
seed segment-get 17 0x00 'de-vip\n'
seed segment-put 18 0x40 'de-vip\n\nmarketing@example.com\n{"expression":"country:DE and tag:vip"}'
seed segment-delete 19 0x00 'de-vip\n'
seed wordlists 20 0x00 ''
seed wordlist-get 21 0x00 'de\nversion=1'
seed wordlist-versions 22 0x00 'de\n'
seed wordlist-csv-get 23 0x00 'en\n'
seed wordlist-csv-put 24 0x40 'promo-de\nmode=merge&reason=TICKET-12\nofficer@example.com\nterm,match,severity,note\nkostenlos,word,block,spam trigger\n"sie haben gewonnen",phrase,block,\nkrypto,prefix,review,\n"\\d\\d+\\s?%% off",regex,review,"discount claim"\n'
seed wordlist-create 25 0x40 '\nofficer@example.com\n{"name":"promo-de","language":"de","reason":"TICKET-12: spring campaign terms"}'
seed wordlist-add 26 0x00 'promo-de\n\n{"terms":[{"term":"gratis","match":"word","severity":"block","note":"x"},{"term":"gewinn","match":"prefix","severity":"review"}],"reason":"TICKET-8"}'
seed wordlist-remove 27 0x00 'promo-de\n\n{"terms":[{"term":"gratis","match":"word"}],"reason":"TICKET-9"}'
seed wordlist-test 28 0x00 '\n{"text":"Jetzt KOSTENLOS testen, Krypto-Gewinne!","language":"de"}'
seed templates 29 0x00 ''
seed template-put 30 0x00 'order_update\nde\n\n{"category":"UTILITY","status":"APPROVED","components":[{"type":"BODY","text":"Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs"}],"platform_id":"123"}'
seed template-put-named 30 0x00 'spring_sale\npt-br\n\n{"category":"MARKETING","status":"APPROVED","components":[{"type":"HEADER","format":"TEXT","text":"Oi"},{"type":"BODY","text":"Oi {{first_name}}!"},{"type":"FOOTER","text":"Sair: STOP"}]}'
# free targets (byte 0 >= 0xF0): the target is the first line
seed free-unknown 240 0x00 '/v1/nothing/here?x=1\n'
seed free-method 240 0x07 'OPTIONS\n/v1/segments\n'
