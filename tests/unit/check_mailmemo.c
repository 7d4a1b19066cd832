#define UNIT_NAME "mailmemo"
#include <stdlib.h>
#include <string.h>

#include "mailmemo.h"
#include "unit.h"

static char s_vendor[] = "reports@vendor.example", s_domain[] = "@partner.example",
    j_a[] = "Report A", j_b[] = "Report B", robot[] = "robot", inbox[] = "INBOX",
    url[] = "imaps://imap.example:993", other_box[] = "Archive", c_name[] = "daily";
static char *senders[] = {s_vendor, s_domain}, *subjects[] = {j_a, j_b};

static void
check(struct rp_check *c)
{
	memset(c, 0, sizeof(*c));
	c->name = c_name;
	c->type = RP_CHECK_EMAIL;
	c->senders = senders;
	c->nsenders = 2;
	c->subjects = subjects;
	c->nsubjects = 2;
	c->delivery_time = 3 * 60;
}

static void
config(struct rp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->imap_url = url;
	cfg->email = robot;
	cfg->mailbox = inbox;
}

static struct rp_imap_msg
msg(uint32_t uid, time_t at, const char *from, const char *subject)
{
	struct rp_imap_msg m;

	m.uid = uid;
	m.arrived = at;
	m.from = strdup(from);
	m.subject = strdup(subject);
	return m;
}

static void
setup(void)
{
	struct rp_err err;

	ck_assert_int_eq(rp_clock_set_zone("UTC", &err), 0);
}

/* Every criterion the searches depend on changes the id; nothing else. */
START_TEST(ids)
{
	struct rp_config cfg;
	struct rp_check c;
	char a[RP_MAIL_MEMO_ID_LEN], b[RP_MAIL_MEMO_ID_LEN];

	config(&cfg);
	check(&c);
	rp_mail_memo_id(&cfg, &c, a);
	ck_assert_int_eq((int)strlen(a), 16);
	c.poll_sec = 600;
	rp_mail_memo_id(&cfg, &c, b);
	ck_assert_str_eq(a, b);
	cfg.mailbox = other_box;
	rp_mail_memo_id(&cfg, &c, b);
	ck_assert_str_ne(a, b);
	config(&cfg);
	c.delivery_time = 4 * 60;
	rp_mail_memo_id(&cfg, &c, b);
	ck_assert_str_ne(a, b);
	check(&c);
	c.nsubjects = 1;
	rp_mail_memo_id(&cfg, &c, b);
	ck_assert_str_ne(a, b);
	check(&c);
	c.subject_match = RP_MATCH_CONTAINS;
	rp_mail_memo_id(&cfg, &c, b);
	ck_assert_str_ne(a, b);
	/* A sender moved into the subjects is another check. */
	check(&c);
	c.nsenders = 1;
	c.subjects = senders + 1;
	c.nsubjects = 1;
	rp_mail_memo_id(&cfg, &c, a);
	c.senders = senders;
	c.nsenders = 2;
	c.nsubjects = 0;
	rp_mail_memo_id(&cfg, &c, b);
	ck_assert_str_ne(a, b);
}
END_TEST

/* What is dumped is parsed back the same; what is parsed is dumped the same. */
START_TEST(round_trip)
{
	struct rp_mail_memo m = {0}, back;
	char *s, *again;

	rp_strlcpy(m.id, "0123456789abcdef", sizeof(m.id));
	rp_strlcpy(m.day, "2026-11-26", sizeof(m.day));
	m.uidvalidity = 4294967295u;
	m.high = 50005;
	m.exists = 50000;
	m.by_sender.m = calloc(3, sizeof(struct rp_imap_msg));
	m.by_sender.m[0] = msg(7, 1795672800, " \"Vendor\" <reports@vendor.example>", " Report A");
	m.by_sender.m[1] = msg(50001, 1795676400, "reports@vendor.example", "=?UTF-8?Q?R=C3=A9sum=C3=A9?= \"quoted\"\\");
	m.by_sender.n = 2;
	s = rp_mail_memo_dump(&m);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(rp_mail_memo_parse(s, &back), 0);
	ck_assert_str_eq(back.id, m.id);
	ck_assert_str_eq(back.day, m.day);
	ck_assert_uint_eq(back.uidvalidity, m.uidvalidity);
	ck_assert_uint_eq(back.high, 50005);
	ck_assert_int_eq(back.exists, 50000);
	ck_assert_uint_eq(back.by_sender.n, 2);
	ck_assert_uint_eq(back.by_subject.n, 0);
	ck_assert_uint_eq(back.by_sender.m[1].uid, 50001);
	ck_assert_int_eq((long)back.by_sender.m[1].arrived, 1795676400L);
	ck_assert_str_eq(back.by_sender.m[1].subject, m.by_sender.m[1].subject);
	again = rp_mail_memo_dump(&back);
	ck_assert_str_eq(again, s);
	free(again);
	free(s);
	rp_mail_memo_clear(&back);
	rp_mail_memo_clear(&m);
	ck_assert_ptr_null(m.by_sender.m);
}
END_TEST

/* Whatever is odd is refused whole (the run then searches the whole day). */
START_TEST(refused)
{
	static const char *const bad[] = {
		"",
		"null",
		"[]",
		"{\"v\":2,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":5,\"exists\":5,\"sender\":[],\"subject\":[]}",
		"{\"v\":1,\"id\":\"0123\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":5,\"exists\":5,\"sender\":[],\"subject\":[]}",
		"{\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"26/11\",\"uidvalidity\":1,\"high\":5,\"exists\":5,\"sender\":[],\"subject\":[]}",
		"{\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":0,\"high\":5,\"exists\":5,\"sender\":[],\"subject\":[]}",
		"{\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":-1,\"exists\":5,\"sender\":[],\"subject\":[]}",
		"{\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":5,\"exists\":\"5\",\"sender\":[],\"subject\":[]}",
		"{\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":5,\"exists\":5,\"sender\":[]}",
		/* a UID past high, UIDs not ascending, a missing header, a negative time */
		"{\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":5,\"exists\":5,\"sender\":[[6,1,\"a\",\"b\"]],\"subject\":[]}",
		"{\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":5,\"exists\":5,\"sender\":[[3,1,\"a\",\"b\"],[3,1,\"a\",\"b\"]],\"subject\":[]}",
		"{\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":5,\"exists\":5,\"sender\":[[3,1,\"a\"]],\"subject\":[]}",
		"{\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":5,\"exists\":5,\"sender\":[],\"subject\":[[3,-1,\"a\",\"b\"]]}",
		/* a key twice */
		"{\"v\":1,\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":5,\"exists\":5,\"sender\":[],\"subject\":[]}",
	};
	struct rp_mail_memo m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(rp_mail_memo_parse(bad[i], &m) == -1, "accepted: %s", bad[i]);
		ck_assert_ptr_null(m.by_sender.m);
		ck_assert_ptr_null(m.by_subject.m);
	}
	ck_assert_int_eq(rp_mail_memo_parse("{\"v\":1,\"id\":\"0123456789abcdef\",\"day\":\"2026-11-26\",\"uidvalidity\":1,\"high\":5,\"exists\":5,\"sender\":[[3,1,\"a\",\"b\"]],\"subject\":[]}", &m), 0);
	rp_mail_memo_clear(&m);
}
END_TEST

/* More than the limits, or a header that is not UTF-8: no memo. */
START_TEST(limits)
{
	struct rp_mail_memo m = {0};
	char *s, *big = calloc(3000, 1);
	size_t i;

	rp_strlcpy(m.id, "0123456789abcdef", sizeof(m.id));
	rp_strlcpy(m.day, "2026-11-26", sizeof(m.day));
	m.uidvalidity = 1;
	m.high = 1000;
	m.by_sender.m = calloc(RP_MAIL_MEMO_MAX + 2, sizeof(struct rp_imap_msg));
	for (i = 0; i < RP_MAIL_MEMO_MAX; i++)
		m.by_sender.m[m.by_sender.n++] = msg((uint32_t)i + 1, 1, "a@b", "x");
	s = rp_mail_memo_dump(&m);
	ck_assert_ptr_nonnull(s);
	free(s);
	m.by_sender.m[m.by_sender.n++] = msg(RP_MAIL_MEMO_MAX + 1, 1, "a@b", "x");
	ck_assert_ptr_null(rp_mail_memo_dump(&m));
	rp_mail_memo_clear(&m);

	rp_strlcpy(m.id, "0123456789abcdef", sizeof(m.id));
	rp_strlcpy(m.day, "2026-11-26", sizeof(m.day));
	m.uidvalidity = 1;
	m.high = 10;
	m.by_subject.m = calloc(2, sizeof(struct rp_imap_msg));
	m.by_subject.m[0] = msg(1, 1, "a@b", "caf\xe9");
	m.by_subject.n = 1;
	ck_assert_ptr_null(rp_mail_memo_dump(&m));
	free(m.by_subject.m[0].subject);
	memset(big, 'x', 2999);
	m.by_subject.m[0].subject = big;
	ck_assert_ptr_null(rp_mail_memo_dump(&m));
	rp_mail_memo_clear(&m);
}
END_TEST

/* Kept: arrived at or after 03:00 and from a sender or with a subject. */
START_TEST(keep)
{
	struct rp_mail_list l = {0};
	struct rp_imap_msg *add = calloc(3, sizeof(*add));
	struct rp_check c;
	time_t now = 1795665600; /* 2026-11-26 04:00 UTC */
	time_t at3 = now - 3600;

	check(&c);
	l.m = calloc(4, sizeof(*l.m));
	l.m[l.n++] = msg(9, at3 + 60, "reports@vendor.example", "Invoice");      /* sender */
	l.m[l.n++] = msg(2, at3 - 60, "reports@vendor.example", "Report A");     /* too early */
	l.m[l.n++] = msg(5, at3 + 60, "x@else.example", "=?UTF-8?Q?Report_B?="); /* subject */
	l.m[l.n++] = msg(4, at3, "news@else.example", "Newsletter");             /* neither */
	rp_mail_list_sort(&l);
	ck_assert_uint_eq(l.m[0].uid, 2);
	ck_assert_uint_eq(l.m[3].uid, 9);
	rp_mail_list_keep(&l, &c, now);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.m[0].uid, 5);
	ck_assert_uint_eq(l.m[1].uid, 9);
	add[0] = msg(10, at3 + 120, "a@partner.example", "Other");
	add[1] = msg(11, at3 + 180, "b@partner.example", "Other");
	rp_mail_list_take(&l, add, 2);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_uint_eq(l.m[3].uid, 11);
	rp_mail_list_take(&l, calloc(1, sizeof(*add)), 0);
	ck_assert_uint_eq(l.n, 4);
	rp_imap_msgs_free(l.m, l.n);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, ids);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, keep);
}
