#define _POSIX_C_SOURCE 200809L
#include "eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "mime.h"

const char *
rp_act_name(enum rp_act a)
{
	static const char *const names[] = {"none", "trigger", "resolve", "change"};
	return names[a];
}

void
rp_result_fact(struct rp_result *r, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (r->nfacts == RP_MAX_FACTS)
		return;
	r->facts[r->nfacts].name = name;
	r->facts[r->nfacts].number = 0;
	va_start(ap, fmt);
	vsnprintf(r->facts[r->nfacts].value, sizeof(r->facts[0].value), fmt, ap);
	va_end(ap);
	r->nfacts++;
}

void
rp_result_fact_num(struct rp_result *r, const char *name, long v)
{
	if (r->nfacts == RP_MAX_FACTS)
		return;
	rp_result_fact(r, name, "%ld", v);
	r->facts[r->nfacts - 1].number = 1;
}

void
rp_result_fact_time(struct rp_result *r, const char *name, time_t t)
{
	char b[RP_UTC_LEN];

	rp_clock_format_utc(t, b);
	rp_result_fact(r, name, "%s", b);
}

/* Whole minutes from a to b, never negative (a clock ahead of ours). */
static long
minutes_between(time_t a, time_t b)
{
	return b > a ? (long)((b - a) / 60) : 0;
}

/* The first time r gives that is more than RP_FUTURE_TOLERANCE_SEC ahead
 * of now, with what it is, or 0. */
static time_t
future_time(const struct rp_src_result *r, time_t now, const char **what)
{
	time_t limit = now + RP_FUTURE_TOLERANCE_SEC;

	*what = "a completion";
	if (r->completion > limit)
		return r->completion;
	*what = "a failed run's start";
	if (r->failed && r->failed_start > limit)
		return r->failed_start;
	*what = "a run's start";
	if (r->start > limit)
		return r->start;
	return 0;
}

static void
source_facts(struct rp_result *res, const struct rp_src_result *r)
{
	size_t i;

	for (i = 0; i < r->nfacts; i++)
		rp_result_fact(res, r->facts[i].name, "%s", r->facts[i].value);
}

/* A failed run: CRITICAL, its episode keyed by the run's start. */
static void
freshness_failed(const struct rp_check *c, const struct rp_src_result *r,
    struct rp_result *res)
{
	const char *noun = c->type == RP_CHECK_BATCHY ? "batch" : "run";
	char when[RP_SHORT_LEN], utc[RP_UTC_LEN];

	res->status = RP_CRITICAL;
	if (r->failed_start != 0) {
		rp_clock_format_short(r->failed_start, when);
		rp_clock_format_utc(r->failed_start, utc);
		snprintf(res->summary, sizeof(res->summary), "%s: the %s started %s failed", r->what,
		    noun, when);
	} else {
		snprintf(utc, sizeof(utc), "unknown");
		snprintf(res->summary, sizeof(res->summary), "%s: the %s failed", r->what, noun);
	}
	snprintf(res->episode_key, sizeof(res->episode_key), "%s/failed@%s", c->name, utc);
}

/* Latency from last (a completion, or a start when basis says so) to now. */
static void
freshness_latency(const struct rp_check *c, const struct rp_src_result *r, time_t last,
    int from_start, time_t now, struct rp_result *res)
{
	char utc[RP_UTC_LEN];
	long lat = minutes_between(last, now), warn_at;

	rp_result_fact_time(res, from_start ? "last_start" : "last_completion", last);
	rp_result_fact_num(res, "latency_min", lat);
	/* warn_pct of the limit, rounded up: 80 % of 60 min warns at 48. */
	warn_at = (c->latency_min * c->warn_pct + 99) / 100;
	snprintf(res->perf, sizeof(res->perf), "latency=%lds;%ld;%ld;0",
	    now > last ? (long)(now - last) : 0L, warn_at * 60, c->latency_min * 60);
	if (lat >= c->latency_min) {
		res->status = RP_CRITICAL;
		rp_clock_format_utc(last, utc);
		snprintf(res->episode_key, sizeof(res->episode_key), "%s/overdue@%s", c->name, utc);
	} else {
		res->status = lat >= warn_at ? RP_WARNING : RP_OK;
	}
	if (from_start)
		snprintf(res->summary, sizeof(res->summary),
		    "%s: no completion seen; the %s started %ld min ago (limit %ld)", r->what,
		    c->type == RP_CHECK_BATCHY ? "batch" : "run", lat, c->latency_min);
	else if (res->status == RP_OK)
		snprintf(res->summary, sizeof(res->summary), "%s: completed %ld min ago (limit %ld)",
		    r->what, lat, c->latency_min);
	else
		snprintf(res->summary, sizeof(res->summary),
		    "%s: no completion for %ld min (limit %ld)", r->what, lat, c->latency_min);
}

void
rp_eval_freshness(const struct rp_check *c, const struct rp_src_result *r,
    const struct rp_check_state *prev, time_t now, struct rp_result *res)
{
	const char *what;
	time_t last = 0, ahead;

	memset(res, 0, sizeof(*res));
	source_facts(res, r);
	if (!r->ok) {
		res->status = RP_UNKNOWN;
		snprintf(res->summary, sizeof(res->summary), "%s: %s", r->what, r->why);
		return;
	}
	if ((ahead = future_time(r, now, &what)) != 0) {
		/* Not a fact: remembering it would mute the check until then. */
		char utc[RP_UTC_LEN];
		rp_clock_format_utc(ahead, utc);
		res->status = RP_UNKNOWN;
		snprintf(res->summary, sizeof(res->summary), "%s: the source gave %s in the future "
		    "(%s, %ld min ahead of this run's clock); not trusted", r->what, what, utc,
		    (long)(ahead - now) / 60);
		return;
	}
	/* Last completion: this answer's, else the one we remember (unless
	 * it is in the future: a wrong answer remembered by an older
	 * version), else the start of the run (a workflow never seen to
	 * finish). */
	last = r->completion;
	if (prev != NULL && prev->completion > last &&
	    prev->completion <= now + RP_FUTURE_TOLERANCE_SEC)
		last = prev->completion;
	res->completion = last;
	rp_result_fact_num(res, "limit_min", c->latency_min);
	if (r->failed) {
		freshness_failed(c, r, res);
		return;
	}
	if (last == 0 && r->start == 0) {
		res->status = RP_UNKNOWN;
		snprintf(res->summary, sizeof(res->summary),
		    "%s: the source knows no start or completion of this workflow", r->what);
		return;
	}
	freshness_latency(c, r, last ? last : r->start, last == 0, now, res);
}

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = rp_xstrdup_or_null(v);
}

const char *
rp_page_name(enum rp_page p)
{
	static const char *const names[] = {"episode", "unknown", "previous"};
	return names[p];
}

static struct rp_action *
add(struct rp_action *acts, size_t *nact, enum rp_act act, enum rp_page page, const char *key)
{
	struct rp_action *a = &acts[(*nact)++];

	memset(a, 0, sizeof(*a));
	a->act = act;
	a->page = page;
	rp_strlcpy(a->dedup_key, key, sizeof(a->dedup_key));
	return a;
}

void
rp_eval_decide(const struct rp_check *c, long unknown_after,
    const struct rp_check_state *prev, const struct rp_result *res, time_t now,
    struct rp_check_state *next, struct rp_action *acts, size_t *nact)
{
	static const struct rp_check_state none;
	struct rp_action *a;

	if (prev == NULL)
		prev = &none;
	if (c->unknown_after > 0)
		unknown_after = c->unknown_after;
	*nact = 0;
	rp_state_copy(next, prev);
	next->known = 1;
	if (!prev->known || prev->status != res->status || prev->since == 0)
		next->since = now;
	next->status = res->status;
	next->last_eval = now;
	set_str(&next->summary, res->summary);
	/* A completion remembered in the future is a lie an older version
	 * believed: this evaluation's replaces it. */
	if (res->completion > next->completion ||
	    next->completion > now + RP_FUTURE_TOLERANCE_SEC)
		next->completion = res->completion;

	/* UNKNOWN has its own count and page; it leaves the episode alone. */
	if (res->status == RP_UNKNOWN) {
		if (next->unknown_count == 0)
			next->unknown_since = now;
		next->unknown_count++;
		if (next->unknown_count >= unknown_after && !next->unknown_sent) {
			char since[RP_UTC_LEN], local[RP_LOCAL_LEN];

			rp_clock_format_utc(next->unknown_since, since);
			if (next->unknown_key == NULL)
				next->unknown_key = rp_xasprintf("%s/unknown@%s", c->name, since);
			a = add(acts, nact, RP_ACT_TRIGGER, RP_PAGE_UNKNOWN, next->unknown_key);
			a->severity = "error";
			rp_clock_format_local(next->unknown_since, local);
			snprintf(a->summary, sizeof(a->summary),
			    "cannot be evaluated since %s (%ld tries): %s", local,
			    next->unknown_count, res->summary);
		}
	} else {
		if (next->unknown_key != NULL && next->unknown_sent)
			add(acts, nact, RP_ACT_RESOLVE, RP_PAGE_UNKNOWN, next->unknown_key);
		else
			set_str(&next->unknown_key, NULL);
		next->unknown_count = 0;
		next->unknown_since = 0;
	}

	if (res->success_day[0] != '\0')
		set_str(&next->success_day, res->success_day);
	if (res->daily)
		set_str(&next->mail_memo, res->mail_memo);
	if (next->first_seen == 0)
		next->first_seen = now;

	/* A daily check failing on a new day: that day is a new episode, and
	 * the earlier day's incident, if PagerDuty has it, is resolved. */
	if (res->daily && res->status == RP_CRITICAL && next->open_key != NULL &&
	    strcmp(next->open_key, res->episode_key) != 0) {
		if (next->open_sent)
			set_str(&next->stale_key, next->open_key);
		set_str(&next->open_key, NULL);
		next->open_sent = 0;
	}
	if (next->stale_key != NULL) {
		a = add(acts, nact, RP_ACT_RESOLVE, RP_PAGE_STALE, next->stale_key);
		snprintf(a->summary, sizeof(a->summary), "superseded by a later day");
	}

	/* The episode: begins at CRITICAL, stays open through WARNING and
	 * UNKNOWN, ends at OK. */
	if (res->status == RP_CRITICAL && next->open_key == NULL) {
		next->open_key = rp_xstrdup(res->episode_key);
		next->open_sent = 0;
		next->episode_start = now;
	}
	if (next->open_key != NULL && !next->open_sent && res->status != RP_OK) {
		a = add(acts, nact, RP_ACT_TRIGGER, RP_PAGE_EPISODE, next->open_key);
		a->severity = "critical";
		snprintf(a->summary, sizeof(a->summary), "%s",
		    res->status == RP_CRITICAL ? res->summary :
		    (prev->summary ? prev->summary : res->summary));
	} else if (next->open_key != NULL && res->status == RP_OK) {
		if (next->open_sent) {
			a = add(acts, nact, RP_ACT_RESOLVE, RP_PAGE_EPISODE, next->open_key);
			snprintf(a->summary, sizeof(a->summary), "%s", res->summary);
		} else {
			/* Never reached PagerDuty: nothing to resolve. */
			set_str(&next->open_key, NULL);
			next->episode_start = 0;
		}
	}
}

void
rp_eval_delivered(struct rp_check_state *next, const struct rp_action *a)
{
	if (a->page == RP_PAGE_STALE) {
		set_str(&next->stale_key, NULL);
	} else if (a->page == RP_PAGE_UNKNOWN && a->act == RP_ACT_TRIGGER) {
		next->unknown_sent = 1;
	} else if (a->page == RP_PAGE_UNKNOWN && a->act == RP_ACT_RESOLVE) {
		set_str(&next->unknown_key, NULL);
		next->unknown_sent = 0;
	} else if (a->act == RP_ACT_TRIGGER) {
		next->open_sent = 1;
	} else if (a->act == RP_ACT_RESOLVE) {
		set_str(&next->open_key, NULL);
		next->open_sent = 0;
		next->episode_start = 0;
	}
}

int
rp_eval_email_done_today(const struct rp_check_state *prev, time_t now)
{
	char today[RP_DATE_LEN];

	if (prev == NULL || prev->success_day == NULL)
		return 0;
	rp_clock_local_date(now, today);
	return strcmp(prev->success_day, today) == 0;
}

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Whether an address of From is one of the senders: the same address in
 * any case, or, for a sender "@domain", any address whose domain is that
 * one exactly (the server's FROM search is a substring match, so
 * x@sub.domain and x@domain.evil reach us and are refused here). */
static int
from_sender(const struct rp_check *c, const char *from)
{
	char **addrs;
	size_t n = rp_mime_addresses(from, &addrs), i, j;
	int found = 0;

	for (i = 0; i < n && !found; i++) {
		const char *at = strrchr(addrs[i], '@');
		for (j = 0; j < c->nsenders && !found; j++) {
			if (c->senders[j][0] == '@')
				found = at != NULL && strcasecmp(at, c->senders[j]) == 0;
			else
				found = strcasecmp(addrs[i], c->senders[j]) == 0;
		}
	}
	rp_mime_free_list(addrs, n);
	return found;
}

/* Whether subject (decoded, normalised) is the expected one. */
static int
subject_matches(const struct rp_check *c, const char *subject, const char *expected)
{
	char *hay, *needle;
	int m;

	if (c->subject_match == RP_MATCH_EXACT)
		return strcmp(subject, expected) == 0;
	/* contains: case-insensitive for ASCII letters */
	hay = rp_xstrdup(subject);
	needle = rp_xstrdup(expected);
	lower(hay);
	lower(needle);
	m = strstr(hay, needle) != NULL;
	free(hay);
	free(needle);
	return m;
}

void
rp_eval_email(const struct rp_check *c, const struct rp_imap_msg *msgs, size_t n,
    const char *why, const struct rp_check_state *prev, time_t now, struct rp_result *res)
{
	char today[RP_DATE_LEN], at[16];
	time_t delivery = rp_clock_today_at(now, c->delivery_time), last = 0;
	struct rp_buf missing = {0};
	size_t i, j, nmissing = 0;

	memset(res, 0, sizeof(*res));
	res->daily = 1;
	rp_clock_local_date(now, today);
	snprintf(at, sizeof(at), "%02d:%02d", c->delivery_time / 60, c->delivery_time % 60);
	snprintf(res->episode_key, sizeof(res->episode_key), "%s/%s", c->name, today);
	rp_result_fact(res, "date", "%s", today);
	rp_result_fact(res, "delivery_time", "%s", at);
	rp_result_fact_num(res, "expected", (long)c->nsubjects);
	if (rp_eval_email_done_today(prev, now)) {
		res->status = RP_OK;
		snprintf(res->summary, sizeof(res->summary),
		    "all %zu expected emails arrived today (recorded earlier)", c->nsubjects);
		return;
	}
	if (why != NULL) {
		res->status = RP_UNKNOWN;
		snprintf(res->summary, sizeof(res->summary), "%s", why);
		return;
	}
	for (j = 0; j < c->nsubjects; j++) {
		char *want = rp_mime_normalize(c->subjects[j]);
		int found = 0;

		for (i = 0; i < n; i++) {
			char *subject;
			if (msgs[i].arrived < delivery || !from_sender(c, msgs[i].from))
				continue;
			subject = rp_mime_decode_header(msgs[i].subject);
			if (subject_matches(c, subject, want)) {
				found = 1;
				if (msgs[i].arrived > last)
					last = msgs[i].arrived;
			}
			free(subject);
		}
		if (!found) {
			rp_buf_printf(&missing, "%s\"%s\"", nmissing ? ", " : "", want);
			nmissing++;
		}
		free(want);
	}
	rp_result_fact_num(res, "missing", (long)nmissing);
	snprintf(res->perf, sizeof(res->perf), "missing=%zu;;0;0 expected=%zu;;;0", nmissing,
	    c->nsubjects);
	if (nmissing == 0) {
		char l[RP_LOCAL_LEN];
		res->status = RP_OK;
		rp_strlcpy(res->success_day, today, sizeof(res->success_day));
		if (last != 0) {
			rp_clock_format_local(last, l);
			rp_result_fact(res, "last_arrival", "%s", l);
		}
		snprintf(res->summary, sizeof(res->summary),
		    "all %zu expected emails arrived after %s", c->nsubjects, at);
	} else {
		res->status = RP_CRITICAL;
		snprintf(res->summary, sizeof(res->summary), "%zu of %zu expected emails missing since %s: %s",
		    nmissing, c->nsubjects, at, missing.data);
	}
	rp_buf_free(&missing);
}

/* Whether the decoded subject of m is one of c's expected subjects. */
static int
expected_subject(const struct rp_check *c, const char *subject)
{
	size_t j;
	int found = 0;

	for (j = 0; j < c->nsubjects && !found; j++) {
		char *want = rp_mime_normalize(c->subjects[j]);
		found = subject_matches(c, subject, want);
		free(want);
	}
	return found;
}

/* Adds m as the next near miss; 0 once there are RP_NEAR_MISSES. */
static int
near_miss(struct rp_result *res, const struct rp_imap_msg *m, const char *subject, int *k)
{
	static const char *const names[RP_NEAR_MISSES] = {"near_miss_1", "near_miss_2",
	    "near_miss_3", "near_miss_4", "near_miss_5"};
	char at[RP_LOCAL_LEN], **addrs;
	size_t na = rp_mime_addresses(m->from, &addrs);

	if (*k >= RP_NEAR_MISSES)
		return 0;
	rp_clock_format_local(m->arrived, at);
	rp_result_fact(res, names[(*k)++], "%.16s from %s: %s", at, na > 0 ? addrs[0] : "?",
	    subject);
	rp_mime_free_list(addrs, na);
	return 1;
}

int
rp_eval_email_relevant(const struct rp_check *c, const struct rp_imap_msg *m, time_t delivery)
{
	char *subject;
	int r;

	if (m->arrived < delivery)
		return 0;
	if (from_sender(c, m->from))
		return 1;
	subject = rp_mime_decode_header(m->subject);
	r = expected_subject(c, subject);
	free(subject);
	return r;
}

void
rp_eval_email_near_misses(const struct rp_check *c, const struct rp_imap_msg *msgs, size_t n,
    const struct rp_imap_msg *others, size_t nothers, time_t now, struct rp_result *res)
{
	time_t delivery = rp_clock_today_at(now, c->delivery_time);
	size_t i;
	int k = 0;

	for (i = 0; i < n + nothers && k < RP_NEAR_MISSES; i++) {
		const struct rp_imap_msg *m = i < n ? &msgs[i] : &others[i - n];
		char *subject;
		int from_expected, subject_expected;

		if (m->arrived < delivery)
			continue;
		subject = rp_mime_decode_header(m->subject);
		from_expected = from_sender(c, m->from);
		subject_expected = expected_subject(c, subject);
		/* The expected sender with another subject, or the expected
		 * subject from another sender; what counted is no miss. */
		if (from_expected != subject_expected)
			near_miss(res, m, subject, &k);
		free(subject);
	}
}
