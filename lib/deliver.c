#define _POSIX_C_SOURCE 200809L
#include "deliver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "sink.h"
#include "strindex.h"

char *
rp_dl_id(enum rp_act act, const char *dedup_key)
{
	return rp_xasprintf("%s %s", rp_act_name(act), dedup_key);
}

char *
rp_dl_dest_id(const char *dest, const char *action, const char *dedup_key)
{
	if (strcmp(dest, "pagerduty") == 0)
		return rp_xasprintf("%s %s", action, dedup_key);
	return rp_xasprintf("%s %s %s", dest, action, dedup_key);
}

/* Whether id names its destination: its first word has a colon (an
 * action never has; a dedup key comes after the action). */
static int
has_dest(const char *id)
{
	size_t w = strcspn(id, " ");

	return memchr(id, ':', w) != NULL && id[w] == ' ';
}

const char *
rp_dl_id_key(const char *id)
{
	const char *sp;

	if (has_dest(id))
		id = strchr(id, ' ') + 1;
	sp = strchr(id, ' ');
	return sp ? sp + 1 : id;
}

void
rp_dl_id_dest(const char *id, char *out, size_t n)
{
	if (has_dest(id))
		snprintf(out, n, "%.*s", (int)strcspn(id, " "), id);
	else
		snprintf(out, n, "pagerduty");
}

void
rp_dl_id_action(const char *id, char *out, size_t n)
{
	if (has_dest(id))
		id = strchr(id, ' ') + 1;
	snprintf(out, n, "%.*s", (int)strcspn(id, " "), id);
}

/* The rate labels of a run and the attempts each still allows this minute;
 * found by name through the entries' labels (byname, each entry's label at
 * its index in the outbox; slot: the label's place once given, at the
 * index of its first entry) and this minute's counts (rates). */
struct labels {
	char (*name)[RP_RATE_LABEL_LEN];
	long *allow;
	size_t n;
	struct rp_strindex byname, rates;
	long *slot;
};

/* One entry of the outbox on its way. */
struct msg {
	const struct rp_ob_entry *e;
	size_t index;              /* into the outbox */
	char dest[RP_DEST_MAX];
	const struct rp_sink *sink;
};

static const char *
label_of(const struct rp_ob_entry *e)
{
	return e->label ? e->label : "";
}

static void
labels_init(struct labels *l, const struct rp_outbox *ob)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	l->name = rp_xcalloc(ob->n + 1, sizeof(*l->name));
	l->allow = rp_xcalloc(ob->n + 1, sizeof(*l->allow));
	l->slot = rp_xcalloc(ob->n + 1, sizeof(*l->slot));
	for (i = 0; i < ob->n; i++) {
		rp_strindex_add(&l->byname, label_of(&ob->v[i]), i);
		l->slot[i] = -1;
	}
	for (i = 0; i < ob->nrates; i++)
		rp_strindex_add(&l->rates, ob->rates[i].label, i);
	rp_strindex_sort(&l->byname);
	rp_strindex_sort(&l->rates);
}

static void
labels_free(struct labels *l)
{
	free(l->name);
	free(l->allow);
	free(l->slot);
	rp_strindex_free(&l->byname);
	rp_strindex_free(&l->rates);
}

/* The place of the label of outbox entry i, given on first use, or -1 when
 * its destination has no rate. */
static int
label_index(struct labels *l, size_t i, const struct rp_outbox *ob, long per_min)
{
	const char *name = label_of(&ob->v[i]);
	long first = rp_strindex_find(&l->byname, name), r;
	long count;

	if (per_min <= 0)
		return -1;
	if (l->slot[first] >= 0)
		return (int)l->slot[first];
	r = rp_strindex_find(&l->rates, name);
	count = r >= 0 ? ob->rates[r].count : 0;
	rp_strlcpy(l->name[l->n], name, RP_RATE_LABEL_LEN);
	l->allow[l->n] = per_min > count ? per_min - count : 0;
	l->slot[first] = (long)l->n;
	return (int)l->n++;
}

/* The incident of each entry, "<destination> <dedup key>" (a destination
 * has no space), indexed by it into x; free each and the array. */
static char **
incidents(const struct rp_outbox *ob, struct rp_strindex *x)
{
	char **v = rp_xcalloc(ob->n + 1, sizeof(*v)), dest[RP_DEST_MAX];
	size_t i;

	for (i = 0; i < ob->n; i++) {
		rp_dl_id_dest(ob->v[i].id, dest, sizeof(dest));
		v[i] = rp_xasprintf("%s %s", dest, rp_dl_id_key(ob->v[i].id));
		rp_strindex_add(x, v[i], i);
	}
	rp_strindex_sort(x);
	return v;
}

static void
add_rejected(const struct rp_dl_opts *o, struct rp_ob_update *up, const struct rp_ob_entry *e,
    const struct rp_pd_result *r)
{
	struct rp_rejected *x = &up->rej[up->nrej++];
	char dest[RP_DEST_MAX];
	const struct rp_sink *s;
	const char *body = e->body ? e->body : "{}";

	rp_dl_id_dest(e->id, dest, sizeof(dest));
	s = rp_sink_of(dest);
	x->id = rp_xstrdup(e->id);
	x->check = rp_xstrdup_or_null(e->check);
	x->at = o->now;
	x->http_status = r->http_status;
	x->message = rp_xstrdup(r->message);
	if (s == NULL) {
		x->event = rp_xstrdup("");
		x->fix = rp_xstrdup("");
		return;
	}
	x->event = s->keep ? s->keep(body) : rp_xstrdup(body);
	x->fix = s->fingerprint(o->cfg, dest, body);
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

/* Picks the entries to try now into m and sm (their destinations and
 * bodies), the others' results set: an entry waits behind an earlier one of
 * its incident. */
static size_t
pick(const struct rp_dl_opts *o, const struct rp_outbox *ob, struct labels *lb,
    struct msg *m, struct rp_sink_msg *sm, struct rp_pd_result *res)
{
	struct rp_strindex byinc = {0};
	char **inc = incidents(ob, &byinc);
	size_t i, n = 0;

	for (i = 0; i < ob->n; i++) {
		const struct rp_ob_entry *e = &ob->v[i];
		if (rp_strindex_find(&byinc, inc[i]) < (long)i) {
			not_tried(&res[i], "queued behind an earlier event of this incident");
			res[i].behind = 1;
			continue;
		}
		m[n].e = e;
		m[n].index = i;
		rp_dl_id_dest(e->id, m[n].dest, sizeof(m[n].dest));
		m[n].sink = rp_sink_of(m[n].dest);
		sm[n].dest = m[n].dest;
		sm[n].body = e->body;
		sm[n].label = m[n].sink == NULL ? -1 : label_index(lb, i, ob,
		    m[n].sink->per_min(o->cfg, m[n].dest));
		n++;
	}
	for (i = 0; i < ob->n; i++)
		free(inc[i]);
	free(inc);
	rp_strindex_free(&byinc);
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
			add_rejected(o, up, e, &res[i]);
			up->done[up->ndone++] = rp_xstrdup(e->id);
			st->refused++;
			break;
		case RP_PD_FAILED: {
			char dest[RP_DEST_MAX];
			add_retry(up, e, &res[i]);
			rp_strlcpy(st->error, res[i].message, sizeof(st->error));
			rp_dl_id_dest(e->id, dest, sizeof(dest));
			rp_sink_who(dest, st->where, sizeof(st->where));
			st->failed++;
			st->left++;
			break;
		}
		default:
			st->left++;
			break;
		}
	}
}

/* "<destination> <dedup key>" of id: its incident, for held_back(). */
static char *
incident_of(const char *id)
{
	char dest[RP_DEST_MAX];

	rp_dl_id_dest(id, dest, sizeof(dest));
	return rp_xasprintf("%s %s", dest, rp_dl_id_key(id));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * How many entries are left when every one of them must wait for the next
 * minute: held back by its rate label, or behind an earlier entry of its
 * incident that was not sent either (one sent or refused now lets the next
 * run send it). Then no run can send anything this minute unless an entry
 * is added, and the next runs of the minute leave the outbox alone (one
 * round trip fewer). 0 otherwise. In n log n: a mass outage's outbox is
 * long.
 */
static long
held_back(const struct rp_outbox *ob, const struct rp_pd_result *res)
{
	char **gone = rp_xcalloc(ob->n + 1, sizeof(*gone));
	size_t i, ngone = 0;
	long held = 0;

	for (i = 0; i < ob->n; i++) {
		if (res[i].outcome == RP_PD_DELIVERED || res[i].outcome == RP_PD_REJECTED)
			gone[ngone++] = incident_of(ob->v[i].id);
		else if (res[i].outcome == RP_PD_WAITING && (res[i].rate_held || res[i].behind))
			held++;
		else
			held = -1;
		if (held < 0)
			break;
	}
	if (held > 0 && ngone > 0) {
		qsort(gone, ngone, sizeof(*gone), cmp_str);
		for (i = 0; i < ob->n && held > 0; i++) {
			char *inc;
			if (res[i].outcome != RP_PD_WAITING || !res[i].behind)
				continue;
			inc = incident_of(ob->v[i].id);
			if (bsearch(&inc, gone, ngone, sizeof(*gone), cmp_str) != NULL)
				held = 0;
			free(inc);
		}
	}
	for (i = 0; i < ngone; i++)
		free(gone[i]);
	free(gone);
	return held > 0 ? held : 0;
}

void
rp_deliver(const struct rp_dl_opts *o, const struct rp_outbox *ob, struct rp_pd_result *res,
    struct rp_ob_update *up, struct rp_dl_stats *stats)
{
	size_t cap = ob->n + 1, nm, i;
	struct msg *m = rp_xcalloc(cap, sizeof(*m));
	struct rp_sink_msg *sm = rp_xcalloc(cap, sizeof(*sm));
	struct rp_pd_result *mres = rp_xcalloc(cap, sizeof(*mres));
	long *before;
	struct labels lb;
	struct rp_sink_opts so = {0};

	memset(up, 0, sizeof(*up));
	memset(stats, 0, sizeof(*stats));
	labels_init(&lb, ob);
	up->done = rp_xcalloc(cap, sizeof(*up->done));
	up->retry = rp_xcalloc(cap, sizeof(*up->retry));
	up->rej = rp_xcalloc(cap, sizeof(*up->rej));
	up->sent = rp_xcalloc(cap, sizeof(*up->sent));
	up->minute = ob->minute;
	up->token = ob->token;

	nm = pick(o, ob, &lb, m, sm, res);
	so.max_attempts = 10;
	so.backoff_ms = 500;
	so.budget_ms = o->budget_ms;
	so.allow = lb.allow;
	so.max_parallel = o->max_parallel;
	before = rp_xcalloc(lb.n + 1, sizeof(*before));
	if (lb.n > 0)
		memcpy(before, lb.allow, lb.n * sizeof(*before));
	rp_sink_post(o->cfg, o->now, &so, sm, nm, mres);
	for (i = 0; i < nm; i++)
		res[m[i].index] = mres[i];
	for (i = 0; i < lb.n; i++) {
		if (before[i] - lb.allow[i] <= 0)
			continue;
		rp_strlcpy(up->sent[up->nsent].label, lb.name[i], RP_RATE_LABEL_LEN);
		up->sent[up->nsent++].count = before[i] - lb.allow[i];
	}
	account(o, ob, res, up, stats);
	up->held = held_back(ob, res);
	free(before);
	free(m);
	free(sm);
	free(mres);
	labels_free(&lb);
}
