# Bad input: files people edit by hand and command lines typed at 3 a.m.
# Each kind must end in one line on stderr naming the file (and the line
# and key where there is one), nothing on stdout, and exit 78 (files) or 64
# (command line): never a crash, a hang or a partial run. BADINPUT_TABLE=1
# prints what the program said for each. Sourced by tests/run-tests.sh.

BD="$WORK/bad"
mkdir -p "$BD"
GOODCFG="$BD/good.cfg"
write_config "$GOODCFG" bad
chmod 600 "$GOODCFG"
GOODCL="$BD/good.yaml"
cat >"$GOODCL" <<'EOC'
bad_latency:
    type: batchy
    pd_description: "bad input"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "bad_flow"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
EOC
TABLE=""

# bad KIND EXPECTED-EXIT FILE-TO-NAME PROGRAM ARGS...
bad() {
	local kind=$1 want=$2 name=$3 start; shift 3
	start=$(date +%s)
	rp "$@"
	expect "bad input: $kind: exit $want" "$want" "$RC"
	expect "bad input: $kind: one line on stderr" 1 "$(printf '%s\n' "$ERR" | grep -c .)"
	expect "bad input: $kind: nothing on stdout" "" "$OUT"
	[ -n "$name" ] && expect_match "bad input: $kind: names the file" "$name" "$ERR"
	expect "bad input: $kind: at once" 1 "$([ $(($(date +%s) - start)) -le 3 ] && echo 1 || echo 0)"
	TABLE="$TABLE| $kind | $RC | \`$(printf '%s' "$ERR" | sed "s|$BD/||g; s|^[a-z-]*: ||" | cut -c1-150)\` |
"
}
cfg() { printf '%s' "$1" >"$BD/$2"; chmod 600 "$BD/$2"; }
lat_cfg() { bad "$1" 78 "$2" rp-latency-check -f "$BD/$2" -y "$GOODCL" --now 2026-12-07T10:00; }
lat_cl() { bad "$1" 78 "$2" rp-latency-check -f "$GOODCFG" -y "$BD/$2" --now 2026-12-07T10:00; }

# etl.cfg
head -c 300 "$GOODCFG" | sed '$ s/$/[redis/' >"$BD/trunc.cfg"; chmod 600 "$BD/trunc.cfg"
lat_cfg "etl.cfg truncated mid-line" trunc.cfg
python3 -c 'import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(4096)))' >"$BD/garbage.cfg"
lat_cfg "etl.cfg of binary garbage" garbage.cfg
cfg "[timezone]
timezone = $(head -c 100000 /dev/zero | tr '\0' A)
" long.cfg
lat_cfg "etl.cfg with a 100 kB line" long.cfg
cfg "$(sed 's|^timezone = .*|timezone = Am\xe9rica/New_York|' "$GOODCFG")" latin1.cfg
lat_cfg "etl.cfg not UTF-8 (Latin-1 é in a zone)" latin1.cfg
cfg "$(sed "s|^port = $REDIS_PORT$|port = -1|" "$GOODCFG")" neg.cfg
lat_cfg "etl.cfg negative port" neg.cfg
cfg "$(sed "s|^port = $REDIS_PORT$|port = 99999999999999999999|" "$GOODCFG")" huge.cfg
lat_cfg "etl.cfg port of 20 digits" huge.cfg
cfg "" empty.cfg
lat_cfg "etl.cfg empty" empty.cfg
printf '[timezone]\ntimezone = UTC\0\n' >"$BD/nul.cfg"; chmod 600 "$BD/nul.cfg"
lat_cfg "etl.cfg with a NUL byte" nul.cfg
cfg "$(sed 's|^timeout_sec = 10$|timeout_sec = 0|' "$GOODCFG")" zero.cfg
lat_cfg "etl.cfg timeout_sec = 0" zero.cfg
bad "etl.cfg missing" 78 nowhere.cfg rp-latency-check -f "$BD/nowhere.cfg" -y "$GOODCL"

# checklist.yaml
head -c 150 "$GOODCL" >"$BD/trunc.yaml"
lat_cl "checklist truncated mid-mapping" trunc.yaml
python3 -c 'import random,sys; r=random.Random(8); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(4096)))' >"$BD/garbage.yaml"
lat_cl "checklist of binary garbage" garbage.yaml
python3 -c 'print("bad_latency: " + "[" * 100000)' >"$BD/deep.yaml"
lat_cl "checklist nested 100000 deep" deep.yaml
python3 -c 'print("x: &a [1]\n" + "".join("l%d: &l%d [%s]\n" % (i, i, ",".join(["*a" if i == 0 else "*l%d" % (i - 1)] * 9)) for i in range(9)))' >"$BD/laughs.yaml"
lat_cl "checklist with anchors and aliases (billion laughs)" laughs.yaml
sed 's/"bad input"/"caf\xe9"/' "$GOODCL" >"$BD/latin1.yaml"
lat_cl "checklist not UTF-8" latin1.yaml
for t in 24:00 7:5 25:61 -1:00 "9:00pm"; do
	sed "s/check_time: \"09:00\"/check_time: \"$t\"/" "$GOODCL" >"$BD/time.yaml"
	lat_cl "check_time \"$t\"" time.yaml
done
for n in -5 0 1e100 99999999999999999999; do
	sed "s/poll_sec: 60/poll_sec: $n/" "$GOODCL" >"$BD/num.yaml"
	lat_cl "poll_sec $n" num.yaml
done
python3 -c 'print("bad_latency:\n    type: batchy\n    pd_description: \"" + "x" * 1000000 + "\"")' >"$BD/longline.yaml"
lat_cl "checklist with a 1 MB line" longline.yaml
cat "$GOODCL" "$GOODCL" >"$BD/dup.yaml"
lat_cl "checklist with a check twice" dup.yaml
sed 's/type: batchy/type: \&t batchy/; s/wf_name: "bad_flow"/wf_name: *t/' "$GOODCL" >"$BD/alias.yaml"
lat_cl "checklist with an anchor and an alias" alias.yaml

# Command lines
bad "--now 2026-13-45T99:99" 64 "" rp-latency-check -f "$GOODCFG" -y "$GOODCL" --now 2026-13-45T99:99
bad "--now empty" 64 "" rp-latency-check -f "$GOODCFG" -y "$GOODCL" --now ""
bad "rp-silence for -5m" 64 "" rp-silence -f "$GOODCFG" -y "$GOODCL" bad_latency -5m
bad "rp-silence for 99999d" 64 "" rp-silence -f "$GOODCFG" -y "$GOODCL" bad_latency 99999d
bad "an unknown option" 64 "" rp-status -f "$GOODCFG" -y "$GOODCL" --frobnicate

if [ -n "${BADINPUT_TABLE:-}" ]; then
	echo "| input | exit | what the program said (stderr) |"
	echo "| --- | --- | --- |"
	printf '%s' "$TABLE"
fi
