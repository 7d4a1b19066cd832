/*
 * deliver: how a run's PagerDuty events reach PagerDuty, and what waits.
 *
 * The outbox entries this run holds the lock for go first, oldest first;
 * then the run's new events. All of them are sent concurrently, retried
 * within the run's time budget (rp_pd_post) and counted against the rate
 * limit of their routing key. An event never overtakes an earlier event of
 * the same incident that is still waiting (a resolve never goes before the
 * trigger it closes): it is queued behind it. What is not delivered goes
 * to the outbox; what PagerDuty refused (400) goes to the refused events.
 */
#ifndef RP_DELIVER_H
#define RP_DELIVER_H

#include <stddef.h>
#include <time.h>

#include "pagerduty.h"
#include "state.h"

struct rp_dl_opts {
	const char *url;           /* events_url */
	long timeout_ms;           /* per attempt */
	long budget_ms;            /* from the call */
	long rate_per_min;         /* per routing key */
	time_t now;                /* the run's time (for queued and at) */
	int max_parallel;          /* requests in flight at once (0: 64) */
	const char *ca_file;       /* TLS, as rp_pd_opts */
	int insecure;
};

struct rp_dl_stats {
	size_t ob_sent;            /* outbox entries delivered (or refused) */
	size_t ob_left;            /* outbox entries still waiting */
	char ob_error[200];        /* the last error of one still waiting */
};

/* ob is the outbox as rp_store_load read it, or NULL without a store (then
 * nothing is queued). checks[i] names the check of evs[i]. res[i] says how
 * new event i ended: DELIVERED, REJECTED, FAILED or WAITING (both queued
 * when ob is not NULL). up receives what rp_store_save must write. */
void rp_deliver(const struct rp_dl_opts *o, const struct rp_outbox *ob,
    const struct rp_pd_event *evs, const char *const *checks, size_t n,
    struct rp_pd_result *res, struct rp_ob_update *up, struct rp_dl_stats *stats);

/* The id of an event in the outbox: "<action> <dedup_key>"; freed by the
 * caller. */
char *rp_dl_id(enum rp_act act, const char *dedup_key);

#endif
