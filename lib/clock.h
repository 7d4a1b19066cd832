/*
 * clock: what time it is, and local-day arithmetic in the configured zone.
 *
 * The zone is the process's TZ, set once by rp_clock_set_zone() from the
 * configuration; every local conversion below uses it. Programs are
 * single-threaded one-shot runs, so a process-wide zone is the simple and
 * exact choice.
 *
 * Local wall times that do not exist (the hour skipped when clocks go
 * forward) mean the first instant after the gap; wall times that happen twice
 * (the hour repeated when clocks go back) mean the first of the two.
 */
#ifndef RP_CLOCK_H
#define RP_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "util.h"

/* Buffer sizes for the formatters, terminator included. */
#define RP_DATE_LEN 11  /* 2026-11-26 */
#define RP_UTC_LEN 21   /* 2026-11-26T14:00:00Z */
#define RP_LOCAL_LEN 26 /* 2026-11-26T09:00:00-05:00 */
#define RP_SHORT_LEN 17 /* 2026-11-26 09:00, for people */

/* Checks that name is an IANA zone of the system's tz database (a TZif file
 * under /usr/share/zoneinfo, or $TZDIR), and makes it the process's zone.
 * Returns 0, or -1 with err (RP_EXIT_CONFIG). */
int rp_clock_set_zone(const char *name, struct rp_err *err);

/* Parses "HH:MM" (hour 0-23, one or two digits; minute 00-59, two digits)
 * into minutes after midnight. Returns 0 or -1. */
int rp_clock_parse_hhmm(const char *s, int *minutes);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
int64_t rp_clock_days_from_civil(int64_t y, int m, int d);

/* The instant of a local wall time in the current zone (see above for
 * skipped and repeated times). Fields may be out of range (day 32, minute
 * 90): they are normalised as mktime would. */
time_t rp_clock_local(int year, int mon, int day, int hour, int min, int sec);

/* The instant at which the local day containing now reaches the given
 * minutes after midnight. */
time_t rp_clock_today_at(time_t now, int minutes);

/* Formatters; buf must hold the sizes above. */
void rp_clock_local_date(time_t t, char *buf);
void rp_clock_format_utc(time_t t, char *buf);
void rp_clock_format_local(time_t t, char *buf);
void rp_clock_format_short(time_t t, char *buf);

/* Parses ISO-8601 "YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]" with an optional
 * "Z" or "+HH:MM" / "+HHMM" / "+HH" offset. A time without one is read as
 * UTC, or as local time when naive_local is non-zero. Fractions of a second
 * are dropped. Returns 0 or -1. */
int rp_clock_parse_iso(const char *s, int naive_local, time_t *out);

/* Parses a duration into seconds: one or more parts, each a whole number
 * and a unit (w = 7 days, d, h, m, s), units in that order and each at most
 * once, with nothing between them: "45s", "30m", "1h30m", "2d12h", "1w".
 * The total must be from 1 to max (max >= 0); a part may be 0 ("1h0m") but
 * the whole may not ("0m"). Returns 0, or -1 with *out untouched. */
int rp_clock_parse_duration(const char *s, long max, long *out);

/* Now: the override (from --now) if given, else $RP_NOW if set, else the
 * system clock. A bad override fails with err (RP_EXIT_USAGE). */
int rp_clock_now(const char *override, time_t *out, struct rp_err *err);

#endif
