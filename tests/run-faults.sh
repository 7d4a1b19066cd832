#!/usr/bin/env bash
# The fault suite: each scenario runs the real programs against a real
# redis-server (with an append-only file, so that it can be stopped, killed
# and restarted like a production one), the fake PagerDuty, the fake batchy,
# Dovecot's stand-ins for broken mail servers, and counts what PagerDuty
# made of it: incidents opened (pages), duplicates (a second incident for
# one problem) and lost pages (a problem that never paged, or a page never
# resolved). Prints a table; fails on any lost or duplicated page, and on any
# failed assertion about the runs themselves.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"

# The parts, in the table's order: tests/faults-PART.sh each.
PARTS="core guarantees chaos sinks sentinel sources"

# print_table DIR: the table from what the parts left in DIR (rows.PART,
# chaos.note, sentinel.times, sources.reasons, counts.*); fails on a
# failed assertion or a lost or duplicated page.
print_table() {
	local d=$1 part f passed=0 failed=0 bad=0
	echo
	printf '%-58s %8s %5s %10s %4s %7s\n' "SCENARIO" "EXPECTED" "SENT" "DUPLICATES" "LOST" "RE-SENT"
	for part in $PARTS; do cat "$d/rows.$part" 2>/dev/null || true; done
	echo "(pages: incidents PagerDuty opened; re-sent: the same trigger sent again and folded"
	echo " by PagerDuty into the open incident by its dedup key, after an answer that was lost;"
	echo " rows marked (Slack), (webhook), (both) count what that stand-in received: messages in"
	echo " the channel, incidents the receiver opened, alerts each Alertmanager fired to its receiver)"
	cat "$d/chaos.note" 2>/dev/null || true
	echo
	echo "Sentinel rows (failover: from kill -9 until every sentinel names the new primary):"
	cat "$d/sentinel.times" 2>/dev/null || true
	echo
	echo "What each source fault said (UNKNOWN, run time):"
	cat "$d/sources.reasons" 2>/dev/null || true
	echo
	for f in "$d"/counts.*; do
		set -- $(cat "$f")
		passed=$((passed + $1)) failed=$((failed + $2)) bad=$((bad + $3))
	done
	echo "tests: $passed passed, $failed failed (fault suite; $bad scenarios with a lost or duplicated page)"
	[ "$failed" -eq 0 ] && [ "$bad" -eq 0 ]
}

# In RP_TEST_JOBS shards at once (default: one per core, at most 2), each
# with servers of its own; their output is printed whole, then one table.
JOBS=${RP_TEST_JOBS:-$(n=$(nproc 2>/dev/null || echo 1); echo $(( n > 2 ? 2 : n )))}
if [ -z "${RP_FAULT_OUT:-}" ] && [ "$JOBS" -gt 1 ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/rp-faults.XXXXXX")
	trap 'rm -rf "$out"' EXIT
	set -m # a background shard without job control would ignore SIGINT
	RP_FAULT_OUT=$out RP_FAULT_PARTS="core guarantees sentinel sources" "$0" >"$out/1.log" 2>&1 &
	p1=$!
	RP_FAULT_OUT=$out RP_FAULT_PARTS="chaos sinks" "$0" >"$out/2.log" 2>&1 &
	p2=$!
	# Each shard is a process group of its own: Ctrl-C stops them too.
	trap 'kill -TERM -- "-$p1" "-$p2" 2>/dev/null || true; exit 130' INT TERM
	rc=0
	wait "$p1" || rc=1
	wait "$p2" || rc=1
	cat "$out/1.log" "$out/2.log"
	print_table "$out" && [ "$rc" -eq 0 ]
	exit
fi

. tests/lib.sh

start_fake pagerduty
start_fake batchy
start_fake airflow
start_fake http
python3 "$TOP/tests/fakes/fake_imap.py" "$WORK/imap.ports" 2>>"$WORK/imap.log" &
PIDS="$PIDS $!"
wait_for 10 test -s "$WORK/imap.ports" || { echo "fake imap did not start" >&2; exit 1; }
imap_port() { awk -v m="$1" '$1 == m { print $2 }' "$WORK/imap.ports"; }

# A Redis that keeps its data across a stop or a kill -9, as one with
# appendonly does in production.
FREDIS_PORT=$(free_port)
mkdir -p "$WORK/fredis"
start_fredis() {
	redis-server --port "$FREDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes \
		--appendfsync always --dir "$WORK/fredis" --logfile "$WORK/fredis.log" \
		--daemonize no &
	FREDIS_PID=$!
	PIDS="$PIDS $FREDIS_PID"
	wait_for 10 redis-cli -p "$FREDIS_PORT" ping || { echo "redis-server did not start" >&2; exit 1; }
}
stop_fredis() { kill -TERM "$FREDIS_PID"; wait "$FREDIS_PID" 2>/dev/null || true; }
kill_fredis() { kill -KILL "$FREDIS_PID"; wait "$FREDIS_PID" 2>/dev/null || true; }
start_fredis

ROWS=""
REASONS=""
BAD_ROWS=0
RK=0123456789abcdef0123456789abcdef

# fault_cfg NAME [KEY=VALUE ...]: $WORK/NAME.cfg with prefix NAME on the
# fault Redis; each KEY=VALUE replaces or adds a key in its section
# (robopager.x, pager_duty.x, batchy.x, google_apps.x).
fault_cfg() {
	local name=$1 f="$WORK/$1.cfg"; shift
	write_config "$f" "$name" "$FREDIS_PORT"
	add_sources "$f"
	chmod 600 "$f"
	python3 - "$f" "$@" <<'EOP'
import re, sys
path, sets = sys.argv[1], sys.argv[2:]
text = open(path).read()
for s in sets:
    k, v = s.split("=", 1)
    sec, key = k.split(".", 1)
    pat = re.compile(r"^%s = .*$" % re.escape(key), re.M)
    start = text.index("[%s]\n" % sec)
    end = text.find("\n[", start + 1)
    end = len(text) if end < 0 else end + 1
    body = text[start:end]
    body = pat.sub("%s = %s" % (key, v), body) if pat.search(body) else body.rstrip("\n") + "\n%s = %s\n" % (key, v)
    text = text[:start] + body + text[end:]
open(path, "w").write(text)
EOP
}

# latency_checklist FILE NAME [POLL [COUNT]]: COUNT latency checks (NAME_job,
# or NAME_job_1..COUNT) on the workflow NAME.
latency_checklist() {
	local f=$1 name=$2 poll=${3:-60} count=${4:-1} i suffix
	: >"$f"
	for i in $(seq 1 "$count"); do
		suffix=$([ "$count" -eq 1 ] && echo "" || echo "_$i")
		cat >>"$f" <<EOC
${name}_job$suffix:
    type: batchy
    pd_description: "fault $name"
    pd_service: "$RK"
    wf_name: "$name"
    check_time: "00:00"
    poll_sec: $poll
    latency_min: 60
EOC
	done
}

failed_wf() { wf_set "$1" "{\"status\":\"failure\",\"batch_start\":\"$2\",\"batch_end\":null}"; }
done_wf() { wf_set "$1" "{\"status\":\"success\",\"batch_start\":\"$2\",\"batch_end\":\"$3\"}"; }
pd_limit() { curl -s -X POST --data "$1" "http://127.0.0.1:$PAGERDUTY_PORT/_limit" >/dev/null; }

# bg NAME PROGRAM ARGS...: starts a program in the background; wait_bg NAME
# then sets OUT_<NAME>, ERR_<NAME>, RC_<NAME>.
bg() {
	local n=$1 prog=$2; shift 2
	"$TOP/bin/$prog" "$@" >"$WORK/bg.$n.out" 2>"$WORK/bg.$n.err" &
	eval "BG_$n=$!"
}
wait_bg() {
	local n=$1 pid rc
	eval "pid=\$BG_$n"
	set +e
	wait "$pid"
	rc=$?
	set -e
	eval "RC_$n=$rc"
	eval "OUT_$n=\$(cat \"$WORK/bg.$n.out\")"
	eval "ERR_$n=\$(cat \"$WORK/bg.$n.err\")"
}

# row SCENARIO EXPECTED...: one line of the table from PagerDuty's incidents;
# each EXPECTED is DEDUP_KEY=open or DEDUP_KEY=resolved.
row() {
	local scenario=$1; shift
	local line
	line=$(curl -s "http://127.0.0.1:$PAGERDUTY_PORT/_incidents" | python3 -c '
import json, sys
inc = json.load(sys.stdin)
want = dict(a.rsplit("=", 1) for a in sys.argv[1:])
sent = sum(i["opened"] for i in inc.values())
dup = sum(max(0, i["opened"] - 1) for k, i in inc.items() if k in want)
dup += sum(i["opened"] for k, i in inc.items() if k not in want)
lost = sum(1 for k in want if inc.get(k, {}).get("opened", 0) == 0)
lost += sum(1 for k, end in want.items() if end == "resolved" and inc.get(k, {}).get("open", True))
resent = sum(i["triggers"] - i["opened"] for i in inc.values())
print(len(want), sent, dup, lost, resent)' "$@")
	set -- $line
	ROWS="$ROWS$(printf '%-58s %8s %5s %10s %4s %7s' "$scenario" "$1" "$2" "$3" "$4" "$5")
"
	if [ "$3" -ne 0 ] || [ "$4" -ne 0 ] || [ "$1" -ne "$2" ]; then
		BAD_ROWS=$((BAD_ROWS + 1))
		fail "$scenario: expected $1 pages, sent $2, duplicates $3, lost $4"
	else
		pass "$scenario"
	fi
}

T0=2026-12-10T10:00
T1=2026-12-10T10:01
T2=2026-12-10T10:02
FAILED_KEY() { echo "$1_job/failed@2026-12-10T14:00:00Z"; }

OUTDIR=${RP_FAULT_OUT:-$WORK}
for part in $PARTS; do
	case " ${RP_FAULT_PARTS:-$PARTS} " in *" $part "*) ;; *) continue ;; esac
	started_part=$SECONDS rows_before=${#ROWS}
	. "$TOP/tests/faults-$part.sh"
	printf '%s' "${ROWS:$rows_before}" >"$OUTDIR/rows.$part"
	echo "faults-$part.sh: $((SECONDS - started_part)) s"
done
[ -z "${CHAOS_NOTE:-}" ] || echo "$CHAOS_NOTE" >"$OUTDIR/chaos.note"
[ -z "${SEN_TIMES:-}" ] || printf '%s' "$SEN_TIMES" >"$OUTDIR/sentinel.times"
[ -z "$REASONS" ] || printf '%s' "$REASONS" >"$OUTDIR/sources.reasons"
echo "$PASSED $FAILED $BAD_ROWS" >"$OUTDIR/counts.$$"
[ -n "${RP_FAULT_OUT:-}" ] || print_table "$OUTDIR"
[ "$FAILED" -eq 0 ] && [ "$BAD_ROWS" -eq 0 ]

