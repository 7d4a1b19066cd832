/* An event for the sink tests: a latency check's trigger with two facts. */
#ifndef RP_SINKEV_H
#define RP_SINKEV_H

#include <string.h>

#include "sink.h"
#include "source.h"

static const struct rp_fact test_facts[] = {
	{"last_completion", "2026-11-26T14:30:00Z", 0},
	{"latency_min", "61", 1},
};

static inline struct rp_sink_event
test_event(enum rp_ev_action a)
{
	struct rp_sink_event e;

	memset(&e, 0, sizeof(e));
	e.action = a;
	e.check = "nightly_orders_latency";
	e.type = "batchy";
	e.status = a == RP_EV_RESOLVE ? RP_OK : RP_CRITICAL;
	e.dedup_key = "nightly_orders_latency/overdue@2026-11-26T14:30:00Z";
	e.summary = "orders_intraday: no completion for 61 min (limit 60)";
	e.description = "intraday latency check for orders";
	e.severity = "critical";
	e.component = "orders_intraday";
	e.host = "host1";
	e.facts = test_facts;
	e.nfacts = 2;
	e.time = 1795703460;   /* 2026-11-26T14:31:00Z */
	e.since = 1795703400;  /* 2026-11-26T14:30:00Z */
	e.hold_sec = 540;
	e.routing_key = "0123456789abcdef0123456789abcdef";
	return e;
}

#endif
