#define UNIT_NAME "eval_ping"
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "cron.h"
#include "eval.h"
#include "unit.h"

static struct rp_check chk;
static struct rp_cron cron;
static char name[] = "nightly_backup";

static time_t
at(const char *s)
{
	time_t t;

	ck_assert_msg(rp_clock_parse_iso(s, 0, &t) == 0, "%s", s);
	return t;
}

/* A ping check on schedule expr ("" for period), grace, max_runtime. */
static void
setup_check(const char *zone, const char *expr, long period, long grace, long max_runtime)
{
	struct rp_err err;
	char why[200];

	ck_assert_int_eq(rp_clock_set_zone(zone, &err), 0);
	memset(&chk, 0, sizeof(chk));
	chk.name = name;
	chk.type = RP_CHECK_PING;
	chk.period = period;
	chk.grace = grace;
	chk.max_runtime = max_runtime;
	chk.days = RP_EVERY_DAY;
	chk.schedule = NULL;
	if (*expr) {
		ck_assert_msg(rp_cron_parse(expr, &cron, why, sizeof(why)) == 0, "%s", why);
		chk.schedule = &cron;
	}
}

static void
utc(time_t t, char *b)
{
	rp_clock_format_utc(t, b);
}

START_TEST(schedule_episode)
{
	struct rp_ping_rec rec = {0};
	struct rp_result r;
	time_t first = at("2026-11-26T15:00:00Z");

	setup_check("America/New_York", "30 2 * * *", 0, 1800, 0);
	/* Never pinged: not late before its first time after it appeared. */
	rp_eval_ping(&chk, NULL, first, at("2026-11-27T07:00:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
	ck_assert_str_eq(r.summary, "never reported; first expected by 2026-11-27 02:30 (grace 30 min)");
	rp_eval_ping(&chk, NULL, first, at("2026-11-27T07:45:00Z"), &r);
	ck_assert_int_eq(r.status, RP_WARNING);
	ck_assert_str_eq(r.summary, "no success since the one expected by 2026-11-27 02:30: 15 min "
	    "late (grace 30 min)");
	rp_eval_ping(&chk, NULL, first, at("2026-11-27T08:00:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.episode_key, "nightly_backup/late@2026-11-27T07:30:00Z");
	/* The same episode an hour later: the same key. */
	rp_eval_ping(&chk, NULL, first, at("2026-11-27T09:00:00Z"), &r);
	ck_assert_str_eq(r.episode_key, "nightly_backup/late@2026-11-27T07:30:00Z");
	/* A success: OK, the next one expected the next night. */
	rec.known = 1;
	rec.start = at("2026-11-27T09:05:00Z");
	rec.success = at("2026-11-27T09:10:00Z");
	rec.success_start = rec.start;
	rec.duration = 300;
	rp_eval_ping(&chk, &rec, first, at("2026-11-27T09:11:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
	ck_assert_str_eq(r.summary, "last success 2026-11-27 04:10; next expected by 2026-11-28 "
	    "02:30 (grace 30 min)");
	/* A success a few seconds before its scheduled time (clocks apart)
	 * counts for that time. */
	rec.success = at("2026-11-28T07:29:40Z");
	rp_eval_ping(&chk, &rec, first, at("2026-11-28T08:30:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
}
END_TEST

/* A calendar says which runs are expected: none on days off, and the
 * check is still evaluated on them, so a run due before one pages on time. */
START_TEST(calendar)
{
	static long christmas[1];
	struct rp_ping_rec rec = {0};
	struct rp_result r;
	char b[RP_UTC_LEN];

	setup_check("America/New_York", "30 2 * * *", 0, 1800, 0);
	chk.days = 0x3e; /* mon-fri */
	rec.known = 1;
	rec.duration = -1;
	rec.success = at("2026-12-11T07:35:00Z"); /* Friday 02:35 */
	utc(rp_eval_ping_expected(&chk, rec.success, 0), b);
	ck_assert_str_eq(b, "2026-12-14T07:30:00Z"); /* Monday 02:30 */
	rp_eval_ping(&chk, &rec, 0, at("2026-12-14T07:00:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
	ck_assert_str_eq(r.summary, "last success 2026-12-11 02:35; next expected by 2026-12-14 "
	    "02:30 (grace 30 min)");
	ck_assert_int_eq(rp_check_off(&chk, at("2026-12-12T15:00:00Z")), 0);

	/* A skipped Friday: Thursday's success is next expected on Monday. */
	christmas[0] = (long)rp_clock_days_from_civil(2026, 12, 25);
	chk.skip_dates = christmas;
	chk.nskip_dates = 1;
	utc(rp_eval_ping_expected(&chk, at("2026-12-24T07:35:00Z"), 0), b);
	ck_assert_str_eq(b, "2026-12-28T07:30:00Z");

	/* Friday's 23:30 run missing, grace 2 h: paged at 01:30 Saturday. */
	setup_check("America/New_York", "30 23 * * *", 0, 7200, 0);
	chk.days = 0x3e;
	rec.success = at("2026-12-04T04:35:00Z"); /* Thursday 23:35 */
	rp_eval_ping(&chk, &rec, 0, at("2026-12-05T06:40:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.episode_key, "nightly_backup/late@2026-12-05T04:30:00Z");

	/* A period ending on a day off moves to the same time of the next day on. */
	setup_check("Europe/London", "", 86400, 3600, 0);
	chk.days = 0x3e;
	utc(rp_eval_ping_expected(&chk, at("2026-12-11T10:00:00Z"), 0), b);
	ck_assert_str_eq(b, "2026-12-14T10:00:00Z");

	/* Every minute, on Saturdays only: the next Saturday's first minute. */
	setup_check("Europe/London", "* * * * *", 0, 600, 0);
	chk.days = 0x40;
	utc(rp_eval_ping_expected(&chk, at("2026-12-07T10:00:00Z"), 0), b);
	ck_assert_str_eq(b, "2026-12-12T00:00:00Z");

	/* A schedule that never fires on a day the calendar expects. */
	setup_check("Europe/London", "0 3 * * sun", 0, 600, 0);
	chk.days = 0x3e;
	rp_eval_ping(&chk, &rec, 0, at("2026-12-07T10:00:00Z"), &r);
	ck_assert_int_eq(r.status, RP_UNKNOWN);
	ck_assert_str_eq(r.summary, "schedule \"0 3 * * sun\" never fires on a day its calendar expects");
}
END_TEST

START_TEST(period)
{
	struct rp_ping_rec rec = {0};
	struct rp_result r;
	char b[RP_UTC_LEN];

	setup_check("Europe/London", "", 86400, 3600, 0);
	rec.known = 1;
	rec.success = at("2026-11-26T12:00:00Z");
	rec.duration = -1;
	ck_assert_int_eq((int)rp_eval_ping_expected(&chk, rec.success, 0) -
	    (int)at("2026-11-27T12:00:00Z"), 0);
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T11:59:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T12:30:00Z"), &r);
	ck_assert_int_eq(r.status, RP_WARNING);
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T13:00:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.episode_key, "nightly_backup/late@2026-11-27T12:00:00Z");
	utc(rp_eval_ping_expected(&chk, at("2026-11-26T12:00:00Z"), 0), b);
	ck_assert_str_eq(b, "2026-11-27T12:00:00Z");
}
END_TEST

static const char *
fact_of(const struct rp_result *r, const char *fact)
{
	size_t i;

	for (i = 0; i < r->nfacts; i++)
		if (strcmp(r->facts[i].name, fact) == 0)
			return r->facts[i].value;
	return NULL;
}

/* A page about a run still going, or one that never came, carries nothing
 * of the last run that ended (its exit status, output); a failure does. */
START_TEST(facts_of_the_right_run)
{
	static char tail[] = "pg_dump: connection refused";
	struct rp_ping_rec rec = {0};
	struct rp_result r;

	setup_check("America/New_York", "30 2 * * *", 0, 1800, 3600);
	rec.known = 1;
	rec.fail = at("2026-11-26T07:40:00Z");
	rec.fail_status = 1;
	rec.duration = 600;
	rec.tail = tail;
	rp_eval_ping(&chk, &rec, 0, at("2026-11-26T07:41:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(fact_of(&r, "exit_status"), "1");
	ck_assert_ptr_eq(r.output, tail);
	/* A rerun succeeds, then the next night's run hangs. */
	rec.success = at("2026-11-26T08:00:00Z");
	rec.start = at("2026-11-27T07:30:00Z");
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T08:31:00Z"), &r);
	ck_assert_str_eq(r.episode_key, "nightly_backup/running@2026-11-27T07:30:00Z");
	ck_assert_ptr_null(fact_of(&r, "exit_status"));
	ck_assert_ptr_null(fact_of(&r, "duration_sec"));
	ck_assert_ptr_null(r.output);
	ck_assert_ptr_nonnull(fact_of(&r, "running_since"));
	/* Late: nothing of the last run either. */
	rec.start = 0;
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T08:31:00Z"), &r);
	ck_assert_str_eq(r.episode_key, "nightly_backup/late@2026-11-27T07:30:00Z");
	ck_assert_ptr_null(r.output);
	ck_assert_ptr_null(fact_of(&r, "exit_status"));
}
END_TEST

/* A success and a failure in one second: the one recorded last decides. */
START_TEST(same_second)
{
	struct rp_ping_rec rec = {0};
	struct rp_result r;

	setup_check("America/New_York", "30 2 * * *", 0, 1800, 0);
	rec.known = 1;
	rec.duration = -1;
	rec.success = rec.fail = at("2026-11-27T07:31:00Z");
	rec.fail_status = 3;
	rec.last_failed = 1;
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T07:32:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.episode_key, "nightly_backup/failed@2026-11-27T07:31:00Z");
	rec.last_failed = 0;
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T07:32:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
}
END_TEST

START_TEST(failures_and_runs)
{
	struct rp_ping_rec rec = {0};
	struct rp_result r;

	setup_check("America/New_York", "30 2 * * *", 0, 1800, 7200);
	rec.known = 1;
	rec.success = at("2026-11-26T07:40:00Z");
	rec.start = at("2026-11-27T07:30:00Z");
	rec.fail = at("2026-11-27T07:35:00Z");
	rec.fail_start = rec.start;
	rec.fail_status = 3;
	rec.duration = 300;
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T07:36:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.summary, "the run started 2026-11-27 02:30 failed with exit status 3");
	ck_assert_str_eq(r.episode_key, "nightly_backup/failed@2026-11-27T07:30:00Z");
	rec.fail_status = 0;
	rec.fail_signal = 9;
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T07:36:00Z"), &r);
	ck_assert_str_eq(r.summary, "the run started 2026-11-27 02:30 was killed by signal 9");
	/* "rp-ping NAME fail" without a start: keyed by the failure's time. */
	rec.fail_signal = 0;
	rec.fail_start = 0;
	rec.start = 0;
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T07:36:00Z"), &r);
	ck_assert_str_eq(r.summary, "the run of 2026-11-27 02:35 reported failure");
	ck_assert_str_eq(r.episode_key, "nightly_backup/failed@2026-11-27T07:35:00Z");
	/* A retry starts, still failed until it succeeds; then OK. */
	rec.start = at("2026-11-27T08:00:00Z");
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T08:01:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	rec.success = at("2026-11-27T08:10:00Z");
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T08:11:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
	/* Started, never finished: CRITICAL after max_runtime (2 h). */
	rec.start = at("2026-11-28T07:30:00Z");
	rp_eval_ping(&chk, &rec, 0, at("2026-11-28T09:29:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK); /* started in time: not late while it runs */
	ck_assert_str_eq(r.summary, "running since 2026-11-28 02:30 (max_runtime 2 h 0 min)");
	rp_eval_ping(&chk, &rec, 0, at("2026-11-28T09:30:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.summary, "the run started 2026-11-28 02:30 is still running after "
	    "2 h 0 min (max_runtime 2 h 0 min)");
	ck_assert_str_eq(r.episode_key, "nightly_backup/running@2026-11-28T07:30:00Z");
	{
		size_t i, found = 0;
		for (i = 0; i < r.nfacts; i++)
			found += strcmp(r.facts[i].name, "running_since") == 0 &&
			    strcmp(r.facts[i].value, "2026-11-28T07:30:00Z") == 0;
		ck_assert_uint_eq(found, 1);
	}
	/* Without max_runtime, grace judges a run that has not finished. */
	chk.max_runtime = 0;
	rp_eval_ping(&chk, &rec, 0, at("2026-11-28T08:00:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
	ck_assert_str_eq(r.episode_key, "nightly_backup/late@2026-11-28T07:30:00Z");
	/* Started after the grace: late, whatever max_runtime says. */
	chk.max_runtime = 7200;
	rec.start = at("2026-11-28T08:30:00Z");
	rp_eval_ping(&chk, &rec, 0, at("2026-11-28T08:31:00Z"), &r);
	ck_assert_int_eq(r.status, RP_CRITICAL);
}
END_TEST

START_TEST(future)
{
	struct rp_ping_rec rec = {0};
	struct rp_result r;

	setup_check("America/New_York", "", 3600, 600, 0);
	rec.known = 1;
	rec.success = at("2099-01-01T00:00:00Z");
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T07:36:00Z"), &r);
	ck_assert_int_eq(r.status, RP_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(r.summary, "rp-ping recorded a time in the future"));
	rec.success = at("2026-11-27T07:40:00Z"); /* 4 min ahead: clocks apart */
	rp_eval_ping(&chk, &rec, 0, at("2026-11-27T07:36:00Z"), &r);
	ck_assert_int_eq(r.status, RP_OK);
}
END_TEST

/* Schedules inside the hour a DST change skips or repeats: the first
 * instant after the gap, the first of the two. */
START_TEST(dst)
{
	char b[RP_UTC_LEN];

	setup_check("America/New_York", "30 2 * * *", 0, 1800, 0);
	utc(rp_eval_ping_expected(&chk, at("2026-03-07T07:31:00Z"), 0), b);
	ck_assert_str_eq(b, "2026-03-08T07:00:00Z");
	setup_check("America/New_York", "30 1 * * *", 0, 1800, 0);
	utc(rp_eval_ping_expected(&chk, at("2026-10-31T05:31:00Z"), 0), b);
	ck_assert_str_eq(b, "2026-11-01T05:30:00Z");
	/* After the first 01:30, the next is the next day's, not 01:30 EST. */
	utc(rp_eval_ping_expected(&chk, at("2026-11-01T05:31:00Z"), 0), b);
	ck_assert_str_eq(b, "2026-11-02T06:30:00Z");
	setup_check("Europe/London", "30 1 * * *", 0, 1800, 0);
	utc(rp_eval_ping_expected(&chk, at("2026-03-28T01:31:00Z"), 0), b);
	ck_assert_str_eq(b, "2026-03-29T01:00:00Z");
	utc(rp_eval_ping_expected(&chk, at("2026-10-24T00:31:00Z"), 0), b);
	ck_assert_str_eq(b, "2026-10-25T00:30:00Z");
	utc(rp_eval_ping_expected(&chk, at("2026-10-25T00:31:00Z"), 0), b);
	ck_assert_str_eq(b, "2026-10-26T01:30:00Z");
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, schedule_episode);
	tcase_add_test(tc, period);
	tcase_add_test(tc, calendar);
	tcase_add_test(tc, same_second);
	tcase_add_test(tc, facts_of_the_right_run);
	tcase_add_test(tc, failures_and_runs);
	tcase_add_test(tc, future);
	tcase_add_test(tc, dst);
}
