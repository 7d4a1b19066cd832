#!/usr/bin/env bash
# make demo: Robopager end to end on this machine, in a temporary folder.
# Starts a private redis-server, Dovecot with a throwaway mailbox and a
# PagerDuty stand-in (and batchy and Airflow ones), then tells a short story
# with --now: a vendor report that is late and pages, then arrives and
# resolves; a workflow that goes late and pages, then recovers and resolves;
# an Airflow DAG whose run fails and pages at once, then succeeds on retry;
# a cron job, wrapped in rp-ping, that fails, pages, and is rerun by hand.
# Prints what PagerDuty received and removes everything.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
. tests/lib.sh

if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B= N=; fi
say() { printf '\n%s%s%s\n' "$B" "$*" "$N"; }
run() { # run PROGRAM ARGS...: shows the command and what it printed
	local prog=$1 a; shift
	printf '$ %s' "$prog"
	for a; do
		case $a in *[[:space:]\"]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
	done
	printf '\n'
	set +e
	"$TOP/bin/$prog" -f "$CFG" -y "$CL" "$@" 2>&1 | sed 's/^/  /'
	set -e
}

start_redis
start_fake pagerduty
start_fake batchy
start_fake airflow
start_dovecot
CFG="$WORK/etl.cfg"
CL="$WORK/checklist.yaml"
write_email_config "$CFG" "imap://127.0.0.1:$IMAP_PORT" INBOX
sed -i 's/^time_budget_sec = .*/time_budget_sec = 20/' "$CFG"
add_sources "$CFG"
chmod 600 "$CFG"
cat >"$CL" <<'EOC'
vendor_report_email:
    type: email
    pd_description: "the vendor's daily reports"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: [reports@vendor.example]
    delivery_time: "03:00"
    check_time: "03:15"
    subjects: [Daily report, Daily summary]
nightly_orders_latency:
    type: batchy
    pd_description: "the orders workflow"
    pd_service: "abcdefabcdefabcdefabcdefabcdef12"
    wf_name: orders_intraday
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
orders_dag:
    type: airflow
    dag_id: orders_daily
    pd_description: "the orders DAG in Airflow"
    pd_service: "abcdefabcdefabcdefabcdefabcdef12"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 120
nightly_backup:
    type: ping
    pd_description: "the nightly database backup"
    pd_service: "0123456789abcdef0123456789abcdef"
    schedule: "30 2 * * *"
    grace: 30m
    max_runtime: 1h
EOC
mail() { # mail NAME ARRIVAL(New York) SUBJECT
	seed_mail "$1" "TZ=\"America/New_York\" 2026-11-26 $2" "" <<EOM
From: Vendor Reports <reports@vendor.example>
Subject: $3
Date: Thu, 26 Nov 2026 $2:00 -0500

The numbers.
EOM
}
done_at() { wf_set orders_intraday "{\"status\":\"success\",\"batch_start\":\"2026-11-26T13:00:00\",\"batch_end\":\"2026-11-26T$1:00\"}"; }
dag() { af_dag orders_daily "{\"runs\": [$1], \"is_paused\": false}"; }

say "Robopager demo: one day, America/New_York (servers in $WORK)"
cat <<EOT
A vendor sends "Daily report" and "Daily summary" after 03:00; they must be
there by 03:15. The orders workflow (in batchy) must have finished within
60 minutes, and the orders DAG (in Airflow 3) within 120, checked from 09:00.
The nightly backup runs from cron at 02:30, wrapped in rp-ping.
EOT

say "02:30  cron runs the backup through rp-ping; it fails (rp-ping exits with its status)"
run rp-ping --now 2026-11-26T02:30 nightly_backup -- sh -c 'echo "pg_dump: connection refused" >&2; exit 2'
say "02:31  rp-latency-check, every minute from cron: the failure pages at once"
run rp-latency-check --now 2026-11-26T02:31
say "02:50  rerun by hand, it succeeds; the next run resolves the incident"
run rp-ping --now 2026-11-26T02:50 nightly_backup -- sh -c 'echo "backup written"'
run rp-latency-check --now 2026-11-26T02:55

say "03:05  the daily report arrives; the summary does not"
mail report 03:05 "Daily report"
say "03:15  the email check is due: the summary is missing, PagerDuty is paged"
run rp-email-check --now 2026-11-26T03:15
say "03:20  still missing: nothing more is sent (one page per problem)"
run rp-email-check --now 2026-11-26T03:20
say "03:41  the summary arrives late; the next run resolves the incident"
mail summary 03:41 "Daily summary"
run rp-email-check --now 2026-11-26T03:42

say "09:00  the orders workflow finished at 08:40 (13:40 UTC), the DAG's run at 08:30"
done_at 13:40
dag "$(af_run success 2026-11-26T13:00:00 2026-11-26T13:30:00)"
run rp-latency-check --now 2026-11-26T09:00
say "09:30  50 minutes without a workflow completion: a WARNING; the DAG's new run fails: paged at once"
dag "$(af_run failed 2026-11-26T14:15:00 2026-11-26T14:25:00), $(af_run success 2026-11-26T13:00:00 2026-11-26T13:30:00)"
run rp-latency-check --now 2026-11-26T09:30
say "09:41  61 minutes: the workflow is CRITICAL, PagerDuty is paged; the DAG's retry runs (same incident)"
dag "$(af_run running 2026-11-26T14:35:00 '' 2026-11-26T14:30:00), $(af_run failed 2026-11-26T14:15:00 2026-11-26T14:25:00)"
run rp-latency-check --now 2026-11-26T09:41
say "09:50  the workflow finished at 09:48 and the DAG's retry at 09:45: both incidents resolved"
done_at 14:48
dag "$(af_run success 2026-11-26T14:35:00 2026-11-26T14:45:00 2026-11-26T14:30:00), $(af_run failed 2026-11-26T14:15:00 2026-11-26T14:25:00)"
run rp-latency-check --now 2026-11-26T09:50

say "09:51  rp-status: every check, its state and its incident"
run rp-status --now 2026-11-26T09:51

say "What PagerDuty received (HTTP answer, action, dedup key, severity, summary)"
pd_log | sed 's/^/  /'
n=$(pd_log | grep -c '^202' || true)
say "Done: $n events delivered. Everything started here is stopped and removed."
