#define _POSIX_C_SOURCE 200809L
#include "mailcheck.h"

#include <stdint.h>
#include <stdlib.h>

#include "clock.h"
#include "imap.h"
#include "output.h"

/* The messages of the search crit (uids in *u, headers in *m); 0 or -1
 * with err. */
static int
search(struct rp_imap *s, const char *crit, uint32_t **u, size_t *nu, struct rp_imap_msg **m,
    size_t *nm, struct rp_err *err)
{
	if (rp_imap_search(s, crit, u, nu, err) != 0)
		return -1;
	return rp_imap_fetch_headers(s, *u, *nu, m, nm, err);
}

/* A check missing messages: the near misses, its expected senders' other
 * messages and, found by a second search (one more round trip, on failure
 * only), its expected subjects from other senders. */
static void
near_misses(struct rp_imap *s, struct rp_mail_item *it, const struct rp_imap_msg *msgs,
    size_t n, time_t since, time_t now)
{
	struct rp_buf crit = {0};
	struct rp_imap_msg *others = NULL;
	uint32_t *uids = NULL;
	size_t nuids = 0, nothers = 0, i, j, k = 0;
	struct rp_err err;

	/* Subjects a quoted string cannot carry are left to the first list. */
	if (rp_imap_criteria_of(&crit, since, "SUBJECT", it->c->subjects, it->c->nsubjects) != 0 ||
	    search(s, crit.data, &uids, &nuids, &others, &nothers, &err) != 0)
		nothers = 0;
	/* What the first search found is not counted twice. */
	for (i = 0; i < nothers; i++) {
		for (j = 0; j < n && msgs[j].uid != others[i].uid; j++)
			;
		if (j == n)
			others[k++] = others[i];
		else
			rp_imap_msgs_free_one(&others[i]);
	}
	rp_eval_email_near_misses(it->c, msgs, n, others, k, now, &it->res);
	rp_imap_msgs_free(others, k);
	free(uids);
	rp_buf_free(&crit);
}

/* Searches the mailbox for one check and evaluates it. */
static void
evaluate_one(struct rp_imap *s, struct rp_mail_item *it, time_t now)
{
	struct rp_buf crit = {0};
	struct rp_imap_msg *msgs = NULL;
	uint32_t *uids = NULL;
	size_t nuids = 0, nmsgs = 0;
	struct rp_err err;
	time_t delivery = rp_clock_today_at(now, it->c->delivery_time);

	if (rp_imap_criteria(&crit, delivery, it->c->senders, it->c->nsenders) != 0) {
		rp_eval_email(it->c, NULL, 0, "a sender is not ASCII", NULL, now, &it->res);
	} else if (search(s, crit.data, &uids, &nuids, &msgs, &nmsgs, &err) != 0) {
		rp_eval_email(it->c, NULL, 0, err.msg, NULL, now, &it->res);
	} else {
		rp_eval_email(it->c, msgs, nmsgs, NULL, it->prev, now, &it->res);
		if (it->res.status == RP_CRITICAL)
			near_misses(s, it, msgs, nmsgs, delivery, now);
	}
	rp_imap_msgs_free(msgs, nmsgs);
	free(uids);
	rp_buf_free(&crit);
}

static struct rp_imap *
login(const struct rp_config *cfg, const char *password, long budget_ms, struct rp_err *err)
{
	struct rp_imap_opts o = {0};
	struct rp_imap *s;

	o.url = cfg->imap_url;
	o.user = cfg->email;
	o.password = password;
	o.ca_file = cfg->ca_file;
	o.insecure = !cfg->imap_tls_verify;
	o.timeout_ms = cfg->imap_timeout_sec * 1000;
	o.budget_ms = budget_ms;
	s = rp_imap_open(&o, err);
	if (s != NULL && rp_imap_examine(s, cfg->mailbox, err) != 0) {
		rp_imap_close(s);
		s = NULL;
	}
	return s;
}

void
rp_mail_evaluate(const struct rp_config *cfg, const char *password, struct rp_mail_item *v,
    size_t n, time_t now, long budget_ms)
{
	struct rp_imap *s = NULL;
	struct rp_err err;
	int tried = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct rp_mail_item *it = &v[i];

		if (rp_eval_email_done_today(it->prev, now)) {
			rp_eval_email(it->c, NULL, 0, NULL, it->prev, now, &it->res);
			continue;
		}
		if (!tried) {
			tried = 1;
			s = login(cfg, password, budget_ms, &err);
		}
		if (s == NULL)
			rp_eval_email(it->c, NULL, 0, err.msg, NULL, now, &it->res);
		else
			evaluate_one(s, it, now);
	}
	if (s != NULL)
		rp_log(RP_LOG_DEBUG, "IMAP: %zu bytes read", rp_imap_bytes_read(s));
	rp_imap_close(s);
}
