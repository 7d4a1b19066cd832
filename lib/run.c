#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
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

#define MAX_PARALLEL 64

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
};

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

	if (cfg->password == NULL && cfg->pd_api_access_key == NULL && cfg->redis_password == NULL)
		return;
	if (stat(cfg->path, &st) == 0 && (st.st_mode & 077) != 0)
		rp_log(RP_LOG_WARNING, "%s holds a password or key and is readable by others; "
		    "run: chmod 600 %s", cfg->path, cfg->path);
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
		warn_if_readable(&r->cfg);
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
	if (r->store != NULL) {
		if (rp_store_load(r->store, loads, k, r->now, r->o->dry_run, &err) == 0) {
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
		reqs[k].timeout_ms = r->cfg.batchy_timeout_sec * 1000;
		reqs[k].max_bytes = RP_BATCHY_MAX_BYTES;
		k++;
	}
	rp_http_perform(reqs, k, MAX_PARALLEL);
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
			snprintf(why, sizeof(why), "batchy at %s:%ld did not answer: %s",
			    r->cfg.batchy_server, r->cfg.batchy_port, q->error);
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
			o.timeout_ms = r->cfg.imap_timeout_sec * 1000;
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

static void
send_events(struct run *r)
{
	struct rp_pd_event *evs;
	struct rp_pd_result *res;
	struct rp_pd_opts po;
	size_t i, j, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->items[i].nact;
	if (n == 0 || r->o->dry_run)
		return;
	evs = rp_xcalloc(n, sizeof(*evs));
	res = rp_xcalloc(n, sizeof(*res));
	for (i = 0, n = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		for (j = 0; j < it->nact; j++) {
			struct rp_pd_event *e;
			/* A silenced check pages nobody; its trigger stays undelivered,
			 * so the run after the silence sends it if the problem is
			 * still there. Resolves still go out. */
			if (held(r, it, &it->acts[j]))
				continue;
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
	po.url = r->cfg.events_url;
	po.timeout_ms = r->cfg.pd_timeout_sec * 1000;
	po.max_attempts = 3;
	po.backoff_ms = 500;
	po.budget_ms = 3 * po.timeout_ms + 5000;
	rp_pd_send(&po, evs, n, res);
	for (i = 0, n = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		for (j = 0; j < it->nact; j++) {
			if (held(r, it, &it->acts[j])) {
				char until[RP_LOCAL_LEN];
				rp_clock_format_local(it->load.silenced_until, until);
				it->sent[j].outcome = RP_PD_HELD;
				snprintf(it->sent[j].message, sizeof(it->sent[j].message),
				    "silenced until %s", until);
				continue;
			}
			it->sent[j] = res[n++];
			if (it->sent[j].outcome == RP_PD_DELIVERED) {
				rp_eval_delivered(&it->next, &it->acts[j]);
				continue;
			}
			r->trouble = 1;
			rp_log(RP_LOG_ERR, "PagerDuty %s %s: %s: %s", rp_act_name(it->acts[j].act),
			    it->acts[j].dedup_key, it->sent[j].outcome == RP_PD_REJECTED ? "refused" :
			    "not delivered, the next run sends it again", it->sent[j].message);
		}
	}
	free(evs);
	free(res);
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
	if (rp_store_save(r->store, names, states, k, alerts, na, &run, &err) != 0) {
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
	rp_free_secret(r->password);
	rp_store_close(r->store);
	rp_checklist_free(&r->cl);
	rp_config_free(&r->cfg);
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
	rp_log_init(program, o->verbose);
	if (gethostname(r.host, sizeof(r.host) - 1) != 0)
		rp_strlcpy(r.host, "unknown-host", sizeof(r.host));
	if ((rc = load_files(&r, 1)) != 0)
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
	if (rp_http_init(&err) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = RP_EXIT_SOFTWARE;
		goto out;
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
	save_state(&r, rc);
	if (r.trouble && worst != RP_CRITICAL)
		rc = RP_EXIT_UNKNOWN;
	fflush(stdout);
	rp_http_cleanup();
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

	if (a >= RP_EXIT_USAGE || b >= RP_EXIT_USAGE)
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
