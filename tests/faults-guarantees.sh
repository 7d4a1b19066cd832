# Fault rows for what kills or confuses a run outside PagerDuty's and the
# sources' own failures: a run killed between PagerDuty's answer and its
# record, a closed stdout, a Redis that keeps its data but refuses writes,
# clocks behind, a source that lies about time, a refused page fixed.
# Sourced by tests/run-faults.sh, whose helpers it uses.

# fresh_check NAME: a config and a one-check checklist on workflow NAME.
fresh_check() {
	pd_reset
	fault_cfg "$1" robopager.time_budget_sec=6
	latency_checklist "$WORK/$1.yaml" "$1"
}
lc() { local n=$1; shift; rp rp-latency-check -f "$WORK/$n.cfg" -y "$WORK/$n.yaml" "$@"; }
outbox_unlocked() { [ "$(redis-cli -p "$FREDIS_PORT" -n 1 exists "$1:lock:outbox")" = 0 ]; }

# kill_after_answer NAME SIGNAL: a run whose trigger PagerDuty has taken is
# stopped (SIGNAL) before the answer reaches it; the problem then clears
# before the next run. The decision was written before the event left, so
# the incident is resolved.
kill_after_answer() {
	local n=$1 sig=$2
	fresh_check "$n"
	failed_wf "$n" 2026-12-10T14:00:00
	pd_fail slow:3
	bg a rp-latency-check -f "$WORK/$n.cfg" -y "$WORK/$n.yaml" --now $T0
	sleep 1.5
	expect "$n: PagerDuty has the trigger when the run is stopped" 1 "$(pd_count trigger)"
	eval "kill -$sig \$BG_a"
	wait_bg a
	done_wf "$n" 2026-12-10T14:00:00 2026-12-10T14:50:00
	# A run killed with -9 holds the outbox's lock until its budget and 5 s
	# have passed (nobody can tell it is dead): its events wait that long.
	wait_for 20 outbox_unlocked "$n"
	lc "$n" --now $T1
	lc "$n" --now $T2
	expect "$n: the next runs resolve it" 1 "$(pd_count resolve)"
}
kill_after_answer g1 KILL
row "Run killed (-9) after PagerDuty took its trigger" "$(FAILED_KEY g1)=resolved"
kill_after_answer g2 TERM
expect "g2: SIGTERM: exit 143" 143 "$RC_a"
row "Run stopped (SIGTERM) after PagerDuty took its trigger" "$(FAILED_KEY g2)=resolved"

# rp-latency-check --json | head -c 10: no death by SIGPIPE.
fresh_check g3
failed_wf g3 2026-12-10T14:00:00
set +e
"$TOP/bin/rp-latency-check" -f "$WORK/g3.cfg" -y "$WORK/g3.yaml" --now $T0 --json 2>/dev/null | head -c 10 >/dev/null
set -e
done_wf g3 2026-12-10T14:00:00 2026-12-10T14:50:00
lc g3 --now $T1
row "Output piped into head -c 10 (SIGPIPE)" "$(FAILED_KEY g3)=resolved"

# refuse_writes NAME SCENARIO ON OFF: Redis keeps its data but refuses
# writes (ON/OFF: redis-cli arguments) while the problem clears: the
# resolve is decided from the state read and sent straight.
refuse_writes() {
	local n=$1 scenario=$2 on=$3 off=$4
	fresh_check "$n"
	failed_wf "$n" 2026-12-10T14:00:00
	lc "$n" --now $T0
	redis-cli -p "$FREDIS_PORT" $on >/dev/null
	done_wf "$n" 2026-12-10T14:00:00 2026-12-10T14:50:00
	lc "$n" --now $T1
	redis-cli -p "$FREDIS_PORT" $off >/dev/null
	expect "$n: the resolve goes out while Redis refuses writes" 1 "$(pd_count resolve)"
	expect_match "$n: and the run says it could not record it" "recorded nowhere" "$ERR"
	lc "$n" --now $T2
	row "$scenario" "$(FAILED_KEY "$n")=resolved"
	redis-cli -p "$FREDIS_PORT" $on >/dev/null
	rp rp-heartbeat -f "$WORK/$n.cfg" -y "$WORK/$n.yaml" --now $T2
	redis-cli -p "$FREDIS_PORT" $off >/dev/null
	expect_match "$n: the heartbeat says Redis refuses writes" "unhealthy on .*the state store refuses writes \\(redis at 127.0.0.1:$FREDIS_PORT: [a-z ]+: (OOM|READONLY)" "$OUT"
}
refuse_writes g4 "Redis out of memory (maxmemory) as the problem clears" \
	"config set maxmemory 1" "config set maxmemory 0"
refuse_writes g5 "Redis turned read-only (a replica) as the problem clears" \
	"replicaof 127.0.0.1 $(free_port)" "replicaof no one"

# A run whose clock is behind the record: 10:31, then 09:45, then 10:33.
fresh_check g6
done_wf g6 2026-12-10T14:00:00 2026-12-10T14:30:00
lc g6 --now 2026-12-10T10:31
lc g6 --now 2026-12-10T09:45
lc g6 --now 2026-12-10T10:33
row "Runs with clocks apart: 10:31, then 09:45, then 10:33" "g6_job/overdue@2026-12-10T14:30:00Z=open"

# A source answering a completion in 2099 between two real ones.
fresh_check g7
done_wf g7 2026-12-10T14:00:00 2026-12-10T14:30:00
lc g7 --now 2026-12-10T10:00
done_wf g7 2026-12-10T14:00:00 2099-01-01T00:00:00
lc g7 --now 2026-12-10T10:05
done_wf g7 2026-12-10T14:00:00 2026-12-10T14:30:00
lc g7 --now 2026-12-12T10:00
row "batchy answers a completion in 2099 once" "g7_job/overdue@2026-12-10T14:30:00Z=open"

# A trigger queued, then refused (400) on its retry; the check's
# description is fixed; it pages then, once.
fresh_check g8
failed_wf g8 2026-12-10T14:00:00
pd_fail down:500
lc g8 --now $T0
pd_fail up
pd_fail 400
lc g8 --now $T1
expect_no_match "g8: a refused page is not counted as delivered" "earlier event delivered" "$ERR"
sed -i 's/pd_description: "fault g8"/pd_description: "fault g8, fixed"/' "$WORK/g8.yaml"
lc g8 --now $T2
row "A queued trigger refused (400), then its check fixed" "$(FAILED_KEY g8)=open"


# A trigger waits in the outbox (PagerDuty down); Redis refuses writes as
# the problem clears, so the resolve goes out straight; Redis takes writes
# again while the run tries to record it. The waiting trigger must not go
# out after its resolve: PagerDuty would open an incident nobody resolves.
fresh_check g9
failed_wf g9 2026-12-10T14:00:00
pd_fail down:500
lc g9 --now $T0
pd_fail up
redis-cli -p "$FREDIS_PORT" replicaof 127.0.0.1 "$(free_port)" >/dev/null
done_wf g9 2026-12-10T14:00:00 2026-12-10T14:50:00
bg g9 rp-latency-check -f "$WORK/g9.cfg" -y "$WORK/g9.yaml" --now $T1
wait_for 20 grep -q "sending without the outbox" "$WORK/bg.g9.err"
redis-cli -p "$FREDIS_PORT" replicaof no one >/dev/null
wait_bg g9
expect_no_match "g9: the decision is recorded once Redis takes writes" "recorded nowhere" "$ERR_g9"
lc g9 --now $T2
lc g9 --now 2026-12-10T10:03
row "A resolve sent straight, its trigger still in the outbox" "$(FAILED_KEY g9)=resolved"
