# A mass outage: 3,000 checks go CRITICAL in one run while PagerDuty is out
# of reach, so that every trigger waits in the outbox; the next run
# delivers each exactly once, later runs send nothing more, and the run
# after the recovery resolves each once. The paths that match events with
# the outbox were quadratic in the number of events; here they must merely
# work at this size (how long it takes belongs in make bench).
# Sourced by tests/run-tests.sh (see tests/lib.sh for the helpers).

# Under valgrind or the sanitizers (RP_WRAP, ASAN_OPTIONS) the same paths
# at 300 checks: what they look for does not need thousands, and 3,000
# took minutes there.
MASS_N=3000
[ -z "${RP_WRAP:-}${ASAN_OPTIONS:-}" ] || MASS_N=300
MCFG="$WORK/mass.cfg"
MCFG_DOWN="$WORK/mass-down.cfg"
MCL="$WORK/mass.yaml"
write_config "$MCFG" mass
sed -i 's/^time_budget_sec = .*/time_budget_sec = 120/; /^\[pager_duty\]$/a rate_per_min = 100000' "$MCFG"
# PagerDuty out of reach: nothing listens on port 1. The run retries until
# its budget is nearly spent: a short one.
sed "s|^events_url = .*|events_url = http://127.0.0.1:1/v2/enqueue|; s/^time_budget_sec = .*/time_budget_sec = 15/" \
	"$MCFG" >"$MCFG_DOWN"
chmod 600 "$MCFG" "$MCFG_DOWN"
for i in $(seq 1 $MASS_N); do
	printf 'mass%s:\n    type: batchy\n    pd_description: "mass outage"\n' "$i"
	printf '    pd_service: "0123456789abcdef0123456789abcdef"\n    wf_name: "mass_wf"\n'
	printf '    check_time: "00:00"\n    poll_sec: 60\n    latency_min: 60\n'
done >"$MCL"
chmod 600 "$MCL"
m() { rp rp-latency-check -y "$MCL" -q "$@"; }
# mass_incidents: "<incidents> <opened once> <open> <triggers> <resolves>"
mass_incidents() {
	curl -s "http://127.0.0.1:$PAGERDUTY_PORT/_incidents" | python3 -c '
import json, sys
v = [i for k, i in json.load(sys.stdin).items() if k.startswith("mass")]
print(len(v), sum(i["opened"] == 1 for i in v), sum(bool(i["open"]) for i in v),
      sum(i["triggers"] for i in v), sum(i["resolves"] for i in v))'
}
mass_outbox() { redis-cli -p "$REDIS_PORT" -n 1 ZCARD mass:outbox; }

pd_reset
wf_set mass_wf '{"status":"success","batch_start":"2026-12-20T14:00:00","batch_end":"2026-12-20T14:30:00"}'
m -f "$MCFG_DOWN" --now 2026-12-22T10:00
expect "mass: every check CRITICAL" 2 "$RC"
expect "mass: $MASS_N CRITICAL lines" "$MASS_N" "$(grep -c '^CRITICAL mass' "$WORK/out")"
expect "mass: every trigger waits in the outbox" "$MASS_N" "$(mass_outbox)"
expect "mass: nothing reached PagerDuty" "0 0 0 0 0" "$(mass_incidents)"

m -f "$MCFG" --now 2026-12-22T10:02
expect "mass: the next run delivers each trigger once" "$MASS_N $MASS_N $MASS_N $MASS_N 0" \
	"$(mass_incidents)"
expect "mass: the outbox is empty after it" 0 "$(mass_outbox)"
expect "mass: no event waits" "" "$(noclock "$ERR" | grep -E 'still wait|refused|not recorded' || true)"

m -f "$MCFG" --now 2026-12-22T10:04
expect "mass: later runs send nothing more" "$MASS_N $MASS_N $MASS_N $MASS_N 0" "$(mass_incidents)"

wf_set mass_wf '{"status":"success","batch_start":"2026-12-22T14:00:00","batch_end":"2026-12-22T14:30:00"}'
m -f "$MCFG" --now 2026-12-22T10:06
expect "mass: the recovery is OK" 0 "$RC"
expect "mass: each incident resolved once" "$MASS_N $MASS_N 0 $MASS_N $MASS_N" "$(mass_incidents)"
