#define UNIT_NAME "imap"
#include <string.h>

#include "clock.h"
#include "imap.h"
#include "servers.h"
#include "unit.h"

static const char *
utc(time_t t)
{
	static char b[RP_UTC_LEN];
	rp_clock_format_utc(t, b);
	return b;
}

START_TEST(dates)
{
	time_t t;

	ck_assert_int_eq(rp_imap_parse_date("26-Nov-2026 08:05:00 +0000", &t), 0);
	ck_assert_str_eq(utc(t), "2026-11-26T08:05:00Z");
	ck_assert_int_eq(rp_imap_parse_date(" 6-Nov-2026 08:05:00 +0100", &t), 0);
	ck_assert_str_eq(utc(t), "2026-11-06T07:05:00Z");
	ck_assert_int_eq(rp_imap_parse_date("6-nov-2026 23:30:00 -0530", &t), 0);
	ck_assert_str_eq(utc(t), "2026-11-07T05:00:00Z");
	ck_assert_int_eq(rp_imap_parse_date("26-Foo-2026 08:05:00 +0000", &t), -1);
	ck_assert_int_eq(rp_imap_parse_date("26-Nov-2026 24:05:00 +0000", &t), -1);
	ck_assert_int_eq(rp_imap_parse_date("26-Nov-2026 08:05:00", &t), -1);
	ck_assert_int_eq(rp_imap_parse_date("26-Nov-2026 08:05:00 +0000x", &t), -1);
	ck_assert_int_eq(rp_imap_parse_date("", &t), -1);
}
END_TEST

START_TEST(criteria)
{
	struct rp_buf b = {0};
	char a[] = "a@x.example", q[] = "we\"ird\\@x.example", bad[] = "caf\xc3\xa9@x.example";
	char *one[] = {a}, *two[] = {a, q}, *three[] = {a, a, bad};
	time_t t;

	ck_assert_int_eq(rp_clock_parse_iso("2026-11-26T08:00:00Z", 0, &t), 0);
	ck_assert_int_eq(rp_imap_criteria(&b, t, one, 1), 0);
	ck_assert_str_eq(b.data, "SINCE 25-Nov-2026 FROM \"a@x.example\"");
	rp_buf_free(&b);
	ck_assert_int_eq(rp_imap_criteria(&b, t, two, 2), 0);
	ck_assert_str_eq(b.data,
	    "SINCE 25-Nov-2026 OR FROM \"a@x.example\" FROM \"we\\\"ird\\\\@x.example\"");
	rp_buf_free(&b);
	ck_assert_int_eq(rp_imap_criteria(&b, t, three, 3), -1);
	rp_buf_free(&b);
	/* A domain sender is searched as the substring "@domain": the exact
	 * domain is compared on our side (eval). */
	char dom[] = "@vendor.example", *mixed[] = {dom, a};
	ck_assert_int_eq(rp_imap_criteria(&b, t, mixed, 2), 0);
	ck_assert_str_eq(b.data,
	    "SINCE 25-Nov-2026 OR FROM \"@vendor.example\" FROM \"a@x.example\"");
	rp_buf_free(&b);
}
END_TEST

static int
fetch(const char *resp, struct rp_imap_msg *m)
{
	return rp_imap_parse_fetch(resp, strlen(resp), m);
}

START_TEST(fetch_responses)
{
	struct rp_imap_msg m;
	const char *r;

	r = "* 12 FETCH (UID 5 INTERNALDATE \"26-Nov-2026 08:05:00 +0100\" "
	    "BODY[HEADER.FIELDS (FROM SUBJECT)] {76}\r\n"
	    "From: \"V, Inc\" <a@b.example>\r\n"
	    "Subject: Daily\r\n report \"x\"\r\n"
	    "\r\n"
	    ")\r\n";
	/* The literal is 76 bytes only if counted right: */
	ck_assert_int_eq(strlen("From: \"V, Inc\" <a@b.example>\r\nSubject: Daily\r\n report \"x\"\r\n\r\n"), 61);
	ck_assert_int_eq(fetch(r, &m), -1); /* 76 announced, 61 there: malformed */
	r = "* 12 FETCH (UID 5 INTERNALDATE \"26-Nov-2026 08:05:00 +0100\" "
	    "BODY[HEADER.FIELDS (FROM SUBJECT)] {61}\r\n"
	    "From: \"V, Inc\" <a@b.example>\r\n"
	    "Subject: Daily\r\n report \"x\"\r\n"
	    "\r\n"
	    " FLAGS (\\Seen $Label))\r\n";
	ck_assert_int_eq(fetch(r, &m), 0);
	ck_assert_uint_eq(m.uid, 5);
	ck_assert_str_eq(utc(m.arrived), "2026-11-26T07:05:00Z");
	ck_assert_str_eq(m.from, " \"V, Inc\" <a@b.example>");
	ck_assert_str_eq(m.subject, " Daily\r\n report \"x\"");
	free(m.from);
	free(m.subject);
	/* Items in another order, a quoted header block, no Subject. */
	r = "* 1 FETCH (BODY[HEADER.FIELDS (FROM SUBJECT)] \"From: x@y\\r\\n\" UID 9 "
	    "INTERNALDATE \"01-Jan-2027 00:00:00 +0000\")\r\n";
	ck_assert_int_eq(fetch(r, &m), 0);
	ck_assert_uint_eq(m.uid, 9);
	ck_assert_str_eq(m.subject, "");
	free(m.from);
	free(m.subject);
	/* Not a FETCH; malformed ones. */
	ck_assert_int_eq(fetch("* 3 EXISTS\r\n", &m), 1);
	ck_assert_int_eq(fetch("* 1 FETCH (UID 1)\r\n", &m), -1);            /* no date */
	ck_assert_int_eq(fetch("* 1 FETCH (UID x INTERNALDATE \"01-Jan-2027 00:00:00 +0000\")\r\n", &m), -1);
	ck_assert_int_eq(fetch("* 1 FETCH (UID 1 BODY[HEADER {99999999}\r\n", &m), -1);
	ck_assert_int_eq(fetch("* 1 FETCH (UID 1 X (a (b) c", &m), -1);
	ck_assert_int_eq(fetch("* 1 FETCH (UID 1 INTERNALDATE \"01-Jan-2027", &m), -1);
}
END_TEST

START_TEST(search_responses)
{
	uint32_t *u = NULL;
	size_t n = 0;

	ck_assert_int_eq(rp_imap_parse_search("* SEARCH 1 5 4294967295\r\n", 25, &u, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(u[2], 4294967295u);
	ck_assert_int_eq(rp_imap_parse_search("* SEARCH\r\n", 10, &u, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(rp_imap_parse_search("* SEARCH 1 x\r\n", 14, &u, &n), -1);
	ck_assert_int_eq(rp_imap_parse_search("* SEARCH 4294967296\r\n", 21, &u, &n), -1);
	ck_assert_int_eq(rp_imap_parse_search("* 4 EXISTS\r\n", 12, &u, &n), 1);
	free(u);
}
END_TEST

static int
box_of(const char *resp, struct rp_imap_box *b)
{
	return rp_imap_parse_box(resp, strlen(resp), b);
}

START_TEST(box_responses)
{
	struct rp_imap_box b = {0, 0, -1};

	ck_assert_int_eq(box_of("* 172 EXISTS\r\n", &b), 0);
	ck_assert_int_eq(b.exists, 172);
	ck_assert_int_eq(box_of("* 0 exists\r\n", &b), 0);
	ck_assert_int_eq(b.exists, 0);
	ck_assert_int_eq(box_of("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", &b), 0);
	ck_assert_uint_eq(b.uidvalidity, 3857529045u);
	ck_assert_int_eq(box_of("* OK [UIDNEXT 4392] Predicted next UID\r\n", &b), 0);
	ck_assert_uint_eq(b.uidnext, 4392);
	/* Others are left alone; broken ones are errors. */
	ck_assert_int_eq(box_of("* 3 RECENT\r\n", &b), 1);
	ck_assert_int_eq(box_of("* OK [PERMANENTFLAGS ()] No permanent flags\r\n", &b), 1);
	ck_assert_int_eq(box_of("* FLAGS (\\Seen)\r\n", &b), 1);
	ck_assert_int_eq(box_of("* OK [UIDNEXT x] no\r\n", &b), -1);
	ck_assert_int_eq(box_of("* OK [UIDNEXT 0] no\r\n", &b), -1);
	ck_assert_int_eq(box_of("* OK [UIDVALIDITY 4294967296]\r\n", &b), -1);
	ck_assert_int_eq(box_of("* OK [UIDVALIDITY]\r\n", &b), 1); /* no number: not one */
	ck_assert_uint_eq(b.uidvalidity, 3857529045u);
	ck_assert_uint_eq(b.uidnext, 4392);
	ck_assert_int_eq(b.exists, 0);
}
END_TEST

START_TEST(quote)
{
	struct rp_buf b = {0};

	ck_assert_int_eq(rp_imap_quote(&b, "[Gmail]/All Mail"), 0);
	ck_assert_str_eq(b.data, "\"[Gmail]/All Mail\"");
	ck_assert_int_eq(rp_imap_quote(&b, "a\r\nb"), -1);
	ck_assert_str_eq(b.data, "\"[Gmail]/All Mail\"");
	rp_buf_free(&b);
}
END_TEST

/* Against the real Dovecot that tests/run-tests.sh starts. */
START_TEST(live_session)
{
	struct rp_imap_opts o = {0};
	struct rp_imap *s;
	struct rp_err err;
	char url[64];
	uint32_t *u = NULL;
	size_t n = 0;
	struct rp_imap_box box;

	snprintf(url, sizeof(url), "imap://127.0.0.1:%d", test_port("RP_TEST_IMAP_PORT"));
	o.url = url;
	o.user = "robot";
	o.password = getenv("RP_TEST_IMAP_PASSWORD");
	o.timeout_ms = 5000;
	ck_assert_ptr_nonnull(o.password);
	s = rp_imap_open(&o, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_eq(rp_imap_examine(s, "INBOX", &box, &err), 0);
	ck_assert_uint_gt(box.uidvalidity, 0);
	ck_assert_uint_gt(box.uidnext, 0);
	ck_assert_int_ge(box.exists, 0);
	ck_assert_int_eq(rp_imap_search(s, "ALL", &u, &n, &err), 0);
	ck_assert_int_eq((long)n, box.exists);
	free(u);
	ck_assert_int_eq(rp_imap_examine(s, "No Such Box", NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "mailbox \"No Such Box\" cannot be opened: NO"));
	ck_assert_int_eq(rp_imap_search(s, "BOGUS", &u, &n, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "search refused: BAD"));
	rp_imap_close(s);
	o.password = "wrong";
	ck_assert_ptr_null(rp_imap_open(&o, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "refused the login of robot"));
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, dates);
	tcase_add_test(tc, criteria);
	tcase_add_test(tc, fetch_responses);
	tcase_add_test(tc, search_responses);
	tcase_add_test(tc, box_responses);
	tcase_add_test(tc, quote);
	tcase_add_test(tc, live_session);
}
