# The fault suite's first part: PagerDuty failing (down, slow, 5xx, 429,
# 400), redundant instances and overlapping runs, the state store failing,
# ordering and the rate limit. Sourced by tests/run-faults.sh, whose
# helpers it uses.

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

# Redis away for the whole run that pages, and the problem gone before it
# is back: the trigger sent without state is kept in the cache directory,
# and the first run that reaches Redis records it, then resolves it.
pd_reset
mkdir -m 700 "$WORK/f7s-cache"
fault_cfg f7s robopager.cache_dir="$WORK/f7s-cache"
latency_checklist "$WORK/f7s.yaml" f7s
failed_wf f7s 2026-12-10T14:00:00
stop_fredis
rp rp-latency-check -f "$WORK/f7s.cfg" -y "$WORK/f7s.yaml" --now $T0
expect "redis away: the trigger still goes out" 1 "$(pd_count trigger)"
expect_match "redis away: kept for the next run" "kept in $WORK/f7s-cache for the next run" "$ERR"
start_fredis
done_wf f7s 2026-12-10T14:00:00 2026-12-10T14:50:00
rp rp-latency-check -f "$WORK/f7s.cfg" -y "$WORK/f7s.yaml" --now $T1
expect "redis back, problem gone: the kept trigger recorded, then resolved" "1" "$(pd_count resolve)"
row "Redis away for a run, the problem gone before it is back" "$(FAILED_KEY f7s)=resolved"

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
