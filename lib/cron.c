#define _POSIX_C_SOURCE 200809L
#include "cron.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "util.h"

/*
 * How many days prev and next walk. The Gregorian calendar repeats every
 * 400 years (146097 days, a whole number of weeks), so a schedule that
 * fires at all fires within one cycle. The longest real wait is 40 years:
 * Feb 29 that must also be a Sunday (day-of-month 29 and a day-of-week of
 * "*" with a step of 7, which Vixie's rule makes both required). Days that
 * do not match cost a few bit tests each.
 */
#define SEARCH_DAYS 146097

enum { F_MINUTE, F_HOUR, F_MDAY, F_MONTH, F_WDAY, F_COUNT };

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const wday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static const struct field {
	const char *name;
	int min, max;
	const char *const *names;   /* the names of min, min + 1, ..., or NULL */
	int nnames;
	const char *span;           /* "jan-dec", for messages */
} fields[F_COUNT] = {
	{"minute", 0, 59, NULL, 0, NULL},
	{"hour", 0, 23, NULL, 0, NULL},
	{"day-of-month", 1, 31, NULL, 0, NULL},
	{"month", 1, 12, month_names, 12, "jan-dec"},
	{"day-of-week", 0, 7, wday_names, 7, "sun-sat"},
};

static const struct {
	const char *name;
	const char *fields;
} macros[] = {
	{"@yearly", "0 0 1 1 *"},
	{"@annually", "0 0 1 1 *"},
	{"@monthly", "0 0 1 * *"},
	{"@weekly", "0 0 * * 0"},
	{"@daily", "0 0 * * *"},
	{"@midnight", "0 0 * * *"},
	{"@hourly", "0 * * * *"},
};
#define NMACROS (sizeof(macros) / sizeof(macros[0]))

/* Where the reason for a refusal goes. */
struct why {
	char *buf;
	size_t len;
};

/* A piece of the expression, not terminated: printed with "%.*s". Pieces
 * are at most RP_CRON_EXPR_MAX bytes, so an int holds the length. */
struct span {
	const char *p;
	int len;
};

static int fail(struct why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats the reason; returns -1. A reason cut short ends in "...". */
static int
fail(struct why *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->buf == NULL || w->len == 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(w->buf, w->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		w->buf[0] = '\0';
	else if ((size_t)n >= w->len && w->len >= 4)
		memcpy(w->buf + w->len - 4, "...", 4);
	return -1;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Reads all of s as a non-negative decimal number. strtol alone would
 * also take blanks and a sign, so the first byte must be a digit. */
static int
number(struct span s, long *v)
{
	char *end;

	if (s.len == 0 || !is_digit(s.p[0]))
		return -1;
	errno = 0;
	*v = strtol(s.p, &end, 10);
	if (end != s.p + s.len)
		return -1;
	if (errno == ERANGE)
		*v = LONG_MAX; /* out of every range, which is what matters */
	return 0;
}

/* A value of field f: a number from f->min to f->max, or one of its names. */
static int
parse_value(const struct field *f, struct span s, int *v, struct why *w)
{
	long n;
	int i;

	for (i = 0; i < f->nnames; i++)
		if (s.len == 3 && strncasecmp(s.p, f->names[i], 3) == 0) {
			*v = f->min + i;
			return 0;
		}
	if (number(s, &n) != 0) {
		if (f->names != NULL)
			return fail(w, "%s: \"%.*s\" is not a number or a name (%s)", f->name,
			    s.len, s.p, f->span);
		return fail(w, "%s: \"%.*s\" is not a number", f->name, s.len, s.p);
	}
	if (n < f->min || n > f->max)
		return fail(w, "%s: \"%.*s\" is not from %d to %d", f->name, s.len, s.p,
		    f->min, f->max);
	*v = (int)n;
	return 0;
}

static int
parse_step(const struct field *f, struct span s, int *step, struct why *w)
{
	long n;

	if (number(s, &n) != 0)
		return fail(w, "%s: step \"%.*s\" is not a number", f->name, s.len, s.p);
	if (n < 1)
		return fail(w, "%s: step \"%.*s\" must be at least 1", f->name, s.len, s.p);
	if (n > f->max)
		return fail(w, "%s: step \"%.*s\" is more than %d", f->name, s.len, s.p, f->max);
	*step = (int)n;
	return 0;
}

/* "a-b", the dash at s.p + dash. */
static int
parse_range(const struct field *f, struct span s, int dash, int *lo, int *hi,
    struct why *w)
{
	struct span a = {s.p, dash}, b = {s.p + dash + 1, s.len - dash - 1};

	if (a.len == 0 || b.len == 0 || memchr(b.p, '-', (size_t)b.len) != NULL)
		return fail(w, "%s: \"%.*s\" is not a range like 1-5", f->name, s.len, s.p);
	if (parse_value(f, a, lo, w) != 0 || parse_value(f, b, hi, w) != 0)
		return -1;
	/* "fri-sun": a week that ends on Sunday ends on 7. */
	if (f->names == wday_names && *hi == 0 && *lo > 0 && !is_digit(b.p[0]))
		*hi = 7;
	if (*lo > *hi)
		return fail(w, "%s: range \"%.*s\" goes backwards", f->name, s.len, s.p);
	return 0;
}

/* One item of a list: "*", a value or a range, then maybe "/step". Sets
 * bit v of *bits for each value v it stands for. */
static int
parse_item(const struct field *f, struct span s, uint64_t *bits, struct why *w)
{
	const char *slash = memchr(s.p, '/', (size_t)s.len);
	struct span base = {s.p, slash != NULL ? (int)(slash - s.p) : s.len};
	const char *dash = memchr(base.p, '-', (size_t)base.len);
	int lo, hi, v, step = 1;

	if (base.len == 1 && base.p[0] == '*') {
		lo = f->min;
		hi = f->max;
	} else if (dash != NULL) {
		if (parse_range(f, base, (int)(dash - base.p), &lo, &hi, w) != 0)
			return -1;
	} else {
		if (parse_value(f, base, &lo, w) != 0)
			return -1;
		hi = slash != NULL ? f->max : lo; /* "a/n" runs to the maximum */
	}
	if (slash != NULL) {
		struct span st = {slash + 1, s.len - base.len - 1};
		if (parse_step(f, st, &step, w) != 0)
			return -1;
	}
	for (v = lo; v <= hi; v += step)
		*bits |= (uint64_t)1 << v;
	return 0;
}

/* A comma list of items. */
static int
parse_field(const struct field *f, const char *text, uint64_t *bits, struct why *w)
{
	const char *p = text, *comma;
	struct span s;

	*bits = 0;
	for (;;) {
		comma = strchr(p, ',');
		s.p = p;
		s.len = comma != NULL ? (int)(comma - p) : (int)strlen(p);
		if (s.len == 0)
			return fail(w, "%s: empty item in \"%s\"", f->name, text);
		if (parse_item(f, s, bits, w) != 0)
			return -1;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/* Cuts buf at its blanks; the first F_COUNT fields go to field[]. Returns
 * how many fields there are. */
static int
split_fields(char *buf, char *field[F_COUNT])
{
	char *p = buf;
	int n = 0;

	for (;;) {
		while (is_blank(*p))
			*p++ = '\0';
		if (*p == '\0')
			return n;
		if (n < F_COUNT)
			field[n] = p;
		n++;
		while (*p != '\0' && !is_blank(*p))
			p++;
	}
}

/* Only printable ASCII and blanks, so that every reason is one clean line. */
static int
check_bytes(const char *expr, struct why *w)
{
	size_t i;

	for (i = 0; expr[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)expr[i];
		if ((ch < 0x20 || ch > 0x7e) && ch != '\t')
			return fail(w, "byte %zu (0x%02x) is not a printable ASCII character",
			    i + 1, ch);
	}
	return 0;
}

/* If expr is a macro, *text becomes its five fields; else expr itself. */
static int
expand_macro(const char *expr, const char **text, struct why *w)
{
	const char *p = expr, *rest;
	struct span s;
	size_t i;

	*text = expr;
	while (is_blank(*p))
		p++;
	if (*p != '@')
		return 0;
	for (rest = p; *rest != '\0' && !is_blank(*rest); rest++)
		;
	s.p = p;
	s.len = (int)(rest - p);
	while (is_blank(*rest))
		rest++;
	if (s.len == 7 && strncasecmp(p, "@reboot", 7) == 0)
		return fail(w, "\"@reboot\" is not a time of day: use a schedule like "
		    "\"@daily\" or \"30 2 * * *\"");
	for (i = 0; i < NMACROS; i++)
		if ((size_t)s.len == strlen(macros[i].name) &&
		    strncasecmp(p, macros[i].name, (size_t)s.len) == 0)
			break;
	if (i == NMACROS)
		return fail(w, "\"%.*s\" is not one of @yearly, @annually, @monthly, "
		    "@weekly, @daily, @midnight, @hourly", s.len, s.p);
	if (*rest != '\0')
		return fail(w, "\"%.*s\" takes no fields, found \"%s\"", s.len, s.p, rest);
	*text = macros[i].fields;
	return 0;
}

static int
parse_fields(struct rp_cron *c, char *field[F_COUNT], struct why *w)
{
	uint64_t bits[F_COUNT];
	int i;

	for (i = 0; i < F_COUNT; i++)
		if (parse_field(&fields[i], field[i], &bits[i], w) != 0)
			return -1;
	c->minutes = bits[F_MINUTE];
	c->hours = (uint32_t)bits[F_HOUR];
	c->mdays = (uint32_t)bits[F_MDAY];
	c->months = (uint16_t)bits[F_MONTH];
	/* Sunday is 0 and 7: fold 7 onto 0. */
	c->wdays = (uint8_t)((bits[F_WDAY] | bits[F_WDAY] >> 7) & 0x7f);
	/* Vixie cron's test: the field's first character, not its values. */
	c->mday_star = field[F_MDAY][0] == '*';
	c->wday_star = field[F_WDAY][0] == '*';
	return 0;
}

/*
 * Whether the schedule has a date at all. When both day fields are
 * restricted, day-of-week alone finds days every month. Otherwise a day
 * must match day-of-month in one of the months, and every date that exists
 * (Feb 29 included) falls on every day of the week within 400 years.
 */
static int
has_a_date(const struct rp_cron *c)
{
	static const int longest[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int m, d;

	if (!c->mday_star && !c->wday_star)
		return 1;
	for (m = 1; m <= 12; m++)
		for (d = 1; d <= longest[m]; d++)
			if ((c->months >> m & 1) && (c->mdays >> d & 1))
				return 1;
	return 0;
}

int
rp_cron_parse(const char *expr, struct rp_cron *out, char *why, size_t whylen)
{
	struct why w = {why, whylen};
	char buf[RP_CRON_EXPR_MAX + 1];
	char *field[F_COUNT];
	const char *text;
	struct rp_cron c;
	size_t len = strlen(expr);
	int n;

	if (len > RP_CRON_EXPR_MAX)
		return fail(&w, "the expression is %zu bytes long, more than %d", len,
		    RP_CRON_EXPR_MAX);
	if (check_bytes(expr, &w) != 0 || expand_macro(expr, &text, &w) != 0)
		return -1;
	if (rp_strlcpy(buf, text, sizeof(buf)) != 0)
		return fail(&w, "the expression is too long"); /* cannot happen */
	n = split_fields(buf, field);
	if (n != F_COUNT)
		return fail(&w, "%d fields expected (minute hour day-of-month month "
		    "day-of-week), found %d", F_COUNT, n);
	memset(&c, 0, sizeof(c));
	if (parse_fields(&c, field, &w) != 0)
		return -1;
	if (!has_a_date(&c))
		return fail(&w, "day-of-month: \"%s\" never matches a date in month \"%s\"",
		    field[F_MDAY], field[F_MONTH]);
	memcpy(c.expr, expr, len + 1);
	*out = c;
	return 0;
}

/* A local calendar day. */
struct day {
	int y, m, d, wday;
};

/* The day numbered dn (days since 1970-01-01); Howard Hinnant's inverse of
 * rp_clock_days_from_civil(). */
static struct day
day_of(int64_t dn)
{
	int64_t z = dn + 719468, era, doe, yoe, doy, mp;
	struct day day;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	day.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	day.y = (int)(yoe + era * 400 + (day.m <= 2));
	/* 1970-01-01 was a Thursday. */
	day.wday = (int)(((dn + 4) % 7 + 7) % 7);
	return day;
}

static int
day_matches(const struct rp_cron *c, const struct day *day)
{
	int dom = c->mdays >> day->d & 1, dow = c->wdays >> day->wday & 1;

	if (!(c->months >> day->m & 1))
		return 0;
	if (c->mday_star || c->wday_star)
		return dom && dow;
	return dom || dow;
}

/* The local day number of t, if its year is one we can walk from. */
static int
local_day(time_t t, int64_t *dn)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || tm.tm_year < 1 - 1900 ||
	    tm.tm_year > 9999 - 1900)
		return -1;
	*dn = rp_clock_days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return 0;
}

/* The scheduled times of any day, in order: the kth is hour h[k / nm],
 * minute m[k % nm]. */
struct times {
	int h[24], m[60];
	int nh, nm;
};

static void
list_times(const struct rp_cron *c, struct times *ts)
{
	int i;

	ts->nh = ts->nm = 0;
	for (i = 0; i < 24; i++)
		if (c->hours >> i & 1)
			ts->h[ts->nh++] = i;
	for (i = 0; i < 60; i++)
		if (c->minutes >> i & 1)
			ts->m[ts->nm++] = i;
}

static time_t
kth(const struct day *day, const struct times *ts, int k)
{
	return rp_clock_local(day->y, day->m, day->d, ts->h[k / ts->nm], ts->m[k % ts->nm], 0);
}

/*
 * How many of the day's scheduled times fall at or before t. Later wall
 * times never map to earlier instants (clock.h's rules for skipped and
 * repeated times keep the order), so a binary search finds it: about 11
 * conversions for the 1440 times of "* * * * *".
 */
static int
count_until(const struct day *day, const struct times *ts, time_t t)
{
	int lo = 0, hi = ts->nh * ts->nm, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (kth(day, ts, mid) <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Both walks start a day beyond t's own local day, so that a clock moved
 * across midnight (a day's last hour repeated after the next day began)
 * cannot hide a scheduled time from them.
 */
time_t
rp_cron_next(const struct rp_cron *c, time_t t)
{
	struct times ts;
	struct day day;
	int64_t dn, i;
	int k;

	list_times(c, &ts);
	if (local_day(t, &dn) != 0)
		return (time_t)-1;
	for (i = dn - 1; i <= dn + SEARCH_DAYS; i++) {
		day = day_of(i);
		if (day_matches(c, &day) && (k = count_until(&day, &ts, t)) < ts.nh * ts.nm)
			return kth(&day, &ts, k);
	}
	return (time_t)-1;
}

time_t
rp_cron_prev(const struct rp_cron *c, time_t t)
{
	struct times ts;
	struct day day;
	int64_t dn, i;
	int k;

	list_times(c, &ts);
	if (local_day(t, &dn) != 0)
		return (time_t)-1;
	for (i = dn + 1; i >= dn - SEARCH_DAYS; i--) {
		day = day_of(i);
		if (day_matches(c, &day) && (k = count_until(&day, &ts, t)) > 0)
			return kth(&day, &ts, k - 1);
	}
	return (time_t)-1;
}
