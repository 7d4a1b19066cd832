#define _POSIX_C_SOURCE 200809L
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
rp_clock_set_zone(const char *name, struct rp_err *err)
{
	const char *dir = getenv("TZDIR");
	char path[512], magic[4];
	FILE *f;
	size_t n;
	const char *p;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	/* Only names of the tz database: no absolute paths, no "..". */
	if (*name == '\0' || *name == '/' || strstr(name, "..") != NULL)
		goto bad;
	for (p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || strchr("/_+-", *p) != NULL))
			goto bad;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		goto bad;
	if ((f = fopen(path, "rb")) == NULL)
		goto bad;
	n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	if (n != sizeof(magic) || memcmp(magic, "TZif", 4) != 0)
		goto bad;
	if (setenv("TZ", name, 1) != 0)
		return rp_err_set(err, RP_EXIT_SOFTWARE, "cannot set TZ");
	tzset();
	return 0;
bad:
	return rp_err_set(err, RP_EXIT_CONFIG,
	    "\"%s\" is not a time zone of the tz database (like America/New_York)", name);
}

static int
two_digits(const char *s, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

int
rp_clock_parse_hhmm(const char *s, int *minutes)
{
	int h, m;

	if (s[0] >= '0' && s[0] <= '9' && s[1] == ':') {
		h = s[0] - '0';
		s += 2;
	} else if (two_digits(s, &h) == 0 && s[2] == ':') {
		s += 3;
	} else {
		return -1;
	}
	if (two_digits(s, &m) != 0 || s[2] != '\0' || h > 23 || m > 59)
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

int64_t
rp_clock_days_from_civil(int64_t y, int m, int d)
{
	/* Howard Hinnant's algorithm: exact for every proleptic Gregorian date. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Seconds since the epoch of the broken-down time read as if it were UTC. */
static int64_t
civil_seconds(const struct tm *tm)
{
	return rp_clock_days_from_civil((int64_t)tm->tm_year + 1900, tm->tm_mon + 1,
	           tm->tm_mday) * 86400 +
	    tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

/* The zone's offset from UTC at t, in seconds east. */
static int64_t
offset_at(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return civil_seconds(&tm) - (int64_t)t;
}

time_t
rp_clock_local(int year, int mon, int day, int hour, int min, int sec)
{
	int64_t y, m, wall, o1, o2;
	time_t c1, c2, lo, hi;
	int ok1, ok2;

	/* Normalise the fields with UTC arithmetic, which has no gaps. */
	y = year + (mon - 1) / 12;
	m = (mon - 1) % 12;
	if (m < 0) {
		m += 12;
		y -= 1;
	}
	wall = (rp_clock_days_from_civil(y, (int)m + 1, 1) + (day - 1)) * 86400 +
	    (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
	/*
	 * The answer is wall minus the offset in force at the answer. The
	 * offsets a day either side bound every offset in between (no zone
	 * changes twice in two days), so the answer is one of two candidates,
	 * or, in a gap, the transition between them.
	 */
	o1 = offset_at((time_t)(wall - 86400));
	o2 = offset_at((time_t)(wall + 86400));
	c1 = (time_t)(wall - o1);
	c2 = (time_t)(wall - o2);
	ok1 = offset_at(c1) == o1;
	ok2 = offset_at(c2) == o2;
	if (ok1 && ok2)
		return c1 < c2 ? c1 : c2;
	if (ok1 || ok2)
		return ok1 ? c1 : c2;
	/* A gap: find the first instant whose offset is the later one. */
	lo = c1 < c2 ? c1 : c2;
	hi = c1 < c2 ? c2 : c1;
	while (hi - lo > 1) {
		time_t mid = lo + (hi - lo) / 2;
		if (offset_at(mid) == o2)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/*
 * A run asks for the same few times of the same day for every check (a
 * thousand checks, two calls each): each answer is a pure function of the
 * zone, now's local day and the minutes, so it is remembered for that day
 * and zone (TZ as it is now; rp_clock_set_zone is the only other way to
 * change it, and it sets TZ).
 */
#define MEMO_MINUTES (24 * 60 + 1)
static struct {
	int valid;
	char tz[128];            /* TZ when filled ("" unset, with tz_set 0) */
	int tz_set;
	time_t now;              /* the last now asked about, and its day */
	int year, mon, day;
	time_t at[MEMO_MINUTES];
	unsigned char known[MEMO_MINUTES];
} memo;

/* Whether the memo is for TZ as it is now; forgets it otherwise. */
static int
memo_zone_same(void)
{
	const char *tz = getenv("TZ");
	size_t n = tz ? strlen(tz) : 0;

	if (n >= sizeof(memo.tz))
		return 0;
	if (memo.valid && memo.tz_set == (tz != NULL) && strcmp(memo.tz, tz ? tz : "") == 0)
		return 1;
	memset(&memo, 0, sizeof(memo));
	memo.tz_set = tz != NULL;
	memcpy(memo.tz, tz ? tz : "", n + 1);
	return 1;
}

time_t
rp_clock_today_at(time_t now, int minutes)
{
	struct tm tm;
	time_t t;

	if (minutes < 0 || minutes >= MEMO_MINUTES || !memo_zone_same()) {
		localtime_r(&now, &tm);
		return rp_clock_local(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    minutes / 60, minutes % 60, 0);
	}
	if (!memo.valid || now != memo.now) {
		localtime_r(&now, &tm);
		if (!memo.valid || tm.tm_year + 1900 != memo.year || tm.tm_mon + 1 != memo.mon ||
		    tm.tm_mday != memo.day)
			memset(memo.known, 0, sizeof(memo.known));
		memo.year = tm.tm_year + 1900;
		memo.mon = tm.tm_mon + 1;
		memo.day = tm.tm_mday;
		memo.now = now;
		memo.valid = 1;
	}
	if (!memo.known[minutes]) {
		memo.at[minutes] = rp_clock_local(memo.year, memo.mon, memo.day, minutes / 60,
		    minutes % 60, 0);
		memo.known[minutes] = 1;
	}
	t = memo.at[minutes];
	return t;
}

void
rp_clock_local_date(time_t t, char *buf)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, RP_DATE_LEN, "%Y-%m-%d", &tm);
}

void
rp_clock_format_utc(time_t t, char *buf)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, RP_UTC_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
rp_clock_format_local(time_t t, char *buf)
{
	struct tm tm;
	int64_t off = offset_at(t);
	char sign = off < 0 ? '-' : '+';
	int n;

	if (off < 0)
		off = -off;
	localtime_r(&t, &tm);
	n = (int)strftime(buf, RP_LOCAL_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, (size_t)(RP_LOCAL_LEN - n), "%c%02d:%02d", sign,
	    (int)(off / 3600), (int)(off % 3600 / 60));
}

void
rp_clock_format_short(time_t t, char *buf)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, RP_SHORT_LEN, "%Y-%m-%d %H:%M", &tm);
}

static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

int
rp_clock_parse_iso(const char *s, int naive_local, time_t *out)
{
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 0, have_off = 0;
	int64_t t;

	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi))
		return -1;
	s += 16;
	if (*s == ':') {
		if (digits(s + 1, 2, &sec))
			return -1;
		s += 3;
		if (*s == '.' || *s == ',') {
			s++;
			if (*s < '0' || *s > '9')
				return -1;
			while (*s >= '0' && *s <= '9')
				s++;
		}
	}
	if (*s == 'Z' || *s == 'z') {
		have_off = 1;
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		have_off = 1;
		if (digits(s + 1, 2, &oh))
			return -1;
		s += 3;
		if (*s == ':')
			s++;
		if (*s != '\0') {
			if (digits(s, 2, &om))
				return -1;
			s += 2;
		}
		if (oh > 23 || om > 59)
			return -1;
	}
	if (*s != '\0')
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 60)
		return -1;
	if (sec == 60) /* A leap second is the same instant as :59 to us. */
		sec = 59;
	if (!have_off && naive_local) {
		*out = rp_clock_local(y, mo, d, h, mi, sec);
		return 0;
	}
	t = rp_clock_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= (int64_t)sign * (oh * 3600 + om * 60);
	*out = (time_t)t;
	return 0;
}

int
rp_clock_now(const char *override, time_t *out, struct rp_err *err)
{
	const char *what = "--now";

	if (override == NULL) {
		override = getenv("RP_NOW");
		what = "RP_NOW";
		if (override != NULL && *override == '\0')
			override = NULL;
	}
	if (override == NULL) {
		*out = time(NULL);
		return 0;
	}
	if (rp_clock_parse_iso(override, 1, out) != 0)
		return rp_err_set(err, RP_EXIT_USAGE,
		    "%s: \"%s\" is not a time like 2026-11-26T09:30[:00][Z|+01:00]",
		    what, override);
	return 0;
}

/* The units of a duration, largest first: the order they must appear in. */
static const struct {
	char unit;
	long secs;
} dur_units[] = {{'w', 604800}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

int
rp_clock_parse_duration(const char *s, long max, long *out)
{
	size_t next = 0; /* the first unit still allowed */
	long total = 0, v;
	char *end;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		/* strtol would take blanks and signs: only digits start a part. */
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno != 0)
			return -1;
		while (next < sizeof(dur_units) / sizeof(dur_units[0]) &&
		    dur_units[next].unit != *end)
			next++;
		if (next == sizeof(dur_units) / sizeof(dur_units[0]))
			return -1; /* no unit, an unknown one, or out of order */
		/* total <= max throughout, so max - total cannot overflow. */
		if (v > (max - total) / dur_units[next].secs)
			return -1;
		total += v * dur_units[next].secs;
		next++;
		s = end + 1;
	}
	if (total < 1)
		return -1;
	*out = total;
	return 0;
}
