# Secrets: every program runs through its scenarios (pages, resolves,
# errors, an outbox, a refused event, JSON, dry runs, a wrong password) with
# known secret values, and none of them may appear where it must not: the
# mailbox password (as it is and base64), the API key and the Redis password
# nowhere at all; a routing key only in the routing_key field of the events
# sent to it and in the outbox entries that must deliver them. A program
# killed by a signal leaves no core file. Sourced by tests/run-tests.sh.

SCFG="$WORK/secrets.cfg"
SYAML="$WORK/secrets.yaml"
RK_CHECK=5ec2e75ec2e75ec2e75ec2e75ec2e7aa
RK_MAIL=5ec2e75ec2e75ec2e75ec2e75ec2e7bb
RK_HB=5ec2e75ec2e75ec2e75ec2e75ec2e7cc
RK_TEST=5ec2e75ec2e75ec2e75ec2e75ec2e7dd  # [pager_duty] test_pd_service: ignored, never shown
API_KEY=api-key-5ec2e7-never-shown
REDIS_PW=redis-pass-5ec2e7-never-shown
B64_PW=$(printf '%s' "$IMAP_PASSWORD" | base64)

# A Redis of its own, with a password.
SREDIS_PORT=$(free_port)
redis-server --port "$SREDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
	--requirepass "$REDIS_PW" --dir "$WORK" --logfile "$WORK/sredis.log" --daemonize no &
PIDS="$PIDS $!"
wait_for 10 redis-cli -p "$SREDIS_PORT" -a "$REDIS_PW" --no-auth-warning ping
sredis() { redis-cli -p "$SREDIS_PORT" -a "$REDIS_PW" --no-auth-warning -n 1 "$@"; }

write_email_config "$SCFG" "imap://127.0.0.1:$IMAP_PORT" INBOX
chmod 600 "$SCFG"
python3 - "$SCFG" "$SREDIS_PORT" "$RK_HB" "$API_KEY" "$REDIS_PW" "$RK_TEST" <<'EOP'
import sys
path, port, hb, api, pw, test_rk = sys.argv[1:7]
t = open(path).read()
t = t.replace("heartbeat_service = 0123456789abcdef0123456789abcdef", "heartbeat_service = " + hb)
t = t.replace("api_access_key = SECRET-API-ACCESS-KEY",
              "api_access_key = " + api + "\ntest_pd_service = " + test_rk)
r = t.index("[redis]\n")
head, tail = t[:r], t[r:].split("\n")
tail = [("port = %s\npassword = %s" % (port, pw)) if l.startswith("port = ") else l for l in tail]
open(path, "w").write(head + "\n".join(tail))
EOP
# Airflow (a password, then the JWT its login gives) and an http check (a
# bearer token) too: their secrets must not show up either.
[ -n "${AIRFLOW_PORT:-}" ] || start_fake airflow
[ -n "${HTTP_PORT:-}" ] || start_fake http
add_sources "$SCFG"
# A Slack (its URL a secret, from a variable) and a signed webhook (its key
# from a file) for the latency check.
[ -n "${SLACK_PORT:-}" ] || start_fake slack
[ -n "${WEBHOOK_PORT:-}" ] || start_fake webhook
SLACK_SECRET=T05EC2E7/B05EC2E7/slack-5ec2e7-never-shown
HOOK_KEY=hook-key-5ec2e7-never-shown
export RP_TEST_SLACK_URL="http://127.0.0.1:$SLACK_PORT/services/$SLACK_SECRET"
printf '%s\n' "$HOOK_KEY" >"$SCFG.hook.key"
chmod 600 "$SCFG.hook.key"
wh_secret secret-hook "$HOOK_KEY"
cat >>"$SCFG" <<EOC
[slack secret-chat]
webhook_url_env = RP_TEST_SLACK_URL
[webhook secret-hook]
url = http://127.0.0.1:$WEBHOOK_PORT/hook/secret-hook
secret_file = $SCFG.hook.key
EOC
JWT_HEAD=eyJhbGciOiAiSFM1MTIi # how every JWT of the Airflow stand-in begins
HTTP_TOKEN=jobs-token-5ec2e7
af_reset
af_dag secret_daily '{"runs": [{"id": "s1", "state": "success", "logical": "2026-12-06T14:00:00Z", "start": "2026-12-06T14:00:01Z", "end": "2026-12-06T14:50:00Z"}], "is_paused": false}'
js_set secret/status '{"done": "2026-12-06T14:50:00Z"}'
js_auth secret/status "bearer $HTTP_TOKEN"
cat >"$SYAML" <<EOC
secret_dag:
    type: airflow
    dag_id: secret_daily
    pd_description: "secrets airflow"
    pd_service: "$RK_HB"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 600
secret_http:
    type: http
    url: "http://127.0.0.1:$HTTP_PORT/secret/status"
    completion: /done
    auth: jobs
    pd_description: "secrets http"
    pd_service: "$RK_HB"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 600
secret_latency:
    type: batchy
    pd_description: "secrets latency"
    pd_service: "$RK_CHECK"
    notify: [secret-chat, secret-hook]
    wf_name: "secret_flow"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
secret_mail:
    type: email
    pd_description: "secrets mail"
    pd_service: "$RK_MAIL"
    senders: [nobody@secret.example]
    delivery_time: "00:00"
    check_time: "00:01"
    subjects: [Never arrives]
EOC

ALL=""
sr() { # runs a program with the secrets configuration; keeps what it said
	local prog=$1; shift
	rp "$prog" -f "$SCFG" -y "$SYAML" "$@"
	ALL="$ALL
== $prog $* (exit $RC)
$OUT
$ERR"
}
pd_reset; sl_reset; wh_reset
wf_set secret_flow '{"status":"failure","batch_start":"2026-12-06T14:00:00","batch_end":null}'
sr rp-latency-check --now 2026-12-06T10:00
expect "secrets: the check pages" 2 "$RC"
expect "secrets: the airflow and http checks answer" "OK secret_dag OK secret_http" "$(printf '%s\n' "$OUT" | grep -E '^OK secret_(dag|http):' | cut -d: -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
sr rp-latency-check --now 2026-12-06T10:01 --json -v
sr rp-email-check --now 2026-12-06T10:00 --json
expect "secrets: the mail check logs in and pages" 2 "$RC"
sr robopager --now 2026-12-06T10:02 -v
sr rp-status --now 2026-12-06T10:02
sr rp-status --now 2026-12-06T10:02 --json
sr rp-silence --now 2026-12-06T10:02 secret_latency 1h "secret test"
sr rp-silence --now 2026-12-06T10:02 --list --json
sr rp-silence --now 2026-12-06T10:02 --clear secret_latency
pd_fail down:500
wf_set secret_flow '{"status":"success","batch_start":"2026-12-06T14:00:00","batch_end":"2026-12-06T14:55:00"}'
sr rp-latency-check --now 2026-12-06T10:03
expect "secrets: PagerDuty down queues the resolve" 3 "$RC"
sr rp-status --now 2026-12-06T10:03
sr rp-heartbeat --now 2026-12-06T10:03 --json
pd_fail up
pd_fail 400
sr rp-heartbeat --now 2026-12-06T10:04
sr rp-status --now 2026-12-06T10:04 --json
sr rp-heartbeat --now 2026-12-06T10:05 -n --json
sr rp-latency-check --now 2026-12-06T10:06 -c secret_latency -n --json
# A wrong mailbox password, and a bad routing key in etl.cfg.
cp "$SCFG" "$SCFG.good"
sed -i "s/^password = .*/password = $(printf 'wrong-5ec2e7' | base64)/" "$SCFG"
sr rp-email-check --now 2026-12-06T10:07 -c secret_mail
expect "secrets: a refused login is UNKNOWN" 3 "$RC"
cp "$SCFG.good" "$SCFG"
printf 'wrong-af-5ec2e7\n' >"$SCFG.airflow.pw"
sr rp-latency-check --now 2026-12-06T10:07:30 -c secret_dag
expect "secrets: a refused Airflow login is UNKNOWN" 3 "$RC"
printf '%s\n' "$AIRFLOW_PASSWORD" >"$SCFG.airflow.pw"
sed -i "s/^heartbeat_service = .*/heartbeat_service = ${RK_HB}x/" "$SCFG"
sr rp-heartbeat --now 2026-12-06T10:08
expect "secrets: a malformed key is a configuration error" 78 "$RC"
cp "$SCFG.good" "$SCFG"

printf '%s\n' "$ALL" >"$WORK/secrets-output.txt"
expect_match "secrets: the legacy test_pd_service is named (not shown)" '\[pager_duty\] test_pd_service: not used by this Robopager; ignored' "$ALL"
for s in "$IMAP_PASSWORD" "$B64_PW" "$API_KEY" "$REDIS_PW" "$RK_CHECK" "$RK_MAIL" "$RK_HB" "$RK_TEST" wrong-5ec2e7 \
	"$AIRFLOW_PASSWORD" wrong-af-5ec2e7 "$JWT_HEAD" "$HTTP_TOKEN" "$SLACK_SECRET" "$HOOK_KEY"; do
	expect "secrets: \"${s:0:12}...\" never printed (stdout, stderr, JSON)" 0 \
		"$(grep -cF -- "$s" "$WORK/secrets-output.txt" || true)"
done

# PagerDuty's events: each routing key only in routing_key, and only for
# its own check.
pd_events >"$WORK/secrets-events.json"
python3 - "$WORK/secrets-events.json" "$IMAP_PASSWORD" "$B64_PW" "$API_KEY" "$REDIS_PW" \
	"$RK_CHECK" "$RK_MAIL" "$RK_HB" "$AIRFLOW_PASSWORD" "$JWT_HEAD" "$HTTP_TOKEN" "$SLACK_SECRET" "$HOOK_KEY" \
	>"$WORK/secrets-events.txt" <<'EOP'
import json, sys
events = json.load(open(sys.argv[1]))
secrets, keys = sys.argv[2:6] + sys.argv[9:14], sys.argv[6:9]
own = {"secret_latency": keys[0], "secret_mail": keys[1]}
bad = []
for e in events:
    ev = e["event"]
    if not isinstance(ev, dict):
        continue
    rk = ev.pop("routing_key", None)
    rest = json.dumps(ev)
    for s in secrets + keys:
        if s in rest:
            bad.append("%s in %s" % (s[:8], rest[:80]))
    check = (ev.get("payload") or {}).get("group") or ""
    dk = ev.get("dedup_key") or ""
    want = own.get(check) or own.get(dk.split("/")[0]) or keys[2]
    if rk != want:
        bad.append("routing_key %s for %s" % (str(rk)[:8], dk or check))
print(len(events), len(bad))
for b in bad:
    print(b)
EOP
set -- $(head -n 1 "$WORK/secrets-events.txt")
expect "secrets: PagerDuty got events to check" 1 "$([ "$1" -ge 4 ] && echo 1 || echo 0)"
expect "secrets: routing keys only in routing_key, each its own service's" 0 "$2"

# Redis: no password or API key anywhere; routing keys only in outbox entries.
python3 - "$SREDIS_PORT" "$REDIS_PW" "$IMAP_PASSWORD" "$B64_PW" "$API_KEY" "$RK_CHECK" "$RK_MAIL" "$RK_HB" \
	"$AIRFLOW_PASSWORD" "$JWT_HEAD" "$HTTP_TOKEN" "$SLACK_SECRET" "$HOOK_KEY" >"$WORK/secrets-redis.txt" <<'EOP'
import subprocess, sys
port, pw = sys.argv[1], sys.argv[2]
secrets, keys = sys.argv[2:5] + [sys.argv[5]] + sys.argv[9:14], sys.argv[6:9]
def cli(*a):
    return subprocess.run(["redis-cli", "-p", port, "-a", pw, "--no-auth-warning", "-n", "1", *a],
                          capture_output=True, text=True).stdout
bad, n = [], 0
for k in cli("--scan").split():
    t = cli("TYPE", k).strip()
    v = {"hash": cli("HGETALL", k), "string": cli("GET", k), "zset": cli("ZRANGE", k, "0", "-1"),
         "list": cli("LRANGE", k, "0", "-1"), "set": cli("SMEMBERS", k)}.get(t, "")
    n += 1
    for s in secrets:
        if s in k or s in v:
            bad.append("%s in %s" % (s[:6], k))
    for s in keys:
        if (s in k or s in v) and not k.endswith(":outbox:ev"):
            bad.append("routing key in %s" % k)
print(n, len(bad))
for b in bad:
    print(b)
EOP
set -- $(head -n 1 "$WORK/secrets-redis.txt")
expect "secrets: Redis holds the state" 1 "$([ "$1" -ge 5 ] && echo 1 || echo 0)"
expect "secrets: Redis holds no secret (routing keys only in the outbox)" 0 "$2"

# Slack's messages and the webhook's events: no secret of any kind (not
# the other destinations', not their own URL or key), and each was sent.
python3 - "$SLACK_SECRET" "$HOOK_KEY" "$IMAP_PASSWORD" "$B64_PW" "$API_KEY" "$REDIS_PW" "$RK_CHECK" \
	"$RK_MAIL" "$RK_HB" "$AIRFLOW_PASSWORD" "$JWT_HEAD" "$HTTP_TOKEN" \
	"$(sl_messages)" "$(wh_events)" >"$WORK/secrets-sinks.txt" <<'EOP'
import json, sys
secrets = sys.argv[1:13]
slack = [m["raw"] for m in json.loads(sys.argv[13])]
hook = [e["raw"] for e in json.loads(sys.argv[14])]
bad = ["%s in a body" % s[:8] for s in secrets for b in slack + hook if s in b]
print(len(slack), len(hook), len(bad))
for b in bad:
    print(b)
EOP
set -- $(head -n 1 "$WORK/secrets-sinks.txt")
expect "secrets: Slack and the webhook got events" 1 "$([ "$1" -ge 1 ] && [ "$2" -ge 1 ] && echo 1 || echo 0)"
expect "secrets: no secret in Slack's or the webhook's bodies" 0 "$3"

# Core files: none from a program killed while it holds the password. A
# control process proves this machine writes cores at all.
CORED="$WORK/cores"
mkdir -p "$CORED"
wf_mode secret_flow slow:20
(
	cd "$CORED"
	ulimit -c unlimited
	sleep 30 &
	ctl=$!
	"$TOP/bin/rp-latency-check" -f "$SCFG" -y "$SYAML" --now 2026-12-06T11:00 -c secret_latency >/dev/null 2>&1 &
	prog=$!
	sleep 1
	kill -SEGV "$ctl" "$prog"
	wait "$ctl" "$prog" 2>/dev/null || true
)
wf_mode secret_flow ok
if ls "$CORED" | grep '^core' >/dev/null; then
	expect "secrets: the control wrote a core; rp-latency-check did not" 1 "$(ls "$CORED" | grep -c '^core')"
else
	echo "  (test_secrets: this machine writes no core files, even for the control; core check skipped)"
fi
