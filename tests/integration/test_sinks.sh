# Sinks end to end: one check to PagerDuty, Slack, a signed webhook and two
# real Alertmanagers (Debian's prometheus-alertmanager, routing to a webhook
# stand-in), followed from WARNING through the incident to its resolve;
# Slack alone; Slack's 429s; a webhook down for a run, then refusing and
# fixed; an outbox of the earlier version; the configuration's errors.
# Real time (no --now): Alertmanager judges endsAt by its own clock.
# Sourced by tests/run-tests.sh (see tests/lib.sh for the helpers).

[ -n "${SLACK_PORT:-}" ] || start_fake slack
[ -n "${WEBHOOK_PORT:-}" ] || start_fake webhook
start_alertmanager sa "http://127.0.0.1:$WEBHOOK_PORT/am/sa"
start_alertmanager sb "http://127.0.0.1:$WEBHOOK_PORT/am/sb"

KCFG="$WORK/sinks.cfg"
KCL="$WORK/sinks.yaml"
SLACK_TOKEN=5ec2e7-slack-token-never-shown
HOOK_SECRET=5ec2e7-hook-secret-never-shown
write_config "$KCFG" sk
printf 'http://127.0.0.1:%s/services/T0SINKS/B0SINKS/%s\n' "$SLACK_PORT" "$SLACK_TOKEN" >"$WORK/sinks.slack.url"
printf '%s\n' "$HOOK_SECRET" >"$WORK/sinks.hook.secret"
chmod 600 "$WORK/sinks.slack.url" "$WORK/sinks.hook.secret"
wh_secret ops "$HOOK_SECRET"
cat >>"$KCFG" <<EOC
[slack data-team]
webhook_url_file = $WORK/sinks.slack.url
warnings = True
[webhook ops]
url = http://127.0.0.1:$WEBHOOK_PORT/hook/ops
secret_file = $WORK/sinks.hook.secret
timeout_sec = 2
[alertmanager]
urls = http://127.0.0.1:$AM_SA_PORT, http://127.0.0.1:$AM_SB_PORT
EOC
sed -i 's/^time_budget_sec = 6$/time_budget_sec = 10\nmax_undelivered = 1/' "$KCFG"
chmod 600 "$KCFG"
cat >"$KCL" <<'EOC'
sk_orders:
    type: batchy
    pd_description: "orders, everywhere"
    pd_service: "0123456789abcdef0123456789abcdef"
    notify: [data-team, ops]
    wf_name: "sk_orders_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
sk_chat:
    type: batchy
    pd_description: "a team that lives in Slack"
    notify: [data-team]
    wf_name: "sk_chat_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
EOC
sk() { rp rp-latency-check -f "$KCFG" -y "$KCL" "$@"; }
ago() { date -u -d "-$1 min" +%Y-%m-%dT%H:%M:%S; }
done_ago() { wf_set "$1" "{\"status\":\"success\",\"batch_start\":\"$(ago $(($2 + 5)))\",\"batch_end\":\"$(ago "$2")\"}"; }
# failed_ago WF SECONDS: the workflow's newest run, started then, failed.
failed_ago() { wf_set "$1" "{\"status\":\"failure\",\"batch_start\":\"$(date -u -d "-$2 sec" +%Y-%m-%dT%H:%M:%S)\",\"batch_end\":null}"; }
jq_py() { local e=$1; shift; python3 -c "import json,sys; d=json.load(sys.stdin); print($e)" "$@"; }
am_firing() { am_alerts "$1" | jq_py "sum(1 for a in d if a['labels'].get('dedup_key') == sys.argv[1] and a['status']['state'] == 'active')" "$2"; }
pd_reset; sl_reset; wh_reset

# --- WARNING: one message to the Slack that takes warnings, once. ---------
done_ago sk_orders_wf 50
sk -c sk_orders
expect "warning: the check is WARNING" 1 "$RC"
expect "warning: one Slack message" 1 "$(sl_incidents | jq_py 'sum(i["warning"] for i in d.values())')"
expect "warning: nothing to PagerDuty" "" "$(pd_log)"
expect "warning: nothing to the webhook (warnings = False)" "0" "$(wh_events | jq_py 'len(d)')"
sk -c sk_orders
expect "warning: still WARNING, no second message" 1 "$(sl_incidents | jq_py 'sum(i["warning"] for i in d.values())')"

# --- The incident: every destination gets its trigger. -------------------
failed_ago sk_orders_wf 600
sk -c sk_orders
KEY=$(printf '%s\n' "$OUT" | sed -nE 's/.*\[trigger ([^ ]+) sent\]$/\1/p')
expect_match "incident: CRITICAL, trigger sent everywhere" '^CRITICAL sk_orders: .*\[trigger sk_orders/failed@[^ ]+ sent\]$' "$OUT"
expect "incident: PagerDuty opened it" "202 trigger $KEY" "$(pd_log | cut -d' ' -f1-3)"
expect "incident: one Slack message for it" 1 "$(sl_incidents | jq_py 'd.get(sys.argv[1], {}).get("trigger", 0)' "$KEY")"
expect "incident: the webhook got it, signed" "trigger $KEY True" "$(wh_events | jq_py '" ".join(str(x) for x in (d[-1]["event"]["action"], d[-1]["event"]["dedup_key"], d[-1]["signature_ok"]))')"
expect "incident: firing at the first Alertmanager" 1 "$(am_firing sa "$KEY")"
expect "incident: and at the second" 1 "$(am_firing sb "$KEY")"
am_alerts sa >"$WORK/sinks-am-firing.json"
wait_for 10 sh -c "curl -s http://127.0.0.1:$WEBHOOK_PORT/_am | grep -q '\"status\": \"firing\", \"dedup_key\": \"$KEY\"'" || true
expect "incident: Alertmanager routed it to its receiver, from each instance" 2 "$(wh_am_incidents | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(i.get(sys.argv[1], {}).get("fired", 0) for i in d.values()))' "$KEY")"
sl_messages >"$WORK/sinks-slack.json"
wh_events >"$WORK/sinks-webhook.json"
# RP_SAMPLES=DIR keeps what each one received, as documentation's samples.
[ -z "${RP_SAMPLES:-}" ] || cp "$WORK/sinks-am-firing.json" "$WORK/sinks-slack.json" \
	"$WORK/sinks-webhook.json" "$RP_SAMPLES/"
ends1=$(am_alerts sa | python3 -c 'import json,sys; print([a["endsAt"] for a in json.load(sys.stdin) if a["labels"].get("dedup_key") == sys.argv[1]][0])' "$KEY")
sleep 1
sk -c sk_orders
expect "incident: the next run sends nothing new to PagerDuty, Slack or the webhook" "1 1 1" "$(pd_count trigger) $(sl_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]]["trigger"])' "$KEY") $(wh_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops"][sys.argv[1]]["triggers"])' "$KEY")"
ends2=$(am_alerts sa | python3 -c 'import json,sys; print([a["endsAt"] for a in json.load(sys.stdin) if a["labels"].get("dedup_key") == sys.argv[1]][0])' "$KEY")
expect "incident: but posts the firing alert again, endsAt moved on" 1 "$([ "$ends2" \> "$ends1" ] && echo 1 || echo 0)"
expect "incident: and Alertmanager notified nobody twice" 2 "$(wh_am_incidents | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(i.get(sys.argv[1], {}).get("fired", 0) for i in d.values()))' "$KEY")"
rp rp-status -f "$KCFG" -y "$KCL" -c sk_orders
expect_match "incident: rp-status shows it delivered everywhere" "^sk_orders .* $KEY\$" "$(printf '%s\n' "$OUT" | grep '^sk_orders')"

# --- Resolved everywhere. --------------------------------------------------
done_ago sk_orders_wf 1
sk -c sk_orders
expect "resolve: OK, resolve sent" "[resolve $KEY sent]" "$(printf '%s\n' "$OUT" | grep -o '\[resolve.*\]')"
expect "resolve: PagerDuty closed it" "False" "$(curl -s "http://127.0.0.1:$PAGERDUTY_PORT/_incidents" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]]["open"])' "$KEY")"
expect "resolve: Slack said RESOLVED" 1 "$(sl_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]]["resolve"])' "$KEY")"
expect "resolve: the webhook closed it" "False" "$(wh_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops"][sys.argv[1]]["open"])' "$KEY")"
expect "resolve: no longer firing at either Alertmanager" "0 0" "$(am_firing sa "$KEY") $(am_firing sb "$KEY")"
wait_for 10 sh -c "test \"\$(curl -s http://127.0.0.1:$WEBHOOK_PORT/_am | grep -c '\"status\": \"resolved\", \"dedup_key\": \"$KEY\"')\" -ge 2" || true
expect "resolve: Alertmanager told its receiver, from each instance" "2 0" "$(wh_am_incidents | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(i.get(sys.argv[1], {}).get("resolved", 0) for i in d.values()), sum(i.get(sys.argv[1], {}).get("open") is True for i in d.values()))' "$KEY")"
expect "resolve: every webhook event was signed and valid" "0" "$(wh_events | jq_py 'sum(1 for e in d if e["http"] != 200)')"
expect "resolve: every Slack message was valid" "0" "$(sl_messages | jq_py 'sum(1 for e in d if e["http"] != 200)')"

# --- A check for Slack alone. ----------------------------------------------
pd_reset
done_ago sk_chat_wf 90
sk -c sk_chat
CKEY=$(printf '%s\n' "$OUT" | sed -nE 's/.*\[trigger ([^ ]+) sent\]$/\1/p')
expect_match "slack only: sent" '^CRITICAL sk_chat: .*\[trigger sk_chat/overdue@[^ ]+ sent\]$' "$OUT"
expect "slack only: to Slack" 1 "$(sl_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], {}).get("trigger", 0))' "$CKEY")"
expect "slack only: not to PagerDuty" "" "$(pd_log)"
expect "slack only: Alertmanager gets every check's alerts" 1 "$(am_firing sa "$CKEY")"

# --- Slack says 429 twice: Retry-After honoured, delivered in the run. ----
sl_fail 429 429
done_ago sk_chat_wf 1
start=$(date +%s)
sk -c sk_chat
expect "slack 429: resolved in the same run" "[resolve $CKEY sent]" "$(printf '%s\n' "$OUT" | grep -o '\[resolve.*\]')"
expect "slack 429: two refusals, then the message" "429,429,200," "$(sl_messages | jq_py '"".join("%d," % m["http"] for m in d[-3:])')"
expect "slack 429: waited Retry-After (1 s) each time" 1 "$([ $(($(date +%s) - start)) -ge 2 ] && echo 1 || echo 0)"

# --- A webhook down for a run; then refusing; then fixed. ------------------
pd_reset; sl_reset; wh_reset
wh_fail down:503
failed_ago sk_orders_wf 30
sk -c sk_orders
KEY2=$(printf '%s\n' "$OUT" | grep -oE 'sk_orders/failed@[^ ]+' | head -n 1)
expect "webhook down: the check still exits 2" 2 "$RC"
expect_match "webhook down: says it is queued, naming the webhook" "webhook ops trigger $KEY2: HTTP 503: .*; queued in the outbox" "$ERR"
expect "webhook down: PagerDuty and Slack got theirs" "1 1" "$(pd_count trigger) $(sl_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], {}).get("trigger", 0))' "$KEY2")"
rp rp-status -f "$KCFG" -y "$KCL" -c sk_orders
expect_match "webhook down: rp-status says what waits for whom" "$KEY2 \(delivered to PagerDuty, Slack data-team, Alertmanager [^;]*; queued for webhook ops\)" "$(printf '%s\n' "$OUT" | grep '^sk_orders')"
expect_match "webhook down: and lists it" "^  trigger $KEY2 for webhook ops  queued" "$(printf '%s\n' "$OUT" | grep "^  trigger")"
rp rp-status -f "$KCFG" -y "$KCL" -c sk_orders --json
expect "webhook down: --json names the destination" "webhook:ops queued" "$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o["kind"] == "outbox":
        print(o["destination"], end=" ")
    if o["kind"] == "check":
        last = o["incident_destinations"]["webhook:ops"]
print(last)')"
rp rp-heartbeat -f "$KCFG" -y "$KCL" -n
expect_match "webhook down: rp-heartbeat counts it" "events wait for webhook ops in the outbox" "$OUT"
wh_fail up
sk -c sk_orders
expect_match "webhook back: the next run delivers it first" "outbox: 1 earlier event delivered" "$ERR"
expect "webhook back: once" 1 "$(wh_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops"][sys.argv[1]]["triggers"])' "$KEY2")"
expect "webhook back: and nothing more to the others" "1 1" "$(pd_count trigger) $(sl_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]]["trigger"])' "$KEY2")"

# Refused (400): kept, shown, not sent again until the webhook is fixed.
redis-cli -p "$REDIS_PORT" -n 1 del sk:check:sk_orders >/dev/null
wh_fail 400
failed_ago sk_orders_wf 5
sk -c sk_orders
KEY3=$(printf '%s\n' "$OUT" | grep -oE 'sk_orders/failed@[^ ]+' | head -n 1)
expect_match "webhook refuses: said as refused" "webhook ops refused trigger $KEY3: HTTP 400" "$ERR"
expect_match "webhook refuses: the check's line says refused" "\[trigger $KEY3 refused\]" "$OUT"
rp rp-status -f "$KCFG" -y "$KCL" -c sk_orders
expect_match "webhook refuses: rp-status shows where" "$KEY3 \(delivered to PagerDuty, Slack data-team, Alertmanager [^;]*; refused by webhook ops: see below\)" "$(printf '%s\n' "$OUT" | grep '^sk_orders')"
expect_match "webhook refuses: and the refused event" "^  trigger $KEY3 by webhook ops  at .*: HTTP 400" "$(printf '%s\n' "$OUT" | grep "^  trigger")"
rp rp-heartbeat -f "$KCFG" -y "$KCL" -n
expect_match "webhook refuses: rp-heartbeat counts it" "webhook ops refused 1 event" "$OUT"
sk -c sk_orders
expect_match "webhook refuses: every later run says so" "sk_orders: webhook ops refused the trigger of $KEY3" "$ERR"
expect "webhook refuses: and sends nothing while nothing changed" 0 "$(wh_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin).get("ops", {}).get(sys.argv[1], {}).get("triggers", 0))' "$KEY3")"
# The receiver's key is changed on both ends: the event goes again, to it only.
printf '%s-2\n' "$HOOK_SECRET" >"$WORK/sinks.hook.secret"
touch -d '+1 min' "$WORK/sinks.hook.secret"
wh_secret ops "$HOOK_SECRET-2"
before="$(pd_count trigger) $(sl_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]]["trigger"])' "$KEY3")"
sk -c sk_orders
expect_match "webhook fixed: the trigger goes again" "\[trigger $KEY3 sent\]" "$OUT"
expect "webhook fixed: delivered to it once" 1 "$(wh_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops"][sys.argv[1]]["triggers"])' "$KEY3")"
expect "webhook fixed: and to nobody else again" "$before" "$(pd_count trigger) $(sl_incidents | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]]["trigger"])' "$KEY3")"
rp rp-status -f "$KCFG" -y "$KCL" -c sk_orders --json
expect "webhook fixed: no longer refused" "True False" "$(printf '%s\n' "$OUT" | head -n 1 | jq_py 'str(d["incident_delivered"]) + " " + str(d["incident_refused"])')"
done_ago sk_orders_wf 1
sk -c sk_orders
sk -c sk_chat

# --- An outbox written by the earlier version is delivered as it is. ------
pd_reset
OLD_BODY='{"routing_key":"0123456789abcdef0123456789abcdef","event_action":"trigger","dedup_key":"sk_old/failed@2026-01-01T00:00:00Z","payload":{"summary":"queued by the earlier version","source":"old-host","severity":"critical"},"client":"Robopager"}'
OLD_ENTRY=$(python3 -c 'import json,sys; print(json.dumps({"check":"sk_old","label":"rk-0000000000000000","body":sys.argv[1],"queued":1767225600,"attempts":0,"error":""}))' "$OLD_BODY")
redis-cli -p "$REDIS_PORT" -n 1 zadd sk:outbox 1 "trigger sk_old/failed@2026-01-01T00:00:00Z" >/dev/null
redis-cli -p "$REDIS_PORT" -n 1 hset sk:outbox:ev "trigger sk_old/failed@2026-01-01T00:00:00Z" "$OLD_ENTRY" >/dev/null
sk -c sk_orders
expect_match "old outbox: delivered" "outbox: 1 earlier event delivered" "$ERR"
expect "old outbox: to PagerDuty, as queued" "202 trigger sk_old/failed@2026-01-01T00:00:00Z critical queued by the earlier version" "$(pd_log)"

# --- Configuration errors, at the start of a run. --------------------------
sed 's/notify: \[data-team, ops\]/notify: [data-team, nosuch]/' "$KCL" >"$WORK/sinks-bad.yaml"
rp rp-latency-check -f "$KCFG" -y "$WORK/sinks-bad.yaml" -n
expect "config: a notify name with no section: 78" 78 "$RC"
expect "config: says file, line, check, name" "rp-latency-check: $WORK/sinks-bad.yaml:5: sk_orders: notify: no [slack nosuch] or [webhook nosuch] section in $KCFG" "$ERR"
grep -v '^    notify: \[data-team\]$' "$KCL" >"$WORK/sinks-none.yaml"
rp rp-latency-check -f "$KCFG" -y "$WORK/sinks-none.yaml" -n
expect_match "config: neither pd_service nor notify: 78" "sinks-none.yaml:10: sk_chat: pd_service: missing" "$ERR"

# Nothing secret anywhere: the Slack URL's token, the webhook's key (the
# broader sweep is test_secrets.sh's).
for s in "$SLACK_TOKEN" "$HOOK_SECRET"; do
	expect "sinks: \"${s:0:14}...\" not in Redis" 0 "$(redis-cli -p "$REDIS_PORT" -n 1 --scan --pattern 'sk:*' | while read -r k; do redis-cli -p "$REDIS_PORT" -n 1 dump "$k"; done | grep -caF -- "$s" || true)"
	# (Slack's stand-in keeps the path it was called at: the URL, ours to know.)
	expect "sinks: \"${s:0:14}...\" not in what PagerDuty, Slack or the webhook received" 0 "$( (pd_events; sl_messages | jq_py 'json.dumps([m["message"] for m in d])'; wh_events) | grep -cF -- "$s" || true)"
done
