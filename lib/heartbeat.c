#define _POSIX_C_SOURCE 200809L
#include "heartbeat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "eval.h"
#include "http.h"
#include "output.h"
#include "pagerduty.h"
#include "run.h"
#include "state.h"

#define MIN_STALE_SEC 600

struct hb {
	const struct rp_opts *o;
	struct rp_config cfg;
	struct rp_checklist cl;
	int cl_ok;
	struct rp_store *store;
	time_t now, start;
	char host[128];           /* HOST_NAME_MAX is 64 */
	struct rp_buf problems;   /* "; "-separated, empty when healthy */
	size_t checks;            /* configured in the checklist */
	size_t undelivered;
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

/* The programs to watch, with the largest poll_sec of their checks. */
static void
check_runs(struct hb *h)
{
	static const char *const progs[] = {"rp-latency-check", "rp-email-check"};
	static const unsigned fns[] = {RP_FN_LATENCY, RP_FN_EMAIL};
	static const enum rp_program types[] = {RP_PROG_LATENCY, RP_PROG_EMAIL};
	struct rp_run_info info[2];
	struct rp_err err;
	size_t i, j;

	if (rp_store_runs(h->store, progs, 2, info, &err) != 0) {
		problem(h, "%s", err.msg);
		return;
	}
	for (i = 0; i < 2; i++) {
		long poll = 0, limit;
		size_t n = 0;

		if (!(h->cfg.functions & fns[i]))
			continue;
		for (j = 0; j < h->cl.n; j++) {
			if (rp_check_program(h->cl.checks[j].type) != types[i])
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
			problem(h, "%s has not run (limit %ld min)", progs[i], limit / 60);
		else if (h->now - info[i].start > limit)
			problem(h, "%s last ran %ld min ago (limit %ld min)", progs[i],
			    (long)(h->now - info[i].start) / 60, limit / 60);
	}
}

/* Events PagerDuty has not taken: the outbox, and what it refused in the
 * last day (never sent again, so a person must look). */
static void
check_undelivered(struct hb *h, size_t drained)
{
	struct rp_outbox ob;
	struct rp_rejected *rej;
	size_t nrej, i, recent = 0;
	struct rp_err err;

	if (rp_store_outbox_read(h->store, &ob, &rej, &nrej, &err) != 0) {
		problem(h, "%s", err.msg);
		return;
	}
	/* The outbox as read, less what this run has just delivered from it
	 * (written with the state at the end). */
	h->undelivered = ob.n > drained ? ob.n - drained : 0;
	for (i = 0; i < nrej; i++)
		if (rej[i].at > h->now - 86400)
			recent++;
	if (h->cfg.max_undelivered > 0 && h->undelivered >= (size_t)h->cfg.max_undelivered)
		problem(h, "%zu events wait for PagerDuty in the outbox (limit %ld)", h->undelivered,
		    h->cfg.max_undelivered);
	if (recent > 0)
		problem(h, "PagerDuty refused %zu event%s in the last day (rp-status shows them)",
		    recent, recent == 1 ? "" : "s");
	rp_outbox_free(&ob);
	rp_rejected_free(rej, nrej);
}

/* Delivers the outbox this run holds the lock of, before judging. */
static void
drain(struct hb *h, const struct rp_outbox *ob, struct rp_ob_update *up,
    const struct timespec *t0, int *trouble)
{
	struct rp_dl_opts dl;
	struct rp_dl_stats stats;

	rp_dl_opts_init(&dl, &h->cfg, h->now,
	    (h->cfg.time_budget_sec * 1000L - rp_elapsed_ms(t0)) / 2);
	rp_deliver(&dl, ob, NULL, NULL, 0, NULL, up, &stats);
	*trouble |= rp_dl_report(ob, &stats);
}

/* Calls heartbeat_url: GET, or POST with the summary as the body. */
static int
ping(struct hb *h, const char *summary, char *why, size_t whylen)
{
	struct rp_http_req q = {0};
	int ok;

	q.url = h->cfg.heartbeat_url;
	q.body = strcmp(h->cfg.heartbeat_method, "POST") == 0 ? summary : NULL;
	q.body_type = "text/plain";
	q.timeout_ms = 10000;
	q.max_bytes = 64 * 1024;
	rp_http_perform(&q, 1, 1);
	ok = q.status >= 200 && q.status < 300;
	if (!ok && q.status == 0)
		snprintf(why, whylen, "%s", q.error);
	else if (!ok)
		snprintf(why, whylen, "HTTP %ld", q.status);
	rp_http_req_reset(&q);
	return ok ? 0 : -1;
}

int
rp_heartbeat_run(const struct rp_opts *o)
{
	struct hb h;
	struct rp_err err;
	struct rp_check self = {0};
	struct rp_load self_load = {0};
	struct rp_result res = {0};
	struct rp_check_state next = {0};
	struct rp_action acts[RP_MAX_ACTIONS];
	struct rp_pd_event evs[RP_MAX_ACTIONS + 1];
	struct rp_pd_result sent[RP_MAX_ACTIONS + 1];
	struct rp_fact facts[3] = {{0}};
	struct rp_report rep = {0};
	struct rp_outbox ob = {0};
	struct rp_ob_update up = {0};
	struct timespec t0;
	char token[128];
	size_t nact = 0, ndecided, i;
	char *clpath = NULL, *change_url = NULL, *self_name = NULL;
	char why[300];
	int rc = RP_EXIT_OK, healthy, trouble = 0;
	const char *cfgpath = rp_default_config(o->config);

	memset(&h, 0, sizeof(h));
	h.o = o;
	h.start = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rp_log_init("rp-heartbeat", o->verbose);
	rp_buf_append(&h.problems, "", 0);
	if (gethostname(h.host, sizeof(h.host) - 1) != 0)
		rp_strlcpy(h.host, "unknown-host", sizeof(h.host));
	if (rp_config_load(cfgpath, &h.cfg, &err) != 0 || rp_clock_now(o->now, &h.now, &err) != 0) {
		/* Without a configuration there is nobody to tell but cron. */
		rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = err.code;
		goto out;
	}
	rp_config_warn(&h.cfg);
	clpath = o->checklist ? rp_xstrdup(o->checklist) : rp_default_checklist(cfgpath);
	if (rp_checklist_load(clpath, &h.cl, &err) != 0)
		problem(&h, "%s", err.msg);
	h.checks = h.cl.n;
	/* The unhealthy page is an episode like a check's: one trigger with a
	 * key stable per host, resolved when healthy again. */
	self_name = rp_xasprintf("robopager-heartbeat/%s", h.host);
	self.name = self_name;
	self.type = RP_CHECK_BATCHY;
	self.unknown_after = 1000;
	if ((h.store = rp_config_store(&h.cfg, &err)) == NULL) {
		problem(&h, "%s%s%s", err.code == RP_EXIT_CONFIG ? "" : "state store unreachable (",
		    err.msg, err.code == RP_EXIT_CONFIG ? "" : ")");
	} else {
		self_load.name = self_name;
		self_load.poll_sec = 60;
		self_load.force = 1;
		rp_run_token(token, sizeof(token), h.host);
		ob.token = token;
		ob.lock_ms = h.cfg.time_budget_sec * 1000L + 5000;
		ob.minute = (long)(h.now / 60);
		if (rp_store_load(h.store, &self_load, 1, h.now, o->dry_run, &ob, &err) != 0) {
			problem(&h, "%s", err.msg);
			rp_store_close(h.store);
			h.store = NULL;
		}
	}
	if (h.store != NULL) {
		/* The outbox first, so that what it says is what is left. */
		if (!o->dry_run && ob.owned && ob.n > 0 && h.cfg.events_url != NULL)
			drain(&h, &ob, &up, &t0, &trouble);
		check_runs(&h);
		check_undelivered(&h, up.ndone);
	}
	healthy = h.problems.len == 0;
	res.status = healthy ? RP_OK : RP_CRITICAL;
	rp_strlcpy(res.episode_key, self_name, sizeof(res.episode_key));
	if (healthy)
		snprintf(res.summary, sizeof(res.summary),
		    "robopager alive on %s: %zu of %zu checks configured", h.host, h.checks, h.checks);
	else
		snprintf(res.summary, sizeof(res.summary), "robopager unhealthy on %s: %s", h.host,
		    h.problems.data);
	rp_strlcpy(facts[0].value, h.host, sizeof(facts[0].value));
	facts[0].name = "host";
	snprintf(facts[1].value, sizeof(facts[1].value), "%zu", h.checks);
	facts[1].name = "checks";
	facts[1].number = 1;
	snprintf(facts[2].value, sizeof(facts[2].value), "%zu", h.undelivered);
	facts[2].name = "undelivered";
	facts[2].number = 1;
	rp_eval_decide(&self, 1000, &self_load.st, &res, h.now, &next, acts, &nact);
	ndecided = nact; /* the signal added below is not part of the episode */
	if (healthy && strcmp(h.cfg.heartbeat_mode, "none") != 0 && nact < RP_MAX_ACTIONS) {
		struct rp_action *a = &acts[nact++];
		memset(a, 0, sizeof(*a));
		a->page = RP_PAGE_EPISODE;
		if (strcmp(h.cfg.heartbeat_mode, "change") == 0) {
			a->act = RP_ACT_CHANGE;
			snprintf(a->dedup_key, sizeof(a->dedup_key), "-");
		} else {
			/* The earlier tool's behaviour: an info incident. */
			a->act = RP_ACT_TRIGGER;
			a->severity = "info";
			snprintf(a->dedup_key, sizeof(a->dedup_key), "robopager-alive/%s", h.host);
		}
		snprintf(a->summary, sizeof(a->summary), "%s", res.summary);
	}
	for (i = 0; i < nact; i++) {
		struct rp_pd_event *e = &evs[i];
		memset(e, 0, sizeof(*e));
		e->action = acts[i].act;
		e->routing_key = h.cfg.heartbeat_service;
		e->dedup_key = acts[i].dedup_key;
		e->summary = acts[i].summary[0] ? acts[i].summary : res.summary;
		e->source = h.host;
		e->severity = acts[i].severity ? acts[i].severity : "critical";
		e->component = "robopager";
		e->group = "robopager";
		e->class_name = "heartbeat";
		e->timestamp = h.now;
		e->facts = facts;
		e->nfacts = 3;
	}
	if (h.cfg.heartbeat_service == NULL || *h.cfg.heartbeat_service == '\0') {
		if (nact > 0)
			rp_log(RP_LOG_WARNING, "[robopager] heartbeat_service is not set: nothing sent");
		nact = 0;
	} else if (!o->dry_run) {
		/* The episode's events (and the outbox) through the outbox;
		 * the alive signal, sent every run, straight. */
		struct rp_dl_opts dl;
		struct rp_dl_stats stats;
		struct rp_outbox view;
		struct rp_ob_update mine;
		const char *checks[RP_MAX_ACTIONS + 1];

		for (i = 0; i < ndecided; i++)
			checks[i] = self_name;
		rp_dl_opts_init(&dl, &h.cfg, h.now,
		    h.cfg.time_budget_sec * 1000L - rp_elapsed_ms(&t0) - 500);
		/* The outbox was delivered above: here it only says which
		 * incidents have an event waiting, to queue behind. */
		view = ob;
		view.owned = 0;
		rp_deliver(&dl, h.store ? &view : NULL, evs, checks, ndecided, sent, &mine, &stats);
		rp_ob_update_merge(&up, &mine);
		for (i = 0; i < ndecided; i++)
			trouble |= rp_dl_settle(&acts[i], &sent[i], &next, h.store != NULL);
		if (nact > ndecided) {
			struct rp_pd_opts po = {0};
			po.url = h.cfg.events_url;
			po.ca_file = h.cfg.pd_ca_file;
			po.insecure = !h.cfg.pd_tls_verify;
			po.timeout_ms = h.cfg.pd_timeout_sec * 1000;
			po.max_attempts = 3;
			po.backoff_ms = 500;
			po.budget_ms = h.cfg.time_budget_sec * 1000L - rp_elapsed_ms(&t0) - 500;
			if (evs[ndecided].action == RP_ACT_CHANGE)
				po.url = change_url = rp_pd_change_url(h.cfg.events_url);
			rp_pd_send(&po, &evs[ndecided], 1, &sent[ndecided]);
			if (sent[ndecided].outcome != RP_PD_DELIVERED) {
				trouble = 1;
				rp_log(RP_LOG_ERR, "PagerDuty %s: %s", rp_act_name(acts[ndecided].act),
				    sent[ndecided].message);
			}
		}
	}
	if (healthy && h.cfg.heartbeat_url != NULL && !o->dry_run &&
	    ping(&h, res.summary, why, sizeof(why)) != 0) {
		trouble = 1;
		rp_log(RP_LOG_ERR, "heartbeat_url: %s", why);
	}
	rc = healthy ? RP_EXIT_OK : RP_EXIT_CRITICAL;
	if (trouble && healthy)
		rc = RP_EXIT_UNKNOWN;
	if (h.store != NULL && !o->dry_run) {
		const char *name = self_name;
		struct rp_run_rec run = {"rp-heartbeat", h.host, h.now,
		    h.now + (time(NULL) - h.start), rc, 1};
		if (rp_store_save_retry(h.store, &name, &next, 1, NULL, 0, &run, &up, 5000, &err) != 0) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			if (healthy)
				rc = RP_EXIT_UNKNOWN;
		}
	}
	rep.check = "robopager";
	rep.type = "heartbeat";
	rep.status = res.status;
	rep.summary = res.summary;
	rep.now = h.now;
	rep.acts = acts;
	rep.sent = o->dry_run ? NULL : sent;
	rep.nact = nact;
	rep.facts = facts;
	rep.nfacts = 3;
	if (!(o->quiet && healthy)) {
		if (o->json)
			rp_out_json(stdout, &rep);
		else
			rp_out_text(stdout, &rep);
	}
	rp_http_cleanup();
out:
	rp_state_clear(&self_load.st);
	rp_state_clear(&next);
	rp_outbox_free(&ob);
	rp_ob_update_free(&up);
	free(self_name);
	free(change_url);
	free(clpath);
	rp_buf_free(&h.problems);
	rp_store_close(h.store);
	rp_checklist_free(&h.cl);
	rp_config_free(&h.cfg);
	return rc;
}
