/*
 * The decisions of ping checks (eval.h): what rp-ping recorded of a cron job
 * or a service, against its schedule or period, its grace and its
 * max_runtime. No I/O.
 */
#define _POSIX_C_SOURCE 200809L
#include "eval.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "cron.h"

/* A success up to this long before a scheduled time (the job's host and the
 * store's clock a little apart) counts for that time. */
#define SCHEDULE_SLACK_SEC 60

/* Days searched for one the calendar expects (more than 10 years). */
#define CALENDAR_DAYS_MAX 4000

/* The same local time of day one day later, or (midnight) the day's end. */
static time_t
next_day(time_t t, int midnight)
{
	struct tm tm;

	localtime_r(&t, &tm);
	if (midnight)
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return rp_clock_local(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday + 1, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

/* A run the calendar does not expect (a day off) is not waited for: the
 * schedule's next time on a day on, or the period's end moved to the same
 * time of the next day on. */
time_t
rp_eval_ping_expected(const struct rp_check *c, time_t last, int never)
{
	time_t t;
	int i;

	if (c->schedule == NULL)
		t = last + c->period;
	else
		t = rp_cron_next(c->schedule, never ? last : last + SCHEDULE_SLACK_SEC);
	for (i = 0; t != (time_t)-1 && !rp_check_on(c, t); i++) {
		if (i == CALENDAR_DAYS_MAX)
			return (time_t)-1;
		if (c->schedule == NULL)
			t = next_day(t, 0);
		else
			t = rp_cron_next(c->schedule, next_day(t, 1) - 1);
	}
	return t;
}

/* "73 min", "2 h 5 min", "3 d 4 h". */
static void
span(long sec, char *buf, size_t n)
{
	long m = sec / 60;

	if (m < 120)
		snprintf(buf, n, "%ld min", m);
	else if (m < 48 * 60)
		snprintf(buf, n, "%ld h %ld min", m / 60, m % 60);
	else
		snprintf(buf, n, "%ld d %ld h", m / 1440, m % 1440 / 60);
}

static time_t
newest(time_t a, time_t b)
{
	return a > b ? a : b;
}

/* The record's times that must not lie ahead of now. */
static int
ahead(const struct rp_ping_rec *rec, time_t now, struct rp_result *res)
{
	time_t limit = now + RP_FUTURE_TOLERANCE_SEC, t = 0;
	char utc[RP_UTC_LEN];

	if (rec->success > limit)
		t = rec->success;
	else if (rec->fail > limit)
		t = rec->fail;
	else if (rec->start > limit)
		t = rec->start;
	if (t == 0)
		return 0;
	rp_clock_format_utc(t, utc);
	res->status = RP_UNKNOWN;
	snprintf(res->summary, sizeof(res->summary), "rp-ping recorded a time in the future "
	    "(%s, %ld min ahead of this run's clock); not trusted", utc, (long)(t - now) / 60);
	return 1;
}

/* When things happened, for every result. */
static void
record_facts(const struct rp_ping_rec *rec, struct rp_result *res)
{
	if (rec->success)
		rp_result_fact_time(res, "last_success", rec->success);
	if (rec->fail)
		rp_result_fact_time(res, "last_failure", rec->fail);
	if (rec->start > newest(rec->success, rec->fail))
		rp_result_fact_time(res, "running_since", rec->start);
}

/* How the last run that ended went, for a result about that run (a
 * failure, or on time): never on a page about a run still going or one
 * that never came, where it would describe another run. */
static void
last_run_facts(const struct rp_ping_rec *rec, int failure, struct rp_result *res)
{
	if (failure && rec->fail_signal)
		rp_result_fact_num(res, "signal", rec->fail_signal);
	else if (failure && rec->fail_status)
		rp_result_fact_num(res, "exit_status", rec->fail_status);
	if (rec->duration >= 0 && (rec->success || rec->fail))
		rp_result_fact_num(res, "duration_sec", rec->duration);
	res->output = rec->tail;
}

/* The latest finished run failed: CRITICAL, keyed by that run's start. */
static void
failed(const struct rp_check *c, const struct rp_ping_rec *rec, struct rp_result *res)
{
	time_t start = rec->fail_start ? rec->fail_start : rec->fail;
	char utc[RP_UTC_LEN], at[RP_SHORT_LEN], how[48];

	rp_clock_format_utc(start, utc);
	rp_clock_format_short(start, at);
	if (rec->fail_signal)
		snprintf(how, sizeof(how), "was killed by signal %d", rec->fail_signal);
	else if (rec->fail_status)
		snprintf(how, sizeof(how), "failed with exit status %d", rec->fail_status);
	else
		snprintf(how, sizeof(how), "reported failure");
	res->status = RP_CRITICAL;
	snprintf(res->summary, sizeof(res->summary), "the run %s %s %s",
	    rec->fail_start ? "started" : "of", at, how);
	snprintf(res->episode_key, sizeof(res->episode_key), "%s/failed@%s", c->name, utc);
	last_run_facts(rec, 1, res);
}

static void
running_too_long(const struct rp_check *c, const struct rp_ping_rec *rec, time_t now,
    struct rp_result *res)
{
	char utc[RP_UTC_LEN], at[RP_SHORT_LEN], took[32], max[32];

	rp_clock_format_utc(rec->start, utc);
	rp_clock_format_short(rec->start, at);
	span(now - rec->start, took, sizeof(took));
	span(c->max_runtime, max, sizeof(max));
	res->status = RP_CRITICAL;
	snprintf(res->summary, sizeof(res->summary), "the run started %s is still running after "
	    "%s (max_runtime %s)", at, took, max);
	snprintf(res->episode_key, sizeof(res->episode_key), "%s/running@%s", c->name, utc);
}

/* On time, within grace (WARNING), or late (CRITICAL). */
static void
lateness(const struct rp_check *c, const struct rp_ping_rec *rec, time_t expected, time_t now,
    struct rp_result *res)
{
	char utc[RP_UTC_LEN], exp_at[RP_SHORT_LEN], last_at[RP_SHORT_LEN], late[32], grace[32];
	time_t last = rec->success;

	rp_result_fact_time(res, "expected", expected);
	snprintf(res->perf, sizeof(res->perf), "late=%lds;0;%ld;0",
	    now > expected ? (long)(now - expected) : 0L, c->grace);
	rp_clock_format_short(expected, exp_at);
	span(c->grace, grace, sizeof(grace));
	if (now < expected) {
		res->status = RP_OK;
		last_run_facts(rec, 0, res);
		if (last != 0) {
			rp_clock_format_short(last, last_at);
			snprintf(res->summary, sizeof(res->summary), "last success %s; next expected "
			    "by %s (grace %s)", last_at, exp_at, grace);
		} else {
			snprintf(res->summary, sizeof(res->summary), "never reported; first expected "
			    "by %s (grace %s)", exp_at, grace);
		}
		return;
	}
	span(now - expected, late, sizeof(late));
	rp_result_fact_num(res, "late_min", (long)(now - expected) / 60);
	res->status = now - expected >= c->grace ? RP_CRITICAL : RP_WARNING;
	snprintf(res->summary, sizeof(res->summary), "no success since the one expected by %s: "
	    "%s late (grace %s)", exp_at, late, grace);
	if (res->status == RP_CRITICAL) {
		rp_clock_format_utc(expected, utc);
		snprintf(res->episode_key, sizeof(res->episode_key), "%s/late@%s", c->name, utc);
	}
}

void
rp_eval_ping(const struct rp_check *c, const struct rp_ping_rec *rec, time_t first_seen,
    time_t now, struct rp_result *res)
{
	static const struct rp_ping_rec none;
	time_t expected, last;

	memset(res, 0, sizeof(*res));
	if (rec == NULL || !rec->known)
		rec = &none;
	if (ahead(rec, now, res))
		return;
	record_facts(rec, res);
	if (rec->fail > rec->success || (rec->fail != 0 && rec->fail == rec->success &&
	    rec->last_failed)) {
		failed(c, rec, res);
		return;
	}
	if (c->max_runtime > 0 && rec->start > newest(rec->success, rec->fail) &&
	    now - rec->start >= c->max_runtime) {
		running_too_long(c, rec, now, res);
		return;
	}
	last = rec->success;
	expected = rp_eval_ping_expected(c, last ? last : first_seen, last == 0);
	if (expected == (time_t)-1) {
		res->status = RP_UNKNOWN;
		if (c->schedule != NULL)
			snprintf(res->summary, sizeof(res->summary), "schedule \"%s\" never "
			    "fires on a day its calendar expects", c->schedule->expr);
		else
			snprintf(res->summary, sizeof(res->summary), "its calendar expects no "
			    "day after the period");
		return;
	}
	if (c->max_runtime > 0 && rec->start > newest(rec->success, rec->fail) &&
	    rec->start < expected + c->grace) {
		/* Started in time: max_runtime, not grace, judges how long it
		 * may take. */
		char since[RP_SHORT_LEN], max[32];
		rp_clock_format_short(rec->start, since);
		span(c->max_runtime, max, sizeof(max));
		res->status = RP_OK;
		snprintf(res->summary, sizeof(res->summary), "running since %s (max_runtime %s)",
		    since, max);
		return;
	}
	lateness(c, rec, expected, now, res);
}
