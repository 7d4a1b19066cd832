# Fault rows for Redis Sentinel: the runs keep their state through a
# failover of the primary (kill -9) between runs and in the middle of one,
# rp-ping's signals survive one, and the replica's death stops nobody. The
# set (tests/lib.sh start_sentinels) fails over in 2-3 s: down after 1 s,
# then the vote and the promotion. After each row the killed server comes
# back as the replica, as Sentinel would make it.
# Sourced by tests/run-faults.sh, whose helpers it uses.

start_sentinels
SEN_TIMES=""

# sen_fault_cfg NAME [KEY=VALUE ...]: fault_cfg's file, on the sentinels.
sen_fault_cfg() {
	fault_cfg "$@"
	sentinel_redis "$WORK/$1.cfg"
}
sen_record() { sen_cli "$(sen_primary)" -n 1 HGET "$1:check:$1_job" "$2"; }
now_s() { date +%s.%N; }
since() { python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$(now_s)"; }
# sen_failover OLD: kill -9 of the primary OLD; waits until every sentinel
# names another; its time goes into SEN_TIMES.
sen_failover() {
	local t0
	t0=$(now_s)
	sen_kill "$1"
	wait_for 20 sen_failed_over "$1" || { fail "sentinel: no failover within 20 s"; return 0; }
	SEN_FAILOVER_S=$(since "$t0")
}

# No fault: trigger and resolve through the sentinels.
pd_reset
sen_fault_cfg x1
latency_checklist "$WORK/x1.yaml" x1
failed_wf x1 2026-12-10T14:00:00
rp rp-latency-check -f "$WORK/x1.cfg" -y "$WORK/x1.yaml" --now $T0
expect "x1: exit 2 through the sentinels" 2 "$RC"
done_wf x1 2026-12-10T14:00:00 2026-12-10T14:50:00
rp rp-latency-check -f "$WORK/x1.cfg" -y "$WORK/x1.yaml" --now $T1
row "Sentinel: runs through three sentinels, nothing fails" "$(FAILED_KEY x1)=resolved"

# The primary killed between two runs: the next run reads its state from
# the new primary (the first run's writes reached the replica: WAIT), pages
# nobody again, and rp-status, rp-silence and rp-ping work there.
pd_reset
sen_fault_cfg x2
latency_checklist "$WORK/x2.yaml" x2
failed_wf x2 2026-12-10T14:00:00
rp rp-latency-check -f "$WORK/x2.cfg" -y "$WORK/x2.yaml" --now $T0
t0=$(now_s)
old=$(sen_primary)
sen_failover "$old"
rp rp-latency-check -f "$WORK/x2.cfg" -y "$WORK/x2.yaml" --now $T1 -v
expect "x2: after the failover, the run reads its state: exit 2" 2 "$RC"
expect_no_match "x2: and is not without it" "without state|unreachable" "$ERR"
expect_match "x2: from the new primary" "names 127.0.0.1:$(sen_primary) the primary" "$ERR"
expect "x2: nobody paged again" 1 "$(pd_count trigger)"
rp rp-status -f "$WORK/x2.cfg" -y "$WORK/x2.yaml" --now $T1
expect_match "x2: rp-status shows the incident from the new primary" "^x2_job +batchy +CRITICAL .*$(FAILED_KEY x2)" "$OUT"
rp rp-silence -f "$WORK/x2.cfg" -y "$WORK/x2.yaml" --now $T1 x2_job 1h "after a failover"
expect "x2: rp-silence sets on the new primary" "after a failover" "$(sen_cli "$(sen_primary)" -n 1 HGET x2:silence:x2_job reason)"
rp rp-silence -f "$WORK/x2.cfg" -y "$WORK/x2.yaml" --now $T1 --clear x2_job
expect "x2: and clears" 0 "$RC"
done_wf x2 2026-12-10T14:00:00 2026-12-10T14:50:00
rp rp-latency-check -f "$WORK/x2.cfg" -y "$WORK/x2.yaml" --now $T2
expect "x2: the recovery resolves" 1 "$(pd_count resolve)"
row "Sentinel: primary killed (-9) between runs, failover" "$(FAILED_KEY x2)=resolved"
sen_restart "$old"
SEN_TIMES="$SEN_TIMES$(printf '  %-58s failover %4ss, row %4ss' "primary killed between runs" "$SEN_FAILOVER_S" "$(since "$t0")")
"

# The primary killed while a run waits for a slow batchy: the run's
# decision goes to the new primary (its connection lost, it asks the
# sentinels again), its trigger goes once, the next runs go on from it.
pd_reset
sen_fault_cfg x3 robopager.time_budget_sec=20
latency_checklist "$WORK/x3.yaml" x3
failed_wf x3 2026-12-10T14:00:00
wf_mode x3 slow:5
t0=$(now_s)
old=$(sen_primary)
bg a rp-latency-check -f "$WORK/x3.cfg" -y "$WORK/x3.yaml" --now $T0 -v
sleep 1
sen_failover "$old"
wait_bg a
wf_mode x3 ok
expect "x3: killed mid-run: exit 2" 2 "$RC_a"
expect_match "x3: the write found the new primary" "asking the sentinels again" "$ERR_a"
expect_no_match "x3: and was not lost" "recorded nowhere|sending without the outbox" "$ERR_a"
expect "x3: the decision is on the new primary" "CRITICAL" "$(sen_record x3 status)"
expect "x3: the trigger went once" 1 "$(pd_count trigger)"
rp rp-latency-check -f "$WORK/x3.cfg" -y "$WORK/x3.yaml" --now $T1
expect "x3: the next run pages nobody again" 1 "$(pd_count trigger)"
done_wf x3 2026-12-10T14:00:00 2026-12-10T14:50:00
rp rp-latency-check -f "$WORK/x3.cfg" -y "$WORK/x3.yaml" --now $T2
expect "x3: the recovery resolves" 1 "$(pd_count resolve)"
row "Sentinel: primary killed (-9) in the middle of a run" "$(FAILED_KEY x3)=resolved"
sen_restart "$old"
SEN_TIMES="$SEN_TIMES$(printf '  %-58s failover %4ss, row %4ss' "primary killed in the middle of a run" "$SEN_FAILOVER_S" "$(since "$t0")")
"

# A job's start reaches rp-ping before the failover, its failure after:
# the page names the run that started before (the start was on the
# replica), once; its success resolves.
pd_reset
sen_fault_cfg x4
cat >"$WORK/x4.yaml" <<EOC
x4_job:
    type: ping
    pd_description: "fault x4"
    pd_service: "$RK"
    period: 1d
EOC
xp() { rp rp-ping -f "$WORK/x4.cfg" -y "$WORK/x4.yaml" "$@"; }
xl() { rp rp-latency-check -f "$WORK/x4.cfg" -y "$WORK/x4.yaml" "$@"; }
t0=$(now_s)
xp --now 2026-12-10T10:00 -v x4_job start
expect "x4: rp-ping start" 0 "$RC"
# The scenario is a start that reached the replica (WAIT's 500 ms are
# tested in check_store_redis_sentinel; on a loaded machine the replica may
# take longer to acknowledge, and the row is about the failover).
x4_on_replica() { [ -n "$(sen_cli "$(sen_replica)" -n 1 HGET x4:ping:x4_job start)" ]; }
wait_for 10 x4_on_replica
expect "x4: the start reached the replica" 0 "$(x4_on_replica && echo 0 || echo 1)"
old=$(sen_primary)
sen_failover "$old"
expect "x4: the start is on the new primary" "$(TZ=America/New_York date -d '2026-12-10 10:00' +%s)" \
	"$(sen_cli "$(sen_primary)" -n 1 HGET x4:ping:x4_job start)"
xp --now 2026-12-10T10:05 x4_job 3
expect "x4: rp-ping fail after the failover" 0 "$RC"
xl --now 2026-12-10T10:06
expect "x4: the failure pages" 2 "$RC"
xp --now 2026-12-10T10:10 x4_job start
xp --now 2026-12-10T10:12 x4_job success
xl --now 2026-12-10T10:13
expect "x4: the success resolves" 0 "$RC"
row "Sentinel: rp-ping start, failover, rp-ping failure" \
	"x4_job/failed@2026-12-10T15:00:00Z=resolved"
sen_restart "$old"
SEN_TIMES="$SEN_TIMES$(printf '  %-58s failover %4ss, row %4ss' "rp-ping through a failover" "$SEN_FAILOVER_S" "$(since "$t0")")
"

# The replica killed: the primary goes on alone; the runs say at -v that
# what they write is on it only.
pd_reset
sen_fault_cfg x5
latency_checklist "$WORK/x5.yaml" x5
failed_wf x5 2026-12-10T14:00:00
t0=$(now_s)
rep=$(sen_replica)
sen_kill "$rep"
rp rp-latency-check -f "$WORK/x5.cfg" -y "$WORK/x5.yaml" --now $T0 -v
expect "x5: the replica dead: the run pages" 2 "$RC"
expect_match "x5: and says its writes are on the primary only" \
	"the primary has no replica connected|no replica acknowledged the write" "$ERR"
done_wf x5 2026-12-10T14:00:00 2026-12-10T14:50:00
rp rp-latency-check -f "$WORK/x5.cfg" -y "$WORK/x5.yaml" --now $T1
row "Sentinel: the replica killed (-9)" "$(FAILED_KEY x5)=resolved"
sen_restart "$rep"
SEN_TIMES="$SEN_TIMES$(printf '  %-58s %15s row %4ss' "replica killed" "" "$(since "$t0")")
"
