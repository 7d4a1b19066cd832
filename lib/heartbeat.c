#define _POSIX_C_SOURCE 200809L
#include "heartbeat.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "eval.h"
#include "http.h"
#include "output.h"
#include "metrics.h"
#include "pagerduty.h"
#include "pages.h"
#include "run.h"
#include "signals.h"
#include "state.h"

#ifndef RP_VERSION
#define RP_VERSION "dev"
#endif

#define MIN_STALE_SEC 600

struct hb {
	const struct rp_opts *o;
	struct rp_config cfg;
	struct rp_checklist cl;
	struct rp_store *store;
	time_t now, start;
	struct timespec t0;
	char host[128];           /* HOST_NAME_MAX is 64 */
	char token[128];
	struct rp_buf problems;   /* "; "-separated, empty when healthy */
	size_t checks;            /* configured in the checklist */
	size_t undelivered;
	int trouble;              /* a signal not delivered */
	int refuses;              /* the store refuses writes (said once) */
	/* Its own episode: a check named robopager-heartbeat/<host>. */
	char *self_name;
	char *fp;                 /* what a change event announces (config_fp) */
	struct rp_check self;
	struct rp_load load;
	struct rp_result res;
	struct rp_check_state next;
	struct rp_action acts[RP_MAX_ACTIONS];
	size_t nact;
	struct rp_fact facts[3];
};

static void problem(struct hb *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(struct hb *h, const char *fmt, ...)
{
	va_list ap;

	if (h->problems.len > 0)
		rp_buf_append(&h->problems, "; ", 2);
	va_start(ap, fmt);
	rp_buf_vprintf(&h->problems, fmt, ap);
	va_end(ap);
}

static long
left_ms(const struct hb *h)
{
	return h->cfg.time_budget_sec * 1000L - rp_elapsed_ms(&h->t0);
}

/* The programs to watch, with the largest poll_sec of their checks. */
static void
check_runs(struct hb *h)
{
	static const char *const progs[] = {"rp-latency-check", "rp-email-check"};
	static const unsigned fns[] = {RP_FN_LATENCY, RP_FN_EMAIL};
	static const enum rp_program of[] = {RP_PROG_LATENCY, RP_PROG_EMAIL};
	struct rp_run_info info[2];
	struct rp_buf names = {0};
	struct rp_err err;
	size_t i, j, n;

	if (rp_store_runs(h->store, progs, 2, info, &err) != 0) {
		problem(h, "%s", err.msg);
		return;
	}
	n = rp_checklist_left_out(&h->cl, rp_config_programs(h->cfg.functions), &names);
	if (n > 0)
		problem(h, "%zu check%s never evaluated: [function_type] type leaves out its "
		    "program (%s)", n, n == 1 ? " is" : "s are", names.data);
	rp_buf_free(&names);
	for (i = 0; i < 2; i++) {
		long poll = 0, limit;

		if (!(h->cfg.functions & fns[i]))
			continue;
		n = 0;
		for (j = 0; j < h->cl.n; j++) {
			if (rp_check_program(h->cl.checks[j].type) != of[i])
				continue;
			n++;
			if (h->cl.checks[j].poll_sec > poll)
				poll = h->cl.checks[j].poll_sec;
		}
		if (n == 0)
			continue;
		limit = h->cfg.stale_after_sec ? h->cfg.stale_after_sec :
		    (3 * poll > MIN_STALE_SEC ? 3 * poll : MIN_STALE_SEC);
		if (info[i].start == 0)
			problem(h, "%s has no run recorded (limit %ld min)", progs[i], limit / 60);
		else if (h->now - info[i].start > limit)
			problem(h, "%s last ran %ld min ago (limit %ld min)", progs[i],
			    (long)(h->now - info[i].start) / 60, limit / 60);
	}
}

/* Events not delivered, to any destination: the outbox, and what was
 * refused (never sent again, so a person must look; counted until fixed or
 * expired). */
static void
check_undelivered(struct hb *h)
{
	struct rp_outbox ob;
	struct rp_rejected *rej;
	size_t nrej;
	struct rp_err err;

	if (rp_store_outbox_read(h->store, &ob, &rej, &nrej, &err) != 0) {
		problem(h, "%s", err.msg);
		return;
	}
	h->undelivered = ob.n;
	if (h->cfg.max_undelivered > 0 && h->undelivered >= (size_t)h->cfg.max_undelivered) {
		char who[200];
		rp_pages_whom(ob.v, ob.n, NULL, 0, who, sizeof(who));
		problem(h, "%zu events wait for %s in the outbox (limit %ld)", h->undelivered, who,
		    h->cfg.max_undelivered);
	}
	if (nrej > 0) {
		char who[200];
		rp_pages_whom(NULL, 0, rej, nrej, who, sizeof(who));
		problem(h, "%s refused %zu event%s (rp-status shows them)", who, nrej,
		    nrej == 1 ? "" : "s");
	}
	rp_outbox_free(&ob);
	rp_rejected_free(rej, nrej);
}

/* A run of pages (pages.c) with the heartbeat's settings. */
static void
pages_init(struct hb *h, struct rp_pages *p)
{
	memset(p, 0, sizeof(*p));
	p->cfg = &h->cfg;
	p->store = h->store;
	p->state_ok = h->store != NULL;
	p->dry = h->o->dry_run;
	p->now = h->now;
	p->host = h->host;
	p->token = h->token;
	p->budget_ms = left_ms(h) - 500;
	p->run.program = "rp-heartbeat";
	p->run.host = h->host;
	p->run.start = h->now;
	p->run.end = h->now + (time(NULL) - h->start);
	p->run.evaluated = 1;
}

/* Delivers what waits in the outbox before judging, so that what is
 * counted is what is left; a store that refuses writes is a problem. */
static void
drain(struct hb *h)
{
	struct rp_pages p;

	pages_init(h, &p);
	rp_pages_run(&p, NULL, 0);
	if (p.store_error[0] && !h->refuses)
		problem(h, "the state store refuses writes (%s)", p.store_error);
	h->trouble |= p.trouble;
}

/* Opens the store and reads the heartbeat's own record (its clock is the
 * store's for a real run). */
static void
open_state(struct hb *h)
{
	struct rp_err err;
	size_t waiting;
	time_t clock;
	int rc;

	if ((h->store = rp_config_store(&h->cfg, &err)) == NULL) {
		problem(h, "%s%s%s", err.code == RP_EXIT_CONFIG ? "" : "state store unreachable (",
		    err.msg, err.code == RP_EXIT_CONFIG ? "" : ")");
		return;
	}
	if (!h->o->dry_run)
		rp_flush_spill(&h->cfg, h->store);
	h->load.name = h->self_name;
	h->load.poll_sec = 60;
	h->load.force = 1;
	rc = rp_store_load(h->store, &h->load, 1, h->o->now || getenv("RP_NOW") ? &h->now : NULL,
	    h->o->dry_run, &clock, &waiting, &err);
	if (rc < 0) {
		problem(h, "%s", err.msg);
		rp_store_close(h->store);
		h->store = NULL;
		return;
	}
	if (rc == 1) {
		problem(h, "the state store refuses writes (%s)", err.msg);
		h->refuses = 1;
	}
	h->now = clock;
}

/* The episode: CRITICAL while unhealthy, one trigger, resolved when well. */
static void
decide(struct hb *h, int healthy)
{
	h->res.status = healthy ? RP_OK : RP_CRITICAL;
	rp_strlcpy(h->res.episode_key, h->self_name, sizeof(h->res.episode_key));
	if (healthy)
		snprintf(h->res.summary, sizeof(h->res.summary),
		    "robopager alive on %s: %zu check%s configured", h->host, h->checks,
		    h->checks == 1 ? "" : "s");
	else
		snprintf(h->res.summary, sizeof(h->res.summary), "robopager unhealthy on %s: %s",
		    h->host, h->problems.data);
	h->facts[0].name = "host";
	rp_strlcpy(h->facts[0].value, h->host, sizeof(h->facts[0].value));
	h->facts[1].name = "checks";
	snprintf(h->facts[1].value, sizeof(h->facts[1].value), "%zu", h->checks);
	h->facts[1].number = 1;
	h->facts[2].name = "undelivered";
	snprintf(h->facts[2].value, sizeof(h->facts[2].value), "%zu", h->undelivered);
	h->facts[2].number = 1;
	rp_eval_decide(&h->self, 1000, &h->load.st, &h->res, h->now, &h->next, h->acts, &h->nact);
	if (h->load.skip == RP_SKIP_AHEAD)
		h->nact = 0;
}

/* The alive signal of a healthy run, sent straight (not queued: the next
 * healthy run sends another): a change event, or the earlier tool's info
 * incident. */
static void
alive(struct hb *h, struct rp_action *a, struct rp_pd_result *res)
{
	struct rp_pd_event e;
	struct rp_pd_opts po = {0};
	char *change_url = NULL;

	memset(a, 0, sizeof(*a));
	a->page = RP_PAGE_EPISODE;
	if (strcmp(h->cfg.heartbeat_mode, "change") == 0) {
		a->act = RP_ACT_CHANGE;
		snprintf(a->dedup_key, sizeof(a->dedup_key), "-");
	} else {
		a->act = RP_ACT_TRIGGER;
		a->severity = "info";
		snprintf(a->dedup_key, sizeof(a->dedup_key), "robopager-alive/%s", h->host);
	}
	snprintf(a->summary, sizeof(a->summary), "%s", h->res.summary);
	memset(&e, 0, sizeof(e));
	e.action = a->act;
	e.routing_key = h->cfg.heartbeat_service;
	e.dedup_key = a->dedup_key;
	e.summary = a->summary;
	e.source = h->host;
	e.severity = a->severity ? a->severity : "info";
	e.component = "robopager";
	e.group = "robopager";
	e.class_name = "heartbeat";
	e.timestamp = h->now;
	e.facts = h->facts;
	e.nfacts = 3;
	po.url = h->cfg.events_url;
	po.ca_file = h->cfg.pd_ca_file;
	po.insecure = !h->cfg.pd_tls_verify;
	po.timeout_ms = h->cfg.pd_timeout_sec * 1000;
	po.max_attempts = 3;
	po.backoff_ms = 500;
	po.budget_ms = left_ms(h) - 500;
	if (h->o->dry_run)
		return;
	if (a->act == RP_ACT_CHANGE)
		po.url = change_url = rp_pd_change_url(h->cfg.events_url);
	rp_pd_send(&po, &e, 1, res);
	if (res->outcome != RP_PD_DELIVERED) {
		h->trouble = 1;
		rp_log(RP_LOG_ERR, "PagerDuty %s: %s", rp_act_name(a->act), res->message);
	}
	free(change_url);
}

/* Calls heartbeat_url: GET, or POST with the summary as the body. */
static int
ping(struct hb *h, char *why, size_t whylen)
{
	struct rp_http_req q = {0};
	int ok;

	q.url = h->cfg.heartbeat_url;
	q.body = strcmp(h->cfg.heartbeat_method, "POST") == 0 ? h->res.summary : NULL;
	q.body_type = "text/plain";
	q.timeout_ms = 10000;
	q.max_bytes = 64 * 1024;
	rp_http_perform(&q, 1, 1);
	ok = q.status >= 200 && q.status < 300;
	if (!ok && q.status == 0)
		snprintf(why, whylen, "%s", q.error);
	else if (!ok)
		snprintf(why, whylen, "HTTP %ld", q.status);
	rp_http_req_free(&q);
	return ok ? 0 : -1;
}

/* The fingerprint of what a change event announces: the configuration's
 * and the checklist's bytes and the version. */
static char *
config_fp(const char *cfgpath, const char *clpath)
{
	const char *paths[2] = {cfgpath, clpath};
	uint64_t h = 14695981039346656037ULL;
	char buf[4096];
	size_t i, n, k;
	FILE *f;

	for (i = 0; i < 2; i++) {
		if ((f = fopen(paths[i], "rb")) == NULL)
			continue;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			for (k = 0; k < n; k++)
				h = (h ^ (unsigned char)buf[k]) * 1099511628211ULL;
		fclose(f);
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return rp_xasprintf("%s/%016llx", RP_VERSION, (unsigned long long)h);
}

/* Whether a healthy run signals that it is alive: an info incident (mode
 * trigger) every run, as the earlier tool did; a change event (mode change)
 * only when there is news: the configuration, the checklist or the version
 * changed since the last one, or health came back. heartbeat_url is called
 * on every healthy run whatever this says. */
static int
announce(const struct hb *h, int healthy)
{
	const struct rp_check_state *prev = &h->load.st;

	if (!healthy || strcmp(h->cfg.heartbeat_mode, "none") == 0)
		return 0;
	if (strcmp(h->cfg.heartbeat_mode, "trigger") == 0)
		return 1;
	return prev->announced == NULL || strcmp(prev->announced, h->fp) != 0 ||
	    (prev->known && prev->status == RP_CRITICAL);
}

/* Sends the episode's events through the outbox (pages.c) and the alive
 * signal straight; returns the results per action in sent. */
static void
signal_health(struct hb *h, int healthy, struct rp_pd_result *sent, int rc)
{
	struct rp_decision d;
	struct rp_pages p;
	size_t ndecided = h->nact;

	if (h->cfg.heartbeat_service == NULL || *h->cfg.heartbeat_service == '\0') {
		if (h->nact > 0 || healthy)
			rp_log(RP_LOG_WARNING, "[robopager] heartbeat_service is not set: nothing sent");
		h->nact = 0;
		return;
	}
	memset(&d, 0, sizeof(d));
	d.c = &h->self;
	d.class_name = "heartbeat";
	d.own = 1;
	d.component = "robopager";
	d.evaluated = h->load.skip != RP_SKIP_AHEAD;
	d.expect_eval = h->load.last_eval;
	d.next = &h->next;
	d.acts = h->acts;
	d.nact = ndecided;
	d.facts = h->facts;
	d.nfacts = 3;
	d.sent = sent;
	pages_init(h, &p);
	p.run.exit_status = rc;
	if (announce(h, healthy)) {
		alive(h, &h->acts[ndecided], &sent[ndecided]);
		h->nact = ndecided + 1;
		/* Recorded with the state only once it went out. */
		if (sent[ndecided].outcome == RP_PD_DELIVERED) {
			free(h->next.announced);
			h->next.announced = rp_xstrdup(h->fp);
		}
	}
	if (h->store != NULL || ndecided > 0)
		rp_pages_run(&p, &d, 1);
	h->store = p.store;
	h->trouble |= p.trouble;
}

static void
report(const struct hb *h, const struct rp_pd_result *sent, int healthy)
{
	struct rp_report rep = {0};

	if (h->o->quiet && healthy)
		return;
	rep.check = "robopager";
	rep.type = "heartbeat";
	rep.status = h->res.status;
	rep.summary = h->res.summary;
	rep.now = h->now;
	rep.acts = h->acts;
	rep.sent = h->o->dry_run ? NULL : sent;
	rep.nact = h->nact;
	rep.facts = h->facts;
	rep.nfacts = 3;
	if (h->o->json)
		rp_out_json(stdout, &rep);
	else
		rp_out_text(stdout, &rep);
}

static int
setup(struct hb *h, const struct rp_opts *o)
{
	const char *cfgpath = rp_default_config(o->config);
	struct rp_err err;
	char *clpath;

	h->o = o;
	h->start = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &h->t0);
	rp_sig_init();
	rp_log_init("rp-heartbeat", o->verbose);
	rp_buf_append(&h->problems, "", 0);
	if (gethostname(h->host, sizeof(h->host) - 1) != 0)
		rp_strlcpy(h->host, "unknown-host", sizeof(h->host));
	rp_run_token(h->token, sizeof(h->token), h->host);
	if (rp_config_load(cfgpath, &h->cfg, &err) != 0 || rp_clock_now(o->now, &h->now, &err) != 0) {
		/* Without a configuration there is nobody to tell but cron. */
		rp_log(RP_LOG_ERR, "%s", err.msg);
		return err.code;
	}
	clpath = o->checklist ? rp_xstrdup(o->checklist) : rp_default_checklist(cfgpath);
	rp_config_warn(&h->cfg, clpath, o->quiet);
	h->fp = config_fp(cfgpath, clpath);
	if (rp_checklist_load(clpath, &h->cl, &err) != 0)
		problem(h, "%s", err.msg);
	free(clpath);
	h->checks = h->cl.n;
	h->self_name = rp_xasprintf("robopager-heartbeat/%s", h->host);
	h->self.name = h->self_name;
	h->self.type = RP_CHECK_BATCHY;
	h->self.unknown_after = 1000;
	h->self.pd_service = h->cfg.heartbeat_service;
	return 0;
}

int
rp_heartbeat_run(const struct rp_opts *o)
{
	struct hb h;
	struct rp_pd_result sent[RP_MAX_ACTIONS + 1];
	struct rp_err err;
	char why[300];
	int rc, healthy;

	memset(&h, 0, sizeof(h));
	memset(sent, 0, sizeof(sent));
	if ((rc = setup(&h, o)) != 0)
		goto out;
	open_state(&h);
	if (h.store != NULL) {
		if (!o->dry_run)
			drain(&h);
		check_runs(&h);
		check_undelivered(&h);
	}
	healthy = h.problems.len == 0;
	decide(&h, healthy);
	rc = healthy ? RP_EXIT_OK : RP_EXIT_CRITICAL;
	signal_health(&h, healthy, sent, rc);
	if (healthy && h.cfg.heartbeat_url != NULL && !o->dry_run && ping(&h, why, sizeof(why)) != 0) {
		h.trouble = 1;
		rp_log(RP_LOG_ERR, "heartbeat_url: %s", why);
	}
	if (h.trouble && healthy)
		rc = RP_EXIT_UNKNOWN;
	report(&h, sent, healthy);
	if (h.cfg.metrics_dir != NULL && !o->dry_run) {
		struct rp_metric_run run = {"rp-heartbeat", h.now, rp_elapsed_ms(&h.t0) / 1000.0, 1,
		    h.store != NULL ? (long)h.undelivered : -1, healthy};
		if (rp_metrics_write(h.cfg.metrics_dir, &run, NULL, 0, &err) != 0)
			rp_log(RP_LOG_WARNING, "%s", err.msg);
	}
	if (rp_sig_stopped())
		rc = 128 + rp_sig_stopped();
	rp_http_cleanup();
out:
	rp_load_clear(&h.load);
	rp_state_clear(&h.next);
	free(h.self_name);
	free(h.fp);
	rp_buf_free(&h.problems);
	rp_store_close(h.store);
	rp_checklist_free(&h.cl);
	rp_config_free(&h.cfg);
	return rc;
}
