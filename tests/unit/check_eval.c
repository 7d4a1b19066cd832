#define UNIT_NAME "eval"
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "eval.h"
#include "unit.h"

static struct rp_check chk;
static char name[] = "orders", wf_name[] = "orders_intraday";

static time_t
at(const char *s)
{
	time_t t;
	ck_assert_int_eq(rp_clock_parse_iso(s, 0, &t), 0);
	return t;
}

static void
setup(void)
{
	struct rp_err err;

	ck_assert_int_eq(rp_clock_set_zone("America/New_York", &err), 0);
	memset(&chk, 0, sizeof(chk));
	chk.name = name;
	chk.type = RP_CHECK_BATCHY;
	chk.wf_name = wf_name;
	chk.latency_min = 60;
	chk.warn_pct = 80;
	chk.poll_sec = 180;
}

enum wf_status { RP_WF_NEW, RP_WF_OPEN, RP_WF_SUCCESS, RP_WF_FAILURE };

/* What batchy's source makes of an answer with this status and times. */
static struct rp_src_result
wf(enum wf_status s, const char *start, const char *end)
{
	struct rp_src_result w;

	memset(&w, 0, sizeof(w));
	w.ok = 1;
	snprintf(w.what, sizeof(w.what), "orders_intraday");
	w.start = start ? at(start) : 0;
	if (s == RP_WF_SUCCESS && end)
		w.completion = at(end);
	if (s == RP_WF_FAILURE) {
		w.failed = 1;
		w.failed_start = w.start;
	}
	return w;
}

static struct rp_src_result
unusable(const char *why)
{
	struct rp_src_result w;

	memset(&w, 0, sizeof(w));
	snprintf(w.what, sizeof(w.what), "orders_intraday");
	rp_src_fail(&w, "%s", why);
	return w;
}

START_TEST(latency_levels)
{
	struct rp_result r;
	struct rp_src_result w = wf(RP_WF_SUCCESS, "2026-11-26T14:00:00Z", "2026-11-26T14:30:00Z");

	rp_eval_freshness(&chk, &w, NULL, at("2026-11-26T15:17:59Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
	ck_assert_str_eq(r.summary, "orders_intraday: completed 47 min ago (limit 60)");
	rp_eval_freshness(&chk, &w, NULL, at("2026-11-26T15:18:00Z"), &r);
	ck_assert_int_eq(r.status, RP_WARNING);
	ck_assert_str_eq(r.summary, "orders_intraday: no completion for 48 min (limit 60)");
	rp_eval_freshness(&chk, &w, NULL, at("2026-11-26T15:29:59Z"), &r);
	ck_assert_int_eq(r.status, RP_WARNING);
	rp_eval_freshness(&chk, &w, NULL, at("2026-11-26T15:30:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.summary, "orders_intraday: no completion for 60 min (limit 60)");
	ck_assert_str_eq(r.episode_key, "orders/overdue@2026-11-26T14:30:00Z");
	ck_assert(r.completion == at("2026-11-26T14:30:00Z"));
	/* No wrap at 24 hours: two days late is two days late. */
	rp_eval_freshness(&chk, &w, NULL, at("2026-11-28T14:40:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.summary, "orders_intraday: no completion for 2890 min (limit 60)");
	/* A completion a little ahead (clocks apart by less than the
	 * tolerance) is 0 minutes, not negative. */
	rp_eval_freshness(&chk, &w, NULL, at("2026-11-26T14:26:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
	ck_assert_str_eq(r.summary, "orders_intraday: completed 0 min ago (limit 60)");
	/* warn_pct 100: no warning before the limit. */
	chk.warn_pct = 100;
	rp_eval_freshness(&chk, &w, NULL, at("2026-11-26T15:29:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
}
END_TEST

START_TEST(latency_across_dst)
{
	struct rp_result r;
	/* 01:00 EDT to 01:30 EST on 2026-11-01 is 90 minutes. */
	struct rp_src_result w = wf(RP_WF_SUCCESS, "2026-11-01T04:00:00Z", "2026-11-01T05:00:00Z");

	chk.latency_min = 120;
	rp_eval_freshness(&chk, &w, NULL, at("2026-11-01T06:30:00Z"), &r);
	ck_assert_str_eq(r.summary, "orders_intraday: completed 90 min ago (limit 120)");
	ck_assert_int_eq(r.status, RP_OK); /* 90 < 96 */
	rp_eval_freshness(&chk, &w, NULL, at("2026-11-01T06:36:00Z"), &r);
	ck_assert_int_eq(r.status, RP_WARNING); /* 96 = 80 % of 120 */
}
END_TEST

START_TEST(latency_completion_sources)
{
	struct rp_result r;
	struct rp_check_state prev = {0};
	struct rp_src_result running = wf(RP_WF_OPEN, "2026-11-26T15:00:00Z", NULL);
	struct rp_src_result failed = wf(RP_WF_FAILURE, "2026-11-26T15:00:00Z", NULL);
	struct rp_src_result fresh = wf(RP_WF_NEW, NULL, NULL);

	/* Running, nothing remembered: measured from the batch's start. */
	rp_eval_freshness(&chk, &running, NULL, at("2026-11-26T16:10:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.summary,
	    "orders_intraday: no completion seen; the batch started 70 min ago (limit 60)");
	ck_assert_str_eq(r.episode_key, "orders/overdue@2026-11-26T15:00:00Z");
	ck_assert(r.completion == 0);
	/* Running, with a completion remembered: that one counts. */
	prev.known = 1;
	prev.completion = at("2026-11-26T14:50:00Z");
	rp_eval_freshness(&chk, &running, &prev, at("2026-11-26T15:30:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
	ck_assert_str_eq(r.summary, "orders_intraday: completed 40 min ago (limit 60)");
	/* Failed: CRITICAL at once, keyed by the failed batch's start. */
	rp_eval_freshness(&chk, &failed, &prev, at("2026-11-26T15:10:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.summary, "orders_intraday: the batch started 2026-11-26 10:00 failed");
	ck_assert_str_eq(r.episode_key, "orders/failed@2026-11-26T15:00:00Z");
	/* Never ran, nothing known: UNKNOWN. */
	rp_eval_freshness(&chk, &fresh, NULL, at("2026-11-26T15:10:00Z"), &r);
	ck_assert_int_eq(r.status, RP_UNKNOWN);
	/* No answer: UNKNOWN with the reason. */
	{
		struct rp_src_result bad = unusable("batchy answered HTTP 500");
		rp_eval_freshness(&chk, &bad, NULL, at("2026-11-26T15:10:00Z"), &r);
	}
	ck_assert_int_eq(r.status, RP_UNKNOWN);
	ck_assert_str_eq(r.summary, "orders_intraday: batchy answered HTTP 500");
}
END_TEST

/* No time a source gives is trusted more than a few minutes ahead: the
 * check is UNKNOWN and nothing of the answer is remembered. */
START_TEST(freshness_future)
{
	struct rp_result r;
	struct rp_check_state prev = {0}, next;
	struct rp_action acts[RP_MAX_ACTIONS];
	size_t nact;
	struct rp_src_result w = wf(RP_WF_SUCCESS, "2026-11-26T14:00:00Z", "2099-01-01T00:00:00Z");
	struct rp_src_result f = wf(RP_WF_FAILURE, "2026-11-26T15:06:00Z", NULL);
	struct rp_src_result ok = wf(RP_WF_SUCCESS, "2026-11-26T14:00:00Z", "2026-11-26T14:30:00Z");

	prev.known = 1;
	prev.completion = at("2026-11-26T14:30:00Z");
	rp_eval_freshness(&chk, &w, &prev, at("2026-11-26T15:00:00Z"), &r);
	ck_assert_int_eq(r.status, RP_UNKNOWN);
	ck_assert_str_eq(r.summary, "orders_intraday: the source gave a completion in the future "
	    "(2099-01-01T00:00:00Z, 37920060 min ahead of this run's clock); not trusted");
	ck_assert(r.completion == 0);
	rp_eval_decide(&chk, 3, &prev, &r, at("2026-11-26T15:00:00Z"), &next, acts, &nact);
	ck_assert(next.completion == at("2026-11-26T14:30:00Z"));
	rp_state_clear(&next);
	/* Just past the tolerance (5 min) is already too far; at it, not. */
	rp_eval_freshness(&chk, &f, NULL, at("2026-11-26T15:00:59Z"), &r);
	ck_assert_int_eq(r.status, RP_UNKNOWN);
	rp_eval_freshness(&chk, &f, NULL, at("2026-11-26T15:01:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	w = wf(RP_WF_OPEN, "2099-01-01T00:00:00Z", NULL);
	rp_eval_freshness(&chk, &w, NULL, at("2026-11-26T15:00:00Z"), &r);
	ck_assert_int_eq(r.status, RP_UNKNOWN);
	/* A completion remembered in the future (by an older version) counts
	 * for nothing, and this evaluation's replaces it. */
	prev.completion = at("2099-01-01T00:00:00Z");
	rp_eval_freshness(&chk, &ok, &prev, at("2026-11-28T15:00:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.episode_key, "orders/overdue@2026-11-26T14:30:00Z");
	rp_eval_decide(&chk, 3, &prev, &r, at("2026-11-28T15:00:00Z"), &next, acts, &nact);
	ck_assert(next.completion == at("2026-11-26T14:30:00Z"));
	ck_assert_uint_eq(nact, 1);
	rp_state_clear(&next);
}
END_TEST

/* Drives decide() through a sequence, delivering every event. */
struct sim {
	struct rp_check_state st;
	struct rp_action acts[RP_MAX_ACTIONS];
	size_t nact;
};

static void
step(struct sim *s, enum rp_status status, const char *key, const char *now, int deliver)
{
	struct rp_result r = {0};
	struct rp_check_state next;
	size_t i;

	r.status = status;
	snprintf(r.summary, sizeof(r.summary), "%s now", rp_status_name(status));
	if (key)
		snprintf(r.episode_key, sizeof(r.episode_key), "%s", key);
	rp_eval_decide(&chk, 3, &s->st, &r, at(now), &next, s->acts, &s->nact);
	if (deliver)
		for (i = 0; i < s->nact; i++)
			rp_eval_delivered(&next, &s->acts[i]);
	rp_state_clear(&s->st);
	s->st = next;
}

START_TEST(episode)
{
	struct sim s = {0};

	step(&s, RP_OK, NULL, "2026-11-26T15:00:00Z", 1);
	ck_assert_uint_eq(s.nact, 0);
	ck_assert(s.st.since == at("2026-11-26T15:00:00Z"));
	step(&s, RP_WARNING, NULL, "2026-11-26T15:03:00Z", 1);
	ck_assert_uint_eq(s.nact, 0);
	step(&s, RP_CRITICAL, "orders/overdue@A", "2026-11-26T15:06:00Z", 1);
	ck_assert_uint_eq(s.nact, 1);
	ck_assert_int_eq(s.acts[0].act, RP_ACT_TRIGGER);
	ck_assert_str_eq(s.acts[0].dedup_key, "orders/overdue@A");
	ck_assert_str_eq(s.acts[0].severity, "critical");
	ck_assert_str_eq(s.acts[0].summary, "CRITICAL now");
	/* Still CRITICAL, even with another key computed: the episode's key
	 * stays and nothing is sent. */
	step(&s, RP_CRITICAL, "orders/failed@B", "2026-11-26T15:09:00Z", 1);
	ck_assert_uint_eq(s.nact, 0);
	ck_assert_str_eq(s.st.open_key, "orders/overdue@A");
	ck_assert(s.st.since == at("2026-11-26T15:06:00Z"));
	/* A WARNING keeps the episode open. */
	step(&s, RP_WARNING, NULL, "2026-11-26T15:12:00Z", 1);
	ck_assert_uint_eq(s.nact, 0);
	ck_assert_str_eq(s.st.open_key, "orders/overdue@A");
	step(&s, RP_OK, NULL, "2026-11-26T15:15:00Z", 1);
	ck_assert_uint_eq(s.nact, 1);
	ck_assert_int_eq(s.acts[0].act, RP_ACT_RESOLVE);
	ck_assert_str_eq(s.acts[0].dedup_key, "orders/overdue@A");
	ck_assert_ptr_null(s.st.open_key);
	/* A new episode gets a new key. */
	step(&s, RP_CRITICAL, "orders/failed@C", "2026-11-26T15:18:00Z", 1);
	ck_assert_uint_eq(s.nact, 1);
	ck_assert_str_eq(s.acts[0].dedup_key, "orders/failed@C");
	rp_state_clear(&s.st);
}
END_TEST

START_TEST(undelivered)
{
	struct sim s = {0};

	step(&s, RP_CRITICAL, "k@1", "2026-11-26T15:00:00Z", 0);
	ck_assert_uint_eq(s.nact, 1);
	ck_assert_int_eq(s.st.open_sent, 0);
	/* The trigger did not reach PagerDuty: the next run sends it again. */
	step(&s, RP_CRITICAL, "k@1", "2026-11-26T15:03:00Z", 1);
	ck_assert_uint_eq(s.nact, 1);
	ck_assert_int_eq(s.acts[0].act, RP_ACT_TRIGGER);
	ck_assert_int_eq(s.st.open_sent, 1);
	/* The resolve fails: kept, and sent again. */
	step(&s, RP_OK, NULL, "2026-11-26T15:06:00Z", 0);
	ck_assert_uint_eq(s.nact, 1);
	ck_assert_str_eq(s.st.open_key, "k@1");
	step(&s, RP_OK, NULL, "2026-11-26T15:09:00Z", 1);
	ck_assert_uint_eq(s.nact, 1);
	ck_assert_int_eq(s.acts[0].act, RP_ACT_RESOLVE);
	ck_assert_ptr_null(s.st.open_key);
	step(&s, RP_OK, NULL, "2026-11-26T15:12:00Z", 1);
	ck_assert_uint_eq(s.nact, 0);
	/* A trigger that never got through needs no resolve. */
	step(&s, RP_CRITICAL, "k@2", "2026-11-26T15:15:00Z", 0);
	step(&s, RP_OK, NULL, "2026-11-26T15:18:00Z", 1);
	ck_assert_uint_eq(s.nact, 0);
	ck_assert_ptr_null(s.st.open_key);
	rp_state_clear(&s.st);
}
END_TEST

START_TEST(unknown_persists)
{
	struct sim s = {0};

	step(&s, RP_CRITICAL, "k@1", "2026-11-26T15:00:00Z", 1);
	step(&s, RP_UNKNOWN, NULL, "2026-11-26T15:03:00Z", 1);
	ck_assert_uint_eq(s.nact, 0);
	step(&s, RP_UNKNOWN, NULL, "2026-11-26T15:06:00Z", 1);
	ck_assert_uint_eq(s.nact, 0);
	step(&s, RP_UNKNOWN, NULL, "2026-11-26T15:09:00Z", 1);
	ck_assert_uint_eq(s.nact, 1);
	ck_assert_int_eq(s.acts[0].act, RP_ACT_TRIGGER);
	ck_assert_int_eq(s.acts[0].page, RP_PAGE_UNKNOWN);
	ck_assert_str_eq(s.acts[0].severity, "error");
	ck_assert_str_eq(s.acts[0].dedup_key, "orders/unknown@2026-11-26T15:03:00Z");
	ck_assert_str_eq(s.acts[0].summary,
	    "cannot be evaluated since 2026-11-26T10:03:00-05:00 (3 tries): UNKNOWN now");
	/* The CRITICAL episode is left open while we cannot see. */
	ck_assert_str_eq(s.st.open_key, "k@1");
	step(&s, RP_UNKNOWN, NULL, "2026-11-26T15:12:00Z", 1);
	ck_assert_uint_eq(s.nact, 0);
	/* It answers again, OK: both pages resolve. */
	step(&s, RP_OK, NULL, "2026-11-26T15:15:00Z", 1);
	ck_assert_uint_eq(s.nact, 2);
	ck_assert_str_eq(s.acts[0].dedup_key, "orders/unknown@2026-11-26T15:03:00Z");
	ck_assert_int_eq(s.acts[0].act, RP_ACT_RESOLVE);
	ck_assert_str_eq(s.acts[1].dedup_key, "k@1");
	ck_assert_int_eq(s.acts[1].act, RP_ACT_RESOLVE);
	ck_assert_ptr_null(s.st.unknown_key);
	ck_assert_int_eq(s.st.unknown_count, 0);
	/* Two blips with an answer between never page. */
	step(&s, RP_UNKNOWN, NULL, "2026-11-26T15:18:00Z", 1);
	step(&s, RP_UNKNOWN, NULL, "2026-11-26T15:21:00Z", 1);
	step(&s, RP_OK, NULL, "2026-11-26T15:24:00Z", 1);
	step(&s, RP_UNKNOWN, NULL, "2026-11-26T15:27:00Z", 1);
	ck_assert_uint_eq(s.nact, 0);
	/* unknown_after of the check wins over the configuration's. */
	chk.unknown_after = 1;
	step(&s, RP_UNKNOWN, NULL, "2026-11-26T15:30:00Z", 1);
	ck_assert_uint_eq(s.nact, 1);
	rp_state_clear(&s.st);
}
END_TEST

START_TEST(email_results)
{
	static char n[] = "vendor", s1[] = "reports@vendor.example", s2[] = "b@other.example";
	static char j1[] = "Daily report", j2[] = "R\xc3\xa9sum\xc3\xa9";
	static char *senders[] = {s1, s2}, *subjects[] = {j1, j2};
	struct rp_check c = {0};
	struct rp_result r;
	struct rp_check_state prev = {0};
	struct rp_imap_msg m[4];
	static char f1[] = "\"V\" <REPORTS@vendor.example>", f2[] = "eve@evil.example";
	static char u1[] = "Daily  report", u2[] = "=?UTF-8?B?UsOpc3Vtw6k=?=";
	time_t now = at("2026-11-26T08:20:00Z"); /* 03:20 EST */

	c.name = n;
	c.type = RP_CHECK_EMAIL;
	c.senders = senders;
	c.nsenders = 2;
	c.subjects = subjects;
	c.nsubjects = 2;
	c.delivery_time = 180;
	c.check_time = 195;
	m[0] = (struct rp_imap_msg){1, at("2026-11-26T08:05:00Z"), f1, u1};
	m[1] = (struct rp_imap_msg){2, at("2026-11-26T07:59:59Z"), f1, u2}; /* too early */
	m[2] = (struct rp_imap_msg){3, at("2026-11-26T08:06:00Z"), f2, u2}; /* wrong sender */
	rp_eval_email(&c, m, 3, NULL, NULL, now, &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.summary, "1 of 2 expected emails missing since 03:00: \"R\xc3\xa9sum\xc3\xa9\"");
	ck_assert_str_eq(r.episode_key, "vendor/2026-11-26");
	ck_assert_str_eq(r.success_day, "");
	ck_assert(r.daily);
	m[3] = (struct rp_imap_msg){4, at("2026-11-26T08:00:00Z"), s2, u2}; /* at delivery_time */
	rp_eval_email(&c, m, 4, NULL, NULL, now, &r);
	ck_assert_int_eq(r.status, RP_OK);
	ck_assert_str_eq(r.summary, "all 2 expected emails arrived after 03:00");
	ck_assert_str_eq(r.success_day, "2026-11-26");
	/* contains: any case, part of the subject. */
	memcpy(j1, "ILY REP\0", 8); /* "Daily report" contains "ily rep" */
	c.subject_match = RP_MATCH_CONTAINS;
	rp_eval_email(&c, m, 4, NULL, NULL, now, &r);
	ck_assert_int_eq(r.status, RP_OK);
	/* Already succeeded today: OK without messages; yesterday's does not count. */
	prev.success_day = rp_xstrdup("2026-11-26");
	rp_eval_email(&c, NULL, 0, NULL, &prev, now, &r);
	ck_assert_int_eq(r.status, RP_OK);
	ck_assert(rp_eval_email_done_today(&prev, now));
	ck_assert(!rp_eval_email_done_today(&prev, at("2026-11-27T08:20:00Z")));
	rp_eval_email(&c, NULL, 0, "IMAP down", &prev, at("2026-11-27T08:20:00Z"), &r);
	ck_assert_int_eq(r.status, RP_UNKNOWN);
	ck_assert_str_eq(r.summary, "IMAP down");
	rp_state_clear(&prev);
}
END_TEST

/* "@vendor.example" is anyone at that domain, exactly: not a subdomain,
 * not a longer domain that starts the same. */
START_TEST(email_domain_sender)
{
	static char n[] = "vendor", s1[] = "@Vendor.Example", j1[] = "Daily report";
	static char *senders[] = {s1}, *subjects[] = {j1};
	static char f_ok[] = "Reports <reports@VENDOR.example>", f_sub[] = "x@sub.vendor.example",
	    f_evil[] = "x@vendor.example.evil", f_local[] = "vendor.example@evil.example";
	struct rp_check c = {0};
	struct rp_result r;
	struct rp_imap_msg m;
	time_t now = at("2026-11-26T08:20:00Z");

	c.name = n;
	c.type = RP_CHECK_EMAIL;
	c.senders = senders;
	c.nsenders = 1;
	c.subjects = subjects;
	c.nsubjects = 1;
	c.delivery_time = 180;
	c.check_time = 195;
	m = (struct rp_imap_msg){1, at("2026-11-26T08:05:00Z"), f_ok, j1};
	rp_eval_email(&c, &m, 1, NULL, NULL, now, &r);
	ck_assert_int_eq(r.status, RP_OK);
	m.from = f_sub;
	rp_eval_email(&c, &m, 1, NULL, NULL, now, &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	m.from = f_evil;
	rp_eval_email(&c, &m, 1, NULL, NULL, now, &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	m.from = f_local;
	rp_eval_email(&c, &m, 1, NULL, NULL, now, &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
}
END_TEST

START_TEST(daily_episodes)
{
	struct sim s = {0};
	struct rp_result r = {0};
	struct rp_check_state next;

	/* Day 1 fails and pages. */
	r.status = RP_CRITICAL;
	r.daily = 1;
	snprintf(r.episode_key, sizeof(r.episode_key), "vendor/2026-11-26");
	rp_eval_decide(&chk, 3, &s.st, &r, at("2026-11-26T08:20:00Z"), &next, s.acts, &s.nact);
	ck_assert_uint_eq(s.nact, 1);
	rp_eval_delivered(&next, &s.acts[0]);
	rp_state_clear(&s.st);
	s.st = next;
	/* Day 2 fails too: its own trigger, and day 1 resolved. */
	snprintf(r.episode_key, sizeof(r.episode_key), "vendor/2026-11-27");
	rp_eval_decide(&chk, 3, &s.st, &r, at("2026-11-27T08:20:00Z"), &next, s.acts, &s.nact);
	ck_assert_uint_eq(s.nact, 2);
	ck_assert_int_eq(s.acts[0].act, RP_ACT_RESOLVE);
	ck_assert_int_eq(s.acts[0].page, RP_PAGE_STALE);
	ck_assert_str_eq(s.acts[0].dedup_key, "vendor/2026-11-26");
	ck_assert_int_eq(s.acts[1].act, RP_ACT_TRIGGER);
	ck_assert_str_eq(s.acts[1].dedup_key, "vendor/2026-11-27");
	/* The resolve fails: kept and sent again next run; the trigger went. */
	rp_eval_delivered(&next, &s.acts[1]);
	rp_state_clear(&s.st);
	s.st = next;
	ck_assert_str_eq(s.st.stale_key, "vendor/2026-11-26");
	rp_eval_decide(&chk, 3, &s.st, &r, at("2026-11-27T08:21:00Z"), &next, s.acts, &s.nact);
	ck_assert_uint_eq(s.nact, 1);
	ck_assert_int_eq(s.acts[0].page, RP_PAGE_STALE);
	rp_eval_delivered(&next, &s.acts[0]);
	ck_assert_ptr_null(next.stale_key);
	ck_assert_str_eq(next.open_key, "vendor/2026-11-27");
	rp_state_clear(&s.st);
	rp_state_clear(&next);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, email_results);
	tcase_add_test(tc, email_domain_sender);
	tcase_add_test(tc, daily_episodes);
	tcase_add_test(tc, latency_levels);
	tcase_add_test(tc, freshness_future);
	tcase_add_test(tc, latency_across_dst);
	tcase_add_test(tc, latency_completion_sources);
	tcase_add_test(tc, episode);
	tcase_add_test(tc, undelivered);
	tcase_add_test(tc, unknown_persists);
}
