/*
 * cron: schedules written as cron expressions, for checks that expect a job
 * to succeed after each scheduled time ("30 2 * * *").
 *
 * An expression has the five standard fields, separated by runs of blanks
 * (spaces or tabs; leading and trailing blanks are fine):
 *
 *   minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or jan-dec,
 *   day-of-week 0-7 or sun-sat (0 and 7 are both Sunday)
 *
 * Each field is a comma list of items; an item is "*", a value or a range
 * "a-b", optionally followed by a step "/n" (n at least 1, at most the
 * field's maximum): every nth value of the field, of the range, or, after a
 * single value a, from a to the field's maximum (as Vixie cron). Names are three letters, in any case, and may end a range
 * ("mon-fri"); a range ending in "sun" with a later start ends at 7, so
 * "fri-sun" is Friday to Sunday. The macros @yearly (or @annually),
 * @monthly, @weekly, @daily (or @midnight) and @hourly stand for the
 * usual expressions; @reboot is refused.
 *
 * Days follow Vixie cron: when day-of-month and day-of-week are both
 * restricted, a day matches if either does; when one of them begins with
 * "*" (a stepped "*" too, as in Vixie cron), a day must match both.
 *
 * Times are local wall times in the process's zone (see clock.h). A
 * scheduled time skipped when clocks go forward fires at the first instant
 * after the gap; a time repeated when clocks go back fires once, at its
 * first occurrence. A schedule is the set of instants so obtained: two
 * scheduled times that fall on the same instant fire once.
 */
#ifndef RP_CRON_H
#define RP_CRON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The longest expression accepted, in bytes, terminator excluded. */
#define RP_CRON_EXPR_MAX 128

struct rp_cron {
	uint64_t minutes;           /* bit m: minute m, 0-59 */
	uint32_t hours;             /* bit h: hour h, 0-23 */
	uint32_t mdays;             /* bit d: day of month d, 1-31 */
	uint16_t months;            /* bit m: month m, 1-12 */
	uint8_t wdays;              /* bit d: day of week d, 0-6, Sunday 0 */
	unsigned char mday_star;    /* day-of-month began with '*' */
	unsigned char wday_star;    /* day-of-week began with '*' */
	char expr[RP_CRON_EXPR_MAX + 1]; /* the expression as given */
};

/*
 * Parses expr into *out. Returns 0, or -1 with *out untouched and a
 * one-line reason in why (cut to whylen; why may be NULL), naming the field
 * and what is wrong, e.g.
 *   hour: "25" is not from 0 to 23
 *   5 fields expected (minute hour day-of-month month day-of-week), found 4
 * An expression that can never fire ("0 0 30 2 *") is an error too.
 */
int rp_cron_parse(const char *expr, struct rp_cron *out, char *why, size_t whylen);

/*
 * The latest scheduled instant at or before t, and the first one after t,
 * in the current zone. For every t, prev(t) <= t < next(t), and a
 * scheduled instant s has prev(s) == s. The search walks days, so it is
 * fast, and reaches 400 years (one cycle of the calendar), within which
 * every schedule rp_cron_parse() accepts fires: the longest wait is 40
 * years, for Feb 29 on a given weekday. Both return (time_t)-1 when t's
 * local year is not from 1 to 9999, or for a struct not filled by
 * rp_cron_parse() that never fires.
 */
time_t rp_cron_prev(const struct rp_cron *c, time_t t);
time_t rp_cron_next(const struct rp_cron *c, time_t t);

#endif
