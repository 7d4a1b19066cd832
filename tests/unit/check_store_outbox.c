#define UNIT_NAME "store_outbox"
#include <stdio.h>
#include <string.h>

#include "store_test.h"
#include "unit.h"

/* Queues ids as one decision of check's events and claims the outbox for
 * token. */
static void
queue_as(struct rp_store *s, const char *check, const char *const *ids, size_t n,
    const char *token, struct rp_outbox *ob)
{
	struct rp_check_state st = {0};
	struct rp_ob_entry ev[4];
	struct rp_alert_rec al[4];
	struct rp_commit c;
	struct rp_err err;
	size_t i;

	memset(ev, 0, sizeof(ev));
	memset(al, 0, sizeof(al));
	for (i = 0; i < n; i++) {
		ev[i].id = rp_xstrdup(ids[i]);
		ev[i].check = rp_xstrdup(check);
		ev[i].label = rp_xstrdup("rk-1");
		ev[i].body = rp_xstrdup("{}");
		ev[i].queued = 1000;
		al[i].dedup_key = strchr(ids[i], ' ') + 1;
	}
	st.known = 1;
	memset(&c, 0, sizeof(c));
	c.name = check;
	c.write = 1;
	c.expect_eval = 0;
	c.st = &st;
	c.events = ev;
	c.alerts = al;
	c.nevents = n;
	memset(ob, 0, sizeof(*ob));
	ob->token = token;
	ob->lock_ms = 10000;
	ob->minute = 42;
	ck_assert_msg(rp_store_commit(s, &c, 1, NULL, ob, &err) == 0, "%s", err.msg);
	for (i = 0; i < n; i++)
		rp_ob_entry_clear(&ev[i]);
}

static void
queue(struct rp_store *s, const char *const *ids, size_t n, const char *token,
    struct rp_outbox *ob)
{
	queue_as(s, "c1", ids, n, token, ob);
}

START_TEST(settle)
{
	struct rp_store *s = open_store("so1");
	static const char *const ids[] = {"trigger k/1", "resolve k/1"};
	struct rp_ob_update up;
	struct rp_outbox a, b;
	struct rp_rejected *rej;
	struct rp_alert_rec ans = {0};
	size_t nrej;
	struct rp_err err;

	queue(s, ids, 2, "run-a", &a);
	ck_assert_int_eq(a.owned, 1);
	ck_assert_int_eq(a.n, 2);
	/* The owner delivered the trigger, the resolve failed; a refused event
	 * is kept for rp-status; rates counted; the lock released. */
	memset(&up, 0, sizeof(up));
	up.done = rp_xcalloc(1, sizeof(*up.done));
	up.done[0] = rp_xstrdup("trigger k/1");
	up.ndone = 1;
	up.retry = rp_xcalloc(1, sizeof(*up.retry));
	up.retry[0].id = rp_xstrdup("resolve k/1");
	up.retry[0].body = rp_xstrdup("{}");
	up.retry[0].attempts = 4;
	up.retry[0].error = rp_xstrdup("HTTP 503");
	up.nretry = 1;
	up.rej = rp_xcalloc(1, sizeof(*up.rej));
	up.rej[0].id = rp_xstrdup("trigger bad/1");
	up.rej[0].message = rp_xstrdup("HTTP 400: invalid");
	up.rej[0].event = rp_xstrdup("{}");
	up.rej[0].fix = rp_xstrdup("0123456789abcdef");
	up.rej[0].at = 5000;
	up.rej[0].http_status = 400;
	up.nrej = 1;
	up.sent = rp_xcalloc(1, sizeof(*up.sent));
	rp_strlcpy(up.sent[0].label, "rk-1", sizeof(up.sent[0].label));
	up.sent[0].count = 1;
	up.nsent = 1;
	up.token = "run-a";
	up.minute = 42;
	ans.dedup_key = "k/1";
	ans.http_status = 202;
	ans.answer = "HTTP 202: Event processed";
	ck_assert_msg(rp_store_settle(s, &up, &ans, 1, NULL, &err) == 0, "%s", err.msg);
	rp_ob_update_free(&up);
	rp_outbox_free(&a);
	/* The lock is free again; one entry is left with its attempts; the
	 * minute's rate is counted. */
	queue(s, NULL, 0, "run-b", &b);
	ck_assert_int_eq(b.owned, 1);
	ck_assert_int_eq(b.n, 1);
	ck_assert_str_eq(b.v[0].id, "resolve k/1");
	ck_assert_int_eq(b.v[0].attempts, 4);
	ck_assert_str_eq(b.v[0].error, "HTTP 503");
	ck_assert_int_eq(b.nrates, 1);
	ck_assert_str_eq(b.rates[0].label, "rk-1");
	ck_assert_int_eq(b.rates[0].count, 1);
	ck_assert(rp_store_outbox_read(s, &a, &rej, &nrej, &err) == 0);
	ck_assert_int_eq(a.n, 1);
	ck_assert_int_eq(nrej, 1);
	ck_assert_str_eq(rej[0].id, "trigger bad/1");
	ck_assert_str_eq(rej[0].message, "HTTP 400: invalid");
	ck_assert_str_eq(rej[0].fix, "0123456789abcdef");
	ck_assert_int_eq(rej[0].http_status, 400);
	rp_outbox_free(&a);
	rp_rejected_free(rej, nrej);
	/* A settle with another run's token does not release b's lock. */
	memset(&up, 0, sizeof(up));
	up.token = "run-a";
	ck_assert(rp_store_settle(s, &up, NULL, 0, NULL, &err) == 0);
	queue(s, NULL, 0, "run-c", &a);
	ck_assert_int_eq(a.owned, 0);
	rp_outbox_free(&a);
	/* Delivering the last one empties the outbox (its keys go). */
	memset(&up, 0, sizeof(up));
	up.done = rp_xcalloc(1, sizeof(*up.done));
	up.done[0] = rp_xstrdup("resolve k/1");
	up.ndone = 1;
	up.token = "run-b";
	ck_assert(rp_store_settle(s, &up, NULL, 0, NULL, &err) == 0);
	rp_ob_update_free(&up);
	rp_outbox_free(&b);
	ck_assert(rp_store_outbox_read(s, &a, &rej, &nrej, &err) == 0);
	ck_assert_int_eq(a.n, 0);
	rp_outbox_free(&a);
	rp_rejected_free(rej, nrej);
	rp_store_close(s);
}
END_TEST

/* An update of an entry another run delivered meanwhile is dropped. */
START_TEST(stale_update)
{
	struct rp_store *s = open_store("so2");
	static const char *const ids[] = {"trigger z/1"};
	struct rp_ob_update up;
	struct rp_outbox a;
	struct rp_rejected *rej;
	size_t nrej;
	struct rp_err err;

	queue(s, ids, 1, "run-a", &a);
	rp_outbox_free(&a);
	memset(&up, 0, sizeof(up));
	up.done = rp_xcalloc(1, sizeof(*up.done));
	up.done[0] = rp_xstrdup("trigger z/1");
	up.ndone = 1;
	ck_assert(rp_store_settle(s, &up, NULL, 0, NULL, &err) == 0);
	rp_ob_update_free(&up);
	memset(&up, 0, sizeof(up));
	up.retry = rp_xcalloc(1, sizeof(*up.retry));
	up.retry[0].id = rp_xstrdup("trigger z/1");
	up.retry[0].body = rp_xstrdup("{}");
	up.nretry = 1;
	ck_assert(rp_store_settle(s, &up, NULL, 0, NULL, &err) == 0);
	rp_ob_update_free(&up);
	ck_assert(rp_store_outbox_read(s, &a, &rej, &nrej, &err) == 0);
	ck_assert_int_eq(a.n, 0);
	rp_outbox_free(&a);
	rp_rejected_free(rej, nrej);
	rp_store_close(s);
}
END_TEST

/* A run that found every entry held back by the rate limit for the rest
 * of the minute says so; the next runs of the minute leave the outbox (and
 * its lock) alone unless they add an entry. */
START_TEST(held_for_the_minute)
{
	struct rp_store *s = open_store("so3");
	static const char *const ids[] = {"trigger h/1", "trigger h/2"};
	static const char *const more[] = {"trigger h/3"};
	struct rp_ob_update up;
	struct rp_outbox a;
	struct rp_err err;
	size_t i;

	queue_as(s, "h1", ids, 2, "run-a", &a);
	ck_assert_int_eq(a.owned, 1);
	rp_outbox_free(&a);
	memset(&up, 0, sizeof(up));
	up.token = "run-a";
	up.minute = 42;
	up.held = 2;
	ck_assert(rp_store_settle(s, &up, NULL, 0, NULL, &err) == 0);
	/* Nothing added: not claimed, and the rates say nothing of it. */
	queue_as(s, "h2", NULL, 0, "run-b", &a);
	ck_assert_int_eq(a.owned, 0);
	for (i = 0; i < a.nrates; i++)
		ck_assert_msg(a.rates[i].label[0] != '!', "%s", a.rates[i].label);
	rp_outbox_free(&a);
	/* An entry added: claimed, and the note gone. */
	queue_as(s, "h3", more, 1, "run-c", &a);
	ck_assert_int_eq(a.owned, 1);
	ck_assert_int_eq(a.n, 3);
	rp_outbox_free(&a);
	/* Held, but an entry came after the claim: no note. */
	up.token = "run-c";
	up.held = 3;
	queue_as(s, "h4", (const char *const[]){"trigger h/4"}, 1, "run-d", &a);
	ck_assert_int_eq(a.owned, 0);
	rp_outbox_free(&a);
	ck_assert(rp_store_settle(s, &up, NULL, 0, NULL, &err) == 0);
	queue_as(s, "h5", NULL, 0, "run-e", &a);
	ck_assert_int_eq(a.owned, 1);
	ck_assert_int_eq(a.n, 4);
	rp_outbox_free(&a);
	/* Held in full; the next minute is another. */
	up.token = "run-e";
	up.held = 4;
	ck_assert(rp_store_settle(s, &up, NULL, 0, NULL, &err) == 0);
	queue_as(s, "h6", NULL, 0, "run-f", &a);
	ck_assert_int_eq(a.owned, 0);
	rp_outbox_free(&a);
	rp_store_close(s);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, held_for_the_minute);
	tcase_add_test(tc, settle);
	tcase_add_test(tc, stale_update);
}
