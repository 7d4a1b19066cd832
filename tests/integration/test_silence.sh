# rp-silence: silences hold triggers, then release them; resolves still go.
# Sourced by tests/run-tests.sh (see tests/lib.sh for the helpers).

SCFG="$WORK/silence.cfg"
SCL="$WORK/silence.yaml"
write_config "$SCFG" si
chmod 600 "$SCFG"
cat >"$SCL" <<'EOC'
si_check:
    type: batchy
    pd_description: "silence me"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "si_flow"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
EOC
sil() { rp rp-silence -f "$SCFG" -y "$SCL" "$@"; }
si() { rp rp-latency-check -f "$SCFG" -y "$SCL" "$@"; }
pd_reset
wf_set si_flow '{"status":"failure","batch_start":"2026-12-02T14:30:00","batch_end":null}'

sil --now 2026-12-02T10:00 si_check 2h deploy of the orders pipeline
expect "silence: set" 0 "$RC"
expect "silence: says until when" "silenced si_check until 2026-12-02T12:00:00-05:00: deploy of the orders pipeline" "$OUT"
si --now 2026-12-02T10:05
expect "silenced: still evaluated, still CRITICAL" 2 "$RC"
expect "silenced: the trigger is held" "CRITICAL si_check: si_flow: the batch started 2026-12-02T09:30:00-05:00 failed [trigger si_check/failed@2026-12-02T14:30:00Z held: silenced]" "$OUT"
expect "silenced: PagerDuty got nothing" "" "$(pd_log)"
sil --now 2026-12-02T10:05 --list
expect_match "list: the silence, time left, who, why" "^si_check until 2026-12-02T12:00:00-05:00 \(115m left\), by [^ ]+@[^ ]+: deploy of the orders pipeline$" "$OUT"
sil --now 2026-12-02T10:05 --list --json
expect_match "list --json" '^\{"check":"si_check","until":"2026-12-02T12:00:00-05:00","seconds_left":6900,' "$OUT"
si --now 2026-12-02T11:30 --json
expect_match "silenced: --json says held" '"delivery":"held: silenced","answer":"silenced until 2026-12-02T12:00:00-05:00"' "$OUT"

# The silence ends with the problem still there: the page goes out then.
si --now 2026-12-02T12:01
expect "after the silence: the trigger goes out" "202 trigger si_check/failed@2026-12-02T14:30:00Z" "$(pd_log | cut -d' ' -f1-3)"

# A resolve is not held by a silence.
sil --now 2026-12-02T12:02 si_check 1h
wf_set si_flow '{"status":"success","batch_start":"2026-12-02T17:00:00","batch_end":"2026-12-02T17:03:00"}'
si --now 2026-12-02T12:05
expect "silenced: recovery still resolves" "202 resolve si_check/failed@2026-12-02T14:30:00Z" "$(pd_log | tail -n 1 | cut -d' ' -f1-3)"

# Clearing, and mistakes.
sil --clear si_check
expect "clear: done" "si_check is no longer silenced" "$OUT"
sil --clear si_check
expect "clear: again says so" "si_check was not silenced" "$OUT"
sil --now 2026-12-02T12:10 --list
expect "list: none" "no silences" "$OUT"
sil no_such_check 1h
expect "unknown check: usage error" 64 "$RC"
sil si_check 2x
expect "bad duration: usage error" 64 "$RC"
expect_match "bad duration: says what is wanted" '"2x" is not a duration like 30m, 2h or 1d' "$ERR"
sil si_check 31d
expect "over 30 days: usage error" 64 "$RC"
sil si_check
expect "no duration: usage error" 64 "$RC"
sil --list --clear si_check
expect "list and clear: usage error" 64 "$RC"
rp rp-silence -h
expect_match "help" '^usage: rp-silence' "$OUT"
