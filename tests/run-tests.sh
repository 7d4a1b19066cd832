#!/usr/bin/env bash
# Runs every test: the Check unit tests, then the integration tests against
# a private redis-server and the fakes. Ends with "N passed, N failed".
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
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

# tests/run-tests.sh PATTERN: only the integration tests whose file name
# holds PATTERN, no unit tests (for working on one).
ONLY=${1:-}
echo "== unit tests"
for t in tests/unit/check_*; do
	[ -z "$ONLY" ] || break
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
for RP_TEST_FILE in tests/integration/test_*.sh; do
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
