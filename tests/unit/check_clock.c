#define UNIT_NAME "clock"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "unit.h"

static time_t
utc(const char *s)
{
	time_t t;
	ck_assert_int_eq(rp_clock_parse_iso(s, 0, &t), 0);
	return t;
}

static void
zone(const char *name)
{
	struct rp_err err;
	ck_assert_msg(rp_clock_set_zone(name, &err) == 0, "%s", err.msg);
}

static void
assert_utc(time_t t, const char *want)
{
	char b[RP_UTC_LEN];
	rp_clock_format_utc(t, b);
	ck_assert_str_eq(b, want);
}

START_TEST(hhmm)
{
	int m;

	ck_assert_int_eq(rp_clock_parse_hhmm("09:00", &m), 0);
	ck_assert_int_eq(m, 540);
	ck_assert_int_eq(rp_clock_parse_hhmm("9:05", &m), 0);
	ck_assert_int_eq(m, 545);
	ck_assert_int_eq(rp_clock_parse_hhmm("23:59", &m), 0);
	ck_assert_int_eq(m, 1439);
	ck_assert_int_eq(rp_clock_parse_hhmm("00:00", &m), 0);
	ck_assert_int_eq(m, 0);
	ck_assert_int_eq(rp_clock_parse_hhmm("24:00", &m), -1);
	ck_assert_int_eq(rp_clock_parse_hhmm("7:5", &m), -1);
	ck_assert_int_eq(rp_clock_parse_hhmm("12:60", &m), -1);
	ck_assert_int_eq(rp_clock_parse_hhmm("", &m), -1);
	ck_assert_int_eq(rp_clock_parse_hhmm("09:00 ", &m), -1);
	ck_assert_int_eq(rp_clock_parse_hhmm("-1:00", &m), -1);
	ck_assert_int_eq(rp_clock_parse_hhmm("0900", &m), -1);
	ck_assert_int_eq(rp_clock_parse_hhmm("09:00:00", &m), -1);
}
END_TEST

START_TEST(civil)
{
	ck_assert_int_eq(rp_clock_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(rp_clock_days_from_civil(2000, 3, 1), 11017);
	ck_assert_int_eq(rp_clock_days_from_civil(1969, 12, 31), -1);
	ck_assert_int_eq(rp_clock_days_from_civil(2026, 11, 26), 20783);
}
END_TEST

START_TEST(iso)
{
	time_t t;

	zone("America/New_York");
	assert_utc(utc("2026-11-26T14:30:00"), "2026-11-26T14:30:00Z");
	assert_utc(utc("2026-11-26T14:30:00.123456"), "2026-11-26T14:30:00Z");
	assert_utc(utc("2026-11-26 14:30:00"), "2026-11-26T14:30:00Z");
	assert_utc(utc("2026-11-26T14:30"), "2026-11-26T14:30:00Z");
	assert_utc(utc("2026-11-26T14:30:00Z"), "2026-11-26T14:30:00Z");
	assert_utc(utc("2026-11-26T14:30:00+05:30"), "2026-11-26T09:00:00Z");
	assert_utc(utc("2026-11-26T14:30:00-0500"), "2026-11-26T19:30:00Z");
	assert_utc(utc("2028-02-29T00:00:00"), "2028-02-29T00:00:00Z");
	ck_assert_int_eq(rp_clock_parse_iso("2026-02-29T00:00:00", 0, &t), -1);
	ck_assert_int_eq(rp_clock_parse_iso("2026-11-31T00:00:00", 0, &t), -1);
	ck_assert_int_eq(rp_clock_parse_iso("2026-11-26T24:00:00", 0, &t), -1);
	ck_assert_int_eq(rp_clock_parse_iso("2026-11-26T09:00:00x", 0, &t), -1);
	ck_assert_int_eq(rp_clock_parse_iso("2026-11-26", 0, &t), -1);
	ck_assert_int_eq(rp_clock_parse_iso("2026-11-26T09:00:00.", 0, &t), -1);
	ck_assert_int_eq(rp_clock_parse_iso("2026-11-26T09:00:00+25:00", 0, &t), -1);
	ck_assert_int_eq(rp_clock_parse_iso("", 0, &t), -1);
	/* Naive local: read in the zone. */
	ck_assert_int_eq(rp_clock_parse_iso("2026-11-26T09:00", 1, &t), 0);
	assert_utc(t, "2026-11-26T14:00:00Z");
	ck_assert_int_eq(rp_clock_parse_iso("2026-07-01T09:00", 1, &t), 0);
	assert_utc(t, "2026-07-01T13:00:00Z");
	ck_assert_int_eq(rp_clock_parse_iso("2026-07-01T09:00Z", 1, &t), 0);
	assert_utc(t, "2026-07-01T09:00:00Z");
}
END_TEST

START_TEST(new_york_spring_forward)
{
	/* 2026-03-08: 02:00 EST becomes 03:00 EDT. */
	zone("America/New_York");
	assert_utc(rp_clock_local(2026, 3, 8, 1, 59, 0), "2026-03-08T06:59:00Z");
	/* 02:30 does not exist: the first instant after the gap. */
	assert_utc(rp_clock_local(2026, 3, 8, 2, 30, 0), "2026-03-08T07:00:00Z");
	assert_utc(rp_clock_local(2026, 3, 8, 3, 0, 0), "2026-03-08T07:00:00Z");
	assert_utc(rp_clock_local(2026, 3, 8, 9, 0, 0), "2026-03-08T13:00:00Z");
	assert_utc(rp_clock_local(2026, 3, 7, 9, 0, 0), "2026-03-07T14:00:00Z");
	/* check_time 09:00 on the day of the change, asked in the morning. */
	assert_utc(rp_clock_today_at(utc("2026-03-08T12:00:00"), 540), "2026-03-08T13:00:00Z");
	assert_utc(rp_clock_today_at(utc("2026-03-08T05:00:00"), 540), "2026-03-08T13:00:00Z");
}
END_TEST

START_TEST(new_york_fall_back)
{
	char d[RP_DATE_LEN], l[RP_LOCAL_LEN];

	/* 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 happens twice. */
	zone("America/New_York");
	assert_utc(rp_clock_local(2026, 11, 1, 1, 30, 0), "2026-11-01T05:30:00Z");
	assert_utc(rp_clock_local(2026, 11, 1, 2, 0, 0), "2026-11-01T07:00:00Z");
	assert_utc(rp_clock_local(2026, 11, 1, 9, 0, 0), "2026-11-01T14:00:00Z");
	assert_utc(rp_clock_today_at(utc("2026-11-01T23:00:00"), 540), "2026-11-01T14:00:00Z");
	/* The second 01:30 (EST) still belongs to November 1. */
	rp_clock_local_date(utc("2026-11-01T06:30:00"), d);
	ck_assert_str_eq(d, "2026-11-01");
	rp_clock_format_local(utc("2026-11-01T05:30:00"), l);
	ck_assert_str_eq(l, "2026-11-01T01:30:00-04:00");
	rp_clock_format_local(utc("2026-11-01T06:30:00"), l);
	ck_assert_str_eq(l, "2026-11-01T01:30:00-05:00");
	/* Local midnight is the day boundary, not UTC's. */
	rp_clock_local_date(utc("2026-11-27T04:30:00"), d);
	ck_assert_str_eq(d, "2026-11-26");
}
END_TEST

START_TEST(london)
{
	char l[RP_LOCAL_LEN];

	/* 2026-03-29: 01:00 GMT becomes 02:00 BST. */
	zone("Europe/London");
	assert_utc(rp_clock_local(2026, 3, 29, 0, 59, 0), "2026-03-29T00:59:00Z");
	assert_utc(rp_clock_local(2026, 3, 29, 1, 30, 0), "2026-03-29T01:00:00Z");
	assert_utc(rp_clock_local(2026, 3, 29, 9, 0, 0), "2026-03-29T08:00:00Z");
	/* 2026-10-25: 02:00 BST becomes 01:00 GMT. */
	assert_utc(rp_clock_local(2026, 10, 25, 1, 30, 0), "2026-10-25T00:30:00Z");
	assert_utc(rp_clock_local(2026, 10, 25, 9, 0, 0), "2026-10-25T09:00:00Z");
	assert_utc(rp_clock_today_at(utc("2026-10-25T12:00:00"), 540), "2026-10-25T09:00:00Z");
	rp_clock_format_local(utc("2026-07-01T12:00:00"), l);
	ck_assert_str_eq(l, "2026-07-01T13:00:00+01:00");
	/* Out-of-range fields normalise: day 32 of October is November 1. */
	assert_utc(rp_clock_local(2026, 10, 32, 9, 0, 0), "2026-11-01T09:00:00Z");
	assert_utc(rp_clock_local(2026, 13, 1, 0, 0, 0), "2027-01-01T00:00:00Z");
}
END_TEST

START_TEST(zones)
{
	struct rp_err err;

	ck_assert_int_eq(rp_clock_set_zone("Mars/Olympus_Mons", &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "Mars/Olympus_Mons"));
	ck_assert_int_eq(rp_clock_set_zone("../../etc/passwd", &err), -1);
	ck_assert_int_eq(rp_clock_set_zone("/etc/localtime", &err), -1);
	ck_assert_int_eq(rp_clock_set_zone("", &err), -1);
	ck_assert_int_eq(rp_clock_set_zone("America", &err), -1); /* a folder */
	ck_assert_int_eq(rp_clock_set_zone("UTC", &err), 0);
	ck_assert_int_eq(rp_clock_set_zone("Asia/Kolkata", &err), 0);
	assert_utc(rp_clock_local(2026, 11, 26, 9, 0, 0), "2026-11-26T03:30:00Z");
}
END_TEST

START_TEST(now)
{
	struct rp_err err;
	time_t t;

	zone("America/New_York");
	unsetenv("RP_NOW");
	ck_assert_int_eq(rp_clock_now("2026-11-26T09:30", &t, &err), 0);
	assert_utc(t, "2026-11-26T14:30:00Z");
	setenv("RP_NOW", "2026-11-26T10:00:00Z", 1);
	ck_assert_int_eq(rp_clock_now(NULL, &t, &err), 0);
	assert_utc(t, "2026-11-26T10:00:00Z");
	ck_assert_int_eq(rp_clock_now("2026-11-26T09:30", &t, &err), 0); /* option wins */
	assert_utc(t, "2026-11-26T14:30:00Z");
	setenv("RP_NOW", "tomorrow", 1);
	ck_assert_int_eq(rp_clock_now(NULL, &t, &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "RP_NOW"));
	unsetenv("RP_NOW");
	ck_assert_int_eq(rp_clock_now(NULL, &t, &err), 0);
	ck_assert(t > 1700000000);
}
END_TEST

START_TEST(durations)
{
	long v;

	ck_assert_int_eq(rp_clock_parse_duration("45s", 86400, &v), 0);
	ck_assert_int_eq(v, 45);
	ck_assert_int_eq(rp_clock_parse_duration("30m", 86400, &v), 0);
	ck_assert_int_eq(v, 1800);
	ck_assert_int_eq(rp_clock_parse_duration("2h", 86400, &v), 0);
	ck_assert_int_eq(v, 7200);
	ck_assert_int_eq(rp_clock_parse_duration("1d", 86400, &v), 0);
	ck_assert_int_eq(v, 86400);
	ck_assert_int_eq(rp_clock_parse_duration("2d", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("0m", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("-5m", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("5", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("m", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("1.5h", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("99999999999999999d", 86400, &v), -1);
}
END_TEST

START_TEST(compound_durations)
{
	long v;

	ck_assert_int_eq(rp_clock_parse_duration("1h30m", 86400, &v), 0);
	ck_assert_int_eq(v, 5400);
	ck_assert_int_eq(rp_clock_parse_duration("2d12h", 30L * 86400, &v), 0);
	ck_assert_int_eq(v, 216000);
	ck_assert_int_eq(rp_clock_parse_duration("1w", 30L * 86400, &v), 0);
	ck_assert_int_eq(v, 604800);
	ck_assert_int_eq(rp_clock_parse_duration("1w2d3h4m5s", 30L * 86400, &v), 0);
	ck_assert_int_eq(v, 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
	ck_assert_int_eq(rp_clock_parse_duration("1h0m", 86400, &v), 0);
	ck_assert_int_eq(v, 3600);
	ck_assert_int_eq(rp_clock_parse_duration("05m", 86400, &v), 0);
	ck_assert_int_eq(v, 300);
	/* Exactly max, and one second over it. */
	ck_assert_int_eq(rp_clock_parse_duration("23h59m60s", 86400, &v), 0);
	ck_assert_int_eq(v, 86400);
	ck_assert_int_eq(rp_clock_parse_duration("23h59m61s", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("1w", 86400, &v), -1);

	/* A failure leaves *out alone. */
	v = 42;
	ck_assert_int_eq(rp_clock_parse_duration("1d1d", 30L * 86400, &v), -1);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(rp_clock_parse_duration("30m1h", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("1h 30m", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration(" 1h", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("1h30m ", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("1h30", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("1hm", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("1h+30m", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("1h-30m", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("1y", 86400 * 400L, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("0m", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("0h0m0s", 86400, &v), -1);
	ck_assert_int_eq(v, 42);
	/* Huge parts and huge sums fail instead of wrapping. */
	ck_assert_int_eq(rp_clock_parse_duration("9223372036854775807s", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("99999999999999999999s", 86400, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("15250284452472w", LONG_MAX, &v), -1);
	ck_assert_int_eq(rp_clock_parse_duration("9223372036854775807s", LONG_MAX, &v), 0);
	ck_assert_int_eq(v, LONG_MAX);
	ck_assert_int_eq(rp_clock_parse_duration("1m9223372036854775807s", LONG_MAX, &v), -1);
	ck_assert_int_eq(v, LONG_MAX);
}
END_TEST

/* rp_clock_today_at remembers answers for a day and zone: each must be
 * what the day and zone give, however the calls come (days, DST days,
 * another zone, the same now again). */
static time_t
today_at_direct(time_t t, int minutes)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return rp_clock_local(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, minutes / 60,
	    minutes % 60, 0);
}

START_TEST(today_at_remembered)
{
	static const char *tzs[] = {"America/New_York", "Asia/Tokyo", "America/New_York",
	    "Europe/London", "Australia/Lord_Howe"};
	static const char *days[] = {"2026-03-07T12:00:00Z", "2026-03-08T06:59:59Z",
	    "2026-03-08T07:00:00Z", "2026-03-08T12:00:00Z", "2026-03-08T12:00:00Z",
	    "2026-11-01T03:00:00Z", "2026-11-01T05:59:00Z", "2026-11-01T06:00:00Z",
	    "2026-10-25T00:30:00Z", "2026-10-04T15:00:00Z", "2026-04-05T14:00:00Z"};
	static const int minutes[] = {0, 1, 120, 150, 179, 540, 1439, 1440, 150, 0};
	size_t z, d, m;

	for (d = 0; d < sizeof(days) / sizeof(days[0]); d++) {
		for (z = 0; z < sizeof(tzs) / sizeof(tzs[0]); z++) {
			zone(tzs[z]);
			for (m = 0; m < sizeof(minutes) / sizeof(minutes[0]); m++) {
				time_t t = utc(days[d]);
				ck_assert_msg(rp_clock_today_at(t, minutes[m]) ==
				    today_at_direct(t, minutes[m]), "%s %s minute %d", tzs[z],
				    days[d], minutes[m]);
			}
		}
	}
	zone("America/New_York");
	for (d = 0; d < sizeof(days) / sizeof(days[0]); d++)
		for (m = 0; m < sizeof(minutes) / sizeof(minutes[0]); m++)
			ck_assert_msg(rp_clock_today_at(utc(days[d]), minutes[m]) ==
			    today_at_direct(utc(days[d]), minutes[m]), "%s minute %d", days[d],
			    minutes[m]);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, today_at_remembered);
	tcase_add_test(tc, durations);
	tcase_add_test(tc, compound_durations);
	tcase_add_test(tc, hhmm);
	tcase_add_test(tc, civil);
	tcase_add_test(tc, iso);
	tcase_add_test(tc, new_york_spring_forward);
	tcase_add_test(tc, new_york_fall_back);
	tcase_add_test(tc, london);
	tcase_add_test(tc, zones);
	tcase_add_test(tc, now);
}
