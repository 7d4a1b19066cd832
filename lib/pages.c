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
#include "spill.h"
#include "strindex.h"

/* How long a run retries a write the store refused, reconnecting. */
#define RETRY_MS 5000

/* The time kept for writing again after sending without the outbox: up
 * to RETRY_MS, at most a third of the budget. */
static long
reserve(const struct rp_pages *p)
{
	return p->budget_ms / 3 < RETRY_MS ? p->budget_ms / 3 : RETRY_MS;
}

/* One event of the run on its way to one destination. */
struct ev {
	struct rp_decision *d;
	struct rp_action *a;       /* NULL for a warning */
	int slot;                  /* its index in d->acts and d->sent, -1 */
	char *dest;
	struct rp_pd_result *res;  /* &r */
	struct rp_pd_result r;
	struct rp_ob_entry entry;  /* id, check, label, body, queued */
	struct rp_alert_rec alert;
	char warn_key[RP_DEDUP_MAX];
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
	dl->cfg = cfg;
	dl->budget_ms = budget_ms;
	dl->now = now;
	dl->max_parallel = (int)cfg->max_parallel;
}

void
rp_pages_whom(const struct rp_ob_entry *v, size_t n, const struct rp_rejected *rej,
    size_t nrej, char *out, size_t len)
{
	char seen[4][RP_DEST_MAX], dest[RP_DEST_MAX], who[RP_DEST_MAX + 20];
	size_t i, j, k = 0, more = 0;
	struct rp_buf b = {0};

	for (i = 0; i < n + nrej; i++) {
		int dup = 0;
		rp_dl_id_dest(i < n ? v[i].id : rej[i - n].id, dest, sizeof(dest));
		for (j = 0; j < k && !dup; j++)
			dup = strcmp(seen[j], dest) == 0;
		if (dup)
			continue;
		if (k == 4) {
			more = 1;
			continue;
		}
		rp_strlcpy(seen[k++], dest, sizeof(seen[0]));
		rp_sink_who(dest, who, sizeof(who));
		rp_buf_printf(&b, "%s%s", k > 1 ? ", " : "", who);
	}
	if (more)
		rp_buf_printf(&b, " and others");
	snprintf(out, len, "%s", b.data ? b.data : "its destinations");
	rp_buf_free(&b);
}

/* The severity of an action's page: a resolve carries its trigger's, so
 * that a destination that matches them by labels (Alertmanager) finds it. */
static const char *
severity_of(const struct rp_action *a)
{
	if (a->severity != NULL)
		return a->severity;
	return a->page == RP_PAGE_UNKNOWN ? "error" : "critical";
}

/* The event of action a of decision d, as the sinks see it. */
static void
event_of(const struct rp_pages *p, const struct rp_decision *d, const struct rp_action *a,
    struct rp_sink_event *e)
{
	memset(e, 0, sizeof(*e));
	e->action = a->act == RP_ACT_RESOLVE ? RP_EV_RESOLVE : RP_EV_TRIGGER;
	e->check = d->c->name;
	e->type = d->class_name ? d->class_name : rp_check_type_name(d->c->type);
	e->status = d->next ? d->next->status : RP_CRITICAL;
	e->dedup_key = a->dedup_key;
	e->summary = a->summary;
	e->description = d->c->pd_description;
	e->severity = severity_of(a);
	e->component = d->component;
	e->host = p->host;
	e->facts = d->facts;
	e->nfacts = d->nfacts;
	e->output = d->output;
	e->time = p->now;
	if (d->next != NULL && a->page == RP_PAGE_EPISODE)
		e->since = d->next->episode_start;
	else if (d->next != NULL && a->page == RP_PAGE_UNKNOWN)
		e->since = d->next->unknown_since;
	e->hold_sec = 3 * (d->c->poll_sec > 60 ? d->c->poll_sec : 60);
	e->routing_key = d->c->pd_service;
}

void
rp_pages_refused_each(const char *refused,
    void (*fn)(void *arg, const char *dest, const struct rp_rejected *x), void *arg)
{
	const char *line, *nl;

	for (line = refused; line != NULL && *line; line = nl ? nl + 1 : NULL) {
		const char *tab;
		char *id, *rec, dest[RP_DEST_MAX];
		struct rp_rejected x;

		nl = strchr(line, '\n');
		tab = memchr(line, '\t', nl ? (size_t)(nl - line) : strlen(line));
		if (tab == NULL)
			continue;
		id = rp_xstrndup(line, (size_t)(tab - line));
		rec = rp_xstrndup(tab + 1, nl ? (size_t)(nl - tab - 1) : strlen(tab + 1));
		memset(&x, 0, sizeof(x));
		rp_rejected_parse_json(&x, rec);
		x.id = id;
		rp_dl_id_dest(id, dest, sizeof(dest));
		fn(arg, dest, &x);
		rp_rejected_clear(&x); /* frees id */
		free(rec);
	}
}

/* Whether dest refused the trigger of a earlier and the event that would
 * go to it now differs in what a person fixes. */
struct resend {
	const struct rp_pages *p;
	const struct rp_decision *d;
	const struct rp_action *a;
	const char *dest;          /* NULL: every refusal */
	int changed, unchanged;
	int said;                  /* say each unchanged refusal on stderr */
};

static void
resend_one(void *arg, const char *dest, const struct rp_rejected *x)
{
	struct resend *rs = arg;
	const struct rp_sink *s = rp_sink_of(dest);
	struct rp_sink_event e;
	char label[RP_RATE_LABEL_LEN], who[RP_DEST_MAX + 20];
	char *body, *fp, **dests;
	size_t i, nd;
	int mine = 0;

	if (s == NULL || (rs->dest != NULL && strcmp(rs->dest, dest) != 0))
		return;
	/* Only a destination the check still has. */
	dests = rp_sink_dests(rs->p->cfg, rs->d->c, rs->d->own, &nd);
	for (i = 0; i < nd; i++)
		mine |= strcmp(dests[i], dest) == 0;
	rp_sink_dests_free(dests, nd);
	if (!mine)
		return;
	event_of(rs->p, rs->d, rs->a, &e);
	if ((body = rp_sink_encode(rs->p->cfg, dest, &e, label)) == NULL)
		return;
	fp = s->fingerprint(rs->p->cfg, dest, body);
	rp_sink_who(dest, who, sizeof(who));
	if (x->fix == NULL || strcmp(fp, x->fix) != 0) {
		rs->changed++;
		if (rs->said)
			rp_log(RP_LOG_INFO, "%s: the trigger %s refused is sent again: the event "
			    "changed since", rs->d->c->name, who);
	} else {
		rs->unchanged++;
		if (rs->said)
			rp_log(RP_LOG_ERR, "%s: %s refused the trigger of %s: %s; fix %s (rp-status "
			    "shows it)", rs->d->c->name, who, rs->a->dedup_key, x->message ? x->message :
			    "no reason given", strcmp(dest, "pagerduty") == 0 ?
			    "pd_service or pd_description" : "the destination");
	}
	rp_free_secret(body);
	free(fp);
}

int
rp_pages_resend(const struct rp_pages *p, struct rp_decision *d, const struct rp_action *a,
    const char *refused)
{
	struct resend rs = {0};

	rs.p = p;
	rs.d = d;
	rs.a = a;
	rs.said = 1;
	rp_pages_refused_each(refused, resend_one, &rs);
	if (rs.changed > 0)
		return 1;
	return rs.unchanged > 0 ? 0 : -1;
}

/* Whether the resent trigger a of d goes to dest. */
static int
resend_to(const struct rp_pages *p, const struct rp_decision *d, const struct rp_action *a,
    const char *dest)
{
	struct resend rs = {0};

	rs.p = p;
	rs.d = d;
	rs.a = a;
	rs.dest = dest;
	rp_pages_refused_each(d->refused, resend_one, &rs);
	return rs.changed > 0;
}

/* Whether d's check went into WARNING: from OK, or at its first
 * evaluation. A check that stays WARNING, or comes back to it from UNKNOWN
 * or CRITICAL (its incident said it), says nothing more. */
static int
went_warning(const struct rp_pages *p, const struct rp_decision *d)
{
	if (!p->state_ok || d->next == NULL || !d->evaluated || d->own ||
	    d->next->status != RP_WARNING || d->next->open_key != NULL)
		return 0;
	if (d->prev == NULL || !d->prev->known)
		return 1;
	return d->prev->status == RP_OK;
}

/* Whether d says its going into WARNING now (not silenced). */
static int
warns(const struct rp_pages *p, const struct rp_decision *d)
{
	return went_warning(p, d) && d->silenced_until <= p->now;
}

static int
held(const struct rp_pages *p, const struct rp_decision *d, const struct rp_action *a)
{
	return a->act == RP_ACT_TRIGGER && d->silenced_until > p->now;
}

/* Adds the event of d (action a, or a warning) for dest to out, if dest
 * takes it; whether it did. */
static int
add_ev(const struct rp_pages *p, struct rp_decision *d, struct rp_action *a, int slot,
    const char *dest, const struct rp_sink_event *e, struct evs *out)
{
	char label[RP_RATE_LABEL_LEN];
	char *body = rp_sink_encode(p->cfg, dest, e, label);
	struct ev *v;

	if (body == NULL)
		return 0;
	v = &out->v[out->n++];
	v->d = d;
	v->a = a;
	v->slot = slot;
	v->dest = rp_xstrdup(dest);
	v->res = &v->r;
	v->r.outcome = RP_PD_WAITING;
	v->entry.id = rp_dl_dest_id(dest, rp_ev_action_name(e->action), e->dedup_key);
	v->entry.check = rp_xstrdup(d->c->name);
	v->entry.label = rp_xstrdup(label);
	v->entry.body = body;
	v->entry.queued = p->now;
	v->alert.dedup_key = e->dedup_key;
	v->alert.check = d->c->name;
	v->alert.action = rp_ev_action_name(e->action);
	v->alert.severity = e->severity;
	v->alert.summary = e->summary;
	v->alert.sent_at = p->now;
	return 1;
}

/* Builds the run's events: one per action and destination. A silenced
 * check's trigger is not sent nor queued, and not marked handed over, so
 * the run after the silence decides again and pages if the problem is
 * still there; resolves go out. Every other event is marked handed over in
 * its decided state, which is written with it. */
static void
build(const struct rp_pages *p, struct rp_decision *d, size_t n, struct evs *out)
{
	size_t i, j, k, cap = 1, nd, *nds = rp_xcalloc(n + 1, sizeof(*nds));
	char ***dv = rp_xcalloc(n + 1, sizeof(*dv)), **dests;

	/* One event per action and destination, and a warning's (counted
	 * exactly: a run holds thousands of decisions, most without events). */
	for (i = 0; i < n; i++) {
		dv[i] = rp_sink_dests(p->cfg, d[i].c, d[i].own, &nds[i]);
		cap += (d[i].nact + (size_t)warns(p, &d[i])) * nds[i];
	}
	out->v = rp_xcalloc(cap, sizeof(*out->v));
	out->n = 0;
	for (i = 0; i < n; i++) {
		dests = dv[i];
		nd = nds[i];
		for (j = 0; j < d[i].nact; j++) {
			struct rp_action *a = &d[i].acts[j];
			struct rp_sink_event e;

			memset(&d[i].sent[j], 0, sizeof(d[i].sent[j]));
			if (held(p, &d[i], a)) {
				char until[RP_LOCAL_LEN];
				rp_clock_format_local(d[i].silenced_until, until);
				d[i].sent[j].outcome = RP_PD_HELD;
				snprintf(d[i].sent[j].message, sizeof(d[i].sent[j].message),
				    "silenced until %s", until);
				continue;
			}
			d[i].sent[j].outcome = RP_PD_WAITING;
			event_of(p, &d[i], a, &e);
			for (k = 0; k < nd; k++) {
				if (d[i].resend == (int)j + 1 && !resend_to(p, &d[i], a, dests[k]))
					continue;
				add_ev(p, &d[i], a, (int)j, dests[k], &e, out);
			}
			rp_eval_delivered(d[i].next, a);
		}
		if (warns(p, &d[i])) {
			struct rp_action w;
			struct rp_sink_event e;
			char at[RP_UTC_LEN];

			memset(&w, 0, sizeof(w));
			w.act = RP_ACT_TRIGGER;
			w.severity = "warning";
			rp_clock_format_utc(p->now, at);
			snprintf(w.dedup_key, sizeof(w.dedup_key), "%s/warning@%s", d[i].c->name, at);
			snprintf(w.summary, sizeof(w.summary), "%s", d[i].next->summary ?
			    d[i].next->summary : "");
			event_of(p, &d[i], &w, &e);
			e.action = RP_EV_WARNING;
			for (k = 0; k < nd; k++) {
				if (!add_ev(p, &d[i], NULL, -1, dests[k], &e, out))
					continue;
				/* The event's strings live in w: copy what outlives it. */
				rp_strlcpy(out->v[out->n - 1].warn_key, w.dedup_key,
				    sizeof(out->v[0].warn_key));
				out->v[out->n - 1].alert.dedup_key = out->v[out->n - 1].warn_key;
				out->v[out->n - 1].alert.summary = d[i].next->summary;
			}
		}
		rp_sink_dests_free(dests, nd);
	}
	free(dv);
	free(nds);
}

static void
evs_free(struct evs *ev)
{
	size_t i;

	for (i = 0; i < ev->n; i++) {
		rp_ob_entry_clear(&ev->v[i].entry);
		free(ev->v[i].dest);
	}
	free(ev->v);
}

/* The events of each decision, in one pass: the indices into ev of d[i]'s
 * events are order[from[i] .. from[i + 1]), in their order (each event
 * knows its decision's place in d). Free both. */
static void
group_events(const struct rp_decision *d, size_t n, const struct evs *ev, size_t **from,
    size_t **order)
{
	size_t *f = rp_xcalloc(n + 2, sizeof(*f)), *o = rp_xcalloc(ev->n + 1, sizeof(*o));
	size_t i, j;

	for (j = 0; j < ev->n; j++)
		f[ev->v[j].d - d + 2]++;
	for (i = 2; i < n + 2; i++)
		f[i] += f[i - 1];
	/* f[i + 1] is now where d[i]'s events begin: fill them moving it on,
	 * so that it ends where they end, which is where d[i + 1]'s begin. */
	for (j = 0; j < ev->n; j++)
		o[f[ev->v[j].d - d + 1]++] = j;
	*from = f;
	*order = o;
}

/* The commit of the n decisions with their events (those of ev whose
 * outcome is not DELIVERED: after a direct send, only what is left, and
 * what was delivered goes as sent). */
static int
commit(struct rp_pages *p, struct rp_decision *d, size_t n, struct evs *ev,
    struct rp_outbox *ob, struct rp_err *err)
{
	struct rp_commit *c = rp_xcalloc(n + 1, sizeof(*c));
	struct rp_ob_entry *ents = rp_xcalloc(ev->n + 1, sizeof(*ents));
	struct rp_alert_rec *als = rp_xcalloc(ev->n + 1, sizeof(*als));
	struct rp_ob_entry *sent = rp_xcalloc(ev->n + 1, sizeof(*sent));
	size_t i, j, k = 0, ks = 0, *from, *order;
	int rc;

	group_events(d, n, ev, &from, &order);
	for (i = 0; i < n; i++) {
		c[i].name = d[i].c->name;
		c[i].write = d[i].evaluated;
		c[i].expect_eval = d[i].expect_eval;
		c[i].st = d[i].next;
		c[i].lock = d[i].lock;
		c[i].events = &ents[k];
		c[i].alerts = &als[k];
		c[i].sent = &sent[ks];
		for (j = from[i]; j < from[i + 1]; j++) {
			const struct ev *e = &ev->v[order[j]];
			if (e->res->outcome == RP_PD_DELIVERED) {
				if (e->a != NULL) {
					sent[ks++] = e->entry; /* shallow */
					c[i].nsent++;
				}
				continue;
			}
			ents[k] = e->entry; /* shallow: owned by ev */
			als[k++] = e->alert;
			c[i].nevents++;
		}
	}
	free(from);
	free(order);
	rc = rp_store_commit(p->store, c, n, &p->run, ob, err);
	for (i = 0; i < n && rc == 0; i++)
		d[i].lost = d[i].evaluated && !c[i].written;
	free(c);
	free(ents);
	free(als);
	free(sent);
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

/* Sends the events straight to their destinations (no outbox: the store
 * is not there, or refused the decision). */
static void
send_direct(struct rp_pages *p, struct evs *ev, long budget_ms)
{
	struct rp_sink_msg *m = rp_xcalloc(ev->n + 1, sizeof(*m));
	struct rp_pd_result *res = rp_xcalloc(ev->n + 1, sizeof(*res));
	struct rp_sink_opts so = {0};
	size_t i;

	for (i = 0; i < ev->n; i++) {
		m[i].dest = ev->v[i].dest;
		m[i].body = ev->v[i].entry.body;
		m[i].label = -1;
	}
	so.max_attempts = 10;
	so.backoff_ms = 500;
	so.budget_ms = budget_ms;
	so.max_parallel = (int)p->cfg->max_parallel;
	rp_sink_post(p->cfg, p->now, &so, m, ev->n, res);
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
	struct rp_strindex ids = {0};
	size_t i;

	for (i = 0; res != NULL && i < ob->n; i++)
		rp_strindex_add(&ids, ob->v[i].id, i);
	rp_strindex_sort(&ids);
	for (i = 0; i < ev->n; i++) {
		struct rp_pd_result *r = ev->v[i].res;
		long j;
		if (ev->v[i].d->lost) {
			set_waiting(r, 0, "dropped: another run decided this check first");
			continue;
		}
		set_waiting(r, 1, "queued in the outbox for the run delivering it");
		if ((j = rp_strindex_find(&ids, ev->v[i].entry.id)) < 0)
			continue;
		*r = res[j];
		r->queued = r->outcome == RP_PD_FAILED || r->outcome == RP_PD_WAITING;
	}
	rp_strindex_free(&ids);
}

/* Says on stderr what became of the earlier runs' events this run
 * delivered, and whether some still wait. */
static void
report_outbox(struct rp_pages *p, const struct rp_outbox *ob, const struct rp_pd_result *res,
    const struct evs *ev, const struct rp_dl_stats *st)
{
	struct rp_strindex mine = {0};
	size_t i, sent = 0;
	int bad = 0;

	for (i = 0; i < ev->n; i++)
		rp_strindex_add(&mine, ev->v[i].entry.id, i);
	rp_strindex_sort(&mine);
	for (i = 0; i < ob->n; i++) {
		bad |= trouble_of(&res[i]);
		if (rp_strindex_find(&mine, ob->v[i].id) >= 0)
			continue; /* said with its check (report_events) */
		if (res[i].outcome == RP_PD_DELIVERED) {
			sent++;
		} else if (res[i].outcome == RP_PD_REJECTED) {
			char dest[RP_DEST_MAX], who[RP_DEST_MAX + 20];
			rp_dl_id_dest(ob->v[i].id, dest, sizeof(dest));
			rp_sink_who(dest, who, sizeof(who));
			rp_log(RP_LOG_ERR, "outbox: %s refused %s: %s (kept for rp-status)", who,
			    ob->v[i].id, res[i].message);
		}
	}
	rp_strindex_free(&mine);
	if (sent > 0)
		rp_log(RP_LOG_INFO, "outbox: %zu earlier event%s delivered", sent, sent == 1 ? "" : "s");
	if (bad && st->left > 0)
		rp_log(RP_LOG_ERR, "outbox: %zu event%s still wait%s for %s%s%s", st->left,
		    st->left == 1 ? "" : "s", st->left == 1 ? "s" : "",
		    st->where[0] ? st->where : "delivery", st->error[0] ? ": " : "", st->error);
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
		/* rp:alert:<key> records PagerDuty's answer. */
		if (ev->v[i].res->attempts == 0 || strcmp(ev->v[i].dest, "pagerduty") != 0)
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

/* The n triggers sent without the state that could not be recorded: kept
 * in the cache directory for the next run that reaches the store (spill.h),
 * or, failing that, said to be at risk. */
static void
keep_sent(struct rp_pages *p, const struct rp_sent *v, size_t n, const char *store_err)
{
	char dir[4096], why[512] = "";

	if (!p->dry && rp_spill_keep(p->cfg, p->now, v, n, dir, sizeof(dir), why,
	    sizeof(why)) == 0) {
		rp_log(RP_LOG_ERR, "%zu trigger%s sent while the state store was out of reach "
		    "could not be recorded (%s); kept in %s for the next run that reaches it", n,
		    n == 1 ? "" : "s", store_err, dir);
		return;
	}
	rp_log(RP_LOG_ERR, "%zu trigger%s sent while the state store was out of reach "
	    "could not be recorded afterwards (%s), nor kept (%s): if the problem clears before "
	    "the next run, nobody will resolve %s", n, n == 1 ? "" : "s", store_err, why,
	    n == 1 ? "it" : "them");
}

/* Records the triggers sent without the state, retrying for a while. */
static void
record_sent(struct rp_pages *p, const struct rp_decision *d, size_t nd, const struct evs *ev)
{
	struct rp_sent *v = rp_xcalloc(ev->n + 1, sizeof(*v));
	char *seen = rp_xcalloc(nd + 1, 1);
	struct timespec pause = {0, 500 * 1000000L}, t0;
	struct rp_err err;
	size_t i, n = 0;
	int rc = -1;

	for (i = 0; i < ev->n; i++) {
		/* Delivered to any of its destinations: its incident is open. */
		if (ev->v[i].a == NULL || ev->v[i].a->act != RP_ACT_TRIGGER ||
		    ev->v[i].a->page != RP_PAGE_EPISODE || ev->v[i].res->outcome != RP_PD_DELIVERED ||
		    seen[ev->v[i].d - d])
			continue;
		seen[ev->v[i].d - d] = 1;
		v[n].name = ev->v[i].d->c->name;
		v[n++].dedup_key = ev->v[i].a->dedup_key;
	}
	free(seen);
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
		keep_sent(p, v, n, err.msg);
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
		const char *what = ev->v[i].a ? rp_act_name(ev->v[i].a->act) : "warning";
		const char *key = rp_dl_id_key(ev->v[i].entry.id);
		char who[RP_DEST_MAX + 20];

		rp_sink_who(ev->v[i].dest, who, sizeof(who));
		if (r->outcome == RP_PD_REJECTED)
			rp_log(RP_LOG_ERR, "%s refused %s %s: %s (kept for rp-status)", who, what, key,
			    r->message);
		else if (trouble_of(r))
			rp_log(RP_LOG_ERR, "%s %s %s: %s; %s", who, what, key, r->message, r->queued ?
			    "queued in the outbox" : "not recorded: the next run decides again");
		else if (r->outcome == RP_PD_WAITING)
			rp_log(r->behind ? RP_LOG_INFO : RP_LOG_DEBUG, "%s %s %s: %s", who, what, key,
			    r->message);
		p->trouble |= trouble_of(r);
	}
}

/* How bad an outcome is, to tell an action's worst over its
 * destinations. */
static int
rank(const struct rp_pd_result *r)
{
	switch (r->outcome) {
	case RP_PD_REJECTED:
		return 5;
	case RP_PD_FAILED:
		return 4;
	case RP_PD_WAITING:
		return r->behind ? 2 : r->elsewhere ? 1 : 3;
	default:
		return 0;
	}
}

/* Action j of d: its worst outcome over its destinations (the events
 * order[first .. last) of ev are d's). */
static void
aggregate_one(struct rp_decision *d, size_t j, const struct evs *ev, const size_t *order,
    size_t first, size_t last)
{
	struct rp_pd_result *out = &d->sent[j];
	const struct ev *worst = NULL;
	size_t k, count = 0;

	for (k = first; k < last; k++) {
		const struct ev *e = &ev->v[order[k]];
		if (e->slot != (int)j)
			continue;
		count++;
		if (worst == NULL || rank(e->res) > rank(worst->res))
			worst = e;
	}
	if (worst == NULL) {
		memset(out, 0, sizeof(*out));
		out->outcome = RP_PD_DELIVERED;
		snprintf(out->message, sizeof(out->message), "no destination takes it");
		return;
	}
	*out = *worst->res;
	if (count > 1 && worst->res->outcome != RP_PD_DELIVERED) {
		char who[RP_DEST_MAX + 20];
		rp_sink_who(worst->dest, who, sizeof(who));
		/* Cut: a long destination leaves room for the answer. */
		snprintf(out->message, sizeof(out->message), "%.60s: %.130s", who,
		    worst->res->message);
	}
}

/* Each action's outcome over its destinations, for the report. */
static void
aggregate(struct rp_decision *d, size_t n, const struct evs *ev)
{
	size_t i, j, *from, *order;

	group_events(d, n, ev, &from, &order);
	for (i = 0; i < n; i++)
		for (j = 0; j < d[i].nact; j++)
			if (d[i].sent[j].outcome != RP_PD_HELD)
				aggregate_one(&d[i], j, ev, order, from[i], from[i + 1]);
	free(from);
	free(order);
}

/* The firing alerts of the checks this run evaluated, posted again straight
 * to the destinations that forget them otherwise (not through the outbox:
 * the next run posts them again anyway). The first firing and the resolve
 * go through the outbox like every event. */
static void
refresh(struct rp_pages *p, struct rp_decision *d, size_t n, long budget_ms)
{
	struct rp_sink_msg *m = NULL;
	struct rp_pd_result *res;
	struct rp_sink_opts so = {0};
	char **bodies = NULL, **dests = NULL;
	size_t i, j, k, nm = 0, cap = 0, nd;

	for (i = 0; i < n; i++) {
		const struct rp_check_state *st = d[i].next;
		struct rp_action a[2];
		size_t na = 0;
		char **dv;

		if (!d[i].evaluated || d[i].lost || d[i].own || st == NULL)
			continue;
		memset(a, 0, sizeof(a));
		if (st->open_key != NULL && st->open_sent) {
			a[na].page = RP_PAGE_EPISODE;
			rp_strlcpy(a[na].dedup_key, st->open_key, sizeof(a[0].dedup_key));
			na++;
		}
		if (st->unknown_key != NULL && st->unknown_sent) {
			a[na].page = RP_PAGE_UNKNOWN;
			rp_strlcpy(a[na].dedup_key, st->unknown_key, sizeof(a[0].dedup_key));
			na++;
		}
		dv = rp_sink_dests(p->cfg, d[i].c, 0, &nd);
		for (j = 0; j < na; j++) {
			struct rp_sink_event e;
			int decided = 0;
			/* A trigger this run decided goes through the outbox. */
			for (k = 0; k < d[i].nact; k++)
				decided |= d[i].acts[k].act == RP_ACT_TRIGGER &&
				    strcmp(d[i].acts[k].dedup_key, a[j].dedup_key) == 0;
			if (decided)
				continue;
			a[j].act = RP_ACT_TRIGGER;
			snprintf(a[j].summary, sizeof(a[j].summary), "%s", st->summary ? st->summary : "");
			event_of(p, &d[i], &a[j], &e);
			for (k = 0; k < nd; k++) {
				const struct rp_sink *s = rp_sink_of(dv[k]);
				char label[RP_RATE_LABEL_LEN], *body;
				if (s == NULL || !s->refresh ||
				    (body = rp_sink_encode(p->cfg, dv[k], &e, label)) == NULL)
					continue;
				if (nm == cap) {
					cap = cap ? 2 * cap : 16;
					m = rp_xrealloc(m, cap * sizeof(*m));
					bodies = rp_xrealloc(bodies, cap * sizeof(*bodies));
					dests = rp_xrealloc(dests, cap * sizeof(*dests));
				}
				bodies[nm] = body;
				dests[nm] = rp_xstrdup(dv[k]);
				m[nm].dest = dests[nm];
				m[nm].body = body;
				m[nm++].label = -1;
			}
		}
		rp_sink_dests_free(dv, nd);
	}
	if (nm == 0)
		return;
	res = rp_xcalloc(nm, sizeof(*res));
	so.max_attempts = 2;
	so.backoff_ms = 500;
	so.budget_ms = budget_ms;
	so.max_parallel = (int)p->cfg->max_parallel;
	rp_sink_post(p->cfg, p->now, &so, m, nm, res);
	for (i = 0; i < nm; i++) {
		size_t failed = 0;
		char who[RP_DEST_MAX + 20];
		if (res[i].outcome == RP_PD_DELIVERED || dests[i] == NULL)
			continue;
		/* One line per destination. */
		for (j = i; j < nm; j++) {
			if (dests[j] == NULL || strcmp(dests[j], dests[i]) != 0 ||
			    res[j].outcome == RP_PD_DELIVERED)
				continue;
			failed++;
			if (j != i) {
				free(dests[j]);
				dests[j] = NULL;
			}
		}
		rp_sink_who(dests[i], who, sizeof(who));
		rp_log(RP_LOG_ERR, "%s: %zu firing alert%s not posted again: %s (it forgets them "
		    "after three polls)", who, failed, failed == 1 ? "" : "s", res[i].message);
		p->trouble = 1;
	}
	for (i = 0; i < nm; i++) {
		rp_free_secret(bodies[i]);
		free(dests[i]);
	}
	free(bodies);
	free(dests);
	free(m);
	free(res);
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
			if (!rp_sig_stopped())
				refresh(p, d, n, p->budget_ms - elapsed_ms(t0));
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
			if (!rp_sig_stopped())
				refresh(p, d, n, p->budget_ms - elapsed_ms(t0));
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
	record_sent(p, d, n, ev);
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
			record_sent(p, d, n, &ev);
	}
	report_events(p, &ev);
	aggregate(d, n, &ev);
	evs_free(&ev);
}
