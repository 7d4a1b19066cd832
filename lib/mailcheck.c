#define _POSIX_C_SOURCE 200809L
#include "mailcheck.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "imap.h"
#include "mailmemo.h"
#include "output.h"

/* The mailbox as this run's EXAMINE found it. */
struct mailbox {
	struct rp_imap *s;
	struct rp_imap_box box;
	const struct rp_config *cfg;
};

/* The messages of range (a "UID a:b " prefix, or "") and crit, headers
 * fetched, by UID, appended to l; 0 or -1 with err. */
static int
search(struct rp_imap *s, const char *range, const char *crit, struct rp_mail_list *l,
    struct rp_err *err)
{
	char *q = rp_xasprintf("%s%s", range, crit);
	struct rp_mail_list found = {0};
	uint32_t *u = NULL;
	size_t nu = 0;
	int rc = rp_imap_search(s, q, &u, &nu, err);

	if (rc == 0 && nu > 0)
		rc = rp_imap_fetch_headers(s, u, nu, &found.m, &found.n, err);
	rp_mail_list_sort(&found);
	rp_mail_list_take(l, found.m, rc == 0 ? found.n : 0);
	if (rc != 0)
		rp_imap_msgs_free(found.m, found.n);
	free(u);
	free(q);
	return rc;
}

/* Whether memo (from the check's record) describes this mailbox today up to
 * a UID it still holds, every message then still there; if not, it is made
 * an empty one for this mailbox (the whole day is searched). Says why at
 * -v. */
static int
memo_usable(struct mailbox *mb, const struct rp_mail_item *it, const char *id, time_t now,
    struct rp_mail_memo *memo)
{
	const struct rp_imap_box *b = &mb->box;
	const char *why = NULL;
	char today[RP_DATE_LEN];
	uint32_t *u = NULL, top = b->uidnext - 1;
	size_t nu = 0;
	struct rp_err err;

	rp_clock_local_date(now, today);
	if (it->prev == NULL || it->prev->mail_memo == NULL)
		why = "nothing remembered";
	else if (rp_mail_memo_parse(it->prev->mail_memo, memo) != 0)
		why = "what was remembered is unreadable";
	else if (strcmp(memo->id, id) != 0 || strcmp(memo->day, today) != 0)
		why = "a new day, mailbox or check";
	else if (memo->uidvalidity != b->uidvalidity || memo->high > top)
		why = "the mailbox's UIDs changed";
	else if (memo->high < top) {
		char *q = rp_xasprintf("UID %u:%u", memo->high + 1, top);
		if (rp_imap_search(mb->s, q, &u, &nu, &err) != 0)
			why = err.msg;
		else if (memo->exists + (long)nu != b->exists)
			why = "messages were removed";
		free(q);
		free(u);
	} else if (memo->exists != b->exists) {
		why = "messages were removed";
	}
	if (why == NULL)
		return 1;
	if (it->prev != NULL && it->prev->mail_memo != NULL)
		rp_log(RP_LOG_DEBUG, "%s: the whole day searched again: %s", it->c->name, why);
	rp_mail_memo_clear(memo);
	rp_strlcpy(memo->id, id, sizeof(memo->id));
	rp_strlcpy(memo->day, today, sizeof(memo->day));
	memo->uidvalidity = b->uidvalidity;
	return 0;
}

/* A check missing messages: its near misses, from what the search by
 * sender found and what a search by subject (in range; one more round trip,
 * on failure only) adds. -1 when that search failed. */
static int
near_misses(struct rp_imap *s, struct rp_mail_item *it, struct rp_mail_memo *memo,
    const char *range, time_t now)
{
	const struct rp_mail_list *msgs = &memo->by_sender, *subj = &memo->by_subject;
	struct rp_buf crit = {0};
	struct rp_imap_msg *others;
	size_t i, j, k = 0;
	struct rp_err err;
	int rc = 0;

	/* Subjects a quoted string cannot carry are left to the first list. */
	if (range != NULL && rp_imap_criteria_of(&crit, rp_clock_today_at(now,
	    it->c->delivery_time), "SUBJECT", it->c->subjects, it->c->nsubjects) == 0)
		rc = search(s, range, crit.data, &memo->by_subject, &err);
	rp_buf_free(&crit);
	/* What the search by sender found is not counted twice. */
	others = rp_xcalloc(subj->n + 1, sizeof(*others));
	for (i = 0; i < subj->n; i++) {
		for (j = 0; j < msgs->n && msgs->m[j].uid != subj->m[i].uid; j++)
			;
		if (j == msgs->n)
			others[k++] = subj->m[i];
	}
	rp_eval_email_near_misses(it->c, msgs->m, msgs->n, others, k, now, &it->res);
	free(others);
	return rc;
}

/* Searches the mailbox for one check (only what arrived since its memo,
 * when that can be used) and evaluates it; a memo of what was found is
 * left in it->memo. */
static void
evaluate_one(struct mailbox *mb, struct rp_mail_item *it, time_t now)
{
	const struct rp_imap_box *b = &mb->box;
	struct rp_mail_memo memo = {0};
	struct rp_buf crit = {0};
	char id[RP_MAIL_MEMO_ID_LEN], range[48];
	const char *in = range;
	int memoable = b->uidvalidity != 0 && b->uidnext != 0 && b->exists >= 0;
	struct rp_err err;

	rp_mail_memo_id(mb->cfg, it->c, id);
	range[0] = '\0';
	if (!memoable)
		;
	else if (memo_usable(mb, it, id, now, &memo) && memo.high == b->uidnext - 1) {
		rp_log(RP_LOG_DEBUG, "%s: nothing new in the mailbox since the last search",
		    it->c->name);
		in = NULL;
	} else if (b->uidnext > 1 && memo.high < b->uidnext - 1) {
		if (memo.high > 0)
			rp_log(RP_LOG_DEBUG, "%s: searching only the messages after UID %u",
			    it->c->name, memo.high);
		snprintf(range, sizeof(range), "UID %u:%u ", memo.high + 1, b->uidnext - 1);
	} else {
		in = NULL; /* an empty mailbox */
	}

	if (rp_imap_criteria(&crit, rp_clock_today_at(now, it->c->delivery_time), it->c->senders,
	    it->c->nsenders) != 0) {
		rp_eval_email(it->c, NULL, 0, "a sender is not ASCII", NULL, now, &it->res);
		memoable = 0;
	} else if (in != NULL && search(mb->s, in, crit.data, &memo.by_sender, &err) != 0) {
		rp_eval_email(it->c, NULL, 0, err.msg, NULL, now, &it->res);
		memoable = 0;
	} else {
		rp_eval_email(it->c, memo.by_sender.m, memo.by_sender.n, NULL, it->prev, now,
		    &it->res);
		if (it->res.status == RP_CRITICAL && near_misses(mb->s, it, &memo, in, now) != 0)
			memoable = 0;
	}
	if (memoable) {
		rp_mail_list_keep(&memo.by_sender, it->c, now);
		rp_mail_list_keep(&memo.by_subject, it->c, now);
		memo.high = b->uidnext - 1;
		memo.exists = b->exists;
		it->memo = rp_mail_memo_dump(&memo);
		it->res.mail_memo = it->memo;
	}
	rp_mail_memo_clear(&memo);
	rp_buf_free(&crit);
}

static struct rp_imap *
login(const struct rp_config *cfg, const char *password, long budget_ms,
    struct rp_imap_box *box, struct rp_err *err)
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
	if (s != NULL && rp_imap_examine(s, cfg->mailbox, box, err) != 0) {
		rp_imap_close(s);
		s = NULL;
	}
	return s;
}

void
rp_mail_evaluate(const struct rp_config *cfg, const char *password, struct rp_mail_item *v,
    size_t n, time_t now, long budget_ms)
{
	struct mailbox mb = {NULL, {0, 0, -1}, cfg};
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
			mb.s = login(cfg, password, budget_ms, &mb.box, &err);
		}
		if (mb.s == NULL)
			rp_eval_email(it->c, NULL, 0, err.msg, NULL, now, &it->res);
		else
			evaluate_one(&mb, it, now);
	}
	if (mb.s != NULL)
		rp_log(RP_LOG_DEBUG, "IMAP: %zu bytes read", rp_imap_bytes_read(mb.s));
	rp_imap_close(mb.s);
}
