# rp-latency-check with airflow checks end to end: real redis-server, the
# Airflow stand-in (both API versions), fake PagerDuty. Sourced by
# tests/run-tests.sh (see tests/lib.sh for the helpers).

start_fake airflow
AF="http://127.0.0.1:$AIRFLOW_PORT"
ACFG="$WORK/airflow.cfg"
ACL="$WORK/airflow.yaml"
write_config "$ACFG" af
add_sources "$ACFG"
# [function_type] lists batchy only, as existing files do: every freshness
# check is still evaluated, airflow's included.
sed -i 's/^type = email, batchy$/type = batchy/' "$ACFG"
chmod 600 "$ACFG"
cat >"$ACL" <<'EOC'
orders_dag:
    type: airflow
    dag_id: orders_daily
    pd_description: "orders DAG"
    pd_service: "0123456789abcdef0123456789abcdef"
    check_time: "06:00"
    poll_sec: 300
    latency_min: 60
    warn_pct: 80
ghost_dag:
    type: airflow
    dag_id: no_such_dag
    pd_description: "a DAG that is not there"
    pd_service: "abcdefabcdefabcdefabcdefabcdef12"
    check_time: "06:00"
    poll_sec: 300
    latency_min: 60
    unknown_after: 2
paused_dag:
    type: airflow
    dag_id: paused_daily
    pd_description: "a paused DAG"
    pd_service: "abcdefabcdefabcdefabcdefabcdef12"
    check_time: "06:00"
    poll_sec: 300
    latency_min: 60
EOC
afc() { rp rp-latency-check -f "${CFGX:-$ACFG}" -y "$ACL" -c "${CHECK:-orders_dag}" "$@"; }
runs() { af_dag orders_daily "{\"runs\": [$1], \"is_paused\": false}"; }
pd_reset
af_reset
KEY=orders_dag/overdue@2026-11-26T14:30:00Z

# --- A whole episode on Airflow 3 (auto: the v2 login), with --now. ---
runs "$(af_run success 2026-11-26T14:00:05 2026-11-26T14:30:00.123456)"
afc --now 2026-11-26T10:00
expect "airflow: OK exits 0" 0 "$RC"
expect "airflow: OK line" "OK orders_dag: orders_daily: completed 30 min ago (limit 60)" "$OUT"
expect "airflow: one login per run" 1 "$(af_hits _token)"
expect "airflow: the DAG and its runs asked, with the JWT" \
	"GET /api/v2/dags/orders_daily bearer 200,GET /api/v2/dags/orders_daily/dagRuns?order_by=-logical_date&limit=25 bearer 200," \
	"$(af_log | grep -v '^POST' | sort | tr '\n' ',')"

afc --now 2026-11-26T10:20
expect "airflow: 50 min is WARNING (80% of 60 = 48)" 1 "$RC"
expect "airflow: WARNING line" "WARNING orders_dag: orders_daily: no completion for 50 min (limit 60)" "$OUT"
expect "airflow: WARNING pages nobody" "" "$(pd_log)"

afc --now 2026-11-26T10:31
expect "airflow: 61 min is CRITICAL" 2 "$RC"
expect "airflow: CRITICAL line names the trigger" "CRITICAL orders_dag: orders_daily: no completion for 61 min (limit 60) [trigger $KEY sent]" "$OUT"
expect "airflow: one trigger" "202 trigger $KEY critical orders_dag: orders_daily: no completion for 61 min (limit 60)" "$(pd_log)"
afc --now 2026-11-26T10:40
expect "airflow: still CRITICAL sends nothing" 1 "$(pd_log | wc -l)"

runs "$(af_run running 2026-11-26T15:43:02), $(af_run success 2026-11-26T15:35:00 2026-11-26T15:41:00)"
afc --now 2026-11-26T10:45
expect "airflow: recovered (a run in progress does not count) exits 0" 0 "$RC"
expect "airflow: resolve of the same key" "202 resolve $KEY - -" "$(pd_log | tail -n 1)"

# A failed run pages at once, keyed by its start; a retry after it is the
# same episode; its success resolves.
runs "$(af_run failed 2026-11-26T15:50:00 2026-11-26T15:52:00 2026-11-26T15:45:00), $(af_run success 2026-11-26T15:35:00 2026-11-26T15:41:00)"
afc --now 2026-11-26T10:55
expect "airflow failed: CRITICAL" 2 "$RC"
expect "airflow failed: trigger with the failed run's start" \
	"202 trigger orders_dag/failed@2026-11-26T15:50:00Z critical orders_dag: orders_daily: the run started 2026-11-26 10:50 failed" \
	"$(pd_log | tail -n 1)"
runs "$(af_run running 2026-11-26T17:00:00 '' 2026-11-26T16:45:00), $(af_run failed 2026-11-26T15:50:00 2026-11-26T15:52:00 2026-11-26T15:45:00)"
afc --now 2026-11-26T12:05
expect "airflow failed then retry: still CRITICAL" 2 "$RC"
expect "airflow failed then retry: no new event" 3 "$(pd_log | wc -l)"
runs "$(af_run success 2026-11-26T17:00:00 2026-11-26T17:20:00 2026-11-26T16:45:00), $(af_run failed 2026-11-26T15:50:00 2026-11-26T15:52:00 2026-11-26T15:45:00)"
afc --now 2026-11-26T12:25
expect "airflow failed then success: resolves the failed key" "202 resolve orders_dag/failed@2026-11-26T15:50:00Z - -" "$(pd_log | tail -n 1)"
expect "airflow: 8 runs, 8 logins" 8 "$(af_hits _token)"

# --json: the source's facts, typed.
afc --now 2026-11-26T12:26 --json
expect_match "airflow json: type and facts" '"type":"airflow".*"dag_id":"orders_daily","dag_run_id":"scheduled__2026-11-26T16:45:00Z","airflow_state":"success"' "$OUT"
EV=$(pd_events)
expect_match "airflow event: the DAG in custom_details" '"dag_id": "orders_daily"' "$EV"
expect_match "airflow event: the DAG as its component" '"component": "orders_daily"' "$EV"
rp rp-status -f "$ACFG" -y "$ACL" --now 2026-11-26T12:27 -c orders_dag
expect_match "airflow rp-status: its type and last completion" '^orders_dag +airflow +OK +2026-11-26 12:25 +2026-11-26 12:26 +2026-11-26 12:20 ' "$OUT"
expect_no_match "airflow: the password nowhere" "$AIRFLOW_PASSWORD" "$OUT$ERR$EV$(af_log)"

# --- UNKNOWN with the reason, paging after unknown_after. ---
pd_reset
CHECK=ghost_dag afc --now 2026-11-26T13:00
expect "unknown DAG: exit 3" 3 "$RC"
expect "unknown DAG: says so" "UNKNOWN ghost_dag: no_such_dag: Airflow at $AF has no DAG no_such_dag" "$OUT"
expect "unknown DAG: once is no page" "" "$(pd_log)"
CHECK=ghost_dag afc --now 2026-11-26T13:01
expect_match "unknown DAG: unknown_after (2) pages with its own key" "^202 trigger ghost_dag/unknown@2026-11-26T18:00:00Z error ghost_dag: cannot be evaluated since .*has no DAG no_such_dag$" "$(pd_log)"
af_dag paused_daily '{"runs": [], "is_paused": true}'
CHECK=paused_dag afc --now 2026-11-26T13:00
expect "paused DAG: UNKNOWN" "UNKNOWN paused_dag: paused_daily: Airflow at $AF: DAG paused_daily is paused" "$OUT"

# Wrong password: refused, never quoted.
WCFG="$WORK/airflow-wrong.cfg"
sed "s|^password_file = .*airflow.pw$|password_file = $WORK/wrong.pw|" "$ACFG" >"$WCFG"
printf 'wrong-af-5ec2e7\n' >"$WORK/wrong.pw"
chmod 600 "$WCFG" "$WORK/wrong.pw"
CFGX=$WCFG afc --now 2026-11-26T13:02
expect "wrong password: UNKNOWN" "UNKNOWN orders_dag: orders_daily: Airflow at $AF refused the credentials (HTTP 401)" "$OUT"
expect_no_match "wrong password: never printed" 'wrong-af-5ec2e7' "$OUT$ERR"

# The token endpoint down: every airflow check UNKNOWN, no check asked.
h0=$(af_hits orders_daily)
af_mode _token 500
afc --now 2026-11-26T13:03
expect "token endpoint 500: UNKNOWN" "UNKNOWN orders_dag: orders_daily: Airflow at $AF answered HTTP 500 at /auth/token" "$OUT"
af_mode _token close
afc --now 2026-11-26T13:04
expect_match "token endpoint closing: UNKNOWN" "^UNKNOWN orders_dag: orders_daily: Airflow at $AF did not answer at /auth/token: " "$OUT"
expect "three UNKNOWN in a row (unknown_after 3): paged with its own key" \
	"202 trigger orders_dag/unknown@2026-11-26T18:02:00Z error" "$(pd_log | tail -n 1 | cut -d' ' -f1-4)"
expect "token endpoint down: the DAG is not asked" "$h0" "$(af_hits orders_daily)"
af_mode _token ok

# --- A 2.x-only server through auto: v1 with basic auth. ---
af_server 2
af_reset
af_server 2
runs "$(af_run success 2026-11-26T18:00:00 2026-11-26T18:20:00)"
afc --now 2026-11-26T13:30
expect "2.x via auto: OK, and the UNKNOWN page resolved" "OK orders_dag: orders_daily: completed 10 min ago (limit 60) [resolve orders_dag/unknown@2026-11-26T18:02:00Z sent]" "$OUT"
# (The stand-in logs a request once it has answered it: the order of
# lines is not the order of requests.)
expect "2.x via auto: the login 404s, then v1 with basic auth" \
	"GET /api/v1/dags/orders_daily basic 200,GET /api/v1/dags/orders_daily/dagRuns?order_by=-execution_date&limit=25 basic 200,POST /auth/token none 404," \
	"$(af_log | sort | tr '\n' ',')"
CHECK=ghost_dag afc --now 2026-11-26T13:31
expect "2.x: an unknown DAG (v1 lists no runs for it)" "UNKNOWN ghost_dag: no_such_dag: Airflow at $AF has no DAG no_such_dag" "$OUT"

# api_version forced: 1 asks no login; 2 on a 2.x server says what to set.
FCFG="$WORK/airflow-v1.cfg"
sed 's/^timeout_sec = 5$/timeout_sec = 5\napi_version = 1/' "$ACFG" | awk '!(/^api_version/ && seen++)' >"$FCFG"
chmod 600 "$FCFG"
t0=$(af_hits _token)
CFGX=$FCFG afc --now 2026-11-26T13:32
expect "api_version = 1: OK" 0 "$RC"
expect "api_version = 1: no login" "$t0" "$(af_hits _token)"
sed -i 's/^api_version = 1$/api_version = 2/' "$FCFG"
CFGX=$FCFG afc --now 2026-11-26T13:33
expect "api_version = 2 on 2.x: UNKNOWN, with the fix" "UNKNOWN orders_dag: orders_daily: Airflow at $AF has no /auth/token (api_version = 2 is for Airflow 3; set 1 or auto for Airflow 2)" "$OUT"
af_server 3
CFGX=$FCFG afc --now 2026-11-26T13:34
expect "api_version = 2 on 3.x: OK" 0 "$RC"

# A bearer token (token_file) instead of a password, on both versions.
TCFG="$WORK/airflow-token.cfg"
grep -v '^username = robopager$' "$ACFG" | sed "s|^password_file = .*airflow.pw$|token_file = $WORK/af.token|" >"$TCFG"
printf 'static-af-token-5ec2e7\n' >"$WORK/af.token"
chmod 600 "$TCFG" "$WORK/af.token"
curl -s -X POST --data static-af-token-5ec2e7 "$AF/_token" >/dev/null
CFGX=$TCFG afc --now 2026-11-26T13:35
expect "token on 3.x: OK" 0 "$RC"
af_server 2
CFGX=$TCFG afc --now 2026-11-26T13:36
expect "token on 2.x: OK" 0 "$RC"
expect_match "token: sent as a bearer, the version probed first" "GET /api/v2/version bearer 404" "$(af_log)"
af_server 3

# --- A time in the future: UNKNOWN, nothing remembered. ---
runs "$(af_run success 2026-11-26T18:40:00 2026-11-27T03:00:00)"
afc --now 2026-11-26T13:40
expect_match "future end_date: UNKNOWN" "^UNKNOWN orders_dag: orders_daily: the source gave a completion in the future \(2026-11-27T03:00:00Z, [0-9]+ min ahead of this run's clock\); not trusted$" "$OUT"
expect "future end_date: the remembered completion stays" "$(date -u -d 2026-11-26T18:20:00Z +%s)" "$(redis-cli -p "$REDIS_PORT" -n 1 hget af:check:orders_dag completion)"

# --- robopager -c and rp-heartbeat treat airflow checks as rp-latency-check's. ---
runs "$(af_run success 2026-11-26T18:40:00 2026-11-26T18:50:00)"
rp robopager -f "$ACFG" -y "$ACL" -c orders_dag --now 2026-11-26T14:00
expect "robopager -c: an airflow check through rp-latency-check" "OK orders_dag: orders_daily: completed 10 min ago (limit 60)" "$OUT"
OCFG="$WORK/airflow-only.cfg"
sed 's/^type = batchy$/type = airflow/' "$ACFG" >"$OCFG"
chmod 600 "$OCFG"
rp robopager -f "$OCFG" -y "$ACL" --now 2026-11-26T14:06 -v
expect_match "robopager: type = airflow runs rp-latency-check" "^OK orders_dag: orders_daily: completed 16 min ago" "$OUT"
expect_no_match "robopager: and not rp-email-check" "email" "$OUT"
HCFG="$WORK/airflow-hb.cfg"
sed 's/^prefix = af$/prefix = afhb/; s/^type = batchy$/type = email, airflow/' "$ACFG" >"$HCFG"
chmod 600 "$HCFG"
rp rp-heartbeat -f "$HCFG" -y "$ACL" --now 2026-11-26T14:00 -n
expect_match "heartbeat: airflow checks make rp-latency-check watched" "rp-latency-check has no run recorded" "$OUT$ERR"

# --- Configuration: an airflow check without [airflow] url. ---
NCFG="$WORK/airflow-none.cfg"
write_config "$NCFG" af
chmod 600 "$NCFG"
rp rp-latency-check -f "$NCFG" -y "$ACL" -c orders_dag --now 2026-11-26T14:00
expect "no [airflow] url: exit 78" 78 "$RC"
expect "no [airflow] url: names file, check and line" "rp-latency-check: $NCFG: [airflow] url: missing ($ACL:1: orders_dag is an airflow check)" "$(noclock "$ERR")"
