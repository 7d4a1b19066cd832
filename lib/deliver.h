/*
 * deliver: how the outbox reaches its destinations.
 *
 * Every event a run decides is first written to the outbox with the state
 * (rp_store_commit), one entry per destination (sink.h); the run that holds
 * the outbox's lock then delivers it here, oldest first. An entry is tried
 * only when no earlier entry of its destination and incident waits (a
 * resolve never goes before the trigger it closes, and never in the same
 * run: were that run's record lost, the trigger would be sent again after
 * the resolve and open a second incident); a destination that is down
 * holds up only its own entries. The entries tried go concurrently, each
 * through its sink, retried within the run's time budget (rp_sink_post)
 * and counted against the rate limit of their label (a PagerDuty routing
 * key, a Slack webhook...). What a destination refused leaves the outbox
 * for the refused events.
 *
 * An entry's id names its destination: "<destination> <action>
 * <dedup_key>" ("slack:data-team trigger orders/failed@..."). PagerDuty's
 * keep the form every entry had before there were other sinks, "<action>
 * <dedup_key>", and an id of that form is PagerDuty's: an outbox written
 * by an earlier version is delivered as it is.
 */
#ifndef RP_DELIVER_H
#define RP_DELIVER_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "pagerduty.h"
#include "state.h"

struct rp_dl_opts {
	const struct rp_config *cfg; /* the destinations, as configured now */
	long budget_ms;            /* from the call */
	time_t now;                /* the run's time (requests, refused events) */
	int max_parallel;          /* requests in flight at once (0: 64) */
};

struct rp_dl_stats {
	size_t sent;               /* delivered */
	size_t refused;            /* refused: kept, never sent again */
	size_t failed;             /* tried and not delivered: still waiting */
	size_t left;               /* still waiting, tried or not */
	char error[200];           /* the last error of one still waiting */
	char where[120];           /* and its destination, for people */
};

/* Delivers ob, which this run owns (ob->owned). res[i] (ob->n of them) says
 * how entry i ended: DELIVERED, REJECTED, FAILED, or WAITING (not tried:
 * behind an earlier entry of its incident, the rate limit, the budget).
 * up receives what rp_store_settle must write, and in up->held how many
 * entries are left when every one must wait for the next minute's rate
 * allowance (0 when any could go sooner). */
void rp_deliver(const struct rp_dl_opts *o, const struct rp_outbox *ob,
    struct rp_pd_result *res, struct rp_ob_update *up, struct rp_dl_stats *stats);

/* The id of an event for PagerDuty, "<action> <dedup_key>"; freed by the
 * caller. */
char *rp_dl_id(enum rp_act act, const char *dedup_key);

/* The id of an event for dest: "<dest> <action> <dedup_key>", or
 * PagerDuty's form for "pagerduty"; freed by the caller. */
char *rp_dl_dest_id(const char *dest, const char *action, const char *dedup_key);

/* The dedup key of an outbox id. */
const char *rp_dl_id_key(const char *id);

/* The destination of an outbox id into out ("pagerduty" for an id without
 * one), and its action ("trigger"...). */
void rp_dl_id_dest(const char *id, char *out, size_t n);
void rp_dl_id_action(const char *id, char *out, size_t n);

#endif
