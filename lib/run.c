#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "eval.h"
#include "http.h"
#include "imap.h"
#include "output.h"
#include "pagerduty.h"
#include "sources.h"
#include "state.h"

#ifndef RP_VERSION
#define RP_VERSION "dev"
#endif

/* Everything about one check in this run. */
struct item {
	const struct rp_check *c;
	int candidate;           /* past today's check_time, or forced */
	struct rp_load load;     /* due, and the state read */
	int evaluated;
	struct rp_result res;
	struct rp_check_state next;
	struct rp_action acts[RP_MAX_ACTIONS];
	struct rp_pd_result sent[RP_MAX_ACTIONS];
	size_t nact;
	struct rp_http_req req;
	char *url;
};

struct run {
	const char *program;
	const struct rp_opts *o;
	struct rp_config cfg;
	struct rp_checklist cl;
	struct rp_store *store;
	int state_ok;            /* state was read, so it may be written */
	int trouble;             /* something failed that makes the run UNKNOWN */
	time_t start, now;
	char host[256];
	struct item *items;
	size_t n;
	char *password;          /* the mailbox's, wiped at the end */
	struct timespec t0;      /* monotonic start, for the time budget */
	struct rp_outbox ob;     /* as read; delivered if owned */
	struct rp_ob_update up;  /* what delivery changes, saved with the state */
	char token[128];         /* this run's, for the outbox lock */
};

long
rp_elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Milliseconds left of the run's time budget (never below 0). */
static long
left_ms(const struct run *r)
{
	long left = r->cfg.time_budget_sec * 1000 - rp_elapsed_ms(&r->t0);

	return left > 0 ? left : 0;
}

/* What the sources may take: the budget less a reserve for PagerDuty and
 * the state, capped at the source's own timeout. */
static long
source_ms(const struct run *r, long timeout_sec)
{
	long left = left_ms(r), reserve = r->cfg.pd_timeout_sec * 1000 + 1000, t;

	if (reserve > left / 3)
		reserve = left / 3;
	t = left - reserve;
	if (t > timeout_sec * 1000)
		t = timeout_sec * 1000;
	return t > 100 ? t : 100;
}

void
rp_run_token(char *dst, size_t n, const char *host)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	snprintf(dst, n, "%.64s:%ld:%ld.%09ld", host, (long)getpid(), (long)t.tv_sec, t.tv_nsec);
}

struct rp_store *
rp_config_store(const struct rp_config *cfg, struct rp_err *err)
{
	if (!cfg->redis_enabled) {
		rp_err_set(err, RP_EXIT_CONFIG, "%s: [enable_redis] enable is False, and this needs "
		    "the state in Redis", cfg->path);
		return NULL;
	}
	return rp_store_open(cfg->redis_server, cfg->redis_port, cfg->redis_password,
	    cfg->redis_db, cfg->redis_prefix, cfg->redis_timeout_ms, err);
}

const char *
rp_default_config(const char *given)
{
	if (given != NULL)
		return given;
	return access("etl.cfg", F_OK) == 0 ? "etl.cfg" : "/etc/robopager/etl.cfg";
}

char *
rp_default_checklist(const char *config)
{
	const char *slash = strrchr(config, '/');

	if (slash == NULL)
		return rp_xstrdup("checklist.yaml");
	return rp_xasprintf("%.*s/checklist.yaml", (int)(slash - config), config);
}

/* A configuration that holds a secret should be readable by its owner
 * only; say so on every run until it is. */
static void
warn_if_readable(const struct rp_config *cfg)
{
	struct stat st;

	if ((cfg->password != NULL || cfg->pd_api_access_key != NULL ||
	    cfg->redis_password != NULL) && stat(cfg->path, &st) == 0 && (st.st_mode & 077) != 0)
		rp_log(RP_LOG_WARNING, "%s holds a password or key and is readable by others; "
		    "run: chmod 600 %s", cfg->path, cfg->path);
	if (cfg->password_file != NULL && stat(cfg->password_file, &st) == 0 &&
	    (st.st_mode & 077) != 0)
		rp_log(RP_LOG_WARNING, "%s ([google_apps] password_file) is readable by others; "
		    "run: chmod 600 %s", cfg->password_file, cfg->password_file);
}

/* Says on every run what is unsafe in the configuration. */
void
rp_config_warn(const struct rp_config *cfg)
{
	char msg[8][RP_WARNING_LEN];
	size_t i, n = rp_config_warnings(cfg, msg, 8);

	warn_if_readable(cfg);
	for (i = 0; i < n; i++)
		rp_log(RP_LOG_WARNING, "%s", msg[i]);
	for (i = 0; i < cfg->nnotices; i++)
		rp_log(RP_LOG_WARNING, "%s", cfg->notices[i]);
}

static int
load_files(struct run *r, int warn)
{
	const struct rp_opts *o = r->o;
	const char *cfgpath = rp_default_config(o->config);
	char *clpath;
	struct rp_err err;
	int rc;

	if (rp_config_load(cfgpath, &r->cfg, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		return err.code;
	}
	if (warn)
		rp_config_warn(&r->cfg);
	clpath = o->checklist ? rp_xstrdup(o->checklist) : rp_default_checklist(cfgpath);
	rc = rp_checklist_load(clpath, &r->cl, &err);
	free(clpath);
	if (rc != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		return err.code;
	}
	if (rp_clock_now(o->now, &r->now, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		return err.code;
	}
	return 0;
}

/* Picks the checks of this program: -c's one, or every one of the type. */
static int
select_checks(struct run *r, enum rp_check_type type)
{
	size_t i;

	r->items = rp_xcalloc(r->cl.n, sizeof(*r->items));
	if (r->o->check != NULL) {
		const struct rp_check *c = rp_checklist_find(&r->cl, r->o->check);
		if (c == NULL) {
			rp_log(RP_LOG_ERR, "%s: no check named \"%s\"", r->cl.path, r->o->check);
			return RP_EXIT_USAGE;
		}
		if (c->type != type) {
			rp_log(RP_LOG_ERR, "%s is a%s %s check; run rp-%s-check for it", c->name,
			    c->type == RP_CHECK_EMAIL ? "n" : "", rp_check_type_name(c->type),
			    c->type == RP_CHECK_EMAIL ? "email" : "latency");
			return RP_EXIT_USAGE;
		}
		r->items[r->n].c = c;
		r->items[r->n].load.force = 1;
		r->n++;
		return 0;
	}
	for (i = 0; i < r->cl.n; i++)
		if (r->cl.checks[i].type == type)
			r->items[r->n++].c = &r->cl.checks[i];
	return 0;
}

/* Reads state and decides what is due: past today's check_time, and then
 * whatever the store says (poll interval, lock). Without a store every
 * check past its check_time is due. */
static void
load_state(struct run *r)
{
	struct rp_load *loads;
	size_t i, k = 0;
	struct rp_err err;

	for (i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		it->load.name = it->c->name;
		it->load.poll_sec = it->c->poll_sec;
		it->candidate = it->load.force ||
		    r->now >= rp_clock_today_at(r->now, it->c->check_time);
	}
	if (r->cfg.redis_enabled) {
		r->store = rp_config_store(&r->cfg, &err);
		if (r->store == NULL) {
			rp_log(RP_LOG_ERR, "state store unreachable (%s); evaluating without state", err.msg);
			r->trouble = 1;
		}
	}
	/* The checks past their check_time, packed for one round trip. */
	loads = rp_xcalloc(r->n ? r->n : 1, sizeof(*loads));
	for (i = 0; i < r->n; i++)
		if (r->items[i].candidate)
			loads[k++] = r->items[i].load;
	r->ob.token = r->token;
	r->ob.lock_ms = left_ms(r) + 5000;
	r->ob.minute = (long)(r->now / 60);
	if (r->store != NULL) {
		if (rp_store_load(r->store, loads, k, r->now, r->o->dry_run, &r->ob, &err) == 0) {
			r->state_ok = 1;
		} else {
			rp_log(RP_LOG_ERR, "%s; evaluating without state", err.msg);
			r->trouble = 1;
		}
	}
	if (!r->state_ok)
		for (i = 0; i < k; i++)
			loads[i].due = 1;
	for (i = 0, k = 0; i < r->n; i++)
		if (r->items[i].candidate)
			r->items[i].load = loads[k++];
	free(loads);
}

static void
fetch_sources(struct run *r)
{
	struct rp_http_req *reqs;
	size_t i, k = 0;

	reqs = rp_xcalloc(r->n ? r->n : 1, sizeof(*reqs));
	for (i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		if (!it->load.due)
			continue;
		it->url = rp_batchy_url(r->cfg.batchy_server, r->cfg.batchy_port, it->c->wf_name);
		reqs[k].url = it->url;
		reqs[k].timeout_ms = source_ms(r, r->cfg.batchy_timeout_sec);
		reqs[k].max_bytes = RP_BATCHY_MAX_BYTES;
		reqs[k].ca_file = r->cfg.batchy_ca_file;
		reqs[k].insecure = !r->cfg.batchy_tls_verify;
		k++;
	}
	rp_http_perform(reqs, k, (int)r->cfg.max_parallel);
	for (i = 0, k = 0; i < r->n; i++)
		if (r->items[i].load.due)
			r->items[i].req = reqs[k++];
	free(reqs);
}

static void
evaluate_batchy(struct run *r)
{
	size_t i;

	fetch_sources(r);
	for (i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		struct rp_http_req *q = &it->req;
		struct rp_wf wf, *wfp = NULL;
		char why[300];

		if (!it->load.due)
			continue;
		if (q->status == 0)
			snprintf(why, sizeof(why), "batchy at %s%s%.0ld did not answer: %s",
			    r->cfg.batchy_server, strstr(r->cfg.batchy_server, "://") ? "" : ":",
			    strstr(r->cfg.batchy_server, "://") ? 0L : r->cfg.batchy_port, q->error);
		else if (q->status != 200)
			snprintf(why, sizeof(why), "batchy answered HTTP %ld", q->status);
		else if (rp_batchy_parse(q->resp.data, q->resp.len, &wf, why, sizeof(why)) == 0)
			wfp = &wf;
		rp_eval_latency(it->c, wfp, why, it->load.st.known ? &it->load.st : NULL, r->now,
		    &it->res);
		it->evaluated = 1;
	}
}

/* Searches the mailbox for one check and evaluates it. */
static void
evaluate_one_email(struct run *r, struct rp_imap *s, struct item *it)
{
	struct rp_buf crit = {0};
	struct rp_imap_msg *msgs = NULL;
	uint32_t *uids = NULL;
	size_t nuids = 0, nmsgs = 0;
	struct rp_err err;
	time_t delivery = rp_clock_today_at(r->now, it->c->delivery_time);

	if (rp_imap_criteria(&crit, delivery, it->c->senders, it->c->nsenders) != 0) {
		rp_eval_email(it->c, NULL, 0, "a sender is not ASCII", NULL, r->now, &it->res);
	} else if (rp_imap_search(s, crit.data, &uids, &nuids, &err) != 0 ||
	           rp_imap_fetch_headers(s, uids, nuids, &msgs, &nmsgs, &err) != 0) {
		rp_eval_email(it->c, NULL, 0, err.msg, NULL, r->now, &it->res);
	} else {
		rp_eval_email(it->c, msgs, nmsgs, NULL, &it->load.st, r->now, &it->res);
	}
	rp_imap_msgs_free(msgs, nmsgs);
	free(uids);
	rp_buf_free(&crit);
}

/* All due email checks of the run share one login. */
static void
evaluate_email(struct run *r)
{
	struct rp_imap_opts o = {0};
	struct rp_imap *s = NULL;
	struct rp_err err;
	int opened = 0;
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];

		if (!it->load.due)
			continue;
		it->evaluated = 1;
		if (rp_eval_email_done_today(&it->load.st, r->now)) {
			rp_eval_email(it->c, NULL, 0, NULL, &it->load.st, r->now, &it->res);
			continue;
		}
		if (!opened) {
			opened = 1;
			o.url = r->cfg.imap_url;
			o.user = r->cfg.email;
			o.password = r->password;
			o.ca_file = r->cfg.ca_file;
			o.insecure = !r->cfg.imap_tls_verify;
			o.timeout_ms = r->cfg.imap_timeout_sec * 1000;
			o.budget_ms = source_ms(r, r->cfg.imap_timeout_sec * 4);
			s = rp_imap_open(&o, &err);
			if (s != NULL && rp_imap_examine(s, r->cfg.mailbox, &err) != 0) {
				rp_imap_close(s);
				s = NULL;
			}
		}
		if (s == NULL)
			rp_eval_email(it->c, NULL, 0, err.msg, NULL, r->now, &it->res);
		else
			evaluate_one_email(r, s, it);
	}
	if (s != NULL)
		rp_log(RP_LOG_DEBUG, "IMAP: %zu bytes read", rp_imap_bytes_read(s));
	rp_imap_close(s);
}

static void
decide_all(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		if (it->evaluated)
			rp_eval_decide(it->c, r->cfg.unknown_after, &it->load.st, &it->res, r->now,
			    &it->next, it->acts, &it->nact);
	}
}

static int
held(const struct run *r, const struct item *it, const struct rp_action *a)
{
	return a->act == RP_ACT_TRIGGER && it->load.silenced_until > r->now;
}

void
rp_dl_opts_init(struct rp_dl_opts *dl, const struct rp_config *cfg, time_t now, long budget_ms)
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

int
rp_dl_report(const struct rp_outbox *ob, const struct rp_dl_stats *st)
{
	if (st->ob_sent > 0)
		rp_log(RP_LOG_INFO, "outbox: %zu earlier event%s delivered", st->ob_sent,
		    st->ob_sent == 1 ? "" : "s");
	if (ob == NULL || !ob->owned || st->ob_left == 0)
		return 0;
	rp_log(RP_LOG_ERR, "outbox: %zu event%s still wait for PagerDuty%s%s", st->ob_left,
	    st->ob_left == 1 ? "" : "s", st->ob_error[0] ? ": " : "", st->ob_error);
	return 1;
}

int
rp_dl_settle(const struct rp_action *a, struct rp_pd_result *pr, struct rp_check_state *next,
    int can_queue)
{
	const char *what = rp_act_name(a->act);

	if (pr->outcome == RP_PD_DELIVERED) {
		rp_eval_delivered(next, a);
		return 0;
	}
	if (pr->behind && can_queue) {
		/* In order, not in trouble: the next run sends it. */
		pr->queued = 1;
		rp_eval_delivered(next, a);
		rp_log(RP_LOG_INFO, "PagerDuty %s %s: %s", what, a->dedup_key, pr->message);
		return 0;
	}
	if (pr->outcome == RP_PD_REJECTED) {
		/* Not retried: the same event would be refused again. */
		rp_eval_delivered(next, a);
		rp_log(RP_LOG_ERR, "PagerDuty refused %s %s: %s (kept for rp-status)", what,
		    a->dedup_key, pr->message);
	} else if (can_queue) {
		/* Handed to the outbox, written with this state. */
		pr->queued = 1;
		rp_eval_delivered(next, a);
		rp_log(RP_LOG_ERR, "PagerDuty %s %s: %s; queued in the outbox", what, a->dedup_key,
		    pr->message);
	} else {
		rp_log(RP_LOG_ERR, "PagerDuty %s %s: %s; no state store to queue it, the next run "
		    "decides again", what, a->dedup_key, pr->message);
	}
	return 1;
}

/* Delivers the outbox this run holds, then the run's events (rp_deliver);
 * records in each check's next state what PagerDuty took or the outbox
 * keeps, and says in one line each what did not go. */
static void
send_events(struct run *r)
{
	struct rp_pd_event *evs;
	struct rp_pd_result *res;
	const char **checks;
	struct rp_dl_opts dl = {0};
	struct rp_dl_stats stats;
	const struct rp_outbox *ob = r->state_ok ? &r->ob : NULL;
	size_t i, j, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->items[i].nact;
	if (r->o->dry_run || (n == 0 && !(ob != NULL && ob->owned && ob->n > 0)))
		return;
	evs = rp_xcalloc(n + 1, sizeof(*evs));
	res = rp_xcalloc(n + 1, sizeof(*res));
	checks = rp_xcalloc(n + 1, sizeof(*checks));
	for (i = 0, n = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		for (j = 0; j < it->nact; j++) {
			struct rp_pd_event *e;
			/* A silenced check pages nobody; its trigger is not queued
			 * either, so the run after the silence decides again and
			 * sends it if the problem is still there. Resolves go out. */
			if (held(r, it, &it->acts[j]))
				continue;
			checks[n] = it->c->name;
			e = &evs[n++];
			e->action = it->acts[j].act;
			e->routing_key = it->c->pd_service;
			e->dedup_key = it->acts[j].dedup_key;
			e->summary = it->acts[j].summary;
			e->source = r->host;
			e->severity = it->acts[j].severity;
			e->component = it->c->type == RP_CHECK_BATCHY ? it->c->wf_name : r->cfg.mailbox;
			e->group = it->c->name;
			e->class_name = rp_check_type_name(it->c->type);
			e->description = it->c->pd_description;
			e->timestamp = r->now;
			e->facts = it->res.facts;
			e->nfacts = it->res.nfacts;
		}
	}
	rp_dl_opts_init(&dl, &r->cfg, r->now, left_ms(r) - 500); /* the state is written after */
	rp_deliver(&dl, ob, evs, checks, n, res, &r->up, &stats);
	r->trouble |= rp_dl_report(ob, &stats);
	for (i = 0, n = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		for (j = 0; j < it->nact; j++) {
			struct rp_pd_result *pr = &it->sent[j];
			if (held(r, it, &it->acts[j])) {
				char until[RP_LOCAL_LEN];
				rp_clock_format_local(it->load.silenced_until, until);
				pr->outcome = RP_PD_HELD;
				snprintf(pr->message, sizeof(pr->message), "silenced until %s", until);
				continue;
			}
			*pr = res[n++];
			r->trouble |= rp_dl_settle(&it->acts[j], pr, &it->next, ob != NULL);
		}
	}
	free(evs);
	free(res);
	free(checks);
}

static void
save_state(struct run *r, int exit_status)
{
	const char **names;
	struct rp_check_state *states;
	struct rp_alert_rec *alerts;
	struct rp_run_rec run;
	size_t i, j, k = 0, na = 0;
	struct rp_err err;

	if (r->store == NULL || !r->state_ok || r->o->dry_run)
		return;
	names = rp_xcalloc(r->n ? r->n : 1, sizeof(*names));
	states = rp_xcalloc(r->n ? r->n : 1, sizeof(*states));
	alerts = rp_xcalloc(r->n * RP_MAX_ACTIONS + 1, sizeof(*alerts));
	for (i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		if (!it->evaluated)
			continue;
		names[k] = it->c->name;
		states[k++] = it->next; /* shallow: owned by the item */
		for (j = 0; j < it->nact; j++) {
			struct rp_alert_rec *a = &alerts[na++];
			a->dedup_key = it->acts[j].dedup_key;
			a->check = it->c->name;
			a->action = rp_act_name(it->acts[j].act);
			a->severity = it->acts[j].severity;
			a->summary = it->acts[j].summary;
			a->sent_at = r->now;
			a->http_status = it->sent[j].http_status;
			a->answer = it->sent[j].message;
		}
	}
	run.program = r->program;
	run.host = r->host;
	/* In the run's clock (--now included), so rp-heartbeat compares like
	 * with like. */
	run.start = r->now;
	run.end = r->now + (time(NULL) - r->start);
	run.exit_status = exit_status;
	run.evaluated = k;
	if (rp_store_save_retry(r->store, names, states, k, alerts, na, &run, &r->up,
	    left_ms(r) < 5000 ? left_ms(r) : 5000, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s; the next run repeats what this one could not record", err.msg);
		r->trouble = 1;
	}
	free(names);
	free(states);
	free(alerts);
}

static enum rp_status
print_all(struct run *r)
{
	enum rp_status worst = RP_OK;
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		struct rp_report rep = {0};
		char why[64], at[16];

		rep.check = it->c->name;
		rep.type = rp_check_type_name(it->c->type);
		rep.now = r->now;
		if (!it->evaluated) {
			int t = it->c->check_time;
			snprintf(at, sizeof(at), "%02d:%02d", t / 60, t % 60);
			if (!it->candidate)
				snprintf(why, sizeof(why), "not due before %s", at);
			else
				snprintf(why, sizeof(why), "evaluated less than %lds ago", it->c->poll_sec);
			if (!r->o->json && !r->o->verbose)
				continue;
			rep.status = RP_SKIPPED;
			rep.summary = why;
		} else {
			worst = rp_status_worse(worst, it->res.status);
			if (r->o->quiet && it->res.status == RP_OK)
				continue;
			rep.status = it->res.status;
			rep.summary = it->res.summary;
			rep.acts = it->acts;
			rep.nact = it->nact;
			rep.sent = r->o->dry_run ? NULL : it->sent;
			rep.facts = it->res.facts;
			rep.nfacts = it->res.nfacts;
		}
		if (r->o->json)
			rp_out_json(stdout, &rep);
		else
			rp_out_text(stdout, &rep);
	}
	return worst;
}

static void
run_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		rp_state_clear(&r->items[i].load.st);
		rp_state_clear(&r->items[i].next);
		rp_http_req_reset(&r->items[i].req);
		free(r->items[i].url);
	}
	free(r->items);
	rp_outbox_free(&r->ob);
	rp_ob_update_free(&r->up);
	rp_free_secret(r->password);
	rp_store_close(r->store);
	rp_checklist_free(&r->cl);
	rp_config_free(&r->cfg);
}

/* A standby ([robopager] offset_sec) waits, then evaluates only what no
 * other instance has evaluated in the meantime: its clock moves on by the
 * wait. A person's run (-c, -n) does not wait. */
static int
standby_wait(struct run *r)
{
	long off = r->cfg.offset_sec;
	struct timespec ts;

	if (off == 0 || r->o->check != NULL || r->o->dry_run)
		return 0;
	if (off * 1000 > (r->cfg.time_budget_sec - 5) * 1000) {
		rp_log(RP_LOG_ERR, "%s: [robopager] offset_sec: %ld leaves no time of time_budget_sec "
		    "%ld (keep it at least 5 s below)", r->cfg.path, off, r->cfg.time_budget_sec);
		return RP_EXIT_CONFIG;
	}
	rp_log(RP_LOG_DEBUG, "standby: waiting %ld s (offset_sec) before evaluating", off);
	ts.tv_sec = off;
	ts.tv_nsec = 0;
	while (nanosleep(&ts, &ts) != 0)
		;
	r->now += off;
	return 0;
}

int
rp_run(const char *program, enum rp_check_type type, const struct rp_opts *o)
{
	struct run r;
	struct rp_err err;
	enum rp_status worst;
	int rc;

	memset(&r, 0, sizeof(r));
	r.program = program;
	r.o = o;
	r.start = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	rp_log_init(program, o->verbose);
	if (gethostname(r.host, sizeof(r.host) - 1) != 0)
		rp_strlcpy(r.host, "unknown-host", sizeof(r.host));
	rp_run_token(r.token, sizeof(r.token), r.host);
	if ((rc = load_files(&r, 1)) != 0)
		goto out;
	if ((rc = standby_wait(&r)) != 0)
		goto out;
	if ((rc = select_checks(&r, type)) != 0)
		goto out;
	if (type == RP_CHECK_BATCHY && r.n > 0 && r.cfg.batchy_server == NULL) {
		rp_log(RP_LOG_ERR, "%s: [batchy] server: missing (the checklist has batchy checks)",
		    r.cfg.path);
		rc = RP_EXIT_CONFIG;
		goto out;
	}
	if (type == RP_CHECK_EMAIL && r.n > 0) {
		if (r.cfg.email == NULL || *r.cfg.email == '\0') {
			rp_log(RP_LOG_ERR, "%s: [google_apps] email: missing (the checklist has email "
			    "checks)", r.cfg.path);
			rc = RP_EXIT_CONFIG;
			goto out;
		}
		if ((r.password = rp_config_mail_password(&r.cfg, &err)) == NULL) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			rc = RP_EXIT_CONFIG;
			goto out;
		}
	}
	load_state(&r);
	if (type == RP_CHECK_BATCHY)
		evaluate_batchy(&r);
	else
		evaluate_email(&r);
	decide_all(&r);
	send_events(&r);
	worst = print_all(&r);
	rc = rp_exit_for(worst);
	save_state(&r, r.trouble ? RP_EXIT_UNKNOWN : rc);
	/* Robopager could not do all of its job (the state store, PagerDuty):
	 * 3, whatever the checks said, so that cron and systemd show it. */
	if (r.trouble)
		rc = RP_EXIT_UNKNOWN;
	fflush(stdout);
	rp_http_cleanup();
	if (r.store != NULL)
		rp_log(RP_LOG_DEBUG, "%zu checks, %ld Redis round trips, %ld ms", r.n,
		    rp_store_round_trips(r.store), rp_elapsed_ms(&r.t0));
out:
	run_free(&r);
	return rc;
}

/* The worse of two exit statuses: errors (64 and up) first, then the
 * order of rp_status_worse(). */
static int
worse_exit(int a, int b)
{
	static const enum rp_status of_exit[] = {RP_OK, RP_WARNING, RP_CRITICAL, RP_UNKNOWN};

	if (a < 0 || a > RP_EXIT_UNKNOWN || b < 0 || b > RP_EXIT_UNKNOWN)
		return a > b ? a : b;
	return rp_exit_for(rp_status_worse(of_exit[a], of_exit[b]));
}

int
rp_run_all(const struct rp_opts *o)
{
	struct run r;
	int rc = RP_EXIT_OK, types;

	memset(&r, 0, sizeof(r));
	r.o = o;
	rp_log_init("robopager", o->verbose);
	if ((rc = load_files(&r, 0)) != 0)
		goto out;
	if (o->check != NULL) {
		const struct rp_check *c = rp_checklist_find(&r.cl, o->check);
		if (c == NULL) {
			rp_log(RP_LOG_ERR, "%s: no check named \"%s\"", r.cl.path, o->check);
			rc = RP_EXIT_USAGE;
			goto out;
		}
		types = c->type == RP_CHECK_EMAIL ? RP_FN_EMAIL : RP_FN_BATCHY;
	} else {
		types = (int)r.cfg.functions;
	}
	run_free(&r);
	if (types & RP_FN_BATCHY)
		rc = worse_exit(rc, rp_run("rp-latency-check", RP_CHECK_BATCHY, o));
	if (types & RP_FN_EMAIL)
		rc = worse_exit(rc, rp_run("rp-email-check", RP_CHECK_EMAIL, o));
	return rc;
out:
	run_free(&r);
	return rc;
}
