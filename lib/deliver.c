#define _POSIX_C_SOURCE 200809L
#include "deliver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

char *
rp_dl_id(enum rp_act act, const char *dedup_key)
{
	return rp_xasprintf("%s %s", rp_act_name(act), dedup_key);
}

const char *
rp_dl_id_key(const char *id)
{
	const char *sp = strchr(id, ' ');

	return sp ? sp + 1 : id;
}

/* Whether an entry of ob before index end is for the incident dedup_key. */
static int
waiting_before(const struct rp_outbox *ob, size_t end, const char *dedup_key)
{
	size_t i;

	for (i = 0; i < end; i++)
		if (strcmp(rp_dl_id_key(ob->v[i].id), dedup_key) == 0)
			return 1;
	return 0;
}

/* The rate labels of a run and the attempts each still allows this minute. */
struct labels {
	char (*name)[RP_RATE_LABEL_LEN];
	long *allow;
	size_t n;
};

static int
label_index(struct labels *l, const char *name, const struct rp_outbox *ob, long per_min)
{
	size_t i;
	long count = 0;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->name[i], name) == 0)
			return (int)i;
	for (i = 0; i < ob->nrates; i++)
		if (strcmp(ob->rates[i].label, name) == 0)
			count = ob->rates[i].count;
	rp_strlcpy(l->name[l->n], name, RP_RATE_LABEL_LEN);
	l->allow[l->n] = per_min > count ? per_min - count : 0;
	return (int)l->n++;
}

static void
add_rejected(struct rp_ob_update *up, const struct rp_ob_entry *e, const struct rp_pd_result *r,
    time_t now)
{
	struct rp_rejected *x = &up->rej[up->nrej++];

	x->id = rp_xstrdup(e->id);
	x->check = rp_xstrdup_or_null(e->check);
	x->at = now;
	x->http_status = r->http_status;
	x->message = rp_xstrdup(r->message);
	x->event = rp_pd_strip_routing_key(e->body ? e->body : "{}");
	x->fix = rp_pd_fingerprint(e->body ? e->body : "{}");
}

static void
add_retry(struct rp_ob_update *up, const struct rp_ob_entry *e, const struct rp_pd_result *r)
{
	struct rp_ob_entry *u = &up->retry[up->nretry++];

	u->id = rp_xstrdup(e->id);
	u->check = rp_xstrdup_or_null(e->check);
	u->label = rp_xstrdup_or_null(e->label);
	u->body = rp_xstrdup(e->body);
	u->queued = e->queued;
	u->attempts = e->attempts + r->attempts;
	u->error = rp_xstrdup(r->message);
}

static void
not_tried(struct rp_pd_result *r, const char *why)
{
	memset(r, 0, sizeof(*r));
	r->outcome = RP_PD_WAITING;
	snprintf(r->message, sizeof(r->message), "%s", why);
}

/* Picks the entries to try now into m (their indexes into ob in idx). */
static size_t
pick(const struct rp_dl_opts *o, const struct rp_outbox *ob, struct labels *lb,
    struct rp_pd_msg *m, size_t *idx, struct rp_pd_result *res)
{
	size_t i, n = 0;

	for (i = 0; i < ob->n; i++) {
		const struct rp_ob_entry *e = &ob->v[i];
		if (e->body == NULL || *e->body == '\0') {
			/* Unreadable: it cannot be sent; refused, so that it shows. */
			memset(&res[i], 0, sizeof(res[i]));
			res[i].outcome = RP_PD_REJECTED;
			snprintf(res[i].message, sizeof(res[i].message), "unreadable outbox entry");
			continue;
		}
		if (waiting_before(ob, i, rp_dl_id_key(e->id))) {
			not_tried(&res[i], "queued behind an earlier event of this incident");
			res[i].behind = 1;
			continue;
		}
		m[n].body = e->body;
		m[n].label = label_index(lb, e->label ? e->label : "", ob, o->rate_per_min);
		idx[n++] = i;
	}
	return n;
}

/* What the outcomes change in the outbox. */
static void
account(const struct rp_dl_opts *o, const struct rp_outbox *ob, const struct rp_pd_result *res,
    struct rp_ob_update *up, struct rp_dl_stats *st)
{
	size_t i;

	for (i = 0; i < ob->n; i++) {
		const struct rp_ob_entry *e = &ob->v[i];
		switch (res[i].outcome) {
		case RP_PD_DELIVERED:
			up->done[up->ndone++] = rp_xstrdup(e->id);
			st->sent++;
			break;
		case RP_PD_REJECTED:
			add_rejected(up, e, &res[i], o->now);
			up->done[up->ndone++] = rp_xstrdup(e->id);
			st->refused++;
			break;
		case RP_PD_FAILED:
			add_retry(up, e, &res[i]);
			rp_strlcpy(st->error, res[i].message, sizeof(st->error));
			st->failed++;
			st->left++;
			break;
		default:
			st->left++;
			break;
		}
	}
}

void
rp_deliver(const struct rp_dl_opts *o, const struct rp_outbox *ob, struct rp_pd_result *res,
    struct rp_ob_update *up, struct rp_dl_stats *stats)
{
	size_t cap = ob->n + 1, nm, i;
	struct rp_pd_msg *m = rp_xcalloc(cap, sizeof(*m));
	size_t *idx = rp_xcalloc(cap, sizeof(*idx));
	struct rp_pd_result *mres = rp_xcalloc(cap, sizeof(*mres));
	long *before;
	struct labels lb;
	struct rp_pd_opts po = {0};

	memset(up, 0, sizeof(*up));
	memset(stats, 0, sizeof(*stats));
	lb.name = rp_xcalloc(cap, sizeof(*lb.name));
	lb.allow = rp_xcalloc(cap, sizeof(*lb.allow));
	lb.n = 0;
	up->done = rp_xcalloc(cap, sizeof(*up->done));
	up->retry = rp_xcalloc(cap, sizeof(*up->retry));
	up->rej = rp_xcalloc(cap, sizeof(*up->rej));
	up->sent = rp_xcalloc(cap, sizeof(*up->sent));
	up->minute = ob->minute;
	up->token = ob->token;

	nm = pick(o, ob, &lb, m, idx, res);
	po.url = o->url;
	po.timeout_ms = o->timeout_ms;
	po.max_attempts = 10;
	po.backoff_ms = 500;
	po.budget_ms = o->budget_ms;
	po.allow = lb.allow;
	po.max_parallel = o->max_parallel;
	po.ca_file = o->ca_file;
	po.insecure = o->insecure;
	before = rp_xcalloc(lb.n + 1, sizeof(*before));
	if (lb.n > 0)
		memcpy(before, lb.allow, lb.n * sizeof(*before));
	rp_pd_post(&po, m, nm, mres);
	for (i = 0; i < nm; i++)
		res[idx[i]] = mres[i];
	for (i = 0; i < lb.n; i++) {
		if (before[i] - lb.allow[i] <= 0)
			continue;
		rp_strlcpy(up->sent[up->nsent].label, lb.name[i], RP_RATE_LABEL_LEN);
		up->sent[up->nsent++].count = before[i] - lb.allow[i];
	}
	account(o, ob, res, up, stats);
	free(before);
	free(m);
	free(idx);
	free(mres);
	free(lb.name);
	free(lb.allow);
}
