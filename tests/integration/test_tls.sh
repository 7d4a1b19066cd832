# TLS: certificates and host names are verified for HTTPS (batchy,
# PagerDuty) and IMAPS; ca_file per service trusts a private CA; turning
# verification off takes an explicit key and warns on every run; plain text
# to another host warns too. Sourced by tests/run-tests.sh.

TLSD="$WORK/tls"
mkdir -p "$TLSD"
# The certificate Dovecot uses (localhost, 127.0.0.1), and one for another
# name, to prove host names are checked.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=wrong.example" \
	-addext "subjectAltName=DNS:wrong.example" \
	-keyout "$TLSD/wrong-key.pem" -out "$TLSD/wrong.pem" >/dev/null 2>&1
FAKE_TLS_CERT="$IMAP_CA" FAKE_TLS_KEY="$WORK/dovecot/key.pem" start_fake batchy TLSB
FAKE_TLS_CERT="$TLSD/wrong.pem" FAKE_TLS_KEY="$TLSD/wrong-key.pem" start_fake batchy WRONGB
FAKE_TLS_CERT="$IMAP_CA" FAKE_TLS_KEY="$WORK/dovecot/key.pem" start_fake pagerduty TLSPD
for p in $TLSB_PORT $WRONGB_PORT; do
	curl -s -k -X PUT --data '{"status":"success","batch_start":"2026-12-05T14:00:00","batch_end":"2026-12-05T14:50:00"}' \
		"https://127.0.0.1:$p/_set/tls_flow" >/dev/null
done

TCFG="$WORK/tls.cfg"
TYAML="$WORK/tls.yaml"
cat >"$TYAML" <<'EOC'
tls_latency:
    type: batchy
    pd_description: "tls"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "tls_flow"
    check_time: "00:00"
    poll_sec: 60
    latency_min: 60
EOC
tls_cfg() { # tls_cfg BATCHY_PORT [batchy lines] : TCFG for the HTTPS batchy
	write_config "$TCFG" tls
	chmod 600 "$TCFG"
	python3 - "$TCFG" "$@" <<'EOP'
import sys
path, port, lines = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(path).read()
new = "[batchy]\nserver = https://127.0.0.1:%s\n%s" % (port, "".join(l + "\n" for l in lines))
open(path, "w").write(text.replace("[batchy]\nserver = 127.0.0.1\n", new, 1))
EOP
}
tl() { rp rp-latency-check -f "$TCFG" -y "$TYAML" --now 2026-12-05T10:00 -c tls_latency; }

tls_cfg "$TLSB_PORT"
tl
expect "https: a certificate nobody vouches for is UNKNOWN" 3 "$RC"
expect_match "https: says so" '^UNKNOWN tls_latency: .*(certificate|SSL)' "$OUT"
tls_cfg "$TLSB_PORT" "ca_file = $IMAP_CA"
tl
expect "https: ca_file trusts the private CA" "0 OK tls_latency" "$RC $(printf '%s' "$OUT" | cut -d: -f1)"
expect "https: and no warning" "" "$(noclock "$ERR")"
tls_cfg "$WRONGB_PORT" "ca_file = $TLSD/wrong.pem"
tl
expect "https: a trusted certificate for another host name is refused" 3 "$RC"
expect_match "https: names the host name problem" '^UNKNOWN tls_latency: .*(name|host)' "$OUT"
tls_cfg "$TLSB_PORT" "tls_verify = False"
tl
expect "https: tls_verify = False connects" 0 "$RC"
expect_match "https: and warns on every run" 'tls\.cfg: \[batchy\] tls_verify = False: batchy.s certificate is not checked' "$ERR"
tl
expect_match "https: every run" 'tls_verify = False' "$ERR"
tls_cfg "$TLSB_PORT" "tls_verify = maybe"
tl
expect "https: tls_verify takes True or False only" 78 "$RC"

# PagerDuty over HTTPS: refused without its CA, delivered with it.
wf_set tls_pd '{"status":"failure","batch_start":"2026-12-05T14:00:00","batch_end":null}'
sed 's/tls_latency/tls_pd_latency/; s/tls_flow/tls_pd/' "$TYAML" >"$WORK/tls-pd.yaml"
write_config "$TCFG" tlspd
chmod 600 "$TCFG"
sed -i "s|^events_url = .*|events_url = https://127.0.0.1:$TLSPD_PORT/v2/enqueue|" "$TCFG"
sed -i "s/^time_budget_sec = 6$/time_budget_sec = 20/" "$TCFG"
rp rp-latency-check -f "$TCFG" -y "$WORK/tls-pd.yaml" --now 2026-12-05T10:00
expect "pagerduty https: an untrusted certificate is not delivered (the CRITICAL check exits 2)" 2 "$RC"
expect_match "pagerduty https: says why, and queues it" 'trigger tls_pd_latency/failed@2026-12-05T14:00:00Z: no answer: .*(certificate|SSL).*; queued in the outbox' "$ERR"
sed -i "s|^events_url = .*|&\nca_file = $IMAP_CA|" "$TCFG"
rp rp-latency-check -f "$TCFG" -y "$WORK/tls-pd.yaml" --now 2026-12-05T10:01
expect_match "pagerduty https: with ca_file the outbox is delivered" 'outbox: 1 earlier event delivered' "$ERR"
expect "pagerduty https: PagerDuty has it" "202 trigger tls_pd_latency/failed@2026-12-05T14:00:00Z" \
	"$(curl -s -k "https://127.0.0.1:$TLSPD_PORT/_log" | cut -d' ' -f1-3)"

# IMAPS: verification off connects to Dovecot's self-signed certificate,
# with a warning; plain text to another host warns.
ICFG="$WORK/tls-imap.cfg"
write_email_config "$ICFG" "imaps://127.0.0.1:$IMAPS_PORT" INBOX "tls_verify = False"
chmod 600 "$ICFG"
cat >"$WORK/tls-mail.yaml" <<'EOC'
tls_mail:
    type: email
    pd_description: "tls mail"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: [nobody@tls.example]
    delivery_time: "00:00"
    check_time: "00:01"
    subjects: [Never sent]
EOC
rp rp-email-check -f "$ICFG" -y "$WORK/tls-mail.yaml" --now 2026-12-05T10:00 -n
expect_match "imaps: tls_verify = False logs in (the mail is missing: CRITICAL)" '^CRITICAL tls_mail: ' "$OUT"
expect_match "imaps: and warns" '\[google_apps\] tls_verify = False: the IMAP server.s certificate is not checked' "$ERR"
sed -i "s|^imap_url = .*|imap_url = imap://mail.tls.example|" "$ICFG"
rp rp-email-check -f "$ICFG" -y "$WORK/tls-mail.yaml" --now 2026-12-05T00:00
expect_match "imap://: plain text to another host warns" 'imap_url is imap://, plain text to another host' "$ERR"
sed -i "s|^events_url = .*|events_url = http://events.tls.example/v2/enqueue|" "$ICFG"
rp rp-email-check -f "$ICFG" -y "$WORK/tls-mail.yaml" --now 2026-12-05T00:00
expect_match "http://: plain text events to another host warn" 'events_url is http://, plain text to another host' "$ERR"
