# rp-ping: every form, the wrapper (statuses, a signal, commands that cannot
# run, megabytes of output, signals passed on, a closed stdout), Redis down
# or silent, names that are not ping checks, secrets, and rp-status showing
# the record. Sourced by tests/run-tests.sh (see tests/lib.sh).

PCFG="$WORK/ping.cfg"
PCL="$WORK/ping.yaml"
write_config "$PCFG" pg
chmod 600 "$PCFG"
for c in nightly_backup wrapped_job status_job signal_job; do
	cat >>"$PCL" <<EOC
$c:
    type: ping
    pd_description: "ping $c"
    pd_service: "0123456789abcdef0123456789abcdef"
    period: 1d
EOC
done
cat >>"$PCL" <<'EOC'
not_ping:
    type: batchy
    pd_description: "a latency check"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "not_ping"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
EOC
pg() { rp rp-ping -f "$PCFG" -y "$PCL" "$@"; }
field() { redis-cli -p "$REDIS_PORT" -n 1 HGET "pg:ping:$1" "$2"; }
at() { TZ=America/New_York date -d "$1" +%s; } # local time in the configured zone
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# prun OUT ERR ARGS...: rp-ping as rp does, stdout and stderr to files of
# their own (megabytes do not belong in a variable); sets RC.
prun() {
	local out=$1 err=$2; shift 2
	RP_RUNS=$((${RP_RUNS:-0} + 1))
	export RP_RUNS
	set +e
	${RP_WRAP:-} "$TOP/bin/rp-ping" -f "$PCFG" -y "$PCL" "$@" >"$out" 2>"$err"
	RC=$?
	set -e
}

# The forms, on a --now clock.
pg --now 2026-12-04T02:30 nightly_backup start
expect "ping start: exit 0" 0 "$RC"
expect "ping start: nothing on stdout" "" "$OUT"
expect "ping start: only the clock line on stderr" "" "$(noclock "$ERR")"
expect "ping start: recorded at --now" "$(at '2026-12-04 02:30')" "$(field nightly_backup start)"
ttl=$(redis-cli -p "$REDIS_PORT" -n 1 TTL pg:ping:nightly_backup)
expect "ping: the record expires (35 days)" 1 "$([ "$ttl" -gt $((35 * 86400 - 60)) ] && [ "$ttl" -le $((35 * 86400)) ] && echo 1 || echo 0)"
pg --now 2026-12-04T02:41 -v nightly_backup
expect "ping NAME: exit 0" 0 "$RC"
expect "ping NAME: a success" "$(at '2026-12-04 02:41')" "$(field nightly_backup success)"
expect "ping NAME: its run began at the start" "$(at '2026-12-04 02:30')" "$(field nightly_backup success_start)"
expect_match "ping -v: says what it recorded" '^rp-ping: nightly_backup: success recorded at 2026-12-04T02:41:00-05:00$' "$(noclock "$ERR")"
pg --now 2026-12-04T02:50 nightly_backup fail
expect "ping fail: exit 0" 0 "$RC"
expect "ping fail: a failure" "$(at '2026-12-04 02:50')" "$(field nightly_backup fail)"
expect "ping fail: status 0 (a bare fail)" 0 "$(field nightly_backup fail_status)"
expect "ping fail: no start to take (the success took it)" 0 "$(field nightly_backup fail_start)"
pg --now 2026-12-04T02:55 nightly_backup 3
expect "ping 3: exit 0" 0 "$RC"
expect "ping 3: a failure with status 3" "$(at '2026-12-04 02:55') 3" "$(field nightly_backup fail) $(field nightly_backup fail_status)"
pg --now 2026-12-04T02:55:30 nightly_backup TERM
expect "ping TERM (systemd's \$EXIT_STATUS): a failure by signal 15" "$(at '2026-12-04 02:55:30') 0 15" "$(field nightly_backup fail) $(field nightly_backup fail_status) $(field nightly_backup fail_signal)"
pg --now 2026-12-04T02:56 nightly_backup 0
expect "ping 0: a success" "$(at '2026-12-04 02:56')" "$(field nightly_backup success)"
pg --now 2026-12-04T02:57 nightly_backup success
expect "ping success: a success" "$(at '2026-12-04 02:57')" "$(field nightly_backup success)"
before=$(date +%s)
pg nightly_backup
after=$(date +%s)
expect "ping without --now: no clock line" "" "$ERR"
expect "ping without --now: Redis's clock" 1 "$(s=$(field nightly_backup success); [ "$s" -ge $((before - 2)) ] && [ "$s" -le $((after + 2)) ] && echo 1 || echo 0)"

# Usage errors: 64, one line, nothing recorded.
redis-cli -p "$REDIS_PORT" -n 1 DEL pg:ping:nightly_backup >/dev/null
for args in "nightly_backup bogus" "nightly_backup 256" "" \
	"nightly_backup --" "-c x nightly_backup" "-n nightly_backup" "--json nightly_backup" \
	"--now yesterday nightly_backup" "nightly_backup start extra"; do
	pg $args
	expect "ping $args: exit 64" 64 "$RC"
	expect "ping $args: one line on stderr" 1 "$(printf '%s\n' "$ERR" | grep -c .)"
done
pg nightly_backup pg_dump
expect_match "ping NAME WORD: says how to run a command" '"pg_dump" is not start, success, fail, an exit status from 0 to 255 or a signal \(to run a command, put -- before it\)' "$ERR"
expect "ping usage errors: nothing recorded" 0 "$(redis-cli -p "$REDIS_PORT" -n 1 EXISTS pg:ping:nightly_backup)"
pg nope
expect "ping a name not in the checklist: exit 64" 64 "$RC"
expect "ping a name not in the checklist: names the file" "rp-ping: nope is not a check of $PCL" "$ERR"
pg not_ping
expect "ping a check of another type: exit 64" 64 "$RC"
expect "ping a check of another type: says so" "rp-ping: not_ping is not a ping check of $PCL (it is a batchy check)" "$ERR"
pg --help
expect "ping --help: exit 0" 0 "$RC"
expect_match "ping --help: the wrapper form" 'NAME -- COMMAND' "$OUT"

# Configuration: 78.
sed 's/^prefix = pg$/prefix = pg\nbogus = 1/' "$PCFG" >"$WORK/ping-bad.cfg"
chmod 600 "$WORK/ping-bad.cfg"
rp rp-ping -f "$WORK/ping-bad.cfg" -y "$PCL" nightly_backup
expect "ping, a bad etl.cfg: exit 78" 78 "$RC"
expect_match "ping, a bad etl.cfg: file, line, key" 'ping-bad.cfg:[0-9]+: \[redis\] bogus' "$ERR"
sed 's/^enable = True$/enable = False/' "$PCFG" >"$WORK/ping-off.cfg"
chmod 600 "$WORK/ping-off.cfg"
rp rp-ping -f "$WORK/ping-off.cfg" -y "$PCL" nightly_backup
expect "ping, enable = False: exit 78" 78 "$RC"
expect "ping, enable = False: one clear line" "rp-ping: $WORK/ping-off.cfg: [enable_redis] enable is False: rp-ping records in Redis and cannot work without it" "$ERR"
chmod 666 "$PCL"
pg nightly_backup
expect "ping, a checklist others can write: exit 78" 78 "$RC"
chmod 600 "$PCL"

# Redis down: 75 at once; Redis silent: 75 within about 2 seconds, even
# with a longer [redis] timeout_ms.
DOWN_PORT=$(free_port)
write_config "$WORK/ping-down.cfg" pg "$DOWN_PORT"
chmod 600 "$WORK/ping-down.cfg"
t0=$(now_ms)
rp rp-ping -f "$WORK/ping-down.cfg" -y "$PCL" nightly_backup
t1=$(now_ms)
expect "ping, Redis down: exit 75" 75 "$RC"
expect_match "ping, Redis down: one line naming Redis" "^rp-ping: nightly_backup: success not recorded: redis at 127.0.0.1:$DOWN_PORT: " "$ERR"
expect "ping, Redis down: one line" 1 "$(printf '%s\n' "$ERR" | wc -l)"
expect "ping, Redis down: within 2 s ($((t1 - t0)) ms)" 1 "$([ $((t1 - t0)) -lt 2000 ] && echo 1 || echo 0)"
SILENT_PORT=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$SILENT_PORT" &
PIDS="$PIDS $!"
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SILENT_PORT"
write_config "$WORK/ping-silent.cfg" pg "$SILENT_PORT"
echo "timeout_ms = 10000" >>"$WORK/ping-silent.cfg"
chmod 600 "$WORK/ping-silent.cfg"
t0=$(now_ms)
rp rp-ping -f "$WORK/ping-silent.cfg" -y "$PCL" nightly_backup start
t1=$(now_ms)
expect "ping, Redis silent: exit 75" 75 "$RC"
expect_match "ping, Redis silent: says it did not answer" "redis at 127.0.0.1:$SILENT_PORT: .*no answer within 2000 ms" "$ERR"
expect "ping, Redis silent: about 2 s, not timeout_ms's 10 ($((t1 - t0)) ms)" 1 "$([ $((t1 - t0)) -ge 1800 ] && [ $((t1 - t0)) -lt 3500 ] && echo 1 || echo 0)"

# The wrapper.
pg --now 2026-12-04T03:00 wrapped_job -- sh -c 'echo out; sleep 0.1; echo err >&2; sleep 0.1; echo "more out"'
expect "wrap ok: exit 0" 0 "$RC"
expect "wrap ok: stdout passed through" "out
more out" "$OUT"
expect "wrap ok: stderr passed through" "err" "$(noclock "$ERR")"
expect "wrap ok: start recorded" "$(at '2026-12-04 03:00')" "$(field wrapped_job start)"
expect "wrap ok: success, its start, duration" "$(at '2026-12-04 03:00') $(at '2026-12-04 03:00') 0" \
	"$(field wrapped_job success) $(field wrapped_job success_start) $(field wrapped_job duration)"
expect "wrap ok: the tail, both outputs in arrival order" "out
err
more out" "$(field wrapped_job tail)"
pg --now 2026-12-04T03:10 wrapped_job -- sh -c 'echo failing >&2; exit 3'
expect "wrap exit 3: rp-ping exits 3" 3 "$RC"
expect "wrap exit 3: failure with status 3, its start" "$(at '2026-12-04 03:10') 3 $(at '2026-12-04 03:10')" \
	"$(field wrapped_job fail) $(field wrapped_job fail_status) $(field wrapped_job fail_start)"
expect "wrap exit 3: its tail" "failing" "$(field wrapped_job tail)"
expect "wrap exit 3: the earlier success stays" "$(at '2026-12-04 03:00')" "$(field wrapped_job success)"
pg --now 2026-12-04T03:20 signal_job -- sh -c 'echo bye; kill -TERM $$; sleep 5'
expect "wrap killed by SIGTERM: exit 143" 143 "$RC"
expect "wrap killed by SIGTERM: recorded signal 15, no status" "15 0" "$(field signal_job fail_signal) $(field signal_job fail_status)"
rp rp-status -f "$PCFG" -y "$PCL" -c signal_job -v
expect_match "status -v: a failure by a signal" '^  last failure:  2026-12-04 03:20, killed by signal 15 \(Terminated\) \(run started 2026-12-04 03:20\)$' "$OUT"
pg --now 2026-12-04T03:30 wrapped_job -- rp-no-such-command --flag
expect "wrap not found: exit 127" 127 "$RC"
expect "wrap not found: says so, like a shell" "rp-no-such-command: command not found" "$(noclock "$ERR" | sed 's/^rp-ping: //')"
expect "wrap not found: recorded as a failure, 127, with why" "127 rp-no-such-command: command not found" \
	"$(field wrapped_job fail_status) $(field wrapped_job tail)"
printf 'echo never\n' >"$WORK/not-executable.sh"
chmod 644 "$WORK/not-executable.sh"
pg wrapped_job -- "$WORK/not-executable.sh"
expect "wrap not executable: exit 126" 126 "$RC"
expect "wrap not executable: says why" "rp-ping: $WORK/not-executable.sh: Permission denied" "$ERR"
expect "wrap not executable: recorded 126" 126 "$(field wrapped_job fail_status)"

# Options after the name count as if before it; a command line rp-ping
# cannot read still runs the job, unrecorded.
pg --now 2026-12-04T03:40 wrapped_job -v -- sh -c 'echo late options'
expect "wrap NAME -v -- cmd: exit 0, the job ran" "0 late options" "$RC $OUT"
expect_match "wrap NAME -v -- cmd: -v was read" 'wrapped_job: success recorded' "$ERR"
pg --now 2026-12-04T03:40 nightly_backup start -v
expect "ping NAME start -v: recorded (the option read)" "0 $(at '2026-12-04 03:40')" "$RC $(field nightly_backup start)"
pg --bogus wrapped_job -- sh -c 'echo still ran; exit 9'
expect "wrap with an unknown option: the job runs, its status comes out" "9 still ran" "$RC $OUT"
expect "wrap with an unknown option: two lines, the error and what was done" "rp-ping: unknown option --bogus (rp-ping --help lists the options)
rp-ping: running sh without recording it" "$ERR"
# The name forgotten: said so (not "options go before the name" about the
# command's own), and the job still runs.
pg -- sh -c 'echo ran; exit 7'
expect "wrap without a name: the job runs, its status comes out" "7 ran" "$RC $OUT"
expect "wrap without a name: says the name is missing" "rp-ping: the check name is missing: rp-ping NAME -- COMMAND; rp-ping --help lists the forms
rp-ping: running sh without recording it" "$ERR"

# Megabytes: passed through byte for byte, the tail bounded and sanitised.
# (Both outputs are read as they come; the pause keeps their order exact.)
prun "$WORK/big.out" "$WORK/big.err" wrapped_job -- sh -c 'yes | head -c 20000000
	printf "\001\000\377\033[2J\n"; sleep 0.2
	yes e | head -c 3000000 >&2; printf "last \033[2J\377\n" >&2'
expect "wrap 20 MB: exit 0" 0 "$RC"
expect "wrap 20 MB: stdout byte for byte" "$( (yes | head -c 20000000; printf '\001\000\377\033[2J\n') | md5sum)" "$(md5sum <"$WORK/big.out")"
expect "wrap 20 MB: stderr byte for byte" "$( (yes e | head -c 3000000; printf 'last \033[2J\377\n') | md5sum)" "$(md5sum <"$WORK/big.err")"
tail_text=$(field wrapped_job tail)
expect "wrap 20 MB: a tail of 20 lines, at most 4096 bytes" "20 1" \
	"$(printf '%s\n' "$tail_text" | wc -l) $([ "$(redis-cli -p "$REDIS_PORT" -n 1 HSTRLEN pg:ping:wrapped_job tail)" -le 4096 ] && echo 1 || echo 0)"
expect "wrap 20 MB: the tail sanitised (control characters as spaces, bad UTF-8 as U+FFFD)" "e
e
last  [2J$(printf '\357\277\275')" "$(printf '%s\n' "$tail_text" | tail -n 3)"

# stdin is the command's; its TZ and core limit are what rp-ping was given.
set +e
out=$(printf 'from stdin\n' | ${RP_WRAP:-} "$TOP/bin/rp-ping" -f "$PCFG" -y "$PCL" wrapped_job -- cat 2>"$WORK/err")
RC=$?
set -e
expect "wrap: stdin passed to the command" "0 from stdin" "$RC $out"
rp rp-ping -f "$PCFG" -y "$PCL" wrapped_job -- sh -c 'ulimit -c; printf "%s\n" "${TZ-unset}"'
expect "wrap: the command's core limit and TZ as given to rp-ping (not the configured zone)" \
	"$(sh -c 'ulimit -c; printf "%s\n" "${TZ-unset}"')" "$OUT"

# Signals sent to rp-ping reach the command; it lives on until the command
# ends, and exits with its status.
pgsig() {
	RP_RUNS=$((${RP_RUNS:-0} + 1))
	export RP_RUNS
	${RP_WRAP:-} "$TOP/bin/rp-ping" -v -f "$PCFG" -y "$PCL" wrapped_job -- sh -c '
		trap "echo got USR1" USR1
		trap "echo got TERM; exit 7" TERM
		echo ready
		while :; do sleep 0.1; done' >"$WORK/sig.out" 2>"$WORK/sig.err" &
	SIGPID=$!
	wait_for 20 grep -q ready "$WORK/sig.out"
}
pgsig
kill -USR1 "$SIGPID"
wait_for 10 grep -q 'got USR1' "$WORK/sig.out"
kill -TERM "$SIGPID"
set +e
wait "$SIGPID"
RC=$?
set -e
expect "wrap: SIGUSR1 and SIGTERM to rp-ping reach the command" "ready
got USR1
got TERM" "$(cat "$WORK/sig.out")"
expect "wrap: rp-ping exits with the command's status after SIGTERM" 7 "$RC"
expect_match "wrap: -v says which signals it passed on" '^rp-ping: wrapped_job: passed on to sh: User defined signal 1 Terminated$' "$(cat "$WORK/sig.err")"
expect "wrap: the command's status recorded" 7 "$(field wrapped_job fail_status)"

# rp-ping's stdout closed: the command is drained, never blocked, and its
# status still comes out.
set +e
${RP_WRAP:-} "$TOP/bin/rp-ping" -f "$PCFG" -y "$PCL" wrapped_job -- sh -c 'yes | head -c 5000000; echo done >&2' 2>"$WORK/epipe.err" | head -c 10 >/dev/null
RC=${PIPESTATUS[0]}
set -e
expect "wrap, stdout closed early: exit 0" 0 "$RC"
expect "wrap, stdout closed early: stderr still passed" "done" "$(cat "$WORK/epipe.err")"

# A process the command leaves in the background keeps the pipes open:
# rp-ping ends about a second after the command, not with it.
t0=$(now_ms)
pg wrapped_job -- sh -c 'sleep 8 & echo started'
t1=$(now_ms)
expect "wrap, a background process left: exit 0, its output" "0 started" "$RC $OUT"
expect "wrap, a background process left: done in seconds, not 8 ($((t1 - t0)) ms)" 1 "$([ $((t1 - t0)) -lt 6000 ] && echo 1 || echo 0)"

# A terminal's Ctrl-C reaches the command from the kernel: rp-ping lives
# on, does not deliver it a second time, and exits with the command's
# status. (The command is busy rather than waiting on a sleep, so that it
# runs its trap at once and a second SIGINT would not merge with the first.)
python3 - "$WORK/tty.out" ${RP_WRAP:-} "$TOP/bin/rp-ping" -v -f "$PCFG" -y "$PCL" wrapped_job -- sh -c '
	trap "echo got INT" INT; echo ready
	i=0; while [ $i -lt 400000 ]; do i=$((i + 1)); done; echo bye' <<'EOP'
import os, pty, select, signal, sys, time
pid, fd = pty.fork()
if pid == 0:
    # A terminal's job has SIGINT as the default, whatever ran the tests
    # (a background job of a shell without job control ignores it).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execvp(sys.argv[2], sys.argv[2:])
out, deadline, sent = b"", time.time() + 60, False
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if not sent and b"ready" in out:
        os.write(fd, b"\x03")  # the line discipline sends SIGINT to the foreground group
        sent = True
_, st = os.waitpid(pid, 0)
open(sys.argv[1], "w").write("%d %d %s\n" % (os.waitstatus_to_exitcode(st), out.count(b"got INT"),
                                             "bye" if b"bye" in out else "-"))
open(sys.argv[1] + ".all", "wb").write(out)
EOP
expect "wrap, Ctrl-C on a terminal: rp-ping exits 0 with the command, which got one SIGINT and went on" "0 1 bye" "$(cat "$WORK/tty.out")"
expect_match "wrap, Ctrl-C on a terminal: seen, not passed on (-v)" 'wrapped_job: from the terminal, sh got it too, not passed on: Interrupt' "$(tr -d '\r' <"$WORK/tty.out.all")"
expect_no_match "wrap, Ctrl-C on a terminal: not passed on a second time" 'passed on to sh' "$(cat "$WORK/tty.out.all")"

# Redis down or the name unknown: the command runs all the same, its status
# comes out, and a line says what was not recorded: the start before it
# runs, its end after (a failure not recorded must not go unsaid).
rp rp-ping -f "$WORK/ping-down.cfg" -y "$PCL" wrapped_job -- sh -c 'echo ran; exit 4'
expect "wrap, Redis down: the command ran and its status is ours" "4 ran" "$RC $OUT"
expect "wrap, Redis down: two lines on stderr" 2 "$(printf '%s\n' "$ERR" | wc -l)"
expect_match "wrap, Redis down: the start" "^rp-ping: wrapped_job: start not recorded: redis at 127.0.0.1:$DOWN_PORT: .*; running sh anyway$" "$ERR"
expect_match "wrap, Redis down: the failure" "^rp-ping: wrapped_job: failure \\(exit status 4\\) not recorded either: redis at 127.0.0.1:$DOWN_PORT: " "$ERR"
pg nope -- sh -c 'echo ran; exit 5'
expect "wrap, a name not in the checklist: the command ran" "5 ran" "$RC $OUT"
expect "wrap, a name not in the checklist: one line" "rp-ping: nope is not a check of $PCL; running sh without recording it" "$ERR"

# rp-status shows the record.
pg --now 2026-12-04T04:00 status_job -- sh -c 'printf "step 1\nstep 2\n\033[31mred\033[0m\n"; exit 2'
pg --now 2026-12-04T04:30 status_job start
rp rp-status -f "$PCFG" -y "$PCL" -c status_job -v --now 2026-12-04T04:35
expect "status -v: a ping check's record below its row" "status_job  ping     NEVER     -                 -                 -                 -                 -
  last success:  -
  last failure:  2026-12-04 04:00, exit status 2 (run started 2026-12-04 04:00)
  running:       since 2026-12-04 04:30
  the run before took: 0 s
  the run before, output tail:
    step 1
    step 2
     [31mred [0m" "$(printf '%s\n' "$OUT" | tail -n +2)"
rp rp-status -f "$PCFG" -y "$PCL" -c status_job
expect "status without -v: the row only" 2 "$(printf '%s\n' "$OUT" | wc -l)"
rp rp-status -f "$PCFG" -y "$PCL" -c status_job --json --now 2026-12-04T04:35
expect "status --json: the ping record's fields, typed" \
	'2026-12-04T04:30:00-05:00 None 2026-12-04T04:00:00-05:00 2026-12-04T04:00:00-05:00 2 0 True 0 step 1|step 2| [31mred [0m' \
	"$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
print(o["last_start"], o["last_success"], o["last_failure"], o["last_failure_start"],
      o["failure_status"], o["failure_signal"], o["running"], o["duration_sec"],
      o["output_tail"].replace("\n", "|").replace("\x1b", "?"))')"
rp rp-status -f "$PCFG" -y "$PCL" --json
expect "status --json: other checks carry no ping fields" 0 \
	"$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; print(sum(1 for l in sys.stdin if json.loads(l)["type"] != "ping" and "running" in json.loads(l)))')"

# Secrets: the Redis password never shows, whatever happens.
PW=ping-redis-pass-5ec2e7
PREDIS_PORT=$(free_port)
redis-server --port "$PREDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
	--requirepass "$PW" --dir "$WORK" --logfile "$WORK/predis.log" --daemonize no &
PIDS="$PIDS $!"
wait_for 10 redis-cli -p "$PREDIS_PORT" -a "$PW" --no-auth-warning ping
write_config "$WORK/ping-pw.cfg" pg "$PREDIS_PORT"
echo "password = $PW" >>"$WORK/ping-pw.cfg"
chmod 600 "$WORK/ping-pw.cfg"
sed "s/^password = $PW\$/password = wrong-$PW/" "$WORK/ping-pw.cfg" >"$WORK/ping-pw-wrong.cfg"
chmod 600 "$WORK/ping-pw-wrong.cfg"
said=""
for c in ping-pw ping-pw-wrong; do
	for args in "-v nightly_backup start" "-v nightly_backup 3" "-v wrapped_job -- sh -c exit" "nope"; do
		rp rp-ping -f "$WORK/$c.cfg" -y "$PCL" $args
		said="$said
$OUT
$ERR"
	done
	rp rp-status -f "$WORK/$c.cfg" -y "$PCL" -v
	said="$said
$OUT
$ERR"
done
expect "ping secrets: recorded with the password" 1 "$(redis-cli -p "$PREDIS_PORT" -a "$PW" --no-auth-warning -n 1 EXISTS pg:ping:nightly_backup)"
expect_match "ping secrets: a wrong password is reported" 'WRONGPASS|invalid password' "$said"
expect "ping secrets: the Redis password never printed" 0 "$(printf '%s\n' "$said" | grep -c -- "$PW" || true)"
