# What must never happen to a page, outside the fault table: a source that
# lies about time, clocks that disagree, signals and closed pipes, a refused
# page taken for a delivered one, a planted configuration, misleading words.
# Each case failed on the version before the write-ahead of decisions.
# Sourced by tests/run-tests.sh (see tests/lib.sh for the helpers).

GCFG="$WORK/guarantees.cfg"
GCL="$WORK/guarantees.yaml"
write_config "$GCFG" gu
cat >"$GCL" <<'EOC'
fut_latency:
    type: batchy
    pd_description: "a scheduler that lies about time"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "fut_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
clk_latency:
    type: batchy
    pd_description: "clocks apart"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "clk_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
    warn_pct: 100
sig_latency:
    type: batchy
    pd_description: "signals"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "sig_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
pipe_latency:
    type: batchy
    pd_description: "a reader that goes away"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "pipe_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
ref_latency:
    type: batchy
    pd_description: "a refused page"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "ref_wf"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
EOC
g() { rp rp-latency-check -f "$GCFG" -y "$GCL" "$@"; }
incidents() { curl -s "http://127.0.0.1:$PAGERDUTY_PORT/_incidents"; }
inc() { # inc KEY FIELD: a field of PagerDuty's incident KEY (opened, open...)
	incidents | python3 -c 'import json,sys; i=json.load(sys.stdin).get(sys.argv[1], {}); print(i.get(sys.argv[2], 0))' "$1" "$2"
}

# --- 1. A completion in the future is not a completion. ------------------
pd_reset
wf_set fut_wf '{"status":"success","batch_start":"2026-12-14T14:00:00","batch_end":"2026-12-14T14:30:00"}'
g -c fut_latency --now 2026-12-14T10:00
expect "future: a real completion is OK" "OK fut_latency: fut_wf: completed 30 min ago (limit 60)" "$OUT"
wf_set fut_wf '{"status":"success","batch_start":"2026-12-14T14:00:00","batch_end":"2099-01-01T00:00:00"}'
g -c fut_latency --now 2026-12-14T10:05
expect "future: a completion in 2099 is UNKNOWN" 3 "$RC"
expect_match "future: says why" '^UNKNOWN fut_latency: fut_wf: the source gave a completion in the future \(2099-01-01T00:00:00Z, [0-9]+ min ahead of this run.s clock\); not trusted$' "$OUT"
wf_set fut_wf '{"status":"success","batch_start":"2026-12-14T14:00:00","batch_end":"2026-12-14T14:30:00"}'
g -c fut_latency --now 2026-12-16T10:00
expect "future: nothing of it was remembered: two days later pages" 2 "$RC"
expect_match "future: keyed by the real completion" '\[trigger fut_latency/overdue@2026-12-14T14:30:00Z sent\]' "$OUT"
wf_set fut_wf '{"status":"failure","batch_start":"2099-01-01T00:00:00","batch_end":null}'
g -c fut_latency --now 2026-12-16T10:05
expect_match "future: a failed run starting in 2099 is UNKNOWN too" "^UNKNOWN fut_latency: .*a failed run's start in the future" "$OUT"

# --- 4a. A run whose clock is behind the record changes nothing. ---------
pd_reset
wf_set clk_wf '{"status":"success","batch_start":"2026-12-15T14:00:00","batch_end":"2026-12-15T14:30:00"}'
CKEY=clk_latency/overdue@2026-12-15T14:30:00Z
g -c clk_latency --now 2026-12-15T10:31
expect "clock behind: 10:31 pages" 2 "$RC"
g -c clk_latency --now 2026-12-15T09:45
expect_match "clock behind: 09:45 evaluates nothing, and says so as UNKNOWN" "^UNKNOWN clk_latency: recorded at 2026-12-15T10:31:00-05:00, after this run's clock: not evaluated until then \(a clock behind, or an earlier run with --now ahead\)$" "$OUT"
expect "clock behind: someone must look (exit 3)" 3 "$RC"
expect "clock behind: no resolve sent" 0 "$(pd_count resolve)"
g --now 2026-12-15T09:46
expect "clock behind: nor without -c" 0 "$(pd_count resolve)"
expect_match "clock behind: without -c or -v too, the line is there" "^UNKNOWN clk_latency: recorded at" "$OUT"
expect "clock behind: without -c, exit 3" 3 "$RC"
g -c clk_latency --now 2026-12-15T10:33
expect "clock behind: 10:33 is the same episode: one trigger in all" "1 1 True" "$(pd_count trigger) $(inc $CKEY opened) $(inc $CKEY open)"

# --- 4b. Real runs (no --now) use the state store's clock. ---------------
# This host's clock one hour behind: latency still counts from real time.
pd_reset
real_ago() { date -u -d "-$1 min" +%Y-%m-%dT%H:%M:%S; }
# A check of its own: the ones above were evaluated with --now in December.
sed -i 's/^clk_latency:$/clk_latency:/' "$GCL"
G2=$WORK/guarantees-clk.yaml
sed -n '/^clk_latency:/,/warn_pct/p' "$GCL" | sed 's/^clk_latency:/real_latency:/' >"$G2"
wf_set clk_wf "{\"status\":\"success\",\"batch_start\":\"$(real_ago 40)\",\"batch_end\":\"$(real_ago 30)\"}"
# faketime preloads itself: under make asan, AddressSanitizer must be told
# it need not come first.
FAKE_ENV="FAKETIME_DONT_FAKE_MONOTONIC=1 ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
skewed() { env $FAKE_ENV faketime -f "$1" "$TOP/bin/rp-latency-check" -f "$GCFG" -y "$G2" -c real_latency -v 2>"$WORK/skew.err" || true; }
out=$(skewed -1h)
expect_match "store clock: a host an hour behind still sees 30 min" '^OK real_latency: clk_wf: completed (29|30|31) min ago' "$out"
expect_match "store clock: and -v says it used the store's" 'clock: the state store.s \(this host.s is -3[0-9]{3} s off\)' "$(cat "$WORK/skew.err")"
# Two instances 45 s apart at the same moment: exactly one evaluates.
wf_set clk_wf "{\"status\":\"success\",\"batch_start\":\"$(real_ago 70)\",\"batch_end\":\"$(real_ago 61)\"}"
redis-cli -p "$REDIS_PORT" -n 1 del gu:lock:real_latency gu:check:real_latency >/dev/null
both=$( (env $FAKE_ENV faketime -f -45s "$TOP/bin/rp-latency-check" -f "$GCFG" -y "$G2" & \
	env $FAKE_ENV faketime -f +45s "$TOP/bin/rp-latency-check" -f "$GCFG" -y "$G2" & wait) 2>/dev/null || true)
expect "store clock: two instances 90 s apart evaluate once" 1 "$(printf '%s\n' "$both" | grep -c '^CRITICAL real_latency')"
expect "store clock: one incident" "1" "$(pd_count trigger)"

# --- 3. Signals and closed pipes. -----------------------------------------
pd_reset
wf_set sig_wf '{"status":"failure","batch_start":"2026-12-16T14:00:00","batch_end":null}'
wf_mode sig_wf slow:5
"$TOP/bin/rp-latency-check" -f "$GCFG" -y "$GCL" -c sig_latency --now 2026-12-16T10:00 >"$WORK/sig.out" 2>"$WORK/sig.err" &
spid=$!
sleep 1
t0=$(date +%s%N)
kill -TERM $spid
set +e; wait $spid; src=$?; set -e
expect "SIGTERM: exit 143" 143 "$src"
expect "SIGTERM: stops at once (under 1 s)" 1 "$([ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 1000 ] && echo 1 || echo 0)"
expect_match "SIGTERM: the check is not evaluated, and says why" "^SKIPPED sig_latency: not evaluated: the run was stopped" "$(cat "$WORK/sig.out")"
wf_mode sig_wf ok
g -c sig_latency --now 2026-12-16T10:00:30
expect "SIGTERM: its lock was released: the next run evaluates at once" 2 "$RC"
wf_mode sig_wf slow:5
"$TOP/bin/rp-latency-check" -f "$GCFG" -y "$GCL" -c sig_latency --now 2026-12-16T10:01:40 >/dev/null 2>&1 &
spid=$!
sleep 1
kill -INT $spid
set +e; wait $spid; src=$?; set -e
wf_mode sig_wf ok
expect "SIGINT: exit 130" 130 "$src"
# A reader that goes away: no death by SIGPIPE, the state is written.
pd_reset
wf_set pipe_wf '{"status":"failure","batch_start":"2026-12-16T16:00:00","batch_end":null}'
set +e
"$TOP/bin/rp-latency-check" -f "$GCFG" -y "$GCL" -c pipe_latency --json --now 2026-12-16T11:00 2>"$WORK/pipe.err" | head -c 10 >/dev/null
prc=${PIPESTATUS[0]}
set -e
expect "SIGPIPE: the run is not killed (not 141): the check's status" 2 "$prc"
expect "SIGPIPE: the trigger went out" "202 trigger pipe_latency/failed@2026-12-16T16:00:00Z" "$(pd_log | cut -d' ' -f1-3)"
wf_set pipe_wf '{"status":"success","batch_start":"2026-12-16T16:05:00","batch_end":"2026-12-16T16:30:00"}'
g -c pipe_latency --now 2026-12-16T11:40 --json
expect "SIGPIPE: the decision was recorded: its incident is resolved" "202 resolve pipe_latency/failed@2026-12-16T16:00:00Z" "$(pd_log | tail -n 1 | cut -d' ' -f1-3)"
set +e
"$TOP/bin/rp-latency-check" -f "$GCFG" -y "$GCL" -c pipe_latency --now 2026-12-16T11:45 >/dev/full 2>"$WORK/full.err"
frc=$?
set -e
expect "stdout on a full disk: said on stderr, and 3 for an OK check" "3" "$frc"
expect_match "stdout on a full disk: one line" "cannot write the output: No space left on device" "$(cat "$WORK/full.err")"

# --- 5. A refused page is never shown as delivered. -----------------------
pd_reset
wf_set ref_wf '{"status":"failure","batch_start":"2026-12-17T14:00:00","batch_end":null}'
RKEY=ref_latency/failed@2026-12-17T14:00:00Z
pd_fail down:500
g -c ref_latency --now 2026-12-17T10:00
expect_match "refused: PagerDuty down, the trigger is queued" "\[trigger $RKEY queued\]" "$OUT"
pd_fail up
pd_fail 400
g -c ref_latency --now 2026-12-17T10:05
expect_match "refused: said as refused" "outbox: PagerDuty refused trigger $RKEY: HTTP 400" "$ERR"
expect_no_match "refused: never counted as delivered" "earlier event delivered" "$ERR"
expect "refused: the CRITICAL check still exits 2" 2 "$RC"
rp rp-status -f "$GCFG" -y "$GCL" -c ref_latency --json
expect_match "refused: rp-status --json says not delivered, refused" '"incident":"ref_latency/failed@2026-12-17T14:00:00Z","incident_delivered":false,"incident_refused":true' "$OUT"
rp rp-status -f "$GCFG" -y "$GCL" -c ref_latency
expect_match "refused: the check's row says so" "$RKEY \(refused by PagerDuty" "$OUT"
g -c ref_latency --now 2026-12-17T10:10
expect_match "refused: every later run says so" "ref_latency: PagerDuty refused the trigger of $RKEY" "$ERR"
expect "refused: and sends nothing while nothing changed" 0 "$(pd_count trigger)"
# The description is fixed: the event changes, so it is sent again.
sed -i 's/pd_description: "a refused page"/pd_description: "a refused page, fixed"/' "$GCL"
g -c ref_latency --now 2026-12-17T10:15
expect_match "refused: fixed, sent again" "\[trigger $RKEY sent\]" "$OUT"
expect "refused: and delivered once" 1 "$(pd_count trigger)"
rp rp-status -f "$GCFG" -y "$GCL" -c ref_latency --json
expect_match "refused: no longer refused" '"incident_delivered":true,"incident_refused":false' "$OUT"

# --- 6. No planted configuration is read. ---------------------------------
PL=$(mktemp -d "$WORK/planted.XXXXXX")
chmod 777 "$PL"
cp "$GCFG" "$PL/etl.cfg"
cp "$GCL" "$PL/checklist.yaml"
pl_port=$(free_port)
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(5); s.settimeout(8)
try:
    c,_=s.accept(); open(sys.argv[2],"w").write("connected")
except Exception: pass' "$pl_port" "$PL/caught" &
PIDS="$PIDS $!"
sed -i "s|^\[google_apps\]$|[google_apps]\nimap_url = imap://127.0.0.1:$pl_port|" "$PL/etl.cfg"
(cd "$PL" && rp rp-email-check -n -v; echo "$RC" >"$PL/rc"; printf '%s' "$ERR" >"$PL/err")
expect "planted: not read from the working directory" "78" "$(cat "$PL/rc")"
expect_match "planted: the default is /etc/robopager/etl.cfg" "^rp-email-check: /etc/robopager/etl.cfg: cannot read" "$(cat "$PL/err")"
expect "planted: the planted server heard nothing" "" "$(cat "$PL/caught" 2>/dev/null || true)"
chmod 600 "$PL/etl.cfg"
g -f "$PL/etl.cfg" -y "$GCL" -n
expect "planted: in a directory every user can write: refused" 78 "$RC"
expect_match "planted: names the directory" "which every user can write: refused" "$ERR"
chmod 1777 "$PL"
g -f "$PL/etl.cfg" -y "$GCL" -n --now 2026-12-17T11:00
expect "planted: a sticky directory (as /tmp) is fine" 0 "$(printf '%s' "$ERR" | grep -c 'refused' || true)"
chown nobody "$PL/etl.cfg"
g -f "$PL/etl.cfg" -y "$GCL" -n
expect "planted: a file of another user: refused" 78 "$RC"
expect_match "planted: says whose" "is owned by nobody, not by root \(who runs this\) or root: refused" "$ERR"
chown root "$PL/etl.cfg"
chmod 620 "$PL/etl.cfg"
g -f "$PL/etl.cfg" -y "$GCL" -n
expect_match "planted: group-writable: refused, with the fix" "can be written by its group: refused; run: chmod go-w" "$ERR"
chmod 600 "$PL/etl.cfg"
cp "$GCL" "$PL/g.yaml"
chmod 666 "$PL/g.yaml"
g -f "$GCFG" -y "$PL/g.yaml" -n
expect "planted: a checklist every user can write: refused" 78 "$RC"
chmod 644 "$PL/g.yaml"
g -f "$GCFG" -y "$PL/g.yaml" -n --now 2026-12-17T11:00 -c fut_latency
expect_match "planted: a checklist every user can read: a warning with the fix" "holds integration keys and every user can read it; run: chmod o-r" "$ERR"
printf 'secret\n' >"$PL/pw"
chown nobody "$PL/pw"
sed "s|^password = .*|password_file = $PL/pw|" "$GCFG" >"$PL/pw.cfg"
chmod 600 "$PL/pw.cfg"
cat >"$PL/mail.yaml" <<'EOC'
m:
    type: email
    pd_description: "m"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: [a@x.example]
    delivery_time: "00:00"
    check_time: "00:01"
    subjects: [x]
EOC
rp rp-email-check -f "$PL/pw.cfg" -y "$PL/mail.yaml" -n
expect "planted: a password_file of another user: refused" 78 "$RC"
expect_match "planted: names the key" "\[google_apps\] password_file is owned by nobody" "$ERR"
