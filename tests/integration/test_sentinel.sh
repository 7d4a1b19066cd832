# Redis Sentinel: every program through the test set's three sentinels (a
# primary and a replica with a password, sentinels with another): runs
# page and resolve, rp-status, rp-silence, rp-ping and rp-heartbeat read and
# write the primary the sentinels name, a write is on the replica when the
# run ends (WAIT), a dead first sentinel is passed over, a wrong sentinel
# password is said and never shown. Failovers are in the fault suite
# (tests/faults-sentinel.sh). Sourced by tests/run-tests.sh.

SNCFG="$WORK/sentinel.cfg"
SNCL="$WORK/sentinel.yaml"
sentinel_config "$SNCFG" sn
sed -i "s/^type = email, batchy$/type = batchy/" "$SNCFG"
chmod 600 "$SNCFG"
cat >"$SNCL" <<'EOC'
sn_job:
    type: batchy
    pd_description: "sentinel test"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "sn_flow"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
sn_ping:
    type: ping
    pd_description: "sentinel ping"
    pd_service: "0123456789abcdef0123456789abcdef"
    period: 1d
EOC
SN_ALL=""
sn() { # sn PROGRAM ARGS...: a program on the sentinel configuration
	local prog=$1; shift
	rp "$prog" -f "$SNCFG" -y "$SNCL" "$@"
	SN_ALL="$SN_ALL
$OUT
$ERR"
}
sn_get() { sen_cli "$1" -n 1 HGET "sn:check:sn_job" "$2"; }
SN_KEY="sn_job/failed@2026-12-11T14:00:00Z"
pd_reset

wf_set sn_flow '{"status":"failure","batch_start":"2026-12-11T14:00:00","batch_end":null}'
sn rp-latency-check --now 2026-12-11T10:00 -v
expect "sentinel: a run through the sentinels pages" 2 "$RC"
expect "sentinel: the trigger sent" "CRITICAL sn_job [trigger $SN_KEY sent]" "$(printf '%s\n' "$OUT" | grep '^CRITICAL sn_job' | sed -E 's/: .*\[/ [/')"
expect_match "sentinel: -v names the primary and the sentinel that named it" \
	"redis: sentinel 127.0.0.1:${SEN_PORTS%% *} names 127.0.0.1:$(sen_primary) the primary of $SEN_MASTER" "$ERR"
expect "sentinel: nothing else on stderr but -v lines" "" "$(noclock "$ERR" | grep -v -e 'names 127.0.0.1' -e 'Redis round trip' || true)"
expect "sentinel: the state is on the primary" "CRITICAL" "$(sn_get "$(sen_primary)" status)"
expect "sentinel: and on the replica when the run ends (WAIT)" "CRITICAL" "$(sn_get "$(sen_replica)" status)"
sn rp-latency-check --now 2026-12-11T10:01
expect "sentinel: the next run reads it and pages nobody again" 1 "$(pd_count trigger)"

sn rp-status --now 2026-12-11T10:02
expect "sentinel: rp-status reads through the sentinels" 2 "$RC"
expect_match "sentinel: rp-status shows the incident" "^sn_job +batchy +CRITICAL .*$SN_KEY" "$OUT"
sn rp-silence --now 2026-12-11T10:02 sn_job 1h "sentinel test"
expect "sentinel: rp-silence sets through the sentinels" 0 "$RC"
expect "sentinel: the silence is on the primary" "sentinel test" "$(sen_cli "$(sen_primary)" -n 1 HGET sn:silence:sn_job reason)"
sn rp-silence --now 2026-12-11T10:02 --list
expect_match "sentinel: rp-silence --list" "^sn_job " "$OUT"
sn rp-silence --now 2026-12-11T10:02 --clear sn_job
expect "sentinel: rp-silence --clear" 0 "$RC"
expect "sentinel: the silence is gone from the replica too" 0 "$(sen_cli "$(sen_replica)" -n 1 EXISTS sn:silence:sn_job)"
sn rp-ping --now 2026-12-11T10:03 sn_ping start
expect "sentinel: rp-ping start through the sentinels" 0 "$RC"
sn rp-ping --now 2026-12-11T10:04 sn_ping success
expect "sentinel: rp-ping success" 0 "$RC"
expect "sentinel: the ping's run is on the replica" "$(TZ=America/New_York date -d '2026-12-11 10:03' +%s)" \
	"$(sen_cli "$(sen_replica)" -n 1 HGET sn:ping:sn_ping success_start)"
sn rp-heartbeat --now 2026-12-11T10:05
expect "sentinel: rp-heartbeat reads and writes through the sentinels: healthy" 0 "$RC"

# The first sentinel dead: the next one answers.
cp "$SNCFG" "$SNCFG.good"
sed -i "s/^sentinels = /sentinels = 127.0.0.1:$(free_port), /" "$SNCFG"
wf_set sn_flow '{"status":"success","batch_start":"2026-12-11T14:00:00","batch_end":"2026-12-11T14:50:00"}'
sn rp-latency-check --now 2026-12-11T10:06 -v
expect "sentinel: a dead first sentinel is passed over: the run resolves" "OK sn_job [resolve $SN_KEY sent]" \
	"$(printf '%s\n' "$OUT" | grep '^OK sn_job' | sed -E 's/: .*\[/ [/')"
expect_match "sentinel: named by the second sentinel" "sentinel 127.0.0.1:${SEN_PORTS%% *} names" "$ERR"

# A replica that does not answer: the write waits for it no longer than
# 500 ms, and -v says so; the run is not in trouble for it.
cp "$SNCFG.good" "$SNCFG"
eval "rpid=\$SEN_PID_$(sen_replica)"
kill -STOP "$rpid"
sn rp-ping --now 2026-12-11T10:07 -v sn_ping start
kill -CONT "$rpid"
expect "sentinel: a write no replica acknowledged is done" 0 "$RC"
# (Not under valgrind: rp-ping starts so slowly there that the sentinels
# may already count the stopped replica down, and then no WAIT is asked.)
[ -n "${RP_WRAP:-}" ] || expect "sentinel: and -v says so in one line" \
	"rp-ping: redis at 127.0.0.1:$(sen_primary): no replica acknowledged the write within 500 ms; it is on the primary only until one does" \
	"$(printf '%s\n' "$ERR" | grep 'no replica')"

# A wrong sentinel password: one line, exit 3, the password never shown.
sed -i "s/^sentinel_password = .*/sentinel_password = wrong-sentinel-5ec2e7/" "$SNCFG"
sn rp-status --now 2026-12-11T10:08
expect "sentinel: a wrong sentinel password: rp-status cannot read (3)" 3 "$RC"
expect_match "sentinel: says the sentinels refused it" "no primary of $SEN_MASTER found: sentinel 127.0.0.1:[0-9]+: WRONGPASS" "$ERR"
sn rp-ping --now 2026-12-11T10:08 sn_ping start
expect "sentinel: rp-ping cannot record: 75" 75 "$RC"
cp "$SNCFG.good" "$SNCFG"

for s in "$SEN_PASSWORD" "$SEN_REDIS_PASSWORD" wrong-sentinel-5ec2e7; do
	expect "sentinel: \"${s:0:10}...\" never printed" 0 "$(printf '%s\n' "$SN_ALL" | grep -cF -- "$s" || true)"
done
