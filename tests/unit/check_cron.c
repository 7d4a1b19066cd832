#define UNIT_NAME "cron"
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cron.h"
#include "unit.h"

static time_t
utc(const char *s)
{
	time_t t;
	ck_assert_msg(rp_clock_parse_iso(s, 0, &t) == 0, "bad time %s", s);
	return t;
}

static void
zone(const char *name)
{
	struct rp_err err;
	ck_assert_msg(rp_clock_set_zone(name, &err) == 0, "%s", err.msg);
}

static struct rp_cron
parse_ok(const char *expr)
{
	struct rp_cron c;
	char why[256] = "";

	ck_assert_msg(rp_cron_parse(expr, &c, why, sizeof(why)) == 0, "\"%s\": %s", expr, why);
	return c;
}

static void
parse_fails(const char *expr, const char *want)
{
	struct rp_cron c;
	char why[256] = "";

	ck_assert_msg(rp_cron_parse(expr, &c, why, sizeof(why)) == -1, "\"%s\" parsed", expr);
	ck_assert_str_eq(why, want);
}

static void
assert_next(const char *expr, const char *from, const char *want)
{
	struct rp_cron c = parse_ok(expr);
	char b[RP_UTC_LEN];

	rp_clock_format_utc(rp_cron_next(&c, utc(from)), b);
	ck_assert_msg(strcmp(b, want) == 0, "next(\"%s\", %s) = %s, expected %s", expr,
	    from, b, want);
}

static void
assert_prev(const char *expr, const char *from, const char *want)
{
	struct rp_cron c = parse_ok(expr);
	char b[RP_UTC_LEN];

	rp_clock_format_utc(rp_cron_prev(&c, utc(from)), b);
	ck_assert_msg(strcmp(b, want) == 0, "prev(\"%s\", %s) = %s, expected %s", expr,
	    from, b, want);
}

#define BIT(n) ((uint64_t)1 << (n))

START_TEST(parse_fields)
{
	struct rp_cron c;

	c = parse_ok("* * * * *");
	ck_assert_uint_eq(c.minutes, BIT(60) - 1);
	ck_assert_uint_eq(c.hours, 0xffffff);
	ck_assert_uint_eq(c.mdays, 0xfffffffe);
	ck_assert_uint_eq(c.months, 0x1ffe);
	ck_assert_uint_eq(c.wdays, 0x7f);
	ck_assert_int_eq(c.mday_star, 1);
	ck_assert_int_eq(c.wday_star, 1);
	ck_assert_str_eq(c.expr, "* * * * *");

	c = parse_ok("30 2 * * *");
	ck_assert_uint_eq(c.minutes, BIT(30));
	ck_assert_uint_eq(c.hours, BIT(2));
	c = parse_ok("*/15 9-17 1,15 * *");
	ck_assert_uint_eq(c.minutes, BIT(0) | BIT(15) | BIT(30) | BIT(45));
	ck_assert_uint_eq(c.hours, 0x3fe00);
	ck_assert_uint_eq(c.mdays, BIT(1) | BIT(15));
	ck_assert_int_eq(c.mday_star, 0);
	ck_assert_int_eq(c.wday_star, 1);
	/* "a/n" runs from a to the maximum, as Vixie cron. */
	c = parse_ok("10/20 0-23/6 * * *");
	ck_assert_uint_eq(c.minutes, BIT(10) | BIT(30) | BIT(50));
	ck_assert_uint_eq(c.hours, BIT(0) | BIT(6) | BIT(12) | BIT(18));
	c = parse_ok("5,10-20/5,55 * * * *");
	ck_assert_uint_eq(c.minutes, BIT(5) | BIT(10) | BIT(15) | BIT(20) | BIT(55));
	c = parse_ok("0 0 */2 * *");
	ck_assert_uint_eq(c.mdays, 0xaaaaaaaa);
	ck_assert_int_eq(c.mday_star, 1);
	c = parse_ok("00 000 031 012 *");
	ck_assert_uint_eq(c.mdays, BIT(31));
	ck_assert_uint_eq(c.months, BIT(12));
	c = parse_ok("59 23 31 12 7");
	ck_assert_uint_eq(c.minutes, BIT(59));
	ck_assert_uint_eq(c.hours, BIT(23));
	ck_assert_uint_eq(c.wdays, BIT(0));
}
END_TEST

START_TEST(parse_names)
{
	struct rp_cron c;

	c = parse_ok("0 0 1 jan,JUL *");
	ck_assert_uint_eq(c.months, BIT(1) | BIT(7));
	c = parse_ok("0 0 * Mar-May *");
	ck_assert_uint_eq(c.months, BIT(3) | BIT(4) | BIT(5));
	c = parse_ok("0 0 * */3 *");
	ck_assert_uint_eq(c.months, BIT(1) | BIT(4) | BIT(7) | BIT(10));
	c = parse_ok("0 0 * * mon-fri");
	ck_assert_uint_eq(c.wdays, 0x3e);
	ck_assert_int_eq(c.wday_star, 0);
	c = parse_ok("0 0 * * SUN");
	ck_assert_uint_eq(c.wdays, BIT(0));
	c = parse_ok("0 0 * * 0,7");
	ck_assert_uint_eq(c.wdays, BIT(0));
	c = parse_ok("0 0 * * 5-7");
	ck_assert_uint_eq(c.wdays, BIT(0) | BIT(5) | BIT(6));
	/* A range may end on Sunday by name. */
	c = parse_ok("0 0 * * fri-sun");
	ck_assert_uint_eq(c.wdays, BIT(0) | BIT(5) | BIT(6));
	c = parse_ok("0 0 * * mon-sun");
	ck_assert_uint_eq(c.wdays, 0x7f);
	c = parse_ok("0 0 * * sun-sat");
	ck_assert_uint_eq(c.wdays, 0x7f);
	c = parse_ok("0 0 * * sun-sun");
	ck_assert_uint_eq(c.wdays, BIT(0));
	c = parse_ok("0 0 * * mon/2");
	ck_assert_uint_eq(c.wdays, BIT(0) | BIT(1) | BIT(3) | BIT(5));
	c = parse_ok("0 0 * * */2");
	ck_assert_uint_eq(c.wdays, BIT(0) | BIT(2) | BIT(4) | BIT(6));
	ck_assert_int_eq(c.wday_star, 1);
}
END_TEST

START_TEST(parse_blanks_and_macros)
{
	struct rp_cron c;
	char long_ok[RP_CRON_EXPR_MAX + 1];

	c = parse_ok("  30\t2   * *\t*  ");
	ck_assert_uint_eq(c.minutes, BIT(30));
	ck_assert_uint_eq(c.hours, BIT(2));
	ck_assert_str_eq(c.expr, "  30\t2   * *\t*  ");

	c = parse_ok("@yearly");
	ck_assert_uint_eq(c.minutes, BIT(0));
	ck_assert_uint_eq(c.hours, BIT(0));
	ck_assert_uint_eq(c.mdays, BIT(1));
	ck_assert_uint_eq(c.months, BIT(1));
	ck_assert_str_eq(c.expr, "@yearly");
	c = parse_ok("@annually");
	ck_assert_uint_eq(c.months, BIT(1));
	c = parse_ok("@monthly");
	ck_assert_uint_eq(c.mdays, BIT(1));
	ck_assert_uint_eq(c.months, 0x1ffe);
	c = parse_ok("@weekly");
	ck_assert_uint_eq(c.wdays, BIT(0));
	ck_assert_int_eq(c.mday_star, 1);
	ck_assert_int_eq(c.wday_star, 0);
	c = parse_ok(" @daily ");
	ck_assert_uint_eq(c.hours, BIT(0));
	ck_assert_uint_eq(c.wdays, 0x7f);
	c = parse_ok("@Midnight");
	ck_assert_uint_eq(c.minutes, BIT(0));
	c = parse_ok("@hourly");
	ck_assert_uint_eq(c.minutes, BIT(0));
	ck_assert_uint_eq(c.hours, 0xffffff);

	/* RP_CRON_EXPR_MAX bytes are fine, one more is not. */
	memset(long_ok, ' ', sizeof(long_ok));
	memcpy(long_ok, "0 0 * * *", 9);
	long_ok[RP_CRON_EXPR_MAX] = '\0';
	c = parse_ok(long_ok);
	ck_assert_uint_eq(strlen(c.expr), RP_CRON_EXPR_MAX);
}
END_TEST

START_TEST(parse_errors)
{
	struct rp_cron c;
	char why[16], big[RP_CRON_EXPR_MAX + 2];

	parse_fails("0 25 * * *", "hour: \"25\" is not from 0 to 23");
	parse_fails("0 0 * *",
	    "5 fields expected (minute hour day-of-month month day-of-week), found 4");
	parse_fails("",
	    "5 fields expected (minute hour day-of-month month day-of-week), found 0");
	parse_fails(" \t ",
	    "5 fields expected (minute hour day-of-month month day-of-week), found 0");
	parse_fails("0 0 * * * *",
	    "5 fields expected (minute hour day-of-month month day-of-week), found 6");
	parse_fails("0 0 * * fryday",
	    "day-of-week: \"fryday\" is not a number or a name (sun-sat)");
	parse_fails("*/0 * * * *", "minute: step \"0\" must be at least 1");
	parse_fails("0 5-2 * * *", "hour: range \"5-2\" goes backwards");
	parse_fails("0 0 * * fri-mon", "day-of-week: range \"fri-mon\" goes backwards");
	parse_fails("60 * * * *", "minute: \"60\" is not from 0 to 59");
	parse_fails("0 0 0 * *", "day-of-month: \"0\" is not from 1 to 31");
	parse_fails("0 0 32 * *", "day-of-month: \"32\" is not from 1 to 31");
	parse_fails("0 0 * 13 *", "month: \"13\" is not from 1 to 12");
	parse_fails("0 0 * 0 *", "month: \"0\" is not from 1 to 12");
	parse_fails("0 0 * * 8", "day-of-week: \"8\" is not from 0 to 7");
	parse_fails("99999999999999999999 * * * *",
	    "minute: \"99999999999999999999\" is not from 0 to 59");
	parse_fails("0 0 * foo *", "month: \"foo\" is not a number or a name (jan-dec)");
	parse_fails("0 0 * january *",
	    "month: \"january\" is not a number or a name (jan-dec)");
	parse_fails("x * * * *", "minute: \"x\" is not a number");
	parse_fails("jan * * * *", "minute: \"jan\" is not a number");
	parse_fails("0 0 * * +1", "day-of-week: \"+1\" is not a number or a name (sun-sat)");
	parse_fails("*5 * * * *", "minute: \"*5\" is not a number");
	parse_fails("-1 * * * *", "minute: \"-1\" is not a range like 1-5");
	parse_fails("1- * * * *", "minute: \"1-\" is not a range like 1-5");
	parse_fails("1-2-3 * * * *", "minute: \"1-2-3\" is not a range like 1-5");
	parse_fails("*/x * * * *", "minute: step \"x\" is not a number");
	parse_fails("5/ * * * *", "minute: step \"\" is not a number");
	parse_fails("*/5/2 * * * *", "minute: step \"5/2\" is not a number");
	parse_fails("*/60 * * * *", "minute: step \"60\" is more than 59");
	parse_fails("0 */-1 * * *", "hour: step \"-1\" is not a number");
	parse_fails("1,,2 * * * *", "minute: empty item in \"1,,2\"");
	parse_fails("0 0 1, * *", "day-of-month: empty item in \"1,\"");
	parse_fails("0 0 30 2 *", "day-of-month: \"30\" never matches a date in month \"2\"");
	parse_fails("0 0 31 4,6,9,11 *",
	    "day-of-month: \"31\" never matches a date in month \"4,6,9,11\"");
	/* A stepped "*" in day-of-week makes both day fields required. */
	parse_fails("0 0 30 feb */2", "day-of-month: \"30\" never matches a date in month \"feb\"");
	parse_fails("@reboot",
	    "\"@reboot\" is not a time of day: use a schedule like \"@daily\" or \"30 2 * * *\"");
	parse_fails("@fortnightly", "\"@fortnightly\" is not one of @yearly, @annually, "
	    "@monthly, @weekly, @daily, @midnight, @hourly");
	parse_fails("@daily 5", "\"@daily\" takes no fields, found \"5\"");
	parse_fails("0 0\n* * *", "byte 4 (0x0a) is not a printable ASCII character");
	parse_fails("0 0 * * m\xc3\xa5n", "byte 10 (0xc3) is not a printable ASCII character");
	memset(big, ' ', sizeof(big));
	memcpy(big, "0 0 * * *", 9);
	big[RP_CRON_EXPR_MAX + 1] = '\0';
	parse_fails(big, "the expression is 129 bytes long, more than 128");

	/* Feb 29 exists, so does Feb 30 on Mondays (either day field). */
	parse_ok("0 0 29 2 *");
	parse_ok("0 0 30 2 mon");
	parse_ok("0 0 31 * *");

	/* A failure leaves *out alone; a short buffer gets a cut reason. */
	c.minutes = 42;
	ck_assert_int_eq(rp_cron_parse("0 25 * * *", &c, why, sizeof(why)), -1);
	ck_assert_uint_eq(c.minutes, 42);
	ck_assert_str_eq(why, "hour: \"25\" i...");
	ck_assert_int_eq(rp_cron_parse("0 25 * * *", &c, NULL, 0), -1);
	ck_assert_int_eq(rp_cron_parse("0 25 * * *", &c, why, 2), -1);
	ck_assert_str_eq(why, "h");
}
END_TEST

START_TEST(ordinary)
{
	zone("UTC");
	assert_next("30 2 * * *", "2026-11-26T00:00:00Z", "2026-11-26T02:30:00Z");
	assert_next("30 2 * * *", "2026-11-26T02:29:59Z", "2026-11-26T02:30:00Z");
	assert_next("30 2 * * *", "2026-11-26T02:30:00Z", "2026-11-27T02:30:00Z");
	assert_prev("30 2 * * *", "2026-11-26T02:30:00Z", "2026-11-26T02:30:00Z");
	assert_prev("30 2 * * *", "2026-11-26T02:29:59Z", "2026-11-25T02:30:00Z");
	assert_prev("30 2 * * *", "2026-11-26T23:59:59Z", "2026-11-26T02:30:00Z");
	assert_next("* * * * *", "2026-11-26T10:00:00Z", "2026-11-26T10:01:00Z");
	assert_next("* * * * *", "2026-11-26T10:00:30Z", "2026-11-26T10:01:00Z");
	assert_prev("* * * * *", "2026-11-26T10:00:30Z", "2026-11-26T10:00:00Z");
	assert_next("@hourly", "2026-11-26T23:00:00Z", "2026-11-27T00:00:00Z");
	assert_next("@weekly", "2026-11-26T00:00:00Z", "2026-11-29T00:00:00Z");
	assert_prev("@yearly", "2026-11-26T00:00:00Z", "2026-01-01T00:00:00Z");
	assert_next("@monthly", "2026-12-15T00:00:00Z", "2027-01-01T00:00:00Z");
	/* A zone other than UTC: 02:30 in Kolkata is 21:00Z the day before. */
	zone("Asia/Kolkata");
	assert_next("30 2 * * *", "2026-11-26T00:00:00Z", "2026-11-26T21:00:00Z");
	assert_prev("30 2 * * *", "2026-11-26T00:00:00Z", "2026-11-25T21:00:00Z");
}
END_TEST

START_TEST(month_ends)
{
	zone("UTC");
	/* The 31st skips the months that have none. */
	assert_next("0 0 31 * *", "2026-04-15T00:00:00Z", "2026-05-31T00:00:00Z");
	assert_prev("0 0 31 * *", "2026-05-30T00:00:00Z", "2026-03-31T00:00:00Z");
	assert_next("0 0 30 * *", "2026-01-30T00:00:00Z", "2026-03-30T00:00:00Z");
	assert_prev("59 23 31 12 *", "2027-01-01T00:00:00Z", "2026-12-31T23:59:00Z");
	assert_next("59 23 31 12 *", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z");
	assert_next("0 12 1 * *", "2026-12-15T00:00:00Z", "2027-01-01T12:00:00Z");
	assert_next("0 0 28-31 2 *", "2026-02-27T00:00:00Z", "2026-02-28T00:00:00Z");
	assert_next("0 0 28-31 2 *", "2026-02-28T00:00:00Z", "2027-02-28T00:00:00Z");
	assert_next("0 0 28-31 2 *", "2027-03-01T00:00:00Z", "2028-02-28T00:00:00Z");
	assert_next("0 0 28-31 2 *", "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z");
}
END_TEST

START_TEST(leap_years)
{
	zone("UTC");
	assert_next("0 12 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T12:00:00Z");
	assert_prev("0 12 29 2 *", "2028-02-29T11:59:59Z", "2024-02-29T12:00:00Z");
	assert_prev("0 12 29 2 *", "2028-02-29T12:00:00Z", "2028-02-29T12:00:00Z");
	/* 2100 is not a leap year: eight years between two Feb 29s. */
	assert_next("0 12 29 2 *", "2097-01-01T00:00:00Z", "2104-02-29T12:00:00Z");
	assert_prev("0 12 29 2 *", "2104-02-28T00:00:00Z", "2096-02-29T12:00:00Z");
	/* Feb 29 that is also a Sunday (a stepped "*" ANDs the two fields):
	 * 28 years apart, then 40 across 2100. */
	assert_next("0 0 29 2 */7", "2026-01-01T00:00:00Z", "2032-02-29T00:00:00Z");
	assert_next("0 0 29 2 */7", "2032-02-29T00:00:00Z", "2060-02-29T00:00:00Z");
	assert_next("0 0 29 2 */7", "2088-02-29T00:00:00Z", "2128-02-29T00:00:00Z");
	assert_prev("0 0 29 2 */7", "2128-02-28T00:00:00Z", "2088-02-29T00:00:00Z");
}
END_TEST

START_TEST(lists_and_steps)
{
	zone("UTC");
	assert_next("5,10-20/5,55 * * * *", "2026-11-26T12:20:00Z", "2026-11-26T12:55:00Z");
	assert_next("5,10-20/5,55 * * * *", "2026-11-26T12:55:00Z", "2026-11-26T13:05:00Z");
	assert_prev("5,10-20/5,55 * * * *", "2026-11-26T12:54:59Z", "2026-11-26T12:20:00Z");
	assert_prev("5,10-20/5,55 * * * *", "2026-11-26T13:04:00Z", "2026-11-26T12:55:00Z");
	assert_next("10/20 9-17/4 * * *", "2026-11-26T17:50:00Z", "2026-11-27T09:10:00Z");
	assert_prev("10/20 9-17/4 * * *", "2026-11-26T13:09:00Z", "2026-11-26T09:50:00Z");
	assert_next("*/15 * * * *", "2026-11-26T12:00:01Z", "2026-11-26T12:15:00Z");
	assert_prev("*/15 * * * *", "2026-11-26T12:14:59Z", "2026-11-26T12:00:00Z");
	assert_next("0 0 1 jan,jul *", "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z");
	assert_next("0 0 1 */5 *", "2026-06-02T00:00:00Z", "2026-11-01T00:00:00Z");
}
END_TEST

START_TEST(weekdays)
{
	zone("UTC");
	/* 2026-11-28 is a Saturday. */
	assert_next("0 9 * * mon-fri", "2026-11-28T12:00:00Z", "2026-11-30T09:00:00Z");
	assert_prev("0 9 * * mon-fri", "2026-11-30T08:59:00Z", "2026-11-27T09:00:00Z");
	assert_next("0 0 * * 7", "2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z");
	assert_next("0 0 * * sun", "2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z");
	/* Both restricted: the 13th OR a Friday. October 13 2026 is a
	 * Tuesday, the Fridays are the 9th and the 16th. */
	assert_next("0 0 13 * 5", "2026-10-09T00:00:00Z", "2026-10-13T00:00:00Z");
	assert_next("0 0 13 * 5", "2026-10-13T00:00:00Z", "2026-10-16T00:00:00Z");
	assert_prev("0 0 13 * 5", "2026-10-15T00:00:00Z", "2026-10-13T00:00:00Z");
	assert_prev("0 0 13 * 5", "2026-10-12T23:59:00Z", "2026-10-09T00:00:00Z");
	assert_next("0 0 1 * sun", "2026-11-29T00:00:00Z", "2026-12-01T00:00:00Z");
	/* A stepped "*" is unrestricted for the rule (Vixie): odd days AND
	 * Mondays. The Mondays of November 2026 are 2, 9, 16, 23, 30. */
	assert_next("0 0 */2 * 1", "2026-11-01T00:00:00Z", "2026-11-09T00:00:00Z");
	assert_next("0 0 */2 * 1", "2026-11-09T00:00:00Z", "2026-11-23T00:00:00Z");
	/* Whereas a list covering the same days is restricted: OR. */
	assert_next("0 0 1-31/2 * 1", "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z");
}
END_TEST

START_TEST(new_york_spring_forward)
{
	/* 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z). */
	zone("America/New_York");
	assert_prev("30 2 * * *", "2026-03-08T06:59:59Z", "2026-03-07T07:30:00Z");
	assert_next("30 2 * * *", "2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z");
	assert_prev("30 2 * * *", "2026-03-08T07:00:00Z", "2026-03-08T07:00:00Z");
	assert_next("30 2 * * *", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z");
	assert_prev("30 2 * * *", "2026-03-09T06:29:59Z", "2026-03-08T07:00:00Z");
	/* 02:00 and 02:30 both become 03:00 EDT: one firing. */
	assert_next("0,30 2 * * *", "2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z");
	assert_next("0,30 2 * * *", "2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z");
	assert_prev("0,30 2 * * *", "2026-03-09T05:59:59Z", "2026-03-08T07:00:00Z");
	/* 02:30 and 03:00 too; 03:30 is an ordinary time. */
	assert_next("*/30 * * * *", "2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z");
	assert_next("*/30 * * * *", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z");
	assert_prev("*/30 * * * *", "2026-03-08T07:29:59Z", "2026-03-08T07:00:00Z");
	/* Hourly: 01:00 EST, then 03:00 EDT once, then 04:00 EDT. */
	assert_next("0 * * * *", "2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z");
	assert_next("0 * * * *", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z");
	assert_prev("0 * * * *", "2026-03-08T07:59:59Z", "2026-03-08T07:00:00Z");
	assert_prev("0 * * * *", "2026-03-08T06:59:59Z", "2026-03-08T06:00:00Z");
	assert_next("0 * * * *", "2026-03-08T05:00:00Z", "2026-03-08T06:00:00Z");
}
END_TEST

START_TEST(new_york_fall_back)
{
	/* 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00Z); 01:00-01:59
	 * happens twice and fires at the first (EDT). */
	zone("America/New_York");
	assert_next("30 1 * * *", "2026-11-01T00:00:00Z", "2026-11-01T05:30:00Z");
	assert_next("30 1 * * *", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z");
	assert_prev("30 1 * * *", "2026-11-01T06:30:00Z", "2026-11-01T05:30:00Z");
	assert_prev("30 1 * * *", "2026-11-01T05:29:59Z", "2026-10-31T05:30:00Z");
	assert_next("*/15 1 * * *", "2026-11-01T05:45:00Z", "2026-11-02T06:00:00Z");
	assert_prev("*/15 1 * * *", "2026-11-01T06:59:59Z", "2026-11-01T05:45:00Z");
	assert_prev("0 2 * * *", "2026-11-01T06:59:59Z", "2026-10-31T06:00:00Z");
	assert_next("0 2 * * *", "2026-10-31T06:00:00Z", "2026-11-01T07:00:00Z");
	/* Hourly: 00:00 and 01:00 EDT, then 02:00 EST; not 01:00 EST. */
	assert_next("0 * * * *", "2026-11-01T04:00:00Z", "2026-11-01T05:00:00Z");
	assert_next("0 * * * *", "2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z");
	assert_prev("0 * * * *", "2026-11-01T06:59:59Z", "2026-11-01T05:00:00Z");
	assert_prev("0 * * * *", "2026-11-01T06:00:00Z", "2026-11-01T05:00:00Z");
	assert_prev("0 * * * *", "2026-11-01T07:00:00Z", "2026-11-01T07:00:00Z");
}
END_TEST

START_TEST(london)
{
	/* 2026-03-29: 01:00 GMT becomes 02:00 BST (01:00Z). */
	zone("Europe/London");
	assert_next("30 1 * * *", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z");
	assert_next("30 1 * * *", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z");
	assert_prev("30 1 * * *", "2026-03-29T01:00:00Z", "2026-03-29T01:00:00Z");
	assert_prev("30 1 * * *", "2026-03-29T00:59:59Z", "2026-03-28T01:30:00Z");
	/* Hourly: 01:00 GMT is skipped and becomes 02:00 BST, one firing. */
	assert_next("0 * * * *", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z");
	assert_next("0 * * * *", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z");
	assert_prev("0 * * * *", "2026-03-29T01:59:59Z", "2026-03-29T01:00:00Z");
	/* 2026-10-25: 02:00 BST becomes 01:00 GMT (01:00Z). */
	assert_next("30 1 * * *", "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z");
	assert_next("30 1 * * *", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z");
	assert_prev("30 1 * * *", "2026-10-25T01:30:00Z", "2026-10-25T00:30:00Z");
	/* Hourly: 00:00 and 01:00 BST, then 02:00 GMT; not 01:00 GMT. */
	assert_next("0 * * * *", "2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z");
	assert_next("0 * * * *", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z");
	assert_prev("0 * * * *", "2026-10-25T01:59:59Z", "2026-10-25T00:00:00Z");
}
END_TEST

/* The instants of a schedule from brute force: every local minute of the
 * days from y-m-d on, mapped as clock.h maps wall times, kept if the
 * schedule names it. Sorted, without repeats. Day fields come from
 * localtime_r at noon, not from cron.c's own calendar. */
static size_t
brute_force(const struct rp_cron *c, int y, int m, int d, int ndays, time_t *out)
{
	size_t n = 0, i, j;
	int k, h, mi;

	for (k = 0; k < ndays; k++) {
		time_t noon = rp_clock_local(y, m, d + k, 12, 0, 0);
		struct tm tm;
		int dom, dow, ok;

		localtime_r(&noon, &tm);
		dom = c->mdays >> tm.tm_mday & 1;
		dow = c->wdays >> tm.tm_wday & 1;
		ok = (c->months >> (tm.tm_mon + 1) & 1) &&
		    (c->mday_star || c->wday_star ? dom && dow : dom || dow);
		for (h = 0; ok && h < 24; h++)
			for (mi = 0; mi < 60; mi++)
				if ((c->hours >> h & 1) && (c->minutes >> mi & 1))
					out[n++] = rp_clock_local(y, m, d + k, h, mi, 0);
	}
	/* Already in order (wall order is instant order); drop repeats. */
	for (i = j = 0; i < n; i++) {
		if (i > 0)
			ck_assert(out[i] >= out[i - 1]);
		if (j == 0 || out[i] != out[j - 1])
			out[j++] = out[i];
	}
	return j;
}

/* The index of the first of the n sorted instants s after t, or n. */
static size_t
first_after(const time_t *s, size_t n, time_t t)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* prev and next at t against the brute-force answer, and the round trips. */
static void
check_at(const struct rp_cron *c, const time_t *s, size_t n, time_t t)
{
	size_t j = first_after(s, n, t);
	time_t p, nx;

	ck_assert_msg(j > 0 && j < n, "\"%s\": window too small", c->expr);
	p = rp_cron_prev(c, t);
	nx = rp_cron_next(c, t);
	ck_assert_msg(p == s[j - 1] && nx == s[j],
	    "\"%s\" at %lld: prev %lld next %lld, expected %lld %lld", c->expr,
	    (long long)t, (long long)p, (long long)nx, (long long)s[j - 1], (long long)s[j]);
	ck_assert_int_eq(rp_cron_prev(c, nx), nx);
	ck_assert_int_gt(rp_cron_next(c, p), p);
}

/* Over the middle two of four days from y-m-d: every 7 minutes 13
 * seconds, and at each scheduled instant and a second either side. */
static void
check_window(const char *expr, int y, int m, int d)
{
	static time_t s[4 * 1440];
	struct rp_cron c = parse_ok(expr);
	size_t n = brute_force(&c, y, m, d, 4, s), i;
	time_t lo = rp_clock_local(y, m, d + 1, 0, 0, 0);
	time_t hi = rp_clock_local(y, m, d + 3, 0, 0, 0), t;

	for (t = lo; t < hi; t += 433)
		check_at(&c, s, n, t);
	for (i = 0; i < n; i++) {
		if (s[i] <= lo || s[i] + 1 >= hi)
			continue;
		check_at(&c, s, n, s[i] - 1);
		check_at(&c, s, n, s[i]);
		check_at(&c, s, n, s[i] + 1);
	}
}

START_TEST(brute_force_dst)
{
	static const char *const exprs[] = {
		"*/7 * * * *", "0 * * * *", "30 1 * * *", "30 2 * * *",
		"0,30 2 * * *", "59 1,2 * * *", "15 0-3 * * *", "0 0 * * *",
		"45 23 * * *", "0 9 * * mon-fri", "*/20 1-3 2,6,9,23,26,27,30 * sun",
	};
	size_t i;

	for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		zone("America/New_York");
		check_window(exprs[i], 2026, 3, 6);
		check_window(exprs[i], 2026, 10, 30);
		zone("Europe/London");
		check_window(exprs[i], 2026, 3, 27);
		check_window(exprs[i], 2026, 10, 23);
	}
}
END_TEST

START_TEST(out_of_reach)
{
	struct rp_cron c = parse_ok("* * * * *"), none;

	zone("UTC");
	/* Local years 1 to 9999 only. */
	ck_assert_int_eq(rp_cron_next(&c, utc("9999-12-31T23:58:00Z")), utc("9999-12-31T23:59:00Z"));
	ck_assert_int_eq(rp_cron_next(&c, (time_t)253402300800LL), (time_t)-1); /* 10000 */
	ck_assert_int_eq(rp_cron_prev(&c, (time_t)-62135596801LL), (time_t)-1); /* year 0 */
	ck_assert_int_eq(rp_cron_prev(&c, (time_t)-62135596800LL), (time_t)-62135596800LL);
	/* A struct that never fires gives -1 after the whole search. */
	memset(&none, 0, sizeof(none));
	ck_assert_int_eq(rp_cron_next(&none, utc("2026-11-26T00:00:00Z")), (time_t)-1);
	ck_assert_int_eq(rp_cron_prev(&none, utc("2026-11-26T00:00:00Z")), (time_t)-1);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, parse_fields);
	tcase_add_test(tc, parse_names);
	tcase_add_test(tc, parse_blanks_and_macros);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, ordinary);
	tcase_add_test(tc, month_ends);
	tcase_add_test(tc, leap_years);
	tcase_add_test(tc, lists_and_steps);
	tcase_add_test(tc, weekdays);
	tcase_add_test(tc, new_york_spring_forward);
	tcase_add_test(tc, new_york_fall_back);
	tcase_add_test(tc, london);
	tcase_add_test(tc, brute_force_dst);
	tcase_add_test(tc, out_of_reach);
}
