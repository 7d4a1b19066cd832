# Shared by the integration tests: private servers on free loopback ports in
# a temporary folder, torn down on exit, and small assertion helpers.
# Sourced by tests/run-tests.sh; needs TOP set to the source tree.

# Files the tests write are their owner's only, as an installation's are
# (the programs warn about a checklist every user can read).
umask 077
WORK=$(mktemp -d "${TMPDIR:-/tmp}/robopager-test.XXXXXX")
PIDS=""
PASSED=0
FAILED=0

teardown() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap teardown EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() { # wait_for SECONDS COMMAND...
	local n=$(( $1 * 10 )); shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}

start_redis() {
	REDIS_PORT=$(free_port)
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$WORK" --logfile "$WORK/redis.log" --daemonize no &
	REDIS_PID=$!
	PIDS="$PIDS $REDIS_PID"
	wait_for 10 redis-cli -p "$REDIS_PORT" ping || { echo "redis-server did not start" >&2; cat "$WORK/redis.log" >&2; exit 1; }
	export REDIS_PORT
}

start_fake() { # start_fake NAME [VAR] -> sets <NAME>_PORT, or <VAR>_PORT
	local name=$1 var=${2:-$(echo "$1" | tr a-z A-Z)}
	local portfile="$WORK/$var.port"
	python3 "$TOP/tests/fakes/fake_$name.py" "$portfile" 2>>"$WORK/$var.log" &
	PIDS="$PIDS $!"
	wait_for 10 test -s "$portfile" || { echo "fake $name did not start" >&2; exit 1; }
	eval "${var}_PORT=$(cat "$portfile")"
}

pass() { PASSED=$((PASSED + 1)); [ -n "${VERBOSE:-}" ] && echo "  ok   $1"; return 0; }
fail() {
	FAILED=$((FAILED + 1))
	echo "  FAIL $1"
	shift
	[ $# -gt 0 ] && printf '       %s\n' "$@"
	return 0
}

# expect NAME EXPECTED ACTUAL
expect() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected: $2" "actual:   $3"; fi
}
# expect_match NAME REGEX TEXT
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1" "expected to match: $2" "actual: $3"; fi
}
expect_no_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then fail "$1" "must not match: $2" "actual: $3"; else pass "$1"; fi
}

# rp PROGRAM ARGS... : runs a built program; sets OUT, ERR, RC. RP_WRAP
# (make valgrind) runs it under a checker whose own exit status (97) then
# fails the test's expectations.
rp() {
	local prog=$1; shift
	RP_RUNS=$((${RP_RUNS:-0} + 1))
	export RP_RUNS
	set +e
	${RP_WRAP:-} "$TOP/bin/$prog" "$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	set -e
	# OUT without the monitoring-plugin performance data (" | 'latency'=..."),
	# OUTP with it.
	OUTP=$(cat "$WORK/out")
	OUT=$(sed -E "s/ \| '[^|]*\$//" "$WORK/out")
	ERR=$(cat "$WORK/err")
}

# noclock TEXT: TEXT without the line every --now run writes on stderr.
noclock() { printf '%s\n' "$1" | grep -v ': clock: .* from --now, not the real time$' || true; }

# Fake PagerDuty helpers.
pd_reset() { curl -s -X POST "http://127.0.0.1:$PAGERDUTY_PORT/_reset" >/dev/null; }
pd_fail() { curl -s -X POST --data "$*" "http://127.0.0.1:$PAGERDUTY_PORT/_fail" >/dev/null; }
pd_log() { curl -s "http://127.0.0.1:$PAGERDUTY_PORT/_log"; }
pd_count() { pd_log | grep -c "^202 $1 " || true; } # delivered events of one action
pd_events() { curl -s "http://127.0.0.1:$PAGERDUTY_PORT/_events"; }

# Fake batchy helpers: wf_set WF JSON, wf_mode WF MODE.
wf_set() {
	curl -s -X PUT --data "$2" "http://127.0.0.1:$BATCHY_PORT/_set/$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$1")" >/dev/null
}
wf_mode() { curl -s -X POST --data "$2" "http://127.0.0.1:$BATCHY_PORT/_mode/$1" >/dev/null; }

# write_config FILE PREFIX [extra lines for [redis]]
write_config() {
	cat >"$1" <<EOC
[robopager]
heartbeat_service = 0123456789abcdef0123456789abcdef
time_budget_sec = 6
[pager_duty]
subdomain = example
api_access_key = SECRET-API-ACCESS-KEY
events_url = http://127.0.0.1:$PAGERDUTY_PORT/v2/enqueue
timeout_sec = 10
[google_apps]
email = reports@example.com
password = cGFzc3dvcmQ=
[function_type]
type = email, batchy
[batchy]
server = 127.0.0.1
port = $BATCHY_PORT
timeout_sec = 10
[timezone]
timezone = America/New_York
[enable_redis]
enable = True
[redis]
server = 127.0.0.1
port = ${3:-$REDIS_PORT}
db = 1
prefix = $2
EOC
}

# Dovecot with a throwaway configuration: IMAP on a free loopback port
# (plain, for most tests) and IMAPS on another with a self-signed
# certificate made here. One user, "robot", password in $IMAP_PASSWORD.
# Sets IMAP_PORT, IMAPS_PORT, IMAP_CA (the certificate), MAILDIR.
IMAP_PASSWORD='s3cret "pass" w0rd'
start_dovecot() {
	local d="$WORK/dovecot"
	mkdir -p "$d/base" "$d/state" "$d/mail"
	chmod 755 "$WORK" "$d" # dovecot's auth process reads the passwd file
	IMAP_PORT=$(free_port)
	IMAPS_PORT=$(free_port)
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		-keyout "$d/key.pem" -out "$d/cert.pem" >/dev/null 2>&1
	IMAP_CA="$d/cert.pem"
	printf 'robot:{PLAIN}%s\n' "$IMAP_PASSWORD" >"$d/passwd"
	chown dovecot "$d/passwd"
	chmod 600 "$d/passwd"
	cat >"$d/dovecot.conf" <<EOD
protocols = imap
listen = 127.0.0.1
base_dir = $d/base
state_dir = $d/state
log_path = $d/dovecot.log
ssl = yes
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN $d/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$d/mail/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
EOD
	MAILDIR="$d/mail/robot/Maildir"
	mkdir -p "$MAILDIR/cur" "$MAILDIR/new" "$MAILDIR/tmp"
	chown -R dovecot:dovecot "$d/mail"
	# In Tokyo's zone, so INTERNALDATE comes with +0900 and the offset must
	# be honoured.
	TZ=Asia/Tokyo /usr/sbin/dovecot -c "$d/dovecot.conf" || { cat "$d/dovecot.log" >&2; exit 1; }
	wait_for 10 test -s "$d/base/master.pid" || { echo "dovecot did not start" >&2; exit 1; }
	DOVECOT_PID=$(cat "$d/base/master.pid")
	PIDS="$PIDS $DOVECOT_PID"
	wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$IMAP_PORT" || { echo "dovecot does not listen" >&2; exit 1; }
}

# seed_mail FILE-NAME ARRIVAL FLAGS [FOLDER] : a message from stdin into the
# Maildir (or its folder, such as ".[Gmail].All Mail"), with its arrival
# time (INTERNALDATE: the file's mtime; ARRIVAL as touch -d takes it) and
# flags (maildir letters such as S for seen, F for flagged; empty for new).
seed_mail() {
	local name=$1 when=$2 flags=$3 dir="$MAILDIR${4:+/$4}" f
	mkdir -p "$dir/cur" "$dir/new" "$dir/tmp"
	chown -R dovecot:dovecot "$dir"
	if [ -z "$flags" ]; then f="$dir/new/$name"; else f="$dir/cur/$name:2,$flags"; fi
	sed 's/$/\r/' >"$f"
	touch -d "$when" "$f"
	chown dovecot:dovecot "$f"
}

# write_email_config FILE IMAP_URL MAILBOX [extra [google_apps] line]: the
# test configuration with the Dovecot user's mailbox.
write_email_config() { # FILE IMAP_URL MAILBOX [extra google_apps lines]
	write_config "$1" em
	python3 - "$1" "$2" "$3" "$IMAP_PASSWORD" "${4:-}" <<'EOP'
import base64, sys
path, url, mailbox, pw, extra = sys.argv[1:6]
text = open(path).read()
old = "email = reports@example.com\npassword = cGFzc3dvcmQ=\n"
new = "email = robot\npassword = %s\nimap_url = %s\nmailbox = %s\ntimeout_sec = 5\n%s" % (
    base64.b64encode(pw.encode()).decode(), url, mailbox, extra + "\n" if extra else "")
# Dovecot delays logins after a failed one (auth penalty): room for it.
text = text.replace("time_budget_sec = 6\n", "time_budget_sec = 20\n")
open(path, "w").write(text.replace(old, new))
EOP
}

# Fake Airflow helpers (tests/fakes/fake_airflow.py; start_fake airflow
# first): af_dag DAG JSON (its runs and paused flag), af_mode KEY MODE (a
# dag_id, or _token for /auth/token), af_server 2|3|both, af_hits KEY
# (requests it got), af_log, af_reset.
AIRFLOW_PASSWORD=af-pass-5ec2e7
af_dag() { curl -s -X PUT --data "$2" "http://127.0.0.1:$AIRFLOW_PORT/_dag/$1" >/dev/null; }
af_mode() { curl -s -X POST --data "$2" "http://127.0.0.1:$AIRFLOW_PORT/_mode/$1" >/dev/null; }
af_server() { curl -s -X POST --data "$1" "http://127.0.0.1:$AIRFLOW_PORT/_server" >/dev/null; }
af_hits() { curl -s "http://127.0.0.1:$AIRFLOW_PORT/_hits/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"])'; }
af_log() { curl -s "http://127.0.0.1:$AIRFLOW_PORT/_log"; }
af_reset() { curl -s -X POST "http://127.0.0.1:$AIRFLOW_PORT/_reset" >/dev/null; }
# af_run STATE START [END [LOGICAL]]: one run of af_dag's list, times in UTC
# without the Z (logical defaults to the start's hour).
af_run() {
	local logical=${4:-${2%:*:*}:00:00}
	printf '{"id": "scheduled__%sZ", "state": "%s", "logical": "%sZ", "start": "%sZ", "end": %s}' \
		"$logical" "$1" "$logical" "$2" "$([ -n "${3:-}" ] && echo "\"$3Z\"" || echo null)"
}

# Fake HTTP JSON helpers (tests/fakes/fake_http.py; start_fake http
# first): js_set PATH JSON, js_auth PATH "bearer TOKEN"|"basic U:P"|"",
# js_mode PATH MODE, js_hits PATH.
js_set() { curl -s -X PUT --data "$2" "http://127.0.0.1:$HTTP_PORT/_set/$1" >/dev/null; }
js_auth() { curl -s -X POST --data "$2" "http://127.0.0.1:$HTTP_PORT/_auth/$1" >/dev/null; }
js_mode() { curl -s -X POST --data "$2" "http://127.0.0.1:$HTTP_PORT/_mode/$1" >/dev/null; }
js_hits() { curl -s "http://127.0.0.1:$HTTP_PORT/_hits/$1"; }

# add_sources FILE: appends [airflow] (the fake's, with the password in
# FILE.airflow.pw) and [http jobs] (a bearer token in FILE.jobs.token) to a
# configuration written by write_config.
add_sources() {
	printf '%s\n' "$AIRFLOW_PASSWORD" >"$1.airflow.pw"
	printf '%s\n' "jobs-token-5ec2e7" >"$1.jobs.token"
	chmod 600 "$1.airflow.pw" "$1.jobs.token"
	cat >>"$1" <<EOC
[airflow]
url = http://127.0.0.1:${AIRFLOW_PORT:-1}
username = robopager
password_file = $1.airflow.pw
timeout_sec = 5
[http jobs]
bearer_token_file = $1.jobs.token
timeout_sec = 5
EOC
}

# Fake Slack helpers (tests/fakes/fake_slack.py; start_fake slack first):
# sl_fail WORDS, sl_reset, sl_log, sl_messages, sl_incidents.
sl_fail() { curl -s -X POST --data "$*" "http://127.0.0.1:$SLACK_PORT/_fail" >/dev/null; }
sl_reset() { curl -s -X POST "http://127.0.0.1:$SLACK_PORT/_reset" >/dev/null; }
sl_log() { curl -s "http://127.0.0.1:$SLACK_PORT/_log"; }
sl_messages() { curl -s "http://127.0.0.1:$SLACK_PORT/_messages"; }
sl_incidents() { curl -s "http://127.0.0.1:$SLACK_PORT/_incidents"; }

# Webhook receiver helpers (tests/fakes/fake_webhook.py; start_fake webhook
# first): wh_secret NAME SECRET, wh_fail WORDS, wh_reset, wh_events,
# wh_incidents, wh_am (Alertmanager's notifications), wh_am_incidents.
wh_secret() { curl -s -X POST --data-binary "$2" "http://127.0.0.1:$WEBHOOK_PORT/_secret/$1" >/dev/null; }
wh_fail() { curl -s -X POST --data "$*" "http://127.0.0.1:$WEBHOOK_PORT/_fail" >/dev/null; }
wh_reset() { curl -s -X POST "http://127.0.0.1:$WEBHOOK_PORT/_reset" >/dev/null; }
wh_events() { curl -s "http://127.0.0.1:$WEBHOOK_PORT/_events"; }
wh_incidents() { curl -s "http://127.0.0.1:$WEBHOOK_PORT/_incidents"; }
wh_am() { curl -s "http://127.0.0.1:$WEBHOOK_PORT/_am"; }
wh_am_incidents() { curl -s "http://127.0.0.1:$WEBHOOK_PORT/_am_incidents"; }

# start_alertmanager NAME RECEIVER_URL [PORT]: Debian's prometheus-alertmanager
# on a loopback port (PORT, or a free one), no cluster (no gossip), its data
# in $WORK/am-NAME, with a throwaway configuration: one route to a webhook
# receiver (RECEIVER_URL, resolved alerts too), grouped per incident and
# sent after 1 s. Sets AM_<NAME>_PORT and AM_<NAME>_PID (NAME in capitals).
start_alertmanager() {
	local name=$1 recv=$2 port=${3:-$(free_port)} d="$WORK/am-$1" var
	var=$(echo "$1" | tr a-z A-Z)
	mkdir -p "$d"
	cat >"$d/am.yml" <<EOA
route:
  receiver: rp
  group_by: ['dedup_key']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: rp
    webhook_configs:
      - url: '$recv'
        send_resolved: true
EOA
	prometheus-alertmanager --config.file="$d/am.yml" --storage.path="$d/data" \
		--web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
		--log.level=warn >>"$d/am.log" 2>&1 &
	eval "AM_${var}_PID=$!"
	eval "AM_${var}_PORT=$port"
	PIDS="$PIDS $!"
	wait_for 20 curl -sf "http://127.0.0.1:$port/-/ready" ||
		{ echo "alertmanager $name did not start" >&2; cat "$d/am.log" >&2; exit 1; }
}
# stop_alertmanager NAME: stops it (its data stays, for a restart).
stop_alertmanager() {
	local var pid
	var=$(echo "$1" | tr a-z A-Z)
	eval "pid=\$AM_${var}_PID"
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
# am_alerts NAME: GET /api/v2/alerts of that instance.
am_alerts() {
	local var port
	var=$(echo "$1" | tr a-z A-Z)
	eval "port=\$AM_${var}_PORT"
	curl -s "http://127.0.0.1:$port/api/v2/alerts"
}
