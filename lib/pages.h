/*
 * pages: what a run does with the events it decided, in the order that
 * loses none (DESIGN.md): write the decision, new states and their events
 * together, in one transaction (rp_store_commit); then deliver the outbox
 * (deliver.c); then record what became of each event (rp_store_settle). A
 * run killed before the write decided nothing (the next run decides again);
 * killed after it, its events wait in the outbox for the next run.
 *
 * Every event goes to each destination of its check (sink.h): PagerDuty
 * for its pd_service, the [slack NAME] and [webhook NAME] its notify:
 * names, every Alertmanager of [alertmanager] urls; one outbox entry per
 * destination, all written in the one transaction. A check that goes into
 * WARNING is said to the destinations that take warnings; the firing alerts
 * of the checks a run evaluated are posted again to the destinations that
 * forget them otherwise (Alertmanager).
 *
 * Without the state (the store down when the run read it, or [enable_redis]
 * enable = False) events go straight to their destinations, and the triggers sent
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
#include "sink.h"
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
	int own;                      /* Robopager's own health: to PagerDuty's
	                               * heartbeat_service only */
	const struct rp_check_state *prev; /* the state as read (NULL: none, or
	                               * not read): a WARNING after anything but
	                               * WARNING, UNKNOWN or CRITICAL is said to
	                               * the destinations that take warnings */
	const char *refused;          /* the refused records of the open
	                               * incident's trigger (struct rp_load) */
	int resend;                   /* 1 + the index of the action that sends
	                               * a refused trigger again (rp_pages_resend),
	                               * only where it was refused; 0: none */
	/* out, per action: over its destinations, the worst outcome (its
	 * message names the destination when there are several), into the
	 * caller's array of nact results (a pointer: a run holds a decision
	 * per due check, and most have no event) */
	struct rp_pd_result *sent;
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

/* The trigger a of d's open incident (d->next) was refused by some of its
 * destinations (refused: the records as rp_store_load read them). Returns
 * 1 when, for at least one of them, the event that would be sent now
 * differs in what a person fixes (the sink's fingerprint): a is to be sent
 * again, to those alone (set d->resend); 0 when none does (each refusal is
 * said on stderr: it waits for a fix); -1 when there is no refusal of a
 * destination the check still has. */
int rp_pages_resend(const struct rp_pages *p, struct rp_decision *d,
    const struct rp_action *a, const char *refused);

/* Calls fn for each refused record in refused (as struct rp_load holds
 * them: one per line, "<outbox id>\t<record>"), with its destination. */
void rp_pages_refused_each(const char *refused,
    void (*fn)(void *arg, const char *dest, const struct rp_rejected *x), void *arg);

/* Whom the n entries (or the nrej refused events) are for, for people:
 * "PagerDuty", "PagerDuty, Slack data-team" (each destination once, a few
 * at most, then "and others"). */
void rp_pages_whom(const struct rp_ob_entry *v, size_t n, const struct rp_rejected *rej,
    size_t nrej, char *out, size_t len);

/* Delivery options from the configuration (the destinations, max_parallel). */
void rp_pages_dl_opts(struct rp_dl_opts *dl, const struct rp_config *cfg, time_t now,
    long budget_ms);

#endif
