#define UNIT_NAME "deliver"
#include <string.h>

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

static struct rp_dl_opts
opts(long per_min)
{
	static char url[256];
	struct rp_dl_opts o = {0};

	snprintf(url, sizeof(url), "%s", test_url("RP_TEST_PD_PORT", "/v2/enqueue"));
	o.url = url;
	o.timeout_ms = 3000;
	o.budget_ms = 3000;
	o.rate_per_min = per_min;
	o.now = 1795000000;
	return o;
}

/* An outbox holding one event, as rp_store_load gives it to its owner. */
static void
outbox_with(struct rp_outbox *ob, enum rp_act act, const char *key, int owned)
{
	struct rp_pd_event e = event(act, key);
	char label[RP_RATE_LABEL_LEN];

	memset(ob, 0, sizeof(*ob));
	ob->token = "tok";
	ob->owned = owned;
	ob->minute = 100;
	ob->v = rp_xcalloc(1, sizeof(*ob->v));
	ob->n = 1;
	ob->v[0].id = rp_dl_id(act, key);
	if (owned) {
		rp_rate_label(rk, label);
		ob->v[0].check = rp_xstrdup("c1");
		ob->v[0].label = rp_xstrdup(label);
		ob->v[0].body = rp_pd_event_json(&e);
		ob->v[0].queued = 1794999000;
		ob->v[0].attempts = 3;
	}
}

START_TEST(resolve_waits_for_its_trigger)
{
	struct rp_dl_opts o = opts(120);
	struct rp_outbox ob;
	struct rp_ob_update up;
	struct rp_dl_stats st;
	struct rp_pd_event e = event(RP_ACT_RESOLVE, "c1/failed@x");
	const char *check = "c1";
	struct rp_pd_result r;

	ck_assert_int_eq(rp_http_global(), 0);
	pd_control("/_reset", "");
	outbox_with(&ob, RP_ACT_TRIGGER, "c1/failed@x", 1);
	rp_deliver(&o, &ob, &e, &check, 1, &r, &up, &st);
	/* The waiting trigger goes; the resolve waits for the next run. */
	ck_assert_int_eq(st.ob_sent, 1);
	ck_assert_int_eq(up.ndone, 1);
	ck_assert_str_eq(up.done[0], "trigger c1/failed@x");
	ck_assert_int_eq(r.outcome, RP_PD_WAITING);
	ck_assert_int_eq(r.behind, 1);
	ck_assert_int_eq(up.nadd, 1);
	ck_assert_str_eq(up.add[0].id, "resolve c1/failed@x");
	ck_assert_str_eq(up.token, "tok");
	ck_assert_int_eq(up.nsent, 1);
	ck_assert_int_eq(up.sent[0].count, 1);
	rp_ob_update_free(&up);
	rp_outbox_free(&ob);

	/* Another run holds the outbox: nothing of it is sent, and the
	 * resolve still queues behind the trigger it knows is waiting. */
	pd_control("/_reset", "");
	outbox_with(&ob, RP_ACT_TRIGGER, "c1/failed@x", 0);
	rp_deliver(&o, &ob, &e, &check, 1, &r, &up, &st);
	ck_assert_int_eq(st.ob_sent, 0);
	ck_assert_int_eq(up.ndone, 0);
	ck_assert_int_eq(r.outcome, RP_PD_WAITING);
	ck_assert_int_eq(up.nadd, 1);
	ck_assert_ptr_null(up.token);
	rp_ob_update_free(&up);
	rp_outbox_free(&ob);
	rp_http_cleanup();
}
END_TEST

START_TEST(rate_limit_queues)
{
	struct rp_dl_opts o = opts(3);
	struct rp_outbox ob = {0};
	struct rp_ob_update up;
	struct rp_dl_stats st;
	struct rp_pd_event e[3];
	const char *checks[3] = {"a", "b", "c"};
	struct rp_pd_result r[3];
	struct rp_rate already;
	int delivered = 0, waiting = 0, i;

	ck_assert_int_eq(rp_http_global(), 0);
	pd_control("/_reset", "");
	e[0] = event(RP_ACT_TRIGGER, "a/1");
	e[1] = event(RP_ACT_TRIGGER, "b/1");
	e[2] = event(RP_ACT_TRIGGER, "c/1");
	/* Two of this minute's three are spent already. */
	rp_rate_label(rk, already.label);
	already.count = 2;
	ob.token = "tok";
	ob.minute = 7;
	ob.rates = &already;
	ob.nrates = 1;
	rp_deliver(&o, &ob, e, checks, 3, r, &up, &st);
	for (i = 0; i < 3; i++) {
		delivered += r[i].outcome == RP_PD_DELIVERED;
		waiting += r[i].outcome == RP_PD_WAITING;
	}
	ck_assert_int_eq(delivered, 1);
	ck_assert_int_eq(waiting, 2);
	ck_assert_int_eq(up.nadd, 2);
	ck_assert_str_eq(up.add[0].label, already.label);
	ck_assert_ptr_nonnull(strstr(up.add[0].error, "rate limit"));
	ck_assert_int_eq(up.nsent, 1);
	ck_assert_int_eq(up.sent[0].count, 1);
	ck_assert_int_eq(up.minute, 7);
	ob.rates = NULL; /* not ours to free */
	rp_ob_update_free(&up);
	rp_http_cleanup();
}
END_TEST

START_TEST(refused_and_no_store)
{
	struct rp_dl_opts o = opts(120);
	struct rp_outbox ob = {0};
	struct rp_ob_update up;
	struct rp_dl_stats st;
	struct rp_pd_event e = event(RP_ACT_TRIGGER, "r/1");
	const char *check = "r";
	struct rp_pd_result r;

	ck_assert_int_eq(rp_http_global(), 0);
	pd_control("/_reset", "");
	pd_control("/_fail", "400");
	ob.token = "tok";
	rp_deliver(&o, &ob, &e, &check, 1, &r, &up, &st);
	ck_assert_int_eq(r.outcome, RP_PD_REJECTED);
	ck_assert_int_eq(up.nrej, 1);
	ck_assert_str_eq(up.rej[0].id, "trigger r/1");
	ck_assert_int_eq(up.rej[0].http_status, 400);
	ck_assert_str_eq(up.rej[0].message, "HTTP 400: Event object is invalid: injected 400");
	/* Kept without its routing key. */
	ck_assert_ptr_null(strstr(up.rej[0].event, rk));
	ck_assert_ptr_nonnull(strstr(up.rej[0].event, "\"dedup_key\":\"r/1\""));
	ck_assert_int_eq(up.nadd, 0);
	rp_ob_update_free(&up);

	/* Without a store nothing can be queued: the caller decides again. */
	pd_control("/_fail", "down:500");
	o.budget_ms = 400;
	rp_deliver(&o, NULL, &e, &check, 1, &r, &up, &st);
	ck_assert_int_eq(r.outcome, RP_PD_FAILED);
	ck_assert_int_eq(up.nadd, 0);
	rp_ob_update_free(&up);
	pd_control("/_reset", "");
	rp_http_cleanup();
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, resolve_waits_for_its_trigger);
	tcase_add_test(tc, rate_limit_queues);
	tcase_add_test(tc, refused_and_no_store);
}
