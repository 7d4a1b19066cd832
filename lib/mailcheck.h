/*
 * mailcheck: the email checks of a run, evaluated over one IMAP login.
 *
 * A check that already succeeded today is not searched again. The mailbox
 * is opened read-only; each check's messages since the day before from its
 * senders are searched on the server and their headers fetched, then
 * rp_eval_email() decides. What was found is remembered in the check's
 * record (mailmemo.h), so a later run that day searches only the messages
 * that arrived since, or nothing at all when none did.
 */
#ifndef RP_MAILCHECK_H
#define RP_MAILCHECK_H

#include <stddef.h>
#include <time.h>

#include "checklist.h"
#include "config.h"
#include "eval.h"
#include "state.h"

/* One email check of the run. */
struct rp_mail_item {
	const struct rp_check *c;            /* in */
	const struct rp_check_state *prev;   /* in: the record read, or NULL */
	struct rp_result res;                /* out */
	char *memo;                          /* out: the memo res.mail_memo
	                                      * points to; the caller frees it */
};

/* Evaluates the n checks at now, logging in with password (the caller's
 * secret) at most once, within budget_ms. */
void rp_mail_evaluate(const struct rp_config *cfg, const char *password,
    struct rp_mail_item *v, size_t n, time_t now, long budget_ms);

#endif
