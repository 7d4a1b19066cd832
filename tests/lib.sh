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
# grep reads a here-string, not a pipe: with pipefail, grep -q leaving at
# the first match can cut off the writer, whose SIGPIPE failed the match
# (seen once under valgrind) and would pass an expect_no_match.
expect_match() {
	if grep -Eq -- "$2" <<<"$3"; then pass "$1"; else fail "$1" "expected to match: $2" "actual: $3"; fi
}
expect_no_match() {
	if grep -Eq -- "$2" <<<"$3"; then fail "$1" "must not match: $2" "actual: $3"; else pass "$1"; fi
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

# Redis Sentinel, as in production but on loopback with short timings: a
# primary and a replica (each in its own folder, appendonly, password
# $SEN_REDIS_PASSWORD) and three sentinels (password $SEN_PASSWORD)
# watching them as $SEN_MASTER: down after 1 s without an answer, a
# failover given up after 3 s (and not tried again on the same primary for
# 6 s). start_sentinels sets SEN_PORTS (the sentinels) and SEN_DATA_PORTS
# (the two servers), and returns once every sentinel knows the replica and
# the other sentinels. Each server restarts on its own port (sen_restart).
SEN_MASTER=rp-sentinel-test
SEN_REDIS_PASSWORD=sen-redis-pass-5ec2e7
SEN_PASSWORD=sen-sentinel-pass-5ec2e7
sen_cli() { # sen_cli PORT ARGS...: a data server
	local p=$1; shift
	redis-cli -p "$p" -a "$SEN_REDIS_PASSWORD" --no-auth-warning "$@"
}
sentinel_cli() { # sentinel_cli PORT ARGS...
	local p=$1; shift
	redis-cli -p "$p" -a "$SEN_PASSWORD" --no-auth-warning "$@"
}
# sen_server PORT [PRIMARY_PORT]: starts a data server (a replica of
# PRIMARY_PORT if given) and waits for it to answer.
sen_server() {
	mkdir -p "$WORK/sen/$1"
	redis-server --port "$1" --bind 127.0.0.1 --dir "$WORK/sen/$1" --appendonly yes \
		--appendfsync always --save '' --requirepass "$SEN_REDIS_PASSWORD" \
		--masterauth "$SEN_REDIS_PASSWORD" ${2:+--replicaof 127.0.0.1 "$2"} \
		--logfile "$WORK/sen/$1/redis.log" --daemonize no &
	eval "SEN_PID_$1=$!"
	PIDS="$PIDS $!"
	wait_for 10 sen_cli "$1" ping || { echo "redis-server on $1 did not start" >&2; exit 1; }
}
sen_linked() { sen_cli "$1" info replication | grep '^master_link_status:up' >/dev/null; }
# sen_primary [SENTINEL_PORT]: the port the sentinel names as the primary.
sen_primary() {
	sentinel_cli "${1:-${SEN_PORTS%% *}}" sentinel get-master-addr-by-name "$SEN_MASTER" | tail -n 1
}
sen_replica() { # the data server that is not the primary
	local p=$(sen_primary) d
	for d in $SEN_DATA_PORTS; do [ "$d" = "$p" ] || echo "$d"; done
}
sen_field() { # sen_field SENTINEL_PORT FIELD: of SENTINEL master
	sentinel_cli "$1" sentinel master "$SEN_MASTER" | awk -v f="$2" 'p { print; exit } $0 == f { p = 1 }'
}
# Every sentinel names the same primary, knows the two others and one
# replica that is up, and the replica's link to the primary is up.
sen_healthy() {
	local s p=$(sen_primary) r
	r=$(sen_replica)
	[ -n "$p" ] && [ -n "$r" ] && sen_linked "$r" || return 1
	for s in $SEN_PORTS; do
		[ "$(sen_primary "$s")" = "$p" ] && [ "$(sen_field "$s" num-other-sentinels)" = 2 ] &&
			[ "$(sen_field "$s" num-slaves)" = 1 ] &&
			sentinel_cli "$s" sentinel replicas "$SEN_MASTER" | grep -x 'slave' >/dev/null || return 1
	done
}
start_sentinels() {
	local a b s i
	a=$(free_port); b=$(free_port)
	SEN_DATA_PORTS="$a $b"
	sen_server "$a"
	sen_server "$b" "$a"
	wait_for 10 sen_linked "$b" || { echo "the replica did not link" >&2; exit 1; }
	SEN_PORTS=""
	for i in 1 2 3; do
		s=$(free_port)
		SEN_PORTS="$SEN_PORTS${SEN_PORTS:+ }$s"
		cat >"$WORK/sen/sentinel-$s.conf" <<EOS
port $s
bind 127.0.0.1
dir $WORK/sen
logfile $WORK/sen/sentinel-$s.log
requirepass $SEN_PASSWORD
sentinel sentinel-pass $SEN_PASSWORD
sentinel resolve-hostnames no
sentinel monitor $SEN_MASTER 127.0.0.1 $a 2
sentinel auth-pass $SEN_MASTER $SEN_REDIS_PASSWORD
sentinel down-after-milliseconds $SEN_MASTER 1000
sentinel failover-timeout $SEN_MASTER 3000
EOS
		redis-sentinel "$WORK/sen/sentinel-$s.conf" &
		PIDS="$PIDS $!"
	done
	wait_for 30 sen_healthy || { echo "the sentinels did not settle" >&2; tail "$WORK"/sen/*.log >&2; exit 1; }
	export SEN_PORTS SEN_DATA_PORTS
}
# sen_kill PORT: kill -9 of a data server.
sen_kill() {
	local pid
	eval "pid=\$SEN_PID_$1"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
# sen_failed_over OLD: every sentinel names a primary other than OLD.
sen_failed_over() {
	local s
	for s in $SEN_PORTS; do
		case "$(sen_primary "$s")" in "$1" | "") return 1 ;; esac
	done
}
# sen_restart PORT: a killed server back, as the replica of the primary
# the sentinels name (as Sentinel would make it), until the set is healthy.
sen_restart() {
	sen_server "$1" "$(sen_primary)"
	wait_for 30 sen_healthy || { echo "the sentinels did not settle after a restart" >&2; exit 1; }
}
# sentinel_config FILE PREFIX: write_config's file with the sentinels in
# [redis] instead of server and port; sentinel_redis FILE does that to any
# configuration write_config began.
sentinel_config() {
	write_config "$1" "$2" 1
	sentinel_redis "$1"
}
sentinel_redis() {
	python3 - "$1" "$SEN_PORTS" "$SEN_MASTER" "$SEN_PASSWORD" "$SEN_REDIS_PASSWORD" <<'EOP'
import sys
path, ports, name, spw, rpw = sys.argv[1:6]
t = open(path).read()
head, redis = t.split("[redis]\n", 1)
rest = ""
if "\n[" in "\n" + redis:
    i = ("\n" + redis).index("\n[")
    redis, rest = redis[:i], redis[i:]
redis = "".join(l + "\n" for l in redis.splitlines() if not l.startswith(("server = ", "port = ")))
redis += "sentinels = %s\nmaster_name = %s\nsentinel_password = %s\npassword = %s\n" % (
    ", ".join("127.0.0.1:" + p for p in ports.split()), name, spw, rpw)
open(path, "w").write(head + "[redis]\n" + redis + rest)
EOP
}
