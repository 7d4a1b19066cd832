/*
 * heartbeat: what rp-heartbeat does. One evaluation of Robopager's own
 * health, then a signal to PagerDuty on [robopager] heartbeat_service and,
 * when healthy, a call to [robopager] heartbeat_url (a dead man's switch
 * elsewhere pages when Robopager itself goes silent).
 *
 * Healthy means: the configuration and checklist are valid; the state store
 * answers; each program [function_type] enables, that has checks, ran within
 * stale_after_sec (default 3 x its largest poll_sec, at least 600 s); and
 * fewer than max_undelivered triggers and resolves wait for PagerDuty.
 */
#ifndef RP_HEARTBEAT_H
#define RP_HEARTBEAT_H

#include "cli.h"

/* Prints one line (or a JSON object) and returns the exit status: 0
 * healthy, 2 unhealthy, 3 when the signal could not be delivered, 78. */
int rp_heartbeat_run(const struct rp_opts *o);

#endif
