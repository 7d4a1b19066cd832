/*
 * run: the body every checking program shares, in the order of DESIGN.md:
 * options -> config and checklist -> due checks -> state (one round trip)
 * -> sources (concurrently) -> decisions -> PagerDuty -> state (one round
 * trip) -> output -> exit status. The programs in bin/ are thin mains
 * around it.
 */
#ifndef RP_RUN_H
#define RP_RUN_H

#include <stdio.h>
#include <time.h>

#include "checklist.h"
#include "cli.h"
#include "config.h"
#include "deliver.h"
#include "eval.h"
#include "state.h"

/* Evaluates the checks of one type as o asks, prints, and returns the exit
 * status (0-3, 64, 78, 70). program names the run in state and logs. */
int rp_run(const char *program, enum rp_check_type type, const struct rp_opts *o);

/* The configuration to read: given, else ./etl.cfg if there is one, else
 * /etc/robopager/etl.cfg. */
const char *rp_default_config(const char *given);
/* checklist.yaml beside the configuration; the caller frees it. */
char *rp_default_checklist(const char *config);

/* Opens the state store the configuration names. NULL with err: code
 * RP_EXIT_CONFIG when [enable_redis] enable is False, RP_EXIT_UNKNOWN when
 * the store cannot be reached. */
struct rp_store *rp_config_store(const struct rp_config *cfg, struct rp_err *err);

/* The earlier tool's command line: with o->check, that check through the
 * program of its type; without, every program [function_type] enables, one
 * after the other. Returns the worst exit status (a usage or configuration
 * error wins over any check status). */
int rp_run_all(const struct rp_opts *o);

/* Prints, one line each, what is unsafe in the configuration: readable by
 * others while it holds a secret, TLS verification off, plain text to
 * another host; and the keys of the earlier tool it ignores (notices). */
void rp_config_warn(const struct rp_config *cfg);

/* Delivery options from the configuration ([pager_duty], max_parallel),
 * with budget_ms to spend from now. */
void rp_dl_opts_init(struct rp_dl_opts *dl, const struct rp_config *cfg, time_t now,
    long budget_ms);

/* Says what delivering the outbox did, one line each; returns 1 when
 * events this run held still wait (the run is in trouble). */
int rp_dl_report(const struct rp_outbox *ob, const struct rp_dl_stats *st);

/* Records in next what became of event a as pr says (delivered, refused,
 * queued in the outbox when can_queue, else left for the next run to
 * decide again), marks pr queued, says so on stderr; returns 1 when the
 * run is in trouble for it (anything but delivered or queued in order). */
int rp_dl_settle(const struct rp_action *a, struct rp_pd_result *pr, struct rp_check_state *next,
    int can_queue);

/* Milliseconds since t0 (CLOCK_MONOTONIC). */
long rp_elapsed_ms(const struct timespec *t0);

/* A token naming this run (host, pid, time) for the outbox lock. */
void rp_run_token(char *dst, size_t n, const char *host);

#endif
