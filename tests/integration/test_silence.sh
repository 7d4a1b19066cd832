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
expect "silenced: the trigger is held" "CRITICAL si_check: si_flow: the batch started 2026-12-02 09:30 failed [trigger si_check/failed@2026-12-02T14:30:00Z held: silenced]" "$OUT"
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

# Several checks at once: names and patterns first, then the DURATION (the
# first argument starting with a digit), then the reason. A checklist of
# its own, so that the runs above stay about si_check.
SCL2="$WORK/silence2.yaml"
cp "$SCL" "$SCL2"
for c in orders_a orders_b nightly_backup 9am_report; do
	cat >>"$SCL2" <<EOC
$c:
    type: batchy
    pd_description: "silence $c"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "$c"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
EOC
done
cat >>"$SCL2" <<'EOC'
si_mail:
    type: email
    pd_description: "silence mail"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: [a@si.example]
    delivery_time: "09:00"
    check_time: "09:30"
    subjects: [x]
EOC
sil() { rp rp-silence -f "$SCFG" -y "$SCL2" "$@"; }
T=2026-12-09T10:00
sil --now $T 'orders_*' nightly_backup 1h deploy of the orders pipeline
expect "several: exit 0" 0 "$RC"
expect "several: one line per check, in checklist order" "silenced orders_a until 2026-12-09T11:00:00-05:00: deploy of the orders pipeline
silenced orders_b until 2026-12-09T11:00:00-05:00: deploy of the orders pipeline
silenced nightly_backup until 2026-12-09T11:00:00-05:00: deploy of the orders pipeline" "$OUT"
sil --now $T 'orders_*' 'nomatch_*' 1h
expect "a pattern matching no check: usage error" 64 "$RC"
expect_match "a pattern matching no check: named" '"nomatch_\*" matches no check$' "$ERR"
expect "a pattern matching no check: nothing silenced" "nightly_backup orders_a orders_b" \
	"$(redis-cli -p "$REDIS_PORT" -n 1 --scan --pattern 'si:silence:*' | sed 's/^si:silence://' | sort | tr '\n' ' ' | sed 's/ $//')"
sil --now $T orders_a 1h --type pigeon
expect "an unknown type: usage error" 64 "$RC"
expect_match "an unknown type: says which there are" 'no check of type "pigeon" \(here: batchy, email\)$' "$ERR"
sil --now $T '\9am_report' 1h
expect "a name starting with a digit, quoted with a backslash" "silenced 9am_report until 2026-12-09T11:00:00-05:00" "$OUT"
sil --now $T --all orders_a 1h
expect "--all with names: usage error" 64 "$RC"
sil --now $T orders_a
expect "no DURATION after the names: usage error" 64 "$RC"

# Again: the end moves (said so), the reason stays unless a new one is given.
sil --now 2026-12-09T10:10 orders_a 2h
expect "again later: says where the end was" "silenced orders_a until 2026-12-09T12:10:00-05:00; was until 2026-12-09T11:00:00-05:00 (moved later): deploy of the orders pipeline" "$OUT"
sil --now 2026-12-09T10:10 orders_a 30m
expect "again earlier: says so, reason kept" "silenced orders_a until 2026-12-09T10:40:00-05:00; was until 2026-12-09T12:10:00-05:00 (moved earlier): deploy of the orders pipeline" "$OUT"
sil --now 2026-12-09T10:10 orders_a 30m rollback
expect "again with a reason: the new reason" "silenced orders_a until 2026-12-09T10:40:00-05:00; was until 2026-12-09T10:40:00-05:00 (unchanged): rollback" "$OUT"

# --type: every check of that type.
sil --now $T --type email 1h mailbox migration
expect "--type email" "silenced si_mail until 2026-12-09T11:00:00-05:00: mailbox migration" "$OUT"
# Every type the checklist knows, as rp-silence(1) lists them (a checklist
# and a prefix of their own, so the rest of this file is not changed).
TYCFG="$WORK/silence-types.cfg"
TYCL="$WORK/silence-types.yaml"
write_config "$TYCFG" sity
cat >"$TYCL" <<'EOC'
ty_ping:
    type: ping
    pd_description: "a cron job"
    pd_service: "0123456789abcdef0123456789abcdef"
    period: 1d
ty_airflow:
    type: airflow
    pd_description: "a DAG"
    pd_service: "0123456789abcdef0123456789abcdef"
    dag_id: "orders"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
EOC
rp rp-silence -f "$TYCFG" -y "$TYCL" --now $T --type ping --type airflow 1h types
expect "--type ping --type airflow" "0 silenced ty_ping until 2026-12-09T11:00:00-05:00: types
silenced ty_airflow until 2026-12-09T11:00:00-05:00: types" "$RC $OUT"

# --list: a reason's control characters escaped, never raw.
sil --now $T si_check 1h "$(printf 'red \033[31malert\033[0m\nforged line\\')"
sil --now $T --list
expect "list: control characters escaped" 'si_check until 2026-12-09T11:00:00-05:00 (60m left), by X: red \x1b[31malert\x1b[0m\nforged line\\' \
	"$(printf '%s\n' "$OUT" | grep '^si_check ' | sed 's/, by [^ :]*:/, by X:/')"
expect "list: no raw escape or extra line" "0 6" "$(printf '%s' "$OUT" | tr -cd '\033' | wc -c) $(printf '%s\n' "$OUT" | wc -l)"
sil --now $T --list --json
expect "list --json: one object per line, numbers as numbers" "6 ok" "$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin]
ok = all(type(o["seconds_left"]) is int and o["seconds_left"] == 3600 for o in objs if o["check"] != "orders_a")
ok = ok and [o["reason"] for o in objs if o["check"] == "si_check"] == ["red \x1b[31malert\x1b[0m\nforged line\\"]
print(len(objs), "ok" if ok else "bad")')"
set +e
${RP_WRAP:-} "$TOP/bin/rp-silence" -f "$SCFG" -y "$SCL" --now $T --list >/dev/full 2>"$WORK/err"
RC=$?
set -e
expect "list >/dev/full: exit 74" 74 "$RC"
expect "list >/dev/full: says so" "rp-silence: cannot write the output: No space left on device" "$(cat "$WORK/err")"
# A reader gone away is the same error, never a silent death by SIGPIPE
# (141): a thousand silences make more than a pipe holds.
BIGCL="$WORK/silence-big.yaml"
for i in $(seq 1 1000); do
	printf 'si_big_%04d:\n    type: batchy\n    pd_description: "big %d"\n    pd_service: "0123456789abcdef0123456789abcdef"\n    wf_name: "si_big"\n    check_time: "09:00"\n    poll_sec: 60\n    latency_min: 60\n' "$i" "$i"
done >"$BIGCL"
BIGCFG="$WORK/silence-big.cfg"
write_config "$BIGCFG" sibig
rp rp-silence -f "$BIGCFG" -y "$BIGCL" --now $T --all 1h a long maintenance of every pipeline
expect "big: silenced" 0 "$RC"
set +e
${RP_WRAP:-} "$TOP/bin/rp-silence" -f "$BIGCFG" -y "$BIGCL" --now $T --list 2>"$WORK/err" | (exec 0<&-; sleep 1)
RC=${PIPESTATUS[0]}
set -e
expect "list | closed reader: exit 74" 74 "$RC"
expect_match "list | closed reader: says so, in one line" '^rp-silence: cannot write the output: (Broken pipe|write error)$' "$(cat "$WORK/err")"

# --clear takes the same checks: patterns, --type, --all.
sil --clear 'orders_*'
expect "clear a pattern" "orders_a is no longer silenced
orders_b is no longer silenced" "$OUT"
sil --clear 'nomatch_*'
expect "clear a pattern matching nothing: usage error" 64 "$RC"
sil --clear --type email
expect "clear --type" "si_mail is no longer silenced" "$OUT"
sil --clear --type email
expect "clear --type, nothing silenced" "no silence to clear" "$OUT"
sil --clear --all
expect "clear --all: every silence left (by name)" "9am_report is no longer silenced
nightly_backup is no longer silenced
si_check is no longer silenced" "$OUT"
sil --now $T --list
expect "clear --all: none left" "no silences" "$OUT"
sil --now $T --all 1d
expect "--all: every check" "si_check orders_a orders_b nightly_backup 9am_report si_mail" "$(printf '%s\n' "$OUT" | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//')"
sil --clear --all
expect "--all then clear --all" 6 "$(printf '%s\n' "$OUT" | grep -c 'is no longer silenced')"
