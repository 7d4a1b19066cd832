/*
 * fetch: asks the sources of a run's freshness checks, all at once.
 *
 * Each source a check names (source.h) is prepared once (a login, a version
 * probe), then every check's requests go out through one curl multi, at
 * most max_parallel at a time, and each source turns its check's answers
 * into a result.
 */
#ifndef RP_FETCH_H
#define RP_FETCH_H

#include <stddef.h>

#include "checklist.h"
#include "config.h"
#include "source.h"

/* Fills out[i] (cleared first) for checks[i], i < n. timeout_ms bounds the
 * whole of it, a source's preparing requests and then every check's (each
 * within its source's own timeout). A check whose type has no source is
 * reported in out[i].why. */
void rp_fetch(const struct rp_config *cfg, const struct rp_check *const *checks, size_t n,
    long timeout_ms, int max_parallel, struct rp_src_result *out);

/* rp_fetch(), giving each check's result to done(arg, i, result) as soon
 * as it is known, in no particular order, once per check; the result lasts
 * only during the call. What a check's answers held is freed as soon as
 * they are parsed, so that a run over thousands of checks holds the
 * answers of the few under way, not of all. */
typedef void rp_fetch_done(void *arg, size_t i, const struct rp_src_result *r);
void rp_fetch_each(const struct rp_config *cfg, const struct rp_check *const *checks, size_t n,
    long timeout_ms, int max_parallel, rp_fetch_done *done, void *arg);

#endif
