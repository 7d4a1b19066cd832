# robopager: the earlier tool's command line over both programs.
# Sourced by tests/run-tests.sh (see tests/lib.sh for the helpers).

RCFG="$WORK/robopager.cfg"
RCL="$WORK/robopager.yaml"
write_email_config "$RCFG" "imap://127.0.0.1:$IMAP_PORT" INBOX
sed -i 's/^prefix = em$/prefix = rb/' "$RCFG"
chmod 600 "$RCFG"
cat >"$RCL" <<'EOC'
rb_latency:
    type: batchy
    pd_description: "latency"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "rb_flow"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
rb_email:
    type: email
    pd_description: "email"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: [nobody@rb.example]
    delivery_time: "09:00"
    check_time: "09:00"
    subjects: ["never sent"]
EOC
pd_reset
wf_set rb_flow '{"status":"success","batch_start":"2026-12-01T14:00:00","batch_end":"2026-12-01T14:50:00"}'

rp robopager -f "$RCFG" -y "$RCL" --now 2026-12-01T10:00
expect "robopager: both programs run, worst status (CRITICAL email over OK latency)" 2 "$RC"
expect "robopager: one line per check, latency first" "OK rb_latency: rb_flow: completed 10 min ago (limit 60)
CRITICAL rb_email: 1 of 1 expected emails missing since 09:00: \"never sent\" [trigger rb_email/2026-12-01 sent]" "$OUT"
expect "robopager: each program's run recorded" "2" "$(redis-cli -p "$REDIS_PORT" -n 1 --scan --pattern 'rb:run:*' | wc -l)"
rp robopager -f "$RCFG" -y "$RCL" -c rb_latency --now 2026-12-01T10:00:30
expect "robopager -c: through the right program" "OK rb_latency: rb_flow: completed 10 min ago (limit 60)" "$OUT"
rp robopager -f "$RCFG" -y "$RCL" -c rb_email --now 2026-12-01T10:00:30
expect "robopager -c email: CRITICAL" 2 "$RC"
rp robopager -f "$RCFG" -y "$RCL" -c nope
expect "robopager -c unknown: usage error" 64 "$RC"
sed 's/^type = email, batchy$/type = batchy/' "$RCFG" >"$WORK/rb-batchy.cfg"
chmod 600 "$WORK/rb-batchy.cfg"
rp robopager -f "$WORK/rb-batchy.cfg" -y "$RCL" --now 2026-12-01T10:05
expect "robopager: only what [function_type] enables" "OK rb_latency: rb_flow: completed 15 min ago (limit 60)" "$OUT"
expect "robopager: a check no program enabled evaluates is said on every run" \
	"robopager: $WORK/rb-batchy.cfg: 1 check is never evaluated: [function_type] type leaves out its program (rb_email); add its type to type" \
	"$(noclock "$ERR")"
rp rp-heartbeat -f "$WORK/rb-batchy.cfg" -y "$RCL" --now 2026-12-01T10:06 -n
expect_match "heartbeat: such a check makes robopager unhealthy" \
	'^CRITICAL robopager: robopager unhealthy on .*: 1 check is never evaluated: \[function_type\] type leaves out its program \(rb_email\)' "$OUT"
rp robopager -f "$WORK/rb-batchy.cfg" -y "$RCL" --now 2026-12-01T10:05 --bogus
expect "robopager: bad option" 64 "$RC"

# The earlier tool's cron line with only "python3 -m robopager." taken away:
# -p is the configuration, -cf NAME is accepted with one note, anywhere.
pd_reset
wf_set rb_flow '{"status":"success","batch_start":"2026-12-02T14:00:00","batch_end":"2026-12-02T14:50:00"}'
rp robopager -c rb_email -y "$RCL" -cf core -p "$RCFG" --now 2026-12-02T10:00
expect "robopager -cf core -p: the check runs (CRITICAL, paged)" 2 "$RC"
expect "robopager -cf core -p: its line (the day before resolved, today's paged)" "CRITICAL rb_email: 1 of 1 expected emails missing since 09:00: \"never sent\" [resolve rb_email/2026-12-01 sent] [trigger rb_email/2026-12-02 sent]" "$OUT"
# Two incidents' events go out at once: in either order.
expect "robopager -cf core -p: PagerDuty got them" "202 resolve rb_email/2026-12-01
202 trigger rb_email/2026-12-02" "$(pd_log | cut -d' ' -f1-3 | sort)"
expect "robopager -cf core: one note on stderr" "robopager: -cf core ignored (the earlier tool's choice of configuration reader; etl.cfg is read as a whole)" "$(noclock "$ERR")"
rp robopager -cf core -p "$RCFG" -y "$RCL" -c rb_latency --now 2026-12-02T10:00
expect "robopager -cf first, -p later: runs" "OK rb_latency: rb_flow: completed 10 min ago (limit 60)" "$OUT"
rp robopager -c rb_latency -y "$RCL" -p"$RCFG" -cf=core --now 2026-12-02T10:01
expect "robopager -pFILE -cf=NAME: as argparse took them" "OK rb_latency: rb_flow: completed 11 min ago (limit 60)" "$OUT"
rp robopager -c rb_latency -y "$RCL" -p "$RCFG" -cf
expect "robopager -cf without a name: usage error" 64 "$RC"
expect_match "robopager -cf without a name: says so" '^robopager: -cf needs an argument' "$ERR"
for p in rp-latency-check rp-email-check rp-heartbeat rp-status rp-silence; do
	rp "$p" -p "$RCFG" -y "$RCL"
	expect "$p refuses -p (robopager's alone)" 64 "$RC"
done
