# rp-status: every state a check can be in, as text and JSON.
# Sourced by tests/run-tests.sh (see tests/lib.sh for the helpers).

TCFG="$WORK/status.cfg"
TCL="$WORK/status.yaml"
write_config "$TCFG" st
chmod 600 "$TCFG"
: >"$TCL"
for c in never ok warn crit pending refused unknown silenced; do
	cat >>"$TCL" <<EOC
st_$c:
    type: batchy
    pd_description: "status $c"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "st_$c"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
EOC
done
cat >>"$TCL" <<'EOC'
st_mail:
    type: email
    pd_description: "status mail"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: [a@st.example]
    delivery_time: "09:00"
    check_time: "09:30"
    subjects: [x]
EOC
lc() { rp rp-latency-check -f "$TCFG" -y "$TCL" --now 2026-12-03T10:00 -c "$@"; }
done_at() { printf '{"status":"success","batch_start":"2026-12-03T14:00:00","batch_end":"%s"}' "$1"; }
pd_reset
wf_set st_ok "$(done_at 2026-12-03T14:50:00)"
wf_set st_warn "$(done_at 2026-12-03T14:10:00)"
wf_set st_crit "$(done_at 2026-12-03T13:30:00)"
wf_set st_pending '{"status":"failure","batch_start":"2026-12-03T14:40:00","batch_end":null}'
wf_mode st_unknown 500
wf_set st_silenced '{"status":"failure","batch_start":"2026-12-03T14:45:00","batch_end":null}'
wf_set st_refused '{"status":"failure","batch_start":"2026-12-03T14:30:00","batch_end":null}'
lc st_ok; lc st_warn; lc st_crit
pd_fail 400
lc st_refused
expect "refused: exit 2 (the check is CRITICAL; a refused page never hides that)" 2 "$RC"
expect_match "refused: one stderr line with PagerDuty's words" 'PagerDuty refused trigger st_refused/failed@2026-12-03T14:30:00Z: HTTP 400: Event object is invalid: injected 400 \(kept for rp-status\)' "$ERR"
expect "refused: not retried" 1 "$(pd_log | grep -c 'st_refused')"
lc st_unknown
rp rp-silence -f "$TCFG" -y "$TCL" --now 2026-12-03T09:55 st_silenced 1h maintenance
lc st_silenced
# Last, so that no later run delivers it: PagerDuty down, the trigger waits.
pd_fail down:500
lc st_pending
pd_fail up

rp rp-status -f "$TCFG" -y "$TCL" --now 2026-12-03T10:01
expect "status: exits with the worst stored status (CRITICAL)" 2 "$RC"
row() { printf '%s\n' "$OUT" | grep "^$1 " | tr -s ' '; }
expect_match "status: header" '^CHECK +TYPE +STATUS +SINCE +LAST EVALUATION +LAST DONE +SILENCED UNTIL +INCIDENT$' "$(printf '%s\n' "$OUT" | head -n 1)"
expect "status: never evaluated" "st_never batchy NEVER - - - - -" "$(row st_never)"
expect "status: OK with its last completion" "st_ok batchy OK 2026-12-03 10:00 2026-12-03 10:00 2026-12-03 09:50 - -" "$(row st_ok)"
expect "status: WARNING" "st_warn batchy WARNING 2026-12-03 10:00 2026-12-03 10:00 2026-12-03 09:10 - -" "$(row st_warn)"
expect "status: CRITICAL with its incident" "st_crit batchy CRITICAL 2026-12-03 10:00 2026-12-03 10:00 2026-12-03 08:30 - st_crit/overdue@2026-12-03T13:30:00Z" "$(row st_crit)"
expect "status: an incident queued in the outbox" "st_pending batchy CRITICAL 2026-12-03 10:00 2026-12-03 10:00 - - st_pending/failed@2026-12-03T14:40:00Z (queued in the outbox)" "$(row st_pending)"
expect_match "status: the outbox listed" '^WAITING FOR DELIVERY' "$(printf '%s\n' "$OUT" | grep WAITING)"
expect_match "status: the waiting event, its destination, attempts and last error" '^  trigger st_pending/failed@2026-12-03T14:40:00Z for PagerDuty  queued 2026-12-03 10:00, [3-9] attempts, last: HTTP 500: injected 500$' "$(printf '%s\n' "$OUT" | grep '^  trigger st_pending')"
expect_match "status: the refused event with PagerDuty's words" '^  trigger st_refused/failed@2026-12-03T14:30:00Z by PagerDuty  at 2026-12-03 10:00: HTTP 400: Event object is invalid: injected 400$' "$(printf '%s\n' "$OUT" | grep '^  trigger st_refused')"
expect_match "status: the refused event as sent, without its routing key" '^    sent: \{"event_action":"trigger","dedup_key":"st_refused/failed@2026-12-03T14:30:00Z","payload":' "$(printf '%s\n' "$OUT" | grep -A1 '^  trigger st_refused' | tail -n 1)"
expect_no_match "status: no routing key anywhere" '0123456789abcdef0123456789abcdef' "$OUT"
expect "status: UNKNOWN counted" "st_unknown batchy UNKNOWN 2026-12-03 10:00 2026-12-03 10:00 - - unknown 1 time in a row" "$(row st_unknown)"
expect "status: silenced until" "st_silenced batchy CRITICAL 2026-12-03 10:00 2026-12-03 10:00 - 2026-12-03 10:55 st_silenced/failed@2026-12-03T14:45:00Z (not yet delivered)" "$(row st_silenced)"
expect "status: email check never evaluated" "st_mail email NEVER - - - - -" "$(row st_mail)"

rp rp-status -f "$TCFG" -y "$TCL" --now 2026-12-03T10:01 --json -c st_silenced
expect "status --json -c: one object" 1 "$(printf '%s\n' "$OUT" | wc -l)"
expect_match "status --json: the facts" '^\{"kind":"check","check":"st_silenced","type":"batchy","status":"CRITICAL","summary":"st_silenced: the batch started 2026-12-03 09:45 failed","since":"2026-12-03T10:00:00-05:00","last_evaluation":"2026-12-03T10:00:00-05:00","last_completion":null,"incident":"st_silenced/failed@2026-12-03T14:45:00Z","incident_delivered":false,"incident_refused":false,"unknown_incident":null,"unknown_count":0,"silenced_until":"2026-12-03T10:55:00-05:00","incident_destinations":null\}$' "$OUT"
rp rp-status -f "$TCFG" -y "$TCL" --json
expect "status --json: one object per check, kind check" 9 "$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; print(sum(1 for l in sys.stdin if json.loads(l)["kind"] == "check"))')"
# Numbers and booleans are JSON's, for jq: no number or boolean as a string.
expect "status --json: typed values" "ok" "$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
want = {"unknown_count": int, "incident_delivered": bool, "attempts": int, "http_status": int}
bad = []
for line in sys.stdin:
    o = json.loads(line)
    for k, v in o.items():
        t = want.get(k)
        if (t is int and (type(v) is not int)) or (t is bool and type(v) is not bool):
            bad.append("%s=%r" % (k, v))
        if isinstance(v, str) and (v in ("true", "false") or v.lstrip("-").isdigit()):
            bad.append("%s=%r" % (k, v))
    if o["kind"] == "check" and not all(k in o for k in ("unknown_count", "incident_delivered")):
        bad.append("missing in " + o["check"])
print(" ".join(bad) or "ok")')"
expect "status --json: the outbox and the refused events" "outbox trigger st_pending/failed@2026-12-03T14:40:00Z pagerduty,refused trigger st_refused/failed@2026-12-03T14:30:00Z pagerduty," "$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; print("".join("%s %s %s," % (o["kind"], o["event"], o["destination"]) for o in map(json.loads, sys.stdin) if o["kind"] != "check"))')"

# A monitoring plugin: the exit status is the stored status of what it shows.
for c in never:0 ok:0 warn:1 crit:2 unknown:3 silenced:2 mail:0; do
	rp rp-status -f "$TCFG" -y "$TCL" -c "st_${c%%:*}"
	expect "status -c st_${c%%:*}: exit ${c#*:}" "${c#*:}" "$RC"
done
# --plugin: one line a monitoring plugin shows, STATUS NAME: summary, and
# the same exit status.
plug() { rp rp-status -f "$TCFG" -y "$TCL" --now 2026-12-03T10:01 --plugin -c "$@"; }
plug st_ok
expect "plugin OK: one line" "OK st_ok: st_ok: completed 10 min ago (limit 60)|0" "$OUT|$RC"
plug st_warn
expect "plugin WARNING: one line, exit 1" "WARNING st_warn: st_warn: no completion for 50 min (limit 60)|1" "$OUT|$RC"
plug st_crit
expect "plugin CRITICAL: one line, exit 2" "CRITICAL st_crit: st_crit: no completion for 90 min (limit 60)|2" "$OUT|$RC"
plug st_unknown
expect "plugin UNKNOWN: one line, exit 3" "UNKNOWN st_unknown: st_unknown: batchy answered HTTP 500|3" "$OUT|$RC"
plug st_never
expect "plugin never evaluated: OK, says so" "OK st_never: not evaluated yet|0" "$OUT|$RC"
plug st_silenced
expect "plugin silenced: its status, the silence after" "CRITICAL st_silenced: st_silenced: the batch started 2026-12-03 09:45 failed (silenced until 2026-12-03 10:55)|2" "$OUT|$RC"
expect "plugin: nothing on stderr" "" "$ERR"
rp rp-status -f "$TCFG" -y "$TCL" --plugin -c nope
expect "plugin: unknown check is a usage error" 64 "$RC"
rp rp-status -f "$TCFG" -y "$TCL" --plugin
expect "plugin without -c: usage error" 64 "$RC"
rp rp-status -f "$TCFG" -y "$TCL" --plugin --json -c st_ok
expect "plugin with --json: usage error" 64 "$RC"
rp rp-latency-check -f "$TCFG" -y "$TCL" --plugin -c st_ok
expect "plugin: rp-status's alone" "64 rp-latency-check: unknown option --plugin (rp-latency-check --help lists the options)" "$RC $ERR"
PDOWN="$WORK/status-plugin-down.cfg"
write_config "$PDOWN" st "$(free_port)"
rp rp-status -f "$PDOWN" -y "$TCL" --plugin -c st_ok
expect "plugin, Redis down: one line" 1 "$(printf '%s\n' "$OUT" | wc -l)"
expect_match "plugin, Redis down: UNKNOWN on stdout" '^UNKNOWN st_ok: state store unreachable \(redis at 127\.0\.0\.1:[0-9]+: Connection refused\)$' "$OUT"
expect "plugin, Redis down: exit 3, nothing on stderr" "3 " "$RC $ERR"
grep -A7 -E '^st_(ok|warn|unknown):' "$TCL" | grep -v '^--$' >"$WORK/status-some.yaml"
rp rp-status -f "$TCFG" -y "$WORK/status-some.yaml"
expect "status: UNKNOWN is worse than WARNING (no CRITICAL shown)" 3 "$RC"
# Output that cannot be written is 74, not a silent 0.
set +e
${RP_WRAP:-} "$TOP/bin/rp-status" -f "$TCFG" -y "$TCL" -c st_ok >/dev/full 2>"$WORK/err"
RC=$?
set -e
expect "status >/dev/full: exit 74" 74 "$RC"
expect "status >/dev/full: says so" "rp-status: cannot write the output: No space left on device" "$(cat "$WORK/err")"
# A reader gone away (rp-status | head, closed early) is the same error,
# never a silent death by SIGPIPE (141). A thousand checks make more than
# a pipe holds, so the write fails whenever the reader closes.
BIGCL="$WORK/status-big.yaml"
for i in $(seq 1 1000); do
	printf 'st_big_%04d:\n    type: batchy\n    pd_description: "big %d"\n    pd_service: "0123456789abcdef0123456789abcdef"\n    wf_name: "st_big"\n    check_time: "09:00"\n    poll_sec: 60\n    latency_min: 60\n' "$i" "$i"
done >"$BIGCL"
set +e
${RP_WRAP:-} "$TOP/bin/rp-status" -f "$TCFG" -y "$BIGCL" 2>"$WORK/err" | (exec 0<&-; sleep 1)
RC=${PIPESTATUS[0]}
set -e
expect "status | closed reader: exit 74" 74 "$RC"
expect_match "status | closed reader: says so, in one line" '^rp-status: cannot write the output: (Broken pipe|write error)$' "$(cat "$WORK/err")"

# Read-only: nothing written, no lock taken.
before=$(redis-cli -p "$REDIS_PORT" -n 1 --scan --pattern 'st:*' | sort | md5sum)
rp rp-status -f "$TCFG" -y "$TCL"
expect "status: writes nothing" "$before" "$(redis-cli -p "$REDIS_PORT" -n 1 --scan --pattern 'st:*' | sort | md5sum)"
rp rp-status -f "$TCFG" -y "$TCL" -c nope
expect "status: unknown check is a usage error" 64 "$RC"
DOWN2="$WORK/status-down.cfg"
write_config "$DOWN2" st "$(free_port)"
rp rp-status -f "$DOWN2" -y "$TCL"
expect "status: no Redis, exit 3" 3 "$RC"
