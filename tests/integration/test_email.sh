# rp-email-check end to end: real Dovecot (in Asia/Tokyo, so INTERNALDATE
# carries +0900), real redis-server, fake PagerDuty.
# Sourced by tests/run-tests.sh (see tests/lib.sh for the helpers).

ECFG="$WORK/email.cfg"
ECL="$WORK/email.yaml"
write_email_config "$ECFG" "imap://127.0.0.1:$IMAP_PORT" INBOX
cat >"$ECL" <<'EOC'
vendor_reports:
    type: email
    pd_description: "vendor reports"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: ['reports@vendor.example', 'Backup@Other.Example']
    delivery_time: 03:00
    check_time: 03:15
    subjects:
        - "Daily report"
        - "Résumé quotidien"
        - "Good - You look OK!"
gmail_digest:
    type: email
    pd_description: "a digest in Gmail's All Mail"
    pd_service: "abcdefabcdefabcdefabcdefabcdef12"
    senders: [digest@news.example]
    delivery_time: "05:00"
    check_time: "06:00"
    subject_match: contains
    subjects: ["weekly digest"]
nightly_orders_latency:
    type: batchy
    pd_description: "not an email check"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "orders_intraday"
    check_time: "09:00"
    poll_sec: 180
    latency_min: 60
EOC
em() { rp rp-email-check -f "$ECFG" -y "$ECL" "$@"; }
logins() { grep -c 'imap-login: Info: Login: user=<robot>' "$WORK/dovecot/dovecot.log" || true; }
flags() { # FETCH FLAGS of the first four messages, \Recent left out (a session flag)
	curl -s "imap://127.0.0.1:$IMAP_PORT/INBOX" --user "robot:$IMAP_PASSWORD" -X 'FETCH 1:4 (UID FLAGS)' |
		sed 's/\\Recent//; s/  */ /g; s/ )/)/g; s/( /(/g' | sort
}
pd_reset

# 2026-11-26: 03:00 EST is 08:00 UTC is 17:00 in Tokyo.
# Before delivery_time, from a sender: ignored.
seed_mail early "2026-11-26 07:50:00 UTC" "" <<'EOM'
From: reports@vendor.example
Subject: Daily report
Date: Thu, 26 Nov 2026 02:50:00 -0500

too early
EOM
# The first subject, sender with a display name and capitals, Date in +0100.
seed_mail m1 "2026-11-26 08:05:00 UTC" "" <<'EOM'
From: "Vendor Reports, Inc" <REPORTS@vendor.example>
Subject: Daily report
Date: Thu, 26 Nov 2026 09:05:00 +0100

report
EOM
# The second, base64 encoded word, from the other sender, already read.
seed_mail m2 "2026-11-26 08:10:00 UTC" "S" <<'EOM'
From: Backup <backup@other.example>
Subject: =?UTF-8?B?UsOpc3Vtw6kgcXVvdGlkaWVu?=
Date: Thu, 26 Nov 2026 17:10:00 +0900

resume
EOM
# The third subject, but from someone else: does not count.
seed_mail m3 "2026-11-26 08:12:00 UTC" "F" <<'EOM'
From: eve@evil.example
Subject: Good - You look OK!

not from a sender
EOM
FLAGS_BEFORE=$(flags)

em -c vendor_reports --now 2026-11-26T03:20
expect "email: one missing is CRITICAL" 2 "$RC"
expect "email: names the missing subject" "CRITICAL vendor_reports: 1 of 3 expected emails missing since 03:00: \"Good - You look OK!\" [trigger vendor_reports/2026-11-26 sent]" "$OUT"
expect "email: one trigger keyed by the local date" "202 trigger vendor_reports/2026-11-26 critical vendor_reports: 1 of 3 expected emails missing since 03:00: \"Good - You look OK!\"" "$(pd_log)"
em -c vendor_reports --now 2026-11-26T03:25
expect "email: still missing sends nothing" 1 "$(pd_log | wc -l)"

# It arrives late: quoted-printable encoded words, folded over two lines.
seed_mail m4 "2026-11-26 08:30:00 UTC" "" <<'EOM'
From: reports@vendor.example
Subject: =?ISO-8859-1?Q?Good_-_You?=
 =?ISO-8859-1?Q?_look_OK!?=

late but here
EOM
em -c vendor_reports --now 2026-11-26T03:35
expect "email: late arrival is OK" 0 "$RC"
expect "email: all arrived" "OK vendor_reports: all 3 expected emails arrived after 03:00 [resolve vendor_reports/2026-11-26 sent]" "$OUT"
expect "email: the late arrival resolves" "202 resolve vendor_reports/2026-11-26 - -" "$(pd_log | tail -n 1)"
expect "email: flags of every message unchanged" "$FLAGS_BEFORE" "$(flags)"
expect_match "email: the flags were there to keep" 'Seen' "$FLAGS_BEFORE"

# Today's success is recorded: later runs today do not log in.
before=$(logins)
em --now 2026-11-26T03:40 -v
expect_match "email: recorded success, OK" '^OK vendor_reports: all 3 expected emails arrived today \(recorded earlier\)$' "$OUT"
expect "email: recorded success, no login" "$before" "$(logins)"
expect_match "email: not due before check_time" '^SKIPPED gmail_digest: not due before 06:00$' "$OUT"
expect_no_match "email: latency checks are not ours" 'nightly_orders_latency' "$OUT"

# The next day is a new episode; a third day resolves the second's.
pd_reset
em -c vendor_reports --now 2026-11-27T03:20
expect "next day: CRITICAL again" 2 "$RC"
expect "next day: a new key" "202 trigger vendor_reports/2026-11-27" "$(pd_log | cut -d' ' -f1-3)"
em -c vendor_reports --now 2026-11-28T03:20
# Two incidents, delivered at once: in either order.
expect "third day: new trigger, previous day resolved" "202 resolve vendor_reports/2026-11-27
202 trigger vendor_reports/2026-11-28" "$(pd_log | tail -n 2 | cut -d' ' -f1-3 | sort)"
em -c vendor_reports --now 2026-11-28T03:21 --json
expect_match "third day: --json names the episode's action" '"status":"CRITICAL".*"action":"none"' "$OUT"

# Several checks of one run share one login; a mailbox with brackets and a
# space (Gmail's) works.
seed_mail g1 "2026-11-29 10:30:00 UTC" "" ".[Gmail].All Mail" <<'EOM'
From: News <digest@news.example>
Subject: Your Weekly Digest, issue 12

digest
EOM
GCFG="$WORK/gmail.cfg"
write_email_config "$GCFG" "imap://127.0.0.1:$IMAP_PORT" "[Gmail]/All Mail"
before=$(logins)
rp rp-email-check -f "$GCFG" -y "$ECL" --now 2026-11-29T06:05
expect "gmail: two due checks in one run, one login" "$((before + 1))" "$(logins)"
expect "gmail: the digest is found (contains, any case)" "OK gmail_digest: all 1 expected emails arrived after 05:00" "$(printf '%s\n' "$OUT" | grep gmail_digest)"
expect_match "gmail: the other check searched the same mailbox" '^CRITICAL vendor_reports: 3 of 3 expected emails missing since 03:00' "$OUT"

# Failures: UNKNOWN with one line that never holds the password.
pd_reset
BAD="$WORK/badpw.cfg"
write_email_config "$BAD" "imap://127.0.0.1:$IMAP_PORT" INBOX
sed -i "s/^password = .*/password = $(printf 'wrong-pass' | base64)/" "$BAD"
rp rp-email-check -f "$BAD" -y "$ECL" -c vendor_reports --now 2026-11-30T03:20
expect "wrong password: UNKNOWN" 3 "$RC"
expect "wrong password: says so" "UNKNOWN vendor_reports: IMAP imap://127.0.0.1:$IMAP_PORT refused the login of robot" "$OUT"
expect_no_match "wrong password: never printed" 'wrong-pass|s3cret' "$OUT$ERR"
NOBOX="$WORK/nobox.cfg"
write_email_config "$NOBOX" "imap://127.0.0.1:$IMAP_PORT" "Reports/Vendor"
rp rp-email-check -f "$NOBOX" -y "$ECL" -c vendor_reports --now 2026-11-30T03:20
expect "missing mailbox: UNKNOWN" 3 "$RC"
expect_match "missing mailbox: names it" 'mailbox "Reports/Vendor" cannot be opened: NO' "$OUT"
TLS="$WORK/tls.cfg"
write_email_config "$TLS" "imaps://127.0.0.1:$IMAPS_PORT" INBOX
rp rp-email-check -f "$TLS" -y "$ECL" -c vendor_reports --now 2026-11-30T03:20
expect "untrusted certificate: UNKNOWN" 3 "$RC"
expect_match "untrusted certificate: TLS named" "IMAP imaps://127.0.0.1:$IMAPS_PORT: TLS failed: .*certificate" "$OUT"
write_email_config "$TLS" "imaps://127.0.0.1:$IMAPS_PORT" INBOX "ca_file = $IMAP_CA"
rp rp-email-check -f "$TLS" -y "$ECL" -c vendor_reports --now 2026-11-30T03:20
expect_match "ca_file: TLS works, the check runs" '^CRITICAL vendor_reports: 3 of 3 expected emails missing' "$OUT"
expect_no_match "no secret in any event" 's3cret|SECRET-API-ACCESS-KEY' "$(pd_events)"

# Passwords from a file or the environment instead of the file's base64.
PWF="$WORK/pwfile"
printf '%s\n' "$IMAP_PASSWORD" >"$PWF"
write_email_config "$TLS" "imap://127.0.0.1:$IMAP_PORT" INBOX
sed -i "s|^password = .*|password_file = $PWF|" "$TLS"
rp rp-email-check -f "$TLS" -y "$ECL" -c gmail_digest --now 2026-11-30T06:05
expect_match "password_file: logs in" '^CRITICAL gmail_digest: 1 of 1 expected emails missing' "$OUT"
sed -i "s|^password_file = .*|password_env = RP_TEST_MAILPW|" "$TLS"
RP_TEST_MAILPW="$IMAP_PASSWORD" rp rp-email-check -f "$TLS" -y "$ECL" -c gmail_digest --now 2026-11-30T06:05
expect_match "password_env: logs in" '^CRITICAL gmail_digest' "$OUT"
rp rp-email-check -f "$TLS" -y "$ECL" -c gmail_digest --now 2026-11-30T06:05
expect "password_env unset: configuration error" 78 "$RC"
expect_match "password_env unset: says which" 'password_env: \$RP_TEST_MAILPW is not set' "$ERR"
rp rp-email-check -f "$ECFG" -y "$ECL" -c nightly_orders_latency
expect "a latency check given to rp-email-check: usage error" 64 "$RC"

# A server that accepts the connection and never answers: UNKNOWN within
# timeout_sec, not a hang.
SILENT_PORT=$(free_port)
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
conns=[]
while True:
    c,_=s.accept(); conns.append(c)' "$SILENT_PORT" &
PIDS="$PIDS $!"
wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SILENT_PORT"
SIL="$WORK/silent.cfg"
write_email_config "$SIL" "imap://127.0.0.1:$SILENT_PORT" INBOX
sed -i 's/^timeout_sec = 5$/timeout_sec = 1/' "$SIL"
rp rp-email-check -f "$SIL" -y "$ECL" -c vendor_reports --now 2026-11-30T03:20
expect "silent server: UNKNOWN" 3 "$RC"
expect "silent server: no answer within the timeout" "UNKNOWN vendor_reports: IMAP imap://127.0.0.1:$SILENT_PORT: no answer within 1000 ms" "$OUT"

# "@dom.example" in senders: anyone at that domain, and only that domain.
# Dovecot's FROM "@dom.example" is a substring search, so the subdomain's
# and the longer domain's messages are candidates too; they must not count.
DCL="$WORK/domain.yaml"
cat >"$DCL" <<'EOC'
domain_reports:
    type: email
    pd_description: "anyone at dom.example"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: ['@dom.example']
    delivery_time: 03:00
    check_time: 03:15
    subjects: ["Domain report", "Sub report", "Evil report"]
EOC
seed_mail d1 "2026-12-05 08:05:00 UTC" "" <<'EOM'
From: "Dom" <Anyone@DOM.example>
Subject: Domain report

from the domain
EOM
seed_mail d2 "2026-12-05 08:06:00 UTC" "" <<'EOM'
From: x@sub.dom.example
Subject: Sub report

from a subdomain
EOM
seed_mail d3 "2026-12-05 08:07:00 UTC" "" <<'EOM'
From: x@dom.example.evil
Subject: Evil report

from a longer domain
EOM
pd_reset
rp rp-email-check -f "$ECFG" -y "$DCL" -c domain_reports --now 2026-12-05T03:20
expect "domain sender: anyone at the domain counts, a subdomain or a longer domain does not" \
	"CRITICAL domain_reports: 2 of 3 expected emails missing since 03:00: \"Sub report\", \"Evil report\" [trigger domain_reports/2026-12-05 sent]" "$OUT"
sed -i "s/senders: \['@dom.example'\]/senders: ['@dom.example', '@sub.dom.example', '@dom.example.evil']/" "$DCL"
rp rp-email-check -f "$ECFG" -y "$DCL" -c domain_reports --now 2026-12-05T03:25
expect "domain senders: each domain its own, all three found" \
	"OK domain_reports: all 3 expected emails arrived after 03:00 [resolve domain_reports/2026-12-05 sent]" "$OUT"
sed -i "s/senders: \[.*\]/senders: [dom.example]/" "$DCL"
rp rp-email-check -f "$ECFG" -y "$DCL" -c domain_reports --now 2026-12-05T03:30
expect "bare domain in senders: configuration error" 78 "$RC"
expect_match "bare domain in senders: says what to write" 'senders: "dom.example" is not an email address \(for anyone at that domain, write "@dom.example"\)$' "$ERR"
