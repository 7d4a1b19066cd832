#define UNIT_NAME "deliver"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"
#include "http.h"
#include "servers.h"
#include "unit.h"

static const char rk[] = "0123456789abcdef0123456789abcdef";

static struct rp_pd_event
event(enum rp_act act, const char *key)
{
	struct rp_pd_event e = {0};

	e.action = act;
	e.routing_key = rk;
	e.dedup_key = key;
	e.summary = "something is late";
	e.source = "host1";
	e.severity = "critical";
	e.timestamp = 1795000000;
	return e;
}

/* The configuration delivery reads its destinations from: PagerDuty's
 * stand-in. */
static struct rp_config cfg;

static struct rp_dl_opts
opts(long per_min)
{
	static char url[256], path[] = "etl.cfg";
	struct rp_dl_opts o = {0};

	snprintf(url, sizeof(url), "%s", test_url("RP_TEST_PD_PORT", "/v2/enqueue"));
	memset(&cfg, 0, sizeof(cfg));
	cfg.path = path;
	cfg.events_url = url;
	cfg.pd_timeout_sec = 3;
	cfg.pd_rate_per_min = per_min;
	cfg.pd_tls_verify = 1;
	o.cfg = &cfg;
	o.budget_ms = 3000;
	o.now = 1795000000;
	return o;
}

/* Adds an event to an outbox this run owns, as rp_store_commit gives it. */
static void
add_entry(struct rp_outbox *ob, enum rp_act act, const char *key, const char *check)
{
	struct rp_pd_event e = event(act, key);
	struct rp_ob_entry *x;
	char label[RP_RATE_LABEL_LEN];

	ob->v = rp_xrealloc(ob->v, (ob->n + 1) * sizeof(*ob->v));
	x = &ob->v[ob->n++];
	memset(x, 0, sizeof(*x));
	rp_rate_label(rk, label);
	x->id = rp_dl_id(act, key);
	x->check = rp_xstrdup(check);
	x->label = rp_xstrdup(label);
	x->body = rp_pd_event_json(&e);
	x->queued = 1794999000;
	x->attempts = 3;
}

static void
owned(struct rp_outbox *ob, long minute)
{
	memset(ob, 0, sizeof(*ob));
	ob->token = "tok";
	ob->owned = 1;
	ob->minute = minute;
}

START_TEST(resolve_waits_for_its_trigger)
{
	struct rp_dl_opts o = opts(120);
	struct rp_outbox ob;
	struct rp_ob_update up;
	struct rp_dl_stats st;
	struct rp_pd_result r[3];

	ck_assert_int_eq(rp_http_global(), 0);
	pd_control("/_reset", "");
	owned(&ob, 100);
	add_entry(&ob, RP_ACT_TRIGGER, "c1/failed@x", "c1");
	add_entry(&ob, RP_ACT_RESOLVE, "c1/failed@x", "c1");
	add_entry(&ob, RP_ACT_TRIGGER, "c2/failed@y", "c2");
	rp_deliver(&o, &ob, r, &up, &st);
	/* The trigger goes; its resolve waits for the next run, whatever the
	 * trigger's fate; the other incident's event is not held up. */
	ck_assert_int_eq(r[0].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(r[1].outcome, RP_PD_WAITING);
	ck_assert_int_eq(r[1].behind, 1);
	ck_assert_int_eq(r[2].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(st.sent, 2);
	ck_assert_int_eq(st.left, 1);
	ck_assert_int_eq(st.failed, 0);
	ck_assert_int_eq(up.ndone, 2);
	ck_assert_str_eq(up.done[0], "trigger c1/failed@x");
	ck_assert_str_eq(up.done[1], "trigger c2/failed@y");
	ck_assert_int_eq(up.nretry, 0);
	ck_assert_str_eq(up.token, "tok");
	ck_assert_int_eq(up.nsent, 1);
	ck_assert_int_eq(up.sent[0].count, 2);
	ck_assert_int_eq(up.minute, 100);
	/* The resolve can go in the next run, this minute. */
	ck_assert_int_eq(up.held, 0);
	rp_ob_update_free(&up);
	rp_outbox_free(&ob);
	rp_http_cleanup();
}
END_TEST

START_TEST(rate_limit_and_failures)
{
	struct rp_dl_opts o = opts(3);
	struct rp_outbox ob;
	struct rp_ob_update up;
	struct rp_dl_stats st;
	struct rp_pd_result r[3];
	struct rp_rate already;
	int delivered = 0, waiting = 0, i;

	ck_assert_int_eq(rp_http_global(), 0);
	pd_control("/_reset", "");
	owned(&ob, 7);
	add_entry(&ob, RP_ACT_TRIGGER, "a/1", "a");
	add_entry(&ob, RP_ACT_TRIGGER, "b/1", "b");
	add_entry(&ob, RP_ACT_TRIGGER, "c/1", "c");
	/* Two of this minute's three are spent already. */
	rp_rate_label(rk, already.label);
	already.count = 2;
	ob.rates = &already;
	ob.nrates = 1;
	rp_deliver(&o, &ob, r, &up, &st);
	for (i = 0; i < 3; i++) {
		delivered += r[i].outcome == RP_PD_DELIVERED;
		waiting += r[i].outcome == RP_PD_WAITING && !r[i].behind;
	}
	ck_assert_int_eq(delivered, 1);
	ck_assert_int_eq(waiting, 2);
	ck_assert_ptr_nonnull(strstr(r[1].message, "rate limit"));
	ck_assert_int_eq(st.left, 2);
	ck_assert_int_eq(up.nsent, 1);
	ck_assert_int_eq(up.sent[0].count, 1);
	ck_assert_int_eq(up.nretry, 0); /* not tried: nothing to update */
	/* The two left wait for the next minute, whoever runs. */
	ck_assert_int_eq(r[1].rate_held + r[2].rate_held, 2);
	ck_assert_int_eq(up.held, 2);
	ob.rates = NULL; /* not ours to free */
	ob.nrates = 0;
	rp_ob_update_free(&up);

	/* PagerDuty down for the run: tried, kept, attempts and error noted. */
	cfg.pd_rate_per_min = 120;
	o.budget_ms = 400;
	pd_control("/_fail", "down:500");
	rp_deliver(&o, &ob, r, &up, &st);
	ck_assert_int_eq(r[0].outcome, RP_PD_FAILED);
	ck_assert_int_eq(st.failed, 3);
	ck_assert_int_eq(up.nretry, 3);
	ck_assert_int_eq(up.ndone, 0);
	ck_assert_int_eq(up.retry[0].attempts, 3 + r[0].attempts);
	ck_assert_str_eq(up.retry[0].error, "HTTP 500: injected 500");
	ck_assert_str_eq(st.error, "HTTP 500: injected 500");
	ck_assert_int_eq(up.held, 0);
	rp_ob_update_free(&up);
	rp_outbox_free(&ob);
	pd_control("/_reset", "");
	rp_http_cleanup();
}
END_TEST

START_TEST(refused)
{
	struct rp_dl_opts o = opts(120);
	struct rp_outbox ob;
	struct rp_ob_update up;
	struct rp_dl_stats st;
	struct rp_pd_result r[2];
	char *fp;

	ck_assert_int_eq(rp_http_global(), 0);
	pd_control("/_reset", "");
	pd_control("/_fail", "400");
	owned(&ob, 1);
	add_entry(&ob, RP_ACT_TRIGGER, "r/1", "r");
	add_entry(&ob, RP_ACT_TRIGGER, "u/1", "u");
	rp_free_secret(ob.v[1].body); /* a damaged entry */
	ob.v[1].body = NULL;
	rp_deliver(&o, &ob, r, &up, &st);
	ck_assert_int_eq(r[0].outcome, RP_PD_REJECTED);
	ck_assert_int_eq(r[1].outcome, RP_PD_REJECTED);
	ck_assert_int_eq(st.refused, 2);
	ck_assert_int_eq(st.sent, 0); /* a refused event is never counted as delivered */
	ck_assert_int_eq(up.nrej, 2);
	ck_assert_int_eq(up.ndone, 2);
	ck_assert_str_eq(up.rej[0].id, "trigger r/1");
	ck_assert_int_eq(up.rej[0].http_status, 400);
	ck_assert_str_eq(up.rej[0].message, "HTTP 400: Event object is invalid: injected 400");
	/* Kept without its routing key, with the fingerprint of what a person
	 * fixes, which is not the key either. */
	ck_assert_ptr_null(strstr(up.rej[0].event, rk));
	ck_assert_ptr_nonnull(strstr(up.rej[0].event, "\"dedup_key\":\"r/1\""));
	fp = rp_pd_fingerprint(ob.v[0].body);
	ck_assert_str_eq(up.rej[0].fix, fp);
	ck_assert_int_eq(strlen(fp), 16);
	free(fp);
	ck_assert_str_eq(up.rej[1].message, "unreadable outbox entry");
	rp_ob_update_free(&up);
	rp_outbox_free(&ob);
	pd_control("/_reset", "");
	rp_http_cleanup();
}
END_TEST

/* Adds an entry for dest whose body is {"text":...}, as a Slack's. */
static void
add_dest_entry(struct rp_outbox *ob, const char *dest, const char *action, const char *key)
{
	struct rp_ob_entry *x;

	ob->v = rp_xrealloc(ob->v, (ob->n + 1) * sizeof(*ob->v));
	x = &ob->v[ob->n++];
	memset(x, 0, sizeof(*x));
	x->id = rp_dl_dest_id(dest, action, key);
	x->check = rp_xstrdup("c1");
	x->label = rp_xstrdup("slack-label");
	x->body = rp_xstrdup("{\"text\":\"x\"}");
	x->queued = 1794999000;
}

START_TEST(order_per_destination)
{
	struct rp_dl_opts o = opts(120);
	struct rp_outbox ob;
	struct rp_ob_update up;
	struct rp_dl_stats st;
	struct rp_pd_result r[5];
	static char path[] = "/tmp/rp-unit-slackurlXXXXXX";
	struct rp_slack slack;
	char url[300];
	FILE *f;
	int fd;

	ck_assert_int_eq(rp_http_global(), 0);
	pd_control("/_reset", "");
	/* A Slack whose URL is the stand-in's /ping/, which takes anything. */
	fd = mkstemp(path);
	snprintf(url, sizeof(url), "%s", test_url("RP_TEST_PD_PORT", "/ping/slack"));
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(url, f);
	fclose(f);
	memset(&slack, 0, sizeof(slack));
	slack.name = (char *)(uintptr_t)"team";
	slack.webhook_url_file = path;
	slack.rate_per_min = 1;
	slack.tls_verify = 1;
	slack.timeout_sec = 3;
	cfg.slack = &slack;
	cfg.nslack = 1;
	owned(&ob, 100);
	add_entry(&ob, RP_ACT_TRIGGER, "c1/failed@x", "c1");
	add_dest_entry(&ob, "slack:team", "trigger", "c1/failed@x");
	add_entry(&ob, RP_ACT_RESOLVE, "c1/failed@x", "c1");
	add_dest_entry(&ob, "slack:team", "resolve", "c1/failed@x");
	add_dest_entry(&ob, "slack:team", "trigger", "c2/failed@y");
	rp_deliver(&o, &ob, r, &up, &st);
	/* Each destination's trigger goes, each resolve waits behind its own
	 * destination's trigger; Slack's second message waits for the next
	 * minute (rate_per_min = 1). */
	ck_assert_int_eq(r[0].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(r[1].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(r[2].behind, 1);
	ck_assert_int_eq(r[3].behind, 1);
	ck_assert_int_eq(r[4].outcome, RP_PD_WAITING);
	ck_assert_ptr_nonnull(strstr(r[4].message, "rate limit"));
	ck_assert_str_eq(up.done[1], "slack:team trigger c1/failed@x");
	ck_assert_int_eq(up.nsent, 2);
	cfg.slack = NULL;
	cfg.nslack = 0;
	unlink(path);
	rp_ob_update_free(&up);
	rp_outbox_free(&ob);
	rp_http_cleanup();
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, order_per_destination);
	tcase_add_test(tc, resolve_waits_for_its_trigger);
	tcase_add_test(tc, rate_limit_and_failures);
	tcase_add_test(tc, refused);
}
