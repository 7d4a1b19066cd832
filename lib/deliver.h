/*
 * deliver: how the outbox reaches PagerDuty.
 *
 * Every event a run decides is first written to the outbox with the state
 * (rp_store_commit); the run that holds the outbox's lock then delivers it
 * here, oldest first. An entry is tried only when no earlier entry of its
 * incident waits (a resolve never goes before the trigger it closes, and
 * never in the same run: were that run's record lost, the trigger would be
 * sent again after the resolve and open a second incident). The entries
 * tried go concurrently, retried within the run's time budget (rp_pd_post)
 * and counted against the rate limit of their routing key. What PagerDuty
 * refused (400) leaves the outbox for the refused events.
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
	time_t now;                /* the run's time (for refused events) */
	int max_parallel;          /* requests in flight at once (0: 64) */
	const char *ca_file;       /* TLS, as rp_pd_opts */
	int insecure;
};

struct rp_dl_stats {
	size_t sent;               /* delivered */
	size_t refused;            /* refused (400): kept, never sent again */
	size_t failed;             /* tried and not delivered: still waiting */
	size_t left;               /* still waiting, tried or not */
	char error[200];           /* the last error of one still waiting */
};

/* Delivers ob, which this run owns (ob->owned). res[i] (ob->n of them) says
 * how entry i ended: DELIVERED, REJECTED, FAILED, or WAITING (not tried:
 * behind an earlier entry of its incident, the rate limit, the budget).
 * up receives what rp_store_settle must write. */
void rp_deliver(const struct rp_dl_opts *o, const struct rp_outbox *ob,
    struct rp_pd_result *res, struct rp_ob_update *up, struct rp_dl_stats *stats);

/* The id of an event in the outbox: "<action> <dedup_key>"; freed by the
 * caller. */
char *rp_dl_id(enum rp_act act, const char *dedup_key);

/* The dedup key of an outbox id. */
const char *rp_dl_id_key(const char *id);

#endif
