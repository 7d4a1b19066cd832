# rp-latency-check end to end: real redis-server, fake batchy, fake PagerDuty.
# Sourced by tests/run-tests.sh (see tests/lib.sh for the helpers).

CFG="$WORK/latency.cfg"
CL="$WORK/latency.yaml"
write_config "$CFG" lat
cat >"$CL" <<'EOC'
nightly_orders_latency:
    type: batchy
    pd_description: "intraday latency check for orders"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "orders_intraday"
    check_time: "09:00"
    poll_sec: 180
    latency_min: 60
ghost_latency:
    type: batchy
    pd_description: "a workflow whose scheduler is down"
    pd_service: 'abcdefabcdefabcdefabcdefabcdef12'
    wf_name: "ghost wf/1"
    check_time: 09:00
    poll_sec: 60
    latency_min: 30
    unknown_after: 3
daily_vendor_email:
    type: email
    pd_description: "vendor report"
    pd_service: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
    senders: ['reports@vendor.example']
    delivery_time: 03:00
    check_time: 03:15
    subjects:
        - "Daily report"
EOC
lat() { rp rp-latency-check -f "$CFG" -y "$CL" -c nightly_orders_latency "$@"; }
hits() { curl -s "http://127.0.0.1:$BATCHY_PORT/_hits/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"])'; }
pd_reset
KEY=nightly_orders_latency/overdue@2026-11-26T14:30:00Z

# --- A whole episode, driven with --now (America/New_York, EST = UTC-5). ---
wf_set orders_intraday '{"status":"success","batch_start":"2026-11-26T14:00:00","batch_end":"2026-11-26T14:30:00.123456"}'
wf_mode "ghost%20wf%2F1" ok
wf_set "ghost wf/1" '{"status":"success","batch_start":"2026-11-27T13:00:00","batch_end":"2026-11-27T13:59:00"}'

lat --now 2026-11-26T10:00
expect "episode: OK exits 0" 0 "$RC"
expect "episode: OK line" "OK nightly_orders_latency: orders_intraday: completed 30 min ago (limit 60)" "$OUT"

lat --now 2026-11-26T10:20
expect "episode: 50 min is WARNING (80% of 60 = 48)" 1 "$RC"
expect_match "episode: WARNING line" '^WARNING nightly_orders_latency: orders_intraday: no completion for 50 min \(limit 60\)$' "$OUT"
expect "episode: WARNING pages nobody" "" "$(pd_log)"

lat --now 2026-11-26T10:31
expect "episode: 61 min is CRITICAL" 2 "$RC"
expect_match "episode: CRITICAL line names the trigger" "^CRITICAL nightly_orders_latency: orders_intraday: no completion for 61 min \(limit 60\) \[trigger $KEY sent\]$" "$OUT"
expect "episode: one trigger" "202 trigger $KEY critical nightly_orders_latency: orders_intraday: no completion for 61 min (limit 60)" "$(pd_log)"

lat --now 2026-11-26T10:40
expect "episode: still CRITICAL" 2 "$RC"
expect "episode: still CRITICAL sends nothing" 1 "$(pd_log | wc -l)"

wf_set orders_intraday '{"status":"success","batch_start":"2026-11-26T15:35:00","batch_end":"2026-11-26T15:41:00"}'
lat --now 2026-11-26T10:45
expect "episode: recovered exits 0" 0 "$RC"
expect "episode: one resolve of the same key" "202 resolve $KEY - -" "$(pd_log | tail -n 1)"
expect "episode: two events in all" 2 "$(pd_log | wc -l)"

wf_set orders_intraday '{"status":"failure","batch_start":"2026-11-26T15:50:00","batch_end":null}'
lat --now 2026-11-26T10:55
expect "failure: CRITICAL" 2 "$RC"
expect_match "failure: trigger with the failed batch's start" '^202 trigger nightly_orders_latency/failed@2026-11-26T15:50:00Z critical nightly_orders_latency: orders_intraday: the batch started 2026-11-26 10:50 failed$' "$(pd_log | tail -n 1)"

# A failed run followed by a late retry is one episode: no second trigger.
wf_set orders_intraday '{"status":"open","batch_start":"2026-11-26T17:00:00","batch_end":null}'
lat --now 2026-11-26T12:45
expect "failure then late: still CRITICAL" 2 "$RC"
expect "failure then late: no new event" 3 "$(pd_log | wc -l)"
wf_set orders_intraday '{"status":"success","batch_start":"2026-11-26T17:00:00","batch_end":"2026-11-26T17:50:00"}'
lat --now 2026-11-26T12:55
expect "failure then late: recovery resolves the failed key" "202 resolve nightly_orders_latency/failed@2026-11-26T15:50:00Z - -" "$(pd_log | tail -n 1)"

# The event as PagerDuty got it: facts in custom_details, no secrets.
EV=$(pd_events)
expect_match "event: custom_details carry the facts" '"custom_details": \{"check": "nightly_orders_latency", "description": "intraday latency check for orders", "workflow": "orders_intraday"' "$EV"
expect_no_match "event: no api key or password anywhere" 'SECRET-API-ACCESS-KEY|cGFzc3dvcmQ' "$EV"
expect "event: routing key only in routing_key, once an event" "$(pd_log | wc -l)" "$(printf '%s' "$EV" | grep -o '0123456789abcdef0123456789abcdef' | wc -l)"

# --- Due-ness: check_time and poll_sec, from state. ---
pd_reset
h0=$(hits orders_intraday)
rp rp-latency-check -f "$CFG" -y "$CL" --now 2026-11-27T08:59 -v
expect "due: before check_time nothing is evaluated" 0 "$RC"
expect_match "due: -v shows it skipped" '^SKIPPED nightly_orders_latency: not due before 09:00' "$OUT"
expect_match "-v: where the run's time went, and its round trips" \
	'checks? \(files [0-9]+ ms, state read [0-9]+, sources [0-9]+, decision written and sent [0-9]+\), [0-9]+ Redis round trips?, [0-9]+ ms$' "$ERR"
# One of each is singular: "1 check", "1 Redis round trip".
awk '/^[^ ]/ { p = $0 == "nightly_orders_latency:" } p' "$CL" >"$WORK/one-check.yaml"
rp rp-latency-check -f "$CFG" -y "$WORK/one-check.yaml" --now 2026-11-27T08:59 -v
expect_match "-v, one check: 1 check, singular" ': 1 check \(files ' "$ERR"
expect_no_match "-v: no \"1 checks\" or \"1 Redis round trips\"" '(^|[^0-9])1 (checks|Redis round trips)' "$ERR"
expect "due: before check_time batchy is not asked" "$h0" "$(hits orders_intraday)"
wf_set orders_intraday '{"status":"success","batch_start":"2026-11-27T13:00:00","batch_end":"2026-11-27T13:50:00"}'
rp rp-latency-check -f "$CFG" -y "$CL" --now 2026-11-27T09:00
expect "due: at check_time it is evaluated" "OK nightly_orders_latency: orders_intraday: completed 10 min ago (limit 60)" "$(printf '%s\n' "$OUT" | grep nightly)"
rp rp-latency-check -f "$CFG" -y "$CL" --now 2026-11-27T09:02 --json
expect_match "due: within poll_sec it is SKIPPED" '"check":"nightly_orders_latency","type":"batchy","status":"SKIPPED"' "$OUT"
expect "due: within poll_sec batchy is not asked again" "$((h0 + 1))" "$(hits orders_intraday)"
rp rp-latency-check -f "$CFG" -y "$CL" --now 2026-11-27T09:03
expect_match "due: after poll_sec it is evaluated again" '^OK nightly_orders_latency: orders_intraday: completed 13 min ago' "$OUT"
expect_no_match "due: email checks are not ours" 'daily_vendor_email' "$OUT"
lat --now 2026-11-27T09:04
expect_match "due: -c evaluates now, due or not" '^OK nightly_orders_latency: orders_intraday: completed 14 min ago' "$OUT"
lat --now 2026-11-27T09:04 -n
expect "dry-run: still prints" 0 "$RC"
rp rp-latency-check -f "$CFG" -y "$CL" --now 2026-11-27T09:04:30 -q
expect "quiet: OK prints nothing" "" "$(printf '%s' "$OUT" | grep nightly || true)"

# --- UNKNOWN pages only after it persists, and resolves when it answers. ---
pd_reset
wf_mode "ghost%20wf%2F1" 500
gh() { rp rp-latency-check -f "$CFG" -y "$CL" -c ghost_latency "$@"; }
gh --now 2026-11-27T10:00
expect "unknown: exit 3" 3 "$RC"
expect "unknown: says why" "UNKNOWN ghost_latency: ghost wf/1: batchy answered HTTP 500" "$OUT"
gh --now 2026-11-27T10:01
expect "unknown: twice, still no page" "" "$(pd_log)"
gh --now 2026-11-27T10:02
expect_match "unknown: third time pages with its own key" '^202 trigger ghost_latency/unknown@2026-11-27T15:00:00Z error ghost_latency: cannot be evaluated since 2026-11-27T10:00:00-05:00 \(3 tries\): ghost wf/1: batchy answered HTTP 500$' "$(pd_log)"
gh --now 2026-11-27T10:03
expect "unknown: fourth time sends nothing" 1 "$(pd_log | wc -l)"
wf_mode "ghost%20wf%2F1" ok
wf_set "ghost wf/1" '{"status":"success","batch_start":"2026-11-27T14:50:00","batch_end":"2026-11-27T15:00:00"}'
gh --now 2026-11-27T10:04
expect "unknown: answers again, OK" 0 "$RC"
expect "unknown: resolved" "202 resolve ghost_latency/unknown@2026-11-27T15:00:00Z - -" "$(pd_log | tail -n 1)"

# One blip never pages.
pd_reset
wf_mode "ghost%20wf%2F1" garbage
gh --now 2026-11-27T10:05
expect_match "blip: garbage is UNKNOWN with the reason" '^UNKNOWN ghost_latency: ghost wf/1: batchy answered something that is not JSON' "$OUT"
wf_mode "ghost%20wf%2F1" ok
gh --now 2026-11-27T10:06
expect "blip: one blip pages nobody" "" "$(pd_log)"

# --- PagerDuty refusing: 429 twice then 202 within one run. ---
pd_reset
wf_set orders_intraday '{"status":"failure","batch_start":"2026-11-28T14:00:00","batch_end":null}'
pd_fail 429 429
lat --now 2026-11-28T09:30
expect "429: delivered within the run" "429 429 202" "$(pd_log | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
expect "429: exit is the check's" 2 "$RC"
# 500 for every attempt: not delivered now, sent again by the next run.
wf_set orders_intraday '{"status":"success","batch_start":"2026-11-28T14:00:00","batch_end":"2026-11-28T14:40:00"}'
pd_reset
pd_fail down:500
lat --now 2026-11-28T09:45
expect "500: resolve not delivered, exit 3" 3 "$RC"
expect_match "500: one stderr line says so" 'PagerDuty resolve nightly_orders_latency/failed@2026-11-28T14:00:00Z: HTTP 500: injected 500; queued in the outbox' "$ERR"
expect_match "500: stdout says queued" '\[resolve nightly_orders_latency/failed@2026-11-28T14:00:00Z queued\]$' "$OUT"
expect_match "500: retried within the run" '^[3-9]$' "$(pd_log | grep -c '^500 resolve')"
pd_fail up
lat --now 2026-11-28T09:50
expect "500: the next run delivers the resolve" "202 resolve nightly_orders_latency/failed@2026-11-28T14:00:00Z - -" "$(pd_log | tail -n 1)"
expect "500: and exits 0" 0 "$RC"
expect_match "500: and says the outbox is delivered" 'outbox: 1 earlier event delivered' "$ERR"

# --- State in Redis: prefixed keys, all with a TTL. ---
keys=$(redis-cli -p "$REDIS_PORT" -n 1 --scan --pattern 'lat:*' | sort)
expect_match "redis: check hash" 'lat:check:nightly_orders_latency' "$keys"
expect_match "redis: alert hash" 'lat:alert:nightly_orders_latency/failed@2026-11-28T14:00:00Z' "$keys"
expect_match "redis: run hash" 'lat:run:rp-latency-check' "$keys"
nottl=0
for k in $keys; do [ "$(redis-cli -p "$REDIS_PORT" -n 1 ttl "$k")" -gt 0 ] || nottl=$((nottl + 1)); done
expect "redis: every key has a TTL" 0 "$nottl"
expect_no_match "redis: no secret stored" 'SECRET-API-ACCESS-KEY|cGFzc3dvcmQ|0123456789abcdef0123456789abcdef' \
	"$(for k in $keys; do redis-cli -p "$REDIS_PORT" -n 1 hgetall "$k" 2>/dev/null || redis-cli -p "$REDIS_PORT" -n 1 get "$k"; done)"

# --- Redis down: still evaluates, still pages, says so in one line. ---
pd_reset
DOWN="$WORK/down.cfg"
write_config "$DOWN" lat "$(free_port)"
wf_set orders_intraday '{"status":"failure","batch_start":"2026-11-29T14:00:00","batch_end":null}'
rp rp-latency-check -f "$DOWN" -y "$CL" --now 2026-11-29T09:30 -c nightly_orders_latency
expect "redis down: a CRITICAL check stays 2, never hidden by Robopager's own trouble" 2 "$RC"
expect "redis down: the trigger still goes out" "202 trigger nightly_orders_latency/failed@2026-11-29T14:00:00Z" "$(pd_log | cut -d' ' -f1-3)"
expect "redis down: one line on stderr" 1 "$(printf '%s\n' "$ERR" | grep -c 'state store unreachable')"
wf_set orders_intraday '{"status":"success","batch_start":"2026-11-29T14:00:00","batch_end":"2026-11-29T14:20:00"}'
rp rp-latency-check -f "$DOWN" -y "$CL" --now 2026-11-29T09:30 -c nightly_orders_latency
expect "redis down: OK becomes exit 3" 3 "$RC"

# --- Usage and configuration errors. ---
rp rp-latency-check -f "$CFG" -y "$CL" --bogus
expect "usage: unknown option exits 64" 64 "$RC"
rp rp-latency-check -f "$CFG" -y "$CL" -c no_such_check
expect "usage: unknown check exits 64" 64 "$RC"
expect_match "usage: says which" 'no check named "no_such_check"' "$ERR"
rp rp-latency-check -f "$CFG" -y "$CL" -c daily_vendor_email
expect "usage: an email check exits 64" 64 "$RC"
rp rp-latency-check -f "$CFG" -y "$CL" --now yesterday
expect "usage: bad --now exits 64" 64 "$RC"
sed 's/^port = '"$REDIS_PORT"'$/port = 63x9/' "$CFG" >"$WORK/bad.cfg"
rp rp-latency-check -f "$WORK/bad.cfg" -y "$CL"
expect "config: bad number exits 78" 78 "$RC"
expect "config: file:line: [section] key: problem" "rp-latency-check: $WORK/bad.cfg:24: [redis] port: \"63x9\" is not a number from 1 to 65535" "$ERR"
printf 'x:\n  type: batchy\n  latency_min: 5\n' >"$WORK/bad.yaml"
rp rp-latency-check -f "$CFG" -y "$WORK/bad.yaml"
expect "checklist: missing key exits 78" 78 "$RC"
expect_match "checklist: names file, line and key" "bad.yaml:1: x: (pd_description|pd_service|check_time|poll_sec|wf_name): missing" "$ERR"
rp rp-latency-check -f "$CFG" -y "$CL" -h
expect "help: exit 0" 0 "$RC"
expect_match "help: on stdout" '^usage: rp-latency-check' "$OUT"
rp rp-latency-check -V
expect "version" "rp-latency-check 0.1.0" "$OUT"

# A configuration holding secrets that others can read draws a warning.
chmod 644 "$CFG"
rp rp-latency-check -f "$CFG" -y "$CL" --now 2026-11-30T08:00
expect_match "permissions: a readable config is named, with the fix" "$CFG holds a password or key and every user can read it; run: chmod o-rwx $CFG" "$ERR"
chmod 600 "$CFG"
rp rp-latency-check -f "$CFG" -y "$CL" --now 2026-11-30T08:00
expect "permissions: 600 is quiet" "" "$(noclock "$ERR")"
# The heartbeat's integration key alone is a key too (it opens incidents).
HCFG="$WORK/hbkey.cfg"
grep -v '^api_access_key\|^password' "$CFG" >"$HCFG"
chmod 644 "$HCFG"
rp rp-latency-check -f "$HCFG" -y "$CL" -n --now 2026-11-30T08:00
expect_match "permissions: heartbeat_service alone is a key" "$HCFG holds a password or key and every user can read it" "$ERR"
