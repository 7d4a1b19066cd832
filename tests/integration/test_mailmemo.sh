# Repeat email checks search only what arrived since the last run (the
# check's mail_memo), and decide exactly what a search of the whole day
# decides. Two prefixes watch the same Dovecot folder through one day of
# arrivals: mmA keeps its memo, mmB's is deleted before every run (so it
# searches the whole day each time); their outputs must be the same at every
# step, through a removed message, a new UIDVALIDITY, a memo that lies and
# the next day. Sourced by tests/run-tests.sh.

MM_A="$WORK/mm_a.cfg"
MM_B="$WORK/mm_b.cfg"
MM_CL="$WORK/mm.yaml"
MM_DIR="$MAILDIR/.memo"
write_email_config "$MM_A" "imap://127.0.0.1:$IMAP_PORT" memo
write_email_config "$MM_B" "imap://127.0.0.1:$IMAP_PORT" memo
sed -i 's/^prefix = em$/prefix = mmA/' "$MM_A"
sed -i 's/^prefix = em$/prefix = mmB/' "$MM_B"
cat >"$MM_CL" <<'EOC'
memo_daily:
    type: email
    pd_description: "the partner's two reports"
    pd_service: "0123456789abcdef0123456789abcdef"
    senders: [reports@memo.example, "@partner.example"]
    delivery_time: "03:00"
    check_time: "03:15"
    subjects: [Report A, Report B]
EOC
mm_n=0
mm_mail() { # mm_mail FROM SUBJECT ARRIVAL(New York, 2026-11-26 unless a date is given)
	local when=$3
	case $when in *-*) ;; *) when="2026-11-26 $when" ;; esac
	mm_n=$((mm_n + 1))
	seed_mail "mm$mm_n" "TZ=\"America/New_York\" $when" "" ".memo" <<EOM
From: $1
Subject: $2
Date: Thu, 26 Nov 2026 03:00:00 -0500

body $mm_n
EOM
}
mm_noise() { # mm_noise N ARRIVAL: N messages nobody expects
	local i
	for i in $(seq "$1"); do mm_mail "news$i@elsewhere.example" "Newsletter $i" "$2"; done
}
mm_run() { # mm_run TIME [DATE]: both prefixes, the same run; A's -v lines in MM_ERR
	local at="${2:-2026-11-26}T$1"
	redis-cli -p "$REDIS_PORT" -n 1 HDEL mmB:check:memo_daily mail_memo >/dev/null
	rp rp-email-check -f "$MM_B" -y "$MM_CL" -c memo_daily --json -v --now "$at"
	MM_OUT_B=$OUT
	rp rp-email-check -f "$MM_A" -y "$MM_CL" -c memo_daily --json -v --now "$at"
	MM_OUT_A=$OUT MM_ERR=$ERR
}
mm_same() { # mm_same NAME: A decided what B decided
	expect "mail memo $1: the same as a search of the whole day" "$MM_OUT_B" "$MM_OUT_A"
	expect_match "mail memo $1: a decision at all" '"check":"memo_daily"' "$MM_OUT_A"
}
mm_memo() { redis-cli -p "$REDIS_PORT" -n 1 HGET mmA:check:memo_daily mail_memo; }

mkdir -p "$MM_DIR/cur" "$MM_DIR/new" "$MM_DIR/tmp"
touch "$MM_DIR/maildirfolder"
chown -R dovecot:dovecot "$MM_DIR"

# Before delivery_time: the right report, too early; and noise.
mm_mail reports@memo.example "Report A" 02:50
mm_noise 5 02:55
mm_run 03:15
mm_same "03:15, both missing"
expect_match "mail memo 03:15: CRITICAL" '"status":"CRITICAL"' "$MM_OUT_A"
expect_match "mail memo: remembered with UIDVALIDITY, the UIDs examined and the count" \
	'^\{"v":1,"id":"[0-9a-f]{16}","day":"2026-11-26","uidvalidity":[1-9][0-9]*,"high":6,"exists":6,"sender":\[\],"subject":\[\]\}$' \
	"$(mm_memo)"
expect "mail memo: the record keeps its TTL" 1 "$(redis-cli -p "$REDIS_PORT" -n 1 TTL mmA:check:memo_daily | awk '{print ($1 > 0)}')"

mm_run 03:20
mm_same "03:20, nothing new"
expect_match "mail memo 03:20: nothing searched" 'memo_daily: nothing new in the mailbox since the last search' "$MM_ERR"

# One report arrives, with a near miss each way and noise.
mm_mail '"Reports" <Reports@Memo.Example>' "Report A" 03:25
mm_mail reports@memo.example "Invoice 11/26" 03:26
mm_mail stranger@else.example "Report B (forwarded)" 03:27
mm_mail x@sub.partner.example "Report B" 03:28
mm_noise 30 03:28
mm_run 03:30
mm_same "03:30, one of two arrived, near misses"
expect_match "mail memo 03:30: only the new messages searched" 'searching only the messages after UID 6' "$MM_ERR"
expect_match "mail memo 03:30: Report B still missing" '"summary":"1 of 2 expected emails missing since 03:00: \\"Report B\\""' "$MM_OUT_A"
# "Report B (forwarded)" is not the subject (subject_match exact), and
# sub.partner.example is not partner.example.
expect_match "mail memo 03:30: the near misses" '"near_miss_1":"2026-11-26T03:26 from reports@memo.example: Invoice 11/26","near_miss_2":"2026-11-26T03:28 from x@sub.partner.example: Report B"\}' "$MM_OUT_A"
expect_match "mail memo: keeps the expected sender's messages" '"sender":\[\[[0-9]+,[0-9]+," \\"Reports\\" <Reports@Memo.Example>"," Report A"\],\[[0-9]+,[0-9]+," reports@memo.example"," Invoice 11/26"\]\]' "$(mm_memo)"
expect_match "mail memo: keeps an expected subject from another sender" '"subject":\[.*" x@sub.partner.example"," Report B"\]' "$(mm_memo)"
expect "mail memo: no newsletter kept" "" "$(mm_memo | grep -o Newsletter || true)"

mm_run 03:31
mm_same "03:31, nothing new, near misses remembered"

# A message removed (a filter moved the near miss away): the whole day again.
rm -f "$MM_DIR"/new/mm9 "$MM_DIR"/cur/mm9*
mm_run 03:35
mm_same "03:35, a message removed"
expect_match "mail memo 03:35: searched again" 'the whole day searched again: messages were removed' "$MM_ERR"

# A new UIDVALIDITY (the folder's UID list rebuilt).
rm -f "$MM_DIR/dovecot-uidlist" "$MM_DIR"/dovecot.index*
mm_noise 2 03:36
mm_run 03:40
mm_same "03:40, a new UIDVALIDITY"
expect_match "mail memo 03:40: searched again" "the whole day searched again: the mailbox's UIDs changed" "$MM_ERR"

# A memo that lies: a UID the mailbox has not reached, then garbage.
redis-cli -p "$REDIS_PORT" -n 1 HSET mmA:check:memo_daily mail_memo \
	"$(mm_memo | sed -E 's/"high":[0-9]+/"high":999999/')" >/dev/null
mm_run 03:41
mm_same "03:41, a memo past the mailbox's UIDs"
expect_match "mail memo 03:41: not believed" "the mailbox's UIDs changed" "$MM_ERR"
redis-cli -p "$REDIS_PORT" -n 1 HSET mmA:check:memo_daily mail_memo '{"v":1,"sender":[[' >/dev/null
mm_run 03:42
mm_same "03:42, an unreadable memo"
expect_match "mail memo 03:42: not used" "what was remembered is unreadable" "$MM_ERR"

# The second report, from the partner's domain: OK, and nothing searched after.
mm_mail reports@partner.example "Report B" 03:44
mm_run 03:45
mm_same "03:45, both arrived"
expect_match "mail memo 03:45: OK" '"status":"OK"' "$MM_OUT_A"

# The next day: yesterday's memo is not used, yesterday's mail does not count.
mm_mail reports@memo.example "Report A" "2026-11-27 03:05"
mm_run 03:20 2026-11-27
mm_same "the next day"
expect_match "mail memo, next day: searched again" "the whole day searched again: a new day, mailbox or check" "$MM_ERR"
expect_match "mail memo, next day: Report B missing" '1 of 2 expected emails missing' "$MM_OUT_A"
mm_mail reports@memo.example "Report B" "2026-11-27 03:21"
mm_run 03:25 2026-11-27
mm_same "the next day, both"
