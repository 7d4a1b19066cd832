# make bench, the scale part (sourced by tests/bench.sh, which has started
# redis-server and the PagerDuty stand-in and defined sample, stat, row and
# ratio): one run over 1,000, 10,000 and 100,000 batchy checks
# (BENCH_SIZES), every check due, against nginx answering every status
# from memory, so that the floor, curl --parallel-max 64 over the same
# URLs, measures curl and the kernel and not a stand-in; the same
# checklist with nothing due against rp-latency-check --version; peak RSS;
# the time Redis itself spent on the run's scripts (SLOWLOG); and the
# least any program keeping a record per check in Redis must do there
# (tests/bench-state.c: the records read and written back, pipelined), a
# floor no client can go under. At 10,000, a mass outage too: every check
# CRITICAL at once (their workflow a day late) with PagerDuty out of reach,
# so that every trigger goes through the outbox (wall and peak RSS).

SIZES=${BENCH_SIZES:-"1000 10000 100000"}
SCALE_JSON='{"global": {"status": "success", "batch_start": "2026-11-26T14:08:00", "batch_end": "2026-11-26T14:58:00"}}'
LATE_JSON='{"global": {"status": "success", "batch_start": "2026-11-25T14:08:00", "batch_end": "2026-11-25T14:58:00"}}'

start_nginx() {
	local d="$WORK/nginx"
	mkdir -p "$d/logs" "$d/tmp"
	NGINX_PORT=$(free_port)
	cat >"$d/nginx.conf" <<EON
daemon on;
worker_processes 2;
pid $d/nginx.pid;
error_log $d/logs/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $d/tmp;
	proxy_temp_path $d/tmp;
	fastcgi_temp_path $d/tmp;
	uwsgi_temp_path $d/tmp;
	scgi_temp_path $d/tmp;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		location /get_status/ {
			default_type application/json;
			return 200 '$SCALE_JSON';
		}
		location /get_status/late_ {
			default_type application/json;
			return 200 '$LATE_JSON';
		}
	}
}
EON
	/usr/sbin/nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log"
	wait_for 10 test -s "$d/nginx.pid" || { echo "bench: nginx did not start" >&2; cat "$d/logs/error.log" >&2; exit 1; }
	PIDS="$PIDS $(cat "$d/nginx.pid")"
}

# Milliseconds Redis spent on the scripts of the run just made (SLOWLOG
# logs every command from the scale part on).
redis_ms() {
	redis-cli -p "$REDIS_PORT" --no-raw SLOWLOG GET 1000 |
		awk '/^ +3\) \(integer\) / {s += $NF} END {printf "%d\n", s / 1000}'
	redis-cli -p "$REDIS_PORT" SLOWLOG RESET >/dev/null
}

# mass_outage N: N checks CRITICAL at once, PagerDuty unreachable (nothing
# listens on port 1), each sample on a prefix of its own. PagerDuty's rate
# (120 a minute) leaves most triggers untried: the run writes them all to
# the outbox and matches them all with its outcomes, the paths measured.
mass_outage() {
	local n=$1 i mcfg="$WORK/mass-$1.cfg"
	sed 's/wf_name: "wf_/wf_name: "late_/' "$WORK/scale-$n.yaml" >"$WORK/mass-$n.yaml"
	for i in $(seq 1 "$RUNS"); do
		sed "s/^prefix = .*/prefix = mo$n-$i/; s|^events_url = .*|events_url = http://127.0.0.1:1/v2/enqueue|" \
			"$WORK/scale-$n.cfg" >"$mcfg"
		chmod 600 "$mcfg"
		sample "smass$n" "$RP/rp-latency-check" -f "$mcfg" -y "$WORK/mass-$n.yaml" --now "$(now "$i")" -q
	done
	[ "$(grep -c '^CRITICAL c' "$WORK/last.out")" -eq "$n" ] ||
		{ echo "bench: not all $n checks were CRITICAL:" >&2; head -n 3 "$WORK/last.out" >&2; tail -n 3 "$WORK/last.err" >&2; exit 1; }
}

start_nginx
cc -O2 -o "$WORK/bench-parse" "$TOP/tests/bench-parse.c" -ljansson
cc -O2 $(pkg-config --cflags hiredis) -o "$WORK/bench-state" "$TOP/tests/bench-state.c" $(pkg-config --libs hiredis)
redis-cli -p "$REDIS_PORT" CONFIG SET slowlog-log-slower-than 0 >/dev/null
redis-cli -p "$REDIS_PORT" CONFIG SET slowlog-max-len 1000 >/dev/null
for n in $SIZES; do
	echo "scale: $n checks..." >&2
	scfg="$WORK/scale-$n.cfg"
	sed "s/^port = $BATCHY_PORT$/port = $NGINX_PORT/; s/^prefix = .*/prefix = sc$n/; s/^time_budget_sec = .*/time_budget_sec = 170/" "$CFG" >"$scfg"
	chmod 600 "$scfg"
	for i in $(seq 1 "$n"); do latency "c$i" "wf_$i"; done >"$WORK/scale-$n.yaml"
	for i in $(seq 1 "$n"); do
		printf 'url = "http://127.0.0.1:%s/get_status/wf_%s"\noutput = "/dev/null"\n' "$NGINX_PORT" "$i"
	done >"$WORK/scale-$n.urls"
	runs=$RUNS
	[ "$n" -ge 100000 ] && runs=$(( RUNS < 3 ? RUNS : 3 ))
	for i in $(seq 1 "$runs"); do
		sample "scurl$n" curl -s --parallel --parallel-max 64 -K "$WORK/scale-$n.urls"
		redis-cli -p "$REDIS_PORT" SLOWLOG RESET >/dev/null
		sample "sdue$n" "$RP/rp-latency-check" -f "$scfg" -y "$WORK/scale-$n.yaml" --now "$(now "$i")" -q
		redis_ms >>"$WORK/sredis$n"
		redis-cli -p "$REDIS_PORT" CONFIG SET slowlog-log-slower-than -1 >/dev/null
		"$WORK/bench-state" "$REDIS_PORT" 1 "sc$n" "$n" >>"$WORK/sstate$n"
		redis-cli -p "$REDIS_PORT" CONFIG SET slowlog-log-slower-than 0 >/dev/null
		"$WORK/bench-parse" "$n" "$SCALE_JSON" >>"$WORK/sparse$n"
		sample "sidle$n" "$RP/rp-latency-check" -f "$scfg" -y "$WORK/scale-$n.yaml" --now "$(now "$i" | sed 's/$/:20/')" -q
		sample "sver$n" "$RP/rp-latency-check" --version
	done
	[ "$n" -eq 10000 ] && mass_outage "$n"
	# The last due run, again, to see that every check was evaluated OK.
	"$RP/rp-latency-check" -f "$scfg" -y "$WORK/scale-$n.yaml" --now "$(now $(( runs + 1 )))" >"$WORK/last.out" 2>"$WORK/last.err" || true
	[ "$(grep -c '^OK c' "$WORK/last.out")" -eq "$n" ] ||
		{ echo "bench: not all $n checks were OK:" >&2; grep -v '^OK' "$WORK/last.out" | head >&2; tail -n 3 "$WORK/last.err" >&2; exit 1; }
done
redis-cli -p "$REDIS_PORT" CONFIG SET slowlog-log-slower-than 10000 >/dev/null

scale_rows() {
	local n w wmax c cmax r rmax iw iwmax v rs ps fs
	for n in $SIZES; do
		set -- $(stat "sdue$n" 1); w=$1 wmax=$2
		set -- $(stat "scurl$n" 1); c=$1 cmax=$2
		set -- $(stat "sdue$n" 2); r=$1 rmax=$2
		set -- $(stat "sidle$n" 1); iw=$1 iwmax=$2
		set -- $(stat "sver$n" 1); v=$1
		rs=$(grep . "$WORK/sredis$n" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
		ps=$(grep . "$WORK/sparse$n" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
		fs=$(grep . "$WORK/sstate$n" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
		row "$n checks due, nginx source: wall ms" "$w / $wmax" "curl --parallel-max 64: $c / $cmax" \
			"$(ratio "$w" "$c") (<= 1.1x)"
		row "  of which Redis itself (SLOWLOG): ms" "$rs" "-" "(a floor of its own)"
		row "  of which jansson reading the answers: ms" "$ps" "-" "(a floor of its own)"
		row "  the least any program does in Redis: ms" "$fs" "-" "(records read, written back)"
		row "  curl + that least + jansson: ms" "$((c + fs + ps))" "curl: $c" \
			"$(ratio "$((c + fs + ps))" "$c") (the floor of the first row)"
		row "  against curl + Redis + jansson" "$w" "$((c + rs + ps))" \
			"$(ratio "$w" "$((c + rs + ps))") (<= 1.1x)"
		row "$n checks due: peak RSS KiB" "$r / $rmax" "-" \
			"$([ "$n" -eq 10000 ] && echo "(<= 32768)")"
		row "nothing due among $n checks: wall ms" "$iw / $iwmax" "--version: $v" \
			"$(ratio "$iw" "$v")$([ "$n" -eq 1000 ] && echo " (<= 2x)")"
		[ -s "$WORK/smass$n" ] || continue
		set -- $(stat "smass$n" 1); w=$1 wmax=$2
		set -- $(stat "smass$n" 2); r=$1 rmax=$2
		row "$n CRITICAL at once, PagerDuty out of reach: wall ms" "$w / $wmax" "-" ""
		row "  the same: peak RSS KiB" "$r / $rmax" "-" ""
	done
}
