#!/usr/bin/env bash
# make bench: Robopager's speed and memory against floors measured in the
# same run on the same servers (absolute times drift on shared machines).
# Starts its own redis-server, Dovecot (a mailbox of 50,000 messages),
# stand-ins for batchy (answering after BENCH_DELAY_MS, default 50) and
# PagerDuty, and nginx for the runs of 1,000 to 100,000 checks
# (tests/bench-scale.sh, BENCH_SIZES); prints one table: median and max of
# BENCH_RUNS runs (default 9; 3 at 100,000 checks).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
. tests/lib.sh

RUNS=${BENCH_RUNS:-9}
DELAY_MS=${BENCH_DELAY_MS:-50}
N=1000
DONE_JSON='{"status":"success","batch_start":"2026-11-26T14:00:00","batch_end":"2026-11-26T14:50:00"}'

echo "make bench: $(nproc) cores, $RUNS runs per figure, sources answer after $DELAY_MS ms" >&2
# The parsed checklists' cache, as systemd's CacheDirectory= gives it.
mkdir -m 700 "$WORK/cache"
export CACHE_DIRECTORY="$WORK/cache"
start_redis
start_fake pagerduty
FAKE_BATCHY_DELAY=$(python3 -c "print($DELAY_MS / 1000)") FAKE_BATCHY_DEFAULT="$DONE_JSON" start_fake batchy
FAKE_BATCHY_DEFAULT="$DONE_JSON" start_fake batchy QUICK
# Airflow 3 (the v2 login, then a JWT), every DAG done at 09:50 New York.
FAKE_AIRFLOW_DELAY=$(python3 -c "print($DELAY_MS / 1000)") \
FAKE_AIRFLOW_DEFAULT='{"runs": [{"id": "s", "state": "success", "logical": "2026-11-26T14:00:00Z", "start": "2026-11-26T14:00:01Z", "end": "2026-11-26T14:50:00Z"}], "is_paused": false}' \
	start_fake airflow
start_dovecot

CFG="$WORK/bench.cfg"
write_email_config "$CFG" "imap://127.0.0.1:$IMAP_PORT" INBOX
sed -i 's/^time_budget_sec = .*/time_budget_sec = 50/' "$CFG"
chmod 600 "$CFG"
add_sources "$CFG"
QCFG="$WORK/quick.cfg"
sed "s/^port = $BATCHY_PORT$/port = $QUICK_PORT/" "$CFG" >"$QCFG"
chmod 600 "$QCFG"

latency() { # latency NAME WF
	cat <<EOC
$1:
    type: batchy
    pd_description: "bench"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "$2"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
EOC
}
latency one wf_one >"$WORK/one.yaml"
for i in $(seq 1 $N); do latency "c$i" "wf_$i"; done >"$WORK/many.yaml"
for i in $(seq 1 $N); do
	printf 'url = "http://127.0.0.1:%s/get_status/wf_%s"\noutput = "/dev/null"\n' "$BATCHY_PORT" "$i"
done >"$WORK/urls.cfg"
for i in $(seq 1 $N); do
	cat <<EOC
a$i:
    type: airflow
    dag_id: dag_$i
    pd_description: "bench"
    pd_service: "0123456789abcdef0123456789abcdef"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 1440
EOC
done >"$WORK/airflow.yaml"
# The floor of the Airflow checks: the same requests with the same auth
# (one login for a JWT, then each DAG and its runs), curl 64 at a time.
for i in $(seq 1 $N); do
	printf 'url = "http://127.0.0.1:%s/api/v2/dags/dag_%s"\noutput = "/dev/null"\n' "$AIRFLOW_PORT" "$i"
	printf 'url = "http://127.0.0.1:%s/api/v2/dags/dag_%s/dagRuns?order_by=-logical_date&limit=25"\noutput = "/dev/null"\n' "$AIRFLOW_PORT" "$i"
done >"$WORK/af-urls.cfg"
cat >"$WORK/af-floor.sh" <<EOS
#!/bin/sh
t=\$(curl -s -X POST -H 'Content-Type: application/json' \\
	-d '{"username": "robopager", "password": "$AIRFLOW_PASSWORD"}' http://127.0.0.1:$AIRFLOW_PORT/auth/token |
	sed -E 's/.*"access_token": "([^"]+)".*/\\1/')
exec curl -s --parallel --parallel-max 64 -H "Authorization: Bearer \$t" -K $WORK/af-urls.cfg
EOS
chmod +x "$WORK/af-floor.sh"
cat >"$WORK/mail.yaml" <<'EOC'
vendor_mail:
    type: email
    pd_description: "bench mail"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: [reports@vendor.example]
    delivery_time: "00:00"
    check_time: "00:01"
    subjects: [Report 1, Report 2, Report 3, Report 4, Report 5]
EOC
# The same with a sixth report that never comes: CRITICAL all day, so every
# run searches; after the first, only what arrived since (nothing here).
sed 's/^vendor_mail:/vendor_repeat:/; s/Report 5\]/Report 5, Report 6]/' "$WORK/mail.yaml" >"$WORK/mail2.yaml"
cat >"$WORK/ping.yaml" <<'EOC'
bench_job:
    type: ping
    pd_description: "bench ping"
    pd_service: "0123456789abcdef0123456789abcdef"
    period: 1d
EOC

# The mailbox: 50,000 messages of the day, 5 of them the vendor's.
echo "seeding 50,000 messages..." >&2
python3 - "$MAILDIR/cur" <<'EOP'
import os, sys, time
d = sys.argv[1]
t = time.mktime(time.strptime("2026-11-26 12:00", "%Y-%m-%d %H:%M"))
for i in range(50000):
    vendor = i % 10000 == 5000
    frm = "reports@vendor.example" if vendor else "noise%d@elsewhere.example" % (i % 977)
    subj = "Report %d" % (i // 10000 + 1) if vendor else "Newsletter %d" % i
    p = os.path.join(d, "%d.bench:2,S" % i)
    with open(p, "w") as f:
        f.write("From: %s\r\nTo: robot@example.com\r\nSubject: %s\r\nDate: Thu, 26 Nov 2026 12:00:00 +0000\r\n\r\nbody %d\r\n" % (frm, subj, i))
    os.utime(p, (t + i, t + i))
EOP
chown -R dovecot:dovecot "$MAILDIR"

ms() { date +%s%N; }
# sample KIND COMMAND...: runs it once; appends "wall_ms rss_kb" to $WORK/KIND
sample() {
	local kind=$1; shift
	local t0 t1
	t0=$(ms)
	/usr/bin/time -f '%M' -o "$WORK/rss" "$@" >"$WORK/last.out" 2>"$WORK/last.err" || true
	t1=$(ms)
	# The last line: GNU time says first when the command exited non-zero.
	echo "$(( (t1 - t0) / 1000000 )) $(tail -n 1 "$WORK/rss")" >>"$WORK/$kind"
}
stat() { # stat KIND COLUMN(1 wall, 2 rss) -> "median max"
	sort -n -k"$2" "$WORK/$1" | awk -v c="$2" '{v[NR]=$c} END {printf "%s %s", v[int((NR+1)/2)], v[NR]}'
}
rt() { sed -nE 's/.* ([0-9]+) Redis round trips?,.*/\1/p' "$WORK/last.err" | tail -n 1; }

RP="$TOP/bin"
now() { python3 -c "import datetime,sys; print((datetime.datetime(2026,11,26,10,0)+datetime.timedelta(minutes=2*int(sys.argv[1]))).strftime('%Y-%m-%dT%H:%M'))" "$1"; }

echo "warming up..." >&2
curl -s -o /dev/null "http://127.0.0.1:$QUICK_PORT/get_status/wf_one"
"$RP/rp-latency-check" -f "$QCFG" -y "$WORK/one.yaml" -c one >/dev/null 2>&1 || true
"$RP/rp-email-check" -f "$CFG" -y "$WORK/mail.yaml" -c vendor_mail -n --now 2026-11-26T13:00 >/dev/null 2>&1 || true

"$RP/rp-email-check" -f "$CFG" -y "$WORK/mail2.yaml" -c vendor_repeat --now 2026-11-26T13:00 >/dev/null 2>&1 || true

echo "measuring..." >&2
for i in $(seq 1 "$RUNS"); do
	sample curl1q curl -s -o /dev/null "http://127.0.0.1:$QUICK_PORT/get_status/wf_one"
	sample one_q "$RP/rp-latency-check" -f "$QCFG" -y "$WORK/one.yaml" -c one
	sample curl1 curl -s -o /dev/null "http://127.0.0.1:$BATCHY_PORT/get_status/wf_one"
	sample one "$RP/rp-latency-check" -f "$CFG" -y "$WORK/one.yaml" -c one
	sample curlN curl -s --parallel --parallel-max 64 -K "$WORK/urls.cfg"
	sample many "$RP/rp-latency-check" -f "$CFG" -y "$WORK/many.yaml" --now "$(now "$i")" -q
	sample afN "$WORK/af-floor.sh"
	sample afmany "$RP/rp-latency-check" -f "$CFG" -y "$WORK/airflow.yaml" --now "$(now "$i")" -q
	sample idle "$RP/rp-latency-check" -f "$CFG" -y "$WORK/many.yaml" --now "$(now "$i" | sed 's/$/:20/')" -q
	sample start "$RP/rp-latency-check" --version
	sample redisset redis-cli -p "$REDIS_PORT" SET rp-bench x
	sample ping "$RP/rp-ping" -f "$CFG" -y "$WORK/ping.yaml" bench_job
	sample imapfloor curl -s --user "robot:$IMAP_PASSWORD" "imap://127.0.0.1:$IMAP_PORT/INBOX" \
		-X 'UID SEARCH SINCE 25-Nov-2026 FROM reports@vendor.example'
	sample mail "$RP/rp-email-check" -f "$CFG" -y "$WORK/mail.yaml" -c vendor_mail -n -v --now 2026-11-26T13:00
	sed -nE 's/.*IMAP: ([0-9]+) bytes read.*/\1/p' "$WORK/last.err" >>"$WORK/mail_bytes"
	sample loginfloor curl -s --user "robot:$IMAP_PASSWORD" "imap://127.0.0.1:$IMAP_PORT/" -X NOOP
	sample mail2 "$RP/rp-email-check" -f "$CFG" -y "$WORK/mail2.yaml" -c vendor_repeat -v \
		--now "2026-11-26T13:$(printf %02d "$i")"
	grep -q 'vendor_repeat: nothing new in the mailbox' "$WORK/last.err" ||
		{ echo "bench: the repeat email check searched again:" >&2; cat "$WORK/last.err" >&2; exit 1; }
done
# Round trips, counted by the program (-v), in runs of their own: every
# check due and OK (a read and a write), then nothing due; then every check
# CRITICAL (1,000 triggers: a third round trip records what was sent) and
# nothing due while the rate limit holds the rest of them in the outbox.
"$RP/rp-latency-check" -f "$CFG" -y "$WORK/many.yaml" --now 2026-11-26T10:30 -v >/dev/null 2>"$WORK/last.err" || true
rt >"$WORK/many_rt"
"$RP/rp-latency-check" -f "$CFG" -y "$WORK/many.yaml" --now 2026-11-26T10:30:20 -v >/dev/null 2>"$WORK/last.err" || true
rt >"$WORK/idle_rt"
"$RP/rp-latency-check" -f "$CFG" -y "$WORK/many.yaml" --now 2026-11-26T23:00 -v >/dev/null 2>"$WORK/last.err" || true
rt >"$WORK/paging_rt"
"$RP/rp-latency-check" -f "$CFG" -y "$WORK/many.yaml" --now 2026-11-26T23:00:20 -v >/dev/null 2>"$WORK/last.err" || true
rt >"$WORK/held_rt"
"$RP/rp-latency-check" -f "$CFG" -y "$WORK/airflow.yaml" --now 2026-11-26T23:00 >"$WORK/last.out" 2>&1 || true
[ "$(grep -c '^OK a' "$WORK/last.out")" -eq $N ] || { echo "bench: not all $N Airflow checks were OK:" >&2; grep -v '^OK' "$WORK/last.out" | head >&2; exit 1; }
"$RP/rp-ping" -f "$CFG" -y "$WORK/ping.yaml" bench_job 2>"$WORK/last.err" || { echo "bench: rp-ping did not record:" >&2; cat "$WORK/last.err" >&2; exit 1; }
"$RP/rp-email-check" -f "$CFG" -y "$WORK/mail.yaml" -c vendor_mail -n -v --now 2026-11-26T13:00 >"$WORK/last.out" 2>"$WORK/last.err" || true
grep -q '^OK vendor_mail' "$WORK/last.out" || { echo "bench: the email check did not find its 5 messages:" >&2; cat "$WORK/last.out" "$WORK/last.err" >&2; exit 1; }
[ "$(grep -c '^OK c' <<<"$(cat "$WORK/last.out")" || true)" -ge 0 ]

# The large runs, against nginx.
. tests/bench-scale.sh

row() { # row FIGURE VALUE FLOOR TARGET
	printf '%-52s %14s %20s %s\n' "$1" "$2" "$3" "$4"
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2fx' % (a/b if b else 0))" "$1" "$2"; }
set -- $(stat one 1); one_w=$1 one_wmax=$2
set -- $(stat curl1 1); c1_w=$1 c1_wmax=$2
set -- $(stat one 2); one_r=$1 one_rmax=$2
set -- $(stat curl1 2); c1_r=$1
set -- $(stat one_q 1); oq_w=$1 oq_wmax=$2
set -- $(stat curl1q 1); cq_w=$1
set -- $(stat many 1); m_w=$1 m_wmax=$2
set -- $(stat many 2); m_r=$1 m_rmax=$2
set -- $(stat curlN 1); cn_w=$1 cn_wmax=$2
set -- $(stat afmany 1); a_w=$1 a_wmax=$2
set -- $(stat afN 1); an_w=$1 an_wmax=$2
set -- $(stat idle 1); i_w=$1 i_wmax=$2
set -- $(stat start 1); st_w=$1 st_wmax=$2
set -- $(stat mail 1); ml_w=$1 ml_wmax=$2
set -- $(stat imapfloor 1); if_w=$1 if_wmax=$2
set -- $(stat mail2 1); m2_w=$1 m2_wmax=$2
set -- $(stat loginfloor 1); lf_w=$1 lf_wmax=$2
set -- $(stat ping 1); pg_w=$1 pg_wmax=$2
set -- $(stat redisset 1); rs_w=$1 rs_wmax=$2

echo
echo "Robopager bench: $(nproc) cores, $RUNS runs each, median / max; floors measured in the same run"
row "FIGURE" "ROBOPAGER" "FLOOR" "RATIO (target)"
row "1 check, source answering at once: wall ms" "$oq_w / $oq_wmax" "curl -s: $cq_w" "$(ratio "$oq_w" "$cq_w")"
row "1 check, source after ${DELAY_MS} ms: wall ms" "$one_w / $one_wmax" "curl -s: $c1_w / $c1_wmax" "$(ratio "$one_w" "$c1_w") (<= 1.5x)"
row "1 check: peak RSS KiB" "$one_r / $one_rmax" "curl -s: $c1_r" "$(ratio "$one_r" "$c1_r") (<= 1.25x)"
row "$N checks, source after ${DELAY_MS} ms: wall ms" "$m_w / $m_wmax" "curl --parallel-max 64: $cn_w / $cn_wmax" "$(ratio "$m_w" "$cn_w") (<= 1.05x)"
row "$N checks: Redis round trips" "$(sort -n "$WORK/many_rt" | tail -n 1)" "-" "(<= 2)"
row "$N checks: peak RSS KiB" "$m_r / $m_rmax" "-" ""
row "$N Airflow checks (login + $((2 * N)) requests): wall ms" "$a_w / $a_wmax" "curl login+--parallel-max 64: $an_w / $an_wmax" "$(ratio "$a_w" "$an_w") (<= 1.3x)"
row "email check, 50,000 messages, 5 match: wall ms" "$ml_w / $ml_wmax" "curl login+SEARCH: $if_w / $if_wmax" "$(ratio "$ml_w" "$if_w") (<= 100 ms)"
row "email check: bytes read from the IMAP server" "$(sort -n "$WORK/mail_bytes" | tail -n 1)" "-" "(with the matches)"
row "repeat email check, nothing new: wall ms" "$m2_w / $m2_wmax" "curl login+logout: $lf_w / $lf_wmax" "$(ratio "$m2_w" "$lf_w") (<= 1.2x)"
row "nothing due among $N checks (batchy stand-in): wall ms" "$i_w / $i_wmax" "rp-latency-check --version: $st_w" "$(ratio "$i_w" "$st_w") (<= 2x)"
row "nothing due: Redis round trips" "$(sort -n "$WORK/idle_rt" | tail -n 1)" "-" "(<= 2)"
row "$N checks paging: Redis round trips" "$(sort -n "$WORK/paging_rt" | tail -n 1)" "-" "(<= 3)"
row "nothing due, outbox held by the rate limit: round trips" "$(sort -n "$WORK/held_rt" | tail -n 1)" "-" "(<= 2)"
row "rp-ping NAME: wall ms" "$pg_w / $pg_wmax" "redis-cli SET: $rs_w / $rs_wmax" "$(ratio "$pg_w" "$rs_w")"
scale_rows
