/*
 * eval: the decisions, free of I/O so that they can be tested exactly.
 *
 * A check's source gives a result (rp_eval_latency, and one function per
 * check type); rp_eval_decide() applies the alert rules of DESIGN.md to the
 * result and the previous state, giving the next state and the PagerDuty
 * events to send. The next state assumes no event was delivered;
 * rp_eval_delivered() records each one that was, so an undelivered trigger
 * or resolve is sent again by the next run.
 */
#ifndef RP_EVAL_H
#define RP_EVAL_H

#include <stddef.h>
#include <time.h>

#include "checklist.h"
#include "imap.h"
#include "source.h"
#include "state.h"

#define RP_SUMMARY_MAX 512
#define RP_DEDUP_MAX 256
#define RP_MAX_FACTS 10
#define RP_MAX_ACTIONS 3

struct rp_result {
	enum rp_status status;
	char summary[RP_SUMMARY_MAX];
	/* The dedup key of the episode this result would begin (CRITICAL). */
	char episode_key[RP_DEDUP_MAX];
	time_t completion;          /* latency: completion to remember, or 0 */
	/* Email: each local day is an episode of its own; a day that fails
	 * while an earlier day's incident is open resolves the earlier one. */
	int daily;
	char success_day[16];       /* email: the local date to record, or "" */
	struct rp_fact facts[RP_MAX_FACTS]; /* for custom_details and --json */
	size_t nfacts;
	const char *output;         /* ping: the last lines of the job's output
	                             * (owned by the ping record), or NULL */
	char perf[96];              /* monitoring-plugin performance data, each
	                             * metric=value;warn;crit;min without the
	                             * check's name (latency=3660s;2880;3600;0),
	                             * or "" */
	const char *mail_memo;      /* email: what to remember of today's
	                             * searches (mailmemo.h; owned by the
	                             * caller), or NULL */
};

enum rp_act {
	RP_ACT_NONE,
	RP_ACT_TRIGGER,
	RP_ACT_RESOLVE,
	RP_ACT_CHANGE               /* a PagerDuty change event (pages nobody) */
};

enum rp_page {
	RP_PAGE_EPISODE,            /* the open problem */
	RP_PAGE_UNKNOWN,            /* the source cannot be read */
	RP_PAGE_STALE               /* an earlier day's problem */
};

struct rp_action {
	enum rp_act act;
	enum rp_page page;
	char dedup_key[RP_DEDUP_MAX];
	const char *severity;       /* trigger: "critical" or "error" */
	char summary[RP_SUMMARY_MAX + 128];
};

/* The result of a freshness check from what its source said (whatever the
 * source): UNKNOWN with the source's reason when it could not tell, or when
 * it gave a time more than RP_FUTURE_TOLERANCE_SEC ahead of now (nothing of
 * such an answer is remembered); CRITICAL for a failed run (key
 * <name>/failed@<its start>) or a completion latency_min or more ago (key
 * <name>/overdue@<completion>), WARNING from warn_pct of it. The completion
 * is the newest of the answer's and prev's; without either, latency counts
 * from the newest run's start. */
void rp_eval_freshness(const struct rp_check *c, const struct rp_src_result *r,
    const struct rp_check_state *prev, time_t now, struct rp_result *res);

/* Adds a fact to r (cut to fit; nothing when the table is full): a string,
 * a number, a time (UTC ISO-8601). */
void rp_result_fact(struct rp_result *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rp_result_fact_num(struct rp_result *r, const char *name, long v);
void rp_result_fact_time(struct rp_result *r, const char *name, time_t t);

/* The result of a ping check at now from what rp-ping recorded (rec; NULL
 * or not known: never pinged); first_seen is when the check was first
 * evaluated (the baseline of a check never pinged). In order: a time in the
 * record more than RP_FUTURE_TOLERANCE_SEC ahead is UNKNOWN; a failure
 * after the last success is CRITICAL (key <name>/failed@<its run's start, or
 * the failure's time>); a run started and unfinished after max_runtime is
 * CRITICAL (<name>/running@<start>), and one started in time is OK until
 * then (max_runtime, not grace, judges its length); a success expected
 * (after each scheduled time, or within period of the last) and not come is
 * a WARNING for grace, then CRITICAL (<name>/late@<expected time>); else OK. */
void rp_eval_ping(const struct rp_check *c, const struct rp_ping_rec *rec, time_t first_seen,
    time_t now, struct rp_result *res);

/* When a ping check expects its next success, given the last one (or, for a
 * check never pinged, the time it first appeared, then without slack). */
time_t rp_eval_ping_expected(const struct rp_check *c, time_t last, int never);

/* Whether an email check already succeeded today (so the mailbox need not
 * be read again). */
int rp_eval_email_done_today(const struct rp_check_state *prev, time_t now);

/* The result of an email check from the n messages the search found, or,
 * when why is not NULL, the reason the mailbox could not be read. prev may
 * say the check already succeeded today. */
void rp_eval_email(const struct rp_check *c, const struct rp_imap_msg *msgs, size_t n,
    const char *why, const struct rp_check_state *prev, time_t now, struct rp_result *res);

/* Adds to res, the result of an email check with messages missing, up to
 * RP_NEAR_MISSES facts near_miss_1.. ("<arrival> from <address>:
 * <subject>"): messages that arrived since delivery_time from an expected
 * sender with another subject (among msgs), or with an expected subject
 * from another sender (among others, found by subject), so that "the vendor
 * says they sent it" is answered in one look. */
#define RP_NEAR_MISSES 5
void rp_eval_email_near_misses(const struct rp_check *c, const struct rp_imap_msg *msgs,
    size_t n, const struct rp_imap_msg *others, size_t nothers, time_t now,
    struct rp_result *res);

/* Whether m can matter to c's result or near misses today: it arrived at or
 * after delivery, from an expected sender or with an expected subject. */
int rp_eval_email_relevant(const struct rp_check *c, const struct rp_imap_msg *m,
    time_t delivery);

/* Applies the alert rules. next is overwritten (free it with
 * rp_state_clear); acts receives up to RP_MAX_ACTIONS events. */
void rp_eval_decide(const struct rp_check *c, long unknown_after,
    const struct rp_check_state *prev, const struct rp_result *res, time_t now,
    struct rp_check_state *next, struct rp_action *acts, size_t *nact);

/* Records in next that a was delivered. */
void rp_eval_delivered(struct rp_check_state *next, const struct rp_action *a);

const char *rp_act_name(enum rp_act a);
const char *rp_page_name(enum rp_page p);

#endif
