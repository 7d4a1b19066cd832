#!/usr/bin/env bash
# Runs every test: the Check unit tests, then the integration tests against
# a private redis-server and the fakes. Ends with "N passed, N failed".
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"

# tests/run-tests.sh PATTERN: only the integration tests whose file name
# holds PATTERN, no unit tests (for working on one).
ONLY=${1:-}

# The whole suite runs in RP_TEST_JOBS shards at once (default: one per
# core, at most 4), each with servers of its own: the integration files
# are dealt out by size, the unit tests go to the first. A shard's output
# is printed whole when it ends; the last line sums them.
JOBS=${RP_TEST_JOBS:-$(n=$(nproc 2>/dev/null || echo 1); echo $(( n > 4 ? 4 : n )))}
if [ -z "$ONLY" ] && [ -z "${RP_SHARD:-}" ] && [ "$JOBS" -gt 1 ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/rp-shards.XXXXXX")
	trap 'rm -rf "$out"' EXIT
	pids=""
	# Job control: without it a background shard ignores SIGINT, which
	# the tests of rp-ping's wrapper send through a terminal.
	set -m
	for s in $(seq 1 "$JOBS"); do
		RP_SHARD="$s/$JOBS" "$0" >"$out/$s" 2>&1 &
		pids="$pids $!"
	done
	# Each shard is a process group of its own: Ctrl-C stops them too.
	trap 'for p in $pids; do kill -TERM -- "-$p" 2>/dev/null || true; done; exit 130' INT TERM
	rc=0 passed=0 failed=0 s=0
	for p in $pids; do
		s=$((s + 1))
		wait "$p" || rc=1
		echo "== shard $s of $JOBS"
		cat "$out/$s"
		set -- $(sed -nE 's/^tests: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$out/$s") 0 1
		passed=$((passed + $1)) failed=$((failed + $2))
	done
	echo
	echo "tests: $passed passed, $failed failed ($JOBS shards)"
	[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
	exit
fi

# The integration files of this shard: the largest first, each to the
# shard with the fewest bytes so far.
shard_files() {
	local n=${RP_SHARD#*/} me=${RP_SHARD%/*} f size i best
	local -a load
	for i in $(seq 1 "$n"); do load[$i]=0; done
	ls -S tests/integration/test_*.sh | while read -r f; do
		size=$(stat -c %s "$f")
		best=1
		for i in $(seq 2 "$n"); do [ "${load[$i]}" -lt "${load[$best]}" ] && best=$i; done
		load[$best]=$(( load[$best] + size ))
		if [ "$best" -eq "$me" ]; then echo "$f"; fi
	done | sort
}

. tests/lib.sh

start_redis
start_fake pagerduty
start_fake batchy
start_dovecot
start_sentinels
export RP_TEST_REDIS_PORT=$REDIS_PORT RP_TEST_PD_PORT=$PAGERDUTY_PORT RP_TEST_BATCHY_PORT=$BATCHY_PORT
export RP_TEST_SENTINEL_PORTS="$SEN_PORTS" RP_TEST_SENTINEL_DATA_PORTS="$SEN_DATA_PORTS"
export RP_TEST_SENTINEL_MASTER=$SEN_MASTER RP_TEST_SENTINEL_PASSWORD=$SEN_PASSWORD
export RP_TEST_SENTINEL_REDIS_PASSWORD=$SEN_REDIS_PASSWORD
export RP_TEST_IMAP_PORT=$IMAP_PORT RP_TEST_IMAP_PASSWORD="$IMAP_PASSWORD"

if [ -n "${RP_SHARD:-}" ]; then
	FILES=$(shard_files)
else
	FILES=$(ls tests/integration/test_*.sh)
fi
echo "== unit tests"
for t in tests/unit/check_*; do
	[ -z "$ONLY" ] || break
	[ "${RP_SHARD:-1/1}" = "1/${RP_SHARD#*/}" ] || break
	case $t in *.c) continue ;; esac
	set +e
	out=$("$t" 2>&1)
	rc=$?
	set -e
	echo "$out" | grep -E '^[0-9]+%: Checks' | sed "s|^|$(basename "$t"): |"
	echo "$out" | grep -vE '^(Running suite|[0-9]+%: Checks)' || true
	n=$(echo "$out" | sed -nE 's/^[0-9]+%: Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/p')
	if [ -z "$n" ]; then
		fail "$t" "no Check summary (exit $rc)"
		continue
	fi
	set -- $n
	PASSED=$((PASSED + $1 - $2 - $3))
	FAILED=$((FAILED + $2 + $3))
	[ $rc -eq 0 ] || [ $(($2 + $3)) -gt 0 ] || fail "$t" "exit $rc"
done

echo "== integration tests"
for RP_TEST_FILE in $FILES; do
	case $RP_TEST_FILE in *"$ONLY"*) ;; *) continue ;; esac
	failed_before_file=$FAILED
	started_file=$SECONDS
	# A test may reuse any variable name (one used t): keep the name in ours.
	RP_TEST_NAME=$(basename "$RP_TEST_FILE")
	. "$RP_TEST_FILE"
	echo "$RP_TEST_NAME: $([ $FAILED -eq $failed_before_file ] && echo ok || echo FAILED) ($((SECONDS - started_file)) s)"
done

echo
echo "tests: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
