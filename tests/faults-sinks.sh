# Fault rows of the sinks (sourced by tests/run-faults.sh): Slack's 429s, a
# webhook down for longer than a run, one Alertmanager of two down. Each
# row counts what that destination's stand-in received (sink_row), as
# row() counts PagerDuty's incidents: 0 lost, 0 duplicated.

start_fake slack
start_fake webhook
HOOK_KEY_F=fault-hook-key
wh_secret fh "$HOOK_KEY_F"
printf '%s\n' "$HOOK_KEY_F" >"$WORK/fault-hook.key"
printf 'http://127.0.0.1:%s/services/T0FAULT/B0FAULT/fault\n' "$SLACK_PORT" >"$WORK/fault-slack.url"
chmod 600 "$WORK/fault-hook.key" "$WORK/fault-slack.url"
AM_FA_PORT=$(free_port)
AM_FB_PORT=$(free_port)
start_alertmanager fa "http://127.0.0.1:$WEBHOOK_PORT/am/fa" "$AM_FA_PORT"
start_alertmanager fb "http://127.0.0.1:$WEBHOOK_PORT/am/fb" "$AM_FB_PORT"

# sink_cfg_rows NAME: the fault configuration with the destinations, and a
# checklist of one check NAME_job notifying them (PagerDuty too).
sink_cfg_rows() {
	fault_cfg "$1" robopager.time_budget_sec=12
	cat >>"$WORK/$1.cfg" <<EOC
[slack chat]
webhook_url_file = $WORK/fault-slack.url
[webhook fh]
url = http://127.0.0.1:$WEBHOOK_PORT/hook/fh
secret_file = $WORK/fault-hook.key
timeout_sec = 2
[alertmanager]
urls = http://127.0.0.1:$AM_FA_PORT, http://127.0.0.1:$AM_FB_PORT
EOC
	latency_checklist "$WORK/$1.yaml" "$1"
	sed -i 's/^    wf_name:/    notify: [chat, fh]\n    wf_name:/' "$WORK/$1.yaml"
}

# sink_row SCENARIO slack|webhook|alertmanager EXPECTED...: one line of the
# table from what that stand-in received; each EXPECTED is KEY=open or
# KEY=resolved. A channel folds nothing: every trigger after the first is
# a duplicate there. For Alertmanager, every instance must have fired each
# incident once (and resolved it when it ended).
sink_row() {
	local scenario=$1 kind=$2 line data; shift 2
	case $kind in
	slack) data=$(sl_incidents) ;;
	webhook) data=$(wh_incidents) ;;
	alertmanager) data=$(wh_am_incidents) ;;
	esac
	line=$(printf '%s' "$data" | python3 -c '
import json, sys
kind, data = sys.argv[1], json.load(sys.stdin)
want = dict(a.rsplit("=", 1) for a in sys.argv[2:])
exp = sent = dup = lost = resent = 0
if kind == "slack":
    exp = len(want)
    for k, i in data.items():
        if k in want:
            sent += i["trigger"] > 0
            dup += max(0, i["trigger"] - 1)
        else:
            dup += i["trigger"]
    lost = sum(1 for k, end in want.items() if data.get(k, {}).get("trigger", 0) == 0 or
               (end == "resolved" and data.get(k, {}).get("resolve", 0) == 0))
elif kind == "webhook":
    inc = data.get("fh", {})
    exp = len(want)
    sent = sum(i["opened"] for i in inc.values())
    dup = sum(max(0, i["opened"] - 1) for k, i in inc.items() if k in want)
    dup += sum(i["opened"] for k, i in inc.items() if k not in want)
    lost = sum(1 for k in want if inc.get(k, {}).get("opened", 0) == 0)
    lost += sum(1 for k, end in want.items() if end == "resolved" and inc.get(k, {}).get("open", True))
    resent = sum(i["triggers"] - i["opened"] for i in inc.values())
else:
    insts = sorted(data) if len(data) >= 2 else sorted(data) + ["(missing)"] * (2 - len(data))
    exp = len(want) * len(insts)
    for inst in insts:
        inc = data.get(inst, {})
        sent += sum(1 for k in want if inc.get(k, {}).get("fired", 0) > 0)
        dup += sum(max(0, i["fired"] - 1) for k, i in inc.items() if k in want)
        dup += sum(i["fired"] for k, i in inc.items() if k not in want)
        lost += sum(1 for k in want if inc.get(k, {}).get("fired", 0) == 0)
        lost += sum(1 for k, end in want.items() if end == "resolved" and inc.get(k, {}).get("open", False))
print(exp, sent, dup, lost, resent)' "$kind" "$@")
	set -- $line
	ROWS="$ROWS$(printf '%-58s %8s %5s %10s %4s %7s' "$scenario" "$1" "$2" "$3" "$4" "$5")
"
	if [ "$3" -ne 0 ] || [ "$4" -ne 0 ] || [ "$1" -ne "$2" ]; then
		BAD_ROWS=$((BAD_ROWS + 1))
		fail "$scenario: expected $1, sent $2, duplicates $3, lost $4"
	else
		pass "$scenario"
	fi
}

# Slack says 429 (Retry-After: 1) three times, then takes the message: in
# the run, once; the resolve once too.
pd_reset; sl_reset; wh_reset
sink_cfg_rows k1
failed_wf k1 2026-12-10T14:00:00
sl_fail 429 429 429
rp rp-latency-check -f "$WORK/k1.cfg" -y "$WORK/k1.yaml" --now $T0
expect "slack 429: delivered within the run" "429 429 429 200" "$(sl_messages | python3 -c 'import json,sys; print(" ".join(str(m["http"]) for m in json.load(sys.stdin)))')"
expect "slack 429: the check's exit (2)" 2 "$RC"
done_wf k1 2026-12-10T14:00:00 2026-12-10T14:50:00
sl_fail 429
rp rp-latency-check -f "$WORK/k1.cfg" -y "$WORK/k1.yaml" --now $T1
expect "slack 429: the resolve too" 0 "$RC"
sink_row "Slack answers 429 three times, then 200 (Slack)" slack "$(FAILED_KEY k1)=resolved"

# A webhook that answers 503 for longer than a run: its events wait in the
# outbox, the others are not held up; back, it gets each once, in order.
pd_reset; sl_reset; wh_reset
sink_cfg_rows k2
failed_wf k2 2026-12-10T14:00:00
wh_fail down:503
rp rp-latency-check -f "$WORK/k2.cfg" -y "$WORK/k2.yaml" --now $T0
expect_match "webhook down: queued" "webhook fh trigger $(FAILED_KEY k2): HTTP 503: .*; queued in the outbox" "$ERR"
expect "webhook down: PagerDuty is not held up" 1 "$(pd_count trigger)"
done_wf k2 2026-12-10T14:00:00 2026-12-10T14:50:00
rp rp-latency-check -f "$WORK/k2.cfg" -y "$WORK/k2.yaml" --now $T1
expect_match "webhook down: the resolve waits behind its trigger" "webhook fh resolve $(FAILED_KEY k2): queued behind an earlier event of this incident" "$ERR"
expect "webhook down: PagerDuty resolved meanwhile" 1 "$(pd_count resolve)"
wh_fail up
rp rp-latency-check -f "$WORK/k2.cfg" -y "$WORK/k2.yaml" --now $T2
rp rp-latency-check -f "$WORK/k2.cfg" -y "$WORK/k2.yaml" --now 2026-12-10T10:03
expect "webhook back: trigger, then resolve" "trigger,resolve," "$(wh_events | python3 -c 'import json,sys; print("".join(e["event"]["action"] + "," for e in json.load(sys.stdin) if e["http"] == 200))')"
sink_row "A webhook down (503) for longer than a run (webhook)" webhook "$(FAILED_KEY k2)=resolved"

# One Alertmanager of two down while an incident opens: the other fires it;
# the outbox keeps the first's until it is back; both resolve it. Real time:
# Alertmanager judges endsAt by its own clock.
pd_reset; sl_reset; wh_reset
sink_cfg_rows k3
sed -i 's/^    poll_sec: 60$/    poll_sec: 1/' "$WORK/k3.yaml"
KSTART=$(date -u -d '-10 min' +%Y-%m-%dT%H:%M:%S)
failed_wf k3 "$KSTART"
K3KEY="k3_job/failed@${KSTART}Z"
stop_alertmanager fb
rp rp-latency-check -f "$WORK/k3.cfg" -y "$WORK/k3.yaml"
expect_match "alertmanager down: queued for it" "Alertmanager http://127.0.0.1:$AM_FB_PORT trigger $K3KEY: no answer: .*; queued in the outbox" "$ERR"
expect "alertmanager down: the other fires it" 1 "$(am_alerts fa | python3 -c 'import json,sys; print(sum(1 for a in json.load(sys.stdin) if a["labels"].get("dedup_key") == sys.argv[1]))' "$K3KEY")"
start_alertmanager fb "http://127.0.0.1:$WEBHOOK_PORT/am/fb" "$AM_FB_PORT"
sleep 1
rp rp-latency-check -f "$WORK/k3.cfg" -y "$WORK/k3.yaml"
expect_match "alertmanager back: the outbox delivers it" "outbox: 1 earlier event delivered" "$ERR"
expect "alertmanager back: it fires there too" 1 "$(am_alerts fb | python3 -c 'import json,sys; print(sum(1 for a in json.load(sys.stdin) if a["labels"].get("dedup_key") == sys.argv[1]))' "$K3KEY")"
wait_for 10 sh -c "test \"\$(curl -s http://127.0.0.1:$WEBHOOK_PORT/_am | grep -c '\"status\": \"firing\", \"dedup_key\": \"$K3KEY\"')\" -ge 2" || true
done_wf k3 "$KSTART" "$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%S)"
sleep 1
rp rp-latency-check -f "$WORK/k3.cfg" -y "$WORK/k3.yaml"
expect_match "alertmanager: resolved" "\[resolve $K3KEY sent\]" "$OUT"
wait_for 10 sh -c "test \"\$(curl -s http://127.0.0.1:$WEBHOOK_PORT/_am | grep -c '\"status\": \"resolved\", \"dedup_key\": \"$K3KEY\"')\" -ge 2" || true
sink_row "One Alertmanager of two down as an incident opens (both)" alertmanager "$K3KEY=resolved"
