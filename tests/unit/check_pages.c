#define UNIT_NAME "pages"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "http.h"
#include "output.h"
#include "pages.h"
#include "scripted.h"
#include "signals.h"
#include "store_test.h"
#include "unit.h"

/* The run's clock: 2026-11-18T11:06:40Z. */
#define NOW ((time_t)1795000000)

static char rk[] = "0123456789abcdef0123456789abcdef", desc[] = "orders latency",
    host[] = "host1", events_url[256], redis_host[] = "127.0.0.1", redis_prefix[64];

static void
config(struct rp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(events_url, sizeof(events_url), "%s", test_url("RP_TEST_PD_PORT", "/v2/enqueue"));
	cfg->events_url = events_url;
	cfg->pd_timeout_sec = 5;
	cfg->pd_rate_per_min = 120;
	cfg->pd_tls_verify = 1;
	cfg->max_parallel = 64;
	cfg->redis_enabled = 1;
}

static void
check(struct rp_check *c, char *name)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->type = RP_CHECK_BATCHY;
	c->pd_service = rk;
	c->pd_description = desc;
	c->wf_name = name;
	c->poll_sec = 60;
	c->latency_min = 60;
}

static void
action(struct rp_action *a, enum rp_act act, enum rp_page page, const char *key,
    const char *summary)
{
	memset(a, 0, sizeof(*a));
	a->act = act;
	a->page = page;
	snprintf(a->dedup_key, sizeof(a->dedup_key), "%s", key);
	a->severity = "critical";
	snprintf(a->summary, sizeof(a->summary), "%s", summary);
}

/* A CRITICAL decided now whose trigger is key (not yet handed over). */
static void
critical(struct rp_check_state *st, const char *key)
{
	memset(st, 0, sizeof(*st));
	st->known = 1;
	st->status = RP_CRITICAL;
	st->summary = rp_xstrdup("failed");
	st->last_eval = NOW;
	st->since = NOW;
	st->open_key = rp_xstrdup(key);
	st->episode_start = NOW;
}

/* Where the decisions of a test say what became of their events (a test
 * has two at most). */
static struct rp_pd_result sent_pool[4][RP_MAX_ACTIONS];
static size_t sent_next;

static void
decision(struct rp_decision *d, const struct rp_check *c, struct rp_check_state *next,
    struct rp_action *acts, size_t nact)
{
	memset(d, 0, sizeof(*d));
	d->sent = sent_pool[sent_next++ % 4];
	memset(d->sent, 0, sizeof(sent_pool[0]));
	d->c = c;
	d->component = c->wf_name;
	d->evaluated = 1;
	d->next = next;
	d->acts = acts;
	d->nact = nact;
}

static void
pages(struct rp_pages *p, const struct rp_config *cfg, struct rp_store *s, const char *token)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->store = s;
	p->state_ok = s != NULL;
	p->now = NOW;
	p->host = host;
	p->token = token;
	p->budget_ms = 6000;
	p->run.program = "rp-latency-check";
	p->run.host = host;
	p->run.start = NOW;
	p->run.end = NOW + 1;
	p->run.exit_status = 2;
	p->run.evaluated = 1;
}

/* rp_pages_run with stderr caught: returns what it said (static). */
static const char *
run(struct rp_pages *p, struct rp_decision *d, size_t n)
{
	static char buf[4096];
	FILE *saved = stderr, *m;

	memset(buf, 0, sizeof(buf));
	m = fmemopen(buf, sizeof(buf) - 1, "w");
	ck_assert_ptr_nonnull(m);
	stderr = m;
	rp_pages_run(p, d, n);
	stderr = saved;
	fclose(m);
	return buf;
}

/* What the PagerDuty stand-in got: one line per event, "<http> <action>
 * <dedup_key> <severity> <summary>" (static). */
static const char *
pd_log(void)
{
	static char buf[4096];
	struct rp_http_req r = {0};

	r.url = test_url("RP_TEST_PD_PORT", "/_log");
	r.timeout_ms = 5000;
	r.max_bytes = sizeof(buf) - 1;
	rp_http_perform(&r, 1, 1);
	ck_assert_int_eq(r.status, 200);
	snprintf(buf, sizeof(buf), "%s", r.resp.data);
	rp_http_req_reset(&r);
	return buf;
}

/* The record of check name as the store has it now. */
static void
record(struct rp_store *s, struct rp_load *l, const char *name)
{
	load1(s, l, name, 60, 1, NOW + 1, 1);
}

static size_t
outbox(struct rp_store *s, struct rp_outbox *ob)
{
	struct rp_rejected *rej;
	struct rp_err err;
	size_t nrej;

	memset(ob, 0, sizeof(*ob));
	ck_assert_msg(rp_store_outbox_read(s, ob, &rej, &nrej, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(nrej, 0);
	rp_rejected_free(rej, nrej);
	return ob->n;
}

static void
setup(void)
{
	struct rp_err err;

	ck_assert_int_eq(rp_clock_set_zone("UTC", &err), 0);
	ck_assert_int_eq(rp_http_global(), 0);
	rp_log_init("rp-test", 0);
	pd_control("/_reset", "");
}

static void
teardown(void)
{
	rp_http_cleanup();
}

/* The order that loses nothing: the decision written with its event, the
 * event delivered, what became of it recorded. */
START_TEST(written_and_delivered)
{
	static char name[] = "orders";
	static const char *const programs[] = {"rp-latency-check"};
	const char *prefix = fresh_prefix("pg1");
	struct rp_store *s = open_store(prefix);
	struct rp_check_state next;
	struct rp_action acts[1];
	struct rp_decision d;
	struct rp_run_info info;
	struct rp_outbox ob;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;
	struct rp_load l;
	struct rp_err err;
	char key[80];

	config(&cfg);
	check(&c, name);
	load1(s, &l, name, 60, 0, NOW, 0); /* the run's read: due, locked */
	ck_assert_int_eq(l.due, 1);
	critical(&next, "orders/failed@x");
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "orders/failed@x", "orders failed");
	decision(&d, &c, &next, acts, 1);
	d.expect_eval = l.last_eval;
	d.lock = l.lock;
	rp_load_clear(&l);
	pages(&p, &cfg, s, "run-1");
	ck_assert_str_eq(run(&p, &d, 1), "");

	ck_assert_int_eq(d.sent[0].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(d.sent[0].http_status, 202);
	ck_assert_str_eq(d.sent[0].message, "HTTP 202: Event processed");
	ck_assert_int_eq(d.sent[0].queued, 0);
	ck_assert_int_eq(d.lost, 0);
	ck_assert_int_eq(p.trouble, 0);
	ck_assert_int_eq(p.claimed, 1);
	ck_assert_str_eq(p.store_error, "");
	ck_assert_int_eq(next.open_sent, 1); /* handed over, in the state written */
	ck_assert_str_eq(pd_log(), "202 trigger orders/failed@x critical orders: orders failed\n");

	record(s, &l, name);
	ck_assert_int_eq(l.st.known, 1);
	ck_assert_int_eq(l.st.status, RP_CRITICAL);
	ck_assert_int_eq(l.last_eval, NOW);
	ck_assert_str_eq(l.st.open_key, "orders/failed@x");
	ck_assert_int_eq(l.st.open_sent, 1);
	rp_load_clear(&l);
	ck_assert_uint_eq(outbox(s, &ob), 0);
	rp_outbox_free(&ob);
	/* The alert record has PagerDuty's answer; the run record the run. */
	snprintf(key, sizeof(key), "%s:alert:orders/failed@x", prefix);
	ck_assert_str_eq(redis_hget(key, "last_action"), "trigger");
	ck_assert_str_eq(redis_hget(key, "http_status"), "202");
	ck_assert_str_eq(redis_hget(key, "answer"), "HTTP 202: Event processed");
	ck_assert_str_eq(redis_hget(key, "check"), "orders");
	ck_assert_msg(rp_store_runs(s, programs, 1, &info, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(info.host, "host1");
	ck_assert_int_eq(info.exit_status, 2);
	ck_assert_int_eq(info.evaluated, 1);
	rp_state_clear(&next);
	rp_store_close(s);
}
END_TEST

/* PagerDuty down: the event stays in the outbox, marked handed over in the
 * state; the next run, PagerDuty up, delivers it without deciding again. */
START_TEST(pd_down_then_up)
{
	static char name[] = "billing";
	struct rp_store *s = open_store(fresh_prefix("pg2"));
	struct rp_check_state next;
	struct rp_action acts[1];
	struct rp_decision d;
	struct rp_outbox ob;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;
	struct rp_load l;
	const char *said;

	config(&cfg);
	check(&c, name);
	critical(&next, "billing/failed@y");
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "billing/failed@y", "billing failed");
	decision(&d, &c, &next, acts, 1);
	pages(&p, &cfg, s, "run-1");
	p.budget_ms = 3000;
	pd_control("/_fail", "down:500");
	said = run(&p, &d, 1);
	ck_assert_int_eq(d.sent[0].outcome, RP_PD_FAILED);
	ck_assert_int_eq(d.sent[0].http_status, 500);
	ck_assert_str_eq(d.sent[0].message, "HTTP 500: injected 500");
	ck_assert_int_eq(d.sent[0].queued, 1);
	ck_assert_int_ge(d.sent[0].attempts, 1);
	ck_assert_int_eq(p.trouble, 1);
	ck_assert_int_eq(p.claimed, 1);
	ck_assert_str_eq(said, "rp-test: outbox: 1 event still waits for PagerDuty: HTTP 500: injected "
	    "500\nrp-test: PagerDuty trigger billing/failed@y: HTTP 500: injected 500; queued in "
	    "the outbox\n");
	record(s, &l, name);
	ck_assert_int_eq(l.st.open_sent, 1);
	ck_assert_str_eq(l.st.open_key, "billing/failed@y");
	rp_load_clear(&l);
	ck_assert_uint_eq(outbox(s, &ob), 1);
	ck_assert_str_eq(ob.v[0].id, "trigger billing/failed@y");
	ck_assert_int_eq(ob.v[0].attempts, d.sent[0].attempts);
	ck_assert_str_eq(ob.v[0].error, "HTTP 500: injected 500");
	rp_outbox_free(&ob);

	/* The next run decides nothing and delivers what waits. */
	pd_control("/_fail", "up");
	pages(&p, &cfg, s, "run-2");
	ck_assert_str_eq(run(&p, NULL, 0), "rp-test: outbox: 1 earlier event delivered\n");
	ck_assert_int_eq(p.claimed, 1);
	ck_assert_int_eq(p.trouble, 0);
	ck_assert_uint_eq(outbox(s, &ob), 0);
	rp_outbox_free(&ob);
	ck_assert_ptr_nonnull(strstr(pd_log(), "202 trigger billing/failed@y critical billing: billing "
	    "failed\n"));
	rp_state_clear(&next);
	rp_store_close(s);
}
END_TEST

/* A silenced check's trigger is held: not sent, not queued, not marked
 * handed over (the run after the silence decides again); its resolves go
 * out. The decision itself is written. */
START_TEST(silenced_trigger_held)
{
	static char name[] = "exports";
	struct rp_store *s = open_store(fresh_prefix("pg3"));
	struct rp_check_state next;
	struct rp_action acts[2];
	struct rp_decision d;
	struct rp_outbox ob;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;
	struct rp_load l;

	config(&cfg);
	check(&c, name);
	critical(&next, "exports/failed@z");
	next.unknown_key = rp_xstrdup("exports/unknown@1");
	next.unknown_sent = 1;
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "exports/failed@z", "exports failed");
	action(&acts[1], RP_ACT_RESOLVE, RP_PAGE_UNKNOWN, "exports/unknown@1", "");
	decision(&d, &c, &next, acts, 2);
	d.silenced_until = NOW + 3600;
	pages(&p, &cfg, s, "run-1");
	ck_assert_str_eq(run(&p, &d, 1), "");
	ck_assert_int_eq(d.sent[0].outcome, RP_PD_HELD);
	ck_assert_str_eq(d.sent[0].message, "silenced until 2026-11-18T12:06:40+00:00");
	ck_assert_int_eq(d.sent[0].queued, 0);
	ck_assert_int_eq(d.sent[0].attempts, 0);
	ck_assert_int_eq(d.sent[1].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(next.open_sent, 0);
	ck_assert_ptr_null(next.unknown_key);
	ck_assert_int_eq(p.trouble, 0);
	ck_assert_str_eq(pd_log(), "202 resolve exports/unknown@1 - -\n");
	record(s, &l, name);
	ck_assert_int_eq(l.st.status, RP_CRITICAL);
	ck_assert_str_eq(l.st.open_key, "exports/failed@z");
	ck_assert_int_eq(l.st.open_sent, 0);
	ck_assert_ptr_null(l.st.unknown_key);
	rp_load_clear(&l);
	ck_assert_uint_eq(outbox(s, &ob), 0);
	rp_outbox_free(&ob);

	/* A silence that has ended holds nothing. */
	rp_state_clear(&next);
	critical(&next, "exports/failed@z");
	decision(&d, &c, &next, acts, 1);
	d.expect_eval = NOW;
	d.silenced_until = NOW;
	pages(&p, &cfg, s, "run-2");
	run(&p, &d, 1);
	ck_assert_int_eq(d.sent[0].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(next.open_sent, 1);
	rp_state_clear(&next);
	rp_store_close(s);
}
END_TEST

/* A dry run decides and prints; it sends and writes nothing. */
START_TEST(dry_does_nothing)
{
	static char name[] = "dry";
	struct rp_store *s = open_store(fresh_prefix("pg4"));
	struct rp_check_state next;
	struct rp_action acts[1];
	struct rp_decision d;
	struct rp_outbox ob;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;
	struct rp_load l;

	config(&cfg);
	check(&c, name);
	critical(&next, "dry/failed@x");
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "dry/failed@x", "dry failed");
	decision(&d, &c, &next, acts, 1);
	d.sent[0].outcome = RP_PD_HELD; /* a value rp_pages_run would change */
	pages(&p, &cfg, s, "run-1");
	p.dry = 1;
	ck_assert_str_eq(run(&p, &d, 1), "");
	ck_assert_int_eq(d.sent[0].outcome, RP_PD_HELD);
	ck_assert_int_eq(next.open_sent, 0);
	ck_assert_int_eq(p.trouble, 0);
	ck_assert_int_eq(p.claimed, 0);
	ck_assert_int_eq(rp_store_round_trips(s), 0);
	ck_assert_str_eq(pd_log(), "");
	record(s, &l, name);
	ck_assert_int_eq(l.st.known, 0);
	rp_load_clear(&l);
	ck_assert_uint_eq(outbox(s, &ob), 0);
	rp_outbox_free(&ob);
	rp_state_clear(&next);
	rp_store_close(s);
}
END_TEST

/* Without the state ([enable_redis] off) events go straight out. */
START_TEST(no_store_direct)
{
	static char name[] = "direct";
	struct rp_check_state next;
	struct rp_action acts[1];
	struct rp_decision d;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;

	config(&cfg);
	cfg.redis_enabled = 0;
	check(&c, name);
	critical(&next, "direct/failed@x");
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "direct/failed@x", "direct failed");
	decision(&d, &c, &next, acts, 1);
	pages(&p, &cfg, NULL, "run-1");
	ck_assert_str_eq(run(&p, &d, 1), "");
	ck_assert_int_eq(d.sent[0].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(d.sent[0].queued, 0);
	ck_assert_int_eq(next.open_sent, 1);
	ck_assert_int_eq(p.trouble, 0);
	ck_assert_int_eq(p.claimed, 0);
	ck_assert_ptr_null(p.store);
	ck_assert_str_eq(pd_log(), "202 trigger direct/failed@x critical direct: direct failed\n");
	rp_state_clear(&next);
}
END_TEST

/* The store down when the run read it: events go straight out, and the
 * triggers sent are recorded when the store answers again, so that their
 * incidents get resolved. */
START_TEST(no_state_then_recorded)
{
	static char name[] = "late";
	struct rp_check_state next;
	struct rp_action acts[1];
	struct rp_decision d;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;
	struct rp_store *s;
	struct rp_load l;

	config(&cfg);
	snprintf(redis_prefix, sizeof(redis_prefix), "%s", fresh_prefix("pg5"));
	cfg.redis_server = redis_host;
	cfg.redis_port = test_port("RP_TEST_REDIS_PORT");
	cfg.redis_db = 2;
	cfg.redis_prefix = redis_prefix;
	cfg.redis_timeout_ms = 2000;
	check(&c, name);
	critical(&next, "late/failed@x");
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "late/failed@x", "late failed");
	decision(&d, &c, &next, acts, 1);
	pages(&p, &cfg, NULL, "run-1");
	ck_assert_str_eq(run(&p, &d, 1), "rp-test: 1 trigger sent while the state store was out of reach, recorded afterwards\n");
	ck_assert_int_eq(d.sent[0].outcome, RP_PD_DELIVERED);
	ck_assert_str_eq(pd_log(), "202 trigger late/failed@x critical late: late failed\n");
	ck_assert_ptr_nonnull(p.store); /* connected for the record: the caller's to close */
	rp_store_close(p.store);
	s = open_store(redis_prefix);
	record(s, &l, name);
	ck_assert_int_eq(l.st.known, 1);
	ck_assert_str_eq(l.st.open_key, "late/failed@x");
	ck_assert_int_eq(l.st.open_sent, 1);
	rp_load_clear(&l);
	rp_state_clear(&next);
	rp_store_close(s);
}
END_TEST

/* A decision about a record another run changed since it was read is
 * dropped with its events; the run's other decisions go on. */
START_TEST(lost_decision_dropped)
{
	static char n_lost[] = "lost", n_won[] = "won";
	struct rp_store *s = open_store(fresh_prefix("pg6"));
	struct rp_check_state other = {0}, next[2];
	struct rp_action a0[1], a1[1];
	struct rp_decision d[2];
	struct rp_outbox ob;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c[2];
	struct rp_load l;

	config(&cfg);
	check(&c[0], n_lost);
	check(&c[1], n_won);
	/* Another run decided "lost" at NOW - 10, after this run read it at
	 * NOW - 100. */
	other.known = 1;
	other.status = RP_OK;
	other.last_eval = NOW - 100;
	ck_assert_int_eq(commit1(s, "lost", &other, 0), 1);
	other.last_eval = NOW - 10;
	ck_assert_int_eq(commit1(s, "lost", &other, NOW - 100), 1);
	critical(&next[0], "lost/failed@x");
	critical(&next[1], "won/failed@x");
	action(&a0[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "lost/failed@x", "lost failed");
	action(&a1[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "won/failed@x", "won failed");
	decision(&d[0], &c[0], &next[0], a0, 1);
	decision(&d[1], &c[1], &next[1], a1, 1);
	d[0].expect_eval = NOW - 100;
	pages(&p, &cfg, s, "run-1");
	ck_assert_str_eq(run(&p, d, 2), "");
	ck_assert_int_eq(d[0].lost, 1);
	ck_assert_int_eq(d[0].sent[0].outcome, RP_PD_WAITING);
	ck_assert_int_eq(d[0].sent[0].queued, 0);
	ck_assert_int_eq(d[0].sent[0].elsewhere, 1);
	ck_assert_str_eq(d[0].sent[0].message, "dropped: another run decided this check first");
	ck_assert_int_eq(d[1].lost, 0);
	ck_assert_int_eq(d[1].sent[0].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(p.trouble, 0);
	ck_assert_str_eq(pd_log(), "202 trigger won/failed@x critical won: won failed\n");
	/* The other run's record stands. */
	record(s, &l, "lost");
	ck_assert_int_eq(l.last_eval, NOW - 10);
	ck_assert_int_eq(l.st.status, RP_OK);
	ck_assert_ptr_null(l.st.open_key);
	rp_load_clear(&l);
	ck_assert_uint_eq(outbox(s, &ob), 0);
	rp_outbox_free(&ob);
	rp_state_clear(&next[0]);
	rp_state_clear(&next[1]);
	rp_store_close(s);
}
END_TEST

/* Another run holds the outbox: this run's events wait there for it. */
START_TEST(outbox_held_elsewhere)
{
	static char name[] = "queued";
	struct rp_store *s = open_store(fresh_prefix("pg7"));
	struct rp_check_state st = {0}, next;
	struct rp_ob_entry ev = {0};
	struct rp_alert_rec al = {0};
	struct rp_action acts[1];
	struct rp_decision d;
	struct rp_commit cm;
	struct rp_outbox ob;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;
	struct rp_err err;

	/* The other run: one event queued, the outbox's lock taken. */
	ev.id = rp_xstrdup("trigger other/1");
	ev.check = rp_xstrdup("other");
	ev.label = rp_xstrdup("rk-1");
	ev.body = rp_xstrdup("{}");
	al.dedup_key = "other/1";
	st.known = 1;
	memset(&cm, 0, sizeof(cm));
	cm.name = "other";
	cm.write = 1;
	cm.st = &st;
	cm.events = &ev;
	cm.alerts = &al;
	cm.nevents = 1;
	memset(&ob, 0, sizeof(ob));
	ob.token = "other-run";
	ob.lock_ms = 60000;
	ob.minute = NOW / 60;
	ck_assert_msg(rp_store_commit(s, &cm, 1, NULL, &ob, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(ob.owned, 1);
	rp_outbox_free(&ob);
	rp_ob_entry_clear(&ev);

	config(&cfg);
	check(&c, name);
	critical(&next, "queued/failed@x");
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "queued/failed@x", "queued failed");
	decision(&d, &c, &next, acts, 1);
	pages(&p, &cfg, s, "run-1");
	ck_assert_str_eq(run(&p, &d, 1), "");
	ck_assert_int_eq(d.sent[0].outcome, RP_PD_WAITING);
	ck_assert_int_eq(d.sent[0].queued, 1);
	ck_assert_int_eq(d.sent[0].elsewhere, 1);
	ck_assert_str_eq(d.sent[0].message, "queued in the outbox for the run delivering it");
	ck_assert_int_eq(p.claimed, 0);
	ck_assert_int_eq(p.trouble, 0);
	ck_assert_int_eq(next.open_sent, 1);
	ck_assert_str_eq(pd_log(), "");
	ck_assert_uint_eq(outbox(s, &ob), 2);
	ck_assert_str_eq(ob.v[0].id, "trigger other/1");
	ck_assert_str_eq(ob.v[1].id, "trigger queued/failed@x");
	rp_outbox_free(&ob);
	rp_state_clear(&next);
	rp_store_close(s);
}
END_TEST

/* The store refuses the decision (a read-only replica): the events go
 * straight out, the write is tried again, and what happened is said. */
START_TEST(store_refuses_decision)
{
	static const char ro[] = "-READONLY You can't write against a read only replica.\r\n";
	static const char *const script[] = {ro, ro, ro, ro, ro, ro, ro, ro};
	static char name[] = "refused";
	struct rp_check_state next;
	struct rp_action acts[1];
	struct rp_decision d;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;
	struct rp_store *s;
	struct rp_err err;
	struct scripted sc;
	char want[200];
	const char *said;

	scripted_start(&sc, script, 8, 0);
	s = rp_store_open("127.0.0.1", sc.port, NULL, 0, "p", 2000, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	config(&cfg);
	check(&c, name);
	critical(&next, "refused/failed@x");
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "refused/failed@x", "refused failed");
	decision(&d, &c, &next, acts, 1);
	pages(&p, &cfg, s, "run-1");
	p.budget_ms = 3000;
	said = run(&p, &d, 1);
	snprintf(want, sizeof(want), "redis at 127.0.0.1:%d: writing the decision: READONLY You "
	    "can't write against a read only replica.", sc.port);
	ck_assert_str_eq(p.store_error, want);
	ck_assert_int_eq(p.trouble, 1);
	ck_assert_int_eq(d.sent[0].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(d.sent[0].queued, 0);
	ck_assert_str_eq(pd_log(), "202 trigger refused/failed@x critical refused: refused failed\n");
	ck_assert_msg(strstr(said, "; sending without the outbox, then writing again\n") != NULL,
	    "%s", said);
	ck_assert_msg(strstr(said, "; this run's decisions are recorded nowhere: the next run "
	    "decides again\n") != NULL, "%s", said);
	ck_assert_msg(strstr(said, "1 trigger sent while the state store was out of reach could not be recorded afterwards") !=
	    NULL, "%s", said);
	rp_store_close(s);
	scripted_stop(&sc);
	ck_assert_uint_ge(sc.nreads, 2); /* the write, and at least one more try */
	ck_assert_ptr_nonnull(strstr(sc.reads[0], "EVAL"));
	scripted_free(&sc);
	rp_state_clear(&next);
}
END_TEST

START_TEST(dl_opts)
{
	struct rp_config cfg;
	struct rp_dl_opts o;

	config(&cfg);
	cfg.max_parallel = 8;
	memset(&o, 0x5a, sizeof(o));
	rp_pages_dl_opts(&o, &cfg, NOW, 4321);
	ck_assert_ptr_eq(o.cfg, &cfg);
	ck_assert_int_eq(o.budget_ms, 4321);
	ck_assert_int_eq(o.now, NOW);
	ck_assert_int_eq(o.max_parallel, 8);
}
END_TEST

/* A run that writes its decision and records its delivery makes two round
 * trips to the store, no more (commit, settle). */
START_TEST(round_trips_counted)
{
	static char name[] = "trips";
	struct rp_store *s = open_store(fresh_prefix("pg8"));
	struct rp_check_state next;
	struct rp_action acts[1];
	struct rp_decision d;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;
	long before = rp_store_round_trips(s);

	config(&cfg);
	check(&c, name);
	critical(&next, "trips/failed@x");
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "trips/failed@x", "trips failed");
	decision(&d, &c, &next, acts, 1);
	pages(&p, &cfg, s, "run-1");
	run(&p, &d, 1);
	ck_assert_int_eq(d.sent[0].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(rp_store_round_trips(s) - before, 2); /* commit, settle */
	rp_state_clear(&next);
	rp_store_close(s);
}
END_TEST

/* A run asked to stop after its write: the decision is in, its event waits
 * in the outbox for the next run, untried, and the outbox's lock is free
 * again. Raises SIGTERM (after which http.c asks nothing, so the stand-in's
 * log cannot be read): last in add_tests, for CK_FORK=no. */
START_TEST(stopped_after_write)
{
	static char name[] = "stopped";
	struct rp_store *s = open_store(fresh_prefix("pg9"));
	struct rp_check_state next;
	struct rp_action acts[1];
	struct rp_decision d;
	struct rp_outbox ob;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;
	struct rp_load l;
	struct rp_err err;

	config(&cfg);
	check(&c, name);
	critical(&next, "stopped/failed@x");
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "stopped/failed@x", "stopped failed");
	decision(&d, &c, &next, acts, 1);
	pages(&p, &cfg, s, "run-1");
	rp_sig_init();
	ck_assert_int_eq(raise(SIGTERM), 0);
	run(&p, &d, 1);
	ck_assert_int_eq(p.claimed, 0);
	record(s, &l, name);
	ck_assert_int_eq(l.st.status, RP_CRITICAL);
	ck_assert_int_eq(l.st.open_sent, 1);
	rp_load_clear(&l);
	/* The lock was released: another run claims the outbox at once. */
	memset(&ob, 0, sizeof(ob));
	ob.token = "run-2";
	ob.lock_ms = 1000;
	ob.minute = NOW / 60;
	ck_assert_msg(rp_store_commit(s, NULL, 0, NULL, &ob, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(ob.owned, 1);
	ck_assert_uint_eq(ob.n, 1);
	ck_assert_str_eq(ob.v[0].id, "trigger stopped/failed@x");
	ck_assert_int_eq(ob.v[0].attempts, 0); /* never tried (and so not sent) */
	rp_outbox_free(&ob);
	rp_state_clear(&next);
	rp_store_close(s);
}
END_TEST

/* A run asked to stop after its decision is written leaves its events
 * queued in the outbox, and says so (not "not recorded"). Once it said the
 * opposite, with an empty reason. */
START_TEST(stopped_events_queued)
{
	static char name[] = "stopq";
	struct rp_store *s = open_store(fresh_prefix("pg10"));
	struct rp_check_state next;
	struct rp_action acts[1];
	struct rp_decision d;
	struct rp_config cfg;
	struct rp_pages p;
	struct rp_check c;
	const char *said;

	config(&cfg);
	check(&c, name);
	critical(&next, "stopq/failed@x");
	action(&acts[0], RP_ACT_TRIGGER, RP_PAGE_EPISODE, "stopq/failed@x", "stopq failed");
	decision(&d, &c, &next, acts, 1);
	pages(&p, &cfg, s, "run-1");
	rp_sig_init();
	ck_assert_int_eq(raise(SIGTERM), 0);
	said = run(&p, &d, 1);
	ck_assert_int_eq(d.sent[0].outcome, RP_PD_WAITING);
	ck_assert_msg(d.sent[0].queued == 1, "queued 0; said: %s", said);
	ck_assert_str_ne(d.sent[0].message, "");
	ck_assert_msg(strstr(said, "not recorded") == NULL, "%s", said);
	rp_state_clear(&next);
	rp_store_close(s);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, written_and_delivered);
	tcase_add_test(tc, pd_down_then_up);
	tcase_add_test(tc, silenced_trigger_held);
	tcase_add_test(tc, dry_does_nothing);
	tcase_add_test(tc, no_store_direct);
	tcase_add_test(tc, no_state_then_recorded);
	tcase_add_test(tc, lost_decision_dropped);
	tcase_add_test(tc, outbox_held_elsewhere);
	tcase_add_test(tc, store_refuses_decision);
	tcase_add_test(tc, dl_opts);
	tcase_add_test(tc, round_trips_counted);
	tcase_add_test(tc, stopped_events_queued);
	tcase_add_test(tc, stopped_after_write); /* last: it raises SIGTERM */
}
