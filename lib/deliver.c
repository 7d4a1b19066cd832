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

/* The dedup key of an outbox id ("<action> <dedup_key>"). */
static const char *
id_key(const char *id)
{
	const char *sp = strchr(id, ' ');

	return sp ? sp + 1 : id;
}

/* Whether an entry of ob before index end (all of them: end = ob->n) is
 * for the incident dedup_key. */
static int
waiting_before(const struct rp_outbox *ob, size_t end, const char *dedup_key)
{
	size_t i;

	for (i = 0; ob != NULL && i < end; i++)
		if (strcmp(id_key(ob->v[i].id), dedup_key) == 0)
			return 1;
	return 0;
}

/* The rate labels of a run and the attempts each still allows this minute. */
struct labels {
	char (*name)[RP_RATE_LABEL_LEN];
	long *allow;
	long *used;
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
	for (i = 0; ob != NULL && i < ob->nrates; i++)
		if (strcmp(ob->rates[i].label, name) == 0)
			count = ob->rates[i].count;
	rp_strlcpy(l->name[l->n], name, RP_RATE_LABEL_LEN);
	l->allow[l->n] = per_min > count ? per_min - count : 0;
	l->used[l->n] = 0;
	return (int)l->n++;
}

static void
add_rejected(struct rp_ob_update *up, const char *id, const char *check, const char *body,
    const struct rp_pd_result *r, time_t now)
{
	struct rp_rejected *x = &up->rej[up->nrej++];

	x->id = rp_xstrdup(id);
	x->check = rp_xstrdup_or_null(check);
	x->at = now;
	x->http_status = r->http_status;
	x->message = rp_xstrdup(r->message);
	x->event = rp_pd_strip_routing_key(body);
}

void
rp_deliver(const struct rp_dl_opts *o, const struct rp_outbox *ob,
    const struct rp_pd_event *evs, const char *const *checks, size_t n,
    struct rp_pd_result *res, struct rp_ob_update *up, struct rp_dl_stats *stats)
{
	size_t nob = ob != NULL ? ob->n : 0, cap = nob + n + 1, nm = 0, i;
	struct rp_pd_msg *m = rp_xcalloc(cap, sizeof(*m));
	size_t *src = rp_xcalloc(cap, sizeof(*src)); /* i < nob: outbox; else new */
	struct rp_pd_result *mres = rp_xcalloc(cap, sizeof(*mres));
	char **bodies = rp_xcalloc(n + 1, sizeof(*bodies));
	char **ids = rp_xcalloc(n + 1, sizeof(*ids));
	struct labels lb;
	struct rp_pd_opts po;

	memset(up, 0, sizeof(*up));
	memset(stats, 0, sizeof(*stats));
	lb.name = rp_xcalloc(cap, sizeof(*lb.name));
	lb.allow = rp_xcalloc(cap, sizeof(*lb.allow));
	lb.used = rp_xcalloc(cap, sizeof(*lb.used));
	lb.n = 0;
	up->done = rp_xcalloc(cap, sizeof(*up->done));
	up->add = rp_xcalloc(cap, sizeof(*up->add));
	up->retry = rp_xcalloc(cap, sizeof(*up->retry));
	up->rej = rp_xcalloc(cap, sizeof(*up->rej));
	up->sent = rp_xcalloc(cap, sizeof(*up->sent));
	if (ob != NULL) {
		up->minute = ob->minute;
		up->token = ob->owned ? ob->token : NULL;
	}

	/* The outbox first, oldest first; an entry waits while an earlier
	 * one of its incident waits. */
	for (i = 0; ob != NULL && ob->owned && i < nob; i++) {
		const struct rp_ob_entry *e = &ob->v[i];
		if (e->body == NULL || *e->body == '\0') {
			/* Unreadable: it cannot be sent; it is refused, so it shows. */
			struct rp_pd_result bad;
			memset(&bad, 0, sizeof(bad));
			bad.outcome = RP_PD_REJECTED;
			snprintf(bad.message, sizeof(bad.message), "unreadable outbox entry");
			add_rejected(up, e->id, e->check, "{}", &bad, o->now);
			up->done[up->ndone++] = rp_xstrdup(e->id);
			continue;
		}
		if (waiting_before(ob, i, id_key(e->id)))
			continue;
		m[nm].body = e->body;
		m[nm].label = label_index(&lb, e->label ? e->label : "", ob, o->rate_per_min);
		src[nm++] = i;
	}
	/* Then this run's events, unless an earlier one of the incident waits. */
	for (i = 0; i < n; i++) {
		char label[RP_RATE_LABEL_LEN];
		ids[i] = rp_dl_id(evs[i].action, evs[i].dedup_key);
		bodies[i] = rp_pd_event_json(&evs[i]);
		if (waiting_before(ob, nob, evs[i].dedup_key)) {
			memset(&res[i], 0, sizeof(res[i]));
			res[i].outcome = RP_PD_WAITING;
			res[i].behind = 1;
			snprintf(res[i].message, sizeof(res[i].message),
			    "queued behind an earlier event of this incident");
			continue;
		}
		rp_rate_label(evs[i].routing_key, label);
		m[nm].body = bodies[i];
		m[nm].label = label_index(&lb, label, ob, o->rate_per_min);
		src[nm++] = nob + i;
	}

	po.url = o->url;
	po.timeout_ms = o->timeout_ms;
	po.max_attempts = 10;
	po.backoff_ms = 500;
	po.budget_ms = o->budget_ms;
	po.allow = lb.allow;
	po.max_parallel = o->max_parallel;
	po.ca_file = o->ca_file;
	po.insecure = o->insecure;
	{
		long *before = rp_xcalloc(lb.n + 1, sizeof(*before));
		memcpy(before, lb.allow, lb.n * sizeof(*before));
		rp_pd_post(&po, m, nm, mres);
		for (i = 0; i < lb.n; i++)
			lb.used[i] = before[i] - lb.allow[i];
		free(before);
	}

	for (i = 0; i < nm; i++) {
		const struct rp_pd_result *r = &mres[i];
		if (src[i] < nob) {
			const struct rp_ob_entry *e = &ob->v[src[i]];
			if (r->outcome == RP_PD_DELIVERED || r->outcome == RP_PD_REJECTED) {
				if (r->outcome == RP_PD_REJECTED)
					add_rejected(up, e->id, e->check, e->body, r, o->now);
				up->done[up->ndone++] = rp_xstrdup(e->id);
				stats->ob_sent++;
			} else {
				struct rp_ob_entry *u = &up->retry[up->nretry++];
				u->id = rp_xstrdup(e->id);
				u->check = rp_xstrdup_or_null(e->check);
				u->label = rp_xstrdup_or_null(e->label);
				u->body = rp_xstrdup(e->body);
				u->queued = e->queued;
				u->attempts = e->attempts + r->attempts;
				u->error = rp_xstrdup(r->attempts > 0 ? r->message :
				    (e->error ? e->error : r->message));
			}
		} else {
			res[src[i] - nob] = *r;
		}
	}
	for (i = 0; i < n; i++) {
		if (res[i].outcome == RP_PD_REJECTED) {
			add_rejected(up, ids[i], checks[i], bodies[i], &res[i], o->now);
		} else if (res[i].outcome != RP_PD_DELIVERED && ob != NULL) {
			struct rp_ob_entry *u = &up->add[up->nadd++];
			char label[RP_RATE_LABEL_LEN];
			rp_rate_label(evs[i].routing_key, label);
			u->id = ids[i];
			ids[i] = NULL;
			u->check = rp_xstrdup_or_null(checks[i]);
			u->label = rp_xstrdup(label);
			u->body = bodies[i];
			bodies[i] = NULL;
			u->queued = o->now;
			u->attempts = res[i].attempts;
			u->error = rp_xstrdup(res[i].message);
		}
	}
	for (i = 0; i < lb.n; i++) {
		if (lb.used[i] <= 0)
			continue;
		rp_strlcpy(up->sent[up->nsent].label, lb.name[i], RP_RATE_LABEL_LEN);
		up->sent[up->nsent++].count = lb.used[i];
	}
	stats->ob_left = nob - up->ndone;
	for (i = 0; i < up->nretry; i++)
		if (up->retry[i].error != NULL)
			rp_strlcpy(stats->ob_error, up->retry[i].error, sizeof(stats->ob_error));

	for (i = 0; i < n; i++) {
		free(ids[i]);
		rp_free_secret(bodies[i]);
	}
	free(ids);
	free(bodies);
	free(m);
	free(src);
	free(mres);
	free(lb.name);
	free(lb.allow);
	free(lb.used);
}
