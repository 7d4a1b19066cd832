# The fault suite's sources part: each source failing (slow, refused,
# garbage, over the cap, closed; Airflow's and IMAP's own refusals) is
# UNKNOWN with its reason within the budget. Sourced by tests/run-faults.sh,
# whose helpers it uses.

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
