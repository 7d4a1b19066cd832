# Ping checks evaluated by rp-latency-check from what rp-ping recorded:
# schedules, periods, max_runtime, through whole episodes with --now, both
# 2026 DST days in New York and London; and the calendar of every check
# type (days, skip_dates). Sourced by tests/run-tests.sh.

PCFG="$WORK/pingcheck.cfg"
PCL="$WORK/pingcheck.yaml"
write_config "$PCFG" pc
cat >"$PCL" <<'EOC'
backup:
    type: ping
    pd_description: "nightly database backup"
    pd_service: "0123456789abcdef0123456789abcdef"
    schedule: "30 2 * * *"
    grace: 30m
    max_runtime: 2h
export:
    type: ping
    pd_description: "daily export"
    pd_service: "0123456789abcdef0123456789abcdef"
    period: 1d
    grace: 1h
weekday_flow:
    type: batchy
    pd_description: "a workflow that runs on weekdays"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "weekday_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
    days: [mon-fri]
    skip_dates: [2026-12-25]
EOC
ping() { rp rp-ping -f "$PCFG" -y "$PCL" "$@"; }
# Each part evaluates its own check (-c), or the weekday one alone.
pl() { rp rp-latency-check -f "$PCFG" -y "$PCL" -c backup "$@"; }
sed -n '/^weekday_flow:/,$p' "$PCL" >"$WORK/weekday.yaml"
line() { printf '%s\n' "$OUT" | grep "^[A-Z]* $1:" || true; }
pd_reset

# --- A scheduled job through its episodes. ---
pl --now 2026-12-07T10:00
expect "schedule: never pinged, not late before its first time" \
	"OK backup: never reported; first expected by 2026-12-08 02:30 (grace 30 min)" "$(line backup)"
ping --now 2026-12-08T02:30 backup start
ping --now 2026-12-08T02:41 backup
pl --now 2026-12-08T02:45
expect "schedule: a success" "OK backup: last success 2026-12-08 02:41; next expected by 2026-12-09 02:30 (grace 30 min)" "$(line backup)"
pl --now 2026-12-09T02:45
expect_match "schedule: within grace, a WARNING and no page" "^WARNING backup: no success since the one expected by 2026-12-09 02:30: 15 min late" "$(line backup)"
expect "schedule: nothing paged yet" "" "$(pd_log)"
pl --now 2026-12-09T03:01
expect_match "schedule: past grace, one trigger" "^CRITICAL backup: .* \[trigger backup/late@2026-12-09T07:30:00Z sent\]$" "$(line backup)"
pl --now 2026-12-09T03:10
expect "schedule: still late, nothing more" 1 "$(pd_count trigger)"
ping --now 2026-12-09T03:12 backup
pl --now 2026-12-09T03:14
expect_match "schedule: the success resolves" "^OK backup: .*\[resolve backup/late@2026-12-09T07:30:00Z sent\]$" "$(line backup)"
# A failure pages at once, keyed by its run's start.
ping --now 2026-12-10T02:30 backup start
ping --now 2026-12-10T02:35 backup 3
pl --now 2026-12-10T02:36
expect "failure: CRITICAL at once" "CRITICAL backup: the run started 2026-12-10 02:30 failed with exit status 3 [trigger backup/failed@2026-12-10T07:30:00Z sent]" "$(line backup)"
ping --now 2026-12-10T02:50 backup
pl --now 2026-12-10T02:52
expect_match "failure: the next success resolves it" "\[resolve backup/failed@2026-12-10T07:30:00Z sent\]" "$(line backup)"
# A run that never ends: CRITICAL after max_runtime, not before.
ping --now 2026-12-11T02:30 backup start
pl --now 2026-12-11T04:00
expect "running: started in time, not late while it runs" "OK backup: running since 2026-12-11 02:30 (max_runtime 2 h 0 min)" "$(line backup)"
pl --now 2026-12-11T04:31
expect "running: CRITICAL after max_runtime" "CRITICAL backup: the run started 2026-12-11 02:30 is still running after 2 h 1 min (max_runtime 2 h 0 min) [trigger backup/running@2026-12-11T07:30:00Z sent]" "$(line backup)"
ping --now 2026-12-11T04:40 backup
pl --now 2026-12-11T04:42
expect_match "running: its success resolves" "\[resolve backup/running@2026-12-11T07:30:00Z sent\]" "$(line backup)"
# The wrapper's output reaches the page.
pd_reset
ping --now 2026-12-12T02:30 backup -- sh -c 'echo dumping; echo disk full >&2; exit 4'
expect "wrapper: the command's status" 4 "$RC"
pl --now 2026-12-12T02:31
expect_match "wrapper: its failure pages" "backup/failed@2026-12-12T07:30:00Z sent" "$(line backup)"
expect_match "wrapper: the page carries the output" '"output": "dumping\\ndisk full' "$(pd_events)"
ping --now 2026-12-12T02:40 backup
pl --now 2026-12-12T02:41

# --- A period. ---
pd_reset
ping --now 2026-12-07T10:00 export
rp rp-latency-check -f "$PCFG" -y "$PCL" --now 2026-12-08T10:30 -c export
expect_match "period: within grace, a WARNING" "^WARNING export: .*30 min late \(grace 60 min\)" "$OUT"
rp rp-latency-check -f "$PCFG" -y "$PCL" --now 2026-12-08T11:00 -c export
expect_match "period: late, keyed by the expected time" "\[trigger export/late@2026-12-08T15:00:00Z sent\]" "$OUT"
ping --now 2026-12-08T11:05 export
rp rp-latency-check -f "$PCFG" -y "$PCL" --now 2026-12-08T11:06 -c export
expect_match "period: resolved" "\[resolve export/late@2026-12-08T15:00:00Z sent\]" "$OUT"

# --- DST: a schedule inside the skipped hour and inside the repeated one. ---
dst_zone() { # ZONE SCHEDULE -> $WORK/dst.cfg and dst.yaml, a state of its own
	write_config "$WORK/dst.cfg" "dst$(printf '%s%s' "$1" "$2" | tr -dc a-z0-9)"
	sed -i "s|^timezone = .*|timezone = $1|" "$WORK/dst.cfg"
	cat >"$WORK/dst.yaml" <<EOC
dst_job:
    type: ping
    pd_description: "dst"
    pd_service: "0123456789abcdef0123456789abcdef"
    schedule: "$2"
    grace: 10m
EOC
}
dst() { rp rp-latency-check -f "$WORK/dst.cfg" -y "$WORK/dst.yaml" -c dst_job --now "$1"; }
dping() { rp rp-ping -f "$WORK/dst.cfg" -y "$WORK/dst.yaml" --now "$1" dst_job; }
pd_reset
dst_zone America/New_York "30 2 * * *"
dping 2026-03-07T02:40
dst 2026-03-08T07:05Z
expect_match "DST New York, skipped hour: 02:30 means 03:00 EDT" "^WARNING dst_job: no success since the one expected by 2026-03-08 03:00: 5 min late" "$OUT"
dst 2026-03-08T07:11Z
expect_match "DST New York, skipped hour: late at 03:10 EDT" "\[trigger dst_job/late@2026-03-08T07:00:00Z sent\]" "$OUT"
dst_zone America/New_York "30 1 * * *"
dping 2026-10-31T01:40
dst 2026-11-01T05:45Z
expect_match "DST New York, repeated hour: 01:30 is the first one (EDT)" "^CRITICAL dst_job: .*\[trigger dst_job/late@2026-11-01T05:30:00Z sent\]" "$OUT"
dping 2026-11-01T05:50Z
dst 2026-11-01T06:35Z
expect_match "DST New York, repeated hour: not due again at 01:30 EST" "^OK dst_job: last success 2026-11-01 01:50; next expected by 2026-11-02 01:30" "$OUT"
pd_reset
dst_zone Europe/London "30 1 * * *"
dping 2026-03-28T01:40
dst 2026-03-29T01:05Z
expect_match "DST London, skipped hour: 01:30 means 02:00 BST" "^WARNING dst_job: no success since the one expected by 2026-03-29 02:00" "$OUT"
dping 2026-10-24T01:40
dst 2026-10-25T00:41Z
expect_match "DST London, repeated hour: the first 01:30 (BST)" "\[trigger dst_job/late@2026-10-25T00:30:00Z sent\]" "$OUT"

# --- Calendars: a day off is not evaluated and pages nothing. ---
pd_reset
wf_set weekday_wf '{"status":"failure","batch_start":"2026-12-18T14:00:00","batch_end":null}'
wl() { rp rp-latency-check -f "$PCFG" -y "$WORK/weekday.yaml" "$@"; }
wl -c weekday_flow --now 2026-12-18T10:00
expect_match "calendar: Friday, a failure pages" "\[trigger weekday_flow/failed@2026-12-18T14:00:00Z sent\]" "$OUT"
h0=$(curl -s "http://127.0.0.1:$BATCHY_PORT/_hits/weekday_wf")
wl --now 2026-12-19T10:00 -v
expect "calendar: Saturday is OFF" "OFF weekday_flow: not expected today (days, skip_dates)" "$(line weekday_flow)"
wl -c weekday_flow --now 2026-12-19T10:05
expect "calendar: -c too (the earlier tool's cron lines use it)" "OFF weekday_flow: not expected today (days, skip_dates)" "$OUT"
expect "calendar: batchy is not asked on a day off" "$h0" "$(curl -s "http://127.0.0.1:$BATCHY_PORT/_hits/weekday_wf")"
rp rp-status -f "$PCFG" -y "$WORK/weekday.yaml" -c weekday_flow --now 2026-12-19T10:06
expect_match "calendar: rp-status shows the incident still open, not OFF" "^weekday_flow +batchy +CRITICAL .* weekday_flow/failed@2026-12-18T14:00:00Z$" "$(printf '%s\n' "$OUT" | sed -n 2p)"
wf_set weekday_wf '{"status":"success","batch_start":"2026-12-19T14:00:00","batch_end":"2026-12-19T14:30:00"}'
wl --now 2026-12-20T10:00
expect "calendar: the open incident stays open over the weekend" "0" "$(pd_count resolve)"
wl -c weekday_flow --now 2026-12-25T10:00
expect "calendar: a skip date is OFF" "OFF weekday_flow: not expected today (days, skip_dates)" "$OUT"
wf_set weekday_wf '{"status":"success","batch_start":"2026-12-28T14:00:00","batch_end":"2026-12-28T14:30:00"}'
wl -c weekday_flow --now 2026-12-28T10:00
expect_match "calendar: Monday's evaluation decides: resolved" "\[resolve weekday_flow/failed@2026-12-18T14:00:00Z sent\]" "$OUT"
rp rp-status -f "$PCFG" -y "$WORK/weekday.yaml" -c weekday_flow --now 2027-01-02T10:00
expect_match "calendar: rp-status says OFF on a day off with nothing open" "^weekday_flow +batchy +OFF " "$(printf '%s\n' "$OUT" | sed -n 2p)"
# A weekday ping check: its calendar says which runs are expected, and it
# is evaluated every day. Friday's run came: no page on the weekend or on
# Monday before Monday's run; Friday's 23:30 run missing pages on Saturday.
cat >"$WORK/pingcal.yaml" <<'EOC'
weekday_job:
    type: ping
    pd_description: "a job on weekdays"
    pd_service: "0123456789abcdef0123456789abcdef"
    schedule: "30 2 * * *"
    grace: 30m
    days: [mon-fri]
late_job:
    type: ping
    pd_description: "an evening job on weekdays"
    pd_service: "0123456789abcdef0123456789abcdef"
    schedule: "30 23 * * *"
    grace: 2h
    days: [mon-fri]
EOC
pc() { rp rp-latency-check -f "$PCFG" -y "$WORK/pingcal.yaml" "$@"; }
pcping() { rp rp-ping -f "$PCFG" -y "$WORK/pingcal.yaml" "$@"; }
pd_reset
pcping --now 2026-12-11T02:35 weekday_job
pcping --now 2026-12-10T23:35 late_job
pc -c weekday_job --now 2026-12-12T10:00
expect "ping calendar: Saturday, evaluated, OK, Monday's run next" "OK weekday_job: last success 2026-12-11 02:35; next expected by 2026-12-14 02:30 (grace 30 min)" "$OUT"
pc -c weekday_job --now 2026-12-14T02:00
expect "ping calendar: Monday before its run: OK, no page" "0 0" "$RC $(pd_count trigger)"
pc -c late_job --now 2026-12-12T01:40
expect_match "ping calendar: Friday's 23:30 run missing pages at 01:30 Saturday" "^CRITICAL late_job: .*\[trigger late_job/late@2026-12-12T04:30:00Z sent\]" "$OUT"

# An email check off on Saturdays never logs in.
cat >"$WORK/mailcal.yaml" <<'EOC'
weekday_mail:
    type: email
    pd_description: "weekday mail"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: ['@vendor.example']
    delivery_time: "06:00"
    check_time: "07:00"
    subjects: ["report"]
    days: [mon-fri]
EOC
sed "s|^\[google_apps\]$|[google_apps]\nimap_url = imap://127.0.0.1:$(free_port)|" "$PCFG" >"$WORK/mailcal.cfg"
chmod 600 "$WORK/mailcal.cfg"
rp rp-email-check -f "$WORK/mailcal.cfg" -y "$WORK/mailcal.yaml" --now 2026-12-19T09:00 -v
expect "calendar: an email check is OFF on Saturday, no login tried" "0 OFF weekday_mail: not expected today (days, skip_dates)" "$RC $OUT"
rp rp-email-check -f "$WORK/mailcal.cfg" -y "$WORK/mailcal.yaml" --now 2026-12-21T09:00
expect_match "calendar: on Monday it is evaluated (the server is unreachable)" "^UNKNOWN weekday_mail: " "$OUT"
