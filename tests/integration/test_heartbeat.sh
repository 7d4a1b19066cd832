# rp-heartbeat: a stopped program pages, its return resolves; change events,
# info triggers and pings as configured; undelivered events and a dead
# Redis make it unhealthy. Sourced by tests/run-tests.sh.

HCFG="$WORK/heartbeat.cfg"
HCL="$WORK/heartbeat.yaml"
HOST=$(hostname)
write_config "$HCFG" hb
sed -i "s/^type = email, batchy$/type = batchy/; s|^\[robopager\]$|[robopager]\nheartbeat_url = http://127.0.0.1:$PAGERDUTY_PORT/ping/robopager|" "$HCFG"
chmod 600 "$HCFG"
cat >"$HCL" <<'EOC'
hb_flow_latency:
    type: batchy
    pd_description: "heartbeat test"
    pd_service: "abcdefabcdefabcdefabcdefabcdef12"
    wf_name: "hb_flow"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
EOC
hb() { rp rp-heartbeat -f "$HCFG" -y "$HCL" "$@"; }
lat_hb() { rp rp-latency-check -f "$HCFG" -y "$HCL" "$@"; }
pings() { curl -s "http://127.0.0.1:$PAGERDUTY_PORT/_pings"; }
wf_set hb_flow '{"status":"success","batch_start":"2026-12-04T14:00:00","batch_end":"2026-12-04T14:50:00"}'
pd_reset

hb --now 2026-12-04T10:00
expect "never ran: unhealthy" 2 "$RC"
expect "never ran: says which program" "CRITICAL robopager: robopager unhealthy on $HOST: rp-latency-check has no run recorded (limit 10 min) [trigger robopager-heartbeat/$HOST sent]" "$OUT"
expect "never ran: one trigger on heartbeat_service" "202 trigger robopager-heartbeat/$HOST critical" "$(pd_log | cut -d' ' -f1-4)"
expect "never ran: the routing key is heartbeat_service" '"0123456789abcdef0123456789abcdef"' "$(pd_events | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[-1]["event"]["routing_key"]))')"
expect "never ran: the event's class is heartbeat" heartbeat "$(pd_events | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["event"]["payload"]["class"])')"
expect "unhealthy: no ping" "" "$(pings)"

lat_hb --now 2026-12-04T10:01
hb --now 2026-12-04T10:02
expect "ran: healthy" 0 "$RC"
expect "ran: resolves, and a change event says health is back" "202 change None,202 resolve robopager-heartbeat/$HOST," "$(pd_log | tail -n 2 | cut -d' ' -f1-3 | sort | tr '\n' ',')"
expect "ran: the change event says alive" "robopager alive on $HOST: 1 check configured" "$(pd_events | python3 -c 'import json,sys; print([e for e in json.load(sys.stdin) if e["path"] == "/v2/change/enqueue"][-1]["event"]["payload"]["summary"])')"
expect "ran: heartbeat_url called (GET)" "GET /ping/robopager" "$(pings | cut -d' ' -f1-2)"
# Quiet: healthy again with nothing new, no change event (288 a day would
# bury real changes in PagerDuty's timeline); heartbeat_url all the same.
hb --now 2026-12-04T10:04
expect "quiet: nothing new, no change event" 1 "$(pd_log | grep -c '^202 change')"
expect "quiet: heartbeat_url is called on every healthy run" 2 "$(pings | wc -l)"
printf '# a comment\n' >>"$HCL"
hb --now 2026-12-04T10:06
expect "quiet: the checklist changed, a change event" 2 "$(pd_log | grep -c '^202 change')"
hb --now 2026-12-04T10:07
expect "quiet: and only once" 2 "$(pd_log | grep -c '^202 change')"

# The program stops: 15 minutes without a run pages, once.
pd_reset
hb --now 2026-12-04T10:16
expect "stopped: unhealthy" 2 "$RC"
expect_match "stopped: says how long" "rp-latency-check last ran 15 min ago \(limit 10 min\)" "$OUT"
hb --now 2026-12-04T10:17
expect "stopped: still, no second trigger" 1 "$(pd_log | grep -c trigger)"
lat_hb --now 2026-12-04T10:18
hb --now 2026-12-04T10:19
expect "back: resolved" "202 resolve robopager-heartbeat/$HOST" "$(pd_log | grep resolve | cut -d' ' -f1-3)"

# heartbeat_mode trigger (the earlier tool's info incident), none, POST pings.
pd_reset
sed -i "s|^\[robopager\]$|[robopager]\nheartbeat_mode = trigger\nheartbeat_method = POST|" "$HCFG"
hb --now 2026-12-04T10:20
expect "mode trigger: an info incident" "202 trigger robopager-alive/$HOST info" "$(pd_log | cut -d' ' -f1-4)"
expect "POST ping: with the summary" "POST /ping/robopager robopager alive on $HOST: 1 check configured" "$(pings)"
pd_reset
sed -i "s/^heartbeat_mode = trigger$/heartbeat_mode = none/" "$HCFG"
hb --now 2026-12-04T10:21
expect "mode none: nothing to PagerDuty" "" "$(pd_log)"
expect "mode none: still pings" 1 "$(pings | wc -l)"
sed -i "s/^heartbeat_mode = none$/heartbeat_mode = sometimes/" "$HCFG"
hb --now 2026-12-04T10:21
expect "bad mode: configuration error" 78 "$RC"
expect_match "bad mode: names the key" '\[robopager\] heartbeat_mode: "sometimes" is not one of change, trigger, none' "$ERR"
sed -i "s/^heartbeat_mode = sometimes$/heartbeat_mode = change\nmax_undelivered = 1/" "$HCFG"

# Undelivered events pile up: unhealthy.
pd_reset
wf_set hb_flow '{"status":"failure","batch_start":"2026-12-04T15:00:00","batch_end":null}'
pd_fail down:500
lat_hb --now 2026-12-04T10:25
hb --now 2026-12-04T10:26
expect "undelivered: unhealthy" 2 "$RC"
expect_match "undelivered: says how many" '1 events wait for PagerDuty in the outbox \(limit 1\)' "$OUT"
pd_fail up
hb --now 2026-12-04T10:27
expect "undelivered: the heartbeat delivers the outbox first, then judges" 0 "$RC"
# The outbox is delivered and recorded before the heartbeat judges, so its
# own resolve follows its trigger in the same run, never ahead of it (the
# check's trigger, for another service, may go out beside it).
expect "undelivered: the check's trigger and the heartbeat's, then its resolve" "trigger hb_flow_latency/failed@2026-12-04T15:00:00Z,trigger robopager-heartbeat/$HOST,resolve robopager-heartbeat/$HOST," "$(pd_log | grep '^202 [tr]' | cut -d' ' -f2-3 | sed -n '1,2p' | sort | tr ' \n' ' ,')$(pd_log | grep '^202 [tr]' | cut -d' ' -f2-3 | sed -n '3p' | tr ' \n' ' ,')"
hb --now 2026-12-04T10:28
expect "undelivered: the next run sends nothing more for it" 1 "$(pd_log | grep -c '^202 resolve')"
# A trigger decided during a silence is held, not queued: it does not count.
pd_reset
wf_set hb_flow '{"status":"failure","batch_start":"2026-12-04T16:00:00","batch_end":null}'
rp rp-silence -f "$HCFG" -y "$HCL" --now 2026-12-04T10:29 hb_flow_latency 1h
lat_hb --now 2026-12-04T10:30
hb --now 2026-12-04T10:31
expect "silenced triggers do not count as undelivered" 0 "$RC"

# Redis gone: unhealthy, and PagerDuty still hears it.
pd_reset
HDOWN="$WORK/heartbeat-down.cfg"
sed "s/^port = $REDIS_PORT$/port = $(free_port)/" "$HCFG" >"$HDOWN"
chmod 600 "$HDOWN"
rp rp-heartbeat -f "$HDOWN" -y "$HCL" --now 2026-12-04T10:30
expect "redis down: unhealthy" 2 "$RC"
expect_match "redis down: says so" 'state store unreachable' "$OUT"
expect "redis down: the trigger goes out" "202 trigger robopager-heartbeat/$HOST" "$(pd_log | cut -d' ' -f1-3)"

# Redis gone for the whole of a heartbeat run and back before the next:
# the trigger it sent is kept in the cache directory, recorded by the next
# run, which resolves it (without it the incident stayed open for ever).
pd_reset
HSP=$(free_port)
HSCFG="$WORK/heartbeat-spill.cfg"
mkdir -m 700 "$WORK/hbspill" "$WORK/hbcache"
sed "s/^port = $REDIS_PORT$/port = $HSP/; s|^\[robopager\]$|[robopager]\ncache_dir = $WORK/hbcache|" "$HCFG" >"$HSCFG"
chmod 600 "$HSCFG"
hs_redis() {
	redis-server --port "$HSP" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync always \
		--dir "$WORK/hbspill" --logfile "$WORK/hbspill.log" --daemonize no &
	HSPID=$!
	PIDS="$PIDS $HSPID"
	wait_for 10 redis-cli -p "$HSP" ping
}
hs_redis
rp rp-latency-check -f "$HSCFG" -y "$HCL" --now 2026-12-04T10:40
rp rp-heartbeat -f "$HSCFG" -y "$HCL" --now 2026-12-04T10:41
expect "spill: healthy first" 0 "$RC"
kill -KILL "$HSPID"; wait "$HSPID" 2>/dev/null || true
rp rp-heartbeat -f "$HSCFG" -y "$HCL" --now 2026-12-04T10:42
expect "spill: redis gone: unhealthy" 2 "$RC"
expect "spill: the trigger goes out" "202 trigger robopager-heartbeat/$HOST" "$(pd_log | tail -n 1 | cut -d' ' -f1-3)"
expect_match "spill: and is kept for the next run" "could not be recorded .*; kept in $WORK/hbcache for the next run" "$ERR"
expect "spill: one file" 1 "$(ls "$WORK/hbcache" | grep -c '^unrecorded-.*\.spill$')"
hs_redis
rp rp-heartbeat -f "$HSCFG" -y "$HCL" --now 2026-12-04T10:44
expect "spill: redis back: healthy" 0 "$RC"
expect_match "spill: what was kept is recorded" "1 trigger sent earlier while the state store was out of reach recorded now" "$ERR"
expect_match "spill: and its incident resolved" "202 resolve robopager-heartbeat/$HOST" "$(pd_log | cut -d' ' -f1-3)"
expect "spill: the file is gone" 0 "$(ls "$WORK/hbcache" | grep -c '^unrecorded-' || true)"
rp rp-heartbeat -f "$HSCFG" -y "$HCL" --now 2026-12-04T10:45
expect "spill: nothing more sent" 1 "$(pd_log | grep -c "resolve robopager-heartbeat/$HOST")"
kill "$HSPID"; wait "$HSPID" 2>/dev/null || true

printf '# another comment\n' >>"$HCL"
hb --now 2026-12-04T10:31 -n
expect_match "dry run: would send" '\[change event would be sent\]|\[would ' "$OUT"
