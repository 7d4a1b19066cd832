#define _POSIX_C_SOURCE 200809L
#include "pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "output.h"
#include "run.h"
#include "signals.h"

/* How long a run retries a write the store refused, reconnecting. */
#define RETRY_MS 5000

/* The time kept for writing again after sending without the outbox: up
 * to RETRY_MS, at most a third of the budget. */
static long
reserve(const struct rp_pages *p)
{
	return p->budget_ms / 3 < RETRY_MS ? p->budget_ms / 3 : RETRY_MS;
}

/* One event of the run on its way. */
struct ev {
	struct rp_decision *d;
	struct rp_action *a;
	struct rp_pd_result *res;  /* d->sent[...] */
	struct rp_ob_entry entry;  /* id, check, label, body, queued */
	struct rp_alert_rec alert;
};

/* The run's events: every action not held by a silence. */
struct evs {
	struct ev *v;
	size_t n;
};

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

void
rp_pages_dl_opts(struct rp_dl_opts *dl, const struct rp_config *cfg, time_t now, long budget_ms)
{
	memset(dl, 0, sizeof(*dl));
	dl->url = cfg->events_url;
	dl->timeout_ms = cfg->pd_timeout_sec * 1000;
	dl->budget_ms = budget_ms;
	dl->rate_per_min = cfg->pd_rate_per_min;
	dl->now = now;
	dl->max_parallel = (int)cfg->max_parallel;
	dl->ca_file = cfg->pd_ca_file;
	dl->insecure = !cfg->pd_tls_verify;
}

char *
rp_pages_event(const struct rp_pages *p, const struct rp_decision *d, const struct rp_action *a)
{
	struct rp_pd_event e;

	memset(&e, 0, sizeof(e));
	e.action = a->act;
	e.routing_key = d->c->pd_service;
	e.dedup_key = a->dedup_key;
	e.summary = a->summary;
	e.source = p->host;
	e.severity = a->severity;
	e.component = d->component;
	e.group = d->c->name;
	e.class_name = d->class_name ? d->class_name : rp_check_type_name(d->c->type);
	e.description = d->c->pd_description;
	e.timestamp = p->now;
	e.facts = d->facts;
	e.nfacts = d->nfacts;
	e.output = d->output;
	return rp_pd_event_json(&e);
}

static int
held(const struct rp_pages *p, const struct rp_decision *d, const struct rp_action *a)
{
	return a->act == RP_ACT_TRIGGER && d->silenced_until > p->now;
}

/* Builds the run's events. A silenced check's trigger is not sent nor
 * queued, and not marked handed over, so the run after the silence decides
 * again and pages if the problem is still there; resolves go out. Every
 * other event is marked handed over in its decided state, which is written
 * with it. */
static void
build(const struct rp_pages *p, struct rp_decision *d, size_t n, struct evs *out)
{
	size_t i, j, cap = 1;

	for (i = 0; i < n; i++)
		cap += d[i].nact;
	out->v = rp_xcalloc(cap, sizeof(*out->v));
	out->n = 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < d[i].nact; j++) {
			struct rp_action *a = &d[i].acts[j];
			struct ev *e;
			char label[RP_RATE_LABEL_LEN];

			memset(&d[i].sent[j], 0, sizeof(d[i].sent[j]));
			if (held(p, &d[i], a)) {
				char until[RP_LOCAL_LEN];
				rp_clock_format_local(d[i].silenced_until, until);
				d[i].sent[j].outcome = RP_PD_HELD;
				snprintf(d[i].sent[j].message, sizeof(d[i].sent[j].message),
				    "silenced until %s", until);
				continue;
			}
			e = &out->v[out->n++];
			e->d = &d[i];
			e->a = a;
			e->res = &d[i].sent[j];
			e->res->outcome = RP_PD_WAITING;
			rp_rate_label(d[i].c->pd_service, label);
			e->entry.id = rp_dl_id(a->act, a->dedup_key);
			e->entry.check = rp_xstrdup(d[i].c->name);
			e->entry.label = rp_xstrdup(label);
			e->entry.body = rp_pages_event(p, &d[i], a);
			e->entry.queued = p->now;
			e->alert.dedup_key = a->dedup_key;
			e->alert.check = d[i].c->name;
			e->alert.action = rp_act_name(a->act);
			e->alert.severity = a->severity;
			e->alert.summary = a->summary;
			e->alert.sent_at = p->now;
			rp_eval_delivered(d[i].next, a);
		}
	}
}

static void
evs_free(struct evs *ev)
{
	size_t i;

	for (i = 0; i < ev->n; i++)
		rp_ob_entry_clear(&ev->v[i].entry);
	free(ev->v);
}

/* The commit of the n decisions with their events (those of ev whose
 * outcome is not DELIVERED: after a direct send, only what is left). */
static int
commit(struct rp_pages *p, struct rp_decision *d, size_t n, struct evs *ev,
    struct rp_outbox *ob, struct rp_err *err)
{
	struct rp_commit *c = rp_xcalloc(n + 1, sizeof(*c));
	struct rp_ob_entry *ents = rp_xcalloc(ev->n + 1, sizeof(*ents));
	struct rp_alert_rec *als = rp_xcalloc(ev->n + 1, sizeof(*als));
	size_t i, j, k = 0;
	int rc;

	for (i = 0; i < n; i++) {
		c[i].name = d[i].c->name;
		c[i].write = d[i].evaluated;
		c[i].expect_eval = d[i].expect_eval;
		c[i].st = d[i].next;
		c[i].lock = d[i].lock;
		c[i].events = &ents[k];
		c[i].alerts = &als[k];
		for (j = 0; j < ev->n; j++) {
			if (ev->v[j].d != &d[i] || ev->v[j].res->outcome == RP_PD_DELIVERED)
				continue;
			ents[k] = ev->v[j].entry; /* shallow: owned by ev */
			als[k++] = ev->v[j].alert;
			c[i].nevents++;
		}
	}
	rc = rp_store_commit(p->store, c, n, &p->run, ob, err);
	for (i = 0; i < n && rc == 0; i++)
		d[i].lost = d[i].evaluated && !c[i].written;
	free(c);
	free(ents);
	free(als);
	return rc;
}

/* rp_store_commit, then, while the store refuses, again after connecting
 * anew, for up to wait_ms (the write is idempotent: it may have been
 * applied although its answer was lost). */
static int
commit_retry(struct rp_pages *p, struct rp_decision *d, size_t n, struct evs *ev,
    long wait_ms)
{
	struct timespec pause = {0, 500 * 1000000L}, t0;
	struct rp_err again;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ms(&t0) + 500 < wait_ms && !rp_sig_stopped()) {
		nanosleep(&pause, NULL);
		if (rp_store_reconnect(p->store, &again) == 0 &&
		    commit(p, d, n, ev, NULL, &again) == 0)
			return 0;
	}
	return -1;
}

/* Sends the events straight to PagerDuty (no outbox: the store is not
 * there, or refused the decision). */
static void
send_direct(struct rp_pages *p, struct evs *ev, long budget_ms)
{
	struct rp_pd_msg *m = rp_xcalloc(ev->n + 1, sizeof(*m));
	struct rp_pd_result *res = rp_xcalloc(ev->n + 1, sizeof(*res));
	struct rp_pd_opts po = {0};
	size_t i;

	for (i = 0; i < ev->n; i++) {
		m[i].body = ev->v[i].entry.body;
		m[i].label = -1;
	}
	po.url = p->cfg->events_url;
	po.timeout_ms = p->cfg->pd_timeout_sec * 1000;
	po.max_attempts = 10;
	po.backoff_ms = 500;
	po.budget_ms = budget_ms;
	po.max_parallel = (int)p->cfg->max_parallel;
	po.ca_file = p->cfg->pd_ca_file;
	po.insecure = !p->cfg->pd_tls_verify;
	rp_pd_post(&po, m, ev->n, res);
	for (i = 0; i < ev->n; i++)
		*ev->v[i].res = res[i];
	free(m);
	free(res);
}

/* Whether an outcome means Robopager could not do its job: an event not
 * delivered for a reason of its own (not one merely waiting its turn). */
static int
trouble_of(const struct rp_pd_result *r)
{
	return r->outcome == RP_PD_FAILED || r->outcome == RP_PD_REJECTED ||
	    (r->outcome == RP_PD_WAITING && !r->behind && !r->elsewhere);
}

static void
set_waiting(struct rp_pd_result *r, int queued, const char *why)
{
	memset(r, 0, sizeof(*r));
	r->outcome = RP_PD_WAITING;
	r->queued = queued;
	r->elsewhere = 1;
	snprintf(r->message, sizeof(r->message), "%s", why);
}

/* The outcome of each event of the run after the commit: dropped with its
 * decision, or as the delivery of the outbox (res, when this run owns it)
 * left it, or waiting for the run that owns it. */
static void
map_outcomes(const struct rp_outbox *ob, const struct rp_pd_result *res, struct evs *ev)
{
	size_t i, j;

	for (i = 0; i < ev->n; i++) {
		struct rp_pd_result *r = ev->v[i].res;
		if (ev->v[i].d->lost) {
			set_waiting(r, 0, "dropped: another run decided this check first");
			continue;
		}
		set_waiting(r, 1, "queued in the outbox for the run delivering it");
		for (j = 0; res != NULL && j < ob->n; j++) {
			if (strcmp(ob->v[j].id, ev->v[i].entry.id) != 0)
				continue;
			*r = res[j];
			r->queued = r->outcome == RP_PD_FAILED || r->outcome == RP_PD_WAITING;
			break;
		}
	}
}

/* Says on stderr what became of the earlier runs' events this run
 * delivered, and whether some still wait. */
static void
report_outbox(struct rp_pages *p, const struct rp_outbox *ob, const struct rp_pd_result *res,
    const struct evs *ev, const struct rp_dl_stats *st)
{
	size_t i, j, sent = 0;
	int mine, bad = 0;

	for (i = 0; i < ob->n; i++) {
		bad |= trouble_of(&res[i]);
		for (j = 0, mine = 0; j < ev->n && !mine; j++)
			mine = strcmp(ob->v[i].id, ev->v[j].entry.id) == 0;
		if (mine)
			continue; /* said with its check (report_events) */
		if (res[i].outcome == RP_PD_DELIVERED)
			sent++;
		else if (res[i].outcome == RP_PD_REJECTED)
			rp_log(RP_LOG_ERR, "outbox: PagerDuty refused %s: %s (kept for rp-status)",
			    ob->v[i].id, res[i].message);
	}
	if (sent > 0)
		rp_log(RP_LOG_INFO, "outbox: %zu earlier event%s delivered", sent, sent == 1 ? "" : "s");
	if (bad && st->left > 0)
		rp_log(RP_LOG_ERR, "outbox: %zu event%s still wait%s for PagerDuty%s%s", st->left,
		    st->left == 1 ? "" : "s", st->left == 1 ? "s" : "", st->error[0] ? ": " : "",
		    st->error);
	p->trouble |= bad;
}

/* Delivers the claimed outbox and records the outcome. */
static void
deliver_outbox(struct rp_pages *p, const struct rp_outbox *ob, struct evs *ev,
    const struct timespec *t0)
{
	struct rp_pd_result *res = rp_xcalloc(ob->n + 1, sizeof(*res));
	struct rp_alert_rec *answers = rp_xcalloc(ev->n + 1, sizeof(*answers));
	struct rp_ob_update up;
	struct rp_dl_stats st;
	struct rp_dl_opts dl;
	struct rp_err err;
	size_t i, na = 0;

	/* Leave time for the record of it. */
	rp_pages_dl_opts(&dl, p->cfg, p->now, p->budget_ms - elapsed_ms(t0) - 1000);
	rp_deliver(&dl, ob, res, &up, &st);
	map_outcomes(ob, res, ev);
	report_outbox(p, ob, res, ev, &st);
	for (i = 0; i < ev->n; i++) {
		if (ev->v[i].res->attempts == 0)
			continue;
		answers[na] = ev->v[i].alert;
		answers[na].http_status = ev->v[i].res->http_status;
		answers[na++].answer = ev->v[i].res->message;
	}
	if (rp_store_settle(p->store, &up, answers, na, &p->run, &err) != 0) {
		/* The decision is in: the next run sends again what this one
		 * delivered, and PagerDuty folds it into the open incident. */
		rp_log(RP_LOG_ERR, "%s; the next run sends again what this one delivered", err.msg);
		rp_strlcpy(p->store_error, err.msg, sizeof(p->store_error));
		p->trouble = 1;
	}
	rp_ob_update_free(&up);
	free(res);
	free(answers);
}

/* Records the triggers sent without the state, retrying for a while. */
static void
record_sent(struct rp_pages *p, const struct evs *ev)
{
	struct rp_sent *v = rp_xcalloc(ev->n + 1, sizeof(*v));
	struct timespec pause = {0, 500 * 1000000L}, t0;
	struct rp_err err;
	size_t i, n = 0;
	int rc = -1;

	for (i = 0; i < ev->n; i++) {
		if (ev->v[i].a->act != RP_ACT_TRIGGER || ev->v[i].a->page != RP_PAGE_EPISODE ||
		    ev->v[i].res->outcome != RP_PD_DELIVERED)
			continue;
		v[n].name = ev->v[i].d->c->name;
		v[n++].dedup_key = ev->v[i].a->dedup_key;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rp_strlcpy(err.msg, "state store unreachable", sizeof(err.msg));
	while (n > 0) {
		if (p->store == NULL)
			p->store = rp_config_store(p->cfg, &err);
		if (p->store != NULL && rp_store_record_sent(p->store, v, n, p->now, &p->run, &err) == 0) {
			rc = 0;
			break;
		}
		if (elapsed_ms(&t0) + 500 >= reserve(p) || rp_sig_stopped())
			break;
		nanosleep(&pause, NULL);
		if (p->store != NULL)
			rp_store_reconnect(p->store, &err);
	}
	if (n > 0 && rc != 0)
		rp_log(RP_LOG_ERR, "%zu trigger%s sent while the state store was out of reach "
		    "could not be recorded afterwards (%s): if the problem clears before the next "
		    "run, nobody will resolve %s", n, n == 1 ? "" : "s", err.msg,
		    n == 1 ? "it" : "them");
	else if (n > 0)
		rp_log(RP_LOG_INFO, "%zu trigger%s sent while the state store was out of reach, "
		    "recorded afterwards", n, n == 1 ? "" : "s");
	free(v);
}

/* Says on stderr, one line each, what did not go. */
static void
report_events(struct rp_pages *p, const struct evs *ev)
{
	size_t i;

	for (i = 0; i < ev->n; i++) {
		const struct rp_pd_result *r = ev->v[i].res;
		const char *what = rp_act_name(ev->v[i].a->act), *key = ev->v[i].a->dedup_key;

		if (r->outcome == RP_PD_REJECTED)
			rp_log(RP_LOG_ERR, "PagerDuty refused %s %s: %s (kept for rp-status)", what, key,
			    r->message);
		else if (trouble_of(r))
			rp_log(RP_LOG_ERR, "PagerDuty %s %s: %s; %s", what, key, r->message, r->queued ?
			    "queued in the outbox" : "not recorded: the next run decides again");
		else if (r->outcome == RP_PD_WAITING)
			rp_log(r->behind ? RP_LOG_INFO : RP_LOG_DEBUG, "PagerDuty %s %s: %s", what, key,
			    r->message);
		p->trouble |= trouble_of(r);
	}
}

/* The run with its state: write, deliver, record. */
static void
run_with_state(struct rp_pages *p, struct rp_decision *d, size_t n, struct evs *ev,
    const struct timespec *t0)
{
	struct rp_outbox ob;
	struct rp_err err;
	size_t i;

	memset(&ob, 0, sizeof(ob));
	ob.token = p->token;
	ob.lock_ms = p->budget_ms + 5000;
	ob.minute = (long)(p->now / 60);
	if (commit(p, d, n, ev, &ob, &err) == 0) {
		if (ob.owned && !rp_sig_stopped()) {
			p->claimed = 1;
			deliver_outbox(p, &ob, ev, t0);
		} else if (ob.owned) {
			/* Stopped: release the lock; the next run delivers. */
			struct rp_ob_update up = {0};
			up.token = ob.token;
			up.minute = ob.minute;
			rp_store_settle(p->store, &up, NULL, 0, &p->run, &err);
			map_outcomes(&ob, NULL, ev);
			for (i = 0; i < ev->n; i++)
				if (!ev->v[i].d->lost)
					snprintf(ev->v[i].res->message, sizeof(ev->v[i].res->message),
					    "not sent: the run was stopped; the next run sends it from the "
					    "outbox");
		} else {
			map_outcomes(&ob, NULL, ev);
		}
		rp_outbox_free(&ob);
		return;
	}
	/* The store refused the decision (READONLY, out of memory, gone):
	 * the events go straight out, then the write is tried again. */
	rp_log(RP_LOG_ERR, "%s; sending without the outbox, then writing again", err.msg);
	rp_strlcpy(p->store_error, err.msg, sizeof(p->store_error));
	p->trouble = 1;
	send_direct(p, ev, p->budget_ms - elapsed_ms(t0) - reserve(p));
	if (commit_retry(p, d, n, ev, reserve(p)) == 0) {
		for (i = 0; i < ev->n; i++)
			ev->v[i].res->queued = ev->v[i].res->outcome != RP_PD_DELIVERED &&
			    ev->v[i].res->outcome != RP_PD_REJECTED;
		return;
	}
	rp_log(RP_LOG_ERR, "%s; this run's decisions are recorded nowhere: the next run "
	    "decides again", err.msg);
	record_sent(p, ev);
}

void
rp_pages_run(struct rp_pages *p, struct rp_decision *d, size_t n)
{
	struct evs ev;
	struct timespec t0;

	if (p->dry)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	build(p, d, n, &ev);
	if (p->store != NULL && p->state_ok) {
		run_with_state(p, d, n, &ev, &t0);
	} else {
		/* Keep time to record what was sent. */
		send_direct(p, &ev, p->budget_ms - (p->cfg->redis_enabled ? reserve(p) : 0));
		if (p->cfg->redis_enabled)
			record_sent(p, &ev);
	}
	report_events(p, &ev);
	evs_free(&ev);
}
