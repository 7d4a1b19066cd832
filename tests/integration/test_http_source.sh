# rp-latency-check with http checks end to end: real redis-server, a JSON
# status stand-in (tests/fakes/fake_http.py), fake PagerDuty. Sourced by
# tests/run-tests.sh (see tests/lib.sh for the helpers).

start_fake http
JS="http://127.0.0.1:$HTTP_PORT"
HCFG="$WORK/http.cfg"
HCL="$WORK/http.yaml"
write_config "$HCFG" hs
add_sources "$HCFG"
cat >>"$HCFG" <<'EOC'
[http basic]
username = robot
password_env = RP_TEST_HTTP_PW
EOC
chmod 600 "$HCFG"
export RP_TEST_HTTP_PW=http-pass-5ec2e7
cat >"$HCL" <<EOC
exports_api:
    type: http
    url: "$JS/api/exports/last?api_key=query-secret-5ec2e7"
    completion: "/last_success/finished_at"
    state: "/last_run/state"
    failure_values: ["failed", "error"]
    started: "/last_run/started_at"
    auth: jobs
    pd_description: "exports API"
    pd_service: "0123456789abcdef0123456789abcdef"
    check_time: "00:05"
    poll_sec: 120
    latency_min: 90
epoch_api:
    type: http
    url: "$JS/jobs"
    completion: "/jobs/1/last~1done"
    auth: basic
    pd_description: "jobs API, epoch seconds"
    pd_service: "abcdefabcdefabcdefabcdefabcdef12"
    check_time: "00:05"
    poll_sec: 120
    latency_min: 60
open_api:
    type: http
    url: "$JS/open"
    completion: "/done"
    pd_description: "no credentials"
    pd_service: "abcdefabcdefabcdefabcdefabcdef12"
    check_time: "00:05"
    poll_sec: 120
    latency_min: 60
EOC
hc() { rp rp-latency-check -f "$HCFG" -y "$HCL" -c "${CHECK:-exports_api}" "$@"; }
status() { # status FINISHED STATE STARTED: the exports API's answer
	js_set api/exports/last "{\"last_success\": {\"finished_at\": $1}, \"last_run\": {\"state\": \"$2\", \"started_at\": $3}}"
}
pd_reset
js_auth api/exports/last "bearer jobs-token-5ec2e7"
js_auth jobs "basic robot:http-pass-5ec2e7"
KEY=exports_api/overdue@2026-11-26T14:30:00Z

# --- A whole episode (90 min limit, WARNING from 72), with --now. ---
status '"2026-11-26T14:30:00Z"' success '"2026-11-26T14:00:00Z"'
hc --now 2026-11-26T10:00
expect "http: OK" "OK exports_api: 127.0.0.1:$HTTP_PORT/api/exports/last: completed 30 min ago (limit 90)" "$OUT"
expect "http: the bearer token sent" '{"hits": 1, "auth": ["Bearer"]}' "$(js_hits api/exports/last)"
hc --now 2026-11-26T10:45
expect "http: 75 min is WARNING" 1 "$RC"
expect "http: WARNING pages nobody" "" "$(pd_log)"
hc --now 2026-11-26T11:01
expect "http: 91 min is CRITICAL with its trigger" "CRITICAL exports_api: 127.0.0.1:$HTTP_PORT/api/exports/last: no completion for 91 min (limit 90) [trigger $KEY sent]" "$OUT"
hc --now 2026-11-26T11:10
expect "http: still CRITICAL sends nothing" 1 "$(pd_log | wc -l)"
status '"2026-11-26T16:05:00+00:00"' success '"2026-11-26T15:50:00Z"'
hc --now 2026-11-26T11:15
expect "http: recovered" 0 "$RC"
expect "http: resolve of the same key" "202 resolve $KEY - -" "$(pd_log | tail -n 1)"

# failure_values page at once, keyed by started; a state not in them does not.
status '"2026-11-26T16:05:00Z"' Error '"2026-11-26T16:20:00Z"'
hc --now 2026-11-26T11:30
expect "http failed: CRITICAL" 2 "$RC"
expect "http failed: trigger keyed by started" \
	"202 trigger exports_api/failed@2026-11-26T16:20:00Z critical exports_api: 127.0.0.1:$HTTP_PORT/api/exports/last: the run started 2026-11-26 11:20 failed" \
	"$(pd_log | tail -n 1)"
status '"2026-11-26T16:40:00Z"' success '"2026-11-26T16:30:00Z"'
hc --now 2026-11-26T11:45
expect "http failed then success: resolves the failed key" "202 resolve exports_api/failed@2026-11-26T16:20:00Z - -" "$(pd_log | tail -n 1)"
hc --now 2026-11-26T11:46 --json
expect_match "http json: the URL's host and path and the state as facts" '"type":"http".*"url":"127.0.0.1:[0-9]+/api/exports/last","state":"success"' "$OUT"

# The query (which may hold a key) is never shown.
expect_no_match "http: the URL's query never printed or sent" 'query-secret-5ec2e7' "$OUT$ERR$(pd_events)"

# --- Epoch seconds, a pointer with ~1 and an index, basic auth. ---
js_set jobs "{\"jobs\": [{\"name\": \"a\"}, {\"name\": \"b\", \"last/done\": $(date -u -d 2026-11-26T14:50:00Z +%s).25}]}"
CHECK=epoch_api hc --now 2026-11-26T10:00
expect "epoch seconds (real) through /jobs/1/last~1done" "OK epoch_api: 127.0.0.1:$HTTP_PORT/jobs: completed 10 min ago (limit 60)" "$OUT"
expect "basic auth sent" '{"hits": 1, "auth": ["Basic"]}' "$(js_hits jobs)"
js_set jobs "{\"jobs\": [{\"name\": \"a\"}, {\"name\": \"b\", \"last/done\": \"$(date -u -d 2026-11-26T14:55:00Z +%s)\"}]}"
CHECK=epoch_api hc --now 2026-11-26T10:00:30
expect_match "epoch seconds as a string of digits" '^OK epoch_api: .*completed 5 min ago' "$OUT"
RP_TEST_HTTP_PW=wrong-http-5ec2e7 CHECK=epoch_api hc --now 2026-11-26T10:01
expect "basic auth, wrong password: refused" "UNKNOWN epoch_api: 127.0.0.1:$HTTP_PORT/jobs: refused the credentials (HTTP 401)" "$OUT"
expect_no_match "wrong password never printed" 'wrong-http-5ec2e7|http-pass-5ec2e7' "$OUT$ERR"
(unset RP_TEST_HTTP_PW; CHECK=epoch_api hc --now 2026-11-26T10:02; expect "password_env not set: UNKNOWN naming the variable" "UNKNOWN epoch_api: 127.0.0.1:$HTTP_PORT/jobs: $HCFG: [http basic] password_env: \$RP_TEST_HTTP_PW is not set" "$OUT")

# --- A pointer that finds nothing, a value that is not a time. ---
js_set jobs '{"jobs": [{"name": "a"}]}'
CHECK=epoch_api hc --now 2026-11-26T10:03
expect "pointer finds nothing: UNKNOWN naming it; the third UNKNOWN in a row pages" "UNKNOWN epoch_api: 127.0.0.1:$HTTP_PORT/jobs: the answer has nothing at /jobs/1/last~1done (completion) [trigger epoch_api/unknown@2026-11-26T15:01:00Z sent]" "$OUT"
js_set jobs '{"jobs": [{}, {"last/done": "tomorrow-ish"}]}'
CHECK=epoch_api hc --now 2026-11-26T10:04
expect "not a time: UNKNOWN naming it" "UNKNOWN epoch_api: 127.0.0.1:$HTTP_PORT/jobs: the answer's /jobs/1/last~1done (completion) is not a time: \"tomorrow-ish\"" "$OUT"

# --- A time in the future: UNKNOWN, nothing remembered. ---
js_set open '{"done": "2026-11-26T15:00:00Z"}'
CHECK=open_api hc --now 2026-11-26T10:10
expect "open API (no auth): OK" "OK open_api: 127.0.0.1:$HTTP_PORT/open: completed 10 min ago (limit 60)" "$OUT"
expect "open API: no Authorization sent" '{"hits": 1, "auth": ["none"]}' "$(js_hits open)"
js_set open '{"done": "2026-11-27T15:00:00Z"}'
CHECK=open_api hc --now 2026-11-26T10:20
expect "future completion: UNKNOWN" "UNKNOWN open_api: 127.0.0.1:$HTTP_PORT/open: the source gave a completion in the future (2026-11-27T15:00:00Z, 1420 min ahead of this run's clock); not trusted" "$OUT"
expect "future completion: not remembered" "$(date -u -d 2026-11-26T15:00:00Z +%s)" "$(redis-cli -p "$REDIS_PORT" -n 1 hget hs:check:open_api completion)"
js_set open '{"done": 1795000000000}'
CHECK=open_api hc --now 2026-11-26T10:21
expect "epoch milliseconds: not a time" "UNKNOWN open_api: 127.0.0.1:$HTTP_PORT/open: the answer's /done (completion) is not a time: 1795000000000" "$OUT"

# --- Transport: a server error, garbage. ---
js_mode open 500
CHECK=open_api hc --now 2026-11-26T10:22
expect "500: UNKNOWN (the third in a row pages)" "UNKNOWN open_api: 127.0.0.1:$HTTP_PORT/open: answered HTTP 500 [trigger open_api/unknown@2026-11-26T15:20:00Z sent]" "$OUT"
js_mode open garbage
CHECK=open_api hc --now 2026-11-26T10:23
expect_match "garbage: UNKNOWN" "^UNKNOWN open_api: 127.0.0.1:$HTTP_PORT/open: answered something that is not JSON" "$OUT"
js_mode open ok

# --- Configuration: auth: naming no section. ---
sed 's/^    auth: basic$/    auth: nosuch/' "$HCL" >"$WORK/http-bad.yaml"
rp rp-latency-check -f "$HCFG" -y "$WORK/http-bad.yaml" --now 2026-11-26T10:30
expect "auth: naming no section: exit 78" 78 "$RC"
expect "auth: names file, line, check and section" "rp-latency-check: $WORK/http-bad.yaml:18: epoch_api: auth: no [http nosuch] section in $HCFG" "$(noclock "$ERR")"
unset RP_TEST_HTTP_PW
