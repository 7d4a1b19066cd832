#define UNIT_NAME "mailcheck"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "http.h"
#include "mailcheck.h"
#include "scripted.h"
#include "servers.h"
#include "unit.h"

/* What the mailbox holds is whatever the integration tests seeded (or
 * nothing yet): these tests ask for mail from senders nobody uses, and for
 * the rest rely on what they control (a check done today, the login, the
 * mailbox's name). */

static char robot[] = "robot", inbox[] = "INBOX";

static void
config(struct rp_config *cfg, char *url, int port)
{
	snprintf(url, 64, "imap://127.0.0.1:%d", port);
	memset(cfg, 0, sizeof(*cfg));
	cfg->email = robot;
	cfg->imap_url = url;
	cfg->mailbox = inbox;
	cfg->imap_timeout_sec = 15; /* Dovecot delays logins after a failed one */
	cfg->imap_tls_verify = 1;
}

static void
email_check(struct rp_check *c, char *name, char **senders, size_t nsenders, char **subjects,
    size_t nsubjects, int delivery)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->type = RP_CHECK_EMAIL;
	c->senders = senders;
	c->nsenders = nsenders;
	c->subjects = subjects;
	c->nsubjects = nsubjects;
	c->delivery_time = delivery;
	c->subject_match = RP_MATCH_EXACT;
	c->poll_sec = 60;
}

static void
setup(void)
{
	struct rp_err err;

	ck_assert_int_eq(rp_clock_set_zone("UTC", &err), 0);
	ck_assert_int_eq(rp_http_global(), 0);
}

static void
teardown(void)
{
	rp_http_cleanup();
}

/* The value of fact name in res, or "". */
static const char *
fact(const struct rp_result *res, const char *name)
{
	size_t i;

	for (i = 0; i < res->nfacts; i++)
		if (strcmp(res->facts[i].name, name) == 0)
			return res->facts[i].value;
	return "";
}

/* A check that already succeeded today is not searched: no connection is
 * made at all (the listener below would see one). */
START_TEST(done_today_not_searched)
{
	static char name[] = "daily", s0[] = "reports@vendor.example", j0[] = "Daily report",
	    j1[] = "Weekly summary";
	char *senders[] = {s0}, *subjects[] = {j0, j1}, url[64], today[RP_DATE_LEN];
	struct rp_check_state prev = {0};
	struct rp_mail_item it;
	struct rp_config cfg;
	struct rp_check c;
	time_t now = 1795000000; /* 2026-11-18T11:06:40Z */
	int port, lfd = listen_loopback(&port), conn;

	config(&cfg, url, port);
	cfg.imap_timeout_sec = 1;
	email_check(&c, name, senders, 1, subjects, 2, 8 * 60);
	rp_clock_local_date(now, today);
	ck_assert_str_eq(today, "2026-11-18");
	prev.known = 1;
	prev.status = RP_OK;
	prev.success_day = today;
	memset(&it, 0, sizeof(it));
	it.c = &c;
	it.prev = &prev;
	rp_mail_evaluate(&cfg, "unused", &it, 1, now, 5000);
	ck_assert_int_eq(it.res.status, RP_OK);
	ck_assert_str_eq(it.res.summary, "all 2 expected emails arrived today (recorded earlier)");
	ck_assert_str_eq(it.res.episode_key, "daily/2026-11-18");
	ck_assert_str_eq(fact(&it.res, "delivery_time"), "08:00");
	ck_assert_int_eq(fcntl(lfd, F_SETFL, O_NONBLOCK), 0);
	conn = accept(lfd, NULL, NULL);
	ck_assert_int_eq(conn, -1);
	ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
	close(lfd);
}
END_TEST

/* Against Dovecot, one login for the run: checks not done today are
 * searched and judged; the one done today is not; a sender that cannot be
 * searched for is told. */
START_TEST(searched)
{
	static char n0[] = "nobody_mail", n1[] = "done_mail", n2[] = "bad_sender", n3[] = "domain",
	    j0[] = "Daily report", jA[] = "Extract A", jB[] = "Extract B",
	    bad[] = "caf\xc3\xa9@x.example", dom[] = "@nowhere.invalid";
	char s0[64], *senders0[] = {s0}, *senders2[] = {bad}, *senders3[] = {dom};
	char *subjects0[] = {j0}, *subjects3[] = {jA, jB}, url[64], today[RP_DATE_LEN],
	    yesterday[RP_DATE_LEN], key[64];
	struct rp_check_state old = {0}, done = {0};
	struct rp_mail_item it[4];
	struct rp_config cfg;
	struct rp_check c[4];
	time_t now = time(NULL);
	size_t i;

	snprintf(s0, sizeof(s0), "nobody-%ld@unit.invalid", (long)getpid());
	config(&cfg, url, test_port("RP_TEST_IMAP_PORT"));
	email_check(&c[0], n0, senders0, 1, subjects0, 1, 0);
	email_check(&c[1], n1, senders0, 1, subjects0, 1, 0);
	email_check(&c[2], n2, senders2, 1, subjects0, 1, 0);
	email_check(&c[3], n3, senders3, 1, subjects3, 2, 6 * 60 + 30);
	rp_clock_local_date(now, today);
	rp_clock_local_date(now - 86400, yesterday);
	old.known = 1;
	old.success_day = yesterday; /* succeeded yesterday: today is asked */
	done.known = 1;
	done.success_day = today;
	memset(it, 0, sizeof(it));
	for (i = 0; i < 4; i++)
		it[i].c = &c[i];
	it[0].prev = &old;
	it[1].prev = &done;
	rp_mail_evaluate(&cfg, getenv("RP_TEST_IMAP_PASSWORD"), it, 4, now, 25000);

	ck_assert_int_eq(it[0].res.status, RP_CRITICAL);
	ck_assert_str_eq(it[0].res.summary,
	    "1 of 1 expected emails missing since 00:00: \"Daily report\"");
	snprintf(key, sizeof(key), "nobody_mail/%s", today);
	ck_assert_str_eq(it[0].res.episode_key, key);
	ck_assert_str_eq(fact(&it[0].res, "missing"), "1");
	ck_assert_str_eq(fact(&it[0].res, "expected"), "1");
	ck_assert_str_eq(it[0].res.success_day, "");

	ck_assert_int_eq(it[1].res.status, RP_OK);
	ck_assert_str_eq(it[1].res.summary, "all 1 expected emails arrived today (recorded earlier)");

	ck_assert_int_eq(it[2].res.status, RP_UNKNOWN);
	ck_assert_str_eq(it[2].res.summary, "a sender is not ASCII");

	ck_assert_int_eq(it[3].res.status, RP_CRITICAL);
	ck_assert_str_eq(it[3].res.summary,
	    "2 of 2 expected emails missing since 06:30: \"Extract A\", \"Extract B\"");
	ck_assert_str_eq(fact(&it[3].res, "missing"), "2");

	/* A memo for what was searched, none for what was not. */
	ck_assert_ptr_nonnull(it[0].memo);
	ck_assert_ptr_eq(it[0].res.mail_memo, it[0].memo);
	ck_assert_ptr_nonnull(strstr(it[0].memo, "\"sender\":[]"));
	ck_assert_ptr_null(it[1].memo);
	ck_assert_ptr_null(it[2].memo);
	ck_assert_ptr_nonnull(it[3].memo);
	for (i = 0; i < 4; i++)
		free(it[i].memo);
}
END_TEST

/* The next run with the memo decides the same, from the same memo. */
START_TEST(memo_reused)
{
	static char n0[] = "nobody_mail", j0[] = "Daily report";
	char s0[64], *senders0[] = {s0}, *subjects0[] = {j0}, url[64], *first;
	struct rp_check_state prev = {0};
	struct rp_mail_item it;
	struct rp_config cfg;
	struct rp_check c;
	time_t now = rp_clock_today_at(time(NULL), 12 * 60); /* both runs on one day */

	snprintf(s0, sizeof(s0), "nobody-%ld@unit.invalid", (long)getpid());
	config(&cfg, url, test_port("RP_TEST_IMAP_PORT"));
	email_check(&c, n0, senders0, 1, subjects0, 1, 0);
	memset(&it, 0, sizeof(it));
	it.c = &c;
	rp_mail_evaluate(&cfg, getenv("RP_TEST_IMAP_PASSWORD"), &it, 1, now, 25000);
	ck_assert_int_eq(it.res.status, RP_CRITICAL);
	ck_assert_ptr_nonnull(it.memo);
	first = it.memo;
	prev.known = 1;
	prev.mail_memo = first;
	memset(&it, 0, sizeof(it));
	it.c = &c;
	it.prev = &prev;
	rp_mail_evaluate(&cfg, getenv("RP_TEST_IMAP_PASSWORD"), &it, 1, now + 60, 25000);
	ck_assert_int_eq(it.res.status, RP_CRITICAL);
	ck_assert_str_eq(it.res.summary, "1 of 1 expected emails missing since 00:00: \"Daily report\"");
	ck_assert_ptr_nonnull(it.memo);
	ck_assert_str_eq(it.memo, first);
	free(it.memo);
	free(first);
}
END_TEST

/* A mailbox that cannot be opened makes every check to search UNKNOWN with
 * the server's reason; one done today stays OK. */
START_TEST(no_such_mailbox)
{
	static char n0[] = "a", n1[] = "b", n2[] = "c", s0[] = "x@unit.invalid", j0[] = "Report",
	    box[] = "No Such Box";
	char *senders[] = {s0}, *subjects[] = {j0}, url[64], today[RP_DATE_LEN];
	struct rp_check_state done = {0};
	struct rp_mail_item it[3];
	struct rp_config cfg;
	struct rp_check c[3];
	time_t now = time(NULL);
	size_t i;

	config(&cfg, url, test_port("RP_TEST_IMAP_PORT"));
	cfg.mailbox = box;
	email_check(&c[0], n0, senders, 1, subjects, 1, 0);
	email_check(&c[1], n1, senders, 1, subjects, 1, 0);
	email_check(&c[2], n2, senders, 1, subjects, 1, 0);
	rp_clock_local_date(now, today);
	done.known = 1;
	done.success_day = today;
	memset(it, 0, sizeof(it));
	for (i = 0; i < 3; i++)
		it[i].c = &c[i];
	it[1].prev = &done;
	rp_mail_evaluate(&cfg, getenv("RP_TEST_IMAP_PASSWORD"), it, 3, now, 25000);
	ck_assert_int_eq(it[0].res.status, RP_UNKNOWN);
	ck_assert_msg(strstr(it[0].res.summary, "mailbox \"No Such Box\" cannot be opened: NO") !=
	    NULL, "%s", it[0].res.summary);
	ck_assert_int_eq(it[2].res.status, RP_UNKNOWN);
	ck_assert_str_eq(it[2].res.summary, it[0].res.summary);
	ck_assert_int_eq(it[1].res.status, RP_OK);
}
END_TEST

/* A login refused makes every check to search UNKNOWN with the reason,
 * and the password appears nowhere. */
START_TEST(login_refused)
{
	static char n0[] = "a", n1[] = "b", s0[] = "x@unit.invalid", j0[] = "Report";
	char *senders[] = {s0}, *subjects[] = {j0}, url[64], want[128];
	struct rp_mail_item it[2];
	struct rp_config cfg;
	struct rp_check c[2];
	int port = test_port("RP_TEST_IMAP_PORT");

	config(&cfg, url, port);
	email_check(&c[0], n0, senders, 1, subjects, 1, 0);
	email_check(&c[1], n1, senders, 1, subjects, 1, 0);
	memset(it, 0, sizeof(it));
	it[0].c = &c[0];
	it[1].c = &c[1];
	rp_mail_evaluate(&cfg, "not-the-password-7f3a", it, 2, time(NULL), 25000);
	snprintf(want, sizeof(want), "IMAP imap://127.0.0.1:%d refused the login of robot", port);
	ck_assert_int_eq(it[0].res.status, RP_UNKNOWN);
	ck_assert_str_eq(it[0].res.summary, want);
	ck_assert_int_eq(it[1].res.status, RP_UNKNOWN);
	ck_assert_str_eq(it[1].res.summary, want);
	ck_assert_ptr_null(strstr(it[0].res.summary, "not-the-password"));
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, done_today_not_searched);
	tcase_add_test(tc, searched);
	tcase_add_test(tc, memo_reused);
	tcase_add_test(tc, no_such_mailbox);
	/* Last: Dovecot delays the logins that follow a failed one. */
	tcase_add_test(tc, login_refused);
}
