# What operators already use: cron's mail (-q), Nagios/Icinga (the order of
# lines and performance data), jq (typed JSON), what the mailbox held near
# a missing email, [enable_redis] enable = False, and Prometheus through
# node_exporter's textfile collector (Debian's prometheus-node-exporter).
# Sourced by tests/run-tests.sh.

OCFG="$WORK/operators.cfg"
OCL="$WORK/operators.yaml"
write_config "$OCFG" op
cat >"$OCL" <<'EOC'
op_ok:
    type: batchy
    pd_description: "fine"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "op_ok_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
op_late:
    type: batchy
    pd_description: "late"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "op_late_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
op_broken:
    type: batchy
    pd_description: "its scheduler is down"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "op_broken_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
op_warn:
    type: batchy
    pd_description: "nearly late"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "op_warn_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
EOC
op() { rp rp-latency-check -f "$OCFG" -y "$OCL" "$@"; }
done_at() { printf '{"status":"success","batch_start":"2026-12-22T13:00:00","batch_end":"%s"}' "$1"; }
pd_reset
wf_set op_ok_wf "$(done_at 2026-12-22T14:50:00)"
wf_set op_late_wf "$(done_at 2026-12-22T13:30:00)"
wf_mode op_broken_wf 500
wf_set op_warn_wf "$(done_at 2026-12-22T14:08:00)"

# --- Nagios: worst first, with performance data. ---
op --now 2026-12-22T10:00
expect "nagios: CRITICAL, UNKNOWN, WARNING, OK in that order" "CRITICAL op_late,UNKNOWN op_broken,WARNING op_warn,OK op_ok," \
	"$(printf '%s\n' "$OUT" | cut -d: -f1 | tr '\n' ',')"
expect "nagios: the exit status is the worst check's" 2 "$RC"
# The plugin format: the first line's data after its " | ", the others'
# after the last line's (a '|' on a later line starts data to the end);
# labels name the check, durations in seconds.
expect "nagios: performance data after |" "CRITICAL op_late: op_late_wf: no completion for 90 min (limit 60) [trigger op_late/overdue@2026-12-22T13:30:00Z sent] | 'op_late latency'=5400s;2880;3600;0" \
	"$(printf '%s\n' "$OUTP" | head -n 1)"
expect "nagios: the lines between carry none" "UNKNOWN op_broken: op_broken_wf: batchy answered HTTP 500,WARNING op_warn: op_warn_wf: no completion for 52 min (limit 60)," \
	"$(printf '%s\n' "$OUTP" | sed -n 2,3p | tr '\n' ',')"
expect "nagios: the last line carries the rest" "OK op_ok: op_ok_wf: completed 10 min ago (limit 60) | 'op_warn latency'=3120s;2880;3600;0 'op_ok latency'=600s;2880;3600;0" \
	"$(printf '%s\n' "$OUTP" | tail -n 1)"

# --- cron: -q prints what changed or what was sent, and errors always. ---
op --now 2026-12-22T10:01 -q
expect "quiet: nothing changed, nothing printed (a cron mail a minute otherwise)" "" "$OUT"
wf_set op_late_wf "$(done_at 2026-12-22T15:01:00)"
op --now 2026-12-22T10:02 -q
expect "quiet: what was sent is printed (the third UNKNOWN pages), and the recovery with its resolve" \
	"UNKNOWN op_broken: op_broken_wf: batchy answered HTTP 500 [trigger op_broken/unknown@2026-12-22T15:00:00Z sent]
OK op_late: op_late_wf: completed 1 min ago (limit 60) [resolve op_late/overdue@2026-12-22T13:30:00Z sent]" "$OUT"
wf_mode op_broken_wf ok
wf_set op_broken_wf "$(done_at 2026-12-22T15:00:00)"
op --now 2026-12-22T10:03 -q
expect "quiet: a change of status is printed" "OK op_broken: op_broken_wf: completed 3 min ago (limit 60) [resolve op_broken/unknown@2026-12-22T15:00:00Z sent]" "$OUT"
op --now 2026-12-22T10:03:30 -q -c op_warn
expect "quiet: a WARNING that stays WARNING is not printed again" "" "$OUT"

# --- jq: numbers and booleans are JSON's. ---
op --now 2026-12-22T10:04 --json -c op_warn
expect "json: numbers are numbers (select(.details.latency_min > 60) works)" "56 int 60 int" \
	"$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read())["details"]; print(d["latency_min"], type(d["latency_min"]).__name__, d["limit_min"], type(d["limit_min"]).__name__)')"
# The same checks under another prefix, op_late late again.
JCFG="$WORK/opjson.cfg"
sed 's/^prefix = .*/prefix = opjson/' "$OCFG" >"$JCFG"
chmod 600 "$JCFG"
wf_set op_late_wf "$(done_at 2026-12-22T13:30:00)"
jop() { rp rp-latency-check -f "$JCFG" -y "$OCL" "$@"; }
jline() { printf '%s\n' "$OUT" | python3 -c 'import json,sys
for l in sys.stdin:
    d = json.loads(l)
    if d["check"] == sys.argv[1]: print(d["status"], d["action"], d.get("incident", "absent"))' "$1"; }
jop --now 2026-12-22T10:00
jop --now 2026-12-22T10:01 --json
expect "json: a CRITICAL already paged names its open incident, no event" \
	"CRITICAL none op_late/overdue@2026-12-22T13:30:00Z" "$(jline op_late)"
expect "json: an OK check has a null incident" "OK none None" "$(jline op_ok)"
jop --now 2026-12-22T10:01:30 --json
expect "json: a check not due says no incident (not evaluated)" "SKIPPED none absent" "$(jline op_late)"
rp rp-status -f "$OCFG" -y "$OCL" --json -c op_warn
expect "json: rp-status objects carry kind and typed values" "check bool int" \
	"$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); print(d["kind"], type(d["incident_delivered"]).__name__, type(d["unknown_count"]).__name__)')"

# --- What the mailbox held near a missing email. ---
NCFG="$WORK/near.cfg"
NCL="$WORK/near.yaml"
write_email_config "$NCFG" "imap://127.0.0.1:$IMAP_PORT" INBOX
sed -i 's/^prefix = em$/prefix = near/' "$NCFG"
cat >"$NCL" <<'EOC'
near_report:
    type: email
    pd_description: "the vendor's report"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: ['reports@near.example']
    delivery_time: "06:00"
    check_time: "07:00"
    subjects: ["Near daily report"]
EOC
seed_mail near1 "2026-12-23 11:10:00 UTC" "" <<'EOM'
From: reports@near.example
Subject: Near daily report (corrected)
Date: Wed, 23 Dec 2026 06:10:00 -0500

the right sender, another subject
EOM
seed_mail near2 "2026-12-23 11:20:00 UTC" "" <<'EOM'
From: noreply@mailer.near.example
Subject: Near daily report
Date: Wed, 23 Dec 2026 06:20:00 -0500

the subject, from another sender
EOM
seed_mail near3 "2026-12-23 09:00:00 UTC" "" <<'EOM'
From: reports@near.example
Subject: Near weekly digest
Date: Wed, 23 Dec 2026 04:00:00 -0500

before delivery_time: not a near miss
EOM
pd_reset
rp rp-email-check -f "$NCFG" -y "$NCL" --now 2026-12-23T07:30 -v
expect "near misses: CRITICAL" 2 "$RC"
expect "near misses: both, one line each, under -v" \
	"  near miss: 2026-12-23T06:10 from reports@near.example: Near daily report (corrected)
  near miss: 2026-12-23T06:20 from noreply@mailer.near.example: Near daily report" \
	"$(printf '%s\n' "$OUT" | grep '^  near miss')"
expect_match "near misses: in the page's custom_details" '"near_miss_2": "2026-12-23T06:20 from noreply@mailer.near.example: Near daily report"' "$(pd_events)"
rp rp-email-check -f "$NCFG" -y "$NCL" --now 2026-12-23T07:31 -c near_report --json
expect_match "near misses: in --json details" '"near_miss_1":"2026-12-23T06:10 from reports@near.example: Near daily report \(corrected\)"' "$OUT"

# --- [enable_redis] enable = False: as documented, and said every run. ---
DCFG="$WORK/disabled.cfg"
sed 's/^enable = True$/enable = False/' "$OCFG" >"$DCFG"
chmod 600 "$DCFG"
pd_reset
wf_set op_late_wf "$(done_at 2026-12-22T13:30:00)"
rp rp-latency-check -f "$DCFG" -y "$OCL" -c op_late --now 2026-12-22T11:00
expect_match "enable = False: one line on every run" "\[enable_redis\] enable = False: no state, so every run sends its triggers again and nothing is ever resolved" "$ERR"
rp rp-latency-check -f "$DCFG" -y "$OCL" -c op_late --now 2026-12-22T11:01
expect "enable = False: the trigger is sent again every run" 2 "$(pd_count trigger)"
wf_set op_late_wf "$(done_at 2026-12-22T16:00:00)"
rp rp-latency-check -f "$DCFG" -y "$OCL" -c op_late --now 2026-12-22T11:02
expect "enable = False: and nothing is resolved" 0 "$(pd_count resolve)"
rp rp-status -f "$DCFG" -y "$OCL"
expect "enable = False: rp-status cannot work" 78 "$RC"
rp rp-silence -f "$DCFG" -y "$OCL" op_late 1h
expect "enable = False: nor rp-silence" 78 "$RC"

# --- Prometheus: node_exporter reads what each program writes. ---
MDIR="$WORK/metrics"
mkdir -p "$MDIR"
chmod 755 "$MDIR"
MCFG="$WORK/metrics.cfg"
sed "s|^\[robopager\]$|[robopager]\nmetrics_dir = $MDIR|" "$OCFG" >"$MCFG"
chmod 600 "$MCFG"
NE_PORT=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$MDIR" >"$WORK/node_exporter.log" 2>&1 &
PIDS="$PIDS $!"
wait_for 10 curl -sf "http://127.0.0.1:$NE_PORT/metrics" || echo "node_exporter did not start" >&2
wf_set op_late_wf "$(done_at 2026-12-22T13:30:00)"
rp rp-latency-check -f "$MCFG" -y "$OCL" --now 2026-12-22T12:00
rp rp-heartbeat -f "$MCFG" -y "$OCL" --now 2026-12-22T12:00
scrape=$(curl -s "http://127.0.0.1:$NE_PORT/metrics")
expect "prometheus: the file is there, whole" "robopager_rp-heartbeat.prom robopager_rp-latency-check.prom" "$(ls "$MDIR" | tr '\n' ' ' | sed 's/ $//')"
expect_match "prometheus: a check's status" '^robopager_check_status\{check="op_late",type="batchy"\} 2$' "$scrape"
expect_match "prometheus: its incident" '^robopager_check_incident_open\{check="op_late",type="batchy"\} 1$' "$scrape"
expect_match "prometheus: last success" '^robopager_check_last_success_timestamp_seconds\{check="op_ok",type="batchy"\} 1\.7[0-9]*e\+09$' "$scrape"
expect_match "prometheus: the program's last run" '^robopager_last_run_timestamp_seconds\{program="rp-latency-check"\} 1\.7[0-9]*e\+09$' "$scrape"
expect_match "prometheus: the outbox" '^robopager_outbox_events\{program="rp-latency-check"\} 0$' "$scrape"
expect_match "prometheus: the heartbeat's health" '^robopager_healthy\{program="rp-heartbeat"\} [01]$' "$scrape"
expect "prometheus: no collector error" "" "$(printf '%s\n' "$scrape" | grep '^node_textfile_scrape_error 1' || true)"
