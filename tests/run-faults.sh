#!/usr/bin/env bash
# The fault suite: each scenario runs the real programs against a real
# redis-server (with an append-only file, so that it can be stopped, killed
# and restarted like a production one), the fake PagerDuty, the fake batchy,
# Dovecot's stand-ins for broken mail servers, and counts what PagerDuty
# made of it: incidents opened (pages), duplicates (a second incident for
# one problem) and lost pages (a problem that never paged, or a page never
# resolved). Prints a table; fails on any lost or duplicated page, and on any
# failed assertion about the runs themselves.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
. tests/lib.sh

start_fake pagerduty
start_fake batchy
start_fake airflow
start_fake http
python3 "$TOP/tests/fakes/fake_imap.py" "$WORK/imap.ports" 2>>"$WORK/imap.log" &
PIDS="$PIDS $!"
wait_for 10 test -s "$WORK/imap.ports" || { echo "fake imap did not start" >&2; exit 1; }
imap_port() { awk -v m="$1" '$1 == m { print $2 }' "$WORK/imap.ports"; }

# A Redis that keeps its data across a stop or a kill -9, as one with
# appendonly does in production.
FREDIS_PORT=$(free_port)
mkdir -p "$WORK/fredis"
start_fredis() {
	redis-server --port "$FREDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes \
		--appendfsync always --dir "$WORK/fredis" --logfile "$WORK/fredis.log" \
		--daemonize no &
	FREDIS_PID=$!
	PIDS="$PIDS $FREDIS_PID"
	wait_for 10 redis-cli -p "$FREDIS_PORT" ping || { echo "redis-server did not start" >&2; exit 1; }
}
stop_fredis() { kill -TERM "$FREDIS_PID"; wait "$FREDIS_PID" 2>/dev/null || true; }
kill_fredis() { kill -KILL "$FREDIS_PID"; wait "$FREDIS_PID" 2>/dev/null || true; }
start_fredis

ROWS=""
REASONS=""
BAD_ROWS=0
RK=0123456789abcdef0123456789abcdef

# fault_cfg NAME [KEY=VALUE ...]: $WORK/NAME.cfg with prefix NAME on the
# fault Redis; each KEY=VALUE replaces or adds a key in its section
# (robopager.x, pager_duty.x, batchy.x, google_apps.x).
fault_cfg() {
	local name=$1 f="$WORK/$1.cfg"; shift
	write_config "$f" "$name" "$FREDIS_PORT"
	add_sources "$f"
	chmod 600 "$f"
	python3 - "$f" "$@" <<'EOP'
import re, sys
path, sets = sys.argv[1], sys.argv[2:]
text = open(path).read()
for s in sets:
    k, v = s.split("=", 1)
    sec, key = k.split(".", 1)
    pat = re.compile(r"^%s = .*$" % re.escape(key), re.M)
    start = text.index("[%s]\n" % sec)
    end = text.find("\n[", start + 1)
    end = len(text) if end < 0 else end + 1
    body = text[start:end]
    body = pat.sub("%s = %s" % (key, v), body) if pat.search(body) else body.rstrip("\n") + "\n%s = %s\n" % (key, v)
    text = text[:start] + body + text[end:]
open(path, "w").write(text)
EOP
}

# latency_checklist FILE NAME [POLL [COUNT]]: COUNT latency checks (NAME_job,
# or NAME_job_1..COUNT) on the workflow NAME.
latency_checklist() {
	local f=$1 name=$2 poll=${3:-60} count=${4:-1} i suffix
	: >"$f"
	for i in $(seq 1 "$count"); do
		suffix=$([ "$count" -eq 1 ] && echo "" || echo "_$i")
		cat >>"$f" <<EOC
${name}_job$suffix:
    type: batchy
    pd_description: "fault $name"
    pd_service: "$RK"
    wf_name: "$name"
    check_time: "00:00"
    poll_sec: $poll
    latency_min: 60
EOC
	done
}

failed_wf() { wf_set "$1" "{\"status\":\"failure\",\"batch_start\":\"$2\",\"batch_end\":null}"; }
done_wf() { wf_set "$1" "{\"status\":\"success\",\"batch_start\":\"$2\",\"batch_end\":\"$3\"}"; }
pd_limit() { curl -s -X POST --data "$1" "http://127.0.0.1:$PAGERDUTY_PORT/_limit" >/dev/null; }

# bg NAME PROGRAM ARGS...: starts a program in the background; wait_bg NAME
# then sets OUT_<NAME>, ERR_<NAME>, RC_<NAME>.
bg() {
	local n=$1 prog=$2; shift 2
	"$TOP/bin/$prog" "$@" >"$WORK/bg.$n.out" 2>"$WORK/bg.$n.err" &
	eval "BG_$n=$!"
}
wait_bg() {
	local n=$1 pid rc
	eval "pid=\$BG_$n"
	set +e
	wait "$pid"
	rc=$?
	set -e
	eval "RC_$n=$rc"
	eval "OUT_$n=\$(cat \"$WORK/bg.$n.out\")"
	eval "ERR_$n=\$(cat \"$WORK/bg.$n.err\")"
}

# row SCENARIO EXPECTED...: one line of the table from PagerDuty's incidents;
# each EXPECTED is DEDUP_KEY=open or DEDUP_KEY=resolved.
row() {
	local scenario=$1; shift
	local line
	line=$(curl -s "http://127.0.0.1:$PAGERDUTY_PORT/_incidents" | python3 -c '
import json, sys
inc = json.load(sys.stdin)
want = dict(a.rsplit("=", 1) for a in sys.argv[1:])
sent = sum(i["opened"] for i in inc.values())
dup = sum(max(0, i["opened"] - 1) for k, i in inc.items() if k in want)
dup += sum(i["opened"] for k, i in inc.items() if k not in want)
lost = sum(1 for k in want if inc.get(k, {}).get("opened", 0) == 0)
lost += sum(1 for k, end in want.items() if end == "resolved" and inc.get(k, {}).get("open", True))
resent = sum(i["triggers"] - i["opened"] for i in inc.values())
print(len(want), sent, dup, lost, resent)' "$@")
	set -- $line
	ROWS="$ROWS$(printf '%-58s %8s %5s %10s %4s %7s' "$scenario" "$1" "$2" "$3" "$4" "$5")
"
	if [ "$3" -ne 0 ] || [ "$4" -ne 0 ] || [ "$1" -ne "$2" ]; then
		BAD_ROWS=$((BAD_ROWS + 1))
		fail "$scenario: expected $1 pages, sent $2, duplicates $3, lost $4"
	else
		pass "$scenario"
	fi
}

T0=2026-12-10T10:00
T1=2026-12-10T10:01
T2=2026-12-10T10:02
FAILED_KEY() { echo "$1_job/failed@2026-12-10T14:00:00Z"; }

# --- PagerDuty faults ---------------------------------------------------

pd_reset
fault_cfg f1 robopager.time_budget_sec=20
latency_checklist "$WORK/f1.yaml" f1
failed_wf f1 2026-12-10T14:00:00
pd_fail 429 429 429 429 429
rp rp-latency-check -f "$WORK/f1.cfg" -y "$WORK/f1.yaml" --now $T0
expect "429x5: delivered within the run" "429 429 429 429 429 202" "$(pd_log | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
expect "429x5: exit is the check's (2)" 2 "$RC"
row "PagerDuty answers 429 five times, then 202" "$(FAILED_KEY f1)=open"

pd_reset
fault_cfg f2
latency_checklist "$WORK/f2.yaml" f2
failed_wf f2 2026-12-10T14:00:00
pd_fail down:500
rp rp-latency-check -f "$WORK/f2.cfg" -y "$WORK/f2.yaml" --now $T0
expect "500: the run exits 2 (CRITICAL, never hidden by the undelivered page)" 2 "$RC"
expect_match "500: one line says it is queued" "trigger $(FAILED_KEY f2): HTTP 500: injected 500; queued in the outbox" "$ERR"
pd_fail up
rp rp-latency-check -f "$WORK/f2.cfg" -y "$WORK/f2.yaml" --now $T1
expect_match "500: the next run delivers it first" "outbox: 1 earlier event delivered" "$ERR"
expect "500: and exits with the check's status" 2 "$RC"
row "PagerDuty answers 500 for longer than a run" "$(FAILED_KEY f2)=open"

pd_reset
fault_cfg f3 pager_duty.timeout_sec=1
latency_checklist "$WORK/f3.yaml" f3
failed_wf f3 2026-12-10T14:00:00
pd_fail down:slow:2
start=$(date +%s)
rp rp-latency-check -f "$WORK/f3.cfg" -y "$WORK/f3.yaml" --now $T0
expect "timeouts: the run ends within its budget (6 s)" 1 "$([ $(($(date +%s) - start)) -le 7 ] && echo 1 || echo 0)"
expect "timeouts: exit 2 (CRITICAL, never hidden)" 2 "$RC"
pd_fail up
rp rp-latency-check -f "$WORK/f3.cfg" -y "$WORK/f3.yaml" --now $T1
expect_match "timeouts: the next run delivers it" "outbox: 1 earlier event delivered" "$ERR"
row "PagerDuty times out on every call for a run" "$(FAILED_KEY f3)=open"

# --- Redundant instances and overlapping runs ---------------------------

pd_reset
fault_cfg f4 robopager.time_budget_sec=20
latency_checklist "$WORK/f4.yaml" f4
failed_wf f4 2026-12-10T14:00:00
bg a rp-latency-check -f "$WORK/f4.cfg" -y "$WORK/f4.yaml" --now $T0
bg b rp-latency-check -f "$WORK/f4.cfg" -y "$WORK/f4.yaml" --now $T0
wait_bg a; wait_bg b
expect "two at once: exactly one evaluates" 1 "$(printf '%s\n%s\n' "$OUT_a" "$OUT_b" | grep -c '^CRITICAL f4_job')"
done_wf f4 2026-12-10T14:00:00 2026-12-10T14:50:00
bg a rp-latency-check -f "$WORK/f4.cfg" -y "$WORK/f4.yaml" --now $T1
bg b rp-latency-check -f "$WORK/f4.cfg" -y "$WORK/f4.yaml" --now $T1
wait_bg a; wait_bg b
expect "two at once: exactly one resolves" 1 "$(printf '%s\n%s\n' "$OUT_a" "$OUT_b" | grep -c '^OK f4_job')"
row "Two instances start at the same moment on a due check" "$(FAILED_KEY f4)=resolved"

pd_reset
fault_cfg f5 robopager.time_budget_sec=20
cp "$WORK/f5.cfg" "$WORK/f5-primary.cfg"
fault_cfg f5 robopager.time_budget_sec=20 robopager.offset_sec=2
latency_checklist "$WORK/f5.yaml" f5
failed_wf f5 2026-12-10T14:00:00
bg p rp-latency-check -f "$WORK/f5-primary.cfg" -y "$WORK/f5.yaml" --now $T0
bg s rp-latency-check -f "$WORK/f5.cfg" -y "$WORK/f5.yaml" --now $T0
wait_bg p; wait_bg s
expect "standby: the primary evaluates" "CRITICAL f5_job" "$(printf '%s\n' "$OUT_p" | cut -d: -f1)"
expect "standby: and the standby, after its offset, does not" "" "$OUT_s"
done_wf f5 2026-12-10T14:00:00 2026-12-10T14:50:00
rp rp-latency-check -f "$WORK/f5.cfg" -y "$WORK/f5.yaml" --now $T1
expect "standby: with the primary dead it evaluates and resolves" "OK f5_job [resolve $(FAILED_KEY f5) sent]" "$(printf '%s\n' "$OUT" | sed -E 's/: .*\[/ [/')"
row "The primary dies; a standby at offset_sec takes over" "$(FAILED_KEY f5)=resolved"

pd_reset
fault_cfg f6 robopager.time_budget_sec=20
latency_checklist "$WORK/f6.yaml" f6 300
failed_wf f6 2026-12-10T14:00:00
wf_mode f6 slow:3
bg a rp-latency-check -f "$WORK/f6.cfg" -y "$WORK/f6.yaml" --now $T0
sleep 1
rp rp-latency-check -f "$WORK/f6.cfg" -y "$WORK/f6.yaml" --now $T1 -v
wait_bg a
expect "overlap: the second run skips the check the first one holds" "SKIPPED f6_job: evaluated less than 300s ago" "$OUT"
expect "overlap: the first one pages" "CRITICAL f6_job" "$(printf '%s\n' "$OUT_a" | cut -d: -f1)"
wf_mode f6 ok
row "Cron starts a run while the previous one still runs" "$(FAILED_KEY f6)=open"

# --- State store faults -------------------------------------------------

pd_reset
fault_cfg f7
latency_checklist "$WORK/f7.yaml" f7
failed_wf f7 2026-12-10T14:00:00
stop_fredis
rp rp-latency-check -f "$WORK/f7.cfg" -y "$WORK/f7.yaml" --now $T0
expect "redis stopped: exit 2 (CRITICAL, never hidden)" 2 "$RC"
expect "redis stopped: one line says so" 1 "$(printf '%s\n' "$ERR" | grep -c 'state store unreachable')"
expect "redis stopped: the trigger still goes out" 1 "$(pd_count trigger)"
start_fredis
rp rp-latency-check -f "$WORK/f7.cfg" -y "$WORK/f7.yaml" --now $T1
expect "redis back: the run repairs the state, exit 2" 2 "$RC"
done_wf f7 2026-12-10T14:00:00 2026-12-10T14:50:00
rp rp-latency-check -f "$WORK/f7.cfg" -y "$WORK/f7.yaml" --now $T2
expect "redis back: the recovery resolves" "1" "$(pd_count resolve)"
row "Redis stopped before a run, restarted after it" "$(FAILED_KEY f7)=resolved"

pd_reset
fault_cfg f8
latency_checklist "$WORK/f8.yaml" f8
failed_wf f8 2026-12-10T14:00:00
wf_mode f8 slow:2
bg a rp-latency-check -f "$WORK/f8.cfg" -y "$WORK/f8.yaml" --now $T0
sleep 1
kill_fredis
wait_bg a
wf_mode f8 ok
expect "redis killed: exit 2 (CRITICAL, never hidden)" 2 "$RC_a"
expect_match "redis killed: one line says what was not recorded" "decisions are recorded nowhere: the next run decides again" "$ERR_a"
expect "redis killed: the trigger went out" 1 "$(pd_count trigger)"
start_fredis
rp rp-latency-check -f "$WORK/f8.cfg" -y "$WORK/f8.yaml" --now $T1
expect "redis killed: the next run pages nobody again, exit 2" 2 "$RC"
done_wf f8 2026-12-10T14:00:00 2026-12-10T14:50:00
rp rp-latency-check -f "$WORK/f8.cfg" -y "$WORK/f8.yaml" --now $T2
expect "redis killed: the recovery resolves" "1" "$(pd_count resolve)"
row "Redis killed in the middle of a run" "$(FAILED_KEY f8)=resolved"

# --- Ordering and the rate limit ----------------------------------------

pd_reset
fault_cfg f9
latency_checklist "$WORK/f9.yaml" f9
failed_wf f9 2026-12-10T14:00:00
pd_fail down:500
rp rp-latency-check -f "$WORK/f9.cfg" -y "$WORK/f9.yaml" --now $T0
pd_fail up
done_wf f9 2026-12-10T14:00:00 2026-12-10T14:50:00
rp rp-latency-check -f "$WORK/f9.cfg" -y "$WORK/f9.yaml" --now $T1
expect_match "order: the resolve waits for its trigger" "resolve $(FAILED_KEY f9): queued behind an earlier event of this incident" "$ERR"
expect "order: and the run is not in trouble for it" 0 "$RC"
rp rp-latency-check -f "$WORK/f9.cfg" -y "$WORK/f9.yaml" --now $T2
expect "order: trigger, then resolve" "202 trigger,202 resolve," "$(pd_log | grep '^202' | cut -d' ' -f1-2 | tr '\n' ',')"
row "PagerDuty down, the problem clears before it is back" "$(FAILED_KEY f9)=resolved"

pd_reset
fault_cfg f10 robopager.time_budget_sec=20
latency_checklist "$WORK/f10.yaml" f10 60 150
failed_wf f10 2026-12-10T14:00:00
pd_limit 120
rp rp-latency-check -f "$WORK/f10.cfg" -y "$WORK/f10.yaml" --now $T0
expect "rate: 120 events in the first minute" 120 "$(pd_count trigger)"
expect "rate: PagerDuty never had to say 429" 0 "$(pd_log | grep -c '^429' || true)"
expect_match "rate: the rest wait, and the run says so" "rate limit" "$ERR"
pd_limit 120 # a minute later, for PagerDuty too
rp rp-latency-check -f "$WORK/f10.cfg" -y "$WORK/f10.yaml" --now $T1
expect_match "rate: the next minute's run delivers the rest" "outbox: 30 earlier events delivered" "$ERR"
keys=""
for i in $(seq 1 150); do keys="$keys f10_job_$i/failed@2026-12-10T14:00:00Z=open"; done
row "150 triggers at once, PagerDuty takes 120 a minute" $keys

# --- Kills, closed pipes, refused writes, clocks, lies, refusals --------

. "$TOP/tests/faults-guarantees.sh"
. "$TOP/tests/faults-chaos.sh"
. "$TOP/tests/faults-sinks.sh"

# --- Redis Sentinel: failovers ------------------------------------------

. "$TOP/tests/faults-sentinel.sh"

# --- Source faults: UNKNOWN with its reason, within the budget -----------

UKEY="unknown@2026-12-10T15:00:00Z"
source_fault() { # NAME SCENARIO EXPECTED-REASON-REGEX PROGRAM
	local name=$1 scenario=$2 why=$3 prog=$4 start
	start=$(date +%s)
	rp "$prog" -f "$WORK/$name.cfg" -y "$WORK/$name.yaml" --now $T0
	expect "$scenario: UNKNOWN, exit 3" 3 "$RC"
	expect_match "$scenario: says why" "^UNKNOWN ${name}_job: .*($why)" "$OUT"
	expect "$scenario: within the time budget (10 s)" 1 "$([ $(($(date +%s) - start)) -le 11 ] && echo 1 || echo 0)"
	REASONS="$REASONS$(printf '  %-42s %2ss  %s' "$scenario" "$(($(date +%s) - start))" \
		"$(printf '%s\n' "$OUT" | head -n 1 | sed -E 's/^UNKNOWN [^:]*: //; s/ \[trigger .*//')")
"
	row "$scenario" "${name}_job/$UKEY=open"
}

batchy_fault() { # NAME SCENARIO MODE REASON [PORT]
	pd_reset
	fault_cfg "$1" robopager.time_budget_sec=10 robopager.unknown_after=1 batchy.timeout_sec=2 \
		${5:+batchy.port=$5}
	latency_checklist "$WORK/$1.yaml" "$1"
	failed_wf "$1" 2026-12-10T14:00:00
	wf_mode "$1" "$3"
	source_fault "$1" "$2" "$4" rp-latency-check
}
batchy_fault s1 "batchy slower than its timeout" slow:30 "did not answer: no answer within 2000 ms"
batchy_fault s2 "batchy refuses connections" ok "did not answer: .*(refused|connect)" "$(free_port)"
batchy_fault s3 "batchy answers garbage" garbage "not JSON|JSON|garbage|invalid"
batchy_fault s4 "batchy answers a body larger than the cap" huge "larger|too large|cap|exceed"
batchy_fault s5 "batchy closes the connection" close "did not answer"

# airflow_fault NAME SCENARIO MODE REASON [KEY [URL]]: MODE on KEY's requests
# (the DAG's, default, or _token for the login), or [airflow] url = URL.
airflow_fault() {
	pd_reset
	fault_cfg "$1" robopager.time_budget_sec=10 robopager.unknown_after=1 airflow.timeout_sec=2 \
		${6:+airflow.url=$6}
	cat >"$WORK/$1.yaml" <<EOC
${1}_job:
    type: airflow
    dag_id: "$1"
    pd_description: "fault $1"
    pd_service: "$RK"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
EOC
	if [ "$3" = missing ]; then
		curl -s -X DELETE "http://127.0.0.1:$AIRFLOW_PORT/_dag/$1" >/dev/null
	else
		af_dag "$1" "{\"runs\": [$(af_run failed 2026-12-10T14:00:00 2026-12-10T14:05:00)], \"is_paused\": false}"
		af_mode "${5:-$1}" "$3"
	fi
	source_fault "$1" "$2" "$4" rp-latency-check
	af_mode "${5:-$1}" ok
}
airflow_fault a1 "Airflow slower than its timeout" slow:30 "did not answer: no answer within 2000 ms"
airflow_fault a2 "Airflow refuses connections" ok "did not answer at /auth/token: .*(refused|connect)" "" \
	"http://127.0.0.1:$(free_port)"
airflow_fault a3 "Airflow answers garbage" garbage "not JSON"
airflow_fault a4 "Airflow answers a body larger than the cap" huge "larger than 1048576 bytes"
airflow_fault a5 "Airflow closes the connection" close "did not answer: .*(Empty reply|closed)"
airflow_fault a6 "Airflow refuses the credentials (401)" 401 "refused the credentials \(HTTP 401\)"
airflow_fault a7 "Airflow has no such DAG (404)" missing "has no DAG a7"
airflow_fault a8 "Airflow's token endpoint down (500)" 500 "answered HTTP 500 at /auth/token" _token

# http_fault NAME SCENARIO MODE REASON [URL]: MODE on the status URL, or url
# = URL.
http_fault() {
	pd_reset
	fault_cfg "$1" robopager.time_budget_sec=10 robopager.unknown_after=1 "http jobs.timeout_sec=2"
	cat >"$WORK/$1.yaml" <<EOC
${1}_job:
    type: http
    url: "${5:-http://127.0.0.1:$HTTP_PORT/$1}"
    completion: /done
    state: /state
    failure_values: [failed]
    started: /started
    auth: jobs
    pd_description: "fault $1"
    pd_service: "$RK"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
EOC
	js_set "$1" '{"done": "2026-12-10T13:00:00Z", "state": "failed", "started": "2026-12-10T14:00:00Z"}'
	js_auth "$1" "bearer jobs-token-5ec2e7"
	js_mode "$1" "$3"
	source_fault "$1" "$2" "$4" rp-latency-check
	js_mode "$1" ok
}
http_fault h1 "HTTP status slower than its timeout" slow:30 "did not answer: no answer within 2000 ms"
http_fault h2 "HTTP status refuses connections" ok "did not answer: .*(refused|connect)" \
	"http://127.0.0.1:$(free_port)/h2"
http_fault h3 "HTTP status answers garbage" garbage "not JSON"
http_fault h4 "HTTP status answers more than the cap" huge "larger than 1048576 bytes"
http_fault h5 "HTTP status closes the connection" close "did not answer: .*(Empty reply|closed)"

imap_fault() { # NAME SCENARIO PORT REASON
	pd_reset
	fault_cfg "$1" robopager.time_budget_sec=10 robopager.unknown_after=1
	python3 - "$WORK/$1.cfg" "imap://127.0.0.1:$3" <<'EOP'
import sys
path, url = sys.argv[1:3]
text = open(path).read().replace("[google_apps]\n", "[google_apps]\nimap_url = %s\ntimeout_sec = 2\n" % url, 1)
open(path, "w").write(text)
EOP
	cat >"$WORK/$1.yaml" <<EOC
${1}_job:
    type: email
    pd_description: "fault $1"
    pd_service: "$RK"
    senders: [vendor@example.com]
    delivery_time: "00:00"
    check_time: "00:01"
    subjects: [Daily report]
EOC
	source_fault "$1" "$2" "$4" rp-email-check
}
imap_fault m1 "IMAP server slower than its timeout" "$(imap_port slow)" "no answer within|time budget"
imap_fault m2 "IMAP server refuses connections" "$(free_port)" "refused|connect"
imap_fault m3 "IMAP server answers garbage" "$(imap_port garbage)" "malformed|closed|garbage|unexpected|answer"
imap_fault m4 "IMAP server answers more than the cap" "$(imap_port huge)" "larger|too large|cap|MiB"
imap_fault m5 "IMAP server closes the connection" "$(imap_port close)" "closed the connection"
# An IMAP server that takes no login in plain text: said as such, and the
# password never sent.
pd_reset
imap_fault m6 "IMAP server with LOGINDISABLED" "$(imap_port logindisabled)" \
	"takes no login in plain text \\(LOGINDISABLED\\): the password was not sent"
expect "m6: no LOGIN reached the server" 0 "$(cat "$WORK/imap.ports.logins" 2>/dev/null | wc -l)"


echo
printf '%-58s %8s %5s %10s %4s %7s\n' "SCENARIO" "EXPECTED" "SENT" "DUPLICATES" "LOST" "RE-SENT"
printf '%s' "$ROWS"
echo "(pages: incidents PagerDuty opened; re-sent: the same trigger sent again and folded"
echo " by PagerDuty into the open incident by its dedup key, after an answer that was lost;"
echo " rows marked (Slack), (webhook), (both) count what that stand-in received: messages in"
echo " the channel, incidents the receiver opened, alerts each Alertmanager fired to its receiver)"
echo "$CHAOS_NOTE"
echo
echo "Sentinel rows (failover: from kill -9 until every sentinel names the new primary):"
printf '%s' "$SEN_TIMES"
echo
echo "What each source fault said (UNKNOWN, run time):"
printf '%s' "$REASONS"
echo
echo "tests: $PASSED passed, $FAILED failed (fault suite; $BAD_ROWS scenarios with a lost or duplicated page)"
[ "$FAILED" -eq 0 ] && [ "$BAD_ROWS" -eq 0 ]
