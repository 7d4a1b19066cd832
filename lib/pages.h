/*
 * pages: what a run does with the events it decided, in the order that
 * loses none (DESIGN.md): write the decision, new states and their events
 * together, in one transaction (rp_store_commit); then deliver the outbox
 * (deliver.c); then record what became of each event (rp_store_settle). A
 * run killed before the write decided nothing (the next run decides again);
 * killed after it, its events wait in the outbox for the next run.
 *
 * Without the state (the store down when the run read it, or [enable_redis]
 * enable = False) events go straight to PagerDuty, and the triggers sent
 * are then recorded if the store answers again within a few seconds
 * (rp_store_record_sent), so that their incidents get resolved. When the
 * store refuses the write of a decision, its events go straight out too,
 * and the write is tried again after.
 *
 * Shared by the checking programs (run.c) and rp-heartbeat.
 */
#ifndef RP_PAGES_H
#define RP_PAGES_H

#include <stddef.h>
#include <time.h>

#include "checklist.h"
#include "config.h"
#include "deliver.h"
#include "eval.h"
#include "pagerduty.h"
#include "state.h"

/* One check's part in a run. */
struct rp_decision {
	/* in */
	const struct rp_check *c;     /* name, routing key, description, type */
	const char *component;        /* what is watched (a workflow, a mailbox) */
	const char *class_name;       /* the event's class; NULL: the check's type */
	int evaluated;                /* 0: only release its lock */
	time_t expect_eval;           /* the record's last_eval as read */
	time_t lock;                  /* the lock this run took, or 0 */
	struct rp_check_state *next;  /* the decided state; events handed over
	                               * are marked in it (rp_eval_delivered) */
	struct rp_action *acts;       /* the decided events */
	size_t nact;
	const struct rp_fact *facts;  /* for custom_details */
	size_t nfacts;
	const char *output;           /* a job's last lines, for custom_details */
	time_t silenced_until;        /* triggers are held until then */
	/* out, per action */
	struct rp_pd_result sent[RP_MAX_ACTIONS];
	int lost;                     /* another run decided this check first:
	                               * this decision was dropped */
};

struct rp_pages {
	/* in */
	const struct rp_config *cfg;
	struct rp_store *store;       /* NULL: none (down, or disabled) */
	int state_ok;                 /* the state was read from the store */
	int dry;                      /* decide and print; send, write nothing */
	time_t now;                   /* the run's clock */
	const char *host;
	const char *token;            /* this run's, for the outbox lock */
	long budget_ms;               /* what delivery and the writes may take */
	struct rp_run_rec run;        /* the run record (exit: as known so far) */
	/* out */
	int trouble;                  /* an event not delivered, refused, or a
	                               * decision not recorded */
	int claimed;                  /* this run delivered the outbox */
	char store_error[256];        /* why the store refused a write, or "" */
};

/* Writes, delivers and records the n decisions' events as above, and says
 * in one line each on stderr what did not go. d[i].sent says how each
 * action ended: DELIVERED; REJECTED; HELD (silenced); FAILED or WAITING
 * with queued set when it waits in the outbox, unset when it is recorded
 * nowhere. */
void rp_pages_run(struct rp_pages *p, struct rp_decision *d, size_t n);

/* The JSON of action a of decision d as PagerDuty receives it; the caller
 * wipes and frees it (rp_free_secret: it holds the routing key). */
char *rp_pages_event(const struct rp_pages *p, const struct rp_decision *d,
    const struct rp_action *a);

/* Delivery options from the configuration ([pager_duty], max_parallel). */
void rp_pages_dl_opts(struct rp_dl_opts *dl, const struct rp_config *cfg, time_t now,
    long budget_ms);

#endif
